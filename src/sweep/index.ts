// The sweep API: `sweep(spec)` streams rows in run-index order; `sweepToFile(spec, path)` writes
// them to Arrow IPC / Parquet / CSV, resumably (see journal.ts), optionally one shard of the grid.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadDataset } from '../data/load.js';
import type { Candles } from '../data/schema.js';
import { SAMPLE_DATA_PATH, selectCandles, timeOption } from '../engine/backtest.js';
import { DEFAULTS } from '../engine/runspec.js';
import { METRIC_NAMES, type MarginMode } from '../engine/types.js';
import { UserError } from '../errors.js';
import { formatFromPath, openTableWriter, type ExportFormat } from '../report/export.js';
import { STRATEGIES, isStrategyName } from '../strategies/index.js';
import { buildGrid, gridSize, parseValues, shardRange, type GridSpec } from './grid.js';
import { Journal, RECORD_F64, journalPath, manifestPath, readJournal, readManifest, removeResumeState } from './journal.js';
import type { Piscina } from 'piscina';
import { chunkSize, createExecutor, defaultWorkers, fillEngine, runRange, startWorkers, type Executor } from './pool.js';
import { fingerprint, shareCandles, type SharedCandles } from './shared-candles.js';
import { TopK, rowObject, rowsTable, sweepColumns, type SweepRow } from './sink.js';
import { baseSpecs, METRICS_PER_ROW, type EngineShare, type SweepSettings } from './task.js';

export { buildGrid, gridSize, runAt, parseValues, parseGridFlags, parseSymbolGroups, parseShard, shardRange } from './grid.js';
export type { GridSpec, Run } from './grid.js';
export { TopK, type SweepRow } from './sink.js';
export type { SweepSettings } from './task.js';

export interface SweepSpec extends SweepSettings {
  /** A dataset directory or `.arrow` file, or candles; default the bundled sample. */
  data?: string | Candles;
  /** Bar range: epoch ms or ISO-8601, from inclusive, to exclusive. */
  from?: number | string;
  to?: number | string;
  strategy: string;
  /** Swept parameters: values, or `start:stop:step` / `a,b,c` text. */
  grid?: Record<string, number[] | string> | Map<string, number[]>;
  /** Fixed parameters (defaults for the rest). */
  params?: Record<string, number>;
  /** Default [10]. */
  leverages?: number[];
  /** Default ['isolated', 'cross']. */
  margins?: MarginMode[];
  /**
   * Symbol groups, each run in one account. Default: each symbol of the data alone (the first
   * two as one group for `pair`).
   */
  symbols?: string[][];
  /** Skip parameter combinations the strategy refuses instead of refusing the grid. */
  skipInvalid?: boolean;
  /** Worker threads (0: in the calling thread); default the core count. */
  workers?: number;
  /** Run only shard `index` of `count` (contiguous index ranges; rows keep their global index). */
  shard?: { index: number; count: number };
  /** Runs per task (default from the dataset size). */
  chunk?: number;
}

export interface PreparedSweep {
  grid: GridSpec;
  /** Parameter combinations skipped as invalid. */
  skipped: number;
  settings: SweepSettings;
  candles: SharedCandles;
  /** Runs in the whole grid. */
  total: number;
  /** This shard's runs: [first, end). */
  first: number;
  end: number;
  shard: string | null;
  /** Identifies grid + settings + data (not the shard): shards of one sweep share it (computed on first read). */
  readonly hash: string;
  workers: number;
  chunk: number;
  /**
   * Worker threads started while preparing (prepareSweep's `startWorkers`), taken by the first
   * sweep that runs this preparation; null once taken, or when none were started.
   */
  pool: Piscina | null;
  /**
   * The sweep's kernel memory, being filled by one of `pool`'s workers while the main thread
   * validates the grid (taken with `pool`); null without started workers.
   */
  engine: Promise<EngineShare> | null;
}

export interface PrepareOptions {
  /** Start the worker threads first, so that they boot while the grid and the data are prepared. */
  startWorkers?: boolean;
}

