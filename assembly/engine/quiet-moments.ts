// Return sums of a plain isolated stretch by blocks instead of bar by bar (quiet.ts).
//
// On bars where an isolated position's state does not change, its equity is E = sq·(c + K) with
// c the MP close and K = (wallet + IW) / sq − entry, so a bar's return is r = Δ / (c' + K), with
// c' the previous close and Δ = c − c'. Around a block's center, with x = c' − center and
// D = center + K, 1 / (D + x) = u·Σ (−u·x)ⁿ (u = 1 / D), so over any bars of the block
//   Σ r  = u·Σₙ (−u)ⁿ·Σ Δ·xⁿ        Σ r² = u²·Σₙ (−u)ⁿ·Σ (n + 1)·Δ²·xⁿ
// and Σ min(r, 0)² is the part of Σ r² over the bars whose Δ has the sign of a loss (Δ < 0 long,
// Δ > 0 short: D + x has the sign of sq while E > 0). The dataset's table (src/engine/moments.ts)
// holds those sums per block, so a whole block costs MOMENT_TERMS steps of a polynomial instead of
// a division and a dozen operations per bar.
//
// With |x| ≤ ρ·|D|, the terms left out weigh at most ρ^MOMENT_TERMS of the block's Σ|r|; a block
// is summed this way only when ρ ≤ RHO_MAX (~2e-15 left out), else bar by bar. The result differs
// from the bar-by-bar sums by rounding-sized amounts (SPEC's 1e-9 agreement, not bit for bit),
// and only for these three sums: the equity, the trough (from the block's extreme close) and
// everything else stay exact.
import {
  MOMENT_BLOCK_F64,
  MOMENT_CENTER,
  MOMENT_LAST,
  MOMENT_SUMS,
  MOMENT_TERMS,
  MOMENT_XMAX,
  QUIET_BLOCK_SHIFT,
  S_BLOCK_CLOSE_HIGH,
  S_BLOCK_CLOSE_LOW,
  S_MOMENTS,
} from "../../src/engine/layout";
import { colPtr } from "./state";

/** The largest |x| / |D| summed by the table: 0.015⁸ ≈ 2.6e-15. */
const RHO_MAX: f64 = 0.015;

/** The sums over the last momentBlock: Σ r, Σ r², Σ min(r, 0)², and its lowest, highest and last close. */
export let momentSum: f64 = 0;
export let momentSquares: f64 = 0;
export let momentDown: f64 = 0;
export let momentLow: f64 = 0;
export let momentHigh: f64 = 0;
export let momentLast: f64 = 0;

/** The run's table (0: none), and the dataset's per-block lowest and highest closes. */
let table: usize = 0;
let blockLows: usize = 0;
let blockHighs: usize = 0;

/** Reads the run's table (symbol 0's) once per run; returns whether there is one. */
export function momentsReset(): bool {
  table = colPtr(0, S_MOMENTS);
  blockLows = colPtr(0, S_BLOCK_CLOSE_LOW);
  blockHighs = colPtr(0, S_BLOCK_CLOSE_HIGH);
  return table != 0;
}

// @ts-ignore: decorator
@inline function field(base: usize, f: i32): f64 {
  return load<f64>(base + (<usize>f << 3));
}

// @ts-ignore: decorator
@inline function blockAt(t: i32): usize {
  return table + (<usize>((t >> QUIET_BLOCK_SHIFT) * MOMENT_BLOCK_F64) << 3);
}

/**
 * The first bar ≥ `from` that starts a whole block before `stop` whose sums the table gives for a
 * position with K, else `stop`.
 */
export function nextMoments(from: i32, stop: i32, k: f64): i32 {
  const size = 1 << QUIET_BLOCK_SHIFT;
  let a = (from + size - 1) & ~(size - 1);
  for (; a + size <= stop; a += size) {
    const base = blockAt(a);
    if (field(base, MOMENT_XMAX) <= RHO_MAX * Math.abs(field(base, MOMENT_CENTER) + k)) return a;
  }
  return stop;
}

/** The sums over the block that starts at bar a, for a position with K, long or short. */
export function momentBlock(a: i32, k: f64, long: bool): void {
  const base = blockAt(a);
  const u = 1 / (field(base, MOMENT_CENTER) + k);
  const y = -u;
  const sums = base + (<usize>MOMENT_SUMS << 3);
  // Estrin's scheme (pairs of terms, then pairs of pairs): a chain of 3 steps instead of Horner's 8
  const y2 = y * y;
  const y4 = y2 * y2;
  const sum =
    field(sums, 0) + field(sums, 1) * y + (field(sums, 2) + field(sums, 3) * y) * y2 +
    (field(sums, 4) + field(sums, 5) * y + (field(sums, 6) + field(sums, 7) * y) * y2) * y4;
  const Y = f64x2.splat(y);
  const Y2 = f64x2.splat(y2);
  const Y4 = f64x2.splat(y4);
  const q = sums + (<usize>MOMENT_TERMS << 3);
  const q01 = f64x2.add(v128.load(q), f64x2.mul(v128.load(q, 16), Y));
  const q23 = f64x2.add(v128.load(q, 32), f64x2.mul(v128.load(q, 48), Y));
  const q45 = f64x2.add(v128.load(q, 64), f64x2.mul(v128.load(q, 80), Y));
  const q67 = f64x2.add(v128.load(q, 96), f64x2.mul(v128.load(q, 112), Y));
  const squares = f64x2.add(f64x2.add(q01, f64x2.mul(q23, Y2)), f64x2.mul(f64x2.add(q45, f64x2.mul(q67, Y2)), Y4));
  momentSum = sum * u;
  const u2 = u * u;
  const down = f64x2.extract_lane(squares, 0) * u2;
  const up = f64x2.extract_lane(squares, 1) * u2;
  momentSquares = down + up;
  momentDown = long ? down : up;
  const block = <usize>(a >> QUIET_BLOCK_SHIFT) << 3;
  momentLow = load<f64>(blockLows + block);
  momentHigh = load<f64>(blockHighs + block);
  momentLast = field(base, MOMENT_LAST);
}
