// Metrics-only isolated runs of sweep sessions add whole blocks of returns from the dataset's table
// of moments (assembly/engine/fill.ts, assembly/engine/quiet-moments.ts). On an ordinary 1m market
// the sums agree with the bar-by-bar ones to ~1e-13, and nothing else changes by a bit.
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../src/data/synth.js';
import { KernelSession } from '../../src/engine/kernel.js';
import { buildRunSpec } from '../../src/engine/runspec.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import { smaCross } from '../../src/strategies/sma-cross.js';
import { SUMMED_METRICS } from '../helpers/metrics.js';

describe('return sums by blocks', () => {
  const candles = synthesize({ symbols: ['BTCUSDT'], bars: 40_000, interval: '1m', seed: 5 });
  const close = candles.symbols[0]!.close;
  const bySums = new KernelSession(candles, { moments: true });
  const byBars = new KernelSession(candles, { moments: false });

  it('agree with the bar-by-bar sums to 1e-11 on an ordinary market, and bit for bit elsewhere', () => {
    let differing = 0;
    for (const [fast, slow] of [[5, 120], [20, 300], [60, 500], [2, 400]] as const) {
      for (const leverage of [3, 10, 25]) {
        const spec = buildRunSpec({
          strategy: 'sma-cross',
          params: { fast, slow },
          symbols: ['BTCUSDT'],
          leverage,
          marginMode: 'isolated',
          sizing: { kind: 'fraction', fraction: 0.1 },
          records: false,
        });
        const targets = [smaCross(close, fast, slow)];
        const a = bySums.run(spec, targets).metrics;
        const b = byBars.run(spec, targets).metrics;
        for (const name of METRIC_NAMES) {
          const x = a[name];
          const y = b[name];
          if (SUMMED_METRICS.has(name) && typeof x === 'number' && typeof y === 'number') {
            expect(Math.abs(x - y), `${fast}/${slow} ×${leverage} ${name}`).toBeLessThanOrEqual(1e-11 * Math.abs(y));
            if (x !== y) differing++;
          } else {
            expect(Object.is(x, y), `${fast}/${slow} ×${leverage} ${name}: ${x} vs ${y}`).toBe(true);
          }
        }
      }
    }
    // (the block sums did run)
    expect(differing).toBeGreaterThan(10);
  });

  it("take a stretch's first block from the table when the stretch starts on a block boundary", () => {
    // One long held throughout: its stretches break only at funding bars, every 480 bars from
    // midnight, so half of them start on a 64-bar boundary, where the first bar's term is swapped
    // for its exact return (the equity before it predates the funding).
    const funding = candles.symbols[0]!.fundingRate!;
    const aligned = [...funding.keys()].filter((t) => !Number.isNaN(funding[t]!) && t > 0 && t % 64 === 0);
    expect(aligned.length).toBeGreaterThan(20);
    const targets = new Float64Array(close.length).fill(NaN);
    targets[0] = 1;
    let differing = 0;
    for (const leverage of [2, 10]) {
      const spec = buildRunSpec({ strategy: 'function', symbols: ['BTCUSDT'], leverage, marginMode: 'isolated', records: false });
      const a = bySums.run(spec, [targets]).metrics;
      const b = byBars.run(spec, [targets]).metrics;
      for (const name of METRIC_NAMES) {
        const x = a[name];
        const y = b[name];
        if (SUMMED_METRICS.has(name) && typeof x === 'number' && typeof y === 'number') {
          expect(Math.abs(x - y), `×${leverage} ${name}`).toBeLessThanOrEqual(1e-11 * Math.abs(y));
          if (x !== y) differing++;
        } else {
          expect(Object.is(x, y), `×${leverage} ${name}: ${x} vs ${y}`).toBe(true);
        }
      }
    }
    expect(differing).toBeGreaterThan(0);
  });

  it('give the same results with records, where every bar goes one by one', () => {
    const spec = buildRunSpec({ strategy: 'sma-cross', params: { fast: 10, slow: 200 }, symbols: ['BTCUSDT'], leverage: 10, marginMode: 'isolated', records: true });
    const targets = [smaCross(close, 10, 200)];
    expect(bySums.run(spec, targets)).toEqual(byBars.run(spec, targets));
  });
});

describe('the derived columns (assembly/engine/fill.ts)', () => {
  // a session's private layout, read as the engine reads it
  type Layout = { view: Float64Array; columns: Record<string, number>[] };

  it('list the funding bars and rates, the block extremes and the moments as computed from the candles', () => {
    for (const bars of [10_000, 129, 64, 1]) {
      const candles = synthesize({ symbols: ['BTCUSDT'], bars, interval: '1m', seed: 9 });
      const s = candles.symbols[0]!;
      const mp = s.mark!;
      const { view: v, columns } = new KernelSession(candles, { moments: true }) as unknown as Layout;
      const c = columns[0]!;
      const funding = s.fundingRate!;
      const events = [...funding.keys()].filter((t) => !Number.isNaN(funding[t]!));
      const list = new Int32Array(v.buffer, c.fundingBars! * 8, events.length + 1);
      expect(Array.from(list)).toEqual([...events, bars]);
      expect(Array.from(v.subarray(c.fundingRates!, c.fundingRates! + events.length + 1))).toEqual([...events.map((t) => funding[t]!), NaN]);
      const blocks = Math.ceil(bars / 64);
      for (let b = 0; b < blocks; b++) {
        const ts = [...Array(Math.min(bars, 64 * b + 64) - 64 * b).keys()].map((i) => 64 * b + i);
        expect(v[c.blockLow! + b]).toBe(Math.min(...ts.map((t) => Math.min(mp.open[t]!, mp.low[t]!))));
        expect(v[c.blockHigh! + b]).toBe(Math.max(...ts.map((t) => Math.max(mp.open[t]!, mp.high[t]!))));
        expect(v[c.blockCloseLow! + b]).toBe(Math.min(...ts.map((t) => mp.close[t]!)));
        expect(v[c.blockCloseHigh! + b]).toBe(Math.max(...ts.map((t) => mp.close[t]!)));
        // the moments: center and reach of the previous closes, last close, and the sums of Δ·xⁿ
        const row = v.subarray(c.moments! + b * 27, c.moments! + (b + 1) * 27);
        const withPrev = ts.filter((t) => t > 0);
        const prev = withPrev.map((t) => mp.close[t - 1]!);
        const center = prev.length ? (Math.min(...prev) + Math.max(...prev)) / 2 : mp.close[0]!;
        expect(row[0]).toBe(center);
        expect(row[1]).toBe(prev.length ? Math.max(Math.max(...prev) - center, center - Math.min(...prev)) : 0);
        expect(row[2]).toBe(mp.close[ts[ts.length - 1]!]);
        const sums = new Float64Array(24);
        for (const t of withPrev) {
          const d = mp.close[t]! - mp.close[t - 1]!;
          const x = mp.close[t - 1]! - center;
          for (let n = 0, p = 1; n < 8; n++, p *= x) {
            sums[n]! += d * p;
            if (d !== 0) sums[8 + 2 * n + (d < 0 ? 0 : 1)]! += (n + 1) * (d * d) * p;
          }
        }
        expect(Array.from(row.subarray(3))).toEqual(Array.from(sums));
      }
    }
  });
});
