// All SQL about progress reports: the report, its key actions (with contributors and
// milestones), its sign-offs, its workflow state and its published revisions.

import type { Kysely } from 'kysely';
import { withTransactions, type Executor } from '../../platform/db/database.ts';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import type { ReportView } from '../../render/report-view.ts';
import type { DB } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';
import type { Timescale } from '../../domain/timescale.ts';
import type { MilestoneProgress } from '../../domain/milestone-progress.ts';

export interface Contributor {
  kind: 'person' | 'partner';
  id: string;
  name: string;
}
export interface Milestone {
  id: string;
  position: number;
  description: string;
  timescale: Timescale;
  progress: MilestoneProgress | null;
}
export interface Action {
  id: string;
  position: number;
  description: string;
  contributors: Contributor[];
  milestones: Milestone[];
}
export type SignOffRole = 'accountable_officer' | 'accountable_director';
export interface SignOff {
  id: string;
  role: SignOffRole;
  personId: string;
  personName: string;
  personJobTitle: string;
  decision: 'approved' | 'returned';
  signedOn: IsoDate;
  comment: string;
  historical: boolean;
  recordedAt: Date;
  /** The signed-in user who signed; null for a historical record typed in from paper. */
  userId: string | null;
  /** The revision of the report it signed. */
  revision: number;
  /** When it was signed in Amber (date and time); null for a historical record. */
  signedAt: Date | null;
}

export type ReportState = 'draft' | 'submitted' | 'officer_approved' | 'published';

/** A published revision: what readers saw, frozen. */
export interface Revision {
  number: number;
  view: ReportView;
  publishedAt: Date;
  publishedBy: string;
  publishedByPersonId: string | null;
  historical: boolean;
}
export type RevisionSummary = Omit<Revision, 'view'>;

/** One row of the audit trail of a report, for "who changed it since you started". */
export interface ReportAuditEvent {
  id: number;
  occurredAt: Date;
  actor: string;
  before: unknown;
  after: unknown;
}

export interface Report {
  id: string;
  priorityId: string;
  periodId: string;
  periodKey: string;
  summary: string;
  statusId: string | null;
  statusReason: string;
  achievements: string[];
  challenges: string[];
  version: number;
  updatedAt: Date;
  /** Where it is in the workflow. */
  state: ReportState;
  /** The revision being written or signed off now. */
  revision: number;
  /** The latest published revision, null until the first publication. */
  publishedRevision: number | null;
  actions: Action[];
  signOffs: SignOff[];
  /** Risks of the priority's register cited under "Challenges/Risks", in order. */
  riskIds: string[];
}

export interface ReportSummary {
  id: string;
  periodKey: string;
  statusId: string | null;
  updatedAt: Date;
  version: number;
  state: ReportState;
  publishedRevision: number | null;
}

export interface SectionValues {
  summary: string;
  statusId: string | null;
  statusReason: string;
  achievements: string[];
  challenges: string[];
}

export interface ActionValues {
  description: string;
  contributors: { kind: 'person' | 'partner'; id: string }[];
  milestones: { id?: string | undefined; description: string; timescale: Timescale }[];
}

function toProgress(m: {
  progress: string | null;
  met_on: string | null;
  revised_due_on: string | null;
  revised_precision: 'month' | 'day' | null;
  progress_reason: string;
}): MilestoneProgress | null {
  switch (m.progress) {
    case 'met':
      return { kind: 'met', on: m.met_on as IsoDate, note: m.progress_reason };
    case 'slipped':
      return {
        kind: 'slipped',
        revised: { precision: m.revised_precision!, date: m.revised_due_on as IsoDate },
        reason: m.progress_reason,
      };
    case 'missed':
      return { kind: 'missed', reason: m.progress_reason };
    case 'suspended':
      return { kind: 'suspended', reason: m.progress_reason };
    default:
      return null;
  }
}

