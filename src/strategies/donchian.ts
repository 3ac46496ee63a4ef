// donchian (SPEC §4): breakout. +1 when the close is above the highest high of the `period`
// bars before t, −1 when below their lowest low, unchanged otherwise; 0 until `period` bars
// precede t.
import { gt, lt } from './compare.js';

export function donchian(
  close: Float64Array,
  high: Float64Array,
  low: Float64Array,
  period: number,
  out = new Float64Array(close.length),
): Float64Array {
  let w = 0;
  for (let t = 0; t < close.length; t++) {
    if (t >= period) {
      let highest = high[t - period];
      let lowest = low[t - period];
      for (let i = t - period + 1; i < t; i++) {
        if (high[i] > highest) highest = high[i];
        if (low[i] < lowest) lowest = low[i];
      }
      if (gt(close[t], highest)) w = 1;
      else if (lt(close[t], lowest)) w = -1;
    }
    out[t] = w;
  }
  return out;
}
