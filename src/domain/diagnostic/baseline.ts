// The cost baseline: who does which back-office process, at what FTE and pay cost, where in
// the organisation, and how the management tree is shaped (DIAGNOSTIC.md §1–3).
//
// Representation: FTE is a whole number of ten-thousandths of an FTE (`Fte`, 0.8 FTE = 8000)
// and activity percentages are whole basis points (40% = 4000). HR systems give FTE to at most
// four places and activity returns to at most two, so inputs are held exactly; each post's FTE
// and pay cost are then split across its processes by the largest-remainder method, weighted by
// its stated percentages. That split *is* the normalisation of a 99.5–100.5% return to 100%,
// and it means every process total, function total, unit total and matrix cell is an exact
// integer sum whose parts add back to the posts' own FTE and cost — nothing is lost to
// rounding, and nothing is held in binary floating point.

import {
  type BasisPoints,
  WHOLE,
  assertSafeInteger,
  formatBasisPoints,
  formatScaled,
  largestRemainder,
  parseScaled,
} from './decimal.ts';
import { type Money, ZERO, allocateMoney, formatMoney, pence, pounds } from './money.ts';

declare const fteBrand: unique symbol;
/** Ten-thousandths of a full-time equivalent: 1.0 FTE = 10_000. */
export type Fte = number & { readonly [fteBrand]: true };
export const FTE_SCALE = 10_000;

export function fteUnits(n: number): Fte {
  return (assertSafeInteger(n, 'an FTE in ten-thousandths') || 0) as Fte;
}

/** `"0.8"` → 0.8 FTE; up to four decimal places. */
export function parseFte(text: string): Fte | undefined {
  const v = parseScaled(text, 4);
  return v === undefined ? undefined : fteUnits(v);
}

/** 19_200 → `1.92` (two places by default, rounded half away from zero). */
export function formatFte(value: Fte, decimals = 2): string {
  return formatScaled(value, 4, decimals);
}

/** Activity codes outside the taxonomy that make a post's time add up to 100%. */
export const MANAGING_OWN_TEAM = 'X01';
export const FRONT_LINE = 'Z99';
export const SINK_CODES: readonly string[] = [MANAGING_OWN_TEAM, FRONT_LINE];

export type ProcessType = 'T' | 'P' | 'S';

export interface TaxonomyFunction {
  code: string;
  name: string;
  /** The org unit that is the central function (its sub-units count as central too). */
  centralUnitId?: string;
}

export interface TaxonomyProcess {
  code: string;
  name: string;
  functionCode: string;
  type: ProcessType;
  volumeDriver?: string;
}

export interface Taxonomy {
  functions: readonly TaxonomyFunction[];
  processes: readonly TaxonomyProcess[];
}

export interface OrgUnit {
  id: string;
  name: string;
  /** Units without a parent are directorates: the columns of the function × directorate matrix. */
  parentId?: string;
}

export interface ActivityAllocation {
  process: string;
  pct: BasisPoints;
}

export interface Post {
  id: string;
  /** The row a person sees in the import template; defaults to the post's position, from 1. */
  row?: number;
  unitId: string;
  title?: string;
  fte: Fte;
  /** Loaded annual pay cost: salary + employer NI + employer pension + allowances. */
  payCost: Money;
  managerId?: string;
  vacant?: boolean;
  allocations: readonly ActivityAllocation[];
}

export interface Problem {
  row: number;
  field: string;
  message: string;
}

export interface BaselineLimits {
  /** Largest FTE one post may have (default 1.0: a row is one post, not a team). */
  maxFte: Fte;
  /** Largest loaded pay cost of one post (default £500,000), to catch pence typed as pounds. */
  maxPayCost: Money;
  /** How far from 100% an allocation may be before it is refused (default 0.5% = 50 bp). */
  tolerance: BasisPoints;
}

export const DEFAULT_LIMITS: BaselineLimits = {
  maxFte: fteUnits(FTE_SCALE),
  maxPayCost: pounds(500_000),
  tolerance: 50,
};

export interface BaselineInput {
  taxonomy: Taxonomy;
  /** Optional: without it every unit is its own directorate and units are not checked. */
  orgUnits?: readonly OrgUnit[];
  posts: readonly Post[];
  limits?: Partial<BaselineLimits>;
}

export interface Amounts {
  fte: Fte;
  payCost: Money;
}

export interface Fragmentation {
  fte: Fte;
  /** FTE in units that are not the central function nor inside it. */
  outsideFte: Fte;
  /** outsideFte / fte; undefined when nobody does the work. */
  outsideShare: number | undefined;
  /** The units with any FTE on it, in first-seen order. */
  unitIds: string[];
  centralUnitId: string | undefined;
}

