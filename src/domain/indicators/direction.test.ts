import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePeriodKey } from '../period.ts';
import type { Polarity, Scaled, TargetRange, Unit } from './indicator.ts';
import {
  type Direction,
  type NoChangeTolerance,
  directionOfTravel,
  directionsOfTravel,
  previousPeriod,
  samePeriodLastYear,
} from './direction.ts';

const number: Unit = { kind: 'number', decimalPlaces: 0 };
const percent1: Unit = { kind: 'percentage', decimalPlaces: 1 };
const days: Unit = { kind: 'days', decimalPlaces: 0 };
const money: Unit = { kind: 'money', decimalPlaces: 2 };

interface Case {
  name: string;
  polarity: Polarity;
  unit: Unit;
  current: Scaled | undefined;
  earlier: Scaled | undefined;
  range?: TargetRange;
  noChange?: NoChangeTolerance;
  direction: Direction;
  arrow: string;
  sentence: string;
}

const band = { low: 40, high: 60 };

const cases: Case[] = [
  {
    name: 'a fall when lower is better',
    polarity: 'lower',
    unit: days,
    current: 12,
    earlier: 15,
    direction: 'improved',
    arrow: '↓',
    sentence: 'Improved: 12 days, down from 15 days; lower is better',
  },
  {
    name: 'a rise when lower is better',
    polarity: 'lower',
    unit: days,
    current: 15,
    earlier: 12,
    direction: 'worsened',
    arrow: '↑',
    sentence: 'Worsened: 15 days, up from 12 days; lower is better',
  },
  {
    name: 'a rise when higher is better',
    polarity: 'higher',
    unit: percent1,
    current: 960,
    earlier: 950,
    direction: 'improved',
    arrow: '↑',
    sentence: 'Improved: 96.0%, up from 95.0%; higher is better',
  },
  {
    name: 'a fall when higher is better',
    polarity: 'higher',
    unit: percent1,
    current: 931,
    earlier: 950,
    direction: 'worsened',
    arrow: '↓',
    sentence: 'Worsened: 93.1%, down from 95.0%; higher is better',
  },
  {
    name: 'no change',
    polarity: 'higher',
    unit: percent1,
    current: 950,
    earlier: 950,
    direction: 'unchanged',
    arrow: '→',
    sentence: 'Unchanged: 95.0%, no change from 95.0%',
  },
  {
    name: 'a rise within the no-change tolerance',
    polarity: 'higher',
    unit: percent1,
    current: 955,
    earlier: 950,
    noChange: { kind: 'absolute', within: 5 },
    direction: 'unchanged',
    arrow: '→',
    sentence: 'Unchanged: 95.5%, up from 95.0% but within the no-change tolerance of 0.5 percentage points',
  },
  {
    name: 'a rise just past the no-change tolerance',
    polarity: 'higher',
    unit: percent1,
    current: 956,
    earlier: 950,
    noChange: { kind: 'absolute', within: 5 },
    direction: 'improved',
    arrow: '↑',
    sentence: 'Improved: 95.6%, up from 95.0%; higher is better',
  },
  {
    name: 'a fall within a percentage no-change tolerance',
    polarity: 'lower',
    unit: money,
    current: 99_000,
    earlier: 100_000,
    noChange: { kind: 'percent', withinPercent: 1 },
    direction: 'unchanged',
    arrow: '→',
    sentence: 'Unchanged: £990, down from £1,000 but within the no-change tolerance of 1% of the earlier value',
  },
  {
    name: 'a fall just past a percentage no-change tolerance',
    polarity: 'lower',
    unit: money,
    current: 98_999,
    earlier: 100_000,
    noChange: { kind: 'percent', withinPercent: 1 },
    direction: 'improved',
    arrow: '↓',
    sentence: 'Improved: £989.99, down from £1,000; lower is better',
  },
  {
    name: 'a fall from zero when lower is better',
    polarity: 'lower',
    unit: number,
    current: -3,
    earlier: 0,
    direction: 'improved',
    arrow: '↓',
    sentence: 'Improved: -3, down from 0; lower is better',
  },
  {
    name: 'a rise between negative values when higher is better',
    polarity: 'higher',
    unit: number,
    current: -3,
    earlier: -5,
    direction: 'improved',
    arrow: '↑',
    sentence: 'Improved: -3, up from -5; higher is better',
  },
  {
    name: 'a volumetric rise',
    polarity: 'none',
    unit: number,
    current: 1_250,
    earlier: 1_100,
    direction: 'not comparable',
    arrow: '↑',
    sentence: 'Up: 1,250, up from 1,100; neither higher nor lower is better',
  },
  {
    name: 'a volumetric level',
    polarity: 'none',
    unit: number,
    current: 1_100,
    earlier: 1_100,
    direction: 'unchanged',
    arrow: '→',
    sentence: 'Unchanged: 1,100, no change from 1,100',
  },
  {
    name: 'a move towards a band from above',
    polarity: 'band',
    unit: number,
    current: 62,
    earlier: 70,
    range: band,
    direction: 'improved',
    arrow: '↓',
    sentence: 'Improved: 62, down from 70; closer to the target range of 40 to 60',
  },
  {
    name: 'a move into a band from below',
    polarity: 'band',
    unit: number,
    current: 45,
    earlier: 30,
    range: band,
    direction: 'improved',
    arrow: '↑',
    sentence: 'Improved: 45, up from 30; now inside the target range of 40 to 60',
  },
  {
    name: 'a move out of a band',
    polarity: 'band',
    unit: number,
    current: 65,
    earlier: 55,
    range: band,
    direction: 'worsened',
    arrow: '↑',
    sentence: 'Worsened: 65, up from 55; now outside the target range of 40 to 60',
  },
  {
    name: 'a move away from a band',
    polarity: 'band',
    unit: number,
    current: 30,
    earlier: 35,
    range: band,
    direction: 'worsened',
    arrow: '↓',
    sentence: 'Worsened: 30, down from 35; further from the target range of 40 to 60',
  },
  {
    name: 'a move within a band',
    polarity: 'band',
    unit: number,
    current: 58,
    earlier: 42,
    range: band,
    direction: 'unchanged',
    arrow: '↑',
    sentence: 'Unchanged: 58, up from 42; both inside the target range of 40 to 60',
  },
  {
    name: 'a jump across a band to the same distance',
    polarity: 'band',
    unit: number,
    current: 30,
    earlier: 70,
    range: band,
    direction: 'unchanged',
    arrow: '↓',
    sentence: 'Unchanged: 30, down from 70; as far from the target range of 40 to 60 as before',
  },
  {
    name: 'a band with no range',
    polarity: 'band',
    unit: number,
    current: 30,
    earlier: 70,
    direction: 'not comparable',
    arrow: '',
    sentence: 'Not comparable: there is no target range to judge by',
  },
  {
    name: 'no current value',
    polarity: 'higher',
    unit: number,
    current: undefined,
    earlier: 70,
    direction: 'not comparable',
    arrow: '',
    sentence: 'Not comparable: there is no value for this period',
  },
  {
    name: 'no earlier value',
    polarity: 'lower',
    unit: number,
    current: 7,
    earlier: undefined,
    direction: 'not comparable',
    arrow: '',
    sentence: 'Not comparable: there is no earlier value to compare with',
  },
];

