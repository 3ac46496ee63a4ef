// Hand-computed scenarios (issue 3), run through every engine: the values in the assertions are
// worked out in the comments from SPEC.md and docs/semantics.md, not read off the code.
import { describe, expect, it } from 'vitest';
import { runReference } from '../../src/engine/reference.js';
import { runKernel } from '../../src/engine/kernel.js';
import { MetricsAccumulator } from '../../src/engine/metrics.js';
import type { BacktestResult, RunSpec } from '../../src/engine/types.js';
import type { Candles } from '../../src/data/schema.js';
import { candlesOf, flatBar, specOf, targetsOf } from '../helpers/candles.js';

type Engine = (spec: RunSpec, candles: Candles, targets: Float64Array[]) => BacktestResult;
const engines: [string, Engine][] = [
  ['reference', runReference],
  ['wasm', runKernel],
];

const close = (a: number, b: number, digits = 6) => expect(a).toBeCloseTo(b, digits);

// BTC long 1/6 @ 60,000 and ETH long 10/3 @ 3,000: 10,000 notional each (L = 10, 1,000 margin),
// first tier (mmr 0.004, cum 0). Isolated LPs: BTC 9,000 / (q × 0.996) = 54,216.867470,
// ETH 2,700 / 0.996 = 2,710.843373.
const BTC_LP = 9000 / ((1 / 6) * 0.996);
const ETH_LP = 2700 / 0.996;

