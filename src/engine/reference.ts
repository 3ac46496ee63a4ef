// The reference simulator: SPEC.md §3 and docs/semantics.md in plain TypeScript, written to be
// read. The WASM kernel is its fast twin; property tests hold the two equal. Keep the
// arithmetic here in the same order as the kernel's, so they agree to the last bit.
import type { Candles } from '../data/schema.js';
import {
  isolatedLiquidationPrice,
  maintenanceMargin,
  orderAllowed,
  bracketIndex,
  type BracketTable,
} from './brackets.js';
import { MetricsAccumulator } from './metrics.js';
import type {
  BacktestResult,
  ExitReason,
  LiquidationRecord,
  RunSpec,
  TradeRecord,
} from './types.js';

const YEAR_MS = 365 * 86_400_000;

/** One symbol's position and the trade it belongs to. */
interface Position {
  side: 1 | -1 | 0;
  qty: number;
  entry: number;
  /** Isolated wallet (isolated mode only). */
  iw: number;
  /** Threshold model: the fixed maintenance margin. */
  mmFixed: number;
  /** Cached isolated liquidation price; NaN when there is none. */
  lp: number;
  // the open trade
  entryTime: number;
  qtyIn: number;
  entryValue: number;
  qtyOut: number;
  exitValue: number;
  booked: number;
  fees: number;
  funding: number;
}

function flat(): Position {
  return {
    side: 0, qty: 0, entry: 0, iw: 0, mmFixed: 0, lp: NaN,
    entryTime: 0, qtyIn: 0, entryValue: 0, qtyOut: 0, exitValue: 0, booked: 0, fees: 0, funding: 0,
  };
}

