// Where a quiet stretch of a one-symbol run must end (quiet.ts): the first bar that liquidates an
// isolated position, the first close that leaves an interval (the notional's bracket, or the
// closes that keep an isolated bar plain), and that interval. Each search skips whole blocks of
// QUIET_BLOCK_SHIFT bars through their precomputed extremes (fill.ts fillBlockExtremes) and
// looks at single bars only in a block whose extreme reaches the bound.
import {
  QUIET_BLOCK_SHIFT,
  S_BLOCK_CLOSE_HIGH,
  S_BLOCK_CLOSE_LOW,
  S_BLOCK_HIGH,
  S_BLOCK_LOW,
  S_MARK_CLOSE,
  S_MARK_HIGH,
  S_MARK_LOW,
  S_MARK_OPEN,
} from "../../src/engine/layout";
import { colPtr } from "./state";

// @ts-ignore: decorator
@inline function at(ptr: usize, t: i32): f64 {
  return load<f64>(ptr + (<usize>t << 3));
}

/**
 * The first bar in [t0, end) where an isolated position (side, lp) is liquidated at the open or
 * intrabar (index.ts gapCheck and intrabarCheck), else `end`. Whole blocks whose extreme stays off
 * LP are skipped; the sign of a difference is exact.
 */
export function isolatedLiquidationBar(t0: i32, end: i32, side: f64, lp: f64): i32 {
  if (isNaN(lp)) return end;
  const blocks = side == 1 ? colPtr(0, S_BLOCK_LOW) : colPtr(0, S_BLOCK_HIGH);
  const markOpen = colPtr(0, S_MARK_OPEN);
  const adverse = side == 1 ? colPtr(0, S_MARK_LOW) : colPtr(0, S_MARK_HIGH);
  let t = t0;
  while (t < end) {
    const b = t >> QUIET_BLOCK_SHIFT;
    const blockEnd = (b + 1) << QUIET_BLOCK_SHIFT;
    if (side * (at(blocks, b) - lp) > 0) {
      t = blockEnd;
      continue;
    }
    const stop = blockEnd < end ? blockEnd : end;
    for (; t < stop; t++) {
      if (<i32>(side * (at(markOpen, t) - lp) <= 0) | <i32>(side * (at(adverse, t) - lp) <= 0)) return t;
    }
  }
  return end;
}

/**
 * The first bar in [t0, end) whose MP close C puts scale × C (scale > 0) outside [lo, hi), else
 * `end`. Blocks whose closes all keep it inside are skipped (scale × C is monotone in C, rounding
 * included). quiet.ts asks it for the notional's bracket (scale = qty) and for the plain range of
 * an isolated position (scale = 1).
 */
export function closeLeaveBar(t0: i32, end: i32, scale: f64, lo: f64, hi: f64): i32 {
  const lows = colPtr(0, S_BLOCK_CLOSE_LOW);
  const highs = colPtr(0, S_BLOCK_CLOSE_HIGH);
  const markClose = colPtr(0, S_MARK_CLOSE);
  let t = t0;
  while (t < end) {
    const b = t >> QUIET_BLOCK_SHIFT;
    const blockEnd = (b + 1) << QUIET_BLOCK_SHIFT;
    if (scale * at(lows, b) >= lo && scale * at(highs, b) < hi) {
      t = blockEnd;
      continue;
    }
    const stop = blockEnd < end ? blockEnd : end;
    for (; t < stop; t++) {
      const n = scale * at(markClose, t);
      if (!(n >= lo && n < hi)) return t;
    }
  }
  return end;
}

// The plain range of an isolated position: the MP closes that make a bar plain (equity > 0, no new
// peak, margin ratio below the ratio bar) form one interval. The conditions are monotone in the
// close (every operation of the equity and MM formulas is), so each holds on a half-line; the
// bounds are their real-number roots moved inward by 1e-12 of the terms' size, a thousand times
// what the formulas' rounding can move the crossing. A bar outside goes to quiet.ts's one-bar
// path, which tests the exact formulas.

/** The plain range [rangeLo, rangeHi) (isolatedRange). */
export let rangeLo: f64 = 0;
export let rangeHi: f64 = 0;
/** The part of the range that does not depend on the peak (isolatedFixedRange). */
let fixedLo: f64 = 0;
let fixedHi: f64 = 0;
/** What the ranges were computed for: the peak, and isolatedFixedRange's inputs (below). */
let rangePeak: f64 = NaN;
let fixedWallet: f64 = NaN;
let fixedIw: f64 = NaN;
let fixedSq: f64 = NaN;
let fixedEntry: f64 = NaN;
// isolatedFixedRange's nine inputs as pairs of lanes, compared bit for bit in one go: equal bits
// give the same range, and nine scalar float comparisons cost ~60 instructions as V8 lowers them
let inputs0: v128 = f64x2.splat(NaN);
let inputs1: v128 = f64x2.splat(NaN);
let inputs2: v128 = f64x2.splat(NaN);
let inputs3: v128 = f64x2.splat(NaN);
let inputs4: v128 = f64x2.splat(NaN);
/** 1 / fixedSq. */
let invSq: f64 = 0;
/** K = (wallet + IW) / sq − entry of the last isolatedFixedRange position (quiet-moments.ts), by the reciprocal. */
export let fixedK: f64 = 0;

