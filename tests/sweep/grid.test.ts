// Grid expansion: value ranges, refusals with clear messages, index decoding, shards.
import { describe, expect, it } from 'vitest';
import {
  buildGrid,
  comboParams,
  gridSize,
  indexOf,
  parseGridFlags,
  parseMarginList,
  parseShard,
  parseSymbolGroups,
  parseValues,
  runAt,
  shardRange,
} from '../../src/sweep/grid.js';

const base = { leverages: [2, 5], margins: ['isolated', 'cross'] as const, symbolGroups: [['BTCUSDT'], ['ETHUSDT']] };

describe('parseValues', () => {
  it('includes the stop and computes start + i×step rounded to the step', () => {
    expect(parseValues('0.1:0.3:0.1', '--grid', 'k')).toEqual([0.1, 0.2, 0.3]);
    expect(parseValues('0:1:0.1', '--grid', 'k')).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(parseValues('1:10:3', '--grid', 'k')).toEqual([1, 4, 7, 10]);
    expect(parseValues('1:9:3', '--grid', 'k')).toEqual([1, 4, 7]);
    expect(parseValues('5:5:1', '--grid', 'k')).toEqual([5]);
    expect(parseValues('1.5:3:0.25', '--grid', 'k')).toEqual([1.5, 1.75, 2, 2.25, 2.5, 2.75, 3]);
    expect(parseValues('10, 20,30', '--grid', 'k')).toEqual([10, 20, 30]);
  });
  it('refuses bad ranges and lists by name', () => {
    expect(() => parseValues('5:4:1', '--grid', 'fast')).toThrow("field '--grid': fast: empty range, start 5 is above stop 4");
    expect(() => parseValues('1:5:0', '--grid', 'fast')).toThrow("field '--grid': fast: the step must be greater than 0, got 0");
    expect(() => parseValues('1:5:-1', '--grid', 'fast')).toThrow('the step must be greater than 0, got -1');
    expect(() => parseValues('1:5', '--grid', 'fast')).toThrow("a range is start:stop:step, got '1:5'");
    expect(() => parseValues('1,x', '--grid', 'fast')).toThrow("fast: expected a number, got 'x'");
    expect(() => parseValues('1,1', '--grid', 'fast')).toThrow('fast: 1 is listed twice');
    expect(() => parseGridFlags(['fast=1,2', 'fast=3'])).toThrow("parameter 'fast' is given twice");
    expect(() => parseGridFlags(['=1,2'])).toThrow('expected name=start:stop:step or name=a,b,c');
  });
});

describe('buildGrid refuses what the strategy refuses', () => {
  it('unknown parameter, non-integer, out of limits', () => {
    expect(() => buildGrid({ ...base, margins: [...base.margins], strategy: 'sma-cross', grid: { fst: [1] } })).toThrow(
      "field '--grid': sma-cross has no parameter 'fst' (its parameters are fast, slow)",
    );
    expect(() => buildGrid({ ...base, margins: [...base.margins], strategy: 'sma-cross', grid: { fast: [1.5] } })).toThrow(
      'sma-cross: fast must be an integer, got 1.5',
    );
    expect(() => buildGrid({ ...base, margins: [...base.margins], strategy: 'rsi', grid: { upper: [70, 101] } })).toThrow(
      'rsi: upper must be at most 100, got 101',
    );
    expect(() => buildGrid({ ...base, margins: [...base.margins], strategy: 'nope' })).toThrow("unknown strategy 'nope'");
    expect(() => buildGrid({ ...base, margins: [...base.margins], strategy: 'pair', symbolGroups: [['BTCUSDT']] })).toThrow(
      'pair needs exactly two symbols per group (A,B), got BTCUSDT',
    );
    expect(() => buildGrid({ ...base, margins: [...base.margins], strategy: 'sma-cross', leverages: [5, 5] })).toThrow('a leverage is listed twice');
  });
  it('slow ≤ fast refuses the grid unless skipInvalid, which counts what it drops', () => {
    const input = { ...base, margins: [...base.margins], strategy: 'sma-cross', grid: { fast: [10, 20, 30], slow: [20, 40] } };
    expect(() => buildGrid(input)).toThrow(
      "field '--grid': sma-cross: slow (20) ≤ fast (20): fast must be less than slow — the grid includes this combination (add --skip-invalid to skip such combinations)",
    );
    const { grid, skipped } = buildGrid({ ...input, skipInvalid: true });
    // valid: (10,20) (10,40) (20,40) (30,40); dropped: (20,20) (30,20)
    expect(skipped).toBe(2);
    expect(gridSize(grid)).toBe(2 * 4 * 2 * 2);
    const params = [0, 4, 8, 12].map((i) => runAt(grid, i).params);
    expect(params).toEqual([{ fast: 10, slow: 20 }, { fast: 10, slow: 40 }, { fast: 20, slow: 40 }, { fast: 30, slow: 40 }]);
    expect(() => buildGrid({ ...input, grid: { fast: [30, 40], slow: [20, 30] }, skipInvalid: true })).toThrow(
      'no parameter combination of the grid is valid',
    );
  });
});

