// The efficiency programme → view models: benchmark comparisons in words (band and gaps, never
// colour alone), opportunities with their pool totals, the business case as every output shows
// it (render/business-case-view.ts), the plan for the Gantt chart and its table, the ledger and
// gain-share evaluations with the sentence that explains what is due.

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import {
  type Money,
  formatMoney,
  formatInUnits,
  formatMoneyInThousands,
  multiplyMoney,
} from '../../domain/diagnostic/money.ts';
import { formatBasisPoints } from '../../domain/diagnostic/decimal.ts';
import { LEVER_LABELS, type OptionAppraisal } from '../../domain/diagnostic/programme.ts';
import type { LeverWorking } from '../../domain/diagnostic/levers.ts';
import {
  DISCOUNT_SCHEDULES,
  OPTIMISM_BIAS,
  describeSchedule,
  discountFactorsExact,
  formatRate,
  rateForYear,
  type DiscountScheduleKey,
  type OptimismBiasCategory,
  type Payback,
  type RateBand,
} from '../../domain/diagnostic/appraisal.ts';
import type { CaseOptionAppraisal } from '../../domain/diagnostic/case-option.ts';
import { fractionToNumber } from '../../domain/diagnostic/decimal.ts';
import type { Tranche } from '../../domain/diagnostic/gain-share.ts';
import type { BusinessCaseView, OptionView, TextTable } from '../../render/business-case-view.ts';
import { renderCashFlowChart, describeCashFlowChart } from '../../render/business-case-chart.ts';
import type { GanttProject } from '../../render/gantt-svg.ts';
import type {
  BenchmarkComparison,
  CaseWithAppraisal,
  EvaluationRecord,
  ExerciseSummary,
  OpportunityRecord,
  ProjectRecord,
  SavingsRecord,
} from './efficiency.service.ts';

export const fyLabel = (y: number) => `${y}/${String((y + 1) % 100).padStart(2, '0')}`;
const inK = (m: Money) => formatInUnits(m, 'thousands', 1);
const paragraphs = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
const number = (v: number) => v.toLocaleString('en-GB', { maximumFractionDigits: 2 });
// Issue 12: "never" is said in words, never as a number; no flows at all have no payback.
const years = (v: Payback) =>
  v === undefined ? '— (no cash flows)' : v === 'never' ? 'Never pays back' : `${v.toFixed(2)} years`;
const ratio = (v: number | undefined) => (v === undefined ? 'Not defined (no costs)' : v.toFixed(2));
const share = (v: number | undefined) =>
  v === undefined ? 'Not defined' : `${(v * 100).toFixed(1)}%`.replace(/^-/, '\u2212');

export function presentBenchmark(b: BenchmarkComparison) {
  const { set, comparison } = b;
  const unit = set.unit === '%' ? '%' : set.unit ? ` ${set.unit}` : '';
  const v = (x: number) => `${number(x)}${unit}`;
  return {
    id: set.id,
    indicator: set.indicator,
    provenance: `${set.source}, ${set.year}; ${set.peerGroup}; ${set.n} organisations`,
    illustrative: set.illustrative,
    computed: set.computed,
    direction: set.direction === 'lower-is-better' ? 'Lower is better' : 'Higher is better',
    quartiles: { p25: v(set.p25), p50: v(set.p50), p75: v(set.p75) },
    ownValue: set.ownValue === null ? 'Not entered' : v(set.ownValue),
    band: comparison === undefined ? 'No value to compare' : comparison.ok ? comparison.label : comparison.reason,
    gapToMedian: comparison?.ok
      ? comparison.gapToMedian === 0
        ? 'None: at or better than the median'
        : v(comparison.gapToMedian)
      : '–',
    gapToBest: comparison?.ok
      ? comparison.gapToBest === 0
        ? 'None: in the best quartile'
        : v(comparison.gapToBest)
      : '–',
    best: comparison?.ok ? v(comparison.best) : v(set.direction === 'lower-is-better' ? set.p25 : set.p75),
    version: set.version,
  };
}

