// Builds the ReportView (the one view model every output renders) from a report snapshot: a
// published revision as it was frozen, or a live report turned into a snapshot as of today. One
// path, so a published revision reads exactly as the live report did.

import { formatDate, fromDbDate, todayIso, type IsoDate } from '../../domain/dates.ts';
import { formatTimescale } from '../../domain/timescale.ts';
import { parsePeriodKey, periodLabel, periodSpan } from '../../domain/period.ts';
import type {
  FrozenAction,
  FrozenJointSignOff,
  FrozenMilestone,
  FrozenSignOff,
  ReportSnapshot,
} from '../../domain/report-snapshot.ts';
import type {
  ReportView,
  SignOffView,
  ActionView,
  ProgressView,
  StandingView,
  JointSignOffView,
} from '../../render/report-view.ts';
import type { ReportState } from '../../domain/report-workflow.ts';
import { ukToday } from '../../domain/sharing.ts';
import { PROGRESS_LABELS, PROGRESS_SYMBOLS, describeProgress, isOverdue } from '../../domain/milestone-progress.ts';
import { renderIndicatorChartSvg, describeChart } from '../../render/charts/svg.ts';
import { chartTable } from '../../render/charts/chart-view.ts';
import { presentStatus } from '../../render/report-view.ts';
import { approvalRoleLabel, type Status } from '../../domain/status-scale.ts';

/** "an accountable director", "a performance officer". */
const article = (label: string): string => `${/^[aeiou]/i.test(label) ? 'an' : 'a'} ${label.toLowerCase()}`;
import type { Milestone } from './report.repository.ts';
import type { ReportBundle, ReadableReport, ReportPanelFacts } from './report.types.ts';
import type { ReportChangedError } from './report.errors.ts';
import type { FieldChange } from './report.diff.ts';
import { snapshotOf } from './report.snapshot.ts';
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

/** What became of a milestone set last time, as of `today`. */
export function presentProgress(m: Pick<Milestone, 'timescale' | 'progress'>, today: IsoDate): ProgressView {
  const state = m.progress?.kind ?? (isOverdue(m.timescale, null, today) ? 'overdue' : 'due');
  return {
    state,
    label: PROGRESS_LABELS[state],
    symbol: PROGRESS_SYMBOLS[state],
    text: describeProgress(m.timescale, m.progress, today),
  };
}

function frozenProgress(m: FrozenMilestone, asOf: IsoDate): ProgressView {
  if (!m.printed) return presentProgress(m, asOf);
  // A revision kept from before snapshots: what it printed.
  return {
    state: m.printed.state,
    label: PROGRESS_LABELS[m.printed.state],
    symbol: PROGRESS_SYMBOLS[m.printed.state],
    text: m.printed.text,
  };
}

function presentActions(actions: FrozenAction[], asOf: IsoDate, withProgress: boolean): ActionView[] {
  return actions.map((a, i) => ({
    number: i + 1,
    description: a.description,
    contributors: a.contributors,
    milestones: a.milestones.map((m) => ({
      ...(m.id ? { id: m.id } : {}),
      description: m.description,
      timescale: formatTimescale(m.timescale),
      timescaleIso: m.timescale.date,
      precision: m.timescale.precision,
      ...(withProgress ? { progress: frozenProgress(m, asOf) } : {}),
    })),
  }));
}

const dayOf = (iso: string) => formatDate(iso.slice(0, 10) as IsoDate);

/** "Historical record, entered on 24 November 2026" or "signed at 14:05 (UTC)". */
function signedWhen(s: Pick<FrozenSignOff, 'historical' | 'recordedAt' | 'signedAt'>): {
  enteredOn?: string;
  time?: string;
} {
  if (s.historical) return s.recordedAt ? { enteredOn: dayOf(s.recordedAt) } : {};
  return s.signedAt ? { time: `${s.signedAt.slice(11, 16)} UTC` } : {};
}

