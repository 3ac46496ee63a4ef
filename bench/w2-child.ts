// W2 in a child process of its own, so its peak RSS (process.resourceUsage().maxRSS, which
// counts worker threads too) belongs to the sweep alone. Prints one JSON object on stdout.
// The wall time runs from the candles in memory to the last row: grid checks, shared candle
// memory, worker start-up (one WASM instance each) and every run, through the public sweep API.
// The gate compares the first, middle and last rows with the TypeScript reference.
// When dist/ is up to date the sweep runs in a plain Node process on the compiled package
// (bench/w2-sweep.mjs), as users run it: this process runs under tsx, whose loader thread and
// transpiled sources add ~50 MB that no user pays. `--in-process` (or a stale dist/) sweeps here.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReference } from '../src/engine/reference.js';
import type { Metrics } from '../src/engine/types.js';
import { sweep } from '../src/sweep/index.js';
import { workerFilename } from '../src/sweep/pool.js';
import { firstDifference } from './gate.js';
import { benchCandles, benchSpec, SEED, smaTargets, w2Grid, w2SweepSpec } from './workloads.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const bars = arg('--bars', 200_000);
const sets = arg('--sets', 10_000);
const grid = w2Grid(sets);
const spec = benchSpec(['BTCUSDT'], 'isolated', false);
const checkAt = [0, Math.floor(sets / 2), sets - 1];
const sweepSpec = w2SweepSpec(sets);
// worker.js: dist/ is newer than every source file, so the compiled package is what users run
// (read before the sweep: a source edited while it runs makes dist/ stale afterwards)
const workerModule = basename(workerFilename());
const distFresh = workerModule === 'worker.js';
const inProcess = process.argv.includes('--in-process') || !distFresh;

interface Checked {
  run: number;
  params: Record<string, number>;
  metrics: Metrics;
}
interface Outcome {
  rows: number;
  wallMs: number;
  /** CPU time of the sweeping process over the sweep, all threads. */
  cpuMs: number;
  maxRssMB: number;
  checked: Checked[];
}

// metrics cross the process boundary as JSON, which has no NaN or ±Infinity
const NONFINITE = '__nonfinite:';
const reviver = (_k: string, v: unknown): unknown =>
  typeof v === 'string' && v.startsWith(NONFINITE) ? Number(v.slice(NONFINITE.length)) : v;

async function sweepHere(): Promise<Outcome> {
  const candles = benchCandles(['BTCUSDT'], bars);
  const want = new Set(checkAt);
  const checked: Checked[] = [];
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let rows = 0;
  for await (const row of sweep({ ...sweepSpec, data: candles })) {
    rows++;
    if (want.has(row.run)) checked.push({ run: row.run, params: row.params as Record<string, number>, metrics: row.metrics });
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { rows, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, checked };
}

function sweepInPlainNode(): Outcome {
  const script = fileURLToPath(new URL('./w2-sweep.mjs', import.meta.url));
  const job = { bars, seed: SEED, symbols: ['BTCUSDT'], interval: '1m', spec: sweepSpec, checkAt, nonfinite: NONFINITE };
  const child = spawnSync(process.execPath, [script, JSON.stringify(job)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`bench/w2-sweep.mjs failed (${child.status}): ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!, reviver) as Outcome;
}

const { rows, wallMs, cpuMs, maxRssMB, checked } = inProcess ? await sweepHere() : sweepInPlainNode();

// the reference runs on candles of this process: the gate also checks the sweep saw the same data
const candles = benchCandles(['BTCUSDT'], bars);
let gateOk = rows === sets && checked.length === checkAt.length;
let difference: string | undefined = gateOk ? undefined : `${rows} rows for ${sets} sets, ${checked.length} checked`;
for (const row of checked) {
  if (!gateOk) break;
  const { fast, slow } = row.params as { fast: number; slow: number };
  if (fast !== grid.fast[row.run] || slow !== grid.slow[row.run]) {
    gateOk = false;
    difference = `run ${row.run}: params ${fast}/${slow}, expected ${grid.fast[row.run]}/${grid.slow[row.run]}`;
    break;
  }
  const ref = runReference(spec, candles, smaTargets(candles, fast, slow));
  const d = firstDifference({ metrics: row.metrics }, { metrics: ref.metrics });
  if (d !== null) {
    gateOk = false;
    difference = `run ${row.run} (fast ${fast}, slow ${slow}): ${d}`;
  }
}

const cores = availableParallelism();
process.stdout.write(
  JSON.stringify({
    mode: 'sweep API',
    bars,
    sets,
    cores,
    // the sweeping process: 'dist' = plain Node on the compiled package (what users run),
    // 'tsx' = this process through tsx (--in-process or a stale dist/)
    main: inProcess ? 'tsx' : 'dist',
    // worker.js: compiled dist/ (what users run); worker-shim.mjs: TypeScript through tsx
    workerModule,
    wallMs,
    cpuMs,
    barStepsPerSec: (sets * bars) / (wallMs / 1000),
    maxRssMB,
    gate: { ok: gateOk, checked: checked.length, difference },
  }) + '\n',
);
