// Hand-computed scenarios through the WASM engine (runKernel / KernelSession). The expected
// values are worked out in the comments from SPEC.md and docs/semantics.md. Hourly bars
// (ann = 8,760), BTC at 60,000 and ETH at 3,000 in their first tier (mmr 0.004, cum 0), fixed
// margin 1,000 at L = 10: N = 10,000, q_BTC = 1/6, q_ETH = 10/3.
import { describe, expect, it } from 'vitest';
import { KernelSession, runKernel } from '../../src/engine/kernel.js';
import { runReference } from '../../src/engine/reference.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import { candlesOf, flatBar, specOf, targetsOf } from '../helpers/candles.js';

const Q_BTC = 1 / 6;
const Q_ETH = 10 / 3;

/** Relative closeness for hand-computed values (the kernel's own rounding is ~1e-16). */
function near(actual: number | null | undefined, expected: number, tol = 1e-12): void {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(expected)));
}

type Bar = [number, number, number, number];

describe('WASM engine: isolated liquidation', () => {
  it('liquidates a long intrabar at its LP when the mark low reaches it, returning what the fee leaves', () => {
    // LP = (q EP − IW) / (q (1 − 0.004)) = 9,000 / (0.996 q) = 54,216.867470. The last-price low
    // (55,000) stays above it; the mark low (54,000) does not: trigger at LP, not a proxy.
    // At LP the margin balance is MM = 0.004 × N_LP; with a 0.2 % liquidation fee,
    // returned = 0.002 × N_LP = 0.002 × 9,000 / 0.996 and loss = 1,000 − returned.
    const last: Bar[] = [flatBar(60000), flatBar(60000), [60000, 60500, 55000, 58000], flatBar(58000)];
    const mark: Bar[] = [flatBar(60000), flatBar(60000), [60000, 60500, 54000, 58000], flatBar(58000)];
    const c = candlesOf({ BTCUSDT: { bars: last, mark } });
    const r = runKernel(specOf(['BTCUSDT'], { liquidationFeeRate: 0.002 }), c, targetsOf([1, 1, 1, 1]));
    const lp = 9000 / (Q_BTC * 0.996);
    const returned = 0.002 * (9000 / 0.996);
    expect(r.liquidations).toHaveLength(1);
    const l = r.liquidations![0]!;
    expect(l).toMatchObject({ symbol: 'BTCUSDT', side: 1, where: 'intrabar', proxy: false, group: 1, time: c.time[2] });
    near(l.triggerPrice, lp);
    near(l.loss, 1000 - returned);
    // the symbol stays flat after its liquidation, though the target is still 1
    expect(r.trades).toHaveLength(1);
    expect(r.trades![0]).toMatchObject({ reason: 'liquidation', side: 1, entryPrice: 60000, entryTime: c.time[1] });
    near(r.trades![0]!.exitPrice, lp);
    near(r.trades![0]!.pnl, -(1000 - returned));
    near(r.metrics.finalEquity, 9000 + returned);
    near(r.metrics.liquidationLoss, 1000 - returned);
    expect(r.metrics.liquidations).toBe(1);
  });

  it('a gap through a short’s LP at the open loses exactly the isolated wallet and no more', () => {
    // ETH short q = 10/3 @ 3,000, IW 1,000: LP = 11,000 / (q × 1.004) = 3,286.85. The open of bar 2
    // gaps to 3,600: IW + uPnL = 1,000 − 2,000 < 0, so nothing returns and the loss is the IW.
    const bars: Bar[] = [flatBar(3000), flatBar(3000), [3600, 3700, 3500, 3650], flatBar(3650)];
    const r = runKernel(specOf(['ETHUSDT'], { feeRate: 0 }), candlesOf({ ETHUSDT: { bars } }), targetsOf([-1, -1, -1, -1]));
    expect(r.liquidations).toEqual([
      { time: 1_735_689_600_000 + 2 * 3_600_000, symbol: 'ETHUSDT', side: -1, triggerPrice: 3600, where: 'open', loss: 1000, group: 1, proxy: true },
    ]);
    expect(r.metrics.finalEquity).toBe(9000);
    expect(r.trades![0]!.pnl).toBe(-1000);
  });

  it('threshold model: LP = EP − (IW − (1 − x) IM) / q, liquidated at it', () => {
    // x = 0.9: MM = 0.1 × 1,000 = 100, LP = 60,000 − 900 × 6 = 54,600; low 54,500 reaches it.
    // returned = 100 − 0.005 × q × 54,600 = 100 − 45.5 = 54.5; loss 945.5.
    const bars: Bar[] = [flatBar(60000), flatBar(60000), [60000, 60000, 54500, 56000], flatBar(56000)];
    const r = runKernel(
      specOf(['BTCUSDT'], { liquidation: { kind: 'threshold', x: 0.9 }, liquidationFeeRate: 0.005 }),
      candlesOf({ BTCUSDT: { bars } }),
      targetsOf([1, 1, 1, 1]),
    );
    expect(r.liquidations).toHaveLength(1);
    near(r.liquidations![0]!.triggerPrice, 54600);
    near(r.liquidations![0]!.loss, 945.5);
    near(r.metrics.finalEquity, 9054.5);
  });
});

