// Quiet bars of a one-symbol run: bars with no queued fill, no funding event, no liquidation
// (isolated: the MP open and adverse extreme stay off LP; cross: cross.ts's pathSafe bound holds
// at the adverse extreme) and no new target. On such a bar steps 1–4 and 6 do nothing, so only
// step 5 is left: mark, margin ratio and metrics, with the position and the metric state held in
// locals. Any bar that is not quiet goes back to index.ts's full step. Every value is computed
// with the same operations in the same order as the full step and assembly/metrics.ts, so a run
// gives the same bits with or without this path (the property tests run both against the
// TypeScript reference).
import { bracketIndexAt } from "../brackets";
import {
  BR_CUM,
  BR_FLOOR,
  BR_MMR,
  BRACKET_FIELDS,
  METRICS_BLOCK,
  P_ENTRY,
  P_IW,
  P_LAST_TARGET,
  P_LP,
  P_MM_FIXED,
  P_QTY,
  P_SIDE,
  S_FUNDING,
  S_MARK_CLOSE,
  S_MARK_HIGH,
  S_MARK_LOW,
  S_MARK_OPEN,
  S_TARGETS,
} from "../../src/engine/layout";
import * as M from "../metrics";
import * as S from "./state";
import { colPtr, pget } from "./state";

// The bracket of the last notional marked: [lo, hi) and its line (tables are sound here).
let bracketLo: f64 = 0;
let bracketHi: f64 = 0;
let bracketMmr: f64 = 0;
let bracketCum: f64 = 0;

// @ts-ignore: decorator
@inline function at(ptr: usize, t: i32): f64 {
  return load<f64>(ptr + (<usize>t << 3));
}

function findBracket(notional: f64): void {
  const table = S.tablePtr(0);
  const rows = S.tableRows(0);
  const k = bracketIndexAt(table, rows, notional);
  const row = table + (<usize>(k * BRACKET_FIELDS) << 3);
  bracketLo = k == 0 ? -Infinity : load<f64>(row + (<usize>BR_FLOOR << 3));
  bracketHi = k + 1 < rows ? load<f64>(row + (<usize>(BRACKET_FIELDS + BR_FLOOR) << 3)) : Infinity;
  bracketMmr = load<f64>(row + (<usize>BR_MMR << 3));
  bracketCum = load<f64>(row + (<usize>BR_CUM << 3));
}

/** account.ts mmAt for symbol 0 under the brackets: N × mmr_k − cum_k. */
// @ts-ignore: decorator
@inline function bracketMM(notional: f64): f64 {
  if (!(notional >= bracketLo && notional < bracketHi)) findBracket(notional);
  return notional * bracketMmr - bracketCum;
}

/**
 * Runs the quiet bars from t0 on and returns the first bar it did not run (t0 when bar t0 is not
 * quiet). Stops before the last bar (it closes the position) and at the end of a metrics block.
 */
