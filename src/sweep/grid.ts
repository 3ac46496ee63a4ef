// The sweep grid: parameter axes × leverages × margin modes × symbol groups, never materialised.
// A run is identified by its index; runAt(index) decodes it by mixed-radix arithmetic, so a grid
// of millions of runs costs the memory of its axes.
//
// Order (documented in the CLI help): symbol group outermost, then the strategy's parameters in
// their declared order, then leverage, then margin mode innermost — so the isolated and cross
// runs of the same parameters sit next to each other and share their targets.
import { UserError } from '../errors.js';
import { checkParamValue, checkRelations, isStrategyName, STRATEGIES, type StrategyName } from '../strategies/index.js';
import type { MarginMode } from '../engine/types.js';

export interface GridAxis {
  name: string;
  values: number[];
}

/** Everything that varies in a sweep, as plain data (it travels to workers and into the manifest). */
export interface GridSpec {
  strategy: StrategyName;
  /** One axis per strategy parameter, in the strategy's declared order (fixed ones have one value). */
  axes: GridAxis[];
  leverages: number[];
  margins: MarginMode[];
  symbolGroups: string[][];
  /**
   * Indices (in the product of the parameter axes) of the valid parameter combinations, when
   * invalid ones are skipped; absent when every combination is valid.
   */
  validCombos?: number[];
}

export interface Run {
  index: number;
  group: number;
  symbols: string[];
  /** Index of the parameter combination in the product of the axes (shared by leverage and margin). */
  combo: number;
  params: Record<string, number>;
  leverage: number;
  marginMode: MarginMode;
}

/** Digits after the decimal point of a number's shortest text (1e-7 → 7, 0.25 → 2). */
function decimalsOf(x: number): number {
  const t = String(x).toLowerCase();
  const [mant, exp] = t.split('e');
  const frac = mant!.includes('.') ? mant!.split('.')[1]!.length : 0;
  return Math.max(0, frac - Number(exp ?? 0));
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function num(text: string, flag: string, what: string): number {
  const t = text.trim();
  const x = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(x)) throw new UserError(`${what}: expected a number, got '${text}'`, { field: flag });
  return x;
}

/**
 * The values of `start:stop:step` (stop included when the steps land on it) or `a,b,c`.
 * Range values are start + i×step rounded to the decimals of start and step, so 0.1:0.3:0.1
 * gives 0.1, 0.2, 0.3 and not 0.30000000000000004.
 */
export function parseValues(text: string, flag: string, what: string): number[] {
  const t = text.trim();
  if (t === '') throw new UserError(`${what}: no values given`, { field: flag });
  if (t.includes(':')) {
    const parts = t.split(':');
    if (parts.length !== 3) throw new UserError(`${what}: a range is start:stop:step, got '${text}'`, { field: flag });
    const [start, stop, step] = parts.map((p) => num(p, flag, what)) as [number, number, number];
    if (!(step > 0)) throw new UserError(`${what}: the step must be greater than 0, got ${step}`, { field: flag });
    if (start > stop) throw new UserError(`${what}: empty range, start ${start} is above stop ${stop}`, { field: flag });
    const d = Math.max(decimalsOf(start), decimalsOf(step));
    const scale = 10 ** d;
    // the tolerance lets 0:1:0.1 include 1 despite binary rounding in (stop − start) / step
    const n = Math.floor((stop - start) / step + 1e-9) + 1;
    if (n > 10_000_000) throw new UserError(`${what}: ${n} values in one range is too many`, { field: flag });
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(d > 15 ? start + i * step : Math.round((start + i * step) * scale) / scale);
    return out;
  }
  const values = t.split(',').map((p) => num(p, flag, what));
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  if (twice !== undefined) throw new UserError(`${what}: ${twice} is listed twice`, { field: flag });
  return values;
}

/** `--grid name=spec` entries → values by name (a name given twice is refused). */
export function parseGridFlags(list: readonly string[], flag = '--grid'): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const item of list) {
    const eq = item.indexOf('=');
    const name = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!name) throw new UserError(`expected name=start:stop:step or name=a,b,c, got '${item}'`, { field: flag });
    if (out.has(name)) throw new UserError(`parameter '${name}' is given twice`, { field: flag });
    out.set(name, parseValues(item.slice(eq + 1), flag, name));
  }
  return out;
}

/**
 * Symbol groups: each `--symbols` value is one or more groups separated by `;`, each group a
 * comma-separated list run in one account: `BTCUSDT;ETHUSDT` is two single-symbol groups,
 * `BTCUSDT,ETHUSDT` one two-symbol portfolio (or pair).
 */
