// Green Book economic appraisal of a business case's options (DIAGNOSTIC.md §5): discounting,
// present values, NPSV, BCR, payback, switching values, optimism bias and sensitivities.
//
// Representation: cash flows are whole pence per year (year 0 first, real base-year prices).
// Discount factors are exact fractions — with rates in basis points, DF_t = Π 10000/(10000+r_k)
// — and every present value is summed exactly and rounded to the penny once, at the end. No
// discounted term is ever held in binary floating point, so the results do not depend on the
// order of summation and a zero discount rate gives back the undiscounted sums exactly.
// NPSV is reported as PVB − PVC of the rounded values, so the published table adds up.
// Ratios (BCR, switching values) and payback years are dimensionless and returned as numbers
// computed from the exact values.

import {
  type BasisPoints,
  type Fraction,
  WHOLE,
  addFractions,
  divideFractions,
  fraction,
  fractionToNumber,
  multiplyFractions,
  roundDiv,
  subtractFractions,
  toSafeInteger,
} from './decimal.ts';
import { type Money, ZERO, multiplyMoney, pence, subtractMoney, sumMoney } from './money.ts';

/** A discount rate that applies from the end of the previous band through `throughYear`. */
export interface RateBand {
  /** Last year the rate applies to; undefined for the final, open-ended band. */
  throughYear: number | undefined;
  rate: BasisPoints;
}

/** HM Treasury Green Book schedule: 3.5% to year 30, then 3.0%, 2.5%, 2.0%, 1.5%, 1.0%. */
export const GREEN_BOOK_SCHEDULE: readonly RateBand[] = [
  { throughYear: 30, rate: 350 },
  { throughYear: 75, rate: 300 },
  { throughYear: 125, rate: 250 },
  { throughYear: 200, rate: 200 },
  { throughYear: 300, rate: 150 },
  { throughYear: undefined, rate: 100 },
];

export const ZERO_RATE_SCHEDULE: readonly RateBand[] = [{ throughYear: undefined, rate: 0 }];

/**
 * The Green Book's rates for health effects (HM Treasury, The Green Book 2022, §A6 "Discount
 * rates", and its annex on long-term discounting): 1.5% to year 30, then declining in the same
 * proportion as the standard schedule (1.5/3.5 of it): 1.286%, 1.071%, 0.857%, 0.643%, 0.429%.
 * Rates are in basis points to a tenth of a point, which discounting holds exactly.
 */
export const HEALTH_SCHEDULE: readonly RateBand[] = [
  { throughYear: 30, rate: 150 },
  { throughYear: 75, rate: 128.6 },
  { throughYear: 125, rate: 107.1 },
  { throughYear: 200, rate: 85.7 },
  { throughYear: 300, rate: 64.3 },
  { throughYear: undefined, rate: 42.9 },
];

export const DISCOUNT_SCHEDULES = {
  standard: { label: 'Green Book standard rate (3.5%, declining after year 30)', bands: GREEN_BOOK_SCHEDULE },
  health: { label: 'Green Book health rate (1.5%, declining after year 30)', bands: HEALTH_SCHEDULE },
} as const;
export type DiscountScheduleKey = keyof typeof DISCOUNT_SCHEDULES;
export const DISCOUNT_SCHEDULE_KEYS = Object.keys(DISCOUNT_SCHEDULES) as [
  DiscountScheduleKey,
  ...DiscountScheduleKey[],
];

/** A rate in basis points as a percentage: 350 → `3.5%`, 128.6 → `1.286%`. */
export function formatRate(bp: BasisPoints): string {
  return `${(Math.round(bp * 10) / 1_000).toFixed(3).replace(/0+$/, '').replace(/\.$/, '.0')}%`;
}

/** The schedule in words: "3.5% for years 0–30, 3.0% for years 31–75, …, 1.0% after year 300". */
export function describeSchedule(schedule: readonly RateBand[]): string {
  let from = 0;
  const parts: string[] = [];
  for (const band of schedule) {
    parts.push(
      band.throughYear === undefined
        ? `${formatRate(band.rate)} after year ${from - 1}`
        : `${formatRate(band.rate)} for years ${from}–${band.throughYear}`,
    );
    if (band.throughYear !== undefined) from = band.throughYear + 1;
  }
  return parts.join(', ');
}

