// What a performance indicator is (issue 4): its polarity, how often it is reported, its unit,
// how it adds up over the year, and its values — read the way councils type them and written
// the way council reports print them. Status, direction of travel, year to date and risk are
// rules over these types, in the files beside this one.
//
// Representation of values: a safe integer scaled by 10^dp, where dp is the indicator's unit's
// decimal places — 95.5% at 1 dp is 955; £1,200.50 is 120050 (money is always held in pence);
// 12 days at 0 dp is 12. Chosen over a decimal string because every rule here compares, adds
// and subtracts values of one indicator, all at the same scale, and integers do that exactly
// with `<` and `+` (a string would be parsed again at every comparison). No value is ever a
// binary float, so 95.0 with a 5% tolerance gives a boundary of exactly 90.25, never
// 90.24999999999999: tolerances are carried in basis points and boundaries are compared as
// exact fractions in bigint (see status-rule.ts). A number stays JSON-serialisable and fits a
// PostgreSQL `bigint` column beside the indicator's dp. More decimal places than the indicator
// records are refused, never silently rounded, so what is stored is what was typed.

import type { PeriodKind } from '../period.ts';
import { groupThousands, roundDiv } from '../diagnostic/decimal.ts';

/** Which way is better. `band`: inside a target range lo..hi; `none`: volumetric, no target. */
export type Polarity = 'higher' | 'lower' | 'band' | 'none';
export const POLARITIES: readonly Polarity[] = ['higher', 'lower', 'band', 'none'];

export type Frequency = 'monthly' | 'quarterly' | 'half-yearly' | 'annual';
export const FREQUENCIES: readonly Frequency[] = ['monthly', 'quarterly', 'half-yearly', 'annual'];

/** The reporting period an indicator of each frequency is reported for. */
export const FREQUENCY_PERIOD_KIND: Readonly<Record<Frequency, PeriodKind>> = {
  monthly: 'month',
  quarterly: 'quarter',
  'half-yearly': 'half',
  annual: 'year',
};

export function frequencyOfPeriodKind(kind: PeriodKind): Frequency {
  return FREQUENCIES.find((f) => FREQUENCY_PERIOD_KIND[f] === kind)!;
}

export type UnitKind = 'number' | 'percentage' | 'money' | 'days' | 'hours' | 'ratio' | 'per-1000';
export const UNIT_KINDS: readonly UnitKind[] = ['number', 'percentage', 'money', 'days', 'hours', 'ratio', 'per-1000'];

export interface Unit {
  kind: UnitKind;
  /** Decimal places recorded and shown, 0–6. Money is always 2: its values are pence. */
  decimalPlaces: number;
}

export const MAX_DECIMAL_PLACES = 6;

/** How the year-to-date figure is made from the periods so far (ytd.ts). */
export type YtdMethod = 'sum' | 'average' | 'latest' | 'none';
export const YTD_METHODS: readonly YtdMethod[] = ['sum', 'average', 'latest', 'none'];

/**
 * A value of an indicator: a safe integer count of 10^-dp of its unit (pence for money).
 * Meaningless without the indicator's Unit, which is why it is never shown without one.
 */
export type Scaled = number;

/** A target range for a `band` indicator, both ends inside the range. */
export interface TargetRange {
  low: Scaled;
  high: Scaled;
}

/** A single value for `higher`/`lower`, a range for `band`. */
export type Target = Scaled | TargetRange;

export const isRange = (t: Target): t is TargetRange => typeof t === 'object';

export interface IndicatorDefinition {
  polarity: Polarity;
  frequency: Frequency;
  unit: Unit;
  ytd: YtdMethod;
}

export interface Issue {
  field: string;
  message: string;
}

/** Units whose values cannot be added up: summing 95% and 90% is not 185% of anything. */
const NOT_ADDITIVE: readonly UnitKind[] = ['percentage', 'ratio', 'per-1000'];

/** Problems with a definition, as field paths (the form names them beside the field). */
export function checkIndicator(d: IndicatorDefinition): Issue[] {
  const issues: Issue[] = [];
  if (!POLARITIES.includes(d.polarity))
    issues.push({
      field: 'polarity',
      message: `"${d.polarity}" is not a polarity: choose higher, lower, band or none`,
    });
  if (!FREQUENCIES.includes(d.frequency))
    issues.push({
      field: 'frequency',
      message: `"${d.frequency}" is not a frequency: choose monthly, quarterly, half-yearly or annual`,
    });
  issues.push(...checkUnit(d.unit));
  if (!YTD_METHODS.includes(d.ytd))
    issues.push({
      field: 'ytd',
      message: `"${d.ytd}" is not a year-to-date method: choose sum, average, latest or none`,
    });
  if (d.ytd === 'sum' && NOT_ADDITIVE.includes(d.unit.kind)) {
    issues.push({
      field: 'ytd',
      message: `A ${UNIT_NAMES[d.unit.kind]} cannot be added up over the year: choose average or latest`,
    });
  }
  return issues;
}

