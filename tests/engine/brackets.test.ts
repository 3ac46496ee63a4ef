// SPEC §1, §2, §5, §6 on the TypeScript bracket library: every worked case, tier boundaries,
// the bracket walk, the leverage rule and table validation.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bankruptcyPrice,
  bracketIndex,
  bracketTableFor,
  crossBankruptcyPrice,
  crossEffectiveWallet,
  crossLiquidationPrice,
  defaultBracketTables,
  isolatedLiquidation,
  isolatedLiquidationPrice,
  loadBracketFile,
  maintenanceMargin,
  orderAllowed,
  packBracketTable,
  singleBracketTable,
  validateBracketTable,
  type BracketTable,
} from '../../src/engine/brackets.js';
import { BRACKET_FIELDS, MAX_BRACKETS } from '../../src/engine/layout.js';
import { UserError } from '../../src/errors.js';

const BTC = bracketTableFor('BTCUSDT');
const ETH = bracketTableFor('ETHUSDT');
const BNB = bracketTableFor('BNBUSDT');

/** The LP equation IW + s q (LP − EP) = MM(LP), to 1e-9 of the terms' size. */
function expectOnLine(table: BracketTable, side: 1 | -1, qty: number, entry: number, wallet: number, lp: number) {
  const lhs = wallet + side * qty * (lp - entry);
  const rhs = maintenanceMargin(table, qty, lp);
  const scale = Math.max(Math.abs(wallet), qty * entry, qty * lp);
  expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-9 * scale);
}

describe('bundled tables (SPEC §5)', () => {
  it('loads and validates BTC, ETH, BNB and the generic table', () => {
    const t = defaultBracketTables();
    expect(Object.keys(t).sort()).toEqual(['*', 'BNBUSDT', 'BTCUSDT', 'ETHUSDT']);
    expect(BTC).toHaveLength(12);
    expect(ETH).toHaveLength(12);
    expect(BNB).toHaveLength(10);
    expect(t['*']).toHaveLength(8);
    expect(BTC[5]).toEqual({ floor: 70_000_000, cap: 100_000_000, mmr: 0.025, maxLeverage: 20, cum: 481_450 });
    expect(ETH[4]!.cap).toBe(50_000_000);
    expect(ETH[11]!.cum).toBe(280_506_450);
    expect(BNB[9]!.cum).toBe(25_022_210);
  });

  it('gives other symbols the generic table and honours a user table', () => {
    expect(bracketTableFor('SOLUSDT')).toBe(defaultBracketTables()['*']);
    const mine = singleBracketTable(0.01, 0);
    expect(bracketTableFor('SOLUSDT', { ...defaultBracketTables(), SOLUSDT: mine })).toBe(mine);
    expect(() => bracketTableFor('SOLUSDT', { BTCUSDT: BTC })).toThrow(/no bracket table for SOLUSDT/);
  });
});

describe('bracket lookup and maintenance margin', () => {
  it('puts a notional equal to a floor in the upper tier', () => {
    expect(bracketIndex(BTC, 49_999.999)).toBe(0);
    expect(bracketIndex(BTC, 50_000)).toBe(1);
    expect(bracketIndex(BTC, 600_000)).toBe(2);
    expect(bracketIndex(BTC, 0)).toBe(0);
    // beyond the last cap the last bracket applies for margin
    expect(bracketIndex(BTC, 5e9)).toBe(11);
  });

  it('computes q P mmr − cum, continuous across the floors', () => {
    expect(maintenanceMargin(BTC, 1, 60_000)).toBeCloseTo(60_000 * 0.005 - 50, 9);
    expect(maintenanceMargin(BTC, 1, 50_000)).toBeCloseTo(200, 9);
    expect(maintenanceMargin(BTC, 1, 49_999.999)).toBeCloseTo(199.999996, 9);
    expect(maintenanceMargin(BNB, 100, 600)).toBeCloseTo(60_000 * 0.01 - 210, 9);
    for (const table of [BTC, ETH, BNB, bracketTableFor('XRPUSDT')]) {
      for (let i = 1; i < table.length; i++) {
        const f = table[i]!.floor;
        const below = table[i - 1]!;
        expect(maintenanceMargin(table, 1, f)).toBeCloseTo(f * below.mmr - below.cum, 6);
      }
    }
  });

  it('applies the leverage rule: the bracket of the notional must allow L, up to the last cap', () => {
    expect(orderAllowed(BTC, 49_999, 125)).toBe(true);
    expect(orderAllowed(BTC, 50_000, 125)).toBe(false);
    expect(orderAllowed(BTC, 50_000, 100)).toBe(true);
    expect(orderAllowed(BTC, 100_000, 10)).toBe(true);
    expect(orderAllowed(BTC, 1_800_000_000, 1)).toBe(true);
    expect(orderAllowed(BTC, 1_800_000_001, 1)).toBe(false);
    expect(orderAllowed(bracketTableFor('DOGEUSDT'), 10_000, 50)).toBe(false);
    expect(orderAllowed(bracketTableFor('DOGEUSDT'), 10_000, 20)).toBe(true);
    expect(orderAllowed(singleBracketTable(0.1, 0), 100, 1)).toBe(false);
  });
});

