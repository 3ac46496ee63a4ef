// examples/analysis.ipynb must stay runnable against real output: it is valid nbformat 4, the
// sweep command it tells the reader to run works as written, and every column it reads is a
// column of that command's Parquet file (read here with DuckDB, as pandas would read it).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../browser/fixtures.js';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/margincall-dev.mjs');

interface Cell {
  id?: string;
  cell_type: string;
  source: string | string[];
  metadata: object;
  outputs?: unknown[];
  execution_count?: number | null;
}
interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: { kernelspec?: { name: string; language?: string } };
  cells: Cell[];
}

const nb = JSON.parse(readFileSync(join(ROOT, 'examples/analysis.ipynb'), 'utf8')) as Notebook;
const text = (c: Cell) => (Array.isArray(c.source) ? c.source.join('') : c.source);
const code = nb.cells.filter((c) => c.cell_type === 'code').map(text).join('\n');

/** A Python list of string literals: `NAME = ["a", "b"]`. */
function stringList(name: string): string[] {
  const m = new RegExp(`^${name} = \\[([^\\]]*)\\]`, 'm').exec(code);
  if (!m) throw new Error(`no ${name} = [...] line in the notebook`);
  return [...m[1]!.matchAll(/"([^"]*)"/g)].map((x) => x[1]!);
}
/** `NAME = "value"` (also inside `A, B = "x", "y"`). */
function stringConstant(name: string): string {
  const single = new RegExp(`^${name} = "([^"]*)"`, 'm').exec(code);
  if (single) return single[1]!;
  const pair = /^(\w+), (\w+) = "([^"]*)", "([^"]*)"/m.exec(code);
  if (pair && (pair[1] === name || pair[2] === name)) return pair[1] === name ? pair[3]! : pair[4]!;
  throw new Error(`no ${name} = "..." in the notebook`);
}

describe('examples/analysis.ipynb', () => {
  it('is a valid nbformat 4.5 notebook with clean outputs', () => {
    expect(nb.nbformat).toBe(4);
    expect(nb.nbformat_minor).toBe(5);
    expect(nb.metadata.kernelspec?.name).toBe('python3');
    expect(nb.cells.length).toBeGreaterThan(3);
    const ids = nb.cells.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of nb.cells) {
      expect(c.id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
      expect(['markdown', 'code']).toContain(c.cell_type);
      expect(typeof c.metadata).toBe('object');
      expect(Array.isArray(c.source) || typeof c.source === 'string').toBe(true);
      if (c.cell_type === 'code') {
        expect(c.outputs).toEqual([]);
        expect(c.execution_count).toBeNull();
      }
    }
  });

  it('reads only the columns it declares in COLUMNS', () => {
    const columns = stringList('COLUMNS');
    const used = new Set([
      ...[...code.matchAll(/df\["([^"]+)"\]/g)].map((m) => m[1]!),
      stringConstant('METRIC'),
      stringConstant('X'),
      stringConstant('Y'),
    ]);
    // the top-runs selection names columns in a list literal
    const picked = /\[\["run", ([^\]]*)\]\]/.exec(code);
    for (const m of picked ? picked[1]!.matchAll(/"([^"]+)"/g) : []) used.add(m[1]!);
    expect([...used].filter((c) => !columns.includes(c))).toEqual([]);
    expect(code).toContain('pd.read_parquet(PATH, columns=COLUMNS)');
  });

  it('runs its sweep command as written, and the output has every column it reads', async () => {
    const intro = nb.cells.map(text).find((t) => t.includes('margincall sweep'))!;
    const command = /npx margincall (sweep[^`]*?)\n```/s.exec(intro)![1]!.replace(/\\\n/g, ' ');
    const args = command.trim().split(/\s+/);
    const out = join(tempDir('notebook'), 'sweep.parquet');
    args[args.indexOf('--out') + 1] = out;
    execFileSync('node', [CLI, ...args], { encoding: 'utf8' });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    const described = await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${out}')`);
    const names = described.getRowObjectsJS().map((r) => r.column_name as string);
    for (const c of stringList('COLUMNS')) expect(names, c).toContain(c);
    const n = await db.runAndReadAll(`SELECT count(*) AS n, count(DISTINCT marginMode) AS modes FROM read_parquet('${out}')`);
    // fast 5..30 step 5 (6) × slow 40..120 step 20 (5) × 4 leverages × 2 modes × 3 symbols alone
    expect(n.getRowObjectsJS()[0]).toEqual({ n: 720n, modes: 2n });
    db.closeSync();
  });
});
