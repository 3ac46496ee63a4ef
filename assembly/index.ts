// Exported entry points of the margincall kernel. No allocation happens anywhere in the
// kernel: the host lays out every buffer in the imported shared memory above heapBase().

export function heapBase(): usize {
  return __heap_base;
}

export * from "./brackets";
export * from "./strategies/index";
export * from "./engine/index";
export * from "./engine/fill";
