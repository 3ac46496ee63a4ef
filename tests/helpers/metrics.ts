// Comparing metrics the way the kernel promises them: bit for bit, but for those computed with
// pow (annualizedReturn, calmar: AssemblyScript's and V8's last digit may differ) and, in
// metrics-only isolated sweep runs, those from the return sums that quiet-moments.ts adds by
// blocks (volatility, sharpe, sortino). Those differ by rounding: on ordinary markets ~1e-13
// relative; where returns are tiny (a position of 2% of equity in a still market) up to ~1e-9,
// the noise of the reference's own E_t / E_{t−1} − 1, which then has few digits left.
import { METRIC_NAMES, type Metrics } from '../../src/engine/types.js';

export const POW_METRICS = new Set<string>(['annualizedReturn', 'calmar']);
export const SUMMED_METRICS = new Set<string>(['volatility', 'sharpe', 'sortino']);

/** SPEC's agreement: 1e-9 relative, with a 1e-9 floor. */
export const specClose = (a: number, b: number): boolean =>
  a === b || Math.abs(a - b) <= Math.max(1e-9, 1e-9 * Math.max(Math.abs(a), Math.abs(b)));


/** Every metric that differs beyond what is promised (`summed`: the run may sum returns by blocks). */
export function metricDifferences(a: Metrics, b: Metrics, summed = false): string[] {
  const out: string[] = [];
  for (const name of METRIC_NAMES) {
    const x = a[name];
    const y = b[name];
    const numbers = typeof x === 'number' && typeof y === 'number';
    const same =
      numbers && POW_METRICS.has(name) ? specClose(x, y) : numbers && summed && SUMMED_METRICS.has(name) ? specClose(x, y) : Object.is(x, y);
    if (!same) out.push(`metrics.${name}: ${x} vs ${y}`);
  }
  return out;
}
