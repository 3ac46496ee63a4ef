// Building and checking a RunSpec: the one place for the SPEC §5 defaults, the shape checks
// (zod), the SPEC §2 pre-run leverage check, and the parsing of the CLI's compound strings.
// Errors name the setting the way the caller knows it: a library field, or a CLI flag.
import { lazySchema } from '../zod.js';
import { UserError } from '../errors.js';
import { resolveParams, isStrategyName, STRATEGIES } from '../strategies/index.js';
import {
  bracketIndex,
  bracketTableFor,
  defaultBracketTables,
  orderAllowed,
  validateBracketTable,
  type BracketTable,
} from './brackets.js';
import type { LiquidationModel, MarginMode, RunSpec, Sizing } from './types.js';

/** SPEC §5 defaults, documented in the CLI help and the README. */
export const DEFAULTS = Object.freeze({
  balance: 10_000,
  leverage: 10,
  marginPerPosition: 1_000,
  feeRate: 0.0005,
  slippage: 0,
  liquidationFeeRate: 0.0125,
  liquidation: Object.freeze({ kind: 'binance' }) as LiquidationModel,
});

/** What a caller may give; every field but marginMode, strategy and symbols has a default. */
export interface RunSpecInput {
  marginMode: MarginMode;
  strategy: RunSpec['strategy'];
  /** Strategy parameters; built-in strategies get their defaults filled in and checked. */
  params?: Record<string, number>;
  symbols: string[];
  leverage?: number;
  balance?: number;
  sizing?: Sizing;
  feeRate?: number;
  slippage?: number;
  liquidation?: LiquidationModel;
  liquidationFeeRate?: number;
  /** Bracket tables by symbol ('*' = any other), merged over the bundled ones. */
  brackets?: Record<string, BracketTable>;
  records?: boolean;
}

/** The account settings a command shares across its runs (backtest's and sweep's flags). */
export type AccountSettings = Pick<
  RunSpecInput,
  'balance' | 'sizing' | 'feeRate' | 'slippage' | 'liquidation' | 'liquidationFeeRate' | 'brackets'
>;

export type RunSpecField = Exclude<keyof RunSpecInput, 'brackets' | 'records'>;

/** How each setting is called in error messages (the CLI passes its flag names). */
export type FieldNames = Partial<Record<RunSpecField, string>>;

/** The CLI's flag for each setting. */
export const CLI_FLAGS: Required<FieldNames> = {
  marginMode: '--margin',
  strategy: '--strategy',
  params: '--param',
  symbols: '--symbols',
  leverage: '--leverage',
  balance: '--balance',
  sizing: '--margin-per-position',
  feeRate: '--fee-rate',
  slippage: '--slippage-bps',
  liquidation: '--liquidation',
  liquidationFeeRate: '--liquidation-fee-rate',
};

const inputSchema = lazySchema((z) => {
  const finite = z
    .number({ invalid_type_error: 'must be a number', required_error: 'must be a number' })
    .refine(Number.isFinite, 'must be a finite number');
  const rate = (what: string) => finite.refine((x) => x >= 0 && x < 1, `${what} must be at least 0 and below 1`);
  return z.object({
    marginMode: z.enum(['isolated', 'cross'], { errorMap: () => ({ message: "must be 'isolated' or 'cross'" }) }),
    strategy: z.string({ invalid_type_error: 'must be a strategy name', required_error: 'must be a strategy name' }),
    params: z.record(z.string(), finite).optional(),
    symbols: z
      .array(z.string().regex(/^\S+$/, 'a symbol is a non-empty word such as BTCUSDT'))
      .min(1, 'at least one symbol is needed')
      .refine((s) => new Set(s).size === s.length, 'a symbol is listed twice'),
    leverage: finite.refine((x) => x >= 1, 'must be at least 1').optional(),
    balance: finite.refine((x) => x > 0, 'must be greater than 0').optional(),
    sizing: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('fixed'), amount: finite.refine((x) => x > 0, 'the margin per position must be greater than 0') }),
        z.object({
          kind: z.literal('fraction'),
          fraction: finite.refine((x) => x > 0 && x <= 1, 'the fraction of equity must be above 0% and at most 100%'),
        }),
      ])
      .optional(),
    feeRate: rate('the fee rate').optional(),
    slippage: rate('slippage').optional(),
    liquidation: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('binance') }),
        z.object({ kind: z.literal('threshold'), x: finite.refine((x) => x > 0 && x < 1, 'the threshold must lie strictly between 0 and 1') }),
      ])
      .optional(),
    liquidationFeeRate: rate('the liquidation fee rate').optional(),
    brackets: z.record(z.string(), z.array(z.any())).optional(),
    records: z.boolean().optional(),
  });
});

