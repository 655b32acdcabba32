// The risk register (issue 4): risks to an improvement priority, each assessed as likelihood ×
// impact on the organisation's matrix (up to 10 × 10), with a target assessment, an owner, the
// controls in place and a date for the next review. Scores and ratings are computed, never stored:
// a changed matrix or band must not leave stale ratings behind.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('risk')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('priority_id', 'uuid', (c) => c.notNull().references('priority.id').onDelete('cascade'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('effect', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('likelihood', 'integer', (c) => c.notNull().check(sql`likelihood between 1 and 10`))
    .addColumn('impact', 'integer', (c) => c.notNull().check(sql`impact between 1 and 10`))
    .addColumn('target_likelihood', 'integer', (c) => c.check(sql`target_likelihood between 1 and 10`))
    .addColumn('target_impact', 'integer', (c) => c.check(sql`target_impact between 1 and 10`))
    .addColumn('owner_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    .addColumn('controls', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('review_on', 'date')
    .addColumn('closed', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A target is a whole assessment or none: half of one has no score.
    .addCheckConstraint('risk_target_whole', sql`(target_likelihood is null) = (target_impact is null)`)
    .execute();
  await db.schema.createIndex('risk_organisation_priority').on('risk').columns(['organisation_id', 'priority_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('risk').execute();
}