describe('direction of travel', () => {
  for (const c of cases) {
    it(`reads ${c.name} as ${c.direction} ${c.arrow}`.trimEnd(), () => {
      const d = directionOfTravel({
        polarity: c.polarity,
        unit: c.unit,
        current: c.current,
        earlier: c.earlier,
        range: c.range,
        noChange: c.noChange,
      });
      assert.equal(d.direction, c.direction);
      assert.equal(d.arrow, c.arrow);
      assert.equal(d.sentence, c.sentence);
    });
  }

  it('always gives words beside the arrow, so colour and shape are never the only signal', () => {
    const d = directionOfTravel({ polarity: 'lower', unit: days, current: 12, earlier: 15 });
    assert.deepEqual([d.text, d.arrow, d.arrowLabel], ['Improved', '↓', 'down']);
    const n = directionOfTravel({ polarity: 'lower', unit: days, current: 12, earlier: undefined });
    assert.deepEqual([n.text, n.arrow, n.arrowLabel], ['Not comparable', '', 'not comparable']);
  });

  it('compares against the previous period and the same period last year at once', () => {
    const { sincePrevious, sinceLastYear } = directionsOfTravel({
      polarity: 'lower',
      unit: days,
      current: 12,
      previous: 10,
      lastYear: 15,
    });
    assert.equal(sincePrevious.sentence, 'Worsened: 12 days, up from 10 days; lower is better');
    assert.equal(sinceLastYear.sentence, 'Improved: 12 days, down from 15 days; lower is better');
  });

  const periods = [
    ['2009-10-q2', '2009-10-q1', '2008-09-q2'],
    ['2009-10-q1', '2008-09-q4', '2008-09-q1'],
    ['2009-10-m01', '2008-09-m12', '2008-09-m01'],
    ['2009-10-h1', '2008-09-h2', '2008-09-h1'],
    ['2009-10', '2008-09', '2008-09'],
  ] as const;
  for (const [key, previous, lastYear] of periods) {
    it(`compares ${key} with ${previous} and with ${lastYear}`, () => {
      const p = parsePeriodKey(key);
      assert.equal(previousPeriod(p).key, previous);
      assert.equal(samePeriodLastYear(p).key, lastYear);
    });
  }

  it('refuses a negative or fractional no-change tolerance', () => {
    assert.throws(
      () =>
        directionOfTravel({
          polarity: 'higher',
          unit: number,
          current: 2,
          earlier: 1,
          noChange: { kind: 'absolute', within: -1 },
        }),
      RangeError,
    );
    assert.throws(
      () =>
        directionOfTravel({
          polarity: 'higher',
          unit: number,
          current: 2,
          earlier: 1,
          noChange: { kind: 'percent', withinPercent: 0.001 },
        }),
      RangeError,
    );
  });
});

