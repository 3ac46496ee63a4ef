// The friendly entry point: from a dataset and a strategy to one result per margin mode. Targets
// are computed once and shared by the modes, so isolated and cross runs of a strategy receive
// the same orders (SPEC §4) and differ only by margin accounting and liquidation.
import { fileURLToPath } from 'node:url';
import { rangeIndices } from '../data/align.js';
import { loadDataset } from '../data/load.js';
import type { Candles, SymbolSeries } from '../data/schema.js';
import { parseTimestamp } from '../data/time.js';
import { UserError } from '../errors.js';
import { readSignals } from '../strategies/signals.js';
import {
  computeTargets,
  validateTargets,
  type StrategyName,
  type TargetFunction,
} from '../strategies/index.js';
import { loadBracketFile, type BracketTable } from './brackets.js';
import { runKernel } from './kernel.js';
import { runReference } from './reference.js';
import { buildRunSpec, parseLiquidation, parseMarginPerPosition, type FieldNames } from './runspec.js';
import type { BacktestResult, LiquidationModel, MarginMode, RunSpec, Sizing } from './types.js';

/** The bundled 2025 sample (BTCUSDT, ETHUSDT, BNBUSDT, 1h); src/ and dist/ sit at the same depth. */
export const SAMPLE_DATA_PATH = fileURLToPath(new URL('../../data/sample', import.meta.url));

export type MarginChoice = MarginMode | 'both';
export type EngineName = 'wasm' | 'reference';

export interface BacktestOptions {
  /** A dataset directory or `<SYMBOL>.arrow` file, or candles already loaded. Default: the bundled sample. */
  data?: string | Candles;
  /** Symbols to run, in this order, all held in one account. Default: every symbol of the data. */
  symbols?: readonly string[];
  /** A built-in strategy (default `sma-cross`) or a function from candles to target weights. */
  strategy?: StrategyName | TargetFunction;
  /** Strategy parameters; built-ins fill in their defaults. */
  params?: Record<string, number>;
  /** The weights file (Arrow IPC) of the `signals` strategy, one row per selected bar. */
  signals?: string;
  /** Default `both`: an isolated run, then a cross run, on the same targets. */
  marginMode?: MarginChoice;
  /** Default 10. */
  leverage?: number;
  /** Starting wallet in USDT; default 10,000. */
  balance?: number;
  /** USDT per position (default 1,000), `'10%'` of the run's equity, or a Sizing. */
  marginPerPosition?: number | string | Sizing;
  /** Taker fee as a fraction of notional; default 0.0005. */
  feeRate?: number;
  /** Slippage as a fraction of the open (1 bp = 0.0001); default 0. */
  slippage?: number;
  /** `binance` (default), `threshold:0.9`, or a LiquidationModel. */
  liquidation?: string | LiquidationModel;
  /** Default 0.0125. */
  liquidationFeeRate?: number;
  /** A bracket file (JSON, see data/brackets.json) or tables by symbol, over the bundled ones. */
  brackets?: string | Record<string, BracketTable>;
  /** Also produce equity curves, trades and liquidation events. Default false. */
  records?: boolean;
  /** `wasm` (default, the kernel) or `reference` (the readable TypeScript twin). */
  engine?: EngineName;
  /** First bar kept: epoch ms or ISO-8601 (inclusive). */
  from?: number | string;
  /** End of the range: epoch ms or ISO-8601 (exclusive). */
  to?: number | string;
}

/** How settings are called in error messages: RunSpec fields plus the options of backtest(). */
export type BacktestNames = FieldNames & { from?: string; to?: string; engine?: string; signals?: string };

/** One run of one margin mode. */
export interface BacktestRun {
  marginMode: MarginMode;
  strategy: RunSpec['strategy'];
  params: Record<string, number>;
  symbols: string[];
  leverage: number;
  result: BacktestResult;
  /** The full validated specification the engine ran. */
  spec: RunSpec;
}

/**
 * Runs a backtest: loads and selects candles, computes the targets once, and runs each margin
 * mode (isolated first). Several symbols with a single-symbol strategy make one portfolio: one
 * account holding them all (in cross mode they share the wallet). `names` says how settings are
 * called in error messages (the CLI passes its flags).
 */
