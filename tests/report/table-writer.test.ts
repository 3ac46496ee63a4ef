import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTableWriter, readTable, writeTable, type ExportFormat } from '../../src/report/export.js';
import type { ResultTable } from '../../src/report/table.js';
import { allKindsTable, expectSameTable, rowsOf, schemaOf } from './table-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let db: DuckDBConnection;
beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => db?.closeSync());

async function duck(sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJS();
}

const FORMATS = ['arrow', 'parquet', 'csv'] as const;

/** Batch sizes 0..96, cycling: 200 batches, 9,700 rows. */
const BATCH_SIZES = Array.from({ length: 200 }, (_, i) => (i * 37) % 97);
const TOTAL = BATCH_SIZES.reduce((a, b) => a + b, 0);

function readBack(path: string, like: ResultTable): ResultTable {
  return readTable(path, { csvSchema: schemaOf(like) });
}

/** A table of `n` rows whose columns a CSV round trip keeps exactly (no NaN beside nulls). */
function runRows(first: number, n: number): ResultTable {
  const run = new Int32Array(n);
  const equity = new Float64Array(n);
  const sharpe: (number | null)[] = [];
  const mode: string[] = [];
  const at = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = first + i;
    run[i] = r;
    equity[i] = 10_000 * Math.exp(Math.sin(r));
    sharpe.push(r % 9 === 0 ? null : Math.cos(r));
    mode.push(r % 2 ? 'cross' : 'isolated');
    at[i] = 1735689600000 + r * 1000;
  }
  return {
    length: n,
    columns: [
      { name: 'run', kind: 'i32', data: run },
      { name: 'equity', kind: 'f64', data: equity },
      { name: 'sharpe', kind: 'f64', data: sharpe, nullable: true },
      { name: 'marginMode', kind: 'utf8', data: mode, nullable: false },
      { name: 'at', kind: 'timestamp_ms', data: at },
    ],
  };
}
const RUN_SCHEMA = schemaOf(runRows(0, 0));

describe.each(FORMATS)('streaming %s writer', (format: ExportFormat) => {
  it(`200 batches of 0 to 96 rows read back as one table of ${TOTAL} rows`, () => {
    const path = join(dir, `many.${format}`);
    const all = allKindsTable(TOTAL);
    const w = openTableWriter(path, schemaOf(all), format, { metadata: all.metadata, rowGroupRows: 1000 });
    let at = 0;
    for (const n of BATCH_SIZES) {
      w.write(rowsOf(all, at, at + n));
      at += n;
    }
    expect(w.rows).toBe(TOTAL);
    w.close();
    if (format === 'arrow') {
      const bytes = readFileSync(path);
      expect([bytes.subarray(0, 6).toString('latin1'), bytes.subarray(-6).toString('latin1')]).toEqual(['ARROW1', 'ARROW1']);
    }
    const back = readBack(path, all);
    if (format === 'csv') {
      expect(back.length).toBe(TOTAL);
      expect(Array.from(back.columns[2]!.data as Int32Array)).toEqual(Array.from(all.columns[2]!.data as Int32Array));
      expect(back.columns[7]!.data).toEqual(all.columns[7]!.data);
    } else {
      expectSameTable(back, all);
    }
  });

  it('writes as it goes: the file grows while batches arrive, before close', () => {
    const path = join(dir, `grows.${format}`);
    const w = openTableWriter(path, RUN_SCHEMA, format, { rowGroupRows: 500 });
    const tmpSize = (): number => {
      const tmp = readdirSync(dir).find((f) => f.startsWith(`grows.${format}.`) && f.endsWith('.tmp'))!;
      return statSync(join(dir, tmp)).size;
    };
    const sizes: number[] = [];
    for (let b = 0; b < 10; b++) {
      w.write(runRows(b * 500, 500));
      sizes.push(tmpSize());
    }
    expect(existsSync(path)).toBe(false);
    // every 500-row batch reaches the disk (a Parquet row group is full at each one here)
    for (let b = 1; b < sizes.length; b++) expect(sizes[b]!).toBeGreaterThan(sizes[b - 1]!);
    w.close();
    expect(readBack(path, runRows(0, 0)).length).toBe(5000);
  });

  it('copies what it keeps: the caller may reuse its arrays between batches', () => {
    const path = join(dir, `reuse.${format}`);
    const w = openTableWriter(path, RUN_SCHEMA, format, { rowGroupRows: 1000 });
    const batch = runRows(0, 100);
    for (let b = 0; b < 25; b++) {
      const fresh = runRows(b * 100, 100);
      batch.columns.forEach((c, j) => {
        const src = fresh.columns[j]!.data;
        if (Array.isArray(c.data)) (c.data as unknown[]).splice(0, c.data.length, ...(src as unknown[]));
        else (c.data as Float64Array).set(src as Float64Array);
      });
      w.write(batch);
    }
    w.close();
    expectSameTable(readBack(path, batch), runRows(0, 2500), { metadata: false });
  });

  it('no batches at all make a valid empty file with the schema', () => {
    const path = join(dir, `empty.${format}`);
    const w = openTableWriter(path, RUN_SCHEMA, format);
    w.close();
    const back = readBack(path, runRows(0, 0));
    expect(back.length).toBe(0);
    expect(back.columns.map((c) => [c.name, c.kind])).toEqual(RUN_SCHEMA.map((c) => [c.name, c.kind]));
  });

  it('abort removes the temporary file and leaves an existing target as it was', () => {
    const sub = mkdtempSync(join(dir, `abort-${format}-`));
    const path = join(sub, `out.${format}`);
    writeFileSync(path, 'previous');
    const w = openTableWriter(path, RUN_SCHEMA, format, { rowGroupRows: 10 });
    w.write(runRows(0, 100));
    expect(readdirSync(sub)).toHaveLength(2);
    w.abort();
    expect(readdirSync(sub)).toEqual([`out.${format}`]);
    expect(readFileSync(path, 'utf8')).toBe('previous');
    expect(() => w.write(runRows(0, 1))).toThrow(`cannot write: the writer for ${path} is closed`);
  });

  it('a failed write discards the temporary file, creates nothing, and closes the writer', () => {
    const sub = mkdtempSync(join(dir, `fail-${format}-`));
    const path = join(sub, `out.${format}`);
    const w = openTableWriter(path, RUN_SCHEMA, format);
    w.write(runRows(0, 10));
    const bad = runRows(10, 3);
    (bad.columns[3]!.data as (string | null)[])[1] = null; // marginMode is not nullable
    expect(() => w.write(bad)).toThrow("column 'marginMode' row 2: null in a column that is not nullable");
    expect(readdirSync(sub)).toEqual([]);
    expect(() => w.close()).toThrow('is closed');
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a batch whose columns differ from the schema', () => {
    const w = openTableWriter(join(dir, `shape.${format}`), RUN_SCHEMA, format);
    const t = runRows(0, 2);
    expect(() => w.write({ ...t, columns: t.columns.slice(1) })).toThrow('batch has 4 columns; expected 5');
    const w2 = openTableWriter(join(dir, `shape2.${format}`), RUN_SCHEMA, format);
    expect(() => w2.write({ ...t, columns: [t.columns[1]!, t.columns[0]!, ...t.columns.slice(2)] })).toThrow(
      "batch column 1 is 'equity'; expected 'run'",
    );
  });
});

