// Joint priorities (issue 11): a priority its owner shares with partners as joint owners, each
// naming its accountable officer; a report is published only once every joint owner has signed
// off the revision the owner's director approves. A joint share is an update share (under an
// active agreement) with `joint`; a joint owner's sign-off is the owner's row (it belongs in the
// owner's report trail), written by the partner.
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('priority_share')
    .addColumn('joint', 'boolean', (c) => c.notNull().defaultTo(false))
    // The partner's accountable officer for the priority, as the agreement names them.
    .addColumn('joint_officer', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await sql`alter table priority_share add constraint priority_share_joint_updates check (not joint or level = 'update')`.execute(
    db,
  );

  await db.schema
    .createTable('joint_sign_off')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('share_id', 'uuid', (c) => c.notNull().references('priority_share.id').onDelete('cascade'))
    .addColumn('report_id', 'uuid', (c) => c.notNull().references('progress_report.id').onDelete('cascade'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('partner_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('approved', 'returned')`))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('signed_by', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index joint_sign_off_once on joint_sign_off (report_id, revision, partner_id)`.execute(db);
  await sql`grant select, insert on joint_sign_off to amber_tenant`.execute(db);
  await sql`alter table joint_sign_off enable row level security`.execute(db);
  await sql`create policy organisation_reads on joint_sign_off for select to amber_tenant
    using (organisation_id = ${CURRENT} or partner_id = ${CURRENT})`.execute(db);
  // Only the partner signs, for itself, on a joint share it has now.
  await sql`create policy shared_writes on joint_sign_off for insert to amber_tenant
    with check (partner_id = ${CURRENT} and share_id = any(amber_ids('amber.joint_shares')))`.execute(db);

  await sql`
    create function amber_enter_joint() returns void
    language plpgsql volatile security definer set search_path from current as $$
    begin
      perform set_config('amber.joint_shares', coalesce((
        select string_agg(s.id::text, ',') from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = amber_organisation() and s.joint and s.revoked_at is null and a.revoked_at is null
          and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on), ''), true);
    end $$`.execute(db);
  await sql`revoke all on function amber_enter_joint() from public`.execute(db);
  await sql`grant execute on function amber_enter_joint() to amber_tenant`.execute(db);
  await sql`
    create or replace function amber_enter_organisation() returns void language sql volatile security definer set search_path from current as
    $$ select amber_enter_clubs(); select amber_enter_shares(); select amber_enter_joint(); $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function amber_enter_organisation() returns void language sql volatile security definer set search_path from current as
    $$ select amber_enter_clubs(); select amber_enter_shares(); $$`.execute(db);
  await sql`drop function if exists amber_enter_joint()`.execute(db);
  await db.schema.dropTable('joint_sign_off').execute();
  await sql`alter table priority_share drop constraint if exists priority_share_joint_updates`.execute(db);
  await db.schema.alterTable('priority_share').dropColumn('joint_officer').dropColumn('joint').execute();
}
