// A ReportView of the seed report (VfM-4d, 2009/10 H1) built from the demo data, for the
// renderer tests; overrides replace whole top-level fields.

import { VFM_4D } from '../../src/modules/demo/vfm-4d.ts';
import { formatDate, type IsoDate } from '../../src/domain/dates.ts';
import { parsePeriodKey, periodLabel, periodSpan } from '../../src/domain/period.ts';
import { RAG_SCALE, textColourOn } from '../../src/domain/status-scale.ts';
import { parseTimescale } from '../../src/domain/timescale.ts';
import {
  SHAPE_SYMBOLS,
  type GraphView,
  type ReportView,
  type SignOffView,
  type StatusView,
} from '../../src/render/report-view.ts';
import { chartTable, type IndicatorChartView } from '../../src/render/charts/chart-view.ts';
import { describeChart, renderIndicatorChartSvg } from '../../src/render/charts/svg.ts';

type PersonKey = (typeof VFM_4D.people)[number]['key'];

function person(key: PersonKey): { name: string; jobTitle: string } {
  const p = VFM_4D.people.find((x) => x.key === key);
  if (!p) throw new Error(`no person ${key} in the seed`);
  return { name: p.name, jobTitle: p.jobTitle };
}

function statusView(key: string): StatusView {
  const s = RAG_SCALE.find((x) => x.key === key);
  if (!s) throw new Error(`no status ${key} in the RAG scale`);
  return {
    key: s.key,
    label: s.label,
    colour: s.colour,
    textColour: textColourOn(s.colour),
    shape: s.shape,
    symbol: SHAPE_SYMBOLS[s.shape],
    description: s.description,
    pattern: s.pattern,
    unrated: !s.rated,
  };
}

const ROLE_LABELS: Record<SignOffView['role'], string> = {
  accountable_officer: 'Accountable Officer',
  accountable_director: 'Accountable Director',
};

export function buildVfm4dReportView(overrides: Partial<ReportView> = {}): ReportView {
  const { priority, report } = VFM_4D;
  const period = parsePeriodKey(report.period);
  const span = periodSpan(period);
  const view: ReportView = {
    organisationName: VFM_4D.organisation.name,
    priority: { code: priority.code, title: priority.title, rationale: [priority.rationale] },
    heading: `Improvement Priority – ${priority.code} ${priority.title}`,
    accountableOfficer: person(priority.officer),
    accountableDirector: person(priority.director),
    period: { key: period.key, label: periodLabel(period), span },
    graphs: [],
    noGraphsText: 'There are no graphs for this priority.',
    progressHeading: `Overall progress to date and outcomes achieved ${span}`,
    summary: [report.summary],
    status: statusView(report.status),
    statusReason: [report.statusReason],
    achievements: [...report.achievements],
    challenges: [...report.challenges],
    groups: { internal: priority.groupsInternal, external: priority.groupsExternal },
    signOffs: report.signOffs.map((s) => {
      const who = person(s.person);
      return {
        role: s.role,
        roleLabel: ROLE_LABELS[s.role],
        decisionLabel: 'Approved by',
        name: who.name,
        jobTitle: who.jobTitle,
        date: formatDate(s.date as IsoDate),
        dateIso: s.date,
        comment: '',
        historical: true,
      };
    }),
    actionsHeading: 'Key actions for the next 6 months',
    actions: report.actions.map((a, i) => ({
      number: i + 1,
      description: a.description,
      contributors: a.contributors.map((key) => person(key).name),
      milestones: a.milestones.map((m) => {
        const t = parseTimescale(m.timescale);
        if (!t) throw new Error(`seed timescale "${m.timescale}" does not parse`);
        return { description: m.description, timescale: m.timescale, timescaleIso: t.date, precision: t.precision };
      }),
    })),
    updatedAt: '2009-11-09T12:00:00.000Z',
    version: 1,
  };
  return { ...view, ...overrides };
}

const GRAPH_QUARTERS = [
  '2008/09 Q1',
  '2008/09 Q2',
  '2008/09 Q3',
  '2008/09 Q4',
  '2009/10 Q1',
  '2009/10 Q2',
  '2009/10 Q3',
  '2009/10 Q4',
];

/**
 * A graph as a report shows it: NI 179 "Value for money gains (%)" over eight quarters against
 * a target of 95, with green, amber and red points and one quarter (2009/10 Q2) with no actual.
 * Overrides change the indicator; the SVG, description and table are derived from it as the
 * presenter derives them, so they always agree.
 */
export function buildGraphView(overrides: Partial<IndicatorChartView> = {}): GraphView {
  const actuals = [91.2, 93.5, 95.4, 96.1, 89.7, null, 95.8, 93.25];
  const statuses = ['amber', 'amber', 'green', 'green', 'red', null, 'green', 'amber'];
  const chart: IndicatorChartView = {
    code: 'NI 179',
    title: 'Value for money gains (%)',
    unit: '%',
    decimals: 1,
    polarity: 'Higher is better',
    kind: 'line',
    points: GRAPH_QUARTERS.map((periodLabel, i) => {
      const status = statuses[i];
      return { periodLabel, actual: actuals[i] ?? null, target: 95, status: status ? statusView(status) : null };
    }),
    ...overrides,
  };
  return {
    code: chart.code,
    title: chart.title,
    chart,
    // The report gives each chart a heading of its own, so the picture leaves the title out.
    svg: renderIndicatorChartSvg(chart, { showTitle: false }),
    description: describeChart(chart),
    table: chartTable(chart),
  };
}

/** Sentences of plain words adding up to `words` words, each sentence numbered so order can be checked. */
export function buildLongText(words: number, subject = 'the DECATS programme'): string {
  const sentence = (i: number) => `Sentence ${i} reports progress on ${subject} with partners across the council.`;
  const perSentence = sentence(1).split(' ').length;
  const out: string[] = [];
  for (let i = 1; out.length * perSentence < words; i++) out.push(sentence(i));
  return out.join(' ');
}

/** `count` key actions with two contributors and two milestones each, numbered from 1. */
export function buildActionViews(count: number): ReportView['actions'] {
  return Array.from({ length: count }, (_, i) => ({
    number: i + 1,
    description: `Action ${i + 1}: agree and deliver workstream ${i + 1} of the collaboration programme with clearly defined outcomes.`,
    contributors: [`Officer ${i + 1}`, 'Local Partnerships'],
    milestones: [
      {
        description: `Workstream ${i + 1} plan agreed`,
        timescale: 'Nov 2009',
        timescaleIso: '2009-11-01',
        precision: 'month' as const,
      },
      {
        description: `Workstream ${i + 1} completed and reviewed`,
        timescale: 'Apr 2010',
        timescaleIso: '2010-04-01',
        precision: 'month' as const,
      },
    ],
  }));
}
