// `margincall sweep` and `merge` through the CLI: a real process killed with kill -9 or
// interrupted with SIGINT and then resumed, --json top rows, and refusals of bad grids.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesize } from '../../src/data/synth.js';
import { writeDataset } from '../../src/data/write.js';
import { readTable, type ResultTable } from '../../src/report/export.js';
import { sweepToFile } from '../../src/sweep/index.js';
import { journalPath, manifestPath, RECORD_F64 } from '../../src/sweep/journal.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'margincall-cli-sweep-'));
const data = join(tmp, 'data');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const DEV = join(import.meta.dirname, '..', '..', 'bin', 'margincall-dev.mjs');
// 20 × 10 combinations × 2 leverages × 2 modes = 800 runs of 60,000 bars: about a second on one
// worker, long enough to interrupt midway (10,000 bars finished before the first poll)
const GRID = ['--data', data, '--grid', 'fast=2:21:1', '--grid', 'slow=30:120:10', '--leverage', '2,5', '--chunk', '8'];
const TOTAL = 800;
let full: ResultTable;

beforeAll(async () => {
  writeDataset(data, synthesize({ symbols: ['BTCUSDT'], bars: 60_000, seed: 5 }));
  await sweepToFile(
    { data, strategy: 'sma-cross', grid: { fast: '2:21:1', slow: '30:120:10' }, leverages: [2, 5], workers: 0 },
    join(tmp, 'full.arrow'),
  );
  full = readTable(join(tmp, 'full.arrow'));
});

function start(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [DEV, 'sweep', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done };
}

/** Waits until the journal holds at least one complete record (the sweep is under way). */
async function journaled(out: string, exited: Promise<unknown>): Promise<void> {
  let over = false;
  void exited.then(() => (over = true));
  for (;;) {
    const p = journalPath(out);
    if (existsSync(p) && statSync(p).size >= RECORD_F64 * 8) return;
    if (over) throw new Error('the sweep ended before journaling anything');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function sameRows(a: ResultTable, b: ResultTable): void {
  expect(b.length).toBe(a.length);
  for (const c of a.columns) {
    const other = b.columns.find((x) => x.name === c.name)!;
    expect(Array.from(other.data as ArrayLike<unknown>), c.name).toEqual(Array.from(c.data as ArrayLike<unknown>));
  }
}

describe('margincall sweep interrupted and resumed', () => {
  it('kill -9 midway, then --resume, equals the uninterrupted sweep', async () => {
    const out = join(tmp, 'killed.arrow');
    const { child, done } = start([...GRID, '--workers', '1', '--out', out]);
    await journaled(out, done);
    child.kill('SIGKILL');
    expect((await done).code).toBe(null);
    const rowsAtKill = Math.floor(statSync(journalPath(out)).size / (RECORD_F64 * 8));
    expect(rowsAtKill).toBeGreaterThan(0);
    expect(rowsAtKill).toBeLessThan(TOTAL);
    expect(existsSync(out)).toBe(false); // nothing partial at the output path
    const second = start([...GRID, '--workers', '2', '--out', out, '--resume']);
    const res = await second.done;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^800 runs written to .*killed\.arrow, \d+ of them from the interrupted sweep\n/);
    sameRows(full, readTable(out));
    expect(existsSync(journalPath(out))).toBe(false);
    expect(existsSync(manifestPath(out))).toBe(false);
  });

  it('SIGINT stops cleanly with a valid file of the runs done; --resume finishes it', async () => {
    const out = join(tmp, 'interrupted.csv');
    const { child, done } = start([...GRID, '--workers', '1', '--out', out, '--json']);
    await journaled(out, done);
    child.kill('SIGINT');
    const res = await done;
    expect(res.code).toBe(130);
    const summary = JSON.parse(res.stdout);
    expect(summary.complete).toBe(false);
    expect(summary.rows).toBeLessThan(TOTAL);
    const partial = readTable(out);
    expect(partial.length).toBe(summary.rows);
    expect(Array.from(partial.columns[0]!.data as Float64Array)).toEqual([...Array(summary.rows).keys()]);
    const again = await start([...GRID, '--workers', '1', '--out', out, '--resume', '--json']).done;
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ complete: true, rows: TOTAL });
    const t = readTable(out);
    for (const name of ['run', 'fast', 'slow', 'leverage', 'marginMode', 'finalEquity', 'trades', 'maxDrawdown']) {
      const want = full.columns.find((c) => c.name === name)!.data;
      expect(Array.from(t.columns.find((c) => c.name === name)!.data as ArrayLike<unknown>), name).toEqual(Array.from(want as ArrayLike<unknown>));
    }
  });
});

