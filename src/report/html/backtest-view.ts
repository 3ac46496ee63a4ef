// The data a backtest report embeds: the runs grouped into blocks (the runs of one backtest()
// call: same strategy, parameters, symbols and leverage, one run per margin mode), each with its
// equity and drawdown curves on one time axis, metrics, trades, liquidations, and the candles of
// its symbols with entries, exits and liquidation prices marked.
import type { Candles } from '../../data/schema.js';
import { METRIC_NAMES, type MarginMode } from '../../engine/types.js';
import type { ResultTable } from '../export.js';
import type { RunJson } from '../summary.js';
import { numbers, strings, type BacktestResults } from './results.js';

/** A table as it is embedded: column names and rows of plain values. */
export interface RowsView {
  columns: string[];
  rows: (string | number | boolean | null)[][];
  /** Rows left out to keep the file small (the record files have them all). */
  omitted: number;
}

export type MarkerKind = 'long' | 'short' | 'exit' | 'liquidation';

export interface CandleView {
  symbol: string;
  /** Seconds since the epoch (uPlot's time unit). */
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  /** Entries and exits of trades, liquidation trigger prices; time in seconds. */
  markers: { time: number; price: number; kind: MarkerKind; marginMode: MarginMode }[];
}

export interface BlockView {
  title: string;
  runs: { run: number; marginMode: MarginMode; metrics: RunJson['metrics'] }[];
  /** Seconds; the union of the runs' equity times. */
  time: number[];
  /** Per run, aligned to `time` (null where a run has no point). */
  equity: (number | null)[][];
  /** Per run: equity / running peak − 1 (≤ 0). */
  drawdown: (number | null)[][];
  /** Per run: the equity at a bar where the run was liquidated, else null. */
  liquidationMarks: (number | null)[][];
  trades: RowsView;
  liquidations: RowsView;
  candles: CandleView[];
}

export interface BacktestView {
  kind: 'backtest';
  title: string;
  subtitle: string;
  metricNames: readonly string[];
  blocks: BlockView[];
}

/** Rows of a trades or liquidations table embedded per block; more are summarised as omitted. */
export const MAX_TABLE_ROWS = 5000;

/** A block's title: `sma-cross(fast=10, slow=50) on BTCUSDT / ETHUSDT, 25x`. */
export function blockTitle(r: RunJson): string {
  const p = Object.entries(r.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `${r.strategy}${p ? `(${p})` : ''} on ${r.symbols.join(' / ')}, ${r.leverage}x`;
}

/** Consecutive runs with the same strategy, params, symbols and leverage form a block. */
export function groupBlocks(runs: readonly RunJson[]): number[][] {
  const blocks: number[][] = [];
  let key = '';
  runs.forEach((r, i) => {
    const k = JSON.stringify([r.strategy, r.params, r.symbols, r.leverage]);
    if (k !== key || blocks.at(-1)!.some((j) => runs[j]!.marginMode === r.marginMode)) blocks.push([]);
    key = k;
    blocks.at(-1)!.push(i);
  });
  return blocks;
}

/** Running-peak drawdown: equity / max(equity so far) − 1. */
export function drawdown(equity: ArrayLike<number | null>): (number | null)[] {
  let peak = -Infinity;
  return Array.from(equity, (e) => {
    if (e === null || !Number.isFinite(e)) return null;
    if (e > peak) peak = e;
    return peak > 0 ? e / peak - 1 : 0;
  });
}

const seconds = (ms: number): number => ms / 1000;

/** Row indices of `t` whose `run` column is one of `runs`. */
function rowsOf(t: ResultTable, runs: readonly number[], file: string): number[] {
  const run = numbers(t, 'run', file);
  const want = new Set(runs);
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) if (want.has(run[i] as number)) out.push(i);
  return out;
}

function rowsView(t: ResultTable, rows: number[]): RowsView {
  const kept = rows.slice(0, MAX_TABLE_ROWS);
  const cols = t.columns.filter((c) => c.name !== 'run');
  return {
    columns: cols.map((c) => c.name),
    rows: kept.map((i) =>
      cols.map((c) => {
        const v = c.data[i] ?? null;
        if (c.kind === 'bool') return v === null ? null : Boolean(v);
        if (typeof v === 'number' && !Number.isFinite(v)) return null;
        return v as string | number | null;
      }),
    ),
    omitted: rows.length - kept.length,
  };
}

