import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IsoDate } from '../../domain/dates.ts';
import { reminderDue, dueDateWindow, addDays, daysBetween } from './reminder.schedule.ts';

const d = (s: string) => s as IsoDate;

describe('when a report reminder is due', () => {
  const due = d('2009-10-22');
  const cases: [string, string | undefined][] = [
    ['2009-10-14', undefined], // 8 days before
    ['2009-10-15', 'due_soon'], // 7 days before
    ['2009-10-21', 'due_soon'],
    ['2009-10-22', 'due_today'],
    ['2009-10-24', 'due_today'], // Amber was down on the day
    ['2009-10-25', 'overdue'], // 3 days after
    ['2009-11-04', 'overdue'], // 13 days after
    ['2009-11-05', undefined], // 14 days after: too old to start reminding
  ];
  for (const [today, kind] of cases) {
    it(`is ${kind ?? 'nothing'} on ${today} for a report due on 22 October 2009`, () => {
      assert.equal(reminderDue(due, d(today)), kind);
    });
  }

  it('covers exactly the due dates that can have a reminder today', () => {
    const today = d('2010-03-01');
    const [from, to] = dueDateWindow(today);
    assert.equal(reminderDue(from, today), 'overdue');
    assert.equal(reminderDue(addDays(from, -1), today), undefined);
    assert.equal(reminderDue(to, today), 'due_soon');
    assert.equal(reminderDue(addDays(to, 1), today), undefined);
  });

  it('counts days across month and year ends', () => {
    assert.equal(addDays(d('2009-12-30'), 3), '2010-01-02');
    assert.equal(addDays(d('2010-03-01'), -1), '2010-02-28');
    assert.equal(daysBetween(d('2009-12-30'), d('2010-01-02')), 3);
  });
});