export interface Baseline {
  /** Every taxonomy process and both sink codes, zero when nobody does it. */
  byProcess: Record<string, Amounts>;
  byFunction: Record<string, Amounts>;
  /** Every unit that has posts: all of their time, sinks included. */
  byUnit: Record<string, Amounts>;
  byProcessAndUnit: Record<string, Record<string, Amounts>>;
  /** function → directorate → amounts (back-office processes only). */
  matrix: Record<string, Record<string, Amounts>>;
  /** All taxonomy processes (neither sink). */
  backOffice: Amounts;
  managingOwnTeam: Amounts;
  frontLine: Amounts;
  /** Every post's whole FTE and pay cost; equals backOffice + managingOwnTeam + frontLine. */
  total: Amounts;
  processFragmentation: Record<string, Fragmentation>;
  functionFragmentation: Record<string, Fragmentation>;
}

export type BaselineResult = { ok: true; baseline: Baseline } | { ok: false; problems: Problem[] };

const zeroAmounts = (): Amounts => ({ fte: fteUnits(0), payCost: ZERO });

function addTo(target: Amounts, fte: number, payCost: number): void {
  target.fte = fteUnits(target.fte + fte);
  target.payCost = pence(target.payCost + payCost);
}

function bucket<K extends string>(record: Record<K, Amounts>, key: K): Amounts {
  return (record[key] ??= zeroAmounts());
}

const rowOf = (post: Post, index: number) => post.row ?? index + 1;

/** Every problem with the posts, in row order: nothing is computed from data that has one. */
export function validatePosts(input: BaselineInput): Problem[] {
  const limits = { ...DEFAULT_LIMITS, ...input.limits };
  const known = new Set([...input.taxonomy.processes.map((p) => p.code), ...SINK_CODES]);
  const units = input.orgUnits ? new Set(input.orgUnits.map((u) => u.id)) : undefined;
  const ids = new Map<string, number>();
  const problems: { problem: Problem; order: number }[] = [];
  const add = (row: number, field: string, message: string) =>
    problems.push({ problem: { row, field, message }, order: problems.length });

  input.posts.forEach((post, index) => {
    const row = rowOf(post, index);
    const seen = ids.get(post.id);
    if (seen !== undefined) add(row, 'id', `Post ${post.id} appears twice (also on row ${seen})`);
    else ids.set(post.id, row);
    if (units && !units.has(post.unitId))
      add(row, 'unitId', `"${post.unitId}" is not an org unit of this organisation`);
    if (!Number.isSafeInteger(post.fte))
      add(row, 'fte', `FTE ${post.fte} is not held in ten-thousandths of an FTE (read it with parseFte)`);
    else if (post.fte < 0) add(row, 'fte', 'FTE must be zero or more');
    else if (post.fte > limits.maxFte)
      add(
        row,
        'fte',
        `FTE ${formatFte(post.fte)} is more than one post can hold (at most ${formatFte(limits.maxFte)})`,
      );
    if (!Number.isSafeInteger(post.payCost))
      add(row, 'payCost', `Pay cost ${post.payCost} is not a whole number of pence (read it with parseMoney)`);
    else if (post.payCost < 0) add(row, 'payCost', 'Pay cost must be zero or more');
    else if (post.payCost > limits.maxPayCost)
      add(
        row,
        'payCost',
        `Pay cost ${formatMoney(post.payCost)} is more than the ${formatMoney(limits.maxPayCost)} allowed for one post: check it is in pounds, not pence`,
      );

    if (post.allocations.length === 0) {
      add(
        row,
        'allocations',
        'No activity allocation: say how this post’s time is spent (use Z99 for front-line work)',
      );
      return;
    }
    const processes = new Set<string>();
    let total = 0;
    let valid = true;
    post.allocations.forEach((a, i) => {
      if (!known.has(a.process))
        add(row, `allocations.${i}.process`, `"${a.process}" is not a process in the taxonomy`);
      if (processes.has(a.process)) add(row, `allocations.${i}.process`, `${a.process} is listed twice for this post`);
      processes.add(a.process);
      if (!Number.isSafeInteger(a.pct) || a.pct < 0) {
        add(row, `allocations.${i}.pct`, 'A percentage must be zero or more, to at most two decimal places');
        valid = false;
      } else total += a.pct;
    });
    if (valid && Math.abs(total - WHOLE) > limits.tolerance) {
      add(
        row,
        'allocations',
        `Allocations add up to ${formatBasisPoints(total)}; they must add up to 100% (±${formatBasisPoints(limits.tolerance)})`,
      );
    }
  });

  const byId = new Map(input.posts.map((p, i) => [p.id, rowOf(p, i)] as const));
  input.posts.forEach((post, index) => {
    if (post.managerId !== undefined && !byId.has(post.managerId)) {
      add(rowOf(post, index), 'managerId', `Manager post "${post.managerId}" is not in the list of posts`);
    }
  });
  for (const cycle of findManagerCycles(input.posts)) {
    const chain = [...cycle, cycle[0]!].join(' → ');
    add(
      byId.get(cycle[0]!)!,
      'managerId',
      cycle.length === 1
        ? `Post ${cycle[0]} is recorded as its own manager`
        : `Posts ${cycle.join(', ')} manage each other in a loop (${chain}, each reporting to the next)`,
    );
  }
  return problems.sort((a, b) => a.problem.row - b.problem.row || a.order - b.order).map((p) => p.problem);
}

