// rsi (SPEC §4, Wilder); twin of src/strategies/rsi.ts.
import { at, gt, lt, put } from "./compare";

// @ts-ignore: decorator
@inline function rsiValue(avgGain: f64, avgLoss: f64): f64 {
  if (avgLoss == 0) return avgGain == 0 ? 50 : 100;
  return 100.0 - 100.0 / (1.0 + avgGain / avgLoss);
}

export function rsi(period: i32, lower: f64, upper: f64, nBars: i32, closePtr: usize, outPtr: usize): void {
  const n = <f64>period;
  const n1 = <f64>(period - 1);
  let avgGain: f64 = 0;
  let avgLoss: f64 = 0;
  let w: f64 = 0;
  for (let t = 0; t < nBars; t++) {
    if (t > 0) {
      const change = at(closePtr, t) - at(closePtr, t - 1);
      const gain: f64 = change > 0 ? change : 0;
      const loss: f64 = change < 0 ? -change : 0;
      if (t <= period) {
        avgGain += gain;
        avgLoss += loss;
        if (t == period) {
          avgGain /= n;
          avgLoss /= n;
        }
      } else {
        avgGain = (avgGain * n1 + gain) / n;
        avgLoss = (avgLoss * n1 + loss) / n;
      }
    }
    if (t >= period) {
      const r = rsiValue(avgGain, avgLoss);
      if (w == 0) {
        if (lt(r, lower)) w = 1;
        else if (gt(r, upper)) w = -1;
      } else if (w == 1) {
        if (!lt(r, 50)) w = 0;
      } else if (!gt(r, 50)) {
        w = 0;
      }
    }
    put(outPtr, t, w);
  }
}
