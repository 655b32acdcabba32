// Exact decimal arithmetic on scaled integers, shared by money, FTE and percentages.
//
// Why scaled integers: every quantity the diagnostic adds up (pence, ten-thousandths of an FTE,
// basis points of a percentage) is a whole number of some small unit, so sums are exact and a
// total always equals the sum of its parts. Products and quotients that leave the integers
// (a share of a cost, a discount factor) are computed in bigint and rounded once, half away
// from zero, as a person rounding by hand (and Excel's ROUND) does.

/** Rounds n/d to the nearest integer, halves away from zero. d must not be zero. */
export function roundDiv(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const negative = n < 0n;
  const a = negative ? -n : n;
  const q = (2n * a + d) / (2n * d);
  return negative ? -q : q;
}

/** Converts a bigint that must fit a safe integer; throws RangeError otherwise. */
export function toSafeInteger(n: bigint, what = 'value'): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RangeError(`${what} is too large to hold exactly`);
  }
  return Number(n);
}

/** Requires a safe integer (throws RangeError naming what it is). */
export function assertSafeInteger(n: number, what = 'value'): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a whole number within ±2^53, not ${n}`);
  return n;
}

/**
 * Reads a plain decimal such as `0.8`, `-12.5`, `1,409,310.50` as an integer scaled by 10^places
 * (`"0.8"`, 4 → 8000). Commas are allowed only as thousands separators in groups of three, so a
 * European decimal comma (`"0,8"`) is refused rather than misread. More decimal places than
 * `places` are refused (never silently rounded) unless the extra digits are zeros.
 */
export function parseScaled(text: string, places: number): number | undefined {
  const m = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?$/.exec(text.trim().replace(/\u2212/g, '-'));
  if (!m || (m[2] === undefined && m[3] === undefined)) return undefined;
  const whole = (m[2] ?? '0').replace(/,/g, '');
  let fraction = m[3] ?? '';
  if (fraction.length > places) {
    if (/[^0]/.test(fraction.slice(places))) return undefined;
    fraction = fraction.slice(0, places);
  }
  const scaled = BigInt(whole + fraction.padEnd(places, '0')) * (m[1] === '-' ? -1n : 1n);
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER) || scaled < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
  return Number(scaled) || 0; // never -0
}

/** Groups the digits of a non-negative integer string in threes: `1409310` → `1,409,310`. */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * Writes the scaled integer `value / 10^scale` with `decimals` places, rounded half away from
 * zero, thousands grouped: (192_000_00, 5, 1) → `1,920.0`.
 */
export function formatScaled(value: number | bigint, scale: number, decimals: number, group = true): string {
  const rounded = roundDiv(BigInt(value) * 10n ** BigInt(decimals), 10n ** BigInt(scale));
  const negative = rounded < 0n;
  const digits = (negative ? -rounded : rounded).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${group ? groupThousands(whole) : whole}${decimals > 0 ? `.${fraction}` : ''}`;
}

/** `numerator / denominator` as a percentage with `decimals` places: (9200, 19200, 1) → `47.9%`. */
export function formatShare(numerator: number | bigint, denominator: number | bigint, decimals = 1): string {
  const n = BigInt(numerator) * 100n * 10n ** BigInt(decimals);
  const q = roundDiv(n, BigInt(denominator));
  return `${formatScaled(q, decimals, decimals, false)}%`;
}

