// CSV for result tables. Written (RFC 4180 quoting, "\n" line ends, which every reader accepts):
// - f64: `String(x)`, the shortest text that parses back to the same double; -0 as "-0";
//   ±Infinity as "Infinity"/"-Infinity" (pandas, polars and DuckDB read these); NaN and null as
//   an empty field, since CSV readers have no common spelling for NaN.
// - i32: decimal; bool: true/false; timestamp_ms: ISO 8601 UTC with ms ("2025-01-02T03:04:05.000Z").
// - utf8: as is, quoted when it holds a comma, quote, CR or LF, has edge spaces, or is empty, so
//   that an empty string ("") stays distinct from a null (an empty field).
// Read back, an empty field in an f64 column is NaN (or null when the schema says nullable).
import { UserError } from '../errors.js';
import { isNullable, type ColumnData, type ColumnKind, type ColumnSchema, type ColumnSpec, type ResultTable } from './table.js';

export function csvHeader(columns: readonly { name: string }[]): string {
  return columns.map((c) => quote(c.name)).join(',') + '\n';
}

function quote(s: string): string {
  if (s === '' || /[",\r\n]/.test(s) || s.trim() !== s) return '"' + s.replaceAll('"', '""') + '"';
  return s;
}

type Formatter = (i: number) => string;

function formatter(c: ColumnSpec): Formatter {
  const data = c.data as ArrayLike<unknown>;
  const nullable = isNullable(c);
  const typed = !Array.isArray(c.data);
  // the same refusals as the Arrow path, so a CSV never holds what the other formats would not
  const missing = (i: number): string => {
    if (!nullable) throw new Error(`column '${c.name}' row ${i + 1}: null in a column that is not nullable`);
    return '';
  };
  const wrongType = (i: number, x: unknown): never => {
    throw new Error(`column '${c.name}' row ${i + 1}: ${typeof x} in a ${c.kind} column`);
  };
  switch (c.kind) {
    case 'f64':
      return (i) => {
        const x = data[i];
        if (x === null || x === undefined) return missing(i);
        if (typeof x !== 'number') return wrongType(i, x);
        if (Number.isNaN(x)) return '';
        return Object.is(x, -0) ? '-0' : String(x);
      };
    case 'i32':
      return (i) => {
        const x = data[i];
        if (x === null || x === undefined) return missing(i);
        if (typeof x !== 'number') return wrongType(i, x);
        if (!typed && !(Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) {
          throw new Error(`column '${c.name}' row ${i + 1}: ${x} is not a 32-bit integer`);
        }
        return String(x);
      };
    case 'bool':
      return (i) => {
        const x = data[i];
        if (x === null || x === undefined) return missing(i);
        if (!typed && typeof x !== 'boolean') return wrongType(i, x);
        return x ? 'true' : 'false';
      };
    case 'timestamp_ms':
      return (i) => {
        const x = data[i];
        if (x === null || x === undefined || (typeof x === 'number' && Number.isNaN(x))) return missing(i);
        if (typeof x !== 'number') return wrongType(i, x);
        return new Date(Math.round(x)).toISOString();
      };
    case 'utf8':
      return (i) => {
        const x = data[i];
        if (x === null || x === undefined) return missing(i);
        if (typeof x !== 'string') return wrongType(i, x);
        return quote(x);
      };
  }
}

/**
 * Rows `from` (inclusive) to `to` (exclusive) of `t` as CSV lines, each ending in "\n". A null in
 * a column that is not nullable (see `isNullable`) is refused, as in the other formats.
 */
export function csvRows(t: ResultTable, from = 0, to = t.length): string {
  const formats = t.columns.map(formatter);
  const m = formats.length;
  const lines: string[] = new Array(Math.max(0, to - from));
  const cells: string[] = new Array(m);
  for (let i = from; i < to; i++) {
    for (let j = 0; j < m; j++) cells[j] = formats[j]!(i);
    lines[i - from] = cells.join(',');
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The number `s` spells in decimal (or Infinity/NaN), else undefined. `Number()` alone is too
 * lenient (it trims spaces and reads hex), a regular expression was the slowest part of a read.
 */
function parseNumber(s: string): number | undefined {
  const first = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  const startOk = isDigit(first) || first === 43 || first === 45 || first === 46 || first === 73 || first === 78; // + - . I N
  const endOk = isDigit(last) || last === 46 || last === 121 || last === 78; // . y N
  if (!startOk || !endOk) return undefined;
  if (first === 48 && s.length > 1 && !isDigit(s.charCodeAt(1)) && s.charCodeAt(1) !== 46 && (s.charCodeAt(1) | 32) !== 101) {
    return undefined; // 0x.., 0o.., 0b..
  }
  const x = Number(s);
  if (Number.isNaN(x) && s !== 'NaN') return undefined;
  return x;
}

function isInt32Text(s: string, x: number): boolean {
  return Number.isInteger(x) && x >= -2147483648 && x <= 2147483647 && !s.includes('.') && !s.includes('e') && !s.includes('E');
}

/**
 * Parses CSV text (a header row, then data) into a result table. With `schema`, each named
 * column takes that kind and nullability; other columns' kinds are inferred: true/false → bool,
 * ISO UTC times → timestamp_ms, integers in 32-bit range → i32, other numbers → f64, anything
 * else (or any quoted value) → utf8. An all-empty column is f64 (NaN).
 */
export function parseCsvTable(text: string, file: string, schema: readonly ColumnSchema[] = []): ResultTable {
  const { header, fields, quoted } = splitCsv(text, file);
  const rows = header.length ? fields[0]!.length : 0;
  const columns = header.map((name, j): ColumnSpec => {
    const raw = fields[j]!;
    const given = schema.find((s) => s.name === name);
    const kind = given?.kind ?? inferKind(raw, quoted[j]!);
    const nullable = given?.nullable ?? (kind !== 'f64' && raw.includes(null));
    return { name, kind, nullable, data: convert(raw, kind, nullable, file, name) };
  });
  return { columns, length: rows };
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * RFC 4180 split into columns of raw fields: an unquoted empty field is null, a quoted one ''.
 * (csv-parse's per-field `cast` hook, the only way it tells quoted from unquoted, made reads
 * quadratic in the row count.)
 */
function splitCsv(text: string, file: string): { header: string[]; fields: (string | null)[][]; quoted: boolean[] } {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  if (pos >= n) throw new UserError('empty file (no header row)', { file });
  let header: string[] | undefined;
  let fields: (string | null)[][] = [];
  let quoted: boolean[] = [];
  let row: (string | null)[] = [];
  let rowQuoted: boolean[] = [];
  let line = 0; // data rows so far; the header is row 0
  const endRow = (): void => {
    if (!header) {
      header = row.map((name, j) => {
        if (name === null) throw new UserError(`header column ${j + 1} has no name`, { file });
        return name;
      });
      fields = header.map(() => []);
      quoted = header.map(() => false);
    } else {
      line++;
      if (row.length !== header.length) {
        throw new UserError(`has ${row.length} fields; the header has ${header.length}`, { file, row: line });
      }
      for (let j = 0; j < row.length; j++) {
        fields[j]!.push(row[j]!);
        if (rowQuoted[j]) quoted[j] = true;
      }
    }
    row = [];
    rowQuoted = [];
  };
  for (;;) {
    // one field starts at pos
    let value: string | null;
    if (text.charCodeAt(pos) === QUOTE) {
      let out = '';
      let from = pos + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new UserError('a quoted field is never closed', { file, row: line + (header ? 1 : 0) });
        out += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          out += '"';
          from = q + 2;
        } else {
          pos = q + 1;
          break;
        }
      }
      value = out;
      rowQuoted[row.length] = true;
    } else {
      let end = pos;
      while (end < n) {
        const c = text.charCodeAt(end);
        if (c === COMMA || c === LF || c === CR) break;
        end++;
      }
      value = end === pos ? null : text.slice(pos, end);
      pos = end;
    }
    row.push(value);
    const c = text.charCodeAt(pos);
    if (c === COMMA) {
      pos++;
      continue;
    }
    if (c === CR && text.charCodeAt(pos + 1) === LF) pos++;
    if (c === CR || c === LF || pos >= n) {
      endRow();
      pos++;
      if (pos >= n) break;
      continue;
    }
    throw new UserError(`unexpected character after a quoted field`, { file, row: line + (header ? 1 : 0) });
  }
  return { header: header!, fields, quoted };
}

function inferKind(raw: (string | null)[], anyQuoted: boolean): ColumnKind {
  if (anyQuoted) return 'utf8';
  let bool = true;
  let time = true;
  let num = true;
  let int = true;
  let any = false;
  for (const s of raw) {
    if (s === null) continue;
    any = true;
    bool &&= s === 'true' || s === 'false';
    time &&= ISO_UTC.test(s);
    const x: number | undefined = num ? parseNumber(s) : undefined;
    num &&= x !== undefined;
    int &&= num && isInt32Text(s, x!);
  }
  if (any && bool) return 'bool';
  if (any && time) return 'timestamp_ms';
  if (any && int) return 'i32';
  if (num) return 'f64';
  return 'utf8';
}

function convert(raw: (string | null)[], kind: ColumnKind, nullable: boolean, file: string, field: string): ColumnData {
  const n = raw.length;
  const bad = (r: number, what: string): never => {
    throw new UserError(`'${raw[r]}' is not ${what}`, { file, row: r + 1, field });
  };
  const missing = (r: number): never => {
    throw new UserError('missing value', { file, row: r + 1, field });
  };
  if (kind === 'utf8') {
    if (!nullable) raw.forEach((s, r) => s === null && missing(r));
    return raw;
  }
  if (kind === 'bool') {
    const parseBool = (s: string, r: number): boolean => (s === 'true' ? true : s === 'false' ? false : bad(r, 'true or false'));
    if (nullable) return raw.map((s, r) => (s === null ? null : parseBool(s, r)));
    const out = new Uint8Array(n);
    raw.forEach((s, r) => (out[r] = parseBool(s ?? missing(r), r) ? 1 : 0));
    return out;
  }
  const parseNum = (s: string, r: number): number => {
    if (kind === 'timestamp_ms') {
      const ms = ISO_UTC.test(s) ? Date.parse(s) : NaN;
      return Number.isNaN(ms) ? bad(r, 'an ISO 8601 UTC time') : ms;
    }
    const x = parseNumber(s);
    if (x === undefined) return bad(r, 'a number');
    if (kind === 'i32' && !isInt32Text(s, x)) return bad(r, 'a 32-bit integer');
    return x;
  };
  if (nullable) return raw.map((s, r) => (s === null ? null : parseNum(s, r)));
  const out = kind === 'i32' ? new Int32Array(n) : new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const s = raw[r] ?? null;
    if (s === null) out[r] = kind === 'f64' ? NaN : missing(r);
    else out[r] = parseNum(s, r);
  }
  return out;
}