describe.each(engines)('%s engine: hand-computed scenarios', (_name, run) => {
  it('isolated: ETH is liquidated at its LP while the BTC position beside it is untouched', () => {
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), [60000, 66000, 60000, 66000], flatBar(66000), flatBar(66000)] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), [3000, 3000, 2400, 2400], flatBar(2500)] },
    });
    const r = run(specOf(['BTCUSDT', 'ETHUSDT'], { balance: 2000 }), c, targetsOf([1, 1, 1, 1], [1, 1, 1, 1]));
    expect(r.liquidations).toHaveLength(1);
    const liq = r.liquidations![0]!;
    expect(liq.symbol).toBe('ETHUSDT');
    expect(liq.where).toBe('intrabar');
    expect(liq.proxy).toBe(true);
    close(liq.triggerPrice, ETH_LP);
    // at the LP the margin balance (MM = 0.004 N) is below the 1.25 % fee: the whole IW is lost
    close(liq.loss, 1000);
    // BTC: IW 1,000 + 1/6 × 6,000 returned at the end; ETH stays flat after its liquidation
    close(r.metrics.finalEquity, 2000);
    expect(r.trades!.map((t) => [t.symbol, t.reason])).toEqual([
      ['ETHUSDT', 'liquidation'],
      ['BTCUSDT', 'end'],
    ]);
    close(r.trades![0]!.pnl, -1000);
    close(r.trades![1]!.pnl, 1000);
    expect(r.metrics.liquidations).toBe(1);
    close(r.metrics.liquidationLoss, 1000);
  });

  it('cross: the same orders survive because the BTC gain holds the account up', () => {
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), [60000, 66000, 60000, 66000], flatBar(66000), flatBar(66000)] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), [3000, 3000, 2400, 2400], flatBar(2500)] },
    });
    const r = run(
      specOf(['BTCUSDT', 'ETHUSDT'], { balance: 2000, marginMode: 'cross' }),
      c,
      targetsOf([1, 1, 1, 1], [1, 1, 1, 1]),
    );
    // at ETH's low: 2,000 + 1,000 (BTC) − 2,000 (ETH) = 1,000 > MM 44 + 32
    expect(r.liquidations).toHaveLength(0);
    // end: 2,000 + 1,000 − 10/3 × 500
    close(r.metrics.finalEquity, 2000 + 1000 - (10 / 3) * 500);
    close(r.equity!.equity[2]!, 2000 + 1000 - 2000);
    // margin ratio at bar 2's close: (66,000/6 + 2,400 × 10/3) × 0.004 / 1,000
    close(r.equity!.marginRatio[2]!, ((66000 / 6 + 8000) * 0.004) / 1000, 9);
  });

  it('cross: an account-wide liquidation on the straight path closes every position', () => {
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), flatBar(60000), [60000, 60000, 54000, 55000], flatBar(55000)] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), [3000, 3000, 2700, 2750], flatBar(2750)] },
    });
    const r = run(
      specOf(['BTCUSDT', 'ETHUSDT'], { balance: 2000, marginMode: 'cross' }),
      c,
      targetsOf([1, 1, 1, 1], [1, 1, 1, 1]),
    );
    // f(λ) = 2,000 − 2,000 λ − (80 − 8 λ) = 1,920 − 1,992 λ → λ* = 1,920 / 1,992
    const lambda = 1920 / 1992;
    expect(r.liquidations).toHaveLength(2);
    const [b, e] = r.liquidations!;
    expect(b!.group).toBe(e!.group);
    close(b!.triggerPrice, 60000 - 6000 * lambda);
    close(e!.triggerPrice, 3000 - 300 * lambda);
    // the losses add up to the whole cross wallet (the floor at 0 covers the rest)
    close(b!.loss + e!.loss, 2000);
    expect(r.metrics.ruined).toBe(true);
    expect(r.metrics.finalEquity).toBe(0);
    expect(r.trades!.every((t) => t.reason === 'liquidation')).toBe(true);
  });

  it('isolated: a gap through the LP loses exactly the isolated wallet and no more', () => {
    const c = candlesOf({ BTCUSDT: { bars: [flatBar(60000), flatBar(60000), [50000, 51000, 49000, 50500], flatBar(50500)] } });
    const r = run(specOf(['BTCUSDT']), c, targetsOf([1, 1, 1, 1]));
    expect(r.liquidations).toHaveLength(1);
    expect(r.liquidations![0]!.where).toBe('open');
    expect(r.liquidations![0]!.triggerPrice).toBe(50000);
    expect(r.liquidations![0]!.loss).toBe(1000);
    expect(r.metrics.finalEquity).toBe(9000);
  });

  it('funding of both signs moves the isolated wallet and with it the LP', () => {
    // long pays 1/6 × 60,000 × 0.001 = 10 → IW 990 → LP 9,010 / (q 0.996) = 54,277.108434:
    // a low of 54,250 (above the unfunded LP 54,216.87) now liquidates, at the new LP
    const bars: [number, number, number, number][] = [flatBar(60000), flatBar(60000), [60000, 60000, 54250, 58000], flatBar(58000)];
    const paid = run(specOf(['BTCUSDT']), candlesOf({ BTCUSDT: { bars, funding: [NaN, NaN, 0.001, NaN] } }), targetsOf([1, 1, 1, 1]));
    expect(paid.liquidations).toHaveLength(1);
    close(paid.liquidations![0]!.triggerPrice, 9010 / ((1 / 6) * 0.996));
    close(paid.metrics.funding, 10);
    close(paid.trades![0]!.funding, 10);
    // a negative rate pays the long 20 → IW 1,020 → LP 8,980 / (q 0.996) = 54,096.385542:
    // a low of 54,150 (below the unfunded LP) no longer liquidates
    const lowBars: [number, number, number, number][] = [flatBar(60000), flatBar(60000), [60000, 60000, 54150, 58000], flatBar(58000)];
    const received = run(specOf(['BTCUSDT']), candlesOf({ BTCUSDT: { bars: lowBars, funding: [NaN, NaN, -0.002, NaN] } }), targetsOf([1, 1, 1, 1]));
    expect(received.liquidations).toHaveLength(0);
    close(received.metrics.funding, -20);
    // final: 9,000 free + IW 1,020 + 1/6 × (58,000 − 60,000)
    close(received.metrics.finalEquity, 9000 + 1020 - 2000 / 6);
    // a short receives a positive rate: 10/3 × 3,000 × 0.001 = 10
    const short = run(
      specOf(['ETHUSDT']),
      candlesOf({ ETHUSDT: { bars: [flatBar(3000), flatBar(3000), flatBar(3000), flatBar(3000)], funding: [NaN, NaN, 0.001, NaN] } }),
      targetsOf([-1, -1, -1, -1]),
    );
    close(short.metrics.funding, -10);
    close(short.metrics.finalEquity, 10010);
  });

  it('refuses an open the free wallet cannot pay, in both modes, and never retries it', () => {
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), flatBar(60000), flatBar(60000)] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), flatBar(3000)] },
    });
    for (const marginMode of ['isolated', 'cross'] as const) {
      const r = run(specOf(['BTCUSDT', 'ETHUSDT'], { balance: 1500, marginMode }), c, targetsOf([1, 1, 1], [1, 1, 1]));
      expect(r.metrics.rejectedOrders).toBe(1);
      expect(r.trades!.map((t) => t.symbol)).toEqual(['BTCUSDT']);
    }
    // the fee counts too: 1,000 margin + 5 fee > 1,000
    const fee = run(specOf(['BTCUSDT'], { balance: 1000, feeRate: 0.0005 }), candlesOf({ BTCUSDT: { bars: [flatBar(60000), flatBar(60000)] } }), targetsOf([1, 1]));
    expect(fee.metrics.rejectedOrders).toBe(1);
    expect(fee.metrics.trades).toBe(0);
  });

  it('fills with fees and slippage on both legs of a flip', () => {
    // bar 1: buy 10,000 at 3,000 × 1.001; bar 2: flip to short −10,000 at 3,300 × 0.999
    const c = candlesOf({ ETHUSDT: { bars: [flatBar(3000), flatBar(3000), flatBar(3300), flatBar(3300)] } });
    const r = run(specOf(['ETHUSDT'], { feeRate: 0.001, slippage: 0.001 }), c, targetsOf([1, -1, -1, -1]));
    const buy = 3000 * 1.001;
    const sell = 3300 * 0.999;
    const qLong = 10000 / buy;
    const qShort = 10000 / sell;
    const [first, second] = r.trades!;
    close(first!.entryPrice, buy);
    close(first!.exitPrice, sell);
    close(first!.qty, qLong, 9);
    close(first!.fees, qLong * buy * 0.001 + qLong * sell * 0.001, 9);
    close(first!.pnl, qLong * (sell - buy) - first!.fees, 9);
    expect(second!.side).toBe(-1);
    close(second!.qty, qShort, 9);
    expect(second!.reason).toBe('end');
  });
});

