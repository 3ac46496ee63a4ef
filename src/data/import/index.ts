// `margincall data import`: reads every input, validates each file, joins files of one symbol,
// attaches mark prices and funding, lines symbols up, and returns Candles ready to write.
// Nothing is written here: the caller writes only after all of this has succeeded.
import { UserError } from '../../errors.js';
import { commonTimes, indicesOf, rangeIndices, take } from '../align.js';
import { assignFunding, FUNDING_LATENESS_MS } from '../funding.js';
import { intervalToMs, msToInterval, smallestStep } from '../interval.js';
import { firstMismatch } from '../load.js';
import type { Candles, SymbolSeries } from '../schema.js';
import { isoTime } from '../time.js';
import { validateSeries, validateTimes } from '../validate.js';
import { SYMBOL_PATTERN } from './names.js';
import type { CandlePart, FundingPart, KindHint } from './parts.js';
import { readInput } from './read.js';

export interface ImportOptions {
  /** Symbol of every input, instead of reading it from file names. */
  symbol?: string;
  /** Bar interval label, instead of file names or the smallest step in the data. */
  interval?: string;
  /** `exact` (default): symbols and mark prices must share timestamps. `inner`: keep common bars. */
  align?: 'exact' | 'inner';
  /** Keep bars with from ≤ time < to (ms). */
  from?: number;
  to?: number;
  /** Inputs to read as mark-price candles / funding events whatever their names say. */
  mark?: string[];
  funding?: string[];
}

export interface SymbolSummary {
  symbol: string;
  bars: number;
  /** Bars of this symbol's candles dropped by `--align inner`. */
  droppedByAlign: number;
  mark: boolean;
  funding: { applied: number; skippedOutsideRange: number } | null;
  files: string[];
}

export interface ImportSummary {
  interval: string;
  bars: number;
  first: string;
  last: string;
  align: 'exact' | 'inner';
  symbols: SymbolSummary[];
}

interface Joined {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array | null;
  files: string[];
}

interface SymbolInputs {
  candles: CandlePart[];
  mark: CandlePart[];
  funding: FundingPart[];
}