describe('direction of travel properties', () => {
  const RUNS = { numRuns: 300 };
  const value = fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: undefined });
  const tolerance = fc.option(
    fc.oneof(
      fc.integer({ min: 0, max: 1_000 }).map((within): NoChangeTolerance => ({ kind: 'absolute', within })),
      fc.integer({ min: 0, max: 5_000 }).map((bp): NoChangeTolerance => ({ kind: 'percent', withinPercent: bp / 100 })),
    ),
    { nil: undefined },
  );
  const flipped: Record<Direction, Direction> = {
    improved: 'worsened',
    worsened: 'improved',
    unchanged: 'unchanged',
    'not comparable': 'not comparable',
  };

  it('flips improved and worsened when the polarity flips, and nothing else', () => {
    fc.assert(
      fc.property(value, value, tolerance, (current, earlier, noChange) => {
        const higher = directionOfTravel({ polarity: 'higher', unit: number, current, earlier, noChange });
        const lower = directionOfTravel({ polarity: 'lower', unit: number, current, earlier, noChange });
        assert.equal(lower.direction, flipped[higher.direction]);
        assert.equal(lower.arrow, higher.arrow);
      }),
      RUNS,
    );
  });

  it('reverses when the two values swap, with an absolute tolerance', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Polarity>('higher', 'lower'),
        value,
        value,
        fc.integer({ min: 0, max: 1_000 }),
        (polarity, a, b, within) => {
          const noChange: NoChangeTolerance = { kind: 'absolute', within };
          const forward = directionOfTravel({ polarity, unit: number, current: a, earlier: b, noChange });
          const back = directionOfTravel({ polarity, unit: number, current: b, earlier: a, noChange });
          assert.equal(back.direction, flipped[forward.direction]);
        },
      ),
      RUNS,
    );
  });
});
