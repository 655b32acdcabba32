// A status scale any council can use (issue 13): a status is in the rating order or outside it
// (`rated`: not started, suspended, completed are neither better nor worse), may be drawn with a
// pattern over its colour (`pattern`: hatching tells statuses apart in black and white), and may
// need approval by a named role (`approval_role`: a report with it is published only by a sign-off
// from someone holding that role). Existing statuses keep their meaning: rated, plain, no approval.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('status')
    .addColumn('rated', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('pattern', 'text', (c) => c.notNull().defaultTo('none'))
    .addColumn('approval_role', 'text')
    .execute();
  await sql`alter table status add constraint status_pattern_known check (pattern in ('none', 'hatched', 'dotted'))`.execute(
    db,
  );
  await sql`alter table status add constraint status_approval_role_known check (approval_role is null or approval_role in
    ('accountable_director', 'accountable_officer', 'performance_officer', 'administrator'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table status drop constraint status_approval_role_known`.execute(db);
  await sql`alter table status drop constraint status_pattern_known`.execute(db);
  for (const c of ['rated', 'pattern', 'approval_role']) await db.schema.alterTable('status').dropColumn(c).execute();
}
