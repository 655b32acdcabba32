// All SQL about plans, their themes and their improvement priorities.

import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB } from '../../schema.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';

export interface Plan {
  id: string;
  title: string;
  description: string;
  firstYear: number;
  lastYear: number;
  version: number;
}
export interface Theme {
  id: string;
  planId: string;
  title: string;
  position: number;
  version: number;
}
export interface PersonRef {
  id: string;
  name: string;
  jobTitle: string;
}

export interface Priority {
  id: string;
  code: string;
  title: string;
  rationale: string;
  themeId: string;
  themeTitle: string;
  planId: string;
  planTitle: string;
  accountableOfficer: PersonRef | null;
  accountableDirector: PersonRef | null;
  groupsInternal: string;
  groupsExternal: string;
  version: number;
  updatedAt: Date;
}

export interface PriorityListItem {
  id: string;
  code: string;
  title: string;
  themeId: string;
  themeTitle: string;
  planTitle: string;
  officerName: string | null;
  /**
   * The report of the latest period that has one: `statusId` its status on the scale now (for
   * readers of published reports, the scale's status with its published status's key), `status`
   * the status it shows (a published report's as it was published).
   */
  latest: { periodKey: string; statusId: string | null; status: FrozenStatus | null } | null;
  /**
   * Listed for readers of published reports only: a report of the period asked for (any period
   * without one) exists but has never been published, so it shows as "not yet published".
   */
  unpublished: boolean;
}

/** What the priority list is narrowed to; `status` a status's key, "none" or "no-report". */
export interface PriorityListFilter {
  themeId?: string | undefined;
  periodId?: string | undefined;
  status?: string | undefined;
  publishedOnly?: boolean;
}

export interface PriorityValues {
  themeId: string;
  code: string;
  title: string;
  rationale: string;
  accountableOfficerId: string | null;
  accountableDirectorId: string | null;
  groupsInternal: string;
  groupsExternal: string;
}

