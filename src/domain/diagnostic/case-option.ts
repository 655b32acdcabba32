// One option of an outline business case (DIAGNOSTIC.md §5): its cost and benefit lines as
// typed, each cost line's optimism bias (a Green Book category's upper bound less mitigation, or
// a percentage the officer states with a reason), its yearly totals and its Green Book appraisal
// on the discount schedule the case uses. Also the limits that keep every figure within what
// Amber holds: an appraisal period of at most 60 years after year 0, and amounts, yearly totals
// and present values below 2^53 pence (about £90 trillion), found before anything is stored so
// a line that would overflow is refused naming its field, never a 500.

import type { BasisPoints } from './decimal.ts';
import { type Money, ZERO, addMoney, parseMoney, pence, sumMoney } from './money.ts';
import {
  type OptimismBiasCategory,
  type OptimismBiasSettings,
  type RateBand,
  type CostLine,
  GREEN_BOOK_SCHEDULE,
  appraise,
  flowsWithOptimismBias,
  lineUplift,
  sensitivities,
} from './appraisal.ts';
import type { OptionAppraisal } from './programme.ts';

/** The last year an appraisal may run to (years 0–60): long enough for any back-office change. */
export const MAX_APPRAISAL_YEAR = 60;

export interface OptionLine {
  kind: 'cost' | 'benefit';
  category: string;
  label: string;
  optimismBias?: OptimismBiasCategory | undefined;
  /** A stated uplift in basis points (cost lines only), instead of a category. */
  statedUplift?: BasisPoints | undefined;
  amounts: readonly Money[];
}

export interface CaseOptionAppraisal extends OptionAppraisal {
  /** Each line's uplift in basis points, in line order (0 for benefits and lines without one). */
  lineUplifts: number[];
  /** Totals over the appraisal period, with optimism bias. */
  totals: { costs: Money; benefits: Money; uplift: Money; net: Money };
}

/** Where an amount or a total would go beyond what Amber holds. */
export interface CapacityIssue {
  /** The year whose total is too large, when one is. */
  year: number | undefined;
  message: string;
}

const pad = (xs: readonly Money[], years: number) => Array.from({ length: years }, (_, t) => xs[t] ?? ZERO);

/**
 * Reads a line's amounts by year: the text of a form (`£1,200,000 £400,000; 0`, spaces,
 * semicolons or new lines between years) or a list (JSON, or `amounts[3]` fields), each item
 * text or a number of pounds. Problems name the year: `amounts[3]` for the fourth amount.
 */
export function readAmounts(
  value: unknown,
): { ok: true; amounts: Money[] } | { ok: false; issues: { index: number | undefined; message: string }[] } {
  let parts: unknown[];
  if (typeof value === 'string') parts = value.split(/[\s;]+/).filter((p) => p !== '');
  else if (Array.isArray(value)) parts = value;
  else if (value === undefined || value === null) parts = [];
  else return { ok: false, issues: [{ index: undefined, message: 'Enter the amounts by year, from year 0' }] };
  if (parts.length === 0)
    return { ok: false, issues: [{ index: undefined, message: 'Enter at least one amount, for year 0' }] };
  if (parts.length > MAX_APPRAISAL_YEAR + 1)
    return {
      ok: false,
      issues: [
        {
          index: undefined,
          message: `Enter at most ${MAX_APPRAISAL_YEAR + 1} years (0 to ${MAX_APPRAISAL_YEAR}): an appraisal period ends by year ${MAX_APPRAISAL_YEAR}`,
        },
      ],
    };
  const amounts: Money[] = [];
  const issues: { index: number; message: string }[] = [];
  for (const [year, part] of parts.entries()) {
    const text = typeof part === 'number' && Number.isFinite(part) ? String(part) : part;
    const m = typeof text === 'string' ? parseMoney(text) : undefined;
    if (m === undefined) {
      // The same text with a one-digit whole part reads: so it is written well and too large.
      const tooLarge = typeof text === 'string' && parseMoney(text.replace(/\d[\d,]*/, '1')) !== undefined;
      const shown = typeof text === 'string' ? text : (JSON.stringify(text) ?? String(text));
      issues.push({
        index: year,
        message: tooLarge
          ? `Year ${year}: “${shown}” is more than Amber can hold (about £90 trillion)`
          : `Year ${year}: “${shown}” is not an amount of money like £1,200,000 or £1.2m`,
      });
    } else if (m < 0) {
      issues.push({
        index: year,
        message: `Year ${year}: amounts cannot be negative (enter costs and benefits as separate lines)`,
      });
    } else amounts.push(m);
  }
  return issues.length ? { ok: false, issues } : { ok: true, amounts };
}