/** A rate in tenths of a basis point, exactly; refuses anything finer or not more than −100%. */
function tenthsOfBasisPoint(r: BasisPoints): bigint {
  const tenths = Math.round(r * 10);
  if (!Number.isFinite(r) || Math.abs(r * 10 - tenths) > 1e-6 || tenths <= -WHOLE * 10)
    throw new RangeError(`a discount rate must be more than −100%, to a tenth of a basis point, not ${r} bp`);
  return BigInt(tenths);
}

/** The rate r_k used to discount year k back to year k − 1 (k ≥ 1). */
export function rateForYear(year: number, schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE): BasisPoints {
  if (!Number.isSafeInteger(year) || year < 1) throw new RangeError(`rates apply to years from 1, not ${year}`);
  for (const band of schedule) if (band.throughYear === undefined || year <= band.throughYear) return band.rate;
  throw new RangeError('a discount schedule must end with an open-ended band');
}

/** Exact discount factors for years 0..lastYear: DF_0 = 1, DF_t = DF_{t−1} / (1 + r_t). */
export function discountFactorsExact(
  lastYear: number,
  schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE,
): Fraction[] {
  const factors: Fraction[] = [{ n: 1n, d: 1n }];
  for (let t = 1; t <= lastYear; t += 1) {
    const r = tenthsOfBasisPoint(rateForYear(t, schedule));
    const whole = BigInt(WHOLE) * 10n;
    factors.push(multiplyFractions(factors[t - 1]!, fraction(whole, whole + r)));
  }
  return factors;
}

/** DF_t as a number, for display (4 decimal places in Green Book tables). */
export function discountFactor(year: number, schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE): number {
  if (!Number.isSafeInteger(year) || year < 0) throw new RangeError(`years are counted from 0, not ${year}`);
  return fractionToNumber(discountFactorsExact(year, schedule)[year]!);
}

/** Costs and benefits by year, year 0 first; the appraisal period is the longer of the two. */
export interface CashFlows {
  costs: readonly Money[];
  benefits: readonly Money[];
}

export interface Appraisal {
  /** Years appraised, counting year 0. */
  years: number;
  pvc: Money;
  pvb: Money;
  /** PVB − PVC. */
  npsv: Money;
  /** PVB / PVC; undefined when there are no costs. */
  bcr: number | undefined;
  /**
   * Years until the cumulative net flow turns non-negative for good, interpolated within the
   * year; 'never' when it ends the appraisal period negative; undefined when there are no flows.
   */
  payback: Payback;
  discountedPayback: Payback;
  /** NPSV / PVB: the fall in benefits that would make NPSV zero. */
  switchingBenefits: number | undefined;
  /** NPSV / PVC: the rise in costs that would make NPSV zero. */
  switchingCosts: number | undefined;
}

const ZERO_FRACTION: Fraction = { n: 0n, d: 1n };
const exactPence = (f: Fraction): Money => pence(toSafeInteger(roundDiv(f.n, f.d), 'a present value'));

/** Years to payback; 'never' within the appraisal period; undefined with nothing to pay back. */
export type Payback = number | 'never' | undefined;

/**
 * Payback on a series of net flows: the year after which the cumulative total stays
 * non-negative to the end of the appraisal period, less the share of that year's flow still
 * needed at its start (flows accrue evenly through the year). A cumulative total that is
 * non-negative, dips below zero and recovers pays back only when it recovers for good; one that
 * ends negative never pays back; no flows at all have no payback.
 */
function paybackOf(net: readonly Fraction[]): Payback {
  if (net.every((f) => f.n === 0n)) return undefined;
  let cumulative = ZERO_FRACTION;
  let lastNegative = -1;
  let beforeRecovery = ZERO_FRACTION;
  for (let t = 0; t < net.length; t += 1) {
    cumulative = addFractions(cumulative, net[t]!);
    if (cumulative.n < 0n) {
      lastNegative = t;
      beforeRecovery = cumulative;
    }
  }
  if (lastNegative === net.length - 1) return 'never';
  if (lastNegative < 0) return 0;
  const t = lastNegative + 1;
  return fractionToNumber(
    addFractions(fraction(BigInt(t - 1)), divideFractions(fraction(-beforeRecovery.n, beforeRecovery.d), net[t]!)),
  );
}

