import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType, Field, Int32, List, Table, TimeUnit, tableFromIPC, tableToIPC, vectorFromArray, type Timestamp } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { formatFromPath, readTable, toArrowTable, writeTable, type ExportFormat } from '../../src/report/export.js';
import type { ResultTable } from '../../src/report/table.js';
import { allKindsTable, expectSameTable, schemaOf } from './table-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What CSV can give back: no metadata, and NaN in a nullable f64 column is written as a null. */
function csvView(t: ResultTable): ResultTable {
  const columns = t.columns.map((c) =>
    c.kind === 'f64' && Array.isArray(c.data) ? { ...c, data: (c.data as (number | null)[]).map((x) => (x !== null && Number.isNaN(x) ? null : x)) } : c,
  );
  return { length: t.length, columns };
}

describe('formatFromPath', () => {
  it.each([
    ['out/equity.arrow', 'arrow'],
    ['x.feather', 'arrow'],
    ['x.IPC', 'arrow'],
    ['/a/b/sweep.parquet', 'parquet'],
    ['trades.CSV', 'csv'],
  ])('%s → %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  it.each(['results.json', 'results', 'x.arrow.bak', 'x.pq'])('refuses %s with the file named', (path) => {
    expect(() => formatFromPath(path)).toThrow(UserError);
    expect(() => formatFromPath(path)).toThrow(`${path}: cannot tell the output format`);
  });
});

describe.each(['arrow', 'parquet', 'csv'] as const)('%s round trip', (format: ExportFormat) => {
  it.each([0, 1, 13, 10_000])('%i rows of every kind', (n) => {
    const t = allKindsTable(n);
    const path = join(dir, `all-${n}.${format}`);
    writeTable(path, t);
    if (format === 'csv') {
      expectSameTable(readTable(path, { csvSchema: schemaOf(t) }), csvView(t), { metadata: false });
    } else {
      expectSameTable(readTable(path), t);
    }
  });

  it('replaces an existing file and leaves no temporary file', () => {
    const sub = mkdtempSync(join(dir, `replace-${format}-`));
    const path = join(sub, `t.${format}`);
    writeFileSync(path, 'old contents');
    writeTable(path, allKindsTable(5));
    expect(readTable(path, schemaOf(allKindsTable(5))).length).toBe(5);
    expect(readdirSync(sub)).toEqual([`t.${format}`]);
  });

  it('a table that cannot be written leaves no file', () => {
    const sub = mkdtempSync(join(dir, `fail-${format}-`));
    const path = join(sub, `t.${format}`);
    const bad: ResultTable = { length: 2, columns: [{ name: 'x', kind: 'f64', data: [1, null], nullable: false }] };
    expect(() => writeTable(path, bad)).toThrow("column 'x' row 2: null in a column that is not nullable");
    expect(readdirSync(sub)).toEqual([]);
  });

  it('reads the named columns only, in the order asked', () => {
    const path = join(dir, `cols.${format}`);
    const t = allKindsTable(20);
    writeTable(path, t);
    const back = readTable(path, { columns: ['time', 'i32'], csvSchema: schemaOf(t) });
    expect(back.columns.map((c) => c.name)).toEqual(['time', 'i32']);
    expect(Array.from(back.columns[1]!.data as Int32Array)).toEqual(Array.from(t.columns[2]!.data as Int32Array));
    expect(() => readTable(path, { columns: ['nope'] })).toThrow(`${path}, field 'nope': has no column 'nope'`);
  });
});

describe('Arrow files', () => {
  const t = allKindsTable(50);
  const path = join(dir, 'kinds.arrow');
  writeTable(path, t);
  const bytes = readFileSync(path);

  it('are IPC file format: ARROW1 magic at both ends (what feather readers expect)', () => {
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('ARROW1');
    expect(bytes.subarray(bytes.length - 6).toString('latin1')).toBe('ARROW1');
  });

  it('have the Arrow types notebooks expect', () => {
    const table = tableFromIPC(bytes);
    const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, [String(f.type), f.nullable]]));
    expect(types).toEqual({
      f64: ['Float64', false],
      f64_nullable: ['Float64', true],
      i32: ['Int32', false],
      i32_nullable: ['Int32', true],
      bool: ['Bool', false],
      bool_nullable: ['Bool', true],
      utf8: ['Utf8', false],
      utf8_nullable: ['Utf8', true],
      time: ['Timestamp<MILLISECOND, UTC>', false],
      time_nullable: ['Timestamp<MILLISECOND, UTC>', true],
    });
    expect(Object.fromEntries(table.schema.metadata)).toEqual(t.metadata);
  });
});

