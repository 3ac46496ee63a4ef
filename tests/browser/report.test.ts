// The reports in a real browser: Debian's Chromium opens each file offline and every chart must
// be drawn with the colours of what it shows. Screenshots go to a temp directory (path printed).
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBacktestReport, writeReport } from '../../src/report/html/index.js';
import { inspectReport, launchChromium, type PageReport } from './chromium.js';
import { backtestOutDir, liquidatingBacktest, sweepFile, tempDir } from './fixtures.js';

let browser: Browser;
const shots = tempDir('screenshots');

beforeAll(async () => {
  browser = await launchChromium();
  process.stdout.write(`report screenshots: ${shots}\n`);
});
afterAll(async () => {
  await browser?.close();
});

function expectCleanLoad(page: PageReport): void {
  expect(page.consoleErrors).toEqual([]);
  expect(page.failedRequests).toEqual([]);
  expect(page.otherRequests).toEqual([]);
}

describe('HTML reports in Chromium', () => {
  it('draws a backtest: equity and drawdown of both modes, candles of each symbol with markers', async () => {
    const html = join(shots, 'backtest.html');
    writeReport(backtestOutDir('parquet'), html);
    const page = await inspectReport(browser, html, join(shots, 'backtest.png'));
    expectCleanLoad(page);
    expect(page.charts.map((c) => c.name)).toEqual(['equity', 'drawdown', 'candles', 'candles']);
    for (const c of page.charts) expect(c.inked).toBeGreaterThan(1000);
    const [equity, dd, btc, eth] = page.charts;
    // both curves drawn in their colours, on the equity and the drawdown charts
    for (const c of [equity!, dd!]) {
      expect(c.isolated).toBeGreaterThan(200);
      expect(c.cross).toBeGreaterThan(200);
    }
    // rising and falling candles, and markers of both modes
    for (const c of [btc!, eth!]) {
      expect(c.up).toBeGreaterThan(200);
      expect(c.down).toBeGreaterThan(200);
      expect(c.isolated).toBeGreaterThan(20);
      expect(c.cross).toBeGreaterThan(20);
    }
    expect(page.text).toContain('sma-cross(fast=10, slow=50) on BTCUSDT / ETHUSDT, 20x');
    expect(page.text).toMatch(/Liquidations \(\d+\)/);
  });

  it('draws a backtest report written from runs in memory, without candles', async () => {
    const html = join(shots, 'backtest-runs.html');
    writeBacktestReport(liquidatingBacktest(), html, { data: null });
    const page = await inspectReport(browser, html, join(shots, 'backtest-runs.png'));
    expectCleanLoad(page);
    expect(page.charts.map((c) => c.name)).toEqual(['equity', 'drawdown']);
    for (const c of page.charts) expect(c.isolated + c.cross).toBeGreaterThan(400);
  });

  it('draws a sweep: a heatmap per margin mode and liquidations per leverage', async () => {
    const file = await sweepFile('parquet');
    const html = join(shots, 'sweep.html');
    writeReport(file, html, { metric: 'sharpe' });
    const page = await inspectReport(browser, html, join(shots, 'sweep.png'));
    expectCleanLoad(page);
    expect(page.charts.map((c) => c.name)).toEqual(['heatmap', 'heatmap', 'liquidations-per-leverage']);
    const [iso, cross, bars] = page.charts;
    // six cells filling most of each heatmap, titled in the mode's colour
    for (const c of [iso!, cross!]) expect(c.inked).toBeGreaterThan(50_000);
    expect(iso!.isolated).toBeGreaterThan(50);
    expect(cross!.cross).toBeGreaterThan(50);
    expect(bars!.isolated).toBeGreaterThan(1000);
    expect(page.text).toContain('Top runs by sharpe');
    expect(page.text).toContain('25x');
  });
});
