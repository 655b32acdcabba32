// "My work"'s read model: one person's reports to write, reports to sign off and milestones,
// read from priorities, reporting periods, reports, sign-offs, actions and milestones (like the
// dashboard's read model, it only reads other modules' tables, and never writes).

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';

export interface ReportToWriteRow {
  priorityCode: string;
  priorityTitle: string;
  periodKey: string;
  dueOn: IsoDate | null;
  /** null: not started (no report yet). */
  state: 'draft' | null;
  /** Set when the latest sign-off returned the report (its comment, maybe empty). */
  returnedComment: string | null;
  returnedBy: string | null;
}

export interface ReportToSignOffRow {
  priorityCode: string;
  priorityTitle: string;
  periodKey: string;
  dueOn: IsoDate | null;
  state: 'submitted' | 'officer_approved';
  role: 'accountable_officer' | 'accountable_director';
  /** When it reached this state (the report's last change). */
  since: Date;
}

export interface MilestoneRow {
  id: string;
  description: string;
  dueOn: IsoDate;
  duePrecision: 'month' | 'day';
  progress: 'slipped' | null;
  revisedDueOn: IsoDate | null;
  revisedPrecision: 'month' | 'day' | null;
  /** The last day the (revised) timescale allows. */
  deadline: IsoDate;
  actionDescription: string;
  priorityCode: string;
  priorityTitle: string;
  periodKey: string;
  published: boolean;
}