describe('SPEC §6 with the bundled 2024-10-24 tiers, IW = q × EP / L', () => {
  const cases: Array<[string, BracketTable, 1 | -1, number, number, number, number, number]> = [
    // name, table, side, q, EP, IW, LP, bracket index at LP
    ['BTC long q=1 L=10', BTC, 1, 1, 60_000, (1 * 60_000) / 10, 54_221.105528, 1],
    ['BTC short q=1 L=10', BTC, -1, 1, 60_000, (1 * 60_000) / 10, 65_721.393035, 1],
    ['BTC long q=0.5 L=20', BTC, 1, 0.5, 60_000, (0.5 * 60_000) / 20, 57_228.915663, 0],
    ['BTC long q=0.85 IW=10,200', BTC, 1, 0.85, 60_000, 10_200, 48_192.771084, 0],
    ['ETH short q=10 L=20', ETH, -1, 10, 3_000, (10 * 3_000) / 20, 3_137.450199, 0],
    ['BNB long q=100 L=10', BNB, 1, 100, 600, (100 * 600) / 10, 543.333333, 2],
    ['BTC long q=100 L=10', BTC, 1, 100, 60_000, (100 * 60_000) / 10, 54_429.79798, 3],
  ];
  for (const [name, table, side, q, ep, iw, lp, k] of cases) {
    it(name, () => {
      const r = isolatedLiquidation(table, side, q, ep, iw)!;
      expect(r.price).toBeCloseTo(lp, 6);
      expect(r.bracket).toBe(k);
      expect(isolatedLiquidationPrice(table, side, q, ep, iw)).toBe(r.price);
      expectOnLine(table, side, q, ep, iw, r.price);
    });
  }

  it('walks down from the entry tier: q=0.85 is not the naive one-step 48,182.086905', () => {
    expect(bracketIndex(BTC, 0.85 * 60_000)).toBe(1);
    const naive = (0.85 * 60_000 - 10_200 - 50) / (0.85 * (1 - 0.005));
    expect(naive).toBeCloseTo(48_182.086905, 6);
    const lp = isolatedLiquidationPrice(BTC, 1, 0.85, 60_000, 10_200)!;
    expect(lp).toBeCloseTo(48_192.771084, 6);
    expect(bracketIndex(BTC, 0.85 * lp)).toBe(0);
  });

  it('cross: BTC long 1 @ 60,000, CW 10,000, ETH short 10 @ 3,000 marked 3,100', () => {
    const others = [{ table: ETH, side: -1 as const, qty: 10, entry: 3_000, mark: 3_100 }];
    // TMM1 = 31,000 × 0.004 = 124, UPNL1 = −1,000
    expect(crossEffectiveWallet(10_000, others)).toBeCloseTo(8_876, 9);
    expect(crossLiquidationPrice(BTC, 1, 1, 60_000, 10_000, others)).toBeCloseTo(51_330.653266, 6);
    expect(crossBankruptcyPrice(1, 1, 60_000, 10_000, others)).toBeCloseTo(51_000, 9);
  });

  it('cross: ETH short 10 @ 3,000, CW 10,000, BTC long 1 @ 60,000 marked 58,000', () => {
    const others = [{ table: BTC, side: 1 as const, qty: 1, entry: 60_000, mark: 58_000 }];
    expect(crossEffectiveWallet(10_000, others)).toBeCloseTo(7_760, 9);
    expect(crossLiquidationPrice(ETH, -1, 10, 3_000, 10_000, others)).toBeCloseTo(3_760.956175, 6);
  });
});

