// The efficiency programme's rules after the baseline (DIAGNOSTIC.md §4–7), built on the
// calculators beside this file: savings opportunities combined per cost pool without counting a
// pound twice, a saving derived from a benchmark gap, a business case's cash flows by year and
// category with its Green Book appraisal, dependency loops in an implementation plan, and the
// savings that qualify for a gain-share evaluation. Pure: no storage, no formatting for pages.

import { type BasisPoints, roundDiv, toSafeInteger } from './decimal.ts';
import { type Money, ZERO, addMoney, parseMoney, pence, sumMoney } from './money.ts';
import { type BenchmarkSet, type Direction, compareWithBenchmark } from './quartiles.ts';
import { ratioGap, unitCostGap, gapTargets, combineLeverAmounts, consolidationSaving } from './savings.ts';
import {
  type Appraisal,
  type CostLine,
  type BenefitLine,
  type OptimismBiasSettings,
  type OptimismBiasCategory,
  type Sensitivities,
  appraise,
  flowsWithOptimismBias,
  sensitivities,
} from './appraisal.ts';

// ---------------------------------------------------------------------------------------------
// Opportunities

export const LEVERS = [
  'benchmark-gap',
  'consolidation',
  'spans-and-layers',
  'automation',
  'standardisation',
  'sourcing',
] as const;
export type Lever = (typeof LEVERS)[number];

export const LEVER_LABELS: Record<Lever, string> = {
  'benchmark-gap': 'Benchmark gap',
  consolidation: 'Consolidation',
  'spans-and-layers': 'Spans and layers',
  automation: 'Automation and channel shift',
  standardisation: 'Standardisation',
  sourcing: 'Sourcing',
};

export type Confidence = 'low' | 'medium' | 'high';

export interface SavingRange {
  low: Money;
  central: Money;
  high: Money;
}

export interface PooledOpportunity extends SavingRange {
  id: string;
  costPool: string;
  poolCost: Money;
}

/** What is wrong with a range on a pool, field by field (empty when it is sound). */
export function rangeIssues(
  r: SavingRange,
  poolCost: Money,
): { field: keyof SavingRange | 'poolCost'; message: string }[] {
  const issues: { field: keyof SavingRange | 'poolCost'; message: string }[] = [];
  if (poolCost < 0) issues.push({ field: 'poolCost', message: 'The cost pool cannot be negative' });
  if (r.low < 0) issues.push({ field: 'low', message: 'The low saving cannot be negative' });
  if (r.central < r.low)
    issues.push({ field: 'central', message: 'The central saving must be at least the low saving' });
  if (r.high < r.central)
    issues.push({ field: 'high', message: 'The high saving must be at least the central saving' });
  if (r.high > poolCost)
    issues.push({ field: 'high', message: 'The high saving cannot be more than the cost pool it comes from' });
  return issues;
}

export interface PoolTotal extends SavingRange {
  costPool: string;
  poolCost: Money;
  /** Sums of the opportunities' own figures, before the overlap is taken out. */
  naive: SavingRange;
  opportunities: number;
}

/**
 * Opportunities on the same cost pool are levers on one base: each saves a share of what the
 * others leave, so a pool saves C × (1 − Π(1 − aᵢ/C)) and never more than C. The pool's cost is
 * the largest stated for it (they should agree; the largest never understates the base).
 * Pools are returned in first-seen order; `total` adds the pools, which do not overlap.
 */
export function combineByPool(opportunities: readonly PooledOpportunity[]): { pools: PoolTotal[]; total: SavingRange } {
  const groups = new Map<string, PooledOpportunity[]>();
  for (const o of opportunities) {
    const list = groups.get(o.costPool) ?? [];
    list.push(o);
    groups.set(o.costPool, list);
  }
  const pools: PoolTotal[] = [];
  for (const [costPool, list] of groups) {
    const poolCost = list.reduce((m, o) => (o.poolCost > m ? o.poolCost : m), ZERO);
    const combine = (k: keyof SavingRange) =>
      combineLeverAmounts(
        poolCost,
        list.map((o) => o[k]),
      ).saving;
    const naive = (k: keyof SavingRange) => sumMoney(list.map((o) => o[k]));
    pools.push({
      costPool,
      poolCost,
      opportunities: list.length,
      low: combine('low'),
      central: combine('central'),
      high: combine('high'),
      naive: { low: naive('low'), central: naive('central'), high: naive('high') },
    });
  }
  const total = (k: keyof SavingRange) => sumMoney(pools.map((p) => p[k]));
  return { pools, total: { low: total('low'), central: total('central'), high: total('high') } };
}

