// A float chosen without a branch. V8 lowers a wasm `select` of f64 values, like f64.min and
// f64.max, to a branch, and a branch on a position's side mispredicts at nearly every flip of a
// sma-cross run; a select of the values' bits is a cmov. The chosen value keeps its bits.

/** `c ? a : b`, bit for bit, by a conditional move. */
// @ts-ignore: decorator
@inline export function pick(c: bool, a: f64, b: f64): f64 {
  return reinterpret<f64>(select<i64>(reinterpret<i64>(a), reinterpret<i64>(b), c));
}
