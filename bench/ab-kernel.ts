// Two kernel builds side by side in one process, on W2's runs: this checkout's build/kernel.wasm
// (A) and another (B, e.g. a worktree of the last commit). The two take turns on the same chunks,
// round after round, so another tenant's load on a shared machine falls on both alike; the
// per-round ratio B / A is the measure (a difference of 1% shows, where W2's wall time moves by
// ±5% from run to run). The runs' metrics must agree to SPEC's 1e-9, else it stops.
// Usage: node bin/margincall-dev.mjs bench/ab-kernel.ts --other ../base/build/kernel.wasm [--rounds 7] [--swap] [--json]
// Only the kernel differs: both sides run this checkout's TypeScript.
import { KernelSession } from '../src/engine/kernel.js';
import { prepareSweep } from '../src/sweep/index.js';
import { createTaskState, runChunk, sessionOptions, type TaskState } from '../src/sweep/task.js';
import { abArgs } from './ab-args.js';
import { sameValue } from './gate.js';
import { benchCandles, w2SweepSpec } from './workloads.js';

const { other, otherModule, rounds, flag } = abArgs('ab-kernel.ts', ' [--swap] [--json]');

const candles = benchCandles(['BTCUSDT'], 200_000);
const p = prepareSweep({ ...w2SweepSpec(10_000), data: candles, workers: 0 });
// Where a session's memory lands can favour it by ~1–2% for the whole process, whichever build it
// runs: --swap creates the other build's session first, and bench/ab-repeat.sh averages both orders.
const swap = flag('--swap');
const options = sessionOptions(p.grid);
const sessions = swap
  ? [new KernelSession(candles, { ...options, module: otherModule }), new KernelSession(candles, options)]
  : [new KernelSession(candles, options), new KernelSession(candles, { ...options, module: otherModule })];
const thisSession = swap ? sessions[1]! : sessions[0]!;
const otherSession = swap ? sessions[0]! : sessions[1]!;
const a: TaskState = { ...createTaskState(p.grid, p.settings, candles), session: thisSession };
const b: TaskState = { ...createTaskState(p.grid, p.settings, candles), session: otherSession };
// chunks of 500 of W2's sets: the most trades, the middle, the fewest
const chunks = [0, 5000, 9500];

/** One chunk as a sweep task runs it (its batch computed afresh, not left from the last chunk). */
function time(state: TaskState, first: number): { ms: number; out: Float64Array } {
  state.smaSets = new Map();
  state.lastKey = -1;
  const t0 = performance.now();
  const out = runChunk(state, first, 500);
  return { ms: performance.now() - t0, out };
}

function agree(x: Float64Array, y: Float64Array): boolean {
  return x.every((v, k) => sameValue(v, y[k]!));
}

// The sides take turns chunk by chunk (~0.3 s each), the first of each pair alternating, so a
// change of the machine's speed falls on both alike; the ratio of a round is that of its sums.
const ratios: number[] = [];
const timesA: number[] = [];
const timesB: number[] = [];
for (let r = 0; r <= rounds; r++) {
  let msA = 0;
  let msB = 0;
  chunks.forEach((first, c) => {
    let x, y;
    if ((r + c) % 2 === 0) {
      x = time(a, first);
      y = time(b, first);
    } else {
      y = time(b, first);
      x = time(a, first);
    }
    if (!agree(x.out, y.out)) {
      process.stderr.write('ab-kernel: the two kernels disagree beyond 1e-9 on some run\n');
      process.exit(1);
    }
    msA += x.ms;
    msB += y.ms;
  });
  // round 0 warms both up
  if (r === 0) continue;
  timesA.push(msA);
  timesB.push(msB);
  ratios.push(msB / msA);
}
const median = (v: number[]): number => [...v].sort((m, n) => m - n)[Math.floor(v.length / 2)]!;
const result = {
  runs: chunks.length * 500,
  rounds,
  bestA: Math.min(...timesA),
  bestB: Math.min(...timesB),
  medianRatioBOverA: median(ratios),
  ratios,
};
if (flag('--json')) {
  process.stdout.write(JSON.stringify(result) + '\n');
} else {
  process.stdout.write(
    `ab-kernel: ${result.runs} W2 runs per side and round, ${rounds} rounds\n` +
      `  A (this build)  best ${result.bestA.toFixed(0)} ms\n` +
      `  B (${other})  best ${result.bestB.toFixed(0)} ms\n` +
      `  B / A: median ${result.medianRatioBOverA.toFixed(3)} (rounds: ${ratios.map((x) => x.toFixed(3)).join(' ')})\n`,
  );
}
