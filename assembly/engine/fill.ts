// The dataset's derived columns that the engine's searches read (layout.ts S_FUNDING_BARS,
// S_FUNDING_RATES, S_BLOCK_*, S_MOMENTS), computed once per kernel memory from the candle
// columns the host has laid out (src/engine/kernel.ts). Here rather than in the host: a sweep's
// worker fills them right after it starts, when JavaScript still runs unoptimised (~35 ms of its
// start-up there, ~5 ms here).
import { MOMENT_BLOCK_F64, MOMENT_CENTER, MOMENT_LAST, MOMENT_SUMS, MOMENT_TERMS, MOMENT_XMAX, QUIET_BLOCK_SHIFT } from "../../src/engine/layout";

// @ts-ignore: decorator
@inline function at(ptr: usize, t: i32): f64 {
  return load<f64>(ptr + (<usize>t << 3));
}

// @ts-ignore: decorator
@inline function put(ptr: usize, t: i32, x: f64): void {
  store<f64>(ptr + (<usize>t << 3), x);
}

/**
 * The funding list: the bars whose rate is not NaN (i32 at `barsPtr`) and their rates (f64 at
 * `ratesPtr`), each closed by a sentinel (bar nBars, rate NaN). Returns the number of events.
 */
export function fillFundingList(fundingPtr: usize, nBars: i32, barsPtr: usize, ratesPtr: usize): i32 {
  let k: i32 = 0;
  if (fundingPtr != 0) {
    for (let t: i32 = 0; t < nBars; t++) {
      const rate = at(fundingPtr, t);
      if (!isNaN(rate)) {
        put(ratesPtr, k, rate);
        store<i32>(barsPtr + (<usize>k << 2), t);
        k++;
      }
    }
  }
  store<i32>(barsPtr + (<usize>k << 2), nBars);
  put(ratesPtr, k, NaN);
  return k;
}

/**
 * Per block of 2^QUIET_BLOCK_SHIFT bars: the lowest MP open or low and the highest MP open or
 * high (the isolated liquidation search), and the lowest and highest MP close.
 */
export function fillBlockExtremes(
  markOpen: usize,
  markHigh: usize,
  markLow: usize,
  markClose: usize,
  nBars: i32,
  blockLow: usize,
  blockHigh: usize,
  blockCloseLow: usize,
  blockCloseHigh: usize,
): void {
  const size = 1 << QUIET_BLOCK_SHIFT;
  for (let b: i32 = 0; b * size < nBars; b++) {
    let low = Infinity;
    let high = -Infinity;
    let closeLow = Infinity;
    let closeHigh = -Infinity;
    const end = (b + 1) * size < nBars ? (b + 1) * size : nBars;
    for (let t = b * size; t < end; t++) {
      const o = at(markOpen, t);
      low = Math.min(low, Math.min(o, at(markLow, t)));
      high = Math.max(high, Math.max(o, at(markHigh, t)));
      closeLow = Math.min(closeLow, at(markClose, t));
      closeHigh = Math.max(closeHigh, at(markClose, t));
    }
    put(blockLow, b, low);
    put(blockHigh, b, high);
    put(blockCloseLow, b, closeLow);
    put(blockCloseHigh, b, closeHigh);
  }
}

/** The table of return moments of the MP closes at `close` (layout.ts MOMENT_*; quiet-moments.ts reads it). */
export function fillMoments(close: usize, nBars: i32, table: usize): void {
  const size = 1 << QUIET_BLOCK_SHIFT;
  for (let b: i32 = 0; b * size < nBars; b++) {
    const base = table + (<usize>(b * MOMENT_BLOCK_F64) << 3);
    const from = b * size;
    const to = from + size < nBars ? from + size : nBars;
    const first = from > 1 ? from : 1;
    // the center of the block's previous closes (bar 0 has none: its Δ and x are 0)
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = first; t < to; t++) {
      lo = Math.min(lo, at(close, t - 1));
      hi = Math.max(hi, at(close, t - 1));
    }
    const center = lo <= hi ? (lo + hi) / 2 : at(close, 0);
    put(base, MOMENT_CENTER, center);
    put(base, MOMENT_XMAX, lo <= hi ? Math.max(hi - center, center - lo) : 0);
    put(base, MOMENT_LAST, at(close, to - 1));
    const sums = base + (<usize>MOMENT_SUMS << 3);
    for (let k: i32 = 0; k < 3 * MOMENT_TERMS; k++) put(sums, k, 0);
    for (let t = first; t < to; t++) {
      const d = at(close, t) - at(close, t - 1);
      const x = at(close, t - 1) - center;
      const d2 = d * d;
      // the (Δ < 0, Δ > 0) pair's slot of this bar's sign
      const squares = sums + (<usize>(MOMENT_TERMS + (d < 0 ? 0 : 1)) << 3);
      let p: f64 = 1;
      for (let k: i32 = 0; k < MOMENT_TERMS; k++) {
        put(sums, k, at(sums, k) + d * p);
        if (d != 0) put(squares, 2 * k, at(squares, 2 * k) + <f64>(k + 1) * d2 * p);
        p *= x;
      }
    }
  }
}
