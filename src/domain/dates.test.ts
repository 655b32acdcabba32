import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseUkDate, formatDate, ordinal, fromDbDate, type IsoDate } from './dates.ts';
import { parseTimescale, formatTimescale, timescaleDeadline } from './timescale.ts';

describe('dates as officers write them', () => {
  const good = [
    ['22 October 2009', '2009-10-22'],
    ['9/11/09', '2009-11-09'],
    ['09/11/2009', '2009-11-09'],
    ['2009-11-09', '2009-11-09'],
    ['9th November 2009', '2009-11-09'],
    ['1 Sept 2009', '2009-09-01'],
    ['29/02/2012', '2012-02-29'],
    [' 22  Oct 2009 ', '2009-10-22'],
  ] as const;
  for (const [input, iso] of good) {
    it(`reads "${input}" as ${iso}`, () => assert.equal(parseUkDate(input), iso));
  }
  for (const input of ['31/02/2010', '29/02/2010', '2009-13-01', 'next Tuesday', '', '22 Octember 2009', '0/1/2009']) {
    it(`refuses "${input}"`, () => assert.equal(parseUkDate(input), undefined));
  }
  it('writes dates the GOV.UK way', () => {
    assert.equal(formatDate('2009-10-22' as IsoDate), '22 October 2009');
    assert.equal(formatDate('2009-11-09' as IsoDate), '9 November 2009');
  });
  it('writes ordinals, including the teens', () => {
    assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 30, 31, 111].map(ordinal), [
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '30th',
      '31st',
      '111th',
    ]);
  });
  it('keeps a database date on its day whatever the time zone', () => {
    assert.equal(fromDbDate('2009-10-22'), '2009-10-22');
    assert.equal(fromDbDate(new Date(2009, 9, 22)), '2009-10-22');
  });
});

describe('milestone timescales', () => {
  const cases = [
    ['Nov 2009', 'month', '2009-11-01', 'Nov 2009'],
    ['November 2009', 'month', '2009-11-01', 'Nov 2009'],
    ['apr 2010', 'month', '2010-04-01', 'Apr 2010'],
    ['2010-04', 'month', '2010-04-01', 'Apr 2010'],
    ['04/2010', 'month', '2010-04-01', 'Apr 2010'],
    ['30 November 2009', 'day', '2009-11-30', '30 November 2009'],
    ['30/11/2009', 'day', '2009-11-30', '30 November 2009'],
  ] as const;
  for (const [input, precision, date, shown] of cases) {
    it(`reads "${input}" as a ${precision} and shows it as "${shown}"`, () => {
      const t = parseTimescale(input);
      assert.deepEqual(t, { precision, date });
      assert.equal(formatTimescale(t!), shown);
    });
  }
  for (const input of ['Novembre 2009', 'Nov 09', '13/2010', 'soon', '', 'Nov 3000']) {
    it(`refuses "${input}"`, () => assert.equal(parseTimescale(input), undefined));
  }
  it('gives a month timescale until the end of its month', () => {
    assert.equal(timescaleDeadline(parseTimescale('Feb 2012')!), '2012-02-29');
    assert.equal(timescaleDeadline(parseTimescale('3/2/2012')!), '2012-02-03');
  });
});
