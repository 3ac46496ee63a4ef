#!/usr/bin/env node
// Development shim: runs a TypeScript file (default: the CLI) from source through tsx.
// Usage: node bin/margincall-dev.mjs [file.ts] [args…]; with no .ts file first, runs the CLI.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const first = process.argv[2];
if (first && first.endsWith('.ts')) {
  process.argv.splice(2, 1);
  await tsImport(pathToFileURL(resolve(first)).href, import.meta.url);
} else {
  await tsImport('../src/cli/run.ts', import.meta.url);
}