/**
 * Splits an integer `total` across non-negative integer `weights` by the largest-remainder
 * (Hamilton) method: each part is the floor of its exact quota, and the units left over go one
 * each to the parts with the largest remainders (the earlier part wins a tie). The parts always
 * sum exactly to the total, each is within one unit of its exact quota, and a zero weight
 * always gets zero. A negative total is split as its absolute value and negated, so splitting
 * is symmetric.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  assertSafeInteger(total, 'the amount to split');
  weights.forEach((w, i) => {
    assertSafeInteger(w, `weight ${i + 1}`);
    if (w < 0) throw new RangeError(`weight ${i + 1} is negative`);
  });
  const sum = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (sum === 0n) {
    if (total === 0) return weights.map(() => 0);
    throw new RangeError('cannot split an amount when every weight is zero');
  }
  const sign = total < 0 ? -1 : 1;
  const t = BigInt(Math.abs(total));
  const floors = weights.map((w) => (t * BigInt(w)) / sum);
  const remainders = weights.map((w) => (t * BigInt(w)) % sum);
  let left = Number(t - floors.reduce((a, f) => a + f, 0n));
  const order = remainders
    .map((r, i) => [r, i] as const)
    .sort((a, b) => (a[0] === b[0] ? a[1] - b[1] : a[0] > b[0] ? -1 : 1));
  for (const [, i] of order) {
    if (left === 0) break;
    floors[i] = floors[i]! + 1n;
    left -= 1;
  }
  return floors.map((f) => sign * Number(f) || 0);
}

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * largestRemainder with plain integer arithmetic when total × sum(weights) is below 2^53, so
 * every product and remainder is exact: the same answer, without bigints (the property tests in
 * non-pay.test.ts check it). `sum` is the weights' sum; falls back to largestRemainder for a
 * negative total or larger figures.
 */
export function split(total: number, weights: ArrayLike<number>, sum: number): number[] {
  const n = weights.length;
  const parts = grownScratch(n);
  if (!splitInto(total, weights, 0, n, sum, parts)) return largestRemainder(total, Array.from(weights));
  return Array.from(parts.subarray(0, n));
}

/**
 * split(total, weights, sum), each part added to `target` at `at[i]`, without making arrays: the
 * same parts exactly (the property test in non-pay.test.ts checks it).
 */
export function addSplit(
  total: number,
  weights: ArrayLike<number>,
  sum: number,
  target: Float64Array,
  at: ArrayLike<number>,
): void {
  addSplitRange(total, weights, 0, weights.length, sum, target, at);
}

/**
 * addSplit over `weights[start]` to `weights[end − 1]` (whose sum is `sum`), each part added to
 * `target` at the same place of `at`: many small splits laid end to end in one pair of arrays.
 */
export function addSplitRange(
  total: number,
  weights: ArrayLike<number>,
  start: number,
  end: number,
  sum: number,
  target: Float64Array,
  at: ArrayLike<number>,
): void {
  const n = end - start;
  const scratch = grownScratch(n);
  const parts = splitInto(total, weights, start, n, sum, scratch)
    ? scratch
    : largestRemainder(
        total,
        Array.from({ length: n }, (_, i) => weights[start + i]!),
      );
  for (let i = 0; i < n; i++) target[at[start + i]!]! += parts[i]!;
}

// Scratch space, grown as needed: the baseline splits every post's FTE and pay and every non-pay
// line over the units and cells in its scope, hundreds of thousands of small splits, and arrays
// made for each were much of its garbage.
let scratchParts = new Float64Array(64);
let scratchKeys = new Float64Array(64);
function grownScratch(n: number): Float64Array {
  if (scratchParts.length < n) {
    const size = Math.max(n, scratchParts.length * 2);
    scratchParts = new Float64Array(size);
    scratchKeys = new Float64Array(size);
  }
  return scratchParts;
}

/**
 * Splits `total` over `weights[start]` to `weights[start + n − 1]` (whose sum is `sum`) by the
 * largest remainder, writing the parts to `parts[0]` to `parts[n − 1]`; false, with nothing
 * written, where integer arithmetic would not be exact (a negative total, a zero sum, or
 * total × sum at or beyond 2^53): use largestRemainder then.
 *
 * Which parts get the units left over: each part's remainder becomes one exact integer key,
 * remainder × n + (n − 1 − i), so that a larger remainder, then an earlier part, has the larger
 * key; the `left` largest keys are found by selection (Hoare's FIND, linear on average) rather
 * than by sorting them all (issue 12: sorting was most of the non-pay allocation's time). The
 * keys are distinct, so the set found is exactly the one a sort would give.
 */
