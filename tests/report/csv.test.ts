import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { csvHeader, csvRows, parseCsvTable } from '../../src/report/csv.js';
import type { ResultTable } from '../../src/report/table.js';

const table: ResultTable = {
  length: 4,
  columns: [
    { name: 'x', kind: 'f64', data: new Float64Array([0.1 + 0.2, -0, NaN, -Infinity]) },
    { name: 'n', kind: 'i32', data: new Int32Array([1, -2, 2147483647, 0]) },
    { name: 'ok', kind: 'bool', data: [true, false, null, true] },
    { name: 'at', kind: 'timestamp_ms', data: new Float64Array([1735689600123, 0, -1, 253402300799999]) },
    { name: 'label, "quoted"', kind: 'utf8', data: ['a,b', '', null, ' pad'] },
  ],
};

const TEXT = [
  '"label, ""quoted"""'.replace(/^/, 'x,n,ok,at,'),
  '0.30000000000000004,1,true,2025-01-01T00:00:00.123Z,"a,b"',
  '-0,-2,false,1970-01-01T00:00:00.000Z,""',
  ',2147483647,,1969-12-31T23:59:59.999Z,',
  '-Infinity,0,true,9999-12-31T23:59:59.999Z," pad"',
].join('\n') + '\n';

describe('writing CSV', () => {
  it('quotes per RFC 4180, prints doubles exactly, NaN and null as empty fields, times as ISO UTC', () => {
    expect(csvHeader(table.columns) + csvRows(table)).toBe(TEXT);
  });

  it('rows can be produced in chunks that join to the whole', () => {
    expect(csvRows(table, 0, 1) + csvRows(table, 1, 3) + csvRows(table, 3, 4)).toBe(csvRows(table));
    expect(csvRows(table, 2, 2)).toBe('');
  });

  it('refuses a null in a column that is not nullable, naming column and row', () => {
    const t: ResultTable = { length: 2, columns: [{ name: 's', kind: 'utf8', data: ['a', null], nullable: false }] };
    expect(() => csvRows(t)).toThrow("column 's' row 2: null in a column that is not nullable");
  });
});

describe('reading CSV', () => {
  it('reads back what it wrote: kinds inferred, empty string and null kept apart', () => {
    const t = parseCsvTable(TEXT, 'f.csv');
    expect(t.length).toBe(4);
    expect(t.columns.map((c) => [c.name, c.kind, c.nullable])).toEqual([
      ['x', 'f64', false],
      ['n', 'i32', false],
      ['ok', 'bool', true],
      ['at', 'timestamp_ms', false],
      ['label, "quoted"', 'utf8', true],
    ]);
    const x = t.columns[0]!.data as Float64Array;
    expect([x[0], Object.is(x[1], -0), Number.isNaN(x[2]!), x[3]]).toEqual([0.1 + 0.2, true, true, -Infinity]);
    expect(Array.from(t.columns[1]!.data as Int32Array)).toEqual([1, -2, 2147483647, 0]);
    expect(t.columns[2]!.data).toEqual([true, false, null, true]);
    expect(Array.from(t.columns[3]!.data as Float64Array)).toEqual([1735689600123, 0, -1, 253402300799999]);
    expect(t.columns[4]!.data).toEqual(['a,b', '', null, ' pad']);
  });

  it('takes kinds and nullability from a schema where given', () => {
    const t = parseCsvTable('a,b,c\n1,2,x\n,3,\n', 'f.csv', [
      { name: 'a', kind: 'f64', nullable: true },
      { name: 'b', kind: 'f64' },
    ]);
    expect(t.columns.map((c) => [c.kind, c.nullable])).toEqual([
      ['f64', true],
      ['f64', false],
      ['utf8', true],
    ]);
    expect(t.columns[0]!.data).toEqual([1, null]);
    expect(t.columns[1]!.data).toEqual(new Float64Array([2, 3]));
  });

  it('handles CRLF, a BOM, quoted line breaks and doubled quotes, and no final newline', () => {
    const t = parseCsvTable('\uFEFFname,v\r\n"two\r\nlines",1\r\n"say ""hi""",2', 'f.csv');
    expect(t.columns[0]!.data).toEqual(['two\r\nlines', 'say "hi"']);
    expect(Array.from(t.columns[1]!.data as Int32Array)).toEqual([1, 2]);
  });

  it('infers only plain decimal numbers (no hex, no padding); large integers are f64', () => {
    const t = parseCsvTable('hex,pad,big,exp,word\n0x10,1,2147483648,1e3,NaNa\n1, 2,1,2,1\n', 'f.csv');
    expect(t.columns.map((c) => c.kind)).toEqual(['utf8', 'utf8', 'f64', 'f64', 'utf8']);
  });

  it('an all-empty column is f64 of NaN; a header alone is a table of 0 rows', () => {
    const t = parseCsvTable('a,b\n,1\n,2\n', 'f.csv');
    expect(t.columns[0]!.kind).toBe('f64');
    expect(Array.from(t.columns[0]!.data as Float64Array).every(Number.isNaN)).toBe(true);
    const empty = parseCsvTable('a,b\n', 'f.csv', [{ name: 'b', kind: 'timestamp_ms' }]);
    expect(empty.length).toBe(0);
    expect(empty.columns.map((c) => [c.name, c.kind, c.data.length])).toEqual([
      ['a', 'f64', 0],
      ['b', 'timestamp_ms', 0],
    ]);
  });

  it.each([
    ['', {}, 'f.csv: empty file (no header row)'],
    ['a,b\n1,2\n3\n', {}, 'f.csv, row 2: has 1 fields; the header has 2'],
    ['a\n"open\n', {}, 'f.csv, row 1: a quoted field is never closed'],
    ['a\n"x"y\n', {}, 'f.csv, row 1: unexpected character after a quoted field'],
    ['a,\n1,2\n', {}, 'f.csv: header column 2 has no name'],
    ['a\n1\nzz\n', { a: 'f64' }, "f.csv, row 2, field 'a': 'zz' is not a number"],
    ['a\n1\n2.5\n', { a: 'i32' }, "f.csv, row 2, field 'a': '2.5' is not a 32-bit integer"],
    ['a\n1\n\n', { a: 'i32' }, "f.csv, row 2, field 'a': missing value"],
    ['a\nyes\n', { a: 'bool' }, "f.csv, row 1, field 'a': 'yes' is not true or false"],
    ['a\n2025-01-01\n', { a: 'timestamp_ms' }, "f.csv, row 1, field 'a': '2025-01-01' is not an ISO 8601 UTC time"],
  ] as [string, Record<string, 'f64' | 'i32' | 'bool' | 'timestamp_ms'>, string][])('refuses bad input: %j', (text, kinds, message) => {
    const schema = Object.entries(kinds).map(([name, kind]) => ({ name, kind, nullable: false }));
    expect(() => parseCsvTable(text, 'f.csv', schema)).toThrow(UserError);
    expect(() => parseCsvTable(text, 'f.csv', schema)).toThrow(message);
  });
});
