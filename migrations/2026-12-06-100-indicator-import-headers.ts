// A council's own names for the columns of its indicator spreadsheets (issue 13): an officer
// maps a header Amber does not recognise once, and every later import of the organisation reads
// it so, until someone changes or forgets the mapping. `header` is the header as Amber compares
// it (lower case, no spaces); `shown` is how the file wrote it; `column_key` is Amber's column
// (`code`, `period:quarter:1`, `target:quarter:1`, `status:quarter:1`…) or `ignore`.
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('indicator_import_header')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('header', 'text', (c) => c.notNull().check(sql`header <> '' and length(header) <= 200`))
    .addColumn('shown', 'text', (c) => c.notNull())
    .addColumn('column_key', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('indicator_import_header_once', ['organisation_id', 'header'])
    .execute();

  await sql`grant select, insert, update, delete on indicator_import_header to amber_tenant`.execute(db);
  await sql`alter table indicator_import_header enable row level security`.execute(db);
  await sql`create policy organisation_reads on indicator_import_header for select to amber_tenant
    using (organisation_id = ${CURRENT})`.execute(db);
  await sql`create policy organisation_writes on indicator_import_header for all to amber_tenant
    using (organisation_id = ${CURRENT}) with check (organisation_id = ${CURRENT})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('indicator_import_header').execute();
}
