// The shared-window sma-cross batch of sweeps (assembly/strategies/sma-batch.ts, KernelSession
// smaCrossBatch/expandSmaCross, task.ts runChunk): every set's targets, and so every run's
// metrics, equal those of the per-run path bit for bit.
import { describe, expect, it } from 'vitest';
import type { Candles } from '../../src/data/schema.js';
import { synthesize } from '../../src/data/synth.js';
import { KernelSession } from '../../src/engine/kernel.js';
import { BATCH_LIST_ENTRIES } from '../../src/engine/layout.js';
import { buildRunSpec } from '../../src/engine/runspec.js';
import { METRIC_NAMES } from '../../src/engine/types.js';
import { createTaskState, METRICS_PER_ROW, runChunk } from '../../src/sweep/task.js';
import { gridSize, runAt } from '../../src/sweep/grid.js';
import { prepareSweep } from '../../src/sweep/index.js';
import { smaCross } from '../../src/strategies/sma-cross.js';

function pairs(maxFast: number, maxSlow: number): { fast: number[]; slow: number[] } {
  const fast: number[] = [];
  const slow: number[] = [];
  for (let f = 1; f <= maxFast; f++) for (let s = f + 1; s <= maxSlow; s++) fast.push(f), slow.push(s);
  return { fast, slow };
}

/** Targets of every set through the batch on the session's symbol 0, or null for a set whose changes overflowed the list. */
function batched(session: KernelSession, fast: number[], slow: number[]): (Float64Array | null)[] {
  const windows = [...new Set([...fast, ...slow])];
  const at = new Map(windows.map((w, j) => [w, j]));
  const changes = session.smaCrossBatch(
    0,
    Int32Array.from(windows),
    Int32Array.from(fast, (w) => at.get(w)!),
    Int32Array.from(slow, (w) => at.get(w)!),
  );
  return fast.map((_, k) => (session.expandSmaCross(k, changes[k]!, 0) ? session.targetsView(0).slice() : null));
}

function withClose(close: Float64Array): Candles {
  const c = synthesize({ symbols: ['BTCUSDT'], bars: close.length, interval: '1m', seed: 3 });
  c.symbols[0]!.close.set(close);
  return c;
}