const asCostLine = (l: OptionLine): CostLine => ({
  label: l.label,
  amounts: l.amounts,
  ...(l.optimismBias ? { optimismBias: l.optimismBias } : {}),
  ...(l.statedUplift !== undefined ? { statedUplift: l.statedUplift } : {}),
});
const costLines = (lines: readonly OptionLine[]): CostLine[] => lines.filter((l) => l.kind === 'cost').map(asCostLine);

/**
 * An option's cash flows by year and category, and its appraisal on `schedule` with optimism
 * bias applied. Throws RangeError when a figure would pass what Amber holds: check a change with
 * `capacityIssue` first.
 */
export function appraiseCaseOption(
  lines: readonly OptionLine[],
  settings: OptimismBiasSettings = {},
  schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE,
): CaseOptionAppraisal {
  const benefitLines = lines.filter((l) => l.kind === 'benefit').map((l) => ({ label: l.label, amounts: l.amounts }));
  const flows = flowsWithOptimismBias(costLines(lines), benefitLines, settings);
  const years = Math.max(1, flows.costs.length, flows.benefits.length);
  const costs = pad(flows.costs, years);
  const benefits = pad(flows.benefits, years);
  const uplift = pad(flows.uplift, years);
  const net = benefits.map((b, t) => pence(b - costs[t]!));
  const cumulative: Money[] = [];
  let run = ZERO;
  for (const x of net) {
    run = addMoney(run, x);
    cumulative.push(run);
  }
  const groups = new Map<string, { kind: 'cost' | 'benefit'; category: string; amounts: Money[] }>();
  for (const l of lines) {
    const key = `${l.kind}\u0000${l.category}`;
    const g = groups.get(key) ?? { kind: l.kind, category: l.category, amounts: pad([], years) };
    l.amounts.forEach((a, t) => {
      g.amounts[t] = addMoney(g.amounts[t] ?? ZERO, a);
    });
    groups.set(key, g);
  }
  for (const g of groups.values()) sumMoney(g.amounts);
  const byCategory = [...groups.values()].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'cost' ? -1 : 1));
  const lineUplifts = lines.map((l) => {
    if (l.kind !== 'cost') return 0;
    const u = lineUplift(asCostLine(l), settings);
    return Number((u.n * 10_000_000n) / u.d) / 1_000;
  });
  return {
    years,
    byCategory,
    costs,
    benefits,
    uplift,
    net,
    cumulative,
    appraisal: appraise({ costs, benefits }, schedule),
    sensitivities: sensitivities({ costs, benefits }, schedule),
    lineUplifts,
    totals: { costs: sumMoney(costs), benefits: sumMoney(benefits), uplift: sumMoney(uplift), net: sumMoney(net) },
  };
}

/**
 * Why an option's lines cannot be appraised within what Amber holds, naming the first year
 * whose total is too large (or undefined when they can). The sums are done in bigint here, so
 * the check itself never overflows.
 */
export function capacityIssue(
  lines: readonly OptionLine[],
  settings: OptimismBiasSettings = {},
  schedule: readonly RateBand[] = GREEN_BOOK_SCHEDULE,
): CapacityIssue | undefined {
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  const years = Math.max(0, ...lines.map((l) => l.amounts.length));
  // Costs +20% (a sensitivity) with their uplift are the largest figure each year can reach.
  for (let t = 0; t < years; t += 1) {
    let costs = 0n;
    let benefits = 0n;
    for (const l of lines) {
      const a = BigInt(l.amounts[t] ?? 0);
      if (l.kind === 'benefit') benefits += a;
      else {
        let u: { n: bigint; d: bigint };
        try {
          u = lineUplift(asCostLine(l), settings);
        } catch {
          return { year: undefined, message: 'The optimism bias of a line is outside what Amber allows' };
        }
        costs += a + (a * u.n) / u.d + 1n;
      }
    }
    if ((costs * 12n) / 10n > limit || benefits > limit)
      return {
        year: t,
        message: `Year ${t}: the option’s ${benefits > limit ? 'benefits' : 'costs'} in year ${t}, with optimism bias and the costs +20% sensitivity, would add up to more than Amber can hold (about £90 trillion): check the amounts`,
      };
  }
  try {
    appraiseCaseOption(lines, settings, schedule);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return {
      year: undefined,
      message:
        'The option’s costs or benefits over the appraisal period, with optimism bias, add up to more than Amber can hold (about £90 trillion): check the amounts',
    };
  }
  return undefined;
}
