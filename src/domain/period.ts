// Reporting periods inside UK financial years (1 April – 31 March).
// Identifiers are stable and used in URLs and the CLI: `2009-10` (the year), `2009-10-h1`,
// `2009-10-q2`, `2009-10-m07`. Months are numbered within the financial year, as councils
// number their accounting periods: m01 is April, m07 is October, m12 is March.

import { type IsoDate, isoDate, daysInMonth, ordinal, MONTHS } from './dates.ts';

export type PeriodKind = 'year' | 'half' | 'quarter' | 'month';

export interface Period {
  key: string;
  kind: PeriodKind;
  /** The calendar year in which the financial year starts: 2009 for 2009/10. */
  startYear: number;
  /** 1 for the year; 1–2 halves; 1–4 quarters; 1–12 months. */
  number: number;
  startsOn: IsoDate;
  endsOn: IsoDate;
}

const KIND_LENGTH_MONTHS: Record<PeriodKind, number> = { year: 12, half: 6, quarter: 3, month: 1 };
const KIND_COUNT: Record<PeriodKind, number> = { year: 1, half: 2, quarter: 4, month: 12 };
const KIND_LETTER: Record<Exclude<PeriodKind, 'year'>, string> = { half: 'h', quarter: 'q', month: 'm' };

export function financialYearLabel(startYear: number): string {
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;
}

/**
 * A financial year as a person writes it — "2009/10", "2009-10", "2009/2010" or the year it
 * starts, "2009" — as the year it starts. Throws PeriodKeyError naming what is wrong.
 */
export function parseFinancialYear(input: string): number {
  const t = input.trim();
  const m = /^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$/.exec(t);
  if (!m)
    throw new PeriodKeyError(`"${input}" is not a financial year: write it like ${financialYearLabel(2009)} (or 2009)`);
  const start = Number(m[1]);
  if (m[2] !== undefined && Number(m[2].slice(-2)) !== (start + 1) % 100)
    throw new PeriodKeyError(
      `"${input}" is not a financial year: ${start} is followed by ${String((start + 1) % 100).padStart(2, '0')}, as in ${financialYearLabel(start)}`,
    );
  return start;
}

/** The financial year a date falls in, as its start year (2009-05-01 → 2009; 2010-02-01 → 2009). */
export function financialYearOf(date: IsoDate): number {
  const [y, m] = date.split('-').map(Number);
  return m! >= 4 ? y! : y! - 1;
}

export function makePeriod(kind: PeriodKind, startYear: number, number = 1): Period {
  if (!Number.isInteger(startYear) || startYear < 1990 || startYear > 2200) {
    throw new RangeError(`financial year out of range: ${startYear}`);
  }
  const count = KIND_COUNT[kind];
  if (!Number.isInteger(number) || number < 1 || number > count) {
    throw new RangeError(`a ${kind} is numbered 1 to ${count}, not ${number}`);
  }
  const length = KIND_LENGTH_MONTHS[kind];
  // Months since 1 April of the start year.
  const offsetStart = (number - 1) * length;
  const offsetEnd = offsetStart + length - 1;
  const at = (offset: number) => {
    const month0 = 3 + offset; // April is month index 3
    return { year: startYear + Math.floor(month0 / 12), month: (month0 % 12) + 1 };
  };
  const s = at(offsetStart);
  const e = at(offsetEnd);
  const yy = String((startYear + 1) % 100).padStart(2, '0');
  const key =
    kind === 'year'
      ? `${startYear}-${yy}`
      : `${startYear}-${yy}-${KIND_LETTER[kind]}${kind === 'month' ? String(number).padStart(2, '0') : number}`;
  return {
    key,
    kind,
    startYear,
    number,
    startsOn: isoDate(s.year, s.month, 1),
    endsOn: isoDate(e.year, e.month, daysInMonth(e.year, e.month)),
  };
}

export class PeriodKeyError extends Error {}

/**
 * A period as the pages write it — "2009/10 Q3", "2009/10 H1", "2009/10 M07", "2009/10", with
 * the part first ("Q3 2009/10") or the year in full ("2009/2010 Q3") — as its identifier
 * ("2009-10-q3"); anything else unchanged (already an identifier, or not a period at all).
 */
function identifierOf(text: string): string {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const partFirst = /^([hqm]\d{1,2}) (\d{4}\/\d{2}(?:\d{2})?)$/.exec(t);
  const [year, part] = partFirst ? [partFirst[2]!, partFirst[1]] : (t.split(' ') as [string, string?]);
  const m = /^(\d{4})\/(\d{2}|\d{4})$/.exec(year);
  if (!m || (!partFirst && t.split(' ').length > 2)) return t;
  if (part !== undefined && !/^[hqm]\d{1,2}$/.test(part)) return t;
  return `${m[1]}-${m[2]!.slice(-2)}${part ? `-${part}` : ''}`;
}

