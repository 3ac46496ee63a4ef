// zod, loaded on first use, through its `zod/v3` entry: zod 4's own entries (`zod`, `zod/mini`)
// load all of its ~50 locales, ~50 ms of module compilation on the main thread at every sweep's
// start (on its critical path: the workers wait for the run specs), where `zod/v3`, the v3 API
// that zod 4 ships and keeps, takes ~14 ms. Sweep workers validate nothing and never load it (the
// main thread checks the grid and builds the run specs).
import { createRequire } from 'node:module';

type Zod = typeof import('zod/v3');

let loaded: Zod | null = null;

/** A value built with zod on first use (a schema), then kept. */
export function lazySchema<T>(build: (z: Zod['z']) => T): () => T {
  let value: T | undefined;
  return () => (value ??= build((loaded ??= createRequire(import.meta.url)('zod/v3') as Zod).z));
}
