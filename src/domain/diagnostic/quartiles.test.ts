import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type BenchmarkSet,
  benchmarkFromPeers,
  bestQuartile,
  compareWithBenchmark,
  percentileInc,
} from './quartiles.ts';

const RUNS = { numRuns: 200 };

/** Excel's own definition, written independently: rank = k(n − 1) + 1 on the 1-based sorted array. */
function excelPercentileInc(values: readonly number[], k: number): number {
  const x = [...values].sort((a, b) => a - b);
  const rank = k * (x.length - 1) + 1;
  const i = Math.floor(rank);
  const d = rank - i;
  if (i >= x.length) return x[x.length - 1]!;
  return x[i - 1]! + d * (x[i]! - x[i - 1]!);
}

describe('PERCENTILE.INC', () => {
  const cases = [
    { values: [1, 2, 3, 4], k: 0.3, expected: 1.9, source: 'Microsoft’s PERCENTILE.INC example' },
    {
      values: [1, 2, 4, 7, 8, 9, 10, 12],
      k: 0.25,
      expected: 3.5,
      source: 'Microsoft’s QUARTILE.INC example (quart 1)',
    },
    { values: [1, 2, 3, 4], k: 0.25, expected: 1.75, source: 'a quarter of the way between 1 and 2' },
    { values: [4, 1, 3, 2], k: 0.5, expected: 2.5, source: 'an even count, unsorted' },
    { values: [1, 3, 5, 7, 9], k: 0.5, expected: 5, source: 'an odd count' },
    { values: [1, 3, 5, 7, 9], k: 0.75, expected: 7, source: 'an exact order statistic' },
    { values: [7], k: 0.25, expected: 7, source: 'a single value' },
    { values: [10, 20], k: 0, expected: 10, source: 'the minimum' },
    { values: [10, 20], k: 1, expected: 20, source: 'the maximum' },
    { values: [-5, 5, 5, 5, 15], k: 0.25, expected: 5, source: 'ties' },
  ];
  for (const c of cases) {
    it(`gives ${c.expected} for k = ${c.k} of [${c.values.join(', ')}] (${c.source})`, () => {
      assert.equal(percentileInc(c.values, c.k), c.expected);
    });
  }

  it('refuses no values, a percentile outside 0–1, or values that are not numbers', () => {
    assert.throws(() => percentileInc([], 0.5), RangeError);
    assert.throws(() => percentileInc([1], 1.5), RangeError);
    assert.throws(() => percentileInc([1], Number.NaN), RangeError);
    assert.throws(() => percentileInc([1, Number.NaN], 0.5), RangeError);
  });

  const values = fc.array(fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }), { minLength: 1, maxLength: 60 });

  it('matches Excel’s definition exactly for the quartiles of whole numbers (property)', () => {
    fc.assert(
      fc.property(values, fc.constantFrom(0, 0.25, 0.5, 0.75, 1), (xs, k) => {
        assert.equal(percentileInc(xs, k), excelPercentileInc(xs, k));
      }),
      RUNS,
    );
  });

  it('matches Excel’s definition for any percentile, to rounding (property)', () => {
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (xs, k) => {
        const ours = percentileInc(xs, k);
        const theirs = excelPercentileInc(xs, k);
        assert.ok(Math.abs(ours - theirs) <= 1e-6 * Math.max(1, Math.abs(theirs)), `${ours} vs ${theirs}`);
      }),
      RUNS,
    );
  });

  it('never falls as k rises and stays between the minimum and the maximum (property)', () => {
    fc.assert(
      fc.property(
        values,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          assert.ok(percentileInc(xs, lo) <= percentileInc(xs, hi));
          assert.ok(percentileInc(xs, lo) >= Math.min(...xs) && percentileInc(xs, hi) <= Math.max(...xs));
        },
      ),
      RUNS,
    );
  });
});

