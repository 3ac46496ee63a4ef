// The run being simulated: its settings (read once from the descriptor), the account totals,
// and accessors for the per-symbol blocks and the position state in the scratch block. Module
// globals are WebAssembly globals, private to each instance, so nothing here touches memory
// that another worker could share.
import { P_PTRS, POS_FIELDS, S_BRACKETS, S_BRACKET_ROWS, SYM_FIELDS } from "../../src/engine/layout";

// Settings of the run.
export let nBars: i32 = 0;
export let nSym: i32 = 0;
export let isolated: bool = true;
/** Threshold model x, or −1 for the brackets. */
export let threshold: f64 = -1;
export let leverage: f64 = 1;
export let feeRate: f64 = 0;
export let slippage: f64 = 0;
export let liqFeeRate: f64 = 0;
export let records: bool = false;
export let timePtr: usize = 0;
export let symbolsPtr: usize = 0;
export let scratchPtr: usize = 0;

/** Every table has non-decreasing floors and 0 ≤ mmr < 1: bracket hints and the path bound hold. */
export let tablesSound: bool = false;
/** Σ over all tables of |MM jump| at each floor (0 for tables whose cum makes MM continuous). */
export let mmSlack: f64 = 0;
/** Some position has a queued target (P_PENDING not NaN): the next open has fills to make. */
export let anyPending: bool = false;
/**
 * quietBars read from the funding list the funding rate of the bar it opens (NaN: no event, or
 * a flat symbol, which pays none anyway): bar-open.ts settleFunding then takes `knownRate` instead
 * of reading the column (a cache miss), and clears `fundingKnown`. One-symbol runs only.
 */
export let fundingKnown: bool = false;
export let knownRate: f64 = NaN;
/** The bar's cross path was proved safe before its fills, and no order has filled since. */
export let pathSafeBar: bool = false;

// Per-run outputs of the bar loop, shared by its slow step (index.ts) and quiet stretch (quiet.ts).
export let exposedBars: f64 = 0;
export let maxMarginRatio: f64 = 0;
/** Record columns (records only). */
export let equityPtr: usize = 0;
export let ratioPtr: usize = 0;
/** Sizing: a fixed margin per position, else a fraction of equity. */
export let sizingFixed: bool = true;
export let size: f64 = 0;

// Account state and run totals.
/** The free wallet (isolated) or the cross wallet. */
export let wallet: f64 = 0;
export let ruined: bool = false;
export let group: f64 = 0;
export let totalFees: f64 = 0;
export let totalFunding: f64 = 0;
export let rejected: f64 = 0;
export let liquidations: f64 = 0;
export let liquidationLoss: f64 = 0;

// @ts-ignore: decorator
@inline export function barTime(t: i32): f64 {
  return load<f64>(timePtr + (<usize>t << 3));
}

/** A field of symbol i's block (a column pointer or a setting). */
// @ts-ignore: decorator
@inline export function sym(i: i32, field: i32): f64 {
  return load<f64>(symbolsPtr + (<usize>(i * SYM_FIELDS + field) << 3));
}

/** Where symbol i's cached copy of block field `field` lies (P_PTRS, written by cacheSymbol). */
// @ts-ignore: decorator
@inline function cached(i: i32, field: i32): usize {
  return scratchPtr + (<usize>(i * POS_FIELDS + P_PTRS + field) << 3);
}

/** Copies symbol i's block into its P_PTRS slots as u32 values (once per run). */
export function cacheSymbol(i: i32): void {
  for (let f: i32 = 0; f < SYM_FIELDS; f++) store<u32>(cached(i, f), <u32>sym(i, f));
}

/** Address of bar 0 of the column whose pointer is in field `field` of symbol i's block. */
// @ts-ignore: decorator
@inline export function colPtr(i: i32, field: i32): usize {
  return <usize>load<u32>(cached(i, field));
}

/** Value at bar t of the column whose pointer is in field `field` of symbol i's block. */
// @ts-ignore: decorator
@inline export function col(i: i32, field: i32, t: i32): f64 {
  return load<f64>(<usize>load<u32>(cached(i, field)) + (<usize>t << 3));
}

// @ts-ignore: decorator
@inline export function tablePtr(i: i32): usize {
  return <usize>load<u32>(cached(i, S_BRACKETS));
}

// @ts-ignore: decorator
@inline export function tableRows(i: i32): i32 {
  return load<i32>(cached(i, S_BRACKET_ROWS));
}

/** Position field of symbol i in the scratch block. */
// @ts-ignore: decorator
@inline export function pget(i: i32, field: i32): f64 {
  return load<f64>(scratchPtr + (<usize>(i * POS_FIELDS + field) << 3));
}

// @ts-ignore: decorator
@inline export function pset(i: i32, field: i32, x: f64): void {
  store<f64>(scratchPtr + (<usize>(i * POS_FIELDS + field) << 3), x);
}
