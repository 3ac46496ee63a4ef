// SPEC §7 metrics in one streaming pass: blocked Welford mean/variance of the bar returns,
// downside sum, running peak and drawdown, growth by segments, trade statistics. Twin of
// src/engine/metrics.ts (MetricsAccumulator, where the blocked variance is explained): the same
// operations in the same order. The bar state is exported for assembly/engine/quiet.ts, which
// keeps it in locals across a stretch of quiet bars.
import {
  METRICS_BLOCK,
  M_ANNUALIZED_RETURN,
  M_CALMAR,
  M_EXPECTANCY,
  M_EXPOSURE,
  M_FINAL_EQUITY,
  M_MAX_DRAWDOWN,
  M_PROFIT_FACTOR,
  M_SHARPE,
  M_SORTINO,
  M_TOTAL_RETURN,
  M_TRADES,
  M_VOLATILITY,
  M_WIN_RATE,
} from "../src/engine/layout";

let balance: f64 = 0;
export let prev: f64 = 0;
export let last: f64 = 0;
let n: f64 = 0;
let mean: f64 = 0;
let m2: f64 = 0;
// the open block of returns; the sums and the downside apart for even and odd bars
export let blockN: i32 = 0;
export let shift: f64 = 0;
export let s1Even: f64 = 0;
export let s1Odd: f64 = 0;
export let s2Even: f64 = 0;
export let s2Odd: f64 = 0;
export let downsideEven: f64 = 0;
export let downsideOdd: f64 = 0;
// Π(1 + r) of the finished segments of bars with a previous equity > 0, and the equity the open one
// starts from (0: none); see MetricsAccumulator. A quiet stretch stays inside one segment.
let growthDone: f64 = 1;
let segmentStart: f64 = 0;
export let peak: f64 = 0;
/**
 * The lowest equity of quiet stretches since the peak last rose (quiet.ts), whose drawdown is not
 * counted yet: 1 − E / peak is largest there, so one division when the peak rises or the run ends
 * gives the same maximum as one per stretch.
 */
export let trough: f64 = Infinity;
let maxDrawdown: f64 = 0;
let trades: f64 = 0;
let wins: f64 = 0;
let gains: f64 = 0;
let losses: f64 = 0;
let pnlSum: f64 = 0;

export function metricsReset(startBalance: f64): void {
  balance = startBalance;
  prev = startBalance;
  last = startBalance;
  n = 0;
  mean = 0;
  m2 = 0;
  blockN = 0;
  shift = 0;
  s1Even = 0;
  s1Odd = 0;
  s2Even = 0;
  s2Odd = 0;
  downsideEven = 0;
  downsideOdd = 0;
  growthDone = 1;
  segmentStart = startBalance > 0 ? startBalance : 0;
  peak = startBalance;
  trough = Infinity;
  maxDrawdown = 0;
  trades = 0;
  wins = 0;
  gains = 0;
  losses = 0;
  pnlSum = 0;
}

/** One equity point per bar, at its close. */
export function metricsAddBar(equity: f64): void {
  const r = prev > 0 ? equity / prev - 1 : 0;
  const bar = n + <f64>blockN;
  if (bar == 0) shift = r;
  const d = r - shift;
  // the bar's index parity: n is a multiple of METRICS_BLOCK (even)
  if ((blockN & 1) == 0) {
    s1Even += d;
    s2Even += d * d;
    if (r < 0) downsideEven += r * r;
  } else {
    s1Odd += d;
    s2Odd += d * d;
    if (r < 0) downsideOdd += r * r;
  }
  if (segmentStart > 0) {
    if (!(equity > 0)) {
      growthDone *= equity / segmentStart;
      segmentStart = 0;
    }
  } else if (equity > 0) {
    segmentStart = equity;
  }
  if (++blockN == METRICS_BLOCK) metricsMergeBlock();
  if (equity > peak) {
    // the stretches' trough belongs to the peak that ends here
    if (trough < peak) metricsDrawdownAt(trough, peak);
    trough = Infinity;
    peak = equity;
  }
  if (peak > 0) metricsDrawdownAt(equity, peak);
  prev = equity;
  last = equity;
}

