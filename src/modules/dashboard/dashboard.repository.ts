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
    /**
     * Priorities per theme and status in the period. With `publishedOnly` (readers who may not
     * see drafts) a report counts only once it has a published revision, with the status it was
     * published with.
     */
    async statusCounts(organisationId: string, periodId: string, publishedOnly = false): Promise<ThemeStatusCount[]> {
      const rows = await db
        .selectFrom('priority')
        .innerJoin('theme', 'theme.id', 'priority.theme_id')
        .leftJoin('progress_report', (join) => {
          const j = join
            .onRef('progress_report.priority_id', '=', 'priority.id')
            .on('progress_report.period_id', '=', periodId);
          return publishedOnly ? j.on('progress_report.published_revision', 'is not', null) : j;
        })
        .leftJoin('report_revision', (join) =>
          join
            .onRef('report_revision.report_id', '=', 'progress_report.id')
            .onRef('report_revision.number', '=', 'progress_report.published_revision'),
        )
        .leftJoin('status as published_status', (join) =>
          join
            .onRef('published_status.organisation_id', '=', 'progress_report.organisation_id')
            .on('published_status.key', '=', sql<string>`report_revision.status->>'key'`),
        )
        .select((eb) => [
          'theme.id as theme_id',
          'theme.title as theme_title',
          'theme.position',
          (publishedOnly ? eb.ref('published_status.id') : eb.ref('progress_report.status_id')).as('status_id'),
          eb.fn.count<number>('progress_report.id').as('reports'),
          eb.fn.countAll<number>().as('n'),
        ])
        .where('priority.organisation_id', '=', organisationId)
        .groupBy([
          'theme.id',
          'theme.title',
          'theme.position',
          publishedOnly ? 'published_status.id' : 'progress_report.status_id',
        ])
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

    /**
     * Priorities reported in the period whose status differs from their previous report's. With
     * `publishedOnly`, both statuses are those the reports were published with.
     */
    async statusChanges(
      organisationId: string,
      periodId: string,
      startsOn: string,
      publishedOnly = false,
    ): Promise<StatusChange[]> {
      // The status a reader sees of a report: live, or as its published revision has it.
      const shown = (report: string) =>
        publishedOnly
          ? sql<string | null>`(select s.id from report_revision r join status s
              on s.organisation_id = r.organisation_id and s.key = r.status->>'key'
              where r.report_id = ${sql.ref(`${report}.id`)} and r.number = ${sql.ref(`${report}.published_revision`)})`
          : sql<string | null>`${sql.ref(`${report}.status_id`)}`;
      const rows = await db
        .selectFrom('progress_report as current')
        .innerJoin('priority', 'priority.id', 'current.priority_id')
        .innerJoinLateral(
          (eb) =>
            eb
              .selectFrom('progress_report as earlier')
              .innerJoin('reporting_period as ep', 'ep.id', 'earlier.period_id')
              .select([shown('earlier').as('status_id'), 'ep.key'])
              .whereRef('earlier.priority_id', '=', 'current.priority_id')
              .where('ep.ends_on', '<', startsOn)
              .$if(publishedOnly, (q) => q.where('earlier.published_revision', 'is not', null))
              .orderBy('ep.ends_on', 'desc')
              .limit(1)
              .as('prev'),
          (join) => join.onTrue(),
        )
        .select([
          'priority.code',
          'priority.title',
          'prev.status_id as from_status',
          shown('current').as('to_status'),
          'prev.key as from_key',
        ])
        .where('current.organisation_id', '=', organisationId)
        .where('current.period_id', '=', periodId)
        .$if(publishedOnly, (q) => q.where('current.published_revision', 'is not', null))
        .where(sql<boolean>`prev.status_id is distinct from ${shown('current')}`)
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

    /**
     * Milestones past their (revised) timescale with nothing recorded, or slipped past the revised
     * one. With `publishedOnly`, only milestones of published reports (whose live content is
     * their published revision): a draft's milestones are not shown.
     */
    async overdueMilestones(organisationId: string, today: string, publishedOnly = false): Promise<OverdueMilestone[]> {
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
        .$if(publishedOnly, (q) => q.where('progress_report.state', '=', 'published'))
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
