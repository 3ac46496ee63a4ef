// sma-cross for many (fast, slow) sets at once, for sweeps: each window's rolling sum is kept
// once per bar and shared by every set that uses the window, so a set costs one comparison per
// bar instead of two rolling sums and two divisions. The sums, divisions and comparisons are
// smaCross's (sma-cross.ts), in the same order, so every set's targets are the same bits.
//
// A set's targets are recorded as their changes: entry ±(t + 1) means the weight becomes ±1 at
// bar t (sma-cross only ever moves 0 → ±1 → ∓1 → …). The engine reads a run's targets from such
// a list (layout.ts S_CHANGES); smaCrossExpand turns one set's changes back into a dense column.
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
 * the windows. Scratch: `sumsPtr`, `smaPtr` (nWindows f64), `statePtr` (nSets f64), `groupsPtr`
 * (nSets i32). Output: `countPtr` (nSets i32, the number of changes, which may exceed `cap`) and
 * `listPtr` (nSets × cap i32, the first `cap` changes of each set).
 */
export function smaCrossBatch(
  closePtr: usize,
  windowsPtr: usize,
  nWindows: i32,
  fastPtr: usize,
  slowPtr: usize,
  nSets: i32,
  sumsPtr: usize,
  smaPtr: usize,
  statePtr: usize,
  countPtr: usize,
  groupsPtr: usize,
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
  // every set is past its warm-up from this bar on: the two-lane loop needs no per-set check
  let warm: i32 = 0;
  for (let k: i32 = 0; k < nSets; k++) {
    const start = i32At(windowsPtr, i32At(slowPtr, k)) - 1;
    if (start > warm) warm = start;
  }
  // groups of consecutive sets with one fast window and consecutive slow ones (a grid's usual
  // order): their averages load with one splat and contiguous vector loads
  let nGroups: i32 = 0;
  for (let k: i32 = 0; k < nSets; ) {
    const f = i32At(fastPtr, k);
    const s0 = i32At(slowPtr, k);
    let n: i32 = 1;
    while (k + n < nSets && i32At(fastPtr, k + n) == f && i32At(slowPtr, k + n) == s0 + n) n++;
    store<i32>(groupsPtr + (<usize>nGroups << 2), n);
    nGroups++;
    k += n;
  }
  for (let t: i32 = tFrom; t < tTo; t++) {
    const c = f64At(closePtr, t);
    for (let j: i32 = 0; j < nWindows; j++) {
      const w = i32At(windowsPtr, j);
      let sum = f64At(sumsPtr, j) + c;
      if (t >= w) sum -= f64At(closePtr, t - w);
      store<f64>(sumsPtr + (<usize>j << 3), sum);
      store<f64>(smaPtr + (<usize>j << 3), sum / <f64>w);
    }
    let k: i32 = 0;
    if (t >= warm) {
      // two sets per f64x2, lane by lane the comparisons of compare.ts gt (pmax is max for these
      // absolute values)
      for (let g: i32 = 0; g < nGroups; g++) {
        const n = i32At(groupsPtr, g);
        const a = f64x2.splat(f64At(smaPtr, i32At(fastPtr, k)));
        const absA = f64x2.abs(a);
        const slows = smaPtr + (<usize>i32At(slowPtr, k) << 3);
        let j: i32 = 0;
        for (; j + 1 < n; j += 2) {
          const b = v128.load(slows + (<usize>j << 3));
          const d = f64x2.sub(a, b);
          const tol = f64x2.mul(f64x2.splat(EPSILON), f64x2.pmax(absA, f64x2.abs(b)));
          const at = statePtr + (<usize>(k + j) << 3);
          const was = v128.load(at);
          let w = v128.bitselect(f64x2.splat(-1), was, f64x2.gt(f64x2.neg(d), tol));
          w = v128.bitselect(f64x2.splat(1), w, f64x2.gt(d, tol));
          if (!v128.any_true(f64x2.ne(w, was))) continue;
          v128.store(at, w);
          record(f64x2.extract_lane(was, 0), f64x2.extract_lane(w, 0), k + j, t, countPtr, listPtr, cap);
          record(f64x2.extract_lane(was, 1), f64x2.extract_lane(w, 1), k + j + 1, t, countPtr, listPtr, cap);
        }
        if (j < n) compareOne(k + j, t, fastPtr, slowPtr, smaPtr, statePtr, countPtr, listPtr, cap);
        k += n;
      }
      continue;
    }
    for (; k < nSets; k++) {
      if (t < i32At(windowsPtr, i32At(slowPtr, k)) - 1) continue;
      compareOne(k, t, fastPtr, slowPtr, smaPtr, statePtr, countPtr, listPtr, cap);
    }
  }
}

/** Set k at bar t, one lane: smaCross's comparisons as they are. */
function compareOne(
  k: i32,
  t: i32,
  fastPtr: usize,
  slowPtr: usize,
  smaPtr: usize,
  statePtr: usize,
  countPtr: usize,
  listPtr: usize,
  cap: i32,
): void {
  const smaFast = f64At(smaPtr, i32At(fastPtr, k));
  const smaSlow = f64At(smaPtr, i32At(slowPtr, k));
  const was = f64At(statePtr, k);
  let w = was;
  if (gt(smaFast, smaSlow)) w = 1;
  else if (gt(smaSlow, smaFast)) w = -1;
  if (w == was) return;
  store<f64>(statePtr + (<usize>k << 3), w);
  record(was, w, k, t, countPtr, listPtr, cap);
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
