// The kernel's memory layout, declared once. This file is compiled by both AssemblyScript
// (assembly/layout.ts re-exports it) and TypeScript, so it holds only integer constants.
// Everything the host writes or reads in WASM memory is addressed through these numbers.

/** Bytes per f64 slot. */
export const F64 = 8;

/** WebAssembly page size in bytes. */
export const PAGE = 65536;

/** The declared maximum of the imported shared memory, in pages (asconfig.json: maximumMemory). */
export const MAX_PAGES = 65536;

/**
 * Bar returns per block of the streaming variance (src/engine/metrics.ts): within a block plain
 * shifted sums, at its end a Chan et al. merge into the running mean and M2. Long blocks: a quiet
 * stretch's pair loop restarts at each block end (its range search and moments lookup redone),
 * ~780 times per 200,000-bar run at 256; shifted sums of 4,096 returns lose nothing measurable.
 */
export const METRICS_BLOCK = 4096;

/** Rows per bracket table in kernel memory, and f64 fields per row. */
export const MAX_BRACKETS = 16;
export const BRACKET_FIELDS = 5;
export const BR_FLOOR = 0;
export const BR_CAP = 1;
export const BR_MMR = 2;
export const BR_MAXLEV = 3;
export const BR_CUM = 4;

// ---- The margin engine (assembly/engine/, src/engine/kernel.ts) ----
// Every block is f64 slots; pointers and counts are whole numbers stored as f64.

/** Run descriptor: inputs written by the host before `runEngine(descPtr)`. */
export const D_N_BARS = 0;
export const D_N_SYMBOLS = 1;
/** MODE_ISOLATED or MODE_CROSS. */
export const D_MODE = 2;
/** Threshold model x (0 < x < 1), or −1 for the binance model. */
export const D_THRESHOLD = 3;
export const D_LEVERAGE = 4;
export const D_BALANCE = 5;
/** SIZING_FIXED (D_SIZE = amount) or SIZING_FRACTION (D_SIZE = fraction of equity). */
export const D_SIZING = 6;
export const D_SIZE = 7;
export const D_FEE_RATE = 8;
export const D_SLIPPAGE = 9;
export const D_LIQ_FEE_RATE = 10;
/** Bars per year (365 d / interval). */
export const D_ANN = 11;
/** 1: write equity, trade and liquidation records; 0: metrics only. */
export const D_RECORDS = 12;
/** nBars f64 bar open times. */
export const D_TIME_PTR = 13;
/** nSymbols symbol blocks of SYM_FIELDS slots. */
export const D_SYMBOLS_PTR = 14;
/** nSymbols × POS_FIELDS f64 of kernel scratch (position state). */
export const D_SCRATCH_PTR = 15;
/** nBars f64 each: equity and margin ratio at every close (records only). */
export const D_EQUITY_PTR = 16;
export const D_RATIO_PTR = 17;
/** Trade records (TRADE_FIELDS each) and their capacity. */
export const D_TRADES_PTR = 18;
export const D_TRADES_CAP = 19;
/** Liquidation records (LIQ_FIELDS each) and their capacity. */
export const D_LIQS_PTR = 20;
export const D_LIQS_CAP = 21;
/** Outputs: the metrics (M_* slots from here) and the record counts. */
export const D_METRICS = 24;
/** Trades and liquidations that happened; more than the capacity means only the first ones were written. */
export const D_TRADE_COUNT = 44;
export const D_LIQ_COUNT = 45;
export const DESC_SLOTS = 48;

export const MODE_ISOLATED = 0;
export const MODE_CROSS = 1;
export const SIZING_FIXED = 0;
export const SIZING_FRACTION = 1;

