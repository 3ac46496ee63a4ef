// ema-cross (SPEC §4); twin of src/strategies/ema-cross.ts.
import { at, gt, put } from "./compare";

export function emaCross(fast: i32, slow: i32, nBars: i32, closePtr: usize, outPtr: usize): void {
  const alphaFast: f64 = 2.0 / (<f64>fast + 1.0);
  const alphaSlow: f64 = 2.0 / (<f64>slow + 1.0);
  let emaFast: f64 = 0;
  let emaSlow: f64 = 0;
  let w: f64 = 0;
  for (let t = 0; t < nBars; t++) {
    const c = at(closePtr, t);
    if (t == 0) {
      emaFast = c;
      emaSlow = c;
    } else {
      emaFast += alphaFast * (c - emaFast);
      emaSlow += alphaSlow * (c - emaSlow);
    }
    if (t >= slow - 1) {
      if (gt(emaFast, emaSlow)) w = 1;
      else if (gt(emaSlow, emaFast)) w = -1;
    }
    put(outPtr, t, w);
  }
}
