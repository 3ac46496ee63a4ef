// SPEC §4 comparisons, the kernel twin of src/strategies/compare.ts.

// @ts-ignore: decorator
@inline export const EPSILON: f64 = 1e-10;

/** `a > b` under SPEC §4: `a − b > ε × max(|a|, |b|)`. */
// @ts-ignore: decorator
@inline export function gt(a: f64, b: f64): bool {
  return a - b > EPSILON * Math.max(Math.abs(a), Math.abs(b));
}

/** `a < b` under SPEC §4. */
// @ts-ignore: decorator
@inline export function lt(a: f64, b: f64): bool {
  return gt(b, a);
}

// @ts-ignore: decorator
@inline export function at(ptr: usize, i: i32): f64 {
  return load<f64>(ptr + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function put(ptr: usize, i: i32, v: f64): void {
  store<f64>(ptr + (<usize>i << 3), v);
}
