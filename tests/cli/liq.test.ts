// `margincall liq`: every SPEC §6 worked case through `liq --json` in a real process, the human
// output, exit status 1 on bad flags; flag checking and --brackets in-process.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { computeLiq, parseLiqFlags, type LiqResult } from '../../src/cli/liq.js';
import { defaultBracketTables } from '../../src/engine/brackets.js';
import { UserError } from '../../src/errors.js';

const run = promisify(execFile);

async function liq(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', ['bin/margincall-dev.mjs', 'liq', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function liqJson(args: string[]): Promise<LiqResult> {
  const r = await liq([...args, '--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as LiqResult;
}

const pos = (symbol: string, side: string, qty: number, entry: number, wallet: number) => [
  '--symbol', symbol, '--side', side, '--qty', String(qty), '--entry', String(entry), '--wallet', String(wallet),
];

describe.concurrent('liq --json: SPEC §6 worked cases (spawned)', () => {
  const W = 1_535_443.01;
  const faqEth = ['--symbol', 'ETHUSDT', '--side', 'long', '--qty', '3683.979', '--entry', '1456.84', '--wallet', String(W)];
  const faqBtc = ['--symbol', 'BTCUSDT', '--side', 'long', '--qty', '109.488', '--entry', '32481.98', '--wallet', String(W)];

  it('Binance FAQ isolated ETH: LP 1,114.78 (mmr 0.10, cum 135,365 injected)', async () => {
    const r = await liqJson([...faqEth, '--mmr', '0.10', '--cum', '135365']);
    expect(r.liquidationPrice).toBeCloseTo(1_114.78, 2);
    expect(r.bracket).toEqual({ mmr: 0.1, cum: 135_365, maxLeverage: null });
  });

  it('Binance FAQ isolated BTC: LP 18,778.73 (mmr 0.025, cum 16,300 injected)', async () => {
    const r = await liqJson([...faqBtc, '--mmr', '0.025', '--cum', '16300']);
    expect(r.liquidationPrice).toBeCloseTo(18_778.73, 2);
  });

  it('Binance FAQ cross: LP(ETH) 1,153.26 with BTC marked 31,967.27', async () => {
    const r = await liqJson([
      ...faqEth, '--mmr', '0.10', '--cum', '135365',
      '--cross', '--other', 'BTCUSDT:long:109.488:32481.98:31967.27:0.025:16300',
    ]);
    expect(r.liquidationPrice).toBeCloseTo(1_153.26, 2);
  });

  it('Binance FAQ cross: LP(BTC) 26,316.89 with ETH marked 1,335.18', async () => {
    const r = await liqJson([
      ...faqBtc, '--mmr', '0.025', '--cum', '16300',
      '--cross', '--other', 'ETHUSDT:long:3683.979:1456.84:1335.18:0.10:135365',
    ]);
    expect(r.liquidationPrice).toBeCloseTo(26_316.89, 2);
  });

  it('BTC long q=1 EP=60,000 L=10: LP 54,221.105528 in tier 0.005/50, leverage 10 allowed', async () => {
    const r = await liqJson([...pos('BTCUSDT', 'long', 1, 60_000, 6_000), '--leverage', '10']);
    expect(r.liquidationPrice).toBeCloseTo(54_221.105528, 6);
    expect(r.bankruptcyPrice).toBe(54_000);
    expect(r.bracket).toEqual({ mmr: 0.005, cum: 50, maxLeverage: 100 });
    expect(r.leverageAllowed).toBe(true);
  });

  it('BTC short q=1 EP=60,000 L=10: LP 65,721.393035', async () => {
    const r = await liqJson(pos('BTCUSDT', 'short', 1, 60_000, 6_000));
    expect(r.liquidationPrice).toBeCloseTo(65_721.393035, 6);
    expect(r.bankruptcyPrice).toBe(66_000);
  });

  it('BTC long q=0.5 L=20: LP 57,228.915663', async () => {
    const r = await liqJson(pos('BTCUSDT', 'long', 0.5, 60_000, 1_500));
    expect(r.liquidationPrice).toBeCloseTo(57_228.915663, 6);
  });

  it('BTC long q=0.85 IW=10,200: LP 48,192.771084 in the first tier, not 48,182.086905', async () => {
    const r = await liqJson(pos('BTCUSDT', 'long', 0.85, 60_000, 10_200));
    expect(r.liquidationPrice).toBeCloseTo(48_192.771084, 6);
    expect(r.bracket).toEqual({ mmr: 0.004, cum: 0, maxLeverage: 125 });
  });

  it('ETH short q=10 L=20: LP 3,137.450199', async () => {
    const r = await liqJson(pos('ETHUSDT', 'short', 10, 3_000, 1_500));
    expect(r.liquidationPrice).toBeCloseTo(3_137.450199, 6);
  });

  it('BNB long q=100 L=10: LP 543.333333', async () => {
    const r = await liqJson(pos('BNBUSDT', 'long', 100, 600, 6_000));
    expect(r.liquidationPrice).toBeCloseTo(543.333333, 6);
    expect(r.bracket).toEqual({ mmr: 0.01, cum: 210, maxLeverage: 40 });
  });

  it('BTC long q=100 L=10: LP 54,429.797980', async () => {
    const r = await liqJson(pos('BTCUSDT', 'long', 100, 60_000, 600_000));
    expect(r.liquidationPrice).toBeCloseTo(54_429.79798, 6);
  });

  it('cross BTC long beside ETH short marked 3,100: LP(BTC) 51,330.653266', async () => {
    const r = await liqJson([...pos('BTCUSDT', 'long', 1, 60_000, 10_000), '--cross', '--other', 'ETHUSDT:short:10:3000:3100']);
    expect(r.liquidationPrice).toBeCloseTo(51_330.653266, 6);
    // bankruptcy: CW + UPNL1 + (P − 60,000) = 0
    expect(r.bankruptcyPrice).toBeCloseTo(51_000, 9);
  });

  it('cross ETH short beside BTC long marked 58,000: LP(ETH) 3,760.956175', async () => {
    const r = await liqJson([...pos('ETHUSDT', 'short', 10, 3_000, 10_000), '--cross', '--other', 'BTCUSDT:long:1:60000:58000']);
    expect(r.liquidationPrice).toBeCloseTo(3_760.956175, 6);
  });
});

describe.concurrent('liq in a real process: human output and bad flags', () => {
  it('prints a readable block', async () => {
    const r = await liq([...pos('BTCUSDT', 'long', 0.85, 60_000, 10_200), '--leverage', '125']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'BTCUSDT long 0.85 @ 60,000, isolated wallet 10,200',
        '  liquidation price   48,192.771084',
        '  bankruptcy price    48,000',
        '  bracket at LP       mmr 0.004, cum 0, max leverage 125',
        '  leverage 125        NOT allowed at the entry notional 51,000',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 with a clear message on a bad side', async () => {
    const r = await liq(pos('BTCUSDT', 'sideways', 1, 60_000, 6_000));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("margincall: error: field '--side': must be long or short, got 'sideways'\n");
  });

});

describe('liq flag checking (in-process)', () => {
  const base = { symbol: 'BTCUSDT', side: 'long', qty: '1', entry: '60000', wallet: '6000' };
  const fails = (flags: Record<string, unknown>, pattern: RegExp) => {
    let caught: unknown;
    try {
      parseLiqFlags({ ...base, ...flags } as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as Error).message).toMatch(pattern);
  };

  it('refuses negative or zero sizes and prices, and non-numbers', () => {
    fails({ qty: '-1' }, /field '--qty': must be positive, got -1/);
    fails({ qty: '0' }, /field '--qty': must be positive/);
    fails({ entry: 'abc' }, /field '--entry': expected a number, got 'abc'/);
    fails({ wallet: '' }, /field '--wallet': expected a number/);
    fails({ wallet: '-5' }, /isolated wallet cannot be negative/);
    fails({ leverage: '0.5' }, /field '--leverage': must be at least 1/);
  });

  it('refuses --other without --cross and bad parts of --other', () => {
    fails({ other: ['ETHUSDT:short:10:3000:3100'] }, /add --cross/);
    fails({ cross: true, other: ['ETHUSDT:flat:10:3000:3100'] }, /field '--other': SIDE of 'ETHUSDT:flat:10:3000:3100': must be long or short, got 'flat'/);
    fails({ cross: true, other: ['ETHUSDT:short:-10:3000:3100'] }, /field '--other': QTY of .*must be positive, got -10/);
    fails({ cross: true, other: ['ETHUSDT:short:10:3000:3100:1.5:0'] }, /field '--other': MMR of .*\[0, 1\)/);
    fails({ cross: true, other: ['ETHUSDT:short:10:3000:3100:0.1'] }, /expected SYMBOL:SIDE/);
    fails({ cross: true, other: ['ETHUSDT:short:10:3000'] }, /field '--other': expected SYMBOL:SIDE:QTY:ENTRY:MARK .*got 'ETHUSDT:short:10:3000'/);
  });

  it('refuses --cum without --mmr, and --leverage with an --mmr bracket', () => {
    fails({ cum: '50' }, /--cum goes with --mmr/);
    fails({ mmr: '0.01', leverage: '10' }, /no max leverage/);
    fails({ mmr: '1' }, /\[0, 1\)/);
  });

  it('accepts a cross wallet below zero (SPEC §2: CW may dip below 0)', () => {
    const input = parseLiqFlags({ ...base, wallet: '-100', cross: true, other: ['ETHUSDT:short:1:3000:2000'] });
    // effective wallet −100 − 8 + 1,000 = 892
    expect(computeLiq(input).liquidationPrice).toBeCloseTo((60_000 - 892 - 50) / 0.995, 9);
  });

  it('a long whose wallet covers the entry notional has no LP and no bracket', () => {
    const r = computeLiq(parseLiqFlags({ ...base, wallet: '60000' }));
    expect(r).toEqual({ liquidationPrice: null, bankruptcyPrice: null, bracket: null });
  });

  it('--brackets replaces a table: the LP follows the user table, other symbols keep theirs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'margincall-liq-'));
    const file = join(dir, 'brackets.json');
    const tables = {
      BTCUSDT: [
        { floor: 0, cap: 10_000, mmr: 0.01, maxLeverage: 50, cum: 0 },
        { floor: 10_000, cap: 1_000_000, mmr: 0.02, maxLeverage: 20, cum: 100 },
      ],
    };
    writeFileSync(file, JSON.stringify({ tables }));
    const input = parseLiqFlags({ ...base, brackets: file, leverage: '25', cross: true, other: ['ETHUSDT:short:10:3000:3100'] });
    expect(input.table).toEqual(tables.BTCUSDT);
    expect(input.others[0]!.table).toBe(defaultBracketTables().ETHUSDT);
    const r = computeLiq(input);
    // effective wallet 6,000 − 124 + (−1,000) = 4,876, LP notional in the user's second tier
    expect(r.liquidationPrice).toBeCloseTo((60_000 - 4_876 - 100) / 0.98, 9);
    expect(r.bracket).toEqual({ mmr: 0.02, cum: 100, maxLeverage: 20 });
    expect(r.leverageAllowed).toBe(false);
    writeFileSync(file, JSON.stringify({ BTCUSDT: [{ ...tables.BTCUSDT[0], floor: 5 }] }));
    fails({ brackets: file }, /brackets\.json, row 1, field 'floor': bracket table 'BTCUSDT'/);
  });
});
