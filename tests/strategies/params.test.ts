// The strategy registry and parameter validation: defaults, and a UserError for every bad input.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { STRATEGIES, computeTargets, resolveParams } from '../../src/strategies/index.js';
import * as ids from '../../src/strategies/ids.js';

function refusal(name: string, given: Record<string, number>): UserError {
  try {
    resolveParams(name, given);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error(`resolveParams(${name}, ${JSON.stringify(given)}) was accepted`);
}

describe('the registry', () => {
  it('lists every strategy with a distinct kernel id and its SPEC defaults', () => {
    expect(Object.keys(STRATEGIES).sort()).toEqual(
      ['bollinger', 'buy-hold', 'donchian', 'ema-cross', 'pair', 'rsi', 'signals', 'sma-cross'],
    );
    const allIds = Object.values(STRATEGIES).map((s) => s.id);
    expect(new Set(allIds).size).toBe(allIds.length);
    expect(allIds.sort()).toEqual(Object.values(ids).sort());
    expect(STRATEGIES.pair.symbols).toBe(2);
    expect(resolveParams('buy-hold', {})).toEqual({});
    expect(resolveParams('sma-cross', {})).toEqual({ fast: 10, slow: 50 });
    expect(resolveParams('ema-cross', {})).toEqual({ fast: 12, slow: 26 });
    expect(resolveParams('rsi', {})).toEqual({ period: 14, lower: 30, upper: 70 });
    expect(resolveParams('donchian', {})).toEqual({ period: 20 });
    expect(resolveParams('bollinger', {})).toEqual({ period: 20, k: 2 });
    expect(resolveParams('pair', {})).toEqual({ lookback: 100, entry: 2, exit: 0.5 });
    expect(resolveParams('signals', {})).toEqual({});
  });

  it('fills only the parameters not given', () => {
    expect(resolveParams('sma-cross', { fast: 5 })).toEqual({ fast: 5, slow: 50 });
    expect(resolveParams('bollinger', { k: 1.5 })).toEqual({ period: 20, k: 1.5 });
  });
});

describe('refused parameters', () => {
  it('names unknown strategies and parameters', () => {
    expect(refusal('macd', {}).message).toMatch(/unknown strategy 'macd'.*sma-cross/);
    const e = refusal('sma-cross', { period: 3 });
    expect(e.message).toMatch(/no parameter 'period'.*fast, slow/);
    expect(e.place.field).toBe('period');
    expect(refusal('buy-hold', { fast: 1 }).message).toMatch(/takes no parameters/);
  });

  it('wants integers where the parameter counts bars', () => {
    expect(refusal('sma-cross', { fast: 2.5 }).message).toMatch(/fast must be an integer/);
    expect(refusal('pair', { lookback: 10.1 }).message).toMatch(/lookback must be an integer/);
  });

  it('wants finite values within range', () => {
    expect(refusal('donchian', { period: 0 }).message).toMatch(/period must be at least 1/);
    expect(refusal('bollinger', { period: 1 }).message).toMatch(/period must be at least 2/);
    expect(refusal('rsi', { upper: 101 }).message).toMatch(/upper must be at most 100/);
    expect(refusal('rsi', { lower: -1 }).message).toMatch(/lower must be at least 0/);
    expect(refusal('bollinger', { k: NaN }).message).toMatch(/k must be a finite number/);
    expect(refusal('pair', { entry: Infinity }).message).toMatch(/finite/);
  });

  it('checks the relations between parameters', () => {
    expect(refusal('sma-cross', { fast: 50, slow: 10 }).message).toMatch(/slow \(10\) ≤ fast \(50\)/);
    expect(refusal('sma-cross', { fast: 20, slow: 20 }).message).toMatch(/fast must be less than slow/);
    expect(refusal('ema-cross', { fast: 30 }).message).toMatch(/slow \(26\) ≤ fast \(30\)/);
    expect(refusal('bollinger', { k: 0 }).message).toMatch(/k must be greater than 0/);
    expect(refusal('rsi', { lower: 70, upper: 30 }).message).toMatch(/lower \(70\) must be less than upper \(30\)/);
    expect(refusal('rsi', { lower: 50, upper: 50 }).message).toMatch(/lower/);
    expect(refusal('pair', { entry: 0.5, exit: 0.5 }).message).toMatch(/exit \(0.5\) must be less than entry \(0.5\)/);
    expect(refusal('pair', { entry: 0, exit: 0 }).message).toMatch(/entry must be greater than 0/);
  });

  it('are refused by computeTargets too', () => {
    const c = Float64Array.from([1, 2, 3]);
    expect(() => computeTargets('sma-cross', { fast: 3, slow: 2 }, [c], [c], [c])).toThrow(UserError);
    expect(() => computeTargets('signals', {}, [c], [c], [c])).toThrow(/readSignals/);
  });
});
