// Year to date: one figure for the periods of a financial year so far, up to and including a
// given period — the sum (complaints received), the average (percentage answered on time) or
// the latest value (a snapshot such as staff in post).
//
// Only periods of the same kind in the same financial year count: a year to date never mixes
// financial years, nor quarterly with monthly values, and says what it left out. A period with
// no value is left out of the figure with a note naming it, rather than counted as zero. Sums
// are exact; an average is rounded once, half away from zero, to the indicator's places (and
// says so), as a person rounding by hand would.

import type { Scaled, YtdMethod } from './indicator.ts';
import { type Period, type PeriodKind, makePeriod, periodLabel } from '../period.ts';
import { roundDiv } from '../diagnostic/decimal.ts';

export interface PeriodValue {
  period: Period;
  value: Scaled | undefined;
}

export interface YearToDate {
  method: YtdMethod;
  upTo: Period;
  /** Undefined when there is nothing to aggregate, or for method `none`. */
  value: Scaled | undefined;
  /** Keys of the periods whose values went into the figure, earliest first. */
  included: string[];
  /** Keys of the periods so far this year that have no value. */
  missing: string[];
  /** False when an average had to be rounded to the indicator's places. */
  exact: boolean;
  notes: string[];
}

const KIND_COUNT: Record<PeriodKind, number> = { year: 1, half: 2, quarter: 4, month: 12 };
const KIND_PLURAL: Record<PeriodKind, string> = {
  year: 'annual',
  half: 'half-yearly',
  quarter: 'quarterly',
  month: 'monthly',
};

function list(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The periods of upTo's kind from the start of its financial year to upTo itself. */
export function periodsToDate(upTo: Period): Period[] {
  return Array.from({ length: upTo.number }, (_, i) => makePeriod(upTo.kind, upTo.startYear, i + 1));
}

/** The year-to-date figure up to and including `upTo`. Throws RangeError for two values for one period. */
export function yearToDate(method: YtdMethod, upTo: Period, values: readonly PeriodValue[]): YearToDate {
  const notes: string[] = [];
  const byKey = new Map<string, Scaled | undefined>();
  let otherYears = 0;
  let otherKinds = 0;
  for (const { period, value } of values) {
    if (byKey.has(period.key)) throw new RangeError(`two values for ${periodLabel(period)}`);
    if (period.startYear !== upTo.startYear) {
      otherYears += 1;
      continue;
    }
    if (period.kind !== upTo.kind) {
      otherKinds += 1;
      continue;
    }
    byKey.set(period.key, value);
  }
  if (otherYears > 0)
    notes.push(`Left out ${otherYears} ${otherYears === 1 ? 'value' : 'values'} from other financial years`);
  if (otherKinds > 0)
    notes.push(
      `Left out ${otherKinds} ${otherKinds === 1 ? 'value' : 'values'} for other kinds of period: this year to date is ${KIND_PLURAL[upTo.kind]}`,
    );

  const base = { method, upTo, included: [] as string[], missing: [] as string[], exact: true, notes };
  if (method === 'none')
    return { ...base, value: undefined, notes: [...notes, 'This indicator has no year-to-date figure'] };
  if (!Number.isInteger(upTo.number) || upTo.number > KIND_COUNT[upTo.kind])
    throw new RangeError(`not a period: ${upTo.key}`);

  const present: { period: Period; value: Scaled }[] = [];
  for (const p of periodsToDate(upTo)) {
    const value = byKey.get(p.key);
    if (value === undefined) base.missing.push(p.key);
    else present.push({ period: p, value });
  }
  base.included = present.map((x) => x.period.key);
  if (base.missing.length > 0) {
    const labels = base.missing.map((k) => periodLabel(periodsToDate(upTo).find((p) => p.key === k)!));
    notes.push(
      present.length === 0
        ? `No values yet: ${list(labels)} ${labels.length === 1 ? 'has' : 'have'} no value`
        : `Leaves out ${list(labels)}, which ${labels.length === 1 ? 'has' : 'have'} no value`,
    );
  }
  if (present.length === 0) return { ...base, value: undefined };

  switch (method) {
    case 'sum': {
      const total = present.reduce((a, x) => a + BigInt(x.value), 0n);
      if (total > BigInt(Number.MAX_SAFE_INTEGER) || total < BigInt(Number.MIN_SAFE_INTEGER))
        throw new RangeError('the year-to-date total is too large to hold exactly');
      return { ...base, value: Number(total) };
    }
    case 'average': {
      const total = present.reduce((a, x) => a + BigInt(x.value), 0n);
      const count = BigInt(present.length);
      const exact = total % count === 0n;
      if (!exact) notes.push(`The average of ${present.length} values is rounded to the indicator’s decimal places`);
      return { ...base, value: Number(roundDiv(total, count)) || 0, exact };
    }
    case 'latest': {
      const last = present[present.length - 1]!;
      if (last.period.key !== upTo.key) notes.push(`The latest value is for ${periodLabel(last.period)}`);
      return { ...base, value: last.value, included: [last.period.key] };
    }
  }
}
