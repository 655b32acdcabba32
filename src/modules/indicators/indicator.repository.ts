// All SQL about performance indicators: definitions, links to priorities, values per period
// (with overrides), and the indicators each report shows as graphs.

import { sql, type Kysely, type Selectable } from 'kysely';
import { insertAuditEvent, insertAuditEvents } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB, IndicatorTable, IndicatorValueTable } from '../../schema.ts';
import type { Polarity, Frequency, UnitKind, YtdMethod, Scaled } from '../../domain/indicators/indicator.ts';

export interface Indicator {
  id: string;
  code: string;
  title: string;
  description: string;
  unitKind: UnitKind;
  decimalPlaces: number;
  polarity: Polarity;
  frequency: Frequency;
  ytdMethod: YtdMethod;
  /** Null when the indicator uses the organisation's default tolerance (see `ruleOf`). */
  ruleKind: 'percent' | 'absolute' | null;
  /** Basis points for a percentage tolerance; scaled units for an absolute one; null with `ruleKind`. */
  ruleValue: number | null;
  chartKind: 'line' | 'bar';
  ownerId: string | null;
  ownerName: string | null;
  dataSource: string;
  /** The identifier benchmarking clubs compare it by (an LG Inform metric id); null when none is recorded. */
  sharedCode: string | null;
  /** The previous year's outturn, scaled like the values; null when none is recorded. */
  baseline: Scaled | null;
  version: number;
  priorityIds: string[];
}

export interface IndicatorValue {
  id: string;
  periodId: string;
  periodKey: string;
  actual: Scaled | null;
  target: Scaled | null;
  targetHigh: Scaled | null;
  comment: string;
  override: ValueOverride | null;
  version: number;
}

/** An officer's (or a file's) choice of status for a value, beside the status computed. */
export interface ValueOverride {
  statusKey: string;
  reason: string;
  computedKey: string | null;
  explanation: string;
}

export type IndicatorValues = Omit<Indicator, 'id' | 'ownerName' | 'version' | 'priorityIds'>;

/** What rating an indicator's values needs of it, and what a list of ratings names it by: not its owner, texts or links. */
export type RatedIndicator = Pick<
  Indicator,
  'id' | 'code' | 'title' | 'unitKind' | 'decimalPlaces' | 'polarity' | 'frequency' | 'ruleKind' | 'ruleValue'
>;

/** The columns `toRated` reads. */
const RATED_COLUMNS = [
  'id',
  'code',
  'title',
  'unit_kind',
  'decimal_places',
  'polarity',
  'frequency',
  'rule_kind',
  'rule_value',
] as const;

function toRated(r: Pick<Selectable<IndicatorTable>, (typeof RATED_COLUMNS)[number]>): RatedIndicator {
  return {
    id: r.id,
    code: r.code,
    title: r.title,
    unitKind: r.unit_kind as UnitKind,
    decimalPlaces: r.decimal_places,
    polarity: r.polarity,
    frequency: r.frequency,
    ruleKind: r.rule_kind,
    ruleValue: r.rule_value === null ? null : Number(r.rule_value),
  };
}

function toIndicator(r: Selectable<IndicatorTable> & { owner_name: string | null }, priorityIds: string[]): Indicator {
  return {
    ...toRated(r),
    description: r.description,
    ytdMethod: r.ytd_method,
    chartKind: r.chart_kind,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    dataSource: r.data_source,
    sharedCode: r.shared_code,
    baseline: r.baseline === null ? null : Number(r.baseline),
    version: r.version,
    priorityIds,
  };
}

/** The columns a value is made of (not its organisation or update time: many are read at once). */
const VALUE_COLUMNS = [
  'indicator_value.id',
  'indicator_value.indicator_id',
  'indicator_value.period_id',
  'indicator_value.actual',
  'indicator_value.target',
  'indicator_value.target_high',
  'indicator_value.comment',
  'indicator_value.override_status_key',
  'indicator_value.override_reason',
  'indicator_value.override_computed_key',
  'indicator_value.override_explanation',
  'indicator_value.version',
] as const;
type ValueRow = Omit<Selectable<IndicatorValueTable>, 'organisation_id' | 'updated_at'> & { period_key: string };