/**
 * The saving a benchmark gap points to: low is the gap to the median, high the gap to the best
 * quartile (the right end for the measure's direction), each times the achievability factor;
 * central is halfway between, to the penny. A percentage measure (unit "%", e.g. cost as a share
 * of running costs) is a ratio of `denominator`; any other is a unit cost in pounds per unit of
 * `denominator` units (a volume). Undefined with the reason when no gap can be measured.
 */
export function savingFromBenchmark(input: {
  value: number;
  set: BenchmarkSet;
  direction: Direction;
  unit: string;
  /** Money for a percentage measure (pence); a count of units otherwise. */
  denominator: number;
  achievability: BasisPoints;
}): { ok: true; range: SavingRange } | { ok: false; reason: string } {
  const comparison = compareWithBenchmark(input.value, input.set, input.direction);
  if (!comparison.ok) return comparison;
  const targets = gapTargets(input.set, input.direction);
  // A "higher is better" measure is a gap to close upwards: its saving is not a cost reduction
  // this formula can price, so only lower-is-better measures yield a saving here.
  if (input.direction === 'higher-is-better')
    return {
      ok: false,
      reason: 'Savings are priced from measures where lower is better (costs); this measure is higher-is-better',
    };
  let g;
  if (input.unit.trim() === '%') {
    g = ratioGap({
      ratio: input.value / 100,
      denominator: pence(input.denominator),
      targets: { median: targets.median / 100, best: targets.best / 100 },
      achievability: input.achievability,
    });
  } else {
    // Unit costs are typed in pounds; the calculator works in pence per unit.
    g = unitCostGap({
      unitCost: input.value * 100,
      volume: input.denominator,
      targets: { median: targets.median * 100, best: targets.best * 100 },
      achievability: input.achievability,
    });
  }
  const low = g.achievableLow;
  const high = g.achievableHigh;
  const central = pence(toSafeInteger(roundDiv(BigInt(low) + BigInt(high), 2n), 'the central saving'));
  return { ok: true, range: { low, central, high } };
}

/** Productivity gains assumed on dispersed transactional pay when work is brought together (low, central, high). */
export const CONSOLIDATION_GAINS: readonly [BasisPoints, BasisPoints, BasisPoints] = [1_000, 2_000, 3_000];

/**
 * The pay cost of transactional work done outside its central function, for a pool that is a
 * function (its T processes) or one process: the pay on the process in every unit that is not the
 * central unit nor inside it (DIAGNOSTIC.md §3's fragmentation, in money). Without a central unit
 * all of it is dispersed.
 */
export function dispersedTransactionalPay(
  input: {
    processes: readonly { code: string; functionCode: string; type: string }[];
    byProcessAndUnit: Readonly<Record<string, Readonly<Record<string, { payCost: number }>> | undefined>>;
    fragmentation: Readonly<Record<string, { centralUnitId?: string | undefined } | undefined>>;
    orgUnits: readonly { id: string; parentId?: string | undefined }[];
  },
  pool: string,
): Money {
  const parent = new Map(input.orgUnits.map((u) => [u.id, u.parentId] as const));
  const inside = (unit: string, central: string | undefined) => {
    for (
      let at: string | undefined = unit, guard = 0;
      at !== undefined && guard < 1_000;
      at = parent.get(at), guard += 1
    )
      if (at === central) return true;
    return false;
  };
  const chosen = input.processes.filter((p) => p.code === pool || (p.functionCode === pool && p.type === 'T'));
  let total = ZERO;
  for (const p of chosen) {
    const central = input.fragmentation[p.code]?.centralUnitId;
    for (const [unit, amounts] of Object.entries(input.byProcessAndUnit[p.code] ?? {})) {
      if (!inside(unit, central)) total = addMoney(total, pence(amounts.payCost));
    }
  }
  return total;
}

