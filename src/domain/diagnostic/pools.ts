// Cost pools as a hierarchy (DIAGNOSTIC.md §2 and §4): a function contains its processes, so an
// opportunity on a process and one on its function draw on the same money. Savings are combined
// bottom-up without counting a pound twice:
//
//   a process pool      C_p × (1 − Π(1 − aᵢ/C_p))                      levers on one base
//   its function pool   S + (C_f − S) × (1 − Π(1 − bⱼ/C_f))             S = Σ the processes' combined savings
//
// so a function-wide lever saves its share of what the process levers leave, and a pool never
// saves more than it costs. Pools that are not in the taxonomy (e.g. all manager posts) stand on
// their own. Where the stated pool costs contradict the hierarchy — a process dearer than its
// function, or processes that together cost more than their function — combining would go above
// the smallest pool that holds both opportunities, so it is refused naming both.
//
// A pool outside the taxonomy may still share money with it: every manager's pay (the spans-and-
// layers lever's pool) is also part of the pay of the functions and processes the managers work
// on. Given how much of each function's and process's pool is managers' pay (`within`), the
// levers on both are combined on that shared part as on one pool — a share a of managers' pay
// and a share b of the function's cost save (1 − (1 − a)(1 − b)) of the shared part, not a + b —
// so the total takes out shared × a × b, and a warning names the opportunities on both sides.
// Without those figures the total cannot be corrected, and the warning says it may count twice.
//
// Org units are not a level below processes here (issue 12 asked for function ⊃ process ⊃ org
// unit): in the data model an org unit belongs to neither. Work is classified by activity, not by
// where the post sits, so a unit's cost spreads over many functions and a process's over many
// units (the baseline's process × unit cells); a unit's only link to the taxonomy is being the
// central home of a function (`central_function_code`), and even that unit's posts work on other
// functions' processes too. An opportunity names one cost pool code, and no pool code names a
// (process, unit) cell, so there is no org-unit pool to nest.
// Pure: the caller passes the taxonomy's process → function map.

import { type Money, ZERO, formatMoney, minMoney, multiplyMoney, pence, sumMoney } from './money.ts';
import { type SavingRange, combineByPool } from './programme.ts';

export interface PoolOpportunity extends SavingRange {
  id: string;
  title: string;
  costPool: string;
  poolCost: Money;
}

export interface PoolRow extends SavingRange {
  costPool: string;
  poolCost: Money;
  /** 'function' pools hold 'process' rows; 'other' pools stand alone. */
  level: 'function' | 'process' | 'other';
  /** Opportunities on this pool itself. */
  opportunities: number;
  /** The sums of every opportunity's own figures under this pool, before overlaps are taken out. */
  naive: SavingRange;
  /** Process pools inside a function pool. */
  children: PoolRow[];
}

export interface PoolConflict {
  /** The opportunity whose figures break the hierarchy. */
  opportunityId: string;
  /** The other opportunity it collides with. */
  otherId: string;
  field: 'poolCost' | 'high';
  message: string;
}

/** A pool outside the taxonomy whose money is also inside the taxonomy's pools. */
export interface PoolOverlap {
  /** The pool's code (e.g. MANAGERS). */
  pool: string;
  /** What the money is, for the warning: "managers’ pay". */
  what: string;
  /** How much of each function's and process's pool is this pool's money; undefined when unknown. */
  within: Readonly<Record<string, Money>> | undefined;
}

/** Opportunities on an overlapping pool and on a pool of the taxonomy that share money. */
export interface OverlapWarning {
  pool: string;
  otherPool: string;
  /** The opportunities on `pool`, then those on `otherPool` (its processes' too, for a function). */
  opportunityIds: string[];
  otherOpportunityIds: string[];
  /** The money both pools hold, when known. */
  shared: Money | undefined;
  /** Taken out of the total so that the shared money is not saved twice (zero when unknown). */
  deducted: SavingRange;
  message: string;
}

const KEYS = ['low', 'central', 'high'] as const;

function naiveOf(list: readonly SavingRange[]): SavingRange {
  return {
    low: sumMoney(list.map((o) => o.low)),
    central: sumMoney(list.map((o) => o.central)),
    high: sumMoney(list.map((o) => o.high)),
  };
}

/** A function pool: the processes' combined savings, then the function-wide levers on what they leave. */
function combineFunction(poolCost: Money, processes: readonly SavingRange[], own: readonly SavingRange[]): SavingRange {
  const out = {} as SavingRange;
  for (const k of KEYS) {
    const inside = minMoney(poolCost, sumMoney(processes.map((p) => p[k])));
    const left = pence(poolCost - inside);
    if (own.length === 0 || poolCost === 0) {
      out[k] = inside;
      continue;
    }
    // Each function-wide lever b saves b/C of what is left: left × (1 − Π(1 − bⱼ/C)).
    const c = BigInt(poolCost);
    const den = c ** BigInt(own.length);
    const remain = own.reduce((p, o) => p * (c - BigInt(Math.min(Math.max(o[k], 0), poolCost))), 1n);
    out[k] = pence(inside + multiplyMoney(left, den - remain, den));
  }
  return out;
}

