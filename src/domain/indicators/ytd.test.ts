import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type PeriodKind, makePeriod, parsePeriodKey } from '../period.ts';
import type { YtdMethod } from './indicator.ts';
import { type PeriodValue, periodsToDate, yearToDate } from './ytd.ts';

/** Quarterly values of 2009/10, undefined for a gap. */
const quarters = (...values: (number | undefined)[]): PeriodValue[] =>
  values.map((value, i) => ({ period: makePeriod('quarter', 2009, i + 1), value }));

interface Case {
  name: string;
  method: YtdMethod;
  upTo: string;
  values: PeriodValue[];
  value: number | undefined;
  included: string[];
  missing: string[];
  notes: string[];
  exact?: boolean;
}

const cases: Case[] = [
  {
    name: 'sums every quarter to Q4',
    method: 'sum',
    upTo: '2009-10-q4',
    values: quarters(10, 20, 30, 40),
    value: 100,
    included: ['2009-10-q1', '2009-10-q2', '2009-10-q3', '2009-10-q4'],
    missing: [],
    notes: [],
  },
  {
    name: 'sums only up to Q2, ignoring later quarters',
    method: 'sum',
    upTo: '2009-10-q2',
    values: quarters(10, 20, 30, 40),
    value: 30,
    included: ['2009-10-q1', '2009-10-q2'],
    missing: [],
    notes: [],
  },
  {
    name: 'sums around a gap, naming it',
    method: 'sum',
    upTo: '2009-10-q3',
    values: quarters(10, undefined, 30),
    value: 40,
    included: ['2009-10-q1', '2009-10-q3'],
    missing: ['2009-10-q2'],
    notes: ['Leaves out 2009/10 Q2, which has no value'],
  },
  {
    name: 'sums around a period with no row at all',
    method: 'sum',
    upTo: '2009-10-q3',
    values: quarters(10, 20),
    value: 30,
    included: ['2009-10-q1', '2009-10-q2'],
    missing: ['2009-10-q3'],
    notes: ['Leaves out 2009/10 Q3, which has no value'],
  },
  {
    name: 'sums negative values',
    method: 'sum',
    upTo: '2009-10-q2',
    values: quarters(-5, 3),
    value: -2,
    included: ['2009-10-q1', '2009-10-q2'],
    missing: [],
    notes: [],
  },
  {
    name: 'averages exactly',
    method: 'average',
    upTo: '2009-10-q4',
    values: quarters(950, 960, 940, 950),
    value: 950,
    included: ['2009-10-q1', '2009-10-q2', '2009-10-q3', '2009-10-q4'],
    missing: [],
    notes: [],
    exact: true,
  },
  {
    name: 'averages with one rounding, halves away from zero',
    method: 'average',
    upTo: '2009-10-q2',
    values: quarters(950, 955),
    value: 953,
    included: ['2009-10-q1', '2009-10-q2'],
    missing: [],
    notes: ['The average of 2 values is rounded to the indicator’s decimal places'],
    exact: false,
  },
  {
    name: 'averages negative values with halves away from zero',
    method: 'average',
    upTo: '2009-10-q2',
    values: quarters(-1, -2),
    value: -2,
    included: ['2009-10-q1', '2009-10-q2'],
    missing: [],
    notes: ['The average of 2 values is rounded to the indicator’s decimal places'],
    exact: false,
  },
  {
    name: 'averages only the periods with values',
    method: 'average',
    upTo: '2009-10-q4',
    values: quarters(90, undefined, undefined, 100),
    value: 95,
    included: ['2009-10-q1', '2009-10-q4'],
    missing: ['2009-10-q2', '2009-10-q3'],
    notes: ['Leaves out 2009/10 Q2 and 2009/10 Q3, which have no value'],
    exact: true,
  },
  {
    name: 'takes the latest value',
    method: 'latest',
    upTo: '2009-10-q3',
    values: quarters(310, 305, 298, 301),
    value: 298,
    included: ['2009-10-q3'],
    missing: [],
    notes: [],
  },
  {
    name: 'takes the latest value there is, and says which',
    method: 'latest',
    upTo: '2009-10-q3',
    values: quarters(310, 305, undefined),
    value: 305,
    included: ['2009-10-q2'],
    missing: ['2009-10-q3'],
    notes: ['Leaves out 2009/10 Q3, which has no value', 'The latest value is for 2009/10 Q2'],
  },
  {
    name: 'gives no figure when there are no values yet',
    method: 'sum',
    upTo: '2009-10-q2',
    values: quarters(undefined, undefined),
    value: undefined,
    included: [],
    missing: ['2009-10-q1', '2009-10-q2'],
    notes: ['No values yet: 2009/10 Q1 and 2009/10 Q2 have no value'],
  },
  {
    name: 'gives no figure for method none',
    method: 'none',
    upTo: '2009-10-q4',
    values: quarters(1, 2, 3, 4),
    value: undefined,
    included: [],
    missing: [],
    notes: ['This indicator has no year-to-date figure'],
  },
  {
    name: 'never mixes in values from other financial years',
    method: 'sum',
    upTo: '2009-10-q2',
    values: [
      ...quarters(10, 20),
      { period: parsePeriodKey('2008-09-q4'), value: 1_000 },
      { period: parsePeriodKey('2010-11-q1'), value: 1_000 },
    ],
    value: 30,
    included: ['2009-10-q1', '2009-10-q2'],
    missing: [],
    notes: ['Left out 2 values from other financial years'],
  },
  {
    name: 'never mixes monthly values into a quarterly year to date',
    method: 'sum',
    upTo: '2009-10-q1',
    values: [...quarters(10), { period: parsePeriodKey('2009-10-m01'), value: 1_000 }],
    value: 10,
    included: ['2009-10-q1'],
    missing: [],
    notes: ['Left out 1 value for other kinds of period: this year to date is quarterly'],
  },
  {
    name: 'sums monthly values from April to the month',
    method: 'sum',
    upTo: '2009-10-m03',
    values: [1, 2, 3, 4].map((value, i) => ({ period: makePeriod('month', 2009, i + 1), value })),
    value: 6,
    included: ['2009-10-m01', '2009-10-m02', '2009-10-m03'],
    missing: [],
    notes: [],
  },
  {
    name: 'takes an annual value as its own year to date',
    method: 'average',
    upTo: '2009-10',
    values: [{ period: parsePeriodKey('2009-10'), value: 42 }],
    value: 42,
    included: ['2009-10'],
    missing: [],
    notes: [],
    exact: true,
  },
];