function appraiseExact(
  costs: readonly Fraction[],
  benefits: readonly Fraction[],
  schedule: readonly RateBand[],
): Appraisal {
  const years = Math.max(costs.length, benefits.length);
  const df = discountFactorsExact(Math.max(0, years - 1), schedule);
  let pvc = ZERO_FRACTION;
  let pvb = ZERO_FRACTION;
  const net: Fraction[] = [];
  const discountedNet: Fraction[] = [];
  for (let t = 0; t < years; t += 1) {
    const c = costs[t] ?? ZERO_FRACTION;
    const b = benefits[t] ?? ZERO_FRACTION;
    const dc = multiplyFractions(c, df[t]!);
    const db = multiplyFractions(b, df[t]!);
    pvc = addFractions(pvc, dc);
    pvb = addFractions(pvb, db);
    net.push(subtractFractions(b, c));
    discountedNet.push(subtractFractions(db, dc));
  }
  const npsvExact = subtractFractions(pvb, pvc);
  const ratio = (a: Fraction, b: Fraction) => (b.n === 0n ? undefined : fractionToNumber(divideFractions(a, b)));
  const pvcPence = exactPence(pvc);
  const pvbPence = exactPence(pvb);
  return {
    years,
    pvc: pvcPence,
    pvb: pvbPence,
    npsv: subtractMoney(pvbPence, pvcPence),
    bcr: ratio(pvb, pvc),
    payback: paybackOf(net),
    discountedPayback: paybackOf(discountedNet),
    switchingBenefits: ratio(npsvExact, pvb),
    switchingCosts: ratio(npsvExact, pvc),
  };
}

const asFractions = (amounts: readonly Money[]) => amounts.map((a) => fraction(BigInt(a)));

/** The Green Book appraisal of one option's cash flows (year 0 undiscounted). */
export function appraise(flows: CashFlows, schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE): Appraisal {
  return appraiseExact(asFractions(flows.costs), asFractions(flows.benefits), schedule);
}

export interface Sensitivities {
  base: Appraisal;
  /** Benefits 20% lower every year. */
  benefitsDown20: Appraisal;
  /** Costs 20% higher every year. */
  costsUp20: Appraisal;
  /** Benefits arrive one year later; the appraisal period stays the same, so the last year's benefit is lost. */
  delayedOneYear: Appraisal;
}

/** The standard sensitivities, scaled exactly (no rounding before the present values). */
export function sensitivities(flows: CashFlows, schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE): Sensitivities {
  const costs = asFractions(flows.costs);
  const benefits = asFractions(flows.benefits);
  const scale = (xs: Fraction[], percent: bigint) => xs.map((x) => multiplyFractions(x, fraction(percent, 100n)));
  const years = Math.max(costs.length, benefits.length);
  const delayed = [ZERO_FRACTION, ...benefits].slice(0, Math.max(years, 1));
  return {
    base: appraiseExact(costs, benefits, schedule),
    benefitsDown20: appraiseExact(costs, scale(benefits, 80n), schedule),
    costsUp20: appraiseExact(scale(costs, 120n), benefits, schedule),
    delayedOneYear: appraiseExact(costs, years === 0 ? [] : delayed, schedule),
  };
}

// ---------------------------------------------------------------------------------------------
// Optimism bias (Green Book supplementary guidance, Mott MacDonald 2002: generic upper and lower
// bounds; capital expenditure, except outsourcing, which is operating expenditure).

export type OptimismBiasCategory =
  | 'standard-buildings'
  | 'non-standard-buildings'
  | 'standard-civil-engineering'
  | 'non-standard-civil-engineering'
  | 'equipment-development'
  | 'outsourcing';

export interface OptimismBiasBound {
  label: string;
  spend: 'capex' | 'opex';
  upper: BasisPoints;
  /** Where full mitigation is expected to lead; shown for reference, not enforced. */
  lower: BasisPoints;
}

export const OPTIMISM_BIAS: Record<OptimismBiasCategory, OptimismBiasBound> = {
  'standard-buildings': { label: 'Standard buildings', spend: 'capex', upper: 2_400, lower: 200 },
  'non-standard-buildings': { label: 'Non-standard buildings', spend: 'capex', upper: 5_100, lower: 400 },
  'standard-civil-engineering': { label: 'Standard civil engineering', spend: 'capex', upper: 4_400, lower: 300 },
  'non-standard-civil-engineering': {
    label: 'Non-standard civil engineering',
    spend: 'capex',
    upper: 6_600,
    lower: 600,
  },
  'equipment-development': { label: 'Equipment and development', spend: 'capex', upper: 20_000, lower: 1_000 },
  outsourcing: { label: 'Outsourcing', spend: 'opex', upper: 4_100, lower: 0 },
};