/** A partner's sign-off of a joint priority's report, as every output prints it (issue 11). */
function presentJointSignOff(j: FrozenJointSignOff): JointSignOffView {
  const roleLabel = `Joint owner – accountable officer: ${j.officer}`;
  if (j.decision === null || j.signedAt === null)
    return {
      organisation: j.organisation,
      roleLabel,
      signed: false,
      decisionLabel: 'Awaiting sign-off',
      name: '',
      date: '',
      dateIso: '',
      comment: '',
    };
  return {
    organisation: j.organisation,
    roleLabel,
    signed: true,
    decisionLabel: j.decision === 'approved' ? 'Approved by' : 'Returned by',
    name: j.signedBy ?? '',
    date: dayOf(j.signedAt),
    dateIso: j.signedAt.slice(0, 10),
    time: `${j.signedAt.slice(11, 16)} UTC`,
    comment: j.comment,
  };
}

const isBundle = (source: ReportBundle | ReportSnapshot): source is ReportBundle => 'statuses' in source;

/**
 * The report as every output shows it. A live report (a bundle) is first frozen as of `today`; a
 * published revision is shown as of the day it was published.
 */
export function presentReport(source: ReportBundle | ReportSnapshot, today: IsoDate = todayIso()): ReportView {
  const snapshot = isBundle(source) ? snapshotOf(source, today) : source;
  const { priority, report, previous, asOf } = snapshot;
  const period = parsePeriodKey(snapshot.period.key);
  const span = periodSpan(period);
  const signOffs: SignOffView[] = [];
  for (const role of SIGN_OFF_ROLES) {
    // The decisions on this revision: a revision opened after publication starts unsigned.
    const latest = report.signOffs.filter((s) => s.role === role && s.revision === report.revision).at(-1);
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
  const jointSignOffs = (report.jointSignOffs ?? []).map(presentJointSignOff);
  const previousLabel = previous && periodLabel(parsePeriodKey(previous.periodKey));
  return {
    organisationName: snapshot.organisation.name,
    priority: { code: priority.code, title: priority.title, rationale: paragraphs(priority.rationale) },
    heading: `Improvement Priority – ${priority.code} ${priority.title}`,
    accountableOfficer: priority.accountableOfficer,
    accountableDirector: priority.accountableDirector,
    period: { key: period.key, label: periodLabel(period), span },
    graphs: snapshot.graphs.map((chart) => ({
      code: chart.code,
      title: chart.title,
      chart,
      svg: renderIndicatorChartSvg(chart, { showTitle: false }),
      description: describeChart(chart),
      table: chartTable(chart),
    })),
    noGraphsText: 'There are no graphs for this priority.',
    progressHeading: `Overall progress to date and outcomes achieved ${span}`,
    summary: paragraphs(report.summary),
    status: report.status ? presentStatus(report.status) : null,
    statusReason: paragraphs(report.statusReason),
    achievements: report.achievements,
    challenges: report.challenges,
    citedRisks: snapshot.citedRisks,
    groups: { internal: priority.groupsInternal, external: priority.groupsExternal },
    signOffs,
    ...(jointSignOffs.length ? { jointSignOffs } : {}),
    actionsHeading: `Key actions for the ${NEXT_SPAN[period.kind]}`,
    lastTime: previous && {
      periodKey: previous.periodKey,
      periodLabel: previousLabel!,
      heading: `Progress against the key actions set in the ${previousLabel} report`,
      actions: presentActions(previous.actions, asOf, true),
    },
    actions: presentActions(report.actions, asOf, false),
    updatedAt: report.updatedAt,
    version: report.version,
  };
}

/** Where the report is in the workflow, every decision made on it, and what comes next. */
export function presentWorkflow(
  r: Pick<ReadableReport, 'state' | 'revision' | 'publishedRevision' | 'published' | 'joint'> & {
    /** The live report, for those who may read it: a bundle, or what the panel reads of one. */
    bundle?: ReportPanelFacts | undefined;
  },
) {
  const bundle = r.bundle;
  const next = {
    draft: 'Being written. When it is ready, it is submitted for sign-off.',
    submitted: `Waiting for the accountable officer${bundle?.priority.accountableOfficer ? ` (${bundle.priority.accountableOfficer.name})` : ''} to sign it off.`,
    officer_approved: `Waiting for the accountable director${bundle?.priority.accountableDirector ? ` (${bundle.priority.accountableDirector.name})` : ''} to sign it off, which publishes it.`,
    published: 'Published. A change opens a new revision; readers see this one until the next is published.',
  }[r.state];
  // A status that needs approval by a role (issue 13) says so while the report waits for sign-off.
  const status = bundle?.report.statusId ? bundle.statuses.find((s) => s.id === bundle.report.statusId) : undefined;
  const approval =
    status?.approvalRole && (r.state === 'submitted' || r.state === 'officer_approved')
      ? ` Its status, ${status.label}, needs approval by ${article(approvalRoleLabel(status.approvalRole))}: the accountable director’s sign-off publishes it only if they hold that role.`
      : '';
  return {
    state: r.state,
    stateLabel: STATE_LABELS[r.state],
    revision: r.revision,
    publishedRevision: r.publishedRevision,
    next: `${next}${approval}`,
    /** A joint priority's other owners, and whether each has signed this revision (issue 11). */
    // A published revision prints its partners' sign-offs in the report itself, as they were
    // then; the panel lists the joint owners only while a revision is written or signed off.
    joint: (r.state === 'published' ? [] : (r.joint ?? [])).map((j) => ({
      partnerName: j.partnerName,
      officer: j.officer,
      status:
        j.decision === 'approved'
          ? `Signed off by ${j.signedBy ?? ''} on ${formatDate(fromDbDate(j.signedAt!))}${j.comment ? `: “${j.comment}”` : ''}`
          : 'Waiting for their sign-off',
    })),
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
        ...signedWhen({
          historical: s.historical,
          recordedAt: s.recordedAt.toISOString(),
          signedAt: s.signedAt?.toISOString() ?? null,
        }),
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
      when: `${dayOf(c.at.toISOString())} at ${c.at.toISOString().slice(11, 16)} UTC`,
    })),
    changes: presentChanges(e.changes),
  };
}

