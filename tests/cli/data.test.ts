// `margincall data …` end to end, through the real CLI in a child process.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureText, tempDir, writeTemp } from '../data/helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'margincall-dev.mjs'), 'data', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('margincall data (CLI)', () => {
  it('imports freqtrade feathers, then info shows them (--json)', () => {
    const out = join(tempDir(), 'xrp');
    const ft = (n: string): string => fixture('freqtrade', n);
    const imp = cli(
      'import',
      ft('XRP_USDT_USDT-1h-futures.feather'),
      ft('XRP_USDT_USDT-1h-mark.feather'),
      ft('XRP_USDT_USDT-8h-funding_rate.feather'),
      '--align',
      'inner',
      '--out',
      out,
      '--json',
    );
    expect(imp.stderr).toBe('');
    expect(imp.status).toBe(0);
    const summary = JSON.parse(imp.stdout);
    expect(summary).toMatchObject({
      out,
      files: [join(out, 'XRPUSDT.arrow')],
      interval: '1h',
      bars: 57,
      first: '2021-11-17T01:00:00.000Z',
      last: '2021-11-19T09:00:00.000Z',
      align: 'inner',
    });
    expect(summary.symbols[0]).toMatchObject({ symbol: 'XRPUSDT', mark: true, funding: { applied: 5, skippedOutsideRange: 86 } });

    const info = cli('info', out, '--json');
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({
      bars: 57,
      interval: '1h',
      gaps: { count: 0 },
      symbols: [{ symbol: 'XRPUSDT', fundingEvents: 5 }],
    });
    const human = cli('info', out);
    expect(human.stdout).toContain('1 symbol, 57 bars of 1h');
    expect(human.stdout).toContain('XRPUSDT  mark, 5 funding events');
  });

  it('refuses bad input with exit 1, file/row/field in the message, and writes nothing', () => {
    const dir = tempDir();
    const lines = fixtureText('binance-futures', 'BTCUSDT-1h.csv').trim().split('\n');
    const row3 = lines[3]!.split(',');
    row3[5] = '-3'; // volume
    lines[3] = row3.join(',');
    const bad = writeTemp(dir, 'ETHUSDT-1h.csv', lines.join('\n'));
    const out = join(dir, 'out');
    // a good file and a bad one: the good one must not be written either
    const r = cli('import', fixture('binance-futures', 'BTCUSDT-1h.csv'), bad, '--out', out);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`margincall: error: ${bad}, row 3, field 'volume': volume -3 must be ≥ 0\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses mismatched symbols naming the first mismatch, and a non-numeric funding rate', () => {
    const dir = tempDir();
    const r = cli('import', fixture('binance-futures', 'BTCUSDT-1h.csv'), fixture('binance-futures', 'ETHUSDT-1h.csv'), '--out', dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/BTCUSDT and ETHUSDT have different timestamps: bar 1 is 2026-04-06T23:00:00.000Z in BTCUSDT/);
    const funding = writeTemp(dir, 'BTCUSDT-funding.csv', 'funding_time,funding_interval_hours,funding_rate\n1775520000000,8,n/a\n');
    const f = cli('import', fixture('binance-futures', 'BTCUSDT-1h.csv'), funding, '--out', dir);
    expect(f.status).toBe(1);
    expect(f.stderr).toBe(`margincall: error: ${funding}, row 1, field 'funding_rate': 'n/a' is not a number\n`);
    expect(readdirSync(dir)).toEqual(['BTCUSDT-funding.csv']);
  });

  it('synth writes the same bytes for the same seed', () => {
    const a = join(tempDir(), 'a'), b = join(tempDir(), 'b');
    const args = ['--symbols', 'BTCUSDT,ETHUSDT', '--bars', '2000', '--interval', '5m', '--seed', '9'];
    const ra = cli('synth', ...args, '--out', a, '--json');
    const rb = cli('synth', ...args, '--out', b);
    expect(ra.status).toBe(0);
    expect(rb.status).toBe(0);
    expect(JSON.parse(ra.stdout)).toEqual({
      out: a,
      files: [join(a, 'BTCUSDT.arrow'), join(a, 'ETHUSDT.arrow')],
      symbols: ['BTCUSDT', 'ETHUSDT'],
      bars: 2000,
      interval: '5m',
      seed: 9,
      first: '2024-01-01T00:00:00.000Z',
      last: '2024-01-07T22:35:00.000Z',
    });
    expect(rb.stdout).toMatch(/^wrote 2 × 2000 bars of 5m \(seed 9\) to /);
    for (const s of ['BTCUSDT', 'ETHUSDT']) {
      expect(readFileSync(join(a, `${s}.arrow`)).equals(readFileSync(join(b, `${s}.arrow`)))).toBe(true);
    }
    const bad = cli('synth', '--bars', 'lots', '--out', a);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("margincall: error: --bars 'lots' is not a whole number\n");
  });

  it('explains itself in --help', () => {
    const r = cli('import', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--align <mode>');
    expect(r.stdout).toContain('markPriceKlines');
    expect(r.stdout).toContain('-funding_rate.feather');
  });
});
