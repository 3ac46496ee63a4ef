// The worker thread: a thin shell around runChunk. The task state (kernel session over the
// shared candles) is built on the first task and reused for every later one.
import { move, workerData } from 'piscina';
import { candlesFromShared, type SharedCandles } from './shared-candles.js';
import { createTaskState, runChunk, type SweepSettings, type TaskState } from './task.js';
import type { GridSpec } from './grid.js';

export interface WorkerInit {
  grid: GridSpec;
  settings: SweepSettings;
  candles: SharedCandles;
}

let state: TaskState | null = null;

export default function task({ first, count }: { first: number; count: number }): Float64Array {
  if (!state) {
    const init = workerData as WorkerInit;
    state = createTaskState(init.grid, init.settings, candlesFromShared(init.candles));
  }
  return move(runChunk(state, first, count)) as Float64Array;
}
