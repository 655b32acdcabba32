// The dashboard's read model: aggregate queries over priorities, reports, statuses and
// milestones for one reporting period. It only reads.

import { sql, type Compilable, type CompiledQuery, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../../schema.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';

/**
 * The status a report shows, as JSON (a FrozenStatus): the one its published revision was
 * published with when it is published (or, with `publishedOnly`, always: such readers see only
 * that revision), else its live status on the scale as it is now. Read from the report's joins
 * (`withShownStatus`), so that each report's status is looked up once, not once per use: as
 * scalar subqueries the planner evaluated it up to three times a row (the value, the group's key,
 * the order), a scan of the scale each time (issue 14: with the previous report's lookup, the
 * counts and the changes took a third of the dashboard's database time at 1,000 priorities).
 */
function shownStatus(report: string, publishedOnly: boolean) {
  const published = sql.ref(`${report}_revision.status`);
  if (publishedOnly) return published;
  const s = (column: string) => sql.ref(`${report}_status.${column}`);
  const live = sql<unknown>`case when ${s('id')} is null then null else jsonb_build_object('key', ${s('key')}, 'label', ${s('label')},
    'colour', ${s('colour')}, 'shape', ${s('shape')}, 'description', ${s('description')}, 'rated', ${s('rated')}, 'pattern', ${s('pattern')}) end`;
  return sql<unknown>`(case when ${sql.ref(`${report}.state`)} = 'published' then ${published} else ${live} end)`;
}

/** The key of the status `shownStatus` gives, without building the status: to compare or group by. */
function shownStatusKey(report: string, publishedOnly: boolean) {
  const published = sql<string | null>`(${sql.ref(`${report}_revision.status`)} ->> 'key')`;
  if (publishedOnly) return published;
  return sql<
    string | null
  >`(case when ${sql.ref(`${report}.state`)} = 'published' then ${published} else ${sql.ref(`${report}_status.key`)} end)`;
}

/** The joins `shownStatus(report)` reads: the report's published revision and its status on the scale. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- joins named after the caller's alias, which Kysely's types cannot follow
function withShownStatus<QB extends SelectQueryBuilder<any, any, any>>(query: QB, report: string): QB {
  return query
    .leftJoin(`report_revision as ${report}_revision`, (join) =>
      join
        .onRef(`${report}_revision.report_id`, '=', `${report}.id`)
        .onRef(`${report}_revision.number`, '=', `${report}.published_revision`),
    )
    .leftJoin(`status as ${report}_status`, `${report}_status.id`, `${report}.status_id`) as QB;
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

/** The dashboard's two parts' numbers (ADR 0024): what it shows of reports, and of indicators. */
export interface DashboardGenerations {
  reports: string;
  indicators: string;
}

/** The indicator noted for a change to everything the indicators' part reads (migration 2026-12-12-700). */
export const EVERY_INDICATOR = '00000000-0000-0000-0000-000000000000';

/** The indicators changed between two of the indicators' part's numbers (ADR 0029). */
export interface IndicatorChanges {
  /** False when the notes of some of those changes have been let go (kept a day): work the part out whole. */
  complete: boolean;
  /** Each once; `EVERY_INDICATOR` among them for a change to what every indicator's rating reads. At most 501. */
  indicatorIds: string[];
}

/** Which rows of a long list to read (SQL `limit` and `offset`). */
export interface ListWindow {
  limit: number;
  offset: number;
}
/** The rows of a list that a window holds, and how many the whole list has. */
export interface Listed<T> {
  items: T[];
  total: number;
}

/**
 * A statement whose shape depends on whether its reader sees only published reports, built and
 * compiled once for each kind of reader (`reusable-query.ts`).
 */
function perReader<P extends object, O>(
  build: (p: P, publishedOnly: boolean) => Compilable<O>,
): (publishedOnly: boolean, p: P) => CompiledQuery<O> {
  const drafts = reusableQuery((p: P) => build(p, false));
  const published = reusableQuery((p: P) => build(p, true));
  return (publishedOnly, p) => (publishedOnly ? published : drafts)(p);
}

function dashboardQueries(db: Kysely<DB>) {
  /** `statusCounts`' statement, for readers of drafts or (`publishedOnly`) of published reports only. */
  function statusCountsOf(p: { organisationId: string; periodId: string }, publishedOnly: boolean) {
    // Counted by the database, per theme and status key (a status no longer on the scale keeps
    // its own), so that the rows read are as many as the table has cells, whatever the number of
    // priorities (issue 14: the dashboard's work flat from 10 to 1,000 priorities).
    const each = withShownStatus(
      db
        .selectFrom('priority')
        .innerJoin('theme', 'theme.id', 'priority.theme_id')
        .leftJoin('progress_report', (join) => {
          const j = join
            .onRef('progress_report.priority_id', '=', 'priority.id')
            .on('progress_report.period_id', '=', p.periodId);
          return publishedOnly ? j.on('progress_report.published_revision', 'is not', null) : j;
        }),
      'progress_report',
    )
      .select([
        'theme.id as theme_id',
        'theme.title as theme_title',
        'theme.position',
        sql<boolean>`progress_report.id is not null`.as('has_report'),
        shownStatus('progress_report', publishedOnly).as('status'),
        sql<number>`count(*)`.as('count'),
      ])
      .where('priority.organisation_id', '=', p.organisationId)
      // First counted per status as stored (a status of the scale, or the one a revision was
      // published with), so that each is built once per group rather than once per priority;
      // the status's other columns follow from its id (its primary key).
      .groupBy(['theme.id', 'theme.title', 'theme.position', 'progress_report.state'])
      .groupBy(sql`progress_report.id is not null`)
      .groupBy([sql.ref('progress_report_revision.status'), sql.ref('progress_report_status.id')])
      .as('each');
    return db
      .selectFrom(each)
      .select([
        'each.theme_id',
        'each.theme_title',
        'each.has_report',
        // The statuses of one key are alike but for a published one kept as it was: the first.
        sql<unknown>`(array_agg(each.status order by each.status::text))[1]`.as('status'),
        sql<number>`sum(each.count)`.as('count'),
      ])
      .groupBy(['each.theme_id', 'each.theme_title', 'each.position', 'each.has_report'])
      .groupBy(sql`each.status->>'key'`)
      .orderBy('each.position')
      .orderBy('each.theme_id')
      .orderBy(sql`each.has_report desc`)
      .orderBy(sql`each.status->>'key'`);
  }
  /** `statusChanges`' statement, for readers of drafts or (`publishedOnly`) of published reports only. */
  function statusChangesOf(
    p: { organisationId: string; periodId: string; startsOn: string; limit: number; offset: number },
    publishedOnly: boolean,
  ) {
    // Each priority's reports up to the period, in order, each with the one before it (`lag`):
    // one pass over the organisation's reports, where a lookup of the previous report per
    // priority cost a sort of the periods for each (issue 14). The period's report is the last
    // of its priority's (every earlier one ends before the period starts). The statuses are
    // compared by key; the two statuses of a change are built only for the rows of the window.
    const reports = withShownStatus(
      db
        .selectFrom('progress_report as report')
        .innerJoin('reporting_period as rp', 'rp.id', 'report.period_id')
        .where('report.organisation_id', '=', p.organisationId)
        .where((eb) => eb.or([eb('report.period_id', '=', p.periodId), eb('rp.ends_on', '<', p.startsOn)]))
        .$if(publishedOnly, (q) => q.where('report.published_revision', 'is not', null)),
      'report',
    )
      .select([
        'report.id',
        'report.priority_id',
        'report.period_id',
        shownStatusKey('report', publishedOnly).as('status_key'),
        sql<string | null>`lag(${shownStatusKey('report', publishedOnly)}) over w`.as('from_status_key'),
        sql<string | null>`lag(report.id) over w`.as('from_id'),
        sql<string | null>`lag(rp.key) over w`.as('from_key'),
      ])
      .modifyEnd(sql`window w as (partition by report.priority_id order by rp.ends_on, rp.starts_on, rp.id)`)
      .as('paired');
    const changed = db
      .selectFrom(reports)
      .innerJoin('priority', 'priority.id', 'paired.priority_id')
      .select([
        'priority.code',
        'priority.title',
        'priority.id as priority_id',
        'paired.id',
        'paired.from_id',
        'paired.from_key',
        sql<number>`count(*) over ()`.as('total'),
      ])
      .where('paired.period_id', '=', p.periodId)
      // A report with none before it is no change.
      .where('paired.from_id', 'is not', null)
      .where(sql<boolean>`paired.from_status_key is distinct from paired.status_key`)
      .orderBy('priority.code')
      .orderBy('priority.id')
      .limit(p.limit)
      .offset(p.offset)
      .as('changed');
    return withShownStatus(
      withShownStatus(
        db
          .selectFrom(changed)
          .innerJoin('progress_report as report', 'report.id', 'changed.id')
          .innerJoin('progress_report as earlier', 'earlier.id', 'changed.from_id'),
        'report',
      ),
      'earlier',
    )
      .select([
        'changed.code',
        'changed.title',
        'changed.from_key',
        'changed.total',
        shownStatus('earlier', publishedOnly).as('from_status'),
        shownStatus('report', publishedOnly).as('to_status'),
      ])
      .orderBy('changed.code')
      .orderBy('changed.priority_id');
  }
  /** `overdueMilestones`' statement, for readers of drafts or (`publishedOnly`) of published reports only. */
  function overdueMilestonesOf(
    p: { organisationId: string; today: string; limit: number; offset: number },
    publishedOnly: boolean,
  ) {
    const deadline = (date: string, precision: string) =>
      sql<string>`case when ${sql.ref(precision)} = 'month' then (${sql.ref(date)} + interval '1 month' - interval '1 day')::date else ${sql.ref(date)} end`;
    return (
      db
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
          sql<number>`count(*) over ()`.as('total'),
        ])
        .where('milestone.organisation_id', '=', p.organisationId)
        .$if(publishedOnly, (q) => q.where('progress_report.state', '=', 'published'))
        .where((eb) =>
          eb.or([
            eb.and([
              eb('milestone.progress', 'is', null),
              eb(deadline('milestone.due_on', 'milestone.due_precision'), '<', sql<string>`${p.today}::date`),
            ]),
            eb.and([
              eb('milestone.progress', '=', 'slipped'),
              eb(
                deadline('milestone.revised_due_on', 'milestone.revised_precision'),
                '<',
                sql<string>`${p.today}::date`,
              ),
            ]),
          ]),
        )
        .orderBy('milestone.due_on')
        .orderBy('priority.code')
        // Then as the report lists them, so that every page of the list holds the same rows.
        .orderBy('reporting_period.starts_on')
        .orderBy('action.position')
        .orderBy('milestone.position')
        .orderBy('milestone.id')
        .limit(p.limit)
        .offset(p.offset)
    );
  }
  // Each statement built and compiled once per kind of reader (`reusable-query.ts`): a dashboard's
  // building them afresh was a tenth of its CPU on PGlite.
  const statusCountsQuery = perReader(statusCountsOf);
  const statusChangesQuery = perReader(statusChangesOf);
  const overdueMilestonesQuery = perReader(overdueMilestonesOf);

  return {
    /**
     * The organisation's dashboard generations (migrations 2026-12-12-300 and -500, ADRs 0023, 0024), one
     * per part: moved on by every committed change to what that part of the dashboard reads. Null
     * while this transaction has changes of its own not yet committed.
     */
    async generations(organisationId: string): Promise<DashboardGenerations | null> {
      const { rows } = await sql<{
        reports: string | number | null;
        indicators: string | number | null;
      }>`select reports, indicators from amber_dashboard_generations(${organisationId}::uuid)`.execute(db);
      const { reports, indicators } = rows[0] ?? {};
      return reports === null || reports === undefined || indicators === null || indicators === undefined
        ? null
        : { reports: String(reports), indicators: String(indicators) };
    },

    /**
     * The indicators whose definition or values committed changes moved the indicators' part on
     * after `since` and up to `upto` (two numbers `generations` gave), and whether the notes of
     * them all are still kept (migration 2026-12-12-700, ADR 0029).
     */
    async indicatorChanges(organisationId: string, since: string, upto: string): Promise<IndicatorChanges> {
      const { rows } = await sql<{
        complete: boolean | null;
        indicators: string[] | null;
      }>`select complete, indicators from amber_dashboard_indicator_changes(${organisationId}::uuid, ${since}::bigint, ${upto}::bigint)`.execute(
        db,
      );
      const row = rows[0];
      return { complete: row?.complete === true, indicatorIds: row?.indicators ?? [] };
    },

    /**
     * Priorities per theme and status in the period. A published report counts with the status it
     * was published with, whatever the scale says now; a draft or a report in sign-off with its
     * status on the scale as it is. With `publishedOnly` (readers who may not see drafts) a report
     * counts only once it has a published revision, with that revision's status.
     */
    async statusCounts(organisationId: string, periodId: string, publishedOnly = false): Promise<ThemeStatusCount[]> {
      const { rows } = await db.executeQuery(statusCountsQuery(publishedOnly, { organisationId, periodId }));
      return rows.map((r) => ({
        themeId: r.theme_id,
        themeTitle: r.theme_title,
        status: r.has_report ? ((r.status as FrozenStatus | null) ?? null) : null,
        hasReport: r.has_report,
        count: Number(r.count),
      }));
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
      publishedOnly: boolean,
      window: ListWindow,
    ): Promise<Listed<StatusChange>> {
      const { rows } = await db.executeQuery(
        statusChangesQuery(publishedOnly, {
          organisationId,
          periodId,
          startsOn,
          limit: window.limit,
          offset: window.offset,
        }),
      );
      return {
        items: rows.map((r) => ({
          code: r.code,
          title: r.title,
          from: (r.from_status as FrozenStatus | null) ?? null,
          to: (r.to_status as FrozenStatus | null) ?? null,
          fromPeriodKey: r.from_key!,
        })),
        total: Number(rows[0]?.total ?? 0),
      };
    },

    /**
     * Milestones past their (revised) timescale with nothing recorded, or slipped past the revised
     * one. With `publishedOnly`, only milestones of published reports (whose live content is
     * their published revision): a draft's milestones are not shown.
     */
    async overdueMilestones(
      organisationId: string,
      today: string,
      publishedOnly: boolean,
      window: ListWindow,
    ): Promise<Listed<OverdueMilestone>> {
      const { rows } = await db.executeQuery(
        overdueMilestonesQuery(publishedOnly, {
          organisationId,
          today,
          limit: window.limit,
          offset: window.offset,
        }),
      );
      const items = rows.map((r) => ({
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
      return { items, total: Number(rows[0]?.total ?? 0) };
    },
  };
}

export const createDashboardRepository = (db: Kysely<DB>) => dashboardQueries(db);
export type DashboardRepository = ReturnType<typeof createDashboardRepository>;