export function backtest(options: BacktestOptions = {}, names: BacktestNames = {}): BacktestRun[] {
  const from = timeOption(options.from, names.from ?? 'from');
  const to = timeOption(options.to, names.to ?? 'to');
  const data = options.data ?? SAMPLE_DATA_PATH;
  const candles =
    typeof data === 'string'
      ? loadDataset(data, { symbols: options.symbols && [...options.symbols], from, to })
      : selectCandles(data, options.symbols, from, to);
  const symbols = candles.symbols.map((s) => s.symbol);

  const fn = typeof options.strategy === 'function' ? options.strategy : null;
  const strategy: RunSpec['strategy'] = fn ? 'function' : (options.strategy as StrategyName | undefined) ?? 'sma-cross';
  const modes: MarginMode[] =
    options.marginMode === undefined || options.marginMode === 'both' ? ['isolated', 'cross'] : [options.marginMode];
  const sizing =
    options.marginPerPosition === undefined
      ? undefined
      : typeof options.marginPerPosition === 'object'
        ? options.marginPerPosition
        : parseMarginPerPosition(String(options.marginPerPosition), names.sizing ?? 'marginPerPosition');
  const liquidation =
    typeof options.liquidation === 'string'
      ? parseLiquidation(options.liquidation, names.liquidation ?? 'liquidation')
      : options.liquidation;
  const brackets = typeof options.brackets === 'string' ? loadBracketFile(options.brackets) : options.brackets;

  const specs = modes.map((marginMode) =>
    buildRunSpec(
      {
        marginMode,
        strategy,
        params: options.params,
        symbols,
        leverage: options.leverage,
        balance: options.balance,
        sizing,
        feeRate: options.feeRate,
        slippage: options.slippage,
        liquidation,
        liquidationFeeRate: options.liquidationFeeRate,
        brackets,
        records: options.records,
      },
      names,
    ),
  );
  const targets = strategyTargets(specs[0]!, candles, fn, options.signals, names);
  const run = engineOf(options.engine, names.engine ?? 'engine');
  return specs.map((spec) => ({
    marginMode: spec.marginMode,
    strategy: spec.strategy,
    params: spec.params,
    symbols: spec.symbols,
    leverage: spec.leverage,
    result: run(spec, candles, targets),
    spec,
  }));
}

function engineOf(engine: EngineName | undefined, field: string): (spec: RunSpec, candles: Candles, targets: Float64Array[]) => BacktestResult {
  if (engine === undefined || engine === 'wasm') return runKernel;
  if (engine === 'reference') return runReference;
  throw new UserError(`unknown engine '${String(engine)}' (wasm or reference)`, { field });
}

/** The target weights of the run, one column per symbol, checked. */
function strategyTargets(
  spec: RunSpec,
  candles: Candles,
  fn: TargetFunction | null,
  signals: string | undefined,
  names: BacktestNames,
): Float64Array[] {
  const nBars = candles.time.length;
  if (fn) return validateTargets(fn(candles), spec.symbols.length, nBars, 'target function', spec.symbols);
  const name = spec.strategy as StrategyName;
  if (name === 'signals') {
    if (signals === undefined) {
      throw new UserError('the signals strategy needs the file of target weights (signals)', { field: names.signals ?? 'signals' });
    }
    return readSignals(signals, spec.symbols, nBars);
  }
  if (signals !== undefined) {
    throw new UserError(`a signals file goes with the signals strategy, not ${name}`, { field: names.signals ?? 'signals' });
  }
  const s = candles.symbols;
  return computeTargets(
    name,
    spec.params,
    s.map((x) => x.close),
    s.map((x) => x.high),
    s.map((x) => x.low),
  );
}

/**
 * The given symbols (in that order; default all) over bars with `from ≤ time < to`, as views of
 * the same columns (no copy).
 */
export function selectCandles(candles: Candles, symbols?: readonly string[], from?: number, to?: number): Candles {
  const available = candles.symbols.map((s) => s.symbol);
  const chosen = (symbols ?? available).map((symbol) => {
    const found = candles.symbols.find((s) => s.symbol === symbol);
    if (!found) throw new UserError(`symbol ${symbol} is not in the data (available: ${available.join(', ')})`, { field: 'symbols' });
    return found;
  });
  if (chosen.length === 0) throw new UserError('no symbols requested', { field: 'symbols' });
  const [lo, hi] = rangeIndices(candles.time, from, to);
  if (hi <= lo) throw new UserError('no bars in the requested time range', { field: from === undefined ? 'to' : 'from' });
  if (lo === 0 && hi === candles.time.length) return { ...candles, symbols: chosen };
  const cut = (a: Float64Array): Float64Array => a.subarray(lo, hi);
  const cutSeries = (s: SymbolSeries): SymbolSeries => ({
    symbol: s.symbol,
    open: cut(s.open),
    high: cut(s.high),
    low: cut(s.low),
    close: cut(s.close),
    volume: cut(s.volume),
    mark: s.mark ? { open: cut(s.mark.open), high: cut(s.mark.high), low: cut(s.mark.low), close: cut(s.mark.close) } : null,
    fundingRate: s.fundingRate ? cut(s.fundingRate) : null,
  });
  return { ...candles, time: cut(candles.time), symbols: chosen.map(cutSeries) };
}

/** `from`/`to` as epoch ms or ISO-8601 text → ms. */
export function timeOption(value: number | string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'number' ? value : parseTimestamp(value);
  if (!Number.isFinite(ms)) {
    throw new UserError(`'${value}' is not a time (use ISO-8601 such as 2025-03-01 or epoch ms)`, { field });
  }
  return ms;
}
