// `margincall backtest` in-process: every bad flag refused by name, the main job's plan, and
// --out never leaving partial output.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mainJobBlocks, writeOutputs } from '../../src/cli/backtest.js';
import { backtest, type BacktestRun } from '../../src/engine/backtest.js';
import { runCli } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'margincall-cli-flags-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const run = (...args: string[]) => runCli('backtest', ...args);

describe('margincall backtest refuses every bad flag, by name', () => {
  const bad: Array<[string[], string]> = [
    [['--leverage', '150'], "field '--leverage': leverage 150 is above BTCUSDT's maximum of 100 for a full position of 150,000 USDT (1,000 USDT margin × 150); with 1,000 USDT per position the highest allowed leverage is 100"],
    [['--leverage', '0'], "field '--leverage': must be at least 1, got 0"],
    [['--leverage', '-3'], "field '--leverage': must be at least 1, got -3"],
    [['--leverage', 'NaN'], "field '--leverage': expected a number, got 'NaN'"],
    [['--balance', '-5'], "field '--balance': must be greater than 0, got -5"],
    [['--balance', '0'], "field '--balance': must be greater than 0, got 0"],
    [['--fee-rate', '-0.1'], "field '--fee-rate': the fee rate must be at least 0 and below 1, got -0.1"],
    [['--liquidation-fee-rate', '2'], "field '--liquidation-fee-rate': the liquidation fee rate must be at least 0 and below 1, got 2"],
    [['--slippage-bps', '-1'], "field '--slippage-bps': slippage must be at least 0 and below 10000 bps, got '-1'"],
    [['--margin-per-position', 'lots'], "field '--margin-per-position': expected a number, got 'lots'"],
    [['--margin-per-position', '0'], "field '--margin-per-position': the margin per position must be greater than 0 USDT, got '0'"],
    [['--margin-per-position', '120%'], "field '--margin-per-position': a share of equity must be above 0% and at most 100%, got '120%'"],
    [['--liquidation', 'threshold:1.5'], "field '--liquidation': the threshold must lie strictly between 0 and 1 (e.g. threshold:0.9), got 'threshold:1.5'"],
    [['--liquidation', 'bybit'], "field '--liquidation': expected 'binance' or 'threshold:X'"],
    [['--margin', 'portfolio'], "field '--margin': expected isolated, cross or both, got 'portfolio'"],
    [['--param', 'fast'], "field '--param': expected key=value such as fast=10, got 'fast'"],
    [['--param', 'fast=60'], "field 'fast': sma-cross: slow (50) ≤ fast (60): fast must be less than slow"],
    [['--param', 'period=3'], "field 'period': sma-cross has no parameter 'period' (its parameters are fast, slow)"],
    [['--strategy', 'moon'], "field '--strategy': unknown strategy 'moon' (available: buy-hold, sma-cross"],
    [['--strategy', 'pair'], "field '--symbols': pair needs exactly two symbols (A, then B), got 1: BTCUSDT"],
    [['--strategy', 'signals'], "field '--signals': the signals strategy needs the file of target weights"],
    [['--format', 'xlsx'], "field '--format': expected arrow, parquet, csv, got 'xlsx'"],
    [['--engine', 'gpu'], "field '--engine': expected wasm or reference, got 'gpu'"],
    [['--from', 'soon'], "field '--from': 'soon' is not a time (use ISO-8601 such as 2025-03-01 or epoch ms)"],
    [['--from', '2030-01-01'], 'data/sample/BTCUSDT.arrow: no bars in the requested time range'],
    [['--brackets', '/nonexistent/brackets.json'], '/nonexistent/brackets.json: cannot read the bracket file'],
    [['--data', '/nonexistent/data'], '/nonexistent/data: no such file or directory'],
  ];
  for (const [args, message] of bad) {
    it(args.join(' '), async () => {
      const dir = join(tmp, 'never');
      const r = await run('--symbols', 'BTCUSDT', ...args, '--out', dir);
      expect(r.status).toBe(1);
      expect(r.stderr.startsWith('margincall: error: ')).toBe(true);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
      expect(existsSync(dir)).toBe(false);
    });
  }

  it('a symbol missing from the data, and the same symbol twice', async () => {
    expect((await run('--symbols', 'DOGEUSDT')).stderr).toContain('symbol DOGEUSDT not in the dataset (available: BNBUSDT, BTCUSDT, ETHUSDT)');
    expect((await run('--symbols', 'BTCUSDT,btcusdt')).stderr).toContain("field '--symbols': BTCUSDT is listed twice");
  });

  it('a bracket file whose tables lower the maximum leverage', async () => {
    const file = join(tmp, 'brackets.json');
    writeFileSync(file, JSON.stringify({ tables: { BTCUSDT: [{ floor: 0, cap: 1e9, mmr: 0.01, maxLeverage: 5, cum: 0 }] } }));
    const r = await run('--symbols', 'BTCUSDT', '--brackets', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("leverage 10 is above BTCUSDT's maximum of 5 for a full position of 10,000 USDT");
    expect(r.stderr).toContain('the highest allowed leverage is 5');
    expect((await run('--symbols', 'BTCUSDT', '--brackets', file, '--leverage', '5', '--to', '2025-01-03')).status).toBe(0);
  });
});

describe('margincall backtest: one strategy, in-process', () => {
  it('--json: undefined ratios are null, never a made-up number', async () => {
    // 24 bars: fewer than sma-cross's 50, so no position and a flat equity curve
    const r = await run('--symbols', 'BTCUSDT', '--to', '2025-01-02', '--margin', 'isolated', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      runs: [
        {
          marginMode: 'isolated',
          strategy: 'sma-cross',
          params: { fast: 10, slow: 50 },
          symbols: ['BTCUSDT'],
          leverage: 10,
          metrics: {
            finalEquity: 10000,
            totalReturn: 0,
            annualizedReturn: 0,
            volatility: 0,
            sharpe: null,
            sortino: null,
            maxDrawdown: 0,
            calmar: null,
            trades: 0,
            winRate: null,
            profitFactor: null,
            expectancy: null,
            exposure: 0,
            liquidations: 0,
            liquidationLoss: 0,
            fees: 0,
            funding: 0,
            rejectedOrders: 0,
            maxMarginRatio: 0,
            ruined: false,
          },
        },
      ],
    });
  });

  it('takes the settings from the flags', async () => {
    const r = await run(
      '--symbols', 'ethusdt,BNBUSDT', '--strategy', 'bollinger', '--param', 'period=30', '--param', 'k=2.5',
      '--margin', 'cross', '--leverage', '20', '--balance', '5000', '--margin-per-position', '10%',
      '--fee-rate', '0.0004', '--slippage-bps', '2', '--liquidation', 'threshold:0.9', '--liquidation-fee-rate', '0.01',
      '--from', '2025-03-01', '--to', String(Date.UTC(2025, 5, 1)), '--json',
    );
    expect(r.stderr).toBe('');
    const runs = JSON.parse(r.stdout).runs;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      marginMode: 'cross',
      strategy: 'bollinger',
      params: { period: 30, k: 2.5 },
      symbols: ['ETHUSDT', 'BNBUSDT'],
      leverage: 20,
    });
    const [lib] = backtest({
      symbols: ['ETHUSDT', 'BNBUSDT'],
      strategy: 'bollinger',
      params: { period: 30, k: 2.5 },
      marginMode: 'cross',
      leverage: 20,
      balance: 5000,
      marginPerPosition: { kind: 'fraction', fraction: 0.1 },
      feeRate: 0.0004,
      slippage: 0.0002,
      liquidation: { kind: 'threshold', x: 0.9 },
      liquidationFeeRate: 0.01,
      from: Date.UTC(2025, 2, 1),
      to: Date.UTC(2025, 5, 1),
    });
    expect(runs[0].metrics.finalEquity).toBe(lib!.result.metrics.finalEquity);
    expect(runs[0].metrics.trades).toBe(lib!.result.metrics.trades);
    expect(runs[0].metrics.trades).toBeGreaterThan(0);
  });

  it('--help explains the options, the strategies and shows examples', async () => {
    const r = await run('--help');
    expect(r.status).toBe(0);
    for (const flag of ['--data', '--symbols', '--strategy', '--param', '--margin ', '--leverage', '--balance', '--margin-per-position', '--fee-rate', '--slippage-bps', '--liquidation ', '--brackets', '--from', '--to', '--out', '--format', '--json', '--engine']) {
      expect(r.stdout, flag).toContain(flag);
    }
    expect(r.stdout).toContain('sma-cross  (fast=10, slow=50)');
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('margincall backtest --symbols BTCUSDT,ETHUSDT --strategy pair');
  });
});

