// Binance leverage brackets (SPEC §1, §2, §5): the one place bracket tables are defined, loaded
// and validated, plus maintenance margin and liquidation prices. assembly/brackets.ts is the
// kernel's twin of the arithmetic below: same formulas, same operation order, so the two agree
// bit for bit. Change both together.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lazySchema } from '../zod.js';
import { UserError } from '../errors.js';
import { BRACKET_FIELDS, BR_CAP, BR_CUM, BR_FLOOR, BR_MAXLEV, BR_MMR, MAX_BRACKETS } from './layout.js';

/** One tier: notional range [floor, cap), maintenance margin rate, max leverage, maintenance amount. */
export interface Bracket {
  floor: number;
  cap: number;
  mmr: number;
  maxLeverage: number;
  cum: number;
}
export type BracketTable = readonly Bracket[];

/** Path of the bundled tables; src/ and dist/ sit at the same depth, so this works from both. */
export const BUNDLED_BRACKETS_PATH = fileURLToPath(new URL('../../data/brackets.json', import.meta.url));

/** Relative tolerance of the cum identity (published tables round cum to whole USDT). */
const CUM_TOLERANCE = 1e-6;

const rowSchema = lazySchema((z) =>
  z.object({
    floor: z.number().finite().nonnegative(),
    cap: z.number().positive(),
    mmr: z.number().finite().nonnegative().lt(1),
    maxLeverage: z.number().finite().gte(1),
    cum: z.number().finite().nonnegative(),
  }),
);

/**
 * Checks a bracket table (zod shape, then SPEC §1 rules) and returns it frozen. Rules: at least
 * one row and at most MAX_BRACKETS, first floor 0, each floor equal to the previous cap, cap above
 * floor, strictly increasing mmr, cum_1 = 0 and cum_n = floor_n × (mmr_n − mmr_{n−1}) + cum_{n−1},
 * max leverage ≥ 1 and non-increasing. Errors name the file, the table, the 1-based row, the field.
 */
export function validateBracketTable(table: unknown, name: string, file?: string): BracketTable {
  const where = `bracket table '${name}'`;
  if (!Array.isArray(table)) {
    throw new UserError(`${where} must be an array of rows {floor, cap, mmr, maxLeverage, cum}`, { file });
  }
  if (table.length === 0) throw new UserError(`${where} has no rows`, { file });
  if (table.length > MAX_BRACKETS) {
    throw new UserError(`${where} has ${table.length} rows, more than the ${MAX_BRACKETS} the kernel holds`, { file });
  }
  const rows: Bracket[] = [];
  for (let i = 0; i < table.length; i++) {
    const parsed = rowSchema().safeParse(table[i]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length ? String(issue.path[0]) : undefined;
      throw new UserError(`${where}: ${issue.message}`, { file, row: i + 1, field });
    }
    rows.push(parsed.data);
  }
  const fail = (i: number, field: keyof Bracket, msg: string): never => {
    throw new UserError(`${where}: ${msg}`, { file, row: i + 1, field });
  };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.cap <= r.floor) fail(i, 'cap', `cap ${r.cap} must be above floor ${r.floor}`);
    if (i === 0) {
      if (r.floor !== 0) fail(i, 'floor', `the first floor must be 0, got ${r.floor}`);
      if (r.cum !== 0) fail(i, 'cum', `the first cum must be 0, got ${r.cum}`);
      continue;
    }
    const prev = rows[i - 1]!;
    if (r.floor !== prev.cap) {
      fail(i, 'floor', `floor ${r.floor} must equal the previous row's cap ${prev.cap} (tiers are contiguous)`);
    }
    if (!(r.mmr > prev.mmr)) fail(i, 'mmr', `mmr ${r.mmr} must be above the previous row's ${prev.mmr}`);
    if (r.maxLeverage > prev.maxLeverage) {
      fail(i, 'maxLeverage', `maxLeverage ${r.maxLeverage} must not exceed the previous row's ${prev.maxLeverage}`);
    }
    const expected = r.floor * (r.mmr - prev.mmr) + prev.cum;
    if (Math.abs(r.cum - expected) > CUM_TOLERANCE * Math.max(Math.abs(expected), 1)) {
      fail(i, 'cum', `cum ${r.cum} breaks cum_n = floor_n × (mmr_n − mmr_{n−1}) + cum_{n−1} = ${Number(expected.toPrecision(12))}`);
    }
  }
  return Object.freeze(rows.map((r) => Object.freeze(r)));
}

