// Result tables with every column kind and the awkward values (NaN, -0, ±Infinity, nulls,
// extremes, unicode, CSV metacharacters), and a comparison that tells NaN from null and -0 from 0.
import { expect } from 'vitest';
import type { ColumnSchema, ColumnSpec, ResultTable } from '../../src/report/table.js';

const STRINGS = ['plain', '', 'comma, inside', 'quote " inside', 'line\nbreak', 'crlf\r\nx', ' edge space ', 'ümlaut ß', '日本語', '😀 emoji', '"'];
const F64 = [0, -0, 1.5, -2.25, NaN, Infinity, -Infinity, 0.1 + 0.2, 1e-300, 5e-324, Number.MAX_VALUE, 123456789.123456789, -1e21];
const TIMES = [0, 1735689600000, -86400000, 1735689600123, 253402300799999, 1e12 + 1];

/** `n` rows of every kind; the plain-array columns hold nulls. Deterministic. */
export function allKindsTable(n: number): ResultTable {
  const pick = <T>(xs: readonly T[], i: number, k: number): T => xs[(i * k + (i >> 3)) % xs.length]!;
  const f64 = new Float64Array(n);
  const f64n: (number | null)[] = [];
  const i32 = new Int32Array(n);
  const i32n: (number | null)[] = [];
  const bool = new Uint8Array(n);
  const booln: (boolean | null)[] = [];
  const utf8: string[] = [];
  const utf8n: (string | null)[] = [];
  const ts = new Float64Array(n);
  const tsn: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    f64[i] = i < F64.length ? F64[i]! : Math.sin(i) * 10 ** ((i % 13) - 6);
    f64n.push(i % 5 === 1 ? null : pick(F64, i, 7));
    i32[i] = i % 3 === 0 ? (i % 2 ? 2147483647 : -2147483648) : i * 7919 - 5000;
    i32n.push(i % 4 === 2 ? null : -i);
    bool[i] = i % 3 === 1 ? 1 : 0;
    booln.push(i % 5 === 0 ? null : i % 2 === 0);
    utf8.push(pick(STRINGS, i, 3) + (i > STRINGS.length ? ` #${i}` : ''));
    utf8n.push(i % 6 === 3 ? null : pick(STRINGS, i, 5));
    ts[i] = i < TIMES.length ? TIMES[i]! : 1735689600000 + i * 60000;
    tsn.push(i % 7 === 4 ? null : pick(TIMES, i, 2));
  }
  return {
    length: n,
    metadata: { source: 'margincall tests', note: 'ünïcode ✓' },
    columns: [
      { name: 'f64', kind: 'f64', data: f64 },
      { name: 'f64_nullable', kind: 'f64', data: f64n },
      { name: 'i32', kind: 'i32', data: i32 },
      { name: 'i32_nullable', kind: 'i32', data: i32n },
      { name: 'bool', kind: 'bool', data: bool },
      { name: 'bool_nullable', kind: 'bool', data: booln },
      { name: 'utf8', kind: 'utf8', data: utf8, nullable: false },
      { name: 'utf8_nullable', kind: 'utf8', data: utf8n },
      { name: 'time', kind: 'timestamp_ms', data: ts },
      { name: 'time_nullable', kind: 'timestamp_ms', data: tsn },
    ],
  };
}

export function schemaOf(t: ResultTable): ColumnSchema[] {
  return t.columns.map((c) => ({ name: c.name, kind: c.kind, nullable: c.nullable ?? Array.isArray(c.data) }));
}

/** Rows [from, to) of `t`, as a new table with its own arrays. */
export function rowsOf(t: ResultTable, from: number, to: number): ResultTable {
  return { ...t, length: to - from, columns: t.columns.map((c) => ({ ...c, data: c.data.slice(from, to) as ColumnSpec['data'] })) };
}

/** A plain-value view of a column: bools as booleans, everything else as it is. */
function values(c: ColumnSpec): unknown[] {
  return Array.from(c.data as ArrayLike<unknown>, (v) => (c.kind === 'bool' && v !== null ? Boolean(v) : v));
}

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b);
}

/** Same names, kinds, nullability, row count, values (NaN ≠ null, -0 ≠ 0) and metadata. */
export function expectSameTable(actual: ResultTable, wanted: ResultTable, { metadata = true } = {}): void {
  expect(actual.length).toBe(wanted.length);
  expect(actual.columns.map((c) => [c.name, c.kind])).toEqual(wanted.columns.map((c) => [c.name, c.kind]));
  if (metadata) expect(actual.metadata ?? {}).toEqual(wanted.metadata ?? {});
  wanted.columns.forEach((w, j) => {
    const a = actual.columns[j]!;
    expect(a.nullable ?? Array.isArray(a.data), `${w.name} nullable`).toBe(w.nullable ?? Array.isArray(w.data));
    // typed arrays come back as the same typed arrays
    if (!Array.isArray(w.data)) expect(a.data.constructor, w.name).toBe(w.data.constructor);
    const av = values(a);
    const wv = values(w);
    const bad = wv.findIndex((x, i) => !same(av[i], x));
    if (bad >= 0) expect(`${w.name}[${bad}] = ${String(av[bad])}`).toBe(`${w.name}[${bad}] = ${String(wv[bad])}`);
    expect(av.length).toBe(wv.length);
  });
}