/** Metric slots, relative to D_METRICS, in METRIC_NAMES order; NaN where the metric is null. */
export const M_FINAL_EQUITY = 0;
export const M_TOTAL_RETURN = 1;
export const M_ANNUALIZED_RETURN = 2;
export const M_VOLATILITY = 3;
export const M_SHARPE = 4;
export const M_SORTINO = 5;
export const M_MAX_DRAWDOWN = 6;
export const M_CALMAR = 7;
export const M_TRADES = 8;
export const M_WIN_RATE = 9;
export const M_PROFIT_FACTOR = 10;
export const M_EXPECTANCY = 11;
export const M_EXPOSURE = 12;
export const M_LIQUIDATIONS = 13;
export const M_LIQUIDATION_LOSS = 14;
export const M_FEES = 15;
export const M_FUNDING = 16;
export const M_REJECTED_ORDERS = 17;
export const M_MAX_MARGIN_RATIO = 18;
export const M_RUINED = 19;
export const METRIC_SLOTS = 20;

/** Per-symbol block of a run: column pointers (nBars f64 each) and the symbol's settings. */
export const S_OPEN = 0;
export const S_MARK_OPEN = 1;
export const S_MARK_HIGH = 2;
export const S_MARK_LOW = 3;
export const S_MARK_CLOSE = 4;
/** Funding rate at each bar's open (NaN: none), or 0 when the data has no funding column. */
export const S_FUNDING = 5;
/** 1 when the mark columns are the last-price columns (liquidations carry `proxy`). */
export const S_PROXY = 6;
export const S_TARGETS = 7;
/** MAX_BRACKETS × BRACKET_FIELDS f64 and the number of rows used. */
export const S_BRACKETS = 8;
export const S_BRACKET_ROWS = 9;
/** Dataset i32 list: the bars with a funding event in order, then nBars (a sentinel). */
export const S_FUNDING_BARS = 10;
/**
 * Dataset columns, one f64 per QUIET_BLOCK bars: the lowest MP open or low, and the highest MP open
 * or high, of the block (they let a quiet stretch skip whole blocks of isolated liquidation checks).
 */
export const S_BLOCK_LOW = 11;
export const S_BLOCK_HIGH = 12;
/**
 * The run's target changes when the host knows them (sma-cross batches): an i32 list of ±(t + 1),
 * the sign the new weight's, so the bars where the target changes need no search; 0 when unknown.
 */
export const S_CHANGES = 13;
export const S_CHANGE_COUNT = 14;
/** Dataset columns, one f64 per QUIET_BLOCK bars: the lowest and highest MP close of the block. */
export const S_BLOCK_CLOSE_LOW = 15;
export const S_BLOCK_CLOSE_HIGH = 16;
/** Dataset table of return moments (MOMENT_* below), or 0: none. */
export const S_MOMENTS = 17;
/**
 * Dataset f64 list: the rate of each S_FUNDING_BARS bar, in its order. A bar that a quiet stretch
 * opens takes its rate from here (read next to the bar's list entry, in cache) rather than from
 * the S_FUNDING column, a cache miss at every funding bar.
 */
export const S_FUNDING_RATES = 18;
export const SYM_FIELDS = 19;

/** Bars per block of S_BLOCK_LOW / S_BLOCK_HIGH (a power of two). */
export const QUIET_BLOCK_SHIFT = 6;

/**
 * Return moments of each QUIET_BLOCK of bars (assembly/engine/quiet-moments.ts, which explains
 * them), MOMENT_BLOCK_F64 f64 per block: its center, max |x| and last MP close, then, for its
 * bars t (c the MP close, Δ = c[t] − c[t−1], x = c[t−1] − center), the sums of Δ·xⁿ
 * (n < MOMENT_TERMS) and of (n + 1)·Δ²·xⁿ as (Δ < 0, Δ > 0) pairs. (The block's lowest and
 * highest close are S_BLOCK_CLOSE_LOW / S_BLOCK_CLOSE_HIGH.)
 */
/** (quiet-moments.ts writes its polynomials out for 8 terms) */
export const MOMENT_TERMS = 8;
export const MOMENT_CENTER = 0;
export const MOMENT_XMAX = 1;
export const MOMENT_LAST = 2;
export const MOMENT_SUMS = 3;
export const MOMENT_BLOCK_F64 = MOMENT_SUMS + 3 * MOMENT_TERMS;

