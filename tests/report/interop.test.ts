// Proof that notebooks can read the outputs: DuckDB (the engine behind many notebooks, and what
// pandas/polars users reach for on Parquet) reads the Parquet files with the same rows and values
// as the records and summary.json; apache-arrow reads the Arrow files, which are IPC *file* format
// (magic ARROW1 at both ends: what pandas.read_feather and polars.read_ipc expect).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTables, type RecordTables } from '../../src/report/records.js';
import type { SummaryJson } from '../../src/report/summary.js';
import type { ResultTable } from '../../src/report/table.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import { backtestOutDir, liquidatingBacktest, sweepFile, sweepRows } from '../browser/fixtures.js';

const runs = liquidatingBacktest();
const records = recordTables(runs);
const KINDS = ['equity', 'trades', 'liquidations'] as const satisfies readonly (keyof RecordTables)[];

let db: DuckDBConnection;
beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => db?.closeSync());

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Every column of a Parquet file in file order, timestamps as epoch ms, as plain JS values. */
async function duckColumns(path: string, like: ResultTable): Promise<Record<string, unknown[]>> {
  const select = like.columns
    .map((c) => (c.kind === 'timestamp_ms' ? `epoch_ms("${c.name}") AS "${c.name}"` : `"${c.name}"`))
    .join(', ');
  const reader = await db.runAndReadAll(
    `SELECT ${select} FROM read_parquet(${sqlString(path)}, file_row_number = true) ORDER BY file_row_number`,
  );
  const out: Record<string, unknown[]> = {};
  reader.columnNames().forEach((name, i) => {
    out[name] = reader.getColumnsJS()[i]!.map((v) => (typeof v === 'bigint' ? Number(v) : v));
  });
  return out;
}

/** The values of a result-table column as DuckDB and Arrow give them back (numbers, strings, booleans). */
function expected(t: ResultTable, name: string): unknown[] {
  const c = t.columns.find((x) => x.name === name)!;
  return Array.from(c.data as ArrayLike<unknown>, (v) => (c.kind === 'bool' ? Boolean(v) : v));
}

describe('Parquet outputs through DuckDB', () => {
  const dir = backtestOutDir('parquet', runs);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SummaryJson;

  it.each(KINDS)('%s.parquet has the rows and values of the records', async (kind) => {
    const t = records[kind];
    expect(t.length).toBeGreaterThan(0);
    const cols = await duckColumns(join(dir, `${kind}.parquet`), t);
    expect(Object.keys(cols)).toEqual(t.columns.map((c) => c.name));
    for (const c of t.columns) expect(cols[c.name], c.name).toEqual(expected(t, c.name));
  });

  it('agrees with summary.json: liquidations, their loss, trades, win rate and final equity per run', async () => {
    const path = (kind: string) => sqlString(join(dir, `${kind}.parquet`));
    const q = async (sql: string) => (await db.runAndReadAll(sql)).getRowObjectsJS();
    const liq = await q(`SELECT run, count(*) AS n, sum(loss) AS loss FROM read_parquet(${path('liquidations')}) GROUP BY run ORDER BY run`);
    // SPEC §7: trade metrics count trades closed by a signal or a liquidation, not those still open at the end
    const trades = await q(
      `SELECT run, count(*) AS n, avg(CASE WHEN pnl > 0 THEN 1 ELSE 0 END) AS winRate FROM read_parquet(${path('trades')}) WHERE reason <> 'end' GROUP BY run ORDER BY run`,
    );
    const last = await q(`SELECT run, arg_max(equity, time) AS equity, any_value(marginMode) AS mode FROM read_parquet(${path('equity')}) GROUP BY run ORDER BY run`);
    expect(summary.runs).toHaveLength(2);
    summary.runs.forEach((r, i) => {
      expect(Number(liq[i]!.n)).toBe(r.metrics.liquidations);
      expect(liq[i]!.loss as number).toBeCloseTo(r.metrics.liquidationLoss!, 6);
      expect(Number(trades[i]!.n)).toBe(r.metrics.trades);
      expect(trades[i]!.winRate as number).toBeCloseTo(r.metrics.winRate!, 12);
      expect(last[i]!.equity).toBe(r.metrics.finalEquity);
      expect(last[i]!.mode).toBe(r.marginMode);
    });
  });

  it('reads a sweep written with --out sweep.parquet with the rows the library yields', async () => {
    const [file, rows] = await Promise.all([sweepFile('parquet'), sweepRows()]);
    const reader = await db.runAndReadAll(
      `SELECT * FROM read_parquet(${sqlString(file)}, file_row_number = true) ORDER BY file_row_number`,
    );
    const got = reader.getRowObjectsJS();
    expect(reader.columnNames()).toEqual(['run', 'symbols', 'fast', 'slow', 'leverage', 'marginMode', ...METRIC_NAMES, 'file_row_number']);
    expect(got).toHaveLength(24);
    got.forEach((g, i) => {
      const r = rows[i]!;
      expect([g.run, g.symbols, g.fast, g.slow, g.leverage, g.marginMode]).toEqual([r.run, r.symbols.join(','), r.params.fast, r.params.slow, r.leverage, r.marginMode]);
      // a metric that is undefined (null in JSON) is NaN in the file
      for (const m of METRIC_NAMES) expect(g[m], `${m} of run ${i}`).toEqual(r.metrics[m] ?? NaN);
    });
  });
});

describe('Arrow outputs are IPC file format', () => {
  const dir = backtestOutDir('arrow', runs);

  it.each(KINDS)('%s.arrow starts and ends with ARROW1 and reads back with the same values', (kind) => {
    const bytes = readFileSync(join(dir, `${kind}.arrow`));
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1');
    expect(bytes.subarray(bytes.length - 6).toString('latin1')).toBe('ARROW1');
    const table = tableFromIPC(bytes);
    const t = records[kind];
    expect(table.numRows).toBe(t.length);
    expect(table.schema.fields.map((f) => f.name)).toEqual(t.columns.map((c) => c.name));
    for (const c of t.columns) {
      const got = table.getChild(c.name)!.toArray() as ArrayLike<unknown>;
      const values = Array.from(got, (v) => (typeof v === 'bigint' ? Number(v) : v));
      expect(values, c.name).toEqual(expected(t, c.name));
    }
  });
});