describe('the main job', () => {
  it('sma-cross on BTC, ETH, BNB alone, then the BTC/ETH pair; other symbols after, by name', () => {
    expect(mainJobBlocks(['BNBUSDT', 'BTCUSDT', 'ETHUSDT'])).toEqual([
      { strategy: 'sma-cross', symbols: ['BTCUSDT'] },
      { strategy: 'sma-cross', symbols: ['ETHUSDT'] },
      { strategy: 'sma-cross', symbols: ['BNBUSDT'] },
      { strategy: 'pair', symbols: ['BTCUSDT', 'ETHUSDT'] },
    ]);
    expect(mainJobBlocks(['XRPUSDT', 'ADAUSDT', 'ETHUSDT'])).toEqual([
      { strategy: 'sma-cross', symbols: ['ETHUSDT'] },
      { strategy: 'sma-cross', symbols: ['ADAUSDT'] },
      { strategy: 'sma-cross', symbols: ['XRPUSDT'] },
      { strategy: 'pair', symbols: ['ETHUSDT', 'ADAUSDT'] },
    ]);
    expect(mainJobBlocks(['SOLUSDT'])).toEqual([{ strategy: 'sma-cross', symbols: ['SOLUSDT'] }]);
  });

  it('applies the shared flags to every block', async () => {
    const r = await run('--leverage', '5', '--margin', 'cross', '--to', '2025-01-15', '--json');
    expect(r.status).toBe(0);
    const runs = JSON.parse(r.stdout).runs;
    expect(runs.map((x: { symbols: string[] }) => x.symbols.join('/'))).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'BTCUSDT/ETHUSDT']);
    expect(runs.every((x: { leverage: number; marginMode: string }) => x.leverage === 5 && x.marginMode === 'cross')).toBe(true);
  });
});