export function quietBars(t0: i32): i32 {
  if (t0 == 0 || S.anyPending || S.ruined) return t0;
  let end = S.nBars - 1;
  const room = METRICS_BLOCK - M.blockN;
  if (t0 + room < end) end = t0 + room;
  if (t0 >= end) return t0;

  const side = pget(0, P_SIDE);
  const open = side != 0;
  const isolated = S.isolated;
  const qty = pget(0, P_QTY);
  const entry = pget(0, P_ENTRY);
  const iw = pget(0, P_IW);
  const lp = pget(0, P_LP);
  const fixedMM = S.threshold >= 0;
  const mmFixed = pget(0, P_MM_FIXED);
  const wallet = S.wallet;
  const absWallet = Math.abs(wallet);
  const slack = S.mmSlack;
  const lastTarget = pget(0, P_LAST_TARGET);
  const records = S.records;
  const equityPtr = S.equityPtr;
  const ratioPtr = S.ratioPtr;
  const markOpen = colPtr(0, S_MARK_OPEN);
  const markLow = colPtr(0, S_MARK_LOW);
  const markHigh = colPtr(0, S_MARK_HIGH);
  const markClose = colPtr(0, S_MARK_CLOSE);
  const targets = colPtr(0, S_TARGETS);
  const hasFunding = S.sym(0, S_FUNDING) != 0;
  const funding = hasFunding ? colPtr(0, S_FUNDING) : 0;
  const sq = side * qty;

  let maxRatio = S.maxMarginRatio;
  let prev = M.prev;
  let shift = M.shift;
  let s1 = M.s1;
  let s2 = M.s2;
  let downside = M.downside;
  let growth = M.growth;
  let peak = M.peak;
  let maxDrawdown = M.maxDrawdown;
  // The lowest equity since the peak last rose: for a fixed peak, 1 − E / peak is largest there.
  let trough: f64 = Infinity;

  let t = t0;
  for (; t < end; t++) {
    // Steps 1, 2, 4 and 6 must have nothing to do.
    if (open) {
      if (hasFunding && !isNaN(at(funding, t))) break;
      if (isolated) {
        const o = at(markOpen, t);
        if (side == 1 ? o <= lp || at(markLow, t) <= lp : o >= lp || at(markHigh, t) >= lp) break;
      } else {
        // cross.ts pathSafe, one position at its adverse extreme
        const p = side == 1 ? at(markLow, t) : at(markHigh, t);
        const m = fixedMM ? mmFixed : bracketMM(qty * p);
        const f = wallet + (side * qty * (p - entry) - m);
        const scale = absWallet + (qty * p + qty * entry + Math.abs(m));
        if (!(f > 1e-9 * scale + slack)) break;
      }
    }
    const w = at(targets, t);
    if (!isNaN(w) && w != lastTarget) break;

    // Step 5.
    let equity = wallet;
    let ratio: f64 = 0;
    if (open) {
      const c = at(markClose, t);
      const upnl = sq * (c - entry);
      const m = fixedMM ? mmFixed : bracketMM(qty * c);
      if (isolated) {
        const margin = iw + upnl;
        equity = wallet + margin;
        if (!(equity > 0)) break;
        // the division only when the ratio could be a new maximum (or is recorded)
        if (records || (margin > 0 && m > maxRatio * margin * 0.999999)) {
          const r = m / margin;
          if (r > 0) ratio = r;
        }
      } else {
        equity = wallet + upnl;
        if (!(equity > 0)) break;
        if (m > 0 && (records || m > maxRatio * equity * 0.999999)) ratio = m / equity;
      }
      if (ratio > maxRatio) maxRatio = ratio;
    } else if (!(equity > 0)) {
      break;
    }

    // metrics.ts metricsAddBar
    const r = prev > 0 ? equity / prev - 1 : 0;
    const d = r - shift;
    s1 += d;
    s2 += d * d;
    // r × [r < 0] rather than min(r, 0): V8 lowers f64.min to branches that r's sign mispredicts
    const loss = r * <f64>(r < 0);
    downside += loss * loss;
    growth *= 1 + r;
    if (equity > peak) {
      if (trough < peak) {
        const dd = 1 - trough / peak;
        if (dd > maxDrawdown) maxDrawdown = dd;
      }
      peak = equity;
      trough = equity;
    } else if (equity < trough) {
      trough = equity;
    }
    prev = equity;
    if (records) {
      store<f64>(equityPtr + (<usize>t << 3), equity);
      store<f64>(ratioPtr + (<usize>t << 3), ratio);
    }
  }
  if (t == t0) return t0;

  if (trough < peak) {
    const dd = 1 - trough / peak;
    if (dd > maxDrawdown) maxDrawdown = dd;
  }
  M.prev = prev;
  M.last = prev;
  M.s1 = s1;
  M.s2 = s2;
  M.downside = downside;
  M.growth = growth;
  M.peak = peak;
  M.maxDrawdown = maxDrawdown;
  M.blockN += t - t0;
  if (M.blockN == METRICS_BLOCK) M.metricsMergeBlock();
  S.maxMarginRatio = maxRatio;
  if (open) S.exposedBars += <f64>(t - t0);
  return t;
}
