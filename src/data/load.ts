// Loading datasets into typed columns. Synchronous: the work is one read and a few passes over
// flat arrays, and callers (CLI, sweep workers, tests) are simpler without promises.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Table } from 'apache-arrow';
import { UserError } from '../errors.js';
import { rangeIndices } from './align.js';
import { float64Column, readArrowTable, timeColumnMs } from './arrow-io.js';
import { intervalToMs, medianStep } from './interval.js';
import { COLUMNS, type Candles, type SymbolSeries } from './schema.js';
import { isoTime } from './time.js';
import { MARK_FIELDS, validateSeries } from './validate.js';

export interface LoadOptions {
  /** Symbols to load, in this order; default: every `<SYMBOL>.arrow` in the directory, by name. */
  symbols?: string[];
  /** Keep bars with `from ≤ time` (ms, inclusive). */
  from?: number;
  /** Keep bars with `time < to` (ms, exclusive). */
  to?: number;
}

interface LoadedFile {
  file: string;
  symbol: string;
  interval: string | null;
  time: Float64Array;
  series: SymbolSeries;
}

/** `<SYMBOL>.arrow` files of a dataset directory, by symbol name. */
export function datasetFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.arrow')) files.set(name.slice(0, -'.arrow'.length), join(dir, name));
  }
  return files;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    throw new UserError('no such file or directory', { file: path });
  }
}

/**
 * Loads a dataset (a directory of `<SYMBOL>.arrow` files, or a single such file) into columns.
 * Every file is validated (prices, OHLC, time order and steps), and all symbols must share the
 * same timestamps. Float64 columns are views of the file bytes (no copy); time is converted
 * from int64 ms, and null funding rates become NaN.
 */
export function loadDataset(path: string, opts: LoadOptions = {}): Candles {
  if (!isDirectory(path)) {
    // a single file: its symbol is what its metadata says, whatever the file is called
    const one = readSymbol(path, basename(path).replace(/\.(arrow|feather|ipc)$/, ''), opts, false);
    const other = opts.symbols?.find((s) => s !== one.symbol);
    if (other !== undefined) {
      throw new UserError(`symbol ${other} is not in this file (available: ${one.symbol})`, { file: path });
    }
    return combine([one]);
  }
  const files = datasetFiles(path);
  if (files.size === 0) throw new UserError('no .arrow files in this directory', { file: path });
  const wanted = opts.symbols ?? [...files.keys()];
  const missing = wanted.filter((s) => !files.has(s));
  if (missing.length > 0) {
    throw new UserError(
      `symbol${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in the dataset ` +
        `(available: ${[...files.keys()].join(', ')})`,
      { file: path },
    );
  }
  if (wanted.length === 0) throw new UserError('no symbols requested', { file: path });
  return combine(wanted.map((sym) => readSymbol(files.get(sym)!, sym, opts, true)));
}

function combine(loaded: LoadedFile[]): Candles {
  const first = loaded[0]!;
  for (const other of loaded.slice(1)) {
    if (other.interval !== first.interval) {
      throw new UserError(
        `interval ${other.interval ?? '(none)'} differs from ${first.symbol}'s ${first.interval ?? '(none)'}`,
        { file: other.file },
      );
    }
    const i = firstMismatch(first.time, other.time);
    if (i >= 0) {
      const a = i < first.time.length ? isoTime(first.time[i]!) : 'no bar';
      const b = i < other.time.length ? isoTime(other.time[i]!) : 'no bar';
      throw new UserError(
        `timestamps differ from ${first.symbol}'s at bar ${i + 1}: ${other.symbol} has ${b}, ${first.symbol} has ${a}` +
          ' (re-import with --align inner to keep only common bars)',
        { file: other.file },
      );
    }
  }
  const labelMs = first.interval ? intervalToMs(first.interval) : null;
  return {
    time: first.time,
    interval: first.interval,
    intervalMs: labelMs ?? medianStep(first.time),
    symbols: loaded.map((l) => l.series),
  };
}