describe('--out never leaves partial output', () => {
  const good = backtest({ symbols: ['BTCUSDT'], to: '2025-01-03', records: true });
  // a trade whose symbol is not text: equity is written, then the trades table fails
  const broken: BacktestRun[] = good.map((r) => ({
    ...r,
    result: { ...r.result, trades: [{ ...r.result.trades![0]!, symbol: 42 as never }] },
  }));
  const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('margincall-'));

  it('writes a new directory whole', () => {
    const dir = join(tmp, 'whole', 'out');
    const written = writeOutputs(dir, good, 'arrow');
    expect(written).toEqual(['equity.arrow', 'liquidations.arrow', 'summary.json', 'trades.arrow'].map((n) => join(dir, n)));
    expect(leftovers(join(tmp, 'whole'))).toEqual([]);
  });

  it('a failure while writing a new directory leaves nothing', () => {
    const dir = join(tmp, 'fresh');
    expect(() => writeOutputs(dir, broken, 'parquet')).toThrow(/column 'symbol' row 1: number in a utf8 column/);
    expect(existsSync(dir)).toBe(false);
    expect(leftovers(tmp)).toEqual([]);
  });

  it('a failure while writing into an existing directory leaves it as it was', () => {
    const dir = join(tmp, 'existing');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    expect(() => writeOutputs(dir, broken, 'csv')).toThrow();
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('--out into an existing directory keeps its other files and leaves no temporary files', async () => {
    const dir = join(tmp, 'out-existing');
    expect((await run('--symbols', 'BNBUSDT', '--to', '2025-01-03', '--out', dir, '--format', 'csv')).status).toBe(0);
    const r = await run('--symbols', 'BNBUSDT', '--to', '2025-01-03', '--out', dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'equity.arrow')}`);
    expect(readdirSync(dir).sort()).toEqual(
      ['equity.arrow', 'equity.csv', 'liquidations.arrow', 'liquidations.csv', 'summary.json', 'trades.arrow', 'trades.csv'],
    );
    expect(leftovers(tmp)).toEqual([]);
  });

  it('refuses a file where the directory should be', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    expect(() => writeOutputs(file, good, 'csv')).toThrow(/a-file, field '--out': exists and is not a directory/);
  });
});
