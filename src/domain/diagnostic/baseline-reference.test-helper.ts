// The baseline as it was computed before issue 12's performance work, kept as the reference the
// faster code must agree with to the penny and in every key's order (see
// baseline-reference.test.ts): plain records looked up by name, every split by the bigint
// largestRemainder, every non-pay line walked over its scope. Slow, obvious, and not used by Amber.

import {
  type Amounts,
  type BaselineInput,
  type BaselineResult,
  type Fragmentation,
  type ManagedPost,
  type OrgUnit,
  type Post,
  type Problem,
  type SpansAndLayers,
  FRONT_LINE,
  MANAGING_OWN_TEAM,
  SINK_CODES,
  DEFAULT_LIMITS,
  formatFte,
  fteUnits,
} from './baseline.ts';
import { WHOLE, formatBasisPoints, largestRemainder } from './decimal.ts';
import { type Money, ZERO, allocateMoney, formatMoney, pence } from './money.ts';
import {
  type NonPayBasis,
  type NonPayCategory,
  type NonPayInput,
  type NonPayResult,
  NON_PAY_CATEGORIES,
  NOT_IN_A_UNIT,
  validateNonPay,
} from './non-pay.ts';

interface Cell {
  process: string;
  unit: string;
  fte: number;
  index: number;
}