function settingsOf(spec: SweepSpec): SweepSettings {
  const s: SweepSettings = {};
  if (spec.balance !== undefined) s.balance = spec.balance;
  if (spec.sizing !== undefined) s.sizing = spec.sizing;
  if (spec.feeRate !== undefined) s.feeRate = spec.feeRate;
  if (spec.slippage !== undefined) s.slippage = spec.slippage;
  if (spec.liquidation !== undefined) s.liquidation = spec.liquidation;
  if (spec.liquidationFeeRate !== undefined) s.liquidationFeeRate = spec.liquidationFeeRate;
  if (spec.brackets !== undefined) s.brackets = spec.brackets;
  return s;
}

/** Validates the spec, loads the data once into shared memory, and sizes the work. */
export function prepareSweep(spec: SweepSpec, opts: PrepareOptions = {}): PreparedSweep {
  const workers = spec.workers ?? defaultWorkers();
  if (!(Number.isInteger(workers) && workers >= 0)) throw new UserError(`expected a whole number of workers, got ${workers}`, { field: '--workers' });
  const pool = opts.startWorkers ? startWorkers(workers) : null;
  try {
    return prepareWith(spec, workers, pool);
  } catch (err) {
    void pool?.destroy();
    throw err;
  }
}

function prepareWith(spec: SweepSpec, workers: number, pool: Piscina | null): PreparedSweep {
  if (!isStrategyName(spec.strategy)) {
    throw new UserError(`unknown strategy '${spec.strategy}' (available: ${Object.keys(STRATEGIES).join(', ')})`, { field: '--strategy' });
  }
  const from = timeOption(spec.from, '--from');
  const to = timeOption(spec.to, '--to');
  const wanted = spec.symbols ? [...new Set(spec.symbols.flat())] : undefined;
  const data = spec.data ?? SAMPLE_DATA_PATH;
  const candles = typeof data === 'string' ? loadDataset(data, { symbols: wanted, from, to }) : selectCandles(data, wanted, from, to);
  const names = candles.symbols.map((s) => s.symbol);
  const groups = spec.symbols ?? (STRATEGIES[spec.strategy].symbols === 2 ? [names.slice(0, 2)] : names.map((s) => [s]));
  const gridIn =
    spec.grid instanceof Map
      ? spec.grid
      : new Map(Object.entries(spec.grid ?? {}).map(([k, v]) => [k, typeof v === 'string' ? parseValues(v, '--grid', k) : v]));
  const { grid, skipped } = buildGrid({
    strategy: spec.strategy,
    grid: gridIn,
    params: spec.params,
    leverages: spec.leverages ?? [DEFAULTS.leverage],
    margins: spec.margins ?? ['isolated', 'cross'],
    symbolGroups: groups,
    skipInvalid: spec.skipInvalid,
  });
  const settings = settingsOf(spec);
  const shared = shareCandles(candles);
  // a worker lays the candles into the kernel memory meanwhile (zod's import alone is ~65 ms)
  const engine = pool ? fillEngine(pool, shared, workers, grid) : null;
  baseSpecs(grid, settings); // refuses bad settings and leverages (SPEC §2) before any work
  const total = gridSize(grid);
  const range = spec.shard ? shardRange(total, spec.shard) : { first: 0, end: total };
  // only files need it (resume, merge): ~15 ms of SHA-256 over the candles at 200,000 bars
  let hash: string | null = null;
  const widest = Math.max(...grid.symbolGroups.map((g) => g.length));
  const runs = range.end - range.first;
  const chunk = spec.chunk ?? chunkSize(shared.nBars * widest, runs, workers);
  return {
    grid,
    skipped,
    settings,
    candles: shared,
    total,
    first: range.first,
    end: range.end,
    shard: spec.shard ? `${spec.shard.index}/${spec.shard.count}` : null,
    get hash(): string {
      return (hash ??= createHash('sha256').update(JSON.stringify({ v: 1, grid, settings, data: fingerprint(shared) })).digest('hex'));
    },
    workers,
    chunk,
    pool,
    engine,
  };
}

