// A steadier measure than W2's wall time for comparing two builds on a shared machine: 400 of W2's
// runs (8 chunks of 50, spread over the grid) in the calling thread, the best of `--reps` timings
// after a warm-up. Run it alternately in two checkouts (each built with `npm run build`); other
// tenants' load then shows as a spread of the timings, and the best ones compare.
// Usage: node bin/margincall-dev.mjs bench/w2-sample.ts [--reps N] [--json]
import { prepareSweep } from '../src/sweep/index.js';
import { createTaskState, runChunk } from '../src/sweep/task.js';
import { benchCandles, w2SweepSpec } from './workloads.js';

const args = process.argv.slice(2);
const repsAt = args.indexOf('--reps');
const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 5;
if (!(Number.isInteger(reps) && reps >= 1)) {
  process.stderr.write(`w2-sample: --reps takes a whole number ≥ 1, got ${args[repsAt + 1]}\n`);
  process.exit(2);
}

const candles = benchCandles(['BTCUSDT'], 200_000);
const p = prepareSweep({ ...w2SweepSpec(10_000), data: candles, workers: 0 });
const state = createTaskState(p.grid, p.settings, candles);
const starts = [0, 1250, 2500, 3750, 5000, 6250, 7500, 8750];
const timings: number[] = [];
for (let rep = 0; rep <= reps; rep++) {
  const t0 = performance.now();
  for (const first of starts) runChunk(state, first, 50);
  // the first pass warms the JIT up and is not counted
  if (rep > 0) timings.push(performance.now() - t0);
}
const best = Math.min(...timings);
if (args.includes('--json')) {
  process.stdout.write(JSON.stringify({ runs: starts.length * 50, bestMs: best, timingsMs: timings }) + '\n');
} else {
  process.stdout.write(
    `w2-sample: 400 W2 runs in-process, best ${best.toFixed(1)} ms (${((best / 400) * 1000).toFixed(0)} µs per run); all: ${timings.map((t) => t.toFixed(0)).join(' ')} ms\n`,
  );
}