function toValue(r: ValueRow): IndicatorValue {
  return {
    id: r.id,
    periodId: r.period_id,
    periodKey: r.period_key,
    actual: r.actual === null ? null : Number(r.actual),
    target: r.target === null ? null : Number(r.target),
    targetHigh: r.target_high === null ? null : Number(r.target_high),
    comment: r.comment,
    version: r.version,
    override: r.override_status_key
      ? {
          statusKey: r.override_status_key,
          reason: r.override_reason,
          computedKey: r.override_computed_key,
          explanation: r.override_explanation,
        }
      : null,
  };
}

/**
 * Of a value, what rating it needs (ADR 0014's scale by its period, the rule's target, an
 * override's status): the dashboard rates every indicator's latest value from these alone.
 */
export interface RatedValue {
  periodKey: string;
  actual: number | null;
  target: number | null;
  targetHigh: number | null;
  /** The status an officer chose instead, if any (its key). */
  overrideKey: string | null;
}

/** Rows in their order, grouped by indicator (every id in `ids` present, with no values if it has none). */
function byIndicator(ids: readonly string[], rows: ValueRow[]): Map<string, IndicatorValue[]> {
  const map = new Map<string, IndicatorValue[]>(ids.map((id) => [id, []]));
  for (const r of rows) {
    const list = map.get(r.indicator_id);
    if (list) list.push(toValue(r));
    else map.set(r.indicator_id, [toValue(r)]);
  }
  return map;
}

/**
 * Rows a statement of an import's writes takes. On PGlite a statement runs on the event loop: 1,000
 * rows (their checks of the organisation, owner and priorities they name) held it ~220–250 ms,
 * 250 rows ~50–100 ms, in about the same time for the whole file (bench/definitions-import.ts).
 */
const WRITE_BATCH = 250;
/** An indicator's values as the columns of its row. */
const columns = (v: IndicatorValues) => ({
  code: v.code,
  title: v.title,
  description: v.description,
  unit_kind: v.unitKind,
  decimal_places: v.decimalPlaces,
  polarity: v.polarity,
  frequency: v.frequency,
  ytd_method: v.ytdMethod,
  rule_kind: v.ruleKind,
  rule_value: v.ruleValue,
  chart_kind: v.chartKind,
  owner_id: v.ownerId,
  data_source: v.dataSource,
  shared_code: v.sharedCode,
  baseline: v.baseline,
});
/** Every column `columns` gives, with its type: the arrays `columnArrays` gives, in this order. */
const COLUMN_TYPES = {
  code: 'text',
  title: 'text',
  description: 'text',
  unit_kind: 'text',
  decimal_places: 'int',
  polarity: 'text',
  frequency: 'text',
  ytd_method: 'text',
  rule_kind: 'text',
  rule_value: 'bigint',
  chart_kind: 'text',
  owner_id: 'uuid',
  data_source: 'text',
  shared_code: 'text',
  baseline: 'bigint',
} as const satisfies Record<keyof ReturnType<typeof columns>, string>;
const COLUMNS = Object.keys(COLUMN_TYPES) as (keyof typeof COLUMN_TYPES)[];
const COLUMN_LIST = sql.raw(COLUMNS.join(', '));

/** Indicators whose values (`valuesOf`) or links (`links`) are read in one statement. */
const VALUES_OF_INDICATORS = 1_000;

