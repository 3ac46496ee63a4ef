// Real results to report on and to read back: a backtest written by the backtest writer, and a
// parameter grid of real backtests laid out as the sweep writes its rows (src/sweep/sink.ts:
// run, symbols, the parameters, leverage, margin, then every metric).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputs } from '../../src/cli/backtest.js';
import { backtest, type BacktestRun } from '../../src/engine/backtest.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import type { ExportFormat } from '../../src/report/export.js';
import type { ColumnSpec, ResultTable } from '../../src/report/table.js';

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

/** sma-cross on BTCUSDT (Q1 2025) over GRID × both modes, in the sweep's row order (mode fastest, then leverage, then params). */
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
