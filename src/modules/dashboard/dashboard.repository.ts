// The dashboard's read model: aggregate queries over priorities, reports, statuses and
// milestones for one reporting period. It only reads.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';

/**
 * The status a report shows, as JSON (a FrozenStatus): the one its published revision was
 * published with when it is published (or, with `publishedOnly`, always: such readers see only
 * that revision), else its live status on the scale as it is now.
 */
function shownStatus(report: string, publishedOnly: boolean) {
  const published = sql<unknown>`(select r.status from report_revision r
    where r.report_id = ${sql.ref(`${report}.id`)} and r.number = ${sql.ref(`${report}.published_revision`)})`;
  if (publishedOnly) return published;
  const live = sql<unknown>`(select jsonb_build_object('key', s.key, 'label', s.label, 'colour', s.colour,
    'shape', s.shape, 'description', s.description, 'rated', s.rated, 'pattern', s.pattern) from status s where s.id = ${sql.ref(`${report}.status_id`)})`;
  return sql<unknown>`(case when ${sql.ref(`${report}.state`)} = 'published' then ${published} else ${live} end)`;
}

export interface ThemeStatusCount {
  themeId: string;
  themeTitle: string;
  /** The status the reports show (null: not assessed, or no report). */
  status: FrozenStatus | null;
  hasReport: boolean;
  count: number;
}
export interface StatusChange {
  code: string;
  title: string;
  from: FrozenStatus | null;
  to: FrozenStatus | null;
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
     * Priorities per theme and status in the period. A published report counts with the status it
     * was published with, whatever the scale says now; a draft or a report in sign-off with its
     * status on the scale as it is. With `publishedOnly` (readers who may not see drafts) a report
     * counts only once it has a published revision, with that revision's status.
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
        .select([
          'theme.id as theme_id',
          'theme.title as theme_title',
          'theme.position',
          'progress_report.id as report_id',
          shownStatus('progress_report', publishedOnly).as('status'),
        ])
        .where('priority.organisation_id', '=', organisationId)
        .orderBy('theme.position')
        .orderBy('theme.id')
        .execute();
      // Counted here, per theme and status key (a status no longer on the scale keeps its own).
      const counts = new Map<string, ThemeStatusCount>();
      for (const r of rows) {
        const status = r.report_id === null ? null : (r.status as FrozenStatus | null);
        const id = `${r.theme_id} ${r.report_id === null ? 'no-report' : (status?.key ?? '')}`;
        const count = counts.get(id) ?? {
          themeId: r.theme_id,
          themeTitle: r.theme_title,
          status,
          hasReport: r.report_id !== null,
          count: 0,
        };
        count.count += 1;
        counts.set(id, count);
      }
      return [...counts.values()];
    },

    /**
     * Priorities reported in the period whose status differs (by key) from their previous
     * report's, each status as the report shows it (`shownStatus`). With `publishedOnly`, only
     * published reports, with the statuses they were published with.
     */
    async statusChanges(
      organisationId: string,
      periodId: string,
      startsOn: string,
      publishedOnly = false,
    ): Promise<StatusChange[]> {
      const rows = await db
        .selectFrom('progress_report as current')
        .innerJoin('priority', 'priority.id', 'current.priority_id')
        .innerJoinLateral(
          (eb) =>
            eb
              .selectFrom('progress_report as earlier')
              .innerJoin('reporting_period as ep', 'ep.id', 'earlier.period_id')
              .select([shownStatus('earlier', publishedOnly).as('status'), 'ep.key'])
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
          'prev.status as from_status',
          shownStatus('current', publishedOnly).as('to_status'),
          'prev.key as from_key',
        ])
        .where('current.organisation_id', '=', organisationId)
        .where('current.period_id', '=', periodId)
        .$if(publishedOnly, (q) => q.where('current.published_revision', 'is not', null))
        .where(sql<boolean>`(prev.status->>'key') is distinct from (${shownStatus('current', publishedOnly)}->>'key')`)
        .orderBy('priority.code')
        .execute();
      return rows.map((r) => ({
        code: r.code,
        title: r.title,
        from: (r.from_status as FrozenStatus | null) ?? null,
        to: (r.to_status as FrozenStatus | null) ?? null,
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