/**
 * Opportunities combined per pool along the hierarchy. `functionOf` gives a process's function
 * (undefined for a function or a pool outside the taxonomy); `isFunction` tells a function code.
 * Rows are in first-seen order; `total` adds the top-level rows, which do not overlap.
 */
export function combinePools(
  opportunities: readonly PoolOpportunity[],
  functionOf: (code: string) => string | undefined,
  isFunction: (code: string) => boolean,
  overlaps: readonly PoolOverlap[] = [],
): { pools: PoolRow[]; total: SavingRange; overlaps: OverlapWarning[] } {
  const byPool = new Map<string, PoolOpportunity[]>();
  for (const o of opportunities) byPool.set(o.costPool, [...(byPool.get(o.costPool) ?? []), o]);
  const processRow = (code: string, list: readonly PoolOpportunity[]): PoolRow => {
    const combined = combineByPool(list).pools[0]!;
    return {
      costPool: code,
      poolCost: combined.poolCost,
      level: 'process',
      opportunities: list.length,
      low: combined.low,
      central: combined.central,
      high: combined.high,
      naive: combined.naive,
      children: [],
    };
  };
  const top = new Map<string, PoolRow>();
  for (const code of byPool.keys()) {
    const fn = functionOf(code);
    const key = fn ?? code;
    if (top.has(key)) continue;
    if (fn === undefined && !isFunction(code)) {
      const row = processRow(code, byPool.get(code)!);
      top.set(code, { ...row, level: 'other' });
      continue;
    }
    // A function: its own levers and every process of it that has one.
    const own = byPool.get(key) ?? [];
    const children = [...byPool.entries()]
      .filter(([c]) => c !== key && functionOf(c) === key)
      .map(([c, list]) => processRow(c, list));
    const stated = own.reduce((m, o) => (o.poolCost > m ? o.poolCost : m), ZERO);
    // Without a function-wide lever the function's cost is not needed: its processes add up.
    const poolCost = own.length ? stated : sumMoney(children.map((c) => c.poolCost));
    const combined = combineFunction(poolCost, children, own);
    top.set(key, {
      costPool: key,
      poolCost,
      level: 'function',
      opportunities: own.length,
      ...combined,
      naive: naiveOf([...own, ...children.map((c) => c.naive)]),
      children,
    });
  }
  const pools = [...top.values()];
  const warnings = overlapWarnings(pools, byPool, overlaps);
  const total = (k: (typeof KEYS)[number]) =>
    pence(sumMoney(pools.map((p) => p[k])) - sumMoney(warnings.map((w) => w.deducted[k])));
  return {
    pools,
    total: { low: total('low'), central: total('central'), high: total('high') },
    overlaps: warnings,
  };
}

/** shared × (a/A) × (b/B) for each of low, central, high: what two levers on shared money count twice. */
function twice(shared: Money, a: PoolRow, b: { poolCost: Money } & SavingRange): SavingRange {
  const out = {} as SavingRange;
  for (const k of KEYS) {
    const x = minMoney(a[k], a.poolCost);
    const y = minMoney(b[k], b.poolCost);
    out[k] =
      a.poolCost > 0 && b.poolCost > 0 && x > 0 && y > 0
        ? multiplyMoney(shared, BigInt(x) * BigInt(y), BigInt(a.poolCost) * BigInt(b.poolCost))
        : ZERO;
  }
  return out;
}

