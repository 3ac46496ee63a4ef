// Development and tests: TypeScript does not reach worker threads through `--import tsx` on
// Node 20, so the pool loads this shim, which imports the worker source through tsx.
import { tsImport } from 'tsx/esm/api';

const mod = await tsImport('./worker.ts', import.meta.url);
export default mod.default;
