// Money for the efficiency diagnostic: integer pence, parsed from what officers type and
// written the way council reports write it.
//
// Representation: a branded `number` holding a whole number of pence, checked with
// Number.isSafeInteger on every construction and every result. Chosen over bigint because the
// largest safe integer is 2^53 pence ≈ £90 trillion, far beyond any council's budget, while a
// number stays JSON-serialisable, works with `<`/`+`, fits PostgreSQL `bigint` columns read as
// numbers, and needs no conversion at every template and chart. Anything that multiplies or
// divides (shares, percentages, rates) goes through bigint and is rounded once, half away from
// zero; nothing in this module ever holds money in binary floating point.

import { assertSafeInteger, formatScaled, largestRemainder, roundDiv, toSafeInteger } from './decimal.ts';

declare const penceBrand: unique symbol;
/** A whole number of pence. Make one with `pence()`, `pounds()` or `parseMoney()`. */
export type Money = number & { readonly [penceBrand]: true };

export const ZERO = 0 as Money;

/** Pence from a safe integer; throws RangeError for fractions, NaN or values beyond ±2^53. */
export function pence(n: number): Money {
  return (assertSafeInteger(n, 'an amount of pence') || 0) as Money;
}

/** Whole pounds: pounds(38_000) is £38,000.00. */
export function pounds(n: number): Money {
  assertSafeInteger(n, 'an amount of pounds');
  return pence(toSafeInteger(BigInt(n) * 100n, 'the amount'));
}

export function addMoney(a: Money, b: Money): Money {
  return pence(a + b);
}

export function subtractMoney(a: Money, b: Money): Money {
  return pence(a - b);
}

export function sumMoney(amounts: readonly Money[]): Money {
  let total = 0;
  for (const a of amounts) total = assertSafeInteger(total + a, 'a total');
  return pence(total);
}

export const minMoney = (a: Money, b: Money): Money => (a <= b ? a : b);
export const maxMoney = (a: Money, b: Money): Money => (a >= b ? a : b);

/** amount × numerator / denominator, exactly, rounded once to the penny (halves away from zero). */
export function multiplyMoney(amount: Money, numerator: number | bigint, denominator: number | bigint = 1): Money {
  return pence(toSafeInteger(roundDiv(BigInt(amount) * BigInt(numerator), BigInt(denominator)), 'the amount'));
}

/** A percentage of an amount, the percentage in basis points (8% = 800). */
export function basisPointsOf(amount: Money, bp: number): Money {
  return multiplyMoney(amount, bp, 10_000);
}

/**
 * Splits an amount in proportion to integer weights (basis points, FTE units...) by the
 * largest-remainder method, so the parts always add up to the amount to the penny.
 */
export function allocateMoney(total: Money, weights: readonly number[]): Money[] {
  return largestRemainder(total, weights) as Money[];
}

const MULTIPLIERS: Record<string, bigint> = { '': 1n, k: 1_000n, m: 1_000_000n, bn: 1_000_000_000n };

/**
 * Reads an amount as written in a spreadsheet or a form: `£1,409,310.50`, `1409310`, `£9.0m`,
 * `£150K`, `£1.2bn`, `-£250`, `(£250)` (accountants' negative). Commas must group thousands.
 * Returns undefined for anything else, including amounts finer than a penny (`£1.234`,
 * `£1.234567891m`): a figure that cannot be held exactly is refused, never silently rounded.
 */
