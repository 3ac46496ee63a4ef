// W2's sweep as a user runs it: plain Node on the compiled package (dist/index.js, the
// package's entry), no tsx loader in the process. bench/w2-child.ts starts it with the workload
// as JSON (argv[2]: { bars, seed, symbols, interval, spec, checkAt, nonfinite }) so the workload keeps one
// definition (bench/workloads.ts), and gates the rows it prints against the TypeScript reference.
// Prints one JSON object: { rows, wallMs, cpuMs, maxRssMB, checked: [{ run, params, metrics }] }
// (cpuMs: the process's CPU time over the sweep, all threads: steadier than the wall on a shared machine).
import { synthesize, sweep } from '../dist/index.js';

const job = JSON.parse(process.argv[2]);
const candles = synthesize({ symbols: job.symbols, bars: job.bars, interval: job.interval, seed: job.seed });
const checkAt = new Set(job.checkAt);
const checked = [];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
let rows = 0;
for await (const row of sweep({ ...job.spec, data: candles })) {
  rows++;
  if (checkAt.has(row.run)) checked.push({ run: row.run, params: row.params, metrics: row.metrics });
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
// JSON has no NaN or ±Infinity: w2-child.ts revives them from job.nonfinite + String(value)
const replacer = (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? job.nonfinite + String(v) : v);
process.stdout.write(JSON.stringify({ rows, wallMs, cpuMs, maxRssMB, checked }, replacer) + '\n');