export function runReference(spec: RunSpec, candles: Candles, targets: Float64Array[]): BacktestResult {
  const nSym = spec.symbols.length;
  const nBars = candles.time.length;
  const time = candles.time;
  const series = candles.symbols;
  const isolated = spec.marginMode === 'isolated';
  const threshold = spec.liquidation.kind === 'threshold' ? spec.liquidation.x : -1;
  const L = spec.leverage;
  const tables: BracketTable[] = spec.brackets;
  // The price that drives margin: the mark candle, else the last-price candle (proxy).
  const mOpen = series.map((s) => (s.mark ?? s).open);
  const mHigh = series.map((s) => (s.mark ?? s).high);
  const mLow = series.map((s) => (s.mark ?? s).low);
  const mClose = series.map((s) => (s.mark ?? s).close);
  const proxy = series.map((s) => s.mark === null);

  const pos: Position[] = Array.from({ length: nSym }, flat);
  const lastTarget = new Float64Array(nSym);
  const pending = new Float64Array(nSym).fill(NaN);
  const openQty = new Float64Array(nSym);
  const openFill = new Float64Array(nSym);
  const openSide = new Int8Array(nSym);
  let wallet = spec.balance; // the free wallet (isolated) or the cross wallet
  let ruined = false;
  let group = 0;
  let fees = 0;
  let funding = 0;
  let rejected = 0;
  let liquidations = 0;
  let liquidationLoss = 0;
  let exposedBars = 0;
  let maxMarginRatio = 0;
  const metrics = new MetricsAccumulator(spec.balance);

  const records = spec.records;
  const eqTime = records ? new Float64Array(nBars) : null;
  const eqValue = records ? new Float64Array(nBars) : null;
  const eqRatio = records ? new Float64Array(nBars) : null;
  const trades: TradeRecord[] = [];
  const liqs: LiquidationRecord[] = [];

  const mm = (i: number, price: number): number =>
    threshold >= 0 ? pos[i]!.mmFixed : maintenanceMargin(tables[i]!, pos[i]!.qty, price);

  const anyOpen = (): boolean => {
    for (let i = 0; i < nSym; i++) if (pos[i]!.side !== 0) return true;
    return false;
  };

  const refreshLp = (i: number): void => {
    const p = pos[i]!;
    if (!isolated || p.side === 0) {
      p.lp = NaN;
      return;
    }
    if (threshold >= 0) {
      const lp = p.entry - (p.side * (p.iw - p.mmFixed)) / p.qty;
      p.lp = lp > 0 ? lp : NaN;
    } else {
      p.lp = isolatedLiquidationPrice(tables[i]!, p.side, p.qty, p.entry, p.iw) ?? NaN;
    }
  };

  const closeTrade = (i: number, t: number, reason: ExitReason): void => {
    const p = pos[i]!;
    const pnl = p.booked - p.fees - p.funding;
    if (reason !== 'end') metrics.addTrade(pnl);
    if (records) {
      trades.push({
        symbol: spec.symbols[i]!,
        side: p.side as 1 | -1,
        entryTime: p.entryTime,
        exitTime: time[t]!,
        qty: p.qtyIn,
        entryPrice: p.entryValue / p.qtyIn,
        exitPrice: p.exitValue / p.qtyOut,
        pnl,
        fees: p.fees,
        funding: p.funding,
        reason,
      });
    }
    pos[i] = flat();
  };

  /** Cross: when nothing is left open and the wallet is negative, the insurance fund covers it. */
  const floorCrossWallet = (): void => {
    if (!isolated && wallet < 0 && !anyOpen()) {
      wallet = 0;
      ruined = true;
    }
  };

  /** Closes `dq` of position i at `fill` (phase 1 of the fills, or the end of data without fee). */
  const reduce = (i: number, t: number, dq: number, fill: number, fee: number, reason: ExitReason): void => {
    const p = pos[i]!;
    const price = p.side * dq * (fill - p.entry);
    let booked: number;
    if (isolated) {
      const released = dq === p.qty ? p.iw : (p.iw * dq) / p.qty;
      const returned = Math.max(0, released + price);
      wallet += returned - fee;
      p.iw -= released;
      booked = returned - released;
    } else {
      wallet += price - fee;
      booked = price;
    }
    p.booked += booked;
    p.fees += fee;
    p.qtyOut += dq;
    p.exitValue += dq * fill;
    fees += fee;
    if (dq === p.qty) {
      closeTrade(i, t, reason);
    } else {
      const before = p.qty;
      p.qty -= dq;
      if (threshold >= 0) p.mmFixed *= p.qty / before;
      refreshLp(i);
    }
  };

  /** Opens or increases position i by `dq` at `fill` (phase 2); false when refused. */
  const increase = (i: number, t: number, side: 1 | -1, dq: number, fill: number): boolean => {
    const p = pos[i]!;
    const notional = (p.qty + dq) * fill;
    if (!orderAllowed(tables[i]!, notional, L)) return false;
    const fee = dq * fill * spec.feeRate;
    const margin = (dq * fill) / L;
    if (isolated) {
      if (!(wallet >= margin + fee)) return false;
      wallet -= margin + fee;
      p.iw += margin;
    } else {
      let available = wallet;
      for (let j = 0; j < nSym; j++) {
        const o = pos[j]!;
        if (o.side !== 0) available += o.side * o.qty * (mOpen[j]![t]! - o.entry) - (o.qty * o.entry) / L;
      }
      if (!(available >= margin + fee)) return false;
      wallet -= fee;
    }
    if (p.side === 0) {
      p.side = side;
      p.entryTime = time[t]!;
    }
    p.entry = (p.qty * p.entry + dq * fill) / (p.qty + dq);
    p.qty += dq;
    if (threshold >= 0) p.mmFixed = ((1 - threshold) * p.qty * p.entry) / L;
    p.qtyIn += dq;
    p.entryValue += dq * fill;
    p.fees += fee;
    fees += fee;
    refreshLp(i);
    return true;
  };

  const liquidateIsolated = (i: number, t: number, price: number, where: 'open' | 'intrabar'): void => {
    const p = pos[i]!;
    const notional = p.qty * price;
    const upnl = p.side * p.qty * (price - p.entry);
    const returned = Math.max(0, p.iw + upnl - spec.liquidationFeeRate * notional);
    const loss = p.iw - returned;
    wallet += returned;
    group++;
    liquidations++;
    liquidationLoss += loss;
    if (records) {
      liqs.push({ time: time[t]!, symbol: spec.symbols[i]!, side: p.side as 1 | -1, triggerPrice: price, where, loss, group, proxy: proxy[i]! });
    }
    p.booked -= loss;
    p.qtyOut += p.qty;
    p.exitValue += p.qty * price;
    closeTrade(i, t, 'liquidation');
  };

  /** Closes every cross position at `prices` (one per symbol; flat symbols ignored). */
  const liquidateCross = (t: number, prices: Float64Array, where: 'open' | 'intrabar'): void => {
    let sumN = 0;
    let sumUpnl = 0;
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      if (p.side === 0) continue;
      sumN += p.qty * prices[i]!;
      sumUpnl += p.side * p.qty * (prices[i]! - p.entry);
    }
    const raw = wallet + sumUpnl - spec.liquidationFeeRate * sumN;
    const after = Math.max(0, raw);
    const cover = after - raw;
    group++;
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      if (p.side === 0) continue;
      const price = prices[i]!;
      const n = p.qty * price;
      const upnl = p.side * p.qty * (price - p.entry);
      const loss = -upnl + spec.liquidationFeeRate * n - (cover * n) / sumN;
      liquidations++;
      liquidationLoss += loss;
      if (records) {
        liqs.push({ time: time[t]!, symbol: spec.symbols[i]!, side: p.side as 1 | -1, triggerPrice: price, where, loss, group, proxy: proxy[i]! });
      }
      p.booked -= loss;
      p.qtyOut += p.qty;
      p.exitValue += n;
      closeTrade(i, t, 'liquidation');
    }
    wallet = after;
  };

  const prices = new Float64Array(nSym);

  /** Cross margin balance minus maintenance with every position at `prices`. */
  const crossSurplus = (px: Float64Array): number => {
    let f = wallet;
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      if (p.side !== 0) f += p.side * p.qty * (px[i]! - p.entry) - mm(i, px[i]!);
    }
    return f;
  };

  const pathPrices = (t: number, lambda: number): Float64Array => {
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      const o = mOpen[i]![t]!;
      const adverse = p.side === 1 ? mLow[i]![t]! : mHigh[i]![t]!;
      prices[i] = o + lambda * (adverse - o);
    }
    return prices;
  };

  /** The next λ in (a, 1) at which some position's notional reaches a bracket floor, else 1. */
  const nextBreak = (t: number, a: number): number => {
    let b = 1;
    if (threshold >= 0) return b;
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      if (p.side === 0) continue;
      const table = tables[i]!;
      const o = mOpen[i]![t]!;
      const d = (p.side === 1 ? mLow[i]![t]! : mHigh[i]![t]!) - o;
      if (d === 0) continue;
      const k = bracketIndex(table, p.qty * (o + a * d));
      let floor: number;
      if (d > 0) {
        if (k + 1 >= table.length) continue;
        floor = table[k + 1]!.floor;
      } else {
        if (k === 0) continue;
        floor = table[k]!.floor;
      }
      const lambda = (floor / p.qty - o) / d;
      if (lambda > a && lambda < b) b = lambda;
    }
    return b;
  };

  /** SPEC §3.4 cross rule: the smallest λ where the account condition holds, or −1. */
  const crossTrigger = (t: number): number => {
    let a = 0;
    let fa = crossSurplus(pathPrices(t, 0));
    if (fa <= 0) return 0;
    for (;;) {
      const b = nextBreak(t, a);
      const fb = crossSurplus(pathPrices(t, b));
      if (fb <= 0) return a + ((b - a) * fa) / (fa - fb);
      if (b >= 1) return -1;
      a = b;
      fa = fb;
    }
  };

  for (let t = 0; t < nBars; t++) {
    // 1. Funding at the open.
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      const fr = series[i]!.fundingRate;
      if (p.side === 0 || fr === null) continue;
      const rate = fr[t]!;
      if (rate !== rate) continue;
      const pay = p.side * p.qty * mOpen[i]![t]! * rate;
      if (isolated) {
        p.iw -= pay;
        refreshLp(i);
      } else {
        wallet -= pay;
      }
      p.funding += pay;
      funding += pay;
    }

    // 2. Gap check at the MP open.
    if (isolated) {
      for (let i = 0; i < nSym; i++) {
        const p = pos[i]!;
        if (p.side === 0 || p.lp !== p.lp) continue;
        const o = mOpen[i]![t]!;
        if (p.side === 1 ? o <= p.lp : o >= p.lp) liquidateIsolated(i, t, o, 'open');
      }
    } else if (anyOpen()) {
      for (let i = 0; i < nSym; i++) prices[i] = mOpen[i]![t]!;
      if (crossSurplus(prices) <= 0) liquidateCross(t, prices, 'open');
    }

    // 3. Fills at the open: closes and reductions first, then opens and increases.
    for (let i = 0; i < nSym; i++) {
      openQty[i] = 0;
      const target = pending[i]!;
      if (target !== target) continue;
      pending[i] = NaN;
      const p = pos[i]!;
      const open = series[i]!.open[t]!;
      const current = p.side * p.qty;
      const move = target / open - current;
      if (move === 0) continue;
      const fill = move > 0 ? open * (1 + spec.slippage) : open * (1 - spec.slippage);
      const next = target / fill;
      if (move > 0 ? next <= current : next >= current) continue;
      if (p.side !== 0 && (next === 0 || (next > 0) !== (p.side === 1))) {
        reduce(i, t, p.qty, fill, p.qty * fill * spec.feeRate, 'signal');
        if (next !== 0) {
          openQty[i] = Math.abs(next);
          openFill[i] = fill;
          openSide[i] = next > 0 ? 1 : -1;
        }
      } else if (Math.abs(next) < p.qty) {
        const dq = p.qty - Math.abs(next);
        reduce(i, t, dq, fill, dq * fill * spec.feeRate, 'signal');
      } else {
        openQty[i] = Math.abs(next) - p.qty;
        openFill[i] = fill;
        openSide[i] = next > 0 ? 1 : -1;
      }
    }
    floorCrossWallet();
    for (let i = 0; i < nSym; i++) {
      const dq = openQty[i]!;
      if (dq === 0 || ruined) continue;
      if (!increase(i, t, openSide[i] as 1 | -1, dq, openFill[i]!)) rejected++;
    }
    if (anyOpen()) exposedBars++;

    // 4. Intrabar liquidation on the path from the MP open to the adverse extreme.
    if (isolated) {
      for (let i = 0; i < nSym; i++) {
        const p = pos[i]!;
        if (p.side === 0 || p.lp !== p.lp) continue;
        const o = mOpen[i]![t]!;
        if (p.side === 1) {
          if (o <= p.lp) liquidateIsolated(i, t, o, 'intrabar');
          else if (mLow[i]![t]! <= p.lp) liquidateIsolated(i, t, p.lp, 'intrabar');
        } else {
          if (o >= p.lp) liquidateIsolated(i, t, o, 'intrabar');
          else if (mHigh[i]![t]! >= p.lp) liquidateIsolated(i, t, p.lp, 'intrabar');
        }
      }
    } else if (anyOpen()) {
      const lambda = crossTrigger(t);
      if (lambda >= 0) liquidateCross(t, pathPrices(t, lambda), 'intrabar');
    }

    // End of data: close what is left at the MP close, without fee.
    if (t === nBars - 1) {
      for (let i = 0; i < nSym; i++) {
        const p = pos[i]!;
        if (p.side !== 0) reduce(i, t, p.qty, mClose[i]![t]!, 0, 'end');
      }
      floorCrossWallet();
    }

    // 5. Mark to market at the close.
    let equity = wallet;
    let ratio = 0;
    let sumMM = 0;
    for (let i = 0; i < nSym; i++) {
      const p = pos[i]!;
      if (p.side === 0) continue;
      const c = mClose[i]![t]!;
      const upnl = p.side * p.qty * (c - p.entry);
      const m = mm(i, c);
      if (isolated) {
        equity += p.iw + upnl;
        const r = m / (p.iw + upnl);
        if (r > ratio) ratio = r;
      } else {
        equity += upnl;
        sumMM += m;
      }
    }
    if (!isolated && sumMM > 0) ratio = sumMM / equity;
    if (ratio > maxMarginRatio) maxMarginRatio = ratio;
    metrics.addBar(equity);
    if (equity <= 0) ruined = true;
    if (records) {
      eqTime![t] = time[t]!;
      eqValue![t] = equity;
      eqRatio![t] = ratio;
    }

    // 6. Decide the targets for the next open.
    if (ruined || t === nBars - 1) continue;
    for (let i = 0; i < nSym; i++) {
      const w = targets[i]![t]!;
      if (w !== w || w === lastTarget[i]) continue;
      lastTarget[i] = w;
      const margin = spec.sizing.kind === 'fixed' ? spec.sizing.amount : spec.sizing.fraction * equity;
      pending[i] = w * margin * L;
    }
  }

  const result: BacktestResult = {
    metrics: metrics.finish({
      barsPerYear: candles.intervalMs ? YEAR_MS / candles.intervalMs : 1,
      exposedBars,
      liquidations,
      liquidationLoss,
      fees,
      funding,
      rejectedOrders: rejected,
      maxMarginRatio,
      ruined,
    }),
  };
  if (records) {
    result.equity = { time: eqTime!, equity: eqValue!, marginRatio: eqRatio! };
    result.trades = trades;
    result.liquidations = liqs;
  }
  return result;
}
