// Isolated and cross accounting: fills (reductions and increases), liquidations, trade
// closing. The same formulas in the same operation order as src/engine/reference.ts, so the two
// agree bit for bit (docs/semantics.md).
import { bracketIndexAt, bracketIndexFrom, bracketMM, isolatedLiquidationPriceAt, orderAllowedAt } from "../brackets";
import { metricsAddTrade } from "../metrics";
import {
  P_BOOKED,
  P_BRACKET,
  POS_FIELDS,
  P_ENTRY,
  P_ENTRY_BAR,
  P_ENTRY_VALUE,
  P_EXIT_VALUE,
  P_FEES,
  P_FUNDING,
  P_IW,
  P_LAST_TARGET,
  P_LP,
  P_MM_FIXED,
  P_PENDING,
  P_PRICE,
  P_QTY,
  P_QTY_IN,
  P_QTY_OUT,
  P_SIDE,
  P_TRADE_FIELDS,
  REASON_END,
  REASON_LIQUIDATION,
  S_MARK_OPEN,
  S_PROXY,
} from "../../src/engine/layout";
import { recordLiquidation, recordTrade } from "./records";
import {
  anyPending,
  barTime,
  col,
  feeRate,
  group,
  isolated,
  leverage,
  liqFeeRate,
  liquidationLoss,
  liquidations,
  nSym,
  pget,
  pset,
  records,
  ruined,
  scratchPtr,
  size,
  sizingFixed,
  sym,
  tablePtr,
  tablesSound,
  tableRows,
  threshold,
  totalFees,
  wallet,
} from "./state";

/** Maintenance margin of position i at `price` (fixed under the threshold model). */
export function mmAt(i: i32, price: f64): f64 {
  if (threshold >= 0) return pget(i, P_MM_FIXED);
  // maintenanceMarginAt's arithmetic; the bracket found last time is tried first, since the
  // notional rarely leaves its bracket from one bar to the next.
  const table = tablePtr(i);
  const rows = tableRows(i);
  const notional = pget(i, P_QTY) * price;
  let k: i32;
  if (tablesSound) {
    const at = scratchPtr + (<usize>(i * POS_FIELDS + P_BRACKET) << 3);
    k = bracketIndexFrom(table, rows, notional, load<i32>(at));
    store<i32>(at, k);
  } else {
    k = bracketIndexAt(table, rows, notional);
  }
  return bracketMM(table, k, notional);
}

/**
 * Step 6 for position i: the new target w (not NaN, not the last one) decided at a close with
 * `equity` is queued for the next open, N_target = w × margin × L.
 */
export function queueTarget(i: i32, w: f64, equity: f64): void {
  pset(i, P_LAST_TARGET, w);
  const margin = sizingFixed ? size : size * equity;
  pset(i, P_PENDING, w * margin * leverage);
  anyPending = true;
}

export function anyOpen(): bool {
  for (let i: i32 = 0; i < nSym; i++) if (pget(i, P_SIDE) != 0) return true;
  return false;
}

/** Recomputes the cached isolated liquidation price of position i (NaN: none, or cross). */
export function refreshLp(i: i32): void {
  const side = pget(i, P_SIDE);
  if (!isolated || side == 0) {
    pset(i, P_LP, NaN);
    return;
  }
  const qty = pget(i, P_QTY);
  const entry = pget(i, P_ENTRY);
  const iw = pget(i, P_IW);
  if (threshold >= 0) {
    const lp = entry - (side * (iw - pget(i, P_MM_FIXED))) / qty;
    pset(i, P_LP, lp > 0 ? lp : NaN);
  } else {
    pset(i, P_LP, isolatedLiquidationPriceAt(tablePtr(i), tableRows(i), side, qty, entry, iw));
  }
}

function clearPosition(i: i32): void {
  // two fields per store (P_TRADE_FIELDS is even)
  const at = scratchPtr + (<usize>(i * POS_FIELDS) << 3);
  for (let f: i32 = 0; f < P_TRADE_FIELDS; f += 2) v128.store(at + (<usize>f << 3), f64x2.splat(0));
  pset(i, P_LP, NaN);
}

/** Ends position i's trade at bar t; trades closed at the end of data are not in the statistics. */
export function closeTrade(i: i32, t: i32, reason: i32): void {
  const pnl = pget(i, P_BOOKED) - pget(i, P_FEES) - pget(i, P_FUNDING);
  if (reason != REASON_END) metricsAddTrade(pnl);
  if (records) {
    const qtyIn = pget(i, P_QTY_IN);
    recordTrade(
      i,
      pget(i, P_SIDE),
      barTime(<i32>pget(i, P_ENTRY_BAR)),
      barTime(t),
      qtyIn,
      pget(i, P_ENTRY_VALUE) / qtyIn,
      pget(i, P_EXIT_VALUE) / pget(i, P_QTY_OUT),
      pnl,
      pget(i, P_FEES),
      pget(i, P_FUNDING),
      reason,
    );
  }
  clearPosition(i);
}

/** Cross: when nothing is left open and the wallet is negative, the insurance fund covers it. */
export function floorCrossWallet(): void {
  if (!isolated && wallet < 0 && !anyOpen()) {
    wallet = 0;
    ruined = true;
  }
}

