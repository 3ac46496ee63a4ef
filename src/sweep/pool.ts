// Running a range of a grid on worker threads (piscina) or in-process, delivering results in
// run-index order through a bounded reorder buffer: at most `2 × workers` chunks are in flight,
// so memory does not depend on the number of runs.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { GridSpec } from './grid.js';
import { candlesFromShared, type SharedCandles } from './shared-candles.js';
import { baseSpecs, createEngineShare, createTaskState, runChunk, type EngineShare, type SweepSettings, type TaskState } from './task.js';
import type { FillRequest, WorkerInit } from './worker.js';

/** Called with consecutive chunks in index order: runs [first, first + count) and their metrics. */
export type ChunkHandler = (first: number, count: number, metrics: Float64Array) => void | Promise<void>;

export interface RangeOptions {
  /** Worker threads; 0 runs in the calling thread (small sweeps, tests). Default: the core count. */
  workers?: number;
  /** Runs per task; default from bars × symbols (see chunkSize). */
  chunk?: number;
  /** Polled between tasks: when it returns true no new task starts, and those running finish. */
  stopped?: () => boolean;
}

/**
 * Bar-steps per task: ~0.4–0.8 s of kernel work (250–500 M bar-steps/s per thread on one-symbol
 * runs), so the per-task overhead (~0.1 ms) stays small whether a run is 1,000 or 1,000,000 bars,
 * and an sma-cross task batches enough parameter sets to share its windows' rolling sums (W2:
 * 1,000 sets per task use ~2.7% less CPU than 500, which used ~6% less than 250; the batch's
 * list of target changes grows to 32 MB for them, ~20 MB more peak RSS). runRange shrinks the
 * last tasks, so big ones cost no balance at the end.
 */
const STEPS_PER_TASK = 200_000_000;

/**
 * Runs per task: enough that a task does ~STEPS_PER_TASK bar-steps on small datasets, one run on
 * huge ones, and never so many that the workers lack tasks to share (≥ 4 per worker before
 * runRange shrinks the last ones).
 */
export function chunkSize(barsTimesSymbols: number, runs: number, workers: number): number {
  const bySteps = Math.max(1, Math.floor(STEPS_PER_TASK / Math.max(1, barsTimesSymbols)));
  const byBalance = Math.max(1, Math.ceil(runs / (Math.max(1, workers) * 4)));
  return Math.min(bySteps, byBalance, 4096);
}

export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * The worker module: compiled `dist/sweep/worker.js` when running from dist (or when it is
 * newer than every source file), else the `.mjs` shim that loads the TypeScript through tsx.
 */
