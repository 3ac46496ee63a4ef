// `margincall sweep`: parameters × leverages × margin modes × symbol groups on worker threads,
// streamed to a file, resumable, shardable; or the best runs as a table.
import { SingleBar } from 'cli-progress';
import { CommanderError, type Command } from 'commander';
import {
  CLI_FLAGS,
  DEFAULTS,
  parseNumberFlag,
  parseParams,
} from '../engine/runspec.js';
import { METRIC_NAMES } from '../engine/types.js';
import { UserError } from '../errors.js';
import { formatFromPath } from '../report/export.js';
import { STRATEGIES } from '../strategies/index.js';
import { parseGridFlags, parseMarginList, parseShard, parseSymbolGroups } from '../sweep/grid.js';
import { prepareSweep, sweepToFile, sweepTop, type SweepSpec } from '../sweep/index.js';
import type { SweepRow } from '../sweep/sink.js';
import { accountSettings, addAccountOptions, type AccountFlags } from './account-flags.js';

interface SweepFlags extends AccountFlags {
  data?: string;
  from?: string;
  to?: string;
  strategy: string;
  grid?: string[];
  param?: string[];
  leverage?: string;
  margin: string;
  symbols?: string[];
  skipInvalid?: boolean;
  workers?: string;
  chunk?: string;
  out?: string;
  resume?: boolean;
  shard?: string;
  top?: string;
  by: string;
  asc?: boolean;
  desc?: boolean;
  json?: boolean;
  progress: boolean;
}

type MetricName = (typeof METRIC_NAMES)[number];

function wholeNumber(text: string, flag: string, min: number): number {
  const x = parseNumberFlag(text, flag);
  if (!(Number.isInteger(x) && x >= min)) throw new UserError(`expected a whole number of at least ${min}, got '${text}'`, { field: flag });
  return x;
}

/** The library spec from the flags (all parsing and validation of strings happens here). */
export function specFromFlags(f: SweepFlags): SweepSpec {
  const leverages = (f.leverage ?? String(DEFAULTS.leverage)).split(',').map((s) => parseNumberFlag(s, CLI_FLAGS.leverage));
  const spec: SweepSpec = {
    data: f.data,
    from: f.from,
    to: f.to,
    strategy: f.strategy,
    grid: parseGridFlags(f.grid ?? []),
    params: parseParams(f.param ?? []),
    leverages,
    margins: parseMarginList(f.margin),
    symbols: f.symbols === undefined ? undefined : parseSymbolGroups(f.symbols),
    skipInvalid: f.skipInvalid ?? false,
    ...accountSettings(f),
    workers: f.workers === undefined ? undefined : wholeNumber(f.workers, '--workers', 0),
    chunk: f.chunk === undefined ? undefined : wholeNumber(f.chunk, '--chunk', 1),
    shard: f.shard === undefined ? undefined : parseShard(f.shard),
  };
  for (const key of Object.keys(spec) as (keyof SweepSpec)[]) if (spec[key] === undefined) delete spec[key];
  return spec;
}

function topOption(f: SweepFlags): { k: number; by: MetricName; ascending?: boolean } | undefined {
  if (!(METRIC_NAMES as readonly string[]).includes(f.by)) {
    throw new UserError(`unknown metric '${f.by}' (one of ${METRIC_NAMES.join(', ')})`, { field: '--by' });
  }
  if (f.asc && f.desc) throw new UserError('--asc and --desc exclude each other', { field: '--asc' });
  const k = f.top === undefined ? (f.out === undefined ? 10 : 0) : wholeNumber(f.top, '--top', 1);
  if (k === 0) return undefined;
  return { k, by: f.by as MetricName, ...(f.asc ? { ascending: true } : f.desc ? { ascending: false } : {}) };
}

const fmt = (x: number | null | boolean): string =>
  x === null ? '—' : typeof x === 'boolean' ? String(x) : Number.isInteger(x) ? String(x) : x.toPrecision(6);

