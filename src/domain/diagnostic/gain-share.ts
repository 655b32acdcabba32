// Gain-share agreements: who funds the diagnostic, and what the council repays as savings are
// delivered (DIAGNOSTIC.md §7).
//
// An agreement is data — contributions and tranches {threshold, repayment, inclusive} — so the
// two readings of the seed's deal are two presets, not two code paths, and an evaluation is a
// plain value a service can store as a dated snapshot. The invariants hold by construction:
// repayments are non-negative, so `due` never falls as savings rise; `due` is capped at the
// funder's contribution; and the council's and funder's costs always add up to the total.
//
// Saving an agreement typed by a person asks more (`agreementIssues`): thresholds above £0 in
// ascending order, repayments above £0. The sentence an evaluation gives writes every amount
// exactly (`formatMoneyExact`): £4,999,999.99 is never "£5.0m", and the next tranche says how
// much more is needed to the penny.

import { type Money, ZERO, formatMoney, formatMoneyShort, parseMoney, pounds, sumMoney } from './money.ts';

const possessive = (name: string) => (name.endsWith('s') ? `${name}’` : `${name}’s`);

/**
 * An amount as a sentence about thresholds must show it: the short form (`£5.5m`, `£50K`) when
 * that is the amount exactly, else every pound and penny (`£4,999,999.99`, `£1,050,000`), so a
 * figure just short of a threshold never reads as reaching it.
 */
export function formatMoneyExact(amount: Money): string {
  const short = formatMoneyShort(amount);
  return parseMoney(short) === amount ? short : formatMoney(amount);
}

export interface Tranche {
  /** Qualifying savings at which the repayment falls due. */
  threshold: Money;
  repayment: Money;
  /** True: reached when savings equal the threshold; false: only when they exceed it. */
  inclusive: boolean;
}

/** Which reading of the seed's wording an agreement follows, kept with every evaluation. */
export type GainShareReading = 'A' | 'B' | 'custom';

export interface GainShareAgreement {
  name: string;
  reading: GainShareReading;
  funder: string;
  council: string;
  totalCost: Money;
  funderContribution: Money;
  councilContribution: Money;
  tranches: readonly Tranche[];
}

export interface AgreementIssue {
  field: string;
  message: string;
}

const SEED_COMMON = {
  funder: 'Local Partnerships',
  council: 'the council',
  totalCost: pounds(150_000),
  funderContribution: pounds(100_000),
  councilContribution: pounds(50_000),
};

/**
 * Reading B (the default): £50K at £1m of additional savings, and another £50K once a further
 * £5m is delivered — £6m cumulative — which is where "pays all costs if more than £6 million"
 * agrees with the other two sentences.
 */
export const SEED_DEAL_READING_B: GainShareAgreement = {
  name: 'DECATS Phase 1 gain-share (reading B: £1m, then a further £5m)',
  reading: 'B',
  ...SEED_COMMON,
  tranches: [
    { threshold: pounds(1_000_000), repayment: pounds(50_000), inclusive: true },
    { threshold: pounds(6_000_000), repayment: pounds(50_000), inclusive: true },
  ],
};

/** Reading A: the thresholds are £1m and £5m of additional savings. */
export const SEED_DEAL_READING_A: GainShareAgreement = {
  name: 'DECATS Phase 1 gain-share (reading A: £1m and £5m)',
  reading: 'A',
  ...SEED_COMMON,
  tranches: [
    { threshold: pounds(1_000_000), repayment: pounds(50_000), inclusive: true },
    { threshold: pounds(5_000_000), repayment: pounds(50_000), inclusive: true },
  ],
};

export const GAIN_SHARE_PRESETS: Record<'A' | 'B', GainShareAgreement> = {
  A: SEED_DEAL_READING_A,
  B: SEED_DEAL_READING_B,
};

/** Problems that would break an invariant; an agreement with any cannot be evaluated. */
export function validateAgreement(a: GainShareAgreement): AgreementIssue[] {
  const issues: AgreementIssue[] = [];
  const whole = (m: number) => Number.isSafeInteger(m);
  if (!whole(a.totalCost) || a.totalCost < 0)
    issues.push({ field: 'totalCost', message: 'The total cost must be zero or more' });
  if (!whole(a.funderContribution) || a.funderContribution < 0)
    issues.push({ field: 'funderContribution', message: `${possessive(a.funder)} contribution must be zero or more` });
  if (!whole(a.councilContribution) || a.councilContribution < 0)
    issues.push({ field: 'councilContribution', message: 'The council’s contribution must be zero or more' });
  if (issues.length === 0 && a.funderContribution + a.councilContribution !== a.totalCost) {
    issues.push({
      field: 'councilContribution',
      message: `The contributions (${formatMoneyExact(a.funderContribution)} and ${formatMoneyExact(a.councilContribution)}) must add up to the total cost of ${formatMoneyExact(a.totalCost)}`,
    });
  }
  a.tranches.forEach((t, i) => {
    if (!whole(t.threshold) || t.threshold < 0)
      issues.push({ field: `tranches.${i}.threshold`, message: `Tranche ${i + 1}’s threshold must be zero or more` });
    if (!whole(t.repayment) || t.repayment < 0)
      issues.push({ field: `tranches.${i}.repayment`, message: `Tranche ${i + 1}’s repayment must be zero or more` });
  });
  const repayable = a.tranches.reduce((s, t) => s + t.repayment, 0);
  if (issues.length === 0 && repayable > a.funderContribution) {
    issues.push({
      field: 'tranches',
      message: `The tranches repay ${formatMoneyExact(repayable as Money)}, more than ${possessive(a.funder)} contribution of ${formatMoneyExact(a.funderContribution)}`,
    });
  }
  return issues;
}

