// Metrics-only isolated runs of sweep sessions add whole blocks of returns from the dataset's table
// of moments (src/engine/moments.ts, assembly/engine/quiet-moments.ts). On an ordinary 1m market
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
