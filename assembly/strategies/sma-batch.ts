// sma-cross for many (fast, slow) sets at once, for sweeps: each window's average is computed
// once per bar (a row of BATCH_ROW bars at a time, every window's row kept in the cache) and shared
// by every set that uses the window, so a set costs a subtraction and a sign test per bar instead
// of two rolling sums, two divisions and two tolerance tests. The sums, divisions and comparisons
// that decide are smaCross's (sma-cross.ts), in the same order, so every set's targets are the
// same bits.
//
// A set's targets are recorded as their changes: entry ±(t + 1) means the weight becomes ±1 at
// bar t (sma-cross only ever moves 0 → ±1 → ∓1 → …). The engine reads a run's targets from such
// a list (layout.ts S_CHANGES); smaCrossExpand turns one set's changes back into a dense column.
import { BATCH_BLOCK_SHIFT, BATCH_BLOCKS, BATCH_ROW } from "../../src/engine/layout";
import { at as f64At, EPSILON, gt } from "./compare";

// @ts-ignore: decorator
@inline function i32At(ptr: usize, i: i32): i32 {
  return load<i32>(ptr + (<usize>i << 2));
}

/**
 * Runs `nSets` sets over bars [tFrom, tTo) of the close column. tFrom 0 starts afresh; the state
 * lives in the scratch, so a long column goes in slices, and V8 moves the hot loop from its
 * baseline compiler to the optimising one between calls.
 * Inputs: `windowsPtr` nWindows i32 window lengths; `fastPtr`/`slowPtr` nSets i32 indices into
 * the windows. Scratch: `sumsPtr` (nWindows f64), `rowsPtr` (nWindows × BATCH_ROW f64),
 * `extremesPtr` (nWindows × 2 × BATCH_BLOCKS f64), `statePtr` (nSets f64). Output: `countPtr`
 * (nSets i32, the number of changes, which may exceed `cap`) and `listPtr` (nSets × cap i32, the
 * first `cap` changes of each set).
 */
export function smaCrossBatch(
  closePtr: usize,
  windowsPtr: usize,
  nWindows: i32,
  fastPtr: usize,
  slowPtr: usize,
  nSets: i32,
  sumsPtr: usize,
  rowsPtr: usize,
  extremesPtr: usize,
  statePtr: usize,
  countPtr: usize,
  listPtr: usize,
  cap: i32,
  tFrom: i32,
  tTo: i32,
): void {
  if (tFrom == 0) {
    for (let j: i32 = 0; j < nWindows; j++) store<f64>(sumsPtr + (<usize>j << 3), 0);
    for (let k: i32 = 0; k < nSets; k++) {
      store<f64>(statePtr + (<usize>k << 3), 0);
      store<i32>(countPtr + (<usize>k << 2), 0);
    }
  }
  for (let r0 = tFrom; r0 < tTo; r0 += BATCH_ROW) {
    const r1 = r0 + BATCH_ROW < tTo ? r0 + BATCH_ROW : tTo;
    let j: i32 = 0;
    for (; j + 1 < nWindows; j += 2) {
      const a = i32At(windowsPtr, j);
      const b = i32At(windowsPtr, j + 1);
      const sums = sumsPtr + (<usize>j << 3);
      const rowA = rowAt(rowsPtr, j, r0);
      const rowB = rowAt(rowsPtr, j + 1, r0);
      const extA = extremesAt(extremesPtr, j);
      const extB = extremesAt(extremesPtr, j + 1);
      if (r0 >= a && r0 >= b) {
        averagePair(closePtr, a, b, sums, rowA, rowB, extA, extB, r0, r1);
      } else {
        averages(closePtr, a, sums, rowA, r0, r1);
        averages(closePtr, b, sums + 8, rowB, r0, r1);
        blockExtremes(rowA, extA, r0, r1);
        blockExtremes(rowB, extB, r0, r1);
      }
    }
    if (j < nWindows) {
      const row = rowAt(rowsPtr, j, r0);
      averages(closePtr, i32At(windowsPtr, j), sumsPtr + (<usize>j << 3), row, r0, r1);
      blockExtremes(row, extremesAt(extremesPtr, j), r0, r1);
    }
    for (let k: i32 = 0; k < nSets; k++) {
      const fast = i32At(fastPtr, k);
      const slow = i32At(slowPtr, k);
      const from = i32At(windowsPtr, slow) - 1;
      if (from >= r1) continue;
      scan(
        rowAt(rowsPtr, fast, r0),
        rowAt(rowsPtr, slow, r0),
        extremesAt(extremesPtr, fast),
        extremesAt(extremesPtr, slow),
        statePtr + (<usize>k << 3),
        k,
        from > r0 ? from : r0,
        r1,
        r0,
        countPtr,
        listPtr,
        cap,
      );
    }
  }
}