/** The best runs as a text table. */
export function formatTop(rows: readonly SweepRow[], by: MetricName): string {
  if (rows.length === 0) return '(no runs)\n';
  const params = Object.keys(rows[0]!.params);
  const metrics = [...new Set<MetricName>([by, 'totalReturn', 'sharpe', 'maxDrawdown', 'liquidations', 'trades'])];
  const header = ['run', 'symbols', ...params, 'leverage', 'marginMode', ...metrics];
  const body = rows.map((r) => [
    String(r.run),
    r.symbols.join(','),
    ...params.map((p) => fmt(r.params[p]!)),
    fmt(r.leverage),
    r.marginMode,
    ...metrics.map((m) => fmt(r.metrics[m])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 + params.length || i === header.length ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

function progressBar(enabled: boolean): { update: (done: number, total: number) => void; stop: () => void } {
  if (!enabled) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar(
    { format: 'sweep [{bar}] {value}/{total} runs | {rate} runs/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
  );
  const started = Date.now();
  let startDone = -1;
  let running = false;
  return {
    update(done, total) {
      if (!running) {
        bar.start(total, done, { rate: '0' });
        running = true;
        startDone = done;
      }
      const rate = (done - startDone) / Math.max(1e-3, (Date.now() - started) / 1000);
      bar.update(done, { rate: rate.toFixed(0) });
    },
    stop: () => running && bar.stop(),
  };
}

/** Exit status 130 (interrupted) through main(), which returns a CommanderError's exit code; the message is already printed. */
function interrupted(): CommanderError {
  return new CommanderError(130, 'margincall.interrupted', 'interrupted');
}

async function runSweep(f: SweepFlags): Promise<void> {
  const spec = specFromFlags(f);
  const top = topOption(f);
  if (f.resume && f.out === undefined) throw new UserError('--resume continues a sweep written to --out; give the same --out', { field: '--resume' });
  if (f.out !== undefined) formatFromPath(f.out);
  // the worker threads boot while the grid and the data are prepared
  const prepared = prepareSweep(spec, { startWorkers: true });
  const bar = progressBar(f.progress && !f.json && process.stderr.isTTY === true);

  // Ctrl-C / SIGTERM: stop starting tasks, let running ones finish, write what is done
  let stopped = false;
  const stop = (): void => {
    // a second Ctrl-C exits at once: the journal is safe, so --resume still works
    if (stopped) process.exit(130);
    stopped = true;
    if (!f.json) process.stderr.write('\nstopping: finishing the running tasks (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    if (f.out !== undefined) {
      const res = await sweepToFile(prepared, f.out, { resume: f.resume, top, stopped: () => stopped, onProgress: bar.update });
      bar.stop();
      const shard = prepared.shard ? ` (shard ${prepared.shard}: runs ${res.first}..${res.end - 1} of ${res.total})` : '';
      if (f.json) {
        process.stdout.write(
          JSON.stringify({ out: f.out, rows: res.rows, complete: res.complete, total: res.total, first: res.first, end: res.end, skipped: res.skipped, runs: res.top }) + '\n',
        );
      } else {
        process.stdout.write(
          res.complete
            ? `${res.rows} runs written to ${f.out}${shard}${res.resumedFrom ? `, ${res.resumedFrom} of them from the interrupted sweep` : ''}\n`
            : `stopped: ${res.rows} of ${res.end - res.first} runs written to ${f.out}${shard}; run the same command with --resume to finish\n`,
        );
        if (prepared.skipped) process.stdout.write(`${prepared.skipped} invalid parameter combinations skipped\n`);
        if (top) process.stdout.write(`\nbest ${top.k} by ${top.by}:\n${formatTop(res.top, top.by)}`);
      }
      if (!res.complete) throw interrupted();
      return;
    }
    const res = await sweepTop(prepared, top!, { stopped: () => stopped, onProgress: bar.update });
    bar.stop();
    if (f.json) process.stdout.write(JSON.stringify({ runs: res.top, done: res.done, total: res.runs }) + '\n');
    else {
      if (res.done < res.runs) process.stdout.write(`stopped after ${res.done} of ${res.runs} runs\n`);
      if (prepared.skipped) process.stdout.write(`${prepared.skipped} invalid parameter combinations skipped\n`);
      process.stdout.write(`best ${top!.k} of ${res.done} runs by ${top!.by}:\n${formatTop(res.top, top!.by)}`);
    }
    if (res.done < res.runs) throw interrupted();
  } finally {
    bar.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerSweep(program: Command): void {
  const strategies = Object.values(STRATEGIES)
    .filter((s) => s.params.length > 0)
    .map((s) => `  ${s.name.padEnd(10)} ${s.params.map((p) => `${p.name}${p.integer ? ' (integer)' : ''}`).join(', ')}`)
    .join('\n');
  const command = program
    .command('sweep')
    .description('Backtest every combination of strategy parameters, leverages, margin modes and symbol groups on all cores.')
    .option('--data <dataset>', 'dataset directory or <SYMBOL>.arrow file (default: the bundled 2025 1h sample)')
    .option('--from <time>', 'first bar (ISO-8601 or epoch ms)')
    .option('--to <time>', 'end of the range, exclusive')
    .option('--strategy <name>', 'built-in strategy', 'sma-cross')
    .option('--grid <name=spec>', 'swept parameter, repeatable: name=start:stop:step (stop included) or name=a,b,c', collect)
    .option('--param <k=v>', 'fixed strategy parameter, repeatable (others take their defaults)', collect)
    .option('--leverage <list>', `comma-separated leverages (default ${DEFAULTS.leverage})`)
    .option('--margin <list>', 'isolated, cross, or both (comma-separated)', 'isolated,cross')
    .option('--symbols <groups>', "symbol groups, repeatable: ';' separates groups, ',' joins symbols in one account (default: each symbol alone)", collect)
    .option('--skip-invalid', 'skip parameter combinations the strategy refuses (e.g. slow ≤ fast) instead of refusing the grid');
  addAccountOptions(command);
  command
    .option('--workers <n>', 'worker threads (default: the number of cores; 0 runs in the main thread)')
    .option('--chunk <runs>', 'runs per task, at most: the last ones are smaller so the workers finish together (default: sized from bars × symbols)')
    .option('--out <file>', 'write every run to .arrow, .parquet or .csv')
    .option('--resume', 'continue the interrupted sweep into --out (same command otherwise)')
    .option('--shard <i/n>', 'run shard i of n (0-based): a contiguous part of the run indices')
    .option('--top <K>', 'print the best K runs (default 10 without --out)')
    .option('--by <metric>', `metric to rank by: ${METRIC_NAMES.join(', ')}`, 'sharpe')
    .option('--asc', 'rank ascending (default for drawdown, fees, liquidations and other costs)')
    .option('--desc', 'rank descending (default for returns and ratios)')
    .option('--json', 'print JSON ({"runs": [best rows]}); no progress bar')
    .option('--no-progress', 'no progress bar')
    .addHelpText(
      'after',
      `
Sweepable parameters:
${strategies}

Run order (the run index): symbol group, then parameters in the order listed above (the last one
fastest), then leverage, then margin mode — the isolated and cross runs of the same parameters
are neighbours and share their targets. A grid with a combination the strategy refuses (sma-cross
with slow ≤ fast) is refused unless --skip-invalid, which drops such combinations (run indices
count the valid ones only).

Output columns: run, symbols, each parameter, leverage, margin, then every metric of backtest
--json (an undefined ratio is NaN in Arrow/Parquet, empty in CSV).

Interrupting: Ctrl-C (or SIGTERM) finishes the running tasks and writes a valid --out with the
runs done. <out>.sweep.json and <out>.sweep.bin keep the state (also after kill -9); run the same
command with --resume to finish. Shards: --shard i/n on n machines, then margincall merge.

Examples:
  margincall sweep --grid fast=5:50:5 --grid slow=20:200:20 --skip-invalid --leverage 2,5,10,20
  margincall sweep --strategy rsi --grid period=7,14,21 --grid lower=20:35:5 --symbols 'BTCUSDT;ETHUSDT' \\
      --out rsi.parquet --top 5 --by calmar
  margincall sweep --strategy pair --symbols BTCUSDT,ETHUSDT --grid entry=1.5:3:0.25 --out pair.arrow --resume
  margincall sweep --grid fast=2:40:1 --grid slow=50:400:10 --out part2.arrow --shard 2/8`,
    )
    .action(async (f: SweepFlags) => runSweep(f));
}