describe('benchmark sets from peers', () => {
  const provenance = {
    source: 'Cross-council baseline',
    year: '2009/10',
    peerGroup: 'Shire districts',
    illustrative: true,
  };
  const peers = (values: number[]) => values.map((value, i) => ({ organisation: `Council ${i + 1}`, value }));

  it('never gives a peer statistic from fewer than five organisations, and says why', () => {
    const result = benchmarkFromPeers(peers([310, 420, 515, 600]), provenance);
    assert.deepEqual(result, {
      ok: false,
      reason: 'Only 4 organisations reported this indicator; a peer statistic needs at least 5, so none is shown',
    });
    assert.match((benchmarkFromPeers([], provenance) as { reason: string }).reason, /^Only 0 organisations/);
    assert.match(
      (benchmarkFromPeers(peers([1]), provenance) as { reason: string }).reason,
      /^Only 1 organisation reported/,
    );
  });

  it('gives quartiles from five organisations, with their provenance', () => {
    assert.deepEqual(benchmarkFromPeers(peers([310, 420, 515, 600, 880]), provenance), {
      ok: true,
      set: { ...provenance, n: 5, p25: 420, p50: 515, p75: 600 },
    });
  });

  it('counts organisations, not values: one organisation twice is refused', () => {
    const twice = [...peers([1, 2, 3, 4]), { organisation: 'Council 1', value: 9 }];
    assert.deepEqual(benchmarkFromPeers(twice, provenance), {
      ok: false,
      reason: 'Council 1 appears more than once; each organisation gives one value',
    });
  });
});

describe('comparing with a benchmark', () => {
  const set: BenchmarkSet = {
    source: 'CIPFA',
    year: '2008/09',
    peerGroup: 'Unitaries',
    n: 12,
    p25: 400,
    p50: 500,
    p75: 650,
  };

  it('calls the 25th percentile of a cost the upper (best) quartile, and the 75th of a ratio', () => {
    assert.equal(bestQuartile(set, 'lower-is-better'), 400);
    assert.equal(bestQuartile(set, 'higher-is-better'), 650);
  });

  const cases = [
    { value: 380, direction: 'lower-is-better', band: 'upper', gapToMedian: 0, gapToBest: 0 },
    { value: 400, direction: 'lower-is-better', band: 'upper', gapToMedian: 0, gapToBest: 0 },
    { value: 450, direction: 'lower-is-better', band: 'upper-middle', gapToMedian: 0, gapToBest: 50 },
    { value: 500, direction: 'lower-is-better', band: 'upper-middle', gapToMedian: 0, gapToBest: 100 },
    { value: 600, direction: 'lower-is-better', band: 'lower-middle', gapToMedian: 100, gapToBest: 200 },
    { value: 700, direction: 'lower-is-better', band: 'lower', gapToMedian: 200, gapToBest: 300 },
    { value: 700, direction: 'higher-is-better', band: 'upper', gapToMedian: 0, gapToBest: 0 },
    { value: 650, direction: 'higher-is-better', band: 'upper', gapToMedian: 0, gapToBest: 0 },
    { value: 550, direction: 'higher-is-better', band: 'upper-middle', gapToMedian: 0, gapToBest: 100 },
    { value: 450, direction: 'higher-is-better', band: 'lower-middle', gapToMedian: 50, gapToBest: 200 },
    { value: 300, direction: 'higher-is-better', band: 'lower', gapToMedian: 200, gapToBest: 350 },
  ] as const;
  for (const c of cases) {
    it(`puts ${c.value} (${c.direction}) in the ${c.band} quartile`, () => {
      const r = compareWithBenchmark(c.value, set, c.direction);
      assert.ok(r.ok);
      assert.deepEqual([r.band, r.gapToMedian, r.gapToBest], [c.band, c.gapToMedian, c.gapToBest]);
    });
  }

  it('refuses a set entered from fewer than five organisations', () => {
    assert.deepEqual(compareWithBenchmark(450, { ...set, n: 4 }, 'lower-is-better'), {
      ok: false,
      reason: 'Only 4 organisations reported this indicator; a peer statistic needs at least 5, so none is shown',
    });
  });
});