export function checkUnit(u: Unit): Issue[] {
  if (!UNIT_KINDS.includes(u.kind)) return [{ field: 'unit.kind', message: `"${u.kind}" is not a unit` }];
  if (!Number.isInteger(u.decimalPlaces) || u.decimalPlaces < 0 || u.decimalPlaces > MAX_DECIMAL_PLACES) {
    return [
      { field: 'unit.decimalPlaces', message: `Decimal places must be a whole number from 0 to ${MAX_DECIMAL_PLACES}` },
    ];
  }
  if (u.kind === 'money' && u.decimalPlaces !== 2) {
    return [{ field: 'unit.decimalPlaces', message: 'Money is recorded in pence: 2 decimal places' }];
  }
  return [];
}

const UNIT_NAMES: Record<UnitKind, string> = {
  number: 'number',
  percentage: 'percentage',
  money: 'amount of money',
  days: 'number of days',
  hours: 'number of hours',
  ratio: 'ratio',
  'per-1000': 'rate per 1,000',
};

function article(noun: string): string {
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

// ---------------------------------------------------------------------------------------------
// Reading values as councils type them

export type ParsedValue = { ok: true; value: Scaled | undefined } | { ok: false; reason: string };

/** Words and symbols that name a unit, and the unit they name. */
const SUFFIXES: readonly { pattern: RegExp; kind: UnitKind }[] = [
  { pattern: /\s*(?:%|per\s?cent)$/i, kind: 'percentage' },
  { pattern: /\s*(?:days?|d)$/i, kind: 'days' },
  { pattern: /\s*(?:hours?|hrs?|h)$/i, kind: 'hours' },
  { pattern: /\s*per\s*1,?000$/i, kind: 'per-1000' },
];

/**
 * Reads a value as typed into a form or a spreadsheet cell: `1,234`, `95.5%`, `95.5 per cent`,
 * `£1,200`, `-£250`, `(£250)` (accountants' negative), `12 days`, `-3`, `4.2 per 1,000`.
 * Blank means no value. A unit symbol must match the indicator's unit. Anything else comes back with a
 * reason a person can act on.
 */
export function parseValue(input: string, unit: Unit): ParsedValue {
  const fail = (reason: string): ParsedValue => ({ ok: false, reason });
  const shown = input.trim();
  let text = shown.replace(/\u2212/g, '-').replace(/\s+/g, ' ');
  if (text === '') return { ok: true, value: undefined };
  if (/^(?:n\/?a|-|–|—|nil|none)$/i.test(text)) {
    return fail(
      `"${shown}" is not a value: leave it blank if there is no value for this period, or enter 0 if the value is zero`,
    );
  }

  const sign = /^([+-])\s*/.exec(text);
  let negative = sign?.[1] === '-';
  if (sign) text = text.slice(sign[0].length);
  const bracketed = /^\((.*)\)$/.exec(text);
  if (bracketed && unit.kind === 'money') {
    if (sign) return fail(`"${shown}" has two signs: write a negative amount like -£250 or (£250)`);
    negative = true;
    text = bracketed[1]!.trim();
  }

  if (text.startsWith('£')) {
    if (unit.kind !== 'money')
      return fail(`"${shown}" is an amount of money, but this indicator is ${article(UNIT_NAMES[unit.kind])}`);
    text = text.slice(1).trim();
    const innerSign = /^([+-])\s*/.exec(text);
    if (innerSign) {
      if (sign || negative) return fail(`"${shown}" has two signs: write a negative amount like -£250 or (£250)`);
      negative = innerSign[1] === '-';
      text = text.slice(innerSign[0].length);
    }
  }
  for (const s of SUFFIXES) {
    if (!s.pattern.test(text)) continue;
    if (s.kind !== unit.kind)
      return fail(
        `"${shown}" is ${article(UNIT_NAMES[s.kind])}, but this indicator is ${article(UNIT_NAMES[unit.kind])}`,
      );
    text = text.replace(s.pattern, '');
    break;
  }

  const m = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$/.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) {
    if (/^\d+(?:,\d+)+(?:\.\d+)?$/.test(text)) {
      return fail(
        `"${shown}" is not a number: commas may only separate thousands (1,234); use a full stop for decimals (95.5)`,
      );
    }
    if (/^\d[\d,]*(?:\.\d+)?\s*(?:k|m|bn)$/i.test(text))
      return fail(`"${shown}" is not a number: write the amount in full, like 1,200,000`);
    return fail(
      `"${shown}" is not ${article(UNIT_NAMES[unit.kind])}: enter a number like ${example(unit)}, or leave it blank`,
    );
  }
  const dp = unit.decimalPlaces;
  let fraction = m[2] ?? '';
  if (fraction.length > dp) {
    if (/[^0]/.test(fraction.slice(dp))) {
      return fail(
        dp === 0
          ? `"${shown}" has decimal places, but this indicator records whole numbers`
          : `"${shown}" has ${fraction.length} decimal places, but this indicator records ${dp === 2 && unit.kind === 'money' ? 'whole pence' : `${dp} decimal place${dp === 1 ? '' : 's'}`}`,
      );
    }
    fraction = fraction.slice(0, dp);
  }
  const scaled = BigInt((m[1] ?? '0').replace(/,/g, '') + fraction.padEnd(dp, '0'));
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) return fail(`"${shown}" is too large to record`);
  const value = Number(scaled);
  return { ok: true, value: negative && value !== 0 ? -value : value };
}

