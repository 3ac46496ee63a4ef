import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { writeReport } from '../report/html/index.js';

interface ReportFlags {
  out: string;
  data?: string;
  candles: boolean;
  metric?: string;
  x?: string;
  y?: string;
  top: string;
}

/** `margincall report`: one self-contained HTML file from a backtest's or a sweep's results. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      'Write a self-contained HTML report (opens offline) of a backtest --out directory ' +
        '(equity, drawdown, metrics, candles with trades and liquidations) or of a sweep output file ' +
        '(heatmaps per margin mode, top runs, liquidations per leverage).',
    )
    .argument('<results>', 'a backtest --out directory, or a sweep output file (.arrow, .parquet, .csv)')
    .requiredOption('--out <file>', 'the HTML file to write')
    .option('--data <dataset>', 'backtest: the dataset the backtest ran on, for the candle charts (default: the bundled sample)')
    .option('--no-candles', 'backtest: leave the candle charts out')
    .option('--metric <name>', 'sweep: the metric of the heatmaps and of the top table (default sharpe)')
    .option('--x <param>', 'sweep: the heatmap column parameter (default: the first grid parameter)')
    .option('--y <param>', 'sweep: the heatmap row parameter (default: the second grid parameter, else leverage)')
    .option('--top <k>', 'sweep: rows of the top-runs table', '20')
    .action((results: string, f: ReportFlags) => {
      const top = Number(f.top);
      if (!Number.isInteger(top) || top < 1) throw new UserError(`expected a whole number of at least 1, got '${f.top}'`, { field: '--top' });
      const read = writeReport(results, f.out, {
        data: f.candles ? f.data : null,
        metric: f.metric,
        x: f.x,
        y: f.y,
        top,
      });
      process.stdout.write(`wrote ${f.out} (${read.kind} report)\n`);
    });
}
