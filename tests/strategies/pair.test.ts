// pair (SPEC §4) on hand-computed spreads, through the reference and the kernel.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { computeTargets, logSpread, pairFromSpread } from '../../src/strategies/index.js';
import { kernelPair, sameBits } from './kernel.js';

const f64 = (xs: number[]) => Float64Array.from(xs);

describe('pair', () => {
  it('enters on |z| > entry, flips in the order of the checks, exits on |z| < exit', () => {
    // lookback 3, entry 1.2, exit 0.3. Windows (current last):
    // t=2 [0,0,0] std 0 → unchanged; t=3 [0,0,1] z = √2 > 1.2 → A −1, B +1;
    // t=4 [0,1,1] z = 1/√2 → unchanged; t=5 [1,1,0.5] z = −√2 → A +1, B −1;
    // t=6 [1,0.5,0] z = −1.2247 → A +1; t=7 [0.5,0,0.25] z = 0 → both 0;
    // t=8 [0,0.25,0.25] z = 1/√2 → unchanged.
    const spread = f64([0, 0, 0, 1, 1, 0.5, 0, 0.25, 0.25]);
    const [a, b] = pairFromSpread(spread, 3, 1.2, 0.3);
    expect(Array.from(a)).toEqual([0, 0, 0, -1, -1, 1, 1, 0, 0]);
    expect(Array.from(b)).toEqual([0, 0, 0, 1, 1, -1, -1, 0, 0]);
  });

  it('changes nothing when the window std is at most 1e-12', () => {
    // t=2: std ≈ 4.7e-14, so z = √2 would otherwise enter; t=3 [5, 5+1e-13, 6] enters.
    const spread = f64([5, 5, 5 + 1e-13, 6]);
    const [a, b] = pairFromSpread(spread, 3, 1.2, 0.3);
    expect(Array.from(a)).toEqual([0, 0, 0, -1]);
    expect(Array.from(b)).toEqual([0, 0, 0, 1]);
  });

  it('takes A as the first symbol and the spread as ln(A) − ln(B)', () => {
    // A jumps up against a constant B: the spread is high, so A is shorted and B bought.
    const closeA = f64([100, 100, 100, 150]);
    const closeB = f64([50, 50, 50, 50]);
    const flat = Math.log(100) - Math.log(50);
    expect(Array.from(logSpread(closeA, closeB))).toEqual([flat, flat, flat, Math.log(150) - Math.log(50)]);
    const params = { lookback: 3, entry: 1.2, exit: 0.3 };
    const [a, b] = computeTargets('pair', params, [closeA, closeB], [closeA, closeB], [closeA, closeB]);
    expect(Array.from(a)).toEqual([0, 0, 0, -1]);
    expect(Array.from(b)).toEqual([0, 0, 0, 1]);
    const [ka, kb] = kernelPair(params, closeA, closeB);
    expect(sameBits(ka, a) && sameBits(kb, b)).toBe(true);
  });

  it('agrees with the kernel on the hand-computed case', () => {
    const closeA = f64([0, 0, 0, 1, 1, 0.5, 0, 0.25, 0.25].map(Math.exp));
    const closeB = f64(new Array(9).fill(1));
    const params = { lookback: 3, entry: 1.2, exit: 0.3 };
    const [a, b] = computeTargets('pair', params, [closeA, closeB], [closeA, closeB], [closeA, closeB]);
    expect(Array.from(a)).toEqual([0, 0, 0, -1, -1, 1, 1, 0, 0]);
    const [ka, kb] = kernelPair(params, closeA, closeB);
    expect(sameBits(ka, a) && sameBits(kb, b)).toBe(true);
  });

  it('refuses anything but two symbols', () => {
    const c = f64([1, 2, 3]);
    expect(() => computeTargets('pair', {}, [c], [c], [c])).toThrow(UserError);
    expect(() => computeTargets('pair', {}, [c, c, c], [c, c, c], [c, c, c])).toThrow(/exactly two symbols/);
  });
});
