// All SQL about organisations (the council itself and the partners it records) and status scales.

import type { ExpressionBuilder, Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB, OrganisationTable } from '../../schema.ts';
import { sql, type Selectable } from 'kysely';
import type { ApprovalRole, Pattern, Status, Shape } from '../../domain/status-scale.ts';

export type OrganisationKind = OrganisationTable['kind'];

export interface Organisation {
  id: string;
  name: string;
  shortName: string | null;
  kind: OrganisationKind;
  managedById: string | null;
  /** The name its URLs carry; null for a partner record another organisation keeps. */
  slug: string | null;
  /** Bumped by every change of its details: a write names the version it read. */
  version: number;
}

function toOrganisation(row: Selectable<OrganisationTable>): Organisation {
  return {
    id: row.id,
    name: row.name,
    shortName: row.short_name,
    kind: row.kind,
    managedById: row.managed_by_id,
    slug: row.slug,
    version: row.version,
  };
}

/** The tolerance of indicators without a rule of their own: a percentage, in basis points (500 is 5%). */
export interface IndicatorDefaults {
  ruleKind: 'percent';
  ruleValue: number;
}

/** A report that is not published (draft or in sign-off) and the status it has now. */
export interface UnpublishedReportUsingStatus {
  reportId: string;
  priorityCode: string;
  periodKey: string;
  periodEndsOn: string;
  state: 'draft' | 'submitted' | 'officer_approved';
  statusId: string;
}

/** A reporting period of the organisation, as the status scale page offers it for a new version. */
export interface PeriodForScale {
  key: string;
  startsOn: string;
  endsOn: string;
  /** Whether a report of the period is not published (a draft or in sign-off). */
  hasUnpublished: boolean;
}

export interface StatusInput {
  id?: string | undefined;
  key: string;
  label: string;
  colour: string;
  shape: Shape;
  description: string;
  commentRequired: boolean;
  rated: boolean;
  pattern: Pattern;
  approvalRole: ApprovalRole | null;
}

/** A status's definition as the columns of its row, at `position` in its version of the scale. */
function statusColumns(s: StatusInput, position: number) {
  return {
    key: s.key,
    label: s.label,
    colour: s.colour.toLowerCase(),
    shape: s.shape,
    description: s.description,
    comment_required: s.commentRequired,
    rated: s.rated,
    pattern: s.pattern,
    approval_role: s.approvalRole,
    position,
  };
}

