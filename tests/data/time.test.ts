import { describe, expect, it } from 'vitest';
import { intervalToMs, msToInterval } from '../../src/data/interval.js';
import { numberProblem, parseDecimal } from '../../src/data/numbers.js';
import { hintsFromPath } from '../../src/data/import/names.js';
import { epochToMs, parseTimestamp } from '../../src/data/time.js';

const T = Date.UTC(2024, 0, 15, 8, 30);

describe('timestamps', () => {
  it('reads epoch s, ms, µs and ns by magnitude', () => {
    expect(epochToMs(T / 1000)).toBe(T);
    expect(epochToMs(T)).toBe(T);
    expect(epochToMs(T * 1000)).toBe(T);
    expect(epochToMs(T * 1e6)).toBe(T);
    expect(parseTimestamp('1705307400')).toBe(T);
    expect(parseTimestamp('1705307400000000000')).toBe(T);
    expect(parseTimestamp('1705307400.5')).toBe(T + 500);
  });

  it('reads ISO-8601 text as UTC unless it names a zone', () => {
    expect(parseTimestamp('2024-01-15T08:30:00Z')).toBe(T);
    expect(parseTimestamp('2024-01-15 08:30:00.000000')).toBe(T);
    expect(parseTimestamp('2024-01-15T08:30')).toBe(T);
    expect(parseTimestamp('2024-01-15T10:30:00+02:00')).toBe(T);
    expect(parseTimestamp('2024-01-15T03:30:00-0500')).toBe(T);
    expect(parseTimestamp('2024-01-15T08:30:00.25Z')).toBe(T + 250);
    expect(parseTimestamp('2024-01-15')).toBe(Date.UTC(2024, 0, 15));
  });

  it('refuses what is not a time', () => {
    for (const bad of ['', 'yesterday', '2024-02-30', '2024-13-01', '2024-01-15T24:00', '12:00', 'NaN']) {
      expect(parseTimestamp(bad)).toBeNaN();
    }
  });
});

describe('numbers and intervals', () => {
  it('parses decimals strictly', () => {
    expect(parseDecimal('8.4E-7')).toBe(8.4e-7);
    expect(parseDecimal(' 93548.80 ')).toBe(93548.8);
    expect(parseDecimal('-0.00012359')).toBe(-0.00012359);
    for (const bad of ['', '0x10', '1,5', '1e', 'NaN', 'Infinity', '1e400']) expect(parseDecimal(bad)).toBeNaN();
    expect(numberProblem('abc')).toBe('not a number');
    expect(numberProblem('-inf')).toBe('not a finite number');
    expect(numberProblem('1e400')).toBe('not a finite number');
  });

  it('converts interval labels', () => {
    expect(intervalToMs('1m')).toBe(60_000);
    expect(intervalToMs('4h')).toBe(14_400_000);
    expect(intervalToMs('1w')).toBe(604_800_000);
    expect(intervalToMs('1M')).toBeNull();
    expect(intervalToMs('0m')).toBeNull();
    expect(msToInterval(3_600_000)).toBe('1h');
    expect(msToInterval(5_400_000)).toBe('90m');
    expect(msToInterval(86_400_000)).toBe('1d');
    expect(msToInterval(1500)).toBe('1500ms');
  });

  it('reads symbol, interval and kind from exchange and freqtrade file names', () => {
    expect(hintsFromPath('/x/BTCUSDT-1h-2024-01.csv')).toEqual({ symbol: 'BTCUSDT', interval: '1h', kind: null });
    expect(hintsFromPath('/x/futures/um/monthly/markPriceKlines/BTCUSDT/1h/BTCUSDT-1h-2024-01.zip')).toEqual({
      symbol: 'BTCUSDT',
      interval: '1h',
      kind: 'mark',
    });
    expect(hintsFromPath('BTCUSDT-fundingRate-2024-01.csv')).toEqual({ symbol: 'BTCUSDT', interval: null, kind: 'funding' });
    expect(hintsFromPath('BTC_USDT_USDT-1h-futures.feather')).toEqual({ symbol: 'BTCUSDT', interval: '1h', kind: null });
    expect(hintsFromPath('ETH_USDT_USDT-1h-mark.feather')).toEqual({ symbol: 'ETHUSDT', interval: '1h', kind: 'mark' });
    expect(hintsFromPath('XRP_USDT_USDT-8h-funding_rate.feather')).toEqual({ symbol: 'XRPUSDT', interval: '8h', kind: 'funding' });
    expect(hintsFromPath('btc-perp-20211231-20220201_1m.csv')).toEqual({ symbol: null, interval: '1m', kind: null });
  });
});
