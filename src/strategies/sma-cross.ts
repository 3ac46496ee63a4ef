// sma-cross (SPEC §4): +1 when the fast SMA is above the slow one, −1 when below, unchanged
// when equal (under the ε rule); 0 while fewer than `slow` closes exist.
import { gt } from './compare.js';

export function smaCross(
  close: Float64Array,
  fast: number,
  slow: number,
  out = new Float64Array(close.length),
): Float64Array {
  // Rolling sums: the ε rule absorbs their rounding drift. The kernel adds and subtracts in
  // exactly this order, so both produce the same bits.
  let sumFast = 0;
  let sumSlow = 0;
  let w = 0;
  for (let t = 0; t < close.length; t++) {
    sumFast += close[t];
    if (t >= fast) sumFast -= close[t - fast];
    sumSlow += close[t];
    if (t >= slow) sumSlow -= close[t - slow];
    if (t >= slow - 1) {
      const smaFast = sumFast / fast;
      const smaSlow = sumSlow / slow;
      if (gt(smaFast, smaSlow)) w = 1;
      else if (gt(smaSlow, smaFast)) w = -1;
    }
    out[t] = w;
  }
  return out;
}
