// Records of several runs as result tables, one table per kind, so both margin modes (and every
// block of the main job) share one file: `run` is the index of the run in summary.json's `runs`,
// `marginMode` says which mode it was. Columns are built flat, one typed array per field.
import type { BacktestRun } from '../engine/backtest.js';
import type { ColumnSchema, ColumnSpec, ResultTable } from './table.js';

export interface RecordTables {
  equity: ResultTable;
  trades: ResultTable;
  liquidations: ResultTable;
}

/** Equity, trades and liquidations of `runs` (run with records; a run without them adds no rows). */
export function recordTables(runs: readonly BacktestRun[]): RecordTables {
  return { equity: equityTable(runs), trades: tradesTable(runs), liquidations: liquidationsTable(runs) };
}

/** Per bar: run, marginMode, time, equity, marginRatio. */
export function equityTable(runs: readonly BacktestRun[]): ResultTable {
  const n = runs.reduce((sum, r) => sum + (r.result.equity?.time.length ?? 0), 0);
  const run = new Int32Array(n);
  const mode: string[] = new Array(n);
  const time = new Float64Array(n);
  const equity = new Float64Array(n);
  const marginRatio = new Float64Array(n);
  let at = 0;
  runs.forEach((r, i) => {
    const e = r.result.equity;
    if (!e) return;
    const len = e.time.length;
    run.fill(i, at, at + len);
    mode.fill(r.marginMode, at, at + len);
    time.set(e.time, at);
    equity.set(e.equity, at);
    marginRatio.set(e.marginRatio, at);
    at += len;
  });
  return table(n, [
    ['run', 'i32', run],
    ['marginMode', 'utf8', mode],
    ['time', 'timestamp_ms', time],
    ['equity', 'f64', equity],
    ['marginRatio', 'f64', marginRatio],
  ]);
}

/** Per trade: run, marginMode, symbol, side (+1/−1), times, qty, prices, pnl, fees, funding, reason. */
export function tradesTable(runs: readonly BacktestRun[]): ResultTable {
  const rows = runs.flatMap((r, i) => (r.result.trades ?? []).map((t) => [i, r.marginMode, t] as const));
  const n = rows.length;
  const f64 = (pick: (k: number) => number): Float64Array => Float64Array.from({ length: n }, (_, k) => pick(k));
  const t = (k: number) => rows[k]![2];
  return table(n, [
    ['run', 'i32', Int32Array.from(rows, (x) => x[0])],
    ['marginMode', 'utf8', rows.map((x) => x[1])],
    ['symbol', 'utf8', rows.map((x) => x[2].symbol)],
    ['side', 'i32', Int32Array.from(rows, (x) => x[2].side)],
    ['entryTime', 'timestamp_ms', f64((k) => t(k).entryTime)],
    ['exitTime', 'timestamp_ms', f64((k) => t(k).exitTime)],
    ['qty', 'f64', f64((k) => t(k).qty)],
    ['entryPrice', 'f64', f64((k) => t(k).entryPrice)],
    ['exitPrice', 'f64', f64((k) => t(k).exitPrice)],
    ['pnl', 'f64', f64((k) => t(k).pnl)],
    ['fees', 'f64', f64((k) => t(k).fees)],
    ['funding', 'f64', f64((k) => t(k).funding)],
    ['reason', 'utf8', rows.map((x) => x[2].reason)],
  ]);
}

/** Per liquidated position: run, marginMode, time, symbol, side, triggerPrice, where, loss, group, proxy. */
export function liquidationsTable(runs: readonly BacktestRun[]): ResultTable {
  const rows = runs.flatMap((r, i) => (r.result.liquidations ?? []).map((l) => [i, r.marginMode, l] as const));
  const n = rows.length;
  const l = (k: number) => rows[k]![2];
  return table(n, [
    ['run', 'i32', Int32Array.from(rows, (x) => x[0])],
    ['marginMode', 'utf8', rows.map((x) => x[1])],
    ['time', 'timestamp_ms', Float64Array.from({ length: n }, (_, k) => l(k).time)],
    ['symbol', 'utf8', rows.map((x) => x[2].symbol)],
    ['side', 'i32', Int32Array.from(rows, (x) => x[2].side)],
    ['triggerPrice', 'f64', Float64Array.from({ length: n }, (_, k) => l(k).triggerPrice)],
    ['where', 'utf8', rows.map((x) => x[2].where)],
    ['loss', 'f64', Float64Array.from({ length: n }, (_, k) => l(k).loss)],
    ['group', 'i32', Int32Array.from(rows, (x) => x[2].group)],
    ['proxy', 'bool', Uint8Array.from(rows, (x) => (x[2].proxy ? 1 : 0))],
  ]);
}

function table(length: number, cols: [string, ColumnSpec['kind'], ColumnSpec['data']][]): ResultTable {
  return { length, columns: cols.map(([name, kind, data]) => ({ name, kind, data, nullable: false })) };
}

/** Names and kinds of the record columns (what a CSV reader needs to restore the types). */
export const RECORD_SCHEMAS: Readonly<Record<keyof RecordTables, readonly ColumnSchema[]>> = (() => {
  const empty = recordTables([]);
  const schema = (t: ResultTable) => t.columns.map(({ name, kind }) => ({ name, kind }));
  return { equity: schema(empty.equity), trades: schema(empty.trades), liquidations: schema(empty.liquidations) };
})();
