// buy-hold (SPEC §4): long from the first decision, so held from the open of bar 1.

export function buyHold(nBars: number, out = new Float64Array(nBars)): Float64Array {
  for (let t = 0; t < nBars; t++) out[t] = 1;
  return out;
}