/**
 * Parses a reporting period, written as the pages show it ("2009/10 Q3") or as its identifier
 * ("2009-10-q3"): every door (forms, API, imports) takes both. Throws PeriodKeyError with a
 * sentence a person can act on.
 *
 * The answer for an input is kept (frozen, so no caller can change what another is given): an
 * organisation's values name a few dozen periods over and over, and the dashboard parsed each of
 * its ~4,000 values' keys at 1,000 priorities, ~9% of its CPU (issue 14). At most
 * `PARSED_KEPT` inputs are kept; then the store starts again, so odd spellings cannot grow it.
 */
export function parsePeriodKey(input: string): Period {
  let period = parsed.get(input);
  if (period === undefined) {
    period = Object.freeze(parseUncached(input));
    if (parsed.size >= PARSED_KEPT) parsed.clear();
    parsed.set(input, period);
  }
  return period;
}
const PARSED_KEPT = 2_000;
const parsed = new Map<string, Period>();

function parseUncached(input: string): Period {
  const key = identifierOf(input);
  const m = /^(\d{4})-(\d{2})(?:-([hqm])(\d{1,2}))?$/.exec(key);
  if (!m) {
    throw new PeriodKeyError(
      `"${input}" is not a reporting period: write the financial year and part as the pages do, like 2009/10, 2009/10 H1, 2009/10 Q2 or 2009/10 M07 (or its identifier, like 2009-10-q2)`,
    );
  }
  const startYear = Number(m[1]);
  if (Number(m[2]) !== (startYear + 1) % 100) {
    throw new PeriodKeyError(
      `"${input}" is not a financial year: ${startYear} is followed by ${String((startYear + 1) % 100).padStart(2, '0')}, as in ${startYear}-${String((startYear + 1) % 100).padStart(2, '0')}`,
    );
  }
  if (!m[3]) return makePeriod('year', startYear);
  const kind: PeriodKind = m[3] === 'h' ? 'half' : m[3] === 'q' ? 'quarter' : 'month';
  const number = Number(m[4]);
  if (kind === 'month' && m[4]!.length !== 2) {
    throw new PeriodKeyError(`"${input}": months are written with two digits, m01 (April) to m12 (March)`);
  }
  if (number < 1 || number > KIND_COUNT[kind]) {
    const range = { half: 'h1 or h2', quarter: 'q1 to q4', month: 'm01 (April) to m12 (March)' }[kind];
    throw new PeriodKeyError(`"${input}": a ${kind === 'half' ? 'half-year' : kind} is ${range}`);
  }
  return makePeriod(kind, startYear, number);
}

/** "2009/10 H1", "2009/10 Q2", "2009/10 M07", "2009/10". */
export function periodLabel(p: Period): string {
  const fy = financialYearLabel(p.startYear);
  if (p.kind === 'year') return fy;
  const letter = KIND_LETTER[p.kind].toUpperCase();
  return `${fy} ${letter}${p.kind === 'month' ? String(p.number).padStart(2, '0') : p.number}`;
}

/** A description a person reads: "2009/10 first half-year", "October 2009". */
export function periodDescription(p: Period): string {
  const fy = financialYearLabel(p.startYear);
  switch (p.kind) {
    case 'year':
      return `financial year ${fy}`;
    case 'half':
      return `${fy} ${p.number === 1 ? 'first' : 'second'} half-year`;
    case 'quarter':
      return `${fy} quarter ${p.number}`;
    case 'month': {
      const [y, m] = p.startsOn.split('-').map(Number);
      return `${MONTHS[m! - 1]} ${y}`;
    }
  }
}

/** "1st April – 30th September 2009", or with both years when the span crosses one. */
export function periodSpan(p: Period): string {
  const [sy, sm, sd] = p.startsOn.split('-').map(Number);
  const [ey, em, ed] = p.endsOn.split('-').map(Number);
  const start = `${ordinal(sd!)} ${MONTHS[sm! - 1]}`;
  const end = `${ordinal(ed!)} ${MONTHS[em! - 1]} ${ey}`;
  return sy === ey ? `${start} – ${end}` : `${start} ${sy} – ${end}`;
}

export function comparePeriods(a: Period, b: Period): number {
  return a.startsOn.localeCompare(b.startsOn) || b.endsOn.localeCompare(a.endsOn);
}

/** The period of the same kind that comes next (used to default "key actions for the next period"). */
export function nextPeriod(p: Period): Period {
  if (p.number < KIND_COUNT[p.kind]) return makePeriod(p.kind, p.startYear, p.number + 1);
  return makePeriod(p.kind, p.startYear + 1, 1);
}
