#!/usr/bin/env node
// The installed command: runs the compiled CLI in dist/ (built by `npm install`), or the
// TypeScript sources through tsx when dist/ is missing (a checkout that has not been built).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/run.js', import.meta.url);
if (existsSync(dist) && !process.env.MARGINCALL_FROM_SOURCE) {
  await import(dist.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('../src/cli/run.ts', import.meta.url);
}