export function parseSymbolGroups(list: readonly string[], flag = '--symbols'): string[][] {
  const groups: string[][] = [];
  for (const item of list) {
    for (const part of item.split(';')) {
      const g = part
        .split(',')
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean);
      if (g.length === 0) continue;
      const twice = g.find((s, i) => g.indexOf(s) !== i);
      if (twice) throw new UserError(`${twice} is listed twice in the group ${part.trim()}`, { field: flag });
      groups.push(g);
    }
  }
  if (groups.length === 0) throw new UserError(`expected symbols such as BTCUSDT;ETHUSDT, got '${list.join(' ')}'`, { field: flag });
  const keys = groups.map((g) => g.join(','));
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new UserError(`the group ${dup} is listed twice`, { field: flag });
  return groups;
}

/** `isolated,cross` (or `both`) → margin modes in the given order. */
export function parseMarginList(text: string, flag = '--margin'): MarginMode[] {
  const items = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .flatMap((s) => (s === 'both' ? ['isolated', 'cross'] : [s]));
  if (items.length === 0) throw new UserError(`expected isolated, cross or both, got '${text}'`, { field: flag });
  for (const m of items) {
    if (m !== 'isolated' && m !== 'cross') throw new UserError(`expected isolated, cross or both, got '${m}'`, { field: flag });
  }
  if (new Set(items).size !== items.length) throw new UserError(`a margin mode is listed twice in '${text}'`, { field: flag });
  return items as MarginMode[];
}

export interface GridInput {
  strategy: string;
  /** Swept parameters by name. */
  grid?: Map<string, number[]> | Record<string, number[]>;
  /** Fixed parameters (like backtest's --param); a name may not be both fixed and swept. */
  params?: Record<string, number>;
  leverages: number[];
  margins: MarginMode[];
  symbolGroups: string[][];
  /** Skip parameter combinations the strategy refuses instead of refusing the grid. */
  skipInvalid?: boolean;
}

export interface GridBuild {
  grid: GridSpec;
  /** Parameter combinations dropped by skipInvalid. */
  skipped: number;
}

/**
 * Checks and builds a grid. Every parameter value goes through the strategy's own validation;
 * a combination the strategy refuses (sma-cross slow ≤ fast, …) refuses the whole grid with the
 * strategy's message and the offending values, unless `skipInvalid`, which drops such
 * combinations (deterministically: run indices count valid combinations only) and reports how
 * many. A grid left with no valid combination is refused either way.
 */
export function buildGrid(input: GridInput): GridBuild {
  const { strategy } = input;
  if (!isStrategyName(strategy)) {
    throw new UserError(`unknown strategy '${strategy}' (available: ${Object.keys(STRATEGIES).join(', ')})`, { field: '--strategy' });
  }
  if (strategy === 'signals') throw new UserError('the signals strategy has no parameters to sweep', { field: '--strategy' });
  const def = STRATEGIES[strategy];
  const swept = input.grid instanceof Map ? input.grid : new Map(Object.entries(input.grid ?? {}));
  const fixed = input.params ?? {};
  const known = def.params.map((p) => p.name);
  for (const name of [...swept.keys(), ...Object.keys(fixed)]) {
    if (!known.includes(name)) {
      const valid = known.length ? `its parameters are ${known.join(', ')}` : 'it takes no parameters';
      throw new UserError(`${strategy} has no parameter '${name}' (${valid})`, { field: swept.has(name) ? '--grid' : '--param' });
    }
    if (swept.has(name) && Object.hasOwn(fixed, name)) {
      throw new UserError(`parameter '${name}' is both swept (--grid) and fixed (--param)`, { field: '--grid' });
    }
  }
  const axes: GridAxis[] = def.params.map((p) => {
    const values = swept.get(p.name) ?? [Object.hasOwn(fixed, p.name) ? fixed[p.name]! : p.default];
    for (const v of values) checkParamValue(strategy, p, v, '--grid');
    return { name: p.name, values };
  });
  if (input.leverages.length === 0) throw new UserError('no leverage given', { field: '--leverage' });
  for (const L of input.leverages) {
    if (!(Number.isFinite(L) && L >= 1)) throw new UserError(`leverage must be at least 1, got ${L}`, { field: '--leverage' });
  }
  if (new Set(input.leverages).size !== input.leverages.length) throw new UserError('a leverage is listed twice', { field: '--leverage' });
  if (input.margins.length === 0) throw new UserError('no margin mode given', { field: '--margin' });
  if (input.symbolGroups.length === 0) throw new UserError('no symbols given', { field: '--symbols' });
  for (const g of input.symbolGroups) {
    if (def.symbols === 2 && g.length !== 2) {
      throw new UserError(`${strategy} needs exactly two symbols per group (A,B), got ${g.join(',')}`, { field: '--symbols' });
    }
  }

  // Check every parameter combination (the product of the parameter axes only: small next to the
  // runs). Each value passed its parameter's own checks above, so a combination can only break a
  // relation between parameters (resolveParams's last check), tested on one record filled in place.
  const nCombos = axes.reduce((n, a) => n * a.values.length, 1);
  if (nCombos > 50_000_000) throw new UserError(`${nCombos} parameter combinations is too many`, { field: '--grid' });
  const valid: number[] = [];
  let firstError: UserError | null = null;
  const params = comboParams(axes, 0);
  for (let c = 0; c < nCombos; c++) {
    try {
      fillComboParams(axes, c, params);
      checkRelations(strategy, params);
      valid.push(c);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      if (!input.skipInvalid) {
        throw new UserError(`${err.message.replace(/^field '[^']*': /, '')} — the grid includes this combination (add --skip-invalid to skip such combinations)`, {
          field: '--grid',
        });
      }
      firstError ??= err;
    }
  }
  if (valid.length === 0) {
    throw new UserError(`no parameter combination of the grid is valid (for example: ${firstError?.message ?? 'none'})`, { field: '--grid' });
  }
  const grid: GridSpec = {
    strategy,
    axes,
    leverages: [...input.leverages],
    margins: [...input.margins],
    symbolGroups: input.symbolGroups.map((g) => [...g]),
  };
  if (valid.length < nCombos) grid.validCombos = valid;
  return { grid, skipped: nCombos - valid.length };
}

