import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Rebuilds build/kernel.wasm when any AssemblyScript source (or the shared layout) is newer,
// so tests always run the kernel that the sources describe.
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) newest = Math.max(newest, st.mtimeMs);
    }
  };
  walk('assembly');
  newest = Math.max(newest, statSync('src/engine/layout.ts').mtimeMs, statSync('asconfig.json').mtimeMs);
  return newest;
}

export default function setup(): void {
  const out = 'build/kernel.wasm';
  if (!existsSync(out) || statSync(out).mtimeMs < newestSource()) {
    execFileSync('npx', ['asc', 'assembly/index.ts', '--target', 'release'], { stdio: 'inherit' });
  }
}
