// W2 in a child process of its own, so its peak RSS (process.resourceUsage().maxRSS, which
// counts worker threads too) belongs to the sweep alone. Prints one JSON object on stdout.
// The wall time runs from the candles in memory to the last row: grid checks, shared candle
// memory, worker start-up (one WASM instance each) and every run, through the public sweep API.
// The gate compares the first, middle and last rows with the TypeScript reference.
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { runReference } from '../src/engine/reference.js';
import { sweep, type SweepRow } from '../src/sweep/index.js';
import { workerFilename } from '../src/sweep/pool.js';
import { firstDifference } from './gate.js';
import { benchCandles, benchSpec, smaTargets, w2Grid } from './workloads.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const bars = arg('--bars', 200_000);
const sets = arg('--sets', 10_000);
const candles = benchCandles(['BTCUSDT'], bars);
const grid = w2Grid(sets);
const spec = benchSpec(['BTCUSDT'], 'isolated', false);
const checkAt = new Set([0, Math.floor(sets / 2), sets - 1]);
const checked: SweepRow[] = [];

const t0 = performance.now();
let rows = 0;
for await (const row of sweep({
  data: candles,
  strategy: 'sma-cross',
  grid: grid.text,
  leverages: [spec.leverage],
  margins: ['isolated'],
  symbols: [['BTCUSDT']],
  balance: spec.balance,
  sizing: spec.sizing,
  feeRate: spec.feeRate,
  slippage: spec.slippage,
  liquidation: spec.liquidation,
  liquidationFeeRate: spec.liquidationFeeRate,
})) {
  rows++;
  if (checkAt.has(row.run)) checked.push(row);
}
const wallMs = performance.now() - t0;
const maxRssMB = process.resourceUsage().maxRSS / 1024;

let gateOk = rows === sets && checked.length === checkAt.size;
let difference: string | undefined = gateOk ? undefined : `${rows} rows for ${sets} sets`;
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
    // worker.js: compiled dist/ (what users run); worker-shim.mjs: TypeScript through tsx
    workerModule: basename(workerFilename()),
    wallMs,
    barStepsPerSec: (sets * bars) / (wallMs / 1000),
    maxRssMB,
    gate: { ok: gateOk, checked: checked.length, difference },
  }) + '\n',
);
