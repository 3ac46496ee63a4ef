import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../src/data/import/index.js';
import { fixture, fixtureText, H, tempDir, writeTemp } from './helpers.js';

const JAN = Date.UTC(2025, 0, 1);
const GG = 'gg-cmk-binance-quant';

function expectJanuaryBtc(c: ReturnType<typeof importFiles>['candles']): void {
  expect(c.interval).toBe('1h');
  expect(c.time.length).toBe(744);
  expect(c.time[0]).toBe(JAN);
  expect(c.time[743]).toBe(Date.UTC(2025, 0, 31, 23));
  const s = c.symbols[0]!;
  expect(s.symbol).toBe('BTCUSDT');
  // first and last rows of the file, read by eye
  expect([s.open[0], s.high[0], s.low[0], s.close[0], s.volume[0]]).toEqual([93548.8, 94449.2, 93460.2, 94363.6, 5744.609]);
  expect([s.open[743], s.high[743], s.low[743], s.close[743], s.volume[743]]).toEqual([
    102212.8, 102390.5, 101900.5, 102379.7, 2783.077,
  ]);
}

/** The fixture's rows without its header: exactly what Binance's monthly archive CSVs hold. */
function headerless(): string {
  return fixtureText(GG, 'BTCUSDT-1h-futures.csv').split('\n').slice(1).join('\n');
}

describe('Binance USDⓈ-M kline CSVs', () => {
  it('reads the 12-column layout with a (camelCase) header, symbol and interval from the name', () => {
    const { candles } = importFiles([fixture(GG, 'BTCUSDT-1h-futures.csv')]);
    expectJanuaryBtc(candles);
    expect(candles.symbols[0]!.mark).toBeNull();
    expect(candles.symbols[0]!.fundingRate).toBeNull();
  });

  it('reads the archive layout without a header', () => {
    const dir = tempDir();
    const { candles } = importFiles([writeTemp(dir, 'BTCUSDT-1h-2025-01.csv', headerless())]);
    expectJanuaryBtc(candles);
  });

  it('reads the .zip the archive ships, split across two monthly files joined in time order', () => {
    const dir = tempDir();
    const lines = headerless().trim().split('\n');
    const firstHalf = lines.slice(0, 400).join('\n') + '\n';
    const secondHalf = lines.slice(400).join('\n') + '\n';
    // passed out of order on purpose: files are joined by their first bar
    const b = writeTemp(dir, 'BTCUSDT-1h-2025-01b.zip', zipSync({ 'BTCUSDT-1h-2025-01b.csv': strToU8(secondHalf) }));
    const a = writeTemp(dir, 'BTCUSDT-1h-2025-01a.zip', zipSync({ 'BTCUSDT-1h-2025-01a.csv': strToU8(firstHalf) }));
    const { candles, summary } = importFiles([b, a]);
    expectJanuaryBtc(candles);
    expect(summary.symbols[0]!.files).toEqual([`${a}:BTCUSDT-1h-2025-01a.csv`, `${b}:BTCUSDT-1h-2025-01b.csv`]);
  });

  it('refuses two files that overlap in time, naming the later one', () => {
    const dir = tempDir();
    const lines = headerless().trim().split('\n');
    const a = writeTemp(dir, 'BTCUSDT-1h-a.csv', lines.slice(0, 10).join('\n'));
    const b = writeTemp(dir, 'BTCUSDT-1h-b.csv', lines.slice(9, 20).join('\n'));
    expect(() => importFiles([a, b])).toThrow(
      `${b}, row 1, field 'open_time': first bar 2025-01-01T09:00:00.000Z overlaps ${a}, which ends at 2025-01-01T09:00:00.000Z`,
    );
  });

  it('takes --symbol and --interval over the file name', () => {
    const dir = tempDir();
    const path = writeTemp(dir, 'klines.csv', headerless());
    const { candles } = importFiles([path], { symbol: 'BTCUSDT', interval: '1h' });
    expectJanuaryBtc(candles);
  });
});

describe('Binance markPriceKlines', () => {
  it('merges mark candles (12-column layout, volume 0) into mark_*, told apart by the archive folder', async () => {
    // the mark series of the freqtrade fixture written the way Binance's markPriceKlines archive is
    const { readArrowTable } = await import('../../src/data/arrow-io.js');
    const t = readArrowTable(fixture('freqtrade', 'XRP_USDT_USDT-1h-mark.feather'));
    const rows: string[] = [];
    for (let i = 0; i < t.numRows; i++) {
      const r = t.get(i)!.toJSON() as Record<string, number>;
      rows.push([r.date, r.open, r.high, r.low, r.close, 0, r.date + H - 1, 0, 0, 0, 0, 0].join(','));
    }
    const dir = join(tempDir(), 'markPriceKlines', 'XRPUSDT', '1h');
    mkdirSync(dir, { recursive: true });
    const mark = writeTemp(dir, 'XRPUSDT-1h-2021-11.csv', rows.join('\n') + '\n');
    const futures = fixture('freqtrade', 'XRP_USDT_USDT-1h-futures.feather');
    expect(() => importFiles([futures, mark])).toThrow(/XRPUSDT candles and XRPUSDT mark prices have different timestamps: bar 1/);
    const { candles, summary } = importFiles([futures, mark], { align: 'inner' });
    // futures 2021-11-17 01:00 … 11-21 04:00, mark 11-15 06:00 … 11-19 09:00: 57 common hours
    expect(candles.time.length).toBe(57);
    expect(candles.time[0]).toBe(Date.UTC(2021, 10, 17, 1));
    expect(candles.time[56]).toBe(Date.UTC(2021, 10, 19, 9));
    expect(summary.symbols[0]!.mark).toBe(true);
    expect(summary.symbols[0]!.droppedByAlign).toBe(43);
    const m = candles.symbols[0]!.mark!;
    // row 44 of the mark feather is 2021-11-17 01:00 (43 hours after 11-15 06:00)
    const r = t.get(43)!.toJSON() as Record<string, number>;
    expect(r.date).toBe(Date.UTC(2021, 10, 17, 1));
    expect([m.open[0], m.high[0], m.low[0], m.close[0]]).toEqual([r.open, r.high, r.low, r.close]);
    expect(candles.symbols[0]!.open[0]).toBe(1.0801);
  });

  it('takes --mark for a file whose name does not say', () => {
    const dir = tempDir();
    const body = headerless();
    const trades = writeTemp(dir, 'BTCUSDT-1h-2025-01.csv', body);
    const mark = writeTemp(dir, 'other.csv', body);
    const { candles } = importFiles([trades], { mark: [mark], symbol: 'BTCUSDT' });
    expect(Array.from(candles.symbols[0]!.mark!.close)).toEqual(Array.from(candles.symbols[0]!.close));
  });
});
