// Builds the ReportView (the one view model every output renders) from a report bundle.

import { formatDate } from '../../domain/dates.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import type { ReportView, SignOffView, ActionView, ProgressView } from '../../render/report-view.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import { PROGRESS_LABELS, PROGRESS_SYMBOLS, describeProgress, isOverdue } from '../../domain/milestone-progress.ts';
import type { Action, Milestone } from './report.service.ts';
import { chartViewOf } from '../indicators/indicator.presenter.ts';
import { renderIndicatorChartSvg, describeChart } from '../../render/charts/svg.ts';
import { chartTable } from '../../render/charts/chart-view.ts';
import { presentStatus } from '../../render/report-view.ts';
import type { ReportBundle } from './report.service.ts';
import { SIGN_OFF_ROLES, SIGN_OFF_ROLE_LABELS } from './report.schemas.ts';

/** Paragraphs: blank lines separate them; single line breaks stay inside a paragraph. */
export function paragraphs(text: string): string[] {
  return text.replace(/\r\n?/g, '\n').split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
}

const NEXT_SPAN = { year: 'next year', half: 'next 6 months', quarter: 'next 3 months', month: 'next month' } as const;

export function presentProgress(m: Milestone, today: IsoDate): ProgressView {
  const state = m.progress?.kind ?? (isOverdue(m.timescale, null, today) ? 'overdue' : 'due');
  return { state, label: PROGRESS_LABELS[state], symbol: PROGRESS_SYMBOLS[state], text: describeProgress(m.timescale, m.progress, today) };
}

function presentActions(actions: Action[], today: IsoDate, withProgress: boolean): ActionView[] {
  return actions.map((a, i) => ({
    number: i + 1,
    description: a.description,
    contributors: a.contributors.map((c) => c.name),
    milestones: a.milestones.map((m) => ({
      id: m.id, description: m.description, timescale: formatTimescale(m.timescale), timescaleIso: m.timescale.date, precision: m.timescale.precision,
      ...(withProgress ? { progress: presentProgress(m, today) } : {}),
    })),
  }));
}

export function presentReport({ organisation, priority, period, report, statuses, previous, graphs, citedRisks = [] }: ReportBundle, today: IsoDate = todayIso()): ReportView {
  const status = report.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
  const signOffs: SignOffView[] = [];
  for (const role of SIGN_OFF_ROLES) {
    const latest = report.signOffs.filter((s) => s.role === role).at(-1);
    if (!latest) continue;
    signOffs.push({
      role, roleLabel: SIGN_OFF_ROLE_LABELS[role], decisionLabel: latest.decision === 'approved' ? 'Approved by' : 'Returned by',
      name: latest.personName, jobTitle: latest.personJobTitle, date: formatDate(latest.signedOn), dateIso: latest.signedOn,
      comment: latest.comment, historical: latest.historical,
    });
  }
  return {
    organisationName: organisation.name,
    priority: { code: priority.code, title: priority.title, rationale: paragraphs(priority.rationale) },
    heading: `Improvement Priority – ${priority.code} ${priority.title}`,
    accountableOfficer: priority.accountableOfficer && { name: priority.accountableOfficer.name, jobTitle: priority.accountableOfficer.jobTitle },
    accountableDirector: priority.accountableDirector && { name: priority.accountableDirector.name, jobTitle: priority.accountableDirector.jobTitle },
    period: { key: period.key, label: period.label, span: period.span },
    graphs: graphs.map(({ indicator, points }) => {
      const chart = chartViewOf(indicator, points);
      return { code: indicator.code, title: indicator.title, chart, svg: renderIndicatorChartSvg(chart, { showTitle: false }), description: describeChart(chart), table: chartTable(chart) };
    }),
    noGraphsText: 'There are no graphs for this priority.',
    progressHeading: `Overall progress to date and outcomes achieved ${period.span}`,
    summary: paragraphs(report.summary),
    status: status ? presentStatus(status) : null,
    statusReason: paragraphs(report.statusReason),
    achievements: report.achievements,
    challenges: report.challenges,
    citedRisks: citedRisks.map((r) => ({ description: r.description, ratingLabel: r.current.rating.label, score: r.current.score, owner: r.ownerName })),
    groups: { internal: priority.groupsInternal, external: priority.groupsExternal },
    signOffs,
    actionsHeading: `Key actions for the ${NEXT_SPAN[period.kind]}`,
    lastTime: previous && {
      periodKey: previous.period.key,
      periodLabel: previous.period.label,
      heading: `Progress against the key actions set in the ${previous.period.label} report`,
      actions: presentActions(previous.report.actions, today, true),
    },
    actions: presentActions(report.actions, today, false),
    updatedAt: report.updatedAt.toISOString(),
    version: report.version,
  };
}
