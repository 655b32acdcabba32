// Non-pay costs of the baseline (DIAGNOSTIC.md §1 and §3): `TotalCost(a) = PayCost(a) + allocated
// non-pay`. Each line of non-pay cost (IT, accommodation, supplies, outsourcing, recruitment,
// other) is charged to where it belongs:
//
// - a process (optionally in one unit): all of it to that process; without a unit it is spread
//   over the units doing the process by their FTE on it (or left "not in a unit" when nobody
//   does the process in-house — outsourced work counts at its contract cost);
// - otherwise the line is shared over the (process, unit) cells of the pay baseline that match
//   its scope — a function's processes and/or a unit with everything beneath it, or the whole
//   organisation — by FTE, or first over units by users or m² and then by FTE inside each unit.
//
// Every split uses the largest-remainder method on integer weights, so the pence allocated add
// up exactly to the pence on the lines: nothing is lost or invented by rounding (the property
// test in non-pay.test.ts checks it). A share that lands on X01/Z99 (managing own team,
// front-line work) is not back-office cost and is reported apart.

import { type Amounts, type OrgUnit, type Problem, type Taxonomy, SINK_CODES } from './baseline.ts';
import { addSplitRange, split, splitInto } from './decimal.ts';
import { type Money, ZERO, pence } from './money.ts';

export const NON_PAY_CATEGORIES = ['it', 'accommodation', 'supplies', 'outsourcing', 'recruitment', 'other'] as const;
export type NonPayCategory = (typeof NON_PAY_CATEGORIES)[number];
export const NON_PAY_CATEGORY_LABELS: Record<NonPayCategory, string> = {
  it: 'IT',
  accommodation: 'Accommodation',
  supplies: 'Supplies and services',
  outsourcing: 'Outsourcing',
  recruitment: 'Recruitment',
  other: 'Other',
};

export const NON_PAY_BASES = ['fte', 'users', 'area'] as const;
export type NonPayBasis = (typeof NON_PAY_BASES)[number];
export const NON_PAY_BASIS_LABELS: Record<NonPayBasis, string> = {
  fte: 'FTE share',
  users: 'Users',
  area: 'Floor area (m²)',
};

/** The unit key of non-pay that belongs to a process nobody does in-house. */
export const NOT_IN_A_UNIT = '';

export interface NonPayLine {
  /** The row a person sees in the template; defaults to the line's position, from 1. */
  row?: number;
  category: NonPayCategory;
  amount: Money;
  processCode?: string | undefined;
  functionCode?: string | undefined;
  unitCode?: string | undefined;
  basis: NonPayBasis;
}

export interface UnitDrivers {
  users?: number | undefined;
  areaM2?: number | undefined;
}

export interface NonPayInput {
  taxonomy: Taxonomy;
  orgUnits: readonly (OrgUnit & UnitDrivers)[];
  /** FTE per process per unit: the pay baseline's `byProcessAndUnit`. */
  byProcessAndUnit: Record<string, Record<string, Amounts>>;
  lines: readonly NonPayLine[];
}

export interface NonPayAllocation {
  /** Every taxonomy process and both sink codes. */
  byProcess: Record<string, Money>;
  byFunction: Record<string, Money>;
  /** process → unit (NOT_IN_A_UNIT for outsourced work nobody does in-house) → pence. */
  byProcessAndUnit: Record<string, Record<string, Money>>;
  byCategory: Record<NonPayCategory, Money>;
  /** On taxonomy processes. */
  backOffice: Money;
  /** On X01/Z99: the share of shared costs that belongs to front-line and management time. */
  outsideBackOffice: Money;
  /** Sum of all lines; equals backOffice + outsideBackOffice. */
  total: Money;
}

export type NonPayResult = { ok: true; allocation: NonPayAllocation } | { ok: false; problems: Problem[] };

interface Cell {
  process: string;
  unit: string;
  fte: number;
  index: number;
}

