// Hand-computed weight columns of the single-symbol strategies (SPEC §4). Each case runs the
// TypeScript reference and the kernel and expects both to give exactly the column written here.
import { describe, expect, it } from 'vitest';
import { computeTargets, gt, lt, wilderRsi, type StrategyName } from '../../src/strategies/index.js';
import { kernelSingle, sameBits } from './kernel.js';

const f64 = (xs: number[]) => Float64Array.from(xs);

function weights(
  name: Exclude<StrategyName, 'pair' | 'signals'>,
  params: Record<string, number>,
  closes: number[],
  highs = closes,
  lows = closes,
): number[] {
  const [close, high, low] = [f64(closes), f64(highs), f64(lows)];
  const [ts] = computeTargets(name, params, [close], [high], [low]);
  const kernel = kernelSingle(name, params, close, high, low);
  expect(sameBits(kernel, ts), `kernel ${Array.from(kernel)} vs reference ${Array.from(ts)}`).toBe(true);
  return Array.from(ts);
}

describe('the ε comparison', () => {
  it('treats differences within 1e-10 relative as equal', () => {
    expect(gt(1 + 1e-12, 1)).toBe(false);
    expect(gt(1 + 1e-9, 1)).toBe(true);
    expect(lt(1, 1 + 1e-9)).toBe(true);
    expect(gt(0, 0)).toBe(false);
    expect(gt(1e-300, 0)).toBe(true);
    expect(gt(-1, -1 - 1e-12)).toBe(false);
    expect(gt(-1, -1.001)).toBe(true);
  });
});

describe('buy-hold', () => {
  it('is long from the first decision', () => {
    expect(weights('buy-hold', {}, [5, 4, 3])).toEqual([1, 1, 1]);
  });
});

describe('sma-cross', () => {
  it('follows the fast/slow order, keeps the weight on a tie, 0 before slow closes exist', () => {
    // t=2: 2.5 > 2 → +1; t=3: 2.5 > 7/3; t=4: 1.5 < 2 → −1; t=5: 2 = 2 → unchanged;
    // t=6: 3.5 > 8/3 → +1; t=7: 2.5 < 8/3 → −1.
    expect(weights('sma-cross', { fast: 2, slow: 3 }, [1, 2, 3, 2, 1, 3, 4, 1])).toEqual([0, 0, 1, 1, -1, -1, 1, -1]);
  });

  it('stays flat on flat prices although the rolling sums drift', () => {
    const closes = new Array(200).fill(0.1);
    // Without the ε rule, 0.1-sums of different lengths compare unequal on some bars.
    expect(weights('sma-cross', { fast: 3, slow: 7 }, closes)).toEqual(new Array(200).fill(0));
  });

  it('uses the defaults 10/50', () => {
    const closes = Array.from({ length: 60 }, (_, t) => 100 + t);
    const w = weights('sma-cross', {}, closes);
    expect(w.slice(0, 49)).toEqual(new Array(49).fill(0));
    expect(w.slice(49)).toEqual(new Array(11).fill(1));
  });
});

describe('ema-cross', () => {
  it('seeds with the first close and waits slow − 1 bars', () => {
    // α 2/3 and 1/2: t=1 11.33 vs 11 (warm-up); t=2 11.11 vs 11 → +1; t=3 9.70 vs 10 → −1;
    // t=4 9.90 vs 10 → −1.
    expect(weights('ema-cross', { fast: 2, slow: 3 }, [10, 12, 11, 9, 10])).toEqual([0, 0, 1, -1, -1]);
  });

  it('stays flat while the EMAs are equal', () => {
    expect(weights('ema-cross', { fast: 2, slow: 3 }, [7, 7, 7, 7])).toEqual([0, 0, 0, 0]);
  });
});

// StockCharts' RSI example (ChartSchool, "Relative Strength Index"), period 14.
const RSI_CLOSES = [
  44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931, 46.0328,
  45.614, 46.282, 46.282, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521, 45.7137, 46.4515, 45.7835,
  45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314,
];
const RSI_PUBLISHED = [
  70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46, 41.87, 45.46,
  37.3, 33.08, 37.77,
];

