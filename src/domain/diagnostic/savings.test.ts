import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatShare } from './decimal.ts';
import { type Money, basisPointsOf, formatMoney, formatMoneyShort, pence, pounds } from './money.ts';
import { fteUnits } from './baseline.ts';
import {
  automationSaving,
  combineLeverAmounts,
  combineLeverShares,
  consolidationSaving,
  gapTargets,
  ratioGap,
  spansAndLayersSaving,
  staffingRatioGap,
  unitCostGap,
} from './savings.ts';

const RUNS = { numRuns: 200 };
const NINE_MILLION = pounds(9_000_000);

describe('combining levers on one cost pool (DIAGNOSTIC.md §4)', () => {
  it('turns 8%, 5% and 3.5% of £9.0m into £1,409,310 (15.659%), not the naive 16.5%', () => {
    const c = combineLeverShares(NINE_MILLION, [800, 500, 350]);
    assert.equal(formatMoney(c.saving), '£1,409,310');
    assert.equal(formatShare(c.shareExact.n, c.shareExact.d, 3), '15.659%');
    assert.equal(c.share, 0.15659);
    assert.equal(formatMoney(basisPointsOf(NINE_MILLION, 800 + 500 + 350)), '£1,485,000');
  });

  const cases = [
    { label: 'no levers', pool: pounds(9_000_000), shares: [], saving: pounds(0) },
    { label: 'one lever', pool: pounds(9_000_000), shares: [800], saving: pounds(720_000) },
    { label: 'a 100% lever', pool: pounds(9_000_000), shares: [10_000, 500], saving: pounds(9_000_000) },
    { label: 'an empty pool', pool: pounds(0), shares: [800, 500], saving: pounds(0) },
    { label: 'two halves', pool: pounds(100), shares: [5_000, 5_000], saving: pounds(75) },
    { label: 'a third of a penny, rounded once', pool: pence(1), shares: [3_333], saving: pence(0) },
  ];
  for (const c of cases) {
    it(`combines ${c.label} to ${formatMoney(c.saving)}`, () =>
      assert.equal(combineLeverShares(c.pool, c.shares).saving, c.saving));
  }

  it('combines amounts the same way, each capped at the pool', () => {
    assert.equal(
      combineLeverAmounts(pounds(9_000_000), [pounds(6_000_000), pounds(6_000_000)]).saving,
      pounds(8_000_000),
    );
    assert.equal(combineLeverAmounts(pounds(9_000_000), [pounds(20_000_000)]).saving, pounds(9_000_000));
    assert.equal(
      combineLeverAmounts(pounds(9_000_000), [pounds(720_000), pounds(450_000), pounds(315_000)]).saving,
      pounds(1_409_310),
    );
    assert.equal(combineLeverAmounts(pounds(0), [pounds(5)]).saving, 0);
  });

  it('refuses a share outside 0–100% or a negative pool', () => {
    assert.throws(() => combineLeverShares(pounds(1), [10_001]), RangeError);
    assert.throws(() => combineLeverShares(pounds(1), [-1]), RangeError);
    assert.throws(() => combineLeverShares(pence(-1), [1]), RangeError);
  });

  const pool = fc.integer({ min: 0, max: 100_000_000_000 }).map(pence);
  const shares = fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 8 });

  it('never exceeds the pool, nor the naive sum, and is at least the largest single lever (property)', () => {
    fc.assert(
      fc.property(pool, shares, (c, s) => {
        const combined = combineLeverShares(c, s).saving;
        assert.ok(combined >= 0 && combined <= c, 'within the pool');
        assert.ok(
          combined <=
            basisPointsOf(
              c,
              s.reduce((a, b) => a + b, 0),
            ),
          'not more than the naive sum',
        );
        assert.ok(combined >= basisPointsOf(c, Math.max(0, ...s)), 'at least the largest lever');
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the levers, and amounts agree with shares (property)', () => {
    fc.assert(
      fc.property(pool, shares, (c, s) => {
        assert.equal(combineLeverShares(c, [...s].reverse()).saving, combineLeverShares(c, s).saving);
        assert.ok(
          combineLeverAmounts(
            c,
            s.map((x) => basisPointsOf(c, x)),
          ).saving <= c,
        );
      }),
      RUNS,
    );
  });

  it('never exceeds the pool when levers are given as amounts (property)', () => {
    fc.assert(
      fc.property(
        pool,
        fc.array(fc.integer({ min: 0, max: 200_000_000_000 }).map(pence), { maxLength: 8 }),
        (c, amounts) => {
          const combined = combineLeverAmounts(c, amounts).saving;
          assert.ok(combined >= 0 && combined <= c);
          assert.ok(combined >= Math.min(c, Math.max(0, ...amounts)));
        },
      ),
      RUNS,
    );
  });
});

describe('gap savings, low (to the median) and high (to the best quartile)', () => {
  it('costs the unit-cost gap: (£5.20 − £4.00) × 10,000 invoices low, (£5.20 − £3.00) high, then 75% achievable', () => {
    const g = unitCostGap({ unitCost: 520, volume: 10_000, targets: { median: 400, best: 300 }, achievability: 7_500 });
    assert.deepEqual(g, {
      low: pounds(12_000),
      high: pounds(22_000),
      achievability: 7_500,
      achievableLow: pounds(9_000),
      achievableHigh: pounds(16_500),
    });
  });

  const unitCases = [
    { label: 'already better than the median', unitCost: 380, low: 0, high: pounds(8_000) },
    { label: 'already in the upper quartile', unitCost: 290, low: 0, high: 0 },
    { label: 'fractional pence per unit', unitCost: 400.125, low: pence(1_250), high: pence(1_001_250) },
  ];
  for (const c of unitCases) {
    it(`costs a unit-cost gap ${c.label}`, () => {
      const g = unitCostGap({
        unitCost: c.unitCost,
        volume: 10_000,
        targets: { median: 400, best: 300 },
        achievability: 10_000,
      });
      assert.deepEqual([g.low, g.high], [c.low, c.high]);
    });
  }

  it('costs nothing for zero volume', () => {
    assert.deepEqual(
      unitCostGap({ unitCost: 999, volume: 0, targets: { median: 400, best: 300 }, achievability: 10_000 }).high,
      0,
    );
  });

  it('costs the ratio gap on its denominator: 1.5% of a £200m ORC against 1.2% and 1.0%', () => {
    const g = ratioGap({
      ratio: 0.015,
      denominator: pounds(200_000_000),
      targets: { median: 0.012, best: 0.01 },
      achievability: 5_000,
    });
    assert.deepEqual(
      [g.low, g.high, g.achievableLow, g.achievableHigh],
      [pounds(600_000), pounds(1_000_000), pounds(300_000), pounds(500_000)],
    );
  });

  it('costs the staffing-ratio gap: 12.5 HR FTE for 2,000 employees against 1:200 and 1:250', () => {
    const g = staffingRatioGap({
      fte: fteUnits(125_000),
      headcount: 2_000,
      targets: { median: 200, best: 250 },
      averageLoadedCost: pounds(35_000),
      achievability: 10_000,
    });
    assert.deepEqual([g.low, g.high], [pounds(87_500), pounds(157_500)]);
  });

  it('takes the targets from a benchmark set in the right direction', () => {
    const set = { source: 'CIPFA', year: '2008/09', peerGroup: 'Unitaries', n: 12, p25: 150, p50: 200, p75: 250 };
    assert.deepEqual(gapTargets(set, 'lower-is-better'), { median: 200, best: 150 });
    assert.deepEqual(gapTargets(set, 'higher-is-better'), { median: 200, best: 250 });
  });

  it('refuses a negative volume, a target ratio of zero, or achievability over 100%', () => {
    assert.throws(
      () => unitCostGap({ unitCost: 1, volume: -1, targets: { median: 0, best: 0 }, achievability: 0 }),
      RangeError,
    );
    assert.throws(
      () =>
        staffingRatioGap({
          fte: fteUnits(1),
          headcount: 1,
          targets: { median: 0, best: 1 },
          averageLoadedCost: pounds(1),
          achievability: 0,
        }),
      RangeError,
    );
    assert.throws(
      () => unitCostGap({ unitCost: 1, volume: 1, targets: { median: 0, best: 0 }, achievability: 10_001 }),
      RangeError,
    );
  });

  it('never reports more achievable than identified, and never a low case above the high one (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 0, max: 10_000, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 10_000 }),
        (unitCost, volume, median, fractionOfMedian, achievability) => {
          const g = unitCostGap({
            unitCost,
            volume,
            targets: { median, best: median * fractionOfMedian },
            achievability,
          });
          assert.ok(g.low >= 0 && g.low <= g.high);
          assert.ok(g.achievableLow <= g.low && g.achievableHigh <= g.high);
          assert.ok(g.high <= Math.round(unitCost * volume) + 1, 'a gap never exceeds the cost it comes from');
        },
      ),
      RUNS,
    );
  });
});

describe('the other levers', () => {
  const cases: [string, Money, string][] = [
    [
      'consolidation: 15% of £500,000 dispersed',
      consolidationSaving({ dispersedPayCost: pounds(500_000), productivityGain: 1_500 }),
      '£75K',
    ],
    [
      'spans and layers: (12 − 8) × £60,000 × 50%',
      spansAndLayersSaving({ managers: 12, managersNeeded: 8, averageManagerCost: pounds(60_000), realisation: 5_000 }),
      '£120K',
    ],
    [
      'spans and layers with fewer managers than needed',
      spansAndLayersSaving({ managers: 5, managersNeeded: 8, averageManagerCost: pounds(60_000), realisation: 5_000 }),
      '£0',
    ],
    [
      'channel shift: 40,000 calls × (£3.50 − £0.40)',
      automationSaving({ volumeShifted: 40_000, unitCostDifference: 310 }),
      '£124K',
    ],
    [
      'a channel that costs more saves nothing',
      automationSaving({ volumeShifted: 40_000, unitCostDifference: -50 }),
      '£0',
    ],
  ];
  for (const [label, saving, text] of cases) {
    it(`costs ${label} at ${text}`, () => assert.equal(formatMoneyShort(saving), text));
  }
});
