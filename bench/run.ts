// `npm run bench [-- --quick] [--json] [--only W1,W3]`: the issue-5 workloads on synthetic 1m
// candles. Every timing is gated: it counts only when the timed run's results equal the
// TypeScript reference's (bench/gate.ts). Target weights are computed once per workload, outside
// the timed calls (their cost is reported on its own row), as a sweep shares them too.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KernelSession } from '../src/engine/kernel.js';
import { runReference } from '../src/engine/reference.js';
import type { BacktestResult, MarginMode, RunSpec } from '../src/engine/types.js';
import { kernelModule } from '../src/engine/wasm.js';
import { gate, type GateResult } from './gate.js';
import { machine, once, parseArgs, runMain, si, table, timeIt, type Timing } from './measure.js';
import { benchCandles, benchSpec, FULL, QUICK, smaTargets, W3_SYMBOLS, w3Spec, w3Targets } from './workloads.js';

const WORKLOADS = ['W1', 'W2', 'W3'];

export interface Row {
  workload: string;
  engine: 'kernel' | 'kernel run()' | 'reference' | 'targets';
  mode: string;
  /** Symbol-bars per call (bars × symbols). */
  bars: number;
  timing: Timing;
  barsPerSec: number;
  gate: GateResult | null;
}

export interface FirstCall {
  compileMs: number;
  /** Instantiation plus copying the candle columns into kernel memory. */
  sessionMs: number;
  firstRunMs: number;
  /** The timed mean of the same run once warm. */
  warmRunMs: number;
}

