// The host side of the WASM margin engine (assembly/engine/): lays out a dataset in kernel
// memory once, then runs any number of backtests on it, writing per run only the descriptor,
// the targets and the bracket tables. Addresses and slots come from src/engine/layout.ts.
import type { Candles } from '../data/schema.js';
import { packBracketTable } from './brackets.js';
import {
  BATCH_FIXED_SLOTS,
  BATCH_LIST_ENTRIES,
  BATCH_MAX_SETS,
  BATCH_MAX_WINDOWS,
  BATCH_BLOCKS,
  BATCH_ROW,
  BRACKET_FIELDS,
  D_ANN,
  D_BALANCE,
  D_EQUITY_PTR,
  D_FEE_RATE,
  D_LEVERAGE,
  D_LIQ_COUNT,
  D_LIQ_FEE_RATE,
  D_LIQS_CAP,
  D_LIQS_PTR,
  D_METRICS,
  D_MODE,
  D_N_BARS,
  D_N_SYMBOLS,
  D_RATIO_PTR,
  D_RECORDS,
  D_SCRATCH_PTR,
  D_SIZE,
  D_SIZING,
  D_SLIPPAGE,
  D_SYMBOLS_PTR,
  D_THRESHOLD,
  D_TIME_PTR,
  D_TRADE_COUNT,
  D_TRADES_CAP,
  D_TRADES_PTR,
  DESC_SLOTS,
  F64,
  L_GROUP,
  L_LOSS,
  L_PROXY,
  L_SIDE,
  L_SYMBOL,
  L_TIME,
  L_TRIGGER,
  L_WHERE,
  LIQ_FIELDS,
  M_ANNUALIZED_RETURN,
  M_CALMAR,
  M_EXPECTANCY,
  M_EXPOSURE,
  M_FEES,
  M_FINAL_EQUITY,
  M_FUNDING,
  M_LIQUIDATION_LOSS,
  M_LIQUIDATIONS,
  M_MAX_DRAWDOWN,
  M_MAX_MARGIN_RATIO,
  M_PROFIT_FACTOR,
  M_REJECTED_ORDERS,
  M_RUINED,
  M_SHARPE,
  M_SORTINO,
  M_TOTAL_RETURN,
  M_TRADES,
  M_VOLATILITY,
  M_WIN_RATE,
  MAX_BRACKETS,
  MAX_PAGES,
  MODE_CROSS,
  MODE_ISOLATED,
  PAGE,
  POS_FIELDS,
  REASON_END,
  REASON_LIQUIDATION,
  MOMENT_BLOCK_F64,
  QUIET_BLOCK_SHIFT,
  S_BLOCK_HIGH,
  S_BLOCK_CLOSE_HIGH,
  S_BLOCK_CLOSE_LOW,
  S_BLOCK_LOW,
  S_MOMENTS,
  S_CHANGE_COUNT,
  S_CHANGES,
  S_BRACKET_ROWS,
  S_BRACKETS,
  S_FUNDING_BARS,
  S_FUNDING_RATES,
  S_FUNDING,
  S_MARK_CLOSE,
  S_MARK_HIGH,
  S_MARK_LOW,
  S_MARK_OPEN,
  S_OPEN,
  S_PROXY,
  S_TARGETS,
  SIZING_FIXED,
  SIZING_FRACTION,
  SYM_FIELDS,
  T_ENTRY_PRICE,
  T_ENTRY_TIME,
  T_EXIT_PRICE,
  T_EXIT_TIME,
  T_FEES,
  T_FUNDING,
  T_PNL,
  T_QTY,
  T_REASON,
  T_SIDE,
  T_SYMBOL,
  TRADE_FIELDS,
  WHERE_OPEN,
} from './layout.js';
import {
  METRIC_NAMES,
  type BacktestResult,
  type ExitReason,
  type LiquidationRecord,
  type Metrics,
  type RunSpec,
  type TradeRecord,
} from './types.js';
import { createMemory, instantiateKernel, type KernelInstance } from './wasm.js';
import { STRATEGIES, resolveParams, type StrategyName } from '../strategies/index.js';

const YEAR_MS = 365 * 86_400_000;

