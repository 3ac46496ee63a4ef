// Interval labels (`1m`, `4h`, `1d`) and their length in ms. Months are not a fixed length, so
// `1M` is refused: the step check needs a constant interval.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const LABEL = /^(\d+)(ms|s|m|h|d|w)$/;

/** True when `label` looks like an interval (`15m`, `1h`, `1d`). */
export function isIntervalLabel(label: string): boolean {
  return LABEL.test(label);
}

/** Length of an interval label in ms, or null when it is not a fixed-length interval label. */
export function intervalToMs(label: string): number | null {
  const m = LABEL.exec(label);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 ? ms : null;
}

/** The shortest label for a length in ms (`3600000` → `1h`). */
export function msToInterval(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const u = UNIT_MS[unit]!;
    if (ms >= u && ms % u === 0) return `${ms / u}${unit}`;
  }
  return `${ms}ms`;
}

/** Smallest positive step between consecutive times, or null with fewer than two. */
export function smallestStep(time: Float64Array): number | null {
  let best = Infinity;
  for (let i = 1; i < time.length; i++) {
    const d = time[i]! - time[i - 1]!;
    if (d > 0 && d < best) best = d;
  }
  return best === Infinity ? null : best;
}

/** Median step between consecutive times (the SPEC's fallback interval), or null with fewer than two. */
export function medianStep(time: Float64Array): number | null {
  if (time.length < 2) return null;
  const steps = new Float64Array(time.length - 1);
  for (let i = 1; i < time.length; i++) steps[i - 1] = time[i]! - time[i - 1]!;
  steps.sort();
  return steps[steps.length >> 1]!;
}
