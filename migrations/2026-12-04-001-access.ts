// The access layer (issue 9).
// - `deployment`: which organisation is this deployment's home (whose public pages, sign-in page
//   and CLI commands act for it). It used to be "the oldest organisation", so importing a file
//   with an older `createdAt` silently made the imported organisation the home. Now it is set
//   once, when the first organisation is created, and only an operator changes it.
// - `job.permission`: the permission a job (and the files it stores) needs to be seen: what made
//   it. A viewer with the link to a board pack job no longer downloads what /board-pack refuses.
// - `milestone.progress_version`: what became of a milestone is versioned like everything else,
//   so two people recording it at once cannot silently overwrite each other.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deployment')
    .addColumn('id', 'boolean', (c) =>
      c
        .primaryKey()
        .defaultTo(true)
        .check(sql`id`),
    )
    .addColumn('home_organisation_id', 'uuid', (c) => c.references('organisation.id').onDelete('set null'))
    .execute();
  // An existing deployment keeps the home it had: the oldest organisation that is not a partner.
  await sql`
    insert into deployment (id, home_organisation_id)
    select true, (select id from organisation where managed_by_id is null order by created_at, id limit 1)`.execute(db);

  await db.schema.alterTable('job').addColumn('permission', 'text').execute();
  // Jobs queued before: board packs need the board pack permission, imports the indicators one.
  await sql`update job set permission = case kind when 'board-pack' then 'boardpack.compile'
    when 'indicator-import' then 'indicator.edit' else null end`.execute(db);

  await db.schema
    .alterTable('milestone')
    .addColumn('progress_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('milestone').dropColumn('progress_version').execute();
  await db.schema.alterTable('job').dropColumn('permission').execute();
  await db.schema.dropTable('deployment').execute();
}
