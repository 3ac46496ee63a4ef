// Shared by the data tests: fixture paths, temp directories, small hand-made candles.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { Candles } from '../../src/data/schema.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export function fixture(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function fixtureText(...parts: string[]): string {
  return readFileSync(fixture(...parts), 'utf8');
}

const made: string[] = [];
afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'margincall-data-'));
  made.push(dir);
  return dir;
}

/** Writes `text` to `<dir>/<name>` and returns the path. */
export function writeTemp(dir: string, name: string, text: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export const H = 3_600_000;
export const T0 = Date.UTC(2025, 0, 1);

/** Hand-made candles: `closes` per symbol, open = previous close, high/low 1 % around. */
export function handCandles(symbols: Record<string, number[]>, opts: { stepMs?: number; withMark?: boolean } = {}): Candles {
  const step = opts.stepMs ?? H;
  const names = Object.keys(symbols);
  const n = symbols[names[0]!]!.length;
  const time = Float64Array.from({ length: n }, (_, i) => T0 + i * step);
  return {
    time,
    interval: '1h',
    intervalMs: step,
    symbols: names.map((symbol) => {
      const close = Float64Array.from(symbols[symbol]!);
      const open = Float64Array.from(close, (c, i) => (i === 0 ? c : close[i - 1]!));
      const high = Float64Array.from(close, (c, i) => Math.max(c, open[i]!) * 1.01);
      const low = Float64Array.from(close, (c, i) => Math.min(c, open[i]!) * 0.99);
      const fundingRate = new Float64Array(n).fill(NaN);
      for (let i = 0; i < n; i += 8) fundingRate[i] = 0.0001 * (i + 1);
      return {
        symbol,
        open,
        high,
        low,
        close,
        volume: Float64Array.from(close, (_, i) => 10 + i),
        mark: opts.withMark
          ? { open: open.map((x) => x * 1.001), high: high.slice(), low: low.slice(), close: close.map((x) => x * 0.999) }
          : null,
        fundingRate,
      };
    }),
  };
}
