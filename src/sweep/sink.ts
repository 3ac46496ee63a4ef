// Sweep rows as result tables (for the file writers) and objects (for the library), and the
// bounded heap behind --top. A null metric travels as NaN and is written as NaN (Arrow, Parquet)
// or an empty field (CSV); rows handed to library callers and JSON carry null.
import { LOWER_IS_BETTER, METRIC_NAMES, type MarginMode, type Metrics } from '../engine/types.js';
import type { ColumnSchema, ColumnSpec, ResultTable } from '../report/export.js';
import { runAt, type GridSpec } from './grid.js';
import { METRICS_PER_ROW } from './task.js';

export interface SweepRow {
  /** The global run index in the grid (see grid.ts for the order). */
  run: number;
  symbols: string[];
  params: Record<string, number>;
  leverage: number;
  marginMode: MarginMode;
  metrics: Metrics;
}

/** Output columns: run, symbols, the strategy's parameters, leverage, marginMode, then every metric. */
export function sweepColumns(grid: GridSpec): ColumnSchema[] {
  return [
    { name: 'run', kind: 'f64' },
    { name: 'symbols', kind: 'utf8' },
    ...grid.axes.map((a): ColumnSchema => ({ name: a.name, kind: 'f64' })),
    { name: 'leverage', kind: 'f64' },
    { name: 'marginMode', kind: 'utf8' },
    ...METRIC_NAMES.map((m): ColumnSchema => ({ name: m, kind: m === 'ruined' ? 'bool' : 'f64' })),
  ];
}

/**
 * A table of `count` rows from `records` laid out as [run, metrics…] per row (`stride` f64s),
 * with parameters, leverage and margin decoded from the run index.
 */
export function rowsTable(grid: GridSpec, records: Float64Array, count: number, stride: number): ResultTable {
  const run = new Float64Array(count);
  const symbols: string[] = new Array(count);
  const params = grid.axes.map(() => new Float64Array(count));
  const leverage = new Float64Array(count);
  const margin: string[] = new Array(count);
  const metrics = METRIC_NAMES.map((m) => (m === 'ruined' ? new Uint8Array(count) : new Float64Array(count)));
  const groupNames = grid.symbolGroups.map((g) => g.join(','));
  for (let i = 0; i < count; i++) {
    const at = i * stride;
    const r = runAt(grid, records[at]!);
    run[i] = r.index;
    symbols[i] = groupNames[r.group]!;
    grid.axes.forEach((a, k) => (params[k]![i] = r.params[a.name]!));
    leverage[i] = r.leverage;
    margin[i] = r.marginMode;
    for (let k = 0; k < METRICS_PER_ROW; k++) metrics[k]![i] = records[at + 1 + k]!;
  }
  const columns: ColumnSpec[] = [
    { name: 'run', kind: 'f64', data: run },
    { name: 'symbols', kind: 'utf8', nullable: false, data: symbols },
    ...grid.axes.map((a, k): ColumnSpec => ({ name: a.name, kind: 'f64', data: params[k]! })),
    { name: 'leverage', kind: 'f64', data: leverage },
    { name: 'marginMode', kind: 'utf8', nullable: false, data: margin },
    ...METRIC_NAMES.map((m, k): ColumnSpec => ({ name: m, kind: m === 'ruined' ? 'bool' : 'f64', data: metrics[k]! })),
  ];
  return { columns, length: count };
}

/** One row as an object (nulls restored). `metrics` holds METRICS_PER_ROW values from `at`. */
export function rowObject(grid: GridSpec, index: number, metrics: Float64Array, at: number): SweepRow {
  const r = runAt(grid, index);
  const m: Record<string, number | boolean | null> = {};
  METRIC_NAMES.forEach((name, k) => {
    const v = metrics[at + k]!;
    m[name] = name === 'ruined' ? v === 1 : Number.isNaN(v) ? null : v;
  });
  return { run: index, symbols: r.symbols, params: r.params, leverage: r.leverage, marginMode: r.marginMode, metrics: m as unknown as Metrics };
}


/**
 * The K best rows by one metric, in a bounded binary heap (worst kept row at the root). NaN
 * (undefined metric) ranks below every number; ties go to the lower run index, so the result is
 * the same whatever the chunking or worker count.
 */
export class TopK {
  private readonly key: number;
  private readonly sign: number;
  private heap: { value: number; run: number; metrics: Float64Array }[] = [];

  constructor(
    readonly k: number,
    readonly by: (typeof METRIC_NAMES)[number],
    readonly ascending = LOWER_IS_BETTER.has(by),
  ) {
    this.key = METRIC_NAMES.indexOf(by);
    this.sign = ascending ? -1 : 1;
  }

  /** a better than b? */
  private better(a: { value: number; run: number }, b: { value: number; run: number }): boolean {
    const an = Number.isNaN(a.value);
    const bn = Number.isNaN(b.value);
    if (an !== bn) return bn;
    if (!an && a.value !== b.value) return this.sign * a.value > this.sign * b.value;
    return a.run < b.run;
  }

  /** Offers one row: `metrics` holds METRICS_PER_ROW values from `at` (copied only when kept). */
  offer(run: number, metrics: Float64Array, at: number): void {
    if (this.k <= 0) return;
    const value = metrics[at + this.key]!;
    const h = this.heap;
    if (h.length === this.k && !this.better({ value, run }, h[0]!)) return;
    const item = { value, run, metrics: metrics.slice(at, at + METRICS_PER_ROW) };
    if (h.length < this.k) {
      h.push(item);
      let i = h.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.better(h[p]!, h[i]!)) break;
        [h[p], h[i]] = [h[i]!, h[p]!];
        i = p;
      }
      return;
    }
    h[0] = item;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < h.length && this.better(h[worst]!, h[l]!)) worst = l;
      if (r < h.length && this.better(h[worst]!, h[r]!)) worst = r;
      if (worst === i) break;
      [h[worst], h[i]] = [h[i]!, h[worst]!];
      i = worst;
    }
  }

  /** The kept rows, best first. */
  rows(grid: GridSpec): SweepRow[] {
    return [...this.heap].sort((a, b) => (this.better(a, b) ? -1 : 1)).map((x) => rowObject(grid, x.run, x.metrics, 0));
  }
}