export function importFiles(inputs: string[], opts: ImportOptions = {}): { candles: Candles; summary: ImportSummary } {
  const align = opts.align ?? 'exact';
  if (opts.symbol !== undefined && !SYMBOL_PATTERN.test(opts.symbol)) {
    throw new UserError(`--symbol '${opts.symbol}' must be letters, digits, '.', '_' or '-'`);
  }
  const all = [
    ...inputs.map((p) => [p, null] as const),
    ...(opts.mark ?? []).map((p) => [p, 'mark'] as const),
    ...(opts.funding ?? []).map((p) => [p, 'funding'] as const),
  ];
  if (all.length === 0) throw new UserError('no input files');
  const parts = all.flatMap(([path, kind]) => readInput(path, kind as KindHint));

  const bySymbol = new Map<string, SymbolInputs>();
  for (const part of parts) {
    const symbol = opts.symbol ?? part.symbol;
    if (symbol === null) {
      throw new UserError('cannot tell the symbol from the file name (such as BTCUSDT-1h-2024-01.csv): pass --symbol', {
        file: part.file,
      });
    }
    const entry = bySymbol.get(symbol) ?? { candles: [], mark: [], funding: [] };
    bySymbol.set(symbol, entry);
    if (part.kind === 'funding') entry.funding.push(part);
    else entry[part.kind].push(part);
  }
  const symbols = [...bySymbol.keys()].sort();
  for (const s of symbols) {
    if (bySymbol.get(s)!.candles.length === 0) {
      const files = [...bySymbol.get(s)!.mark, ...bySymbol.get(s)!.funding].map((p) => p.file);
      throw new UserError(`${s} has no candle file, only ${files.join(', ')}`);
    }
  }

  const candleParts = parts.filter((p): p is CandlePart => p.kind !== 'funding');
  const { label: interval, ms: intervalMs } = resolveInterval(candleParts, opts.interval);
  for (const p of candleParts) validateSeries(p, { file: p.file, intervalMs, rows: p.rows ?? undefined, fields: p.fields });

  // join each symbol's files, cut to the requested range
  const joined = new Map<string, { candles: Joined; mark: Joined | null }>();
  for (const s of symbols) {
    const entry = bySymbol.get(s)!;
    const candles = cut(join(entry.candles, intervalMs), opts, s);
    const mark = entry.mark.length > 0 ? cut(join(entry.mark, intervalMs), opts, `${s} mark prices`) : null;
    joined.set(s, { candles, mark });
  }

  // line up: every symbol's candles and mark prices on the same timestamps
  const reference = joined.get(symbols[0]!)!.candles;
  let time = reference.time;
  if (align === 'inner') {
    time = commonTimes([...joined.values()].flatMap((j) => (j.mark ? [j.candles.time, j.mark.time] : [j.candles.time])));
    if (time.length === 0) throw new UserError('the inputs have no bar time in common (--align inner)');
  } else {
    for (const s of symbols) {
      const j = joined.get(s)!;
      if (j.mark) requireSame(j.candles, `${s} candles`, j.mark, `${s} mark prices`);
      if (s !== symbols[0]) requireSame(reference, symbols[0]!, j.candles, s);
    }
  }

  const series: SymbolSeries[] = [];
  const summaries: SymbolSummary[] = [];
  for (const s of symbols) {
    const { candles, mark } = joined.get(s)!;
    const idx = indicesOf(candles.time, time);
    const markIdx = mark ? indicesOf(mark.time, time) : null;
    const entry = bySymbol.get(s)!;
    let fundingRate: Float64Array | null = null;
    let funding: SymbolSummary['funding'] = null;
    if (entry.funding.length > 0) {
      fundingRate = new Float64Array(time.length).fill(NaN);
      funding = { applied: 0, skippedOutsideRange: 0 };
      for (const p of checkFunding(entry.funding)) {
        const a = assignFunding(time, p.time, p.rate, p.settled ? 0 : FUNDING_LATENESS_MS);
        for (let i = 0; i < time.length; i++) {
          const r = a.rate[i]!;
          if (r === r) fundingRate[i] = (fundingRate[i]! === fundingRate[i]! ? fundingRate[i]! : 0) + r;
        }
        funding.applied += a.applied;
        funding.skippedOutsideRange += a.skippedBefore + a.skippedAfter;
      }
    }
    series.push({
      symbol: s,
      open: take(candles.open, idx),
      high: take(candles.high, idx),
      low: take(candles.low, idx),
      close: take(candles.close, idx),
      volume: take(candles.volume!, idx),
      mark:
        mark && markIdx
          ? {
              open: take(mark.open, markIdx),
              high: take(mark.high, markIdx),
              low: take(mark.low, markIdx),
              close: take(mark.close, markIdx),
            }
          : null,
      fundingRate,
    });
    summaries.push({
      symbol: s,
      bars: time.length,
      droppedByAlign: candles.time.length - time.length,
      mark: mark !== null,
      funding,
      files: [...candles.files, ...(mark?.files ?? []), ...entry.funding.map((p) => p.file)],
    });
  }
  return {
    candles: { time, interval, intervalMs, symbols: series },
    summary: {
      interval,
      bars: time.length,
      first: isoTime(time[0]!),
      last: isoTime(time[time.length - 1]!),
      align,
      symbols: summaries,
    },
  };
}

/** The interval from --interval, else from file names (which must agree), else the smallest step. */
function resolveInterval(parts: CandlePart[], given: string | undefined): { label: string; ms: number } {
  if (given !== undefined) {
    const ms = intervalToMs(given);
    if (ms === null) throw new UserError(`--interval '${given}' is not an interval (e.g. 1m, 5m, 1h, 1d)`);
    return { label: given, ms };
  }
  const named = parts.filter((p) => p.interval !== null);
  if (named.length > 0) {
    const first = named[0]!;
    const other = named.find((p) => p.interval !== first.interval);
    if (other) {
      throw new UserError(
        `file names disagree on the interval: ${first.file} says ${first.interval}, ${other.file} says ${other.interval}` +
          ' (pass --interval, and import different intervals separately)',
      );
    }
    const ms = intervalToMs(first.interval!);
    if (ms === null) throw new UserError(`interval '${first.interval}' is not a fixed length`, { file: first.file });
    return { label: first.interval!, ms };
  }
  let best = Infinity;
  for (const p of parts) {
    const step = smallestStep(p.time);
    if (step !== null && step < best) best = step;
  }
  if (best === Infinity) throw new UserError('cannot tell the interval from a single bar: pass --interval');
  return { label: msToInterval(best), ms: best };
}