export function presentOpportunity(o: OpportunityRecord) {
  return {
    id: o.id,
    title: o.title,
    lever: LEVER_LABELS[o.lever],
    costPool: o.costPool,
    poolCost: formatMoney(o.poolCost),
    low: formatMoney(o.low),
    central: formatMoney(o.central),
    high: formatMoney(o.high),
    confidence: `${o.confidence.charAt(0).toUpperCase()}${o.confidence.slice(1)} confidence`,
    priorityCode: o.priorityCode,
    howWorkedOut: howWorkedOut(o),
  };
}

/** Whether an opportunity's figures are Amber's working, the officer's change of it (and why), or typed in. */
export function howWorkedOut(o: OpportunityRecord): string {
  if (!o.computed) return 'Entered by hand';
  if (o.overrideReason === '') return 'Worked out from the data';
  return `Changed from the worked-out ${formatMoney(o.computed.low)} – ${formatMoney(o.computed.high)} (central ${formatMoney(o.computed.central)}): ${o.overrideReason}`;
}

/** A lever's working as a view model: what it rests on and one sentence per figure. */
export function presentWorking(w: LeverWorking) {
  return {
    basis: w.basis,
    rows: (['low', 'central', 'high'] as const).map((k) => ({
      key: `${k.charAt(0).toUpperCase()}${k.slice(1)}`,
      amount: formatMoney(w[k]),
      line: w.lines[k],
    })),
  };
}

export function opportunityFormValues(o: OpportunityRecord) {
  return {
    title: o.title,
    lever: o.lever,
    costPool: o.costPool,
    poolCost: formatMoney(o.poolCost),
    // Accepted working is left blank, so saving again takes the working from today's data.
    ...(o.computed && o.overrideReason === ''
      ? { low: '', central: '', high: '' }
      : { low: formatMoney(o.low), central: formatMoney(o.central), high: formatMoney(o.high) }),
    confidence: o.confidence,
    benchmarkSetId: o.benchmarkSetId ?? '',
    priority: o.priorityCode ?? '',
    description: o.description,
    targetSpan: String(o.inputs.targetSpan ?? ''),
    realisation:
      o.inputs.realisation === undefined ? '' : formatBasisPoints(Number(o.inputs.realisation)).replace('%', ''),
    achievability:
      o.inputs.achievability === undefined ? '100' : formatBasisPoints(Number(o.inputs.achievability)).replace('%', ''),
    shiftedShare:
      o.inputs.shiftedShare === undefined ? '' : formatBasisPoints(Number(o.inputs.shiftedShare)).replace('%', ''),
    targetUnitCost: o.inputs.targetUnitCost === undefined ? '' : formatMoney(Number(o.inputs.targetUnitCost) as Money),
    overrideReason: o.overrideReason,
    version: o.version,
  };
}

export function savingFormValues(s: SavingsRecord) {
  return {
    opportunityId: s.opportunityId,
    financialYear: fyLabel(s.financialYear),
    stage: s.stage,
    amount: formatMoney(s.amount),
    cashable: s.cashable,
    recurring: s.recurring,
    additional: s.additional,
    note: s.note,
    version: s.version,
  };
}

export function presentSaving(s: SavingsRecord) {
  return {
    id: s.id,
    opportunity: s.opportunityTitle,
    year: fyLabel(s.financialYear),
    stage: `${s.stage.charAt(0).toUpperCase()}${s.stage.slice(1)}`,
    stageKey: s.stage,
    amount: formatMoney(s.amount),
    cashable: s.cashable ? 'Cashable' : 'Non-cashable',
    recurring: s.recurring ? 'Recurring' : 'One-off',
    additional: s.additional,
    note: s.note,
    verified: s.verifiedAt !== null,
    verifiedText: s.verifiedAt
      ? `Verified by ${s.verifiedBy} on ${formatDate(s.verifiedAt.toISOString().slice(0, 10) as IsoDate)}`
      : 'Not verified',
    version: s.version,
  };
}

/** A stored gain-share evaluation: when, by whom, on which reading, what was due and why. */
export function presentEvaluation(e: EvaluationRecord) {
  return {
    id: e.id,
    on: formatDate(e.evaluatedOn),
    by: e.evaluatedBy,
    reading: e.reading,
    qualifying: formatMoney(e.qualifyingSavings),
    due: formatMoney(e.due),
    councilCost: formatMoney(e.councilCost),
    funderCost: formatMoney(e.funderCost),
    explanation: e.explanation,
  };
}

