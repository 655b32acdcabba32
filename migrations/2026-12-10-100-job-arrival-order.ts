// Jobs in the order they were queued, exactly (issue 4's queue, found in issue 14's suite). The
// queue took the oldest job by `created_at, id`; PGlite's clock counts in milliseconds, so two jobs
// queued in the same millisecond tied and the random id chose between them. `seq` numbers jobs as
// they are inserted and breaks that tie. Existing jobs get numbers in no particular order; they
// keep their times, which come first.
import { type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('job')
    .addColumn('seq', 'bigserial', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('job').dropColumn('seq').execute();
}
