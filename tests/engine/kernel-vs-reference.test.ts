// The WASM kernel (runKernel) against the TypeScript reference (runReference) on random markets
// built to liquidate often: random walks with gaps and long wicks, mark prices near the last
// price (or none: proxy), funding of both signs, high leverage, both margin modes, both
// liquidation models, fixed and fraction sizing, one to three symbols on the bundled tables.
// The accounting is the same scalar arithmetic in the same order, so trades, liquidations, the
// equity curve and the metrics must agree bit for bit; only annualizedReturn (and calmar, built on
// it) goes through pow, whose last digit differs between AssemblyScript and V8: those two must
// agree to 1e-9 relative with a 1e-9 absolute floor.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Candles, SymbolSeries } from '../../src/data/schema.js';
import { synthesize } from '../../src/data/synth.js';
import { bracketTableFor } from '../../src/engine/brackets.js';
import { KernelSession, runKernel } from '../../src/engine/kernel.js';
import { runReference } from '../../src/engine/reference.js';
import { type BacktestResult, type LiquidationModel, type MarginMode, type RunSpec, type Sizing } from '../../src/engine/types.js';
import { metricDifferences } from '../helpers/metrics.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT'] as const;
const START: Record<string, number> = { BTCUSDT: 60_000, ETHUSDT: 3_000, BNBUSDT: 600, SOLUSDT: 150 };

/** A tiny deterministic PRNG (mulberry32), so a failing seed reproduces the same market. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface MarketShape {
  seed: number;
  nBars: number;
  symbols: string[];
  /** Per symbol: mark candles or none (proxy), funding or none. */
  mark: boolean[];
  funding: boolean[];
  /** Typical bar move, chance of a gap at the open, and the longest wick, as fractions. */
  vol: number;
  gapChance: number;
  wick: number;
  /** Chance per bar of a wick of 20–80% (a crash or a squeeze). */
  crashChance: number;
  intervalMs: number | null;
}

function series(rand: () => number, symbol: string, shape: MarketShape, k: number): SymbolSeries {
  const n = shape.nBars;
  const open = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  const mOpen = new Float64Array(n);
  const mHigh = new Float64Array(n);
  const mLow = new Float64Array(n);
  const mClose = new Float64Array(n);
  const funding = new Float64Array(n).fill(NaN);
  let prev = START[symbol]! * (0.5 + rand());
  for (let t = 0; t < n; t++) {
    const gap = rand() < shape.gapChance ? (rand() - 0.5) * 0.3 : 0;
    open[t] = prev * (1 + gap);
    close[t] = open[t]! * (1 + (rand() - 0.5) * 2 * shape.vol);
    let wickUp = rand() < 0.4 ? rand() * shape.wick : rand() * shape.vol * 0.5;
    let wickDown = rand() < 0.4 ? rand() * shape.wick : rand() * shape.vol * 0.5;
    if (rand() < shape.crashChance) {
      if (rand() < 0.5) wickUp += 0.2 + rand() * 0.6;
      else wickDown += 0.2 + rand() * 0.6 * (1 - wickDown);
    }
    high[t] = Math.max(open[t]!, close[t]!) * (1 + wickUp);
    low[t] = Math.min(open[t]!, close[t]!) * (1 - wickDown);
    prev = close[t]!;
    const basis = 1 + (rand() - 0.5) * 0.004;
    mOpen[t] = open[t]! * basis;
    mClose[t] = close[t]! * (1 + (rand() - 0.5) * 0.004);
    mHigh[t] = Math.max(mOpen[t]!, mClose[t]!, high[t]! * (1 - rand() * 0.002));
    mLow[t] = Math.min(mOpen[t]!, mClose[t]!, low[t]! * (1 + rand() * 0.002));
    if (rand() < 0.25) funding[t] = (rand() - 0.45) * 0.02;
  }
  return {
    symbol,
    open,
    high,
    low,
    close,
    volume: new Float64Array(n).fill(1),
    mark: shape.mark[k] ? { open: mOpen, high: mHigh, low: mLow, close: mClose } : null,
    fundingRate: shape.funding[k] ? funding : null,
  };
}

function market(shape: MarketShape): Candles {
  const rand = prng(shape.seed);
  const step = shape.intervalMs ?? 60_000;
  const time = new Float64Array(shape.nBars);
  for (let t = 0; t < shape.nBars; t++) time[t] = 1_700_000_000_000 + t * step;
  return {
    time,
    interval: null,
    intervalMs: shape.intervalMs,
    symbols: shape.symbols.map((s, k) => series(rand, s, shape, k)),
  };
}

