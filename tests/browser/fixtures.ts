// Real results to report on and to read back: a backtest written by the backtest writer, and a
// small sweep written by the sweep (rows: run, symbols, the parameters, leverage, margin, then
// every metric).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputs } from '../../src/cli/backtest.js';
import { backtest, type BacktestRun } from '../../src/engine/backtest.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import type { ExportFormat } from '../../src/report/export.js';
import type { ColumnSpec, ResultTable } from '../../src/report/table.js';
import { sweep, sweepToFile, type SweepRow, type SweepSpec } from '../../src/sweep/index.js';

export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `margincall-${prefix}-`));

/** Q1 2025, BTCUSDT and ETHUSDT in one account at 20x with 45% of equity per position: liquidations in both modes. */
export function liquidatingBacktest(): BacktestRun[] {
  return backtest({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    strategy: 'sma-cross',
    leverage: 20,
    marginPerPosition: '45%',
    to: '2025-04-01',
    records: true,
  });
}

/** The runs above written as `backtest --out dir --format <format>` writes them. */
export function backtestOutDir(format: ExportFormat, runs = liquidatingBacktest()): string {
  const dir = join(tempDir('bt'), 'out');
  writeOutputs(dir, runs, format);
  return dir;
}

export const GRID = { fast: [5, 10, 20], slow: [30, 60], leverage: [5, 25] } as const;

/** sma-cross on BTCUSDT over Q1 2025: GRID × both margin modes (24 runs), in the calling thread. */
export const SWEEP_SPEC: SweepSpec = {
  strategy: 'sma-cross',
  grid: { fast: [...GRID.fast], slow: [...GRID.slow] },
  leverages: [...GRID.leverage],
  margins: ['isolated', 'cross'],
  symbols: [['BTCUSDT']],
  to: '2025-04-01',
  workers: 0,
};

/** The sweep written by `sweepToFile` to a new `sweep.<ext>`. */
export async function sweepFile(format: ExportFormat): Promise<string> {
  const path = join(tempDir('sweep'), `sweep.${format}`);
  await sweepToFile(SWEEP_SPEC, path);
  return path;
}

/** The same sweep's rows as the library yields them. */
export async function sweepRows(): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for await (const row of sweep(SWEEP_SPEC)) rows.push(row);
  return rows;
}

/** A sweep-shaped table from runs of backtest(): rows the sweep must equal (its own tests check that too). */
export function sweepLikeTable(): ResultTable {
  const runs: BacktestRun[] = [];
  for (const fast of GRID.fast)
    for (const slow of GRID.slow)
      for (const leverage of GRID.leverage)
        runs.push(...backtest({ symbols: ['BTCUSDT'], strategy: 'sma-cross', params: { fast, slow }, leverage, to: '2025-04-01' }));
  const n = runs.length;
  const f64 = (pick: (r: BacktestRun) => number) => Float64Array.from(runs, pick);
  const columns: ColumnSpec[] = [
    { name: 'run', kind: 'f64', data: Float64Array.from(runs, (_, i) => i) },
    { name: 'symbols', kind: 'utf8', nullable: false, data: runs.map((r) => r.symbols.join(',')) },
    { name: 'fast', kind: 'f64', data: f64((r) => r.params.fast!) },
    { name: 'slow', kind: 'f64', data: f64((r) => r.params.slow!) },
    { name: 'leverage', kind: 'f64', data: f64((r) => r.leverage) },
    { name: 'margin', kind: 'utf8', nullable: false, data: runs.map((r) => r.marginMode) },
    ...METRIC_NAMES.map(
      (m): ColumnSpec =>
        m === 'ruined'
          ? { name: m, kind: 'bool', data: Uint8Array.from(runs, (r) => (r.result.metrics.ruined ? 1 : 0)) }
          : { name: m, kind: 'f64', data: f64((r) => (r.result.metrics[m] as number | null) ?? NaN) },
    ),
  ];
  return { length: n, columns };
}
