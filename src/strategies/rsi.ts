// rsi (SPEC §4): Wilder's RSI, mean reversion. Flat → +1 below `lower`, → −1 above `upper`;
// a long exits to 0 once RSI ≥ 50, a short once RSI ≤ 50. One transition per bar.
import { gt, lt } from './compare.js';

/** RSI from Wilder's averages: 100 when only gains, 50 when neither. */
export function rsiValue(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return avgGain === 0 ? 50 : 100;
  return 100 - 100 / (1 + avgGain / avgLoss);
}

/**
 * Wilder's RSI per bar; NaN for the first `period` bars (fewer than `period` changes). The
 * first averages are simple means of the first `period` gains and losses, then
 * avg = (avg × (period − 1) + x) / period.
 */
export function wilderRsi(close: Float64Array, period: number, out = new Float64Array(close.length)): Float64Array {
  let avgGain = 0;
  let avgLoss = 0;
  for (let t = 0; t < close.length; t++) {
    if (t > 0) {
      const change = close[t] - close[t - 1];
      const gain = change > 0 ? change : 0;
      const loss = change < 0 ? -change : 0;
      if (t <= period) {
        avgGain += gain;
        avgLoss += loss;
        if (t === period) {
          avgGain /= period;
          avgLoss /= period;
        }
      } else {
        avgGain = (avgGain * (period - 1) + gain) / period;
        avgLoss = (avgLoss * (period - 1) + loss) / period;
      }
    }
    out[t] = t >= period ? rsiValue(avgGain, avgLoss) : NaN;
  }
  return out;
}

export function rsi(
  close: Float64Array,
  period: number,
  lower: number,
  upper: number,
  out = new Float64Array(close.length),
): Float64Array {
  const values = wilderRsi(close, period);
  let w = 0;
  for (let t = 0; t < close.length; t++) {
    if (t >= period) {
      const r = values[t];
      if (w === 0) {
        if (lt(r, lower)) w = 1;
        else if (gt(r, upper)) w = -1;
      } else if (w === 1) {
        if (!lt(r, 50)) w = 0;
      } else if (!gt(r, 50)) {
        w = 0;
      }
    }
    out[t] = w;
  }
  return out;
}
