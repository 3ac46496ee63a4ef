// The layout lives in src/engine/layout.ts so the host and the kernel share one definition.
export * from "../src/engine/layout";
