// Every bad-input rule of the importer, each on a real file with one field spoiled.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { importFiles } from '../../src/data/import/index.js';
import { fixture, fixtureText, tempDir, writeTemp } from './helpers.js';

const BASE = fixtureText('binance-futures', 'BTCUSDT-1h.csv').trim().split('\n');
const COL = { open_time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 } as const;

/** The fixture with data row `row` (1-based) changed by `edit`, imported from a temp file. */
function importSpoiled(row: number, edit: (fields: string[]) => string[]): () => unknown {
  const lines = BASE.slice();
  lines[row] = edit(lines[row]!.split(',')).join(',');
  const path = writeTemp(tempDir(), 'BTCUSDT-1h.csv', lines.join('\n') + '\n');
  return () => importFiles([path]);
}

function setField(row: number, col: keyof typeof COL, value: string): () => unknown {
  return importSpoiled(row, (f) => {
    f[COL[col]] = value;
    return f;
  });
}

function errorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('bad input is refused with file, row and field', () => {
  it('an unparsable number', () => {
    const e = errorOf(setField(5, 'open', '68.8k'));
    expect(e.message).toMatch(/BTCUSDT-1h\.csv, row 5, field 'open': '68\.8k' is not a number$/);
    expect(e.place).toMatchObject({ row: 5, field: 'open' });
    expect(e.place.file).toMatch(/BTCUSDT-1h\.csv$/);
  });

  it('an empty field', () => {
    expect(errorOf(setField(9, 'volume', '')).message).toMatch(/row 9, field 'volume': '' is not a number$/);
  });

  it('NaN and Infinity', () => {
    expect(errorOf(setField(3, 'high', 'NaN')).message).toMatch(/row 3, field 'high': 'NaN' is not a finite number$/);
    expect(errorOf(setField(4, 'close', 'Infinity')).message).toMatch(/row 4, field 'close': 'Infinity' is not a finite number$/);
    expect(errorOf(setField(4, 'low', '1e999')).message).toMatch(/row 4, field 'low': '1e999' is not a finite number$/);
  });

  it('a price ≤ 0', () => {
    expect(errorOf(setField(7, 'low', '0')).message).toMatch(/row 7, field 'low': price 0 must be > 0$/);
    expect(errorOf(setField(8, 'open', '-68777')).message).toMatch(/row 8, field 'open': price -68777 must be > 0$/);
  });

  it('a negative volume', () => {
    expect(errorOf(setField(11, 'volume', '-0.5')).message).toMatch(/row 11, field 'volume': volume -0\.5 must be ≥ 0$/);
  });

  it('high below max(open, close)', () => {
    // row 1: open 68777.00, high 68880.10, close 68817.90
    expect(errorOf(setField(1, 'high', '68800')).message).toMatch(
      /row 1, field 'high': high 68800 is below max\(open, close\) = 68817\.9$/,
    );
  });

  it('low above min(open, close)', () => {
    // row 1: open 68777.00, low 68227.50
    expect(errorOf(setField(1, 'low', '68790')).message).toMatch(/row 1, field 'low': low 68790 is above min\(open, close\) = 68777$/);
  });

  it('a duplicate timestamp', () => {
    const run = importSpoiled(6, (f) => [BASE[5]!.split(',')[0]!, ...f.slice(1)]);
    expect(errorOf(run).message).toMatch(/row 6, field 'open_time': duplicate timestamp 2026-04-07T03:00:00\.000Z \(same as the previous row\)$/);
  });

  it('a decreasing timestamp', () => {
    const run = importSpoiled(6, (f) => [BASE[2]!.split(',')[0]!, ...f.slice(1)]);
    expect(errorOf(run).message).toMatch(
      /row 6, field 'open_time': timestamp 2026-04-07T00:00:00\.000Z is before the previous row's 2026-04-07T03:00:00\.000Z$/,
    );
  });

  it('a step that is not a whole multiple of the interval (gaps are fine)', () => {
    const half = importSpoiled(10, (f) => [String(Number(f[0]) + 1_800_000), ...f.slice(1)]);
    const lines = BASE.slice();
    lines.splice(10, 1);
    expect(errorOf(half).message).toMatch(
      /row 10, field 'open_time': step of 90m from the previous row \(2026-04-07T07:00:00\.000Z → 2026-04-07T08:30:00\.000Z\) is not a whole multiple of the interval 1h$/,
    );
    // the same file with a row missing imports: a gap, not an error
    const gap = writeTemp(tempDir(), 'BTCUSDT-1h.csv', lines.join('\n'));
    expect(importFiles([gap]).candles.time.length).toBe(299);
  });

  it('an unparsable timestamp', () => {
    expect(errorOf(setField(2, 'open_time', '2026-04-07T25:00')).message).toMatch(
      /row 2, field 'open_time': '2026-04-07T25:00' is not a timestamp/,
    );
  });

  it('an empty file, and a file with only a header', () => {
    const dir = tempDir();
    const empty = writeTemp(dir, 'BTCUSDT-1h.csv', '');
    expect(errorOf(() => importFiles([empty])).message).toBe(`${empty}: empty file (no data rows)`);
    const header = writeTemp(dir, 'ETHUSDT-1h.csv', BASE[0] + '\n');
    expect(errorOf(() => importFiles([header])).message).toBe(`${header}: empty file (no data rows)`);
    const zeroFeather = writeTemp(dir, 'XRP_USDT_USDT-1h-futures.feather', '');
    expect(errorOf(() => importFiles([zeroFeather])).message).toBe(`${zeroFeather}: empty file (no data rows)`);
  });

  it('a wrong column count', () => {
    const e = errorOf(importSpoiled(12, (f) => f.slice(0, 7)));
    expect(e.message).toMatch(/row 12: wrong column count: 7 columns, expected 8 \(columns: open_time, open, high, low, close, volume, taker_buy_base, taker_buy_quote\)$/);
    // without a header a file must have Binance's 12 kline columns
    const noHeader = writeTemp(tempDir(), 'BTCUSDT-1h.csv', BASE.slice(1).join('\n'));
    expect(errorOf(() => importFiles([noHeader])).message).toMatch(
      /row 1: wrong column count: 8 columns, expected 12 \(Binance's kline layout; other layouts need a header row naming the columns\)$/,
    );
  });

  it('a header without the needed columns', () => {
    const path = writeTemp(tempDir(), 'BTCUSDT-1h.csv', 'when,o,h,l,c,v\n1775516400000,1,2,0.5,1.5,3\n');
    expect(errorOf(() => importFiles([path])).message).toMatch(
      /missing a time column \(open_time, timestamp, time or date\), open, high, low, close, volume in the header \(when, o, h, l, c, v\)$/,
    );
  });

  it('a funding rate that is not a number', () => {
    const lines = fixtureText('binance-futures', 'BTCUSDT-funding.csv').trim().split('\n');
    lines[4] = lines[4]!.replace(/,[^,]*$/, ',0.0001%');
    const funding = writeTemp(tempDir(), 'BTCUSDT-funding.csv', lines.join('\n'));
    expect(errorOf(() => importFiles([fixture('binance-futures', 'BTCUSDT-1h.csv'), funding])).message).toBe(
      `${funding}, row 4, field 'funding_rate': '0.0001%' is not a number`,
    );
  });

  it('a decreasing funding time', () => {
    const lines = fixtureText('binance-futures', 'BTCUSDT-funding.csv').trim().split('\n');
    [lines[3], lines[4]] = [lines[4]!, lines[3]!];
    const funding = writeTemp(tempDir(), 'BTCUSDT-funding.csv', lines.join('\n'));
    expect(errorOf(() => importFiles([fixture('binance-futures', 'BTCUSDT-1h.csv'), funding])).message).toMatch(
      /row 4, field 'funding_time': timestamp 2026-04-05T16:00:00\.001Z is before the previous row's 2026-04-06T00:00:00\.004Z$/,
    );
  });

  it('a missing file', () => {
    const path = fixture('binance-futures', 'NOPEUSDT-1h.csv');
    expect(errorOf(() => importFiles([path])).message).toMatch(/NOPEUSDT-1h\.csv: cannot read: ENOENT/);
  });
});
