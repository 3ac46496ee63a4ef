// backtest(): the friendly API on the bundled 2025 sample (data/sample, see data/README.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import { backtest, SAMPLE_DATA_PATH, selectCandles, type BacktestOptions } from '../../src/engine/backtest.js';
import { runReference } from '../../src/engine/reference.js';
import { buildRunSpec } from '../../src/engine/runspec.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { userError } from '../helpers/errors.js';
import { buyHold, computeTargets } from '../../src/strategies/index.js';

const JANUARY = { from: '2025-01-01', to: '2025-02-01' } as const;
const JANUARY_BARS = 31 * 24;
const all = loadDataset(SAMPLE_DATA_PATH);
const tmp = mkdtempSync(join(tmpdir(), 'margincall-backtest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


describe('backtest()', () => {
  it('runs isolated then cross on the same targets, with the run description of the JSON', () => {
    const runs = backtest({ symbols: ['ETHUSDT'], ...JANUARY });
    expect(runs.map((r) => r.marginMode)).toEqual(['isolated', 'cross']);
    for (const r of runs) {
      expect(r).toMatchObject({ strategy: 'sma-cross', params: { fast: 10, slow: 50 }, symbols: ['ETHUSDT'], leverage: 10 });
      expect(r.spec.marginMode).toBe(r.marginMode);
      expect(r.result.equity).toBeUndefined();
    }
    // the same orders reach both modes: without a liquidation or a refusal, the same trades
    const [iso, cross] = runs.map((r) => r.result.metrics);
    expect(iso!.liquidations + cross!.liquidations + iso!.rejectedOrders + cross!.rejectedOrders).toBe(0);
    expect(iso!.trades).toBe(cross!.trades);
    expect(iso!.fees).toBeCloseTo(cross!.fees, 9);
  });

  it('equals the engine called by hand with buildRunSpec and computeTargets', () => {
    const opts: BacktestOptions = {
      symbols: ['BNBUSDT'],
      strategy: 'ema-cross',
      params: { fast: 5, slow: 30 },
      marginMode: 'cross',
      leverage: 20,
      balance: 5_000,
      marginPerPosition: '10%',
      feeRate: 0.0004,
      slippage: 0.0001,
      liquidation: 'threshold:0.8',
      liquidationFeeRate: 0.01,
      records: true,
      engine: 'reference',
      ...JANUARY,
    };
    const [run] = backtest(opts);
    const candles = loadDataset(SAMPLE_DATA_PATH, {
      symbols: ['BNBUSDT'],
      from: Date.UTC(2025, 0, 1),
      to: Date.UTC(2025, 1, 1),
    });
    const spec = buildRunSpec({
      marginMode: 'cross',
      strategy: 'ema-cross',
      params: { fast: 5, slow: 30 },
      symbols: ['BNBUSDT'],
      leverage: 20,
      balance: 5_000,
      sizing: { kind: 'fraction', fraction: 0.1 },
      feeRate: 0.0004,
      slippage: 0.0001,
      liquidation: { kind: 'threshold', x: 0.8 },
      liquidationFeeRate: 0.01,
      records: true,
    });
    expect(run!.spec).toEqual(spec);
    const s = candles.symbols[0]!;
    const targets = computeTargets('ema-cross', spec.params, [s.close], [s.high], [s.low]);
    expect(run!.result).toEqual(runReference(spec, candles, targets));
    expect(run!.result.equity!.time.length).toBe(JANUARY_BARS);
  });

  it('holds several symbols in one account; isolated, the portfolio is the sum of its parts', () => {
    // January 2025: no order is refused, so isolated positions cannot touch each other, and the
    // portfolio's equity is BTC's run + ETH's run − one balance, bar by bar (one liquidation included)
    const opts = { ...JANUARY, marginMode: 'isolated', records: true } as const;
    const [both] = backtest({ ...opts, symbols: ['BTCUSDT', 'ETHUSDT'] });
    const [btc] = backtest({ ...opts, symbols: ['BTCUSDT'] });
    const [eth] = backtest({ ...opts, symbols: ['ETHUSDT'] });
    const m = both!.result.metrics;
    expect(m.rejectedOrders).toBe(0);
    expect(m.liquidations).toBe(1);
    expect(m.liquidations).toBe(btc!.result.metrics.liquidations + eth!.result.metrics.liquidations);
    expect(m.trades).toBe(btc!.result.metrics.trades + eth!.result.metrics.trades);
    const e = both!.result.equity!.equity;
    for (let t = 0; t < e.length; t++) {
      const sum = btc!.result.equity!.equity[t]! + eth!.result.equity!.equity[t]! - 10_000;
      expect(Math.abs(e[t]! - sum)).toBeLessThan(1e-9 * 10_000);
    }
    // cross: the same two positions share the wallet and nothing is liquidated
    const [cross] = backtest({ ...opts, marginMode: 'cross', symbols: ['BTCUSDT', 'ETHUSDT'] });
    expect(cross!.result.metrics.liquidations).toBe(0);
  });

  it('takes candles already loaded, selecting symbols (in the order given) and a time range', () => {
    const fromPath = backtest({ symbols: ['ETHUSDT', 'BTCUSDT'], strategy: 'rsi', ...JANUARY, engine: 'reference' });
    const fromCandles = backtest({ data: all, symbols: ['ETHUSDT', 'BTCUSDT'], strategy: 'rsi', ...JANUARY, engine: 'reference' });
    expect(fromCandles.map((r) => r.result)).toEqual(fromPath.map((r) => r.result));
    expect(fromCandles[0]!.symbols).toEqual(['ETHUSDT', 'BTCUSDT']);

    const sel = selectCandles(all, ['ETHUSDT'], Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1));
    const loaded = loadDataset(SAMPLE_DATA_PATH, { symbols: ['ETHUSDT'], from: Date.UTC(2025, 0, 1), to: Date.UTC(2025, 1, 1) });
    expect(sel.time).toEqual(loaded.time);
    expect(sel.symbols[0]!.symbol).toBe('ETHUSDT');
    expect(sel.symbols[0]!.mark!.low).toEqual(loaded.symbols[0]!.mark!.low);
    expect(sel.symbols[0]!.fundingRate).toEqual(loaded.symbols[0]!.fundingRate);
    expect(sel.intervalMs).toBe(3_600_000);
  });

  it('runs a target function like the built-in it imitates', () => {
    const candles = selectCandles(all, ['BTCUSDT', 'BNBUSDT'], Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1));
    const seen: number[] = [];
    const fn = (c: typeof candles) => {
      seen.push(c.time.length);
      return c.symbols.map((s) => buyHold(s.close.length));
    };
    const viaFn = backtest({ data: candles, strategy: fn, params: { note: 1 } });
    const builtIn = backtest({ data: candles, strategy: 'buy-hold' });
    expect(seen).toEqual([JANUARY_BARS]); // computed once for both modes
    expect(viaFn.map((r) => [r.strategy, r.params])).toEqual([
      ['function', { note: 1 }],
      ['function', { note: 1 }],
    ]);
    expect(viaFn.map((r) => r.result)).toEqual(builtIn.map((r) => r.result));
  });

  it('reads the weights of the signals strategy from an Arrow file', () => {
    const candles = selectCandles(all, ['ETHUSDT'], Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1));
    const s = candles.symbols[0]!;
    const [weights] = computeTargets('sma-cross', { fast: 10, slow: 50 }, [s.close], [s.high], [s.low]);
    const file = join(tmp, 'signals.arrow');
    writeFileAtomic(file, tableToIPC(tableFromArrays({ ETHUSDT: weights! }), 'file'));
    const viaFile = backtest({ data: candles, strategy: 'signals', signals: file });
    expect(viaFile.map((r) => r.result)).toEqual(backtest({ data: candles }).map((r) => r.result));
    expect(viaFile[0]!.strategy).toBe('signals');
  });

  it('refuses what cannot run, naming the option', () => {
    const cases: Array<[BacktestOptions, string, RegExp]> = [
      [{ strategy: 'signals', symbols: ['BTCUSDT'] }, 'signals', /needs the file of target weights/],
      [{ signals: 'w.arrow', symbols: ['BTCUSDT'] }, 'signals', /goes with the signals strategy, not sma-cross/],
      [{ engine: 'gpu' as never, symbols: ['BTCUSDT'] }, 'engine', /unknown engine 'gpu'/],
      [{ from: 'yesterday' }, 'from', /'yesterday' is not a time/],
      [{ data: all, symbols: ['XRPUSDT'] }, 'symbols', /symbol XRPUSDT is not in the data \(available: BNBUSDT, BTCUSDT, ETHUSDT\)/],
      [{ data: all, from: '2030-01-01' }, 'from', /no bars in the requested time range/],
      [{ strategy: 'pair', symbols: ['BTCUSDT'] }, 'symbols', /pair needs exactly two symbols/],
      [{ symbols: ['BTCUSDT'], marginPerPosition: '0%' }, 'marginPerPosition', /above 0%/],
      [{ symbols: ['BTCUSDT'], liquidation: 'threshold:2' }, 'liquidation', /strictly between 0 and 1/],
      [{ symbols: ['BTCUSDT'], leverage: 126 }, 'leverage', /leverage 126 is above BTCUSDT's maximum of 100/],
    ];
    for (const [opts, field, message] of cases) {
      const err = userError(() => backtest({ data: all, ...opts }));
      expect(err.place.field).toBe(field);
      expect(err.message).toMatch(message);
    }
    expect(userError(() => backtest({ data: all, strategy: () => [new Float64Array(3)] })).message).toMatch(
      /target function: expected 3 target-weight column\(s\), one per symbol, got 1/,
    );
  });
});

