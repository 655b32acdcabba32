import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  parsePeriodKey,
  periodLabel,
  periodSpan,
  periodDescription,
  makePeriod,
  financialYearOf,
  nextPeriod,
  comparePeriods,
  PeriodKeyError,
  parseFinancialYear,
} from './period.ts';
import type { IsoDate } from './dates.ts';

describe('reporting periods', () => {
  const cases = [
    {
      key: '2009-10',
      label: '2009/10',
      startsOn: '2009-04-01',
      endsOn: '2010-03-31',
      span: '1st April 2009 – 31st March 2010',
    },
    {
      key: '2009-10-h1',
      label: '2009/10 H1',
      startsOn: '2009-04-01',
      endsOn: '2009-09-30',
      span: '1st April – 30th September 2009',
    },
    {
      key: '2009-10-h2',
      label: '2009/10 H2',
      startsOn: '2009-10-01',
      endsOn: '2010-03-31',
      span: '1st October 2009 – 31st March 2010',
    },
    {
      key: '2009-10-q2',
      label: '2009/10 Q2',
      startsOn: '2009-07-01',
      endsOn: '2009-09-30',
      span: '1st July – 30th September 2009',
    },
    {
      key: '2009-10-q4',
      label: '2009/10 Q4',
      startsOn: '2010-01-01',
      endsOn: '2010-03-31',
      span: '1st January – 31st March 2010',
    },
    {
      key: '2009-10-m07',
      label: '2009/10 M07',
      startsOn: '2009-10-01',
      endsOn: '2009-10-31',
      span: '1st October – 31st October 2009',
    },
    {
      key: '2011-12-m11',
      label: '2011/12 M11',
      startsOn: '2012-02-01',
      endsOn: '2012-02-29',
      span: '1st February – 29th February 2012',
    },
    {
      key: '1999-00-h1',
      label: '1999/00 H1',
      startsOn: '1999-04-01',
      endsOn: '1999-09-30',
      span: '1st April – 30th September 1999',
    },
  ];
  for (const c of cases) {
    it(`reads ${c.key} as ${c.label}, ${c.span}`, () => {
      const p = parsePeriodKey(c.key);
      assert.equal(p.key, c.key);
      assert.equal(periodLabel(p), c.label);
      assert.equal(p.startsOn, c.startsOn);
      assert.equal(p.endsOn, c.endsOn);
      assert.equal(periodSpan(p), c.span);
    });
  }

  it('accepts upper case and surrounding spaces, and normalises the key', () => {
    assert.equal(parsePeriodKey(' 2009-10-H1 ').key, '2009-10-h1');
  });

  const written = [
    ['2009/10 H1', '2009-10-h1'],
    ['2009/10 Q3', '2009-10-q3'],
    [' 2009/10  m07 ', '2009-10-m07'],
    ['2009/10', '2009-10'],
    ['Q3 2009/10', '2009-10-q3'],
    ['2009/2010 H2', '2009-10-h2'],
    ['1999/00 Q4', '1999-00-q4'],
  ] as const;
  for (const [input, key] of written) {
    it(`takes "${input}" as the pages write it: ${key}`, () => {
      const period = parsePeriodKey(input);
      assert.equal(period.key, key);
      assert.equal(parsePeriodKey(periodLabel(period)).key, key, 'its own label reads back');
    });
  }

  it('reads a financial year as a person writes it, and says what is wrong', () => {
    for (const input of ['2009/10', '2009-10', '2009/2010', '2009', ' 2009 / 10 '])
      assert.equal(parseFinancialYear(input), 2009);
    assert.throws(() => parseFinancialYear('2009/11'), /2009 is followed by 10, as in 2009\/10/);
    assert.throws(() => parseFinancialYear('09/10'), /is not a financial year: write it like 2009\/10/);
    assert.throws(() => parseFinancialYear(''), PeriodKeyError);
  });

  const bad = [
    ['2009-11-h1', /financial year/],
    ['2009/11 H1', /2009 is followed by 10/],
    ['2009/10 H3', /half-year is h1 or h2/],
    ['2009/10 first half', /not a reporting period: write the financial year and part as the pages do/],
    ['2009-10-h3', /half-year is h1 or h2/],
    ['2009-10-q5', /quarter is q1 to q4/],
    ['2009-10-m13', /m01 \(April\) to m12 \(March\)/],
    ['2009-10-m7', /two digits/],
    ['', /not a reporting period/],
    ['<script>', /not a reporting period/],
  ] as const;
  for (const [input, message] of bad) {
    it(`refuses "${input}" with a message that says how to write it`, () => {
      assert.throws(
        () => parsePeriodKey(input),
        (e: Error) => e instanceof PeriodKeyError && message.test(e.message),
      );
    });
  }

  it('numbers months within the financial year, April first', () => {
    assert.equal(makePeriod('month', 2009, 1).startsOn, '2009-04-01');
    assert.equal(makePeriod('month', 2009, 12).startsOn, '2010-03-01');
    assert.equal(periodDescription(makePeriod('month', 2009, 7)), 'October 2009');
    assert.equal(periodDescription(makePeriod('half', 2009, 1)), '2009/10 first half-year');
  });

  it('puts a date in the financial year that contains it', () => {
    assert.equal(financialYearOf('2009-04-01' as IsoDate), 2009);
    assert.equal(financialYearOf('2010-03-31' as IsoDate), 2009);
    assert.equal(financialYearOf('2010-04-01' as IsoDate), 2010);
  });

  it('finds the next period of the same kind, across the year end', () => {
    assert.equal(nextPeriod(parsePeriodKey('2009-10-h1')).key, '2009-10-h2');
    assert.equal(nextPeriod(parsePeriodKey('2009-10-h2')).key, '2010-11-h1');
    assert.equal(nextPeriod(parsePeriodKey('2009-10-m12')).key, '2010-11-m01');
  });

  it('orders periods by start, the longer first when they start together', () => {
    const keys = ['2009-10-q2', '2009-10', '2009-10-h1', '2008-09-h2']
      .map(parsePeriodKey)
      .sort(comparePeriods)
      .map((p) => p.key);
    assert.deepEqual(keys, ['2008-09-h2', '2009-10', '2009-10-h1', '2009-10-q2']);
  });

  it('gives every part of a year a span inside the year, with no gaps or overlaps', () => {
    for (const [kind, count] of [
      ['half', 2],
      ['quarter', 4],
      ['month', 12],
    ] as const) {
      let expectedStart = '2009-04-01';
      for (let n = 1; n <= count; n++) {
        const p = makePeriod(kind, 2009, n);
        assert.equal(p.startsOn, expectedStart, `${p.key} starts the day after the previous part ends`);
        const end = new Date(`${p.endsOn}T00:00:00Z`);
        end.setUTCDate(end.getUTCDate() + 1);
        expectedStart = end.toISOString().slice(0, 10);
      }
      assert.equal(expectedStart, '2010-04-01');
    }
  });
});

describe('a period parsed again', () => {
  it('is the same answer, which no caller can change for the next', () => {
    const first = parsePeriodKey('2009/10 Q3');
    assert.equal(parsePeriodKey('2009/10 Q3'), first);
    assert.deepEqual(parsePeriodKey('2009-10-q3'), first);
    assert.throws(() => {
      (first as { endsOn: string }).endsOn = '2099-01-01';
    }, TypeError);
    assert.equal(parsePeriodKey('2009/10 Q3').endsOn, '2009-12-31');
  });

  it('refuses a bad key every time it is asked, with the same sentence', () => {
    for (let i = 0; i < 2; i++) assert.throws(() => parsePeriodKey('2009/11 Q3'), /is not a financial year/);
  });

  it('parses thousands of spellings of one period, each right, past the point where the kept answers start again', () => {
    for (let spaces = 1; spaces <= 3_000; spaces++) {
      const period = parsePeriodKey(`2009/10${' '.repeat(spaces)}H2`);
      assert.equal(period.key, '2009-10-h2');
    }
    assert.equal(parsePeriodKey('2010/11 H1').startsOn, '2010-04-01');
  });
});