/** One symbol's files of one kind, in time order, each starting after the previous one ends. */
function join(parts: CandlePart[], intervalMs: number): Joined {
  const sorted = [...parts].sort((a, b) => a.time[0]! - b.time[0]!);
  const files = sorted.map((p) => p.file);
  if (sorted.length === 1) return { ...sorted[0]!, files };
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!, next = sorted[k]!;
    const end = prev.time[prev.time.length - 1]!;
    const start = next.time[0]!;
    const place = { file: next.file, row: next.rows ? next.rows[0]! : 1, field: next.fields.time };
    if (start <= end) {
      throw new UserError(`first bar ${isoTime(start)} overlaps ${prev.file}, which ends at ${isoTime(end)}`, place);
    }
    if ((start - end) % intervalMs !== 0) {
      throw new UserError(
        `first bar ${isoTime(start)} is not a whole number of intervals after ${prev.file}'s last bar ${isoTime(end)}`,
        place,
      );
    }
  }
  const concat = (pick: (p: CandlePart) => Float64Array | null): Float64Array | null => {
    if (pick(sorted[0]!) === null) return null;
    const out = new Float64Array(sorted.reduce((n, p) => n + p.time.length, 0));
    let at = 0;
    for (const p of sorted) {
      out.set(pick(p)!, at);
      at += p.time.length;
    }
    return out;
  };
  return {
    time: concat((p) => p.time)!,
    open: concat((p) => p.open)!,
    high: concat((p) => p.high)!,
    low: concat((p) => p.low)!,
    close: concat((p) => p.close)!,
    volume: concat((p) => p.volume),
    files,
  };
}

function cut(j: Joined, opts: ImportOptions, what: string): Joined {
  if (opts.from === undefined && opts.to === undefined) return j;
  const [lo, hi] = rangeIndices(j.time, opts.from, opts.to);
  if (hi === lo) {
    throw new UserError(
      `${what}: no bars in the requested range (the files cover ${isoTime(j.time[0]!)} to ${isoTime(j.time[j.time.length - 1]!)})`,
    );
  }
  const s = (a: Float64Array): Float64Array => a.subarray(lo, hi);
  return {
    time: s(j.time),
    open: s(j.open),
    high: s(j.high),
    low: s(j.low),
    close: s(j.close),
    volume: j.volume ? s(j.volume) : null,
    files: j.files,
  };
}

function requireSame(a: Joined, aName: string, b: Joined, bName: string): void {
  const i = firstMismatch(a.time, b.time);
  if (i < 0) return;
  const at = (j: Joined): string => (i < j.time.length ? isoTime(j.time[i]!) : 'no bar');
  throw new UserError(
    `${aName} and ${bName} have different timestamps: bar ${i + 1} is ${at(a)} in ${aName} ` +
      `(${a.files.join(', ')}) but ${at(b)} in ${bName} (${b.files.join(', ')}); ` +
      'pass --align inner to keep only the bars they share',
  );
}

/** A symbol's funding files, validated, in time order, none overlapping another. */
function checkFunding(parts: FundingPart[]): FundingPart[] {
  for (const p of parts) {
    const fields = { time: p.timeField, open: '', high: '', low: '', close: '', volume: '' };
    validateTimes(p.time, { file: p.file, intervalMs: null, rows: p.rows ?? undefined, fields });
    for (let i = 0; i < p.rate.length; i++) {
      if (!Number.isFinite(p.rate[i]!)) {
        throw new UserError(`funding rate ${p.rate[i]} is not a number`, {
          file: p.file,
          row: p.rows ? p.rows[i]! : i + 1,
          field: p.rateField,
        });
      }
    }
  }
  const sorted = parts.filter((p) => p.time.length > 0).sort((a, b) => a.time[0]! - b.time[0]!);
  for (let k = 1; k < sorted.length; k++) {
    const prev = sorted[k - 1]!, p = sorted[k]!;
    const end = prev.time[prev.time.length - 1]!;
    if (p.time[0]! <= end) {
      throw new UserError(`funding events overlap ${prev.file}, which ends at ${isoTime(end)}`, {
        file: p.file,
        row: p.rows ? p.rows[0]! : 1,
        field: p.timeField,
      });
    }
  }
  return sorted;
}
