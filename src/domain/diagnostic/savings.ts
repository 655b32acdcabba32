// Savings opportunities: gaps to benchmarks, the other levers, and how levers on one cost pool
// combine without counting the same pound twice (DIAGNOSTIC.md §4).
//
// Every result is whole pence, rounded once, halves away from zero. Rates (unit costs in pence
// per unit, ratios, target spans) may arrive as numbers — typically from an interpolated
// quartile — and are converted to the exact fraction each double stands for before any
// arithmetic, so the only rounding is the final one to the penny. Percentages (productivity
// gain, achievability, realisation, lever shares) are whole basis points.

import {
  type BasisPoints,
  type Fraction,
  WHOLE,
  fraction,
  fractionFromNumber,
  fractionToNumber,
  roundDiv,
  subtractFractions,
  toSafeInteger,
} from './decimal.ts';
import { type Money, ZERO, basisPointsOf, minMoney, multiplyMoney, pence } from './money.ts';
import { type BenchmarkSet, type Direction, bestQuartile } from './quartiles.ts';
import { type Fte, FTE_SCALE } from './baseline.ts';

/** The two targets a gap is measured to: the median (low case) and the best quartile (high case). */
export interface GapTargets {
  median: number;
  best: number;
}

export function gapTargets(set: BenchmarkSet, direction: Direction): GapTargets {
  return { median: set.p50, best: bestQuartile(set, direction) };
}

export interface GapSaving {
  /** Gap to the median. */
  low: Money;
  /** Gap to the best quartile. */
  high: Money;
  achievability: BasisPoints;
  achievableLow: Money;
  achievableHigh: Money;
}