describe('streamed Parquet, read by DuckDB', () => {
  const path = join(dir, 'duck.parquet');
  const rows = 2_345;

  beforeAll(() => {
    const w = openTableWriter(path, RUN_SCHEMA, 'parquet', { rowGroupRows: 500, metadata: { sweep: 'test' } });
    for (let at = 0; at < rows; at += 77) w.write(runRows(at, Math.min(77, rows - at)));
    w.close();
  });

  it('has one row group per 500 rows, with the rows in order', async () => {
    const [meta] = await duck(`SELECT num_rows, num_row_groups, created_by FROM parquet_file_metadata('${path}')`);
    expect(meta).toEqual({ num_rows: BigInt(rows), num_row_groups: 5n, created_by: 'margincall' });
    const groups = await duck(`SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${path}') ORDER BY 1`);
    expect(groups.map((g) => Number(g.row_group_num_rows))).toEqual([500, 500, 500, 500, 345]);
  });

  it('gives every value back, timestamps as UTC instants, and the metadata as key/value', async () => {
    const got = await duck(
      `SELECT run, equity, sharpe, "marginMode", epoch_ms("at") AS at, typeof("at") AS t FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`,
    );
    const want = runRows(0, rows);
    const expected = Array.from({ length: rows }, (_, i) => ({
      run: i,
      equity: (want.columns[1]!.data as Float64Array)[i],
      sharpe: (want.columns[2]!.data as (number | null)[])[i],
      marginMode: (want.columns[3]!.data as string[])[i],
      at: BigInt((want.columns[4]!.data as Float64Array)[i]!),
      t: 'TIMESTAMP WITH TIME ZONE',
    }));
    expect(got).toEqual(expected);
    const kv = await duck(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path}') WHERE decode(key) = 'sweep'`);
    expect(kv).toEqual([{ k: 'sweep', v: 'test' }]);
  });

  it('matches the same rows written in one piece', () => {
    const one = join(dir, 'one-piece.parquet');
    writeTable(one, runRows(0, rows));
    expectSameTable(readTable(path), runRows(0, rows), { metadata: false });
    expectSameTable(readTable(one), readTable(path), { metadata: false });
  });
});
