// The kernel's bracket functions (assembly/brackets.ts) against the TypeScript library, bit for
// bit, on the bundled tables and on random valid tables; and the defining equation of the
// liquidation price at every returned LP.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bankruptcyPrice,
  bracketIndex,
  defaultBracketTables,
  isolatedLiquidation,
  maintenanceMargin,
  orderAllowed,
  packBracketTable,
  validateBracketTable,
  type BracketTable,
} from '../../src/engine/brackets.js';
import { BRACKET_FIELDS, MAX_BRACKETS } from '../../src/engine/layout.js';
import { createMemory, instantiateKernel } from '../../src/engine/wasm.js';

const kernel = instantiateKernel(createMemory(1 << 20));
const k = kernel.exports;
const tablePtr = Math.ceil(kernel.heapBase / 8) * 8;
const view = new Float64Array(kernel.memory.buffer, tablePtr, MAX_BRACKETS * BRACKET_FIELDS);

function load(table: BracketTable): number {
  packBracketTable(table, view, 0);
  return table.length;
}

const bundled = Object.entries(defaultBracketTables());

/** A random table that obeys SPEC §1: contiguous tiers, rising mmr, cum by the identity. */
const randomTable: fc.Arbitrary<BracketTable> = fc
  .integer({ min: 1, max: MAX_BRACKETS })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.double({ min: 1, max: 8, noNaN: true }), { minLength: n, maxLength: n }),
      fc.uniqueArray(fc.double({ min: 0.001, max: 0.6, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 1, max: 125 }), { minLength: n, maxLength: n }),
    ),
  )
  .map(([widths, mmrs, levs]) => {
    mmrs.sort((a, b) => a - b);
    levs.sort((a, b) => b - a);
    const rows = [];
    let floor = 0;
    let cum = 0;
    for (let i = 0; i < widths.length; i++) {
      const cap = floor + Math.round(10 ** widths[i]!);
      if (i > 0) cum = floor * (mmrs[i]! - mmrs[i - 1]!) + cum;
      rows.push({ floor, cap, mmr: mmrs[i]!, maxLeverage: levs[i]!, cum });
      floor = cap;
    }
    return validateBracketTable(rows, 'random');
  });

const anyTable = fc.oneof(fc.constantFrom(...bundled.map(([, t]) => t)), randomTable);
const logUniform = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);
const side = fc.constantFrom<1 | -1>(1, -1);

/** Wallets as a trader would have them: q EP / L, a share of the notional (even negative: cross). */
const walletFor = (qty: number, entry: number) =>
  fc.oneof(
    fc.integer({ min: 1, max: 125 }).map((lev) => (qty * entry) / lev),
    fc.double({ min: -0.5, max: 1.5, noNaN: true }).map((f) => qty * entry * f),
  );

const position = fc
  .record({ side, qty: logUniform(-3, 4), entry: logUniform(-2, 5) })
  .chain((p) => walletFor(p.qty, p.entry).map((wallet) => ({ ...p, wallet })));

const same = (ts: number | null, as: number) => (ts === null ? Number.isNaN(as) : Object.is(ts, as));

describe('kernel brackets = TypeScript brackets, bit for bit', () => {
  it('bracketIndexAt and maintenanceMarginAt, including notionals exactly on a floor', () => {
    fc.assert(
      fc.property(anyTable, logUniform(-3, 4), logUniform(-2, 5), fc.nat(), (table, qty, price, pick) => {
        const n = load(table);
        const floor = table[pick % n]!.floor;
        for (const notional of [qty * price, floor, floor * (1 - 1e-16), 2 * table[n - 1]!.cap]) {
          expect(k.bracketIndexAt(tablePtr, n, notional)).toBe(bracketIndex(table, notional));
        }
        expect(Object.is(k.maintenanceMarginAt(tablePtr, n, qty, price), maintenanceMargin(table, qty, price))).toBe(true);
        expect(Object.is(k.maintenanceMarginAt(tablePtr, n, 1, floor), maintenanceMargin(table, 1, floor))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('orderAllowedAt', () => {
    fc.assert(
      fc.property(anyTable, logUniform(0, 10), fc.integer({ min: 1, max: 150 }), (table, notional, lev) => {
        const n = load(table);
        expect(k.orderAllowedAt(tablePtr, n, notional, lev) === 1).toBe(orderAllowed(table, notional, lev));
        const cap = table[n - 1]!.cap;
        expect(k.orderAllowedAt(tablePtr, n, cap, 1) === 1).toBe(orderAllowed(table, cap, 1));
      }),
      { numRuns: 1000 },
    );
  });

  it('isolatedLiquidationPriceAt and bankruptcyPriceAt; the LP solves IW + s q (LP − EP) = MM(LP)', () => {
    fc.assert(
      fc.property(anyTable, position, (table, { side, qty, entry, wallet }) => {
        const n = load(table);
        const r = isolatedLiquidation(table, side, qty, entry, wallet);
        const asLp = k.isolatedLiquidationPriceAt(tablePtr, n, side, qty, entry, wallet);
        expect(same(r ? r.price : null, asLp)).toBe(true);
        expect(same(bankruptcyPrice(side, qty, entry, wallet), k.bankruptcyPriceAt(side, qty, entry, wallet))).toBe(true);

        // no LP exactly when SPEC §2 says: a long with IW ≥ q EP, a short whose balance is ≤ 0 at P → 0
        expect(r === null).toBe(side === 1 ? wallet >= qty * entry : qty * entry + wallet <= 0);
        if (r) {
          const lhs = wallet + side * qty * (r.price - entry);
          const rhs = maintenanceMargin(table, qty, r.price);
          const scale = Math.max(Math.abs(wallet), qty * entry, qty * r.price);
          expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-9 * scale);
          // the LP's notional lies in the bracket whose line gave it (up to rounding on a floor)
          const notional = qty * r.price;
          const b = table[r.bracket]!;
          const slack = 1e-12 * notional;
          expect(notional).toBeGreaterThanOrEqual(b.floor - slack);
          if (r.bracket < n - 1) expect(notional).toBeLessThan(b.cap + slack);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('finds the SPEC §6 tier-walk LP in the kernel too (q=0.85, IW=10,200 → 48,192.771084)', () => {
    const btc = defaultBracketTables().BTCUSDT!;
    const n = load(btc);
    expect(k.isolatedLiquidationPriceAt(tablePtr, n, 1, 0.85, 60_000, 10_200)).toBeCloseTo(48_192.771084, 6);
    expect(k.isolatedLiquidationPriceAt(tablePtr, n, 1, 1, 60_000, 6_000)).toBeCloseTo(54_221.105528, 6);
    expect(k.isolatedLiquidationPriceAt(tablePtr, n, -1, 1, 60_000, 6_000)).toBeCloseTo(65_721.393035, 6);
    expect(k.isolatedLiquidationPriceAt(tablePtr, n, 1, 1, 60_000, 60_000)).toBeNaN();
  });
});
