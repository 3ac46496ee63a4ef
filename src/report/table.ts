// The result table: named, typed columns, the shape every export writes and reads. Columns are
// flat typed arrays where there are no nulls (zero-copy into Arrow) and plain arrays where a value
// can be missing.
import {
  Bool,
  DataType,
  Field,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimeUnit,
  TimestampMillisecond,
  Utf8,
  makeData,
  type Data,
  type Vector,
} from 'apache-arrow';
import { UserError } from '../errors.js';

export type ColumnKind = 'f64' | 'i32' | 'bool' | 'utf8' | 'timestamp_ms';

/**
 * f64 and timestamp_ms (ms since the epoch): Float64Array; i32: Int32Array; bool: Uint8Array
 * (non-zero is true); utf8: string[]. Any kind may instead be a plain array holding `null` for a
 * missing value (numbers for the numeric kinds, booleans for bool). An f64 NaN is a value, not a
 * null; a NaN timestamp is a null.
 */
export type ColumnData =
  | Float64Array
  | Int32Array
  | Uint8Array
  | (number | null)[]
  | (string | null)[]
  | (boolean | null)[];

export interface ColumnSchema {
  name: string;
  kind: ColumnKind;
  /** Defaults to true for plain-array data, false for typed arrays and for writer schemas. */
  nullable?: boolean;
}

export interface ColumnSpec extends ColumnSchema {
  data: ColumnData;
}

export interface ResultTable {
  columns: ColumnSpec[];
  length: number;
  metadata?: Record<string, string>;
}

export const COLUMN_KINDS: readonly ColumnKind[] = ['f64', 'i32', 'bool', 'utf8', 'timestamp_ms'];

export function isNullable(c: ColumnSchema & { data?: ColumnData }): boolean {
  return c.nullable ?? Array.isArray(c.data);
}

function arrowType(kind: ColumnKind): DataType {
  switch (kind) {
    case 'f64':
      return new Float64();
    case 'i32':
      return new Int32();
    case 'bool':
      return new Bool();
    case 'utf8':
      return new Utf8();
    case 'timestamp_ms':
      return new TimestampMillisecond('UTC');
  }
}

/** The Arrow schema of `columns`; nullability as `isNullable` says. */
export function arrowSchema(columns: readonly (ColumnSchema & { data?: ColumnData })[], metadata?: Record<string, string>): Schema {
  const names = new Set<string>();
  const fields = columns.map((c) => {
    if (!COLUMN_KINDS.includes(c.kind)) throw new Error(`column '${c.name}': unknown kind '${String(c.kind)}'`);
    if (names.has(c.name)) throw new Error(`column '${c.name}' appears twice`);
    names.add(c.name);
    return new Field(c.name, arrowType(c.kind), isNullable(c));
  });
  return new Schema(fields, new Map(Object.entries(metadata ?? {})));
}

/** Arrow table of one record batch; typed-array columns are shared, not copied. */
export function toArrowTable(t: ResultTable): Table {
  const schema = arrowSchema(t.columns, t.metadata);
  return new Table(schema, [toRecordBatch(schema, t)]);
}

/**
 * One record batch of `schema` from the columns of `t`, which must have the schema's names and
 * kinds in order. `copy` detaches typed arrays from the caller's buffers (for batches kept after
 * the call returns).
 */
export function toRecordBatch(schema: Schema, t: ResultTable, copy = false): RecordBatch {
  checkBatchShape(schema, t);
  const fields = schema.fields;
  const children = t.columns.map((c, i) => columnData(c, fields[i]!.nullable, t.length, copy));
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: t.length, nullCount: 0, children }));
}

/** Throws unless `t` has the names and kinds of `schema`, in order, and columns of its length. */
export function checkBatchShape(schema: Schema, t: ResultTable): void {
  const fields = schema.fields;
  if (t.columns.length !== fields.length) {
    throw new Error(`batch has ${t.columns.length} columns; expected ${fields.length}`);
  }
  t.columns.forEach((c, i) => {
    const field = fields[i]!;
    if (c.name !== field.name) throw new Error(`batch column ${i + 1} is '${c.name}'; expected '${field.name}'`);
    if (!sameType(arrowType(c.kind), field.type)) throw new Error(`column '${c.name}' is ${c.kind}; expected ${String(field.type)}`);
    if (c.data.length !== t.length) throw new Error(`column '${c.name}' has ${c.data.length} values; the table has ${t.length} rows`);
  });
}

