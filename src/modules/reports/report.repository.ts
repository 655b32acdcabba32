// All SQL about progress reports: the report, its key actions (with contributors and
// milestones), its sign-offs, its workflow state and its published revisions (with their bodies as
// rendered once: report_rendering).

import { sql, type Kysely, type Selectable } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';
import type { ReportState } from '../../domain/report-workflow.ts';
import type { DB, ProgressReportTable } from '../../schema.ts';
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
  /** Bumped by every change of `progress`, so two people recording it at once cannot overwrite each other. */
  progressVersion: number;
}
export interface Action {
  id: string;
  position: number;
  description: string;
  contributors: Contributor[];
  milestones: Milestone[];
}
export type SignOffRole = 'accountable_officer' | 'accountable_director';

/** A sign-off as written: every column is given, none left to its default. */
export interface NewSignOff {
  role: SignOffRole;
  personId: string;
  decision: 'approved' | 'returned';
  signedOn: string;
  comment: string;
  historical: boolean;
  userId: string | null;
  revision: number;
  signedAt: Date | null;
}
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

export type { ReportState };

/** A published revision as stored: its content is a snapshot of format 2, or (format 1) a view model kept from before. */
export interface StoredRevision {
  number: number;
  format: number;
  content: unknown;
  publishedAt: Date;
  publishedBy: string;
  publishedByPersonId: string | null;
  historical: boolean;
}
export type RevisionSummary = Omit<StoredRevision, 'format' | 'content'>;

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

/** The report's own row: what a workflow step reads and changes. */
export type ReportRow = Omit<Report, 'actions' | 'signOffs' | 'riskIds'>;

/**
 * The priority's previous report as a later report needs it: its row (state and status: a board
 * pack's direction of travel) and the key actions the later report follows up; not its sign-offs
 * or cited risks.
 */
export type PreviousReport = ReportRow & Pick<Report, 'actions'>;

