// Arrow IPC / Feather inputs, freqtrade's data folders in particular: `<PAIR>-<tf>-futures.feather`
// (candles), `-mark.feather` (mark prices, volume may be null) and `-funding_rate.feather`
// (one row per event, the rate in `open`). LZ4-compressed, timestamps in ns or ms.
import type { Table } from 'apache-arrow';
import { UserError } from '../../errors.js';
import { columnNames, float64Column, readArrowTable, timeColumnMs } from '../arrow-io.js';
import { COLUMNS } from '../schema.js';
import { MARK_FIELDS } from '../validate.js';
import type { CandlePart, FundingPart, KindHint, NameHints, Part } from './parts.js';

const TIME_NAMES = ['date', 'time', 'timestamp', 'open_time', 'datetime'];
const RATE_NAMES = ['funding_rate', 'fundingRate', 'last_funding_rate', 'rate', 'open'];

function pick(table: Table, candidates: string[]): string | null {
  const names = columnNames(table);
  return candidates.find((c) => names.includes(c)) ?? null;
}

function need(table: Table, name: string, file: string, nullAs?: number): Float64Array {
  const v = table.getChild(name);
  if (!v) throw new UserError(`missing column '${name}' (columns: ${columnNames(table).join(', ')})`, { file });
  return float64Column(v, file, name, nullAs);
}

/** The parts of one Arrow file: candles, plus mark and funding when it is a margincall dataset file. */
export function readArrowParts(path: string, label: string, hints: NameHints, kindOverride: KindHint): Part[] {
  const table = readArrowTable(path, label);
  const first = readArrowPart(table, label, hints, kindOverride);
  if (first.kind !== 'candles') return [first];
  // a margincall dataset file names its symbol and interval, and brings its mark and funding along
  const symbol = table.schema.metadata.get('symbol') || first.symbol;
  const interval = table.schema.metadata.get('interval') || first.interval;
  const parts: Part[] = [{ ...first, symbol, interval }];
  if (table.getChild(COLUMNS.markClose)) {
    parts.push({
      ...first,
      kind: 'mark',
      symbol,
      interval,
      open: need(table, COLUMNS.markOpen, label),
      high: need(table, COLUMNS.markHigh, label),
      low: need(table, COLUMNS.markLow, label),
      close: need(table, COLUMNS.markClose, label),
      volume: null,
      fields: MARK_FIELDS,
    });
  }
  if (table.getChild(COLUMNS.fundingRate)) {
    // funding already settled at bar opens: each non-null value is an event at that bar's time
    const rate = need(table, COLUMNS.fundingRate, label, NaN);
    const rows: number[] = [];
    for (let i = 0; i < rate.length; i++) if (!Number.isNaN(rate[i]!)) rows.push(i);
    parts.push({
      kind: 'funding',
      file: label,
      symbol,
      time: Float64Array.from(rows, (i) => first.time[i]!),
      rate: Float64Array.from(rows, (i) => rate[i]!),
      rows: Int32Array.from(rows, (i) => i + 1),
      timeField: COLUMNS.time,
      rateField: COLUMNS.fundingRate,
      settled: true,
    });
  }
  return parts;
}

function readArrowPart(table: Table, label: string, hints: NameHints, kindOverride: KindHint): CandlePart | FundingPart {
  if (table.numRows === 0) throw new UserError('empty file (no data rows)', { file: label });
  const timeName = pick(table, TIME_NAMES);
  if (!timeName) {
    throw new UserError(`no time column (${TIME_NAMES.join(', ')}); columns: ${columnNames(table).join(', ')}`, {
      file: label,
    });
  }
  const time = timeColumnMs(table.getChild(timeName)!, label, timeName);
  const kind = kindOverride ?? hints.kind ?? 'candles';
  if (kind === 'funding') {
    const rateName = pick(table, RATE_NAMES);
    if (!rateName) throw new UserError(`no funding rate column (${RATE_NAMES.join(', ')})`, { file: label });
    return {
      kind: 'funding',
      file: label,
      symbol: hints.symbol,
      time,
      rate: need(table, rateName, label, NaN),
      rows: null,
      timeField: timeName,
      rateField: rateName,
      settled: false,
    };
  }
  return {
    kind,
    file: label,
    symbol: hints.symbol,
    interval: hints.interval,
    time,
    open: need(table, 'open', label),
    high: need(table, 'high', label),
    low: need(table, 'low', label),
    close: need(table, 'close', label),
    // freqtrade's mark exports carry a volume of 0 or null: it is not used
    volume: kind === 'mark' ? null : need(table, 'volume', label),
    rows: null,
    fields: { time: timeName, open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume' },
  };
}