function planQueries(db: Kysely<DB>) {
  /**
   * The priority list's query, filtered and in its order (plan, newest first; theme; code): one
   * statement whatever the size, which the whole list, a page of it and its count all start from.
   */
  /** The list's priorities, filtered by theme, in the list's order, without their reports. */
  const priorityCore = (organisationId: string, filter: PriorityListFilter) =>
    db
      .selectFrom('priority')
      .innerJoin('theme', 'theme.id', 'priority.theme_id')
      .innerJoin('plan', 'plan.id', 'theme.plan_id')
      .where('priority.organisation_id', '=', organisationId)
      .$if(Boolean(filter.themeId), (q) => q.where('priority.theme_id', '=', filter.themeId!))
      .orderBy('plan.first_year', 'desc')
      .orderBy('theme.position')
      .orderBy('priority.code')
      .orderBy('priority.id');
  function priorityListQuery(organisationId: string, filter: PriorityListFilter) {
    return (
      db
        .selectFrom('priority')
        .innerJoin('theme', 'theme.id', 'priority.theme_id')
        .innerJoin('plan', 'plan.id', 'theme.plan_id')
        .leftJoin('person as officer', 'officer.id', 'priority.accountable_officer_id')
        .leftJoinLateral(
          (eb) =>
            eb
              .selectFrom('progress_report')
              .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
              .leftJoin('report_revision', (join) =>
                join
                  .onRef('report_revision.report_id', '=', 'progress_report.id')
                  .onRef('report_revision.number', '=', 'progress_report.published_revision'),
              )
              .leftJoin('status as published_status', (join) =>
                join
                  .onRef('published_status.organisation_id', '=', 'progress_report.organisation_id')
                  .on('published_status.key', '=', sql<string>`report_revision.status->>'key'`)
                  // Keys are unique within a version of the scale: the one in force for the period (ADR 0014).
                  .on(
                    sql<boolean>`published_status.in_use_from is not distinct from (select max(v.in_use_from)
                      from status v where v.organisation_id = progress_report.organisation_id
                      and v.in_use_from <= reporting_period.starts_on)`,
                  ),
              )
              .leftJoin('status as live_status', 'live_status.id', 'progress_report.status_id')
              .select((sub) => [
                'reporting_period.key as period_key',
                (filter.publishedOnly ? sub.ref('published_status.id') : sub.ref('progress_report.status_id')).as(
                  'status_id',
                ),
                // What the report shows: a published report the status it was published with.
                (filter.publishedOnly
                  ? sql<unknown>`report_revision.status`
                  : sql<unknown>`case when progress_report.state = 'published' then report_revision.status
                      when live_status.id is null then null
                      else jsonb_build_object('key', live_status.key, 'label', live_status.label,
                        'colour', live_status.colour, 'shape', live_status.shape,
                        'description', live_status.description) end`
                ).as('status'),
              ])
              .$if(filter.publishedOnly === true, (sub) =>
                sub.where('progress_report.published_revision', 'is not', null),
              )
              .whereRef('progress_report.priority_id', '=', 'priority.id')
              .$if(filter.periodId !== undefined, (sub) =>
                sub.where('progress_report.period_id', '=', filter.periodId!),
              )
              .orderBy('reporting_period.ends_on', 'desc')
              .orderBy('reporting_period.starts_on', 'desc')
              .limit(1)
              .as('latest'),
          (join) => join.onTrue(),
        )
        .select([
          'priority.id',
          'priority.code',
          'priority.title',
          'priority.theme_id',
          'theme.title as theme_title',
          'plan.title as plan_title',
          'officer.name as officer_name',
          'latest.period_key',
          'latest.status_id',
          'latest.status',
          (eb) =>
            sql<boolean>`${
              filter.publishedOnly
                ? eb.exists(
                    eb
                      .selectFrom('progress_report as unpublished')
                      .select('unpublished.id')
                      .whereRef('unpublished.priority_id', '=', 'priority.id')
                      .where('unpublished.published_revision', 'is', null)
                      .$if(filter.periodId !== undefined, (sub) =>
                        sub.where('unpublished.period_id', '=', filter.periodId!),
                      ),
                  )
                : sql`false`
            }`.as('unpublished'),
        ])
        .where('priority.organisation_id', '=', organisationId)
        .$if(Boolean(filter.themeId), (q) => q.where('priority.theme_id', '=', filter.themeId!))
        // The status filter is the list's, over every priority (not only a page's): a status's key,
        // "none" for a report not yet assessed, "no-report" for no report (for the period, if asked).
        .$if(Boolean(filter.status), (q) =>
          q.where(
            sql<string>`coalesce(latest.status->>'key', case when latest.period_key is null then 'no-report' else 'none' end)`,
            '=',
            filter.status!,
          ),
        )
        .orderBy('plan.first_year', 'desc')
        .orderBy('theme.position')
        .orderBy('priority.code')
        .orderBy('priority.id')
    );
  }

  type PriorityListRow = Awaited<ReturnType<ReturnType<typeof priorityListQuery>['execute']>>[number];
  const toPriorityListItem = (r: PriorityListRow): PriorityListItem => ({
    id: r.id,
    code: r.code,
    title: r.title,
    themeId: r.theme_id,
    themeTitle: r.theme_title,
    planTitle: r.plan_title,
    officerName: r.officer_name,
    latest: r.period_key
      ? { periodKey: r.period_key, statusId: r.status_id, status: (r.status as FrozenStatus | null) ?? null }
      : null,
    unpublished: r.unpublished === true,
  });

  /**
   * The list's queries are built and compiled once per shape of filter (`reusable-query.ts`): which
   * of theme, period and status are given, and whether only published reports are read. The
   * builders below see stand-ins for the values given and `undefined` for the others, as they
   * would see the values.
   */
  const shapeOf = (f: PriorityListFilter) =>
    `${f.themeId ? 't' : ''}${f.periodId !== undefined ? 'p' : ''}${f.status ? 's' : ''}${f.publishedOnly ? 'o' : ''}`;
  type ListParameters = { organisationId: string; themeId?: string; periodId?: string; status?: string };
  const listParameters = (organisationId: string, f: PriorityListFilter): ListParameters => ({
    organisationId,
    ...(f.themeId ? { themeId: f.themeId } : {}),
    ...(f.periodId !== undefined ? { periodId: f.periodId } : {}),
    ...(f.status ? { status: f.status } : {}),
  });
  const standIns = (f: PriorityListFilter, p: ListParameters): PriorityListFilter => ({
    themeId: f.themeId ? p.themeId : undefined,
    periodId: f.periodId !== undefined ? p.periodId : undefined,
    status: f.status ? p.status : undefined,
    publishedOnly: f.publishedOnly,
  });
  function byShape<P extends ListParameters, O>(
    build: (f: PriorityListFilter, p: P) => { compile(): CompiledQuery<O> },
  ) {
    const made = new Map<string, (p: P) => CompiledQuery<O>>();
    return (f: PriorityListFilter) => {
      const shape = shapeOf(f);
      let query = made.get(shape);
      if (!query) made.set(shape, (query = reusableQuery((p: P) => build(standIns(f, p), p))));
      return query;
    };
  }
  /**
   * How many priorities the list shows with a filter, by plan. Only a status filter needs each
   * priority's latest report; without one, the priorities alone.
   */
  const countQuery = byShape((filter, p: ListParameters) =>
    (filter.status ? priorityListQuery(p.organisationId, filter) : priorityCore(p.organisationId, filter))
      .clearSelect()
      .clearOrderBy()
      .select((eb) => ['plan.title as plan_title', eb.fn.countAll<string | number>().as('n')])
      .groupBy(['plan.id', 'plan.title', 'plan.first_year'])
      .orderBy('plan.first_year', 'desc')
      .orderBy('plan.title'),
  );
  // Without a status filter the page's priorities are chosen first, so each one's latest
  // report is looked up for the page's rows only, not for every priority before the limit.
  // `= any(array(…))` makes the choice a value computed once and applied as the priorities are
  // read: as `in (…)` the planner (under row-level security, which hides its row counts) joined
  // every priority to its reports and only then kept the page's.
  const pageQuery = byShape((filter, p: ListParameters & { offset: number; limit: number }) =>
    filter.status
      ? priorityListQuery(p.organisationId, filter).offset(p.offset).limit(p.limit)
      : priorityListQuery(p.organisationId, filter).where(
          sql<boolean>`priority.id = any(array(${priorityCore(p.organisationId, filter)
            .select('priority.id')
            .offset(p.offset)
            .limit(p.limit)}))`,
        ),
  );

  const themes = (organisationId: string) =>
    db.selectFrom('theme').selectAll().where('organisation_id', '=', organisationId);
  const themesQuery = reusableQuery((p: { organisationId: string }) =>
    themes(p.organisationId).orderBy('plan_id').orderBy('position'),
  );
  const themesOfPlanQuery = reusableQuery((p: { organisationId: string; planId: string }) =>
    themes(p.organisationId).where('plan_id', '=', p.planId).orderBy('plan_id').orderBy('position'),
  );

  const priorityBase = (organisationId: string) =>
    db
      .selectFrom('priority')
      .innerJoin('theme', 'theme.id', 'priority.theme_id')
      .innerJoin('plan', 'plan.id', 'theme.plan_id')
      .leftJoin('person as officer', 'officer.id', 'priority.accountable_officer_id')
      .leftJoin('person as director', 'director.id', 'priority.accountable_director_id')
      .select([
        'priority.id',
        'priority.code',
        'priority.title',
        'priority.rationale',
        'priority.theme_id',
        'theme.title as theme_title',
        'plan.id as plan_id',
        'plan.title as plan_title',
        'priority.groups_internal',
        'priority.groups_external',
        'priority.version',
        'priority.updated_at',
        'officer.id as officer_id',
        'officer.name as officer_name',
        'officer.job_title as officer_job_title',
        'director.id as director_id',
        'director.name as director_name',
        'director.job_title as director_job_title',
      ])
      .where('priority.organisation_id', '=', organisationId);
  type Row = Awaited<ReturnType<ReturnType<typeof priorityBase>['executeTakeFirstOrThrow']>>;
  // A priority by its code (every page and change of a report starts there) or id: built and compiled once.
  const priorityByCodeQuery = reusableQuery((p: { organisationId: string; code: string }) =>
    priorityBase(p.organisationId).where((eb) => eb(eb.fn('lower', ['priority.code']), '=', p.code)),
  );
  const priorityByIdQuery = reusableQuery((p: { organisationId: string; id: string }) =>
    priorityBase(p.organisationId).where('priority.id', '=', p.id),
  );
  const toPriority = (r: Row): Priority => ({
    id: r.id,
    code: r.code,
    title: r.title,
    rationale: r.rationale,
    themeId: r.theme_id,
    themeTitle: r.theme_title,
    planId: r.plan_id,
    planTitle: r.plan_title,
    groupsInternal: r.groups_internal,
    groupsExternal: r.groups_external,
    version: r.version,
    updatedAt: r.updated_at,
    accountableOfficer: r.officer_id
      ? { id: r.officer_id, name: r.officer_name!, jobTitle: r.officer_job_title! }
      : null,
    accountableDirector: r.director_id
      ? { id: r.director_id, name: r.director_name!, jobTitle: r.director_job_title! }
      : null,
  });

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    async listPlans(organisationId: string): Promise<Plan[]> {
      const rows = await db
        .selectFrom('plan')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .orderBy('first_year', 'desc')
        .orderBy('title')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        title: r.title,
        description: r.description,
        firstYear: r.first_year,
        lastYear: r.last_year,
        version: r.version,
      }));
    },
    async findPlan(organisationId: string, id: string): Promise<Plan | undefined> {
      const r = await db
        .selectFrom('plan')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return (
        r && {
          id: r.id,
          title: r.title,
          description: r.description,
          firstYear: r.first_year,
          lastYear: r.last_year,
          version: r.version,
        }
      );
    },
    async insertPlan(
      organisationId: string,
      v: { title: string; description: string; firstYear: number; lastYear: number },
    ): Promise<string> {
      const r = await db
        .insertInto('plan')
        .values({
          organisation_id: organisationId,
          title: v.title,
          description: v.description,
          first_year: v.firstYear,
          last_year: v.lastYear,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async updatePlan(
      organisationId: string,
      id: string,
      version: number,
      v: { title: string; description: string; firstYear: number; lastYear: number },
    ): Promise<boolean> {
      const r = await db
        .updateTable('plan')
        .set((eb) => ({
          title: v.title,
          description: v.description,
          first_year: v.firstYear,
          last_year: v.lastYear,
          version: eb('version', '+', 1),
        }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async listThemes(organisationId: string, planId?: string): Promise<Theme[]> {
      const rows = (
        await db.executeQuery(planId ? themesOfPlanQuery({ organisationId, planId }) : themesQuery({ organisationId }))
      ).rows;
      return rows.map((r) => ({
        id: r.id,
        planId: r.plan_id,
        title: r.title,
        position: r.position,
        version: r.version,
      }));
    },
    async findTheme(organisationId: string, id: string): Promise<Theme | undefined> {
      const r = await db
        .selectFrom('theme')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return r && { id: r.id, planId: r.plan_id, title: r.title, position: r.position, version: r.version };
    },
    async insertTheme(organisationId: string, planId: string, title: string): Promise<string> {
      const max = await db
        .selectFrom('theme')
        .select((eb) => eb.fn.max('position').as('m'))
        .where('plan_id', '=', planId)
        .executeTakeFirst();
      const r = await db
        .insertInto('theme')
        .values({ organisation_id: organisationId, plan_id: planId, title, position: Number(max?.m ?? -1) + 1 })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async updateTheme(organisationId: string, id: string, version: number, title: string): Promise<boolean> {
      const r = await db
        .updateTable('theme')
        .set((eb) => ({ title, version: eb('version', '+', 1) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async countPrioritiesInTheme(themeId: string): Promise<number> {
      const r = await db
        .selectFrom('priority')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('theme_id', '=', themeId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** Removes the theme if it is still at `version`; false when someone changed it since. */
    async deleteTheme(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('theme')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    /**
     * Priorities with their latest report, or with their report for `periodId` when given. With
     * `publishedOnly` (readers who may not see drafts), only reports with a published revision
     * count, and the status is the one that revision was published with (matched on the scale
     * by key), never the draft's.
     */
    async listPriorities(organisationId: string, filter: PriorityListFilter): Promise<PriorityListItem[]> {
      return (await priorityListQuery(organisationId, filter).execute()).map(toPriorityListItem);
    },
    /**
     * How many priorities the list shows with `filter` (its status filter included), and the
     * titles of their plans, newest plan first: the page's caption names them all, not only those
     * on the page.
     */
    async countPriorities(
      organisationId: string,
      filter: PriorityListFilter,
    ): Promise<{ total: number; planTitles: string[] }> {
      const rows = (await db.executeQuery(countQuery(filter)(listParameters(organisationId, filter)))).rows;
      return { total: rows.reduce((sum, r) => sum + Number(r.n), 0), planTitles: rows.map((r) => r.plan_title) };
    },
    /** One page of the list, in the list's order (`offset` rows skipped, at most `limit` read). */
    async listPrioritiesPage(
      organisationId: string,
      filter: PriorityListFilter,
      offset: number,
      limit: number,
    ): Promise<PriorityListItem[]> {
      const rows = (
        await db.executeQuery(pageQuery(filter)({ ...listParameters(organisationId, filter), offset, limit }))
      ).rows;
      return rows.map(toPriorityListItem);
    },
    async findPriorityByCode(organisationId: string, code: string): Promise<Priority | undefined> {
      const [r] = (await db.executeQuery(priorityByCodeQuery({ organisationId, code: code.toLowerCase() }))).rows;
      return r && toPriority(r);
    },
    async findPriorityById(organisationId: string, id: string): Promise<Priority | undefined> {
      const [r] = (await db.executeQuery(priorityByIdQuery({ organisationId, id }))).rows;
      return r && toPriority(r);
    },
    async insertPriority(organisationId: string, v: PriorityValues): Promise<string> {
      const r = await db
        .insertInto('priority')
        .values({
          organisation_id: organisationId,
          theme_id: v.themeId,
          code: v.code,
          title: v.title,
          rationale: v.rationale,
          accountable_officer_id: v.accountableOfficerId,
          accountable_director_id: v.accountableDirectorId,
          groups_internal: v.groupsInternal,
          groups_external: v.groupsExternal,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async updatePriority(organisationId: string, id: string, version: number, v: PriorityValues): Promise<boolean> {
      const r = await db
        .updateTable('priority')
        .set((eb) => ({
          theme_id: v.themeId,
          code: v.code,
          title: v.title,
          rationale: v.rationale,
          accountable_officer_id: v.accountableOfficerId,
          accountable_director_id: v.accountableDirectorId,
          groups_internal: v.groupsInternal,
          groups_external: v.groupsExternal,
          version: eb('version', '+', 1),
          updated_at: new Date(),
        }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
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
  };
}

export type PlanQueries = ReturnType<typeof planQueries>;
export const createPlanRepository = (db: Kysely<DB>) => planQueries(db);
export type PlanRepository = ReturnType<typeof createPlanRepository>;