/** Where window j's row holds bar t: the row's address moved back by r0 bars. */
// @ts-ignore: decorator
@inline function rowAt(rowsPtr: usize, j: i32, r0: i32): usize {
  return rowsPtr + ((<usize>j * <usize>BATCH_ROW) << 3) - (<usize>r0 << 3);
}

/** Window j's block extremes: BATCH_BLOCKS minima, then BATCH_BLOCKS maxima. */
// @ts-ignore: decorator
@inline function extremesAt(extremesPtr: usize, j: i32): usize {
  return extremesPtr + ((<usize>j * <usize>(2 * BATCH_BLOCKS)) << 3);
}

/** The least and the greatest average of each block of the row's bars [r0, r1) (rows averagePair does not do). */
function blockExtremes(row: usize, ext: usize, r0: i32, r1: i32): void {
  for (let k: i32 = 0; r0 + (k << BATCH_BLOCK_SHIFT) < r1; k++) {
    const from = r0 + (k << BATCH_BLOCK_SHIFT);
    const to = from + (1 << BATCH_BLOCK_SHIFT) < r1 ? from + (1 << BATCH_BLOCK_SHIFT) : r1;
    let lo = f64At(row, from);
    let hi = lo;
    for (let t = from + 1; t < to; t++) {
      lo = Math.min(lo, f64At(row, t));
      hi = Math.max(hi, f64At(row, t));
    }
    store<f64>(ext + (<usize>k << 3), lo);
    store<f64>(ext + (<usize>(BATCH_BLOCKS + k) << 3), hi);
  }
}

/** Window w's average at bars [r0, r1) into `row`, its rolling sum carried in `sumPtr` (smaCross's sums). */
function averages(closePtr: usize, w: i32, sumPtr: usize, row: usize, r0: i32, r1: i32): void {
  const n = <f64>w;
  let sum = load<f64>(sumPtr);
  let t = r0;
  for (; t < r1 && t < w; t++) {
    sum += f64At(closePtr, t);
    store<f64>(row + (<usize>t << 3), sum / n);
  }
  for (; t < r1; t++) {
    sum += f64At(closePtr, t);
    sum -= f64At(closePtr, t - w);
    store<f64>(row + (<usize>t << 3), sum / n);
  }
  store<f64>(sumPtr, sum);
}

/**
 * Windows a and b at once, both full from r0 on (r0 ≥ a, b): their rolling sums and divisions in
 * the two lanes of an f64x2, each lane averages' operations in the same order (one division
 * instruction for two averages).
 */
function averagePair(
  closePtr: usize,
  a: i32,
  b: i32,
  sumsPtr: usize,
  rowA: usize,
  rowB: usize,
  extA: usize,
  extB: usize,
  r0: i32,
  r1: i32,
): void {
  const n = f64x2.replace_lane(f64x2.splat(<f64>a), 1, <f64>b);
  let sum = v128.load(sumsPtr);
  for (let k: i32 = 0; r0 + (k << BATCH_BLOCK_SHIFT) < r1; k++) {
    const from = r0 + (k << BATCH_BLOCK_SHIFT);
    const to = from + (1 << BATCH_BLOCK_SHIFT) < r1 ? from + (1 << BATCH_BLOCK_SHIFT) : r1;
    // the block's extremes of each window, lane by lane (pmin and pmax pick an operand)
    let lo = f64x2.splat(Infinity);
    let hi = f64x2.splat(-Infinity);
    for (let t = from; t < to; t++) {
      const old = f64x2.replace_lane(f64x2.splat(f64At(closePtr, t - a)), 1, f64At(closePtr, t - b));
      sum = f64x2.sub(f64x2.add(sum, f64x2.splat(f64At(closePtr, t))), old);
      const avg = f64x2.div(sum, n);
      lo = f64x2.pmin(lo, avg);
      hi = f64x2.pmax(hi, avg);
      store<f64>(rowA + (<usize>t << 3), f64x2.extract_lane(avg, 0));
      store<f64>(rowB + (<usize>t << 3), f64x2.extract_lane(avg, 1));
    }
    store<f64>(extA + (<usize>k << 3), f64x2.extract_lane(lo, 0));
    store<f64>(extB + (<usize>k << 3), f64x2.extract_lane(lo, 1));
    store<f64>(extA + (<usize>(BATCH_BLOCKS + k) << 3), f64x2.extract_lane(hi, 0));
    store<f64>(extB + (<usize>(BATCH_BLOCKS + k) << 3), f64x2.extract_lane(hi, 1));
  }
  v128.store(sumsPtr, sum);
}

