import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_PAGES, PAGE } from './layout.js';

/** Path of the compiled kernel; src/ and dist/ sit at the same depth, so this works from both. */
export const KERNEL_PATH = fileURLToPath(new URL('../../build/kernel.wasm', import.meta.url));

let cachedModule: WebAssembly.Module | null = null;

/** The compiled kernel module (compiled once per thread, then reused). */
export function kernelModule(): WebAssembly.Module {
  if (!cachedModule) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(KERNEL_PATH));
    } catch {
      throw new Error(`the WASM kernel is not built (${KERNEL_PATH} is missing): run \`npm run build:wasm\``);
    }
    cachedModule = new WebAssembly.Module(bytes);
  }
  return cachedModule;
}

/** A shared memory large enough for `bytes`, with the maximum the kernel declares. */
export function createMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES) throw new Error(`the kernel needs ${bytes} bytes, above the 4 GiB WASM limit`);
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

export interface KernelInstance {
  memory: WebAssembly.Memory;
  exports: Record<string, any>;
  /** First byte the host may use (above the kernel's static data). */
  heapBase: number;
}

/** Instantiates the kernel (`module`, default build/kernel.wasm's) on `memory`. */
export function instantiateKernel(memory: WebAssembly.Memory, module: WebAssembly.Module = kernelModule()): KernelInstance {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`kernel abort at ${line}:${col}`);
      },
      seed: () => 0,
    },
  });
  const exports = instance.exports as Record<string, any>;
  return { memory, exports, heapBase: Number(exports.heapBase()) };
}