function overlapWarnings(
  pools: readonly PoolRow[],
  byPool: ReadonlyMap<string, readonly PoolOpportunity[]>,
  overlaps: readonly PoolOverlap[],
): OverlapWarning[] {
  const warnings: OverlapWarning[] = [];
  const titles = (list: readonly PoolOpportunity[]) => list.map((o) => `“${o.title}”`).join(', ');
  for (const overlap of overlaps) {
    const row = pools.find((p) => p.level === 'other' && p.costPool === overlap.pool);
    if (!row) continue;
    const mine = byPool.get(overlap.pool) ?? [];
    for (const f of pools) {
      if (f.level !== 'function') continue;
      // A lever on the whole function acts on all of its money; levers on its processes only
      // on theirs (a process pool is then the base of the share).
      const parts: { code: string; row: { poolCost: Money } & SavingRange }[] =
        f.opportunities > 0 ? [{ code: f.costPool, row: f }] : f.children.map((c) => ({ code: c.costPool, row: c }));
      const others = [
        ...(f.opportunities > 0 ? (byPool.get(f.costPool) ?? []) : []),
        ...f.children.flatMap((c) => byPool.get(c.costPool) ?? []),
      ];
      const known = overlap.within !== undefined;
      const shares = parts.map(({ code, row: r }) => {
        const shared = minMoney(overlap.within?.[code] ?? ZERO, minMoney(r.poolCost, row.poolCost));
        return { shared, deducted: twice(shared, row, r) };
      });
      const shared = known ? sumMoney(shares.map((x) => x.shared)) : undefined;
      if (known && shared === 0) continue; // no manager works on it: nothing shared
      const deducted = {} as SavingRange;
      for (const k of KEYS) deducted[k] = sumMoney(shares.map((x) => x.deducted[k]));
      const where = f.opportunities > 0 ? f.costPool : parts.map((p) => p.code).join(', ');
      warnings.push({
        pool: overlap.pool,
        otherPool: f.costPool,
        opportunityIds: mine.map((o) => o.id),
        otherOpportunityIds: others.map((o) => o.id),
        shared,
        deducted,
        message:
          shared === undefined
            ? `${titles(mine)} (${overlap.pool}) and ${titles(others)} (${where}) may both save ${overlap.what} in ${where}: the baseline does not say how much of it there is, so the total may count it twice`
            : `${titles(mine)} (${overlap.pool}) and ${titles(others)} (${where}) both save ${overlap.what} in ${where} (${formatMoney(shared)}): the total counts it once, ${formatMoney(deducted.central)} less than adding them (central)`,
      });
    }
  }
  return warnings;
}

/**
 * Where `candidate`'s pool contradicts the pools of the others along the hierarchy: each conflict
 * names both opportunities. Empty when the candidate fits.
 */
export function poolConflicts(
  candidate: PoolOpportunity,
  others: readonly PoolOpportunity[],
  functionOf: (code: string) => string | undefined,
): PoolConflict[] {
  const conflicts: PoolConflict[] = [];
  const rest = others.filter((o) => o.id !== candidate.id);
  const fn = functionOf(candidate.costPool);
  const quote = (o: PoolOpportunity) => `“${o.title}”`;
  if (fn !== undefined) {
    // A process: never dearer than its function as another opportunity states it.
    for (const f of rest.filter((o) => o.costPool === fn)) {
      if (candidate.poolCost > f.poolCost)
        conflicts.push({
          opportunityId: candidate.id,
          otherId: f.id,
          field: 'poolCost',
          message: `${candidate.costPool} costs ${formatMoney(candidate.poolCost)} here, more than its function ${fn} (${formatMoney(f.poolCost)}) in ${quote(f)}: a process cannot cost more than the function it belongs to`,
        });
    }
    // Together with its sibling processes, never dearer than the function.
    const fnOpps = rest.filter((o) => o.costPool === fn);
    if (fnOpps.length) {
      const ceiling = fnOpps.reduce((m, o) => (o.poolCost > m ? o.poolCost : m), ZERO);
      const siblings = new Map<string, PoolOpportunity>();
      for (const o of rest)
        if (functionOf(o.costPool) === fn && o.costPool !== candidate.costPool) siblings.set(o.costPool, o);
      const sum = sumMoney([candidate.poolCost, ...[...siblings.values()].map((o) => o.poolCost)]);
      const sibling = [...siblings.values()][0];
      if (sum > ceiling && candidate.poolCost <= ceiling && sibling)
        conflicts.push({
          opportunityId: candidate.id,
          otherId: sibling.id,
          field: 'poolCost',
          message: `The processes of ${fn} would cost ${formatMoney(sum)} with this one and ${quote(sibling)}, more than ${fn} itself (${formatMoney(ceiling)}): check the pool costs`,
        });
    }
  } else {
    // A function: never cheaper than a process of it, nor than its processes together.
    const inside = rest.filter((o) => functionOf(o.costPool) === candidate.costPool);
    for (const p of inside) {
      if (p.poolCost > candidate.poolCost)
        conflicts.push({
          opportunityId: candidate.id,
          otherId: p.id,
          field: 'poolCost',
          message: `${candidate.costPool} costs ${formatMoney(candidate.poolCost)} here, less than its process ${p.costPool} (${formatMoney(p.poolCost)}) in ${quote(p)}: a function cannot cost less than a process in it`,
        });
    }
    const perProcess = new Map<string, PoolOpportunity>();
    for (const p of inside) perProcess.set(p.costPool, p);
    const sum = sumMoney([...perProcess.values()].map((o) => o.poolCost));
    const first = [...perProcess.values()][0];
    if (first && conflicts.length === 0 && sum > candidate.poolCost)
      conflicts.push({
        opportunityId: candidate.id,
        otherId: first.id,
        field: 'poolCost',
        message: `${candidate.costPool} costs ${formatMoney(candidate.poolCost)} here, less than its processes in other opportunities together (${formatMoney(sum)}, starting with ${quote(first)})`,
      });
  }
  return conflicts;
}
