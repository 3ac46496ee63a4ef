import { describe, expect, it } from 'vitest';
import { importFiles } from '../../src/data/import/index.js';
import { fixture, fixtureText, H, tempDir, writeTemp } from './helpers.js';

const BTC_START = Date.UTC(2026, 3, 6, 23);
const BTC_END = Date.UTC(2026, 3, 19, 10);

describe('generic OHLCV CSVs with a header', () => {
  it('reads open_time in ms and ignores extra columns (taker_buy_base, taker_buy_quote)', () => {
    const { candles } = importFiles([fixture('binance-futures', 'BTCUSDT-1h.csv')]);
    expect(candles.interval).toBe('1h');
    expect(candles.time.length).toBe(300);
    expect([candles.time[0], candles.time[299]]).toEqual([BTC_START, BTC_END]);
    const s = candles.symbols[0]!;
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([68777, 68880.1, 68227.5, 68817.9, 14131.575]);
    expect([s.open[299], s.high[299], s.low[299], s.close[299], s.volume[299]]).toEqual([74974.6, 75199, 74888, 75175.5, 2776.047]);
  });

  it('reads ISO-8601 text timestamps (nautilus, FTX BTC-PERP 1m) with --symbol', () => {
    const path = fixture('nautilus', 'btc-perp-20211231-20220201_1m.csv');
    expect(() => importFiles([path])).toThrow(/cannot tell the symbol from the file name .*: pass --symbol/);
    const { candles } = importFiles([path], { symbol: 'BTC-PERP' });
    expect(candles.interval).toBe('1m'); // from the name's `_1m`
    expect(candles.time.length).toBe(300);
    expect(candles.time[0]).toBe(Date.UTC(2021, 11, 31, 23, 1));
    expect(candles.time[299]).toBe(Date.UTC(2022, 0, 1, 4, 0));
    const s = candles.symbols[0]!;
    expect(s.symbol).toBe('BTC-PERP');
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([46319, 46385, 46319, 46377, 2300413.7295]);
    expect([s.open[299], s.close[299]]).toEqual([46832, 46809]);
  });

  it('reads epoch seconds, microseconds and nanoseconds, and a `timestamp`/`date` column, alike', () => {
    const dir = tempDir();
    const lines = fixtureText('binance-futures', 'BTCUSDT-1h.csv').trim().split('\n').slice(1, 25);
    const variants: Array<[string, (ms: number) => string]> = [
      ['timestamp', (ms) => String(ms / 1000)],
      ['time', (ms) => `${ms}000`],
      ['date', (ms) => `${ms}000000`],
      ['date', (ms) => new Date(ms).toISOString()],
      ['date', (ms) => new Date(ms + 2 * H).toISOString().replace('Z', '+02:00').replace('T', ' ')],
    ];
    for (const [name, fmt] of variants) {
      const body = lines.map((l) => {
        const [t, ...rest] = l.split(',');
        return [fmt(Number(t)), ...rest].join(',');
      });
      const path = writeTemp(dir, 'BTCUSDT-variant.csv', `${name},open,high,low,close,volume,taker_buy_base,taker_buy_quote\n${body.join('\n')}\n`);
      const { candles } = importFiles([path]);
      expect(candles.time[0]).toBe(BTC_START);
      expect(candles.time[23]).toBe(BTC_START + 23 * H);
      expect(candles.interval).toBe('1h'); // the smallest step, the name has no interval
    }
  });

  it('refuses symbols with different timestamps, naming the first mismatch; --align inner keeps the common bars', () => {
    const btc = fixture('binance-futures', 'BTCUSDT-1h.csv');
    const eth = fixture('binance-futures', 'ETHUSDT-1h.csv');
    expect(() => importFiles([btc, eth])).toThrow(
      'BTCUSDT and ETHUSDT have different timestamps: bar 1 is 2026-04-06T23:00:00.000Z in BTCUSDT ' +
        `(${btc}) but 2026-04-04T03:00:00.000Z in ETHUSDT (${eth}); pass --align inner to keep only the bars they share`,
    );
    const { candles, summary } = importFiles([btc, eth], { align: 'inner' });
    expect(candles.time.length).toBe(300);
    expect([candles.time[0], candles.time[299]]).toEqual([BTC_START, BTC_END]);
    expect(summary.symbols.map((s) => [s.symbol, s.droppedByAlign])).toEqual([
      ['BTCUSDT', 0],
      ['ETHUSDT', 68],
    ]);
    const e = candles.symbols[1]!;
    // ETHUSDT's row at 2026-04-19 10:00 (the last) and at 2026-04-06 23:00 (its 69th)
    expect([e.open[299], e.high[299], e.low[299], e.close[299]]).toEqual([2308.72, 2318.93, 2305.07, 2316.38]);
    expect([e.open[0], e.high[0], e.low[0], e.close[0], e.volume[0]]).toEqual([2103.9, 2109.42, 2086.29, 2106.14, 494194.065]);
  });

  it('keeps bars in [--from, --to)', () => {
    const { candles } = importFiles([fixture('binance-futures', 'BTCUSDT-1h.csv')], {
      from: BTC_START + 10 * H,
      to: BTC_START + 20 * H,
    });
    expect(candles.time.length).toBe(10);
    expect(candles.time[0]).toBe(BTC_START + 10 * H);
    expect(() => importFiles([fixture('binance-futures', 'BTCUSDT-1h.csv')], { from: BTC_END + H })).toThrow(
      /BTCUSDT: no bars in the requested range \(the files cover 2026-04-06T23:00:00.000Z to 2026-04-19T10:00:00.000Z\)/,
    );
  });
});