// @ts-ignore: decorator
@inline function lanes(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

/**
 * The bounds from equity > 0, the ratio bar and the notional's bracket [bracketLo, bracketHi)
 * (line mmr, cum) for a position (free wallet, isolated wallet, side × qty, entry); kept from the
 * last call when nothing changed.
 */
export function isolatedFixedRange(
  wallet: f64, iw: f64, sq: f64, entry: f64, ratioBar: f64, mmr: f64, cum: f64, bracketLo: f64, bracketHi: f64,
): void {
  const x0 = lanes(ratioBar, wallet);
  const x1 = lanes(iw, sq);
  const x2 = lanes(entry, mmr);
  const x3 = lanes(cum, bracketLo);
  const x4 = f64x2.splat(bracketHi);
  const changed = v128.or(
    v128.or(v128.xor(x0, inputs0), v128.xor(x1, inputs1)),
    v128.or(v128.or(v128.xor(x2, inputs2), v128.xor(x3, inputs3)), v128.xor(x4, inputs4)),
  );
  if (!v128.any_true(changed)) return;
  inputs0 = x0;
  inputs1 = x1;
  inputs2 = x2;
  inputs3 = x3;
  inputs4 = x4;
  fixedWallet = wallet;
  fixedIw = iw;
  fixedSq = sq;
  fixedEntry = entry;
  rangePeak = NaN;
  const qty = Math.abs(sq);
  // (reciprocals: their extra rounding is far inside the 1e-12 margins)
  invSq = 1 / sq;
  let lo = -Infinity;
  let hi = Infinity;
  // equity > 0
  const c0 = entry - (wallet + iw) * invSq;
  const s0 = 1e-12 * ((Math.abs(wallet) + Math.abs(iw)) * Math.abs(invSq) + Math.abs(entry) + Math.abs(c0));
  fixedK = -c0;
  if (sq > 0) lo = c0 + s0;
  else hi = c0 - s0;
  // the bracket's closes, moved inward by 1e-12 (far beyond the rounding of qty × close and of
  // the reciprocal): the one-bar path tests the notional of the others exactly
  const invQty = Math.abs(invSq);
  if (bracketLo > -Infinity && bracketLo * invQty * (1 + 1e-12) > lo) lo = bracketLo * invQty * (1 + 1e-12);
  if (bracketHi < Infinity && bracketHi * invQty * (1 - 1e-12) < hi) hi = bracketHi * invQty * (1 - 1e-12);
  // MM ≤ ratioBar × margin: (q·mmr − rb·sq)·C ≤ cum + rb·iw − rb·sq·entry
  const rb = ratioBar;
  const alpha = qty * mmr - rb * sq;
  const beta = cum + rb * iw - rb * sq * entry;
  const invAlpha = 1 / alpha;
  const cr = beta * invAlpha;
  const terms = qty * mmr * Math.abs(cr) + Math.abs(cum) + rb * (Math.abs(iw) + qty * (Math.abs(cr) + Math.abs(entry)));
  const sr = 1e-12 * terms * Math.abs(invAlpha);
  if (alpha > 0) {
    if (cr - sr < hi) hi = cr - sr;
  } else if (alpha < 0) {
    if (cr + sr > lo) lo = cr + sr;
  } else if (!(beta > 1e-12 * terms)) {
    lo = Infinity;
  }
  fixedLo = lo;
  fixedHi = hi;
}

/** The whole range for the last isolatedFixedRange position: its bounds and equity ≤ peak. */
export function isolatedRange(peak: f64): void {
  if (peak == rangePeak) return;
  rangePeak = peak;
  const base = fixedWallet + fixedIw;
  const cp = fixedEntry + (peak - base) * invSq;
  const sp = 1e-12 * ((Math.abs(fixedWallet) + Math.abs(fixedIw) + Math.abs(peak)) * Math.abs(invSq) + Math.abs(fixedEntry) + Math.abs(cp));
  let lo = fixedLo;
  let hi = fixedHi;
  if (fixedSq > 0) {
    if (cp - sp < hi) hi = cp - sp;
  } else if (cp + sp > lo) {
    lo = cp + sp;
  }
  // NaN anywhere (an infinite ratio bar) leaves the interval empty: every bar takes the one-bar path
  if (!(lo < hi)) {
    lo = Infinity;
    hi = -Infinity;
  }
  rangeLo = lo;
  rangeHi = hi;
}