describe("SPEC §6 Binance FAQ (brackets injected, wallet 1,535,443.01)", () => {
  const W = 1_535_443.01;
  const ethT = singleBracketTable(0.1, 135_365);
  const btcT = singleBracketTable(0.025, 16_300);

  it('isolated ETH long 3,683.979 @ 1,456.84: LP 1,114.78', () => {
    expect(isolatedLiquidationPrice(ethT, 1, 3_683.979, 1_456.84, W)).toBeCloseTo(1_114.78, 2);
  });

  it('isolated BTC long 109.488 @ 32,481.98: LP 18,778.73', () => {
    expect(isolatedLiquidationPrice(btcT, 1, 109.488, 32_481.98, W)).toBeCloseTo(18_778.73, 2);
  });

  it('cross, both held, marks BTC 31,967.27 and ETH 1,335.18: LP(ETH) 1,153.26, LP(BTC) 26,316.89', () => {
    const btc = { table: btcT, side: 1 as const, qty: 109.488, entry: 32_481.98, mark: 31_967.27 };
    const eth = { table: ethT, side: 1 as const, qty: 3_683.979, entry: 1_456.84, mark: 1_335.18 };
    expect(crossLiquidationPrice(ethT, 1, eth.qty, eth.entry, W, [btc])).toBeCloseTo(1_153.26, 2);
    expect(crossLiquidationPrice(btcT, 1, btc.qty, btc.entry, W, [eth])).toBeCloseTo(26_316.89, 2);
  });
});

describe('liquidation price edge cases', () => {
  it('a long with IW ≥ q × EP has no LP, one just below does', () => {
    expect(isolatedLiquidationPrice(BTC, 1, 1, 60_000, 60_000)).toBeNull();
    expect(isolatedLiquidationPrice(BTC, 1, 1, 60_000, 70_000)).toBeNull();
    const lp = isolatedLiquidationPrice(BTC, 1, 1, 60_000, 59_999)!;
    expect(lp).toBeCloseTo(1 / 0.996, 9);
  });

  it('retries from the first bracket when a high bracket gives a non-positive root', () => {
    // entry notional 6e6 is in tier 4 (0.01/11,450): its root (6e6 − 5,999,000 − 11,450)/99 < 0
    expect(bracketIndex(BTC, 100 * 60_000)).toBe(3);
    const r = isolatedLiquidation(BTC, 1, 100, 60_000, 5_999_000)!;
    expect(r.bracket).toBe(0);
    expect(r.price).toBeCloseTo(1_000 / (100 * 0.996), 9);
  });

  it('walks up for a short whose LP notional is tiers above the entry', () => {
    // 1 BTC short @ 40,000 with 40,000 isolated: LP notional near 80k, tier 2
    const r = isolatedLiquidation(BTC, -1, 1, 40_000, 40_000)!;
    expect(bracketIndex(BTC, 40_000)).toBe(0);
    expect(r.bracket).toBe(1);
    expect(r.price).toBeCloseTo((80_000 + 50) / 1.005, 9);
    expectOnLine(BTC, -1, 1, 40_000, 40_000, r.price);
  });

  it('a short whose margin balance is negative at any price has no LP', () => {
    expect(isolatedLiquidationPrice(BTC, -1, 1, 60_000, -60_000)).toBeNull();
    expect(isolatedLiquidationPrice(BTC, -1, 1, 60_000, -59_000)).toBeCloseTo(1_000 / 1.004, 9);
  });

  it('an LP on a floor lands in the upper tier', () => {
    // choose IW so that the root is exactly P = 50,000 for q = 1: IW = q EP − q P (1 − mmr) − cum
    const iw = 60_000 - 50_000 * (1 - 0.005) - 50;
    const r = isolatedLiquidation(BTC, 1, 1, 60_000, iw)!;
    expect(r.price).toBeCloseTo(50_000, 8);
    expectOnLine(BTC, 1, 1, 60_000, iw, r.price);
  });

  it('bankruptcy price: where IW + s q (P − EP) = 0', () => {
    expect(bankruptcyPrice(1, 1, 60_000, 6_000)).toBe(54_000);
    expect(bankruptcyPrice(-1, 1, 60_000, 6_000)).toBe(66_000);
    expect(bankruptcyPrice(1, 2, 60_000, 120_000)).toBeNull();
  });
});

describe('account-level trigger (SPEC §6, a real account)', () => {
  it('margin balance 8,478.968756 below total MM 8,501.442188 → liquidated', () => {
    const wallet = 25_923.05553202;
    const upnl = -17_444.086776;
    const totalMM = 8_501.442188;
    const marginBalance = wallet + upnl;
    expect(marginBalance).toBeCloseTo(8_478.968756, 6);
    expect(marginBalance <= totalMM).toBe(true);
    // with the wallet 22.47 higher the same account would survive
    expect(wallet + 22.48 + upnl <= totalMM).toBe(false);
  });
});

