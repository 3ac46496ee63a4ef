// The in-memory shape of candle data, shared by the loaders, the engine, the kernel binding
// and the sweep. Columns, never per-row objects.

/** Mark-price candles of one symbol (same length as the dataset's time column). */
export interface MarkColumns {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** One symbol's columns. Every column has one value per bar of the dataset. */
export interface SymbolSeries {
  symbol: string;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  /** Mark-price candles, or null when the data has none (the engine then uses last prices). */
  mark: MarkColumns | null;
  /** Funding rate settled at each bar's open (already assigned by SPEC §3.1); NaN where none. Null when the data has no funding column. */
  fundingRate: Float64Array | null;
}

/** Several symbols on the same timestamps: what a backtest runs on. */
export interface Candles {
  /** Bar open times, ms since the epoch, UTC, strictly increasing. */
  time: Float64Array;
  /** Interval label such as `1m` or `1h`, when known. */
  interval: string | null;
  /** Interval in ms (from the label, else the median spacing), or null with fewer than two bars. */
  intervalMs: number | null;
  symbols: SymbolSeries[];
}

/** Column names of the dataset format (docs/data-format.md). */
export const COLUMNS = {
  time: 'time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  markOpen: 'mark_open',
  markHigh: 'mark_high',
  markLow: 'mark_low',
  markClose: 'mark_close',
  fundingRate: 'funding_rate',
} as const;
