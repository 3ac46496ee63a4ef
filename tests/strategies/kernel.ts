// Runs the kernel's strategy exports on host columns, for tests: the columns are copied to
// 8-aligned offsets above heapBase, the export writes its weights, and they are copied back.
import { STRATEGIES, logSpread, resolveParams, type StrategyName } from '../../src/strategies/index.js';
import { createMemory, instantiateKernel, type KernelInstance } from '../../src/engine/wasm.js';

let kernel: KernelInstance | null = null;

function instance(bytes: number): KernelInstance {
  if (!kernel || kernel.memory.buffer.byteLength < kernel.heapBase + bytes) {
    kernel = instantiateKernel(createMemory(bytes + (1 << 20)));
  }
  return kernel;
}

function place(k: KernelInstance, offset: number, col: Float64Array): number {
  new Float64Array(k.memory.buffer, offset, col.length).set(col);
  return offset;
}

function alignedBase(k: KernelInstance): number {
  return Math.ceil(k.heapBase / 8) * 8;
}

/** The kernel's weights for a single-symbol strategy on one symbol's columns. */
export function kernelSingle(
  name: Exclude<StrategyName, 'pair' | 'signals'>,
  params: Record<string, number>,
  close: Float64Array,
  high: Float64Array,
  low: Float64Array,
): Float64Array {
  const n = close.length;
  const k = instance(4 * 8 * n);
  const base = alignedBase(k);
  const closePtr = place(k, base, close);
  const highPtr = place(k, base + 8 * n, high);
  const lowPtr = place(k, base + 16 * n, low);
  const outPtr = base + 24 * n;
  new Float64Array(k.memory.buffer, outPtr, n).fill(NaN);
  const def = STRATEGIES[name];
  const resolved = resolveParams(name, params);
  const p = def.params.map((d) => resolved[d.name]);
  k.exports.computeSingle(def.id, p[0] ?? 0, p[1] ?? 0, p[2] ?? 0, n, closePtr, highPtr, lowPtr, outPtr);
  return new Float64Array(k.memory.buffer, outPtr, n).slice();
}

/** The kernel's pair weights [A, B], from the host-computed log spread. */
export function kernelPair(
  params: { lookback: number; entry: number; exit: number },
  closeA: Float64Array,
  closeB: Float64Array,
): [Float64Array, Float64Array] {
  const n = closeA.length;
  const k = instance(3 * 8 * n);
  const base = alignedBase(k);
  const spreadPtr = place(k, base, logSpread(closeA, closeB));
  const outAPtr = base + 8 * n;
  const outBPtr = base + 16 * n;
  new Float64Array(k.memory.buffer, outAPtr, 2 * n).fill(NaN);
  k.exports.computePair(params.lookback, params.entry, params.exit, n, spreadPtr, outAPtr, outBPtr);
  return [
    new Float64Array(k.memory.buffer, outAPtr, n).slice(),
    new Float64Array(k.memory.buffer, outBPtr, n).slice(),
  ];
}

/** Bitwise equality of two f64 columns (distinguishes −0 from 0 and compares NaN payloads). */
export function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
