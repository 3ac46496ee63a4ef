#!/usr/bin/env node
// The installed command: runs the compiled CLI in dist/ (built by `npm install`), or the
// TypeScript sources through tsx when dist/ is missing or older than src/ (a checkout that
// changed since its last build), so the command never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/cli/run.js', import.meta.url);
const src = fileURLToPath(new URL('../src', import.meta.url));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const distFresh =
  existsSync(dist) && (!existsSync(src) || statSync(dist).mtimeMs >= newestMtime(src));
if (distFresh && !process.env.MARGINCALL_FROM_SOURCE) {
  await import(dist.href);
} else {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport('../src/cli/run.ts', import.meta.url);
}