/** The bigint largest remainder, whatever the figures. */
const split = (total: number, weights: readonly number[]): number[] => allocateMoney(pence(total), weights);
const addSplit = (
  total: number,
  weights: readonly number[],
  _sum: number,
  target: Float64Array,
  at: ArrayLike<number>,
) => {
  const parts = split(total, weights);
  for (let i = 0; i < weights.length; i++) target[at[i]!]! += parts[i]!;
};

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
function referenceValidatePosts(input: BaselineInput): Problem[] {
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
  for (const cycle of referenceFindManagerCycles(input.posts)) {
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
export function referenceBuildBaseline(input: BaselineInput): BaselineResult {
  const problems = referenceValidatePosts(input);
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

/**
 * Every loop in the manager references, each once, starting from the post that comes first in
 * the list and following each post to its manager. A post that is its own manager is a loop of one.
 */
function referenceFindManagerCycles(posts: readonly ManagedPost[]): string[][] {
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

/** Manager numbers, spans and layers of a set of posts, with any loops reported rather than followed. */
export function referenceSpansAndLayers(posts: readonly ManagedPost[], targetSpan?: number): SpansAndLayers {
  if (targetSpan !== undefined && (!Number.isSafeInteger(targetSpan) || targetSpan < 2)) {
    throw new RangeError(`a target span is a whole number of reports, at least 2, not ${targetSpan}`);
  }
  const ids = new Set(posts.map((p) => p.id));
  const managerOf = new Map(
    posts.map((p) => [p.id, p.managerId !== undefined && ids.has(p.managerId) ? p.managerId : undefined] as const),
  );
  const cycles = referenceFindManagerCycles(posts);
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

function descendantsOf(orgUnits: readonly OrgUnit[]): (unitId: string) => Set<string> {
  const children = new Map<string, string[]>();
  for (const u of orgUnits)
    if (u.parentId !== undefined)
      (children.get(u.parentId) ?? children.set(u.parentId, []).get(u.parentId)!).push(u.id);
  const memo = new Map<string, Set<string>>();
  return (unitId) => {
    const hit = memo.get(unitId);
    if (hit) return hit;
    const out = new Set<string>([unitId]);
    const stack = [unitId];
    while (stack.length > 0)
      for (const c of children.get(stack.pop()!) ?? [])
        if (!out.has(c)) {
          out.add(c);
          stack.push(c);
        }
    memo.set(unitId, out);
    return out;
  };
}

export function referenceAllocateNonPay(input: NonPayInput): NonPayResult {
  const problems = validateNonPay(input);
  const functionOf = new Map(input.taxonomy.processes.map((p) => [p.code, p.functionCode] as const));
  const driversOf = new Map(input.orgUnits.map((u) => [u.id, u] as const));
  const within = descendantsOf(input.orgUnits);

  // The pay baseline's cells with anyone working in them, in a stable order, indexed by unit,
  // by function and unit, and by process, so that each line only looks at its own scope.
  const ALL = '*';
  const cellList: Cell[] = [];
  const cellsOf = new Map<string, Map<string, Cell[]>>(); // function (or ALL) → unit → cells
  const byProcessCells = new Map<string, Cell[]>();
  const put = (key: string, unit: string, cell: Cell) => {
    let units = cellsOf.get(key);
    if (!units) cellsOf.set(key, (units = new Map()));
    let list = units.get(unit);
    if (!list) units.set(unit, (list = []));
    list.push(cell);
  };
  for (const [process, units] of Object.entries(input.byProcessAndUnit)) {
    for (const [unit, amounts] of Object.entries(units)) {
      if (amounts.fte <= 0) continue;
      const cell = { process, unit, fte: amounts.fte, index: cellList.length };
      cellList.push(cell);
      put(ALL, unit, cell);
      const fn = functionOf.get(process);
      if (fn !== undefined) put(fn, unit, cell);
      let list = byProcessCells.get(process);
      if (!list) byProcessCells.set(process, (list = []));
      list.push(cell);
    }
  }
  const fteOf = (cells: readonly Cell[]) => cells.reduce((n, c) => n + c.fte, 0);
  // A shared line's scope (function or all, unit and everything beneath it or all) and basis →
  // the units in it with their cells, and each unit's weight. Many lines share a scope, so the
  // walk over every unit happens once per scope rather than once per line (issue 12: it was half
  // of the baseline's CPU for a 2,000-line, 566-unit council).
  const scopes = new Map<string, { units: [string, Cell[]][]; weights: number[]; sum: number }>();
  const scopeOf = (functionCode: string | undefined, unitCode: string | undefined, basis: NonPayBasis) => {
    const key = `${functionCode ?? ALL}\u0000${unitCode ?? ALL}\u0000${basis}`;
    let hit = scopes.get(key);
    if (!hit) {
      const inFunction = cellsOf.get(functionCode ?? ALL);
      const unitScope = unitCode === undefined ? undefined : within(unitCode);
      const units: [string, Cell[]][] = [];
      for (const [unit, cells] of inFunction ?? [])
        if (unitScope === undefined || unitScope.has(unit)) units.push([unit, cells]);
      const weights = units.map(([u, cells]) =>
        basis === 'fte'
          ? fteOf(cells)
          : ((basis === 'users' ? driversOf.get(u)?.users : driversOf.get(u)?.areaM2) ?? 0),
      );
      hit = { units, weights, sum: weights.reduce((a, b) => a + b, 0) };
      scopes.set(key, hit);
    }
    return hit;
  };

  const byProcess: Record<string, Money> = {};
  for (const p of input.taxonomy.processes) byProcess[p.code] = ZERO;
  for (const code of SINK_CODES) byProcess[code] = ZERO;
  const byFunction: Record<string, Money> = {};
  for (const f of input.taxonomy.functions) byFunction[f.code] = ZERO;
  const byCategory = Object.fromEntries(NON_PAY_CATEGORIES.map((c) => [c, ZERO])) as Record<NonPayCategory, Money>;
  const byProcessAndUnit: Record<string, Record<string, Money>> = {};
  let backOffice = 0;
  let outside = 0;
  let total = 0;
  // Pence charged to each cell of the pay baseline, and to (process, unit) pairs outside it
  // (a line charged to a process in a named unit, or to a process nobody does in-house).
  const onCell = new Float64Array(cellList.length);
  const elsewhere: { process: string; unit: string; amount: number }[] = [];
  const charge = (process: string, unit: string, amount: number) => {
    if (amount !== 0) elsewhere.push({ process, unit, amount });
  };
  const weightsOf = new WeakMap<readonly Cell[], { weights: number[]; sum: number; at: Int32Array }>();
  const spreadByFte = (amount: Money, over: readonly Cell[]) => {
    let w = weightsOf.get(over);
    if (!w) {
      const weights = over.map((c) => c.fte);
      w = { weights, sum: weights.reduce((a, b) => a + b, 0), at: Int32Array.from(over, (c) => c.index) };
      weightsOf.set(over, w);
    }
    addSplit(amount, w.weights, w.sum, onCell, w.at);
  };
  if (problems.length === 0) {
    input.lines.forEach((line, i) => {
      const row = line.row ?? i + 1;
      total += line.amount;
      byCategory[line.category] = pence(byCategory[line.category] + line.amount);
      if (line.processCode !== undefined) {
        if (line.unitCode !== undefined) {
          charge(line.processCode, line.unitCode, line.amount);
          return;
        }
        const doing = byProcessCells.get(line.processCode);
        if (!doing) charge(line.processCode, NOT_IN_A_UNIT, line.amount);
        else spreadByFte(line.amount, doing);
        return;
      }
      // The units in scope with their cells in scope: first to units (by FTE, users or m²), then
      // inside each unit by FTE. Two small splits rather than one over every cell. The units of a
      // scope and their weights are worked out once per scope and basis, not once per line.
      const { units, weights } = scopeOf(line.functionCode, line.unitCode, line.basis);
      const where =
        [line.functionCode && `function ${line.functionCode}`, line.unitCode && `unit ${line.unitCode}`]
          .filter(Boolean)
          .join(' in ') || 'the organisation';
      if (units.length === 0) {
        if (line.amount > 0)
          problems.push({
            row,
            field: line.unitCode !== undefined ? 'unitCode' : 'functionCode',
            message: `Nobody works in ${where}, so its share of this cost cannot be worked out: charge it to a process instead`,
          });
        return;
      }
      if (weights.every((w) => w === 0)) {
        if (line.amount > 0)
          problems.push({
            row,
            field: 'basis',
            message: `No unit in ${where} has ${line.basis === 'users' ? 'a number of users' : 'a floor area'} recorded, so the cost cannot be shared by ${line.basis === 'users' ? 'users' : 'm²'}`,
          });
        return;
      }
      const parts = split(line.amount, weights);
      for (let k = 0; k < units.length; k++) if (parts[k]! > 0) spreadByFte(pence(parts[k]!), units[k]![1]);
    });
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.row - b.row) };
  const add = (process: string, unit: string, amount: number) => {
    if (amount === 0) return;
    byProcess[process] = pence((byProcess[process] ?? 0) + amount);
    const row = (byProcessAndUnit[process] ??= {});
    row[unit] = pence((row[unit] ?? 0) + amount);
    const fn = functionOf.get(process);
    if (fn === undefined) outside += amount;
    else {
      backOffice += amount;
      byFunction[fn] = pence(byFunction[fn]! + amount);
    }
  };
  cellList.forEach((c) => add(c.process, c.unit, onCell[c.index]!));
  for (const e of elsewhere) add(e.process, e.unit, e.amount);
  return {
    ok: true,
    allocation: {
      byProcess,
      byFunction,
      byProcessAndUnit,
      byCategory,
      backOffice: pence(backOffice),
      outsideBackOffice: pence(outside),
      total: pence(total),
    },
  };
}
