// Strict decimal parsing: Number() would take '' as 0 and '0x1A' as 26, which hides bad data.

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(?:nan|inf|infinity)$/i;

/** Result of parsing one numeric field: the number, or why it is not one. */
export type NumberProblem = 'not a number' | 'not a finite number';

/** The value of a decimal field, or NaN (see `numberProblem` for why). */
export function parseDecimal(text: string): number {
  const s = text.trim();
  if (!DECIMAL.test(s)) return NaN;
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** Why `text` failed `parseDecimal`. */
export function numberProblem(text: string): NumberProblem {
  const s = text.trim();
  return NON_FINITE.test(s) || DECIMAL.test(s) ? 'not a finite number' : 'not a number';
}