export function trancheText(t: Tranche): string {
  return `${formatMoney(t.repayment)} when qualifying savings ${t.inclusive ? 'reach' : 'exceed'} ${formatMoney(t.threshold)}`;
}

// ---- business case ----------------------------------------------------------------------------

function cashFlowTable(a: OptionAppraisal, baseYear: number): TextTable {
  const costs = a.byCategory.filter((c) => c.kind === 'cost');
  const benefits = a.byCategory.filter((c) => c.kind === 'benefit');
  const headings = [
    'Year',
    ...costs.map((c) => c.category),
    'Optimism bias',
    'Total costs',
    ...benefits.map((c) => `${c.category} (benefit)`),
    'Total benefits',
  ];
  const rows: TextTable['rows'] = Array.from({ length: a.years }, (_, t) => ({
    header: `${t} (${fyLabel(baseYear + t)})`,
    cells: [
      ...costs.map((c) => inK(c.amounts[t]!)),
      inK(a.uplift[t]!),
      inK(a.costs[t]!),
      ...benefits.map((c) => inK(c.amounts[t]!)),
      inK(a.benefits[t]!),
    ],
  }));
  const total = (xs: Money[]) => inK(xs.reduce((s, x) => (s + x) as Money, 0 as Money));
  rows.push({
    header: 'Total',
    cells: [
      ...costs.map((c) => total(c.amounts)),
      total(a.uplift),
      total(a.costs),
      ...benefits.map((c) => total(c.amounts)),
      total(a.benefits),
    ],
    strong: true,
  });
  return {
    caption:
      'Cash flows by year and category (£ thousands, real prices, undiscounted; the totals include optimism bias)',
    headings,
    rows,
    numeric: true,
  };
}

function discountingTable(a: OptionAppraisal, schedule: readonly RateBand[]): TextTable {
  const df = discountFactorsExact(a.years - 1, schedule);
  const rows: TextTable['rows'] = Array.from({ length: a.years }, (_, t) => ({
    header: String(t),
    cells: [
      inK(a.costs[t]!),
      inK(a.benefits[t]!),
      inK(a.net[t]!),
      inK(a.cumulative[t]!),
      t === 0 ? 'None' : formatRate(rateForYear(t, schedule)),
      fractionToNumber(df[t]!).toFixed(4),
      inK(multiplyMoney(a.net[t]!, df[t]!.n, df[t]!.d)),
    ],
  }));
  rows.push({
    header: 'Total',
    cells: [
      inK(a.costs.reduce((s, x) => (s + x) as Money, 0 as Money)),
      inK(a.benefits.reduce((s, x) => (s + x) as Money, 0 as Money)),
      inK(a.net.reduce((s, x) => (s + x) as Money, 0 as Money)),
      '',
      '',
      '',
      inK(a.appraisal.npsv),
    ],
    strong: true,
  });
  return {
    caption:
      'Discounting (£ thousands): the case’s Green Book schedule, year 0 undiscounted; present values rounded for display, their total (the NPSV) from the exact sum',
    headings: [
      'Year',
      'Costs',
      'Benefits',
      'Net',
      'Cumulative',
      'Discount rate',
      'Discount factor',
      'Present value of net',
    ],
    rows,
    numeric: true,
  };
}

function appraisalTable(a: OptionAppraisal, schedule: DiscountScheduleKey): TextTable {
  const x = a.appraisal;
  return {
    caption: `Green Book appraisal (${DISCOUNT_SCHEDULES[schedule].label.replace(/^Green Book /, '')}: ${describeSchedule(DISCOUNT_SCHEDULES[schedule].bands)})`,
    headings: ['Measure', 'Value'],
    numeric: true,
    rows: [
      { header: 'Present value of costs (PVC)', cells: [formatMoneyInThousands(x.pvc)] },
      { header: 'Present value of benefits (PVB)', cells: [formatMoneyInThousands(x.pvb)] },
      { header: 'Net present social value (NPSV)', cells: [formatMoneyInThousands(x.npsv)], strong: true },
      { header: 'Benefit–cost ratio (BCR)', cells: [ratio(x.bcr)] },
      { header: 'Payback', cells: [years(x.payback)] },
      { header: 'Discounted payback', cells: [years(x.discountedPayback)] },
      { header: 'Switching value: fall in benefits', cells: [share(x.switchingBenefits)] },
      { header: 'Switching value: rise in costs', cells: [share(x.switchingCosts)] },
    ],
  };
}

