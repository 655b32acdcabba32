// People and organisations (partners) get a version, like plans, priorities and reports: an API
// write must name the version it read, and a stale one is refused instead of overwriting
// someone else's change (issue 9).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('person')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('organisation')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('person').dropColumn('version').execute();
  await db.schema.alterTable('organisation').dropColumn('version').execute();
}
