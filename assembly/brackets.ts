// Maintenance margin, bracket lookup and liquidation prices on flat bracket tables
// (layout: MAX_BRACKETS rows of BRACKET_FIELDS f64, see src/engine/layout.ts). Twin of
// src/engine/brackets.ts: the same formulas in the same operation order, so both agree bit for
// bit. Tables are written by the host (packBracketTable); nRows ≥ 1 rows are used.
import { BRACKET_FIELDS, BR_CAP, BR_CUM, BR_FLOOR, BR_MAXLEV, BR_MMR } from "../src/engine/layout";

// @ts-ignore: decorator
@inline function field(tablePtr: usize, row: i32, f: i32): f64 {
  return load<f64>(tablePtr + ((<usize>(row * BRACKET_FIELDS + f)) << 3));
}

/**
 * Bracket of `notional`: floor ≤ N < cap (a notional on a floor is in the upper tier), the last
 * bracket beyond its cap. Floors strictly increase (the host validates every table), so the walk
 * stops at the first floor above N, like its twin bracketIndex; the bar loop itself keeps the
 * bracket it found and rarely comes here.
 */
export function bracketIndexAt(tablePtr: usize, nRows: i32, notional: f64): i32 {
  let k: i32 = 0;
  while (k + 1 < nRows && field(tablePtr, k + 1, BR_FLOOR) <= notional) k++;
  return k;
}

/**
 * bracketIndexAt, starting from a guess: `hint` when the notional still lies in [floor_hint,
 * floor_hint+1), else the full count. The same result whenever the floors are non-decreasing
 * (the host validates the tables; the engine checks it again before using hints), and a NaN
 * notional never passes the test, so it falls back too.
 */
export function bracketIndexFrom(tablePtr: usize, nRows: i32, notional: f64, hint: i32): i32 {
  if (
    <u32>hint < <u32>nRows &&
    (hint == 0 || field(tablePtr, hint, BR_FLOOR) <= notional) &&
    (hint + 1 >= nRows || field(tablePtr, hint + 1, BR_FLOOR) > notional)
  ) {
    return hint;
  }
  return bracketIndexAt(tablePtr, nRows, notional);
}

/** MM of `notional` in bracket k: N × mmr_k − cum_k. */
// @ts-ignore: decorator
@inline export function bracketMM(tablePtr: usize, k: i32, notional: f64): f64 {
  return notional * field(tablePtr, k, BR_MMR) - field(tablePtr, k, BR_CUM);
}

/** MM = q × P × mmr_k − cum_k, k the bracket of q × P. */
export function maintenanceMarginAt(tablePtr: usize, nRows: i32, qty: f64, price: f64): f64 {
  const notional = qty * price;
  const k = bracketIndexAt(tablePtr, nRows, notional);
  return notional * field(tablePtr, k, BR_MMR) - field(tablePtr, k, BR_CUM);
}

/** SPEC §2 leverage rule: 1 when the notional lies in a bracket (≤ last cap) with maxLeverage ≥ L. */
export function orderAllowedAt(tablePtr: usize, nRows: i32, notional: f64, leverage: f64): i32 {
  if (!(notional <= field(tablePtr, nRows - 1, BR_CAP))) return 0;
  return <i32>(field(tablePtr, bracketIndexAt(tablePtr, nRows, notional), BR_MAXLEV) >= leverage);
}

// @ts-ignore: decorator
@inline function lineRoot(tablePtr: usize, k: i32, side: f64, qty: f64, entry: f64, wallet: f64): f64 {
  const mmr = field(tablePtr, k, BR_MMR);
  const cum = field(tablePtr, k, BR_CUM);
  // The twin's two branches as one expression with s = −side: a product by ±1 is exact, so
  // (a + s·w) + s·c is (a − w) − c for a long and (a + w) + c for a short, bit for bit, and no
  // branch on the side mispredicts at every flip of a position.
  const s = -side;
  return (qty * entry + s * wallet + s * cum) / (qty * (1 + s * mmr));
}

/**
 * SPEC §2 ISOLATED liquidation price (side +1 long, −1 short), NaN when no P > 0 exists. Walks
 * from the entry's bracket toward the root; a non-positive root from a high bracket restarts at
 * the first; a change of direction (rounding on a floor) keeps the current root. See the TS twin.
 */
export function isolatedLiquidationPriceAt(
  tablePtr: usize,
  nRows: i32,
  side: f64,
  qty: f64,
  entry: f64,
  wallet: f64,
): f64 {
  const last = nRows - 1;
  let k = bracketIndexAt(tablePtr, nRows, qty * entry);
  let dir: i32 = 0;
  for (let guard: i32 = 0; guard <= 2 * nRows + 1; guard++) {
    const p = lineRoot(tablePtr, k, side, qty, entry, wallet);
    if (!(p > 0)) {
      if (k == 0) return NaN;
      k = 0;
      dir = 0;
      continue;
    }
    const n = qty * p;
    let want: i32 = 0;
    if (n < field(tablePtr, k, BR_FLOOR)) want = -1;
    else if (k < last && n >= field(tablePtr, k, BR_CAP)) want = 1;
    if (want == 0 || (dir != 0 && want != dir)) return p;
    dir = want;
    k += want;
  }
  return NaN;
}

/** Where IW + s q (P − EP) = 0; NaN when that price is not positive. */
export function bankruptcyPriceAt(side: f64, qty: f64, entry: f64, wallet: f64): f64 {
  const p = (qty * entry - side * wallet) / qty;
  return p > 0 ? p : NaN;
}