function myWorkQueries(db: Kysely<DB>) {
  const lastSignOff = (column: 'decision' | 'comment' | 'person') =>
    column === 'person'
      ? sql<
          string | null
        >`(select p.name from sign_off s join person p on p.id = s.person_id where s.report_id = pr.id order by s.recorded_at desc, s.id desc limit 1)`
      : sql<
          string | null
        >`(select s.${sql.ref(column)} from sign_off s where s.report_id = pr.id order by s.recorded_at desc, s.id desc limit 1)`;

  return {
    /** Drafts (any period) of priorities the person is accountable officer for. */
    async drafts(organisationId: string, personId: string): Promise<ReportToWriteRow[]> {
      const rows = await db
        .selectFrom('progress_report as pr')
        .innerJoin('priority', 'priority.id', 'pr.priority_id')
        .innerJoin('reporting_period as rp', 'rp.id', 'pr.period_id')
        .select([
          'priority.code',
          'priority.title',
          'rp.key',
          'rp.due_on',
          lastSignOff('decision').as('last_decision'),
          lastSignOff('comment').as('last_comment'),
          lastSignOff('person').as('last_person'),
        ])
        .where('pr.organisation_id', '=', organisationId)
        .where('priority.accountable_officer_id', '=', personId)
        .where('pr.state', '=', 'draft')
        .execute();
      return rows.map((r) => ({
        priorityCode: r.code,
        priorityTitle: r.title,
        periodKey: r.key,
        dueOn: r.due_on as IsoDate | null,
        state: 'draft' as const,
        returnedComment: r.last_decision === 'returned' ? (r.last_comment ?? '') : null,
        returnedBy: r.last_decision === 'returned' ? r.last_person : null,
      }));
    },

    /** Priorities of the person with no report for a period due between `from` and `to`. */
    async missing(organisationId: string, personId: string, from: IsoDate, to: IsoDate): Promise<ReportToWriteRow[]> {
      const rows = await db
        .selectFrom('priority')
        .innerJoin('reporting_period as rp', 'rp.organisation_id', 'priority.organisation_id')
        .leftJoin('progress_report as pr', (j) =>
          j.onRef('pr.priority_id', '=', 'priority.id').onRef('pr.period_id', '=', 'rp.id'),
        )
        .select(['priority.code', 'priority.title', 'rp.key', 'rp.due_on'])
        .where('priority.organisation_id', '=', organisationId)
        .where('priority.accountable_officer_id', '=', personId)
        .where('rp.due_on', '>=', from)
        .where('rp.due_on', '<=', to)
        .where('pr.id', 'is', null)
        .execute();
      return rows.map((r) => ({
        priorityCode: r.code,
        priorityTitle: r.title,
        periodKey: r.key,
        dueOn: r.due_on as IsoDate | null,
        state: null,
        returnedComment: null,
        returnedBy: null,
      }));
    },

    /** Reports waiting for the person's sign-off: submitted (as officer) or officer-approved (as director). */
    async toSignOff(organisationId: string, personId: string): Promise<ReportToSignOffRow[]> {
      const rows = await db
        .selectFrom('progress_report as pr')
        .innerJoin('priority', 'priority.id', 'pr.priority_id')
        .innerJoin('reporting_period as rp', 'rp.id', 'pr.period_id')
        .select(['priority.code', 'priority.title', 'rp.key', 'rp.due_on', 'pr.state', 'pr.updated_at'])
        .where('pr.organisation_id', '=', organisationId)
        .where((eb) =>
          eb.or([
            eb.and([eb('pr.state', '=', 'submitted'), eb('priority.accountable_officer_id', '=', personId)]),
            eb.and([eb('pr.state', '=', 'officer_approved'), eb('priority.accountable_director_id', '=', personId)]),
          ]),
        )
        .execute();
      return rows.map((r) => ({
        priorityCode: r.code,
        priorityTitle: r.title,
        periodKey: r.key,
        dueOn: r.due_on as IsoDate | null,
        state: r.state as 'submitted' | 'officer_approved',
        role: r.state === 'submitted' ? ('accountable_officer' as const) : ('accountable_director' as const),
        since: r.updated_at,
      }));
    },

    /** Open milestones (nothing recorded, or slipped) of actions the person is named on, due by `until`. */
    async milestones(organisationId: string, personId: string, until: IsoDate): Promise<MilestoneRow[]> {
      const deadline = sql<string>`case when m.progress = 'slipped' and m.revised_due_on is not null
        then (case when m.revised_precision = 'month' then (m.revised_due_on + interval '1 month' - interval '1 day')::date else m.revised_due_on end)
        else (case when m.due_precision = 'month' then (m.due_on + interval '1 month' - interval '1 day')::date else m.due_on end) end`;
      const rows = await db
        .selectFrom('milestone as m')
        .innerJoin('action', 'action.id', 'm.action_id')
        .innerJoin('progress_report as pr', 'pr.id', 'action.report_id')
        .innerJoin('priority', 'priority.id', 'pr.priority_id')
        .innerJoin('reporting_period as rp', 'rp.id', 'pr.period_id')
        .select([
          'm.id',
          'm.description',
          'm.due_on',
          'm.due_precision',
          'm.progress',
          'm.revised_due_on',
          'm.revised_precision',
          'action.description as action_description',
          'priority.code',
          'priority.title',
          'rp.key',
          'pr.state',
          deadline.as('deadline'),
        ])
        .where('m.organisation_id', '=', organisationId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('action_contributor as ac')
              .select('ac.id')
              .whereRef('ac.action_id', '=', 'action.id')
              .where('ac.person_id', '=', personId),
          ),
        )
        .where((eb) => eb.or([eb('m.progress', 'is', null), eb('m.progress', '=', 'slipped')]))
        .where(deadline, '<=', sql<string>`${until}::date`)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        description: r.description,
        dueOn: r.due_on as IsoDate,
        duePrecision: r.due_precision,
        progress: r.progress === 'slipped' ? ('slipped' as const) : null,
        revisedDueOn: r.revised_due_on as IsoDate | null,
        revisedPrecision: r.revised_precision,
        deadline: r.deadline as IsoDate,
        actionDescription: r.action_description,
        priorityCode: r.code,
        priorityTitle: r.title,
        periodKey: r.key,
        published: r.state === 'published',
      }));
    },
  };
}

export const createMyWorkRepository = (db: Kysely<DB>) => myWorkQueries(db);
export type MyWorkRepository = ReturnType<typeof createMyWorkRepository>;
