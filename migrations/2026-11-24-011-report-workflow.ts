// The report workflow (issue 3): a report's state (draft → submitted → officer-approved →
// published), its revisions (a published revision is an immutable snapshot of what readers saw),
// sign-offs made by the signed-in person, and an audit trail nobody can change.
//
// audit_event is append-only at the database level: a trigger refuses UPDATE, DELETE and
// TRUNCATE from any client, Amber included. Deleting an organisation (transfer import --replace)
// keeps its audit trail, as it always has, so it needs no exception. Dropping the table (the
// foundation migration's down) is not a row change and still works.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('progress_report')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft').check(sql`state in ('draft', 'submitted', 'officer_approved', 'published')`))
    // The revision being written or signed off now; the published one is `published_revision`.
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('published_revision', 'integer')
    .execute();

  // Who really signed (the signed-in user and their person), to which revision, when exactly.
  await db.schema.alterTable('sign_off')
    .addColumn('user_id', 'uuid')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('signed_at', 'timestamptz')
    .execute();

  await db.schema.createTable('report_revision')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number >= 1`))
    // The report as every output renders it (the ReportView), frozen when it was published.
    .addColumn('view', 'jsonb', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_by_user_id', 'uuid')
    .addColumn('published_by_person_id', 'uuid')
    .addColumn('historical', 'boolean', (c) => c.notNull().defaultTo(false))
    .addUniqueConstraint('report_revision_number', ['report_id', 'number'])
    .execute();

  await sql`
    create function amber_audit_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_event is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db);
  await sql`create trigger audit_event_no_change before update or delete on audit_event for each row execute function amber_audit_event_append_only()`.execute(db);
  await sql`create trigger audit_event_no_truncate before truncate on audit_event for each statement execute function amber_audit_event_append_only()`.execute(db);
  // The history pages read a priority's or a report's events by entity id, newest first, and the
  // export reads an organisation's by time.
  await db.schema.createIndex('audit_event_organisation').on('audit_event').columns(['organisation_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('audit_event_organisation').execute();
  await sql`drop trigger audit_event_no_truncate on audit_event`.execute(db);
  await sql`drop trigger audit_event_no_change on audit_event`.execute(db);
  await sql`drop function amber_audit_event_append_only()`.execute(db);
  await db.schema.dropTable('report_revision').execute();
  await db.schema.alterTable('sign_off').dropColumn('user_id').dropColumn('revision').dropColumn('signed_at').execute();
  await db.schema.alterTable('progress_report').dropColumn('state').dropColumn('revision').dropColumn('published_revision').execute();
}
