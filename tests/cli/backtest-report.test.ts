import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('backtest --report', () => {
  it('writes a self-contained HTML report of both margin modes next to the printed table', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'mc-report-')), 'bt.html');
    const r = await runCli('backtest', '--symbols', 'BTCUSDT', '--strategy', 'ema-cross', '--leverage', '20',
      '--from', '2025-01-01', '--to', '2025-02-01', '--report', html);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${html}`);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!DOCTYPE html>') || page.startsWith('<!doctype html>')).toBe(true);
    // the chart library is inlined and nothing is fetched at view time
    expect(page).toContain('uPlot');
    expect(page).not.toMatch(/<script[^>]+src=/);
    expect(page).not.toMatch(/<link[^>]+href="http/);
    // the embedded results carry both runs and their equity curves
    expect(page).toContain('"isolated"');
    expect(page).toContain('"cross"');
    expect(page).toContain('ema-cross');
  });
});