/** Metric name → slot after D_METRICS; `nullable` metrics come back as NaN when undefined. */
const METRIC_SLOTS: Record<keyof Metrics, { slot: number; nullable: boolean }> = {
  finalEquity: { slot: M_FINAL_EQUITY, nullable: false },
  totalReturn: { slot: M_TOTAL_RETURN, nullable: false },
  annualizedReturn: { slot: M_ANNUALIZED_RETURN, nullable: true },
  volatility: { slot: M_VOLATILITY, nullable: true },
  sharpe: { slot: M_SHARPE, nullable: true },
  sortino: { slot: M_SORTINO, nullable: true },
  maxDrawdown: { slot: M_MAX_DRAWDOWN, nullable: false },
  calmar: { slot: M_CALMAR, nullable: true },
  trades: { slot: M_TRADES, nullable: false },
  winRate: { slot: M_WIN_RATE, nullable: true },
  profitFactor: { slot: M_PROFIT_FACTOR, nullable: true },
  expectancy: { slot: M_EXPECTANCY, nullable: true },
  exposure: { slot: M_EXPOSURE, nullable: false },
  liquidations: { slot: M_LIQUIDATIONS, nullable: false },
  liquidationLoss: { slot: M_LIQUIDATION_LOSS, nullable: false },
  fees: { slot: M_FEES, nullable: false },
  funding: { slot: M_FUNDING, nullable: false },
  rejectedOrders: { slot: M_REJECTED_ORDERS, nullable: false },
  maxMarginRatio: { slot: M_MAX_MARGIN_RATIO, nullable: false },
  ruined: { slot: M_RUINED, nullable: false },
};

/** METRIC_SLOTS in METRIC_NAMES order (runMetricsInto's rows). */
const METRIC_ROW_SLOTS = METRIC_NAMES.map((name) => METRIC_SLOTS[name].slot);
const METRIC_ROW_NULLABLE = METRIC_NAMES.map((name) => METRIC_SLOTS[name].nullable);

/** Reads the metrics of a finished run from the descriptor's output slots (a ratio that is not finite → null). */
export function readMetrics(mem: Float64Array, descSlot: number): Metrics {
  const out: Record<string, number | boolean | null> = {};
  for (const [name, { slot, nullable }] of Object.entries(METRIC_SLOTS)) {
    const x = mem[descSlot + D_METRICS + slot]!;
    out[name] = nullable && !Number.isFinite(x) ? null : x;
  }
  out.ruined = out.ruined === 1;
  return out as unknown as Metrics;
}

const REASONS: ExitReason[] = [];
REASONS[0] = 'signal';
REASONS[REASON_LIQUIDATION] = 'liquidation';
REASONS[REASON_END] = 'end';

const TABLE_SLOTS = MAX_BRACKETS * BRACKET_FIELDS;
const BATCH_SLICE_BARS = 8_192;

/**
 * Where one dataset symbol's columns live (f64 slot indices; funding −1: not in the data). Only
 * what the engine reads is copied: the last-price open (fills) and the candle that drives margin
 * (the mark, else the last price, then the mark slots point at the last-price columns).
 */
interface SymbolColumns {
  name: string;
  open: number;
  markOpen: number;
  markHigh: number;
  markLow: number;
  markClose: number;
  funding: number;
  /** The i32 list of funding bars (byte offset = slot × 8), their rates, and the per-block extremes (layout.ts S_FUNDING_BARS, S_FUNDING_RATES, S_BLOCK_*). */
  fundingBars: number;
  fundingRates: number;
  /** Bars with a funding event (the lists' length before their sentinel). */
  fundingEvents: number;
  blockLow: number;
  blockHigh: number;
  blockCloseLow: number;
  blockCloseHigh: number;
  /** The table of return moments (assembly/engine/fill.ts; sweep sessions only, else −1). */
  moments: number;
  /** Last-price close, high and low for the kernel's strategies (sweep sessions only, else −1): the mark slots when there is no mark. */
  close: number;
  high: number;
  low: number;
}