describe('WASM engine: cross liquidation', () => {
  it('closes both positions in one group; the losses add up to CW_before − CW_after', () => {
    // Bar 1: BTC long 1/6 @ 60,000 and ETH short 10/3 @ 3,000, CW 2,000. Bar 2: ETH opens at
    // 2,700 (the short gains 1,000). Bar 3: BTC falls to 40,000 while ETH stays at 2,700:
    // f(λ) = 2,000 − 3,333.33 λ + 1,000 − (40 − 13.33 λ) − 36 = 2,924 − 3,320 λ → λ* = 2,924/3,320.
    // With a 0.2 % fee the wallet keeps MM − fee > 0, so no cover: the parts add up exactly.
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), flatBar(60000), flatBar(60000), [60000, 60000, 40000, 41000], flatBar(41000)] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), flatBar(2700), flatBar(2700), flatBar(2700)] },
    });
    const r = runKernel(
      specOf(['BTCUSDT', 'ETHUSDT'], { balance: 2000, marginMode: 'cross', liquidationFeeRate: 0.002 }),
      c,
      targetsOf([1, 1, 1, 1, 1], [-1, -1, -1, -1, -1]),
    );
    const lambda = 2924 / 3320;
    const pBtc = 60000 - 20000 * lambda;
    const nBtc = Q_BTC * pBtc;
    const after = 2000 - Q_BTC * (60000 - pBtc) + 1000 - 0.002 * (nBtc + 9000);
    expect(r.liquidations).toHaveLength(2);
    const [b, e] = r.liquidations!;
    expect(b).toMatchObject({ symbol: 'BTCUSDT', side: 1, where: 'intrabar', group: 1 });
    expect(e).toMatchObject({ symbol: 'ETHUSDT', side: -1, where: 'intrabar', group: 1, triggerPrice: 2700 });
    near(b!.triggerPrice, pBtc);
    near(b!.loss, Q_BTC * (60000 - pBtc) + 0.002 * nBtc);
    // the short in profit is closed too: a negative loss
    near(e!.loss, -1000 + 0.002 * 9000);
    near(b!.loss + e!.loss, 2000 - after, 1e-12);
    near(r.metrics.finalEquity, after);
    near(r.metrics.liquidationLoss, 2000 - after);
    expect(r.metrics.ruined).toBe(false);
    expect(r.trades!.map((t) => t.reason)).toEqual(['liquidation', 'liquidation']);
  });
});