export interface ReportSummary {
  id: string;
  periodKey: string;
  statusId: string | null;
  updatedAt: Date;
  version: number;
  state: ReportState;
  publishedRevision: number | null;
  /** The status of the latest published revision, as it was published; null when none is published or it had none. */
  publishedStatus: FrozenStatus | null;
  /** When the latest published revision was published; null when none is. */
  publishedAt: Date | null;
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

function reportQueries(db: Kysely<DB>) {
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
        'progress_version',
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
          progressVersion: m.progress_version,
        })),
    }));
  }

  // Built and compiled once (`reusable-query.ts`): every report page reads the sign-offs.
  const signOffsQuery = reusableQuery((p: { reportId: string }) =>
    db
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
      .where('sign_off.report_id', '=', p.reportId)
      // Sign-offs recorded in one transaction (historical ones entered together) share a
      // recorded_at: then by the day each was given, so a published snapshot lists them in the
      // same order however their ids fell.
      .orderBy('sign_off.recorded_at')
      .orderBy('sign_off.signed_on')
      .orderBy('sign_off.id'),
  );

  async function loadSignOffs(reportId: string): Promise<SignOff[]> {
    const { rows } = await db.executeQuery(signOffsQuery({ reportId }));
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

  /** The report's row with its period's key: `findRow` and `findPrevious`. */
  const rowQuery = () =>
    db
      .selectFrom('progress_report')
      .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
      .selectAll('progress_report')
      .select('reporting_period.key as period_key');
  const toRow = (r: Selectable<ProgressReportTable> & { period_key: string }): ReportRow => ({
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
  });

  // Built and compiled once (`reusable-query.ts`): every report page and change reads the row.
  const rowOf = (p: { priorityId: string; periodId: string }) =>
    rowQuery()
      .where('progress_report.priority_id', '=', p.priorityId)
      .where('progress_report.period_id', '=', p.periodId);
  const rowByPeriodQuery = reusableQuery(rowOf);
  const lockedRowQuery = reusableQuery((p: { priorityId: string; periodId: string }) =>
    rowOf(p).forUpdate('progress_report'),
  );
  /** `findPublished`'s one statement: the row, its published revision's id and stored body. */
  const publishedQuery = reusableQuery((p: { priorityId: string; periodId: string; renderer: string }) =>
    rowQuery()
      .leftJoin('report_revision', (j) =>
        j
          .onRef('report_revision.report_id', '=', 'progress_report.id')
          .onRef('report_revision.number', '=', 'progress_report.published_revision'),
      )
      .leftJoin('report_rendering', (j) =>
        j
          .onRef('report_rendering.revision_id', '=', 'report_revision.id')
          .on('report_rendering.renderer', '=', p.renderer),
      )
      .select(['report_revision.id as revision_id', 'report_rendering.body as rendered_body'])
      .where('progress_report.priority_id', '=', p.priorityId)
      .where('progress_report.period_id', '=', p.periodId),
  );
  /** `findPrevious`'s row: the priority's latest report for a period that ended before `before`. */
  const previousQuery = reusableQuery((p: { priorityId: string; before: string }) =>
    rowQuery()
      // Its period too, which the join has read already: reading it again by its key would read the row twice.
      .select('reporting_period.due_on as period_due_on')
      .where('progress_report.priority_id', '=', p.priorityId)
      .where('reporting_period.ends_on', '<', p.before)
      .orderBy('reporting_period.ends_on', 'desc')
      .orderBy('reporting_period.starts_on', 'asc')
      .limit(1),
  );

  /** A sign-off (every decision on a report writes one); every column is given, none left to its default. */
  const insertSignOffQuery = reusableQuery((p: NewSignOff & { organisationId: string; reportId: string }) =>
    db
      .insertInto('sign_off')
      .values({
        organisation_id: p.organisationId,
        report_id: p.reportId,
        role: p.role,
        person_id: p.personId,
        decision: p.decision,
        signed_on: p.signedOn,
        comment: p.comment,
        historical: p.historical,
        user_id: p.userId,
        revision: p.revision,
        signed_at: p.signedAt,
      })
      .returning('id'),
  );

  /**
   * The report's own row, without its actions and sign-offs. With `lock`, the row is locked
   * until the unit of work ends: the report's one write path takes it so that two changes to one
   * report run one after the other, each seeing the other's result.
   */
  async function findRow(priorityId: string, periodId: string, lock = false): Promise<ReportRow | undefined> {
    const [r] = (await db.executeQuery((lock ? lockedRowQuery : rowByPeriodQuery)({ priorityId, periodId }))).rows;
    return r && toRow(r);
  }

  /** The report with its key actions (contributors, milestones), sign-offs and cited risks. */
  async function withContent(row: ReportRow): Promise<Report> {
    const [actions, signOffs, risks] = [
      await loadActions(row.id),
      await loadSignOffs(row.id),
      await db
        .selectFrom('report_risk')
        .select('risk_id')
        .where('report_id', '=', row.id)
        .orderBy('position')
        .execute(),
    ];
    return { ...row, actions, signOffs, riskIds: risks.map((x) => x.risk_id) };
  }

  /** A report's summary: its period, state, version, and the status its published revision shows; newest period first. */
  const summaryRows = () =>
    db
      .selectFrom('progress_report')
      .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
      .leftJoin('report_revision as published', (j) =>
        j
          .onRef('published.report_id', '=', 'progress_report.id')
          .onRef('published.number', '=', 'progress_report.published_revision'),
      )
      .select([
        'progress_report.id',
        'progress_report.priority_id',
        'reporting_period.key',
        'progress_report.status_id',
        'progress_report.updated_at',
        'progress_report.version',
        'progress_report.state',
        'progress_report.published_revision',
        'published.status as published_status',
        'published.published_at',
      ])
      .orderBy('reporting_period.ends_on', 'desc')
      .orderBy('reporting_period.starts_on', 'desc');
  type SummaryRow = Awaited<ReturnType<ReturnType<typeof summaryRows>['execute']>>[number];
  const toSummary = (r: SummaryRow): ReportSummary => ({
    id: r.id,
    periodKey: r.key,
    statusId: r.status_id,
    updatedAt: r.updated_at,
    version: r.version,
    state: r.state,
    publishedRevision: r.published_revision,
    publishedStatus: (r.published_status as FrozenStatus | null) ?? null,
    publishedAt: r.published_at ?? null,
  });

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),
    findRow,
    withContent,

    async listForPriority(priorityId: string): Promise<ReportSummary[]> {
      const rows = await summaryRows().where('progress_report.priority_id', '=', priorityId).execute();
      return rows.map(toSummary);
    },

    /** Every priority's reports in one statement (as `listForPriority` gives each), by priority id. */
    async listForOrganisation(organisationId: string): Promise<Map<string, ReportSummary[]>> {
      const rows = await summaryRows().where('progress_report.organisation_id', '=', organisationId).execute();
      const out = new Map<string, ReportSummary[]>();
      for (const r of rows) {
        const list = out.get(r.priority_id);
        if (list) list.push(toSummary(r));
        else out.set(r.priority_id, [toSummary(r)]);
      }
      return out;
    },

    /** The report's sign-offs, every revision's, oldest first. */
    listSignOffs: loadSignOffs,

    /**
     * What the page of a published report reads of it, in one statement (issue 14): the report's
     * row, the id of its published revision (null before the first publication) and that
     * revision's stored body if `renderer` rendered it (else undefined: none stored, or made by
     * another renderer).
     */
    async findPublished(
      priorityId: string,
      periodId: string,
      renderer: string,
    ): Promise<{ row: ReportRow; revisionId: string | null; body: unknown } | undefined> {
      const [r] = (await db.executeQuery(publishedQuery({ priorityId, periodId, renderer }))).rows;
      if (!r) return undefined;
      const { revision_id, rendered_body, ...row } = r;
      return { row: toRow(row), revisionId: revision_id, body: rendered_body ?? undefined };
    },

    /**
     * Stores a published revision's rendered body, replacing one an older renderer made (two
     * requests rendering the same revision at once: the last one's is kept; they are the same).
     */
    async saveRendering(organisationId: string, revisionId: string, renderer: string, body: unknown): Promise<void> {
      await db
        .insertInto('report_rendering')
        .values({ organisation_id: organisationId, revision_id: revisionId, renderer, body: JSON.stringify(body) })
        .onConflict((oc) =>
          oc.column('revision_id').doUpdateSet((eb) => ({
            renderer: eb.ref('excluded.renderer'),
            body: eb.ref('excluded.body'),
            rendered_at: sql`now()`,
          })),
        )
        .execute();
    },

    async find(priorityId: string, periodId: string): Promise<Report | undefined> {
      const row = await findRow(priorityId, periodId);
      return row && withContent(row);
    },

    async insert(organisationId: string, priorityId: string, periodId: string): Promise<string> {
      const r = await db
        .insertInto('progress_report')
        .values({ organisation_id: organisationId, priority_id: priorityId, period_id: periodId })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    /**
     * Records a change to the report: a new version and time, and where it is in the workflow.
     * Only the report's write path calls it, holding the row's lock (findRow with lock).
     */
    async saveChange(
      reportId: string,
      v: { state?: ReportState; revision?: number; publishedRevision?: number },
    ): Promise<{ version: number; updatedAt: Date }> {
      const r = await db
        .updateTable('progress_report')
        .set((eb) => ({
          version: eb('version', '+', 1),
          updated_at: new Date(),
          ...(v.state !== undefined ? { state: v.state } : {}),
          ...(v.revision !== undefined ? { revision: v.revision } : {}),
          ...(v.publishedRevision !== undefined ? { published_revision: v.publishedRevision } : {}),
        }))
        .where('id', '=', reportId)
        .returning(['version', 'updated_at'])
        .executeTakeFirstOrThrow();
      return { version: r.version, updatedAt: r.updated_at };
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

    async insertSignOff(organisationId: string, reportId: string, v: NewSignOff): Promise<string> {
      const [r] = (await db.executeQuery(insertSignOffQuery({ organisationId, reportId, ...v }))).rows;
      return r!.id;
    },

    /**
     * Stores a published revision: a snapshot (format 2) and its status, for lists that show what
     * was published. Returns the revision's id (its stored rendering is keyed by it).
     */
    async insertRevision(
      organisationId: string,
      reportId: string,
      v: {
        number: number;
        content: unknown;
        status: FrozenStatus | null;
        publishedBy: string;
        userId: string | null;
        personId: string | null;
        historical: boolean;
      },
    ): Promise<string> {
      const r = await db
        .insertInto('report_revision')
        .values({
          organisation_id: organisationId,
          report_id: reportId,
          number: v.number,
          format: 2,
          content: JSON.stringify(v.content),
          status: v.status === null ? null : JSON.stringify(v.status),
          published_by: v.publishedBy,
          published_by_user_id: v.userId,
          published_by_person_id: v.personId,
          historical: v.historical,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
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
    async findRevision(reportId: string, number: number): Promise<StoredRevision | undefined> {
      const r = await db
        .selectFrom('report_revision')
        .selectAll()
        .where('report_id', '=', reportId)
        .where('number', '=', number)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        number: r.number,
        format: r.format,
        content: r.content,
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

    /** The period key of the priority's report for the shortest period that includes `on` (a quarter before its half-year). */
    async findPeriodKeyCovering(priorityId: string, on: IsoDate): Promise<string | undefined> {
      const r = await db
        .selectFrom('progress_report')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .select('reporting_period.key')
        .where('progress_report.priority_id', '=', priorityId)
        .where('reporting_period.starts_on', '<=', on)
        .where('reporting_period.ends_on', '>=', on)
        .orderBy('reporting_period.ends_on')
        .orderBy('reporting_period.starts_on', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r?.key;
    },
    /** Adds a milestone at the end of a key action's milestones. */
    async appendMilestone(
      organisationId: string,
      actionId: string,
      m: { description: string; timescale: Timescale },
    ): Promise<string> {
      const last = await db
        .selectFrom('milestone')
        .select((eb) => eb.fn.max('position').as('p'))
        .where('action_id', '=', actionId)
        .executeTakeFirst();
      const position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
      const r = await db
        .insertInto('milestone')
        .values({
          organisation_id: organisationId,
          action_id: actionId,
          position,
          description: m.description,
          due_on: m.timescale.date,
          due_precision: m.timescale.precision,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    /**
     * The priority's previous report (its latest for a period that ended before `before`, as
     * `findPreviousPeriodId` finds it): its row in one statement, and its key actions.
     */
    async findPrevious(
      priorityId: string,
      before: string,
    ): Promise<{ report: PreviousReport; period: { id: string; key: string; dueOn: string | null } } | undefined> {
      const [r] = (await db.executeQuery(previousQuery({ priorityId, before }))).rows;
      if (!r) return undefined;
      return {
        report: { ...toRow(r), actions: await loadActions(r.id) },
        period: { id: r.period_id, key: r.period_key, dueOn: r.period_due_on },
      };
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
    /** Records what became of a milestone if its progress is still at `version`; false when someone else recorded it first. */
    async setMilestoneProgress(milestoneId: string, p: MilestoneProgress | null, version: number): Promise<boolean> {
      const r = await db
        .updateTable('milestone')
        .set((eb) => ({
          progress: p?.kind ?? null,
          met_on: p?.kind === 'met' ? p.on : null,
          revised_due_on: p?.kind === 'slipped' ? p.revised.date : null,
          revised_precision: p?.kind === 'slipped' ? p.revised.precision : null,
          progress_reason: p === null ? '' : p.kind === 'met' ? p.note : p.reason,
          progress_version: eb('progress_version', '+', 1),
        }))
        .where('id', '=', milestoneId)
        .where('progress_version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** The name of a person of the organisation; undefined when there is no such person in it. */
    async personName(organisationId: string, personId: string): Promise<string | undefined> {
      const r = await db
        .selectFrom('person')
        .select('name')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', personId)
        .executeTakeFirst();
      return r?.name;
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
export const createReportRepository = (db: Kysely<DB>) => reportQueries(db);
export type ReportRepository = ReturnType<typeof createReportRepository>;
