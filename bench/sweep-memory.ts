// Sweep memory: peak RSS (whole process, worker threads included) of a 100,000-run sweep against
// a 1,000-run sweep on the same 1,000-bar data, both streamed to an Arrow file. Each size runs
// in its own child process so the peaks do not mix. Goal: within 50 MB of each other.
// Usage: node bin/margincall-dev.mjs bench/sweep-memory.ts [--workers N] [--json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { synthesize } from '../src/data/synth.js';
import { sweepToFile } from '../src/sweep/index.js';

const args = process.argv.slice(2);
const childSize = args.indexOf('--child');

// sma-cross fast × slow × leverages × 2 modes
const GRIDS: Record<string, { fast: string; slow: string; leverages: number[] }> = {
  '1000': { fast: '1:5:1', slow: '51:150:1', leverages: [5] },
  '100000': { fast: '1:50:1', slow: '51:150:1', leverages: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
};

if (childSize >= 0) {
  const g = GRIDS[args[childSize + 1]!]!;
  const workers = Number(args[childSize + 2]);
  const dir = mkdtempSync(join(tmpdir(), 'margincall-sweep-mem-'));
  try {
    const candles = synthesize({ symbols: ['BTCUSDT'], bars: 1_000, interval: '1h', seed: 9 });
    const t0 = performance.now();
    const res = await sweepToFile(
      { data: candles, strategy: 'sma-cross', grid: { fast: g.fast, slow: g.slow }, leverages: g.leverages, workers },
      join(dir, 'out.arrow'),
    );
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(JSON.stringify({ runs: res.rows, seconds, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
} else {
  const wi = args.indexOf('--workers');
  const workers = wi >= 0 ? Number(args[wi + 1]) : 2;
  const dev = fileURLToPath(new URL('../bin/margincall-dev.mjs', import.meta.url));
  const self = fileURLToPath(import.meta.url);
  const rows = Object.keys(GRIDS).map((size) => {
    const r = spawnSync(process.execPath, [dev, self, '--child', size, String(workers)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { runs: number; seconds: number; maxRssMB: number };
  });
  const diff = rows[1]!.maxRssMB - rows[0]!.maxRssMB;
  if (args.includes('--json')) process.stdout.write(JSON.stringify({ workers, rows, diffMB: diff }) + '\n');
  else {
    process.stdout.write(`sweep memory: sma-cross on 1,000 bars, ${workers} workers, streamed to Arrow\n`);
    for (const r of rows) {
      process.stdout.write(`  ${String(r.runs).padStart(7)} runs  ${r.seconds.toFixed(1)} s  peak RSS ${r.maxRssMB.toFixed(1)} MB\n`);
    }
    process.stdout.write(`  difference: ${diff.toFixed(1)} MB (goal ≤ 50 MB)\n`);
  }
}