export interface KernelSessionOptions {
  /**
   * Trade and liquidation records reserved at first for a run with `records` (default: the
   * bound bars × symbols, at most 65,536). A run that produces more grows the buffers and runs
   * again, so no record is ever lost.
   */
  maxRecords?: number;
  /**
   * One dataset for several threads (sweeps): sessions on the same shared `memory` lay the candle
   * columns at the same addresses; the one with `fill` copies them in, the others only read them.
   * Each session runs in its own area above the columns (`area` 0, 1, …, distinct per thread).
   * Such sessions produce metrics only (no records).
   */
  shared?: { memory: WebAssembly.Memory; area: number; fill: boolean };
  /**
   * Reserve the sma-cross batch region (layout.ts BATCH_*) in the run area, for smaCrossBatch
   * (sweeps). Every session on one shared memory must agree on it.
   */
  batch?: boolean;
  /**
   * Keep last-price close, high and low columns for computeTargets (with mark prices they are
   * columns of their own; without, the mark slots). Default: `batch`. Every session on one
   * shared memory must agree on it.
   */
  strategyColumns?: boolean;
  /**
   * Keep the table of return moments (assembly/engine/fill.ts) that lets metrics-only isolated runs sum their
   * returns by blocks. Default: `batch`. Every session on one shared memory must agree on it.
   */
  moments?: boolean;
  /**
   * The compiled kernel to run (default: build/kernel.wasm's). bench/ab-kernel.ts runs two builds
   * side by side in one process, the steadiest comparison on a shared machine.
   */
  module?: WebAssembly.Module;
}

/** Where a session's sma-cross batch region lies (f64 slot indices; the i32 parts as byte offsets). */
interface BatchRegion {
  windows: number;
  fast: number;
  slow: number;
  counts: number;
  sums: number;
  rows: number;
  extremes: number;
  state: number;
  list: number;
}

/**
 * One dataset in one kernel instance: the candle columns are copied in once, and `run` executes
 * any number of backtests on them. Memory is sized once for metrics-only runs; the record
 * buffers are added (by growing the memory) the first time a run asks for records.
 */
export class KernelSession {
  readonly candles: Candles;
  private readonly kernel: KernelInstance;
  private readonly nBars: number;
  private readonly columns: SymbolColumns[];
  private readonly timeSlot: number;
  // run area, in f64 slots
  private readonly descSlot: number;
  private readonly symbolsSlot: number;
  private readonly tablesSlot: number;
  private readonly scratchSlot: number;
  private readonly targetsSlot: number;
  private readonly recordsSlot: number;
  private readonly batch: BatchRegion | null;
  /** Per-set capacity of the change list in the last smaCrossBatch call. */
  private batchCap = 0;
  /** Per run symbol: the change list that stands for its targets (useSmaCrossChanges, expandSmaCross). */
  private changes: ({ at: number; count: number } | undefined)[] = [];
  /** Where the last run's records lie, when it kept them. */
  private lastRecords: {
    symbols: string[];
    equitySlot: number;
    ratioSlot: number;
    tradesSlot: number;
    liqsSlot: number;
    nTrades: number;
    nLiqs: number;
  } | null = null;
  private readonly initialRecordCap: number;
  private recordCap: number;
  private readonly shared: boolean;
  private view: Float64Array;

