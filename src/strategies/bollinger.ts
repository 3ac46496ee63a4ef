// bollinger (SPEC §4): mean reversion on mid ± k × population std of the last `period` closes.
// Flat → +1 below the lower band, → −1 above the upper band; a long exits once close ≥ mid,
// a short once close ≤ mid. One transition per bar; 0 while fewer than `period` closes exist.
import { gt, lt } from './compare.js';

export function bollinger(
  close: Float64Array,
  period: number,
  k: number,
  out = new Float64Array(close.length),
): Float64Array {
  let w = 0;
  for (let t = 0; t < close.length; t++) {
    if (t >= period - 1) {
      // Two passes over the window (mean, then squared deviations), as SPEC §4 prescribes:
      // a one-pass Σx² − n·mean² loses the small variance of high prices to cancellation.
      const start = t - period + 1;
      let sum = 0;
      for (let i = start; i <= t; i++) sum += close[i];
      const mid = sum / period;
      let squares = 0;
      for (let i = start; i <= t; i++) {
        const d = close[i] - mid;
        squares += d * d;
      }
      const band = k * Math.sqrt(squares / period);
      const c = close[t];
      if (w === 0) {
        if (lt(c, mid - band)) w = 1;
        else if (gt(c, mid + band)) w = -1;
      } else if (w === 1) {
        if (!lt(c, mid)) w = 0;
      } else if (!gt(c, mid)) {
        w = 0;
      }
    }
    out[t] = w;
  }
  return out;
}
