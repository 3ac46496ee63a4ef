import { mkdirSync, mkdtempSync, renameSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { Candles } from '../data/schema.js';
import { isoTime } from '../data/time.js';
import { loadDataset } from '../data/load.js';
import {
  backtest,
  SAMPLE_DATA_PATH,
  timeOption,
  type BacktestNames,
  type BacktestOptions,
  type BacktestRun,
  type EngineName,
} from '../engine/backtest.js';
import {
  CLI_FLAGS,
  DEFAULTS,
  parseMarginModes,
  parseNumberFlag,
  parseParams,
  parseSymbols,
} from '../engine/runspec.js';
import { UserError } from '../errors.js';
import { EXPORT_FORMATS, extensionFor, writeTable, type ExportFormat } from '../report/export.js';
import { recordTables } from '../report/records.js';
import { writeBacktestReport } from '../report/html/index.js';
import { accountSettings, addAccountOptions, type AccountFlags } from './account-flags.js';
import { formatRuns, summaryJson } from '../report/summary.js';
import { STRATEGIES, type StrategyName } from '../strategies/index.js';

const ENGINES: readonly EngineName[] = ['wasm', 'reference'];

const NAMES: BacktestNames = { ...CLI_FLAGS, from: '--from', to: '--to', engine: '--engine', signals: '--signals' };

interface BacktestFlags extends AccountFlags {
  data?: string;
  symbols?: string;
  strategy?: string;
  param?: string[];
  signals?: string;
  margin: string;
  leverage?: string;
  from?: string;
  to?: string;
  out?: string;
  report?: string;
  format: string;
  json?: boolean;
  engine: string;
}

/** One block of output: one backtest() call, shown as one table with a column per margin mode. */
interface Block {
  strategy: StrategyName;
  symbols: string[] | undefined;
}

/**
 * The main job (`npm start`): sma-cross on each symbol alone (BTCUSDT, ETHUSDT, BNBUSDT first,
 * then any other in name order), then the pair strategy on the first two.
 */
export function mainJobBlocks(available: readonly string[]): Block[] {
  const preferred = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
  const ordered = [
    ...preferred.filter((s) => available.includes(s)),
    ...[...available].filter((s) => !preferred.includes(s)).sort(),
  ];
  const blocks: Block[] = ordered.map((s) => ({ strategy: 'sma-cross', symbols: [s] }));
  if (ordered.length >= 2) blocks.push({ strategy: 'pair', symbols: ordered.slice(0, 2) });
  return blocks;
}

/** The settings shared by every block, from the flags (strategy and symbols excluded). */
function settingsFromFlags(f: BacktestFlags): Omit<BacktestOptions, 'data' | 'symbols' | 'strategy' | 'marginMode'> {
  const num = (text: string | undefined, flag: string) => (text === undefined ? undefined : parseNumberFlag(text, flag));
  if (!EXPORT_FORMATS.includes(f.format as ExportFormat)) {
    throw new UserError(`expected ${EXPORT_FORMATS.join(', ')}, got '${f.format}'`, { field: '--format' });
  }
  if (!ENGINES.includes(f.engine as EngineName)) {
    throw new UserError(`expected ${ENGINES.join(' or ')}, got '${f.engine}'`, { field: '--engine' });
  }
  const { sizing, ...account } = accountSettings(f);
  return {
    params: f.param === undefined ? undefined : parseParams(f.param),
    signals: f.signals,
    leverage: num(f.leverage, CLI_FLAGS.leverage),
    ...account,
    marginPerPosition: sizing,
    records: f.out !== undefined || f.report !== undefined,
    engine: f.engine as EngineName,
  };
}

/** Runs what the flags ask: the blocks, each a list of runs (one per margin mode). */
export function runBacktestFlags(f: BacktestFlags): { candles: Candles; dataPath: string; blocks: BacktestRun[][] } {
  const modes = parseMarginModes(f.margin);
  const settings = settingsFromFlags(f);
  const symbols = f.symbols === undefined ? undefined : parseSymbols(f.symbols);
  if (f.strategy !== undefined && !Object.hasOwn(STRATEGIES, f.strategy)) {
    throw new UserError(`unknown strategy '${f.strategy}' (available: ${Object.keys(STRATEGIES).join(', ')})`, {
      field: '--strategy',
    });
  }
  const dataPath = f.data ?? SAMPLE_DATA_PATH;
  const candles = loadDataset(dataPath, {
    symbols,
    from: timeOption(f.from, '--from'),
    to: timeOption(f.to, '--to'),
  });
  const mainJob = f.symbols === undefined && f.strategy === undefined && f.param === undefined && f.signals === undefined;
  const plan: Block[] = mainJob
    ? mainJobBlocks(candles.symbols.map((s) => s.symbol))
    : [{ strategy: (f.strategy ?? 'sma-cross') as StrategyName, symbols }];
  const blocks = plan.map((b) =>
    backtest(
      {
        ...settings,
        data: candles,
        symbols: b.symbols,
        strategy: b.strategy,
        marginMode: modes.length === 2 ? 'both' : modes[0],
      },
      NAMES,
    ),
  );
  return { candles, dataPath, blocks };
}

function describeData(path: string, c: Candles): string {
  const n = c.time.length;
  const minute = (ms: number) => isoTime(ms).slice(0, 16).replace('T', ' ');
  return (
    `${path === SAMPLE_DATA_PATH ? 'bundled sample' : path}: ${c.symbols.map((s) => s.symbol).join(', ')}, ` +
    `${n.toLocaleString('en-US')} bars${c.interval ? ` of ${c.interval}` : ''}, ` +
    `${minute(c.time[0]!)} to ${minute(c.time[n - 1]!)} UTC`
  );
}

function describeSettings(run: BacktestRun, engine: string): string {
  const s = run.spec;
  const pct = (x: number) => `${Number((x * 100).toPrecision(10))}%`;
  return (
    `balance ${s.balance.toLocaleString('en-US')} USDT, taker fee ${pct(s.feeRate)}, ` +
    `slippage ${Number((s.slippage * 10_000).toPrecision(10))} bps, liquidation fee ${pct(s.liquidationFeeRate)}, ` +
    `${s.liquidation.kind === 'binance' ? 'Binance brackets' : `threshold model ${s.liquidation.x}`}, engine ${engine}`
  );
}

/**
 * Writes summary.json and the record tables into `dir`: everything goes to a temporary directory
 * first and is moved into place only when all of it was written, so an error leaves no partial
 * output (a new directory appears whole, by one rename).
 */
export function writeOutputs(dir: string, runs: readonly BacktestRun[], format: ExportFormat): string[] {
  const exists = directoryExists(dir);
  const parent = exists ? dir : dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(join(parent, `.${basename(dir)}.margincall-`));
  try {
    writeFileSync(join(tmp, 'summary.json'), JSON.stringify(summaryJson(runs), null, 2) + '\n');
    const tables = recordTables(runs);
    for (const kind of ['equity', 'trades', 'liquidations'] as const) {
      writeTable(join(tmp, kind + extensionFor(format)), tables[kind], format);
    }
    const names = readdirSync(tmp).sort();
    if (exists) {
      for (const name of names) renameSync(join(tmp, name), join(dir, name));
    } else {
      renameSync(tmp, dir);
    }
    return names.map((n) => join(dir, n));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function directoryExists(dir: string): boolean {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    return false;
  }
  if (!isDir) throw new UserError('exists and is not a directory', { file: dir, field: '--out' });
  return true;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `margincall backtest`: isolated vs cross, side by side. */
export function registerBacktest(program: Command): void {
  const strategies = Object.values(STRATEGIES)
    .map((s) => {
      const params = s.params.map((p) => `${p.name}=${p.default}`).join(', ');
      return `  ${s.name.padEnd(10)} ${params ? `(${params}) ` : ''}${s.description}`;
    })
    .join('\n');
  const command = program
    .command('backtest')
    .description(
      'Backtest a strategy under isolated and cross margin and show the two side by side. ' +
        'With none of --symbols, --strategy, --param, --signals: the main job (what `npm start` runs): ' +
        'sma-cross on each of BTCUSDT, ETHUSDT, BNBUSDT alone, and the BTCUSDT/ETHUSDT pair.',
    )
    .option('--data <dataset>', 'dataset directory or <SYMBOL>.arrow file (default: the bundled 2025 1h sample)')
    .option('--symbols <list>', 'comma-separated symbols, all held in one account (default: every symbol of the data)')
    .option('--strategy <name>', `built-in strategy (default sma-cross): ${Object.keys(STRATEGIES).join(', ')}`)
    .option('--param <k=v>', 'strategy parameter, repeatable, e.g. --param fast=20 --param slow=100', collect)
    .option('--signals <file>', 'Arrow file of target weights for --strategy signals (a column per symbol, or "weight")')
    .option('--margin <mode>', 'isolated, cross or both', 'both')
    .option('--leverage <L>', `leverage, at least 1 (default ${DEFAULTS.leverage})`);
  addAccountOptions(command);
  command
    .option('--from <time>', 'first bar (ISO-8601 such as 2025-03-01, or epoch ms)')
    .option('--to <time>', 'end of the range, exclusive (ISO-8601 or epoch ms)')
    .option('--out <dir>', 'write summary.json, equity.*, trades.*, liquidations.* into this directory')
    .option('--format <fmt>', 'record files: arrow, parquet or csv', 'arrow')
    .option('--report <file>', 'also write a self-contained HTML report (equity, drawdown, candles with trades and liquidations)')
    .option('--json', 'print {"runs":[{marginMode, strategy, params, symbols, leverage, metrics}]} (undefined ratios are null)')
    .option('--engine <name>', 'wasm (the kernel) or reference (the TypeScript twin; same results)', 'wasm')
    .addHelpText(
      'after',
      `
Strategies (parameters with defaults):
${strategies}

Sizing: a full position (weight ±1) has notional margin × leverage. Before the run, that notional
must lie in a bracket whose max leverage is at least --leverage, for every symbol (SPEC §2).
With a fixed margin per position, isolated and cross runs receive the same orders and differ only
by margin accounting and liquidation.

Output files (--out): records of every run in one file per kind; "run" is the run's index in
summary.json, "marginMode" its mode. Equity: time, equity, marginRatio. Trades: symbol, side
(1 long, -1 short), entryTime, exitTime, qty, entryPrice, exitPrice, pnl, fees, funding, reason.
Liquidations: time, symbol, side, triggerPrice, where, loss, group, proxy.

Examples:
  margincall backtest                                  # the main job on the bundled sample
  margincall backtest --symbols ETHUSDT --strategy rsi --param period=21 --leverage 20
  margincall backtest --symbols BTCUSDT,ETHUSDT --strategy pair --param entry=2.5 --json
  margincall backtest --symbols BTCUSDT,ETHUSDT,BNBUSDT --strategy donchian --margin cross \\
      --margin-per-position 10% --liquidation threshold:0.9 --from 2025-06-01
  margincall backtest --symbols BNBUSDT --strategy ema-cross --out results --format parquet`,
    )
    .action((flags: BacktestFlags) => {
      const started = performance.now();
      const { candles, dataPath, blocks } = runBacktestFlags(flags);
      const runs = blocks.flat();
      const written = flags.out === undefined ? [] : writeOutputs(flags.out, runs, flags.format as ExportFormat);
      if (flags.report !== undefined) {
        writeBacktestReport(runs, flags.report, { data: candles });
        written.push(flags.report);
      }
      if (flags.json) {
        process.stdout.write(JSON.stringify(summaryJson(runs), null, 2) + '\n');
        return;
      }
      const parts = [describeData(dataPath, candles), describeSettings(runs[0]!, flags.engine), ''];
      for (const block of blocks) parts.push(formatRuns(block));
      if (written.length) parts.push(`wrote ${written.join(', ')}`);
      parts.push(`${runs.length} runs in ${((performance.now() - started) / 1000).toFixed(2)} s`);
      process.stdout.write(parts.join('\n') + '\n');
    });
}
