// donchian (SPEC §4, channel of the `period` bars before t); twin of src/strategies/donchian.ts.
// Max and min are exact, so instead of rescanning the channel every bar this keeps the extreme
// and where it sits, rescanning only when it leaves the channel; the weights are the same bits.
import { at, gt, lt, put } from "./compare";

export function donchian(period: i32, nBars: i32, closePtr: usize, highPtr: usize, lowPtr: usize, outPtr: usize): void {
  let w: f64 = 0;
  let highest: f64 = 0;
  let lowest: f64 = 0;
  let highestAt = -1;
  let lowestAt = -1;
  for (let t = 0; t < nBars; t++) {
    if (t >= period) {
      const start = t - period;
      const newest = t - 1;
      if (highestAt < start) {
        highestAt = start;
        highest = at(highPtr, start);
        for (let i = start + 1; i <= newest; i++) {
          const h = at(highPtr, i);
          if (h >= highest) {
            highest = h;
            highestAt = i;
          }
        }
      } else {
        const h = at(highPtr, newest);
        if (h >= highest) {
          highest = h;
          highestAt = newest;
        }
      }
      if (lowestAt < start) {
        lowestAt = start;
        lowest = at(lowPtr, start);
        for (let i = start + 1; i <= newest; i++) {
          const l = at(lowPtr, i);
          if (l <= lowest) {
            lowest = l;
            lowestAt = i;
          }
        }
      } else {
        const l = at(lowPtr, newest);
        if (l <= lowest) {
          lowest = l;
          lowestAt = newest;
        }
      }
      const c = at(closePtr, t);
      if (gt(c, highest)) w = 1;
      else if (lt(c, lowest)) w = -1;
    }
    put(outPtr, t, w);
  }
}