const run = (...args: string[]) => runCli(...args);

describe('margincall sweep in-process', () => {
  it('--top --by --json prints the best rows', async () => {
    const r = await run('sweep', ...GRID, '--workers', '0', '--top', '3', '--by', 'totalReturn', '--json');
    expect(r.status).toBe(0);
    const { runs, done, total } = JSON.parse(r.stdout);
    expect([done, total]).toEqual([TOTAL, TOTAL]);
    const ret = Array.from(full.columns.find((c) => c.name === 'totalReturn')!.data as Float64Array);
    const best = [...ret.keys()].sort((a, b) => ret[b]! - ret[a]! || a - b).slice(0, 3);
    expect(runs.map((x: { run: number }) => x.run)).toEqual(best);
    expect(runs[0].metrics.totalReturn).toBe(ret[best[0]!]);
    expect(Object.keys(runs[0])).toEqual(['run', 'symbols', 'params', 'leverage', 'marginMode', 'metrics']);
  });

  it('refuses bad grids with a clear message', async () => {
    const cases: Array<[string[], string]> = [
      [['--grid', 'fast=10:5:1'], "field '--grid': fast: empty range, start 10 is above stop 5"],
      [['--grid', 'fast=1:5:0'], "field '--grid': fast: the step must be greater than 0, got 0"],
      [['--grid', 'speed=1,2'], "field '--grid': sma-cross has no parameter 'speed' (its parameters are fast, slow)"],
      [['--grid', 'fast=10,60'], "field '--grid': sma-cross: slow (50) ≤ fast (60): fast must be less than slow — the grid includes this combination (add --skip-invalid to skip such combinations)"],
      [['--grid', 'fast=2.5'], "field '--grid': sma-cross: fast must be an integer, got 2.5"],
      [['--leverage', '2,x'], "field '--leverage': expected a number, got 'x'"],
      [['--margin', 'isolated,portfolio'], "field '--margin': expected isolated, cross or both, got 'portfolio'"],
      [['--by', 'luck'], "field '--by': unknown metric 'luck'"],
      [['--shard', '4/4', '--out', join(tmp, 's.arrow')], "field '--shard': expected i/n with 0 ≤ i < n"],
      [['--out', join(tmp, 'x.txt')], 'cannot tell the output format from the extension'],
      [['--resume'], '--resume continues a sweep written to --out'],
      [['--symbols', 'DOGEUSDT'], 'DOGEUSDT'],
    ];
    for (const [args, message] of cases) {
      const r = await run('sweep', '--workers', '0', ...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(message);
    }
  });

  it('--skip-invalid reports what it skipped; merge refuses a missing shard', async () => {
    const r = await run('sweep', '--data', data, '--grid', 'fast=20,40', '--grid', 'slow=30,50', '--skip-invalid', '--workers', '0', '--top', '1');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 invalid parameter combinations skipped');
    expect(r.stdout).toMatch(/best 1 of 6 runs by sharpe/);
    const parts = [0, 1].map((i) => join(tmp, `cli-part${i}.arrow`));
    for (const [i, p] of parts.entries()) {
      const s = await run('sweep', '--data', data, '--grid', 'fast=5,10', '--workers', '0', '--shard', `${i}/3`, '--out', p);
      expect(s.status).toBe(0);
    }
    const m = await run('merge', ...parts, '--out', join(tmp, 'm.arrow'));
    expect(m.status).toBe(1);
    expect(m.stderr).toContain("field 'files': the shards are incomplete: runs 2..3 are missing");
  });
});