/**
 * One set's decisions at bars [t0, t1) of the row that starts at r0. Once the weight w is ±1, it
 * only moves when gt(first, second) for (first, second) = (slow, fast) at w = 1 and (fast, slow) at
 * w = −1 (compare.ts), which needs first − second > 0 (the tolerance is ≥ 0). A whole block where
 * max(first) − min(second) ≤ 0 has no such bar (rounding is monotone) and is skipped; a whole
 * block that is not goes by wholeBlock, and a part of one (the row's first bars after the
 * warm-up, the data's last bars) by a loop that tests first − second > 0 four bars per
 * iteration. A bar where it holds is decided by gt itself.
 */
function scan(
  fastRow: usize,
  slowRow: usize,
  fastExt: usize,
  slowExt: usize,
  statePtr: usize,
  k: i32,
  t0: i32,
  t1: i32,
  r0: i32,
  countPtr: usize,
  listPtr: usize,
  cap: i32,
): void {
  let w = load<f64>(statePtr);
  let t = t0;
  for (; w == 0 && t < t1; t++) w = decide(fastRow, slowRow, w, k, t, countPtr, listPtr, cap);
  const zero = f64x2.splat(0);
  const size = 1 << BATCH_BLOCK_SHIFT;
  // whole blocks (t1 − r0 is a multiple of the block size but in the data's last row)
  const whole = r0 + (((t1 - r0) >> BATCH_BLOCK_SHIFT) << BATCH_BLOCK_SHIFT);
  while (t < t1) {
    // the rows in w's order (first − second > 0 is where w may move), the first's block maxima
    // and the second's minima
    let first = w == 1 ? slowRow : fastRow;
    let second = w == 1 ? fastRow : slowRow;
    const firstMax = (w == 1 ? slowExt : fastExt) + (<usize>BATCH_BLOCKS << 3);
    const secondMin = w == 1 ? fastExt : slowExt;
    let b = (t - r0) >> BATCH_BLOCK_SHIFT;
    if (t == r0 + (b << BATCH_BLOCK_SHIFT)) {
      const last = (whole - r0) >> BATCH_BLOCK_SHIFT;
      while (b < last && !(f64At(firstMax, b) - f64At(secondMin, b) > 0)) b++;
      t = r0 + (b << BATCH_BLOCK_SHIFT);
      if (t >= t1) break;
    }
    const blockStart = r0 + (b << BATCH_BLOCK_SHIFT);
    const blockEnd = blockStart + size < t1 ? blockStart + size : t1;
    if (t == blockStart && blockEnd - blockStart == size) {
      w = wholeBlock(fastRow, slowRow, w, k, blockStart, countPtr, listPtr, cap);
      t = blockEnd;
      continue;
    }
    let p = first + (<usize>t << 3);
    let q = second + (<usize>t << 3);
    let end = first + (<usize>blockEnd << 3);
    while (p < end) {
      if (p + 24 < end) {
        const x = f64x2.sub(v128.load(p), v128.load(q));
        const y = f64x2.sub(v128.load(p, 16), v128.load(q, 16));
        const xs = f64x2.gt(x, zero);
        const ys = f64x2.gt(y, zero);
        if (i64x2.bitmask(v128.or(xs, ys)) == 0) {
          p += 32;
          q += 32;
          continue;
        }
        // the bars before the first lane that holds cannot move w
        const skip = <usize>ctz(i64x2.bitmask(xs) | (i64x2.bitmask(ys) << 2)) << 3;
        p += skip;
        q += skip;
      }
      const at = <i32>((p - first) >> 3);
      const next = decide(fastRow, slowRow, w, k, at, countPtr, listPtr, cap);
      if (next != w) {
        w = next;
        const row = first;
        first = second;
        second = row;
        p = first + (<usize>at << 3);
        q = second + (<usize>at << 3);
        end = first + (<usize>blockEnd << 3);
      }
      p += 8;
      q += 8;
    }
    t = blockEnd;
  }
  store<f64>(statePtr, w);
}

/**
 * The bars of the whole block from `blockStart` where a set whose weight is ±1 (w) may move,
 * found at once as a bit mask of the sign of fast − slow, without a branch per bar (most blocks
 * that are scanned hold one crossing, whose place a bar-by-bar loop mispredicts). w = −1 moves
 * only where fast − slow > 0, w = 1 only where fast − slow < 0 (gt(slow, fast) needs slow − fast
 * > 0, and a − b = −(b − a) exactly). The sign bit alone picks them: `below` holds the bars whose
 * difference is negative, its complement the rest (a difference of +0 among them, where decide
 * then finds no move). Returns the weight after the block, its changes recorded.
 */