/** The milestone progress form's fields as they stand (met on, revised timescale, reason), for a form shown first. */
export function progressFormValues(m: Pick<Milestone, 'progress'>): Record<string, string> {
  const current = m.progress;
  return {
    progress: current?.kind ?? 'none',
    metOn: current?.kind === 'met' ? formatDate(current.on) : '',
    revised: current?.kind === 'slipped' ? formatTimescale(current.revised) : '',
    reason: current ? (current.kind === 'met' ? current.note : current.reason) : '',
  };
}

/** The choices of what became of a milestone, with the one chosen. */
export function progressItems(chosen: unknown) {
  return [
    { value: 'met', text: 'Met', hint: { text: 'Give the date it was met' } },
    { value: 'slipped', text: 'Slipped', hint: { text: 'Give the revised timescale and why' } },
    { value: 'missed', text: 'Missed', hint: { text: 'Say why' } },
    { value: 'suspended', text: 'Suspended', hint: { text: 'Say why' } },
    { divider: 'or' },
    { value: 'none', text: 'Nothing to record yet' },
  ].map((item) => ('value' in item ? { ...item, checked: chosen === item.value } : item));
}

// ---- where a report stands ---------------------------------------------------------------------
// Draft, in sign-off or published, in the words every output uses to say what the document is
// (issue 13: "every document says what it is"). A reader who may see only published reports is
// shown the published revision, so that is what the document says.

export interface StandingSource {
  /** The live report's state. */
  state: ReportState;
  /** The revision shown. */
  revision: number;
  /** The published revision shown, when the reader sees a published one. */
  published?: { number: number; publishedAt: Date };
  /** ISO timestamp of the live report's last change. */
  updatedAt: string;
}

/** "4 December 2026", the day in the UK. */
const standingDay = (at: Date | string) => formatDate(ukToday(new Date(at)) as IsoDate);

