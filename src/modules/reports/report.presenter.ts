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
import type { ReportBundle, ReadableReport, ReportChangedError, FieldChange } from './report.service.ts';

import { SIGN_OFF_ROLES, SIGN_OFF_ROLE_LABELS, STATE_LABELS } from './report.schemas.ts';

/** Paragraphs: blank lines separate them; single line breaks stay inside a paragraph. */
export function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

const NEXT_SPAN = { year: 'next year', half: 'next 6 months', quarter: 'next 3 months', month: 'next month' } as const;

export function presentProgress(m: Milestone, today: IsoDate): ProgressView {
  const state = m.progress?.kind ?? (isOverdue(m.timescale, null, today) ? 'overdue' : 'due');
  return {
    state,
    label: PROGRESS_LABELS[state],
    symbol: PROGRESS_SYMBOLS[state],
    text: describeProgress(m.timescale, m.progress, today),
  };
}

function presentActions(actions: Action[], today: IsoDate, withProgress: boolean): ActionView[] {
  return actions.map((a, i) => ({
    number: i + 1,
    description: a.description,
    contributors: a.contributors.map((c) => c.name),
    milestones: a.milestones.map((m) => ({
      id: m.id,
      description: m.description,
      timescale: formatTimescale(m.timescale),
      timescaleIso: m.timescale.date,
      precision: m.timescale.precision,
      ...(withProgress ? { progress: presentProgress(m, today) } : {}),
    })),
  }));
}

const timeOf = (d: Date) => d.toISOString().slice(11, 16);
const dayOf = (d: Date) => formatDate(d.toISOString().slice(0, 10) as IsoDate);

/** "Historical record, entered on 24 November 2026" or "signed at 14:05 (UTC)". */
function signedWhen(s: ReportBundle['report']['signOffs'][number]): { enteredOn?: string; time?: string } {
  return s.historical ? { enteredOn: dayOf(s.recordedAt) } : s.signedAt ? { time: `${timeOf(s.signedAt)} UTC` } : {};
}

export function presentReport(
  { organisation, priority, period, report, statuses, previous, graphs, citedRisks = [] }: ReportBundle,
  today: IsoDate = todayIso(),
): ReportView {
  const status = report.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
  const signOffs: SignOffView[] = [];
  for (const role of SIGN_OFF_ROLES) {
    // The decisions on this revision: a revision opened after publication starts unsigned.
    const latest = report.signOffs
      .filter((s) => s.role === role && (s.revision ?? report.revision) === report.revision)
      .at(-1);
    if (!latest) continue;
    signOffs.push({
      role,
      roleLabel: SIGN_OFF_ROLE_LABELS[role],
      decisionLabel: latest.decision === 'approved' ? 'Approved by' : 'Returned by',
      name: latest.personName,
      jobTitle: latest.personJobTitle,
      date: formatDate(latest.signedOn),
      dateIso: latest.signedOn,
      comment: latest.comment,
      historical: latest.historical,
      ...signedWhen(latest),
    });
  }
  return {
    organisationName: organisation.name,
    priority: { code: priority.code, title: priority.title, rationale: paragraphs(priority.rationale) },
    heading: `Improvement Priority – ${priority.code} ${priority.title}`,
    accountableOfficer: priority.accountableOfficer && {
      name: priority.accountableOfficer.name,
      jobTitle: priority.accountableOfficer.jobTitle,
    },
    accountableDirector: priority.accountableDirector && {
      name: priority.accountableDirector.name,
      jobTitle: priority.accountableDirector.jobTitle,
    },
    period: { key: period.key, label: period.label, span: period.span },
    graphs: graphs.map(({ indicator, points }) => {
      const chart = chartViewOf(indicator, points);
      return {
        code: indicator.code,
        title: indicator.title,
        chart,
        svg: renderIndicatorChartSvg(chart, { showTitle: false }),
        description: describeChart(chart),
        table: chartTable(chart),
      };
    }),
    noGraphsText: 'There are no graphs for this priority.',
    progressHeading: `Overall progress to date and outcomes achieved ${period.span}`,
    summary: paragraphs(report.summary),
    status: status ? presentStatus(status) : null,
    statusReason: paragraphs(report.statusReason),
    achievements: report.achievements,
    challenges: report.challenges,
    citedRisks: citedRisks.map((r) => ({
      description: r.description,
      ratingLabel: r.current.rating.label,
      score: r.current.score,
      owner: r.ownerName,
    })),
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

/** Where the report is in the workflow, every decision made on it, and what comes next. */
export function presentWorkflow(
  r: Pick<ReadableReport, 'state' | 'revision' | 'publishedRevision' | 'bundle' | 'published'>,
) {
  const bundle = r.bundle;
  const next = {
    draft: 'Being written. When it is ready, it is submitted for sign-off.',
    submitted: `Waiting for the accountable officer${bundle?.priority.accountableOfficer ? ` (${bundle.priority.accountableOfficer.name})` : ''} to sign it off.`,
    officer_approved: `Waiting for the accountable director${bundle?.priority.accountableDirector ? ` (${bundle.priority.accountableDirector.name})` : ''} to sign it off, which publishes it.`,
    published: 'Published. A change opens a new revision; readers see this one until the next is published.',
  }[r.state];
  return {
    state: r.state,
    stateLabel: STATE_LABELS[r.state],
    revision: r.revision,
    publishedRevision: r.publishedRevision,
    next,
    /** Readers seeing an older published revision while a new one is written. */
    newerDraft: r.publishedRevision !== null && r.state !== 'published' && bundle !== undefined,
    decisions: (bundle?.report.signOffs ?? [])
      .map((s) => ({
        roleLabel: SIGN_OFF_ROLE_LABELS[s.role],
        decision: s.decision === 'approved' ? 'Approved' : 'Returned to draft',
        name: s.personName,
        date: formatDate(s.signedOn),
        revision: s.revision,
        comment: s.comment,
        ...signedWhen(s),
      }))
      .reverse(),
  };
}

/** Changes as rows for a page: a field, and what it said before and after (lists: lines added and removed). */
export function presentChanges(changes: FieldChange[]) {
  return changes.map((c) => ({
    field: c.field,
    label: c.label,
    list: c.field === 'achievements' || c.field === 'challenges' || c.field === 'actions' || c.field === 'milestones',
    before: c.before || '(empty)',
    after: c.after || '(empty)',
    added: c.added,
    removed: c.removed,
  }));
}

/** A refused stale save: who saved since, when, and what they changed (for the form page and the API). */
export function presentConflict(e: ReportChangedError) {
  return {
    changedBy: e.changedBy.map((c) => ({
      label: c.label,
      at: c.at.toISOString(),
      when: `${dayOf(c.at)} at ${timeOf(c.at)} UTC`,
    })),
    changes: presentChanges(e.changes),
  };
}
