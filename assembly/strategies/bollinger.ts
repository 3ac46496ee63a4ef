// bollinger (SPEC §4, two-pass population std); twin of src/strategies/bollinger.ts.
import { at, gt, lt, put } from "./compare";

export function bollinger(period: i32, k: f64, nBars: i32, closePtr: usize, outPtr: usize): void {
  const n = <f64>period;
  let w: f64 = 0;
  for (let t = 0; t < nBars; t++) {
    if (t >= period - 1) {
      const start = t - period + 1;
      let sum: f64 = 0;
      for (let i = start; i <= t; i++) sum += at(closePtr, i);
      const mid = sum / n;
      let squares: f64 = 0;
      for (let i = start; i <= t; i++) {
        const d = at(closePtr, i) - mid;
        squares += d * d;
      }
      const band = k * Math.sqrt(squares / n);
      const c = at(closePtr, t);
      if (w == 0) {
        if (lt(c, mid - band)) w = 1;
        else if (gt(c, mid + band)) w = -1;
      } else if (w == 1) {
        if (!lt(c, mid)) w = 0;
      } else if (!gt(c, mid)) {
        w = 0;
      }
    }
    put(outPtr, t, w);
  }
}
