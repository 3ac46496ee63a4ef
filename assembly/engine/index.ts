// The bar loop of one run (SPEC §3): funding → gap check → fills (closes, then opens) →
// intrabar check (bar-open.ts), then mark to market → decide (here). Everything comes from the
// run descriptor the host writes at `descPtr` (src/engine/layout.ts); results go back to its
// output slots and to the record buffers. No allocation, no exceptions.
import {
  BR_CUM,
  BR_FLOOR,
  BR_MMR,
  BRACKET_FIELDS,
  D_ANN,
  D_BALANCE,
  D_EQUITY_PTR,
  D_FEE_RATE,
  D_LEVERAGE,
  D_LIQ_COUNT,
  D_LIQ_FEE_RATE,
  D_LIQS_CAP,
  D_LIQS_PTR,
  D_METRICS,
  D_MODE,
  D_N_BARS,
  D_N_SYMBOLS,
  D_RATIO_PTR,
  D_RECORDS,
  D_SCRATCH_PTR,
  D_SIZE,
  D_SIZING,
  D_SLIPPAGE,
  D_SYMBOLS_PTR,
  D_THRESHOLD,
  D_TIME_PTR,
  D_TRADE_COUNT,
  D_TRADES_CAP,
  D_TRADES_PTR,
  M_FEES,
  M_FUNDING,
  M_LIQUIDATION_LOSS,
  M_LIQUIDATIONS,
  M_MAX_MARGIN_RATIO,
  M_REJECTED_ORDERS,
  M_RUINED,
  MODE_ISOLATED,
  P_ENTRY,
  P_IW,
  P_LAST_TARGET,
  P_LP,
  P_PENDING,
  P_QTY,
  P_SIDE,
  POS_FIELDS,
  S_MARK_CLOSE,
  SIZING_FIXED,
} from "../../src/engine/layout";
import { metricsAddBar, metricsFinish, metricsReset } from "../metrics";
import { mmAt, queueTarget } from "./account";
import { stepOpen } from "./bar-open";
import { openedAt, quietBars, resetQuiet, targetAt } from "./quiet";
import { liqCount, recordsReset, tradeCount } from "./records";
import * as S from "./state";
import { col, pget, pset } from "./state";

// @ts-ignore: decorator
@inline function slot(descPtr: usize, s: i32): f64 {
  return load<f64>(descPtr + (<usize>s << 3));
}

// @ts-ignore: decorator
@inline function setSlot(descPtr: usize, s: i32, x: f64): void {
  store<f64>(descPtr + (<usize>s << 3), x);
}

// @ts-ignore: decorator
@inline function tableField(i: i32, k: i32, f: i32): f64 {
  return load<f64>(S.tablePtr(i) + (<usize>(k * BRACKET_FIELDS + f) << 3));
}

/** Sets S.tablesSound and S.mmSlack for this run's tables (see cross.ts pathSafe). */
function checkTables(): void {
  let sound = true;
  let slack: f64 = 0;
  for (let i: i32 = 0; i < S.nSym; i++) {
    const rows = S.tableRows(i);
    if (rows < 1) sound = false;
    for (let k: i32 = 0; k < rows; k++) {
      const mmr = tableField(i, k, BR_MMR);
      if (!(mmr >= 0 && mmr < 1)) sound = false;
      if (k == 0) continue;
      const floor = tableField(i, k, BR_FLOOR);
      if (!(floor >= tableField(i, k - 1, BR_FLOOR))) sound = false;
      const below = floor * tableField(i, k - 1, BR_MMR) - tableField(i, k - 1, BR_CUM);
      const above = floor * mmr - tableField(i, k, BR_CUM);
      slack += Math.abs(above - below);
    }
  }
  S.tablesSound = sound && isFinite(slack);
  S.mmSlack = slack;
}