function indicatorQueries(db: Kysely<DB>) {
  const valueRows = () =>
    db
      .selectFrom('indicator_value')
      .innerJoin('reporting_period', 'reporting_period.id', 'indicator_value.period_id')
      .select([...VALUE_COLUMNS, 'reporting_period.key as period_key']);
  const base = (organisationId: string) =>
    db
      .selectFrom('indicator')
      .leftJoin('person as owner', 'owner.id', 'indicator.owner_id')
      .selectAll('indicator')
      .select('owner.name as owner_name')
      .where('indicator.organisation_id', '=', organisationId);
  /** Each indicator's latest value inside a period: one row per indicator that has one. */
  const latestValues = (p: { organisationId: string; startsOn: string; endsOn: string }) =>
    db
      .selectFrom('indicator_value')
      .innerJoin('reporting_period', 'reporting_period.id', 'indicator_value.period_id')
      .distinctOn('indicator_value.indicator_id')
      .select([
        'indicator_value.indicator_id',
        'reporting_period.key as period_key',
        'indicator_value.actual',
        'indicator_value.target',
        'indicator_value.target_high',
        'indicator_value.override_status_key',
      ])
      .where('indicator_value.organisation_id', '=', p.organisationId)
      .where('reporting_period.starts_on', '>=', p.startsOn)
      .where('reporting_period.ends_on', '<=', p.endsOn)
      .orderBy('indicator_value.indicator_id')
      .orderBy('reporting_period.starts_on', 'desc');
  const latestQuery = reusableQuery(latestValues);
  /** As `latestQuery`, of the indicators given only (their ids as one array). */
  const latestOfQuery = reusableQuery(
    (p: { organisationId: string; startsOn: string; endsOn: string; ids: string[] }) =>
      latestValues(p).where(sql<boolean>`indicator_value.indicator_id = any(${p.ids}::uuid[])`),
  );
  const rated = (p: { organisationId: string }) =>
    db.selectFrom('indicator').select(RATED_COLUMNS).where('organisation_id', '=', p.organisationId).orderBy('code');
  const ratedQuery = reusableQuery(rated);
  const ratedOfQuery = reusableQuery((p: { organisationId: string; ids: string[] }) =>
    rated(p).where(sql<boolean>`id = any(${p.ids}::uuid[])`),
  );
  async function links(ids: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return map;
    // As `valuesOf`: a thousand indicators a statement, their ids as one array.
    for (let i = 0; i < ids.length; i += VALUES_OF_INDICATORS) {
      const rows = await db
        .selectFrom('indicator_priority')
        .select(['indicator_id', 'priority_id'])
        .where(sql<boolean>`indicator_id = any(${ids.slice(i, i + VALUES_OF_INDICATORS)}::uuid[])`)
        .execute();
      for (const r of rows) map.get(r.indicator_id)?.push(r.priority_id);
    }
    return map;
  }
  /**
   * Plans the rest of the transaction's statements for their values. An import's statements
   * join hundreds of unnested rows with the indicators; PGlite prepares every statement (ADR 0020),
   * and after five runs PostgreSQL may keep a generic plan, which guesses ten rows for an unnest
   * and can drive a nested loop from the indicators, unnesting all of them again for each: an
   * update of 2,000 took 4–9 s that way instead of ~1 s (bench/definitions-import.ts). `set local`
   * ends with the transaction.
   */
  const planForValues = () => sql`set local plan_cache_mode = force_custom_plan`.execute(db);
  /**
   * Replaces the links of indicators (one edited, or an import's many) in a few statements: the
   * old links go, the new ones go in, and then a report's graph of an indicator that no longer
   * measures the report's priority goes (a report shows graphs only of indicators that measure
   * its priority). New indicators (`replacing` false) have no links or graphs to remove.
   */
  async function setLinksOfMany(
    organisationId: string,
    rows: readonly { id: string; priorityIds: readonly string[] }[],
    replacing: boolean,
  ): Promise<void> {
    const ids = rows.map((r) => r.id);
    if (replacing) await sql`delete from indicator_priority where indicator_id = any(${ids}::uuid[])`.execute(db);
    const pairs = rows.flatMap((r) => r.priorityIds.map((p) => [r.id, p] as const));
    for (let i = 0; i < pairs.length; i += WRITE_BATCH) {
      const batch = pairs.slice(i, i + WRITE_BATCH);
      await sql`insert into indicator_priority (organisation_id, indicator_id, priority_id)
        select ${organisationId}::uuid, u.indicator_id, u.priority_id
        from unnest(${batch.map(([id]) => id)}::uuid[], ${batch.map(([, p]) => p)}::uuid[]) as u(indicator_id, priority_id)`.execute(
        db,
      );
    }
    if (replacing)
      await sql`delete from report_graph as g using progress_report as r
        where r.id = g.report_id and g.indicator_id = any(${ids}::uuid[])
          and not exists (select 1 from indicator_priority as l where l.indicator_id = g.indicator_id and l.priority_id = r.priority_id)`.execute(
        db,
      );
  }
  /**
   * The columns of many indicators (as `columns` gives them) as arrays for the database to unnest,
   * in the order of `COLUMNS`: the statement's text is the same for every batch (prepared once on PGlite), and
   * there is far less to bind than a VALUES list of 15 parameters a row.
   */
  const columnArrays = (values: readonly IndicatorValues[]) => {
    const rows = values.map(columns);
    return sql.join(COLUMNS.map((c) => sql`${rows.map((r) => r[c])}::${sql.raw(COLUMN_TYPES[c])}[]`));
  };

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),
    /** Many audit events in few statements (an import's, one per indicator). */
    auditMany: (entries: readonly Parameters<typeof insertAuditEvent>[1][]) => insertAuditEvents(db, entries),

    async list(
      organisationId: string,
      filter: { priorityId?: string; ids?: readonly string[] } = {},
    ): Promise<Indicator[]> {
      let q = base(organisationId);
      // Those of these ids only, as one array (the same statement for any number of them).
      if (filter.ids) q = q.where(sql<boolean>`indicator.id = any(${[...filter.ids]}::uuid[])`);
      if (filter.priorityId) {
        q = q.where(
          'indicator.id',
          'in',
          db.selectFrom('indicator_priority').select('indicator_id').where('priority_id', '=', filter.priorityId),
        );
      }
      const rows = await q.orderBy('indicator.code').execute();
      const l = await links(rows.map((r) => r.id));
      return rows.map((r) => toIndicator(r, l.get(r.id) ?? []));
    },
    /**
     * Every indicator of the organisation in code order, with only what rating its values needs
     * (`RatedIndicator`): one statement of a few columns, where `list` reads every column, each
     * owner's name and every link (the dashboard rates every indicator: at 1,000 that was a
     * statement of 1,000 parameters and the rows' timestamps parsed for nothing). With `only`, those
     * of its indicators only (the dashboard's indicators changed since it was kept).
     */
    async listForRating(organisationId: string, only?: readonly string[]): Promise<RatedIndicator[]> {
      const { rows } = await db.executeQuery(
        only ? ratedOfQuery({ organisationId, ids: [...only] }) : ratedQuery({ organisationId }),
      );
      return rows.map(toRated);
    },
    /** How many indicators the organisation has (the indicator list's count, for its pages). */
    async count(organisationId: string): Promise<number> {
      const r = await db
        .selectFrom('indicator')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('indicator.organisation_id', '=', organisationId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** One page of the indicators in code order (`offset` skipped, at most `limit` read), with their links. */
    async listPage(organisationId: string, offset: number, limit: number): Promise<Indicator[]> {
      const rows = await base(organisationId)
        .orderBy('indicator.code')
        .orderBy('indicator.id')
        .offset(offset)
        .limit(limit)
        .execute();
      const l = await links(rows.map((r) => r.id));
      return rows.map((r) => toIndicator(r, l.get(r.id) ?? []));
    },
    /** The indicators of these ids, by id, in statements of at most 1,000 ids (what an import wrote). */
    async listByIds(organisationId: string, ids: readonly string[]): Promise<Map<string, Indicator>> {
      const found = new Map<string, Indicator>();
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const rows = await base(organisationId).where('indicator.id', 'in', chunk).execute();
        const l = await links(rows.map((r) => r.id));
        for (const r of rows) found.set(r.id, toIndicator(r, l.get(r.id) ?? []));
      }
      return found;
    },
    /** The ids of the organisation's indicators that hold at least one value, in one statement. */
    async withValues(organisationId: string): Promise<Set<string>> {
      const rows = await db
        .selectFrom('indicator_value')
        .select('indicator_id')
        .distinct()
        .where('organisation_id', '=', organisationId)
        .execute();
      return new Set(rows.map((r) => r.indicator_id));
    },
    async findByCode(organisationId: string, code: string): Promise<Indicator | undefined> {
      const r = await base(organisationId)
        .where((eb) => eb(eb.fn('lower', ['indicator.code']), '=', code.toLowerCase()))
        .executeTakeFirst();
      return r && toIndicator(r, (await links([r.id])).get(r.id) ?? []);
    },
    async insert(organisationId: string, v: IndicatorValues, priorityIds: string[]): Promise<string> {
      const r = await db
        .insertInto('indicator')
        .values({ organisation_id: organisationId, ...columns(v) })
        .returning('id')
        .executeTakeFirstOrThrow();
      await setLinksOfMany(organisationId, [{ id: r.id, priorityIds }], false);
      return r.id;
    },
    async update(
      organisationId: string,
      id: string,
      version: number,
      v: IndicatorValues,
      priorityIds: string[],
    ): Promise<boolean> {
      const r = await db
        .updateTable('indicator')
        .set((eb) => ({ ...columns(v), version: eb('version', '+', 1), updated_at: new Date() }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await setLinksOfMany(organisationId, [{ id, priorityIds }], true);
      return true;
    },
    /**
     * Creates many indicators (an import's) with their links, `WRITE_BATCH` to a statement; their ids
     * in the order given.
     */
    async insertMany(
      organisationId: string,
      rows: readonly { values: IndicatorValues; priorityIds: readonly string[] }[],
    ): Promise<string[]> {
      if (rows.length === 0) return [];
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += WRITE_BATCH) {
        const batch = rows.slice(i, i + WRITE_BATCH);
        const { rows: inserted } = await sql<{ id: string; code: string }>`
          insert into indicator (organisation_id, ${COLUMN_LIST})
          select ${organisationId}::uuid, ${COLUMN_LIST}
          from unnest(${columnArrays(batch.map((r) => r.values))}) as u(${COLUMN_LIST})
          returning id, code`.execute(db);
        // Matched by code (unique in the organisation), not by the order rows come back in.
        const byCode = new Map(inserted.map((r) => [r.code, r.id]));
        ids.push(...batch.map((r) => byCode.get(r.values.code)!));
      }
      await setLinksOfMany(
        organisationId,
        rows.map((r, i) => ({ id: ids[i]!, priorityIds: r.priorityIds })),
        false,
      );
      return ids;
    },
    /**
     * Updates many indicators (an import's) and replaces their links, each only if it is still at
     * the version given, `WRITE_BATCH` to a statement. Returns the ids of those that were not (someone
     * changed them since): the caller decides whether the rest may stand.
     */
    async updateMany(
      organisationId: string,
      rows: readonly { id: string; version: number; values: IndicatorValues; priorityIds: readonly string[] }[],
    ): Promise<string[]> {
      if (rows.length === 0) return [];
      await planForValues();
      const updated = new Set<string>();
      const now = new Date();
      for (let i = 0; i < rows.length; i += WRITE_BATCH) {
        const batch = rows.slice(i, i + WRITE_BATCH);
        const { rows: done } = await sql<{ id: string }>`
          update indicator as i
          set (${COLUMN_LIST}) = (${sql.join(COLUMNS.map((c) => sql.ref(`u.${c}`)))}),
            version = i.version + 1, updated_at = ${now}
          from unnest(${batch.map((r) => r.id)}::uuid[], ${batch.map((r) => r.version)}::int[],
            ${columnArrays(batch.map((r) => r.values))}) as u(id, version, ${COLUMN_LIST})
          where i.organisation_id = ${organisationId} and i.id = u.id and i.version = u.version
          returning i.id`.execute(db);
        for (const r of done) updated.add(r.id);
      }
      await setLinksOfMany(
        organisationId,
        rows.filter((r) => updated.has(r.id)),
        true,
      );
      return rows.filter((r) => !updated.has(r.id)).map((r) => r.id);
    },
    /**
     * Names the owner of each indicator that has none (an import's), `WRITE_BATCH` to a
     * statement. Returns the ids it named: an indicator given an owner since keeps that one.
     */
    async setOwnersWhereNone(
      organisationId: string,
      owners: readonly { id: string; ownerId: string }[],
    ): Promise<Set<string>> {
      const named = new Set<string>();
      if (owners.length === 0) return named;
      await planForValues();
      const now = new Date();
      for (let i = 0; i < owners.length; i += WRITE_BATCH) {
        const batch = owners.slice(i, i + WRITE_BATCH);
        const { rows } = await sql<{ id: string }>`
          update indicator as i set owner_id = u.owner_id, version = i.version + 1, updated_at = ${now}
          from unnest(${batch.map((o) => o.id)}::uuid[], ${batch.map((o) => o.ownerId)}::uuid[]) as u(id, owner_id)
          where i.organisation_id = ${organisationId} and i.id = u.id and i.owner_id is null
          returning i.id`.execute(db);
        for (const r of rows) named.add(r.id);
      }
      return named;
    },
    async prioritiesBelong(organisationId: string, ids: string[]): Promise<boolean> {
      if (ids.length === 0) return true;
      const rows = await db
        .selectFrom('priority')
        .select('id')
        .where('organisation_id', '=', organisationId)
        .where('id', 'in', ids)
        .execute();
      return rows.length === new Set(ids).size;
    },
    async personBelongs(organisationId: string, id: string): Promise<boolean> {
      return (
        (await db
          .selectFrom('person')
          .select('id')
          .where('organisation_id', '=', organisationId)
          .where('id', '=', id)
          .executeTakeFirst()) !== undefined
      );
    },

    async values(indicatorId: string): Promise<IndicatorValue[]> {
      const rows = await valueRows()
        .where('indicator_value.indicator_id', '=', indicatorId)
        .orderBy('reporting_period.starts_on')
        .execute();
      return rows.map(toValue);
    },
    /** The values of several indicators in one statement: by indicator id, each oldest first (as `values`). */
    async valuesOf(indicatorIds: readonly string[]): Promise<Map<string, IndicatorValue[]>> {
      if (indicatorIds.length === 0) return new Map();
      // A thousand indicators a statement, their ids as one array (one text for every size): on
      // PGlite a statement runs on the event loop, and the 50,000 values of 12,500 indicators
      // read in one held it 125–225 ms (bench/values-export.ts); PGlite's connection lets the
      // loop turn between statements (ADR 0025).
      const rows: ValueRow[] = [];
      for (let i = 0; i < indicatorIds.length; i += VALUES_OF_INDICATORS) {
        const chunk = indicatorIds.slice(i, i + VALUES_OF_INDICATORS);
        const read = await valueRows()
          .where(sql<boolean>`indicator_value.indicator_id = any(${chunk}::uuid[])`)
          .orderBy('reporting_period.starts_on')
          .execute();
        for (const r of read) rows.push(r);
      }
      return byIndicator(indicatorIds, rows);
    },
    /**
     * The values of the given indicators of the organisation, by indicator id (each present, with
     * none if it has none) and oldest first, for the periods that start from a year before
     * `startsOn` to `endsOn`: those inside a period and those their directions of travel compare
     * with (the period before, the same period a year before). One statement (the dashboard's
     * indicators off target that it shows).
     */
    async valuesAround(
      organisationId: string,
      around: { startsOn: string; endsOn: string },
      indicatorIds: readonly string[],
    ): Promise<Map<string, IndicatorValue[]>> {
      if (indicatorIds.length === 0) return new Map();
      const rows = await valueRows()
        .where('indicator_value.organisation_id', '=', organisationId)
        .where('indicator_value.indicator_id', 'in', [...indicatorIds])
        .where('reporting_period.starts_on', '>=', sql<string>`(${around.startsOn}::date - interval '1 year')::date`)
        .where('reporting_period.starts_on', '<=', around.endsOn)
        .orderBy('reporting_period.starts_on')
        .execute();
      return byIndicator(indicatorIds, rows);
    },
    /**
     * Each indicator's latest value inside the period (the one starting last), by indicator id,
     * with only what rating it needs: one statement, one narrow row per indicator. With `only`, of
     * those indicators only.
     */
    async latestValuesIn(
      organisationId: string,
      period: { startsOn: string; endsOn: string },
      only?: readonly string[],
    ): Promise<Map<string, RatedValue>> {
      const within = { organisationId, startsOn: period.startsOn, endsOn: period.endsOn };
      const { rows } = await db.executeQuery(only ? latestOfQuery({ ...within, ids: [...only] }) : latestQuery(within));
      return new Map(
        rows.map((r) => [
          r.indicator_id,
          {
            periodKey: r.period_key,
            actual: r.actual === null ? null : Number(r.actual),
            target: r.target === null ? null : Number(r.target),
            targetHigh: r.target_high === null ? null : Number(r.target_high),
            overrideKey: r.override_status_key || null, // as toValue reads it: empty is none
          },
        ]),
      );
    },
    async upsertValue(
      organisationId: string,
      indicatorId: string,
      periodId: string,
      v: { actual: Scaled | null; target: Scaled | null; targetHigh: Scaled | null; comment: string },
      /** The version the writer read (0: none yet); the write is refused (false) when it is no longer so. */
      expected?: number,
    ): Promise<boolean> {
      const r = await db
        .insertInto('indicator_value')
        .values({
          organisation_id: organisationId,
          indicator_id: indicatorId,
          period_id: periodId,
          actual: v.actual,
          target: v.target,
          target_high: v.targetHigh,
          comment: v.comment,
        })
        .onConflict((oc) => {
          const update = oc.columns(['indicator_id', 'period_id']).doUpdateSet((eb) => ({
            actual: v.actual,
            target: v.target,
            target_high: v.targetHigh,
            comment: v.comment,
            version: eb('indicator_value.version', '+', 1),
            updated_at: new Date(),
          }));
          return expected === undefined ? update : update.where('indicator_value.version', '=', expected);
        })
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    /**
     * Records a whole import in the caller's transaction. `undefined` keeps what is stored (a
     * blank cell in the file never erases); an override stays, as it does for a form's save.
     */
    async upsertValues(
      organisationId: string,
      rows: readonly {
        indicatorId: string;
        periodId: string;
        actual: Scaled;
        target: Scaled | null | undefined;
        targetHigh: Scaled | null | undefined;
        comment: string | undefined;
      }[],
    ): Promise<void> {
      for (const v of rows) {
        await db
          .insertInto('indicator_value')
          .values({
            organisation_id: organisationId,
            indicator_id: v.indicatorId,
            period_id: v.periodId,
            actual: v.actual,
            target: v.target ?? null,
            target_high: v.targetHigh ?? null,
            comment: v.comment ?? '',
          })
          .onConflict((oc) =>
            oc.columns(['indicator_id', 'period_id']).doUpdateSet((eb) => ({
              actual: v.actual,
              ...(v.target !== undefined ? { target: v.target, target_high: v.targetHigh ?? null } : {}),
              ...(v.comment !== undefined ? { comment: v.comment } : {}),
              version: eb('indicator_value.version', '+', 1),
              updated_at: new Date(),
            })),
          )
          .execute();
      }
    },
    /**
     * The same as `upsertValues`, but one multi-row `insert … on conflict do update` per kind of
     * row (with or without an actual, a target, a comment: what a row leaves out is kept; a row
     * with only a target is a target set ahead of its period).
     * The rows must name each indicator and period at most once (a statement cannot update a row twice).
     */
    async upsertValueBatch(
      organisationId: string,
      rows: readonly {
        indicatorId: string;
        periodId: string;
        actual: Scaled | undefined;
        target: Scaled | null | undefined;
        targetHigh: Scaled | null | undefined;
        comment: string | undefined;
      }[],
    ): Promise<void> {
      const groups = new Map<string, (typeof rows)[number][]>();
      for (const v of rows) {
        const key = `${v.target !== undefined}:${v.comment !== undefined}:${v.actual !== undefined}`;
        const group = groups.get(key);
        if (group) group.push(v);
        else groups.set(key, [v]);
      }
      for (const [key, group] of groups) {
        const [withTarget, withComment, withActual] = key.split(':').map((x) => x === 'true');
        // The rows as seven arrays unnested by the database, not a VALUES list of 7,000 parameters:
        // the statement's text is the same for every batch (prepared once on PGlite), and there is
        // far less to bind, parse and plan (bench/README.md, "An import's values as arrays").
        const sets = [
          ...(withActual ? [sql`actual = excluded.actual`] : []),
          ...(withTarget ? [sql`target = excluded.target`, sql`target_high = excluded.target_high`] : []),
          ...(withComment ? [sql`comment = excluded.comment`] : []),
          sql`version = indicator_value.version + 1`,
          sql`updated_at = ${new Date()}`,
        ];
        await sql`insert into indicator_value (organisation_id, indicator_id, period_id, actual, target, target_high, comment)
          select ${organisationId}::uuid, u.indicator_id, u.period_id, u.actual, u.target, u.target_high, u.comment
          from unnest(${group.map((v) => v.indicatorId)}::uuid[], ${group.map((v) => v.periodId)}::uuid[],
            ${group.map((v) => v.actual ?? null)}::bigint[], ${group.map((v) => v.target ?? null)}::bigint[],
            ${group.map((v) => v.targetHigh ?? null)}::bigint[], ${group.map((v) => v.comment ?? '')}::text[])
            as u(indicator_id, period_id, actual, target, target_high, comment)
          on conflict (indicator_id, period_id) do update set ${sql.join(sets)}`.execute(db);
      }
    },
    /** Sets or clears the override if the value is still at `version`; false when it changed since. */
    async setOverride(valueId: string, o: ValueOverride | null, version: number): Promise<boolean> {
      const r = await db
        .updateTable('indicator_value')
        .set((eb) => ({
          override_status_key: o?.statusKey ?? null,
          override_reason: o?.reason ?? '',
          override_computed_key: o?.computedKey ?? null,
          override_explanation: o?.explanation ?? '',
          version: eb('version', '+', 1),
          updated_at: new Date(),
        }))
        .where('id', '=', valueId)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /**
     * Sets many values' overrides (an import's statuses), each only if the value is still at the
     * version given, `WRITE_BATCH` to a statement. Returns the ids of those that were not: the
     * caller decides whether the rest may stand.
     */
    async setOverrides(
      organisationId: string,
      rows: readonly { valueId: string; version: number; override: ValueOverride }[],
    ): Promise<string[]> {
      if (rows.length === 0) return [];
      await planForValues();
      const set = new Set<string>();
      const now = new Date();
      for (let i = 0; i < rows.length; i += WRITE_BATCH) {
        const batch = rows.slice(i, i + WRITE_BATCH);
        const { rows: done } = await sql<{ id: string }>`
          update indicator_value as v
          set override_status_key = u.status_key, override_reason = u.reason,
            override_computed_key = u.computed_key, override_explanation = u.explanation,
            version = v.version + 1, updated_at = ${now}
          from unnest(${batch.map((r) => r.valueId)}::uuid[], ${batch.map((r) => r.version)}::int[],
            ${batch.map((r) => r.override.statusKey)}::text[], ${batch.map((r) => r.override.reason)}::text[],
            ${batch.map((r) => r.override.computedKey)}::text[], ${batch.map((r) => r.override.explanation)}::text[])
            as u(id, version, status_key, reason, computed_key, explanation)
          where v.organisation_id = ${organisationId} and v.id = u.id and v.version = u.version
          returning v.id`.execute(db);
        for (const r of done) set.add(r.id);
      }
      return rows.filter((r) => !set.has(r.valueId)).map((r) => r.valueId);
    },

    /** The indicators a report shows as graphs, in the order chosen (one statement, and one for their links). */
    async listReportGraphs(organisationId: string, reportId: string): Promise<Indicator[]> {
      const rows = await base(organisationId)
        .innerJoin('report_graph', 'report_graph.indicator_id', 'indicator.id')
        .where('report_graph.report_id', '=', reportId)
        .orderBy('report_graph.position')
        .execute();
      if (rows.length === 0) return [];
      const l = await links(rows.map((r) => r.id));
      return rows.map((r) => toIndicator(r, l.get(r.id) ?? []));
    },
    async reportGraphIds(reportId: string): Promise<string[]> {
      return (
        await db
          .selectFrom('report_graph')
          .select('indicator_id')
          .where('report_id', '=', reportId)
          .orderBy('position')
          .execute()
      ).map((r) => r.indicator_id);
    },
    async setReportGraphs(organisationId: string, reportId: string, indicatorIds: string[]): Promise<void> {
      await db
        .deleteFrom('report_graph')
        .where('organisation_id', '=', organisationId)
        .where('report_id', '=', reportId)
        .execute();
      if (indicatorIds.length > 0) {
        await db
          .insertInto('report_graph')
          .values(
            indicatorIds.map((id, position) => ({
              organisation_id: organisationId,
              report_id: reportId,
              indicator_id: id,
              position,
            })),
          )
          .execute();
      }
    },
  };
}

export type IndicatorQueries = ReturnType<typeof indicatorQueries>;
export const createIndicatorRepository = (db: Kysely<DB>) => indicatorQueries(db);
export type IndicatorRepository = ReturnType<typeof createIndicatorRepository>;
