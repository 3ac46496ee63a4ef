// Keeping only the bars that every series has (`--align inner`): a merge over sorted times.

/** The times present in every array (each ascending, no duplicates). */
export function commonTimes(series: Float64Array[]): Float64Array {
  if (series.length === 0) return new Float64Array(0);
  let common = series[0]!;
  for (const other of series.slice(1)) {
    const out = new Float64Array(Math.min(common.length, other.length));
    let i = 0, j = 0, k = 0;
    while (i < common.length && j < other.length) {
      const a = common[i]!, b = other[j]!;
      if (a === b) {
        out[k++] = a;
        i++;
        j++;
      } else if (a < b) i++;
      else j++;
    }
    common = out.subarray(0, k);
  }
  return common;
}

/** Indices into `time` of each of `wanted` (a subset of `time`, both ascending). */
export function indicesOf(time: Float64Array, wanted: Float64Array): Int32Array {
  const idx = new Int32Array(wanted.length);
  let i = 0;
  for (let k = 0; k < wanted.length; k++) {
    while (time[i]! < wanted[k]!) i++;
    idx[k] = i;
  }
  return idx;
}

/** `values` at `idx`, or `values` itself when `idx` selects every element. */
export function take(values: Float64Array, idx: Int32Array): Float64Array {
  if (idx.length === values.length) return values;
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = values[idx[k]!]!;
  return out;
}

/** Half-open index range [lo, hi) of the ascending `time` within [from, to). */
export function rangeIndices(time: Float64Array, from?: number, to?: number): [number, number] {
  const lower = (x: number): number => {
    let lo = 0, hi = time.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (time[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const lo = from === undefined ? 0 : lower(from);
  return [lo, Math.max(lo, to === undefined ? time.length : lower(to))];
}
