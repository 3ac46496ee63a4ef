import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import type { ResultTable } from '../../src/report/export.js';
import { backtestView, coarserCandles, keptPoints, type BacktestView } from '../../src/report/html/backtest-view.js';
import { loadDataset } from '../../src/data/load.js';
import { SAMPLE_DATA_PATH } from '../../src/engine/backtest.js';
import {
  drawdown,
  groupBlocks,
  readResults,
  renderReport,
  resultsFromRuns,
  sweepView,
  writeBacktestReport,
} from '../../src/report/html/index.js';
import { embedJson } from '../../src/report/html/page.js';
import type { SweepResults } from '../../src/report/html/results.js';
import type { SweepView } from '../../src/report/html/sweep-view.js';
import type { RunJson } from '../../src/report/summary.js';
import { backtestOutDir, liquidatingBacktest, sweepFile, sweepLikeTable, tempDir } from '../browser/fixtures.js';

const CLI = join(import.meta.dirname, '../../bin/margincall-dev.mjs');

/** The JSON a report embeds, parsed back. */
function embedded<T>(html: string): T {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no report-data element');
  return JSON.parse(m[1]!) as T;
}

const run = (marginMode: 'isolated' | 'cross', leverage: number, symbols = ['BTCUSDT']): RunJson =>
  ({ marginMode, strategy: 'sma-cross', params: { fast: 10, slow: 50 }, symbols, leverage, metrics: {} }) as unknown as RunJson;

describe('drawdown and blocks', () => {
  it('is equity over the running peak, minus one', () => {
    expect(drawdown([100, 120, 90, 130, 65, null, 130])).toEqual([0, 0, -0.25, 0, -0.5, null, 0]);
  });

  it('groups consecutive runs of one backtest() call, one run per mode', () => {
    const runs = [run('isolated', 10), run('cross', 10), run('isolated', 10, ['ETHUSDT']), run('cross', 10, ['ETHUSDT']), run('cross', 20), run('cross', 20)];
    expect(groupBlocks(runs)).toEqual([[0, 1], [2, 3], [4], [5]]);
  });
});