export function parseMoney(input: string): Money | undefined {
  let text = input
    .trim()
    .replace(/\u2212/g, '-')
    .replace(/\s+/g, '');
  let negative = false;
  const bracketed = /^\((.*)\)$/.exec(text);
  if (bracketed) {
    negative = true;
    text = bracketed[1]!;
  }
  const m = /^([+-]?)£?([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(k|m|bn)?$/i.exec(text);
  if (!m || (m[3] === undefined && m[4] === undefined)) return undefined;
  if (m[1] && m[2]) return undefined;
  if (m[1] === '-' || m[2] === '-') {
    if (negative) return undefined;
    negative = true;
  }
  const multiplier = MULTIPLIERS[(m[5] ?? '').toLowerCase()]!;
  const fraction = m[4] ?? '';
  const digits = BigInt((m[3] ?? '0').replace(/,/g, '') + fraction);
  // value in pence = digits × multiplier × 100 / 10^fraction.length, which must be whole.
  const numerator = digits * multiplier * 100n;
  const denominator = 10n ** BigInt(fraction.length);
  if (numerator % denominator !== 0n) return undefined;
  const value = (numerator / denominator) * (negative ? -1n : 1n);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return pence(Number(value));
}

/** The minus sign money is written with: U+2212, as typeset, never a hyphen. */
export const MINUS = '\u2212';

export interface FormatMoneyOptions {
  /** 'auto' (default) shows pence only when there are some; 'never' rounds to the pound. Pounds only. */
  pence?: 'auto' | 'always' | 'never';
  /** 'pounds' (default); 'thousands' writes `£4,723.8k`, 'millions' `£9.0m`. */
  unit?: 'pounds' | 'thousands' | 'millions' | 'billions';
  /** Decimal places in thousands or millions (1 by default). */
  decimals?: number;
  /** false leaves out the £ sign and the k/m suffix, for tables headed "£k": `4,723.8`, `−2,690.0`. */
  symbol?: boolean;
}

const SCALE = { pounds: 2, thousands: 5, millions: 8, billions: 11 } as const;
const SUFFIX = { pounds: '', thousands: 'k', millions: 'm', billions: 'bn' } as const;

/**
 * The one way the efficiency programme and the diagnostic write money: `£1,409,310`,
 * `£1,409,310.50`, `−£250`, `−£596.6k`, `£9.0m`, and `−2,690.0` in a table headed "£k". A
 * negative amount has the minus sign (U+2212) before the pound sign; zero has no sign, even
 * when a negative amount rounds to it. Every other money formatter here calls this one.
 */
export function formatMoney(amount: Money, options: FormatMoneyOptions = {}): string {
  assertSafeInteger(amount, 'an amount of pence');
  const unit = options.unit ?? 'pounds';
  let decimals: number;
  if (unit === 'pounds') {
    const mode = options.pence ?? 'auto';
    decimals = mode === 'always' || (mode === 'auto' && amount % 100 !== 0) ? 2 : 0;
  } else decimals = options.decimals ?? 1;
  const text = formatScaled(amount, SCALE[unit], decimals);
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const body = options.symbol === false ? digits : `£${digits}${SUFFIX[unit]}`;
  return negative ? `${MINUS}${body}` : body;
}

/**
 * An amount in thousands or millions without the £ sign, for tables headed "£k" or "£m":
 * formatInUnits(pence(472_381_930), 'thousands', 1) → `4,723.8`; negatives `−2,690.0`.
 */
export function formatInUnits(amount: Money, unit: 'thousands' | 'millions', decimals: number): string {
  return formatMoney(amount, { unit, decimals, symbol: false });
}

/** An amount in thousands with its sign before the pound sign: `−£596.6k`, never `£-596.6k`. */
export function formatMoneyInThousands(amount: Money, decimals = 1): string {
  return formatMoney(amount, { unit: 'thousands', decimals });
}

/**
 * The short form used in headlines: `£9.0m`, `£1.4m`, `£150K`, `£1.2bn`, `£950`, `−£250`. Millions and
 * billions keep one decimal place; thousands none. The unit is chosen after rounding, so
 * £999,999 is `£1.0m`, not `£1,000K`.
 */
export function formatMoneyShort(amount: Money): string {
  const a = BigInt(amount < 0 ? -amount : amount);
  const inUnits = (scale: bigint, decimals: number) => roundDiv(a * 10n ** BigInt(decimals), scale);
  if (inUnits(100_000_000n, 1) >= 10_000n) return formatMoney(amount, { unit: 'billions', decimals: 1 });
  if (inUnits(100_000n, 0) >= 1_000n) return formatMoney(amount, { unit: 'millions', decimals: 1 });
  if (inUnits(100n, 0) >= 1_000n) return formatMoney(amount, { unit: 'thousands', decimals: 0 }).replace(/k$/, 'K');
  return formatMoney(amount, { pence: 'never' });
}
