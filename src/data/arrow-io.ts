// Reading Arrow IPC files (ours and other tools'): the LZ4 codec freqtrade's feathers need, and
// column extraction into Float64Array without per-row work where the layout allows it.
import { readFileSync } from 'node:fs';
import {
  CompressionType,
  DataType,
  TimeUnit,
  compressionRegistry,
  tableFromIPC,
  type Table,
  type Vector,
} from 'apache-arrow';
import { decompressFrameSync } from 'lz4-napi';
import { UserError } from '../errors.js';
import { epochToMs } from './time.js';

let codecRegistered = false;

/** Lets apache-arrow read LZ4_FRAME-compressed IPC bodies (pandas/freqtrade feathers). */
export function registerLz4Codec(): void {
  if (codecRegistered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    decode(data: Uint8Array): Uint8Array {
      const out = decompressFrameSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  });
  codecRegistered = true;
}

/** Reads an Arrow IPC file (file or stream format, compressed or not) into a Table. */
export function readArrowTable(path: string, label = path): Table {
  registerLz4Codec();
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new UserError(`cannot read: ${(err as Error).message}`, { file: label });
  }
  if (bytes.length === 0) throw new UserError('empty file (no data rows)', { file: label });
  try {
    return tableFromIPC(bytes);
  } catch (err) {
    throw new UserError(`not a readable Arrow IPC/Feather file (${(err as Error).message})`, { file: label });
  }
}

/** Column names of a table, for messages. */
export function columnNames(table: Table): string[] {
  return table.schema.fields.map((f) => f.name);
}

function int64ToNumbers(values: BigInt64Array, out: Float64Array, at: number, scale: (x: number) => number): void {
  // reading the two 32-bit halves is ~10× faster than Number(bigint) per element
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2);
  const n = values.length;
  if (scale === identity) {
    for (let i = 0; i < n; i++) out[at + i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
  } else {
    for (let i = 0; i < n; i++) out[at + i] = scale(words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0));
  }
}

const identity = (x: number): number => x;

/**
 * A time column as ms since the epoch. Arrow timestamps use their declared unit; plain integer or
 * float columns are read as epoch numbers whose unit is told by magnitude.
 */
export function timeColumnMs(vector: Vector, file: string, field: string): Float64Array {
  const type = vector.type as DataType;
  const out = new Float64Array(vector.length);
  let at = 0;
  if (vector.nullCount > 0) throw nullError(vector, file, field);
  if (DataType.isTimestamp(type) || (DataType.isInt(type) && type.bitWidth === 64)) {
    let scale: (x: number) => number = identity;
    if (DataType.isTimestamp(type)) {
      const unit = type.unit;
      if (unit === TimeUnit.SECOND) scale = (x) => x * 1000;
      else if (unit === TimeUnit.MICROSECOND) scale = (x) => Math.round(x / 1000);
      else if (unit === TimeUnit.NANOSECOND) scale = (x) => Math.round(x / 1e6);
    } else {
      scale = epochToMs;
    }
    for (const data of vector.data) {
      int64ToNumbers(data.values as BigInt64Array, out, at, scale);
      at += data.length;
    }
    return out;
  }
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    for (const data of vector.data) {
      const values = data.values as ArrayLike<number>;
      for (let i = 0; i < data.length; i++) out[at + i] = epochToMs(Number(values[i]));
      at += data.length;
    }
    return out;
  }
  throw new UserError(`has type ${String(type)}; expected a timestamp or epoch number`, { file, field });
}

function nullError(vector: Vector, file: string, field: string): UserError {
  let row = 0;
  for (let i = 0; i < vector.length; i++) {
    if (!vector.isValid(i)) {
      row = i + 1;
      break;
    }
  }
  return new UserError('missing value (null)', { file, row, field });
}

/**
 * A numeric column as Float64Array: zero-copy for a single Float64 chunk, else one copy.
 * Nulls are refused unless `nullAs` is given (then they read as that value).
 */
export function float64Column(vector: Vector, file: string, field: string, nullAs?: number): Float64Array {
  const type = vector.type as DataType;
  if (!DataType.isFloat(type) && !DataType.isInt(type)) {
    throw new UserError(`has type ${String(type)}; expected a number`, { file, field });
  }
  const hasNulls = vector.nullCount > 0;
  if (hasNulls && nullAs === undefined) throw nullError(vector, file, field);
  const floatOk = DataType.isFloat(type) && type.precision === 2; // Precision.DOUBLE
  if (floatOk && vector.data.length === 1 && !hasNulls) return vector.data[0]!.values as Float64Array;
  const out = new Float64Array(vector.length);
  let at = 0;
  for (const data of vector.data) {
    const values = data.values as ArrayLike<number | bigint>;
    if (floatOk) out.set(values as Float64Array, at);
    else for (let i = 0; i < data.length; i++) out[at + i] = Number(values[i]);
    if (data.nullCount > 0) {
      const bitmap = data.nullBitmap!;
      const offset = data.offset;
      for (let i = 0; i < data.length; i++) {
        const bit = offset + i;
        if ((bitmap[bit >> 3]! & (1 << (bit & 7))) === 0) out[at + i] = nullAs!;
      }
    }
    at += data.length;
  }
  return out;
}
