// SPEC §7 metrics in one streaming pass (blocked Welford variance, running peak, running
// product), so a run never keeps its equity curve to measure it. The kernel's assembly/metrics.ts
// is the twin, and assembly/engine/quiet.ts its unrolled copy for quiet bars.
//
// The variance is Welford's in blocks: within a block of METRICS_BLOCK returns it sums
// d = r − shift and d², shifted by the running mean (the first return for the first block), and
// at the block's end merges (count, mean, M2) into the running ones with Chan et al.'s pairwise
// update. Plain Welford divides by n on every bar, a loop-carried division that caps the kernel's
// bar rate; the blocked form has only additions per bar and the same robustness (centred sums;
// a constant return series gives M2 = 0 exactly). The block sums, the downside sum and the
// downside sum are each kept in two parts, for even and odd bars, so that the kernel can add two
// bars at once in f64x2 lanes and still give the same bits.
//
// Π(1 + r_t) telescopes: over a segment of bars whose previous equity is > 0 it is the ratio of
// the segment's last equity to the equity before its first bar (r_t = 0 elsewhere contributes 1).
// It is kept as that ratio per segment, which needs no work on most bars; the bits differ from a
// running product by rounding only (~1e-14 relative over a million bars, fewer roundings).
import { METRICS_BLOCK } from './layout.js';
import type { Metrics } from './types.js';

/** The run totals the simulator counts itself and hands over when it finishes. */
export interface RunTotals {
  /** Bars per year: 365 days / the bar interval. */
  barsPerYear: number;
  exposedBars: number;
  liquidations: number;
  liquidationLoss: number;
  fees: number;
  funding: number;
  rejectedOrders: number;
  maxMarginRatio: number;
  ruined: boolean;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

export class MetricsAccumulator {
  private readonly balance: number;
  private prev: number;
  private last: number;
  private n = 0;
  private mean = 0;
  private m2 = 0;
  // the open block; the sums and the downside are kept apart for even and odd bars
  // (index & 1), which lets the kernel add two bars at once in f64x2 lanes with the same bits
  private blockN = 0;
  private shift = 0;
  private s1 = [0, 0];
  private s2 = [0, 0];
  private downside = [0, 0];
  /** Π(1 + r) of the finished segments (see the top), and the equity the open one starts from (0: none). */
  private growthDone = 1;
  private segmentStart: number;
  private peak: number;
  private maxDrawdown = 0;
  private trades = 0;
  private wins = 0;
  private gains = 0;
  private losses = 0;
  private pnlSum = 0;

  constructor(balance: number) {
    this.balance = balance;
    this.prev = balance;
    this.last = balance;
    this.peak = balance;
    this.segmentStart = balance > 0 ? balance : 0;
  }

  /** One equity point per bar, at its close. */
  addBar(equity: number): void {
    const r = this.prev > 0 ? equity / this.prev - 1 : 0;
    const bar = this.n + this.blockN;
    if (bar === 0) this.shift = r;
    const p = bar & 1;
    const d = r - this.shift;
    this.s1[p] += d;
    this.s2[p] += d * d;
    if (r < 0) this.downside[p] += r * r;
    if (this.segmentStart > 0) {
      if (!(equity > 0)) {
        this.growthDone *= equity / this.segmentStart;
        this.segmentStart = 0;
      }
    } else if (equity > 0) {
      this.segmentStart = equity;
    }
    if (++this.blockN === METRICS_BLOCK) this.mergeBlock();
    if (equity > this.peak) this.peak = equity;
    if (this.peak > 0) {
      const dd = 1 - equity / this.peak;
      if (dd > this.maxDrawdown) this.maxDrawdown = dd;
    }
    this.prev = equity;
    this.last = equity;
  }

  /** Chan et al.'s merge of the open block into the running count, mean and M2. */
  private mergeBlock(): void {
    const nb = this.blockN;
    if (nb === 0) return;
    const s1 = this.s1[0]! + this.s1[1]!;
    const s2 = this.s2[0]! + this.s2[1]!;
    const blockMean = this.shift + s1 / nb;
    const blockM2 = Math.max(0, s2 - (s1 * s1) / nb);
    const total = this.n + nb;
    const delta = blockMean - this.mean;
    this.mean += (delta * nb) / total;
    this.m2 += blockM2 + (delta * delta * this.n * nb) / total;
    this.n = total;
    this.shift = this.mean;
    this.s1 = [0, 0];
    this.s2 = [0, 0];
    this.blockN = 0;
  }

  /** One trade closed by a signal or a liquidation (trades closed at the end are not counted). */
  addTrade(pnl: number): void {
    this.trades++;
    this.pnlSum += pnl;
    if (pnl > 0) {
      this.wins++;
      this.gains += pnl;
    } else if (pnl < 0) {
      this.losses -= pnl;
    }
  }

  finish(totals: RunTotals): Metrics {
    this.mergeBlock();
    const n = this.n;
    const ann = totals.barsPerYear;
    const std = n > 1 ? Math.sqrt(this.m2 / (n - 1)) : NaN;
    const sqrtAnn = Math.sqrt(ann);
    const growth = this.segmentStart > 0 ? this.growthDone * (this.last / this.segmentStart) : this.growthDone;
    const downside = this.downside[0]! + this.downside[1]!;
    const annualizedReturn = n > 0 ? Math.pow(growth, ann / n) - 1 : NaN;
    const downsideDev = n > 0 ? Math.sqrt(downside / n) : NaN;
    return {
      finalEquity: this.last,
      totalReturn: this.last / this.balance - 1,
      annualizedReturn: finite(annualizedReturn),
      volatility: finite(std * sqrtAnn),
      sharpe: finite((this.mean / std) * sqrtAnn),
      sortino: finite((this.mean * ann) / (downsideDev * sqrtAnn)),
      maxDrawdown: this.maxDrawdown,
      calmar: finite(annualizedReturn / this.maxDrawdown),
      trades: this.trades,
      winRate: this.trades > 0 ? this.wins / this.trades : null,
      profitFactor: this.losses > 0 ? finite(this.gains / this.losses) : null,
      expectancy: this.trades > 0 ? finite(this.pnlSum / this.trades) : null,
      exposure: n > 0 ? totals.exposedBars / n : 0,
      liquidations: totals.liquidations,
      liquidationLoss: totals.liquidationLoss,
      fees: totals.fees,
      funding: totals.funding,
      rejectedOrders: totals.rejectedOrders,
      maxMarginRatio: totals.maxMarginRatio,
      ruined: totals.ruined,
    };
  }
}
