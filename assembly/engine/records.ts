// Trade and liquidation records, written to the host's buffers when the run asks for them.
// Counts keep running past the capacity, so the host sees an overflow and never loses records
// silently (it re-runs with room for all of them).
import {
  L_GROUP,
  L_LOSS,
  L_PROXY,
  L_SIDE,
  L_SYMBOL,
  L_TIME,
  L_TRIGGER,
  L_WHERE,
  LIQ_FIELDS,
  T_ENTRY_PRICE,
  T_ENTRY_TIME,
  T_EXIT_PRICE,
  T_EXIT_TIME,
  T_FEES,
  T_FUNDING,
  T_PNL,
  T_QTY,
  T_REASON,
  T_SIDE,
  T_SYMBOL,
  TRADE_FIELDS,
} from "../../src/engine/layout";

export let tradesPtr: usize = 0;
export let tradesCap: i32 = 0;
export let tradeCount: i32 = 0;
export let liqsPtr: usize = 0;
export let liqsCap: i32 = 0;
export let liqCount: i32 = 0;

export function recordsReset(trades: usize, tCap: i32, liqs: usize, lCap: i32): void {
  tradesPtr = trades;
  tradesCap = tCap;
  tradeCount = 0;
  liqsPtr = liqs;
  liqsCap = lCap;
  liqCount = 0;
}

// @ts-ignore: decorator
@inline function put(base: usize, field: i32, x: f64): void {
  store<f64>(base + (<usize>field << 3), x);
}

export function recordTrade(
  symbol: i32,
  side: f64,
  entryTime: f64,
  exitTime: f64,
  qty: f64,
  entryPrice: f64,
  exitPrice: f64,
  pnl: f64,
  fees: f64,
  funding: f64,
  reason: i32,
): void {
  if (tradeCount < tradesCap) {
    const at = tradesPtr + (<usize>(tradeCount * TRADE_FIELDS) << 3);
    put(at, T_SYMBOL, <f64>symbol);
    put(at, T_SIDE, side);
    put(at, T_ENTRY_TIME, entryTime);
    put(at, T_EXIT_TIME, exitTime);
    put(at, T_QTY, qty);
    put(at, T_ENTRY_PRICE, entryPrice);
    put(at, T_EXIT_PRICE, exitPrice);
    put(at, T_PNL, pnl);
    put(at, T_FEES, fees);
    put(at, T_FUNDING, funding);
    put(at, T_REASON, <f64>reason);
  }
  tradeCount++;
}

export function recordLiquidation(
  time: f64,
  symbol: i32,
  side: f64,
  trigger: f64,
  where: i32,
  loss: f64,
  group: f64,
  proxy: f64,
): void {
  if (liqCount < liqsCap) {
    const at = liqsPtr + (<usize>(liqCount * LIQ_FIELDS) << 3);
    put(at, L_TIME, time);
    put(at, L_SYMBOL, <f64>symbol);
    put(at, L_SIDE, side);
    put(at, L_TRIGGER, trigger);
    put(at, L_WHERE, <f64>where);
    put(at, L_LOSS, loss);
    put(at, L_GROUP, group);
    put(at, L_PROXY, proxy);
  }
  liqCount++;
}