/** Targets in {−1, −0.5, 0, 0.5, 1, NaN}, held for a few bars at a time. */
function targetSeries(seed: number, nBars: number, hold: number): Float64Array {
  const rand = prng(seed);
  const values = [-1, -0.5, 0, 0.5, 1, NaN];
  const out = new Float64Array(nBars).fill(NaN);
  let w = NaN;
  for (let t = 0; t < nBars; t++) {
    if (rand() * hold < 1) w = values[Math.floor(rand() * values.length)]!;
    out[t] = w;
  }
  return out;
}

const shapeArb: fc.Arbitrary<MarketShape> = fc
  .record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    nBars: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 2, max: 10 }) }, { weight: 4, arbitrary: fc.integer({ min: 30, max: 120 }) }),
    symbols: fc.shuffledSubarray([...SYMBOLS], { minLength: 1, maxLength: 3 }),
    marks: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    fundings: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    vol: fc.double({ min: 0.002, max: 0.04, noNaN: true }),
    gapChance: fc.constantFrom(0, 0.05, 0.2),
    wick: fc.double({ min: 0.01, max: 0.15, noNaN: true }),
    crashChance: fc.constantFrom(0, 0.02, 0.05),
    intervalMs: fc.constantFrom<number | null>(60_000, 3_600_000, null),
  })
  .map((r) => ({
    seed: r.seed,
    nBars: r.nBars,
    symbols: r.symbols,
    mark: r.marks,
    funding: r.fundings,
    vol: r.vol,
    gapChance: r.gapChance,
    wick: r.wick,
    crashChance: r.crashChance,
    intervalMs: r.intervalMs,
  }));

interface Settings {
  leverage: number;
  balance: number;
  sizing: Sizing;
  feeRate: number;
  slippage: number;
  liquidation: LiquidationModel;
  liquidationFeeRate: number;
  targetSeed: number;
  hold: number;
}

const settingsArb: fc.Arbitrary<Settings> = fc.record({
  leverage: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 20, max: 100 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) },
    { weight: 1, arbitrary: fc.double({ min: 1, max: 100, noNaN: true }) },
  ),
  balance: fc.constantFrom(2_000, 10_000, 50_000),
  sizing: fc.oneof(
    fc.record({ kind: fc.constant('fixed' as const), amount: fc.constantFrom(50, 200, 1_000, 5_000) }),
    fc.record({ kind: fc.constant('fraction' as const), fraction: fc.double({ min: 0.02, max: 0.5, noNaN: true }) }),
  ),
  feeRate: fc.constantFrom(0, 0.0002, 0.0005, 0.001),
  slippage: fc.constantFrom(0, 0.0001, 0.001),
  liquidation: fc.oneof(
    fc.constant<LiquidationModel>({ kind: 'binance' }),
    fc.double({ min: 0.5, max: 0.95, noNaN: true }).map((x): LiquidationModel => ({ kind: 'threshold', x })),
  ),
  liquidationFeeRate: fc.constantFrom(0, 0.0125, 0.02),
  targetSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  hold: fc.integer({ min: 1, max: 6 }),
});

function specFor(symbols: string[], mode: MarginMode, s: Settings): RunSpec {
  return {
    marginMode: mode,
    strategy: 'signals',
    params: {},
    symbols,
    leverage: s.leverage,
    balance: s.balance,
    sizing: s.sizing,
    feeRate: s.feeRate,
    slippage: s.slippage,
    liquidation: s.liquidation,
    liquidationFeeRate: s.liquidationFeeRate,
    brackets: symbols.map((sym) => bracketTableFor(sym)),
    records: true,
  };
}


/** Every difference between two results, as readable lines (empty when they agree). */
function differences(k: BacktestResult, r: BacktestResult): string[] {
  const out = metricDifferences(k.metrics, r.metrics);
  const num = (where: string, a: unknown, b: unknown) => {
    if (!Object.is(a, b)) out.push(`${where}: kernel ${a}, reference ${b}`);
  };
  num('trades.length', k.trades!.length, r.trades!.length);
  r.trades!.forEach((tr, i) => {
    const tk = k.trades![i];
    if (!tk) return;
    for (const f of Object.keys(tr) as (keyof typeof tr)[]) num(`trades[${i}].${f}`, tk[f], tr[f]);
  });
  num('liquidations.length', k.liquidations!.length, r.liquidations!.length);
  r.liquidations!.forEach((lr, i) => {
    const lk = k.liquidations![i];
    if (!lk) return;
    for (const f of Object.keys(lr) as (keyof typeof lr)[]) num(`liquidations[${i}].${f}`, lk[f], lr[f]);
  });
  const ek = k.equity!;
  const er = r.equity!;
  for (let t = 0; t < er.equity.length; t++) {
    num(`equity[${t}]`, ek.equity[t], er.equity[t]);
    num(`marginRatio[${t}]`, ek.marginRatio[t], er.marginRatio[t]);
    num(`time[${t}]`, ek.time[t], er.time[t]);
  }
  return out.slice(0, 12);
}