describe('WASM engine: funding', () => {
  it('charges s × q × MP_open × rate: a long pays a positive rate, a short pays a negative one', () => {
    // Bar 2: BTC mark open 60,600, rate +0.001: the long pays 1/6 × 60,600 × 0.001 = 10.1.
    // ETH mark open 3,000, rate −0.002: the short pays −1 × 10/3 × 3,000 × −0.002 = +20.
    // Bar 3: ETH rate +0.001: the short receives 10/3 × 3,000 × 0.001 = 10 (pays −10).
    const btcMark: Bar[] = [flatBar(60000), flatBar(60000), [60600, 60600, 60000, 60000], flatBar(60000)];
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), flatBar(60000), flatBar(60000), flatBar(60000)], mark: btcMark, funding: [NaN, NaN, 0.001, NaN] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), flatBar(3000), flatBar(3000)], funding: [NaN, NaN, -0.002, 0.001] },
    });
    const targets = targetsOf([1, 1, 1, 1], [-1, -1, -1, -1]);
    for (const marginMode of ['isolated', 'cross'] as const) {
      const r = runKernel(specOf(['BTCUSDT', 'ETHUSDT'], { marginMode }), c, targets);
      near(r.metrics.funding, 10.1 + 20 - 10);
      near(r.metrics.finalEquity, 10000 - 20.1);
      const [btc, eth] = [...r.trades!].sort((x, y) => x.symbol.localeCompare(y.symbol));
      near(btc!.funding, 10.1);
      near(eth!.funding, 10);
      near(btc!.pnl, -10.1);
      near(eth!.pnl, -10);
    }
  });

  it('isolated funding moves the cached LP: a received payment saves the position', () => {
    // IW 1,000 + 20 received (rate −0.002 on 10,000) → LP = 8,980 / (0.996 q) = 54,096.39;
    // a low of 54,150 is above it (it would have liquidated the unfunded LP 54,216.87).
    const bars: Bar[] = [flatBar(60000), flatBar(60000), [60000, 60000, 54150, 58000], flatBar(58000)];
    const r = runKernel(specOf(['BTCUSDT']), candlesOf({ BTCUSDT: { bars, funding: [NaN, NaN, -0.002, NaN] } }), targetsOf([1, 1, 1, 1]));
    expect(r.liquidations).toHaveLength(0);
    near(r.metrics.funding, -20);
    near(r.metrics.finalEquity, 9000 + 1020 - 2000 / 6);
  });
});

describe('WASM engine: refused orders', () => {
  it('refuses an isolated open the free wallet cannot pay (margin + fee), at the cent', () => {
    // fee 0.05 % of 10,000 = 5: an open needs 1,005 of free wallet.
    const bars: Bar[] = [flatBar(60000), flatBar(60000), flatBar(60000)];
    const ok = runKernel(specOf(['BTCUSDT'], { balance: 1005, feeRate: 0.0005 }), candlesOf({ BTCUSDT: { bars } }), targetsOf([1, 1, 1]));
    expect(ok.metrics.rejectedOrders).toBe(0);
    expect(ok.metrics.exposure).toBe(2 / 3);
    const refused = runKernel(specOf(['BTCUSDT'], { balance: 1004.99, feeRate: 0.0005 }), candlesOf({ BTCUSDT: { bars } }), targetsOf([1, 1, 1]));
    expect(refused.metrics.rejectedOrders).toBe(1);
    expect(refused.metrics.exposure).toBe(0);
    expect(refused.metrics.finalEquity).toBe(1004.99);
    expect(refused.trades).toEqual([]);
  });

  it('opens BTC and refuses ETH when the wallet can fund only one; a refused order is not retried', () => {
    const c = candlesOf({
      BTCUSDT: { bars: [flatBar(60000), flatBar(60000), flatBar(60000), flatBar(60000)] },
      ETHUSDT: { bars: [flatBar(3000), flatBar(3000), flatBar(3000), flatBar(3000)] },
    });
    for (const marginMode of ['isolated', 'cross'] as const) {
      // cross: available = 1,500 − IM_BTC 1,000 = 500 < 1,000
      const r = runKernel(specOf(['BTCUSDT', 'ETHUSDT'], { balance: 1500, marginMode }), c, targetsOf([1, 1, 1, 1], [1, 1, 1, 1]));
      expect(r.metrics.rejectedOrders).toBe(1);
      expect(r.trades!.map((t) => t.symbol)).toEqual(['BTCUSDT']);
    }
  });

  it('refuses an open whose notional breaks the bracket’s maximum leverage', () => {
    // margin 10,000 × L 100 = 1,000,000 lies in BTC's third tier (max leverage 75)
    const bars: Bar[] = [flatBar(60000), flatBar(60000), flatBar(60000)];
    const r = runKernel(
      specOf(['BTCUSDT'], { balance: 100_000, leverage: 100, sizing: { kind: 'fixed', amount: 10_000 } }),
      candlesOf({ BTCUSDT: { bars } }),
      targetsOf([1, 1, 1]),
    );
    expect(r.metrics.rejectedOrders).toBe(1);
    expect(r.metrics.exposure).toBe(0);
  });
});

