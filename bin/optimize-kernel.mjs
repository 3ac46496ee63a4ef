#!/usr/bin/env node
// The kernel build's last step (npm run build:wasm): Binaryen's optimiser again over
// build/kernel.wasm, with inlining limits far above the ones asc uses. asc leaves the event path
// of a run (bar-open.ts, account.ts, quiet-bounds.ts, brackets.ts) as ~30 small functions; V8
// then pays a call, spills and reloads at each, and cannot keep a value in a register across
// them. Inlined into their few callers, W2's runs take ~7% less time (bench/ab-kernel.ts; see
// docs/performance.md, item 28). The same passes as asc's -O3, so the code stays what the
// source says; only the function boundaries go. Rewrites build/kernel.wasm and build/kernel.wat
// (through temporary files, renamed into place). Run it once per asc build: it reads asc's output.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';

const build = join(dirname(fileURLToPath(import.meta.url)), '..', 'build');
const wasmPath = join(build, 'kernel.wasm');
const watPath = join(build, 'kernel.wat');

/** A function of up to this many Binaryen IR nodes is inlined wherever it is called. */
const ALWAYS_INLINE = 600;

// (from asc's text, which keeps the function names for profiles; the binary gets none)
const module = binaryen.parseText(readFileSync(watPath, 'utf8'));
// asc's features for this build (asconfig.json: simd, threads, and its defaults), no others, so
// that no pass emits an instruction Node 20 lacks
const F = binaryen.Features;
module.setFeatures(F.MVP | F.SignExt | F.MutableGlobals | F.NontrappingFPToInt | F.BulkMemory | F.SIMD128 | F.Atomics);
binaryen.setOptimizeLevel(3);
binaryen.setShrinkLevel(0);
binaryen.setAlwaysInlineMaxSize(ALWAYS_INLINE);
binaryen.setFlexibleInlineMaxSize(4 * ALWAYS_INLINE);
binaryen.setOneCallerInlineMaxSize(8 * ALWAYS_INLINE);
const before = module.getNumFunctions();
// the second pass cleans up after the first one's inlining
module.optimize();
module.optimize();
if (!module.validate()) {
  process.stderr.write('optimize-kernel: Binaryen produced an invalid module\n');
  process.exit(1);
}
const bytes = module.emitBinary();
const text = module.emitText();
writeFileSync(`${wasmPath}.tmp`, bytes);
writeFileSync(`${watPath}.tmp`, text);
renameSync(`${wasmPath}.tmp`, wasmPath);
renameSync(`${watPath}.tmp`, watPath);
process.stdout.write(`optimize-kernel: ${before} → ${module.getNumFunctions()} functions, ${bytes.length} bytes\n`);
module.dispose();