function sensitivityTable(a: OptionAppraisal): TextTable {
  const s = a.sensitivities;
  const row = (label: string, x: typeof s.base) => ({
    header: label,
    cells: [inK(x.pvc), inK(x.pvb), inK(x.npsv), ratio(x.bcr), years(x.payback), years(x.discountedPayback)],
  });
  return {
    caption: 'Standard sensitivities (£ thousands; payback in years)',
    headings: ['Case', 'PVC', 'PVB', 'NPSV', 'BCR', 'Payback', 'Discounted payback'],
    numeric: true,
    rows: [
      row('Base case', s.base),
      row('Benefits 20% lower', s.benefitsDown20),
      row('Costs 20% higher', s.costsUp20),
      row('Benefits a year late', s.delayedOneYear),
    ],
  };
}

/** Each cost line's optimism bias: its basis (a Green Book category, or stated with the reason) and uplift. */
function optimismBiasTable(option: CaseWithAppraisal['options'][number], a: CaseOptionAppraisal): TextTable {
  const rows: TextTable['rows'] = option.lines.flatMap((l, i) => {
    if (l.kind !== 'cost') return [];
    const basis =
      l.statedUplift !== null
        ? `Stated: ${formatBasisPoints(l.statedUplift)}, reason: ${l.optimismBiasReason ?? ''}`
        : l.optimismBias
          ? `${OPTIMISM_BIAS[l.optimismBias].label}: upper bound +${formatBasisPoints(OPTIMISM_BIAS[l.optimismBias].upper)}${option.mitigation[l.optimismBias] ? `, ${formatBasisPoints(option.mitigation[l.optimismBias]!)} mitigated` : ''}`
          : 'None';
    return [
      { header: `${l.label} (${l.category})`, cells: [basis, `+${formatBasisPoints(Math.round(a.lineUplifts[i]!))}`] },
    ];
  });
  return {
    caption: 'Optimism bias on each cost line (HM Treasury Green Book supplementary guidance)',
    headings: ['Cost line', 'Basis', 'Uplift'],
    rows,
    numeric: false,
  };
}

function presentOption(
  caseId: string,
  option: CaseWithAppraisal['options'][number],
  a: CaseOptionAppraisal,
  baseYear: number,
  index: number,
  schedule: DiscountScheduleKey,
): OptionView {
  const tags = [option.businessAsUsual ? 'Business as usual' : '', option.preferred ? 'Preferred option' : ''].filter(
    Boolean,
  );
  const yearsLabels = Array.from({ length: a.years }, (_, t) => `Year ${t}`);
  const toK = (m: Money) => Number(formatInUnits(m, 'thousands', 1).replace(/,/g, '').replace('\u2212', '-'));
  const chartInput = {
    id: `case-${caseId.slice(0, 8)}-option-${index + 1}`,
    title: `${option.name}: cash flows`,
    years: yearsLabels,
    net: a.net.map(toK),
    cumulative: a.cumulative.map(toK),
  };
  const mitigated = (Object.entries(option.mitigation) as [OptimismBiasCategory, number][])
    .filter(([, bp]) => bp > 0)
    .map(([k, bp]) => `${OPTIMISM_BIAS[k].label.toLowerCase()} ${formatBasisPoints(bp)} mitigated`);
  const x = a.appraisal;
  const summary =
    `NPSV ${formatMoneyInThousands(x.npsv)} (PVB ${formatMoneyInThousands(x.pvb)} less PVC ${formatMoneyInThousands(x.pvc)}), BCR ${ratio(x.bcr)}, payback ${years(x.payback)}.` +
    (mitigated.length ? ` Optimism bias: ${mitigated.join('; ')}.` : '') +
    (option.benefitReduction > 0
      ? ` Benefits reduced by ${formatBasisPoints(option.benefitReduction)} for optimism bias.`
      : '');
  return {
    name: option.name,
    description: paragraphs(option.description),
    tags,
    cashFlows: cashFlowTable(a, baseYear),
    optimismBias: optimismBiasTable(option, a),
    discounting: discountingTable(a, DISCOUNT_SCHEDULES[schedule].bands),
    appraisal: appraisalTable(a, schedule),
    sensitivities: sensitivityTable(a),
    chart: {
      svg: renderCashFlowChart(chartInput),
      description: describeCashFlowChart(chartInput),
      table: {
        caption: 'The chart’s data (£ thousands)',
        headings: ['Year', 'Net flow', 'Cumulative'],
        numeric: true,
        rows: yearsLabels.map((y, t) => ({ header: y, cells: [inK(a.net[t]!), inK(a.cumulative[t]!)] })),
      },
    },
    summary,
  };
}

