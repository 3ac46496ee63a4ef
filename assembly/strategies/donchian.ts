// donchian (SPEC §4, channel of the bars before t); twin of src/strategies/donchian.ts.
import { at, gt, lt, put } from "./compare";

export function donchian(period: i32, nBars: i32, closePtr: usize, highPtr: usize, lowPtr: usize, outPtr: usize): void {
  let w: f64 = 0;
  for (let t = 0; t < nBars; t++) {
    if (t >= period) {
      let highest = at(highPtr, t - period);
      let lowest = at(lowPtr, t - period);
      for (let i = t - period + 1; i < t; i++) {
        const h = at(highPtr, i);
        const l = at(lowPtr, i);
        if (h > highest) highest = h;
        if (l < lowest) lowest = l;
      }
      const c = at(closePtr, t);
      if (gt(c, highest)) w = 1;
      else if (lt(c, lowest)) w = -1;
    }
    put(outPtr, t, w);
  }
}
