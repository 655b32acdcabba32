// A published revision is stored as a versioned snapshot of the report's content (issue 9), not as
// the page's view model: `content` holds it and `format` says which shape it has (1: the view
// model of revisions published before; 2: the snapshot of domain/report-snapshot.ts). Amber reads
// both and renders them through one presenter. `status` keeps the status the revision was
// published with, so lists and dashboards show what was published without opening the snapshot.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('report_revision').renameColumn('view', 'content').execute();
  await db.schema
    .alterTable('report_revision')
    .addColumn('format', 'smallint', (c) =>
      c
        .notNull()
        .defaultTo(1)
        .check(sql`format in (1, 2)`),
    )
    .addColumn('status', 'jsonb')
    .execute();
  // Format 1 holds the status as the view model showed it: key, label, colour, shape, description.
  await sql`
    update report_revision set status = jsonb_build_object(
      'key', content->'status'->>'key', 'label', content->'status'->>'label',
      'colour', content->'status'->>'colour', 'shape', content->'status'->>'shape',
      'description', coalesce(content->'status'->>'description', ''))
    where jsonb_typeof(content->'status') = 'object'`.execute(db);
  await db.schema
    .alterTable('report_revision')
    .alterColumn('format', (c) => c.setDefault(2))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('report_revision').dropColumn('status').dropColumn('format').execute();
  await db.schema.alterTable('report_revision').renameColumn('content', 'view').execute();
}
