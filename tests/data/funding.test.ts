import { describe, expect, it } from 'vitest';
import { assignFunding } from '../../src/data/funding.js';
import { importFiles } from '../../src/data/import/index.js';
import { fixture, fixtureText, H, T0, tempDir, writeTemp } from './helpers.js';

const bars = (n: number, step = H): Float64Array => Float64Array.from({ length: n }, (_, i) => T0 + i * step);
const rates = (a: Float64Array): (number | null)[] => Array.from(a, (x) => (Number.isNaN(x) ? null : x));

describe('funding events onto bars (SPEC §3.1)', () => {
  it('settles an event stamped a few ms late at the bar it belongs to', () => {
    const a = assignFunding(bars(4), Float64Array.of(T0 + H + 15, T0 + 3 * H + 1), Float64Array.of(0.0001, -0.0002));
    expect(rates(a.rate)).toEqual([null, 0.0001, null, -0.0002]);
    expect(a.applied).toBe(2);
  });

  it('uses the 60 s bound: f − 60 s ≤ t settles at t, later goes to the next bar', () => {
    const time = bars(3);
    const at60 = assignFunding(time, Float64Array.of(T0 + H + 60_000), Float64Array.of(0.001));
    expect(rates(at60.rate)).toEqual([null, 0.001, null]);
    const past60 = assignFunding(time, Float64Array.of(T0 + H + 60_001), Float64Array.of(0.001));
    expect(rates(past60.rate)).toEqual([null, null, 0.001]);
  });

  it('settles an event inside a gap at the first bar after it, and sums events falling to one bar', () => {
    const time = Float64Array.of(T0, T0 + H, T0 + 10 * H, T0 + 11 * H);
    const a = assignFunding(time, Float64Array.of(T0 + 2 * H, T0 + 8 * H + 3, T0 + 11 * H + 7), Float64Array.of(0.0001, 0.0003, 0.0005));
    expect(rates(a.rate)).toEqual([null, null, 0.0001 + 0.0003, 0.0005]);
    expect(a.applied).toBe(3);
  });

  it('skips events before the first bar and after the last, and counts them', () => {
    const time = bars(3);
    const a = assignFunding(
      time,
      Float64Array.of(T0 - 8 * H, T0 - 1, T0, T0 + 2 * H + 60_000, T0 + 2 * H + 60_001, T0 + 10 * H),
      Float64Array.of(1, 2, 3, 4, 5, 6),
    );
    expect(rates(a.rate)).toEqual([3, null, 4]);
    expect([a.applied, a.skippedBefore, a.skippedAfter]).toEqual([2, 2, 2]);
  });
});

describe('funding files', () => {
  it('merges a Binance funding CSV (fundingTime, …, fundingRate) into the candles', () => {
    const gg = 'gg-cmk-binance-quant';
    const { candles, summary } = importFiles([fixture(gg, 'BTCUSDT-1h-futures.csv'), fixture(gg, 'BTCUSDT-funding.csv')]);
    const f = candles.symbols[0]!.fundingRate!;
    expect(summary.symbols[0]!.funding).toEqual({ applied: 93, skippedOutsideRange: 0 });
    // 2025-01-01 00:00:00.015 → bar 0; 2025-01-07 16:00:00.008 (0.00008279) → bar 160
    expect(f[0]).toBe(0.0001);
    expect(f[160]).toBe(0.00008279);
    expect(candles.time[160]).toBe(Date.UTC(2025, 0, 7, 16));
    // 2025-01-31 16:00 is the last event, bar 736
    expect(f[736]).toBe(0.0001);
    let events = 0;
    f.forEach((x, i) => {
      if (!Number.isNaN(x)) {
        events++;
        expect(candles.time[i]! % (8 * H)).toBe(0);
      }
    });
    expect(events).toBe(93);
  });

  it("reads the archive's own header (calc_time, funding_interval_hours, last_funding_rate)", () => {
    const dir = tempDir();
    const body = fixtureText('gg-cmk-binance-quant', 'BTCUSDT-funding.csv').split('\n').slice(1).join('\n');
    const funding = writeTemp(dir, 'BTCUSDT-fundingRate-2025-01.csv', 'calc_time,funding_interval_hours,last_funding_rate\n' + body);
    const { candles } = importFiles([fixture('gg-cmk-binance-quant', 'BTCUSDT-1h-futures.csv'), funding]);
    expect(candles.symbols[0]!.fundingRate![160]).toBe(0.00008279);
  });

  it('skips and counts events outside the candles (funding_time, …, funding_rate layout)', () => {
    const { candles, summary } = importFiles([fixture('binance-futures', 'BTCUSDT-1h.csv'), fixture('binance-futures', 'BTCUSDT-funding.csv')]);
    // candles 2026-04-06 23:00 … 04-19 10:00; events 04-05 00:00 … 04-20 16:00, 48 in all:
    // 6 before the first bar, 4 after the last
    expect(summary.symbols[0]!.funding).toEqual({ applied: 38, skippedOutsideRange: 10 });
    const f = candles.symbols[0]!.fundingRate!;
    expect(candles.time[1]).toBe(Date.UTC(2026, 3, 7, 0));
    expect(f[1]).toBe(-0.00000315); // 1775520000000,8,-0.00000315
    expect(Number.isNaN(f[0]!)).toBe(true);
  });

  it('merges a freqtrade funding feather with ms jitter in its ns timestamps', () => {
    const ft = (name: string): string => fixture('freqtrade', name);
    const { candles, summary } = importFiles(
      [ft('XRP_USDT_USDT-1h-futures.feather'), ft('XRP_USDT_USDT-8h-funding_rate.feather')],
      {},
    );
    // candles 2021-11-17 01:00 … 11-21 04:00; events 11-18 00:00:00.017 … 12-18 every 8 h
    // → 11-18 00/08/16, 11-19 …, 11-20 …, 11-21 00: 10 inside
    expect(summary.symbols[0]!.funding).toEqual({ applied: 10, skippedOutsideRange: 81 });
    const i = (Date.UTC(2021, 10, 18) - candles.time[0]!) / H;
    expect(i).toBe(23);
    expect(candles.symbols[0]!.fundingRate![i]).toBe(0.0001);
  });
});
