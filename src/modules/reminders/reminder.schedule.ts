// When a report reminder is due: pure rules, no I/O. A reporting period's due date (set under
// Reporting periods) asks every priority for a report; while a priority's report for it is not
// submitted (no report yet, or a draft, including one returned to its officer), its accountable
// officer gets at most three reminders:
//
//   due_soon   from 7 days before the due date          "due in N days"
//   due_today  on the due date (or the 2 days after, if Amber was not running on the day)
//   overdue    3 days after the due date (up to 14 days after, for the same reason)
//
// Each is sent once (table reminder_sent). Nothing is sent for a due date more than 14 days
// past, so a council that sets due dates on old periods is not flooded with stale reminders.

import { dateParts, isoDate, type IsoDate } from '../../domain/dates.ts';

export type ReminderKind = 'due_soon' | 'due_today' | 'overdue';

export const DAYS_BEFORE = 7;
export const DAYS_AFTER = 3;
/** After this many days past the due date no reminder starts any more. */
export const LAST_DAY = 14;

export function addDays(date: IsoDate, days: number): IsoDate {
  const { year, month, day } = dateParts(date);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  const a = dateParts(from);
  const b = dateParts(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/** The reminder that applies today for a report due on `dueOn`, or undefined. */
export function reminderDue(dueOn: IsoDate, today: IsoDate): ReminderKind | undefined {
  const late = daysBetween(dueOn, today);
  if (late < -DAYS_BEFORE) return undefined;
  if (late < 0) return 'due_soon';
  if (late < DAYS_AFTER) return 'due_today';
  if (late < LAST_DAY) return 'overdue';
  return undefined;
}

/** The due dates for which some reminder may apply today (for the query): [earliest, latest]. */
export function dueDateWindow(today: IsoDate): [IsoDate, IsoDate] {
  return [addDays(today, -(LAST_DAY - 1)), addDays(today, DAYS_BEFORE)];
}