describe('rsi', () => {
  it("matches the published Wilder RSI values", () => {
    const r = wilderRsi(f64(RSI_CLOSES), 14);
    expect(Array.from(r.slice(0, 14)).every(Number.isNaN)).toBe(true);
    Array.from(r.slice(14)).forEach((v, i) => expect(v).toBeCloseTo(RSI_PUBLISHED[i], 2));
  });

  it('is 100 with only gains and 50 with no change', () => {
    expect(Array.from(wilderRsi(f64([1, 2, 3, 4]), 2))).toEqual([NaN, NaN, 100, 100]);
    expect(Array.from(wilderRsi(f64([3, 3, 3]), 2))).toEqual([NaN, NaN, 50]);
    expect(Array.from(wilderRsi(f64([3, 2, 1]), 2))).toEqual([NaN, NaN, 0]);
  });

  it('enters on the bands, exits at 50, and never flips in one bar', () => {
    // 70.53 > 70 → short; held while RSI > 50 (50.42 at t=25); 39.99 at t=26 exits to 0 only,
    // although it is below lower; 37.30 at t=30 < 40 → long.
    const expected = [...new Array(14).fill(0), ...new Array(12).fill(-1), 0, 0, 0, 0, 1, 1, 1];
    expect(weights('rsi', { period: 14, lower: 40, upper: 70 }, RSI_CLOSES)).toEqual(expected);
  });

  it('exits a long when RSI is exactly 50', () => {
    // period 2: t=2 avg gain 0, loss 1 → RSI 0 → long; t=3 (0·1+1)/2 = 0.5 and (1·1+0)/2 = 0.5 → RSI 50 → exit.
    expect(weights('rsi', { period: 2, lower: 30, upper: 70 }, [10, 9, 8, 9])).toEqual([0, 0, 1, 0]);
  });
});

describe('donchian', () => {
  //            t:  0   1    2     3    4    5    6     7
  const high = [10, 11, 12, 12, 11, 10, 12.5, 12.5];
  const low = [8, 9, 10, 10, 8.5, 8, 9, 10];
  it('breaks out of the channel of the period bars before t', () => {
    // t=2: 11.5 > max(10, 11) → +1; t=3: inside → +1; t=4: 9 < min(10, 10) → −1; t=5: inside;
    // t=6: 12.5 > 11 (the bar's own high, 12.5, is not in its channel) → +1; t=7: 12.5 = 12.5 → unchanged.
    const close = [9, 10, 11.5, 11, 9, 9, 12.5, 12.5];
    expect(weights('donchian', { period: 2 }, close, high, low)).toEqual([0, 0, 1, 1, -1, -1, 1, 1]);
  });

  it('treats a close within ε of the channel as inside it', () => {
    const close = [9, 10, 11 * (1 + 1e-12), 10 * (1 - 1e-12)];
    expect(weights('donchian', { period: 2 }, close, high.slice(0, 4), low.slice(0, 4))).toEqual([0, 0, 0, 0]);
  });
});

describe('bollinger', () => {
  it('enters outside the bands, exits at the mean, one transition per bar', () => {
    // k = 1, windows of 3: t=3 mid 9, std √2, lower 7.586 > 7 → +1; t=4 10 ≥ 9 → 0;
    // t=5 11 < upper 11.033 → 0; t=6 14 > upper 13.366 → −1; t=7 9 ≤ mid 11.33 → 0 (though
    // below the lower band 9.279); t=8 mid 10, std √(26/3), 7 < lower 7.056 → +1.
    expect(weights('bollinger', { period: 3, k: 1 }, [10, 10, 10, 7, 10, 11, 14, 9, 7])).toEqual([
      0, 0, 0, 1, 0, 0, -1, 0, 1,
    ]);
  });

  it('exits a long at a close exactly on the mean', () => {
    expect(weights('bollinger', { period: 3, k: 1 }, [10, 10, 7, 8.5])).toEqual([0, 0, 1, 0]);
  });

  it('does not trade a flat window', () => {
    expect(weights('bollinger', { period: 3, k: 2 }, [0.1, 0.1, 0.1, 0.1, 0.1])).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('computeTargets', () => {
  it('runs a single-symbol strategy on each symbol independently', () => {
    const up = f64([1, 2, 3, 4]);
    const down = f64([4, 3, 2, 1]);
    const cols = computeTargets('sma-cross', { fast: 1, slow: 2 }, [up, down], [up, down], [up, down]);
    expect(cols.map((c) => Array.from(c))).toEqual([
      [0, 1, 1, 1],
      [0, -1, -1, -1],
    ]);
  });
});