function sameType(a: DataType, b: DataType): boolean {
  return a.typeId === b.typeId && String(a) === String(b);
}

class Validity {
  bitmap: Uint8Array;
  nulls = 0;
  constructor(n: number) {
    this.bitmap = new Uint8Array((n + 7) >> 3);
  }
  set(i: number): void {
    this.bitmap[i >> 3]! |= 1 << (i & 7);
  }
}

function columnData(c: ColumnSpec, nullable: boolean, n: number, copy: boolean): Data {
  const { data, name } = c;
  const type = arrowType(c.kind);
  const refuseNull = (i: number): never => {
    throw new Error(`column '${name}' row ${i + 1}: null in a column that is not nullable`);
  };
  const typed = !Array.isArray(data);
  switch (c.kind) {
    case 'f64':
    case 'i32': {
      const Ctor = c.kind === 'f64' ? Float64Array : Int32Array;
      if (typed) {
        if (!(data instanceof Ctor)) throw new Error(`column '${name}' (${c.kind}) needs a ${Ctor.name} or an array`);
        return makeData({ type, length: n, nullCount: 0, data: copy ? data.slice() : data } as never);
      }
      const values = new Ctor(n);
      const validity = new Validity(n);
      for (let i = 0; i < n; i++) {
        const x = (data as unknown[])[i];
        if (x === null || x === undefined) {
          if (!nullable) refuseNull(i);
          validity.nulls++;
          continue;
        }
        if (typeof x !== 'number') throw new Error(`column '${name}' row ${i + 1}: ${typeof x} in a ${c.kind} column`);
        if (c.kind === 'i32' && !(Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) {
          throw new Error(`column '${name}' row ${i + 1}: ${x} is not a 32-bit integer`);
        }
        values[i] = x;
        validity.set(i);
      }
      return withValidity(type, n, values, validity);
    }
    case 'timestamp_ms': {
      if (typed && !(data instanceof Float64Array)) throw new Error(`column '${name}' (timestamp_ms) needs a Float64Array or an array`);
      const values = new BigInt64Array(n);
      const words = new Int32Array(values.buffer);
      const validity = new Validity(n);
      for (let i = 0; i < n; i++) {
        const x = (data as ArrayLike<unknown>)[i];
        if (x === null || x === undefined || (typeof x === 'number' && Number.isNaN(x))) {
          if (!nullable) refuseNull(i);
          validity.nulls++;
          continue;
        }
        if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`column '${name}' row ${i + 1}: ${String(x)} is not a time in ms`);
        // two 32-bit halves: ~10x faster than BigInt(x) per row
        const ms = Math.round(x);
        const hi = Math.floor(ms / 4294967296);
        words[2 * i] = ms - hi * 4294967296;
        words[2 * i + 1] = hi;
        validity.set(i);
      }
      return withValidity(type, n, values, validity);
    }
    case 'bool': {
      if (typed && !(data instanceof Uint8Array)) throw new Error(`column '${name}' (bool) needs a Uint8Array or an array`);
      const bits = new Uint8Array((n + 7) >> 3);
      const validity = new Validity(n);
      for (let i = 0; i < n; i++) {
        const x = (data as ArrayLike<unknown>)[i];
        if (x === null || x === undefined) {
          if (!nullable) refuseNull(i);
          validity.nulls++;
          continue;
        }
        if (!typed && typeof x !== 'boolean') throw new Error(`column '${name}' row ${i + 1}: ${typeof x} in a bool column`);
        if (x) bits[i >> 3]! |= 1 << (i & 7);
        validity.set(i);
      }
      return withValidity(type, n, bits, validity);
    }
    case 'utf8': {
      if (typed) throw new Error(`column '${name}' (utf8) needs an array of strings`);
      const offsets = new Int32Array(n + 1);
      const validity = new Validity(n);
      let bytes = 0;
      for (let i = 0; i < n; i++) {
        const s = (data as unknown[])[i];
        if (s === null || s === undefined) {
          if (!nullable) refuseNull(i);
          validity.nulls++;
        } else if (typeof s !== 'string') {
          throw new Error(`column '${name}' row ${i + 1}: ${typeof s} in a utf8 column`);
        } else {
          bytes += Buffer.byteLength(s, 'utf8');
          validity.set(i);
        }
        offsets[i + 1] = bytes;
      }
      const buf = Buffer.alloc(bytes);
      for (let i = 0; i < n; i++) {
        const s = (data as (string | null)[])[i];
        if (typeof s === 'string') buf.write(s, offsets[i]!, 'utf8');
      }
      const values = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      return makeData({
        type,
        length: n,
        nullCount: validity.nulls,
        nullBitmap: validity.nulls ? validity.bitmap : undefined,
        valueOffsets: offsets,
        data: values,
      } as never);
    }
  }
}