describe('year to date', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = yearToDate(c.method, parsePeriodKey(c.upTo), c.values);
      assert.equal(r.value, c.value);
      assert.deepEqual(r.included, c.included);
      assert.deepEqual(r.missing, c.missing);
      assert.deepEqual(r.notes, c.notes);
      if (c.exact !== undefined) assert.equal(r.exact, c.exact);
    });
  }

  it('refuses two values for the same period', () => {
    assert.throws(
      () => yearToDate('sum', parsePeriodKey('2009-10-q2'), [...quarters(1, 2), ...quarters(3)]),
      /two values for 2009\/10 Q1/,
    );
  });

  it('lists the periods of the year so far', () => {
    assert.deepEqual(
      periodsToDate(parsePeriodKey('2009-10-h2')).map((p) => p.key),
      ['2009-10-h1', '2009-10-h2'],
    );
  });
});

describe('year to date properties', () => {
  const RUNS = { numRuns: 300 };
  const kinds = fc.constantFrom<[PeriodKind, number]>(['month', 12], ['quarter', 4], ['half', 2]);
  const series = kinds.chain(([kind, count]) =>
    fc.tuple(
      fc.constant(kind),
      fc.array(fc.option(fc.integer({ min: -1_000_000, max: 1_000_000 }), { nil: undefined }), {
        minLength: count,
        maxLength: count,
      }),
      fc.integer({ min: 1, max: count }),
    ),
  );
  const valuesOf = (kind: PeriodKind, values: (number | undefined)[], year = 2009): PeriodValue[] =>
    values.map((value, i) => ({ period: makePeriod(kind, year, i + 1), value }));

  it('gives a year-end sum equal to the sum of its parts, and to the year to date plus the rest', () => {
    fc.assert(
      fc.property(series, ([kind, values, split]) => {
        const all = valuesOf(kind, values);
        const end = yearToDate('sum', all[all.length - 1]!.period, all);
        const present = values.filter((v): v is number => v !== undefined);
        assert.equal(end.value, present.length ? present.reduce((a, b) => a + b, 0) : undefined);
        const part = yearToDate('sum', all[split - 1]!.period, all);
        const rest = values
          .slice(split)
          .filter((v): v is number => v !== undefined)
          .reduce((a, b) => a + b, 0);
        assert.equal((part.value ?? 0) + rest, end.value ?? 0);
      }),
      RUNS,
    );
  });

  it('is unchanged by values from any other financial year', () => {
    fc.assert(
      fc.property(
        series,
        fc.constantFrom<YtdMethod>('sum', 'average', 'latest'),
        fc.integer({ min: 1995, max: 2030 }).filter((y) => y !== 2009),
        ([kind, values, upTo], method, otherYear) => {
          const own = valuesOf(kind, values);
          const other = valuesOf(
            kind,
            values.map((v) => (v === undefined ? 7 : v + 1)),
            otherYear,
          );
          const period = own[upTo - 1]!.period;
          assert.equal(yearToDate(method, period, [...other, ...own]).value, yearToDate(method, period, own).value);
        },
      ),
      RUNS,
    );
  });

  it('gives an average within half a step of the exact mean, between the smallest and largest value', () => {
    fc.assert(
      fc.property(series, ([kind, values, upTo]) => {
        const own = valuesOf(kind, values);
        const r = yearToDate('average', own[upTo - 1]!.period, own);
        const present = values.slice(0, upTo).filter((v): v is number => v !== undefined);
        if (present.length === 0) return assert.equal(r.value, undefined);
        const mean = present.reduce((a, b) => a + b, 0) / present.length;
        assert.ok(Math.abs(r.value! - mean) <= 0.5 + 1e-9);
        assert.ok(r.value! >= Math.min(...present) && r.value! <= Math.max(...present));
      }),
      RUNS,
    );
  });
});
