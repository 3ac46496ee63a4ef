// `npm run bench:peers [-- --quick] [--json] [--only W1,W2]`: margincall against the same
// engine written the way vectorbt's is (Numba @njit loops, bench/peers/engine_numba.py), on the
// same synthetic candles, in the same command. The Numba results pass the same gate as the
// kernel's (equal to the TypeScript reference to 1e-9). Skipped, exit 0, when numba is absent.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candles } from '../../src/data/schema.js';
import { synthesize } from '../../src/data/synth.js';
import { KernelSession } from '../../src/engine/kernel.js';
import { runReference } from '../../src/engine/reference.js';
import { type BacktestResult, type MarginMode, type Metrics, type RunSpec } from '../../src/engine/types.js';
import { firstDifference, gate, type GateResult } from '../gate.js';
import { machine, parseArgs, runMain, si, table, timeIt } from '../measure.js';
import { benchCandles, benchSpec, FULL, QUICK, smaTargets, w2Grid } from '../workloads.js';

/** Liquidating settings over benchSpec's, each run in both margin modes. */
const CHECKS: Partial<RunSpec>[] = [
  { leverage: 50, sizing: { kind: 'fixed', amount: 1_000 } },
  { leverage: 20, sizing: { kind: 'fraction', fraction: 0.5 }, slippage: 0.0001 },
  { leverage: 30, sizing: { kind: 'fixed', amount: 2_000 }, liquidation: { kind: 'threshold', x: 0.4 } },
];

/** Debian's Python (python3-numba); `python3` on PATH may be another one without numba. */
const PYTHON = process.env.MARGINCALL_PYTHON ?? '/usr/bin/python3';
const root = fileURLToPath(new URL('../..', import.meta.url));