function reportQueries(db: Executor<DB>) {
  async function loadActions(reportId: string): Promise<Action[]> {
    const actions = await db
      .selectFrom('action')
      .select(['id', 'position', 'description'])
      .where('report_id', '=', reportId)
      .orderBy('position')
      .execute();
    if (actions.length === 0) return [];
    const ids = actions.map((a) => a.id);
    const contributors = await db
      .selectFrom('action_contributor')
      .leftJoin('person', 'person.id', 'action_contributor.person_id')
      .leftJoin('organisation as partner', 'partner.id', 'action_contributor.partner_id')
      .select([
        'action_contributor.action_id',
        'action_contributor.person_id',
        'action_contributor.partner_id',
        'person.name as person_name',
        'partner.name as partner_name',
      ])
      .where('action_contributor.action_id', 'in', ids)
      .orderBy('action_contributor.position')
      .execute();
    const milestones = await db
      .selectFrom('milestone')
      .select([
        'id',
        'action_id',
        'position',
        'description',
        'due_on',
        'due_precision',
        'progress',
        'met_on',
        'revised_due_on',
        'revised_precision',
        'progress_reason',
      ])
      .where('action_id', 'in', ids)
      .orderBy('position')
      .execute();
    return actions.map((a) => ({
      id: a.id,
      position: a.position,
      description: a.description,
      contributors: contributors
        .filter((c) => c.action_id === a.id)
        .map((c) =>
          c.person_id
            ? { kind: 'person' as const, id: c.person_id, name: c.person_name! }
            : { kind: 'partner' as const, id: c.partner_id!, name: c.partner_name! },
        ),
      milestones: milestones
        .filter((m) => m.action_id === a.id)
        .map((m) => ({
          id: m.id,
          position: m.position,
          description: m.description,
          timescale: { precision: m.due_precision, date: m.due_on as IsoDate },
          progress: toProgress(m),
        })),
    }));
  }

  async function loadSignOffs(reportId: string): Promise<SignOff[]> {
    const rows = await db
      .selectFrom('sign_off')
      .innerJoin('person', 'person.id', 'sign_off.person_id')
      .select([
        'sign_off.id',
        'sign_off.role',
        'sign_off.person_id',
        'person.name',
        'person.job_title',
        'sign_off.decision',
        'sign_off.signed_on',
        'sign_off.comment',
        'sign_off.historical',
        'sign_off.recorded_at',
        'sign_off.user_id',
        'sign_off.revision',
        'sign_off.signed_at',
      ])
      .where('sign_off.report_id', '=', reportId)
      .orderBy('sign_off.recorded_at')
      .orderBy('sign_off.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      role: r.role,
      personId: r.person_id,
      personName: r.name,
      personJobTitle: r.job_title,
      decision: r.decision,
      signedOn: r.signed_on as IsoDate,
      comment: r.comment,
      historical: r.historical,
      recordedAt: r.recorded_at,
      userId: r.user_id,
      revision: r.revision,
      signedAt: r.signed_at,
    }));
  }

  async function replaceActionContent(organisationId: string, actionId: string, v: ActionValues): Promise<void> {
    await db.deleteFrom('action_contributor').where('action_id', '=', actionId).execute();
    for (const [position, c] of v.contributors.entries()) {
      await db
        .insertInto('action_contributor')
        .values({
          organisation_id: organisationId,
          action_id: actionId,
          position,
          person_id: c.kind === 'person' ? c.id : null,
          partner_id: c.kind === 'partner' ? c.id : null,
        })
        .execute();
    }
    // Milestones keep their ids (later periods track them); rows not in the list are removed.
    const keep = v.milestones.filter((m) => m.id).map((m) => m.id!);
    let del = db.deleteFrom('milestone').where('action_id', '=', actionId);
    if (keep.length > 0) del = del.where('id', 'not in', keep);
    await del.execute();
    for (const [position, m] of v.milestones.entries()) {
      const values = {
        position,
        description: m.description,
        due_on: m.timescale.date,
        due_precision: m.timescale.precision,
      };
      if (m.id) {
        await db
          .updateTable('milestone')
          .set(values)
          .where('id', '=', m.id)
          .where('action_id', '=', actionId)
          .execute();
      } else {
        await db
          .insertInto('milestone')
          .values({ ...values, organisation_id: organisationId, action_id: actionId })
          .execute();
      }
    }
  }

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    async listForPriority(priorityId: string): Promise<ReportSummary[]> {
      const rows = await db
        .selectFrom('progress_report')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .select([
          'progress_report.id',
          'reporting_period.key',
          'progress_report.status_id',
          'progress_report.updated_at',
          'progress_report.version',
          'progress_report.state',
          'progress_report.published_revision',
        ])
        .where('progress_report.priority_id', '=', priorityId)
        .orderBy('reporting_period.ends_on', 'desc')
        .orderBy('reporting_period.starts_on', 'desc')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        periodKey: r.key,
        statusId: r.status_id,
        updatedAt: r.updated_at,
        version: r.version,
        state: r.state,
        publishedRevision: r.published_revision,
      }));
    },

    async find(priorityId: string, periodId: string): Promise<Report | undefined> {
      const r = await db
        .selectFrom('progress_report')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .selectAll('progress_report')
        .select('reporting_period.key as period_key')
        .where('progress_report.priority_id', '=', priorityId)
        .where('progress_report.period_id', '=', periodId)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        id: r.id,
        priorityId: r.priority_id,
        periodId: r.period_id,
        periodKey: r.period_key,
        summary: r.summary,
        statusId: r.status_id,
        statusReason: r.status_reason,
        achievements: r.achievements,
        challenges: r.challenges,
        version: r.version,
        updatedAt: r.updated_at,
        state: r.state,
        revision: r.revision,
        publishedRevision: r.published_revision,
        actions: await loadActions(r.id),
        signOffs: await loadSignOffs(r.id),
        riskIds: (
          await db
            .selectFrom('report_risk')
            .select('risk_id')
            .where('report_id', '=', r.id)
            .orderBy('position')
            .execute()
        ).map((x) => x.risk_id),
      };
    },

    async insert(organisationId: string, priorityId: string, periodId: string): Promise<string> {
      const r = await db
        .insertInto('progress_report')
        .values({ organisation_id: organisationId, priority_id: priorityId, period_id: periodId })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    /** Bumps the version if it is still `version`; false when someone else saved first. */
    async touch(reportId: string, version: number): Promise<boolean> {
      const r = await db
        .updateTable('progress_report')
        .set((eb) => ({ version: eb('version', '+', 1), updated_at: new Date() }))
        .where('id', '=', reportId)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async updateSections(reportId: string, v: SectionValues): Promise<void> {
      await db
        .updateTable('progress_report')
        .set({
          summary: v.summary,
          status_id: v.statusId,
          status_reason: v.statusReason,
          achievements: v.achievements,
          challenges: v.challenges,
        })
        .where('id', '=', reportId)
        .execute();
    },

    /** Replaces the risks the report cites, in order. */
    async setRisks(organisationId: string, reportId: string, riskIds: string[]): Promise<void> {
      await db.deleteFrom('report_risk').where('report_id', '=', reportId).execute();
      if (riskIds.length > 0) {
        await db
          .insertInto('report_risk')
          .values(
            riskIds.map((id, position) => ({
              organisation_id: organisationId,
              report_id: reportId,
              risk_id: id,
              position,
            })),
          )
          .execute();
      }
    },

    async insertAction(organisationId: string, reportId: string, v: ActionValues): Promise<string> {
      const max = await db
        .selectFrom('action')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('report_id', '=', reportId)
        .executeTakeFirst();
      const a = await db
        .insertInto('action')
        .values({
          organisation_id: organisationId,
          report_id: reportId,
          position: Number(max?.m ?? -1) + 1,
          description: v.description,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await replaceActionContent(organisationId, a.id, v);
      return a.id;
    },
    async updateAction(organisationId: string, actionId: string, v: ActionValues): Promise<void> {
      await db.updateTable('action').set({ description: v.description }).where('id', '=', actionId).execute();
      await replaceActionContent(organisationId, actionId, v);
    },
    async deleteAction(actionId: string): Promise<void> {
      await db.deleteFrom('action').where('id', '=', actionId).execute();
    },
    /** Rewrites positions 0..n-1 in the given order. */
    async orderActions(ids: string[]): Promise<void> {
      for (const [position, id] of ids.entries())
        await db.updateTable('action').set({ position }).where('id', '=', id).execute();
    },

    async insertSignOff(
      organisationId: string,
      reportId: string,
      v: {
        role: SignOffRole;
        personId: string;
        decision: 'approved' | 'returned';
        signedOn: string;
        comment: string;
        historical: boolean;
        userId: string | null;
        revision: number;
        signedAt: Date | null;
      },
    ): Promise<string> {
      const r = await db
        .insertInto('sign_off')
        .values({
          organisation_id: organisationId,
          report_id: reportId,
          role: v.role,
          person_id: v.personId,
          decision: v.decision,
          signed_on: v.signedOn,
          comment: v.comment,
          historical: v.historical,
          user_id: v.userId,
          revision: v.revision,
          signed_at: v.signedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    /** Moves the report along the workflow (the caller has checked the version with `touch`). */
    async setState(
      reportId: string,
      v: { state: ReportState; revision?: number; publishedRevision?: number },
    ): Promise<void> {
      await db
        .updateTable('progress_report')
        .set({
          state: v.state,
          ...(v.revision !== undefined ? { revision: v.revision } : {}),
          ...(v.publishedRevision !== undefined ? { published_revision: v.publishedRevision } : {}),
        })
        .where('id', '=', reportId)
        .execute();
    },
    async insertRevision(
      organisationId: string,
      reportId: string,
      v: {
        number: number;
        view: ReportView;
        publishedBy: string;
        userId: string | null;
        personId: string | null;
        historical: boolean;
      },
    ): Promise<void> {
      await db
        .insertInto('report_revision')
        .values({
          organisation_id: organisationId,
          report_id: reportId,
          number: v.number,
          view: JSON.stringify(v.view),
          published_by: v.publishedBy,
          published_by_user_id: v.userId,
          published_by_person_id: v.personId,
          historical: v.historical,
        })
        .execute();
    },
    async listRevisions(reportId: string): Promise<RevisionSummary[]> {
      const rows = await db
        .selectFrom('report_revision')
        .select(['number', 'published_at', 'published_by', 'published_by_person_id', 'historical'])
        .where('report_id', '=', reportId)
        .orderBy('number', 'desc')
        .execute();
      return rows.map((r) => ({
        number: r.number,
        publishedAt: r.published_at,
        publishedBy: r.published_by,
        publishedByPersonId: r.published_by_person_id,
        historical: r.historical,
      }));
    },
    async findRevision(reportId: string, number: number): Promise<Revision | undefined> {
      const r = await db
        .selectFrom('report_revision')
        .selectAll()
        .where('report_id', '=', reportId)
        .where('number', '=', number)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        number: r.number,
        view: r.view as ReportView,
        publishedAt: r.published_at,
        publishedBy: r.published_by,
        publishedByPersonId: r.published_by_person_id,
        historical: r.historical,
      };
    },
    /** The report's audit events, oldest first (what was saved at each version, and by whom). */
    async auditOfReport(reportId: string): Promise<ReportAuditEvent[]> {
      const rows = await db
        .selectFrom('audit_event')
        .select(['id', 'occurred_at', 'actor', 'before', 'after'])
        .where('entity', '=', 'progress_report')
        .where('entity_id', '=', reportId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: Number(r.id),
        occurredAt: r.occurred_at,
        actor: r.actor,
        before: r.before,
        after: r.after,
      }));
    },
    /** The person ids named on the action holding this milestone (for "may a contributor update it"). */
    async personIdsOnAction(actionId: string): Promise<string[]> {
      const rows = await db
        .selectFrom('action_contributor')
        .select('person_id')
        .where('action_id', '=', actionId)
        .where('person_id', 'is not', null)
        .execute();
      return rows.map((r) => r.person_id!);
    },

    /** The latest report of the priority for a period that ended before `before` (the previous report). */
    async findPreviousPeriodId(priorityId: string, before: string): Promise<string | undefined> {
      const r = await db
        .selectFrom('progress_report')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .select('progress_report.period_id')
        .where('progress_report.priority_id', '=', priorityId)
        .where('reporting_period.ends_on', '<', before)
        .orderBy('reporting_period.ends_on', 'desc')
        .orderBy('reporting_period.starts_on', 'asc')
        .limit(1)
        .executeTakeFirst();
      return r?.period_id;
    },
    async setMilestoneProgress(milestoneId: string, p: MilestoneProgress | null): Promise<void> {
      await db
        .updateTable('milestone')
        .set({
          progress: p?.kind ?? null,
          met_on: p?.kind === 'met' ? p.on : null,
          revised_due_on: p?.kind === 'slipped' ? p.revised.date : null,
          revised_precision: p?.kind === 'slipped' ? p.revised.precision : null,
          progress_reason: p === null ? '' : p.kind === 'met' ? p.note : p.reason,
        })
        .where('id', '=', milestoneId)
        .execute();
    },

    async statusBelongs(organisationId: string, statusId: string): Promise<boolean> {
      return (
        (await db
          .selectFrom('status')
          .select('id')
          .where('organisation_id', '=', organisationId)
          .where('id', '=', statusId)
          .executeTakeFirst()) !== undefined
      );
    },
    async personBelongs(organisationId: string, personId: string): Promise<boolean> {
      return (
        (await db
          .selectFrom('person')
          .select('id')
          .where('organisation_id', '=', organisationId)
          .where('id', '=', personId)
          .executeTakeFirst()) !== undefined
      );
    },
    async partnerBelongs(organisationId: string, partnerId: string): Promise<boolean> {
      return (
        (await db
          .selectFrom('organisation')
          .select('id')
          .where('managed_by_id', '=', organisationId)
          .where('id', '=', partnerId)
          .executeTakeFirst()) !== undefined
      );
    },
  };
}

export type ReportQueries = ReturnType<typeof reportQueries>;
export const createReportRepository = (db: Kysely<DB>) => withTransactions(db, reportQueries);
export type ReportRepository = ReturnType<typeof createReportRepository>;
