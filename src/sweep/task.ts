// The sweep's unit of work, a pure function of its inputs: runChunk runs the runs
// [first, first + count) of a grid on one kernel session and returns their metrics as one flat
// Float64Array (row-major, METRIC_NAMES order). Worker threads are thin shells around it, and
// tests call it in-process.
import type { Candles } from '../data/schema.js';
import { computedInKernel, KernelSession, type KernelSessionOptions } from '../engine/kernel.js';
import { BATCH_MAX_SETS, PAGE } from '../engine/layout.js';
import { createMemory } from '../engine/wasm.js';
import { buildRunSpec, CLI_FLAGS, type AccountSettings } from '../engine/runspec.js';
import { METRIC_NAMES, type RunSpec } from '../engine/types.js';
import { UserError } from '../errors.js';
import { computeTargets } from '../strategies/index.js';
import { comboParams, comboCount, runAt, runCoordinates, type GridSpec } from './grid.js';

/** The settings every run of a sweep shares (backtest's sizing and fee options); defaults as backtest. */
export type SweepSettings = AccountSettings;

/** Metrics per row in a chunk's output. */
export const METRICS_PER_ROW = METRIC_NAMES.length;

/**
 * One validated RunSpec per (symbol group, leverage): the SPEC §2 leverage check and bracket
 * lookup happen here once, and each run only swaps in its parameters and margin mode.
 */
export function baseSpecs(grid: GridSpec, settings: SweepSettings): RunSpec[][] {
  const params = comboParams(grid.axes, grid.validCombos ? grid.validCombos[0]! : 0);
  return grid.symbolGroups.map((symbols) =>
    grid.leverages.map((leverage) =>
      buildRunSpec({ ...settings, marginMode: 'isolated', strategy: grid.strategy, params, symbols, leverage }, CLI_FLAGS),
    ),
  );
}

export interface TaskState {
  grid: GridSpec;
  candles: Candles;
  session: KernelSession;
  /**
   * The run spec of each (symbol group, leverage, margin mode): baseSpecs with the margin mode
   * set. Its params are the first combination's: a run's targets come from its own combination
   * (runChunk), and the engine reads no params.
   */
  runSpecs: RunSpec[][][];
  /** Dataset column of each symbol of each group. */
  columns: number[][];
  /** The last targets computed, and for which (group, combination); null: in the session's own columns. */
  lastKey: number;
  lastTargets: Float64Array[] | null;
  /** sma-cross: the (group, combination) keys of the last smaCrossBatch → set index and change count. */
  smaSets: Map<number, { set: number; changes: number }>;
}

/**
 * Kernel memory shared by the workers of a sweep: the candle columns once (filled by the main
 * thread), and one run area per worker, claimed with an atomic counter.
 */
export interface EngineShare {
  memory: WebAssembly.Memory;
  /** Int32Array over a SharedArrayBuffer: [0] = next free run area. */
  claims: Int32Array;
  areas: number;
  /** What every session on the memory keeps (sessionOptions). */
  options: SweepSessionOptions;
}

export type SweepSessionOptions = Pick<KernelSessionOptions, 'batch' | 'strategyColumns' | 'moments'>;

/** What a sweep's kernel sessions keep besides the candles, from its grid. */
export function sessionOptions(grid: GridSpec): SweepSessionOptions {
  return {
    batch: true,
    // columns for the targets the kernel computes from candles (sma-cross batches included)
    strategyColumns: computedInKernel(grid.strategy),
    // the table of return moments serves only metrics-only isolated runs of one symbol
    moments: grid.margins.includes('isolated') && grid.symbolGroups.some((g) => g.length === 1),
  };
}

/** Lays the candles into a new shared kernel memory with `areas` run areas (main thread). */
export function createEngineShare(candles: Candles, areas: number, grid: GridSpec): EngineShare {
  const memory = createMemory(PAGE);
  const options = sessionOptions(grid);
  // the filling session takes the area after the workers' ones, which sizes the memory for all
  new KernelSession(candles, { ...options, shared: { memory, area: areas, fill: true } });
  return { memory, claims: new Int32Array(new SharedArrayBuffer(4)), areas, options };
}

function sessionFor(candles: Candles, grid: GridSpec, share: EngineShare | undefined): KernelSession {
  if (share) {
    const area = Atomics.add(share.claims, 0, 1);
    if (area < share.areas) return new KernelSession(candles, { ...share.options, shared: { memory: share.memory, area, fill: false } });
  }
  // in-process, or a replacement thread beyond the areas: a private copy
  return new KernelSession(candles, sessionOptions(grid));
}

