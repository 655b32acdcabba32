// Reminders (issue 3): which reminder e-mails have been queued, so each is sent once however many
// app instances run the reminder schedule. A tick inserts the row and queues the e-mail job in
// one transaction; the unique key makes a second instance's insert do nothing (on conflict do
// nothing), so it queues nothing.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('reminder_sent')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    // A reminder is about a priority's report for a period, whether or not the report exists yet.
    .addColumn('priority_id', 'uuid', (c) => c.notNull().references('priority.id').onDelete('cascade'))
    .addColumn('period_id', 'uuid', (c) => c.notNull().references('reporting_period.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('due_soon', 'due_today', 'overdue')`))
    // The due date the reminder was about: moving the due date allows the reminders again.
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('job_id', 'uuid', (c) => c.references('job.id').onDelete('set null'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('reminder_sent_once', ['organisation_id', 'priority_id', 'period_id', 'kind', 'due_on'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('reminder_sent').execute();
}