function withValidity(type: DataType, n: number, data: ArrayBufferView, validity: Validity): Data {
  return makeData({
    type,
    length: n,
    nullCount: validity.nulls,
    nullBitmap: validity.nulls ? validity.bitmap : undefined,
    data,
  } as never);
}

/**
 * A result table from any Arrow table whose columns have a supported type: floats, integers up
 * to 32 bits (64-bit ones become f64), booleans, strings (dictionary-encoded too) and timestamps
 * of any unit (as ms). Nullable fields, and fields holding nulls, become plain arrays.
 */
export function fromArrowTable(table: Table, file?: string): ResultTable {
  const columns: ColumnSpec[] = table.schema.fields.map((field, i) => {
    const vector = table.getChildAt(i)!;
    const nullable = field.nullable || vector.nullCount > 0;
    const kind = kindOf(field.type, file, field.name);
    return { name: field.name, kind, nullable, data: readColumn(vector, kind, nullable) };
  });
  const metadata = Object.fromEntries(table.schema.metadata);
  return { columns, length: table.numRows, ...(table.schema.metadata.size ? { metadata } : {}) };
}

function kindOf(type: DataType, file: string | undefined, field: string): ColumnKind {
  if (DataType.isFloat(type)) return 'f64';
  if (DataType.isInt(type)) return type.bitWidth < 32 || (type.bitWidth === 32 && type.isSigned) ? 'i32' : 'f64';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isUtf8(type) || DataType.isLargeUtf8(type) || DataType.isUtf8View(type)) return 'utf8';
  if (DataType.isDictionary(type) && (DataType.isUtf8(type.dictionary) || DataType.isLargeUtf8(type.dictionary))) return 'utf8';
  if (DataType.isTimestamp(type)) return 'timestamp_ms';
  throw new UserError(`has type ${String(type)}, which a result table cannot hold`, { file, field });
}

const MS_PER_UNIT: Record<number, number> = {
  [TimeUnit.SECOND]: 1000,
  [TimeUnit.MILLISECOND]: 1,
  [TimeUnit.MICROSECOND]: 1e-3,
  [TimeUnit.NANOSECOND]: 1e-6,
};

function readColumn(vector: Vector, kind: ColumnKind, nullable: boolean): ColumnData {
  const n = vector.length;
  if (kind === 'timestamp_ms') return readTimestamps(vector, nullable);
  if (kind === 'utf8') {
    const out: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = (vector.get(i) as string | null) ?? null;
    return out;
  }
  if (kind === 'bool') {
    if (nullable) {
      const out: (boolean | null)[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = vector.isValid(i) ? Boolean(vector.get(i)) : null;
      return out;
    }
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = vector.get(i) ? 1 : 0;
    return out;
  }
  if (nullable) {
    const out: (number | null)[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = vector.isValid(i) ? Number(vector.get(i)) : null;
    return out;
  }
  const values = vector.toArray() as ArrayLike<number | bigint>;
  const Ctor = kind === 'i32' ? Int32Array : Float64Array;
  if (values instanceof Ctor) return values;
  const out = new Ctor(n);
  for (let i = 0; i < n; i++) out[i] = Number(values[i]);
  return out;
}

function readTimestamps(vector: Vector, nullable: boolean): ColumnData {
  const ms = new Float64Array(vector.length);
  const scale = MS_PER_UNIT[(vector.type as { unit: TimeUnit }).unit]!;
  let at = 0;
  for (const data of vector.data) {
    const v = data.values as BigInt64Array;
    const words = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
    for (let i = 0; i < data.length; i++) {
      const raw = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
      ms[at + i] = scale === 1 ? raw : Math.round(raw * scale);
    }
    at += data.length;
  }
  if (!nullable) return ms;
  const out: (number | null)[] = new Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector.isValid(i) ? ms[i]! : null;
  return out;
}