/** Position state in the scratch block; P_SIDE..P_FUNDING are cleared when a trade closes. */
export const P_SIDE = 0;
export const P_QTY = 1;
export const P_ENTRY = 2;
export const P_IW = 3;
export const P_MM_FIXED = 4;
export const P_LP = 5;
/** The entry bar index; its time is read only when a trade is recorded, so sweeps never touch the time column. */
export const P_ENTRY_BAR = 6;
export const P_QTY_IN = 7;
export const P_ENTRY_VALUE = 8;
export const P_QTY_OUT = 9;
export const P_EXIT_VALUE = 10;
export const P_BOOKED = 11;
export const P_FEES = 12;
export const P_FUNDING = 13;
/** Fields a closed trade clears (even: account.ts clearPosition clears two per store). */
export const P_TRADE_FIELDS = 14;
export const P_LAST_TARGET = 14;
export const P_PENDING = 15;
export const P_OPEN_QTY = 16;
export const P_OPEN_FILL = 17;
export const P_OPEN_SIDE = 18;
export const P_PRICE = 19;
/** Kernel cache: the bracket found by the last maintenance-margin lookup, an i32 in the slot's low bytes (a hint, never a result). */
export const P_BRACKET = 20;
/**
 * Kernel cache: the symbol block (SYM_FIELDS slots) again, each slot holding its value as a u32 in
 * its low bytes, so the bar loop reads column pointers without an f64 → integer conversion.
 */
export const P_PTRS = 21;
/** P_PTRS + SYM_FIELDS. */
export const POS_FIELDS = 40;

/** Trade record fields; symbol is the run's symbol index, reason a REASON_* code. */
export const T_SYMBOL = 0;
export const T_SIDE = 1;
export const T_ENTRY_TIME = 2;
export const T_EXIT_TIME = 3;
export const T_QTY = 4;
export const T_ENTRY_PRICE = 5;
export const T_EXIT_PRICE = 6;
export const T_PNL = 7;
export const T_FEES = 8;
export const T_FUNDING = 9;
export const T_REASON = 10;
export const TRADE_FIELDS = 11;

export const REASON_SIGNAL = 0;
export const REASON_LIQUIDATION = 1;
export const REASON_END = 2;

/** Liquidation record fields; where is WHERE_OPEN or WHERE_INTRABAR, proxy 0/1. */
export const L_TIME = 0;
export const L_SYMBOL = 1;
export const L_SIDE = 2;
export const L_TRIGGER = 3;
export const L_WHERE = 4;
export const L_LOSS = 5;
export const L_GROUP = 6;
export const L_PROXY = 7;
export const LIQ_FIELDS = 8;

export const WHERE_OPEN = 0;
export const WHERE_INTRABAR = 1;

/**
 * The sma-cross batch region of a session (sweeps, assembly/strategies/sma-batch.ts): up to
 * BATCH_MAX_WINDOWS distinct windows and BATCH_MAX_SETS parameter sets per call, whose target
 * changes share a list of BATCH_LIST_ENTRIES i32 (each set gets an equal part). The close it reads
 * is the session's last-price close column (src/engine/kernel.ts strategy columns).
 */
export const BATCH_MAX_WINDOWS = 1024;
export const BATCH_MAX_SETS = 2048;
export const BATCH_LIST_ENTRIES = 8_388_608;
/** Bars per row of averages: every window's row of a stretch of bars stays in the L2 cache. */
export const BATCH_ROW = 256;
/** Bars per block of a row whose extremes let a set skip the block (log2 in BATCH_BLOCK_SHIFT). */
export const BATCH_BLOCK_SHIFT = 5;
/** Blocks per row. */
export const BATCH_BLOCKS = BATCH_ROW >> BATCH_BLOCK_SHIFT;
/**
 * Slots of the region: windows, fast, slow, counts (i32); sums, rows
 * (BATCH_ROW per window), block extremes (BATCH_BLOCKS minima then maxima per window), state
 * (f64); the list.
 */
export const BATCH_FIXED_SLOTS =
  BATCH_MAX_WINDOWS / 2 +
  (3 * BATCH_MAX_SETS) / 2 +
  BATCH_MAX_WINDOWS * (1 + BATCH_ROW + 2 * BATCH_BLOCKS) +
  BATCH_MAX_SETS +
  BATCH_LIST_ENTRIES / 2;
