// Foundation: organisations, people, status scales, plans, themes, priorities, reporting
// periods, progress reports with their actions, milestones and sign-offs, and the audit trail.
// Frozen: never edit a migration that has shipped; add a new one.
import { type Kysely, sql } from 'kysely';

const id = (col: any) => col.primaryKey().defaultTo(sql`gen_random_uuid()`);
const now = (col: any) => col.notNull().defaultTo(sql`now()`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('organisation')
    .addColumn('id', 'uuid', id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('short_name', 'text')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('council', 'public_body', 'private', 'voluntary', 'other')`))
    // A partner recorded by a council belongs to that council until it runs Amber itself.
    .addColumn('managed_by_id', 'uuid', (c) => c.references('organisation.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', now)
    .execute();
  await db.schema.createIndex('organisation_managed_name').on('organisation')
    .columns(['managed_by_id', 'name']).execute();

  await db.schema.createTable('status')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('colour', 'text', (c) => c.notNull())
    .addColumn('shape', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('comment_required', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addUniqueConstraint('status_org_key', ['organisation_id', 'key'])
    .execute();

  await db.schema.createTable('person')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('job_title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('employer_id', 'uuid', (c) => c.notNull().references('organisation.id'))
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', now)
    .execute();
  await db.schema.createIndex('person_org').on('person').columns(['organisation_id', 'name']).execute();

  await db.schema.createTable('plan')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('first_year', 'integer', (c) => c.notNull())
    .addColumn('last_year', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addCheckConstraint('plan_years', sql`last_year >= first_year`)
    .execute();

  await db.schema.createTable('theme')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('plan_id', 'uuid', (c) => c.notNull().references('plan.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema.createTable('priority')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('theme_id', 'uuid', (c) => c.notNull().references('theme.id').onDelete('restrict'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('rationale', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('accountable_officer_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    .addColumn('accountable_director_id', 'uuid', (c) => c.references('person.id').onDelete('set null'))
    .addColumn('groups_internal', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('groups_external', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .execute();
  await sql`create unique index priority_org_code on priority (organisation_id, lower(code))`.execute(db);

  await db.schema.createTable('reporting_period')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('due_on', 'date')
    .addUniqueConstraint('reporting_period_org_key', ['organisation_id', 'key'])
    .execute();

  await db.schema.createTable('progress_report')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('priority_id', 'uuid', (c) => c.notNull().references('priority.id').onDelete('cascade'))
    .addColumn('period_id', 'uuid', (c) => c.notNull().references('reporting_period.id').onDelete('restrict'))
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status_id', 'uuid', (c) => c.references('status.id').onDelete('restrict'))
    .addColumn('status_reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('achievements', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('challenges', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', now)
    .addColumn('updated_at', 'timestamptz', now)
    .addUniqueConstraint('progress_report_priority_period', ['priority_id', 'period_id'])
    .execute();

  await db.schema.createTable('action')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('action_report').on('action').columns(['report_id', 'position']).execute();

  await db.schema.createTable('action_contributor')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('action_id', 'uuid', (c) => c.notNull().references('action.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('person_id', 'uuid', (c) => c.references('person.id').onDelete('cascade'))
    .addColumn('partner_id', 'uuid', (c) => c.references('organisation.id').onDelete('cascade'))
    .addCheckConstraint('action_contributor_one', sql`(person_id is null) <> (partner_id is null)`)
    .execute();
  await db.schema.createIndex('action_contributor_action').on('action_contributor').columns(['action_id', 'position']).execute();

  await db.schema.createTable('milestone')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('action_id', 'uuid', (c) => c.notNull().references('action.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('due_precision', 'text', (c) => c.notNull().check(sql`due_precision in ('month', 'day')`))
    .execute();
  await db.schema.createIndex('milestone_action').on('milestone').columns(['action_id', 'position']).execute();

  await db.schema.createTable('sign_off')
    .addColumn('id', 'uuid', id)
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('accountable_officer', 'accountable_director')`))
    .addColumn('person_id', 'uuid', (c) => c.notNull().references('person.id').onDelete('restrict'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('approved', 'returned')`))
    .addColumn('signed_on', 'date', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    // Typed in from a paper record (e.g. the 2009 sign-offs) rather than made in Amber by the signer.
    .addColumn('historical', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('recorded_at', 'timestamptz', now)
    .execute();
  await db.schema.createIndex('sign_off_report').on('sign_off').columns(['report_id', 'role', 'recorded_at']).execute();

  await db.schema.createTable('audit_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', now)
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'uuid', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .execute();
  await db.schema.createIndex('audit_event_entity').on('audit_event').columns(['entity_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit_event', 'sign_off', 'milestone', 'action_contributor', 'action', 'progress_report', 'reporting_period', 'priority', 'theme', 'plan', 'person', 'status', 'organisation']) {
    await db.schema.dropTable(table).execute();
  }
}
