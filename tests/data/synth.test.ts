import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prng } from '../../src/data/prng.js';
import { synthesize } from '../../src/data/synth.js';
import { validateSeries, MARK_FIELDS } from '../../src/data/validate.js';
import { encodeSymbol, writeDataset } from '../../src/data/write.js';
import { loadDataset } from '../../src/data/load.js';
import { tempDir } from './helpers.js';

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'];
const H8 = 8 * 3_600_000;

function logReturns(close: Float64Array): Float64Array {
  return Float64Array.from({ length: close.length - 1 }, (_, i) => Math.log(close[i + 1]! / close[i]!));
}

function correlation(a: Float64Array, b: Float64Array): number {
  const mean = (x: Float64Array): number => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a), mb = mean(b);
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function kurtosis(x: Float64Array): number {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  let m2 = 0, m4 = 0;
  for (const v of x) {
    m2 += (v - m) ** 2;
    m4 += (v - m) ** 4;
  }
  m2 /= x.length;
  m4 /= x.length;
  return m4 / (m2 * m2);
}

describe('synthetic data', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other bytes', () => {
    const opts = { symbols: SYMBOLS, bars: 5000, interval: '1m', seed: 42 };
    const a = synthesize(opts), b = synthesize(opts), c = synthesize({ ...opts, seed: 43 });
    for (let i = 0; i < SYMBOLS.length; i++) {
      expect(Buffer.from(encodeSymbol(a, i)).equals(Buffer.from(encodeSymbol(b, i)))).toBe(true);
      expect(Buffer.from(encodeSymbol(a, i)).equals(Buffer.from(encodeSymbol(c, i)))).toBe(false);
    }
    // and through files: two directories written from the same seed hold identical files
    const d1 = tempDir(), d2 = tempDir();
    writeDataset(d1, a);
    writeDataset(d2, synthesize(opts));
    for (const s of SYMBOLS) {
      expect(readFileSync(join(d1, `${s}.arrow`)).equals(readFileSync(join(d2, `${s}.arrow`)))).toBe(true);
    }
  });

  it('produces valid, consistent candles with mark prices near last and 8-hourly funding', () => {
    const n = 30_000;
    const c = synthesize({ symbols: SYMBOLS, bars: n, interval: '1m', seed: 7 });
    expect(c.time.length).toBe(n);
    expect(c.time[0]).toBe(Date.UTC(2024, 0, 1));
    expect(c.time[n - 1]! - c.time[n - 2]!).toBe(60_000);
    for (const s of c.symbols) {
      // the loader's own rules: prices > 0, volume ≥ 0, high ≥ max(open, close), low ≤ min(open, close), steps
      validateSeries({ time: c.time, ...s }, { file: s.symbol, intervalMs: 60_000 });
      validateSeries({ time: c.time, ...s.mark!, volume: null }, { file: s.symbol, intervalMs: 60_000, fields: MARK_FIELDS });
      for (let i = 0; i < n; i++) {
        if (i > 0 && s.open[i] !== s.close[i - 1]) throw new Error(`${s.symbol} bar ${i}: open is not the previous close`);
        const basis = s.mark!.close[i]! / s.close[i]! - 1;
        if (Math.abs(basis) > 0.005) throw new Error(`${s.symbol} bar ${i}: mark ${basis} away from last`);
      }
      let events = 0;
      s.fundingRate!.forEach((r, i) => {
        if (Number.isNaN(r)) return;
        events++;
        expect(c.time[i]! % H8).toBe(0);
        expect(Math.abs(r)).toBeLessThanOrEqual(0.003);
      });
      // 30,000 minutes = 500 h: events at 0 h, 8 h, …, 496 h
      expect(events).toBe(63);
    }
  });

  it('looks like crypto: correlated symbols and fat-tailed returns', () => {
    const c = synthesize({ symbols: SYMBOLS, bars: 50_000, interval: '1m', seed: 3 });
    const [btc, eth, bnb] = c.symbols.map((s) => logReturns(s.close));
    expect(correlation(btc!, eth!)).toBeGreaterThan(0.5);
    expect(correlation(btc!, bnb!)).toBeGreaterThan(0.5);
    expect(kurtosis(btc!)).toBeGreaterThan(5); // a normal distribution has 3
    // daily-scale volatility within a sane band for BTC (annualised 20 %–200 %)
    const sd = Math.sqrt(btc!.reduce((s, v) => s + v * v, 0) / btc!.length);
    const annual = sd * Math.sqrt(365 * 24 * 60);
    expect(annual).toBeGreaterThan(0.2);
    expect(annual).toBeLessThan(2);
  });

  it('sums the events of a day into each daily bar, and round-trips through a file', () => {
    const c = synthesize({ symbols: ['SOLUSDT', 'NEWCOINUSDT'], bars: 30, interval: '1d', seed: 5 });
    expect(c.symbols[0]!.fundingRate!.every((r) => !Number.isNaN(r))).toBe(true);
    const dir = tempDir();
    writeDataset(dir, c);
    const back = loadDataset(dir);
    expect(back.interval).toBe('1d');
    expect(back.symbols.map((s) => s.symbol)).toEqual(['NEWCOINUSDT', 'SOLUSDT']);
    expect(Array.from(back.symbols[1]!.close)).toEqual(Array.from(c.symbols[0]!.close));
  });

  it('refuses bad options', () => {
    expect(() => synthesize({ symbols: SYMBOLS, bars: 0 })).toThrow(/--bars must be a positive integer/);
    expect(() => synthesize({ symbols: SYMBOLS, bars: 10, interval: '1M' })).toThrow(/--interval '1M' is not an interval/);
    expect(() => synthesize({ symbols: [], bars: 10 })).toThrow(/at least one symbol/);
    expect(() => synthesize({ symbols: ['A', 'A'], bars: 10 })).toThrow(/duplicate/);
  });

  it('uses a seeded generator: uniform in (0, 1), normals with mean 0 and variance 1', () => {
    const r = new Prng(1);
    const again = new Prng(1);
    let sum = 0, sq = 0, t4 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      if (u !== again.uniform() || !(u > 0 && u < 1)) throw new Error(`uniform ${u} out of range or not repeatable`);
      const z = r.normal();
      again.normal();
      sum += z;
      sq += z * z;
      const t = r.student4();
      again.student4();
      t4 += t * t;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.02);
    expect(Math.abs(t4 / n - 1)).toBeLessThan(0.1); // scaled to unit variance
  });
});
