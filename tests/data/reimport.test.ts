// Dataset files are importer inputs too: re-importing keeps mark prices and funding exactly.
import { describe, expect, it } from 'vitest';
import { importFiles } from '../../src/data/import/index.js';
import { loadDataset } from '../../src/data/load.js';
import { handCandles, T0, tempDir } from './helpers.js';
import { writeDataset } from '../../src/data/write.js';
import { join } from 'node:path';

describe('importing margincall dataset files', () => {
  it('keeps candles, mark prices and funding of the bundled sample', () => {
    const from = Date.UTC(2025, 5, 1), to = Date.UTC(2025, 6, 1);
    const { candles, summary } = importFiles(['data/sample/BTCUSDT.arrow', 'data/sample/ETHUSDT.arrow'], { from, to });
    const original = loadDataset('data/sample', { symbols: ['BTCUSDT', 'ETHUSDT'], from, to });
    expect(candles.interval).toBe('1h');
    expect(Array.from(candles.time)).toEqual(Array.from(original.time));
    expect(candles.time.length).toBe(30 * 24);
    for (let k = 0; k < 2; k++) {
      const a = candles.symbols[k]!, b = original.symbols[k]!;
      expect(a.symbol).toBe(b.symbol);
      expect(Array.from(a.close)).toEqual(Array.from(b.close));
      expect(Array.from(a.mark!.low)).toEqual(Array.from(b.mark!.low));
      expect(Array.from(a.fundingRate!)).toEqual(Array.from(b.fundingRate!));
    }
    // June has 90 funding events; the rest of the year's are outside the range
    expect(summary.symbols[0]!.funding).toEqual({ applied: 90, skippedOutsideRange: 1095 - 90 });
  });

  it('keeps funding on its bar even for bars closer together than the 60 s lateness', () => {
    const c = handCandles({ BTCUSDT: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, { stepMs: 10_000 });
    c.interval = '10s';
    c.intervalMs = 10_000;
    const dir = tempDir();
    writeDataset(dir, c);
    const { candles } = importFiles([join(dir, 'BTCUSDT.arrow')]);
    expect(Array.from(candles.symbols[0]!.fundingRate!, (x) => (Number.isNaN(x) ? null : x))).toEqual(
      Array.from(c.symbols[0]!.fundingRate!, (x) => (Number.isNaN(x) ? null : x)),
    );
    expect(candles.time[1]! - candles.time[0]!).toBe(10_000);
    expect(candles.time[0]).toBe(T0);
  });
});