function numbaVersion(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import numba, numpy; print(numba.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const f64 = (a: Float64Array | Int32Array): Buffer => {
  const x = a instanceof Float64Array ? a : Float64Array.from(a);
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength);
};

/** Raw little-endian float64 columns, read on the Python side with numpy.fromfile. */
function writeCandles(dir: string, prefix: string, c: Candles): void {
  const s = c.symbols[0]!;
  const m = s.mark ?? s;
  const funding = s.fundingRate ?? new Float64Array(c.time.length).fill(NaN);
  const cols: Record<string, Float64Array> = {
    time: c.time, open: s.open, mopen: m.open, mhigh: m.high, mlow: m.low, mclose: m.close, funding, close: s.close,
  };
  for (const [k, v] of Object.entries(cols)) writeFileSync(join(dir, `${prefix}-${k}.bin`), f64(v));
}

/** The scalar settings the Numba engine takes, from a RunSpec. */
function numbaSpec(spec: RunSpec, intervalMs: number) {
  return {
    threshold: spec.liquidation.kind === 'threshold' ? spec.liquidation.x : -1,
    leverage: spec.leverage,
    balance: spec.balance,
    sizingFixed: spec.sizing.kind === 'fixed',
    size: spec.sizing.kind === 'fixed' ? spec.sizing.amount : spec.sizing.fraction,
    feeRate: spec.feeRate,
    slippage: spec.slippage,
    liquidationFeeRate: spec.liquidationFeeRate,
    barsPerYear: (365 * 86_400_000) / intervalMs,
  };
}

interface NumbaRecords {
  metrics: Metrics;
  trades: number[][];
  liquidations: number[][];
}

interface NumbaW1 extends NumbaRecords {
  meanMs: number;
  minMs: number;
  samples: number;
}

const REASONS = ['signal', 'liquidation', 'end'] as const;

/** The Numba engine's record arrays as a BacktestResult, for the gate. */
function numbaResult(r: NumbaRecords, symbol: string, proxy: boolean): BacktestResult {
  return {
    metrics: r.metrics,
    trades: r.trades.map(([side, entryTime, exitTime, qty, entryPrice, exitPrice, pnl, fees, funding, reason]) => ({
      symbol, side: side === 1 ? 1 : -1, entryTime: entryTime!, exitTime: exitTime!, qty: qty!, entryPrice: entryPrice!,
      exitPrice: exitPrice!, pnl: pnl!, fees: fees!, funding: funding!, reason: REASONS[reason!]!,
    })),
    liquidations: r.liquidations.map(([time, side, triggerPrice, where, loss, group]) => ({
      time: time!, symbol, side: side === 1 ? 1 : -1, triggerPrice: triggerPrice!, where: where === 0 ? 'open' : 'intrabar',
      loss: loss!, group: group!, proxy,
    })),
  };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), ['W1', 'W2']);
  const log = (s: string) => {
    if (!args.json) process.stdout.write(s + '\n');
  };
  const version = numbaVersion();
  if (!version) {
    const msg = `bench:peers skipped: numba is not importable by ${PYTHON} (on Debian: apt-get install python3-numba)`;
    if (args.json) process.stdout.write(JSON.stringify({ skipped: msg }) + '\n');
    else log(msg);
    return 0;
  }
  const sizes = args.quick ? QUICK : FULL;
  const iterations = args.quick ? 2 : 10;
  const want = (w: string) => !args.only || args.only.has(w);
  const dir = mkdtempSync(join(tmpdir(), 'margincall-peers-'));
  try {
    const meta: Record<string, unknown> = {};
    const spec0 = benchSpec(['BTCUSDT'], 'isolated', true);
    meta.spec = numbaSpec(spec0, 60_000);
    meta.brackets = spec0.brackets[0]!.map((b) => [b.floor, b.cap, b.mmr, b.maxLeverage, b.cum]);

    let w1Candles: Candles | null = null;
    let w1Targets: Float64Array[] = [];
    if (want('W1')) {
      log(`W1: sma-cross(10, 50) on ${si(sizes.w1Bars)} 1m BTCUSDT bars, isolated and cross`);
      w1Candles = benchCandles(['BTCUSDT'], sizes.w1Bars);
      w1Targets = smaTargets(w1Candles, 10, 50);
      writeCandles(dir, 'w1', w1Candles);
      writeFileSync(join(dir, 'w1-targets.bin'), f64(w1Targets[0]!));
      meta.w1 = { iterations };
    }
    let w2Candles: Candles | null = null;
    let check: number[] = [];
    const grid = w2Grid(sizes.w2Sets);
    if (want('W2')) {
      log(`W2: ${si(sizes.w2Sets)} sma-cross parameter sets over ${si(sizes.w2Bars)} 1m bars, isolated`);
      w2Candles = benchCandles(['BTCUSDT'], sizes.w2Bars);
      writeCandles(dir, 'w2', w2Candles);
      writeFileSync(join(dir, 'w2-fast.bin'), f64(grid.fast));
      writeFileSync(join(dir, 'w2-slow.bin'), f64(grid.slow));
      check = [0, Math.floor(sizes.w2Sets / 2), sizes.w2Sets - 1];
      meta.w2 = { check };
    }
    // Untimed liquidating scenarios (W1 itself liquidates nothing): 1h bars, high leverage.
    const chkCandles = synthesize({ symbols: ['BTCUSDT'], bars: args.quick ? 5_000 : 30_000, interval: '1h', seed: 3 });
    const chkTargets = smaTargets(chkCandles, 10, 50);
    writeCandles(dir, 'chk', chkCandles);
    writeFileSync(join(dir, 'chk-targets.bin'), f64(chkTargets[0]!));
    const chkSpecs = CHECKS.flatMap((over) =>
      (['isolated', 'cross'] as MarginMode[]).map((marginMode) => ({ ...benchSpec(['BTCUSDT'], marginMode, true), ...over })),
    );
    meta.checks = chkSpecs.map((sp) => ({ spec: numbaSpec(sp, chkCandles.intervalMs!), isolated: sp.marginMode === 'isolated' }));
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));

    log(`running the Numba engine (numba ${version})…`);
    const py = spawnSync(PYTHON, [join(root, 'bench/peers/run_numba.py'), dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, NUMBA_CACHE_DIR: join(tmpdir(), 'margincall-numba-cache'), PYTHONDONTWRITEBYTECODE: '1' },
    });
    if (py.status !== 0) throw new Error(`the Numba engine failed (${py.status}):\n${py.stderr}`);
    const numba = JSON.parse(py.stdout) as {
      numba: string; threads: number; compileMs?: number; sweepCompileMs?: number;
      w1?: Record<MarginMode, NumbaW1>;
      checks: NumbaRecords[];
      w2?: { wallMs: number; sets: number; bars: number; checked: Record<string, Metrics> };
    };

    let checkLiqs = 0;
    let checkFailure: string | null = null;
    chkSpecs.forEach((sp, k) => {
      const ref = runReference(sp, chkCandles, chkTargets);
      checkLiqs += ref.metrics.liquidations;
      const d = firstDifference(numbaResult(numba.checks[k]!, 'BTCUSDT', false), ref);
      if (d !== null && checkFailure === null) checkFailure = `check ${k} (${sp.marginMode}, leverage ${sp.leverage}): ${d}`;
    });
    const rows: string[][] = [];
    const out: Record<string, unknown> = { machine: machine(), quick: args.quick, numba: numba.numba, numbaThreads: numba.threads };
    let ok = checkFailure === null;
    out.checks = { scenarios: chkSpecs.length, liquidations: checkLiqs, ok, difference: checkFailure };

    if (w1Candles && numba.w1) {
      const session = new KernelSession(w1Candles);
      const w1: Record<string, unknown> = {};
      for (const mode of ['isolated', 'cross'] as MarginMode[]) {
        const spec = benchSpec(['BTCUSDT'], mode, true);
        const reference = runReference(spec, w1Candles, w1Targets);
        // records kept in kernel memory, as the Numba port keeps its own in NumPy arrays
        const ker = await timeIt(`kernel ${mode}`, () => session.runInMemory(spec, w1Targets), iterations);
        const kGate = gate({ metrics: ker.last.metrics, ...session.records() }, reference);
        const nb = numba.w1[mode];
        const nGate: GateResult = gate(numbaResult(nb, 'BTCUSDT', w1Candles.symbols[0]!.mark === null), reference);
        ok &&= kGate.ok && nGate.ok;
        const kRate = sizes.w1Bars / (ker.timing.meanMs / 1000);
        const nRate = sizes.w1Bars / (nb.meanMs / 1000);
        w1[mode] = { kernelMs: ker.timing.meanMs, numbaMs: nb.meanMs, kernelBarsPerSec: kRate, numbaBarsPerSec: nRate, ratio: kRate / nRate, kernelGate: kGate, numbaGate: nGate };
        rows.push(['W1', mode, 'margincall kernel', ker.timing.meanMs.toFixed(1), si(kRate), '1', kGate.ok ? `ok ${kGate.hash}` : `FAILED: ${kGate.difference}`]);
        rows.push(['W1', mode, 'Numba', nb.meanMs.toFixed(1), si(nRate), '1', nGate.ok ? `ok ${nGate.hash}` : `FAILED: ${nGate.difference}`]);
        rows.push(['W1', mode, 'margincall / Numba per core', '', `${(kRate / nRate).toFixed(2)}×`, '', '']);
      }
      out.w1 = w1;
      out.numbaCompileMs = numba.compileMs;
    }

    if (w2Candles && numba.w2) {
      const nb = numba.w2;
      // margincall's side: the W2 child of `npm run bench` (the sweep API in a process of its own).
      const child = spawnSync(
        process.execPath,
        ['bin/margincall-dev.mjs', 'bench/w2-child.ts', '--bars', String(sizes.w2Bars), '--sets', String(sizes.w2Sets)],
        { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (child.status !== 0) throw new Error(`W2 child failed (${child.status}): ${child.stderr}`);
      const mc = JSON.parse(child.stdout.trim().split('\n').pop()!) as { mode: string; wallMs: number; cores: number; maxRssMB: number; gate: { ok: boolean; difference?: string } };
      // Numba's rows against the reference, for the sets it reported.
      const spec = benchSpec(['BTCUSDT'], 'isolated', false);
      let nGate: GateResult = { ok: true, hash: '-' };
      for (const i of check) {
        const ref = runReference(spec, w2Candles, smaTargets(w2Candles, grid.fast[i]!, grid.slow[i]!));
        const d = firstDifference({ metrics: nb.checked[String(i)]! }, { metrics: ref.metrics });
        if (d !== null) {
          nGate = { ok: false, hash: '-', difference: `set ${i}: ${d}` };
          break;
        }
      }
      ok &&= nGate.ok && mc.gate.ok;
      const steps = nb.sets * nb.bars;
      const nbPerCore = steps / ((nb.wallMs / 1000) * numba.threads);
      const mcPerCore = steps / ((mc.wallMs / 1000) * mc.cores);
      out.w2 = { numba: { wallMs: nb.wallMs, threads: numba.threads, barStepsPerSecPerCore: nbPerCore, gate: nGate }, margincall: { ...mc, barStepsPerSecPerCore: mcPerCore }, ratio: mcPerCore / nbPerCore };
      rows.push(['W2', 'isolated', `margincall (${mc.mode})`, mc.wallMs.toFixed(0), si(mcPerCore), String(mc.cores), mc.gate.ok ? 'ok' : `FAILED: ${mc.gate.difference}`]);
      rows.push(['W2', 'isolated', 'Numba prange', nb.wallMs.toFixed(0), si(nbPerCore), String(numba.threads), nGate.ok ? `ok (${check.length} sets)` : `FAILED: ${nGate.difference}`]);
      rows.push(['W2', 'isolated', 'margincall / Numba per core', '', `${(mcPerCore / nbPerCore).toFixed(2)}×`, '', '']);
    }
    out.gate = ok;

    if (args.json) {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      const m = machine();
      log(`\nmachine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, numba ${numba.numba}${args.quick ? ' (--quick sizes)' : ''}\n`);
      log(table(['workload', 'mode', 'engine', 'ms', 'bars/s per core', 'cores', 'gate'], rows));
      log(`liquidation checks (untimed, 1h bars): ${chkSpecs.length} scenarios with ${checkLiqs} liquidations, ` +
        (checkFailure === null ? 'Numba equal to the reference' : `FAILED: ${checkFailure}`));
      if (numba.compileMs !== undefined) log(`Numba first call (compile or cache load): ${numba.compileMs.toFixed(0)} ms`);
    }
    return ok ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runMain(main);
