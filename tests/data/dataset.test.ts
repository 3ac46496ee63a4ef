import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Field, Float64, RecordBatch, Schema, Struct, Table, TimestampMillisecond, makeData, tableToIPC, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadDataset } from '../../src/data/load.js';
import { encodeSymbol, writeDataset, writeSymbolFile } from '../../src/data/write.js';
import { H, T0, handCandles, tempDir, writeTemp } from './helpers.js';

describe('dataset files: write → load', () => {
  it('round-trips every column, the metadata, and null funding as NaN', () => {
    const dir = tempDir();
    const c = handCandles({ BTCUSDT: [100, 101, 99.5, 102, 103, 101, 100, 104, 105, 103], ETHUSDT: [10, 11, 10.5, 10.2, 10.4, 10.1, 10.3, 10.9, 11.1, 11] }, { withMark: true });
    c.symbols[1]!.mark = null;
    c.symbols[1]!.fundingRate = null;
    const paths = writeDataset(dir, c);
    expect(paths).toEqual([join(dir, 'BTCUSDT.arrow'), join(dir, 'ETHUSDT.arrow')]);
    expect(readdirSync(dir).sort()).toEqual(['BTCUSDT.arrow', 'ETHUSDT.arrow']); // no temp files left

    const back = loadDataset(dir);
    expect(back.interval).toBe('1h');
    expect(back.intervalMs).toBe(H);
    expect(Array.from(back.time)).toEqual(Array.from(c.time));
    expect(back.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const [btc, eth] = back.symbols;
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
      expect(Array.from(btc![k])).toEqual(Array.from(c.symbols[0]![k]));
      expect(Array.from(eth![k])).toEqual(Array.from(c.symbols[1]![k]));
    }
    expect(Array.from(btc!.mark!.open)).toEqual(Array.from(c.symbols[0]!.mark!.open));
    expect(Array.from(btc!.mark!.close)).toEqual(Array.from(c.symbols[0]!.mark!.close));
    // funding at bars 0 and 8 (0.0001, 0.0009), NaN elsewhere
    expect(btc!.fundingRate![0]).toBe(0.0001);
    expect(btc!.fundingRate![8]).toBe(0.0001 * 9);
    expect(Number.isNaN(btc!.fundingRate![1]!)).toBe(true);
    expect(eth!.mark).toBeNull();
    expect(eth!.fundingRate).toBeNull();
  });

  it('writes the documented Arrow schema: ms UTC timestamps, Float64, nullable funding, metadata', () => {
    const c = handCandles({ BTCUSDT: [100, 101, 102] }, { withMark: true });
    const table = tableFromIPC(encodeSymbol(c, 0));
    expect(table.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'time:Timestamp<MILLISECOND, UTC>',
      'open:Float64', 'high:Float64', 'low:Float64', 'close:Float64', 'volume:Float64',
      'mark_open:Float64', 'mark_high:Float64', 'mark_low:Float64', 'mark_close:Float64',
      'funding_rate:Float64',
    ]);
    expect(table.schema.metadata.get('symbol')).toBe('BTCUSDT');
    expect(table.schema.metadata.get('interval')).toBe('1h');
    expect(table.getChild('funding_rate')!.nullCount).toBe(2);
    expect(table.getChild('time')!.get(2)).toBe(T0 + 2 * H);
  });

  it('keeps Float64 columns as views of the file bytes (no copy)', () => {
    const dir = tempDir();
    writeDataset(dir, handCandles({ BTCUSDT: Array.from({ length: 1000 }, (_, i) => 100 + (i % 7)) }));
    const { symbols } = loadDataset(dir);
    const s = symbols[0]!;
    expect(s.open.buffer).toBe(s.close.buffer);
    expect(s.open.buffer.byteLength).toBeGreaterThan(s.open.byteLength * 5);
  });

  it('writes one symbol file atomically, and loads a single file as a dataset', () => {
    const dir = tempDir();
    const c = handCandles({ BTCUSDT: [1, 2, 3], ETHUSDT: [4, 5, 6] });
    const path = join(dir, 'eth-copy.arrow');
    writeSymbolFile(path, c, 1);
    expect(readdirSync(dir)).toEqual(['eth-copy.arrow']);
    const back = loadDataset(path);
    expect(back.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT']); // from the metadata
    expect(Array.from(back.symbols[0]!.close)).toEqual([4, 5, 6]);
    expect(() => loadDataset(path, { symbols: ['BTCUSDT'] })).toThrow(/symbol BTCUSDT is not in this file \(available: ETHUSDT\)/);
  });

  it('selects symbols in the order asked, and a time range [from, to)', () => {
    const dir = tempDir();
    writeDataset(dir, handCandles({ BTCUSDT: [1, 2, 3, 4, 5, 6], ETHUSDT: [7, 8, 9, 10, 11, 12] }));
    const c = loadDataset(dir, { symbols: ['ETHUSDT', 'BTCUSDT'], from: T0 + 2 * H, to: T0 + 5 * H });
    expect(c.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
    expect(Array.from(c.time)).toEqual([T0 + 2 * H, T0 + 3 * H, T0 + 4 * H]);
    expect(Array.from(c.symbols[0]!.close)).toEqual([9, 10, 11]);
    expect(Array.from(c.symbols[1]!.close)).toEqual([3, 4, 5]);
    expect(() => loadDataset(dir, { from: T0 + 10 * H })).toThrow(/no bars in the requested time range/);
  });

  it('refuses a missing symbol, listing the available ones', () => {
    const dir = tempDir();
    writeDataset(dir, handCandles({ BTCUSDT: [1, 2], ETHUSDT: [3, 4] }));
    let err: unknown;
    try {
      loadDataset(dir, { symbols: ['BTCUSDT', 'SOLUSDT'] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${dir}: symbol SOLUSDT not in the dataset (available: BTCUSDT, ETHUSDT)`);
  });

  it('refuses symbols whose timestamps differ, naming the first mismatch', () => {
    const dir = tempDir();
    writeDataset(dir, handCandles({ BTCUSDT: [1, 2, 3, 4] }));
    const eth = handCandles({ ETHUSDT: [1, 2, 3, 4] });
    eth.time[2] = T0 + 3 * H;
    eth.time[3] = T0 + 4 * H;
    writeDataset(dir, eth);
    expect(() => loadDataset(dir)).toThrow(
      /ETHUSDT\.arrow: timestamps differ from BTCUSDT's at bar 3: ETHUSDT has 2025-01-01T03:00:00\.000Z, BTCUSDT has 2025-01-01T02:00:00\.000Z/,
    );
  });

  it('validates files written by other tools: a NaN price is refused with row and field', () => {
    const dir = tempDir();
    const fields = ['open', 'high', 'low', 'close', 'volume'].map((n) => new Field(n, new Float64()));
    const time = new BigInt64Array([0n, 1n, 2n].map((i) => BigInt(T0) + i * BigInt(H)));
    const cols = [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
      [1, NaN, 3],
      [0, 0, 0],
    ];
    const allFields = [new Field('time', new TimestampMillisecond('UTC')), ...fields];
    const children = [
      makeData({ type: new TimestampMillisecond('UTC'), length: 3, data: time }),
      ...cols.map((v) => makeData({ type: new Float64(), length: 3, data: Float64Array.from(v) })),
    ];
    const schema = new Schema(allFields, new Map([['symbol', 'XYZUSDT'], ['interval', '1h']]));
    const batch = new RecordBatch(schema, makeData({ type: new Struct(allFields), length: 3, nullCount: 0, children }));
    const path = writeTemp(dir, 'XYZUSDT.arrow', tableToIPC(new Table([batch]), 'file'));
    expect(() => loadDataset(path)).toThrow(`${path}, row 2, field 'close': NaN is not a finite number`);
  });

  it('refuses a directory without datasets and a path that does not exist', () => {
    const dir = tempDir();
    expect(() => loadDataset(dir)).toThrow(/no \.arrow files in this directory/);
    expect(() => loadDataset(join(dir, 'nope'))).toThrow(/no such file or directory/);
    expect(existsSync(join(dir, 'nope'))).toBe(false);
  });

  it('refuses a file whose name and symbol metadata disagree inside a directory', () => {
    const dir = tempDir();
    writeSymbolFile(join(dir, 'SOLUSDT.arrow'), handCandles({ BTCUSDT: [1, 2, 3] }), 0);
    expect(() => loadDataset(dir)).toThrow(/SOLUSDT\.arrow: the file is named for SOLUSDT but its metadata says symbol BTCUSDT/);
  });
});