export function workerFilename(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (extname(here) === '.js') return join(dir, 'worker.js');
  const compiled = join(dir, '..', '..', 'dist', 'sweep', 'worker.js');
  if (existsSync(compiled) && statSync(compiled).mtimeMs > newestMtime(join(dir, '..'))) return compiled;
  return join(dir, 'worker-shim.mjs');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Where chunks run: a piscina pool, or the calling thread. */
export interface Executor {
  readonly workers: number;
  run(first: number, count: number): Promise<Float64Array>;
  close(): Promise<void>;
}

/**
 * Starts `workers` threads (none for 0) before there is anything to run: they load the worker
 * module (~90 ms) while the calling thread validates the grid and shares the candles. The sweep's
 * data reaches them with the tasks (createExecutor).
 */
export function startWorkers(workers: number): Piscina | null {
  if (workers === 0) return null;
  return new Piscina({
    filename: workerFilename(),
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    // a small young generation keeps RSS flat: left alone, V8 grows it with the allocation
    // rate of long sweeps (targets and metrics objects), by tens of MB per thread. A task
    // allocates little on the JS heap (the candles and targets live in kernel memory), so 4 MB
    // scavenges cost no measurable time and W2's peak RSS is ~20 MB lower than with 16
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
}

/**
 * Has one of `pool`'s workers lay the candles into a new shared kernel memory with a run area per
 * worker (createEngineShare), while the calling thread goes on: the workers are ready ~50 ms
 * before the main thread has checked the grid, and the fill takes ~40 ms.
 */
export function fillEngine(pool: Piscina, candles: SharedCandles, workers: number, grid: GridSpec): Promise<EngineShare> {
  const request: FillRequest = { candles, areas: workers, grid };
  const engine = pool.run({ fill: request }) as Promise<EngineShare>;
  // (a failure surfaces where the engine is awaited; a sweep refused meanwhile never awaits it)
  engine.catch(() => {});
  return engine;
}

/**
 * Runs chunks of the grid on `workers` threads (`started`: threads from startWorkers(workers),
 * which the executor then owns and closes; `filling`: their kernel memory from fillEngine), or in
 * the calling thread for 0.
 */
export function createExecutor(
  grid: GridSpec,
  settings: SweepSettings,
  candles: SharedCandles,
  workers: number,
  started: Piscina | null = null,
  filling: Promise<EngineShare> | null = null,
): Executor {
  if (workers === 0) {
    let state: TaskState | null = null;
    return {
      workers: 0,
      run: async (first, count) => {
        state ??= createTaskState(grid, settings, candlesFromShared(candles));
        return runChunk(state, first, count);
      },
      close: async () => {},
    };
  }
  // the candles in kernel memory once for all workers (each worker only adds its run area)
  const engine = filling ?? Promise.resolve(createEngineShare(candlesFromShared(candles), workers, grid));
  const specs = baseSpecs(grid, settings);
  const pool = started ?? startWorkers(workers)!;
  return {
    workers,
    // (a few hundred bytes per task: the memories are shared, not copied)
    run: (first, count) => engine.then((e) => pool.run({ first, count, init: { grid, settings, candles, engine: e, specs } satisfies WorkerInit })) as Promise<Float64Array>,
    close: () => pool.destroy(),
  };
}

/**
 * Guided self-scheduling: near the end a task takes at most each worker's share of what is left
 * (down to a sixteenth of `chunk`), so the workers finish together instead of one waiting out the
 * other's last full-size task (W2's two workers end ~10–30 ms apart instead of ~100–400 ms). Not
 * finer: every task pays a fixed cost, which for a batched sma-cross task is its windows' averages
 * (~12 ms at 200,000 bars whether it holds 63 sets or 1,000); halving the share gave W2 20 tasks
 * instead of 14 for the same end gap.
 */
function tailChunk(chunk: number, left: number, workers: number): number {
  if (workers < 2) return chunk;
  return Math.max(Math.ceil(chunk / 16), Math.ceil(left / workers));
}

/**
 * Runs [first, end) in chunks and hands them to `onChunk` in index order. Returns the end of
 * the contiguous prefix delivered (== end unless stopped or a task failed, which rethrows after
 * the tasks in flight settle).
 */
export async function runRange(
  exec: Executor,
  first: number,
  end: number,
  chunk: number,
  onChunk: ChunkHandler,
  stopped: () => boolean = () => false,
): Promise<number> {
  const maxInFlight = Math.max(1, exec.workers * 2);
  const ready = new Map<number, { count: number; metrics: Float64Array }>();
  let next = first; // next run to submit
  let delivered = first; // next run to deliver
  let failure: unknown = null;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };

  while (true) {
    while (!failure && !stopped() && next < end && inFlight + ready.size < maxInFlight) {
      const at = next;
      const count = Math.min(chunk, end - at, tailChunk(chunk, end - at, exec.workers));
      next += count;
      inFlight++;
      exec.run(at, count).then(
        (metrics) => {
          inFlight--;
          ready.set(at, { count, metrics });
          notify();
        },
        (err: unknown) => {
          inFlight--;
          failure ??= err;
          notify();
        },
      );
    }
    // deliver what is contiguous
    let r = ready.get(delivered);
    while (r && !failure) {
      ready.delete(delivered);
      await onChunk(delivered, r.count, r.metrics);
      delivered += r.count;
      r = ready.get(delivered);
    }
    if (inFlight === 0 && (failure || stopped() || delivered >= end || next >= end)) {
      if (failure) throw failure;
      if (delivered >= end || stopped()) return delivered;
    }
    if (inFlight === 0 && next >= end && !ready.has(delivered)) return delivered;
    if (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  }
}
