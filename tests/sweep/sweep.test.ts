// Sweeps end to end through the library: real piscina pools (1 and 2 worker threads) against the
// in-process task, rows against single backtests, shards merged, interruption and resume, top-K.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candles } from '../../src/data/schema.js';
import { synthesize } from '../../src/data/synth.js';
import { backtest } from '../../src/engine/backtest.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import type { StrategyName } from '../../src/strategies/index.js';
import { readTable, type ResultTable } from '../../src/report/export.js';
import { journalPath, manifestPath } from '../../src/sweep/journal.js';
import { mergeShards } from '../../src/sweep/merge.js';
import { createExecutor, runRange } from '../../src/sweep/pool.js';
import { prepareSweep, sweep, sweepToFile, sweepTop, type PreparedSweep, type SweepSpec } from '../../src/sweep/index.js';
import { TopK, type SweepRow } from '../../src/sweep/sink.js';
import { createEngineShare, createTaskState, METRICS_PER_ROW, runChunk } from '../../src/sweep/task.js';
import { metricDifferences } from '../helpers/metrics.js';
import { candlesFromShared } from '../../src/sweep/shared-candles.js';

const tmp = mkdtempSync(join(tmpdir(), 'margincall-sweep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const candles = synthesize({ symbols: ['BTCUSDT', 'ETHUSDT'], bars: 1500, interval: '5m', seed: 11 });
const spec: SweepSpec = {
  data: candles,
  strategy: 'sma-cross',
  grid: { fast: '3:12:3', slow: '15,30' },
  leverages: [3, 20],
  symbols: [['BTCUSDT'], ['ETHUSDT'], ['BTCUSDT', 'ETHUSDT']],
  workers: 0,
  chunk: 5,
};
// 3 groups × 8 combos × 2 leverages × 2 modes
const TOTAL = 96;

/** Every run's metrics, as raw bytes, in index order. */
async function allMetrics(p: PreparedSweep, workers: number, chunk: number): Promise<Buffer> {
  const out = new Float64Array(p.total * METRICS_PER_ROW);
  const exec = createExecutor(p.grid, p.settings, p.candles, workers);
  let next = 0;
  try {
    const end = await runRange(exec, 0, p.total, chunk, (first, count, m) => {
      expect(first).toBe(next); // delivered in index order
      next += count;
      out.set(m, first * METRICS_PER_ROW);
    });
    expect(end).toBe(p.total);
  } finally {
    await exec.close();
  }
  return Buffer.from(out.buffer);
}

function column(t: ResultTable, name: string) {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return Array.from(c.data as ArrayLike<unknown>);
}

function sameTables(a: ResultTable, b: ResultTable): void {
  expect(a.length).toBe(b.length);
  expect(a.columns.map((c) => c.name)).toEqual(b.columns.map((c) => c.name));
  for (const c of a.columns) expect(column(b, c.name), c.name).toEqual(column(a, c.name));
}

describe('sweep', () => {
  let prepared: PreparedSweep;
  let full: ResultTable;
  beforeAll(async () => {
    prepared = prepareSweep(spec);
    await sweepToFile(prepared, join(tmp, 'full.arrow'));
    full = readTable(join(tmp, 'full.arrow'));
  });

  it('1 worker and 2 workers give bitwise-identical rows, equal to the in-process task', async () => {
    expect(prepared.total).toBe(TOTAL);
    const inProcess = await allMetrics(prepared, 0, 7);
    const one = await allMetrics(prepared, 1, 4);
    const two = await allMetrics(prepared, 2, 3);
    expect(one.equals(inProcess)).toBe(true);
    expect(two.equals(inProcess)).toBe(true);
  });

  it('workers started before the preparation run the sweep it prepares, once, with the same rows', async () => {
    const early = prepareSweep({ ...spec, workers: 2 }, { startWorkers: true });
    expect(early.pool).not.toBeNull();
    const rows: SweepRow[] = [];
    for await (const r of sweep(early)) rows.push(r);
    expect(early.pool).toBeNull(); // taken (and closed) by the sweep
    const inProcess: SweepRow[] = [];
    for await (const r of sweep(spec)) inProcess.push(r);
    expect(rows).toEqual(inProcess);
    // a second sweep of the same preparation starts its own workers
    let again = 0;
    for await (const _ of sweep(early)) again++;
    expect(again).toBe(TOTAL);
    // a preparation that fails closes the workers it started (the error, not a hang)
    expect(() => prepareSweep({ ...spec, leverages: [150], workers: 2 }, { startWorkers: true })).toThrow('leverage 150');
    // the identifying hash is computed on first read, the same for the same sweep
    expect(early.hash).toBe(prepared.hash);
  });

  it('sessions on one shared kernel memory read the same candles and run in their own areas', async () => {
    const c = candlesFromShared(prepared.candles);
    const share = createEngineShare(c, 2, prepared.grid);
    const bytes = share.memory.buffer.byteLength;
    const a = createTaskState(prepared.grid, prepared.settings, c, share);
    const b = createTaskState(prepared.grid, prepared.settings, c, share);
    const extra = createTaskState(prepared.grid, prepared.settings, c, share); // beyond the areas: private
    expect(share.memory.buffer.byteLength).toBe(bytes); // no copy of the dataset per session
    expect(Atomics.load(share.claims, 0)).toBe(3);
    const out = new Float64Array(TOTAL * METRICS_PER_ROW);
    // interleave the sessions chunk by chunk: each must leave the others' state alone
    const states = [a, b, extra];
    for (let at = 0, k = 0; at < TOTAL; at += 4, k++) out.set(runChunk(states[k % 3]!, at, 4), at * METRICS_PER_ROW);
    expect(Buffer.from(out.buffer).equals(await allMetrics(prepared, 0, 96))).toBe(true);
  });

  it('each row equals the single backtest of its parameters', async () => {
    const rows: SweepRow[] = [];
    for await (const r of sweep(spec)) rows.push(r);
    expect(rows.map((r) => r.run)).toEqual([...Array(TOTAL).keys()]);
    for (const i of [0, 1, 13, 50, 95]) {
      const r = rows[i]!;
      const [run] = backtest({
        data: candles,
        symbols: r.symbols,
        strategy: 'sma-cross',
        params: r.params,
        leverage: r.leverage,
        marginMode: r.marginMode,
      });
      expect(metricDifferences(r.metrics, run!.result.metrics, r.marginMode === 'isolated')).toEqual([]);
    }
    expect(rows[95]).toMatchObject({ symbols: ['BTCUSDT', 'ETHUSDT'], params: { fast: 12, slow: 30 }, leverage: 20, marginMode: 'cross' });
  });

  it("computes every single-symbol strategy's targets in the kernel with the reference's results", async () => {
    const grids: Partial<Record<StrategyName, Record<string, string>>> = {
      'buy-hold': {},
      'ema-cross': { fast: '3,8', slow: '21' },
      rsi: { period: '7,14', lower: '30', upper: '70' },
      donchian: { period: '10,40' },
      bollinger: { period: '12,20', k: '1.5,2' },
    };
    // with mark prices the kernel keeps last-price columns of its own; without, it reads the mark slots
    const withoutMark: Candles = { ...candles, symbols: candles.symbols.map((x) => ({ ...x, mark: null })) };
    for (const data of [candles, withoutMark]) {
      for (const [strategy, grid] of Object.entries(grids)) {
        const rows: SweepRow[] = [];
        const s: SweepSpec = { ...spec, data, strategy, grid, leverages: [5], workers: 0 };
        for await (const r of sweep(s)) rows.push(r);
        expect(rows.length, strategy).toBeGreaterThan(0);
        for (const r of rows) {
          const [run] = backtest({ data, symbols: r.symbols, strategy: strategy as StrategyName, params: r.params, leverage: r.leverage, marginMode: r.marginMode });
          // (a sweep's isolated runs sum their returns by blocks: volatility, sharpe and sortino within SPEC's 1e-9)
          expect(metricDifferences(r.metrics, run!.result.metrics, r.marginMode === 'isolated'), `${strategy} ${JSON.stringify(r.params)} ${r.symbols}`).toEqual([]);
        }
      }
    }
    // and through a real pool, whose sessions share the dataset's columns
    const pooled: SweepRow[] = [];
    const inProcess: SweepRow[] = [];
    const donchian: SweepSpec = { ...spec, strategy: 'donchian', grid: { period: '10,40' }, leverages: [5] };
    for await (const r of sweep({ ...donchian, workers: 2, chunk: 3 })) pooled.push(r);
    for await (const r of sweep({ ...donchian, workers: 0 })) inProcess.push(r);
    expect(pooled).toEqual(inProcess);
  });

  it('stops cleanly when the consumer of sweep() breaks off early (real worker pool)', async () => {
    const rows: SweepRow[] = [];
    for await (const r of sweep({ ...spec, workers: 2, chunk: 4 })) {
      rows.push(r);
      if (rows.length === 10) break;
    }
    expect(rows.map((r) => r.run)).toEqual([...Array(10).keys()]);
    const again: SweepRow[] = [];
    for await (const r of sweep({ ...spec, workers: 2, chunk: 4 })) again.push(r);
    expect(again.map((r) => r.run)).toEqual([...Array(TOTAL).keys()]);
    expect(again.slice(0, 10)).toEqual(rows);
  });

  it('writes every run with its parameters, leverage, margin and all metrics', () => {
    expect(full.length).toBe(TOTAL);
    expect(full.columns.map((c) => c.name)).toEqual(['run', 'symbols', 'fast', 'slow', 'leverage', 'marginMode', ...METRIC_NAMES]);
    expect(column(full, 'run')).toEqual([...Array(TOTAL).keys()]);
    expect(column(full, 'symbols').slice(62, 66)).toEqual(['ETHUSDT', 'ETHUSDT', 'BTCUSDT,ETHUSDT', 'BTCUSDT,ETHUSDT']);
    expect(column(full, 'marginMode').slice(0, 4)).toEqual(['isolated', 'cross', 'isolated', 'cross']);
    expect(column(full, 'leverage').slice(0, 4)).toEqual([3, 3, 20, 20]);
    expect(existsSync(manifestPath(join(tmp, 'full.arrow')))).toBe(false);
    expect(existsSync(journalPath(join(tmp, 'full.arrow')))).toBe(false);
  });

  it('CSV and Parquet outputs hold the same rows', async () => {
    for (const ext of ['csv', 'parquet']) {
      const path = join(tmp, `full.${ext}`);
      await sweepToFile(prepared, path);
      const t = readTable(path);
      expect(column(t, 'run')).toEqual(column(full, 'run'));
      expect(column(t, 'finalEquity')).toEqual(column(full, 'finalEquity'));
      expect(column(t, 'marginMode')).toEqual(column(full, 'marginMode'));
    }
  });

  it('shards 0/3, 1/3, 2/3 merge into exactly the full sweep', async () => {
    const parts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const path = join(tmp, `part${i}.arrow`);
      const res = await sweepToFile({ ...spec, shard: { index: i, count: 3 } }, path);
      expect(res).toMatchObject({ first: 32 * i, end: 32 * (i + 1), rows: 32, complete: true });
      expect(column(readTable(path), 'run')[0]).toBe(32 * i); // global run index
      parts.push(path);
    }
    const out = join(tmp, 'merged.arrow');
    expect(mergeShards([parts[2]!, parts[0]!, parts[1]!], out)).toEqual({ rows: TOTAL, shards: 3, total: TOTAL });
    sameTables(full, readTable(out));
    // a missing shard, a duplicated one, one of another sweep
    expect(() => mergeShards([parts[0]!, parts[2]!], join(tmp, 'x.arrow'))).toThrow('the shards are incomplete: runs 32..63 are missing');
    expect(() => mergeShards([parts[0]!, parts[1]!], join(tmp, 'x.arrow'))).toThrow('the shards are incomplete: runs 64..95 are missing');
    expect(() => mergeShards([...parts, parts[1]!], join(tmp, 'x.arrow'))).toThrow('overlaps another shard: runs 32..63 are in two files');
    const other = join(tmp, 'other.arrow');
    await sweepToFile({ ...spec, leverages: [3, 10], shard: { index: 1, count: 3 } }, other);
    expect(() => mergeShards([parts[0]!, other, parts[2]!], join(tmp, 'x.arrow'))).toThrow('belongs to another sweep');
    expect(existsSync(join(tmp, 'x.arrow'))).toBe(false);
    await sweepToFile({ ...spec, shard: { index: 0, count: 3 } }, join(tmp, 'p0.csv'));
    expect(() => mergeShards([join(tmp, 'p0.csv')], join(tmp, 'x.arrow'))).toThrow('CSV keeps no metadata');
  });

  it('a stopped sweep leaves a valid file of the runs done, and --resume completes it exactly', async () => {
    const path = join(tmp, 'resumed.parquet');
    let chunks = 0;
    const first = await sweepToFile(prepared, path, { stopped: () => ++chunks > 4 });
    expect(first.complete).toBe(false);
    expect(first.rows).toBeGreaterThan(0);
    expect(first.rows).toBeLessThan(TOTAL);
    const partial = readTable(path);
    expect(column(partial, 'run')).toEqual([...Array(first.rows).keys()]);
    expect(existsSync(manifestPath(path))).toBe(true);
    await expect(sweepToFile(prepared, path)).rejects.toThrow('add --resume to continue it');
    await expect(sweepToFile({ ...spec, leverages: [3, 10] }, path, { resume: true })).rejects.toThrow(
      'the interrupted sweep was run with another grid, settings or data',
    );
    const second = await sweepToFile({ ...spec, workers: 2, chunk: 3 }, path, { resume: true });
    expect(second).toMatchObject({ complete: true, rows: TOTAL, resumedFrom: first.rows });
    sameTables(full, readTable(path));
    expect(existsSync(manifestPath(path))).toBe(false);
    await expect(sweepToFile(prepared, path, { resume: true })).rejects.toThrow('there is no interrupted sweep to resume');
  });

  it('--top keeps the K best by the metric, ties to the lower run index', async () => {
    const sharpe = column(full, 'sharpe') as number[];
    const order = [...sharpe.keys()].sort((a, b) => {
      const x = sharpe[a]!;
      const y = sharpe[b]!;
      if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
      return x !== y && !Number.isNaN(x) ? y - x : a - b;
    });
    const res = await sweepTop(prepared, { k: 5, by: 'sharpe' });
    expect(res.top.map((r) => r.run)).toEqual(order.slice(0, 5));
    const dd = column(full, 'maxDrawdown') as number[];
    const lowest = [...dd.keys()].sort((a, b) => dd[a]! - dd[b]! || a - b).slice(0, 3);
    const res2 = await sweepToFile(prepared, join(tmp, 'top.arrow'), { top: { k: 3, by: 'maxDrawdown' } });
    expect(res2.top.map((r) => r.run)).toEqual(lowest);
    // hand case: NaN ranks last, ties by index
    const heap = new TopK(2, 'sharpe');
    const m = (v: number) => Float64Array.from(METRIC_NAMES, (n) => (n === 'sharpe' ? v : 0));
    heap.offer(0, m(NaN), 0);
    heap.offer(1, m(1), 0);
    heap.offer(2, m(2), 0);
    heap.offer(3, m(1), 0);
    expect(heap.rows(prepared.grid).map((r) => [r.run, r.metrics.sharpe])).toEqual([[2, 2], [1, 1]]);
  });

  it('refuses a leverage the brackets do not allow before running anything', () => {
    expect(() => prepareSweep({ ...spec, leverages: [5, 150] })).toThrow("leverage 150 is above BTCUSDT's maximum of 100");
  });
});
