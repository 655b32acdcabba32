// A milestone's timescale: a month ("Nov 2009", as reports write them) or a day.

import {
  type IsoDate,
  isoDate,
  dateParts,
  formatDate,
  parseUkDate,
  monthFromName,
  MONTHS,
  daysInMonth,
} from './dates.ts';

export type Timescale =
  | { precision: 'month'; date: IsoDate } // always the first of the month
  | { precision: 'day'; date: IsoDate };

export function parseTimescale(input: string): Timescale | undefined {
  const s = input.trim().replace(/\s+/g, ' ');
  const monthYear = /^([A-Za-z]+\.?),? (\d{4})$/.exec(s);
  if (monthYear) {
    const month = monthFromName(monthYear[1]!);
    const year = Number(monthYear[2]);
    if (!month || year < 1900 || year > 2200) return undefined;
    return { precision: 'month', date: isoDate(year, month, 1) };
  }
  const numeric = /^(\d{4})-(\d{1,2})$/.exec(s) ?? /^(\d{1,2})\/(\d{4})$/.exec(s);
  if (numeric) {
    const isoOrder = s.indexOf('-') === 4;
    const year = Number(isoOrder ? numeric[1] : numeric[2]);
    const month = Number(isoOrder ? numeric[2] : numeric[1]);
    if (month < 1 || month > 12 || year < 1900 || year > 2200) return undefined;
    return { precision: 'month', date: isoDate(year, month, 1) };
  }
  const day = parseUkDate(s);
  return day ? { precision: 'day', date: day } : undefined;
}

/** "Nov 2009" for a month, "22 October 2009" for a day. */
export function formatTimescale(t: Timescale): string {
  if (t.precision === 'day') return formatDate(t.date);
  const { year, month } = dateParts(t.date);
  return `${MONTHS[month - 1]!.slice(0, 3)} ${year}`;
}

/** The last day a timescale allows: the end of its month, or the day itself. */
export function timescaleDeadline(t: Timescale): IsoDate {
  if (t.precision === 'day') return t.date;
  const { year, month } = dateParts(t.date);
  return isoDate(year, month, daysInMonth(year, month));
}