describe('WASM engine: trades', () => {
  it('books a flip with fees and slippage as a signal trade and a new one', () => {
    // fee 0.1 %, slippage 0.1 %. Bar 1 buys at 60,060: q = 10,000 / 60,060, fee 10.
    // Bar 2 sells at 66,000 × 0.999 = 65,934: close q (fee q × 65,934 × 0.001), open a short
    // q' = 10,000 / 65,934 (fee 10). Bar 3 ends the short at the mark close 66,000, no fee.
    const bars: Bar[] = [flatBar(60000), flatBar(60000), flatBar(66000), flatBar(66000)];
    const r = runKernel(
      specOf(['BTCUSDT'], { feeRate: 0.001, slippage: 0.001 }),
      candlesOf({ BTCUSDT: { bars } }),
      targetsOf([1, -1, -1, -1]),
    );
    const q = 10000 / (60000 * 1.001);
    const q2 = 10000 / (66000 * 0.999);
    expect(r.trades).toHaveLength(2);
    const [long, short] = r.trades!;
    expect(long).toMatchObject({ side: 1, reason: 'signal' });
    near(long!.entryPrice, 60060);
    near(long!.exitPrice, 65934);
    near(long!.qty, q);
    near(long!.fees, 10 + q * 65934 * 0.001);
    near(long!.pnl, q * (65934 - 60060) - 10 - q * 65934 * 0.001);
    expect(short).toMatchObject({ side: -1, reason: 'end', exitPrice: 66000 });
    near(short!.entryPrice, 65934);
    near(short!.qty, q2);
    near(short!.pnl, -q2 * 66 - 10);
    near(short!.fees, 10);
    // only the signal trade counts in the statistics
    expect(r.metrics.trades).toBe(1);
    expect(r.metrics.winRate).toBe(1);
    expect(r.metrics.profitFactor).toBeNull();
    near(r.metrics.fees, 20 + q * 65934 * 0.001);
  });
});

describe('WASM engine: metrics', () => {
  it('computes the SPEC §7 metrics of a 4-bar equity series by hand', () => {
    // Long 1/6 BTC from bar 1; closes 60,000 / 66,000 / 59,400 / 65,340 give equity
    // 10,000 / 11,000 / 9,900 / 10,890: returns 0, 0.1, −0.1, 0.1.
    const bars: Bar[] = [flatBar(60000), [60000, 66000, 60000, 66000], [66000, 66000, 59400, 59400], [59400, 65340, 59400, 65340]];
    const r = runKernel(specOf(['BTCUSDT']), candlesOf({ BTCUSDT: { bars } }), targetsOf([1, 1, 1, 1]));
    const m = r.metrics;
    const ann = 8760;
    const mean = 0.025;
    // deviations −0.025, 0.075, −0.125, 0.075 → Σ² = 0.0275, sample variance 0.0275 / 3
    const std = Math.sqrt(0.0275 / 3);
    expect(Array.from(r.equity!.equity)).toEqual([10000, 11000, 9900, 10890].map((x, i) => (i === 0 ? x : expect.closeTo(x, 8))));
    near(m.finalEquity, 10890);
    near(m.totalReturn, 0.089);
    near(m.volatility, std * Math.sqrt(ann), 1e-12);
    near(m.sharpe, (mean / std) * Math.sqrt(ann), 1e-12);
    // downside: mean of min(r, 0)² over the 4 bars = 0.01 / 4
    near(m.sortino, (mean * ann) / (Math.sqrt(0.01 / 4) * Math.sqrt(ann)), 1e-12);
    near(m.maxDrawdown, 0.1, 1e-12);
    const annualized = Math.pow(1.1 * 0.9 * 1.1, ann / 4) - 1;
    near(m.annualizedReturn, annualized, 1e-9);
    near(m.calmar, annualized / 0.1, 1e-9);
    // the only trade ends with the data: no trade statistics
    expect(m.trades).toBe(0);
    expect(m.winRate).toBeNull();
    expect(m.profitFactor).toBeNull();
    expect(m.expectancy).toBeNull();
    expect(m.exposure).toBe(0.75);
    // isolated margin ratio MM / (IW + uPnL): bar 1 44 / 2,000, bar 2 39.6 / 900 (the largest)
    near(m.maxMarginRatio, 39.6 / 900, 1e-12);
    expect(m.ruined).toBe(false);
    expect(m.liquidations).toBe(0);
    expect(m.fees).toBe(0);
  });

  it('reports undefined ratios as null on a single bar', () => {
    const r = runKernel(specOf(['BTCUSDT']), candlesOf({ BTCUSDT: { bars: [flatBar(60000)] } }), targetsOf([1]));
    expect(r.metrics).toMatchObject({ finalEquity: 10000, volatility: null, sharpe: null, sortino: null, calmar: null, annualizedReturn: 0 });
  });
});