const root = fileURLToPath(new URL('..', import.meta.url));

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), WORKLOADS);
  const sizes = args.quick ? QUICK : FULL;
  const iterations = args.quick ? 2 : 10;
  const want = (w: string) => !args.only || args.only.has(w);
  const log = (s: string) => {
    if (!args.json) process.stdout.write(s + '\n');
  };
  const rows: Row[] = [];
  let firstCall: FirstCall | null = null;
  let w2: Record<string, unknown> | null = null;

  // The kernel row times runInMemory: the run with its records written to kernel memory, as the
  // Numba port keeps its own in NumPy arrays; the gate then reads them out. The `kernel run()` row
  // adds turning every record into a JS object (the library API).
  const timeEngines = async (
    workload: string,
    mode: string,
    bars: number,
    reference: () => BacktestResult,
    session: KernelSession,
    spec: RunSpec,
    targets: Float64Array[],
    refIterations: number,
  ) => {
    const ref = await timeIt(`${workload} reference ${mode}`, reference, refIterations);
    const ker = await timeIt(`${workload} kernel ${mode}`, () => session.runInMemory(spec, targets, undefined), iterations);
    const kerGate = gate({ metrics: ker.last.metrics, ...session.records() }, ref.last);
    const api = await timeIt(`${workload} kernel run() ${mode}`, () => session.run(spec, targets), iterations);
    const refGate = gate(ref.last, ref.last);
    const apiGate = gate(api.last, ref.last);
    rows.push({ workload, engine: 'reference', mode, bars, timing: ref.timing, barsPerSec: bars / (ref.timing.meanMs / 1000), gate: refGate });
    rows.push({ workload, engine: 'kernel', mode, bars, timing: ker.timing, barsPerSec: bars / (ker.timing.meanMs / 1000), gate: kerGate });
    rows.push({ workload, engine: 'kernel run()', mode, bars, timing: api.timing, barsPerSec: bars / (api.timing.meanMs / 1000), gate: apiGate });
    log(
      `  ${workload} ${mode}: reference ${ref.timing.meanMs.toFixed(0)} ms, kernel ${ker.timing.meanMs.toFixed(0)} ms ` +
        `(run() with JS records ${api.timing.meanMs.toFixed(0)} ms), gate ${kerGate.ok && apiGate.ok ? 'ok' : 'FAILED: ' + (kerGate.difference ?? apiGate.difference)}`,
    );
  };

  if (want('W1')) {
    log(`W1: sma-cross(10, 50), ${si(sizes.w1Bars)} 1m BTCUSDT bars with mark prices and funding`);
    const candles = benchCandles(['BTCUSDT'], sizes.w1Bars);
    const targets = once(() => smaTargets(candles, 10, 50));
    rows.push({
      workload: 'W1', engine: 'targets', mode: '-', bars: sizes.w1Bars,
      timing: { meanMs: targets.ms, p50Ms: targets.ms, rme: 0, samples: 1 },
      barsPerSec: sizes.w1Bars / (targets.ms / 1000), gate: null,
    });
    // First call: the module compile, the instance and the candle copy, then a cold run.
    const spec0 = benchSpec(['BTCUSDT'], 'isolated', true);
    const compile = once(() => kernelModule());
    const session = once(() => new KernelSession(candles));
    const first = once(() => session.value.run(spec0, targets.value));
    // the warm figure is the timed mean of the same run (W1 kernel isolated), filled in below
    firstCall = { compileMs: compile.ms, sessionMs: session.ms, firstRunMs: first.ms, warmRunMs: NaN };
    for (const mode of ['isolated', 'cross'] as MarginMode[]) {
      const spec = benchSpec(['BTCUSDT'], mode, true);
      await timeEngines('W1', mode, sizes.w1Bars, () => runReference(spec, candles, targets.value), session.value, spec, targets.value, iterations);
    }
    firstCall.warmRunMs = rows.find((r) => r.workload === 'W1' && r.engine === 'kernel' && r.mode === 'isolated')!.timing.meanMs;
  }

  if (want('W2')) {
    log(`W2: ${si(sizes.w2Sets)} sma-cross parameter sets over ${si(sizes.w2Bars)} 1m bars, isolated, all cores (child process)`);
    const child = spawnSync(
      process.execPath,
      ['bin/margincall-dev.mjs', 'bench/w2-child.ts', '--bars', String(sizes.w2Bars), '--sets', String(sizes.w2Sets)],
      { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (child.status !== 0) throw new Error(`W2 child failed (${child.status}): ${child.stderr}`);
    w2 = JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    log(`  W2 ${w2.mode}: ${Number(w2.wallMs).toFixed(0)} ms wall (${Number(w2.cpuMs).toFixed(0)} ms CPU), ${si(Number(w2.barStepsPerSec))} bar-steps/s, peak RSS ${Number(w2.maxRssMB).toFixed(0)} MB`);
  }

  if (want('W3')) {
    log(`W3: pair(BTC, ETH) + sma-cross(BNB), ${si(sizes.w3Bars)} 1m bars each, cross margin`);
    const candles = benchCandles(W3_SYMBOLS, sizes.w3Bars);
    const targets = once(() => w3Targets(candles));
    const n = sizes.w3Bars * W3_SYMBOLS.length;
    rows.push({
      workload: 'W3', engine: 'targets', mode: '-', bars: n,
      timing: { meanMs: targets.ms, p50Ms: targets.ms, rme: 0, samples: 1 },
      barsPerSec: n / (targets.ms / 1000), gate: null,
    });
    const spec = w3Spec();
    const session = new KernelSession(candles);
    await timeEngines('W3', 'cross', n, () => runReference(spec, candles, targets.value), session, spec, targets.value, args.quick ? 2 : 3);
  }

  const ratio = (w: string, mode: string): number | null => {
    const k = rows.find((r) => r.workload === w && r.mode === mode && r.engine === 'kernel');
    const r = rows.find((x) => x.workload === w && x.mode === mode && x.engine === 'reference');
    return k && r ? k.barsPerSec / r.barsPerSec : null;
  };
  const ratios: Record<string, number | null> = {
    'W1 isolated': ratio('W1', 'isolated'),
    'W1 cross': ratio('W1', 'cross'),
    'W3 cross': ratio('W3', 'cross'),
  };
  const allGated = rows.every((r) => r.gate === null || r.gate.ok) && (!w2 || (w2.gate as { ok: boolean }).ok);

  if (args.json) {
    process.stdout.write(
      JSON.stringify({ machine: machine(), quick: args.quick, sizes, rows, firstCall, w2, kernelOverReference: ratios, gate: allGated }, null, 2) + '\n',
    );
  } else {
    const m = machine();
    log(`\nmachine: ${m.cpu}, ${m.cores} cores, Node ${m.node}${args.quick ? ' (--quick sizes)' : ''}\n`);
    log(
      table(
        ['workload', 'engine', 'mode', 'bars', 'mean ms', 'p50 ms', '±%', 'bars/s', 'gate'],
        rows.map((r) => [
          r.workload, r.engine, r.mode, si(r.bars), r.timing.meanMs.toFixed(1), r.timing.p50Ms.toFixed(1),
          r.timing.rme.toFixed(1), si(r.barsPerSec), r.gate ? (r.gate.ok ? `ok ${r.gate.hash}` : 'FAILED') : '-',
        ]),
      ),
    );
    for (const [k, v] of Object.entries(ratios)) if (v !== null) log(`kernel / reference, ${k}: ${v.toFixed(2)}×`);
    if (firstCall) {
      log(`first call: compile ${firstCall.compileMs.toFixed(1)} ms, instantiate + load candles ${firstCall.sessionMs.toFixed(1)} ms, ` +
        `first run ${firstCall.firstRunMs.toFixed(1)} ms (warm mean: ${firstCall.warmRunMs.toFixed(1)} ms)`);
    }
    if (w2) {
      const g = w2.gate as { ok: boolean; checked: number; difference?: string };
      log(`W2 (sweep API, ${w2.cores} worker threads running ${w2.workerModule}): ` +
        `${(Number(w2.wallMs) / 1000).toFixed(2)} s wall for ${si(Number(w2.sets))} sets on ${w2.cores} cores, ` +
        `${si(Number(w2.barStepsPerSec))} bar-steps/s, peak RSS ${Number(w2.maxRssMB).toFixed(0)} MB, ` +
        `gate ${g.ok ? `ok (${g.checked} sets)` : 'FAILED: ' + g.difference}`);
    }
    for (const r of rows) if (r.gate && !r.gate.ok) log(`GATE FAILED ${r.workload} ${r.engine} ${r.mode}: ${r.gate.difference}`);
  }
  return allGated ? 0 : 1;
}

await runMain(main);