/** The parameters of combination `c` of the product of `axes` (last axis fastest), keys in the axes' order. */
export function comboParams(axes: readonly GridAxis[], c: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const axis of axes) out[axis.name] = NaN;
  fillComboParams(axes, c, out);
  return out;
}

/** Sets the parameters of combination `c` in `out` (comboParams without a new record). */
function fillComboParams(axes: readonly GridAxis[], c: number, out: Record<string, number>): void {
  for (let a = axes.length - 1; a >= 0; a--) {
    const axis = axes[a]!;
    const n = axis.values.length;
    out[axis.name] = axis.values[c % n]!;
    c = Math.floor(c / n);
  }
}

/** Valid parameter combinations of the grid. */
export function comboCount(grid: GridSpec): number {
  return grid.validCombos ? grid.validCombos.length : grid.axes.reduce((n, a) => n * a.values.length, 1);
}

/** Runs in the grid. */
export function gridSize(grid: GridSpec): number {
  return grid.symbolGroups.length * comboCount(grid) * grid.leverages.length * grid.margins.length;
}

/** Where a run sits in the grid: its symbol group, combination, and leverage and margin indices. */
export interface RunCoordinates {
  group: number;
  combo: number;
  leverage: number;
  margin: number;
}

/** The coordinates of run `index` (0 ≤ index < gridSize): runAt without building its parameters. */
export function runCoordinates(grid: GridSpec, index: number): RunCoordinates {
  const size = gridSize(grid);
  if (!(Number.isInteger(index) && index >= 0 && index < size)) throw new RangeError(`run index ${index} is outside 0..${size - 1}`);
  let i = index;
  const nM = grid.margins.length;
  const nL = grid.leverages.length;
  const nC = comboCount(grid);
  const margin = i % nM;
  i = (i - margin) / nM;
  const leverage = i % nL;
  i = (i - leverage) / nL;
  const k = i % nC;
  const group = (i - k) / nC;
  return { group, combo: grid.validCombos ? grid.validCombos[k]! : k, leverage, margin };
}

/** The run with index `index` (0 ≤ index < gridSize), decoded without materialising the grid. */
export function runAt(grid: GridSpec, index: number): Run {
  const { group, combo, leverage, margin } = runCoordinates(grid, index);
  return {
    index,
    group,
    symbols: grid.symbolGroups[group]!,
    combo,
    params: comboParams(grid.axes, combo),
    leverage: grid.leverages[leverage]!,
    marginMode: grid.margins[margin]!,
  };
}

/** The inverse of runAt: the index of (group, valid-combination rank, leverage index, margin index). */
export function indexOf(grid: GridSpec, group: number, comboRank: number, leverage: number, margin: number): number {
  return ((group * comboCount(grid) + comboRank) * grid.leverages.length + leverage) * grid.margins.length + margin;
}

/**
 * The contiguous run-index range of shard `i` of `n`: [⌊i·N/n⌋, ⌊(i+1)·N/n⌋). Contiguous ranges
 * keep each shard's isolated/cross pairs and target reuse together, and merge by concatenation.
 */
export function shardRange(total: number, shard: { index: number; count: number }): { first: number; end: number } {
  return {
    first: Math.floor((shard.index * total) / shard.count),
    end: Math.floor(((shard.index + 1) * total) / shard.count),
  };
}

/** `i/n` with 0 ≤ i < n. */
export function parseShard(text: string, flag = '--shard'): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index >= 0 && index < count)) {
    throw new UserError(`expected i/n with 0 ≤ i < n (e.g. 0/4 for the first of four shards), got '${text}'`, { field: flag });
  }
  return { index, count };
}