describe('the kernel and the reference agree through backtest() on the whole bundled year', () => {
  // npm start's job with records: every metric, trade and liquidation event within 1e-9
  const jobs: BacktestOptions[] = [
    { symbols: ['BTCUSDT'] },
    { symbols: ['ETHUSDT'] },
    { symbols: ['BNBUSDT'] },
    { symbols: ['BTCUSDT', 'ETHUSDT'], strategy: 'pair' },
    { symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], strategy: 'donchian', marginPerPosition: '20%', liquidation: 'threshold:0.9' },
  ];
  const close = (a: unknown, b: unknown, path: string): void => {
    if (typeof a === 'number' && typeof b === 'number') {
      const tol = 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
      if (!(Math.abs(a - b) <= tol || (Number.isNaN(a) && Number.isNaN(b)))) {
        throw new Error(`${path}: wasm ${a} vs reference ${b}`);
      }
      return;
    }
    if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
      const x = a as Float64Array, y = b as Float64Array;
      expect(x.length, path).toBe(y.length);
      for (let i = 0; i < x.length; i++) close(x[i], y[i], `${path}[${i}]`);
      return;
    }
    if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
      expect(Object.keys(a).sort(), path).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(a)) close((a as never)[k], (b as never)[k], `${path}.${k}`);
      return;
    }
    expect(a, path).toEqual(b);
  };
  for (const job of jobs) {
    it(`${job.strategy ?? 'sma-cross'} on ${job.symbols!.join(', ')}`, () => {
      const wasm = backtest({ data: all, ...job, records: true, engine: 'wasm' });
      const ref = backtest({ data: all, ...job, records: true, engine: 'reference' });
      expect(wasm).toHaveLength(2);
      wasm.forEach((w, i) => close(w.result, ref[i]!.result, `${w.marginMode}`));
      expect(wasm[0]!.result.trades!.length).toBeGreaterThan(50);
    });
  }
});
