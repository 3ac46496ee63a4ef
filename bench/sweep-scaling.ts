// Sweep scaling: bar-steps per second (bars × runs / s) with 1 and 2 worker threads on a
// 200,000-bar dataset, and their ratio (goal ≥ 1.8× on 2 cores). Pool start-up (worker threads,
// tsx or dist, kernel instantiation, first targets) is excluded by a warm-up task per worker.
// Usage: node bin/margincall-dev.mjs bench/sweep-scaling.ts [--bars N] [--runs N] [--json]
import { synthesize } from '../src/data/synth.js';
import { prepareSweep } from '../src/sweep/index.js';
import { createExecutor, runRange } from '../src/sweep/pool.js';

const args = process.argv.slice(2);
const opt = (name: string, def: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const bars = opt('--bars', 200_000);
const wantRuns = opt('--runs', 120);
const json = args.includes('--json');

const candles = synthesize({ symbols: ['BTCUSDT'], bars, interval: '1m', seed: 7 });
// sma-cross, one slow value per 10 fast ones: runs = fast values × 2 leverages × 2 modes
const nFast = Math.max(1, Math.round(wantRuns / 4));
const spec = { data: candles, strategy: 'sma-cross', grid: { fast: `2:${1 + nFast}:1`, slow: '200' }, leverages: [2, 5] };

const results: { workers: number; runs: number; seconds: number; barStepsPerSec: number; cores: number }[] = [];
for (const workers of [1, 2]) {
  const p = prepareSweep({ ...spec, workers });
  const exec = createExecutor(p.grid, p.settings, p.candles, workers);
  try {
    // warm-up: one single-run task per worker, all at once, so each thread starts its session
    await Promise.all(Array.from({ length: workers }, (_, i) => exec.run(i, 1)));
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await runRange(exec, 0, p.total, p.chunk, () => {});
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // CPU seconds of the whole process (workers included) per wall second: ~workers when nothing else competes
    const cores = (cpu.user + cpu.system) / 1e6 / seconds;
    results.push({ workers, runs: p.total, seconds, barStepsPerSec: (bars * p.total) / seconds, cores });
  } finally {
    await exec.close();
  }
}
const ratio = results[1]!.barStepsPerSec / results[0]!.barStepsPerSec;
if (json) process.stdout.write(JSON.stringify({ bars, results, ratio }) + '\n');
else {
  process.stdout.write(`sweep scaling: sma-cross on ${bars.toLocaleString('en-US')} bars\n`);
  for (const r of results) {
    process.stdout.write(
      `  ${r.workers} worker${r.workers > 1 ? 's' : ' '}  ${r.runs} runs in ${r.seconds.toFixed(2)} s  ${(r.barStepsPerSec / 1e6).toFixed(2)} M bar-steps/s  ${r.cores.toFixed(2)} cores busy\n`,
    );
  }
  process.stdout.write(`  ratio 2/1: ${ratio.toFixed(2)}× (goal ≥ 1.8×)\n`);
}
