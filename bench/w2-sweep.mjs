// W2's sweep as a user runs it: plain Node on the compiled package (dist/index.js, the
// package's entry), no tsx loader in the process. bench/w2-child.ts starts it with the workload
// as JSON (argv[2]: { bars, seed, symbols, interval, spec, checkAt, nonfinite }) so the workload keeps one
// definition (bench/workloads.ts), and gates the rows it prints against the TypeScript reference.
// Prints one JSON object: { rows, wallMs, maxRssMB, checked: [{ run, params, metrics }] }.
import { synthesize, sweep } from '../dist/index.js';

const job = JSON.parse(process.argv[2]);
const candles = synthesize({ symbols: job.symbols, bars: job.bars, interval: job.interval, seed: job.seed });
const checkAt = new Set(job.checkAt);
const checked = [];
const t0 = performance.now();
let rows = 0;
for await (const row of sweep({ ...job.spec, data: candles })) {
  rows++;
  if (checkAt.has(row.run)) checked.push({ run: row.run, params: row.params, metrics: row.metrics });
}
const wallMs = performance.now() - t0;
const maxRssMB = process.resourceUsage().maxRSS / 1024;
// JSON has no NaN or ±Infinity: w2-child.ts revives them from job.nonfinite + String(value)
const replacer = (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? job.nonfinite + String(v) : v);
process.stdout.write(JSON.stringify({ rows, wallMs, maxRssMB, checked }, replacer) + '\n');