interface OrgTree {
  /** The top-level ancestor of a unit (a directorate); a unit not in the tree is its own. */
  directorateOf(unitId: string): string;
  /** Whether a unit is the ancestor or inside it. */
  isWithin(unitId: string, ancestorId: string): boolean;
}

function orgTree(orgUnits: readonly OrgUnit[] | undefined): OrgTree {
  const parent = new Map((orgUnits ?? []).map((u) => [u.id, u.parentId] as const));
  // The chain from a unit up to its directorate, stopping at a loop in the tree rather than following it.
  const chain = (unitId: string): string[] => {
    const seen = [unitId];
    for (let up = parent.get(unitId); up !== undefined && parent.has(up) && !seen.includes(up); up = parent.get(up))
      seen.push(up);
    return seen;
  };
  return {
    directorateOf: (unitId) => chain(unitId).at(-1)!,
    isWithin: (unitId, ancestorId) => chain(unitId).includes(ancestorId),
  };
}

function fragmentationOf(
  byUnit: Record<string, Amounts> | undefined,
  centralUnitId: string | undefined,
  tree: OrgTree,
): Fragmentation {
  let fte = 0;
  let outside = 0;
  const unitIds: string[] = [];
  for (const [unitId, amounts] of Object.entries(byUnit ?? {})) {
    if (amounts.fte === 0) continue;
    unitIds.push(unitId);
    fte += amounts.fte;
    if (centralUnitId === undefined || !tree.isWithin(unitId, centralUnitId)) outside += amounts.fte;
  }
  return {
    fte: fteUnits(fte),
    outsideFte: fteUnits(outside),
    outsideShare: fte === 0 ? undefined : outside / fte,
    unitIds,
    centralUnitId,
  };
}

