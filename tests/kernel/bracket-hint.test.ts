// The kernel's cached bracket lookup (bracketIndexFrom, used by the bar loop with the bracket
// found on the previous bar) must give exactly bracketIndexAt's answer whatever the hint: the
// hint only saves the count of floors, it never decides a result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bracketIndex, defaultBracketTables, packBracketTable } from '../../src/engine/brackets.js';
import { BRACKET_FIELDS, MAX_BRACKETS } from '../../src/engine/layout.js';
import { createMemory, instantiateKernel } from '../../src/engine/wasm.js';

const kernel = instantiateKernel(createMemory(1 << 20));
const k = kernel.exports;
const tablePtr = Math.ceil(kernel.heapBase / 8) * 8;
const view = new Float64Array(kernel.memory.buffer, tablePtr, MAX_BRACKETS * BRACKET_FIELDS);
const bundled = Object.entries(defaultBracketTables());

describe('bracketIndexFrom', () => {
  it('equals bracketIndexAt for every hint, on floors, between them, beyond the last and at NaN', () => {
    let checked = 0;
    for (const [, table] of bundled) {
      packBracketTable(table, view, 0);
      const n = table.length;
      const probes = [NaN, -1, 0, Infinity];
      for (const r of table) probes.push(r.floor, r.floor * (1 - 1e-12), r.floor + 1, Math.min(r.cap, 1e15) * 0.999);
      for (const x of probes) {
        const want = k.bracketIndexAt(tablePtr, n, x);
        if (!Number.isNaN(x)) expect(want).toBe(bracketIndex(table, x));
        for (let hint = -1; hint <= n + 1; hint++) {
          expect(k.bracketIndexFrom(tablePtr, n, x, hint)).toBe(want);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('equals bracketIndexAt on random notionals and hints', () => {
    const tables = bundled.map(([, t]) => t);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: tables.length - 1 }),
        fc.double({ min: 0, max: 10, noNaN: true }).map((e) => 10 ** e),
        fc.integer({ min: -2, max: MAX_BRACKETS + 2 }),
        (ti, notional, hint) => {
          const table = tables[ti]!;
          packBracketTable(table, view, 0);
          const want = k.bracketIndexAt(tablePtr, table.length, notional);
          expect(k.bracketIndexFrom(tablePtr, table.length, notional, hint)).toBe(want);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