export function splitInto(
  total: number,
  weights: ArrayLike<number>,
  start: number,
  n: number,
  sum: number,
  parts: Float64Array,
): boolean {
  if (total < 0 || sum <= 0 || total * sum > SAFE || sum * n > SAFE) return false;
  if (scratchKeys.length < n) grownScratch(n);
  const keys = scratchKeys;
  let left = total;
  for (let i = 0; i < n; i++) {
    const product = total * weights[start + i]!;
    let q = Math.floor(product / sum);
    let r = product - q * sum;
    // The division is rounded to the nearest double: the quotient may be one out either way.
    if (r < 0) {
      q -= 1;
      r += sum;
    } else if (r >= sum) {
      q += 1;
      r -= sum;
    }
    parts[i] = q;
    keys[i] = r * n + (n - 1 - i);
    left -= q;
  }
  if (left > 0) {
    // Hoare's FIND: the (n − left)th smallest key to position k, smaller keys before it and
    // larger after it; then the keys from k on are the `left` largest.
    const k = n - left;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const pivot = keys[k]!;
      let i = lo;
      let j = hi;
      do {
        while (keys[i]! < pivot) i++;
        while (pivot < keys[j]!) j--;
        if (i <= j) {
          const x = keys[i]!;
          keys[i] = keys[j]!;
          keys[j] = x;
          i++;
          j--;
        }
      } while (i <= j);
      if (j < k) lo = i;
      if (k < i) hi = j;
    }
    for (let m = k; m < n; m++) parts[n - 1 - (keys[m]! % n)]! += 1;
  }
  return true;
}

/** An exact fraction of bigints, denominator positive. Internal to the calculators. */
export interface Fraction {
  n: bigint;
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function fraction(n: bigint, d: bigint = 1n): Fraction {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export const addFractions = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d + b.n * a.d, a.d * b.d);
export const subtractFractions = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d - b.n * a.d, a.d * b.d);
export const multiplyFractions = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.n, a.d * b.d);
export const divideFractions = (a: Fraction, b: Fraction): Fraction => fraction(a.n * b.d, a.d * b.n);
export const compareFractions = (a: Fraction, b: Fraction): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};

function bitLength(n: bigint): number {
  return n === 0n ? 0 : (n < 0n ? -n : n).toString(2).length;
}

/** The nearest double to a fraction, even when numerator and denominator exceed 2^1024. */
export function fractionToNumber(f: Fraction): number {
  if (f.n === 0n) return 0;
  const shift = Math.max(0, 64 - (bitLength(f.n) - bitLength(f.d)));
  const q = (f.n << BigInt(shift)) / f.d;
  // Scale down in steps: 2^-shift alone underflows to zero before the product would.
  let value = Number(q);
  let left = shift;
  for (; left > 1000; left -= 1000) value *= 2 ** -1000;
  return value * 2 ** -left;
}

/**
 * The exact value of a finite double as a fraction (every double is a dyadic rational), so
 * rates given as numbers can enter exact money arithmetic without a second rounding.
 */
export function fractionFromNumber(x: number): Fraction {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  if (Number.isInteger(x)) return { n: BigInt(x), d: 1n };
  let d = 1n;
  let v = x;
  while (!Number.isInteger(v)) {
    v *= 2;
    d *= 2n;
  } // exact: doubling a double never rounds
  return fraction(BigInt(v), d);
}

/** A percentage as a whole number of basis points (hundredths of a percent): 100% = 10_000. */
export type BasisPoints = number;

export const WHOLE: BasisPoints = 10_000;

/** `"33.33"`, `"60%"`, `"0.5"` → basis points; refuses more than two decimal places. */
export function parsePercent(text: string): BasisPoints | undefined {
  return parseScaled(text.trim().replace(/\s*%$/, ''), 2);
}

/** 9950 → `99.5%` (trailing zeros dropped), 10000 → `100%`. */
export function formatBasisPoints(bp: BasisPoints): string {
  return `${formatScaled(bp, 2, 2, false).replace(/\.?0+$/, '')}%`;
}