/** One kernel session on the candles (built once per worker), ready for any chunk of the grid. */
export function createTaskState(
  grid: GridSpec,
  settings: SweepSettings,
  candles: Candles,
  share?: EngineShare,
  specs: RunSpec[][] = baseSpecs(grid, settings),
): TaskState {
  const names = candles.symbols.map((s) => s.symbol);
  const columns = grid.symbolGroups.map((g) =>
    g.map((symbol) => {
      const i = names.indexOf(symbol);
      if (i < 0) throw new UserError(`symbol ${symbol} is not in the data (available: ${names.join(', ')})`, { field: '--symbols' });
      return i;
    }),
  );
  return {
    grid,
    candles,
    session: sessionFor(candles, grid, share),
    runSpecs: specs.map((byLeverage) => byLeverage.map((base) => grid.margins.map((marginMode) => ({ ...base, marginMode })))),
    columns,
    lastKey: -1,
    lastTargets: [],
    smaSets: new Map(),
  };
}

/**
 * Runs [first, first + count) and returns count × METRICS_PER_ROW metrics: a null metric is NaN,
 * `ruined` is 0 or 1. Targets are computed once per (symbol group, parameter combination) and
 * reused by the leverage and margin runs that follow it in index order; sma-cross on one symbol
 * computes them for many combinations at once, sharing each window's rolling sum.
 */
export function runChunk(state: TaskState, first: number, count: number): Float64Array {
  const out = new Float64Array(count * METRICS_PER_ROW);
  const { grid } = state;
  for (let r = 0; r < count; r++) {
    const at = runCoordinates(grid, first + r);
    const key = keyOf(grid, at.group, at.combo);
    const cols = state.columns[at.group]!;
    if (key !== state.lastKey) {
      const params = comboParams(grid.axes, at.combo);
      const inKernel = batchedTargets(state, key, first + r, first + count) || kernelTargets(state, params, cols);
      state.lastTargets = inKernel ? null : targetsOf(state, params, cols);
      state.lastKey = key;
    }
    const spec = state.runSpecs[at.group]![at.leverage]![at.margin]!;
    state.session.runMetricsInto(spec, state.lastTargets, cols, out, r * METRICS_PER_ROW);
  }
  return out;
}

function keyOf(grid: GridSpec, group: number, combo: number): number {
  return group * comboCount(grid) + combo;
}

/**
 * A single-symbol strategy's targets computed by the kernel straight into the session's target
 * columns (no array per combination on the JS heap; donchian's kernel twin also avoids the
 * reference's rescan of the channel). False for pair and signals.
 */
function kernelTargets(state: TaskState, params: Record<string, number>, cols: number[]): boolean {
  const name = state.grid.strategy;
  for (let i = 0; i < cols.length; i++) {
    if (!state.session.computeTargets(name, params, i, cols[i]!)) return false;
  }
  return true;
}

function targetsOf(state: TaskState, params: Record<string, number>, cols: number[]): Float64Array[] {
  const s = cols.map((i) => state.candles.symbols[i]!);
  return computeTargets(
    state.grid.strategy,
    params,
    s.map((x) => x.close),
    s.map((x) => x.high),
    s.map((x) => x.low),
  );
}

/**
 * sma-cross on one symbol: gives the session the target changes of `key` from a shared batch
 * (KernelSession.smaCrossBatch), first batching the distinct parameter sets of this key's
 * group among runs [from, to) when `key` is not in the last batch. False: not batchable here.
 */
function batchedTargets(state: TaskState, key: number, from: number, to: number): boolean {
  const { grid, session } = state;
  if (grid.strategy !== 'sma-cross') return false;
  let found = state.smaSets.get(key);
  if (!found) {
    const group = runAt(grid, from).group;
    if (state.columns[group]!.length !== 1) return false;
    const keys: number[] = [];
    const fast: number[] = [];
    const slow: number[] = [];
    // half the set limit keeps the distinct windows (≤ 2 per set) within BATCH_MAX_WINDOWS
    for (let i = from; i < to && keys.length < BATCH_MAX_SETS / 2; i++) {
      const run = runAt(grid, i);
      if (run.group !== group) break;
      const k = keyOf(grid, run.group, run.combo);
      if (keys[keys.length - 1] === k) continue;
      keys.push(k);
      fast.push(run.params.fast!);
      slow.push(run.params.slow!);
    }
    const windows = [...new Set([...fast, ...slow])];
    const at = new Map(windows.map((w, j) => [w, j]));
    const changes = session.smaCrossBatch(
      state.columns[group]![0]!,
      Int32Array.from(windows),
      Int32Array.from(fast, (w) => at.get(w)!),
      Int32Array.from(slow, (w) => at.get(w)!),
    );
    state.smaSets = new Map(keys.map((k, set) => [k, { set, changes: changes[set]! }]));
    found = state.smaSets.get(key)!;
  }
  return session.useSmaCrossChanges(found.set, found.changes, 0);
}
