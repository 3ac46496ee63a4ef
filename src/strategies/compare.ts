// SPEC §4 comparisons: a relative tolerance so that rolling sums and averages that are equal
// on paper (flat prices, exact ties) compare as equal despite f64 rounding.

export const EPSILON = 1e-10;

/** `a > b` under SPEC §4: `a − b > ε × max(|a|, |b|)`. */
export function gt(a: number, b: number): boolean {
  return a - b > EPSILON * Math.max(Math.abs(a), Math.abs(b));
}

/** `a < b` under SPEC §4. */
export function lt(a: number, b: number): boolean {
  return gt(b, a);
}
