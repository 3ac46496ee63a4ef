// The benchmarks' correctness gate (bench/gate.ts) and the W2 grid (bench/workloads.ts).
import { describe, expect, it } from 'vitest';
import { firstDifference, gate, resultHash, sameValue } from '../../bench/gate.js';
import { parseArgs, UsageError } from '../../bench/measure.js';
import { w2Grid } from '../../bench/workloads.js';
import type { BacktestResult, Metrics, TradeRecord } from '../../src/engine/types.js';

const metrics: Metrics = {
  finalEquity: 10_500, totalReturn: 0.05, annualizedReturn: 0.6, volatility: 0.2, sharpe: 1.5, sortino: null,
  maxDrawdown: 0.1, calmar: 6, trades: 2, winRate: 0.5, profitFactor: 2, expectancy: 250, exposure: 0.75,
  liquidations: 0, liquidationLoss: 0, fees: 10, funding: -1.5, rejectedOrders: 0, maxMarginRatio: 0.02, ruined: false,
};
const trade: TradeRecord = {
  symbol: 'BTCUSDT', side: 1, entryTime: 0, exitTime: 60_000, qty: 0.1, entryPrice: 60_000, exitPrice: 61_000,
  pnl: 94, fees: 6, funding: 0, reason: 'signal',
};
const result = (m: Partial<Metrics> = {}, t: Partial<TradeRecord> = {}): BacktestResult => ({
  metrics: { ...metrics, ...m },
  trades: [{ ...trade, ...t }],
  liquidations: [],
});

describe('sameValue: SPEC equality, 1e-9 relative with a 1e-9 absolute floor', () => {
  it('accepts differences within 1e-9 of the larger magnitude', () => {
    expect(sameValue(1e6, 1e6 + 9e-4)).toBe(true); // 9e-10 relative
    expect(sameValue(1e6, 1e6 + 2e-3)).toBe(false); // 2e-9 relative
  });
  it('uses an absolute floor of 1e-9 near zero', () => {
    expect(sameValue(0, 5e-10)).toBe(true);
    expect(sameValue(0, 2e-9)).toBe(false);
  });
  it('treats NaN as equal only to NaN, and null, booleans and strings exactly', () => {
    expect(sameValue(NaN, NaN)).toBe(true);
    expect(sameValue(NaN, 0)).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(null, 0)).toBe(false);
    expect(sameValue(true, true)).toBe(true);
    expect(sameValue('end', 'signal')).toBe(false);
  });
});

describe('firstDifference and gate', () => {
  it('passes equal results and results within tolerance, with one hash', () => {
    const a = result();
    const b = result({ finalEquity: 10_500 * (1 + 1e-12) }, { pnl: 94 * (1 - 1e-12) });
    expect(firstDifference(a, b)).toBeNull();
    expect(gate(b, a)).toEqual({ ok: true, hash: resultHash(a) });
  });
  it('names the first metric that differs', () => {
    expect(firstDifference(result({ fees: 10.001 }), result())).toBe('metrics.fees: 10.001 vs 10');
    expect(firstDifference(result({ sortino: 1 }), result())).toBe('metrics.sortino: 1 vs null');
  });
  it('names the trade field that differs, and a different record count', () => {
    expect(firstDifference(result({}, { reason: 'liquidation' }), result())).toBe('trades[0].reason: liquidation vs signal');
    const two = result();
    two.trades!.push({ ...trade });
    expect(firstDifference(two, result())).toBe('trades: 2 vs 1 records');
  });
  it('fails the gate with the difference and a hash of the failing result', () => {
    const bad = result({}, { exitPrice: 61_001 });
    const g = gate(bad, result());
    expect(g.ok).toBe(false);
    expect(g.difference).toBe('trades[0].exitPrice: 61001 vs 61000');
    expect(g.hash).toBe(resultHash(bad));
    expect(g.hash).not.toBe(resultHash(result()));
  });
});

describe('resultHash', () => {
  it('is 12 hex digits, stable, and blind to differences below 9 significant digits', () => {
    const h = resultHash(result());
    expect(h).toMatch(/^[0-9a-f]{12}$/);
    expect(resultHash(result())).toBe(h);
    expect(resultHash(result({ finalEquity: 10_500.000001 }))).toBe(h);
    expect(resultHash(result({ finalEquity: 10_500.01 }))).not.toBe(h);
  });
});

describe('w2Grid', () => {
  it('gives 10,000 distinct sma-cross pairs, each with fast < slow', () => {
    const { fast, slow } = w2Grid(10_000);
    const pairs = new Set<string>();
    let ordered = 0;
    for (let i = 0; i < fast.length; i++) {
      if (fast[i]! < slow[i]!) ordered++;
      pairs.add(`${fast[i]},${slow[i]}`);
    }
    expect(ordered).toBe(10_000);
    expect(pairs.size).toBe(10_000);
    expect([fast[0], slow[0], fast[99], slow[99], fast[100], slow[100], fast[9_999], slow[9_999]]).toEqual([2, 105, 2, 600, 3, 105, 101, 600]);
  });
  it('names the same grid in the range syntax of the sweep API', () => {
    expect(w2Grid(10_000).text).toEqual({ fast: '2:101:1', slow: '105:600:5' });
    expect(w2Grid(200).text).toEqual({ fast: '2:101:1', slow: '105:110:5' });
    expect(() => w2Grid(150)).toThrow('multiple of 100');
  });
});

describe('parseArgs of the bench commands', () => {
  const known = ['W1', 'W2', 'W3'];
  it('reads --quick, --json and --only in both spellings', () => {
    expect(parseArgs([], known)).toEqual({ quick: false, json: false, only: null });
    expect(parseArgs(['--quick', '--json', '--only', 'w1,W3'], known)).toEqual({ quick: true, json: true, only: new Set(['W1', 'W3']) });
    expect(parseArgs(['--only=W2'], known).only).toEqual(new Set(['W2']));
  });
  it('refuses unknown workloads and options with a UsageError', () => {
    expect(() => parseArgs(['--only', 'W9'], known)).toThrow(new UsageError('--only: unknown workload W9 (known: W1, W2, W3)'));
    expect(() => parseArgs(['--only'], known)).toThrow(UsageError);
    expect(() => parseArgs(['--fast'], known)).toThrow('unknown option --fast');
  });
});
