// Funding events onto bars, by SPEC §3.1: an event at time f settles at the open of the first bar
// whose open time t ≥ f − 60 s (Binance stamps events a few ms late, so the bar at t ≤ f ≤ t + 60 s
// takes it; otherwise the first bar opening after f). Events falling to one bar are summed.
// Events before the first bar's open, or with no bar opening at or after f − 60 s, are skipped.

/** Binance stamps funding events up to this late after the bar that settles them. */
export const FUNDING_LATENESS_MS = 60_000;

export interface FundingAssignment {
  /** Rate settled at each bar's open; NaN where no event settles. */
  rate: Float64Array;
  applied: number;
  /** Events before the first bar. */
  skippedBefore: number;
  /** Events after the last bar. */
  skippedAfter: number;
}

/**
 * `eventTime` must be ascending (ms); `time` is the bars' open times, ascending. `latenessMs` is
 * 0 for events already stamped with the open time of the bar that settles them.
 */
export function assignFunding(
  time: Float64Array,
  eventTime: Float64Array,
  eventRate: Float64Array,
  latenessMs = FUNDING_LATENESS_MS,
): FundingAssignment {
  const n = time.length;
  const rate = new Float64Array(n).fill(NaN);
  let applied = 0, skippedBefore = 0, skippedAfter = 0;
  let j = 0;
  for (let e = 0; e < eventTime.length; e++) {
    const f = eventTime[e]!;
    if (n === 0 || f < time[0]!) {
      skippedBefore++;
      continue;
    }
    while (j < n && time[j]! < f - latenessMs) j++;
    if (j === n) {
      skippedAfter++;
      continue;
    }
    const prev = rate[j]!;
    rate[j] = (prev === prev ? prev : 0) + eventRate[e]!;
    applied++;
  }
  return { rate, applied, skippedBefore, skippedAfter };
}