/** Index of the first bar where two time columns differ, or -1 when identical. */
export function firstMismatch(a: Float64Array, b: Float64Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function column(table: Table, name: string, file: string, required: true): Float64Array;
function column(table: Table, name: string, file: string, required: false): Float64Array | null;
function column(table: Table, name: string, file: string, required: boolean): Float64Array | null {
  const v = table.getChild(name);
  if (!v) {
    if (required) throw new UserError(`missing column '${name}' (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`, { file });
    return null;
  }
  return float64Column(v, file, name);
}

/** `nameIsSymbol`: in a directory the file name is the symbol, and the metadata must agree. */
function readSymbol(file: string, fallbackSymbol: string, opts: LoadOptions, nameIsSymbol: boolean): LoadedFile {
  const table = readArrowTable(file);
  const meta = table.schema.metadata;
  const symbol = meta.get('symbol') || fallbackSymbol;
  if (nameIsSymbol && symbol !== fallbackSymbol) {
    throw new UserError(`the file is named for ${fallbackSymbol} but its metadata says symbol ${symbol}`, { file });
  }
  const interval = meta.get('interval') || null;
  const intervalMs = interval ? intervalToMs(interval) : null;
  if (interval && intervalMs === null) throw new UserError(`metadata interval '${interval}' is not an interval`, { file });
  const timeVector = table.getChild(COLUMNS.time);
  if (!timeVector) throw new UserError(`missing column '${COLUMNS.time}'`, { file });
  let time = timeColumnMs(timeVector, file, COLUMNS.time);
  const cols = {
    open: column(table, COLUMNS.open, file, true),
    high: column(table, COLUMNS.high, file, true),
    low: column(table, COLUMNS.low, file, true),
    close: column(table, COLUMNS.close, file, true),
    volume: column(table, COLUMNS.volume, file, true),
  };
  const markNames = [COLUMNS.markOpen, COLUMNS.markHigh, COLUMNS.markLow, COLUMNS.markClose];
  const markCols = markNames.map((n) => column(table, n, file, false));
  const present = markCols.filter((c) => c !== null).length;
  if (present !== 0 && present !== 4) {
    throw new UserError(`has only some of ${markNames.join(', ')}: all four or none`, { file });
  }
  const fundingVector = table.getChild(COLUMNS.fundingRate);
  let funding = fundingVector ? float64Column(fundingVector, file, COLUMNS.fundingRate, NaN) : null;

  validateSeries({ time, ...cols }, { file, intervalMs });
  if (present === 4) {
    const [open, high, low, close] = markCols as Float64Array[];
    validateSeries({ time, open: open!, high: high!, low: low!, close: close!, volume: null }, {
      file,
      intervalMs: null,
      fields: MARK_FIELDS,
    });
  }
  if (funding) {
    for (let i = 0; i < funding.length; i++) {
      if (funding[i] === Infinity || funding[i] === -Infinity) {
        throw new UserError(`${funding[i]} is not a finite number`, { file, row: i + 1, field: COLUMNS.fundingRate });
      }
    }
  }

  const [lo, hi] = rangeIndices(time, opts.from, opts.to);
  const cut = (a: Float64Array): Float64Array => (lo === 0 && hi === a.length ? a : a.subarray(lo, hi));
  time = cut(time);
  if (time.length === 0) {
    throw new UserError('no bars in the requested time range', { file });
  }
  const mark =
    present === 4
      ? { open: cut(markCols[0]!), high: cut(markCols[1]!), low: cut(markCols[2]!), close: cut(markCols[3]!) }
      : null;
  if (funding) funding = cut(funding);
  return {
    file,
    symbol,
    interval,
    time,
    series: {
      symbol,
      open: cut(cols.open),
      high: cut(cols.high),
      low: cut(cols.low),
      close: cut(cols.close),
      volume: cut(cols.volume),
      mark,
      fundingRate: funding,
    },
  };
}