function begin(descPtr: usize): void {
  S.nBars = <i32>slot(descPtr, D_N_BARS);
  S.nSym = <i32>slot(descPtr, D_N_SYMBOLS);
  S.isolated = slot(descPtr, D_MODE) == MODE_ISOLATED;
  S.threshold = slot(descPtr, D_THRESHOLD);
  S.leverage = slot(descPtr, D_LEVERAGE);
  S.feeRate = slot(descPtr, D_FEE_RATE);
  S.slippage = slot(descPtr, D_SLIPPAGE);
  S.liqFeeRate = slot(descPtr, D_LIQ_FEE_RATE);
  S.records = slot(descPtr, D_RECORDS) != 0;
  S.timePtr = <usize>slot(descPtr, D_TIME_PTR);
  S.symbolsPtr = <usize>slot(descPtr, D_SYMBOLS_PTR);
  S.scratchPtr = <usize>slot(descPtr, D_SCRATCH_PTR);
  const balance = slot(descPtr, D_BALANCE);
  S.wallet = balance;
  S.ruined = false;
  S.anyPending = false;
  S.fundingKnown = false;
  S.group = 0;
  S.totalFees = 0;
  S.totalFunding = 0;
  S.rejected = 0;
  S.liquidations = 0;
  S.liquidationLoss = 0;
  metricsReset(balance);
  if (S.records) {
    recordsReset(
      <usize>slot(descPtr, D_TRADES_PTR),
      <i32>slot(descPtr, D_TRADES_CAP),
      <usize>slot(descPtr, D_LIQS_PTR),
      <i32>slot(descPtr, D_LIQS_CAP),
    );
  } else {
    recordsReset(0, 0, 0, 0);
  }
  for (let i: i32 = 0; i < S.nSym; i++) {
    for (let f: i32 = 0; f < POS_FIELDS; f++) pset(i, f, 0);
    pset(i, P_LP, NaN);
    pset(i, P_PENDING, NaN);
    S.cacheSymbol(i);
  }
  checkTables();
}

/** Steps 5–6 of bar t (bar-open.ts stepOpen did steps 1–4), for any number of symbols. */
function stepClose(t: i32): void {
  const nBars = S.nBars;
  const nSym = S.nSym;
  // Step 5: mark to market at the close.
  let equity = S.wallet;
  let ratio: f64 = 0;
  let sumMM: f64 = 0;
  for (let i: i32 = 0; i < nSym; i++) {
    const side = pget(i, P_SIDE);
    if (side == 0) continue;
    const c = col(i, S_MARK_CLOSE, t);
    const upnl = side * pget(i, P_QTY) * (c - pget(i, P_ENTRY));
    const m = mmAt(i, c);
    if (S.isolated) {
      const iw = pget(i, P_IW);
      equity += iw + upnl;
      const r = m / (iw + upnl);
      if (r > ratio) ratio = r;
    } else {
      equity += upnl;
      sumMM += m;
    }
  }
  if (!S.isolated && sumMM > 0) ratio = sumMM / equity;
  if (ratio > S.maxMarginRatio) S.maxMarginRatio = ratio;
  metricsAddBar(equity);
  if (equity <= 0) S.ruined = true;
  if (S.records) {
    store<f64>(S.equityPtr + (<usize>t << 3), equity);
    store<f64>(S.ratioPtr + (<usize>t << 3), ratio);
  }

  // Step 6: the targets decided at this close fill at the next open.
  if (S.ruined || t == nBars - 1) return;
  for (let i: i32 = 0; i < nSym; i++) {
    const w = targetAt(i, t);
    if (!isNaN(w) && w != pget(i, P_LAST_TARGET)) queueTarget(i, w, equity);
  }
}

/** Runs the whole simulation described at `descPtr`. */
export function runEngine(descPtr: usize): void {
  begin(descPtr);
  S.equityPtr = <usize>slot(descPtr, D_EQUITY_PTR);
  S.ratioPtr = <usize>slot(descPtr, D_RATIO_PTR);
  S.sizingFixed = slot(descPtr, D_SIZING) == SIZING_FIXED;
  S.size = slot(descPtr, D_SIZE);
  S.exposedBars = 0;
  S.maxMarginRatio = 0;
  const nBars = S.nBars;
  // One symbol: stretches of bars where nothing can happen but marking run in quiet.ts.
  const quiet = S.nSym == 1 && S.tablesSound;
  resetQuiet();
  let t: i32 = 0;
  while (t < nBars) {
    if (quiet) {
      const next = quietBars(t);
      if (next != t) {
        t = next;
        continue;
      }
    }
    // quietBars may have done the open's steps of bar t already, then found it not quiet
    if (!openedAt(t)) stepOpen(t);
    stepClose(t);
    t++;
  }

  const out = descPtr + (<usize>D_METRICS << 3);
  metricsFinish(out, slot(descPtr, D_ANN), S.exposedBars);
  setSlot(out, M_LIQUIDATIONS, S.liquidations);
  setSlot(out, M_LIQUIDATION_LOSS, S.liquidationLoss);
  setSlot(out, M_FEES, S.totalFees);
  setSlot(out, M_FUNDING, S.totalFunding);
  setSlot(out, M_REJECTED_ORDERS, S.rejected);
  setSlot(out, M_MAX_MARGIN_RATIO, S.maxMarginRatio);
  setSlot(out, M_RUINED, S.ruined ? 1 : 0);
  setSlot(descPtr, D_TRADE_COUNT, <f64>tradeCount);
  setSlot(descPtr, D_LIQ_COUNT, <f64>liqCount);
}
