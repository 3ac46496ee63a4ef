// The kernel's memory layout, declared once. This file is compiled by both AssemblyScript
// (assembly/layout.ts re-exports it) and TypeScript, so it holds only integer constants.
// Everything the host writes or reads in WASM memory is addressed through these numbers.

/** Bytes per f64 slot. */
export const F64 = 8;

/** WebAssembly page size in bytes. */
export const PAGE = 65536;

/** The declared maximum of the imported shared memory, in pages (asconfig.json: maximumMemory). */
export const MAX_PAGES = 65536;

/** Rows per bracket table in kernel memory, and f64 fields per row. */
export const MAX_BRACKETS = 16;
export const BRACKET_FIELDS = 5;
export const BR_FLOOR = 0;
export const BR_CAP = 1;
export const BR_MMR = 2;
export const BR_MAXLEV = 3;
export const BR_CUM = 4;
