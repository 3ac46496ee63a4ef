// zod, loaded on first use: importing it costs ~70 ms, which every sweep worker paid at start-up
// although workers validate nothing (the main thread checks the grid and builds the run specs).
import { createRequire } from 'node:module';

type Zod = typeof import('zod');

let loaded: Zod | null = null;

/** A value built with zod on first use (a schema), then kept. */
export function lazySchema<T>(build: (z: Zod['z']) => T): () => T {
  let value: T | undefined;
  return () => (value ??= build((loaded ??= createRequire(import.meta.url)('zod') as Zod).z));
}
