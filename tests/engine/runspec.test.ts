// Building a RunSpec: defaults, every impossible setting refused with its name, the SPEC §2
// pre-run leverage check, and the parsing of the CLI's strings.
import { describe, expect, it } from 'vitest';
import { defaultBracketTables, type BracketTable } from '../../src/engine/brackets.js';
import {
  buildRunSpec,
  CLI_FLAGS,
  DEFAULTS,
  fullWeightNotional,
  highestAllowedLeverage,
  parseLiquidation,
  parseMarginModes,
  parseMarginPerPosition,
  parseNumberFlag,
  parseParams,
  parseSlippageBps,
  parseSymbols,
  type RunSpecInput,
} from '../../src/engine/runspec.js';
import { userError } from '../helpers/errors.js';

const base: RunSpecInput = { marginMode: 'cross', strategy: 'sma-cross', symbols: ['BTCUSDT'] };


describe('buildRunSpec defaults (SPEC §5)', () => {
  it('fills in every default and one bracket table per symbol', () => {
    const spec = buildRunSpec({ ...base, symbols: ['BTCUSDT', 'DOGEUSDT'] });
    const tables = defaultBracketTables();
    expect(spec).toEqual({
      marginMode: 'cross',
      strategy: 'sma-cross',
      params: { fast: 10, slow: 50 },
      symbols: ['BTCUSDT', 'DOGEUSDT'],
      leverage: 10,
      balance: 10_000,
      sizing: { kind: 'fixed', amount: 1_000 },
      feeRate: 0.0005,
      slippage: 0,
      liquidation: { kind: 'binance' },
      liquidationFeeRate: 0.0125,
      brackets: [tables.BTCUSDT, tables['*']],
      records: false,
    });
    expect(DEFAULTS).toMatchObject({ balance: 10_000, leverage: 10, marginPerPosition: 1_000, feeRate: 0.0005 });
  });

  it('keeps what is given, resolves params and merges bracket overrides over the bundled tables', () => {
    const flat: BracketTable = [{ floor: 0, cap: 1e9, mmr: 0.01, maxLeverage: 200, cum: 0 }];
    const spec = buildRunSpec({
      ...base,
      marginMode: 'isolated',
      symbols: ['BTCUSDT', 'ETHUSDT'],
      params: { fast: 5 },
      leverage: 150,
      balance: 500,
      sizing: { kind: 'fraction', fraction: 0.1 },
      feeRate: 0,
      slippage: 0.0002,
      liquidation: { kind: 'threshold', x: 0.9 },
      liquidationFeeRate: 0,
      brackets: { BTCUSDT: flat, ETHUSDT: flat },
      records: true,
    });
    expect(spec.params).toEqual({ fast: 5, slow: 50 });
    expect(spec.brackets).toEqual([flat, flat]);
    expect(spec).toMatchObject({ leverage: 150, balance: 500, slippage: 0.0002, records: true });
  });

  it('passes a target function parameters through unchanged', () => {
    expect(buildRunSpec({ ...base, strategy: 'function', params: { k: 3 } }).params).toEqual({ k: 3 });
  });
});