export const CASE_SECTIONS = [
  {
    key: 'strategic',
    heading: 'Strategic case',
    hint: 'The case for change: why, what it contributes to the organisation’s priorities',
  },
  {
    key: 'economic',
    heading: 'Economic case',
    hint: 'The options and why the preferred one offers best value (the appraisal tables follow)',
  },
  { key: 'commercial', heading: 'Commercial case', hint: 'How the preferred option would be procured and contracted' },
  { key: 'financial', heading: 'Financial case', hint: 'Affordability and funding' },
  {
    key: 'management',
    heading: 'Management case',
    hint: 'How it will be delivered: governance, plan, risks, benefits realisation',
  },
] as const;

export function presentBusinessCase(
  organisationName: string,
  exercise: ExerciseSummary,
  c: CaseWithAppraisal,
  opportunity: OpportunityRecord | undefined,
): BusinessCaseView {
  return {
    organisationName,
    exerciseName: exercise.name,
    title: c.title,
    status:
      c.status === 'approved'
        ? `Approved by ${c.approvedBy}${c.approvedAt ? ` on ${formatDate(c.approvedAt.toISOString().slice(0, 10) as IsoDate)}` : ''}`
        : 'Draft',
    approved: c.status === 'approved',
    basis: `Cash flows in £ thousands at real ${fyLabel(c.baseYear)} prices; year 0 is ${fyLabel(c.baseYear)} and is not discounted (HM Treasury Green Book).`,
    discountSchedule: `${DISCOUNT_SCHEDULES[c.discountSchedule].label}: ${describeSchedule(DISCOUNT_SCHEDULES[c.discountSchedule].bands)}.`,
    sections: CASE_SECTIONS.map((s) => ({ key: s.key, heading: s.heading, paragraphs: paragraphs(c.sections[s.key]) })),
    options: c.appraisals.map((x, i) => presentOption(c.id, x.option, x.appraisal, c.baseYear, i, c.discountSchedule)),
    opportunity: opportunity
      ? `${opportunity.title} (${LEVER_LABELS[opportunity.lever]}, ${opportunity.costPool}: ${formatMoney(opportunity.low)} to ${formatMoney(opportunity.high)}, central ${formatMoney(opportunity.central)})`
      : undefined,
    updated: new Date().toISOString(),
  };
}

// ---- plan -------------------------------------------------------------------------------------

export function ganttProjects(projects: readonly ProjectRecord[]): GanttProject[] {
  return projects.map((p) => ({
    id: p.id,
    name: p.name,
    start: p.startsOn,
    end: p.endsOn,
    dependsOn: p.dependsOn,
    milestones: p.milestones.map((m) => ({ label: m.description, due: m.dueOn })),
  }));
}

export function presentProject(p: ProjectRecord, all: readonly ProjectRecord[]) {
  return {
    id: p.id,
    name: p.name,
    caseTitle: p.caseTitle,
    owner: p.ownerName ?? 'No owner yet',
    starts: formatDate(p.startsOn),
    ends: formatDate(p.endsOn),
    dependsOn: p.dependsOn.map((d) => all.find((x) => x.id === d)?.name ?? 'a removed project'),
    milestones: p.milestones.map((m) => ({
      id: m.id,
      description: m.description,
      due: formatDate(m.dueOn),
      owner: m.ownerName ?? 'No owner yet',
      link:
        m.priorityCode && m.actionNumber
          ? `${m.priorityCode}, key action ${m.actionNumber}${m.reportMilestoneId ? '' : ' (removed from the report since)'}`
          : 'Not linked',
      priorityCode: m.priorityCode,
    })),
  };
}
