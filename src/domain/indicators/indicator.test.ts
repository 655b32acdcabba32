import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type Unit,
  FREQUENCIES,
  FREQUENCY_PERIOD_KIND,
  checkIndicator,
  formatBasisPoints,
  formatDifference,
  formatExact,
  formatValue,
  frequencyOfPeriodKind,
  parseValue,
  percentToBasisPoints,
} from './indicator.ts';

const number: Unit = { kind: 'number', decimalPlaces: 0 };
const percent1: Unit = { kind: 'percentage', decimalPlaces: 1 };
const money: Unit = { kind: 'money', decimalPlaces: 2 };
const days: Unit = { kind: 'days', decimalPlaces: 0 };
const days1: Unit = { kind: 'days', decimalPlaces: 1 };
const ratio2: Unit = { kind: 'ratio', decimalPlaces: 2 };
const rate: Unit = { kind: 'per-1000', decimalPlaces: 1 };
const hours: Unit = { kind: 'hours', decimalPlaces: 1 };

describe('reading values as councils type them', () => {
  const reads: [string, Unit, number | undefined][] = [
    ['1,234', number, 1_234],
    ['1234', number, 1_234],
    ['-3', number, -3],
    ['−3', number, -3],
    ['+7', number, 7],
    ['0', number, 0],
    ['-0', number, 0],
    ['95.5%', percent1, 955],
    ['95.5 %', percent1, 955],
    ['95.5 per cent', percent1, 955],
    ['95.5', percent1, 955],
    ['95', percent1, 950],
    ['95.50', percent1, 955],
    ['-2.5%', percent1, -25],
    ['£1,200', money, 120_000],
    ['£1,200.50', money, 120_050],
    ['1200.5', money, 120_050],
    ['-£250', money, -25_000],
    ['£-250', money, -25_000],
    ['(£250)', money, -25_000],
    ['12 days', days, 12],
    ['1 day', days, 1],
    ['12days', days, 12],
    ['12', days, 12],
    ['3.5 hours', hours, 35],
    ['0.75', ratio2, 75],
    ['4.2 per 1,000', rate, 42],
    ['', number, undefined],
    ['   ', percent1, undefined],
  ];
  for (const [input, unit, value] of reads) {
    it(`reads "${input}" as a ${unit.kind} to ${unit.decimalPlaces} places as ${value ?? 'no value'}`, () => {
      assert.deepEqual(parseValue(input, unit), { ok: true, value });
    });
  }

  const refusals: [string, Unit, RegExp][] = [
    ['95.55%', percent1, /2 decimal places, but this indicator records 1/],
    ['12.5', days, /records whole numbers/],
    ['£1.234', money, /records whole pence/],
    ['95%', number, /is a percentage, but this indicator is a number/],
    ['£1,200', days, /is an amount of money, but this indicator is a number of days/],
    ['12 days', percent1, /is a number of days, but this indicator is a percentage/],
    ['1,23', number, /commas may only separate thousands/],
    ['95,5', percent1, /use a full stop for decimals/],
    ['£1.2m', money, /write the amount in full/],
    ['n/a', number, /leave it blank if there is no value/],
    ['-', number, /leave it blank/],
    ['about 12', number, /is not a number: enter a number like 1,234/],
    ['1.2.3', number, /is not a number/],
    ['-(£250)', money, /two signs/],
    ['-£-250', money, /two signs/],
    ['99999999999999999', number, /too large/],
  ];
  for (const [input, unit, reason] of refusals) {
    it(`refuses "${input}" as a ${unit.kind} and says why`, () => {
      const r = parseValue(input, unit);
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, reason);
    });
  }

  it('gives back what it wrote, for every unit (property)', () => {
    const units = fc.constantFrom(number, percent1, money, days, days1, ratio2, rate, hours);
    fc.assert(
      fc.property(units, fc.integer({ min: -1e12, max: 1e12 }), (unit, value) => {
        assert.deepEqual(parseValue(formatValue(value, unit), unit), { ok: true, value });
      }),
      { numRuns: 300 },
    );
  });
});

