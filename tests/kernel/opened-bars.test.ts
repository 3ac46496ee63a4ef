// Bars that open a quiet stretch (a fill or a funding event: quietBars runs their open's steps,
// assembly/engine/bar-open.ts) and are then not quiet themselves: a new position liquidated
// intrabar at its own fill bar, a fill at a funding bar, funding that liquidates a position at the
// open where the opposite order fills, and an order filled at the last bar.
import { describe, expect, it } from 'vitest';
import type { Candles } from '../../src/data/schema.js';
import { KernelSession } from '../../src/engine/kernel.js';
import { runReference } from '../../src/engine/reference.js';
import { buildRunSpec } from '../../src/engine/runspec.js';

describe('bars that open a stretch', () => {
  const n = 400;
  const bars: [number, number, number, number][] = [];
  const funding: number[] = [];
  let p = 50_000;
  for (let t = 0; t < n; t++) {
    const next = p * (1 + 0.001 * Math.sin(t / 7) + 0.0004 * Math.cos(t / 3));
    // a spike at the fill bar of the short opened at 121: liquidated there
    const high = t === 121 ? p * 1.15 : Math.max(p, next) * 1.001;
    bars.push([p, high, Math.min(p, next) * 0.999, next]);
    funding.push(t % 25 === 0 || t === 301 ? (t === 301 ? 0.05 : 0.0004) : NaN);
    p = next;
  }
  const targets = new Float64Array(n).fill(NaN);
  // long from 50; short at 121 (its fill bar spikes); long at 151; short at 200 (a funding bar);
  // long at 251, which pays 5% funding into 301 (liquidated at that open) where a short fills;
  // long at 321; short decided at 398, filled at the last bar
  for (const [t, w] of [[49, 1], [120, -1], [150, 1], [199, -1], [250, 1], [300, -1], [320, 1], [398, -1]] as const) targets[t] = w;
  const candles: Candles = {
    time: Float64Array.from({ length: n }, (_, i) => 1_735_689_600_000 + i * 60_000),
    interval: '1m',
    intervalMs: 60_000,
    symbols: [
      {
        symbol: 'BTCUSDT',
        open: Float64Array.from(bars, (b) => b[0]),
        high: Float64Array.from(bars, (b) => b[1]),
        low: Float64Array.from(bars, (b) => b[2]),
        close: Float64Array.from(bars, (b) => b[3]),
        volume: new Float64Array(n).fill(1),
        mark: null,
        fundingRate: Float64Array.from(funding),
      },
    ],
  };
  const minute = (time: number): number => Math.round((time - 1_735_689_600_000) / 60_000);

  it('give the reference results bit for bit, with and without records, both margin modes', () => {
    for (const marginMode of ['isolated', 'cross'] as const) {
      for (const records of [true, false]) {
        const spec = buildRunSpec({ strategy: 'signals', symbols: ['BTCUSDT'], leverage: 20, marginMode, records, sizing: { kind: 'fraction', fraction: 0.5 } });
        const ref = runReference(spec, candles, [targets]);
        expect(new KernelSession(candles).run(spec, [targets]), `${marginMode} records ${records}`).toEqual(ref);
        if (!records) continue;
        const liquidated = ref.liquidations!.map((l) => [minute(l.time), l.where]);
        expect(liquidated).toEqual(marginMode === 'isolated' ? [[121, 'intrabar'], [301, 'open']] : [[121, 'intrabar']]);
      }
    }
  });
});
