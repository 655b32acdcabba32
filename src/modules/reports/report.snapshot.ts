// A report as a snapshot (domain/report-snapshot.ts): the live report and everything it shows,
// frozen, which the presenter renders. A live report becomes one on every read (`snapshotOf`);
// publication stores one; a stored revision is read back into one (`snapshotOfRevision`), whatever
// format it was stored in.

import { formatDate, parseUkDate, todayIso, type IsoDate } from '../../domain/dates.ts';
import {
  REPORT_SNAPSHOT_VERSION,
  type FrozenAction,
  type FrozenJointSignOff,
  type FrozenMilestone,
  type FrozenStatus,
  type PrintedProgress,
  type ReportSnapshot,
} from '../../domain/report-snapshot.ts';
import type { Status } from '../../domain/status-scale.ts';
import { parseWith } from '../../platform/validation.ts';
import { chartViewOf } from '../indicators/indicator.presenter.ts';
import type { Action, StoredRevision } from './report.repository.ts';
import type { ReportBundle } from './report.types.ts';
import type { JointOwner } from './use-cases/context.ts';
import { legacyRevisionSchema, reportSnapshotSchema, type LegacyRevision } from './report.schemas.ts';

export const frozenStatus = (
  s: Pick<Status, 'key' | 'label' | 'colour' | 'shape' | 'description'> &
    Partial<Pick<Status, 'rated' | 'pattern' | 'approvalRole'>>,
): FrozenStatus => ({
  key: s.key,
  label: s.label,
  colour: s.colour,
  shape: s.shape,
  description: s.description,
  // The rules as signed; a status frozen before them has none and reads as it did then.
  ...(s.rated === undefined ? {} : { rated: s.rated }),
  ...(s.pattern === undefined ? {} : { pattern: s.pattern }),
  ...(s.approvalRole === undefined ? {} : { approvalRole: s.approvalRole }),
});

const frozenActions = (actions: Action[]): FrozenAction[] =>
  actions.map((a) => ({
    description: a.description,
    contributors: a.contributors.map((c) => c.name),
    milestones: a.milestones.map((m): FrozenMilestone => ({
      id: m.id,
      description: m.description,
      timescale: m.timescale,
      progress: m.progress,
    })),
  }));

/**
 * A partner's sign-off as published: names as text, the person without the organisation that
 * Amber's record appends to it ("jo@lp.example (Local Partnerships)"), which the row names anyway.
 */
function frozenJointSignOff(j: JointOwner): FrozenJointSignOff {
  const signed = j.decision !== null && j.signedBy !== null;
  const suffix = ` (${j.partnerName})`;
  const person = signed && j.signedBy!.endsWith(suffix) ? j.signedBy!.slice(0, -suffix.length) : j.signedBy;
  return {
    organisation: j.partnerName,
    officer: j.officer,
    decision: signed ? j.decision : null,
    signedBy: signed ? person : null,
    signedAt: signed && j.signedAt ? new Date(j.signedAt).toISOString() : null,
    comment: signed ? (j.comment ?? '') : '',
  };
}

/** The live report as a snapshot, as of `asOf` (today for a page; the day of publication when stored). */
export function snapshotOf(bundle: ReportBundle, asOf: IsoDate = todayIso()): ReportSnapshot {
  const { organisation, priority, period, report, statuses, previous, graphs, citedRisks = [] } = bundle;
  const status = report.statusId ? statuses.find((s) => s.id === report.statusId) : undefined;
  return {
    schemaVersion: REPORT_SNAPSHOT_VERSION,
    asOf,
    organisation: { name: organisation.name },
    priority: {
      code: priority.code,
      title: priority.title,
      rationale: priority.rationale,
      accountableOfficer: priority.accountableOfficer && {
        name: priority.accountableOfficer.name,
        jobTitle: priority.accountableOfficer.jobTitle,
      },
      accountableDirector: priority.accountableDirector && {
        name: priority.accountableDirector.name,
        jobTitle: priority.accountableDirector.jobTitle,
      },
      groupsInternal: priority.groupsInternal,
      groupsExternal: priority.groupsExternal,
    },
    period: { key: period.key },
    report: {
      summary: report.summary,
      status: status ? frozenStatus(status) : null,
      statusReason: report.statusReason,
      achievements: report.achievements,
      challenges: report.challenges,
      actions: frozenActions(report.actions),
      signOffs: report.signOffs.map((s) => ({
        role: s.role,
        decision: s.decision,
        personName: s.personName,
        personJobTitle: s.personJobTitle,
        signedOn: s.signedOn,
        comment: s.comment,
        historical: s.historical,
        revision: s.revision,
        recordedAt: s.recordedAt.toISOString(),
        signedAt: s.signedAt ? s.signedAt.toISOString() : null,
      })),
      // A priority with one owner keeps the shape (and the bytes) it always had.
      ...(bundle.joint?.length ? { jointSignOffs: bundle.joint.map(frozenJointSignOff) } : {}),
      revision: report.revision,
      version: report.version,
      updatedAt: report.updatedAt.toISOString(),
    },
    previous: previous && { periodKey: previous.period.key, actions: frozenActions(previous.report.actions) },
    graphs: graphs.map(({ indicator, points }) => chartViewOf(indicator, points)),
    citedRisks: citedRisks.map((r) => ({
      description: r.description,
      ratingLabel: r.current.rating.label,
      score: r.current.score,
      owner: r.ownerName,
    })),
  };
}

