// Calendar dates without time zones. A date is an ISO string `YYYY-MM-DD`: dates in reports are
// days in the UK, and a JS Date at midnight would shift a day under some time zones.

export type IsoDate = string & { readonly __brand: 'IsoDate' };

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) throw new RangeError(`year out of range: ${year}`);
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month out of range: ${month}`);
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month))
    throw new RangeError(`day out of range: ${day}`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` as IsoDate;
}

export function dateParts(date: IsoDate): { year: number; month: number; day: number } {
  const [y, m, d] = date.split('-').map(Number);
  return { year: y!, month: m!, day: d! };
}

/** Converts what node-postgres returns for a `date` column (a local-midnight Date) back to an IsoDate. */
export function fromDbDate(value: Date | string): IsoDate {
  if (typeof value === 'string') return value.slice(0, 10) as IsoDate;
  return isoDate(value.getFullYear(), value.getMonth() + 1, value.getDate());
}

/** "22 October 2009" — the GOV.UK style for dates. */
export function formatDate(date: IsoDate): string {
  const { year, month, day } = dateParts(date);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

export function ordinal(n: number): string {
  const rem100 = n % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

const MONTH_LOOKUP = new Map<string, number>();
MONTHS.forEach((name, i) => {
  MONTH_LOOKUP.set(name.toLowerCase(), i + 1);
  MONTH_LOOKUP.set(name.slice(0, 3).toLowerCase(), i + 1);
});
MONTH_LOOKUP.set('sept', 9);

export function monthFromName(name: string): number | undefined {
  return MONTH_LOOKUP.get(name.trim().toLowerCase().replace(/\.$/, ''));
}

function expandYear(y: string): number {
  const n = Number(y);
  return y.length === 2 ? 2000 + n : n;
}

/**
 * Reads a date the way officers type them: `2009-11-09`, `9/11/09`, `09/11/2009` (UK order),
 * `9 November 2009`, `9 Nov 2009`, `9th November 2009`. Returns undefined for anything else,
 * including impossible dates such as 31/02/2010.
 */
export function parseUkDate(input: string): IsoDate | undefined {
  const s = input.trim().replace(/\s+/g, ' ');
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  let parts: [number, number, number] | undefined;
  if (m) parts = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (!parts) {
    const slash = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
    if (slash) parts = [expandYear(slash[3]!), Number(slash[2]), Number(slash[1])];
  }
  if (!parts) {
    const words = /^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+\.?),? (\d{4})$/.exec(s);
    if (words) {
      const month = monthFromName(words[2]!);
      if (month) parts = [Number(words[3]), month, Number(words[1])];
    }
  }
  if (!parts) return undefined;
  try {
    return isoDate(parts[0], parts[1], parts[2]);
  } catch {
    return undefined;
  }
}

export function todayIso(now = new Date()): IsoDate {
  return isoDate(now.getFullYear(), now.getMonth() + 1, now.getDate());
}
