// What each input file contributes before series are joined: candle or mark columns, or
// funding events, with the file's own row numbers kept for error messages.
import type { FieldNames } from '../validate.js';

export interface CandlePart {
  kind: 'candles' | 'mark';
  /** The file as the user named it (`archive.zip:entry.csv` inside a zip). */
  file: string;
  symbol: string | null;
  interval: string | null;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Null for mark prices: their volume is not used. */
  volume: Float64Array | null;
  /** 1-based row in the file of each element; null when row = index + 1. */
  rows: Int32Array | null;
  fields: FieldNames;
}

export interface FundingPart {
  kind: 'funding';
  file: string;
  symbol: string | null;
  /** Event times, ms. */
  time: Float64Array;
  /** Rate per event, a fraction (0.0001 = 0.01 %). */
  rate: Float64Array;
  rows: Int32Array | null;
  timeField: string;
  rateField: string;
  /** True when times are bar open times already (a margincall dataset's funding column), not event stamps. */
  settled: boolean;
}

export type Part = CandlePart | FundingPart;

export type KindHint = 'candles' | 'mark' | 'funding' | null;

/** What a file's name says about its content. */
export interface NameHints {
  symbol: string | null;
  interval: string | null;
  kind: KindHint;
}