/**
 * What stops an agreement being saved as typed: the invariants of `validateAgreement`, and the
 * rules a person entering tranches must keep so the table reads as the deal does — thresholds
 * above £0 and in ascending order (each higher than the one before), repayments above £0.
 * (Evaluation itself accepts any order; saving insists on one so the stored agreement reads as
 * written.) Each issue names the row's field, `tranches.1.threshold`.
 */
export function agreementIssues(a: GainShareAgreement): AgreementIssue[] {
  const issues = validateAgreement(a).filter((i) => !/^tranches\.\d+\./.test(i.field));
  const rows: AgreementIssue[] = [];
  a.tranches.forEach((t, i) => {
    const row = `Tranche ${i + 1}`;
    if (!Number.isSafeInteger(t.threshold) || t.threshold <= 0)
      rows.push({ field: `tranches.${i}.threshold`, message: `${row}’s threshold must be more than £0` });
    else if (i > 0 && a.tranches[i - 1]!.threshold >= t.threshold && a.tranches[i - 1]!.threshold > 0)
      rows.push({
        field: `tranches.${i}.threshold`,
        message: `${row}’s threshold (${formatMoneyExact(t.threshold)}) must be more than tranche ${i}’s (${formatMoneyExact(a.tranches[i - 1]!.threshold)}): list the tranches from the lowest threshold up`,
      });
    if (!Number.isSafeInteger(t.repayment) || t.repayment <= 0)
      rows.push({ field: `tranches.${i}.repayment`, message: `${row}’s repayment must be more than £0` });
  });
  return [...issues.filter((i) => i.field !== 'tranches'), ...rows, ...issues.filter((i) => i.field === 'tranches')];
}

export interface GainShareEvaluation {
  agreement: string;
  reading: GainShareReading;
  qualifyingSavings: Money;
  /** What the council repays the funder: 0 ≤ due ≤ funder contribution. */
  due: Money;
  /** The tranches reached, in threshold order. */
  reached: Tranche[];
  /** The lowest tranche not yet reached, if any. */
  next: Tranche | undefined;
  councilCost: Money;
  funderCost: Money;
  explanation: string;
}

export const isReached = (t: Tranche, savings: Money): boolean =>
  t.inclusive ? savings >= t.threshold : savings > t.threshold;

const byThreshold = (a: Tranche, b: Tranche) => a.threshold - b.threshold || Number(b.inclusive) - Number(a.inclusive);

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * What is due under an agreement for a level of qualifying savings (realised, verified and
 * additional to the agreed baseline), with a sentence a member or auditor can check by hand.
 */
export function evaluateGainShare(agreement: GainShareAgreement, qualifyingSavings: Money): GainShareEvaluation {
  const issues = validateAgreement(agreement);
  if (issues.length > 0)
    throw new RangeError(`the agreement cannot be evaluated: ${issues.map((i) => i.message).join('; ')}`);
  const ordered = [...agreement.tranches].sort(byThreshold);
  const reached = ordered.filter((t) => isReached(t, qualifyingSavings));
  const next = ordered.find((t) => !isReached(t, qualifyingSavings));
  const owed = sumMoney(reached.map((t) => t.repayment));
  const due = owed > agreement.funderContribution ? agreement.funderContribution : owed;
  const councilCost = (agreement.councilContribution + due) as Money;
  const funderCost = (agreement.funderContribution - due) as Money;

  const f = formatMoneyExact;
  const { funder, council } = agreement;
  const savings = `Qualifying savings of ${f(qualifyingSavings)}`;
  const n = ordered.length;
  const reachedText =
    reached.length === 0
      ? n === 0
        ? `${savings} are measured against an agreement with no repayment tranches, so ${council} repays nothing`
        : `${savings} have not reached the first tranche (${ordered[0]!.inclusive ? '' : 'more than '}${f(ordered[0]!.threshold)}), so ${council} repays nothing`
      : `${savings} reach ${reached.length === n ? (n === 1 ? 'the only tranche' : n === 2 ? 'both tranches' : `all ${n} tranches`) : `${reached.length} of ${n} tranches`} (${list(reached.map((t) => `${t.inclusive ? '' : 'more than '}${f(t.threshold)}`))}), so ${council} repays ${due === agreement.funderContribution ? 'all ' : ''}${f(due)} of ${possessive(funder)} ${f(agreement.funderContribution)}`;
  const split =
    funderCost === 0
      ? `${council} bears the whole ${f(agreement.totalCost)} cost`
      : `${council} bears ${f(councilCost)} and ${funder} ${f(funderCost)} of the ${f(agreement.totalCost)} cost`;
  // The gap is exact, so "reach £5.0m (£0.01 more)" can be checked by hand at £4,999,999.99.
  const gap = next === undefined ? ZERO : ((next.threshold - qualifyingSavings) as Money);
  const nextText =
    next === undefined
      ? ''
      : ` The next tranche, ${reached.length === 0 ? '' : 'a further '}${f(next.repayment)}, is due when savings ${next.inclusive ? `reach ${f(next.threshold)} (${f(gap)} more)` : `exceed ${f(next.threshold)} (at least ${f((gap + 1) as Money)} more)`}.`;
  const explanation = `${reachedText}: ${split}.${nextText}`;

  return {
    agreement: agreement.name,
    reading: agreement.reading,
    qualifyingSavings,
    due: due === 0 ? ZERO : due,
    reached,
    next,
    councilCost,
    funderCost,
    explanation,
  };
}
