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
  splitInto,
} from './decimal.ts';
import { type Money, ZERO, formatMoney, pence, pounds } from './money.ts';

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

  // Each post's row by its id (the last, for an id given twice), for managers and loops.
  const byId = new Map<string, number>();
  const posts = input.posts;
  for (let index = 0; index < posts.length; index++) {
    const post = posts[index]!;
    const row = rowOf(post, index);
    byId.set(post.id, row);
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

    const allocations = post.allocations;
    if (allocations.length === 0) {
      add(
        row,
        'allocations',
        'No activity allocation: say how this post’s time is spent (use Z99 for front-line work)',
      );
      continue;
    }
    let total = 0;
    let valid = true;
    for (let i = 0; i < allocations.length; i++) {
      const a = allocations[i]!;
      if (!known.has(a.process))
        add(row, `allocations.${i}.process`, `"${a.process}" is not a process in the taxonomy`);
      // Listed earlier for this post? (A post has a handful of processes: a scan, not a set.)
      let twice = false;
      for (let j = 0; j < i && !twice; j++) twice = allocations[j]!.process === a.process;
      if (twice) add(row, `allocations.${i}.process`, `${a.process} is listed twice for this post`);
      if (!Number.isSafeInteger(a.pct) || a.pct < 0) {
        add(row, `allocations.${i}.pct`, 'A percentage must be zero or more, to at most two decimal places');
        valid = false;
      } else total += a.pct;
    }
    if (valid && Math.abs(total - WHOLE) > limits.tolerance) {
      add(
        row,
        'allocations',
        `Allocations add up to ${formatBasisPoints(total)}; they must add up to 100% (±${formatBasisPoints(limits.tolerance)})`,
      );
    }
  }

  for (let index = 0; index < posts.length; index++) {
    const post = posts[index]!;
    if (post.managerId !== undefined && !byId.has(post.managerId)) {
      add(rowOf(post, index), 'managerId', `Manager post "${post.managerId}" is not in the list of posts`);
    }
  }
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
  // Worked out once per unit: the baseline asks for every (process, unit) cell (issue 12).
  const chains = new Map<string, string[]>();
  const chain = (unitId: string): string[] => {
    let seen = chains.get(unitId);
    if (seen) return seen;
    seen = [unitId];
    for (let up = parent.get(unitId); up !== undefined && parent.has(up) && !seen.includes(up); up = parent.get(up))
      seen.push(up);
    chains.set(unitId, seen);
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

  const { taxonomy, posts } = input;
  const tree = orgTree(input.orgUnits);

  // Processes (the taxonomy's, then the sinks), functions and units as numbers, so that each
  // post's shares add into flat arrays rather than records looked up by name: 120,000 shares for
  // a large council (issue 12). The records are built at the end, in the order the shares first
  // touched them (first-seen order, as before: fragmentation lists its units in that order).
  const processCodes = [...taxonomy.processes.map((p) => p.code), ...SINK_CODES];
  const processIndex = new Map(processCodes.map((code, i) => [code, i] as const));
  // A process's function, by the last entry for its code (a process naming a function the
  // taxonomy does not list still counts as back office, under that function's code).
  const functionOf = new Map(taxonomy.processes.map((p) => [p.code, p.functionCode] as const));
  const functionCodes = taxonomy.functions.map((f) => f.code);
  const listedFunctions = functionCodes.length;
  const functionIndex = new Map(functionCodes.map((code, i) => [code, i] as const));
  const functionOfProcess = Int32Array.from(processCodes, (code) => {
    const fn = functionOf.get(code);
    if (fn === undefined) return -1;
    let k = functionIndex.get(fn);
    if (k === undefined) {
      functionIndex.set(fn, (k = functionCodes.length));
      functionCodes.push(fn);
    }
    return k;
  });
  const unitIds: string[] = [];
  const unitIndex = new Map<string, number>();
  const unitOfPost = new Int32Array(posts.length);
  let allocations = 0;
  for (let i = 0; i < posts.length; i++) {
    const id = posts[i]!.unitId;
    let u = unitIndex.get(id);
    if (u === undefined) {
      unitIndex.set(id, (u = unitIds.length));
      unitIds.push(id);
    }
    unitOfPost[i] = u;
    allocations = Math.max(allocations, posts[i]!.allocations.length);
  }
  const directorateIds: string[] = [];
  const directorateIndex = new Map<string, number>();
  const directorateOfUnit = Int32Array.from(unitIds, (id) => {
    const d = tree.directorateOf(id);
    let k = directorateIndex.get(d);
    if (k === undefined) {
      directorateIndex.set(d, (k = directorateIds.length));
      directorateIds.push(d);
    }
    return k;
  });

  const P = processCodes.length;
  const F = functionCodes.length;
  const U = unitIds.length;
  const D = directorateIds.length;
  // FTE and pay per unit, per (process, unit), per (function, unit) and per (function,
  // directorate); each of the last three with the order its cells were first touched in.
  const unitFte = new Float64Array(U);
  const unitPay = new Float64Array(U);
  const grid = (rows: number, columns: number) => ({
    fte: new Float64Array(rows * columns),
    pay: new Float64Array(rows * columns),
    seen: new Uint8Array(rows * columns),
    touched: [] as number[],
  });
  const processUnit = grid(P, U);
  const functionUnit = grid(F, U);
  const functionDirectorate = grid(F, D);
  const touch = (g: ReturnType<typeof grid>, cell: number, fte: number, pay: number) => {
    if (g.seen[cell] === 0) {
      g.seen[cell] = 1;
      g.touched.push(cell);
    }
    g.fte[cell]! += fte;
    g.pay[cell]! += pay;
  };

  const weights = new Float64Array(allocations);
  const ftes = new Float64Array(allocations);
  const costs = new Float64Array(allocations);
  const processOf = new Int32Array(allocations);
  for (let i = 0; i < posts.length; i++) {
    const post = posts[i]!;
    const u = unitOfPost[i]!;
    const n = post.allocations.length;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const a = post.allocations[k]!;
      weights[k] = a.pct;
      sum += a.pct;
      processOf[k] = processIndex.get(a.process)!;
    }
    // Each post's FTE and pay split over its processes by the largest remainder, exactly as
    // largestRemainder does (the integer version; the bigint one where figures are too large).
    if (!splitInto(post.fte, weights, 0, n, sum, ftes))
      ftes.set(largestRemainder(post.fte, [...weights.subarray(0, n)]));
    if (!splitInto(post.payCost, weights, 0, n, sum, costs))
      costs.set(largestRemainder(post.payCost, [...weights.subarray(0, n)]));
    unitFte[u]! += post.fte;
    unitPay[u]! += post.payCost;
    for (let k = 0; k < n; k++) {
      const f = ftes[k]!;
      const c = costs[k]!;
      const p = processOf[k]!;
      touch(processUnit, p * U + u, f, c);
      const fn = functionOfProcess[p]!;
      if (fn < 0) continue; // a sink code
      touch(functionUnit, fn * U + u, f, c);
      touch(functionDirectorate, fn * D + directorateOfUnit[u]!, f, c);
    }
  }

  const amounts = (fte: number, payCost: number): Amounts => ({ fte: fteUnits(fte), payCost: pence(payCost) });
  const byProcess: Record<string, Amounts> = {};
  const byFunction: Record<string, Amounts> = {};
  for (const code of processCodes) byProcess[code] = zeroAmounts();
  for (let fn = 0; fn < listedFunctions; fn++) byFunction[functionCodes[fn]!] = zeroAmounts();
  const byUnit: Record<string, Amounts> = {};
  for (let u = 0; u < U; u++) byUnit[unitIds[u]!] = amounts(unitFte[u]!, unitPay[u]!);
  const byProcessAndUnit: Record<string, Record<string, Amounts>> = {};
  const processTotals = { fte: new Float64Array(P), pay: new Float64Array(P) };
  for (const cell of processUnit.touched) {
    const p = Math.floor(cell / U);
    const fte = processUnit.fte[cell]!;
    const pay = processUnit.pay[cell]!;
    (byProcessAndUnit[processCodes[p]!] ??= {})[unitIds[cell - p * U]!] = amounts(fte, pay);
    processTotals.fte[p]! += fte;
    processTotals.pay[p]! += pay;
  }
  // A function the taxonomy does not list appears once work on it is seen, after those it lists.
  for (const cell of functionUnit.touched) bucket(byFunction, functionCodes[Math.floor(cell / U)]!);
  const backOffice = zeroAmounts();
  const total = zeroAmounts();
  for (let p = 0; p < P; p++) {
    byProcess[processCodes[p]!] = amounts(processTotals.fte[p]!, processTotals.pay[p]!);
    const fn = functionOfProcess[p]!;
    if (fn >= 0) {
      addTo(byFunction[functionCodes[fn]!]!, processTotals.fte[p]!, processTotals.pay[p]!);
      addTo(backOffice, processTotals.fte[p]!, processTotals.pay[p]!);
    }
  }
  for (let u = 0; u < U; u++) addTo(total, unitFte[u]!, unitPay[u]!);
  const byFunctionAndUnit: Record<string, Record<string, Amounts>> = {};
  for (const cell of functionUnit.touched) {
    const fn = Math.floor(cell / U);
    (byFunctionAndUnit[functionCodes[fn]!] ??= {})[unitIds[cell - fn * U]!] = amounts(
      functionUnit.fte[cell]!,
      functionUnit.pay[cell]!,
    );
  }
  const matrix: Record<string, Record<string, Amounts>> = {};
  for (const cell of functionDirectorate.touched) {
    const fn = Math.floor(cell / D);
    (matrix[functionCodes[fn]!] ??= {})[directorateIds[cell - fn * D]!] = amounts(
      functionDirectorate.fte[cell]!,
      functionDirectorate.pay[cell]!,
    );
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
  const { index, manager } = managerIndex(posts);
  const state = new Uint8Array(posts.length); // 0: not seen, 1: on the path being walked, 2: done
  const cycles: number[][] = [];
  const path: number[] = [];
  for (const start of posts) {
    path.length = 0;
    let at = index.get(start.id)!;
    while (at >= 0 && state[at] === 0) {
      state[at] = 1;
      path.push(at);
      at = manager[at]!;
    }
    if (at >= 0 && state[at] === 1) {
      const cycle = path.slice(path.indexOf(at));
      let first = 0;
      for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[first]!) first = i;
      cycles.push([...cycle.slice(first), ...cycle.slice(0, first)]);
    }
    for (const k of path) state[k] = 2;
  }
  return cycles.sort((a, b) => a[0]! - b[0]!).map((cycle) => cycle.map((k) => posts[k]!.id));
}

