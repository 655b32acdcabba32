// The efficiency diagnostic's data collection (issue 5, part 1): process taxonomy versions,
// diagnostic exercises (one organisation, one financial year), their org units, posts, activity
// allocations, non-pay cost lines and process volumes. The baseline is computed from these on
// demand, never stored, so a corrected post can never leave a stale figure behind.
//
// Units: money is integer pence (bigint), FTE is ten-thousandths of an FTE (0.8 = 8000) and an
// activity share is basis points (40% = 4000) — the representations of src/domain/diagnostic.
// Org units, posts and managers refer to each other by the codes the organisation uses in its
// templates (unique within an exercise), so a whole exercise can be replaced in one transaction.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A released taxonomy version is never changed: an organisation extends it as a new version.
  // organisation_id null = shipped with Amber.
  await db.schema.createTable('diagnostic_taxonomy_version')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('based_on_id', 'uuid', (c) => c.references('diagnostic_taxonomy_version.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.createTable('diagnostic_taxonomy_function')
    .addColumn('taxonomy_version_id', 'uuid', (c) => c.notNull().references('diagnostic_taxonomy_version.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('diagnostic_taxonomy_function_pk', ['taxonomy_version_id', 'code'])
    .execute();

  await db.schema.createTable('diagnostic_taxonomy_process')
    .addColumn('taxonomy_version_id', 'uuid', (c) => c.notNull().references('diagnostic_taxonomy_version.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('function_code', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('T', 'P', 'S')`))
    .addColumn('volume_driver', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('diagnostic_taxonomy_process_pk', ['taxonomy_version_id', 'code'])
    .addForeignKeyConstraint('diagnostic_taxonomy_process_function', ['taxonomy_version_id', 'function_code'],
      'diagnostic_taxonomy_function', ['taxonomy_version_id', 'code'], (c) => c.onDelete('cascade'))
    .execute();

  await db.schema.createTable('diagnostic_exercise')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // The starting year of the UK financial year: 2009 for 2009/10.
    .addColumn('financial_year', 'integer', (c) => c.notNull().check(sql`financial_year between 1990 and 2100`))
    // Organisational running costs (pence).
    .addColumn('running_costs', 'bigint', (c) => c.notNull().check(sql`running_costs >= 0`))
    .addColumn('headcount', 'integer', (c) => c.check(sql`headcount >= 0`))
    .addColumn('taxonomy_version_id', 'uuid', (c) => c.notNull().references('diagnostic_taxonomy_version.id'))
    // The functions in scope (codes of the taxonomy version); empty = all of them.
    .addColumn('scope', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('share_with_peers', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('illustrative', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('diagnostic_exercise_organisation').on('diagnostic_exercise').columns(['organisation_id', 'financial_year']).execute();

  await db.schema.createTable('diagnostic_org_unit')
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_code', 'text')
    // The function this unit is the central home of (e.g. central Finance), if any.
    .addColumn('central_function_code', 'text')
    // Allocation drivers for non-pay costs shared "by users" or "by m²".
    .addColumn('users', 'integer', (c) => c.check(sql`users >= 0`))
    .addColumn('area_m2', 'integer', (c) => c.check(sql`area_m2 >= 0`))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('diagnostic_org_unit_pk', ['exercise_id', 'code'])
    .execute();

  await db.schema.createTable('diagnostic_post')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('unit_code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('grade', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fte', 'integer', (c) => c.notNull().check(sql`fte >= 0`))
    .addColumn('pay_cost', 'bigint', (c) => c.notNull().check(sql`pay_cost >= 0`))
    .addColumn('manager_code', 'text')
    .addColumn('vacant', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('contract_type', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('diagnostic_post_code', ['exercise_id', 'code'])
    .execute();

  await db.schema.createTable('diagnostic_allocation')
    .addColumn('post_id', 'uuid', (c) => c.notNull().references('diagnostic_post.id').onDelete('cascade'))
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('process_code', 'text', (c) => c.notNull())
    .addColumn('pct', 'integer', (c) => c.notNull().check(sql`pct between 0 and 10000`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('diagnostic_allocation_pk', ['post_id', 'process_code'])
    .execute();
  await db.schema.createIndex('diagnostic_allocation_exercise').on('diagnostic_allocation').column('exercise_id').execute();

  await db.schema.createTable('diagnostic_non_pay')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('it', 'accommodation', 'supplies', 'outsourcing', 'recruitment', 'other')`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    // Where it belongs: a process (optionally in one unit), a function, a unit, or the whole
    // organisation; shared by FTE, users or m² when not charged to one process.
    .addColumn('process_code', 'text')
    .addColumn('function_code', 'text')
    .addColumn('unit_code', 'text')
    .addColumn('basis', 'text', (c) => c.notNull().defaultTo('fte').check(sql`basis in ('fte', 'users', 'area')`))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('diagnostic_non_pay_exercise').on('diagnostic_non_pay').column('exercise_id').execute();

  await db.schema.createTable('diagnostic_volume')
    .addColumn('exercise_id', 'uuid', (c) => c.notNull().references('diagnostic_exercise.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('process_code', 'text', (c) => c.notNull())
    .addColumn('volume', 'bigint', (c) => c.notNull().check(sql`volume >= 0`))
    .addColumn('driver', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('diagnostic_volume_pk', ['exercise_id', 'process_code'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['diagnostic_volume', 'diagnostic_non_pay', 'diagnostic_allocation', 'diagnostic_post', 'diagnostic_org_unit',
    'diagnostic_exercise', 'diagnostic_taxonomy_process', 'diagnostic_taxonomy_function', 'diagnostic_taxonomy_version']) {
    await db.schema.dropTable(t).execute();
  }
}
