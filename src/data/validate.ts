// The rules every candle series obeys, checked column by column (no per-row objects) so the
// same code guards imports, loads of Arrow files written by other tools, and synthetic data.
import { UserError } from '../errors.js';
import { msToInterval } from './interval.js';
import { isoTime } from './time.js';

/** The columns of one candle series; `volume` is null for mark prices (their volume is ignored). */
export interface SeriesColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array | null;
}

/** Field names to report, as the file spells them. */
export interface FieldNames {
  time: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
}

export const DEFAULT_FIELDS: FieldNames = {
  time: 'time',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
};

export const MARK_FIELDS: FieldNames = {
  time: 'time',
  open: 'mark_open',
  high: 'mark_high',
  low: 'mark_low',
  close: 'mark_close',
  volume: 'volume',
};

export interface ValidationContext {
  file: string;
  /** Bar interval in ms; steps must be whole multiples of it. Null: not checked. */
  intervalMs: number | null;
  /** 1-based row in the file of element i; default i + 1. */
  rows?: ArrayLike<number>;
  fields?: FieldNames;
}

function rowOf(ctx: ValidationContext, i: number): number {
  return ctx.rows ? ctx.rows[i]! : i + 1;
}

/** Throws a UserError at the first bad value: prices, volume, OHLC consistency, time order and steps. */
export function validateSeries(cols: SeriesColumns, ctx: ValidationContext): void {
  if (cols.time.length === 0) throw new UserError('empty file (no data rows)', { file: ctx.file });
  validatePrices(cols, ctx);
  validateTimes(cols.time, ctx);
}

function validatePrices(cols: SeriesColumns, ctx: ValidationContext): void {
  const f = ctx.fields ?? DEFAULT_FIELDS;
  const { open, high, low, close, volume } = cols;
  const n = cols.time.length;
  for (let i = 0; i < n; i++) {
    const o = open[i]!, h = high[i]!, l = low[i]!, c = close[i]!;
    // one combined test keeps the common path to a single branch
    if (!(o > 0 && h > 0 && l > 0 && c > 0 && o < Infinity && h < Infinity && l < Infinity && c < Infinity)) {
      for (const [name, v] of [[f.open, o], [f.high, h], [f.low, l], [f.close, c]] as const) {
        if (!Number.isFinite(v)) fail(ctx, i, name, `${v} is not a finite number`);
        if (!(v > 0)) fail(ctx, i, name, `price ${v} must be > 0`);
      }
    }
    if (h < o || h < c) fail(ctx, i, f.high, `high ${h} is below max(open, close) = ${Math.max(o, c)}`);
    if (l > o || l > c) fail(ctx, i, f.low, `low ${l} is above min(open, close) = ${Math.min(o, c)}`);
    if (volume) {
      const v = volume[i]!;
      if (!(v >= 0 && v < Infinity)) {
        if (!Number.isFinite(v)) fail(ctx, i, f.volume, `${v} is not a finite number`);
        fail(ctx, i, f.volume, `volume ${v} must be ≥ 0`);
      }
    }
  }
}

/** Strictly increasing times whose steps are whole multiples of the interval (gaps allowed). */
export function validateTimes(time: Float64Array, ctx: ValidationContext): void {
  const f = ctx.fields ?? DEFAULT_FIELDS;
  const step = ctx.intervalMs;
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (!Number.isFinite(t)) fail(ctx, i, f.time, `${t} is not a timestamp`);
    if (i === 0) continue;
    const d = t - time[i - 1]!;
    if (d === 0) fail(ctx, i, f.time, `duplicate timestamp ${isoTime(t)} (same as the previous row)`);
    if (d < 0) fail(ctx, i, f.time, `timestamp ${isoTime(t)} is before the previous row's ${isoTime(time[i - 1]!)}`);
    if (step !== null && d % step !== 0) {
      fail(
        ctx,
        i,
        f.time,
        `step of ${msToInterval(d)} from the previous row (${isoTime(time[i - 1]!)} → ${isoTime(t)}) ` +
          `is not a whole multiple of the interval ${msToInterval(step)}`,
      );
    }
  }
}

function fail(ctx: ValidationContext, i: number, field: string, message: string): never {
  throw new UserError(message, { file: ctx.file, row: rowOf(ctx, i), field });
}