  constructor(candles: Candles, opts: KernelSessionOptions = {}) {
    this.candles = candles;
    const nBars = candles.time.length;
    this.nBars = nBars;
    const nData = candles.symbols.length;
    this.kernel = instantiateKernel(opts.shared?.memory ?? createMemory(PAGE), opts.module);
    this.shared = opts.shared !== undefined;
    // Slots index a Float64Array over the whole memory, so the layout starts 8-aligned.
    let slot = Math.ceil(this.kernel.heapBase / F64);
    const take = (n: number): number => {
      const at = slot;
      slot += n;
      return at;
    };
    const nBlocks = Math.ceil(nBars / (1 << QUIET_BLOCK_SHIFT));
    this.timeSlot = take(nBars);
    this.columns = candles.symbols.map((s) => {
      const open = take(nBars);
      const markOpen = s.mark ? take(nBars) : open;
      const markHigh = take(nBars);
      const markLow = take(nBars);
      const markClose = take(nBars);
      const funding = s.fundingRate ? take(nBars) : -1;
      const fundingEvents = fundingCount(s.fundingRate);
      const fundingBars = take(Math.ceil((fundingEvents + 1) / 2));
      const fundingRates = take(fundingEvents + 1);
      const blockLow = take(nBlocks);
      const blockHigh = take(nBlocks);
      const blockCloseLow = take(nBlocks);
      const blockCloseHigh = take(nBlocks);
      const moments = (opts.moments ?? opts.batch === true) ? take(momentSlots(nBars)) : -1;
      const strategy = opts.strategyColumns ?? opts.batch === true;
      const close = !strategy ? -1 : s.mark ? take(nBars) : markClose;
      const high = !strategy ? -1 : s.mark ? take(nBars) : markHigh;
      const low = !strategy ? -1 : s.mark ? take(nBars) : markLow;
      return {
        name: s.symbol,
        open,
        markOpen,
        markHigh,
        markLow,
        markClose,
        funding,
        fundingEvents,
        fundingBars,
        fundingRates,
        blockLow,
        blockHigh,
        blockCloseLow,
        blockCloseHigh,
        moments,
        close,
        high,
        low,
      };
    });
    const batchSlots = opts.batch ? BATCH_FIXED_SLOTS : 0;
    const areaSlots = DESC_SLOTS + nData * (SYM_FIELDS + TABLE_SLOTS + POS_FIELDS + nBars) + batchSlots;
    if (opts.shared) take(opts.shared.area * areaSlots);
    this.descSlot = take(DESC_SLOTS);
    this.symbolsSlot = take(nData * SYM_FIELDS);
    this.tablesSlot = take(nData * TABLE_SLOTS);
    this.scratchSlot = take(nData * POS_FIELDS);
    this.targetsSlot = take(nData * nBars);
    this.batch = opts.batch ? batchRegion(take(batchSlots)) : null;
    this.recordsSlot = slot;
    this.recordCap = 0;
    this.initialRecordCap = Math.max(1, Math.min(opts.maxRecords ?? 65_536, nBars * nData));

    this.view = this.grown(slot * F64);
    const v = this.view;
    if (opts.shared && !opts.shared.fill) return;
    v.set(candles.time, this.timeSlot);
    candles.symbols.forEach((s, i) => {
      const c = this.columns[i]!;
      const mp = s.mark ?? s;
      v.set(s.open, c.open);
      if (s.mark) v.set(s.mark.open, c.markOpen);
      v.set(mp.high, c.markHigh);
      v.set(mp.low, c.markLow);
      v.set(mp.close, c.markClose);
      if (s.mark && c.close >= 0) {
        v.set(s.close, c.close);
        v.set(s.high, c.high);
        v.set(s.low, c.low);
      }
      if (s.fundingRate) v.set(s.fundingRate, c.funding);
      // the derived columns, by the kernel (assembly/engine/fill.ts)
      const k = this.kernel.exports;
      k.fillFundingList(c.funding < 0 ? 0 : c.funding * F64, nBars, c.fundingBars * F64, c.fundingRates * F64);
      k.fillBlockExtremes(
        c.markOpen * F64,
        c.markHigh * F64,
        c.markLow * F64,
        c.markClose * F64,
        nBars,
        c.blockLow * F64,
        c.blockHigh * F64,
        c.blockCloseLow * F64,
        c.blockCloseHigh * F64,
      );
      if (c.moments >= 0) k.fillMoments(c.markClose * F64, nBars, c.moments * F64);
    });
  }

  /** Record slots for `cap` trades and `cap` liquidations plus the equity columns. */
  private recordSlots(cap: number): number {
    return 2 * this.nBars + cap * (TRADE_FIELDS + LIQ_FIELDS);
  }

  private ensureRecords(cap: number): void {
    if (cap <= this.recordCap) return;
    this.view = this.grown((this.recordsSlot + this.recordSlots(cap)) * F64);
    this.recordCap = cap;
  }

