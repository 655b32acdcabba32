// A published revision rendered once (issue 14, "published revisions rendered once and served from
// their stored form"): the report body of a revision, as the report page prints it, stored beside
// the revision at publication (and, for revisions published before this table, the first time the
// page is read). A revision never changes, so neither does its body, but the code that renders it
// does: `renderer` is a digest of that code and its templates, and a row made by another renderer
// is rendered again and replaced, never served. One row per revision.
//
// `body` holds the body for a reader and for someone who may change the report, each a list of
// HTML pieces and named slots (the sign-off workflow panel, the CSRF field, the report's version)
// that the page fills in on every request: what depends on who is reading stays live.
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_rendering')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('revision_id', 'uuid', (c) => c.notNull().unique().references('report_revision.id').onDelete('cascade'))
    .addColumn('renderer', 'text', (c) => c.notNull().check(sql`renderer <> ''`))
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('rendered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('report_rendering_organisation')
    .on('report_rendering')
    .column('organisation_id')
    .execute();

  await sql`grant select, insert, update, delete on report_rendering to amber_tenant`.execute(db);
  await sql`alter table report_rendering enable row level security`.execute(db);
  await sql`create policy organisation_reads on report_rendering for select to amber_tenant
    using (organisation_id = ${CURRENT})`.execute(db);
  await sql`create policy organisation_writes on report_rendering for all to amber_tenant
    using (organisation_id = ${CURRENT}) with check (organisation_id = ${CURRENT})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_rendering').execute();
}
