// The public library API of margincall: what a script or notebook imports. An index only.

// backtests
export {
  backtest,
  selectCandles,
  SAMPLE_DATA_PATH,
  type BacktestOptions,
  type BacktestRun,
  type EngineName,
  type MarginChoice,
} from './engine/backtest.js';
export {
  buildRunSpec,
  checkLeverage,
  DEFAULTS,
  fullWeightNotional,
  highestAllowedLeverage,
  type RunSpecInput,
} from './engine/runspec.js';
export { runReference } from './engine/reference.js';
export { runKernel } from './engine/kernel.js';
export {
  METRIC_NAMES,
  type BacktestResult,
  type EquityRecords,
  type ExitReason,
  type LiquidationModel,
  type LiquidationRecord,
  type MarginMode,
  type Metrics,
  type RunSpec,
  type Sizing,
  type TradeRecord,
} from './engine/types.js';

// brackets and liquidation prices
export {
  bankruptcyPrice,
  bracketIndex,
  bracketTableFor,
  crossBankruptcyPrice,
  crossLiquidationPrice,
  defaultBracketTables,
  isolatedLiquidationPrice,
  loadBracketFile,
  maintenanceMargin,
  orderAllowed,
  validateBracketTable,
  type Bracket,
  type BracketTable,
  type CrossOther,
} from './engine/brackets.js';

// strategies
export { readSignals, WEIGHT_COLUMN } from './strategies/signals.js';
export {
  STRATEGIES,
  computeTargets,
  resolveParams,
  validateTargets,
  type ParamDef,
  type StrategyDef,
  type StrategyName,
  type TargetFunction,
} from './strategies/index.js';

// data
export { loadDataset, type LoadOptions } from './data/load.js';
export { writeDataset } from './data/write.js';
export { synthesize, type SynthOptions } from './data/synth.js';
export { importFiles, type ImportOptions, type ImportSummary } from './data/import/index.js';
export { datasetInfo, type DatasetInfo } from './data/info.js';
export type { Candles, MarkColumns, SymbolSeries } from './data/schema.js';

// reports
export { summaryJson, formatRuns, type RunJson, type SummaryJson } from './report/summary.js';
export { recordTables, type RecordTables } from './report/records.js';

export { UserError } from './errors.js';
export { renderReport, writeReport, writeBacktestReport, readResults } from './report/html/index.js';
export {
  sweep,
  sweepToFile,
  sweepTop,
  prepareSweep,
  mergeShards,
  type SweepSpec,
  type SweepRow,
} from './sweep/index.js';