describe('KernelSession', () => {
  const c = candlesOf({
    BTCUSDT: { bars: [flatBar(60000), flatBar(60000), [60000, 61000, 50000, 52000], flatBar(52000), flatBar(55000), flatBar(50000)], funding: [NaN, 0.001, NaN, -0.001, NaN, NaN] },
    ETHUSDT: { bars: [flatBar(3000), flatBar(3100), flatBar(2900), [2900, 3500, 2800, 3400], flatBar(3000), flatBar(3300)] },
    BNBUSDT: { bars: [flatBar(600), flatBar(610), flatBar(590), flatBar(620), [620, 700, 500, 650], flatBar(640)] },
  });
  const w = {
    BTCUSDT: [1, 1, -1, -1, 0.5, 0.5],
    ETHUSDT: [-1, -1, 1, NaN, 0, -0.5],
    BNBUSDT: [0.5, 1, 1, -1, -1, 1],
  };

  it('runs any subset of the dataset’s symbols, by name, in any order, and resets between runs', () => {
    const session = new KernelSession(c);
    for (const symbols of [['ETHUSDT', 'BTCUSDT'], ['BNBUSDT'], ['BNBUSDT', 'ETHUSDT', 'BTCUSDT']]) {
      for (const marginMode of ['isolated', 'cross'] as const) {
        const spec = specOf(symbols, { marginMode, leverage: 50, feeRate: 0.0005, liquidationFeeRate: 0.01 });
        const sub = { ...c, symbols: symbols.map((s) => c.symbols.find((x) => x.symbol === s)!) };
        const targets = targetsOf(...symbols.map((s) => w[s as keyof typeof w]));
        const first = session.run(spec, targets);
        expect(first).toEqual(runReference(spec, sub, targets));
        expect(session.run(spec, targets)).toEqual(first);
      }
    }
  });

  it('grows its record buffers and runs again when a run has more records than reserved', () => {
    const spec = specOf(['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], { leverage: 50 });
    const targets = targetsOf(w.BTCUSDT, w.ETHUSDT, w.BNBUSDT);
    const roomy = new KernelSession(c).run(spec, targets);
    expect(roomy.trades!.length).toBeGreaterThan(3);
    expect(roomy.liquidations!.length).toBeGreaterThan(1);
    expect(new KernelSession(c, { maxRecords: 1 }).run(spec, targets)).toEqual(roomy);
  });

  it('runMetricsInto writes run()’s metrics as a row in METRIC_NAMES order (null → NaN, ruined → 0/1)', () => {
    const session = new KernelSession(c);
    const out = new Float64Array(3 * METRIC_NAMES.length).fill(-7);
    const cases = [
      { symbols: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], over: { marginMode: 'cross' as const, leverage: 50 } },
      { symbols: ['ETHUSDT'], over: { leverage: 20 } },
      { symbols: ['BNBUSDT'], over: { leverage: 125, feeRate: 0.0005 } },
    ];
    cases.forEach(({ symbols, over }, row) => {
      const spec = specOf(symbols, { ...over, records: false });
      const targets = targetsOf(...symbols.map((s) => w[s as keyof typeof w]));
      const columns = symbols.map((s) => c.symbols.findIndex((x) => x.symbol === s));
      session.runMetricsInto(spec, targets, columns, out, row * METRIC_NAMES.length);
      const m = session.run(spec, targets, columns).metrics;
      const expected = METRIC_NAMES.map((k) => (m[k] === null ? NaN : typeof m[k] === 'boolean' ? Number(m[k]) : m[k]));
      expect(Array.from(out.subarray(row * METRIC_NAMES.length, (row + 1) * METRIC_NAMES.length))).toEqual(expected);
    });
    // the cases cover a null ratio and a liquidation, so both conversions are exercised
    expect(out.some(Number.isNaN)).toBe(true);
    expect(() => session.runMetricsInto(specOf(['BTCUSDT']), targetsOf(w.BTCUSDT), [0], out, 0)).toThrow(/records/);
  });
});
