import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  formatBasisPoints,
  formatScaled,
  formatShare,
  fraction,
  fractionFromNumber,
  fractionToNumber,
  parsePercent,
  parseScaled,
  roundDiv,
} from './decimal.ts';

describe('exact decimals on scaled integers', () => {
  const reads = [
    ['0.8', 4, 8_000],
    ['1', 4, 10_000],
    ['0.5405', 4, 5_405],
    ['1.50000', 4, 15_000],
    ['-12.5', 2, -1_250],
    ['1,409,310.50', 2, 140_931_050],
    ['.25', 2, 25],
    ['-0', 2, 0],
  ] as const;
  for (const [text, places, value] of reads) {
    it(`reads "${text}" to ${places} places as ${value}`, () => assert.equal(parseScaled(text, places), value));
  }
  for (const text of ['0,8', '1.23456', '', '-', '1.2.3', 'abc', '1e3']) {
    it(`refuses "${text}" to 4 places`, () => assert.equal(parseScaled(text, 4), undefined));
  }

  it('reads percentages as basis points and writes them back', () => {
    assert.deepEqual(['60', '33.33', '99.5%', '100.6 %', '0.5', '12.345'].map(parsePercent), [
      6_000,
      3_333,
      9_950,
      10_060,
      50,
      undefined,
    ]);
    assert.deepEqual([10_000, 9_950, 10_060, 50, 0, 3_333].map(formatBasisPoints), [
      '100%',
      '99.5%',
      '100.6%',
      '0.5%',
      '0%',
      '33.33%',
    ]);
  });

  const rounding = [
    [5n, 2n, 3n],
    [-5n, 2n, -3n],
    [7n, 2n, 4n],
    [4n, 3n, 1n],
    [5n, 3n, 2n],
    [-4n, 3n, -1n],
    [5n, -2n, -3n],
    [0n, 9n, 0n],
  ] as const;
  for (const [n, d, q] of rounding) {
    it(`rounds ${n}/${d} to ${q}, halves away from zero`, () => assert.equal(roundDiv(n, d), q));
  }

  it('writes scaled integers and shares', () => {
    assert.equal(formatScaled(19_200, 4, 2), '1.92');
    assert.equal(formatScaled(-5, 1, 0), '-1');
    assert.equal(formatShare(9_200, 19_200, 1), '47.9%');
    assert.equal(formatShare(15_659n, 100_000n, 3), '15.659%');
    assert.equal(formatShare(1, 1, 0), '100%');
  });

  it('turns any double into the exact fraction it stands for', () => {
    assert.deepEqual(fractionFromNumber(0.1), { n: 3_602_879_701_896_397n, d: 36_028_797_018_963_968n });
    assert.deepEqual(fractionFromNumber(-2.5), { n: -5n, d: 2n });
    assert.deepEqual(fractionFromNumber(3), { n: 3n, d: 1n });
    assert.throws(() => fractionFromNumber(Number.NaN), RangeError);
  });

  it('converts fractions with thousand-digit parts to the nearest double', () => {
    const big = 10n ** 400n;
    assert.equal(fractionToNumber(fraction(big, 3n * big)), 1 / 3);
    assert.equal(fractionToNumber(fraction(-7n * big, 2n * big)), -3.5);
  });

  it('gives back every double exactly after the round trip through a fraction (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), (x) => {
        assert.equal(fractionToNumber(fractionFromNumber(x)), x === 0 ? 0 : x);
      }),
      { numRuns: 200 },
    );
  });
});
