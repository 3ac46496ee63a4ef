// pair (SPEC §4): z-score of the log price spread ln(A) − ln(B) over the last `lookback`
// spreads (current included). z > entry → A −1, B +1; z < −entry → A +1, B −1;
// |z| < exit → both 0; otherwise unchanged. A window whose std ≤ 1e-12 changes nothing.
import { gt, lt } from './compare.js';

/** Below this population std the z-score is meaningless (SPEC §4). */
export const MIN_STD = 1e-12;

/**
 * ln(closeA) − ln(closeB) per bar. The host computes it (once per dataset) and hands it to the
 * kernel too: AssemblyScript's Math.log differs from V8's in the last bit on ~0.5% of inputs,
 * and sharing the spread keeps the kernel and this reference bit for bit equal.
 */
export function logSpread(closeA: Float64Array, closeB: Float64Array, out = new Float64Array(closeA.length)): Float64Array {
  for (let t = 0; t < closeA.length; t++) out[t] = Math.log(closeA[t]) - Math.log(closeB[t]);
  return out;
}

/** Writes A's weights to `outA` and B's (always the opposite side) to `outB`. */
export function pairFromSpread(
  spread: Float64Array,
  lookback: number,
  entry: number,
  exit: number,
  outA = new Float64Array(spread.length),
  outB = new Float64Array(spread.length),
): [Float64Array, Float64Array] {
  let wA = 0;
  let wB = 0;
  for (let t = 0; t < spread.length; t++) {
    if (t >= lookback - 1) {
      const start = t - lookback + 1;
      let sum = 0;
      for (let i = start; i <= t; i++) sum += spread[i];
      const mean = sum / lookback;
      let squares = 0;
      for (let i = start; i <= t; i++) {
        const d = spread[i] - mean;
        squares += d * d;
      }
      const std = Math.sqrt(squares / lookback);
      if (std > MIN_STD) {
        const z = (spread[t] - mean) / std;
        if (gt(z, entry)) {
          wA = -1;
          wB = 1;
        } else if (lt(z, -entry)) {
          wA = 1;
          wB = -1;
        } else if (lt(Math.abs(z), exit)) {
          wA = 0;
          wB = 0;
        }
      }
    }
    outA[t] = wA;
    outB[t] = wB;
  }
  return [outA, outB];
}

export function pair(
  closeA: Float64Array,
  closeB: Float64Array,
  lookback: number,
  entry: number,
  exit: number,
): [Float64Array, Float64Array] {
  return pairFromSpread(logSpread(closeA, closeB), lookback, entry, exit);
}
