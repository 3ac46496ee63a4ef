// The correctness gate of the benchmarks: a timing counts only when the run's trades, liquidations
// and metrics equal the reference's. Equality is SPEC's rule (1e-9 relative with a 1e-9 absolute
// floor), checked field by field; the hash is for display only, since rounding before hashing can
// put two values within tolerance on either side of a rounding boundary.
import { createHash } from 'node:crypto';
import { METRIC_NAMES, type BacktestResult } from '../src/engine/types.js';

export const TOLERANCE = 1e-9;

const TRADE_FIELDS = ['symbol', 'side', 'entryTime', 'exitTime', 'qty', 'entryPrice', 'exitPrice', 'pnl', 'fees', 'funding', 'reason'] as const;
const LIQ_FIELDS = ['time', 'symbol', 'side', 'triggerPrice', 'where', 'loss', 'group', 'proxy'] as const;

type Value = number | string | boolean | null | undefined;

/** SPEC's equality: |a − b| ≤ 1e-9 × max(|a|, |b|, 1); NaN equals NaN, null equals null. */
export function sameValue(a: Value, b: Value, tol = TOLERANCE): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1);
  }
  return a === b;
}

/** The first difference between two results ("trades[3].pnl: 1.5 vs 1.6"), or null when equal. */
export function firstDifference(a: BacktestResult, b: BacktestResult, tol = TOLERANCE): string | null {
  for (const name of METRIC_NAMES) {
    if (!sameValue(a.metrics[name], b.metrics[name], tol)) {
      return `metrics.${name}: ${a.metrics[name]} vs ${b.metrics[name]}`;
    }
  }
  const lists = [
    ['trades', a.trades, b.trades, TRADE_FIELDS],
    ['liquidations', a.liquidations, b.liquidations, LIQ_FIELDS],
  ] as const;
  for (const [what, xs, ys, fields] of lists) {
    if (!xs || !ys) {
      if (xs !== ys && (xs?.length ?? 0) + (ys?.length ?? 0) > 0) return `${what}: present in one result only`;
      continue;
    }
    if (xs.length !== ys.length) return `${what}: ${xs.length} vs ${ys.length} records`;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k] as unknown as Record<string, Value>;
      const y = ys[k] as unknown as Record<string, Value>;
      for (const f of fields) {
        if (!sameValue(x[f], y[f], tol)) return `${what}[${k}].${f}: ${x[f]} vs ${y[f]}`;
      }
    }
  }
  return null;
}

/** Numbers to 9 significant digits, so results equal to the last bits share a hash. */
const canon = (v: Value): string => (typeof v === 'number' ? (Number.isFinite(v) ? v.toPrecision(9) : String(v)) : String(v));

/** A short SHA-256 of metrics, trades and liquidations, for the tables (not the gate). */
export function resultHash(r: BacktestResult): string {
  const h = createHash('sha256');
  for (const name of METRIC_NAMES) h.update(`${name}=${canon(r.metrics[name])};`);
  for (const t of r.trades ?? []) {
    const row = t as unknown as Record<string, Value>;
    h.update(TRADE_FIELDS.map((f) => canon(row[f])).join(',') + '\n');
  }
  for (const l of r.liquidations ?? []) {
    const row = l as unknown as Record<string, Value>;
    h.update(LIQ_FIELDS.map((f) => canon(row[f])).join(',') + '\n');
  }
  return h.digest('hex').slice(0, 12);
}

export interface GateResult {
  ok: boolean;
  hash: string;
  /** The first difference from the reference, when not ok. */
  difference?: string;
}

export function gate(result: BacktestResult, reference: BacktestResult): GateResult {
  const difference = firstDifference(result, reference);
  return difference === null ? { ok: true, hash: resultHash(result) } : { ok: false, hash: resultHash(result), difference };
}
