// The dataset's table of return moments (layout.ts MOMENT_*), built once per kernel session of a
// sweep, read by assembly/engine/quiet-moments.ts, where the series they feed is explained.
import {
  MOMENT_BLOCK_F64,
  MOMENT_CENTER,
  MOMENT_LAST,
  MOMENT_SUMS,
  MOMENT_TERMS,
  MOMENT_XMAX,
  QUIET_BLOCK_SHIFT,
} from './layout.js';

/** f64 slots of the table for `nBars` bars. */
export function momentSlots(nBars: number): number {
  return Math.ceil(nBars / (1 << QUIET_BLOCK_SHIFT)) * MOMENT_BLOCK_F64;
}

/** Writes the table of the MP closes `close` at f64 slot `at` of `v`. */
export function fillMoments(v: Float64Array, at: number, close: Float64Array): void {
  const n = close.length;
  const size = 1 << QUIET_BLOCK_SHIFT;
  for (let b = 0; b * size < n; b++) {
    const base = at + b * MOMENT_BLOCK_F64;
    const from = b * size;
    const to = Math.min(n, from + size);
    // the center of the block's previous closes (bar 0 has none: its Δ and x are 0)
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = Math.max(1, from); t < to; t++) {
      lo = Math.min(lo, close[t - 1]!);
      hi = Math.max(hi, close[t - 1]!);
    }
    const center = lo <= hi ? (lo + hi) / 2 : close[0]!;
    v[base + MOMENT_CENTER] = center;
    v[base + MOMENT_XMAX] = lo <= hi ? Math.max(hi - center, center - lo) : 0;
    v[base + MOMENT_LAST] = close[to - 1]!;
    const sums = base + MOMENT_SUMS;
    v.fill(0, sums, sums + 3 * MOMENT_TERMS);
    for (let t = Math.max(1, from); t < to; t++) {
      const d = close[t]! - close[t - 1]!;
      const x = close[t - 1]! - center;
      const d2 = d * d;
      const lane = d < 0 ? 0 : 1;
      let p = 1;
      for (let k = 0; k < MOMENT_TERMS; k++) {
        v[sums + k]! += d * p;
        if (d !== 0) v[sums + MOMENT_TERMS + 2 * k + lane]! += (k + 1) * d2 * p;
        p *= x;
      }
    }
  }
}
