// W2's memory stage by stage (issue 5), on the compiled package in plain Node (run `npm run
// build` first): resident memory from /proc/self/status and the main thread's V8 heap after each
// step of the sweep, and the peak, so the peak RSS of bench/w2-child.ts can be broken down.
// What one worker thread costs: compare the peaks of --workers 0 (runs in this thread), 1 and 2.
// Usage: node bench/w2-stages.mjs [--bars 200000] [--sets 1000] [--workers 2] [--timeline]
import { readFileSync } from 'node:fs';
import { synthesize, sweep } from '../dist/index.js';
import { prepareSweep } from '../dist/sweep/index.js';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const bars = arg('--bars', 200_000);
const sets = arg('--sets', 1000);
const workers = arg('--workers', 2);

function status() {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(text)[1]) / 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
}
const rows = [];
function stage(name) {
  const m = process.memoryUsage();
  rows.push({ stage: name, ...status(), heapUsed: m.heapUsed / 2 ** 20, heapTotal: m.heapTotal / 2 ** 20, arrayBuffers: m.arrayBuffers / 2 ** 20 });
}
const timeline = [];
const t0 = performance.now();
const sampler = setInterval(() => timeline.push(`${(performance.now() - t0).toFixed(0)} ms  rss ${status().rss.toFixed(0)} MB`), 25);

stage('node + imports (dist/index.js)');
let candles = synthesize({ symbols: ['BTCUSDT'], bars, interval: '1m', seed: 1 });
stage(`synthesize ${bars} bars`);
const nFast = Math.min(100, sets);
const nSlow = Math.ceil(sets / nFast);
const p = prepareSweep({
  data: candles,
  strategy: 'sma-cross',
  grid: { fast: `2:${1 + nFast}:1`, slow: `105:${105 + 5 * (nSlow - 1)}:5` },
  leverages: [10],
  margins: ['isolated'],
  symbols: [['BTCUSDT']],
  sizing: { kind: 'fraction', fraction: 0.1 },
  workers,
});
stage('prepareSweep (shared candles)');
candles = null;
let n = 0;
for await (const _row of sweep(p)) {
  if (n === 0) stage('sweep: first row');
  n++;
}
stage(`sweep: ${n} rows`);
clearInterval(sampler);

const cols = ['rss', 'anon', 'file', 'heapUsed', 'heapTotal', 'arrayBuffers'];
process.stdout.write(['stage', ...cols].join('\t') + '\n');
for (const r of rows) process.stdout.write([r.stage, ...cols.map((k) => r[k].toFixed(1))].join('\t') + '\n');
process.stdout.write(`peak RSS (maxRSS) ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB\n`);
if (process.argv.includes('--timeline')) process.stdout.write(timeline.join('\n') + '\n');
