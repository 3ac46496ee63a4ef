// The run specification and the shape of a backtest's results, defined once: the TypeScript
// reference, the WASM kernel binding, the CLI and the exporters all use these types.
import type { StrategyName } from '../strategies/index.js';
import type { BracketTable } from './brackets.js';

export type MarginMode = 'isolated' | 'cross';

/** `binance`: maintenance margin from the brackets; `threshold`: MM = (1 − x) × IM (SPEC §2). */
export type LiquidationModel = { kind: 'binance' } | { kind: 'threshold'; x: number };

/** Margin per position: a fixed amount, or a fraction of the run's equity at the decision bar. */
export type Sizing = { kind: 'fixed'; amount: number } | { kind: 'fraction'; fraction: number };

/** One run, validated (see runspec.ts): everything the engine needs besides candles and targets. */
export interface RunSpec {
  marginMode: MarginMode;
  strategy: StrategyName | 'function';
  params: Record<string, number>;
  /** The run's symbols, in the order of the candle columns given to the engine. */
  symbols: string[];
  leverage: number;
  balance: number;
  sizing: Sizing;
  /** Taker fee as a fraction of notional (0.0005 = 0.05%). */
  feeRate: number;
  /** Slippage as a fraction of the open (1 bp = 0.0001). */
  slippage: number;
  liquidation: LiquidationModel;
  liquidationFeeRate: number;
  /** One bracket table per symbol, in symbol order. */
  brackets: BracketTable[];
  /** Produce the equity curve, trades and liquidation events (metrics are always produced). */
  records: boolean;
}

/** SPEC §7 metrics; a ratio that is undefined or not finite is null. */
export interface Metrics {
  finalEquity: number;
  totalReturn: number;
  annualizedReturn: number | null;
  volatility: number | null;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  calmar: number | null;
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  expectancy: number | null;
  exposure: number;
  liquidations: number;
  liquidationLoss: number;
  fees: number;
  funding: number;
  rejectedOrders: number;
  maxMarginRatio: number;
  ruined: boolean;
}

/** The metric names in their stable output order (JSON, tables, sweep rows). */
export const METRIC_NAMES = [
  'finalEquity',
  'totalReturn',
  'annualizedReturn',
  'volatility',
  'sharpe',
  'sortino',
  'maxDrawdown',
  'calmar',
  'trades',
  'winRate',
  'profitFactor',
  'expectancy',
  'exposure',
  'liquidations',
  'liquidationLoss',
  'fees',
  'funding',
  'rejectedOrders',
  'maxMarginRatio',
  'ruined',
] as const satisfies readonly (keyof Metrics)[];

/** Metrics where a smaller value is the better run: rankings (sweep --top, reports) sort them ascending. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set([
  'volatility',
  'maxDrawdown',
  'liquidations',
  'liquidationLoss',
  'fees',
  'funding',
  'rejectedOrders',
  'maxMarginRatio',
  'ruined',
]);

export type ExitReason = 'signal' | 'liquidation' | 'end';

export interface TradeRecord {
  symbol: string;
  /** +1 long, −1 short. */
  side: 1 | -1;
  entryTime: number;
  exitTime: number;
  /** Total quantity entered over the trade. */
  qty: number;
  /** Quantity-weighted entry and exit fills (a liquidation exits at its trigger price). */
  entryPrice: number;
  exitPrice: number;
  /** Net: booked price PnL (capped in isolated mode; −loss for a liquidation) − fees − funding. */
  pnl: number;
  fees: number;
  /** Net funding paid (positive: paid). */
  funding: number;
  reason: ExitReason;
}

export interface LiquidationRecord {
  time: number;
  symbol: string;
  side: 1 | -1;
  triggerPrice: number;
  where: 'open' | 'intrabar';
  /** Wallet lost (SPEC §7); negative when a position in profit is closed by a cross liquidation. */
  loss: number;
  /** Events of one cross liquidation share a group; isolated events each have their own. */
  group: number;
  /** True when the data has no mark prices and the last price stood in for the mark. */
  proxy: boolean;
}

export interface EquityRecords {
  /** Bar open times (ms); the kernel hands out the dataset's own column: read it, do not write it. */
  time: Float64Array;
  equity: Float64Array;
  marginRatio: Float64Array;
}

export interface BacktestResult {
  metrics: Metrics;
  /** Present when spec.records is true. */
  equity?: EquityRecords;
  trades?: TradeRecord[];
  liquidations?: LiquidationRecord[];
}