function checkShare(bp: BasisPoints, what: string): void {
  if (!Number.isSafeInteger(bp) || bp < 0 || bp > WHOLE)
    throw new RangeError(`${what} must be between 0% and 100% in basis points, not ${bp}`);
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number, zero or more, not ${n}`);
}

const toPence = (f: Fraction): Money => pence(toSafeInteger(roundDiv(f.n, f.d), 'the saving'));
const positive = (f: Fraction): Fraction => (f.n < 0n ? { n: 0n, d: 1n } : f);
/** max(0, x − target), exactly. */
const excessOver = (x: Fraction, target: number): Fraction =>
  positive(subtractFractions(x, fractionFromNumber(target)));

function gapSaving(saving: (target: number) => Money, targets: GapTargets, achievability: BasisPoints): GapSaving {
  checkShare(achievability, 'The achievability factor');
  const low = saving(targets.median);
  const high = saving(targets.best);
  return {
    low,
    high,
    achievability,
    achievableLow: basisPointsOf(low, achievability),
    achievableHigh: basisPointsOf(high, achievability),
  };
}

/** Unit cost gap: max(0, x − target) × volume, with x and the targets in pence per unit. */
export function unitCostGap(input: {
  unitCost: number;
  volume: number;
  targets: GapTargets;
  achievability: BasisPoints;
}): GapSaving {
  checkCount(input.volume, 'A volume');
  const x = fractionFromNumber(input.unitCost);
  return gapSaving(
    (target) => {
      const gap = excessOver(x, target);
      return toPence(fraction(gap.n * BigInt(input.volume), gap.d));
    },
    input.targets,
    input.achievability,
  );
}

/** Ratio gap: max(0, r − target) × denominator (e.g. cost as a share of ORC × ORC). */
export function ratioGap(input: {
  ratio: number;
  denominator: Money;
  targets: GapTargets;
  achievability: BasisPoints;
}): GapSaving {
  if (input.denominator < 0) throw new RangeError('The denominator of a ratio cannot be negative');
  const r = fractionFromNumber(input.ratio);
  return gapSaving(
    (target) => {
      const gap = excessOver(r, target);
      return toPence(fraction(gap.n * BigInt(input.denominator), gap.d));
    },
    input.targets,
    input.achievability,
  );
}

/**
 * Staffing ratio gap: max(0, FTE − headcount/targetRatio) × average loaded cost, where the ratio
 * is employees per function FTE (higher is better), so the "best" target is the 75th percentile.
 */
export function staffingRatioGap(input: {
  fte: Fte;
  headcount: number;
  targets: GapTargets;
  averageLoadedCost: Money;
  achievability: BasisPoints;
}): GapSaving {
  checkCount(input.headcount, 'A headcount');
  if (input.fte < 0 || input.averageLoadedCost < 0) throw new RangeError('FTE and average cost cannot be negative');
  return gapSaving(
    (target) => {
      if (!(target > 0)) throw new RangeError(`a target ratio must be more than zero, not ${target}`);
      const t = fractionFromNumber(target);
      // excess FTE = fte/FTE_SCALE − headcount/t = (fte·t − headcount·FTE_SCALE) / (FTE_SCALE·t)
      const excess = positive(
        fraction(BigInt(input.fte) * t.n - BigInt(input.headcount) * BigInt(FTE_SCALE) * t.d, BigInt(FTE_SCALE) * t.n),
      );
      return toPence(fraction(excess.n * BigInt(input.averageLoadedCost), excess.d));
    },
    input.targets,
    input.achievability,
  );
}

/** Consolidating dispersed transactional work: the productivity gain on the dispersed pay cost. */
export function consolidationSaving(input: { dispersedPayCost: Money; productivityGain: BasisPoints }): Money {
  checkShare(input.productivityGain, 'A productivity gain');
  return basisPointsOf(input.dispersedPayCost, input.productivityGain);
}

/** Spans and layers: (M − M*) × average manager cost × realisation, never below zero. */
export function spansAndLayersSaving(input: {
  managers: number;
  managersNeeded: number;
  averageManagerCost: Money;
  realisation: BasisPoints;
}): Money {
  checkCount(input.managers, 'The number of managers');
  checkCount(input.managersNeeded, 'The number of managers needed');
  checkShare(input.realisation, 'A realisation rate');
  const excess = Math.max(0, input.managers - input.managersNeeded);
  return multiplyMoney(input.averageManagerCost, BigInt(excess) * BigInt(input.realisation), WHOLE);
}

/** Automation or channel shift: volume shifted × unit-cost difference (pence per unit), never below zero. */
export function automationSaving(input: { volumeShifted: number; unitCostDifference: number }): Money {
  checkCount(input.volumeShifted, 'A volume shifted');
  const d = positive(fractionFromNumber(input.unitCostDifference));
  return toPence(fraction(d.n * BigInt(input.volumeShifted), d.d));
}

export interface CombinedSaving {
  saving: Money;
  /** 1 − Π(1 − sᵢ), exactly. */
  shareExact: Fraction;
  share: number;
}

/**
 * Levers on one pool, each a share of what the others leave: C × (1 − Π(1 − sᵢ)), rounded once.
 * It never exceeds the pool, and is never more than the naive sum of the shares.
 */
export function combineLeverShares(pool: Money, shares: readonly BasisPoints[]): CombinedSaving {
  if (pool < 0) throw new RangeError('A cost pool cannot be negative');
  shares.forEach((s, i) => checkShare(s, `Lever ${i + 1}`));
  const den = BigInt(WHOLE) ** BigInt(shares.length);
  const left = shares.reduce((p, s) => p * BigInt(WHOLE - s), 1n);
  const shareExact = fraction(den - left, den);
  const saving = minMoney(pool, multiplyMoney(pool, shareExact.n, shareExact.d));
  return { saving, shareExact, share: fractionToNumber(shareExact) };
}

/**
 * Levers given as amounts on one pool (each capped at the pool): the same rule with
 * sᵢ = aᵢ / C, so two levers of £6m on a £9m pool save £8m, not £12m.
 */
export function combineLeverAmounts(pool: Money, amounts: readonly Money[]): CombinedSaving {
  if (pool < 0) throw new RangeError('A cost pool cannot be negative');
  if (pool === 0) return { saving: ZERO, shareExact: { n: 0n, d: 1n }, share: 0 };
  const c = BigInt(pool);
  const den = c ** BigInt(amounts.length);
  const left = amounts.reduce((p, a) => p * (c - BigInt(Math.min(Math.max(a, 0), pool))), 1n);
  const shareExact = fraction(den - left, den);
  const saving = minMoney(pool, multiplyMoney(pool, shareExact.n, shareExact.d));
  return { saving, shareExact, share: fractionToNumber(shareExact) };
}
