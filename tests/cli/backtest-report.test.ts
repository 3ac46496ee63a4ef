import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

describe('backtest --report', () => {
  it('writes a self-contained HTML report of both margin modes next to the printed table', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'mc-report-')), 'bt.html');
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['backtest', '--symbols', 'BTCUSDT', '--strategy', 'ema-cross', '--leverage', '20',
        '--from', '2025-01-01', '--to', '2025-02-01', '--report', html]);
    } finally {
      out.mockRestore();
    }
    expect(code).toBe(0);
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
