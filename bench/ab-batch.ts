// The sma-cross batch alone (KernelSession.smaCrossBatch), two kernel builds by turns in one
// process: W2's tasks of 1,000 sets (10 fast windows × 100 slow), as a sweep task computes them.
// Prints the per-round ratio B / A of their times (above 1: this build is faster) and checks that
// both count the same changes per set (tests/sweep/sma-batch.test.ts holds the changes themselves
// to smaCross's bits). Like ab-kernel, one process can favour a side by ~1–2%: run it twice.
// Usage: node bin/margincall-dev.mjs bench/ab-batch.ts --other <kernel.wasm> [--rounds N]
import { KernelSession } from '../src/engine/kernel.js';
import { prepareSweep } from '../src/sweep/index.js';
import { sessionOptions } from '../src/sweep/task.js';
import { abArgs } from './ab-args.js';
import { benchCandles, w2SweepSpec } from './workloads.js';

const { other, otherModule, rounds } = abArgs('ab-batch.ts', '');

const candles = benchCandles(['BTCUSDT'], 200_000);
const p = prepareSweep({ ...w2SweepSpec(10_000), data: candles, workers: 0 });
const a = new KernelSession(candles, sessionOptions(p.grid));
const b = new KernelSession(candles, { ...sessionOptions(p.grid), module: otherModule });
// W2's windows: fast 2…101, slow 105…600 step 5; a task of 1,000 sets takes 10 fast windows
const slows = Array.from({ length: 100 }, (_, i) => 105 + 5 * i);
function task(fastFrom: number): { windows: Int32Array; fast: Int32Array; slow: Int32Array } {
  const fasts = Array.from({ length: 10 }, (_, i) => fastFrom + i);
  const windows = Int32Array.from([...fasts, ...slows]);
  const fast = new Int32Array(1000);
  const slow = new Int32Array(1000);
  for (let i = 0; i < 1000; i++) {
    fast[i] = Math.floor(i / 100);
    slow[i] = 10 + (i % 100);
  }
  return { windows, fast, slow };
}
const tasks = [task(2), task(52), task(92)];

function time(s: KernelSession): { ms: number; counts: number[] } {
  const t0 = performance.now();
  const counts: number[] = [];
  for (const t of tasks) counts.push(...s.smaCrossBatch(0, t.windows, t.fast, t.slow));
  return { ms: performance.now() - t0, counts };
}
time(a);
time(b);
const ratios: number[] = [];
let bestA = Infinity;
let bestB = Infinity;
for (let r = 0; r < rounds; r++) {
  const first = r % 2 === 0;
  const x = first ? time(a) : time(b);
  const y = first ? time(b) : time(a);
  const ra = first ? x : y;
  const rb = first ? y : x;
  if (ra.counts.some((c, k) => c !== rb.counts[k])) {
    process.stderr.write('ab-batch: the two builds count different changes\n');
    process.exit(1);
  }
  bestA = Math.min(bestA, ra.ms);
  bestB = Math.min(bestB, rb.ms);
  ratios.push(rb.ms / ra.ms);
}
const sorted = [...ratios].sort((u, v) => u - v);
process.stdout.write(
  `ab-batch: 3 tasks of 1,000 sets per side and round, ${rounds} rounds\n  A (this build)  best ${bestA.toFixed(1)} ms\n  B (${other})  best ${bestB.toFixed(1)} ms\n  B / A: median ${sorted[Math.floor(rounds / 2)]!.toFixed(3)} (rounds: ${ratios.map((x) => x.toFixed(3)).join(' ')})\n`,
);