/**
 * A validated RunSpec: defaults filled in (SPEC §5), parameters resolved, one bracket table per
 * symbol, and the leverage check of SPEC §2 passed. Throws a UserError naming the setting.
 */
export function buildRunSpec(input: RunSpecInput, names: FieldNames = {}): RunSpec {
  const nameOf = (field: string): string => names[field as RunSpecField] ?? field;
  const parsed = inputSchema().safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'options');
    const got = issue.path.length ? valueAt(input, issue.path) : input;
    throw new UserError(`${issue.message}, got ${show(got)}`, { field: nameOf(field) });
  }
  const strategy = input.strategy;
  let params: Record<string, number>;
  if (strategy === 'function') params = { ...(input.params ?? {}) };
  else if (!isStrategyName(strategy)) {
    throw new UserError(`unknown strategy '${strategy}' (available: ${Object.keys(STRATEGIES).join(', ')})`, {
      field: nameOf('strategy'),
    });
  } else {
    params = resolveParams(strategy, input.params ?? {});
    if (STRATEGIES[strategy].symbols === 2 && input.symbols.length !== 2) {
      throw new UserError(`${strategy} needs exactly two symbols (A, then B), got ${input.symbols.length}: ${input.symbols.join(', ')}`, {
        field: nameOf('symbols'),
      });
    }
  }
  const tables = input.brackets ? { ...defaultBracketTables(), ...checkedTables(input.brackets) } : defaultBracketTables();
  const spec: RunSpec = {
    marginMode: input.marginMode,
    strategy,
    params,
    symbols: [...input.symbols],
    leverage: input.leverage ?? DEFAULTS.leverage,
    balance: input.balance ?? DEFAULTS.balance,
    sizing: input.sizing ?? { kind: 'fixed', amount: DEFAULTS.marginPerPosition },
    feeRate: input.feeRate ?? DEFAULTS.feeRate,
    slippage: input.slippage ?? DEFAULTS.slippage,
    liquidation: input.liquidation ?? DEFAULTS.liquidation,
    liquidationFeeRate: input.liquidationFeeRate ?? DEFAULTS.liquidationFeeRate,
    brackets: input.symbols.map((s) => bracketTableFor(s, tables)),
    records: input.records ?? false,
  };
  checkLeverage(spec, nameOf('leverage'));
  return spec;
}

/** A caller's tables through the same checks as a bracket file (cheap; tables are small). */
function checkedTables(tables: Record<string, BracketTable>): Record<string, BracketTable> {
  const out: Record<string, BracketTable> = {};
  for (const [name, rows] of Object.entries(tables)) out[name] = validateBracketTable(rows, name);
  return out;
}

/** The notional of a full-weight position (w = ±1) at the start of the run. */
export function fullWeightNotional(sizing: Sizing, balance: number, leverage: number): number {
  return sizing.kind === 'fixed' ? sizing.amount * leverage : sizing.fraction * balance * leverage;
}

/**
 * SPEC §2: before the run, the full-weight notional must lie in a bracket whose maxLeverage ≥ L,
 * for every symbol; otherwise the run is refused with the highest leverage that would pass.
 */
export function checkLeverage(spec: RunSpec, field = 'leverage'): void {
  const L = spec.leverage;
  const margin = spec.sizing.kind === 'fixed' ? spec.sizing.amount : spec.sizing.fraction * spec.balance;
  const notional = fullWeightNotional(spec.sizing, spec.balance, L);
  spec.symbols.forEach((symbol, i) => {
    const table = spec.brackets[i]!;
    if (orderAllowed(table, notional, L)) return;
    const last = table[table.length - 1]!;
    const sized = `a full position of ${usdt(notional)} USDT (${usdt(margin)} USDT margin × ${L})`;
    const reason =
      notional > last.cap
        ? `${sized} is above the largest notional ${symbol} allows, ${usdt(last.cap)} USDT`
        : `leverage ${L} is above ${symbol}'s maximum of ${table[bracketIndex(table, notional)]!.maxLeverage} for ${sized}`;
    const best = highestAllowedLeverage(table, margin);
    const hint =
      best === null
        ? `; no whole leverage from 1 up is allowed with ${usdt(margin)} USDT per position`
        : `; with ${usdt(margin)} USDT per position the highest allowed leverage is ${best}`;
    throw new UserError(reason + hint, { field });
  });
}

