// Target weights computed outside the built-in strategies: a user function or a signals file.
// Both go through validateTargets, so the engine only ever sees well-formed columns.
import type { Candles } from '../data/schema.js';
import { UserError } from '../errors.js';

/**
 * A user strategy: from the candles to one target-weight column per symbol (vectorised, not per
 * bar). `w[t]` is decided at the close of bar t, lies in [−1, 1], and NaN means "no new target".
 * A single column may be returned as a bare Float64Array when the run has one symbol.
 */
export type TargetFunction = (candles: Candles) => Float64Array[] | Float64Array;

/**
 * Checks the shape and range of target columns from `source` (a file name or a description
 * such as "target function"): exactly `nSymbols` Float64Array columns of `nBars` values, each
 * NaN or within [−1, 1]. Returns the columns as an array.
 */
export function validateTargets(
  cols: unknown,
  nSymbols: number,
  nBars: number,
  source: string,
  symbols?: readonly string[],
): Float64Array[] {
  const list = cols instanceof Float64Array ? [cols] : cols;
  if (!Array.isArray(list)) {
    throw new UserError('target weights must be an array of Float64Array columns, one per symbol', { file: source });
  }
  if (list.length !== nSymbols) {
    throw new UserError(`expected ${nSymbols} target-weight column(s), one per symbol, got ${list.length}`, { file: source });
  }
  list.forEach((col: unknown, s: number) => {
    const field = symbols?.[s] ?? `column ${s}`;
    if (!(col instanceof Float64Array)) {
      throw new UserError('target weights must be a Float64Array', { file: source, field });
    }
    if (col.length !== nBars) {
      throw new UserError(`expected ${nBars} target weights (one per bar), got ${col.length}`, { file: source, field });
    }
    checkWeights(col, source, field);
  });
  return list as Float64Array[];
}

/** Every value NaN (no new target) or within [−1, 1]; rows are reported 1-based. */
export function checkWeights(col: Float64Array, file: string, field: string): void {
  for (let t = 0; t < col.length; t++) {
    const w = col[t];
    if (Number.isNaN(w)) continue;
    if (!(w >= -1 && w <= 1)) {
      throw new UserError(`target weight ${w} is outside [-1, 1]`, { file, row: t + 1, field });
    }
  }
}
