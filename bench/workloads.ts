// The benchmark workloads (issue 5), defined once so `npm run bench`, `npm run bench:peers` and
// docs/performance.md all measure the same thing. Sizes shrink with --quick for a smoke run.
import type { Candles } from '../src/data/schema.js';
import { synthesize } from '../src/data/synth.js';
import { buildRunSpec } from '../src/engine/runspec.js';
import type { MarginMode, RunSpec } from '../src/engine/types.js';
import { computeTargets, logSpread, pairFromSpread } from '../src/strategies/index.js';
import type { SweepSpec } from '../src/sweep/index.js';

export interface Sizes {
  w1Bars: number;
  w2Bars: number;
  w2Sets: number;
  w3Bars: number;
}

export const FULL: Sizes = { w1Bars: 1_000_000, w2Bars: 200_000, w2Sets: 10_000, w3Bars: 525_600 };
export const QUICK: Sizes = { w1Bars: 50_000, w2Bars: 20_000, w2Sets: 200, w3Bars: 30_000 };

export const SEED = 1;

/**
 * SPEC §5 defaults except the sizing: 10% of equity per position instead of a fixed 1,000 USDT.
 * With a fixed amount, sma-cross(10, 50) on 1m bars pays its way to a free wallet below 1,000
 * after ~700 trades and then only records refused orders (2.7% exposure): a benchmark of an idle
 * loop. Fraction sizing keeps a position open on ~100% of the bars, so every bar runs funding,
 * liquidation checks and marking.
 */
export function benchSpec(symbols: string[], marginMode: MarginMode, records: boolean): RunSpec {
  return buildRunSpec({ marginMode, strategy: 'sma-cross', symbols, sizing: { kind: 'fraction', fraction: 0.1 }, records });
}

/** Synthetic 1m candles with mark prices and funding (src/data/synth.ts), seed 1. */
export function benchCandles(symbols: string[], bars: number): Candles {
  return synthesize({ symbols, bars, interval: '1m', seed: SEED });
}

export function smaTargets(candles: Candles, fast: number, slow: number): Float64Array[] {
  const s = candles.symbols;
  return computeTargets(
    'sma-cross',
    { fast, slow },
    s.map((x) => x.close),
    s.map((x) => x.high),
    s.map((x) => x.low),
  );
}

/** W3: pair(100, 2, 0.5) on BTC/ETH and sma-cross(10, 50) on BNB, in one cross account. */
export const W3_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];

export function w3Targets(candles: Candles): Float64Array[] {
  const [btc, eth, bnb] = candles.symbols;
  const [a, b] = pairFromSpread(logSpread(btc!.close, eth!.close), 100, 2, 0.5);
  const c = computeTargets('sma-cross', { fast: 10, slow: 50 }, [bnb!.close], [bnb!.high], [bnb!.low])[0]!;
  return [a, b, c];
}

export function w3Spec(): RunSpec {
  return { ...benchSpec(W3_SYMBOLS, 'cross', true), strategy: 'function', params: {} };
}

/**
 * W2 as a sweep (without its data): `sets` sma-cross parameter sets of w2Grid on BTCUSDT,
 * isolated, with benchSpec's settings. bench/w2-child.ts, w2-sample.ts and ab-kernel.ts run it.
 */
export function w2SweepSpec(sets: number): SweepSpec {
  const spec = benchSpec(['BTCUSDT'], 'isolated', false);
  return {
    strategy: 'sma-cross',
    grid: w2Grid(sets).text,
    leverages: [spec.leverage],
    margins: ['isolated'],
    symbols: [['BTCUSDT']],
    balance: spec.balance,
    sizing: spec.sizing,
    feeRate: spec.feeRate,
    slippage: spec.slippage,
    liquidation: spec.liquidation,
    liquidationFeeRate: spec.liquidationFeeRate,
  };
}

/**
 * W2's grid: fast 2…101 crossed with slow 105, 110, … (100 values at 10,000 sets), every pair
 * with fast < slow. Run i is fast[⌊i / nSlow⌋] and slow[i mod nSlow]: the sweep API's order (the
 * last parameter varies fastest). `sets`: a multiple of 100, or fewer than 100.
 */
export function w2Grid(sets: number): { fast: Int32Array; slow: Int32Array; text: { fast: string; slow: string } } {
  const nFast = Math.min(100, sets);
  const nSlow = Math.ceil(sets / nFast);
  if (nFast * nSlow !== sets) throw new Error(`W2 needs a multiple of 100 parameter sets, got ${sets}`);
  const fast = new Int32Array(sets);
  const slow = new Int32Array(sets);
  for (let i = 0; i < sets; i++) {
    fast[i] = 2 + Math.floor(i / nSlow);
    slow[i] = 105 + 5 * (i % nSlow);
  }
  return { fast, slow, text: { fast: `2:${1 + nFast}:1`, slow: `105:${105 + 5 * (nSlow - 1)}:5` } };
}
