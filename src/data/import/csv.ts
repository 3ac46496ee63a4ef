// CSV inputs: Binance kline and markPriceKlines files (12 columns, header or not), Binance
// funding files, and generic OHLCV files with a header. Parsed with csv-parse record by record
// into flat arrays (no row objects kept).
import { parse } from 'csv-parse/sync';
import { UserError } from '../../errors.js';
import { numberProblem, parseDecimal } from '../numbers.js';
import { parseTimestamp } from '../time.js';
import { DEFAULT_FIELDS, type FieldNames } from '../validate.js';
import type { CandlePart, FundingPart, KindHint, NameHints, Part } from './parts.js';

/** Binance's kline layout (futures klines and markPriceKlines alike), used when there is no header. */
const BINANCE_KLINE = [
  'open_time', 'open', 'high', 'low', 'close', 'volume', 'close_time', 'quote_volume', 'count',
  'taker_buy_volume', 'taker_buy_quote_volume', 'ignore',
];
const BINANCE_FUNDING = ['calc_time', 'funding_interval_hours', 'last_funding_rate'];

const TIME_NAMES = ['opentime', 'timestamp', 'time', 'date', 'datetime'];
const FUNDING_TIME_NAMES = ['calctime', 'fundingtime', 'timestamp', 'time', 'date'];
const FUNDING_RATE_NAMES = ['lastfundingrate', 'fundingrate'];

const norm = (name: string): string => name.trim().toLowerCase().replace(/[\s_-]/g, '');

interface Layout {
  kind: 'candles' | 'mark' | 'funding';
  /** Column names as the file spells them (or Binance's, without a header). */
  names: string[];
  hasHeader: boolean;
  /** Column index of time, open, high, low, close, volume (or -1) / of time and rate for funding. */
  index: number[];
}

function findColumn(norms: string[], candidates: string[]): number {
  for (const c of candidates) {
    const i = norms.indexOf(c);
    if (i >= 0) return i;
  }
  return -1;
}

function layoutOf(first: string[], file: string, hint: KindHint): Layout {
  const hasHeader = first.length > 0 && Number.isNaN(parseTimestamp(first[0]!));
  if (!hasHeader) {
    if (hint === 'funding') {
      if (first.length !== 3) throw columnCount(file, 1, first.length, 3, 'Binance funding layout without a header');
      return { kind: 'funding', names: BINANCE_FUNDING, hasHeader, index: [0, 2] };
    }
    if (first.length !== 12) {
      throw columnCount(
        file,
        1,
        first.length,
        12,
        "Binance's kline layout; other layouts need a header row naming the columns",
      );
    }
    return { kind: hint === 'mark' ? 'mark' : 'candles', names: BINANCE_KLINE, hasHeader, index: [0, 1, 2, 3, 4, 5] };
  }
  const names = first.map((n) => n.trim());
  const norms = names.map(norm);
  const rate = findColumn(norms, FUNDING_RATE_NAMES);
  if (hint === 'funding' || (rate >= 0 && !norms.includes('open'))) {
    const time = findColumn(norms, FUNDING_TIME_NAMES);
    if (rate < 0 || time < 0) {
      throw new UserError(
        `a funding file needs a time column (calc_time or funding_time) and a rate column ` +
          `(last_funding_rate or funding_rate); found ${names.join(', ')}`,
        { file },
      );
    }
    return { kind: 'funding', names, hasHeader, index: [time, rate] };
  }
  const index = [findColumn(norms, TIME_NAMES), ...['open', 'high', 'low', 'close', 'volume'].map((c) => norms.indexOf(c))];
  const kind = hint === 'mark' ? 'mark' : 'candles';
  const required = kind === 'mark' ? 5 : 6;
  const labels = ['a time column (open_time, timestamp, time or date)', 'open', 'high', 'low', 'close', 'volume'];
  const missing = labels.filter((_, k) => k < required && index[k]! < 0);
  if (missing.length > 0) {
    throw new UserError(`missing ${missing.join(', ')} in the header (${names.join(', ')})`, { file });
  }
  return { kind, names, hasHeader, index };
}

function columnCount(file: string, row: number, found: number, expected: number, what: string): UserError {
  return new UserError(`wrong column count: ${found} columns, expected ${expected} (${what})`, { file, row });
}

/** Reads one CSV text into a part. `label` names the file in messages. */
export function readCsvPart(text: string, label: string, hints: NameHints, kindOverride: KindHint): Part {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const hint = kindOverride ?? hints.kind;
  let layout: Layout | null = null;
  let headerLines = 0;
  const cols: number[][] = [];
  const rows: number[] = [];
  try {
    parse(body, {
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], ctx) => {
        if (layout === null) {
          layout = layoutOf(record, label, hint);
          for (let k = 0; k < layout.index.length; k++) cols.push([]);
          if (layout.hasHeader) {
            headerLines = ctx.lines;
            return null;
          }
        }
        const row = ctx.lines - headerLines;
        if (record.length !== layout.names.length) {
          throw columnCount(label, row, record.length, layout.names.length, `columns: ${layout.names.join(', ')}`);
        }
        const { index, names } = layout;
        for (let k = 0; k < index.length; k++) {
          const at = index[k]!;
          if (at < 0) continue;
          const text = record[at]!;
          const v = k === 0 ? parseTimestamp(text) : parseDecimal(text);
          if (Number.isNaN(v)) {
            const why = k === 0 ? 'not a timestamp (epoch s/ms/µs/ns or ISO-8601)' : numberProblem(text);
            throw new UserError(`'${text}' is ${why}`, { file: label, row, field: names[at]! });
          }
          cols[k]!.push(v);
        }
        rows.push(row);
        return null;
      },
    });
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as Error & { lines?: number };
    throw new UserError(`not readable as CSV (${e.message})`, { file: label });
  }
  if (layout === null || rows.length === 0) throw new UserError('empty file (no data rows)', { file: label });
  const l = layout as Layout;
  const at = (k: number): Float64Array => Float64Array.from(cols[k]!);
  const rowNumbers = Int32Array.from(rows);
  if (l.kind === 'funding') {
    const part: FundingPart = {
      kind: 'funding',
      file: label,
      symbol: hints.symbol,
      time: at(0),
      rate: at(1),
      rows: rowNumbers,
      timeField: l.names[l.index[0]!]!,
      rateField: l.names[l.index[1]!]!,
      settled: false,
    };
    return part;
  }
  const fields: FieldNames = { ...DEFAULT_FIELDS };
  (['time', 'open', 'high', 'low', 'close', 'volume'] as const).forEach((f, k) => {
    if (l.index[k]! >= 0) fields[f] = l.names[l.index[k]!]!;
  });
  const part: CandlePart = {
    kind: l.kind,
    file: label,
    symbol: hints.symbol,
    interval: hints.interval,
    time: at(0),
    open: at(1),
    high: at(2),
    low: at(3),
    close: at(4),
    volume: l.kind === 'mark' ? null : at(5),
    rows: rowNumbers,
    fields,
  };
  return part;
}
