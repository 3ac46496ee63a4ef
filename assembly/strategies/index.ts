// Built-in signal generators: each writes one target weight per bar (f64 columns in linear
// memory, laid out by the host). Ids and parameter meanings: src/strategies/ids.ts and the
// registry in src/strategies/index.ts.
import {
  STRATEGY_BOLLINGER,
  STRATEGY_BUY_HOLD,
  STRATEGY_DONCHIAN,
  STRATEGY_EMA_CROSS,
  STRATEGY_RSI,
  STRATEGY_SMA_CROSS,
} from "../../src/strategies/ids";
import { bollinger } from "./bollinger";
import { buyHold } from "./buy-hold";
import { donchian } from "./donchian";
import { emaCross } from "./ema-cross";
import { pair } from "./pair";
import { rsi } from "./rsi";
import { smaCross } from "./sma-cross";

/**
 * Target weights of a single-symbol strategy, written to `outPtr` (nBars f64). Parameters in
 * registry order: sma/ema (fast, slow), rsi (period, lower, upper), donchian (period),
 * bollinger (period, k); integer parameters arrive as whole f64 values. An unknown id
 * (pair, signals) leaves the output untouched.
 */
export function computeSingle(
  strategyId: i32,
  p0: f64,
  p1: f64,
  p2: f64,
  nBars: i32,
  closePtr: usize,
  highPtr: usize,
  lowPtr: usize,
  outPtr: usize,
): void {
  if (strategyId == STRATEGY_BUY_HOLD) buyHold(nBars, outPtr);
  else if (strategyId == STRATEGY_SMA_CROSS) smaCross(<i32>p0, <i32>p1, nBars, closePtr, outPtr);
  else if (strategyId == STRATEGY_EMA_CROSS) emaCross(<i32>p0, <i32>p1, nBars, closePtr, outPtr);
  else if (strategyId == STRATEGY_RSI) rsi(<i32>p0, p1, p2, nBars, closePtr, outPtr);
  else if (strategyId == STRATEGY_DONCHIAN) donchian(<i32>p0, nBars, closePtr, highPtr, lowPtr, outPtr);
  else if (strategyId == STRATEGY_BOLLINGER) bollinger(<i32>p0, p1, nBars, closePtr, outPtr);
}

/**
 * Target weights of `pair` from the host-computed log spread ln(A) − ln(B) (nBars f64 at
 * `spreadPtr`), A's weights to `outAPtr`, B's to `outBPtr`.
 */
export function computePair(
  lookback: i32,
  entry: f64,
  exit: f64,
  nBars: i32,
  spreadPtr: usize,
  outAPtr: usize,
  outBPtr: usize,
): void {
  pair(lookback, entry, exit, nBars, spreadPtr, outAPtr, outBPtr);
}

export { smaCrossBatch, smaCrossExpand } from "./sma-batch";