/** The baseline of one organisation's posts, or the problems that stop it being computed. */
export function buildBaseline(input: BaselineInput): BaselineResult {
  const problems = validatePosts(input);
  if (problems.length > 0) return { ok: false, problems };

  const { taxonomy } = input;
  const functionOf = new Map(taxonomy.processes.map((p) => [p.code, p.functionCode] as const));
  const tree = orgTree(input.orgUnits);
  const byProcess: Record<string, Amounts> = {};
  const byFunction: Record<string, Amounts> = {};
  for (const p of taxonomy.processes) byProcess[p.code] = zeroAmounts();
  for (const code of SINK_CODES) byProcess[code] = zeroAmounts();
  for (const f of taxonomy.functions) byFunction[f.code] = zeroAmounts();
  const byUnit: Record<string, Amounts> = {};
  const byProcessAndUnit: Record<string, Record<string, Amounts>> = {};
  const byFunctionAndUnit: Record<string, Record<string, Amounts>> = {};
  const matrix: Record<string, Record<string, Amounts>> = {};
  const backOffice = zeroAmounts();
  const total = zeroAmounts();

  for (const post of input.posts) {
    const weights = post.allocations.map((a) => a.pct);
    const ftes = largestRemainder(post.fte, weights);
    const costs = allocateMoney(post.payCost, weights);
    addTo(total, post.fte, post.payCost);
    addTo(bucket(byUnit, post.unitId), post.fte, post.payCost);
    post.allocations.forEach((a, i) => {
      const f = ftes[i]!;
      const c = costs[i]!;
      addTo(bucket(byProcess, a.process), f, c);
      addTo(bucket((byProcessAndUnit[a.process] ??= {}), post.unitId), f, c);
      const fn = functionOf.get(a.process);
      if (fn === undefined) return; // a sink code
      addTo(backOffice, f, c);
      addTo(bucket(byFunction, fn), f, c);
      addTo(bucket((byFunctionAndUnit[fn] ??= {}), post.unitId), f, c);
      addTo(bucket((matrix[fn] ??= {}), tree.directorateOf(post.unitId)), f, c);
    });
  }

  const centralOf = new Map(taxonomy.functions.map((f) => [f.code, f.centralUnitId] as const));
  const processFragmentation: Record<string, Fragmentation> = {};
  for (const p of taxonomy.processes) {
    processFragmentation[p.code] = fragmentationOf(byProcessAndUnit[p.code], centralOf.get(p.functionCode), tree);
  }
  const functionFragmentation: Record<string, Fragmentation> = {};
  for (const f of taxonomy.functions) {
    functionFragmentation[f.code] = fragmentationOf(byFunctionAndUnit[f.code], f.centralUnitId, tree);
  }

  return {
    ok: true,
    baseline: {
      byProcess,
      byFunction,
      byUnit,
      byProcessAndUnit,
      matrix,
      backOffice,
      managingOwnTeam: byProcess[MANAGING_OWN_TEAM]!,
      frontLine: byProcess[FRONT_LINE]!,
      total,
      processFragmentation,
      functionFragmentation,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Spans and layers

export interface ManagedPost {
  id: string;
  managerId?: string;
}

/**
 * Every loop in the manager references, each once, starting from the post that comes first in
 * the list and following each post to its manager. A post that is its own manager is a loop of one.
 */
export function findManagerCycles(posts: readonly ManagedPost[]): string[][] {
  const managerOf = new Map(posts.map((p) => [p.id, p.managerId] as const));
  const position = new Map(posts.map((p, i) => [p.id, i] as const));
  const state = new Map<string, 'walking' | 'done'>();
  const cycles: string[][] = [];
  for (const start of posts) {
    const path: string[] = [];
    let at: string | undefined = start.id;
    while (at !== undefined && managerOf.has(at) && state.get(at) === undefined) {
      state.set(at, 'walking');
      path.push(at);
      at = managerOf.get(at);
    }
    if (at !== undefined && state.get(at) === 'walking') {
      const cycle = path.slice(path.indexOf(at));
      let first = 0;
      cycle.forEach((id, i) => {
        if (position.get(id)! < position.get(cycle[first]!)!) first = i;
      });
      cycles.push([...cycle.slice(first), ...cycle.slice(0, first)]);
    }
    for (const id of path) state.set(id, 'done');
  }
  return cycles.sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!);
}

export interface SpansAndLayers {
  /** N: posts. */
  posts: number;
  /** M: posts with at least one report. */
  managers: number;
  /** W = N − M. */
  workers: number;
  /** Posts whose manager is in the list (N − 1 for a single tree). */
  reports: number;
  /** reports / M, which is (N − 1)/M for a single tree; undefined with no managers. */
  averageSpan: number | undefined;
  /** Depth of the deepest chain, the top post being layer 1 (posts caught in a loop are left out). */
  layers: number;
  /** M* = ceil((W − 1)/(t − 1)) for the target span t, when one is given. */
  managersNeeded: number | undefined;
  /** max(0, M − M*). */
  excessManagers: number | undefined;
  cycles: string[][];
}

/** Manager numbers, spans and layers of a set of posts, with any loops reported rather than followed. */
export function spansAndLayers(posts: readonly ManagedPost[], targetSpan?: number): SpansAndLayers {
  if (targetSpan !== undefined && (!Number.isSafeInteger(targetSpan) || targetSpan < 2)) {
    throw new RangeError(`a target span is a whole number of reports, at least 2, not ${targetSpan}`);
  }
  const ids = new Set(posts.map((p) => p.id));
  const managerOf = new Map(
    posts.map((p) => [p.id, p.managerId !== undefined && ids.has(p.managerId) ? p.managerId : undefined] as const),
  );
  const cycles = findManagerCycles(posts);
  const managers = new Set<string>();
  let reports = 0;
  for (const p of posts) {
    const m = managerOf.get(p.id);
    if (m !== undefined) {
      managers.add(m);
      reports += 1;
    }
  }

  const depth = new Map<string, number | null>(); // null: reaches a loop
  for (const cycle of cycles) for (const id of cycle) depth.set(id, null);
  let layers = 0;
  for (const p of posts) {
    const chain: string[] = [];
    let at: string | undefined = p.id;
    while (at !== undefined && !depth.has(at)) {
      chain.push(at);
      at = managerOf.get(at);
    }
    let d: number | null = at === undefined ? 0 : depth.get(at)!;
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      d = d === null ? null : d + 1;
      depth.set(chain[i]!, d);
    }
    const mine = depth.get(p.id);
    if (typeof mine === 'number' && mine > layers) layers = mine;
  }

  const n = ids.size;
  const m = managers.size;
  const w = n - m;
  // ceil((W − 1)/(t − 1)) in integers; no managers are needed for a single worker.
  const needed =
    targetSpan === undefined ? undefined : w <= 1 ? 0 : Math.floor((w - 1 + targetSpan - 2) / (targetSpan - 1));
  return {
    posts: n,
    managers: m,
    workers: w,
    reports,
    averageSpan: m === 0 ? undefined : reports / m,
    layers,
    managersNeeded: needed,
    excessManagers: needed === undefined ? undefined : Math.max(0, m - needed),
    cycles,
  };
}