function block(results: BacktestResults, indices: number[], candles: Candles | null, maxPoints: number): BlockView {
  const runs = indices.map((i) => results.summary.runs[i]!);
  const eqTable = results.equity;
  const eqRows = rowsOf(eqTable, indices, 'equity');
  const eqRun = numbers(eqTable, 'run', 'equity');
  const eqTime = numbers(eqTable, 'time', 'equity');
  const eqValue = numbers(eqTable, 'equity', 'equity');
  const times = [...new Set(eqRows.map((i) => eqTime[i] as number))].sort((a, b) => a - b);
  const at = new Map(times.map((t, k) => [t, k]));
  const equity = indices.map(() => new Array<number | null>(times.length).fill(null));
  for (const i of eqRows) equity[indices.indexOf(eqRun[i] as number)]![at.get(eqTime[i] as number)!] = eqValue[i] as number;

  const liq = results.liquidations;
  const liqRows = rowsOf(liq, indices, 'liquidations');
  const liqRun = numbers(liq, 'run', 'liquidations');
  const liqTime = numbers(liq, 'time', 'liquidations');
  const liquidationMarks = indices.map(() => new Array<number | null>(times.length).fill(null));
  for (const i of liqRows) {
    const r = indices.indexOf(liqRun[i] as number);
    // the event happens during a bar; its mark sits on the first equity point at or after it
    let k = lowerBound(times, liqTime[i] as number);
    if (k >= times.length) k = times.length - 1;
    if (k >= 0) liquidationMarks[r]![k] = equity[r]![k] ?? null;
  }

  const drawdowns = equity.map(drawdown);
  const keep = keptPoints([...equity, ...drawdowns], liquidationMarks, maxPoints);
  const pick = <T>(a: T[]): T[] => (keep === null ? a : keep.map((k) => a[k]!));
  return {
    title: blockTitle(runs[0]!),
    runs: runs.map((r, k) => ({ run: indices[k]!, marginMode: r.marginMode, metrics: r.metrics })),
    time: pick(times).map(seconds),
    equity: equity.map(pick),
    drawdown: drawdowns.map(pick),
    liquidationMarks: liquidationMarks.map(pick),
    trades: rowsView(results.trades, rowsOf(results.trades, indices, 'trades')),
    liquidations: rowsView(liq, liqRows),
    candles: candles ? candleViews(results, indices, runs[0]!.symbols, candles, times, maxPoints) : [],
  };
}

/** Points per curve and candles per chart above which a report thins them (a year of 1m bars is 525,600). */
export const MAX_POINTS = 20_000;

/**
 * Which points of long curves to keep, or null to keep all: per bucket of consecutive bars, the
 * lowest and highest point of every series (so each curve's envelope, its peaks and its deepest
 * drawdown survive), plus the first and last bar and every bar with a liquidation mark.
 */
export function keptPoints(series: readonly (number | null)[][], marks: readonly (number | null)[][], maxPoints: number): number[] | null {
  const n = series[0]?.length ?? 0;
  if (n <= maxPoints) return null;
  const buckets = Math.max(1, Math.floor(maxPoints / (2 * Math.max(1, series.length))));
  const size = Math.ceil(n / buckets);
  const keep = new Set<number>([0, n - 1]);
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    for (const a of series) {
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = a[i];
        if (v === null || v === undefined) continue;
        if (lo < 0 || v < a[lo]!) lo = i;
        if (hi < 0 || v > a[hi]!) hi = i;
      }
      if (lo >= 0) keep.add(lo).add(hi);
    }
  }
  for (const m of marks) m.forEach((v, i) => v !== null && keep.add(i));
  return [...keep].sort((a, b) => a - b);
}

/** OHLC of `group` consecutive bars per candle: first open, highest high, lowest low, last close. */
export function coarserCandles(
  time: ArrayLike<number>,
  open: ArrayLike<number>,
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  group: number,
): { time: number[]; open: number[]; high: number[]; low: number[]; close: number[] } {
  const out = { time: [] as number[], open: [] as number[], high: [] as number[], low: [] as number[], close: [] as number[] };
  for (let start = 0; start < time.length; start += group) {
    const end = Math.min(time.length, start + group);
    let h = -Infinity;
    let l = Infinity;
    for (let i = start; i < end; i++) {
      if (high[i]! > h) h = high[i]!;
      if (low[i]! < l) l = low[i]!;
    }
    out.time.push(time[start]!);
    out.open.push(open[start]!);
    out.high.push(h);
    out.low.push(l);
    out.close.push(close[end - 1]!);
  }
  return out;
}