describe('sma-cross batch', () => {
  const walk = synthesize({ symbols: ['BTCUSDT'], bars: 3_000, interval: '1m', seed: 5 }).symbols[0]!.close;
  // ties under the ε rule: flat stretches, and a step that the rolling sums see as equal
  const flat = new Float64Array(3_000).map((_, t) => (t < 1_000 ? 100 : t < 2_000 ? 100 + (t % 7 === 0 ? 1e-12 : 0) : 101));
  const zigzag = new Float64Array(3_000).map((_, t) => (t % 2 === 0 ? 100 : 101));

  for (const [name, close] of [
    ['a random walk', walk],
    ['flat stretches and ties', flat],
    ['a zigzag', zigzag],
  ] as const) {
    it(`gives smaCross's targets bit for bit on ${name}`, () => {
      const session = new KernelSession(withClose(close), { batch: true });
      const { fast, slow } = pairs(12, 40);
      const got = batched(session, fast, slow);
      fast.forEach((f, k) => {
        const want = smaCross(close, f, slow[k]!);
        expect(got[k], `fast ${f} slow ${slow[k]}`).not.toBeNull();
        expect(Buffer.from(got[k]!.buffer).equals(Buffer.from(want.buffer)), `fast ${f} slow ${slow[k]}`).toBe(true);
      });
    });
  }

  it("gives smaCross's targets bit for bit across slices and rows, with fast windows above slow ones too", () => {
    const close = synthesize({ symbols: ['BTCUSDT'], bars: 20_000, interval: '1m', seed: 8 }).symbols[0]!.close;
    const session = new KernelSession(withClose(close), { batch: true });
    const fast = [2, 3, 257, 300, 9, 1, 511];
    const slow = [255, 256, 10, 299, 9, 600, 4];
    const got = batched(session, fast, slow);
    fast.forEach((f, k) => {
      const want = smaCross(close, f, slow[k]!);
      expect(got[k], `fast ${f} slow ${slow[k]}`).not.toBeNull();
      expect(Buffer.from(got[k]!.buffer).equals(Buffer.from(want.buffer)), `fast ${f} slow ${slow[k]}`).toBe(true);
    });
  });

  it('reports a set whose changes overflow its share of the list, and still expands the others', () => {
    // (long enough that a set flipping on every bar overflows its share of the list)
    const n = Math.ceil(BATCH_LIST_ENTRIES / 590) + 2_000;
    const close = new Float64Array(n).map((_, t) => (t % 2 === 0 ? 100 : 101));
    const session = new KernelSession(withClose(close), { batch: true });
    const { fast, slow } = pairs(20, 40); // 590 sets: each gets BATCH_LIST_ENTRIES / 590 entries
    expect(Math.floor(BATCH_LIST_ENTRIES / fast.length)).toBeLessThan(n - 2);
    const got = batched(session, fast, slow);
    const k12 = fast.findIndex((f, k) => f === 1 && slow[k] === 2); // flips on every bar
    expect(got[k12]).toBeNull();
    let expanded = 0;
    fast.forEach((f, k) => {
      if (got[k] === null) return;
      expanded++;
      expect(Buffer.from(got[k]!.buffer).equals(Buffer.from(smaCross(close, f, slow[k]!).buffer))).toBe(true);
    });
    expect(expanded).toBeGreaterThan(0);
  });

  it('runChunk: batched sweep rows equal per-run backtests, overflowing sets included', () => {
    // the first bars zigzag, so (1, 2) changes more often than its share of a 512-set batch
    const zigzag = Math.ceil(BATCH_LIST_ENTRIES / 512) + 1_000;
    const candles = synthesize({ symbols: ['BTCUSDT'], bars: zigzag + 2_000, interval: '1m', seed: 9 });
    const close = candles.symbols[0]!.close;
    for (let t = 0; t < zigzag; t++) close[t] = t % 2 === 0 ? close[zigzag]! : close[zigzag]! * 1.001;
    const prepared = prepareSweep({
      data: candles,
      strategy: 'sma-cross',
      grid: { fast: '1:24:1', slow: '2:60:1' },
      skipInvalid: true,
      leverages: [20],
      margins: ['isolated', 'cross'],
      sizing: { kind: 'fraction', fraction: 0.2 },
      workers: 0,
    });
    const total = gridSize(prepared.grid);
    const flips = smaCross(close, 1, 2).reduce((n, w, t, a) => n + (t > 0 && w !== a[t - 1] ? 1 : 0), 0);
    expect(flips).toBeGreaterThan(BATCH_LIST_ENTRIES / 512);
    const state = createTaskState(prepared.grid, prepared.settings, candles);
    const rows = new Float64Array(total * METRICS_PER_ROW);
    for (let first = 0; first < total; first += 1_024) {
      const count = Math.min(1_024, total - first);
      rows.set(runChunk(state, first, count), first * METRICS_PER_ROW);
    }
    // (sweep sessions sum metrics-only isolated returns by blocks: the per-run session does too)
    const plain = new KernelSession(candles, { moments: true });
    let overflowCovered = false;
    for (let i = 0; i < total; i++) {
      const run = runAt(prepared.grid, i);
      const { fast, slow } = run.params as { fast: number; slow: number };
      const overflowing = fast === 1 && slow === 2;
      if (i % 7 !== 0 && !overflowing) continue;
      if (overflowing) overflowCovered = true;
      const spec = buildRunSpec({
        strategy: 'sma-cross',
        params: run.params,
        symbols: ['BTCUSDT'],
        leverage: run.leverage,
        marginMode: run.marginMode,
        sizing: { kind: 'fraction', fraction: 0.2 },
      });
      const m = plain.run(spec, [smaCross(close, fast, slow)]).metrics;
      METRIC_NAMES.forEach((name, j) => {
        const v = m[name];
        const want = v === null ? NaN : typeof v === 'boolean' ? (v ? 1 : 0) : v;
        expect(Object.is(rows[i * METRICS_PER_ROW + j], want), `run ${i} ${name}`).toBe(true);
      });
    }
    expect(overflowCovered).toBe(true);
  });
});