/** Every problem with the lines, in row order: codes that exist, amounts whole and not negative. */
export function validateNonPay(input: Pick<NonPayInput, 'taxonomy' | 'orgUnits' | 'lines'>): Problem[] {
  const processes = new Map(input.taxonomy.processes.map((p) => [p.code, p.functionCode] as const));
  const functions = new Set(input.taxonomy.functions.map((f) => f.code));
  const units = new Map(input.orgUnits.map((u) => [u.id, u] as const));
  const problems: Problem[] = [];
  input.lines.forEach((line, i) => {
    const row = line.row ?? i + 1;
    const add = (field: string, message: string) => problems.push({ row, field, message });
    if (!(NON_PAY_CATEGORIES as readonly string[]).includes(line.category))
      add('category', `"${line.category}" is not a category: use one of ${NON_PAY_CATEGORIES.join(', ')}`);
    if (!Number.isSafeInteger(line.amount)) add('amount', `Amount ${line.amount} is not a whole number of pence`);
    else if (line.amount < 0)
      add('amount', 'Amount must be zero or more (record refunds against the line they reduce)');
    if (line.processCode !== undefined && !processes.has(line.processCode))
      add('processCode', `"${line.processCode}" is not a process in the taxonomy`);
    if (line.functionCode !== undefined && !functions.has(line.functionCode))
      add('functionCode', `"${line.functionCode}" is not a function in the taxonomy`);
    if (
      line.processCode !== undefined &&
      line.functionCode !== undefined &&
      processes.has(line.processCode) &&
      processes.get(line.processCode) !== line.functionCode
    ) {
      add('functionCode', `Process ${line.processCode} is not in function ${line.functionCode}: give one or the other`);
    }
    if (line.unitCode !== undefined && !units.has(line.unitCode))
      add('unitCode', `"${line.unitCode}" is not an org unit of this exercise`);
    if (!(NON_PAY_BASES as readonly string[]).includes(line.basis))
      add('basis', `"${line.basis}" is not a basis: use fte, users or area`);
  });
  return problems;
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

// The integer largest-remainder split lives with the other exact arithmetic (the pay baseline
// uses it too); exported here as well, where its property tests are.
export { addSplit, split } from './decimal.ts';

/** Why a shared line cannot be shared: nobody works in its scope, or no unit there has its basis. */
function unsharable(line: NonPayLine, row: number, nobody: boolean): Problem {
  const where =
    [line.functionCode && `function ${line.functionCode}`, line.unitCode && `unit ${line.unitCode}`]
      .filter(Boolean)
      .join(' in ') || 'the organisation';
  return nobody
    ? {
        row,
        field: line.unitCode !== undefined ? 'unitCode' : 'functionCode',
        message: `Nobody works in ${where}, so its share of this cost cannot be worked out: charge it to a process instead`,
      }
    : {
        row,
        field: 'basis',
        message: `No unit in ${where} has ${line.basis === 'users' ? 'a number of users' : 'a floor area'} recorded, so the cost cannot be shared by ${line.basis === 'users' ? 'users' : 'm²'}`,
      };
}

/** Charges every non-pay line to processes (and units), or returns the problems that stop it. */
export function allocateNonPay(input: NonPayInput): NonPayResult {
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
  // A list of cells laid out for addSplitRange: their FTE (the weights) and their places.
  interface Spread {
    weights: Float64Array;
    at: Int32Array;
  }
  const spreadOf = (lists: readonly (readonly Cell[])[]): Spread => {
    let n = 0;
    for (const cells of lists) n += cells.length;
    const weights = new Float64Array(n);
    const at = new Int32Array(n);
    let i = 0;
    for (const cells of lists)
      for (const c of cells) {
        weights[i] = c.fte;
        at[i++] = c.index;
      }
    return { weights, at };
  };
  const fteOf = (cells: readonly Cell[]) => {
    let n = 0;
    for (const c of cells) n += c.fte;
    return n;
  };
  // A shared line's scope (function or all, unit and everything beneath it or all) → the units
  // in it, in the order of the pay baseline's cells, and each unit's cells laid end to end (unit
  // k's from `from[k]` to `from[k + 1]`, summing to `fte[k]`); with a basis, each unit's weight.
  // Many lines share a scope, so the walk over every unit happens once per scope rather than once
  // per line (issue 12: it was half of the baseline's CPU for a 2,000-line, 566-unit council).
  interface Scope extends Spread {
    units: [string, Cell[]][];
    from: Int32Array;
    fte: Float64Array;
  }
  interface Shares {
    scope: Scope;
    unitWeights: Float64Array;
    sum: number;
    allZero: boolean;
    parts: Float64Array;
  }
  const placed = new Map<string, Scope>();
  const ordered = new Map<string, { entries: [string, Cell[]][]; position: Map<string, number> }>();
  const orderOf = (key: string, inFunction: Map<string, Cell[]>) => {
    let hit = ordered.get(key);
    if (!hit) {
      const entries = [...inFunction];
      ordered.set(key, (hit = { entries, position: new Map(entries.map(([u], k) => [u, k])) }));
    }
    return hit;
  };
  const shares = new Map<string, Shares>();
  const sharesOf = (functionCode: string | undefined, unitCode: string | undefined, basis: NonPayBasis): Shares => {
    const where = `${functionCode ?? ALL}\u0000${unitCode ?? ALL}`;
    const key = `${where}\u0000${basis}`;
    let hit = shares.get(key);
    if (hit) return hit;
    let scope = placed.get(where);
    if (!scope) {
      const inFunction = cellsOf.get(functionCode ?? ALL);
      const unitScope = unitCode === undefined ? undefined : within(unitCode);
      let units: [string, Cell[]][] = [];
      if (unitScope === undefined || inFunction === undefined || unitScope.size * 8 > inFunction.size) {
        for (const [unit, cells] of inFunction ?? [])
          if (unitScope === undefined || unitScope.has(unit)) units.push([unit, cells]);
      } else {
        // A small part of the tree (a team, a service): its own units, in the cells' order.
        const { entries, position } = orderOf(functionCode ?? ALL, inFunction);
        const mine: number[] = [];
        for (const unit of unitScope) {
          const k = position.get(unit);
          if (k !== undefined) mine.push(k);
        }
        units = mine.sort((a, b) => a - b).map((k) => entries[k]!);
      }
      const from = new Int32Array(units.length + 1);
      units.forEach(([, cells], k) => (from[k + 1] = from[k]! + cells.length));
      scope = {
        units,
        from,
        fte: Float64Array.from(units, ([, cells]) => fteOf(cells)),
        ...spreadOf(units.map(([, cells]) => cells)),
      };
      placed.set(where, scope);
    }
    const unitWeights =
      basis === 'fte'
        ? scope.fte
        : Float64Array.from(
            scope.units,
            ([u]) => (basis === 'users' ? driversOf.get(u)?.users : driversOf.get(u)?.areaM2) ?? 0,
          );
    let sum = 0;
    for (const w of unitWeights) sum += w;
    hit = {
      scope,
      unitWeights,
      sum,
      allZero: unitWeights.every((w) => w === 0),
      parts: new Float64Array(unitWeights.length),
    };
    shares.set(key, hit);
    return hit;
  };
  const processSpreads = new Map<string, Spread & { sum: number }>();
  for (const [process, cells] of byProcessCells)
    processSpreads.set(process, { ...spreadOf([cells]), sum: fteOf(cells) });

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
  const lines = problems.length === 0 ? input.lines : [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    total += line.amount;
    byCategory[line.category] = pence(byCategory[line.category] + line.amount);
    if (line.processCode !== undefined) {
      if (line.unitCode !== undefined) {
        charge(line.processCode, line.unitCode, line.amount);
        continue;
      }
      const doing = processSpreads.get(line.processCode);
      if (!doing) charge(line.processCode, NOT_IN_A_UNIT, line.amount);
      else addSplitRange(line.amount, doing.weights, 0, doing.weights.length, doing.sum, onCell, doing.at);
      continue;
    }
    // The units in scope with their cells in scope: first to units (by FTE, users or m²), then
    // inside each unit by FTE. Two small splits rather than one over every cell. The units of a
    // scope and their weights are worked out once per scope and basis, not once per line.
    const { scope, unitWeights, sum, allZero, parts } = sharesOf(line.functionCode, line.unitCode, line.basis);
    const units = scope.units.length;
    if (units === 0 || allZero) {
      if (line.amount > 0) problems.push(unsharable(line, line.row ?? i + 1, units === 0));
      continue;
    }
    if (!splitInto(line.amount, unitWeights, 0, units, sum, parts)) parts.set(split(line.amount, unitWeights, sum));
    const { from, fte, weights, at } = scope;
    for (let k = 0; k < units; k++)
      if (parts[k]! > 0) addSplitRange(parts[k]!, weights, from[k]!, from[k + 1]!, fte[k]!, onCell, at);
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