describe('run index decoding', () => {
  const { grid } = buildGrid({
    strategy: 'rsi',
    grid: { period: [7, 14, 21], lower: [20, 30] },
    params: { upper: 75 },
    leverages: [2, 5, 10],
    margins: ['isolated', 'cross'],
    symbolGroups: [['BTCUSDT'], ['ETHUSDT']],
  });
  it('orders symbol group, parameters (declared order, last fastest), leverage, margin innermost', () => {
    expect(gridSize(grid)).toBe(2 * 3 * 2 * 3 * 2);
    expect(runAt(grid, 0)).toEqual({
      index: 0, group: 0, symbols: ['BTCUSDT'], combo: 0, params: { period: 7, lower: 20, upper: 75 }, leverage: 2, marginMode: 'isolated',
    });
    expect(runAt(grid, 1)).toMatchObject({ params: { period: 7, lower: 20, upper: 75 }, leverage: 2, marginMode: 'cross' });
    expect(runAt(grid, 2)).toMatchObject({ leverage: 5, marginMode: 'isolated' });
    expect(runAt(grid, 6)).toMatchObject({ params: { period: 7, lower: 30, upper: 75 }, leverage: 2 });
    expect(runAt(grid, 12)).toMatchObject({ params: { period: 14, lower: 20 } });
    expect(runAt(grid, 36)).toMatchObject({ symbols: ['ETHUSDT'], params: { period: 7, lower: 20 }, leverage: 2, marginMode: 'isolated' });
    expect(runAt(grid, 71)).toMatchObject({ symbols: ['ETHUSDT'], params: { period: 21, lower: 30 }, leverage: 10, marginMode: 'cross' });
    expect(() => runAt(grid, 72)).toThrow('outside 0..71');
  });
  it('round trips every index and visits every combination once', () => {
    const seen = new Set<string>();
    for (let i = 0; i < gridSize(grid); i++) {
      const r = runAt(grid, i);
      const rank = r.combo; // no skipped combinations
      expect(indexOf(grid, r.group, rank, grid.leverages.indexOf(r.leverage), grid.margins.indexOf(r.marginMode))).toBe(i);
      expect(comboParams(grid.axes, r.combo)).toEqual(r.params);
      seen.add(JSON.stringify([r.symbols, r.params, r.leverage, r.marginMode]));
    }
    expect(seen.size).toBe(72);
  });
});

describe('shards and flags', () => {
  it('contiguous shard ranges cover every index exactly once', () => {
    for (const [total, n] of [[10, 3], [7, 7], [5, 8], [1000, 6]] as const) {
      let at = 0;
      for (let i = 0; i < n; i++) {
        const r = shardRange(total, { index: i, count: n });
        expect(r.first).toBe(at);
        at = r.end;
      }
      expect(at).toBe(total);
    }
    expect(shardRange(10, { index: 1, count: 3 })).toEqual({ first: 3, end: 6 });
  });
  it('parses shards, symbol groups and margin lists', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(() => parseShard('3/3')).toThrow("field '--shard': expected i/n with 0 ≤ i < n");
    expect(() => parseShard('1')).toThrow('expected i/n');
    expect(parseSymbolGroups(['btcusdt;ETHUSDT', 'BTCUSDT,BNBUSDT'])).toEqual([['BTCUSDT'], ['ETHUSDT'], ['BTCUSDT', 'BNBUSDT']]);
    expect(() => parseSymbolGroups(['BTCUSDT;BTCUSDT'])).toThrow('the group BTCUSDT is listed twice');
    expect(() => parseSymbolGroups([';'])).toThrow('expected symbols');
    expect(parseMarginList('both')).toEqual(['isolated', 'cross']);
    expect(parseMarginList('cross,isolated')).toEqual(['cross', 'isolated']);
    expect(() => parseMarginList('portfolio')).toThrow("expected isolated, cross or both, got 'portfolio'");
  });
});
