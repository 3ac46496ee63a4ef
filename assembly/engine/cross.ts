// The cross account condition and its intrabar trigger (SPEC §3.4, docs/semantics.md): every
// position moves on the straight line from its MP open to its adverse extreme,
// p_i(λ) = open_i + λ (adverse_i − open_i); equity − MM is linear in λ between the points where
// some notional reaches a bracket floor, so the walk solves each segment exactly.
import { bracketIndexAt } from "../brackets";
import {
  BR_FLOOR,
  BRACKET_FIELDS,
  P_ENTRY,
  P_PRICE,
  P_QTY,
  P_SIDE,
  S_MARK_HIGH,
  S_MARK_LOW,
  S_MARK_OPEN,
} from "../../src/engine/layout";
import { mmAt } from "./account";
import { col, mmSlack, nSym, pget, pset, tablePtr, tableRows, tablesSound, threshold, wallet } from "./state";

/** Cross margin balance minus maintenance, every open position at its P_PRICE. */
export function crossSurplus(): f64 {
  let f = wallet;
  for (let i: i32 = 0; i < nSym; i++) {
    const side = pget(i, P_SIDE);
    if (side == 0) continue;
    const price = pget(i, P_PRICE);
    f += side * pget(i, P_QTY) * (price - pget(i, P_ENTRY)) - mmAt(i, price);
  }
  return f;
}

/** Sets every P_PRICE to the MP open of bar t. */
export function openPrices(t: i32): void {
  for (let i: i32 = 0; i < nSym; i++) pset(i, P_PRICE, col(i, S_MARK_OPEN, t));
}

// @ts-ignore: decorator
@inline function adverse(i: i32, t: i32): f64 {
  return pget(i, P_SIDE) == 1 ? col(i, S_MARK_LOW, t) : col(i, S_MARK_HIGH, t);
}

/** Sets every P_PRICE to p_i(λ) on bar t's path. */
export function pathPrices(t: i32, lambda: f64): void {
  for (let i: i32 = 0; i < nSym; i++) {
    const o = col(i, S_MARK_OPEN, t);
    pset(i, P_PRICE, o + lambda * (adverse(i, t) - o));
  }
}

// @ts-ignore: decorator
@inline function floorOf(i: i32, k: i32): f64 {
  return load<f64>(tablePtr(i) + (<usize>(k * BRACKET_FIELDS + BR_FLOOR) << 3));
}

/** The next λ in (a, 1) at which some position's notional reaches a bracket floor, else 1. */
function nextBreak(t: i32, a: f64): f64 {
  let b: f64 = 1;
  if (threshold >= 0) return b;
  for (let i: i32 = 0; i < nSym; i++) {
    if (pget(i, P_SIDE) == 0) continue;
    const qty = pget(i, P_QTY);
    const o = col(i, S_MARK_OPEN, t);
    const d = adverse(i, t) - o;
    if (d == 0) continue;
    const rows = tableRows(i);
    const k = bracketIndexAt(tablePtr(i), rows, qty * (o + a * d));
    let floor: f64;
    if (d > 0) {
      if (k + 1 >= rows) continue;
      floor = floorOf(i, k + 1);
    } else {
      if (k == 0) continue;
      floor = floorOf(i, k);
    }
    const lambda = (floor / qty - o) / d;
    if (lambda > a && lambda < b) b = lambda;
  }
  return b;
}

/**
 * A cheap proof that bar t's path cannot reach the account condition: each position's term
 * s q (p − EP) − MM(q p) falls as its price moves toward the adverse extreme (its slope is
 * q (1 ∓ mmr) and MM is continuous), so f(λ) ≥ f(1) on [0, 1]. f(1) must clear a margin that
 * covers the rounding of the walk's own evaluations and any MM jump a table's cum leaves, so the
 * walk (and the gap check at λ = 0) would have found f > 0 everywhere: skipping them changes no bit.
 */
export function pathSafe(t: i32): bool {
  if (!tablesSound) return false;
  pathPrices(t, 1);
  let f = wallet;
  let scale = Math.abs(wallet);
  for (let i: i32 = 0; i < nSym; i++) {
    const side = pget(i, P_SIDE);
    if (side == 0) continue;
    const price = pget(i, P_PRICE);
    const qty = pget(i, P_QTY);
    const entry = pget(i, P_ENTRY);
    const m = mmAt(i, price);
    f += side * qty * (price - entry) - m;
    scale += qty * price + qty * entry + Math.abs(m);
  }
  return f > 1e-9 * scale + mmSlack;
}

/** The smallest λ in [0, 1] where the account condition holds on bar t's path, or −1. */
export function crossTrigger(t: i32): f64 {
  if (pathSafe(t)) return -1;
  let a: f64 = 0;
  pathPrices(t, 0);
  let fa = crossSurplus();
  if (fa <= 0) return 0;
  for (;;) {
    const b = nextBreak(t, a);
    pathPrices(t, b);
    const fb = crossSurplus();
    if (fb <= 0) return a + ((b - a) * fa) / (fa - fb);
    if (b >= 1) return -1;
    a = b;
    fa = fb;
  }
  return -1;
}
