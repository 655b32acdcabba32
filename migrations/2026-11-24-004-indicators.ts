// Performance indicators: definitions, their links to priorities, values per reporting period
// (with an officer's status override kept beside the computed status), and the indicators a
// report shows as graphs. Values are whole numbers scaled by 10^decimal_places (pence for money).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('indicator')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unit_kind', 'text', (c) => c.notNull())
    .addColumn('decimal_places', 'integer', (c) => c.notNull().check(sql`decimal_places between 0 and 6`))
    .addColumn('polarity', 'text', (c) => c.notNull().check(sql`polarity in ('higher', 'lower', 'band', 'none')`))
    .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency in ('monthly', 'quarterly', 'half-yearly', 'annual')`))
    .addColumn('ytd_method', 'text', (c) => c.notNull().check(sql`ytd_method in ('sum', 'average', 'latest', 'none')`))
    .addColumn('rule_kind', 'text', (c) => c.notNull().check(sql`rule_kind in ('percent', 'absolute')`))
    // Basis points for a percentage tolerance; scaled units for an absolute one.
    .addColumn('rule_value', 'bigint', (c) => c.notNull())
    .addColumn('chart_kind', 'text', (c) => c.notNull().defaultTo('line').check(sql`chart_kind in ('line', 'bar')`))
    .addColumn('owner_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    .addColumn('data_source', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index indicator_org_code on indicator (organisation_id, lower(code))`.execute(db);

  await db.schema.createTable('indicator_priority')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('indicator_id', 'uuid', (c) => c.notNull().references('indicator.id').onDelete('cascade'))
    .addColumn('priority_id', 'uuid', (c) => c.notNull().references('priority.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('indicator_priority_pk', ['indicator_id', 'priority_id'])
    .execute();

  await db.schema.createTable('indicator_value')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('indicator_id', 'uuid', (c) => c.notNull().references('indicator.id').onDelete('cascade'))
    .addColumn('period_id', 'uuid', (c) => c.notNull().references('reporting_period.id').onDelete('restrict'))
    .addColumn('actual', 'bigint')
    .addColumn('target', 'bigint')
    // The upper end of a band target; null otherwise.
    .addColumn('target_high', 'bigint')
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('override_status_key', 'text')
    .addColumn('override_reason', 'text', (c) => c.notNull().defaultTo(''))
    // What the rules said when the officer overrode it, and why: kept, never recomputed.
    .addColumn('override_computed_key', 'text')
    .addColumn('override_explanation', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('indicator_value_period', ['indicator_id', 'period_id'])
    .addCheckConstraint('indicator_value_override_reason', sql`override_status_key is null or override_reason <> ''`)
    .execute();

  await db.schema.createTable('report_graph')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    .addColumn('indicator_id', 'uuid', (c) => c.notNull().references('indicator.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_graph_pk', ['report_id', 'indicator_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['report_graph', 'indicator_value', 'indicator_priority', 'indicator']) await db.schema.dropTable(table).execute();
}