describe('writing values as council reports print them', () => {
  const writes: [number, Unit, string][] = [
    [1_234, number, '1,234'],
    [-3, number, '-3'],
    [955, percent1, '95.5%'],
    [950, percent1, '95.0%'],
    [120_000, money, '£1,200'],
    [120_050, money, '£1,200.50'],
    [-25_000, money, '-£250'],
    [5, money, '£0.05'],
    [12, days, '12 days'],
    [1, days, '1 day'],
    [10, days1, '1.0 days'],
    [35, hours, '3.5 hours'],
    [75, ratio2, '0.75'],
    [42, rate, '4.2 per 1,000'],
  ];
  for (const [value, unit, text] of writes) {
    it(`writes ${value} as a ${unit.kind} to ${unit.decimalPlaces} places as ${text}`, () =>
      assert.equal(formatValue(value, unit), text));
  }

  it('writes exact boundaries with the places they need, and says when one is rounded', () => {
    assert.equal(formatExact(950n * 9_500n, 10_000n, percent1), '90.25%');
    assert.equal(formatExact(15n * 10_500n, 10_000n, days), '15.75 days');
    assert.equal(formatExact(17n, 1n, days), '17 days');
    assert.equal(formatExact(100_000n * 9_500n, 10_000n, money), '£950');
    assert.equal(formatExact(1_001n * 9_500n, 10_000n, money), 'about £9.51');
    assert.equal(formatExact(1n, 3n, number), 'about 0.33');
  });

  it('writes differences of percentages in percentage points', () => {
    assert.equal(formatDifference(-20, percent1), '2.0 percentage points');
    assert.equal(formatDifference(3, days), '3 days');
    assert.equal(formatDifference(-15_000, money), '£150');
  });

  it('holds percentages of tolerances as whole basis points, refusing finer ones', () => {
    assert.deepEqual(
      [5, 2.5, 0, 2.55, 0.01].map((p) => percentToBasisPoints(p)),
      [500, 250, 0, 255, 1],
    );
    for (const bad of [0.001, -1, Number.NaN, Number.POSITIVE_INFINITY])
      assert.throws(() => percentToBasisPoints(bad), RangeError);
    assert.deepEqual([500, 250, 0, 1_000].map(formatBasisPoints), ['5%', '2.5%', '0%', '10%']);
  });
});

describe('indicator definitions', () => {
  it('maps every frequency onto a kind of reporting period, and back', () => {
    assert.deepEqual(
      FREQUENCIES.map((f) => FREQUENCY_PERIOD_KIND[f]),
      ['month', 'quarter', 'half', 'year'],
    );
    for (const f of FREQUENCIES) assert.equal(frequencyOfPeriodKind(FREQUENCY_PERIOD_KIND[f]), f);
  });

  const definitions = [
    {
      name: 'a quarterly count summed over the year',
      d: { polarity: 'higher', frequency: 'quarterly', unit: number, ytd: 'sum' },
      fields: [],
    },
    {
      name: 'a monthly percentage averaged',
      d: { polarity: 'higher', frequency: 'monthly', unit: percent1, ytd: 'average' },
      fields: [],
    },
    {
      name: 'a percentage summed',
      d: { polarity: 'higher', frequency: 'monthly', unit: percent1, ytd: 'sum' },
      fields: ['ytd'],
    },
    {
      name: 'money to 0 places',
      d: { polarity: 'lower', frequency: 'annual', unit: { kind: 'money', decimalPlaces: 0 }, ytd: 'sum' },
      fields: ['unit.decimalPlaces'],
    },
    {
      name: '7 decimal places',
      d: { polarity: 'band', frequency: 'annual', unit: { kind: 'number', decimalPlaces: 7 }, ytd: 'none' },
      fields: ['unit.decimalPlaces'],
    },
    {
      name: 'an unknown polarity and frequency',
      d: { polarity: 'up', frequency: 'weekly', unit: number, ytd: 'latest' },
      fields: ['polarity', 'frequency'],
    },
  ] as const;
  for (const c of definitions) {
    it(`${c.fields.length ? 'refuses' : 'accepts'} ${c.name}${c.fields.length ? `, naming ${c.fields.join(' and ')}` : ''}`, () => {
      // The refusals deliberately hold values outside the types.
      const definition = c.d as unknown as Parameters<typeof checkIndicator>[0];
      assert.deepEqual(
        checkIndicator(definition).map((i) => i.field),
        c.fields,
      );
    });
  }
});
