// The command line the two-build comparisons share (bench/ab-kernel.ts, bench/ab-batch.ts):
// --other <kernel.wasm> (B, compiled here), --rounds N, and flags of their own. Exits 2 on a bad one.
import { readFileSync } from 'node:fs';

export interface AbArgs {
  /** The other build's path and module. */
  other: string;
  otherModule: WebAssembly.Module;
  rounds: number;
  /** Whether a flag (`--swap`, `--json`, …) was given. */
  flag(name: string): boolean;
}

export function abArgs(script: string, usage: string): AbArgs {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const other = option('--other');
  const rounds = Number(option('--rounds') ?? 7);
  if (!other || !(Number.isInteger(rounds) && rounds >= 1)) {
    process.stderr.write(`usage: bench/${script} --other <kernel.wasm> [--rounds N ≥ 1]${usage}\n`);
    process.exit(2);
  }
  let otherModule: WebAssembly.Module;
  try {
    otherModule = new WebAssembly.Module(readFileSync(other));
  } catch (err) {
    process.stderr.write(`${script}: --other ${other} is not a readable kernel build: ${(err as Error).message}\n`);
    process.exit(2);
  }
  return { other, otherModule, rounds, flag: (name) => args.includes(name) };
}