describe('kernel vs reference', () => {
  it('agree on random markets in both margin modes (metrics, trades, liquidations, equity)', () => {
    let cases = 0;
    let withLiquidation = 0;
    let withCrossGroup = 0;
    let withRejected = 0;
    let ruinedRuns = 0;
    const seen = { open: 0, intrabar: 0, proxy: 0, mark: 0, end: 0, funding: 0 };
    fc.assert(
      fc.property(shapeArb, settingsArb, (shape, settings) => {
        const candles = market(shape);
        const targets = shape.symbols.map((_, i) => targetSeries(settings.targetSeed + i, shape.nBars, settings.hold));
        const session = new KernelSession(candles);
        for (const mode of ['isolated', 'cross'] as const) {
          const spec = specFor(shape.symbols, mode, settings);
          const ref = runReference(spec, candles, targets);
          const ker = session.run(spec, targets);
          const diff = differences(ker, ref);
          if (diff.length > 0) throw new Error(`${mode}:\n${diff.join('\n')}`);
          cases++;
          if (ref.metrics.liquidations > 0) withLiquidation++;
          if (new Set(ref.liquidations!.map((l) => l.group)).size < ref.liquidations!.length) withCrossGroup++;
          if (ref.metrics.rejectedOrders > 0) withRejected++;
          if (ref.metrics.ruined) ruinedRuns++;
          for (const l of ref.liquidations!) {
            seen[l.where]++;
            seen[l.proxy ? 'proxy' : 'mark']++;
          }
          if (ref.trades!.some((tr) => tr.reason === 'end')) seen.end++;
          if (ref.metrics.funding !== 0) seen.funding++;
        }
      }),
      { numRuns: 3_000 },
    );
    console.log(
      `kernel vs reference: ${cases} runs, ${((100 * withLiquidation) / cases).toFixed(1)}% with a liquidation, ` +
        `${withCrossGroup} with a multi-position cross liquidation, ${withRejected} with rejected orders, ` +
        `${ruinedRuns} ruined; coverage ${JSON.stringify(seen)}`,
    );
    for (const count of Object.values(seen)) expect(count).toBeGreaterThan(0);
    expect(withLiquidation / cases).toBeGreaterThan(0.2);
    expect(withCrossGroup).toBeGreaterThan(0);
    expect(withRejected).toBeGreaterThan(0);
  });

  // One symbol over more bars than a metrics block, targets held for long stretches: the kernel's
  // quiet-bar path (assembly/engine/quiet.ts) runs most bars, across block ends, funding events
  // and liquidations.
  it('agree on long one-symbol runs, where most bars are quiet', () => {
    const longShape = fc
      .tuple(shapeArb, fc.integer({ min: 257, max: 2_000 }), fc.constantFrom(...SYMBOLS))
      .map(([shape, nBars, symbol]) => ({ ...shape, nBars, symbols: [symbol] }));
    const longHold = fc.tuple(settingsArb, fc.integer({ min: 20, max: 400 })).map(([s, hold]) => ({ ...s, hold }));
    let cases = 0;
    let liquidated = 0;
    let funded = 0;
    fc.assert(
      fc.property(longShape, longHold, fc.boolean(), (shape, settings, records) => {
        const candles = market(shape);
        const targets = [targetSeries(settings.targetSeed, shape.nBars, settings.hold)];
        const session = new KernelSession(candles);
        for (const mode of ['isolated', 'cross'] as const) {
          const spec = { ...specFor(shape.symbols, mode, settings), records };
          const ref = runReference(spec, candles, targets);
          const ker = session.run(spec, targets);
          const diff = records ? differences(ker, ref) : metricDifferences(ker.metrics, ref.metrics);
          if (diff.length > 0) throw new Error(`${mode}:\n${diff.join('\n')}`);
          cases++;
          if (ref.metrics.liquidations > 0) liquidated++;
          if (ref.metrics.funding !== 0) funded++;
        }
      }),
      { numRuns: 400 },
    );
    expect(liquidated / cases).toBeGreaterThan(0.05);
    expect(funded / cases).toBeGreaterThan(0.2);
  });

  // Sweep sessions keep the dataset's table of return moments (assembly/engine/fill.ts), and their
  // metrics-only isolated runs add whole blocks of returns from it (assembly/engine/quiet-moments.ts).
  it("agree within SPEC's 1e-9 on volatility, sharpe and sortino, and bit for bit on the rest, when returns are summed by blocks", () => {
    // half of the cases like a sweep's runs (a calm market, low leverage, a fraction of equity,
    // long holds), where the series converge fast enough for the table; the rest anything
    const longShape = fc
      .tuple(shapeArb, fc.integer({ min: 257, max: 3_000 }), fc.constantFrom(...SYMBOLS), fc.double({ min: 0.0002, max: 0.003, noNaN: true }))
      .map(([shape, nBars, symbol, calmVol]) => ({ shape: { ...shape, nBars, symbols: [symbol] }, calmVol }));
    const longHold = fc.tuple(
      settingsArb,
      fc.integer({ min: 20, max: 600 }),
      fc.double({ min: 4, max: 10, noNaN: true }),
      fc.double({ min: 0.05, max: 0.3, noNaN: true }),
    );
    let cases = 0;
    let summed = 0;
    fc.assert(
      fc.property(longShape, longHold, fc.boolean(), ({ shape: anyShape, calmVol }, [anySettings, hold, leverage, fraction], sweepLike) => {
        const shape = sweepLike ? { ...anyShape, vol: calmVol, gapChance: 0, crashChance: 0 } : anyShape;
        const settings = sweepLike
          ? { ...anySettings, leverage, sizing: { kind: 'fraction' as const, fraction }, hold: 100 + hold }
          : { ...anySettings, hold };
        const candles = market(shape);
        const targets = [targetSeries(settings.targetSeed, shape.nBars, settings.hold)];
        const spec = { ...specFor(shape.symbols, 'isolated', settings), records: false };
        const ref = runReference(spec, candles, targets);
        const ker = new KernelSession(candles, { moments: true }).run(spec, targets);
        const diff = metricDifferences(ker.metrics, ref.metrics, true);
        if (diff.length > 0) throw new Error(diff.join('\n'));
        cases++;
        // (the block sums ran: their last digits differ from the bar-by-bar ones)
        if (!Object.is(ker.metrics.volatility, ref.metrics.volatility)) summed++;
      }),
      { numRuns: 300 },
    );
    expect(summed / cases).toBeGreaterThan(0.08);
  });

  // A position whose notional sits on BTC's 50,000 floor: its bracket changes again and again
  // inside quiet stretches (the kernel skips whole blocks of closes that keep it in one bracket).
  it('agree when the notional keeps crossing a bracket floor while held', () => {
    const candles = synthesize({ symbols: ['BTCUSDT'], bars: 6_000, interval: '1m', seed: 21 });
    const close = candles.symbols[0]!.close;
    const targets = [new Float64Array(close.length).map((_, t) => (t < 3_000 ? 1 : -1))];
    const settings: Settings = {
      leverage: 10,
      balance: 1_000_000,
      sizing: { kind: 'fixed', amount: 5_000 },
      feeRate: 0.0005,
      slippage: 0,
      liquidation: { kind: 'binance' },
      liquidationFeeRate: 0.0125,
      targetSeed: 0,
      hold: 1,
    };
    const session = new KernelSession(candles);
    const summing = new KernelSession(candles, { moments: true });
    const markClose = candles.symbols[0]!.mark!.close;
    let crossings = 0;
    for (const mode of ['isolated', 'cross'] as const) {
      const spec = specFor(['BTCUSDT'], mode, settings);
      const ref = runReference(spec, candles, targets);
      const diff = differences(session.run(spec, targets), ref);
      if (diff.length > 0) throw new Error(`${mode}:\n${diff.join('\n')}`);
      // metrics only: an isolated stretch then keeps its closes inside the bracket itself, and a
      // sweep session also sums whole blocks of returns from its table
      const metricsOnly = { ...spec, records: false };
      expect(metricDifferences(session.run(metricsOnly, targets).metrics, ref.metrics), mode).toEqual([]);
      expect(metricDifferences(summing.run(metricsOnly, targets).metrics, ref.metrics, true), mode).toEqual([]);
      // bars where the held notional moves across the 50,000 floor
      for (const trade of ref.trades!) {
        const from = candles.time.indexOf(trade.entryTime);
        const to = candles.time.indexOf(trade.exitTime);
        for (let t = from + 1; t < to; t++) {
          if (trade.qty * markClose[t]! >= 50_000 !== trade.qty * markClose[t - 1]! >= 50_000) crossings++;
        }
      }
    }
    expect(crossings).toBeGreaterThan(20);
  });

  it('give the same metrics without records, and runKernel matches a session', () => {
    fc.assert(
      fc.property(shapeArb, settingsArb, fc.constantFrom<MarginMode>('isolated', 'cross'), (shape, settings, mode) => {
        const candles = market(shape);
        const targets = shape.symbols.map((_, i) => targetSeries(settings.targetSeed + i, shape.nBars, settings.hold));
        const spec = { ...specFor(shape.symbols, mode, settings), records: false };
        const ref = runReference(spec, candles, targets);
        const ker = runKernel(spec, candles, targets);
        expect(ker.trades).toBeUndefined();
        const diff = metricDifferences(ker.metrics, ref.metrics);
        if (diff.length > 0) throw new Error(`${mode}:\n${diff.join('\n')}`);
      }),
      { numRuns: 500 },
    );
  });
});
