// ema-cross (SPEC §4): EMAs seeded with the first close, updated as ema += α (close − ema),
// α = 2 / (n + 1); the sma-cross rule on them; 0 for the first `slow − 1` bars.
import { gt } from './compare.js';

export function emaCross(
  close: Float64Array,
  fast: number,
  slow: number,
  out = new Float64Array(close.length),
): Float64Array {
  const alphaFast = 2 / (fast + 1);
  const alphaSlow = 2 / (slow + 1);
  let emaFast = 0;
  let emaSlow = 0;
  let w = 0;
  for (let t = 0; t < close.length; t++) {
    if (t === 0) {
      emaFast = close[0];
      emaSlow = close[0];
    } else {
      emaFast += alphaFast * (close[t] - emaFast);
      emaSlow += alphaSlow * (close[t] - emaSlow);
    }
    if (t >= slow - 1) {
      if (gt(emaFast, emaSlow)) w = 1;
      else if (gt(emaSlow, emaFast)) w = -1;
    }
    out[t] = w;
  }
  return out;
}