function validateTables(tables: unknown, file?: string): Record<string, BracketTable> {
  if (typeof tables !== 'object' || tables === null || Array.isArray(tables)) {
    throw new UserError('bracket tables must be an object {SYMBOL: rows}', { file });
  }
  const out: Record<string, BracketTable> = {};
  for (const [name, rows] of Object.entries(tables)) out[name] = validateBracketTable(rows, name, file);
  return out;
}

let bundled: Record<string, BracketTable> | null = null;

/** The bundled tables of data/brackets.json (BTCUSDT, ETHUSDT, BNBUSDT and the generic '*'). */
export function defaultBracketTables(): Record<string, BracketTable> {
  if (!bundled) {
    const json = JSON.parse(readFileSync(BUNDLED_BRACKETS_PATH, 'utf8')) as { tables: unknown };
    bundled = Object.freeze(validateTables(json.tables, BUNDLED_BRACKETS_PATH));
  }
  return bundled;
}

/**
 * A user's bracket file: the shape of data/brackets.json ({"tables": {SYMBOL: rows}}) or a bare
 * {SYMBOL: rows}. Only the file's own tables are returned; merge them over the defaults to
 * replace some symbols (`{...defaultBracketTables(), ...loadBracketFile(p)}`).
 */
export function loadBracketFile(path: string): Record<string, BracketTable> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the bracket file: ${(err as Error).message}`, { file: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`the bracket file is not valid JSON: ${(err as Error).message}`, { file: path });
  }
  const tables =
    typeof json === 'object' && json !== null && 'tables' in json ? (json as { tables: unknown }).tables : json;
  const out = validateTables(tables, path);
  if (Object.keys(out).length === 0) throw new UserError('the bracket file holds no table', { file: path });
  return out;
}

/**
 * A one-row table standing for a single bracket given by hand (e.g. Binance's FAQ, or `liq --mmr
 * --cum`): floor 0, no cap, so the line applies at every notional; maxLeverage NaN (unknown), so
 * orderAllowed is always false on it. Deliberately not validated: its cum is the real bracket's.
 */
export function singleBracketTable(mmr: number, cum: number): BracketTable {
  return Object.freeze([Object.freeze({ floor: 0, cap: Infinity, mmr, maxLeverage: NaN, cum })]);
}

/** The symbol's own table, else the generic '*' table. */
export function bracketTableFor(symbol: string, tables: Record<string, BracketTable> = defaultBracketTables()): BracketTable {
  const own = Object.hasOwn(tables, symbol) ? tables[symbol] : undefined;
  const table = own ?? (Object.hasOwn(tables, '*') ? tables['*'] : undefined);
  if (!table) throw new UserError(`no bracket table for ${symbol} and no generic '*' table`);
  return table;
}

/**
 * Index of the bracket of `notional`: floor ≤ N < cap, so a notional equal to a floor belongs to
 * the upper tier; beyond the last cap, the last bracket (for margin purposes it extends). Floors
 * strictly increase (validateBracketTable), so the walk stops at the first floor above N: most
 * notionals sit in the first tiers. The kernel's bracketIndexAt walks the same way.
 */
export function bracketIndex(table: BracketTable, notional: number): number {
  let k = 0;
  while (k + 1 < table.length && table[k + 1]!.floor <= notional) k++;
  return k;
}

/** MM = q × P × mmr_k − cum_k with k the bracket of q × P (continuous, piecewise linear in P). */
export function maintenanceMargin(table: BracketTable, qty: number, price: number): number {
  const notional = qty * price;
  const b = table[bracketIndex(table, notional)]!;
  return notional * b.mmr - b.cum;
}

/**
 * SPEC §2 leverage rule: the notional must lie in a bracket (at most the last cap) whose
 * maxLeverage ≥ L.
 */
export function orderAllowed(table: BracketTable, notional: number, leverage: number): boolean {
  if (!(notional <= table[table.length - 1]!.cap)) return false;
  return table[bracketIndex(table, notional)]!.maxLeverage >= leverage;
}

/** The root of bracket k's line: IW + s q (P − EP) = q P mmr_k − cum_k. */
function lineRoot(b: Bracket, side: 1 | -1, qty: number, entry: number, wallet: number): number {
  return side === 1
    ? (qty * entry - wallet - b.cum) / (qty * (1 - b.mmr))
    : (qty * entry + wallet + b.cum) / (qty * (1 + b.mmr));
}

/**
 * The isolated liquidation price and the bracket whose line gave it, or null when no P > 0
 * solves IW + s q (P − EP) = MM(P). The walk starts at the entry's bracket and moves toward the
 * root (a line whose root lies below its floor means the true root is lower, and above its cap,
 * higher, since the equation is monotone and MM continuous); a non-positive root from a high
 * bracket restarts the walk at the first. A change of direction only happens when rounding puts
 * the root on a floor within an ulp: both lines agree there, so the current root is kept.
 */
export function isolatedLiquidation(
  table: BracketTable,
  side: 1 | -1,
  qty: number,
  entry: number,
  wallet: number,
): { price: number; bracket: number } | null {
  const last = table.length - 1;
  let k = bracketIndex(table, qty * entry);
  let dir = 0;
  for (let guard = 0; guard <= 2 * table.length + 1; guard++) {
    const b = table[k]!;
    const p = lineRoot(b, side, qty, entry, wallet);
    if (!(p > 0)) {
      if (k === 0) return null;
      k = 0;
      dir = 0;
      continue;
    }
    const n = qty * p;
    let want = 0;
    if (n < b.floor) want = -1;
    else if (k < last && n >= b.cap) want = 1;
    if (want === 0 || (dir !== 0 && want !== dir)) return { price: p, bracket: k };
    dir = want;
    k += want;
  }
  return null;
}

/** SPEC §2 ISOLATED liquidation price, or null when none exists (see isolatedLiquidation). */
export function isolatedLiquidationPrice(
  table: BracketTable,
  side: 1 | -1,
  qty: number,
  entry: number,
  wallet: number,
): number | null {
  const r = isolatedLiquidation(table, side, qty, entry, wallet);
  return r ? r.price : null;
}

/** Where the margin balance IW + s q (P − EP) reaches 0; null when that price is not positive. */
export function bankruptcyPrice(side: 1 | -1, qty: number, entry: number, wallet: number): number | null {
  const p = (qty * entry - side * wallet) / qty;
  return p > 0 ? p : null;
}

/** Another position of a cross account, at its current mark. */
export interface CrossOther {
  table: BracketTable;
  side: 1 | -1;
  qty: number;
  entry: number;
  mark: number;
}

/** TMM1 and UPNL1 of SPEC §2 CROSS: maintenance margin and unrealized PnL of the other positions. */
export function crossOthersMarginAndPnl(others: readonly CrossOther[]): { tmm: number; upnl: number } {
  let tmm = 0;
  let upnl = 0;
  for (const o of others) {
    tmm += maintenanceMargin(o.table, o.qty, o.mark);
    upnl += o.side * o.qty * (o.mark - o.entry);
  }
  return { tmm, upnl };
}

/** The wallet the single-position cross solution uses: CW − TMM1 + UPNL1. */
export function crossEffectiveWallet(crossWallet: number, others: readonly CrossOther[]): number {
  const { tmm, upnl } = crossOthersMarginAndPnl(others);
  return crossWallet - tmm + upnl;
}

/**
 * SPEC §2 single-position cross liquidation price (a display figure): the isolated solution with
 * IW = CW − TMM1 + UPNL1, the others held at their current marks.
 */
export function crossLiquidationPrice(
  table: BracketTable,
  side: 1 | -1,
  qty: number,
  entry: number,
  crossWallet: number,
  others: readonly CrossOther[],
): number | null {
  return isolatedLiquidationPrice(table, side, qty, entry, crossEffectiveWallet(crossWallet, others));
}

/**
 * Cross bankruptcy price: where the account's margin balance CW + UPNL1 + s q (P − EP) reaches 0
 * (maintenance margin plays no part at bankruptcy).
 */
export function crossBankruptcyPrice(
  side: 1 | -1,
  qty: number,
  entry: number,
  crossWallet: number,
  others: readonly CrossOther[],
): number | null {
  return bankruptcyPrice(side, qty, entry, crossWallet + crossOthersMarginAndPnl(others).upnl);
}

/**
 * Writes the table in kernel layout at `out[offset…]`: MAX_BRACKETS rows of BRACKET_FIELDS f64
 * (BR_FLOOR…BR_CUM), unused rows zero. The row count travels separately.
 */
export function packBracketTable(table: BracketTable, out: Float64Array, offset: number): void {
  if (table.length > MAX_BRACKETS) {
    throw new Error(`a bracket table holds at most ${MAX_BRACKETS} rows, got ${table.length}`);
  }
  out.fill(0, offset, offset + MAX_BRACKETS * BRACKET_FIELDS);
  for (let i = 0; i < table.length; i++) {
    const b = table[i]!;
    const at = offset + i * BRACKET_FIELDS;
    out[at + BR_FLOOR] = b.floor;
    out[at + BR_CAP] = b.cap;
    out[at + BR_MMR] = b.mmr;
    out[at + BR_MAXLEV] = b.maxLeverage;
    out[at + BR_CUM] = b.cum;
  }
}
