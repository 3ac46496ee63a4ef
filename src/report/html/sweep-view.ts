// The data a sweep report embeds, computed here rather than in the page so that a sweep of a
// million rows becomes a few kilobytes: one heatmap of a metric over two parameters per margin
// mode (the mean over every other dimension: leverage, symbols, other parameters), the best
// runs, and liquidations per leverage.
import { LOWER_IS_BETTER, METRIC_NAMES } from '../../engine/types.js';
import { UserError } from '../../errors.js';
import type { ResultTable } from '../export.js';
import type { RowsView } from './backtest-view.js';
import { column, modeColumn, numbers, strings, type SweepResults } from './results.js';

/** Columns of a sweep row that are neither parameters nor metrics. */
export const SWEEP_ID_COLUMNS = ['run', 'marginMode', 'margin', 'leverage', 'symbols', 'strategy'] as const;


export interface HeatmapView {
  marginMode: string;
  /** cells[yi][xi]: mean of the metric over the runs at (xs[xi], ys[yi]); null where none is defined. */
  cells: (number | null)[][];
  counts: number[][];
}

export interface SweepView {
  kind: 'sweep';
  title: string;
  subtitle: string;
  metric: string;
  x: string;
  y: string;
  xs: number[];
  ys: number[];
  heatmaps: HeatmapView[];
  top: RowsView;
  topBy: string;
  liquidations: { leverages: number[]; modes: string[]; meanPerRun: (number | null)[][]; runsLiquidated: number[][]; runs: number[][] };
}

export interface SweepOptions {
  metric?: string;
  x?: string;
  y?: string;
  /** Rows of the top table; default 20. */
  top?: number;
}

/** Numeric columns that are neither metrics nor the run's identity: the swept parameters, in file order. */
export function sweepParams(t: ResultTable): string[] {
  const skip = new Set<string>([...SWEEP_ID_COLUMNS, ...METRIC_NAMES]);
  return t.columns.filter((c) => !skip.has(c.name) && c.kind !== 'utf8' && c.kind !== 'bool').map((c) => c.name);
}

const distinct = (values: ArrayLike<number | null>): number[] =>
  [...new Set(Array.from(values).filter((v): v is number => v !== null && Number.isFinite(v)))].sort((a, b) => a - b);

export function sweepView(results: SweepResults, opts: SweepOptions = {}): SweepView {
  const t = results.table;
  const file = results.source;
  const metric = opts.metric ?? 'sharpe';
  if (!METRIC_NAMES.includes(metric as never)) {
    throw new UserError(`unknown metric '${metric}' (available: ${METRIC_NAMES.join(', ')})`, { field: '--metric' });
  }
  column(t, metric, file);
  const params = sweepParams(t);
  // with a single parameter, leverage is the other axis
  const axes = params.length >= 2 ? params : [...params, 'leverage'];
  const x = opts.x ?? axes[0];
  const y = opts.y ?? axes.find((a) => a !== x);
  const choices = [...params, 'leverage'];
  if (choices.length < 2) {
    throw new UserError('a heatmap needs two swept values, and this sweep varies only leverage (sweep a parameter with --grid)', { file });
  }
  for (const [flag, name] of [['--x', x], ['--y', y]] as const) {
    if (name === undefined || !choices.includes(name)) {
      throw new UserError(`expected one of ${choices.join(', ')}, got '${name ?? ''}'`, { file, field: flag });
    }
  }
  const xv = numbers(t, x!, file);
  const yv = numbers(t, y!, file);
  const mv = numbers(t, metric, file);
  const modeCol = strings(t, modeColumn(t) ?? 'marginMode', file);
  const xs = distinct(xv);
  const ys = distinct(yv);
  const xi = new Map(xs.map((v, i) => [v, i]));
  const yi = new Map(ys.map((v, i) => [v, i]));
  const modes = ['isolated', 'cross'].filter((m) => Array.from(modeCol).includes(m));

  const heatmaps = modes.map((mode) => {
    const sum = ys.map(() => new Array<number>(xs.length).fill(0));
    const counts = ys.map(() => new Array<number>(xs.length).fill(0));
    for (let i = 0; i < t.length; i++) {
      const v = mv[i];
      if (modeCol[i] !== mode || v === null || !Number.isFinite(v)) continue;
      const a = xi.get(xv[i] as number);
      const b = yi.get(yv[i] as number);
      if (a === undefined || b === undefined) continue;
      sum[b]![a]! += v as number;
      counts[b]![a]! += 1;
    }
    return { marginMode: mode, cells: sum.map((row, b) => row.map((s, a) => (counts[b]![a]! ? s / counts[b]![a]! : null))), counts };
  });

  return {
    kind: 'sweep',
    title: 'margincall sweep',
    subtitle: `${t.length.toLocaleString('en-US')} runs${file ? ` from ${file}` : ''}`,
    metric,
    x: x!,
    y: y!,
    xs,
    ys,
    heatmaps,
    top: topRuns(t, metric, opts.top ?? 20, file),
    topBy: metric,
    liquidations: liquidationsPerLeverage(t, modes, file),
  };
}

/** The best `k` runs by `metric` (runs where it is null come last and are left out). */
export function topRuns(t: ResultTable, metric: string, k: number, file?: string): RowsView {
  const mv = numbers(t, metric, file);
  const sign = LOWER_IS_BETTER.has(metric) ? 1 : -1;
  const order: number[] = [];
  for (let i = 0; i < t.length; i++) if (mv[i] !== null && Number.isFinite(mv[i])) order.push(i);
  order.sort((a, b) => sign * ((mv[a] as number) - (mv[b] as number)) || a - b);
  const kept = order.slice(0, k);
  const shown = t.columns.filter((c) => c.name !== 'strategy');
  return {
    columns: shown.map((c) => c.name),
    rows: kept.map((i) =>
      shown.map((c) => {
        const v = c.data[i] ?? null;
        if (c.kind === 'bool') return v === null ? null : Boolean(v);
        if (typeof v === 'number' && !Number.isFinite(v)) return null;
        return v as string | number | null;
      }),
    ),
    omitted: order.length - kept.length,
  };
}

/** Per margin mode and leverage: runs, runs with at least one liquidation, mean liquidations per run. */
export function liquidationsPerLeverage(t: ResultTable, modes: string[], file?: string): SweepView['liquidations'] {
  const lev = numbers(t, 'leverage', file);
  const liq = numbers(t, 'liquidations', file);
  const modeCol = strings(t, modeColumn(t) ?? 'marginMode', file);
  const leverages = distinct(lev);
  const li = new Map(leverages.map((v, i) => [v, i]));
  const zeros = () => modes.map(() => new Array<number>(leverages.length).fill(0));
  const runs = zeros();
  const liquidated = zeros();
  const total = zeros();
  for (let i = 0; i < t.length; i++) {
    const m = modes.indexOf(modeCol[i] as string);
    const l = li.get(lev[i] as number);
    if (m < 0 || l === undefined) continue;
    runs[m]![l]! += 1;
    const n = (liq[i] as number) ?? 0;
    total[m]![l]! += n;
    if (n > 0) liquidated[m]![l]! += 1;
  }
  return {
    leverages,
    modes,
    meanPerRun: total.map((row, m) => row.map((s, l) => (runs[m]![l]! ? s / runs[m]![l]! : null))),
    runsLiquidated: liquidated,
    runs,
  };
}
