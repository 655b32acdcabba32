// Savings levers worked out from the diagnostic's data, each with the sentences that derive its
// figures (DIAGNOSTIC.md §3–4), so the officer sees the working and accepts or overrides it:
//
//   benchmark gap   a percentage of running costs: max(0, r − target) × ORC
//                   a unit cost: max(0, x − target) × the process's volume (Volumes sheet)
//   ratio           staff of a function per employees: max(0, FTE − FTE needed at the target) × average loaded cost
//   spans & layers  (M − M*) × average manager cost × realisation, M* = ceil((W − 1)/(t − 1))
//   consolidation   productivity gains on the transactional pay done outside the central function
//   automation      volume × share shifted × (unit cost − target unit cost)
//
// Low and high are the two ends of the range and central the officer's own assumption (or
// halfway, where the method has no central case); every figure is whole pence, rounded once.
// Pure: the numbers come from the caller (the baseline, a benchmark set, the officer's inputs).

import { type BasisPoints, WHOLE, formatBasisPoints, formatScaled, roundDiv, toSafeInteger } from './decimal.ts';
import { type Money, formatMoney, multiplyMoney, pence } from './money.ts';
import { type Fte, FTE_SCALE, formatFte } from './baseline.ts';
import { type BenchmarkSet, type Direction, bestQuartile } from './quartiles.ts';
import { CONSOLIDATION_GAINS, type SavingRange } from './programme.ts';

export interface LeverWorking extends SavingRange {
  /** What the figures rest on, then one sentence per figure (low, central, high). */
  basis: string;
  lines: { low: string; central: string; high: string };
}

export type LeverResult = { ok: true; working: LeverWorking } | { ok: false; field: string; reason: string };

const refuse = (field: string, reason: string): LeverResult => ({ ok: false, field, reason });
const money = (m: Money) => formatMoney(m);
const whole = (n: number) => formatScaled(n, 0, 0);
const halfway = (a: Money, b: Money): Money =>
  pence(toSafeInteger(roundDiv(BigInt(a) + BigInt(b), 2n), 'the central saving'));
/** A count's average of an amount, to the penny: the figure the sentences multiply. */
const averageOf = (total: Money, count: number): Money => multiplyMoney(total, 1, count);
/** Exact decimal text of a rate held as a JS number (a quartile), to `places` places. */
const decimal = (x: number, places: number) => formatScaled(Math.round(x * 10 ** places), places, places);

// ---------------------------------------------------------------------------------------------
// Spans and layers