export function presentStanding({ state, revision, published, updatedAt }: StandingSource): StandingView {
  if (published || state === 'published') {
    const number = published?.number ?? revision;
    const on = published ? standingDay(published.publishedAt) : standingDay(updatedAt);
    return {
      state: 'published',
      unpublished: false,
      mark: 'PUBLISHED',
      label: 'Published',
      short: `Published ${on}, revision ${number}`,
      sentence: `Published on ${on} after sign-off (revision ${number}).`,
    };
  }
  const changed = `Revision ${revision}, last changed ${standingDay(updatedAt)}.`;
  if (state === 'draft')
    return {
      state,
      unpublished: true,
      mark: 'DRAFT',
      label: 'Draft',
      short: `Draft, revision ${revision}, ${standingDay(updatedAt)}`,
      sentence: `Draft: not signed off or published, and may change. ${changed}`,
    };
  return {
    state,
    unpublished: true,
    mark: 'IN SIGN-OFF',
    label: 'In sign-off',
    short: `In sign-off, revision ${revision}, ${standingDay(updatedAt)}`,
    sentence:
      state === 'submitted'
        ? `In sign-off: submitted, awaiting the accountable officer’s approval; not yet published. ${changed}`
        : `In sign-off: approved by the accountable officer, awaiting the accountable director; not yet published. ${changed}`,
  };
}

/** The standing of what a reader was given: the live report, or the published revision. */
export function standingOfReadable(readable: ReadableReport): StandingView {
  return presentStanding({
    state: readable.state,
    revision: readable.revision,
    ...(readable.published ? { published: readable.published } : {}),
    updatedAt: readable.snapshot.report.updatedAt,
  });
}

/** The standing of a live report (a bundle) or of a published revision (a snapshot). */
export function standingOf(source: ReportBundle | ReportSnapshot): StandingView {
  if ('statuses' in source)
    return presentStanding({
      state: source.report.state,
      revision: source.report.revision,
      updatedAt: source.report.updatedAt.toISOString(),
    });
  return presentStanding({
    state: 'published',
    revision: source.report.revision,
    published: { number: source.report.revision, publishedAt: new Date(source.asOf) },
    updatedAt: source.report.updatedAt,
  });
}

/**
 * Why a draft is a draft again: the sign-off that returned it, for the people who change it to read
 * first (at the top of the report and its form), not in the list of decisions further down. Only
 * while the report is the draft that was returned: once it is submitted again, or published, it
 * is history.
 */
export function presentReturned(bundle: Pick<ReportBundle, 'report'> | undefined) {
  const report = bundle?.report;
  if (!report || report.state !== 'draft') return undefined;
  const latest = [...report.signOffs]
    .filter((s) => s.revision === report.revision)
    .sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime())
    .at(-1);
  if (!latest || latest.decision !== 'returned') return undefined;
  return {
    name: latest.personName,
    roleLabel: SIGN_OFF_ROLE_LABELS[latest.role],
    date: formatDate(latest.signedOn),
    ...signedWhen({
      historical: latest.historical,
      recordedAt: latest.recordedAt.toISOString(),
      signedAt: latest.signedAt?.toISOString() ?? null,
    }),
    comment: latest.comment,
  };
}

/**
 * A status as the report form offers it: its description, then what choosing it asks of the
 * report (a reason; an approval at sign-off; no place in the rating order), so an officer is not
 * surprised at sign-off.
 */
export function statusHint(s: Pick<Status, 'description' | 'commentRequired' | 'approvalRole' | 'rated'>) {
  const description = s.description.trim();
  return (
    [
      description && !/[.!?]$/.test(description) ? `${description}.` : description,
      s.commentRequired ? 'Needs a reason: say why in “Reason for the status”.' : '',
      s.approvalRole
        ? `Needs approval by ${article(approvalRoleLabel(s.approvalRole))}: the sign-off that publishes the report must be given by someone with that role.`
        : '',
      s.rated ? '' : 'Outside the rating order: not better or worse than other statuses.',
    ]
      .filter(Boolean)
      .join(' ') || undefined
  );
}