  /** A view of the whole memory after growing it to at least `bytes` (views of shared memory keep their old length). */
  private grown(bytes: number): Float64Array {
    const memory = this.kernel.memory;
    const have = memory.buffer.byteLength;
    if (bytes > have) {
      const pages = Math.ceil((bytes - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new Error(`the kernel needs ${bytes} bytes, above the 4 GiB WASM limit`);
      memory.grow(pages);
    }
    return new Float64Array(memory.buffer);
  }

  /**
   * Runs one backtest and leaves its records (with `records`) in kernel memory until the next run:
   * the metrics and the record counts, without building JS objects (`records()` reads them). This
   * is `run` for callers that need only the metrics, or read the records later.
   */
  runInMemory(spec: RunSpec, targets: Float64Array[] | null, columns?: number[]): { metrics: Metrics; trades: number; liquidations: number } {
    const cols = this.checkRun(spec, targets, columns);
    if (spec.records && this.shared) throw new Error('runKernel: a session on shared memory produces metrics only');
    if (spec.records) this.ensureRecords(this.initialRecordCap);
    for (;;) {
      const cap = spec.records ? this.recordCap : 0;
      const slots = this.runEngine(spec, targets, cols, cap);
      const v = this.view;
      const d = this.descSlot;
      const metrics = readMetrics(v, d);
      const nTrades = spec.records ? v[d + D_TRADE_COUNT]! : 0;
      const nLiqs = spec.records ? v[d + D_LIQ_COUNT]! : 0;
      if (nTrades > cap || nLiqs > cap) {
        this.ensureRecords(Math.max(nTrades, nLiqs));
        continue;
      }
      this.lastRecords = spec.records ? { symbols: spec.symbols, ...slots, nTrades, nLiqs } : null;
      return { metrics, trades: nTrades, liquidations: nLiqs };
    }
  }

  /**
   * Runs one metrics-only backtest (`spec.records` must be false) and writes its metrics as row
   * `at` of `out`, in METRIC_NAMES order (a null metric is NaN, `ruined` 0 or 1): a sweep's path,
   * which builds no JS object per run.
   */
  runMetricsInto(spec: RunSpec, targets: Float64Array[] | null, columns: number[], out: Float64Array, at: number): void {
    if (spec.records) throw new Error('runMetricsInto: a run with records goes through run()');
    this.runEngine(spec, targets, this.checkRun(spec, targets, columns), 0);
    const v = this.view;
    const base = this.descSlot + D_METRICS;
    for (let k = 0; k < METRIC_ROW_SLOTS.length; k++) {
      const x = v[base + METRIC_ROW_SLOTS[k]!]!;
      out[at + k] = METRIC_ROW_NULLABLE[k] && !Number.isFinite(x) ? NaN : x;
    }
  }

  /** The run's dataset columns, after checking that its symbols, targets and tables agree. */
  private checkRun(spec: RunSpec, targets: Float64Array[] | null, columns?: number[]): number[] {
    const nSym = spec.symbols.length;
    const cols = columns ?? spec.symbols.map((name) => this.columnOf(name));
    if (cols.length !== nSym || (targets !== null && targets.length !== nSym) || spec.brackets.length !== nSym) {
      throw new Error(`runKernel: ${nSym} symbols need as many columns, target series and bracket tables`);
    }
    // The run area holds one block per dataset symbol.
    if (nSym > this.columns.length) throw new Error(`runKernel: ${nSym} symbols on a dataset of ${this.columns.length}`);
    return cols;
  }

  /**
   * Writes the run descriptor and the symbols' blocks, and runs the engine with room for `cap`
   * trades and liquidations; returns where their records go.
   */
  private runEngine(
    spec: RunSpec,
    targets: Float64Array[] | null,
    cols: number[],
    cap: number,
  ): { equitySlot: number; ratioSlot: number; tradesSlot: number; liqsSlot: number } {
    const nSym = spec.symbols.length;
    const nBars = this.nBars;
    const v = this.view;
    const d = this.descSlot;
    v.fill(0, d, d + DESC_SLOTS);
    v[d + D_N_BARS] = nBars;
    v[d + D_N_SYMBOLS] = nSym;
    v[d + D_MODE] = spec.marginMode === 'isolated' ? MODE_ISOLATED : MODE_CROSS;
    v[d + D_THRESHOLD] = spec.liquidation.kind === 'threshold' ? spec.liquidation.x : -1;
    v[d + D_LEVERAGE] = spec.leverage;
    v[d + D_BALANCE] = spec.balance;
    v[d + D_SIZING] = spec.sizing.kind === 'fixed' ? SIZING_FIXED : SIZING_FRACTION;
    v[d + D_SIZE] = spec.sizing.kind === 'fixed' ? spec.sizing.amount : spec.sizing.fraction;
    v[d + D_FEE_RATE] = spec.feeRate;
    v[d + D_SLIPPAGE] = spec.slippage;
    v[d + D_LIQ_FEE_RATE] = spec.liquidationFeeRate;
    v[d + D_ANN] = this.candles.intervalMs ? YEAR_MS / this.candles.intervalMs : 1;
    v[d + D_RECORDS] = spec.records ? 1 : 0;
    v[d + D_TIME_PTR] = this.timeSlot * F64;
    v[d + D_SYMBOLS_PTR] = this.symbolsSlot * F64;
    v[d + D_SCRATCH_PTR] = this.scratchSlot * F64;
    const equitySlot = this.recordsSlot;
    const ratioSlot = equitySlot + nBars;
    const tradesSlot = ratioSlot + nBars;
    const liqsSlot = tradesSlot + cap * TRADE_FIELDS;
    if (spec.records) {
      v[d + D_EQUITY_PTR] = equitySlot * F64;
      v[d + D_RATIO_PTR] = ratioSlot * F64;
      v[d + D_TRADES_PTR] = tradesSlot * F64;
      v[d + D_TRADES_CAP] = cap;
      v[d + D_LIQS_PTR] = liqsSlot * F64;
      v[d + D_LIQS_CAP] = cap;
    }
    for (let i = 0; i < nSym; i++) {
      const c = this.columns[cols[i]!];
      if (!c) throw new Error(`runKernel: no dataset column ${cols[i]}`);
      const s = this.symbolsSlot + i * SYM_FIELDS;
      const table = this.tablesSlot + i * TABLE_SLOTS;
      const tg = this.targetsSlot + i * nBars;
      if (targets !== null) {
        const series = targets[i]!;
        if (series.length !== nBars) {
          throw new Error(`runKernel: ${series.length} targets for ${spec.symbols[i]}, the data has ${nBars} bars`);
        }
        v.set(series, tg);
        this.changes[i] = undefined;
      }
      packBracketTable(spec.brackets[i]!, v, table);
      v[s + S_OPEN] = c.open * F64;
      v[s + S_MARK_OPEN] = c.markOpen * F64;
      v[s + S_MARK_HIGH] = c.markHigh * F64;
      v[s + S_MARK_LOW] = c.markLow * F64;
      v[s + S_MARK_CLOSE] = c.markClose * F64;
      v[s + S_FUNDING] = c.funding < 0 ? 0 : c.funding * F64;
      v[s + S_PROXY] = c.markOpen === c.open ? 1 : 0;
      v[s + S_TARGETS] = tg * F64;
      v[s + S_BRACKETS] = table * F64;
      v[s + S_BRACKET_ROWS] = spec.brackets[i]!.length;
      v[s + S_FUNDING_BARS] = c.fundingBars * F64;
      v[s + S_FUNDING_RATES] = c.fundingRates * F64;
      v[s + S_BLOCK_LOW] = c.blockLow * F64;
      v[s + S_BLOCK_HIGH] = c.blockHigh * F64;
      v[s + S_BLOCK_CLOSE_LOW] = c.blockCloseLow * F64;
      v[s + S_BLOCK_CLOSE_HIGH] = c.blockCloseHigh * F64;
      v[s + S_MOMENTS] = c.moments < 0 ? 0 : c.moments * F64;
      // a change list stands for the targets in place, never for the caller's
      const changes = targets === null ? this.changes[i] : undefined;
      v[s + S_CHANGES] = changes ? changes.at : 0;
      v[s + S_CHANGE_COUNT] = changes ? changes.count : 0;
    }
    this.kernel.exports.runEngine(d * F64);
    return { equitySlot, ratioSlot, tradesSlot, liqsSlot };
  }

  /**
   * Runs one backtest. `targets[i]` holds one weight per bar for `spec.symbols[i]` (NaN: no new
   * target); `null`: they are in place already (targetsView, expandSmaCross, useSmaCrossChanges).
   * `columns[i]` is the dataset symbol index of `spec.symbols[i]` (default: by name).
   */
  run(spec: RunSpec, targets: Float64Array[] | null, columns?: number[]): BacktestResult {
    const { metrics } = this.runInMemory(spec, targets, columns);
    return spec.records ? { metrics, ...this.records() } : { metrics };
  }

  /**
   * The records of the last run with `records`, read out of kernel memory into JS objects (the
   * equity columns are copies; `time` is the dataset's own column, not to be modified).
   */
  records(): Required<Omit<BacktestResult, 'metrics'>> {
    const r = this.lastRecords;
    if (!r) throw new Error('records: the last run kept no records');
    const v = this.view;
    const nBars = this.nBars;
    return {
      equity: {
        time: this.candles.time,
        equity: v.slice(r.equitySlot, r.equitySlot + nBars),
        marginRatio: v.slice(r.ratioSlot, r.ratioSlot + nBars),
      },
      trades: readTrades(v, r.tradesSlot, r.nTrades, r.symbols),
      liquidations: readLiquidations(v, r.liqsSlot, r.nLiqs, r.symbols),
    };
  }

  /**
   * Computes a single-symbol strategy's targets in the kernel (assembly/strategies, the twins of
   * src/strategies, same bits) from dataset symbol `column`'s candles into run symbol i's targets
   * column, for a run with `targets` null. Sweep sessions (option batch) only; false for the
   * strategies the kernel does not compute from candles (pair, signals).
   */
  computeTargets(name: StrategyName, params: Record<string, number>, i: number, column: number): boolean {
    const c = this.columns[column]!;
    const def = STRATEGIES[name];
    if (c.close < 0 || !computedInKernel(name)) return false;
    const resolved = resolveParams(name, params);
    const p = def.params.map((d) => resolved[d.name]!);
    this.changes[i] = undefined;
    this.kernel.exports.computeSingle(
      def.id,
      p[0] ?? 0,
      p[1] ?? 0,
      p[2] ?? 0,
      this.nBars,
      c.close * F64,
      c.high * F64,
      c.low * F64,
      (this.targetsSlot + i * this.nBars) * F64,
    );
    return true;
  }

  /** The kernel's own targets column of run symbol i: write into it and run with `targets` null. */
  targetsView(i: number): Float64Array {
    this.changes[i] = undefined; // the caller may write anything there
    const at = this.targetsSlot + i * this.nBars;
    return this.view.subarray(at, at + this.nBars);
  }

  /**
   * sma-cross targets for many sets on dataset symbol `column`'s last-price close (the strategy
   * columns), sharing each window's average (assembly/strategies/sma-batch.ts). `windows` are the
   * distinct lengths (≤ BATCH_MAX_WINDOWS), `fast[k]`/`slow[k]` index them for set k
   * (≤ BATCH_MAX_SETS sets). Returns each set's number of target changes; useSmaCrossChanges or
   * expandSmaCross then hand a set's targets to a run.
   */
  smaCrossBatch(column: number, windows: Int32Array, fast: Int32Array, slow: Int32Array): Int32Array {
    const b = this.batch;
    const close = this.columns[column]?.close ?? -1;
    if (!b || close < 0) throw new Error('smaCrossBatch: the session has no batch region and strategy columns (option batch)');
    const nSets = fast.length;
    if (windows.length > BATCH_MAX_WINDOWS || nSets > BATCH_MAX_SETS || slow.length !== nSets) {
      throw new Error(`smaCrossBatch: ${windows.length} windows and ${nSets} sets (at most ${BATCH_MAX_WINDOWS} and ${BATCH_MAX_SETS})`);
    }
    const v = this.view;
    const i32 = new Int32Array(v.buffer);
    i32.set(windows, b.windows / 4);
    i32.set(fast, b.fast / 4);
    i32.set(slow, b.slow / 4);
    this.batchCap = Math.floor(BATCH_LIST_ENTRIES / Math.max(1, nSets));
    // slices of bars: between calls V8 swaps its baseline code for optimised code
    for (let from = 0; from < this.nBars; from += BATCH_SLICE_BARS) {
      this.kernel.exports.smaCrossBatch(
        close * F64,
        b.windows,
        windows.length,
        b.fast,
        b.slow,
        nSets,
        b.sums * F64,
        b.rows * F64,
        b.extremes * F64,
        b.state * F64,
        b.counts,
        b.list,
        this.batchCap,
        from,
        Math.min(this.nBars, from + BATCH_SLICE_BARS),
      );
    }
    return i32.slice(b.counts / 4, b.counts / 4 + nSets);
  }

  /**
   * Gives run symbol i set k's changes of the last smaCrossBatch as its targets: the kernel reads
   * them from the list, so the dense column is not written (run with `targets` null). False when
   * the changes did not fit the list.
   */
  useSmaCrossChanges(k: number, count: number, i: number): boolean {
    const b = this.batch;
    if (!b || count > this.batchCap) return false;
    this.changes[i] = { at: b.list + k * this.batchCap * 4, count };
    return true;
  }

  /**
   * Writes set k's targets of the last smaCrossBatch into run symbol i's column (what
   * targetsView shows), and gives the run its changes too; false when they did not fit the list.
   */
  expandSmaCross(k: number, count: number, i: number): boolean {
    if (!this.useSmaCrossChanges(k, count, i)) return false;
    this.kernel.exports.smaCrossExpand(this.changes[i]!.at, count, this.nBars, (this.targetsSlot + i * this.nBars) * F64);
    return true;
  }

  private columnOf(name: string): number {
    const i = this.columns.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`runKernel: symbol ${name} is not in the dataset`);
    return i;
  }
}

/** f64 slots of the table of return moments (layout.ts MOMENT_*) for `nBars` bars. */
function momentSlots(nBars: number): number {
  return Math.ceil(nBars / (1 << QUIET_BLOCK_SHIFT)) * MOMENT_BLOCK_F64;
}

/** Bars with a funding event. */
function fundingCount(funding: Float64Array | null | undefined): number {
  let n = 0;
  // (an indexed loop: for…of over a typed array is ~10× slower before the JIT warms up)
  if (funding) for (let t = 0; t < funding.length; t++) if (!Number.isNaN(funding[t]!)) n++;
  return n;
}

/** Whether KernelSession.computeTargets computes a strategy from candles: all but pair and signals (assembly/strategies/index.ts computeSingle). */
export function computedInKernel(name: StrategyName): boolean {
  return name !== 'pair' && name !== 'signals';
}

/** Lays out the batch region from f64 slot `at` (i32 parts as byte offsets). */
function batchRegion(at: number): BatchRegion {
  const bytes = at * F64;
  const windows = bytes;
  const fast = windows + BATCH_MAX_WINDOWS * 4;
  const slow = fast + BATCH_MAX_SETS * 4;
  const counts = slow + BATCH_MAX_SETS * 4;
  const sums = (counts + BATCH_MAX_SETS * 4) / F64;
  const rows = sums + BATCH_MAX_WINDOWS;
  const extremes = rows + BATCH_MAX_WINDOWS * BATCH_ROW;
  const state = extremes + BATCH_MAX_WINDOWS * 2 * BATCH_BLOCKS;
  const list = (state + BATCH_MAX_SETS) * F64;
  if (list / F64 + BATCH_LIST_ENTRIES / 2 !== at + BATCH_FIXED_SLOTS) throw new Error('batchRegion: layout.ts BATCH_FIXED_SLOTS is out of date');
  return { windows, fast, slow, counts, sums, rows, extremes, state, list };
}

function readTrades(v: Float64Array, at: number, n: number, symbols: string[]): TradeRecord[] {
  const out: TradeRecord[] = [];
  for (let k = 0; k < n; k++) {
    const r = at + k * TRADE_FIELDS;
    out.push({
      symbol: symbols[v[r + T_SYMBOL]!]!,
      side: v[r + T_SIDE] === 1 ? 1 : -1,
      entryTime: v[r + T_ENTRY_TIME]!,
      exitTime: v[r + T_EXIT_TIME]!,
      qty: v[r + T_QTY]!,
      entryPrice: v[r + T_ENTRY_PRICE]!,
      exitPrice: v[r + T_EXIT_PRICE]!,
      pnl: v[r + T_PNL]!,
      fees: v[r + T_FEES]!,
      funding: v[r + T_FUNDING]!,
      reason: REASONS[v[r + T_REASON]!]!,
    });
  }
  return out;
}

function readLiquidations(v: Float64Array, at: number, n: number, symbols: string[]): LiquidationRecord[] {
  const out: LiquidationRecord[] = [];
  for (let k = 0; k < n; k++) {
    const r = at + k * LIQ_FIELDS;
    out.push({
      time: v[r + L_TIME]!,
      symbol: symbols[v[r + L_SYMBOL]!]!,
      side: v[r + L_SIDE] === 1 ? 1 : -1,
      triggerPrice: v[r + L_TRIGGER]!,
      where: v[r + L_WHERE] === WHERE_OPEN ? 'open' : 'intrabar',
      loss: v[r + L_LOSS]!,
      group: v[r + L_GROUP]!,
      proxy: v[r + L_PROXY] === 1,
    });
  }
  return out;
}

/** One backtest in a fresh kernel instance; `candles.symbols[i]` is `spec.symbols[i]`. */
export function runKernel(spec: RunSpec, candles: Candles, targets: Float64Array[]): BacktestResult {
  const session = new KernelSession(candles);
  return session.run(spec, targets, spec.symbols.map((_, i) => i));
}
