// sma-cross (SPEC §4); twin of src/strategies/sma-cross.ts (same sums in the same order).
import { at, gt, put } from "./compare";

export function smaCross(fast: i32, slow: i32, nBars: i32, closePtr: usize, outPtr: usize): void {
  let sumFast: f64 = 0;
  let sumSlow: f64 = 0;
  let w: f64 = 0;
  const nFast = <f64>fast;
  const nSlow = <f64>slow;
  for (let t = 0; t < nBars; t++) {
    const c = at(closePtr, t);
    sumFast += c;
    if (t >= fast) sumFast -= at(closePtr, t - fast);
    sumSlow += c;
    if (t >= slow) sumSlow -= at(closePtr, t - slow);
    if (t >= slow - 1) {
      const smaFast = sumFast / nFast;
      const smaSlow = sumSlow / nSlow;
      if (gt(smaFast, smaSlow)) w = 1;
      else if (gt(smaSlow, smaFast)) w = -1;
    }
    put(outPtr, t, w);
  }
}