describe('freqtrade feathers (LZ4, ns timestamps)', () => {
  const ft = (name: string): string => fixture('freqtrade', name);

  it('reads <PAIR>-1h-futures.feather', () => {
    const { candles } = importFiles([ft('XRP_USDT_USDT-1h-futures.feather')]);
    expect(candles.interval).toBe('1h');
    expect(candles.time.length).toBe(100);
    expect(candles.time[0]).toBe(Date.UTC(2021, 10, 17, 1));
    expect(candles.time[99]).toBe(Date.UTC(2021, 10, 21, 4));
    const s = candles.symbols[0]!;
    expect(s.symbol).toBe('XRPUSDT');
    expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([1.0801, 1.09758, 1.07654, 1.07925, 3153694.607359]);
  });

  it('reads a 5m file: 1,999 bars from 2021-11-15 00:00 to 11-21 22:30', () => {
    const { candles } = importFiles([ft('XRP_USDT_USDT-5m-futures.feather')]);
    expect(candles.interval).toBe('5m');
    expect(candles.time.length).toBe(1999);
    expect(candles.time[0]).toBe(Date.UTC(2021, 10, 15));
    expect(candles.time[1998]).toBe(Date.UTC(2021, 10, 21, 22, 30));
  });

  it('joins futures, mark (volume null) and funding of one pair with --align inner', () => {
    const { candles, summary } = importFiles(
      [ft('XRP_USDT_USDT-1h-futures.feather'), ft('XRP_USDT_USDT-1h-mark.feather'), ft('XRP_USDT_USDT-8h-funding_rate.feather')],
      { align: 'inner' },
    );
    expect(candles.time.length).toBe(57);
    expect(summary.symbols[0]).toMatchObject({ symbol: 'XRPUSDT', bars: 57, mark: true, droppedByAlign: 43 });
    // 2021-11-18 00:00:00.017 … 11-19 08:00:00.x: five events inside 11-17 01:00 … 11-19 09:00
    expect(summary.symbols[0]!.funding).toEqual({ applied: 5, skippedOutsideRange: 86 });
    expect(candles.symbols[0]!.mark!.open.length).toBe(57);
  });

  it('refuses files whose names disagree on the interval unless --interval is given', () => {
    expect(() => importFiles([ft('XRP_USDT_USDT-1h-futures.feather'), ft('XRP_USDT_USDT-5m-futures.feather')])).toThrow(
      /file names disagree on the interval: .*1h-futures.feather says 1h, .*5m-futures.feather says 5m/,
    );
  });
});