/** A stored revision as a snapshot: format 2 is one; format 1 (the view model stored before) is read into one. */
export function snapshotOfRevision(
  revision: Pick<StoredRevision, 'number' | 'format' | 'content' | 'publishedAt'>,
): ReportSnapshot {
  if (revision.format === REPORT_SNAPSHOT_VERSION) return revision.content as ReportSnapshot;
  return snapshotOfLegacy(parseWith(legacyRevisionSchema, revision.content), revision.number, revision.publishedAt);
}

/** Checks a snapshot (an imported revision): refused with the path of the first problem. */
export const checkSnapshot = (content: unknown): ReportSnapshot =>
  parseWith(reportSnapshotSchema, content) as ReportSnapshot;

const joinParagraphs = (paragraphs: string[]) => paragraphs.join('\n\n');

/**
 * A revision published before snapshots were versioned held the page's view model. Its text is
 * all there; what it printed about last period's milestones is kept as printed (the facts behind
 * those sentences were not stored), and its sign-offs are the latest decision of each role.
 */
function snapshotOfLegacy(view: LegacyRevision, number: number, publishedAt: Date): ReportSnapshot {
  const asOf = publishedAt.toISOString().slice(0, 10) as IsoDate;
  const legacyActions = (actions: LegacyRevision['actions']): FrozenAction[] =>
    actions.map((a) => ({
      description: a.description,
      contributors: a.contributors,
      milestones: a.milestones.map((m) => ({
        id: m.id ?? '',
        description: m.description,
        timescale: { precision: m.precision, date: m.timescaleIso as IsoDate },
        progress: null,
        ...(m.progress
          ? { printed: { state: m.progress.state, text: m.progress.text } satisfies PrintedProgress }
          : {}),
      })),
    }));
  return {
    schemaVersion: REPORT_SNAPSHOT_VERSION,
    asOf,
    organisation: { name: view.organisationName },
    priority: {
      code: view.priority.code,
      title: view.priority.title,
      rationale: joinParagraphs(view.priority.rationale),
      accountableOfficer: view.accountableOfficer,
      accountableDirector: view.accountableDirector,
      groupsInternal: view.groups.internal,
      groupsExternal: view.groups.external,
    },
    period: { key: view.period.key },
    report: {
      summary: joinParagraphs(view.summary),
      status: view.status && frozenStatus(view.status),
      statusReason: joinParagraphs(view.statusReason),
      achievements: view.achievements,
      challenges: view.challenges,
      actions: legacyActions(view.actions),
      signOffs: view.signOffs.map((s) => {
        const entered = s.enteredOn ? parseUkDate(s.enteredOn) : undefined;
        const time = s.time ? /^(\d{2}:\d{2})/.exec(s.time)?.[1] : undefined;
        return {
          role: s.role,
          decision: s.decisionLabel.startsWith('Returned') ? 'returned' : 'approved',
          personName: s.name,
          personJobTitle: s.jobTitle,
          signedOn: s.dateIso as IsoDate,
          comment: s.comment,
          historical: s.historical,
          revision: number,
          recordedAt: entered ? `${entered}T00:00:00.000Z` : null,
          signedAt: time ? `${s.dateIso}T${time}:00.000Z` : null,
        };
      }),
      revision: number,
      version: view.version,
      updatedAt: view.updatedAt,
    },
    previous: view.lastTime
      ? { periodKey: view.lastTime.periodKey, actions: legacyActions(view.lastTime.actions) }
      : null,
    graphs: view.graphs.map((g) => g.chart),
    citedRisks: view.citedRisks ?? [],
  };
}

/** "22 October 2009" for a stored ISO timestamp. */
export const dayOfTimestamp = (iso: string): string => formatDate(iso.slice(0, 10) as IsoDate);
