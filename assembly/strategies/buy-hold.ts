// buy-hold (SPEC §4); twin of src/strategies/buy-hold.ts.
import { put } from "./compare";

export function buyHold(nBars: i32, outPtr: usize): void {
  for (let t = 0; t < nBars; t++) put(outPtr, t, 1.0);
}
