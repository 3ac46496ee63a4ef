// The two faces of a backtest's results: the stable JSON of `backtest --json` / summary.json,
// and the human table with one column per margin mode.
import type { BacktestRun } from '../engine/backtest.js';
import { METRIC_NAMES, type MarginMode, type Metrics, type RunSpec } from '../engine/types.js';

export type MetricsJson = { [K in keyof Metrics]: Metrics[K] extends boolean ? boolean : number | null };

/** One run in the JSON output; keys in this order, exactly. */
export interface RunJson {
  marginMode: MarginMode;
  strategy: RunSpec['strategy'];
  params: Record<string, number>;
  symbols: string[];
  leverage: number;
  metrics: MetricsJson;
}

export interface SummaryJson {
  runs: RunJson[];
}

/** A metric as JSON: a number that is not finite is null (SPEC §7: never a made-up number). */
function jsonValue(v: number | boolean | null): number | boolean | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return v;
}

export function runToJson(run: BacktestRun): RunJson {
  const metrics = {} as Record<string, number | boolean | null>;
  for (const name of METRIC_NAMES) metrics[name] = jsonValue(run.result.metrics[name]);
  return {
    marginMode: run.marginMode,
    strategy: run.strategy,
    params: { ...run.params },
    symbols: [...run.symbols],
    leverage: run.leverage,
    metrics: metrics as MetricsJson,
  };
}

/** `{"runs": [...]}`, the shape of `backtest --json` and of summary.json. */
export function summaryJson(runs: readonly BacktestRun[]): SummaryJson {
  return { runs: runs.map(runToJson) };
}

// ---- the human table --------------------------------------------------------------------------

const usdt = (x: number): string =>
  x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) + ' USDT';
const percent = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(2)}%`);
const ratio = (x: number | null): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(2));
const count = (x: number): string => x.toLocaleString('en-US');

/** The rows of the human table: label and how to show the run's value. */
const ROWS: ReadonlyArray<[string, (m: Metrics) => string]> = [
  ['final equity', (m) => usdt(m.finalEquity)],
  ['total return', (m) => percent(m.totalReturn)],
  ['max drawdown', (m) => percent(m.maxDrawdown)],
  ['Sharpe', (m) => ratio(m.sharpe)],
  ['liquidations', (m) => count(m.liquidations)],
  ['liquidation loss', (m) => usdt(m.liquidationLoss)],
  ['fees', (m) => usdt(m.fees)],
  ['funding (net paid)', (m) => usdt(m.funding)],
  ['trades', (m) => count(m.trades)],
  ['win rate', (m) => percent(m.winRate)],
  ['max margin ratio', (m) => percent(m.maxMarginRatio)],
  ['rejected orders', (m) => count(m.rejectedOrders)],
  ['ruined', (m) => (m.ruined ? 'yes' : 'no')],
];

/** `sma-cross(fast=10, slow=50) on BTCUSDT, 10x, 1,000 USDT per position`: what a block ran. */
export function runTitle(run: BacktestRun): string {
  const p = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const s = run.spec.sizing;
  const sizing =
    s.kind === 'fixed'
      ? `${s.amount.toLocaleString('en-US')} USDT per position`
      : `${(s.fraction * 100).toLocaleString('en-US')}% of equity per position`;
  const liq = run.spec.liquidation.kind === 'threshold' ? `, liquidation at ${run.spec.liquidation.x} of margin lost` : '';
  return `${run.strategy}${p ? `(${p})` : ''} on ${run.symbols.join(' / ')}, ${run.leverage}x, ${sizing}${liq}`;
}

/**
 * One block: a title, then the metrics side by side, one column per margin mode (the runs of
 * one backtest() call, which share strategy, symbols and settings).
 */
export function formatRuns(runs: readonly BacktestRun[], title = runs.length ? runTitle(runs[0]!) : ''): string {
  const header = ['', ...runs.map((r) => r.marginMode)];
  const body = ROWS.map(([label, show]) => [label, ...runs.map((r) => show(r.result.metrics))]);
  const rows = [header, ...body];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('   ').trimEnd();
  return [title, line(header), ...body.map(line)].join('\n') + '\n';
}
