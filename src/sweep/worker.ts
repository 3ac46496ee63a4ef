// The worker thread: a thin shell around runChunk. The task state (a kernel instance on the
// sweep's shared memory, in a run area of its own) is built on the first task and reused: a pool
// serves one executor. The sweep's data comes with every task, not as workerData, so that the
// threads can start before the sweep is prepared (pool.ts startWorkers); one of them also fills
// the shared kernel memory while the main thread prepares (pool.ts fillEngine).
import { candlesFromShared, type SharedCandles } from './shared-candles.js';
import { createEngineShare, createTaskState, runChunk, type EngineShare, type SweepSettings, type TaskState } from './task.js';
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

/** pool.ts fillEngine's task: the sweep's kernel memory, filled here while the main thread validates. */
export interface FillRequest {
  candles: SharedCandles;
  areas: number;
  grid: GridSpec;
}

let state: TaskState | null = null;

export default function task(message: { first: number; count: number; init: WorkerInit } | { fill: FillRequest }): Float64Array | EngineShare {
  if ('fill' in message) {
    const { candles, areas, grid } = message.fill;
    return createEngineShare(candlesFromShared(candles), areas, grid);
  }
  const { first, count, init } = message;
  state ??= createTaskState(init.grid, init.settings, candlesFromShared(init.candles), init.engine, init.specs);
  // (returned by copy: ~80 KB per task; importing piscina for `move` cost each worker ~15 ms of start-up)
  return runChunk(state, first, count);
}