/**
 * Posts as numbers for walking the manager tree (issue 12: 15,000 posts, walked twice per
 * baseline): each id → the position of its last entry (a repeated id is one post, as a Map of
 * them would hold it), and each such post's manager's position, or −1 when it has none or its
 * manager is not in the list.
 */
function managerIndex(posts: readonly ManagedPost[]): { index: Map<string, number>; manager: Int32Array } {
  const index = new Map<string, number>();
  for (let i = 0; i < posts.length; i++) index.set(posts[i]!.id, i);
  const manager = new Int32Array(posts.length).fill(-1);
  for (let i = 0; i < posts.length; i++) {
    const m = posts[i]!.managerId;
    if (m !== undefined) manager[i] = index.get(m) ?? -1;
  }
  return { index, manager };
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
  const { index, manager } = managerIndex(posts);
  const cycles = findManagerCycles(posts);
  const isManager = new Uint8Array(posts.length);
  let reports = 0;
  for (const p of posts) {
    const m = manager[index.get(p.id)!]!;
    if (m >= 0) {
      isManager[m] = 1;
      reports += 1;
    }
  }

  // Each post's layer, the top being 1: UNKNOWN until worked out, IN_A_LOOP for a post in a loop
  // or under one.
  const UNKNOWN = -2;
  const IN_A_LOOP = -1;
  const depth = new Int32Array(posts.length).fill(UNKNOWN);
  for (const cycle of cycles) for (const id of cycle) depth[index.get(id)!] = IN_A_LOOP;
  let layers = 0;
  const chain: number[] = [];
  for (const p of posts) {
    chain.length = 0;
    let at = index.get(p.id)!;
    while (at >= 0 && depth[at] === UNKNOWN) {
      chain.push(at);
      at = manager[at]!;
    }
    let d = at < 0 ? 0 : depth[at]!;
    for (let i = chain.length - 1; i >= 0; i -= 1) {
      d = d === IN_A_LOOP ? IN_A_LOOP : d + 1;
      depth[chain[i]!] = d;
    }
    const mine = depth[index.get(p.id)!]!;
    if (mine > layers) layers = mine;
  }

  const n = index.size;
  let m = 0;
  for (const x of isManager) m += x;
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