function organisationQueries(db: Kysely<DB>) {
  // Built and compiled once (`reusable-query.ts`): the priority list, the report pages and the sign-offs read it.
  const statusesQuery = reusableQuery((p: { organisationId: string }) =>
    db
      .selectFrom('status')
      .selectAll()
      .where('organisation_id', '=', p.organisationId)
      .orderBy(sql`in_use_from nulls first`)
      .orderBy('position'),
  );
  const byIdQuery = reusableQuery((p: { id: string }) =>
    db.selectFrom('organisation').selectAll().where('id', '=', p.id),
  );
  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    /** The deployment's home organisation, as recorded (never "the oldest one"). */
    async findHome(): Promise<Organisation | undefined> {
      const row = await db
        .selectFrom('deployment')
        .innerJoin('organisation', 'organisation.id', 'deployment.home_organisation_id')
        .selectAll('organisation')
        .executeTakeFirst();
      return row && toOrganisation(row);
    },
    /** Makes `id` the home organisation if the deployment has none yet; true when it did. */
    async claimHome(id: string): Promise<boolean> {
      const r = await db
        .insertInto('deployment')
        .values({ id: true, home_organisation_id: id })
        .onConflict((oc) =>
          oc
            .column('id')
            .doUpdateSet({ home_organisation_id: id })
            .where('deployment.home_organisation_id', 'is', null),
        )
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Makes `id` the home organisation (an operator's choice, or a replaced home's successor). */
    async setHome(id: string): Promise<void> {
      await db
        .insertInto('deployment')
        .values({ id: true, home_organisation_id: id })
        .onConflict((oc) => oc.column('id').doUpdateSet({ home_organisation_id: id }))
        .execute();
    },
    async findById(id: string): Promise<Organisation | undefined> {
      const [row] = (await db.executeQuery(byIdQuery({ id }))).rows;
      return row && toOrganisation(row);
    },
    /**
     * The organisation and its indicators' default tolerance from one read of its row: a report
     * page needs both (its heading, its graphs' ratings), and reading the row twice is one round trip more.
     */
    async findWithDefaults(
      id: string,
    ): Promise<{ organisation: Organisation; indicatorDefaults: IndicatorDefaults } | undefined> {
      const [row] = (await db.executeQuery(byIdQuery({ id }))).rows;
      return (
        row && {
          organisation: toOrganisation(row),
          indicatorDefaults: { ruleKind: row.default_rule_kind, ruleValue: Number(row.default_rule_value) },
        }
      );
    },
    async listManagedBy(organisationId: string): Promise<Organisation[]> {
      const rows = await db
        .selectFrom('organisation')
        .selectAll()
        .where('managed_by_id', '=', organisationId)
        .orderBy('name')
        .execute();
      return rows.map(toOrganisation);
    },
    async findManagedByName(organisationId: string, name: string): Promise<Organisation | undefined> {
      const row = await db
        .selectFrom('organisation')
        .selectAll()
        .where('managed_by_id', '=', organisationId)
        .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
        .executeTakeFirst();
      return row && toOrganisation(row);
    },
    async findBySlug(slug: string): Promise<Organisation | undefined> {
      const row = await db.selectFrom('organisation').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row && toOrganisation(row);
    },
    /** Organisations that run Amber themselves (not partner records), by name. */
    async listHosted(): Promise<Organisation[]> {
      const rows = await db
        .selectFrom('organisation')
        .selectAll()
        .where('managed_by_id', 'is', null)
        .orderBy('name')
        .execute();
      return rows.map(toOrganisation);
    },
    /** `base`, or `base-2`, `base-3`… whichever no organisation has yet. */
    async freeSlug(base: string): Promise<string> {
      const taken = new Set(
        (
          await db
            .selectFrom('organisation')
            .select('slug')
            .where((eb) => eb.or([eb('slug', '=', base), eb('slug', 'like', `${base}-%`)]))
            .execute()
        ).map((r) => r.slug),
      );
      if (!taken.has(base)) return base;
      for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
    },
    async insert(values: {
      name: string;
      shortName: string | null;
      kind: OrganisationKind;
      managedById: string | null;
      /** Required (and only allowed) when `managedById` is null. */
      slug?: string | null;
    }): Promise<Organisation> {
      const row = await db
        .insertInto('organisation')
        .values({
          name: values.name,
          short_name: values.shortName,
          kind: values.kind,
          managed_by_id: values.managedById,
          slug: values.managedById === null ? values.slug! : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOrganisation(row);
    },
    /** Changes the organisation if it is still at `version`; undefined when someone changed it since. */
    async update(
      id: string,
      version: number,
      values: { name: string; shortName: string | null; kind: OrganisationKind },
    ): Promise<Organisation | undefined> {
      const row = await db
        .updateTable('organisation')
        .set((eb) => ({
          name: values.name,
          short_name: values.shortName,
          kind: values.kind,
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
      return row && toOrganisation(row);
    },
    async findIndicatorDefaults(id: string): Promise<IndicatorDefaults | undefined> {
      const row = await db
        .selectFrom('organisation')
        .select(['default_rule_kind', 'default_rule_value'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && { ruleKind: row.default_rule_kind, ruleValue: Number(row.default_rule_value) };
    },
    async updateIndicatorDefaults(id: string, values: IndicatorDefaults): Promise<void> {
      await db
        .updateTable('organisation')
        .set({ default_rule_kind: values.ruleKind, default_rule_value: values.ruleValue })
        .where('id', '=', id)
        .execute();
    },
    async countReferences(partnerId: string): Promise<number> {
      const people = await db
        .selectFrom('person')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('employer_id', '=', partnerId)
        .executeTakeFirstOrThrow();
      const contributions = await db
        .selectFrom('action_contributor')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('partner_id', '=', partnerId)
        .executeTakeFirstOrThrow();
      return Number(people.n) + Number(contributions.n);
    },
    /** Removes the organisation if it is still at `version`; false when someone changed it since. */
    async delete(id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('organisation')
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    /** Every status of every version of the scale (each with the date its version is in use from). */
    async listStatuses(organisationId: string): Promise<(Status & { inUseFrom: string | null })[]> {
      const rows = (await db.executeQuery(statusesQuery({ organisationId }))).rows;
      return rows.map((r) => ({
        id: r.id,
        key: r.key,
        label: r.label,
        colour: r.colour,
        shape: r.shape as Shape,
        description: r.description,
        commentRequired: r.comment_required,
        rated: r.rated,
        pattern: r.pattern,
        approvalRole: r.approval_role as ApprovalRole | null,
        position: r.position,
        inUseFrom: r.in_use_from === null ? null : String(r.in_use_from),
      }));
    },
    /** The organisation's reporting periods, earliest first, each saying whether it has an unpublished report. */
    async listPeriodsForScale(organisationId: string): Promise<PeriodForScale[]> {
      const rows = await db
        .selectFrom('reporting_period')
        .select((eb) => [
          'reporting_period.key',
          'reporting_period.starts_on',
          'reporting_period.ends_on',
          eb
            .exists(
              eb
                .selectFrom('progress_report')
                .select('progress_report.id')
                .whereRef('progress_report.period_id', '=', 'reporting_period.id')
                .where('progress_report.state', '!=', 'published'),
            )
            .as('has_unpublished'),
        ])
        .where('reporting_period.organisation_id', '=', organisationId)
        .orderBy('reporting_period.starts_on')
        .orderBy('reporting_period.ends_on', 'desc')
        .execute();
      return rows.map((r) => ({
        key: r.key,
        startsOn: String(r.starts_on),
        endsOn: String(r.ends_on),
        hasUnpublished: Boolean(r.has_unpublished),
      }));
    },
    /**
     * The reports not published now (drafts, and reports in sign-off, including the next revision
     * of a published report) that have one of these statuses. Published reports show the status
     * their revision was published with, so a change of the scale never touches them.
     */
    async listUnpublishedReportsUsing(
      organisationId: string,
      statusIds: string[],
      /** Only reports of periods starting on or after this date (a new version's start); null: every period. */
      since: string | null = null,
    ): Promise<UnpublishedReportUsingStatus[]> {
      if (statusIds.length === 0) return [];
      const rows = await db
        .selectFrom('progress_report')
        .innerJoin('priority', 'priority.id', 'progress_report.priority_id')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .select([
          'progress_report.id',
          'progress_report.state',
          'progress_report.status_id',
          'priority.code',
          'reporting_period.key',
          'reporting_period.ends_on',
        ])
        .where('progress_report.organisation_id', '=', organisationId)
        .where('progress_report.state', '!=', 'published')
        .where('progress_report.status_id', 'in', statusIds)
        .$if(since !== null, (q) => q.where('reporting_period.starts_on', '>=', since!))
        .orderBy('priority.code')
        .orderBy('reporting_period.ends_on', 'desc')
        .orderBy('reporting_period.starts_on', 'desc')
        .execute();
      return rows.map((r) => ({
        reportId: r.id,
        priorityCode: r.code,
        periodKey: r.key,
        periodEndsOn: String(r.ends_on),
        state: r.state as UnpublishedReportUsingStatus['state'],
        statusId: r.status_id!,
      }));
    },
    /**
     * Leaves the reports that have one of these statuses without one (before the statuses are
     * removed). A published report still shows the status it was published with: its revision
     * holds it; its next revision starts without one.
     */
    async clearReportStatuses(organisationId: string, statusIds: string[]): Promise<number> {
      if (statusIds.length === 0) return 0;
      const r = await db
        .updateTable('progress_report')
        .set({ status_id: null })
        .where('organisation_id', '=', organisationId)
        .where('status_id', 'in', statusIds)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    /**
     * Replaces the statuses of one version (`inUseFrom`; null: the first) in place: updates rows by
     * id, inserts new ones, deletes the rest (callers clear their reports first). Only for the
     * newest version: indicator overrides of every period from its start on follow a changed key.
     */
    async replaceStatuses(
      organisationId: string,
      statuses: StatusInput[],
      inUseFrom: string | null = null,
    ): Promise<void> {
      const version = inVersion(organisationId, inUseFrom);
      const keep = statuses.filter((s) => s.id).map((s) => s.id!);
      let del = db.deleteFrom('status').where(version);
      if (keep.length > 0) del = del.where('id', 'not in', keep);
      await del.execute();
      // Move keys out of the way first so a swap of two keys does not trip the unique constraint.
      if (keep.length > 0) {
        await db
          .updateTable('status')
          .set({ key: sql<string>`key || '~' || id::text` })
          .where(version)
          .execute();
      }
      // Officers' indicator overrides name statuses by key: carry them through a renamed key.
      const before = new Map(
        (await db.selectFrom('status').select(['id', 'key']).where(version).execute()).map((r) => [
          r.id,
          r.key.replace(/~[0-9a-f-]{36}$/, ''),
        ]),
      );
      await renameOverrides(
        organisationId,
        statuses
          .filter((s) => s.id && before.has(s.id) && before.get(s.id) !== s.key)
          .map((s) => ({ from: before.get(s.id!)!, to: s.key })),
        inUseFrom,
      );
      for (const [position, s] of statuses.entries()) {
        const values = statusColumns(s, position);
        if (s.id) {
          await db
            .updateTable('status')
            .set(values)
            .where('id', '=', s.id)
            .where('organisation_id', '=', organisationId)
            .execute();
        } else {
          await db
            .insertInto('status')
            .values({ ...values, organisation_id: organisationId, in_use_from: inUseFrom })
            .execute();
        }
      }
    },
    /**
     * Adds a version used from `inUseFrom` on (after the newest one's start): its statuses are
     * `statuses`, each with the `id` of the newest version's status it continues (none: a new
     * status). Every report of a period from `inUseFrom` on moves to the status that continues
     * its own, or to none when its status is not continued (`removed`), and indicator overrides
     * of those periods follow a changed key. Reports of earlier periods keep their statuses.
     */
    async addVersion(
      organisationId: string,
      inUseFrom: string,
      statuses: StatusInput[],
      before: { id: string; key: string }[],
    ): Promise<void> {
      const fromThen = (eb: ExpressionBuilder<DB, 'progress_report'>) =>
        eb('period_id', 'in', periodsFrom(organisationId, inUseFrom));
      const continued = new Map<string, string>();
      for (const [position, s] of statuses.entries()) {
        const row = await db
          .insertInto('status')
          .values({ organisation_id: organisationId, in_use_from: inUseFrom, ...statusColumns(s, position) })
          .returning('id')
          .executeTakeFirstOrThrow();
        if (s.id) continued.set(s.id, row.id);
      }
      for (const [from, to] of continued) {
        await db
          .updateTable('progress_report')
          .set({ status_id: to })
          .where('organisation_id', '=', organisationId)
          .where('status_id', '=', from)
          .where(fromThen)
          .execute();
      }
      const ended = before.filter((s) => !continued.has(s.id)).map((s) => s.id);
      if (ended.length > 0)
        await db
          .updateTable('progress_report')
          .set({ status_id: null })
          .where('organisation_id', '=', organisationId)
          .where('status_id', 'in', ended)
          .where(fromThen)
          .execute();
      const keyOf = new Map(before.map((s) => [s.id, s.key]));
      await renameOverrides(
        organisationId,
        statuses
          .filter((s) => s.id && keyOf.has(s.id) && keyOf.get(s.id) !== s.key)
          .map((s) => ({ from: keyOf.get(s.id!)!, to: s.key })),
        inUseFrom,
      );
    },
  };

  /** The ids of the organisation's reporting periods starting on or after `since` (a version's periods). */
  function periodsFrom(organisationId: string, since: string) {
    return db
      .selectFrom('reporting_period')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('starts_on', '>=', since);
  }

  /** The statuses of one version of an organisation's scale. */
  function inVersion(organisationId: string, inUseFrom: string | null) {
    return (eb: ExpressionBuilder<DB, 'status'>) =>
      eb.and([
        eb('organisation_id', '=', organisationId),
        inUseFrom === null ? eb('in_use_from', 'is', null) : eb('in_use_from', '=', inUseFrom),
      ]);
  }

  /**
   * Officers' indicator overrides name statuses by key: carries those of periods from `since` on
   * (null: every period) through changed keys, in two steps through a placeholder, so swapping
   * two keys does not merge their overrides.
   */
  async function renameOverrides(
    organisationId: string,
    renames: { from: string; to: string }[],
    since: string | null,
  ): Promise<void> {
    const values = () => {
      let q = db.updateTable('indicator_value').where('organisation_id', '=', organisationId);
      if (since !== null) q = q.where('period_id', 'in', periodsFrom(organisationId, since));
      return q;
    };
    for (const [i, r] of renames.entries())
      await values()
        .set({ override_status_key: `~${i}~${r.to}` })
        .where('override_status_key', '=', r.from)
        .execute();
    for (const [i, r] of renames.entries())
      await values().set({ override_status_key: r.to }).where('override_status_key', '=', `~${i}~${r.to}`).execute();
  }
}

export type OrganisationQueries = ReturnType<typeof organisationQueries>;
export const createOrganisationRepository = (db: Kysely<DB>) => organisationQueries(db);
export type OrganisationRepository = ReturnType<typeof createOrganisationRepository>;
