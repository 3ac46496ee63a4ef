// `margincall backtest` end to end, through the real CLI in a child process, on the bundled
// 2025 sample (data/sample).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backtest } from '../../src/engine/backtest.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import { readTable } from '../../src/report/export.js';
import { RECORD_SCHEMAS, recordTables } from '../../src/report/records.js';
import type { ResultTable } from '../../src/report/table.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'margincall-cli-backtest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  // from another directory: the bundled sample is found relative to the package, not the cwd
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'margincall-dev.mjs'), 'backtest', ...args], {
    cwd: tmp,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MAIN_JOB = [
  ['sma-cross', ['BTCUSDT']],
  ['sma-cross', ['ETHUSDT']],
  ['sma-cross', ['BNBUSDT']],
  ['pair', ['BTCUSDT', 'ETHUSDT']],
] as const;

describe('margincall backtest: the main job (npm start)', () => {
  it('npm start runs this command', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node bin/margincall.mjs backtest');
  });

  it('prints BTC, ETH, BNB and the pair, each isolated vs cross', () => {
    const r = cli();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^bundled sample: BNBUSDT, BTCUSDT, ETHUSDT, 8,760 bars of 1h, 2025-01-01 00:00 to 2025-12-31 23:00 UTC\n/);
    const titles = [
      'sma-cross(fast=10, slow=50) on BTCUSDT, 10x, 1,000 USDT per position',
      'sma-cross(fast=10, slow=50) on ETHUSDT, 10x, 1,000 USDT per position',
      'sma-cross(fast=10, slow=50) on BNBUSDT, 10x, 1,000 USDT per position',
      'pair(lookback=100, entry=2, exit=0.5) on BTCUSDT / ETHUSDT, 10x, 1,000 USDT per position',
    ];
    const at = titles.map((t) => out.indexOf(t + '\n'));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at); // in this order
    const blocks = out.split('\n\n');
    for (const t of titles) {
      const block = blocks.find((b) => b.startsWith(t))!;
      const lines = block.split('\n');
      expect(lines[1]).toMatch(/^\s+isolated\s+cross$/);
      for (const row of ['final equity', 'total return', 'max drawdown', 'Sharpe', 'liquidations', 'liquidation loss', 'fees', 'funding', 'trades', 'win rate', 'rejected orders', 'ruined']) {
        expect(lines.some((l) => l.startsWith(row)), `${t}: ${row}`).toBe(true);
      }
      expect(block).toMatch(/final equity\s+[\d,]+\.\d\d USDT\s+[\d,]+\.\d\d USDT/);
      expect(block).toMatch(/total return\s+-?\d+\.\d\d%\s+-?\d+\.\d\d%/);
    }
    expect(out).toMatch(/8 runs in \d+\.\d\d s\n$/);
  });

  it('--json gives the runs in the stable shape; --engine reference agrees with wasm to 1e-9', () => {
    const wasm = cli('--json');
    const ref = cli('--json', '--engine', 'reference');
    expect(wasm.status).toBe(0);
    expect(ref.status).toBe(0);
    const w = JSON.parse(wasm.stdout);
    const r = JSON.parse(ref.stdout);
    expect(Object.keys(w)).toEqual(['runs']);
    expect(w.runs).toHaveLength(8);
    w.runs.forEach((run: Record<string, unknown>, i: number) => {
      const [strategy, symbols] = MAIN_JOB[i >> 1]!;
      expect(Object.keys(run)).toEqual(['marginMode', 'strategy', 'params', 'symbols', 'leverage', 'metrics']);
      expect(run).toMatchObject({ marginMode: i % 2 ? 'cross' : 'isolated', strategy, symbols, leverage: 10 });
      const metrics = run.metrics as Record<string, number | boolean | null>;
      expect(Object.keys(metrics)).toEqual([...METRIC_NAMES]);
      const other = r.runs[i].metrics;
      for (const k of METRIC_NAMES) {
        const a = metrics[k], b = other[k];
        if (typeof a === 'number' && typeof b === 'number') {
          expect(Math.abs(a - b), `${i} ${k}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));
        } else expect(a, `${i} ${k}`).toBe(b);
      }
    });
    expect(w.runs[6].params).toEqual({ lookback: 100, entry: 2, exit: 0.5 });
    // the pair in isolated margin is liquidated on this year, the cross account never
    expect(w.runs[6].metrics.liquidations).toBeGreaterThan(0);
    expect(w.runs[7].metrics.liquidations).toBe(0);
  });
});

describe('margincall backtest: one strategy', () => {
  for (const format of ['arrow', 'parquet', 'csv'] as const) {
    it(`--out writes summary.json and the records as ${format}, read back equal`, () => {
      const dir = join(tmp, `out-${format}`);
      const opts = { symbols: ['BTCUSDT', 'ETHUSDT'], strategy: 'pair', from: '2025-01-01', to: '2025-05-01' } as const;
      const r = cli(
        '--symbols', 'BTCUSDT,ETHUSDT', '--strategy', 'pair', '--from', opts.from, '--to', opts.to,
        '--out', dir, '--format', format, '--json',
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const ext = format === 'arrow' ? 'arrow' : format;
      expect(readdirSync(dir).sort()).toEqual([`equity.${ext}`, `liquidations.${ext}`, 'summary.json', `trades.${ext}`].sort());
      expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'))).toEqual(JSON.parse(r.stdout));

      const expected = recordTables(backtest({ ...opts, records: true }));
      for (const kind of ['equity', 'trades', 'liquidations'] as const) {
        const got = readTable(join(dir, `${kind}.${ext}`), RECORD_SCHEMAS[kind]);
        expect(plain(got), kind).toEqual(plain(expected[kind]));
      }
      // both modes in one file, each with every bar; the isolated pair is liquidated here
      expect(expected.equity.length).toBe(2 * 120 * 24);
      expect(expected.liquidations.length).toBeGreaterThan(0);
      const modes = expected.equity.columns.find((c) => c.name === 'marginMode')!.data as string[];
      expect(modes.filter((m) => m === 'cross')).toHaveLength(120 * 24);
    });
  }

  it('refuses a leverage above the bracket maximum with exit 1 and no output', () => {
    // the full list of bad flags runs in-process in backtest-flags.test.ts
    const dir = join(tmp, 'never');
    const r = cli('--leverage', '150', '--out', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "margincall: error: field '--leverage': leverage 150 is above BTCUSDT's maximum of 100 for a full position of " +
        '150,000 USDT (1,000 USDT margin × 150); with 1,000 USDT per position the highest allowed leverage is 100\n',
    );
    expect(r.stdout).toBe('');
    expect(existsSync(dir)).toBe(false);
  });
});

/** A table as plain values per column, for comparing across formats. */
function plain(t: ResultTable): { length: number; columns: Array<{ name: string; kind: string; values: unknown[] }> } {
  return {
    length: t.length,
    columns: t.columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      values: Array.from(c.data as ArrayLike<unknown>, (v) => (c.kind === 'bool' ? Boolean(v) : v)),
    })),
  };
}