// @ts-ignore: decorator
@inline function wholeBlock(
  fastRow: usize,
  slowRow: usize,
  w: f64,
  k: i32,
  blockStart: i32,
  countPtr: usize,
  listPtr: usize,
  cap: i32,
): f64 {
  // (two signs16 calls cover a block of 32 bars)
  if (BATCH_BLOCK_SHIFT != 5) ERROR("wholeBlock reads blocks of 32 bars");
  const f = fastRow + (<usize>blockStart << 3);
  const g = slowRow + (<usize>blockStart << 3);
  const below = signs16(f, g) | (signs16(f + 128, g + 128) << 16);
  const above = ~below;
  let bars = w == 1 ? below : above;
  while (bars != 0) {
    const i = <i32>ctz(bars);
    const next = decide(fastRow, slowRow, w, k, blockStart + i, countPtr, listPtr, cap);
    // after a move, the other side's bars after this one ((x << i) << 1: a shift by 32 is one by 0)
    bars = next != w ? (next == 1 ? below : above) & ((<u32>0xffffffff << i) << 1) : bars & (bars - 1);
    w = next;
  }
  return w;
}

/**
 * The sign bits of fast − slow at 16 bars from f and g, bar i in bit i: the differences' high
 * words (which hold the sign) gathered four at a time, then narrowed with saturation, which keeps
 * each sign, to one byte per bar (a handful of instructions instead of a mask, a shift and an or
 * per pair of bars).
 */
// @ts-ignore: decorator
@inline function signs16(f: usize, g: usize): u32 {
  const h0 = v128.shuffle<i32>(f64x2.sub(v128.load(f), v128.load(g)), f64x2.sub(v128.load(f, 16), v128.load(g, 16)), 1, 3, 5, 7);
  const h1 = v128.shuffle<i32>(f64x2.sub(v128.load(f, 32), v128.load(g, 32)), f64x2.sub(v128.load(f, 48), v128.load(g, 48)), 1, 3, 5, 7);
  const h2 = v128.shuffle<i32>(f64x2.sub(v128.load(f, 64), v128.load(g, 64)), f64x2.sub(v128.load(f, 80), v128.load(g, 80)), 1, 3, 5, 7);
  const h3 = v128.shuffle<i32>(f64x2.sub(v128.load(f, 96), v128.load(g, 96)), f64x2.sub(v128.load(f, 112), v128.load(g, 112)), 1, 3, 5, 7);
  return <u32>i8x16.bitmask(i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(h0, h1), i16x8.narrow_i32x4_s(h2, h3)));
}

/** The weight after bar t (smaCross's comparisons), its change recorded. */
// @ts-ignore: decorator
@inline function decide(fastRow: usize, slowRow: usize, w: f64, k: i32, t: i32, countPtr: usize, listPtr: usize, cap: i32): f64 {
  const a = f64At(fastRow, t);
  const b = f64At(slowRow, t);
  const next = gt(a, b) ? 1 : gt(b, a) ? -1 : w;
  record(w, next, k, t, countPtr, listPtr, cap);
  return next;
}

/** Appends set k's change at bar t (its weight moved from `was` to `w`) to its part of the list. */
function record(was: f64, w: f64, k: i32, t: i32, countPtr: usize, listPtr: usize, cap: i32): void {
  if (w == was) return;
  const n = i32At(countPtr, k);
  if (n < cap) store<i32>(listPtr + ((<usize>k * <usize>cap + <usize>n) << 2), w > 0 ? t + 1 : -(t + 1));
  store<i32>(countPtr + (<usize>k << 2), n + 1);
}

/** Writes the dense targets of one set (its `count` ≤ cap changes at `changesPtr`) to `outPtr`. */
export function smaCrossExpand(changesPtr: usize, count: i32, nBars: i32, outPtr: usize): void {
  let w: f64 = 0;
  let t: i32 = 0;
  for (let k: i32 = 0; k <= count; k++) {
    let until = nBars;
    let next = w;
    if (k < count) {
      const e = i32At(changesPtr, k);
      until = e > 0 ? e - 1 : -e - 1;
      next = e > 0 ? 1 : -1;
    }
    for (; t < until; t++) store<f64>(outPtr + (<usize>t << 3), w);
    w = next;
  }
}