/** Consolidation's range: the assumed gains on the dispersed pay, times the achievability factor. */
export function consolidationRange(dispersedPay: Money, achievability: BasisPoints): SavingRange {
  const [low, central, high] = CONSOLIDATION_GAINS.map((g) =>
    consolidationSaving({ dispersedPayCost: dispersedPay, productivityGain: Math.round((g * achievability) / 10_000) }),
  );
  return { low: low!, central: central!, high: high! };
}

// ---------------------------------------------------------------------------------------------
// Business cases

/**
 * Reads amounts by year as typed, year 0 first, separated by spaces, semicolons or new lines
 * (commas group thousands): `£1,200,000 £400,000; 0`. Refuses the first amount it cannot read.
 */
export function parseYearlyAmounts(
  text: string,
  maxYears = 61,
): { ok: true; amounts: Money[] } | { ok: false; message: string } {
  const parts = text.split(/[\s;]+/).filter((p) => p !== '');
  if (parts.length === 0) return { ok: false, message: 'Enter at least one amount, for year 0' };
  if (parts.length > maxYears) return { ok: false, message: `Enter at most ${maxYears} years (0 to ${maxYears - 1})` };
  const amounts: Money[] = [];
  for (const [year, part] of parts.entries()) {
    const m = parseMoney(part);
    if (m === undefined)
      return { ok: false, message: `Year ${year}: “${part}” is not an amount of money like £1,200,000 or £1.2m` };
    if (m < 0)
      return {
        ok: false,
        message: `Year ${year}: amounts cannot be negative (enter costs and benefits as separate lines)`,
      };
    amounts.push(m);
  }
  return { ok: true, amounts };
}

export interface CaseLine {
  kind: 'cost' | 'benefit';
  category: string;
  label: string;
  optimismBias?: OptimismBiasCategory | undefined;
  amounts: readonly Money[];
}

export interface OptionAppraisal {
  years: number;
  /** Yearly totals by kind and category, before optimism bias. */
  byCategory: { kind: 'cost' | 'benefit'; category: string; amounts: Money[] }[];
  /** Yearly totals with optimism bias: costs uplifted, benefits reduced. */
  costs: Money[];
  benefits: Money[];
  uplift: Money[];
  net: Money[];
  cumulative: Money[];
  appraisal: Appraisal;
  sensitivities: Sensitivities;
}

/** An option's cash flows by year and category, and its appraisal with optimism bias applied. */
export function appraiseOption(lines: readonly CaseLine[], settings: OptimismBiasSettings = {}): OptionAppraisal {
  const costLines: CostLine[] = lines
    .filter((l) => l.kind === 'cost')
    .map((l) => ({ label: l.label, amounts: l.amounts, ...(l.optimismBias ? { optimismBias: l.optimismBias } : {}) }));
  const benefitLines: BenefitLine[] = lines
    .filter((l) => l.kind === 'benefit')
    .map((l) => ({ label: l.label, amounts: l.amounts }));
  const flows = flowsWithOptimismBias(costLines, benefitLines, settings);
  const years = Math.max(1, flows.costs.length, flows.benefits.length);
  const pad = (xs: readonly Money[]) => Array.from({ length: years }, (_, t) => xs[t] ?? ZERO);
  const costs = pad(flows.costs);
  const benefits = pad(flows.benefits);
  const net = benefits.map((b, t) => pence(b - costs[t]!));
  const cumulative: Money[] = [];
  net.reduce((run, x) => {
    const next = addMoney(run, x);
    cumulative.push(next);
    return next;
  }, ZERO);
  const groups = new Map<string, { kind: 'cost' | 'benefit'; category: string; amounts: Money[] }>();
  for (const l of lines) {
    const key = `${l.kind}\u0000${l.category}`;
    const g = groups.get(key) ?? {
      kind: l.kind,
      category: l.category,
      amounts: Array.from({ length: years }, () => ZERO),
    };
    l.amounts.forEach((a, t) => {
      g.amounts[t] = addMoney(g.amounts[t] ?? ZERO, a);
    });
    groups.set(key, g);
  }
  const byCategory = [...groups.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'cost' ? -1 : 1));
  return {
    years,
    byCategory,
    costs,
    benefits,
    uplift: pad(flows.uplift),
    net,
    cumulative,
    appraisal: appraise({ costs, benefits }),
    sensitivities: sensitivities({ costs, benefits }),
  };
}

