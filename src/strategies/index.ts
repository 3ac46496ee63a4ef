// The built-in strategies: their parameters (documented defaults and limits), validation of
// user-given parameters, and the reference computation of target weights (SPEC §4).
import { UserError } from '../errors.js';
import { bollinger } from './bollinger.js';
import { buyHold } from './buy-hold.js';
import { donchian } from './donchian.js';
import { emaCross } from './ema-cross.js';
import {
  STRATEGY_BOLLINGER,
  STRATEGY_BUY_HOLD,
  STRATEGY_DONCHIAN,
  STRATEGY_EMA_CROSS,
  STRATEGY_PAIR,
  STRATEGY_RSI,
  STRATEGY_SIGNALS,
  STRATEGY_SMA_CROSS,
} from './ids.js';
import { pair } from './pair.js';
import { rsi } from './rsi.js';
export { rsiValue, wilderRsi } from './rsi.js';
import { smaCross } from './sma-cross.js';

export { gt, lt, EPSILON } from './compare.js';
export { logSpread, pairFromSpread, MIN_STD } from './pair.js';
export { validateTargets, type TargetFunction } from './targets.js';
export { bollinger, buyHold, donchian, emaCross, pair, rsi, smaCross };

export type StrategyName = 'buy-hold' | 'sma-cross' | 'ema-cross' | 'rsi' | 'donchian' | 'bollinger' | 'pair' | 'signals';

export interface ParamDef {
  name: string;
  default: number;
  integer: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  description: string;
}

export interface StrategyDef {
  name: StrategyName;
  /** The kernel's numeric id (src/strategies/ids.ts). */
  id: number;
  description: string;
  /** 2 = a pair strategy on exactly two symbols; 1 = runs on each symbol independently. */
  symbols: 1 | 2;
  params: ParamDef[];
}

const int = (name: string, def: number, min: number, description: string): ParamDef => ({
  name,
  default: def,
  integer: true,
  min,
  description,
});

const real = (name: string, def: number, description: string, min?: number, max?: number): ParamDef => ({
  name,
  default: def,
  integer: false,
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
  description,
});

export const STRATEGIES: Record<StrategyName, StrategyDef> = {
  'buy-hold': {
    name: 'buy-hold',
    id: STRATEGY_BUY_HOLD,
    description: 'long from the first bar to the end',
    symbols: 1,
    params: [],
  },
  'sma-cross': {
    name: 'sma-cross',
    id: STRATEGY_SMA_CROSS,
    description: 'trend: long when the fast simple moving average of the close is above the slow one, short when below',
    symbols: 1,
    params: [
      int('fast', 10, 1, 'bars in the fast moving average (less than slow)'),
      int('slow', 50, 2, 'bars in the slow moving average'),
    ],
  },
  'ema-cross': {
    name: 'ema-cross',
    id: STRATEGY_EMA_CROSS,
    description: 'trend: long when the fast exponential moving average is above the slow one, short when below',
    symbols: 1,
    params: [
      int('fast', 12, 1, 'span of the fast EMA, alpha = 2 / (fast + 1) (less than slow)'),
      int('slow', 26, 2, 'span of the slow EMA; no position during the first slow - 1 bars'),
    ],
  },
  rsi: {
    name: 'rsi',
    id: STRATEGY_RSI,
    description: "mean reversion on Wilder's RSI: long below lower, short above upper, exit when RSI crosses 50",
    symbols: 1,
    params: [
      int('period', 14, 1, "Wilder's smoothing period"),
      real('lower', 30, 'enter long when RSI is below this level', 0, 100),
      real('upper', 70, 'enter short when RSI is above this level', 0, 100),
    ],
  },
  donchian: {
    name: 'donchian',
    id: STRATEGY_DONCHIAN,
    description: 'breakout: long when the close tops the highest high of the previous period bars, short below their lowest low',
    symbols: 1,
    params: [int('period', 20, 1, 'bars in the channel (those before the decision bar)')],
  },
  bollinger: {
    name: 'bollinger',
    id: STRATEGY_BOLLINGER,
    description: 'mean reversion: long below the lower band, short above the upper band, exit at the moving average',
    symbols: 1,
    params: [
      int('period', 20, 2, 'closes in the moving average and standard deviation'),
      real('k', 2, 'band width in population standard deviations (> 0)', 0),
    ],
  },
  pair: {
    name: 'pair',
    id: STRATEGY_PAIR,
    description: 'z-score of ln(A) - ln(B): short A / long B above entry, long A / short B below -entry, flat inside exit',
    symbols: 2,
    params: [
      int('lookback', 100, 2, 'spreads in the z-score window, the current one included'),
      real('entry', 2, 'enter when |z| exceeds this (> 0)', 0),
      real('exit', 0.5, 'exit when |z| falls below this (less than entry)', 0),
    ],
  },
  signals: {
    name: 'signals',
    id: STRATEGY_SIGNALS,
    description: 'target weights in [-1, 1] read from an Arrow file, one column per symbol (NaN: no new target)',
    symbols: 1,
    params: [],
  },
};

