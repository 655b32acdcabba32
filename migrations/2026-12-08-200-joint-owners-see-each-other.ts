// Joint owners of a priority see each other's sign-offs (issue 11).
//
// A joint owner read only its own row of joint_sign_off (`partner_id = amber_organisation()`), and
// only its own joint share, so its pages, API and PDF of a report in sign-off listed itself alone
// in the "Partnership sign-off" table while the owner's listed every joint owner. Now:
//
// - amber_enter_joint() also works out, once per transaction, the live joint shares of every
//   priority the acting organisation owns jointly (its own and its fellow joint owners'):
//   `amber.joint_peer_shares`;
// - a read policy lets it read the joint sign-offs given under those shares, for the reports shared
//   with it (`amber.shared_reports`): each other's sign-offs of the same priority's reports, never
//   those of another priority, and never anything to an organisation that only reads or updates
//   the priority (it sees the sign-offs once published, frozen in the revision like the rest);
// - amber_joint_owners(priority) names the priority's joint owners (organisation and officer) for
//   its owner and its joint owners only. It is a function rather than a policy on priority_share and
//   sharing_agreement because those rows hold what each bilateral agreement says (purpose, legal
//   basis, signatories, what else is shared): a fellow joint owner needs the names, not the terms.
import { type Kysely, sql } from 'kysely';

const LIVE = sql.raw(`s.joint and s.revoked_at is null and a.revoked_at is null
  and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function amber_enter_joint() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare mine text;
    begin
      select string_agg(s.id::text, ',') into mine from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = amber_organisation() and ${LIVE};
      perform set_config('amber.joint_shares', coalesce(mine, ''), true);
      if mine is null then
        perform set_config('amber.joint_peer_shares', '', true);
        return; -- not a joint owner of anything: nothing more to work out
      end if;
      perform set_config('amber.joint_peer_shares', coalesce((
        select string_agg(s.id::text, ',') from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where ${LIVE} and s.priority_id in (select priority_id from priority_share where id = any(string_to_array(mine, ',')::uuid[]))
      ), ''), true);
    end $$`.execute(db);

  await sql`create policy joint_owners_reads on joint_sign_off for select to amber_tenant
    using (share_id = any(amber_ids('amber.joint_peer_shares')) and report_id = any(amber_ids('amber.shared_reports')))`.execute(
    db,
  );

  // The owner's connection (migrations, the CLI at the machine) acts for nobody and reads them all,
  // as it reads every table; a transaction acting for an organisation gets them only as the
  // priority's owner or one of its live joint owners.
  await sql`
    create function amber_joint_owners(priority uuid)
    returns table (share_id uuid, owner_id uuid, partner_id uuid, partner_name text, officer text)
    language sql stable security definer set search_path from current as $$
      with live as (
        select s.id, s.organisation_id, a.partner_id, s.joint_officer
        from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where s.priority_id = priority and ${LIVE}
      )
      select l.id, l.organisation_id, l.partner_id, o.name, l.joint_officer
      from live l join organisation o on o.id = l.partner_id
      where case when amber_organisation() is null then current_setting('role') = 'none'
                 else exists (select 1 from priority p where p.id = priority and p.organisation_id = amber_organisation())
                   or exists (select 1 from live m where m.partner_id = amber_organisation()) end
      order by o.name
    $$`.execute(db);
  await sql`revoke all on function amber_joint_owners(uuid) from public`.execute(db);
  await sql`grant execute on function amber_joint_owners(uuid) to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists amber_joint_owners(uuid)`.execute(db);
  await sql`drop policy if exists joint_owners_reads on joint_sign_off`.execute(db);
  await sql`
    create or replace function amber_enter_joint() returns void
    language plpgsql volatile security definer set search_path from current as $$
    begin
      perform set_config('amber.joint_shares', coalesce((
        select string_agg(s.id::text, ',') from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = amber_organisation() and s.joint and s.revoked_at is null and a.revoked_at is null
          and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on), ''), true);
    end $$`.execute(db);
}