/** Closes `dq` of position i at `fill` (phase 1 of the fills, or the end of data without fee). */
export function reduce(i: i32, t: i32, dq: f64, fill: f64, fee: f64, reason: i32): void {
  const side = pget(i, P_SIDE);
  const qty = pget(i, P_QTY);
  const price = side * dq * (fill - pget(i, P_ENTRY));
  let booked: f64;
  if (isolated) {
    const iw = pget(i, P_IW);
    const released = dq == qty ? iw : (iw * dq) / qty;
    const returned = Math.max(0, released + price);
    wallet += returned - fee;
    pset(i, P_IW, iw - released);
    booked = returned - released;
  } else {
    wallet += price - fee;
    booked = price;
  }
  pset(i, P_BOOKED, pget(i, P_BOOKED) + booked);
  pset(i, P_FEES, pget(i, P_FEES) + fee);
  pset(i, P_QTY_OUT, pget(i, P_QTY_OUT) + dq);
  pset(i, P_EXIT_VALUE, pget(i, P_EXIT_VALUE) + dq * fill);
  totalFees += fee;
  if (dq == qty) {
    closeTrade(i, t, reason);
  } else {
    const left = qty - dq;
    pset(i, P_QTY, left);
    if (threshold >= 0) pset(i, P_MM_FIXED, pget(i, P_MM_FIXED) * (left / qty));
    refreshLp(i);
  }
}

/** Opens or increases position i by `dq` at `fill` (phase 2); false when refused. */
export function increase(i: i32, t: i32, side: f64, dq: f64, fill: f64): bool {
  const qty = pget(i, P_QTY);
  const notional = (qty + dq) * fill;
  if (!orderAllowedAt(tablePtr(i), tableRows(i), notional, leverage)) return false;
  const fee = dq * fill * feeRate;
  const margin = (dq * fill) / leverage;
  if (isolated) {
    if (!(wallet >= margin + fee)) return false;
    wallet -= margin + fee;
    pset(i, P_IW, pget(i, P_IW) + margin);
  } else {
    let available = wallet;
    for (let j: i32 = 0; j < nSym; j++) {
      const s = pget(j, P_SIDE);
      if (s != 0) {
        const q = pget(j, P_QTY);
        const e = pget(j, P_ENTRY);
        available += s * q * (col(j, S_MARK_OPEN, t) - e) - (q * e) / leverage;
      }
    }
    if (!(available >= margin + fee)) return false;
    wallet -= fee;
  }
  if (pget(i, P_SIDE) == 0) {
    pset(i, P_SIDE, side);
    pset(i, P_ENTRY_BAR, <f64>t);
  }
  const entry = (qty * pget(i, P_ENTRY) + dq * fill) / (qty + dq);
  const grown = qty + dq;
  pset(i, P_ENTRY, entry);
  pset(i, P_QTY, grown);
  if (threshold >= 0) pset(i, P_MM_FIXED, ((1 - threshold) * grown * entry) / leverage);
  pset(i, P_QTY_IN, pget(i, P_QTY_IN) + dq);
  pset(i, P_ENTRY_VALUE, pget(i, P_ENTRY_VALUE) + dq * fill);
  pset(i, P_FEES, pget(i, P_FEES) + fee);
  totalFees += fee;
  refreshLp(i);
  return true;
}

/** Closes isolated position i at `price`; what is left of IW after the fee returns to the free wallet. */
export function liquidateIsolated(i: i32, t: i32, price: f64, where: i32): void {
  const side = pget(i, P_SIDE);
  const qty = pget(i, P_QTY);
  const iw = pget(i, P_IW);
  const notional = qty * price;
  const upnl = side * qty * (price - pget(i, P_ENTRY));
  const returned = Math.max(0, iw + upnl - liqFeeRate * notional);
  const loss = iw - returned;
  wallet += returned;
  group += 1;
  liquidations += 1;
  liquidationLoss += loss;
  if (records) recordLiquidation(barTime(t), i, side, price, where, loss, group, sym(i, S_PROXY));
  pset(i, P_BOOKED, pget(i, P_BOOKED) - loss);
  pset(i, P_QTY_OUT, pget(i, P_QTY_OUT) + qty);
  pset(i, P_EXIT_VALUE, pget(i, P_EXIT_VALUE) + qty * price);
  closeTrade(i, t, REASON_LIQUIDATION);
}

/** Closes every cross position at its P_PRICE; the loss is split as SPEC §7 says. */
export function liquidateCross(t: i32, where: i32): void {
  let sumN: f64 = 0;
  let sumUpnl: f64 = 0;
  for (let i: i32 = 0; i < nSym; i++) {
    const side = pget(i, P_SIDE);
    if (side == 0) continue;
    const qty = pget(i, P_QTY);
    const price = pget(i, P_PRICE);
    sumN += qty * price;
    sumUpnl += side * qty * (price - pget(i, P_ENTRY));
  }
  const raw = wallet + sumUpnl - liqFeeRate * sumN;
  const after = Math.max(0, raw);
  const cover = after - raw;
  group += 1;
  for (let i: i32 = 0; i < nSym; i++) {
    const side = pget(i, P_SIDE);
    if (side == 0) continue;
    const qty = pget(i, P_QTY);
    const price = pget(i, P_PRICE);
    const n = qty * price;
    const upnl = side * qty * (price - pget(i, P_ENTRY));
    const loss = -upnl + liqFeeRate * n - (cover * n) / sumN;
    liquidations += 1;
    liquidationLoss += loss;
    if (records) recordLiquidation(barTime(t), i, side, price, where, loss, group, sym(i, S_PROXY));
    pset(i, P_BOOKED, pget(i, P_BOOKED) - loss);
    pset(i, P_QTY_OUT, pget(i, P_QTY_OUT) + qty);
    pset(i, P_EXIT_VALUE, pget(i, P_EXIT_VALUE) + n);
    closeTrade(i, t, REASON_LIQUIDATION);
  }
  wallet = after;
}
