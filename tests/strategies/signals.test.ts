// The signals strategy (Arrow IPC round trip) and the checks on user-computed target weights.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Float16, Float64, Int32, Table, Utf8, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { validateTargets } from '../../src/strategies/index.js';
import { readSignals } from '../../src/strategies/signals.js';

const dir = mkdtempSync(join(tmpdir(), 'margincall-signals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function write(table: Table): string {
  const path = join(dir, `signals-${count++}.arrow`);
  writeFileSync(path, tableToIPC(table, 'file'));
  return path;
}

function thrown(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('accepted');
}

describe('readSignals', () => {
  it('reads one column per symbol, by name, in the order of the symbols', () => {
    const path = write(
      tableFromArrays({
        ETHUSDT: Float64Array.from([0, -1, -1, 0.5]),
        BTCUSDT: Float64Array.from([1, NaN, 0.25, 0]),
      }),
    );
    const [btc, eth] = readSignals(path, ['BTCUSDT', 'ETHUSDT'], 4);
    expect(Array.from(btc)).toEqual([1, NaN, 0.25, 0]);
    expect(Array.from(eth)).toEqual([0, -1, -1, 0.5]);
  });

  it("uses the column 'weight' for a single symbol, and turns nulls into NaN", () => {
    const path = write(new Table({ weight: vectorFromArray([1, null, -0.5], new Float64()) }));
    const [w] = readSignals(path, ['SOLUSDT'], 3);
    expect(Array.from(w)).toEqual([1, NaN, -0.5]);
  });

  it('accepts integer and half-float columns', () => {
    const path = write(
      new Table({
        A: vectorFromArray([1, 0, -1], new Int32()),
        B: vectorFromArray([0.5, null, -0.25], new Float16()),
      }),
    );
    const [a, b] = readSignals(path, ['A', 'B'], 3);
    expect(Array.from(a)).toEqual([1, 0, -1]);
    expect(Array.from(b)).toEqual([0.5, NaN, -0.25]);
  });

  it('names the file, row and column of a weight outside [-1, 1]', () => {
    const path = write(tableFromArrays({ BTCUSDT: Float64Array.from([0, 1, 1.5]) }));
    const e = thrown(() => readSignals(path, ['BTCUSDT'], 3));
    expect(e.place).toEqual({ file: path, row: 3, field: 'BTCUSDT' });
    expect(e.message).toContain(`${path}, row 3, field 'BTCUSDT': target weight 1.5 is outside [-1, 1]`);
    const inf = write(tableFromArrays({ weight: Float64Array.from([-Infinity]) }));
    expect(thrown(() => readSignals(inf, ['X'], 1)).place).toEqual({ file: inf, row: 1, field: 'weight' });
  });

  it('refuses a missing column, a wrong length, text, and a file that is not Arrow', () => {
    const path = write(tableFromArrays({ BTCUSDT: Float64Array.from([0, 1]) }));
    expect(thrown(() => readSignals(path, ['BTCUSDT', 'ETHUSDT'], 2)).message).toMatch(
      /no weight column 'ETHUSDT' \(columns: BTCUSDT\)/,
    );
    expect(thrown(() => readSignals(path, ['ETHUSDT'], 2)).message).toMatch(/'ETHUSDT' or 'weight'/);
    expect(thrown(() => readSignals(path, ['BTCUSDT'], 3)).message).toMatch(/2 rows but the data has 3 bars/);
    const text = write(new Table({ weight: vectorFromArray(['1', '0'], new Utf8()) }));
    expect(thrown(() => readSignals(text, ['X'], 2)).message).toMatch(/weights must be numbers/);
    const junk = join(dir, 'junk.arrow');
    writeFileSync(junk, 'time,weight\n1,0\n');
    expect(thrown(() => readSignals(junk, ['X'], 1)).place.file).toBe(junk);
    expect(thrown(() => readSignals(join(dir, 'missing.arrow'), ['X'], 1)).message).toMatch(/cannot read/);
  });
});

describe('validateTargets', () => {
  it('accepts columns of the right shape, NaN meaning no new target', () => {
    const cols = [Float64Array.from([1, NaN, -1]), Float64Array.from([0, 0.5, -0.5])];
    expect(validateTargets(cols, 2, 3, 'my function')).toBe(cols);
    const single = Float64Array.from([0, 1]);
    expect(validateTargets(single, 1, 2, 'my function')).toEqual([single]);
  });

  it('refuses the wrong shape or a weight outside [-1, 1]', () => {
    const ok = Float64Array.from([0, 0]);
    expect(thrown(() => validateTargets([ok], 2, 2, 'fn')).message).toMatch(/expected 2 target-weight column/);
    expect(thrown(() => validateTargets([Float64Array.from([0])], 1, 2, 'fn')).message).toMatch(/expected 2 target weights/);
    expect(thrown(() => validateTargets([[0, 1]], 1, 2, 'fn')).message).toMatch(/must be a Float64Array/);
    expect(thrown(() => validateTargets('no', 1, 2, 'fn')).message).toMatch(/array of Float64Array/);
    const e = thrown(() => validateTargets([ok, Float64Array.from([0, -2])], 2, 2, 'fn', ['BTCUSDT', 'ETHUSDT']));
    expect(e.place).toEqual({ file: 'fn', row: 2, field: 'ETHUSDT' });
  });
});