describe('toArrowTable', () => {
  it('keeps NaN as a value, makes nulls of a number|null column, and shares Float64Array memory', () => {
    const f = new Float64Array([1, NaN, 3]);
    const table = toArrowTable({
      length: 3,
      columns: [
        { name: 'f', kind: 'f64', data: f },
        { name: 'n', kind: 'f64', data: [1, null, NaN] },
      ],
    });
    const fv = table.getChild('f')!;
    expect(fv.nullCount).toBe(0);
    expect(Number.isNaN(fv.get(1))).toBe(true);
    expect(fv.data[0]!.values.buffer).toBe(f.buffer);
    const nv = table.getChild('n')!;
    expect(table.schema.fields[1]!.nullable).toBe(true);
    expect(nv.nullCount).toBe(1);
    expect([nv.isValid(0), nv.isValid(1), nv.isValid(2)]).toEqual([true, false, true]);
    expect(Number.isNaN(nv.get(2))).toBe(true);
  });

  it('makes Timestamp(ms, UTC) from ms in a Float64Array, NaN as null when nullable', () => {
    const table = toArrowTable({
      length: 3,
      columns: [
        { name: 't', kind: 'timestamp_ms', data: new Float64Array([1735689600123, -1, 0]) },
        { name: 'u', kind: 'timestamp_ms', data: new Float64Array([NaN, 5, 6]), nullable: true },
      ],
    });
    const type = table.schema.fields[0]!.type as Timestamp;
    expect(DataType.isTimestamp(type)).toBe(true);
    expect([type.unit, type.timezone]).toEqual([TimeUnit.MILLISECOND, 'UTC']);
    expect(Array.from(table.getChild('t')!.data[0]!.values as BigInt64Array)).toEqual([1735689600123n, -1n, 0n]);
    expect(table.getChild('u')!.nullCount).toBe(1);
  });

  it.each([
    [{ length: 2, columns: [{ name: 'a', kind: 'f64', data: new Float64Array(3) }] }, "column 'a' has 3 values; the table has 2 rows"],
    [{ length: 1, columns: [{ name: 'a', kind: 'i32', data: [2147483648] }] }, "column 'a' row 1: 2147483648 is not a 32-bit integer"],
    [{ length: 1, columns: [{ name: 'a', kind: 'i32', data: new Float64Array(1) }] }, "column 'a' (i32) needs a Int32Array or an array"],
    [{ length: 1, columns: [{ name: 'a', kind: 'utf8', data: [3] }] }, "column 'a' row 1: number in a utf8 column"],
    [{ length: 1, columns: [{ name: 'a', kind: 'timestamp_ms', data: new Float64Array([NaN]) }] }, "column 'a' row 1: null in a column that is not nullable"],
    [
      {
        length: 0,
        columns: [
          { name: 'a', kind: 'f64', data: new Float64Array(0) },
          { name: 'a', kind: 'f64', data: new Float64Array(0) },
        ],
      },
      "column 'a' appears twice",
    ],
  ] as [ResultTable, string][])('refuses a malformed table: %#', (t, message) => {
    expect(() => toArrowTable(t)).toThrow(message);
  });
});

describe('readTable refuses what it cannot read', () => {
  it('a missing file', () => {
    expect(() => readTable(join(dir, 'missing.parquet'))).toThrow(UserError);
    expect(() => readTable(join(dir, 'missing.csv'))).toThrow(/missing\.csv: cannot read/);
  });

  it('a file that is not Parquet or Arrow', () => {
    const pq = join(dir, 'fake.parquet');
    writeFileSync(pq, 'a,b\n1,2\n');
    expect(() => readTable(pq)).toThrow(`${pq}: not a readable Parquet file`);
    const arrow = join(dir, 'fake.arrow');
    writeFileSync(arrow, 'not arrow at all');
    expect(() => readTable(arrow)).toThrow(`${arrow}: not a readable Arrow IPC/Feather file`);
  });

  it('an Arrow column of a type a result table cannot hold, naming it', () => {
    const path = join(dir, 'list.arrow');
    const list = vectorFromArray([[1], [2, 3]], new List(new Field('item', new Int32(), true)));
    writeFileSync(path, tableToIPC(new Table({ l: list }), 'file'));
    expect(() => readTable(path)).toThrow(`${path}, field 'l': has type List<Int32>, which a result table cannot hold`);
  });
});
