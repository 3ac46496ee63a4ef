// The worker thread: a thin shell around runChunk. The task state (a kernel instance on the
// sweep's shared memory, in a run area of its own) is built on the first task and reused: a pool
// serves one executor. The sweep's data comes with every task, not as workerData, so that the
// threads can start before the sweep is prepared (pool.ts startWorkers).
import { candlesFromShared, type SharedCandles } from './shared-candles.js';
import { createTaskState, runChunk, type EngineShare, type SweepSettings, type TaskState } from './task.js';
import type { GridSpec } from './grid.js';
import type { RunSpec } from '../engine/types.js';

export interface WorkerInit {
  grid: GridSpec;
  settings: SweepSettings;
  candles: SharedCandles;
  engine: EngineShare;
  /** task.ts baseSpecs, built and validated by the main thread (workers never load zod). */
  specs: RunSpec[][];
}

let state: TaskState | null = null;

export default function task({ first, count, init }: { first: number; count: number; init: WorkerInit }): Float64Array {
  state ??= createTaskState(init.grid, init.settings, candlesFromShared(init.candles), init.engine, init.specs);
  // (returned by copy: ~80 KB per task; importing piscina for `move` cost each worker ~15 ms of start-up)
  return runChunk(state, first, count);
}