function example(unit: Unit): string {
  const digits = unit.decimalPlaces > 0 ? `95.${'5'.padEnd(unit.decimalPlaces, '0')}` : '95';
  return {
    number: '1,234',
    percentage: `${digits}%`,
    money: '£1,200',
    days: '12 days',
    hours: '3 hours',
    ratio: digits,
    'per-1000': digits,
  }[unit.kind];
}

// ---------------------------------------------------------------------------------------------
// Writing values the way council reports print them

/** `value / 10^scale` to exactly `places` decimal places (rounded half away from zero), grouped. */
export function formatDecimal(value: bigint, scale: number, places: number): string {
  const rounded =
    places >= scale ? value * 10n ** BigInt(places - scale) : roundDiv(value, 10n ** BigInt(scale - places));
  const negative = rounded < 0n;
  const digits = (negative ? -rounded : rounded).toString().padStart(places + 1, '0');
  const whole = groupThousands(digits.slice(0, digits.length - places));
  return `${negative ? '-' : ''}${whole}${places > 0 ? `.${digits.slice(digits.length - places)}` : ''}`;
}

function withUnit(number: string, unit: Unit): string {
  const negative = number.startsWith('-');
  switch (unit.kind) {
    case 'money':
      return `${negative ? '-' : ''}£${negative ? number.slice(1) : number}`;
    case 'percentage':
      return `${number}%`;
    case 'days':
      return `${number} ${number === '1' ? 'day' : 'days'}`;
    case 'hours':
      return `${number} ${number === '1' ? 'hour' : 'hours'}`;
    case 'per-1000':
      return `${number} per 1,000`;
    case 'number':
    case 'ratio':
      return number;
  }
}

/**
 * `95.5%`, `1,234`, `12 days`, `4.2 per 1,000`; money as `£1,200`, with pence only when there
 * are some (`£1,200.50`), as the rest of Amber writes money.
 */
export function formatValue(value: Scaled, unit: Unit): string {
  const dp = unit.kind === 'money' && value % 100 === 0 ? 0 : unit.decimalPlaces;
  return withUnit(formatDecimal(BigInt(value), unit.decimalPlaces, dp), unit);
}

/**
 * An exact fraction `n / d` of the unit's smallest step (a tolerance boundary), shown with the
 * unit's places and as many more as it needs, up to two more (pence for money); `about` when
 * it needed rounding. 95.0% less 5% is `90.25%`.
 */
export function formatExact(n: bigint, d: bigint, unit: Unit): string {
  const dp = unit.decimalPlaces;
  const max = unit.kind === 'money' ? dp : dp + 2;
  const atMax = n * 10n ** BigInt(max - dp);
  const exact = atMax % d === 0n;
  let text = formatDecimal(roundDiv(atMax, d), max, max);
  for (let extra = max - dp; extra > 0 && text.endsWith('0'); extra--) text = text.slice(0, -1);
  text = text.replace(/\.$/, '');
  if (unit.kind === 'money' && text.endsWith('.00')) text = text.slice(0, -3);
  return `${exact ? '' : 'about '}${withUnit(text, unit)}`;
}

/** A difference between two values: `3 days`, `£150`, and for percentages `2.0 percentage points`. */
export function formatDifference(amount: Scaled, unit: Unit): string {
  const a = Math.abs(amount);
  if (unit.kind === 'percentage') {
    const text = formatDecimal(BigInt(a), unit.decimalPlaces, unit.decimalPlaces);
    return `${text} ${text === '1' ? 'percentage point' : 'percentage points'}`;
  }
  return formatValue(a, unit);
}

/** "higher is better", "lower is better", "best within the target range", "no better or worse". */
export function polarityPhrase(p: Polarity): string {
  return {
    higher: 'higher is better',
    lower: 'lower is better',
    band: 'best within the target range',
    none: 'neither higher nor lower is better',
  }[p];
}

/** A percentage given as a number with at most two decimal places, as whole basis points. */
export function percentToBasisPoints(percent: number, what = 'a percentage'): number {
  const bp = Math.round(percent * 100);
  if (!Number.isFinite(percent) || Math.abs(percent * 100 - bp) > 1e-6 || bp < 0) {
    throw new RangeError(`${what} must be zero or more, with at most two decimal places, not ${percent}`);
  }
  return bp;
}

/** 500 → `5%`, 250 → `2.5%`. */
export function formatBasisPoints(bp: number): string {
  return `${formatDecimal(BigInt(bp), 2, 2).replace(/\.?0+$/, '')}%`;
}