export function spansAndLayersLever(input: {
  /** M: posts managing at least one other. */
  managers: number;
  /** W = N − M. */
  workers: number;
  /** Reports to managers in the list (N − 1 for one tree): the average span is reports / M. */
  reports: number;
  /** The loaded pay of the M manager posts. */
  managerPay: Money;
  targetSpan: number;
  realisation: BasisPoints;
}): LeverResult {
  const { managers: m, workers: w, targetSpan: t } = input;
  if (!Number.isSafeInteger(t) || t < 2 || t > 50)
    return refuse('targetSpan', 'Enter a target span between 2 and 50 reports per manager');
  if (!Number.isSafeInteger(input.realisation) || input.realisation < 0 || input.realisation > WHOLE)
    return refuse('realisation', 'Enter a realisation rate between 0% and 100%');
  if (m === 0) return refuse('lever', 'The posts have no manager recorded, so there are no spans to work from');
  const average = averageOf(input.managerPay, m);
  const needed = (span: number) => (w <= 1 ? 0 : Math.floor((w - 1 + span - 2) / (span - 1)));
  const at = (span: number) => {
    const need = needed(span);
    const excess = Math.max(0, m - need);
    const saving = multiplyMoney(average, BigInt(excess) * BigInt(input.realisation), WHOLE);
    const line =
      excess === 0
        ? `at a target of ${span}, ${whole(need)} managers are needed, no fewer than now: £0`
        : `at a target of ${span}, ${whole(need)} managers are needed: ${whole(excess)} × ${money(average)} × ${formatBasisPoints(input.realisation)} = ${money(saving)}`;
    return { saving, line };
  };
  const low = at(Math.max(2, t - 1));
  const central = at(t);
  const high = at(t + 1);
  const span = formatScaled(roundDiv(BigInt(input.reports) * 100n, BigInt(m)), 2, 2);
  return {
    ok: true,
    working: {
      low: low.saving,
      central: central.saving,
      high: high.saving,
      basis: `${whole(m)} managers for ${whole(w)} staff, average span ${span}; the average manager post costs ${money(average)}. Low is a target one below the chosen span, high one above.`,
      lines: { low: low.line, central: central.line, high: high.line },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Benchmark gaps

interface GapEnds {
  medianText: string;
  bestText: string;
  lowGross: Money;
  highGross: Money;
  lowGapText: string;
  highGapText: string;
}

function withAchievability(
  ends: GapEnds,
  achievability: BasisPoints,
  basis: string,
  scale: (gapText: string) => string,
): LeverResult {
  if (!Number.isSafeInteger(achievability) || achievability < 0 || achievability > WHOLE)
    return refuse('achievability', 'Enter an achievability factor between 0% and 100%');
  const low = multiplyMoney(ends.lowGross, achievability, WHOLE);
  const high = multiplyMoney(ends.highGross, achievability, WHOLE);
  const central = halfway(low, high);
  const a = formatBasisPoints(achievability);
  return {
    ok: true,
    working: {
      low,
      central,
      high,
      basis,
      lines: {
        low: `to the median (${ends.medianText}): ${scale(ends.lowGapText)} × ${a} achievable = ${money(low)}`,
        central: `halfway between the low and high figures: ${money(central)}`,
        high: `to the best quartile (${ends.bestText}): ${scale(ends.highGapText)} × ${a} achievable = ${money(high)}`,
      },
    },
  };
}

/** A gap that only counts downwards: max(0, own − target) in the same exact scaled integers. */
const excess = (own: bigint, target: bigint) => (own > target ? own - target : 0n);

/**
 * A cost as a percentage of running costs: max(0, r − target) × ORC. Percentages are compared in
 * millionths of a percent (a quartile is an interpolated number), then priced once.
 */
export function percentageGapLever(input: {
  what: string;
  /** The organisation's own value, in percent (2.4 for 2.4%). */
  value: number;
  set: BenchmarkSet;
  direction: Direction;
  runningCosts: Money;
  achievability: BasisPoints;
}): LeverResult {
  if (input.direction !== 'lower-is-better')
    return refuse(
      'benchmarkSetId',
      'Savings are priced from a cost measure where lower is better; this benchmark is higher-is-better',
    );
  if (input.runningCosts <= 0)
    return refuse('benchmarkSetId', 'The exercise has no running costs to price a percentage gap against');
  const SCALE = 1_000_000; // millionths of a percent
  const scaled = (x: number) => BigInt(Math.round(x * SCALE));
  const own = scaled(input.value);
  const median = input.set.p50;
  const best = bestQuartile(input.set, input.direction);
  const gross = (gap: bigint) => multiplyMoney(input.runningCosts, gap, BigInt(SCALE) * 100n);
  const lowGap = excess(own, scaled(median));
  const highGap = excess(own, scaled(best));
  const pct = (g: bigint) => `${formatScaled(g, 6, 2)}%`;
  return withAchievability(
    {
      medianText: `${decimal(median, 2)}%`,
      bestText: `${decimal(best, 2)}%`,
      lowGross: gross(lowGap),
      highGross: gross(highGap),
      lowGapText: pct(lowGap),
      highGapText: pct(highGap),
    },
    input.achievability,
    `${input.what} is ${decimal(input.value, 2)}% of running costs of ${money(input.runningCosts)}.`,
    (gap) => `${gap} × ${money(input.runningCosts)}`,
  );
}

/** A unit cost: max(0, x − target) × volume, with costs in pounds per unit (to the tenth of a penny). */
export function unitCostGapLever(input: {
  what: string;
  /** The organisation's unit cost, in pounds. */
  value: number;
  volume: number;
  driver: string;
  set: BenchmarkSet;
  direction: Direction;
  achievability: BasisPoints;
}): LeverResult {
  if (input.direction !== 'lower-is-better')
    return refuse(
      'benchmarkSetId',
      'Savings are priced from a cost measure where lower is better; this benchmark is higher-is-better',
    );
  if (!Number.isSafeInteger(input.volume) || input.volume <= 0)
    return refuse('costPool', `The Volumes sheet gives no ${input.driver || 'volume'} for ${input.what}`);
  const SCALE = 100_000; // thousandths of a penny
  const scaled = (pounds: number) => BigInt(Math.round(pounds * SCALE));
  const own = scaled(input.value);
  const median = input.set.p50;
  const best = bestQuartile(input.set, input.direction);
  const gross = (gap: bigint) => pence(toSafeInteger(roundDiv(gap * BigInt(input.volume), 1_000n), 'the saving'));
  const lowGap = excess(own, scaled(median));
  const highGap = excess(own, scaled(best));
  const perUnit = (g: bigint) => `£${formatScaled(g, 5, 2)}`;
  const volume = `${whole(input.volume)}${input.driver ? ` ${input.driver.toLowerCase()}` : ''}`;
  return withAchievability(
    {
      medianText: `£${decimal(median, 2)}`,
      bestText: `£${decimal(best, 2)}`,
      lowGross: gross(lowGap),
      highGross: gross(highGap),
      lowGapText: perUnit(lowGap),
      highGapText: perUnit(highGap),
    },
    input.achievability,
    `${input.what} costs £${decimal(input.value, 2)} a unit for ${volume}.`,
    (gap) => `${gap} × ${whole(input.volume)}`,
  );
}

/**
 * A ratio lever: the staff of a function against the organisation's employees. Either
 * employees per function FTE (higher is better, e.g. 150 employees per HR FTE) or FTE per 1,000
 * employees (lower is better). Excess FTE = FTE − FTE needed at the target; the saving is the
 * excess × the function's average loaded cost per FTE.
 */
export function staffingRatioLever(input: {
  what: string;
  kind: 'employees-per-fte' | 'fte-per-thousand';
  fte: Fte;
  payCost: Money;
  headcount: number;
  set: BenchmarkSet;
  direction: Direction;
  achievability: BasisPoints;
}): LeverResult {
  if (!Number.isSafeInteger(input.headcount) || input.headcount <= 0)
    return refuse('benchmarkSetId', 'The exercise has no headcount: enter it on the exercise to use a staffing ratio');
  if (input.fte <= 0) return refuse('costPool', `Nobody's time is on ${input.what}, so there is no staff to compare`);
  const expectedDirection = input.kind === 'employees-per-fte' ? 'higher-is-better' : 'lower-is-better';
  if (input.direction !== expectedDirection)
    return refuse(
      'benchmarkSetId',
      `A benchmark of ${input.kind === 'employees-per-fte' ? 'employees per FTE' : 'FTE per 1,000 employees'} must be ${expectedDirection}`,
    );
  const averagePerFte = multiplyMoney(input.payCost, FTE_SCALE, input.fte);
  // FTE needed at a target, in ten-thousandths of an FTE, rounded up (a part post still costs).
  const SCALE = 1_000_000;
  const needed = (target: number): bigint => {
    const t = BigInt(Math.round(target * SCALE));
    if (t <= 0n) return 0n;
    const num =
      input.kind === 'employees-per-fte'
        ? BigInt(input.headcount) * BigInt(FTE_SCALE) * BigInt(SCALE)
        : t * BigInt(input.headcount) * BigInt(FTE_SCALE);
    const den = input.kind === 'employees-per-fte' ? t : 1_000n * BigInt(SCALE);
    return (num + den - 1n) / den;
  };
  const median = input.set.p50;
  const best = bestQuartile(input.set, input.direction);
  const gross = (target: number) => {
    const over = excess(BigInt(input.fte), needed(target));
    return { over, saving: multiplyMoney(averagePerFte, over, FTE_SCALE) };
  };
  const lo = gross(median);
  const hi = gross(best);
  const ratio =
    input.kind === 'employees-per-fte'
      ? `${formatScaled(roundDiv(BigInt(input.headcount) * BigInt(FTE_SCALE) * 100n, BigInt(input.fte)), 2, 2)} employees per FTE`
      : `${formatScaled(roundDiv(BigInt(input.fte) * 1_000n * 100n, BigInt(input.headcount) * BigInt(FTE_SCALE)), 2, 2)} FTE per 1,000 employees`;
  const unit = input.kind === 'employees-per-fte' ? ' employees per FTE' : ' FTE per 1,000 employees';
  const fte = (n: bigint) => `${formatFte(Number(n) as Fte)} FTE`;
  return withAchievability(
    {
      medianText: `${decimal(median, 2)}${unit}, ${fte(needed(median))} needed`,
      bestText: `${decimal(best, 2)}${unit}, ${fte(needed(best))} needed`,
      lowGross: lo.saving,
      highGross: hi.saving,
      lowGapText: fte(lo.over),
      highGapText: fte(hi.over),
    },
    input.achievability,
    `${input.what} has ${formatFte(input.fte)} FTE for ${whole(input.headcount)} employees (${ratio}); its average loaded cost is ${money(averagePerFte)} per FTE.`,
    (gap) => `${gap} × ${money(averagePerFte)}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Consolidation and automation

export function consolidationLever(input: {
  what: string;
  dispersedPay: Money;
  achievability: BasisPoints;
}): LeverResult {
  if (!Number.isSafeInteger(input.achievability) || input.achievability < 0 || input.achievability > WHOLE)
    return refuse('achievability', 'Enter an achievability factor between 0% and 100%');
  if (input.dispersedPay <= 0)
    return refuse(
      'costPool',
      `The baseline shows no transactional work on ${input.what} done outside its central function, so there is nothing to consolidate`,
    );
  const a = formatBasisPoints(input.achievability);
  const [low, central, high] = CONSOLIDATION_GAINS.map((g) => {
    const saving = multiplyMoney(
      input.dispersedPay,
      BigInt(g) * BigInt(input.achievability),
      BigInt(WHOLE) * BigInt(WHOLE),
    );
    return {
      saving,
      line: `a ${formatBasisPoints(g)} productivity gain: ${money(input.dispersedPay)} × ${formatBasisPoints(g)} × ${a} achievable = ${money(saving)}`,
    };
  }) as [{ saving: Money; line: string }, { saving: Money; line: string }, { saving: Money; line: string }];
  return {
    ok: true,
    working: {
      low: low.saving,
      central: central.saving,
      high: high.saving,
      basis: `Transactional work on ${input.what} done outside its central function costs ${money(input.dispersedPay)} in pay.`,
      lines: { low: low.line, central: central.line, high: high.line },
    },
  };
}

/**
 * Automation or channel shift on one process: volume × share shifted × (unit cost − target).
 * Low shifts half the chosen share, high one and a half times it (never more than all of it).
 */
export function automationLever(input: {
  what: string;
  volume: number;
  driver: string;
  unitCost: Money;
  targetUnitCost: Money;
  share: BasisPoints;
}): LeverResult {
  if (!Number.isSafeInteger(input.share) || input.share <= 0 || input.share > WHOLE)
    return refuse('shiftedShare', 'Enter the share of the volume shifted, more than 0% and at most 100%');
  if (input.targetUnitCost < 0) return refuse('targetUnitCost', 'The target unit cost cannot be negative');
  if (input.targetUnitCost >= input.unitCost)
    return refuse(
      'targetUnitCost',
      `The target unit cost must be below today's ${money(input.unitCost)} a unit, or there is nothing to save`,
    );
  if (!Number.isSafeInteger(input.volume) || input.volume <= 0)
    return refuse('costPool', `The Volumes sheet gives no ${input.driver || 'volume'} for ${input.what}`);
  const difference = input.unitCost - input.targetUnitCost;
  const at = (share: BasisPoints) => {
    const saving = multiplyMoney(pence(difference), BigInt(input.volume) * BigInt(share), WHOLE);
    return {
      saving,
      line: `${formatBasisPoints(share)} of ${whole(input.volume)} shifted × ${money(pence(difference))} saved a unit = ${money(saving)}`,
    };
  };
  const low = at(Math.round(input.share / 2));
  const central = at(input.share);
  const high = at(Math.min(WHOLE, Math.round((input.share * 3) / 2)));
  return {
    ok: true,
    working: {
      low: low.saving,
      central: central.saving,
      high: high.saving,
      basis: `${input.what} costs ${money(input.unitCost)} a unit for ${whole(input.volume)}${input.driver ? ` ${input.driver.toLowerCase()}` : ''}; a shifted unit would cost ${money(input.targetUnitCost)}. Low shifts half the chosen share, high one and a half times it.`,
      lines: { low: low.line, central: central.line, high: high.line },
    },
  };
}

/** The working as plain sentences, for pages, the audit trail and the API. */
export function describeWorking(w: LeverWorking): string {
  return `${w.basis} Low: ${w.lines.low}. Central: ${w.lines.central}. High: ${w.lines.high}.`;
}
