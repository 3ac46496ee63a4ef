// W2 in a child process of its own, so its peak RSS (process.resourceUsage().maxRSS, which
// counts worker threads too) belongs to the sweep alone. Prints one JSON object on stdout.
//
// Until the sweep API (src/sweep) lands, this measures a projection: `sample` parameter sets of
// the W2 grid, spread evenly over it, run one after another on one KernelSession (targets
// computed per set, metrics only), scaled to all sets over all cores. The gate compares the
// first sampled sets with the reference.
import { availableParallelism } from 'node:os';
import { KernelSession } from '../src/engine/kernel.js';
import { runReference } from '../src/engine/reference.js';
import type { BacktestResult } from '../src/engine/types.js';
import { firstDifference } from './gate.js';
import { benchCandles, benchSpec, smaTargets, w2Grid } from './workloads.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const bars = arg('--bars', 200_000);
const sets = arg('--sets', 10_000);
const sample = Math.min(sets, arg('--sample', 200));
const gated = Math.min(sample, 3);

const candles = benchCandles(['BTCUSDT'], bars);
const grid = w2Grid(sets);
const spec = benchSpec(['BTCUSDT'], 'isolated', false);
const session = new KernelSession(candles);

const t0 = performance.now();
let gateOk = true;
let difference: string | undefined;
const gateTargets: Float64Array[][] = [];
const kernelResults: BacktestResult[] = [];
for (let k = 0; k < sample; k++) {
  const i = Math.floor((k * sets) / sample);
  const targets = smaTargets(candles, grid.fast[i]!, grid.slow[i]!);
  const r = session.run({ ...spec, params: { fast: grid.fast[i]!, slow: grid.slow[i]! } }, targets);
  if (k < gated) {
    gateTargets.push(targets);
    kernelResults.push(r);
  }
}
const sampleMs = performance.now() - t0;
for (let k = 0; k < gateTargets.length && gateOk; k++) {
  const ref = runReference(spec, candles, gateTargets[k]!);
  const d = firstDifference(kernelResults[k]!, ref);
  if (d !== null) {
    gateOk = false;
    difference = `set ${k}: ${d}`;
  }
}

const cores = availableParallelism();
const perSetMs = sampleMs / sample;
const wallMs = (perSetMs * sets) / cores;
process.stdout.write(
  JSON.stringify({
    mode: 'projection',
    bars,
    sets,
    sample,
    cores,
    perSetMs,
    wallMs,
    barStepsPerSec: (sets * bars) / (wallMs / 1000),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    gate: { ok: gateOk, checked: gateTargets.length, difference },
  }) + '\n',
);
