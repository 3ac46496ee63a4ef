// The bundled real sample that `npm start` and other tests use.
import { describe, expect, it } from 'vitest';
import { datasetInfo } from '../../src/data/info.js';
import { loadDataset } from '../../src/data/load.js';

describe('data/sample', () => {
  it('holds BTC, ETH and BNB 1h for 2025 with mark prices and funding on common timestamps', () => {
    const c = loadDataset('data/sample');
    expect(c.interval).toBe('1h');
    expect(c.symbols.map((s) => s.symbol)).toEqual(['BNBUSDT', 'BTCUSDT', 'ETHUSDT']);
    expect(c.time.length).toBe(8760);
    expect(c.time[0]).toBe(Date.UTC(2025, 0, 1));
    expect(c.time[8759]).toBe(Date.UTC(2025, 11, 31, 23));
    const btc = c.symbols[1]!;
    // 2025-01-01 00:00, the same values as Binance's monthly archive (gg-cmk fixture, first row)
    expect([btc.open[0], btc.high[0], btc.low[0], btc.close[0], btc.volume[0]]).toEqual([93548.8, 94449.2, 93460.2, 94363.6, 5744.609]);
    for (const s of c.symbols) {
      expect(s.mark).not.toBeNull();
      expect(s.fundingRate).not.toBeNull();
    }
    // the 2025-01-07 16:00 event (0.00008279, from the archive) sits on bar 160
    expect(btc.fundingRate![160]).toBe(0.00008279);
    const info = datasetInfo('data/sample');
    expect(info.gaps.count).toBe(0);
    expect(info.symbols.map((s) => s.fundingEvents)).toEqual([1095, 1095, 1095]);
  });
});