describe('backtest report', () => {
  const runs = liquidatingBacktest();
  const html = renderReport(resultsFromRuns(runs));
  const view = embedded<BacktestView>(html);

  it('is one self-contained file: uPlot and styles inlined, nothing to fetch', () => {
    expect(html).toContain('uPlot');
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it('embeds isolated and cross on one time axis with their own equity, drawdown and liquidation marks', () => {
    expect(view.blocks).toHaveLength(1);
    const b = view.blocks[0]!;
    expect(b.title).toBe('sma-cross(fast=10, slow=50) on BTCUSDT / ETHUSDT, 20x');
    expect(b.runs.map((r) => r.marginMode)).toEqual(['isolated', 'cross']);
    const eq = runs[0]!.result.equity!;
    expect(b.time).toEqual(Array.from(eq.time, (t) => t / 1000));
    runs.forEach((r, k) => {
      const e = Array.from(r.result.equity!.equity);
      expect(b.equity[k]!.slice(0, e.length)).toEqual(e);
      expect(b.drawdown[k]![0]).toBe(0);
      expect(Math.min(...(b.drawdown[k]!.filter((v) => v !== null) as number[]))).toBeCloseTo(-r.result.metrics.maxDrawdown, 12);
      // one mark per bar in which the run was liquidated, at the equity of that bar
      const liqBars = new Set(r.result.liquidations!.map((l) => Math.floor(l.time / 3_600_000) * 3600));
      const marks = b.liquidationMarks[k]!.flatMap((v, i) => (v === null ? [] : [i]));
      expect(marks.length).toBe(liqBars.size);
      for (const i of marks) expect(b.liquidationMarks[k]![i]).toBe(b.equity[k]![i]);
      expect(b.runs[k]!.metrics.liquidations).toBe(r.result.liquidations!.length);
    });
    expect(runs.every((r) => r.result.liquidations!.length > 0)).toBe(true);
  });

  it('embeds trades and liquidations of both modes, and candles with every entry, exit and liquidation', () => {
    const b = view.blocks[0]!;
    const trades = runs.flatMap((r) => r.result.trades!);
    const liqs = runs.flatMap((r) => r.result.liquidations!);
    expect(b.trades.rows.length).toBe(trades.length);
    expect(b.trades.columns).toEqual(['marginMode', 'symbol', 'side', 'entryTime', 'exitTime', 'qty', 'entryPrice', 'exitPrice', 'pnl', 'fees', 'funding', 'reason']);
    expect(b.liquidations.rows.length).toBe(liqs.length);
    expect(b.candles.map((c) => c.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    for (const c of b.candles) {
      expect(c.time).toEqual(b.time);
      const mine = (x: { symbol: string }) => x.symbol === c.symbol;
      const count = (kind: string) => c.markers.filter((m) => m.kind === kind).length;
      expect(count('long') + count('short')).toBe(trades.filter(mine).length);
      expect(count('exit')).toBe(trades.filter((t) => mine(t) && t.reason !== 'liquidation').length);
      expect(count('liquidation')).toBe(liqs.filter(mine).length);
      const first = liqs.find(mine)!;
      expect(c.markers).toContainEqual({ time: first.time / 1000, price: first.triggerPrice, kind: 'liquidation', marginMode: expect.any(String) });
    }
  });

  it('reads the same report back from a backtest --out directory in each format', () => {
    for (const format of ['arrow', 'parquet', 'csv'] as const) {
      const dir = backtestOutDir(format, runs);
      const fromDisk = embedded<BacktestView>(renderReport(readResults(dir)));
      expect(fromDisk.blocks).toEqual(view.blocks);
    }
  });

  it('writes through writeBacktestReport from runs and from a directory', () => {
    const dir = tempDir('html');
    writeBacktestReport(runs, join(dir, 'a.html'), { data: null });
    writeBacktestReport(backtestOutDir('arrow', runs), join(dir, 'b.html'), { data: null });
    const a = embedded<BacktestView>(readFileSync(join(dir, 'a.html'), 'utf8'));
    expect(a.blocks[0]!.candles).toEqual([]);
    expect(embedded<BacktestView>(readFileSync(join(dir, 'b.html'), 'utf8')).blocks).toEqual(a.blocks);
  });
});

describe('long backtests are thinned, keeping what matters', () => {
  it('merges candles into coarser OHLC', () => {
    const c = coarserCandles([0, 1, 2, 3, 4], [10, 11, 12, 13, 14], [15, 19, 13, 18, 16], [9, 8, 11, 12, 13], [11, 12, 13, 14, 15], 2);
    expect(c).toEqual({ time: [0, 2, 4], open: [10, 12, 14], high: [19, 18, 16], low: [8, 11, 13], close: [12, 14, 15] });
  });

  it('keeps the lowest and highest point of each bucket, the ends and the marked bars', () => {
    const a = [5, 1, 9, 4, 4, 7, 2, 8, 3, 6];
    expect(keptPoints([a], [[null, null, null, null, null, null, null, null, null, null]], 10)).toBeNull();
    // 2 points per bucket of one series with maxPoints 4: two buckets of five
    expect(keptPoints([a], [[null, null, null, 1, null, null, null, null, null, null]], 4)).toEqual([0, 1, 2, 3, 6, 7, 9]);
  });

  it('keeps every liquidation mark, the extremes and the deepest drawdown of a real run', () => {
    const runs = liquidatingBacktest();
    const results = resultsFromRuns(runs);
    const candles = loadDataset(SAMPLE_DATA_PATH, { symbols: ['BTCUSDT', 'ETHUSDT'] });
    const full = backtestView(results, candles, 'sample').blocks[0]!;
    const thin = backtestView(results, candles, 'sample', 200).blocks[0]!;
    expect(full.time.length).toBe(2160);
    expect(thin.time.length).toBeLessThanOrEqual(200 + 2 + 12);
    expect([thin.time[0], thin.time.at(-1)]).toEqual([full.time[0], full.time.at(-1)]);
    const defined = (a: (number | null)[]) => a.filter((v): v is number => v !== null);
    for (let k = 0; k < 2; k++) {
      expect(defined(thin.liquidationMarks[k]!)).toEqual(defined(full.liquidationMarks[k]!));
      expect(Math.min(...defined(thin.drawdown[k]!))).toBe(Math.min(...defined(full.drawdown[k]!)));
      expect(Math.max(...defined(thin.equity[k]!))).toBe(Math.max(...defined(full.equity[k]!)));
    }
    const [btc] = thin.candles;
    const group = Math.ceil(2160 / 200);
    expect(btc!.time.length).toBe(Math.ceil(2160 / group));
    const f = full.candles[0]!;
    expect(btc!.open[0]).toBe(f.open[0]);
    expect(btc!.high[0]).toBe(Math.max(...f.high.slice(0, group)));
    expect(btc!.low[0]).toBe(Math.min(...f.low.slice(0, group)));
    expect(btc!.close[0]).toBe(f.close[group - 1]);
    expect(btc!.markers).toEqual(f.markers);
  });
});

describe('sweep report', () => {
  // 2 × 2 grid, both modes, two leverages: means by hand
  const hand: ResultTable = {
    length: 8,
    columns: [
      { name: 'run', kind: 'f64', data: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]) },
      { name: 'symbols', kind: 'utf8', data: Array(8).fill('BTCUSDT') },
      { name: 'fast', kind: 'f64', data: Float64Array.from([5, 5, 5, 5, 10, 10, 10, 10]) },
      { name: 'slow', kind: 'f64', data: Float64Array.from([30, 30, 30, 30, 30, 30, 60, 60]) },
      { name: 'leverage', kind: 'f64', data: Float64Array.from([5, 5, 20, 20, 5, 5, 20, 20]) },
      { name: 'margin', kind: 'utf8', data: ['isolated', 'cross', 'isolated', 'cross', 'isolated', 'cross', 'isolated', 'cross'] },
      { name: 'sharpe', kind: 'f64', data: [1, 2, 3, null, -1, 0.5, 4, 6] },
      { name: 'liquidations', kind: 'f64', data: Float64Array.from([0, 0, 3, 1, 0, 0, 1, 0]) },
    ],
  };
  const results: SweepResults = { kind: 'sweep', table: hand };

  it('averages the metric per cell and mode, over the other dimensions', () => {
    const v = sweepView(results);
    expect([v.x, v.y, v.metric]).toEqual(['fast', 'slow', 'sharpe']);
    expect(v.xs).toEqual([5, 10]);
    expect(v.ys).toEqual([30, 60]);
    expect(v.heatmaps.map((h) => h.marginMode)).toEqual(['isolated', 'cross']);
    expect(v.heatmaps[0]!.cells).toEqual([[2, -1], [null, 4]]);
    expect(v.heatmaps[1]!.cells).toEqual([[2, 0.5], [null, 6]]);
    expect(v.heatmaps[1]!.counts).toEqual([[1, 1], [0, 1]]);
  });

  it('ranks the top runs (lower first for drawdown-like metrics) and counts liquidations per leverage', () => {
    const v = sweepView(results, { top: 3 });
    expect(v.top.rows.map((r) => r[0])).toEqual([7, 6, 2]);
    expect(v.top.omitted).toBe(4);
    expect(sweepView(results, { metric: 'liquidations', top: 2 }).top.rows.map((r) => r[0])).toEqual([0, 1]);
    expect(v.liquidations).toEqual({
      leverages: [5, 20],
      modes: ['isolated', 'cross'],
      meanPerRun: [[0, 2], [0, 0.5]],
      runsLiquidated: [[0, 2], [0, 1]],
      runs: [[2, 2], [2, 2]],
    });
  });

  it('takes leverage as an axis, and refuses unknown metrics and axes', () => {
    expect(sweepView(results, { x: 'leverage', y: 'fast' }).heatmaps[0]!.cells).toEqual([[1, 3], [-1, 4]]);
    expect(() => sweepView(results, { metric: 'luck' })).toThrow(/unknown metric 'luck'/);
    expect(() => sweepView(results, { x: 'period' })).toThrow(/expected one of fast, slow, leverage, got 'period'/);
    const leverageOnly: ResultTable = { length: 8, columns: hand.columns.filter((c) => c.name !== 'fast' && c.name !== 'slow') };
    expect(() => sweepView({ kind: 'sweep', table: leverageOnly })).toThrow(/a heatmap needs two swept values/);
  });

  it('reads a real sweep file: every cell the mean of its runs, as single backtests give them', async () => {
    const file = await sweepFile('parquet');
    const v = embedded<SweepView>(renderReport(readResults(file), { metric: 'totalReturn' }));
    expect(v.kind).toBe('sweep');
    expect([v.x, v.y]).toEqual(['fast', 'slow']);
    expect(v.xs).toEqual([5, 10, 20]);
    expect(v.ys).toEqual([30, 60]);
    expect(v.heatmaps.every((h) => h.counts.flat().every((n) => n === 2))).toBe(true);
    const byHand = sweepView({ kind: 'sweep', table: sweepLikeTable() }, { metric: 'totalReturn' });
    v.heatmaps.forEach((h, m) =>
      h.cells.flat().forEach((cell, k) => expect(cell).toBeCloseTo(byHand.heatmaps[m]!.cells.flat()[k]!, 12)),
    );
    expect(v.liquidations).toEqual(byHand.liquidations);
    expect(v.top.rows.length).toBe(20);
  });
});

describe('reading results', () => {
  it('names the file and field of what is missing or wrong', () => {
    const dir = tempDir('bad');
    expect(() => readResults(join(dir, 'nope'))).toThrow(UserError);
    expect(() => readResults(dir)).toThrow(/no summary.json here/);
    writeFileSync(join(dir, 'summary.json'), '{"runs":[{"marginMode":"both"}]}');
    expect(() => readResults(dir)).toThrow(/run 0: missing or invalid marginMode/);
    const other = join(dir, 'other.csv');
    writeFileSync(other, 'a,b\n1,2\n');
    expect(() => readResults(other)).toThrow(/no marginMode column/);
  });

  it('escapes what could end the data element', () => {
    expect(embedJson({ s: '</script><!--', x: NaN })).toBe('{"s":"\\u003c/script>\\u003c!--","x":null}');
  });
});

describe('margincall report (CLI)', () => {
  it('names the dataset when the candles cannot come from it, and leaves candles out on request', () => {
    const out = backtestOutDir('arrow');
    const wrong = spawnSync('node', [CLI, 'report', out, '--out', join(tempDir('cli'), 'r.html'), '--data', 'data/sample/BTCUSDT.arrow'], {
      encoding: 'utf8',
      cwd: join(import.meta.dirname, '../..'),
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toBe(
      'margincall: error: data/sample/BTCUSDT.arrow: symbol ETHUSDT is not in this file (available: BTCUSDT) ' +
        '(the candle charts need the dataset the backtest ran on: --data <dataset>)\n',
    );
    const html = join(tempDir('cli'), 'n.html');
    execFileSync('node', [CLI, 'report', out, '--out', html, '--no-candles']);
    const view = embedded<BacktestView>(readFileSync(html, 'utf8'));
    expect(view.blocks[0]!.candles).toEqual([]);
    expect(view.subtitle).toBe('2 runs in 1 block; candles: none');
  });

  it('writes a backtest report and refuses a bad --metric on a sweep', async () => {
    const dir = tempDir('cli');
    const out = backtestOutDir('parquet');
    const stdout = execFileSync('node', [CLI, 'report', out, '--out', join(dir, 'r.html')], { encoding: 'utf8' });
    expect(stdout).toBe(`wrote ${join(dir, 'r.html')} (backtest report)\n`);
    expect(embedded<BacktestView>(readFileSync(join(dir, 'r.html'), 'utf8')).subtitle).toBe('2 runs in 1 block; candles: the bundled sample');
    const sweep = await sweepFile('arrow');
    const bad = spawnSync('node', [CLI, 'report', sweep, '--out', join(dir, 's.html'), '--metric', 'luck'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/margincall: error: .*--metric.*unknown metric 'luck'/);
  });
});