/** The largest whole leverage L with `margin × L` allowed at L, or null when not even 1 is. */
export function highestAllowedLeverage(table: BracketTable, margin: number): number | null {
  for (let L = Math.floor(table[0]!.maxLeverage); L >= 1; L--) {
    if (orderAllowed(table, margin * L, L)) return L;
  }
  return null;
}

const usdt = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 2 });

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function show(v: unknown): string {
  if (typeof v === 'number' || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

// ---- the CLI's strings ------------------------------------------------------------------------

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A plain decimal number (no hex, no empty string, no `Infinity`), else a UserError on `flag`. */
export function parseNumberFlag(text: string, flag: string): number {
  const t = String(text).trim();
  const x = NUMBER.test(t) ? Number(t) : NaN;
  if (!Number.isFinite(x)) throw new UserError(`expected a number, got '${text}'`, { field: flag });
  return x;
}

/** `1000` (USDT per position) or `10%` (of the run's equity at the decision bar). */
export function parseMarginPerPosition(text: string, flag = CLI_FLAGS.sizing): Sizing {
  const t = String(text).trim();
  if (t.endsWith('%')) {
    const pct = parseNumberFlag(t.slice(0, -1), flag);
    if (!(pct > 0 && pct <= 100)) {
      throw new UserError(`a share of equity must be above 0% and at most 100%, got '${text}'`, { field: flag });
    }
    return { kind: 'fraction', fraction: pct / 100 };
  }
  const amount = parseNumberFlag(t, flag);
  if (!(amount > 0)) throw new UserError(`the margin per position must be greater than 0 USDT, got '${text}'`, { field: flag });
  return { kind: 'fixed', amount };
}

/** `binance` or `threshold:X` with 0 < X < 1 (liquidated when losses reach X of the margin). */
export function parseLiquidation(text: string, flag = CLI_FLAGS.liquidation): LiquidationModel {
  const t = String(text).trim().toLowerCase();
  if (t === 'binance') return { kind: 'binance' };
  const m = /^threshold:(.*)$/.exec(t);
  if (!m) throw new UserError(`expected 'binance' or 'threshold:X' (0 < X < 1, e.g. threshold:0.9), got '${text}'`, { field: flag });
  const x = NUMBER.test(m[1]!.trim()) ? Number(m[1]) : NaN;
  if (!(x > 0 && x < 1)) {
    throw new UserError(`the threshold must lie strictly between 0 and 1 (e.g. threshold:0.9), got '${text}'`, { field: flag });
  }
  return { kind: 'threshold', x };
}

/** Slippage in basis points → a fraction of the open (1 bp = 0.0001); 0 ≤ bps < 10,000. */
export function parseSlippageBps(text: string, flag = CLI_FLAGS.slippage): number {
  const bps = parseNumberFlag(text, flag);
  if (!(bps >= 0 && bps < 10_000)) {
    throw new UserError(`slippage must be at least 0 and below 10000 bps, got '${text}'`, { field: flag });
  }
  return bps / 10_000;
}

/** Repeated `k=v` strategy parameters → a record of numbers; a key given twice is an error. */
export function parseParams(list: readonly string[], flag = CLI_FLAGS.params): Record<string, number> {
  const params: Record<string, number> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (!key) throw new UserError(`expected key=value such as fast=10, got '${item}'`, { field: flag });
    if (Object.hasOwn(params, key)) throw new UserError(`parameter '${key}' is given twice`, { field: flag });
    const value = item.slice(eq + 1).trim();
    const x = NUMBER.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(x)) throw new UserError(`parameter '${key}' must be a number, got '${value}'`, { field: flag });
    params[key] = x;
  }
  return params;
}

/** `isolated`, `cross` or `both` → the modes to run, isolated first. */
export function parseMarginModes(text: string, flag = CLI_FLAGS.marginMode): MarginMode[] {
  const t = String(text).trim().toLowerCase();
  if (t === 'isolated') return ['isolated'];
  if (t === 'cross') return ['cross'];
  if (t === 'both') return ['isolated', 'cross'];
  throw new UserError(`expected isolated, cross or both, got '${text}'`, { field: flag });
}

/** `BTCUSDT,ETHUSDT` → ['BTCUSDT', 'ETHUSDT'] (upper-cased, blanks dropped). */
export function parseSymbols(text: string, flag = CLI_FLAGS.symbols): string[] {
  const symbols = String(text)
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (symbols.length === 0) throw new UserError(`expected a comma-separated list such as BTCUSDT,ETHUSDT, got '${text}'`, { field: flag });
  const twice = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (twice) throw new UserError(`${twice} is listed twice`, { field: flag });
  return symbols;
}