describe('metrics by hand on a short equity series', () => {
  it('matches SPEC §7 on returns 10 %, −10 %, 10 %, 0', () => {
    const m = new MetricsAccumulator(100);
    for (const e of [110, 99, 108.9, 108.9]) m.addBar(e);
    m.addTrade(5);
    m.addTrade(-2);
    m.addTrade(3);
    const out = m.finish({
      barsPerYear: 4, exposedBars: 3, liquidations: 0, liquidationLoss: 0, fees: 0, funding: 0,
      rejectedOrders: 0, maxMarginRatio: 0, ruined: false,
    });
    // mean 0.025; sample variance (0.075² + 0.125² + 0.075² + 0.025²) / 3 = 0.0275 / 3
    const std = Math.sqrt(0.0275 / 3);
    close(out.totalReturn, 0.089, 12);
    close(out.annualizedReturn!, 0.089, 12);
    close(out.volatility!, std * 2, 12);
    close(out.sharpe!, (0.025 / std) * 2, 12);
    // downside deviation √(0.01 / 4) = 0.05: sortino = 0.025 × 4 / (0.05 × 2) = 1
    close(out.sortino!, 1, 12);
    close(out.maxDrawdown, 0.1, 12);
    close(out.calmar!, 0.89, 12);
    expect(out.trades).toBe(3);
    close(out.winRate!, 2 / 3, 12);
    close(out.profitFactor!, 4, 12);
    close(out.expectancy!, 2, 12);
    close(out.exposure, 0.75, 12);
  });

  it('reports null for undefined ratios', () => {
    const m = new MetricsAccumulator(100);
    m.addBar(100);
    const out = m.finish({
      barsPerYear: 8760, exposedBars: 0, liquidations: 0, liquidationLoss: 0, fees: 0, funding: 0,
      rejectedOrders: 0, maxMarginRatio: 0, ruined: false,
    });
    expect(out.volatility).toBeNull();
    expect(out.sharpe).toBeNull();
    expect(out.sortino).toBeNull();
    expect(out.calmar).toBeNull();
    expect(out.winRate).toBeNull();
    expect(out.profitFactor).toBeNull();
    expect(out.expectancy).toBeNull();
  });

  it('takes Π(1 + r) by segments: equity through 0, back above it, and long random paths', () => {
    const product = (balance: number, path: number[]): number => {
      let prev = balance;
      let g = 1;
      for (const e of path) {
        g *= 1 + (prev > 0 ? e / prev - 1 : 0);
        prev = e;
      }
      return g;
    };
    const annualized = (balance: number, path: number[]): number => {
      const m = new MetricsAccumulator(balance);
      for (const e of path) m.addBar(e);
      const out = m.finish({
        barsPerYear: path.length, exposedBars: 0, liquidations: 0, liquidationLoss: 0, fees: 0, funding: 0,
        rejectedOrders: 0, maxMarginRatio: 0, ruined: false,
      });
      return out.annualizedReturn!;
    };
    // 100 → 120 → 60 → −30 (the segment ends: 1 + r = −0.5) → 0 → 50 (a new one starts; r = 0 twice) → 75
    // Π = (−30 / 100) × (75 / 50) = −0.45, and ann / n = 1: annualizedReturn = −1.45
    const path = [120, 60, -30, 0, 50, 75];
    expect(product(100, path)).toBeCloseTo(-0.45, 14);
    expect(annualized(100, path)).toBeCloseTo(-1.45, 14);
    // ends at 0: the product is 0
    expect(annualized(100, [90, 0])).toBe(-1);
    // a million bars of random returns: the segment ratio and the running product agree to rounding
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
    const long: number[] = [];
    let e = 10000;
    for (let t = 0; t < 1_000_000; t++) long.push((e *= 1 + 0.002 * rand()));
    const g = product(10000, long);
    expect(Math.abs(annualized(10000, long) + 1 - g) / Math.abs(g)).toBeLessThan(1e-12);
  });
});