/** The preparation (workers started first, for a spec) and its executor, which owns the started workers. */
function executorFor(spec: SweepSpec | PreparedSweep): { p: PreparedSweep; exec: Executor } {
  const p = 'hash' in spec ? spec : prepareSweep(spec, { startWorkers: true });
  const pool = p.pool;
  const engine = p.engine;
  p.pool = null;
  p.engine = null;
  return { p, exec: createExecutor(p.grid, p.settings, p.candles, p.workers, pool, engine) };
}

/**
 * Rows of the sweep (or of its shard) in run-index order, computed as they are consumed. The
 * workers stay busy across the whole range (no pause between batches of chunks); at most
 * READY_CHUNKS delivered chunks wait for the consumer before the tasks stop being fed.
 */
export async function* sweep(spec: SweepSpec | PreparedSweep): AsyncGenerator<SweepRow> {
  const { p, exec } = executorFor(spec);
  const queue: SweepRow[][] = [];
  let finished = false;
  let failure: unknown = null;
  let stop = false;
  let wakeConsumer: (() => void) | null = null;
  let wakeProducer: (() => void) | null = null;
  const wake = (which: 'consumer' | 'producer'): void => {
    const w = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = null;
    else wakeProducer = null;
    w?.();
  };
  const producer = runRange(
    exec,
    p.first,
    p.end,
    p.chunk,
    async (first, count, metrics) => {
      const rows: SweepRow[] = [];
      for (let r = 0; r < count; r++) rows.push(rowObject(p.grid, first + r, metrics, r * METRICS_PER_ROW));
      queue.push(rows);
      wake('consumer');
      while (queue.length >= READY_CHUNKS && !stop) await new Promise<void>((resolve) => (wakeProducer = resolve));
    },
    () => stop,
  ).then(
    () => {
      finished = true;
      wake('consumer');
    },
    (err: unknown) => {
      failure = err;
      wake('consumer');
    },
  );
  try {
    while (true) {
      const rows = queue.shift();
      if (rows) {
        wake('producer');
        yield* rows;
        continue;
      }
      if (failure) throw failure;
      if (finished) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    // the consumer stopped early (or a task failed): no new tasks, let those in flight settle
    stop = true;
    wake('producer');
    await producer;
    await exec.close();
  }
}

/** Delivered chunks that may wait for a slow consumer of sweep(). */
const READY_CHUNKS = 4;

export interface SweepToFileOptions {
  /** Continue an interrupted sweep into the same path. */
  resume?: boolean;
  /** Keep the best K rows (see TopK). */
  top?: { k: number; by: (typeof METRIC_NAMES)[number]; ascending?: boolean };
  /** Polled between tasks; when true the sweep stops, writes a valid file of what is done and keeps its resume state. */
  stopped?: () => boolean;
  /** After each delivered chunk: runs done in this shard, and its total. */
  onProgress?: (done: number, total: number) => void;
  format?: ExportFormat;
}

export interface SweepFileResult {
  /** Rows in the file. */
  rows: number;
  /** True when every run of the shard is in the file (false: stopped; resume to finish). */
  complete: boolean;
  /** Rows that were already done when resuming. */
  resumedFrom: number;
  top: SweepRow[];
  total: number;
  first: number;
  end: number;
  skipped: number;
}

/** Schema metadata that lets `merge` check shards belong together. */
export function sweepMetadata(p: PreparedSweep, complete: boolean): Record<string, string> {
  return {
    'margincall.sweep': JSON.stringify({ hash: p.hash, total: p.total, first: p.first, end: p.end, shard: p.shard, complete }),
  };
}

/**
 * Runs the sweep into `path`. Rows go first to the journal beside it (fsync'ed, kill -9 safe);
 * the output file is then written from the journal through a temporary file and a rename. When
 * stopped, the file holds the rows done so far and the resume state stays; when complete, the
 * resume state is removed.
 */
export async function sweepToFile(spec: SweepSpec | PreparedSweep, path: string, opts: SweepToFileOptions = {}): Promise<SweepFileResult> {
  const format = opts.format ?? formatFromPath(path);
  const { p, exec } = executorFor(spec);
  let journaled: { rows: number; resumedFrom: number };
  try {
    journaled = await runToJournal(p, exec, path, opts);
  } finally {
    // the workers go before the file is written: their heaps and run areas would add to its peak
    await exec.close();
  }
  const { rows, resumedFrom } = journaled;
  const complete = rows === p.end - p.first;
  const top = writeFromJournal(p, path, format, rows, complete, opts.top);
  if (complete) removeResumeState(path);
  return { rows, complete, resumedFrom, top, total: p.total, first: p.first, end: p.end, skipped: p.skipped };
}

/** Runs what the journal beside `path` lacks into it; returns its rows and how many were there before. */
async function runToJournal(p: PreparedSweep, exec: Executor, path: string, opts: SweepToFileOptions): Promise<{ rows: number; resumedFrom: number }> {
  const ident = { hash: p.hash, total: p.total, first: p.first, end: p.end, shard: p.shard };
  let journal: Journal;
  if (opts.resume) journal = Journal.resume(path, ident);
  else {
    if (readManifest(path) || existsSync(journalPath(path))) {
      throw new UserError(
        `an interrupted sweep's state is beside the output (${manifestPath(path)}); add --resume to continue it, or remove it to start over`,
        { file: path },
      );
    }
    journal = Journal.create(path, ident);
  }
  const resumedFrom = journal.rows;
  const start = p.first + resumedFrom;
  const stopped = opts.stopped ?? (() => false);
  const runs = p.end - p.first;
  let done = resumedFrom;
  opts.onProgress?.(done, runs);
  let lastFlush = Date.now();
  try {
    await runRange(
      exec,
      start,
      p.end,
      p.chunk,
      (first, count, metrics) => {
        journal.append(first, count, metrics);
        done += count;
        // fsync at most a few times a second; a kill -9 only costs the rows since the last flush
        if (Date.now() - lastFlush > 250) {
          journal.flush();
          lastFlush = Date.now();
        }
        opts.onProgress?.(done, runs);
      },
      stopped,
    );
  } finally {
    journal.close();
  }
  return { rows: journal.rows, resumedFrom };
}

/** Writes the journal's `rows` rows to `path` (temp + rename) and returns the top rows. */
function writeFromJournal(
  p: PreparedSweep,
  path: string,
  format: ExportFormat,
  rows: number,
  complete: boolean,
  top: SweepToFileOptions['top'],
): SweepRow[] {
  const writer = openTableWriter(path, sweepColumns(p.grid), format, { metadata: sweepMetadata(p, complete) });
  const heap = top ? new TopK(top.k, top.by, top.ascending) : null;
  const BLOCK = 8192;
  const buf = new Float64Array(BLOCK * RECORD_F64);
  try {
    for (let at = 0; at < rows; at += BLOCK) {
      const n = Math.min(BLOCK, rows - at);
      readJournal(path, at, n, buf);
      writer.write(rowsTable(p.grid, buf, n, RECORD_F64));
      if (heap) for (let r = 0; r < n; r++) heap.offer(buf[r * RECORD_F64]!, buf, r * RECORD_F64 + 1);
    }
    writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  return heap ? heap.rows(p.grid) : [];
}

/** Runs the sweep keeping only the best K rows (no file). */
export async function sweepTop(
  spec: SweepSpec | PreparedSweep,
  top: { k: number; by: (typeof METRIC_NAMES)[number]; ascending?: boolean },
  opts: Pick<SweepToFileOptions, 'stopped' | 'onProgress'> = {},
): Promise<{ top: SweepRow[]; done: number; runs: number }> {
  const { p, exec } = executorFor(spec);
  const heap = new TopK(top.k, top.by, top.ascending);
  const runs = p.end - p.first;
  let done = 0;
  try {
    await runRange(
      exec,
      p.first,
      p.end,
      p.chunk,
      (first, count, metrics) => {
        for (let r = 0; r < count; r++) heap.offer(first + r, metrics, r * METRICS_PER_ROW);
        done += count;
        opts.onProgress?.(done, runs);
      },
      opts.stopped,
    );
  } finally {
    await exec.close();
  }
  return { top: heap.rows(p.grid), done, runs };
}
export { mergeShards, type MergeResult } from './merge.js';