describe('validateBracketTable', () => {
  const good = () => BTC.slice(0, 4).map((r) => ({ ...r }));
  const err = (table: unknown): UserError => {
    try {
      validateBracketTable(table, 'TESTUSDT', 'my-brackets.json');
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return e as UserError;
    }
    throw new Error('expected a UserError');
  };

  it('accepts a valid table and freezes it', () => {
    const t = validateBracketTable(good(), 'TESTUSDT');
    expect(t).toEqual(BTC.slice(0, 4));
    expect(Object.isFrozen(t)).toBe(true);
  });

  it('rejects a cum that breaks the identity, naming file, table, row and field', () => {
    const t = good();
    t[2]!.cum = 951;
    const e = err(t);
    expect(e.place).toEqual({ file: 'my-brackets.json', row: 3, field: 'cum' });
    expect(e.message).toMatch(/^my-brackets\.json, row 3, field 'cum': bracket table 'TESTUSDT'.*= 950/);
  });

  it('tolerates cum rounding within 1e-6 relative', () => {
    const t = good();
    t[3]!.cum = 11_450.005;
    expect(() => validateBracketTable(t, 'TESTUSDT')).not.toThrow();
  });

  it('rejects non-contiguous tiers', () => {
    const t = good();
    t[1]!.floor = 50_001;
    expect(err(t).place).toEqual({ file: 'my-brackets.json', row: 2, field: 'floor' });
    expect(err(t).message).toMatch(/previous row's cap 50000/);
  });

  it('rejects a first floor other than 0 and a first cum other than 0', () => {
    const t = good();
    t[0]!.floor = 10;
    expect(err(t).place.field).toBe('floor');
    const u = good();
    u[0]!.cum = 5;
    expect(err(u).place).toEqual({ file: 'my-brackets.json', row: 1, field: 'cum' });
  });

  it('rejects a non-increasing mmr and an increasing max leverage', () => {
    const t = good();
    t[1]!.mmr = 0.004;
    expect(err(t).place).toMatchObject({ row: 2, field: 'mmr' });
    const u = good();
    u[2]!.maxLeverage = 110;
    expect(err(u).place).toMatchObject({ row: 3, field: 'maxLeverage' });
  });

  it('rejects bad shapes: a missing field, a string, an mmr ≥ 1, too many rows, not an array', () => {
    const t: any[] = good();
    delete t[1].cap;
    expect(err(t).place).toMatchObject({ row: 2, field: 'cap' });
    const u: any[] = good();
    u[0].mmr = '0.004';
    expect(err(u).place).toMatchObject({ row: 1, field: 'mmr' });
    const v: any[] = good();
    v[3].mmr = 1;
    expect(err(v).place).toMatchObject({ row: 4, field: 'mmr' });
    expect(err(Array.from({ length: MAX_BRACKETS + 1 }, () => BTC[0])).message).toMatch(/more than the 16/);
    expect(err({ floor: 0 }).message).toMatch(/must be an array/);
    expect(err([]).message).toMatch(/no rows/);
  });
});

describe('loadBracketFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'margincall-brackets-'));
  const rows = BTC.slice(0, 2);

  it('reads the bundled shape {tables: …} and a bare {SYMBOL: rows}', () => {
    const a = join(dir, 'a.json');
    writeFileSync(a, JSON.stringify({ source: 'test', tables: { FOOUSDT: rows } }));
    expect(loadBracketFile(a)).toEqual({ FOOUSDT: rows });
    const b = join(dir, 'b.json');
    writeFileSync(b, JSON.stringify({ FOOUSDT: rows, '*': rows }));
    expect(Object.keys(loadBracketFile(b))).toEqual(['FOOUSDT', '*']);
  });

  it('names the file in every error', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "FOOUSDT": [ ');
    expect(() => loadBracketFile(bad)).toThrow(/bad\.json: the bracket file is not valid JSON/);
    expect(() => loadBracketFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ tables: { FOOUSDT: [rows[0], { ...rows[1], cum: 49 }] } }));
    expect(() => loadBracketFile(broken)).toThrow(/broken\.json, row 2, field 'cum': bracket table 'FOOUSDT'/);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '{}');
    expect(() => loadBracketFile(empty)).toThrow(/holds no table/);
  });
});

describe('packBracketTable', () => {
  it('writes rows in kernel layout at the offset, unused rows zero', () => {
    const out = new Float64Array(3 + MAX_BRACKETS * BRACKET_FIELDS + 2).fill(7);
    packBracketTable(BNB, out, 3);
    expect(Array.from(out.subarray(3, 3 + BRACKET_FIELDS))).toEqual([0, 10_000, 0.005, 75, 0]);
    expect(Array.from(out.subarray(3 + 9 * BRACKET_FIELDS, 3 + 10 * BRACKET_FIELDS))).toEqual([
      75_000_000, 150_000_000, 0.5, 1, 25_022_210,
    ]);
    expect(out.subarray(3 + 10 * BRACKET_FIELDS, 3 + MAX_BRACKETS * BRACKET_FIELDS).every((x) => x === 0)).toBe(true);
    expect([out[0], out[2], out[out.length - 2], out[out.length - 1]]).toEqual([7, 7, 7, 7]);
  });
});