/** The drawdown of `equity` under `peak` (> 0), kept when it is the largest yet. */
export function metricsDrawdownAt(equity: f64, peak: f64): void {
  const dd = 1 - equity / peak;
  if (dd > maxDrawdown) maxDrawdown = dd;
}

/** Chan et al.'s merge of the open block into the running count, mean and M2. */
export function metricsMergeBlock(): void {
  const nb = <f64>blockN;
  if (blockN == 0) return;
  const s1 = s1Even + s1Odd;
  const s2 = s2Even + s2Odd;
  const blockMean = shift + s1 / nb;
  const blockM2 = Math.max(0, s2 - (s1 * s1) / nb);
  const total = n + nb;
  const delta = blockMean - mean;
  mean += (delta * nb) / total;
  m2 += blockM2 + (delta * delta * n * nb) / total;
  n = total;
  shift = mean;
  s1Even = 0;
  s1Odd = 0;
  s2Even = 0;
  s2Odd = 0;
  blockN = 0;
}

/** One trade closed by a signal or a liquidation (not by the end of the data). */
export function metricsAddTrade(pnl: f64): void {
  trades += 1;
  pnlSum += pnl;
  // Wins and losses come in no order a branch predicts. Adding 0 leaves a sum ≥ 0 as it was, and
  // pmax / pmin pick an operand, so a NaN pnl adds nothing, as the twin's tests do.
  wins += <f64>(<i32>(pnl > 0));
  gains += f64x2.extract_lane(f64x2.pmax(f64x2.splat(0), f64x2.splat(pnl)), 0);
  losses -= f64x2.extract_lane(f64x2.pmin(f64x2.splat(0), f64x2.splat(pnl)), 0);
}

// @ts-ignore: decorator
@inline function finite(x: f64): f64 {
  return isFinite(x) ? x : NaN;
}

// @ts-ignore: decorator
@inline function put(outPtr: usize, slot: i32, x: f64): void {
  store<f64>(outPtr + (<usize>slot << 3), x);
}

/**
 * Writes the return, risk and trade metrics to the M_* slots at `outPtr` (NaN = null). The
 * run totals (exposure's numerator, liquidations, fees…) are written by the engine.
 */
export function metricsFinish(outPtr: usize, ann: f64, exposedBars: f64): void {
  metricsMergeBlock();
  if (trough < peak) metricsDrawdownAt(trough, peak);
  trough = Infinity;
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const sqrtAnn = Math.sqrt(ann);
  const growth = segmentStart > 0 ? growthDone * (last / segmentStart) : growthDone;
  const downside = downsideEven + downsideOdd;
  const annualizedReturn = n > 0 ? Math.pow(growth, ann / n) - 1 : NaN;
  const downsideDev = n > 0 ? Math.sqrt(downside / n) : NaN;
  put(outPtr, M_FINAL_EQUITY, last);
  put(outPtr, M_TOTAL_RETURN, last / balance - 1);
  put(outPtr, M_ANNUALIZED_RETURN, finite(annualizedReturn));
  put(outPtr, M_VOLATILITY, finite(std * sqrtAnn));
  put(outPtr, M_SHARPE, finite((mean / std) * sqrtAnn));
  put(outPtr, M_SORTINO, finite((mean * ann) / (downsideDev * sqrtAnn)));
  put(outPtr, M_MAX_DRAWDOWN, maxDrawdown);
  put(outPtr, M_CALMAR, finite(annualizedReturn / maxDrawdown));
  put(outPtr, M_TRADES, trades);
  put(outPtr, M_WIN_RATE, trades > 0 ? wins / trades : NaN);
  put(outPtr, M_PROFIT_FACTOR, losses > 0 ? gains / losses : NaN);
  put(outPtr, M_EXPECTANCY, trades > 0 ? pnlSum / trades : NaN);
  put(outPtr, M_EXPOSURE, n > 0 ? exposedBars / n : 0);
}
