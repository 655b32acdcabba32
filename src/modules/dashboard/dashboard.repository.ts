// The dashboard's read model: aggregate queries over priorities, reports, statuses and
// milestones for one reporting period. It only reads.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';

export interface ThemeStatusCount {
  themeId: string;
  themeTitle: string;
  statusId: string | null;
  hasReport: boolean;
  count: number;
}
export interface StatusChange {
  code: string;
  title: string;
  fromStatusId: string | null;
  toStatusId: string | null;
  fromPeriodKey: string;
}
export interface OverdueMilestone {
  id: string;
  description: string;
  dueOn: string;
  duePrecision: 'month' | 'day';
  progress: string | null;
  revisedDueOn: string | null;
  revisedPrecision: 'month' | 'day' | null;
  actionDescription: string;
  code: string;
  periodKey: string;
}

function dashboardQueries(db: Kysely<DB>) {
  return {
    async statusCounts(organisationId: string, periodId: string): Promise<ThemeStatusCount[]> {
      const rows = await db
        .selectFrom('priority')
        .innerJoin('theme', 'theme.id', 'priority.theme_id')
        .leftJoin('progress_report', (join) =>
          join.onRef('progress_report.priority_id', '=', 'priority.id').on('progress_report.period_id', '=', periodId),
        )
        .select([
          'theme.id as theme_id',
          'theme.title as theme_title',
          'theme.position',
          'progress_report.status_id',
          (eb) => eb.fn.count<number>('progress_report.id').as('reports'),
          (eb) => eb.fn.countAll<number>().as('n'),
        ])
        .where('priority.organisation_id', '=', organisationId)
        .groupBy(['theme.id', 'theme.title', 'theme.position', 'progress_report.status_id'])
        .orderBy('theme.position')
        .execute();
      return rows.map((r) => ({
        themeId: r.theme_id,
        themeTitle: r.theme_title,
        statusId: r.status_id,
        hasReport: Number(r.reports) > 0,
        count: Number(r.n),
      }));
    },

    /** Priorities reported in the period whose status differs from their previous report's. */
    async statusChanges(organisationId: string, periodId: string, startsOn: string): Promise<StatusChange[]> {
      const rows = await db
        .selectFrom('progress_report as current')
        .innerJoin('priority', 'priority.id', 'current.priority_id')
        .innerJoinLateral(
          (eb) =>
            eb
              .selectFrom('progress_report as earlier')
              .innerJoin('reporting_period as ep', 'ep.id', 'earlier.period_id')
              .select(['earlier.status_id', 'ep.key'])
              .whereRef('earlier.priority_id', '=', 'current.priority_id')
              .where('ep.ends_on', '<', startsOn)
              .orderBy('ep.ends_on', 'desc')
              .limit(1)
              .as('prev'),
          (join) => join.onTrue(),
        )
        .select([
          'priority.code',
          'priority.title',
          'prev.status_id as from_status',
          'current.status_id as to_status',
          'prev.key as from_key',
        ])
        .where('current.organisation_id', '=', organisationId)
        .where('current.period_id', '=', periodId)
        .where(sql<boolean>`prev.status_id is distinct from current.status_id`)
        .orderBy('priority.code')
        .execute();
      return rows.map((r) => ({
        code: r.code,
        title: r.title,
        fromStatusId: r.from_status,
        toStatusId: r.to_status,
        fromPeriodKey: r.from_key,
      }));
    },

    /** Milestones past their (revised) timescale with nothing recorded, or slipped past the revised one. */
    async overdueMilestones(organisationId: string, today: string): Promise<OverdueMilestone[]> {
      const deadline = (date: string, precision: string) =>
        sql<string>`case when ${sql.ref(precision)} = 'month' then (${sql.ref(date)} + interval '1 month' - interval '1 day')::date else ${sql.ref(date)} end`;
      const rows = await db
        .selectFrom('milestone')
        .innerJoin('action', 'action.id', 'milestone.action_id')
        .innerJoin('progress_report', 'progress_report.id', 'action.report_id')
        .innerJoin('priority', 'priority.id', 'progress_report.priority_id')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .select([
          'milestone.id',
          'milestone.description',
          'milestone.due_on',
          'milestone.due_precision',
          'milestone.progress',
          'milestone.revised_due_on',
          'milestone.revised_precision',
          'action.description as action_description',
          'priority.code',
          'reporting_period.key as period_key',
        ])
        .where('milestone.organisation_id', '=', organisationId)
        .where((eb) =>
          eb.or([
            eb.and([
              eb('milestone.progress', 'is', null),
              eb(deadline('milestone.due_on', 'milestone.due_precision'), '<', sql<string>`${today}::date`),
            ]),
            eb.and([
              eb('milestone.progress', '=', 'slipped'),
              eb(deadline('milestone.revised_due_on', 'milestone.revised_precision'), '<', sql<string>`${today}::date`),
            ]),
          ]),
        )
        .orderBy('milestone.due_on')
        .orderBy('priority.code')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        description: r.description,
        dueOn: r.due_on,
        duePrecision: r.due_precision,
        progress: r.progress,
        revisedDueOn: r.revised_due_on,
        revisedPrecision: r.revised_precision,
        actionDescription: r.action_description,
        code: r.code,
        periodKey: r.period_key,
      }));
    },
  };
}

export const createDashboardRepository = (db: Kysely<DB>) => dashboardQueries(db);
export type DashboardRepository = ReturnType<typeof createDashboardRepository>;
