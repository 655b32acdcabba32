// Milestone progress: the next period's report says whether each milestone set last time was
// met (on a date), slipped (original timescale kept, revised one added, with a reason), missed
// or suspended.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('milestone')
    .addColumn('progress', 'text', (c) => c.check(sql`progress in ('met', 'slipped', 'missed', 'suspended')`))
    .addColumn('met_on', 'date')
    .addColumn('revised_due_on', 'date')
    .addColumn('revised_precision', 'text', (c) => c.check(sql`revised_precision in ('month', 'day')`))
    .addColumn('progress_reason', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`alter table milestone add constraint milestone_progress_complete check (
    (progress is distinct from 'met' or met_on is not null)
    and (progress is distinct from 'slipped' or (revised_due_on is not null and revised_precision is not null))
  )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table milestone drop constraint milestone_progress_complete`.execute(db);
  await db.schema.alterTable('milestone')
    .dropColumn('progress').dropColumn('met_on').dropColumn('revised_due_on').dropColumn('revised_precision').dropColumn('progress_reason')
    .execute();
}