// ---------------------------------------------------------------------------------------------
// Implementation plan

/** The first loop in "depends on" links (ids in loop order), or undefined when there is none. */
export function findDependencyLoop(
  items: readonly { id: string; dependsOn: readonly string[] }[],
): string[] | undefined {
  const deps = new Map(items.map((i) => [i.id, i.dependsOn] as const));
  const state = new Map<string, 'walking' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'walking') return path.slice(path.indexOf(id));
    state.set(id, 'walking');
    path.push(id);
    for (const d of deps.get(id) ?? []) {
      if (!deps.has(d)) continue;
      const loop = visit(d);
      if (loop) return loop;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const i of items) {
    const loop = visit(i.id);
    if (loop) return loop;
  }
  return undefined;
}

/** A project that starts before a project it depends on ends (a warning, not a refusal). */
export interface DependencyClash {
  project: { id: string; name: string; startsOn: string };
  dependsOn: { id: string; name: string; endsOn: string };
}

/**
 * Every "starts before what it depends on ends" in a plan, in the plan's order (dates as
 * `YYYY-MM-DD`, which compare as text). Starting on the day the other ends is not a clash.
 * Links to projects not in the list are ignored.
 */
export function dependencyClashes(
  projects: readonly { id: string; name: string; startsOn: string; endsOn: string; dependsOn: readonly string[] }[],
): DependencyClash[] {
  const byId = new Map(projects.map((p) => [p.id, p] as const));
  const out: DependencyClash[] = [];
  for (const p of projects) {
    for (const d of p.dependsOn) {
      const other = byId.get(d);
      if (other && other.id !== p.id && p.startsOn < other.endsOn)
        out.push({
          project: { id: p.id, name: p.name, startsOn: p.startsOn },
          dependsOn: { id: other.id, name: other.name, endsOn: other.endsOn },
        });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Savings ledger

export const STAGES = ['identified', 'approved', 'realised'] as const;
export type SavingsStage = (typeof STAGES)[number];

export interface LedgerEntry {
  financialYear: number;
  stage: SavingsStage;
  amount: Money;
  cashable: boolean;
  recurring: boolean;
  additional: boolean;
  verified: boolean;
}

/** Realised, verified savings additional to the agreed baseline: what a gain-share counts. */
export const qualifies = (e: LedgerEntry): boolean => e.stage === 'realised' && e.verified && e.additional;

export function qualifyingSavings(entries: readonly LedgerEntry[]): Money {
  return sumMoney(entries.filter(qualifies).map((e) => e.amount));
}

export interface LedgerTotals {
  byStage: Record<SavingsStage, Money>;
  cashable: Money;
  recurring: Money;
  verified: Money;
  qualifying: Money;
}

/** Totals of the ledger: each entry counts once, at the stage it has reached. */
export function ledgerTotals(entries: readonly LedgerEntry[]): LedgerTotals {
  const sumWhere = (p: (e: LedgerEntry) => boolean) => sumMoney(entries.filter(p).map((e) => e.amount));
  return {
    byStage: {
      identified: sumWhere((e) => e.stage === 'identified'),
      approved: sumWhere((e) => e.stage === 'approved'),
      realised: sumWhere((e) => e.stage === 'realised'),
    },
    cashable: sumWhere((e) => e.cashable),
    recurring: sumWhere((e) => e.recurring),
    verified: sumWhere((e) => e.verified),
    qualifying: qualifyingSavings(entries),
  };
}

/** A verified saving stays realised: going back would silently change what a gain-share counted. */
export function stageChangeIssue(to: SavingsStage, verified: boolean): string | undefined {
  if (verified && to !== 'realised')
    return 'A verified saving stays realised: record a correction as a new entry instead';
  return undefined;
}
