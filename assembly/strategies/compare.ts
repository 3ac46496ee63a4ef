// SPEC §4 comparisons, the kernel twin of src/strategies/compare.ts.

// @ts-ignore: decorator
@inline export const EPSILON: f64 = 1e-10;

/**
 * `a > b` under SPEC §4: `a − b > ε × max(|a|, |b|)`. The max by pmax (maxpd), which V8 emits as
 * one instruction where it lowers f64.max to branches and a NaN check: the same value whenever
 * a − b is not NaN, and a NaN difference fails the test either way.
 */
// @ts-ignore: decorator
@inline export function gt(a: f64, b: f64): bool {
  const scale = f64x2.extract_lane(f64x2.pmax(f64x2.splat(Math.abs(a)), f64x2.splat(Math.abs(b))), 0);
  return a - b > EPSILON * scale;
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
