// HTML reports: one self-contained file per backtest or sweep (see page.ts for what "self-contained"
// takes). The entry points for the CLI (`margincall report`, `backtest --report`) and for scripts.
import type { Candles } from '../../data/schema.js';
import { loadDataset } from '../../data/load.js';
import { SAMPLE_DATA_PATH, type BacktestRun } from '../../engine/backtest.js';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { recordTables } from '../records.js';
import { summaryJson } from '../summary.js';
import { backtestView, resultSymbols } from './backtest-view.js';
import { htmlPage } from './page.js';
import { readResults, type BacktestResults, type Results } from './results.js';
import { sweepView, type SweepOptions } from './sweep-view.js';

export interface ReportOptions extends SweepOptions {
  /**
   * The candles the backtest ran on (summary.json does not record its dataset): a dataset path,
   * candles already loaded, or null for no candle charts. Default: the bundled sample.
   */
  data?: string | Candles | null;
}

/** Runs held in memory (what backtest() returned, with records), as a report's input. */
export function resultsFromRuns(runs: readonly BacktestRun[]): BacktestResults {
  return { kind: 'backtest', summary: summaryJson(runs), ...recordTables(runs) };
}

function candlesFor(results: BacktestResults, data: ReportOptions['data']): { candles: Candles | null; label: string } {
  if (data === null) return { candles: null, label: 'none' };
  if (data !== undefined && typeof data !== 'string') return { candles: data, label: 'given in memory' };
  const path = data ?? SAMPLE_DATA_PATH;
  const symbols = resultSymbols(results);
  try {
    return { candles: loadDataset(path, { symbols }), label: data === undefined ? 'the bundled sample' : path };
  } catch (err) {
    if (err instanceof UserError) {
      // keep the loader's place (file, row, field) and say how to point at the right dataset
      throw new UserError(`${err.message} (the candle charts need the dataset the backtest ran on: --data <dataset>)`);
    }
    throw err;
  }
}

/** The report's HTML for results read by `readResults` (or built by `resultsFromRuns`). */
export function renderReport(results: Results, opts: ReportOptions = {}): string {
  if (results.kind === 'sweep') return htmlPage(sweepView(results, opts));
  const { candles, label } = candlesFor(results, opts.data);
  return htmlPage(backtestView(results, candles, label));
}

/** `margincall report`: reads `resultsPath` (a backtest --out directory or a sweep file), writes `htmlPath` atomically. */
export function writeReport(resultsPath: string, htmlPath: string, opts: ReportOptions = {}): Results {
  const results = readResults(resultsPath);
  writeFileAtomic(htmlPath, renderReport(results, opts));
  return results;
}

/**
 * A backtest's report from its `--out` directory or from its runs in memory (run with records);
 * for `backtest --report <file>`. Pass the candles the runs used as `opts.data`.
 */
export function writeBacktestReport(input: string | readonly BacktestRun[], htmlPath: string, opts: ReportOptions = {}): void {
  const results = typeof input === 'string' ? readResults(input) : resultsFromRuns(input);
  if (results.kind !== 'backtest') throw new UserError('not a backtest --out directory', { file: String(input) });
  writeFileAtomic(htmlPath, renderReport(results, opts));
}

export { readResults, readBacktestDir, type BacktestResults, type Results, type SweepResults } from './results.js';
export { backtestView, drawdown, groupBlocks, type BacktestView } from './backtest-view.js';
export { sweepView, sweepParams, type SweepView, type SweepOptions } from './sweep-view.js';