export interface CostLine {
  label: string;
  /** By year, year 0 first. */
  amounts: readonly Money[];
  /** Lines without a category (e.g. redundancy) carry no optimism bias uplift, unless one is stated. */
  optimismBias?: OptimismBiasCategory;
  /**
   * An uplift the officer states for this line instead of a category's (e.g. +10% on other
   * costs, with the reason recorded beside it); it takes the place of the category's bound.
   */
  statedUplift?: BasisPoints;
}

/** The highest uplift an officer may state for a line (1,000%): more than any Green Book bound. */
export const MAX_STATED_UPLIFT: BasisPoints = 100_000;

/** The uplift a cost line carries, as a fraction of the line (0.1 for +10%), after mitigation. */
export function lineUplift(line: CostLine, settings: OptimismBiasSettings = {}): Fraction {
  if (line.statedUplift !== undefined) {
    const u = line.statedUplift;
    if (!Number.isSafeInteger(u) || u < 0 || u > MAX_STATED_UPLIFT)
      throw new RangeError(`a stated uplift must be 0–1,000% in basis points, not ${u}`);
    return fraction(BigInt(u), BigInt(WHOLE));
  }
  if (line.optimismBias === undefined) return ZERO_FRACTION;
  const u = optimismBiasUplift(line.optimismBias, settings.mitigation?.[line.optimismBias] ?? 0);
  return fraction(u.n, u.d * BigInt(WHOLE));
}

export interface BenefitLine {
  label: string;
  amounts: readonly Money[];
}

export interface OptimismBiasSettings {
  /** Share of the upper bound removed by recorded mitigation, per category (0 = none, 10000 = all). */
  mitigation?: Partial<Record<OptimismBiasCategory, BasisPoints>>;
  /** Reduction applied to every benefit (the Green Book gives no generic figure; 0 by default). */
  benefitReduction?: BasisPoints;
}

/** The uplift in basis points after mitigation: upper × (1 − mitigation), as the guidance applies it. */
export function optimismBiasUplift(category: OptimismBiasCategory, mitigation: BasisPoints = 0): Fraction {
  if (!Number.isSafeInteger(mitigation) || mitigation < 0 || mitigation > WHOLE)
    throw new RangeError(`mitigation must be 0–100% in basis points, not ${mitigation}`);
  return fraction(BigInt(OPTIMISM_BIAS[category].upper) * BigInt(WHOLE - mitigation), BigInt(WHOLE));
}

function sumByYear(lines: readonly { amounts: readonly Money[] }[]): Money[] {
  const years = Math.max(0, ...lines.map((l) => l.amounts.length));
  return Array.from({ length: years }, (_, t) => sumMoney(lines.map((l) => l.amounts[t] ?? ZERO)));
}

/** Yearly totals of cost and benefit lines, each cost uplifted and each benefit reduced as set. */
export function flowsWithOptimismBias(
  costs: readonly CostLine[],
  benefits: readonly BenefitLine[],
  settings: OptimismBiasSettings = {},
): CashFlows & { uplift: Money[] } {
  const reduction = settings.benefitReduction ?? 0;
  if (!Number.isSafeInteger(reduction) || reduction < 0 || reduction > WHOLE)
    throw new RangeError(`a benefit reduction must be 0–100% in basis points, not ${reduction}`);
  const upliftLines = costs.map((line) => {
    const u = lineUplift(line, settings);
    if (u.n === 0n) return { amounts: [] as Money[] };
    return { amounts: line.amounts.map((a) => multiplyMoney(a, u.n, u.d)) };
  });
  const uplift = sumByYear(upliftLines);
  const base = sumByYear(costs);
  const years = Math.max(base.length, uplift.length);
  return {
    costs: Array.from({ length: years }, (_, t) => pence((base[t] ?? ZERO) + (uplift[t] ?? ZERO))),
    benefits: sumByYear(benefits).map((b) => multiplyMoney(b, WHOLE - reduction, WHOLE)),
    uplift,
  };
}
