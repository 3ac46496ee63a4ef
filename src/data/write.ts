// Writing datasets: one uncompressed Arrow IPC file per symbol (apache-arrow's compressed
// writer is broken), each written through a temp file and a rename.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Field,
  Float64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  makeData,
  tableToIPC,
  type Data,
} from 'apache-arrow';
import { tempPathFor, writeFileAtomic } from '../io/atomic.js';
import { COLUMNS, type Candles } from './schema.js';

function timeData(time: Float64Array): Data {
  // two 32-bit halves per value: exact for any integer ms below 2^53, and no BigInt per row
  const words = new Int32Array(time.length * 2);
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    const hi = Math.floor(t / 4294967296);
    words[2 * i] = t - hi * 4294967296;
    words[2 * i + 1] = hi;
  }
  const type = new TimestampMillisecond('UTC');
  return makeData({ type, length: time.length, data: new BigInt64Array(words.buffer) });
}

function floatData(values: Float64Array): Data {
  return makeData({ type: new Float64(), length: values.length, data: values });
}

/** Funding is null except at bars that settle an event; NaN in memory marks "none". */
function fundingData(rate: Float64Array): Data {
  const n = rate.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  const values = new Float64Array(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const v = rate[i]!;
    if (Number.isNaN(v)) nulls++;
    else {
      bitmap[i >> 3]! |= 1 << (i & 7);
      values[i] = v;
    }
  }
  return makeData({ type: new Float64(), length: n, data: values, nullBitmap: bitmap, nullCount: nulls });
}

/** The Arrow IPC file bytes of one symbol of `candles`. */
export function encodeSymbol(candles: Candles, symbolIndex: number): Uint8Array {
  const s = candles.symbols[symbolIndex];
  if (!s) throw new RangeError(`no symbol at index ${symbolIndex}`);
  const n = candles.time.length;
  const fields: Field[] = [new Field(COLUMNS.time, new TimestampMillisecond('UTC'), false)];
  const children: Data[] = [timeData(candles.time)];
  const add = (name: string, values: Float64Array, data: Data = floatData(values)): void => {
    if (values.length !== n) throw new RangeError(`${s.symbol}.${name} has ${values.length} values, time has ${n}`);
    fields.push(new Field(name, new Float64(), data.nullCount > 0));
    children.push(data);
  };
  add(COLUMNS.open, s.open);
  add(COLUMNS.high, s.high);
  add(COLUMNS.low, s.low);
  add(COLUMNS.close, s.close);
  add(COLUMNS.volume, s.volume);
  if (s.mark) {
    add(COLUMNS.markOpen, s.mark.open);
    add(COLUMNS.markHigh, s.mark.high);
    add(COLUMNS.markLow, s.mark.low);
    add(COLUMNS.markClose, s.mark.close);
  }
  if (s.fundingRate) {
    const data = fundingData(s.fundingRate);
    add(COLUMNS.fundingRate, s.fundingRate, data);
    // keep the column nullable even when every bar has a rate, so the schema is the same
    fields[fields.length - 1] = new Field(COLUMNS.fundingRate, new Float64(), true);
  }
  const metadata = new Map<string, string>([['symbol', s.symbol]]);
  if (candles.interval) metadata.set('interval', candles.interval);
  const schema = new Schema(fields, metadata);
  const struct = makeData({ type: new Struct(fields), length: n, nullCount: 0, children });
  return tableToIPC(new Table([new RecordBatch(schema, struct)]), 'file');
}

/** Writes one symbol of `candles` to `path` (temp file + rename). */
export function writeSymbolFile(path: string, candles: Candles, symbolIndex: number): void {
  writeFileAtomic(path, encodeSymbol(candles, symbolIndex));
}

/**
 * Writes every symbol of `candles` to `<dir>/<SYMBOL>.arrow`. All files are encoded and written
 * to temp files before the first rename, so a failure leaves no partial output behind.
 * Returns the paths written, in symbol order.
 */
export function writeDataset(dir: string, candles: Candles): string[] {
  mkdirSync(dir, { recursive: true });
  const temps: string[] = [];
  const paths = candles.symbols.map((s) => join(dir, `${s.symbol}.arrow`));
  try {
    candles.symbols.forEach((_, i) => {
      const tmp = tempPathFor(paths[i]!);
      temps.push(tmp);
      writeFileSync(tmp, encodeSymbol(candles, i));
    });
    temps.forEach((tmp, i) => renameSync(tmp, paths[i]!));
  } catch (err) {
    for (const tmp of temps) rmSync(tmp, { force: true });
    throw err;
  }
  return paths;
}
