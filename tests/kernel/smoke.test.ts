import { describe, expect, it } from 'vitest';
import { createMemory, instantiateKernel } from '../../src/engine/wasm.js';

describe('kernel module', () => {
  it('instantiates on a shared memory and reports where the host heap starts', () => {
    const k = instantiateKernel(createMemory(1 << 20));
    expect(k.heapBase).toBeGreaterThan(0);
    expect(k.heapBase % 8).toBe(0);
  });
});
