// Comments on shared reports (issue 11, part 3): the owner's people and the partner's comment on a
// report shared under an active agreement (or on one of its shared key actions), each comment
// naming the person and their organisation. A comment is the owner's row (it belongs with the
// owner's report) that either organisation may write; it is never changed or deleted, and its
// audit event goes in the owner's trail.
//
// The database enforces who sees and writes them: the owner sees every comment on its shares; the
// partner sees and writes only on shares it has now (`amber_shared_with_me()`: an ended or revoked
// agreement shares nothing, its comments included), always as itself.
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');
const SHARED_WITH_ME = sql.raw('(select s.share_id from amber_shared_with_me() s)');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shared_comment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The organisation that shares the priority (the report's owner).
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('share_id', 'uuid', (c) => c.notNull().references('priority_share.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    // A comment on one shared key action of the report; null for the report as a whole.
    .addColumn('action_id', 'uuid', (c) => c.references('action.id').onDelete('cascade'))
    // Who wrote it: their organisation (the owner or the partner), and their name as it was then.
    .addColumn('author_organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('author_organisation_name', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('shared_comment_body', sql`length(body) between 1 and 10000`)
    .execute();
  await db.schema.createIndex('shared_comment_share').on('shared_comment').columns(['share_id', 'report_id']).execute();
  await db.schema.createIndex('shared_comment_organisation').on('shared_comment').column('organisation_id').execute();

  await sql`alter table shared_comment enable row level security`.execute(db);
  await sql`grant select, insert on shared_comment to amber_tenant`.execute(db);
  await sql`create policy organisation_reads on shared_comment for select to amber_tenant
    using (organisation_id = ${CURRENT} or share_id in ${SHARED_WITH_ME})`.execute(db);
  // The owner writes as itself on its own shares; the partner as itself on a share it has now.
  await sql`create policy organisation_writes on shared_comment for insert to amber_tenant
    with check (author_organisation_id = ${CURRENT} and (
      (organisation_id = ${CURRENT} and exists (select 1 from priority_share s where s.id = share_id and s.organisation_id = ${CURRENT}))
      or (share_id in ${SHARED_WITH_ME}
          and exists (select 1 from priority_share s where s.id = share_id and s.organisation_id = shared_comment.organisation_id))))`.execute(
    db,
  );
  // The partner's comment is audited in the owner's trail, under a read share as under an update one.
  await sql`create policy shared_comment_audit on audit_event for insert to amber_tenant
    with check (entity = 'shared_comment' and organisation_id in (select s.owner_id from amber_shared_with_me() s))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop policy if exists shared_comment_audit on audit_event`.execute(db);
  await db.schema.dropTable('shared_comment').execute();
}