describe('buildRunSpec refuses impossible settings, naming the flag', () => {
  const cases: Array<[string, Partial<RunSpecInput>, string, RegExp]> = [
    ['leverage 0', { leverage: 0 }, '--leverage', /must be at least 1, got 0/],
    ['negative leverage', { leverage: -5 }, '--leverage', /must be at least 1, got -5/],
    ['NaN leverage', { leverage: NaN }, '--leverage', /must be a number, got NaN/],
    ['infinite balance', { balance: Infinity }, '--balance', /got Infinity/],
    ['zero balance', { balance: 0 }, '--balance', /must be greater than 0, got 0/],
    ['negative balance', { balance: -10 }, '--balance', /must be greater than 0, got -10/],
    ['negative fee', { feeRate: -0.001 }, '--fee-rate', /fee rate must be at least 0 and below 1, got -0.001/],
    ['fee of 100%', { feeRate: 1 }, '--fee-rate', /below 1, got 1/],
    ['negative slippage', { slippage: -0.1 }, '--slippage-bps', /slippage must be at least 0/],
    ['negative liquidation fee', { liquidationFeeRate: -1 }, '--liquidation-fee-rate', /liquidation fee rate/],
    ['zero margin', { sizing: { kind: 'fixed', amount: 0 } }, '--margin-per-position', /greater than 0/],
    ['fraction above 100%', { sizing: { kind: 'fraction', fraction: 1.5 } }, '--margin-per-position', /at most 100%/],
    ['threshold 1', { liquidation: { kind: 'threshold', x: 1 } }, '--liquidation', /strictly between 0 and 1/],
    ['no symbols', { symbols: [] }, '--symbols', /at least one symbol/],
    ['a symbol twice', { symbols: ['BTCUSDT', 'BTCUSDT'] }, '--symbols', /listed twice/],
    ['unknown mode', { marginMode: 'portfolio' as never }, '--margin', /'isolated' or 'cross', got "portfolio"/],
    ['unknown strategy', { strategy: 'moon' as never }, '--strategy', /unknown strategy 'moon' \(available: buy-hold, sma-cross/],
    ['pair on one symbol', { strategy: 'pair' }, '--symbols', /pair needs exactly two symbols \(A, then B\), got 1: BTCUSDT/],
  ];
  for (const [what, change, flag, message] of cases) {
    it(what, () => {
      const err = userError(() => buildRunSpec({ ...base, ...change }, CLI_FLAGS));
      expect(err.place.field).toBe(flag);
      expect(err.message).toMatch(message);
      expect(err.message.startsWith(`field '${flag}': `)).toBe(true);
    });
  }

  it('names the library field when no flag names are given', () => {
    expect(userError(() => buildRunSpec({ ...base, leverage: 0 })).place.field).toBe('leverage');
  });

  it('refuses bad strategy parameters with the parameter named', () => {
    const err = userError(() => buildRunSpec({ ...base, params: { fast: 60 } }, CLI_FLAGS));
    expect(err.message).toBe("field 'fast': sma-cross: slow (50) ≤ fast (60): fast must be less than slow");
    expect(userError(() => buildRunSpec({ ...base, params: { period: 3 } })).message).toMatch(
      /sma-cross has no parameter 'period' \(its parameters are fast, slow\)/,
    );
  });

  it('checks bracket tables given by a library caller', () => {
    const bad = [{ floor: 0, cap: 100, mmr: 0.01, maxLeverage: 50, cum: 5 }];
    expect(userError(() => buildRunSpec({ ...base, brackets: { BTCUSDT: bad } })).message).toMatch(
      /row 1, field 'cum': bracket table 'BTCUSDT': the first cum must be 0, got 5/,
    );
  });
});

describe('the SPEC §2 pre-run leverage check', () => {
  it('accepts a full position in a bracket whose max leverage is at least L', () => {
    // 1,000 × 100 = 100,000 lies in BTC's 50,000–600,000 tier, max leverage 100
    expect(() => buildRunSpec({ ...base, leverage: 100 })).not.toThrow();
    // 100 × 125 = 12,500 lies in the first tier, max leverage 125
    expect(() => buildRunSpec({ ...base, leverage: 125, sizing: { kind: 'fixed', amount: 100 } })).not.toThrow();
    // BNB: 1,000 × 50 = 50,000 is on the floor of the 50,000–200,000 tier (max 40): refused;
    // 1,000 × 40 = 40,000 is in the 10,000–50,000 tier (max 50): allowed
    expect(() => buildRunSpec({ ...base, symbols: ['BNBUSDT'], leverage: 40 })).not.toThrow();
  });

  it('refuses a leverage above the maximum of the bracket of the full-weight notional', () => {
    const err = userError(() => buildRunSpec({ ...base, leverage: 150 }, CLI_FLAGS));
    expect(err.place.field).toBe('--leverage');
    expect(err.message).toBe(
      "field '--leverage': leverage 150 is above BTCUSDT's maximum of 100 for a full position of " +
        '150,000 USDT (1,000 USDT margin × 150); with 1,000 USDT per position the highest allowed leverage is 100',
    );
  });

  it('checks every symbol, and the floor of a tier belongs to the upper tier', () => {
    const err = userError(() => buildRunSpec({ ...base, symbols: ['BTCUSDT', 'BNBUSDT'], leverage: 50 }));
    expect(err.message).toMatch(
      /leverage 50 is above BNBUSDT's maximum of 40 for a full position of 50,000 USDT .* highest allowed leverage is 49$/,
    );
  });

  it('sizes a fraction of equity on the starting balance', () => {
    const sizing = { kind: 'fraction', fraction: 0.5 } as const;
    expect(fullWeightNotional(sizing, 100_000, 20)).toBe(1_000_000);
    // 1,000,000 lies in BTC's 600,000–3,000,000 tier, max leverage 75: 20 is fine, 80 is not
    expect(() => buildRunSpec({ ...base, balance: 100_000, sizing, leverage: 20 })).not.toThrow();
    expect(userError(() => buildRunSpec({ ...base, balance: 100_000, sizing, leverage: 80 })).message).toMatch(
      /leverage 80 is above BTCUSDT's maximum of 50 for a full position of 4,000,000 USDT \(50,000 USDT margin × 80\)/,
    );
  });

  it('refuses a notional beyond the last cap', () => {
    const err = userError(() => buildRunSpec({ ...base, sizing: { kind: 'fixed', amount: 1e9 }, balance: 1e10 }));
    expect(err.message).toMatch(/10,000,000,000 USDT .* is above the largest notional BTCUSDT allows, 1,800,000,000 USDT/);
    expect(err.message).toMatch(/highest allowed leverage is 1$/);
  });

  it('finds the highest whole leverage allowed for a margin', () => {
    const t = defaultBracketTables();
    expect(highestAllowedLeverage(t.BTCUSDT!, 1_000)).toBe(100);
    expect(highestAllowedLeverage(t.BTCUSDT!, 100)).toBe(125);
    expect(highestAllowedLeverage(t.BNBUSDT!, 1_000)).toBe(49);
    expect(highestAllowedLeverage(t.BTCUSDT!, 2e9)).toBeNull();
  });
});

describe('parsing the CLI strings', () => {
  it('--margin-per-position: an amount or a percentage of equity', () => {
    expect(parseMarginPerPosition('1000')).toEqual({ kind: 'fixed', amount: 1000 });
    expect(parseMarginPerPosition(' 2.5e3 ')).toEqual({ kind: 'fixed', amount: 2500 });
    expect(parseMarginPerPosition('10%')).toEqual({ kind: 'fraction', fraction: 0.1 });
    expect(parseMarginPerPosition('100%')).toEqual({ kind: 'fraction', fraction: 1 });
    for (const [text, msg] of [
      ['0', /greater than 0 USDT, got '0'/],
      ['-5', /greater than 0 USDT/],
      ['0%', /above 0% and at most 100%, got '0%'/],
      ['150%', /at most 100%/],
      ['ten', /expected a number, got 'ten'/],
      ['%', /expected a number/],
      ['', /expected a number/],
    ] as const) {
      const err = userError(() => parseMarginPerPosition(text));
      expect(err.place.field).toBe('--margin-per-position');
      expect(err.message).toMatch(msg);
    }
  });

  it('--liquidation: binance or threshold:X with 0 < X < 1', () => {
    expect(parseLiquidation('binance')).toEqual({ kind: 'binance' });
    expect(parseLiquidation('Threshold:0.9')).toEqual({ kind: 'threshold', x: 0.9 });
    for (const text of ['threshold:1', 'threshold:0', 'threshold:-0.5', 'threshold:', 'threshold:x', 'bybit', 'threshold']) {
      const err = userError(() => parseLiquidation(text));
      expect(err.place.field).toBe('--liquidation');
      expect(err.message).toMatch(/threshold/);
    }
    expect(userError(() => parseLiquidation('threshold:x')).message).toBe(
      "field '--liquidation': the threshold must lie strictly between 0 and 1 (e.g. threshold:0.9), got 'threshold:x'",
    );
    expect(userError(() => parseLiquidation('bybit')).message).toBe(
      "field '--liquidation': expected 'binance' or 'threshold:X' (0 < X < 1, e.g. threshold:0.9), got 'bybit'",
    );
  });

  it('--slippage-bps: basis points to a fraction', () => {
    expect(parseSlippageBps('0')).toBe(0);
    expect(parseSlippageBps('2.5')).toBe(0.00025);
    expect(userError(() => parseSlippageBps('-1')).message).toMatch(/at least 0 and below 10000 bps, got '-1'/);
    expect(userError(() => parseSlippageBps('10000')).place.field).toBe('--slippage-bps');
    expect(userError(() => parseSlippageBps('1bp')).message).toMatch(/expected a number, got '1bp'/);
  });

  it('--param k=v, repeatable', () => {
    expect(parseParams([])).toEqual({});
    expect(parseParams(['fast=20', 'slow = 100', 'k=-1.5e0'])).toEqual({ fast: 20, slow: 100, k: -1.5 });
    for (const [list, msg] of [
      [['fast'], /expected key=value such as fast=10, got 'fast'/],
      [['=3'], /expected key=value/],
      [['fast=abc'], /parameter 'fast' must be a number, got 'abc'/],
      [['fast='], /parameter 'fast' must be a number, got ''/],
      [['fast=1', 'fast=2'], /parameter 'fast' is given twice/],
    ] as const) {
      const err = userError(() => parseParams(list));
      expect(err.place.field).toBe('--param');
      expect(err.message).toMatch(msg);
    }
  });

  it('--margin isolated|cross|both', () => {
    expect(parseMarginModes('isolated')).toEqual(['isolated']);
    expect(parseMarginModes('CROSS')).toEqual(['cross']);
    expect(parseMarginModes('both')).toEqual(['isolated', 'cross']);
    expect(userError(() => parseMarginModes('portfolio')).message).toBe(
      "field '--margin': expected isolated, cross or both, got 'portfolio'",
    );
  });

  it('--symbols and plain numbers', () => {
    expect(parseSymbols('btcusdt, ETHUSDT,')).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(userError(() => parseSymbols(' , ')).place.field).toBe('--symbols');
    expect(userError(() => parseSymbols('BTCUSDT,btcusdt')).message).toMatch(/BTCUSDT is listed twice/);
    expect(parseNumberFlag('1e3', '--balance')).toBe(1000);
    for (const text of ['', '0x10', 'Infinity', 'NaN', '1,000']) {
      expect(userError(() => parseNumberFlag(text, '--balance')).message).toBe(
        `field '--balance': expected a number, got '${text}'`,
      );
    }
  });
});
