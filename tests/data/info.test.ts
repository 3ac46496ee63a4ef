import { describe, expect, it } from 'vitest';
import { datasetInfo, formatInfo } from '../../src/data/info.js';
import { writeDataset } from '../../src/data/write.js';
import { H, handCandles, tempDir } from './helpers.js';

describe('data info', () => {
  it('reports symbols, bars, range, columns, gaps and funding events', () => {
    const c = handCandles({ BTCUSDT: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], ETHUSDT: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, { withMark: true });
    // two gaps: 2 bars missing after bar 3, 5 after bar 7
    c.time = Float64Array.from(c.time, (t, i) => t + (i >= 4 ? 2 * H : 0) + (i >= 8 ? 5 * H : 0));
    c.symbols[1]!.mark = null;
    c.symbols[1]!.fundingRate = null;
    const dir = tempDir();
    writeDataset(dir, c);
    const info = datasetInfo(dir);
    expect(info).toEqual({
      path: dir,
      interval: '1h',
      intervalMs: H,
      bars: 10,
      first: '2025-01-01T00:00:00.000Z',
      last: '2025-01-01T16:00:00.000Z',
      gaps: { count: 2, missingBars: 7, largestMs: 6 * H, largestEndsAt: '2025-01-01T15:00:00.000Z' },
      symbols: [
        {
          symbol: 'BTCUSDT',
          columns: ['time', 'open', 'high', 'low', 'close', 'volume', 'mark_open', 'mark_high', 'mark_low', 'mark_close', 'funding_rate'],
          fundingEvents: 2, // bars 0 and 8
        },
        { symbol: 'ETHUSDT', columns: ['time', 'open', 'high', 'low', 'close', 'volume'], fundingEvents: 0 },
      ],
    });
    expect(formatInfo(info).split('\n')).toEqual([
      `${dir}: 2 symbols, 10 bars of 1h`,
      '  from 2025-01-01T00:00:00.000Z to 2025-01-01T16:00:00.000Z',
      '  gaps: 2 (7 missing bars; largest 6h ending 2025-01-01T15:00:00.000Z)',
      '  BTCUSDT  mark, 2 funding events  [time, open, high, low, close, volume, mark_open, mark_high, mark_low, mark_close, funding_rate]',
      '  ETHUSDT  no mark, no funding  [time, open, high, low, close, volume]',
    ]);
  });
});
