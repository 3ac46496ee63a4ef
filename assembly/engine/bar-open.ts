// Steps 1–4 of a bar (SPEC §3) at its open: funding → gap check → fills (closes, then opens) →
// intrabar check, and at the last bar the closing of what is left. index.ts runs them before
// marking the bar; quiet.ts runs them itself for a bar that opens a quiet stretch (a fill or a
// funding event, nothing else), then marks the bar in the stretch.
import {
  P_FUNDING,
  P_IW,
  P_LP,
  P_OPEN_FILL,
  P_OPEN_QTY,
  P_OPEN_SIDE,
  P_PENDING,
  P_QTY,
  P_SIDE,
  REASON_END,
  REASON_SIGNAL,
  S_FUNDING,
  S_MARK_CLOSE,
  S_MARK_HIGH,
  S_MARK_LOW,
  S_MARK_OPEN,
  S_OPEN,
  WHERE_INTRABAR,
  WHERE_OPEN,
} from "../../src/engine/layout";
import { anyOpen, floorCrossWallet, increase, liquidateCross, liquidateIsolated, reduce, refreshLp } from "./account";
import { crossSurplus, crossTrigger, openPrices, pathPrices, pathSafe } from "./cross";
import * as S from "./state";
import { col, pget, pset, sym } from "./state";

/** Steps 1–4 of bar t, and at the last bar the closing of every position at the MP close. */
export function stepOpen(t: i32): void {
  settleFunding(t);
  gapCheck(t);
  fills(t);
  if (anyOpen()) S.exposedBars += 1;
  intrabarCheck(t);

  // End of data: close what is left at the MP close, without fee.
  if (t == S.nBars - 1) {
    for (let i: i32 = 0; i < S.nSym; i++) {
      if (pget(i, P_SIDE) != 0) reduce(i, t, pget(i, P_QTY), col(i, S_MARK_CLOSE, t), 0, REASON_END);
    }
    floorCrossWallet();
  }
}

/** Step 1: funding at the open, paid by every position held into it (s × q × MP_open × rate). */
function settleFunding(t: i32): void {
  const known = S.fundingKnown;
  S.fundingKnown = false;
  for (let i: i32 = 0; i < S.nSym; i++) {
    const side = pget(i, P_SIDE);
    if (side == 0 || sym(i, S_FUNDING) == 0) continue;
    const rate = known ? S.knownRate : col(i, S_FUNDING, t);
    if (isNaN(rate)) continue;
    const pay = side * pget(i, P_QTY) * col(i, S_MARK_OPEN, t) * rate;
    if (S.isolated) {
      pset(i, P_IW, pget(i, P_IW) - pay);
      refreshLp(i);
    } else {
      S.wallet -= pay;
    }
    pset(i, P_FUNDING, pget(i, P_FUNDING) + pay);
    S.totalFunding += pay;
  }
}

/** Step 2: liquidation of what the MP open already finds past its condition. */
function gapCheck(t: i32): void {
  S.pathSafeBar = false;
  if (S.isolated) {
    for (let i: i32 = 0; i < S.nSym; i++) {
      const side = pget(i, P_SIDE);
      const lp = pget(i, P_LP);
      if (side == 0 || isNaN(lp)) continue;
      const o = col(i, S_MARK_OPEN, t);
      if (side == 1 ? o <= lp : o >= lp) liquidateIsolated(i, t, o, WHERE_OPEN);
    }
  } else if (anyOpen()) {
    // The path bound covers the open too (λ = 0); it usually spares the whole intrabar walk.
    S.pathSafeBar = pathSafe(t);
    if (S.pathSafeBar) return;
    openPrices(t);
    if (crossSurplus() <= 0) liquidateCross(t, WHERE_OPEN);
  }
}

/** Step 3: the queued orders fill at the open, closes and reductions first, then opens. */
function fills(t: i32): void {
  if (!S.anyPending) {
    floorCrossWallet();
    return;
  }
  S.anyPending = false;
  const slip = S.slippage;
  for (let i: i32 = 0; i < S.nSym; i++) {
    pset(i, P_OPEN_QTY, 0);
    const target = pget(i, P_PENDING);
    if (isNaN(target)) continue;
    pset(i, P_PENDING, NaN);
    S.pathSafeBar = false;
    const side = pget(i, P_SIDE);
    const qty = pget(i, P_QTY);
    const open = col(i, S_OPEN, t);
    const current = side * qty;
    const atOpen = target / open;
    const move = atOpen - current;
    if (move == 0) continue;
    const fill = move > 0 ? open * (1 + slip) : open * (1 - slip);
    // (without slippage the fill is the open: the same division, done once)
    const next = fill == open ? atOpen : target / fill;
    if (move > 0 ? next <= current : next >= current) continue;
    if (side != 0 && (next == 0 || (next > 0) != (side == 1))) {
      reduce(i, t, qty, fill, qty * fill * S.feeRate, REASON_SIGNAL);
      if (next != 0) {
        pset(i, P_OPEN_QTY, Math.abs(next));
        pset(i, P_OPEN_FILL, fill);
        pset(i, P_OPEN_SIDE, next > 0 ? 1 : -1);
      }
    } else if (Math.abs(next) < qty) {
      const dq = qty - Math.abs(next);
      reduce(i, t, dq, fill, dq * fill * S.feeRate, REASON_SIGNAL);
    } else {
      pset(i, P_OPEN_QTY, Math.abs(next) - qty);
      pset(i, P_OPEN_FILL, fill);
      pset(i, P_OPEN_SIDE, next > 0 ? 1 : -1);
    }
  }
  floorCrossWallet();
  for (let i: i32 = 0; i < S.nSym; i++) {
    const dq = pget(i, P_OPEN_QTY);
    if (dq == 0 || S.ruined) continue;
    if (!increase(i, t, pget(i, P_OPEN_SIDE), dq, pget(i, P_OPEN_FILL))) S.rejected += 1;
  }
}

/** Step 4: liquidation on the path from the MP open to the adverse extreme. */
function intrabarCheck(t: i32): void {
  if (S.isolated) {
    for (let i: i32 = 0; i < S.nSym; i++) {
      const side = pget(i, P_SIDE);
      const lp = pget(i, P_LP);
      if (side == 0 || isNaN(lp)) continue;
      const o = col(i, S_MARK_OPEN, t);
      if (side == 1) {
        if (o <= lp) liquidateIsolated(i, t, o, WHERE_INTRABAR);
        else if (col(i, S_MARK_LOW, t) <= lp) liquidateIsolated(i, t, lp, WHERE_INTRABAR);
      } else {
        if (o >= lp) liquidateIsolated(i, t, o, WHERE_INTRABAR);
        else if (col(i, S_MARK_HIGH, t) >= lp) liquidateIsolated(i, t, lp, WHERE_INTRABAR);
      }
    }
  } else if (anyOpen() && !S.pathSafeBar) {
    const lambda = crossTrigger(t);
    if (lambda >= 0) {
      pathPrices(t, lambda);
      liquidateCross(t, WHERE_INTRABAR);
    }
  }
}