export function isStrategyName(name: string): name is StrategyName {
  return Object.hasOwn(STRATEGIES, name);
}

/** The strategy's parameters with defaults filled in, or a UserError explaining what is wrong. */
export function resolveParams(name: string, given: Record<string, number>): Record<string, number> {
  if (!isStrategyName(name)) {
    throw new UserError(`unknown strategy '${name}' (available: ${Object.keys(STRATEGIES).join(', ')})`, {
      field: 'strategy',
    });
  }
  const def = STRATEGIES[name];
  const known = def.params.map((p) => p.name);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      const valid = known.length ? `its parameters are ${known.join(', ')}` : 'it takes no parameters';
      throw new UserError(`${name} has no parameter '${key}' (${valid})`, { field: key });
    }
  }
  const params: Record<string, number> = {};
  for (const p of def.params) {
    const v = Object.hasOwn(given, p.name) ? given[p.name] : p.default;
    checkParamValue(name, p, v, p.name);
    params[p.name] = v as number;
  }
  checkRelations(name, params);
  return params;
}

/** Refuses (UserError naming `field`) a value that parameter `p` of strategy `name` cannot take on its own. */
export function checkParamValue(name: string, p: ParamDef, v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new UserError(`${name}: ${p.name} must be a finite number, got ${String(v)}`, { field });
  }
  if (p.integer && !Number.isInteger(v)) throw new UserError(`${name}: ${p.name} must be an integer, got ${v}`, { field });
  if (p.min !== undefined && v < p.min) throw new UserError(`${name}: ${p.name} must be at least ${p.min}, got ${v}`, { field });
  if (p.max !== undefined && v > p.max) throw new UserError(`${name}: ${p.name} must be at most ${p.max}, got ${v}`, { field });
}

/** Refuses (UserError) parameters that break a relation between them (slow > fast, lower < upper, …). */
export function checkRelations(name: StrategyName, p: Record<string, number>): void {
  const refuse = (message: string, field: string) => {
    throw new UserError(`${name}: ${message}`, { field });
  };
  switch (name) {
    case 'sma-cross':
    case 'ema-cross':
      if (p.slow <= p.fast) refuse(`slow (${p.slow}) ≤ fast (${p.fast}): fast must be less than slow`, 'fast');
      break;
    case 'rsi':
      if (p.lower >= p.upper) refuse(`lower (${p.lower}) must be less than upper (${p.upper})`, 'lower');
      break;
    case 'bollinger':
      if (p.k <= 0) refuse(`k must be greater than 0, got ${p.k}`, 'k');
      break;
    case 'pair':
      if (p.entry <= 0) refuse(`entry must be greater than 0, got ${p.entry}`, 'entry');
      if (p.exit >= p.entry) refuse(`exit (${p.exit}) must be less than entry (${p.entry})`, 'exit');
      break;
    default:
      break;
  }
}

/**
 * Target weights of a built-in strategy, one column per symbol (the reference the kernel must
 * match bit for bit). Single-symbol strategies run on each symbol independently; `pair` needs
 * exactly two symbols. `signals` has no computation here: read its weights with readSignals
 * (./signals.js, kept out of this module so that sweep workers do not load apache-arrow).
 */
export function computeTargets(
  name: StrategyName,
  params: Record<string, number>,
  close: Float64Array[],
  high: Float64Array[],
  low: Float64Array[],
): Float64Array[] {
  const p = resolveParams(name, params);
  if (name === 'pair') {
    if (close.length !== 2) {
      throw new UserError(`pair needs exactly two symbols (A, then B), got ${close.length}`, { field: 'symbols' });
    }
    return pair(close[0], close[1], p.lookback, p.entry, p.exit);
  }
  return close.map((c, s) => {
    switch (name) {
      case 'buy-hold':
        return buyHold(c.length);
      case 'sma-cross':
        return smaCross(c, p.fast, p.slow);
      case 'ema-cross':
        return emaCross(c, p.fast, p.slow);
      case 'rsi':
        return rsi(c, p.period, p.lower, p.upper);
      case 'donchian':
        return donchian(c, high[s], low[s], p.period);
      case 'bollinger':
        return bollinger(c, p.period, p.k);
      case 'signals':
        throw new UserError('the signals strategy reads its weights from a file (readSignals), not from the candles', {
          field: 'strategy',
        });
    }
  });
}