/** First index k with sorted[k] ≥ x. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function candleViews(
  results: BacktestResults,
  indices: number[],
  symbols: string[],
  candles: Candles,
  times: number[],
  maxPoints: number,
): CandleView[] {
  const first = times[0] ?? -Infinity;
  const last = times.at(-1) ?? Infinity;
  let lo = 0;
  while (lo < candles.time.length && candles.time[lo]! < first) lo++;
  let hi = lo;
  while (hi < candles.time.length && candles.time[hi]! <= last) hi++;
  const mode = (i: number) => results.summary.runs[i]!.marginMode;
  const tr = results.trades;
  const trRows = rowsOf(tr, indices, 'trades');
  const trRun = numbers(tr, 'run', 'trades');
  const trSymbol = strings(tr, 'symbol', 'trades');
  const trSide = numbers(tr, 'side', 'trades');
  const entryTime = numbers(tr, 'entryTime', 'trades');
  const exitTime = numbers(tr, 'exitTime', 'trades');
  const entryPrice = numbers(tr, 'entryPrice', 'trades');
  const exitPrice = numbers(tr, 'exitPrice', 'trades');
  const reason = strings(tr, 'reason', 'trades');
  const lq = results.liquidations;
  const lqRows = rowsOf(lq, indices, 'liquidations');
  const lqRun = numbers(lq, 'run', 'liquidations');
  const lqSymbol = strings(lq, 'symbol', 'liquidations');
  const lqTime = numbers(lq, 'time', 'liquidations');
  const lqPrice = numbers(lq, 'triggerPrice', 'liquidations');

  return symbols.flatMap((symbol) => {
    const s = candles.symbols.find((x) => x.symbol === symbol);
    if (!s) return [];
    const slice = (a: Float64Array) => Array.from(a.subarray(lo, hi));
    const markers: CandleView['markers'] = [];
    for (const i of trRows) {
      if (trSymbol[i] !== symbol) continue;
      const m = mode(trRun[i] as number);
      markers.push({ time: seconds(entryTime[i] as number), price: entryPrice[i] as number, kind: trSide[i] === 1 ? 'long' : 'short', marginMode: m });
      // a liquidation's exit is drawn as the liquidation marker below
      if (reason[i] !== 'liquidation') markers.push({ time: seconds(exitTime[i] as number), price: exitPrice[i] as number, kind: 'exit', marginMode: m });
    }
    for (const i of lqRows) {
      if (lqSymbol[i] !== symbol) continue;
      markers.push({ time: seconds(lqTime[i] as number), price: lqPrice[i] as number, kind: 'liquidation', marginMode: mode(lqRun[i] as number) });
    }
    // markers keep their exact times and prices; only the candles under them get coarser
    const group = Math.ceil((hi - lo) / maxPoints);
    const c = coarserCandles(candles.time.subarray(lo, hi), slice(s.open), slice(s.high), slice(s.low), slice(s.close), Math.max(1, group));
    return [{ symbol, ...c, time: c.time.map(seconds), markers }];
  });
}

/** Every symbol any run traded, in first-seen order. */
export function resultSymbols(results: BacktestResults): string[] {
  return [...new Set(results.summary.runs.flatMap((r) => r.symbols))];
}

/** The embedded model of a backtest report; `candles` null leaves the candle charts out. */
export function backtestView(results: BacktestResults, candles: Candles | null, dataLabel: string, maxPoints = MAX_POINTS): BacktestView {
  const blocks = groupBlocks(results.summary.runs).map((b) => block(results, b, candles, maxPoints));
  const n = results.summary.runs.length;
  return {
    kind: 'backtest',
    title: 'margincall backtest',
    subtitle: `${n} run${n === 1 ? '' : 's'} in ${blocks.length} block${blocks.length === 1 ? '' : 's'}; candles: ${dataLabel}`,
    metricNames: METRIC_NAMES,
    blocks,
  };
}
