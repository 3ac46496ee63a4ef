// Shared pieces of the benchmark commands: the machine description, option parsing, a tinybench
// wrapper that keeps the last result for the gate, and the table printer.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Bench } from 'tinybench';

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  let cpu = 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpu = m[1]!.trim();
  } catch {
    // not Linux: the model stays unknown
  }
  return { cpu, cores: availableParallelism(), node: process.version, platform: `${process.platform}-${process.arch}` };
}

export interface BenchArgs {
  quick: boolean;
  json: boolean;
  only: Set<string> | null;
}

/** A bad command-line option: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** Runs a benchmark command's main, turning a UsageError into a message and exit code 2. */
export async function runMain(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  }
}

export function parseArgs(argv: string[], known: string[]): BenchArgs {
  const args: BenchArgs = { quick: false, json: false, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--json') args.json = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!list) throw new UsageError('--only needs a list such as W1,W3');
      const names = list.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
      for (const n of names) if (!known.includes(n)) throw new UsageError(`--only: unknown workload ${n} (known: ${known.join(', ')})`);
      args.only = new Set(names);
    } else {
      throw new UsageError(`unknown option ${a} (options: --quick, --json, --only ${known.join(',')})`);
    }
  }
  return args;
}

export interface Timing {
  meanMs: number;
  p50Ms: number;
  rme: number;
  samples: number;
}

/**
 * Times `fn` with tinybench (one warm-up call, then `iterations` calls, no time budget) and
 * returns the statistics with the value of the last call, so the gate checks what was timed.
 */
export async function timeIt<T>(name: string, fn: () => T, iterations: number): Promise<{ timing: Timing; last: T }> {
  let last: T | undefined;
  const bench = new Bench({ iterations, time: 0, warmup: true, warmupIterations: 1, warmupTime: 0, throws: true });
  bench.add(name, () => {
    last = fn();
  });
  await bench.run();
  const r = bench.tasks[0]!.result;
  if (r.state !== 'completed') throw new Error(`benchmark ${name} did not complete (${r.state})`);
  return {
    timing: { meanMs: r.latency.mean, p50Ms: r.latency.p50, rme: r.latency.rme, samples: r.latency.samplesCount },
    last: last as T,
  };
}

/** Milliseconds of one call, with its value (for the first, cold call). */
export function once<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

/** Human numbers: 12.3M, 456k. */
export function si(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(a >= 10 ? 0 : 2);
}

/** A plain text table with right-aligned columns after the first. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
