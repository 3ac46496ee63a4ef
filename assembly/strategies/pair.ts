// pair (SPEC §4); twin of pairFromSpread in src/strategies/pair.ts. The host passes the log
// spread ln(A) − ln(B) (logSpread): AssemblyScript's Math.log differs from V8's in the last bit
// on some inputs, and a shared spread keeps both sides bit for bit equal.
import { at, gt, lt, put } from "./compare";

// @ts-ignore: decorator
@inline const MIN_STD: f64 = 1e-12;

export function pair(lookback: i32, entry: f64, exit: f64, nBars: i32, spreadPtr: usize, outAPtr: usize, outBPtr: usize): void {
  const n = <f64>lookback;
  let wA: f64 = 0;
  let wB: f64 = 0;
  for (let t = 0; t < nBars; t++) {
    if (t >= lookback - 1) {
      const start = t - lookback + 1;
      let sum: f64 = 0;
      for (let i = start; i <= t; i++) sum += at(spreadPtr, i);
      const mean = sum / n;
      let squares: f64 = 0;
      for (let i = start; i <= t; i++) {
        const d = at(spreadPtr, i) - mean;
        squares += d * d;
      }
      const std = Math.sqrt(squares / n);
      if (std > MIN_STD) {
        const z = (at(spreadPtr, t) - mean) / std;
        if (gt(z, entry)) {
          wA = -1;
          wB = 1;
        } else if (lt(z, -entry)) {
          wA = 1;
          wB = -1;
        } else if (lt(Math.abs(z), exit)) {
          wA = 0;
          wB = 0;
        }
      }
    }
    put(outAPtr, t, wA);
    put(outBPtr, t, wB);
  }
}
