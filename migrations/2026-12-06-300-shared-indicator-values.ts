// Partners enter the values of shared indicators they supply (issue 11, part 3).
//
// A share at level "update" may name, among the indicators it shares, those the partner supplies
// (`supplied_indicator_ids`). While its agreement is active, the partner may record the actual of
// such an indicator for any of the owner's reporting periods that lie within a shared period (a
// quarterly indicator in a half-year report: its two quarters). The value is the owner's row: the
// database lets the partner insert or update exactly those values, and shows it those periods;
// the audit event goes in the owner's trail (the sharing migration's `shared_writes` on audit_event).
import { type Kysely, sql } from 'kysely';

const SUPPLIED = sql.raw(`indicator_id = any(amber_ids('amber.supplied_indicators'))
  and period_id = any(amber_ids('amber.supplied_periods'))
  and exists (select 1 from indicator i where i.id = indicator_id and i.organisation_id = indicator_value.organisation_id)`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('priority_share')
    .addColumn('supplied_indicator_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
  await sql`alter table priority_share add constraint priority_share_supplied check (
    supplied_indicator_ids <@ indicator_ids and (level = 'update' or cardinality(supplied_indicator_ids) = 0))`.execute(
    db,
  );

  // Worked out once when a transaction starts acting for an organisation, as the other shares are.
  await sql`
    create function amber_enter_supplied() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare
      me uuid := amber_organisation();
      indicators uuid[]; periods uuid[];
    begin
      with supplying as (
        select s.* from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = me and s.level = 'update' and cardinality(s.supplied_indicator_ids) > 0
          and s.revoked_at is null and a.revoked_at is null
          and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on)
      select (select array_agg(distinct i) from supplying s, unnest(s.supplied_indicator_ids) i),
             (select array_agg(distinct p.id) from supplying s
                join reporting_period sp on sp.id = any(s.period_ids)
                join reporting_period p on p.organisation_id = s.organisation_id
                  and p.starts_on >= sp.starts_on and p.ends_on <= sp.ends_on)
        into indicators, periods;
      perform set_config('amber.supplied_indicators', coalesce(array_to_string(indicators, ','), ''), true);
      perform set_config('amber.supplied_periods', coalesce(array_to_string(periods, ','), ''), true);
    end $$`.execute(db);
  await sql`revoke all on function amber_enter_supplied() from public`.execute(db);
  await sql`grant execute on function amber_enter_supplied() to amber_tenant`.execute(db);
  await sql`
    create or replace function amber_enter_organisation() returns void language sql volatile security definer set search_path from current as
    $$ select amber_enter_clubs(); select amber_enter_shares(); select amber_enter_joint(); select amber_enter_supplied(); $$`.execute(
    db,
  );

  // The periods a supplied value may be for (a shared period's quarters), and the values themselves.
  await sql`create policy supplied_reads on reporting_period for select to amber_tenant
    using (id = any(amber_ids('amber.supplied_periods')))`.execute(db);
  await sql`create policy supplied_inserts on indicator_value for insert to amber_tenant with check (${SUPPLIED})`.execute(
    db,
  );
  await sql`create policy supplied_updates on indicator_value for update to amber_tenant
    using (${SUPPLIED}) with check (${SUPPLIED})`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop policy if exists supplied_updates on indicator_value`.execute(db);
  await sql`drop policy if exists supplied_inserts on indicator_value`.execute(db);
  await sql`drop policy if exists supplied_reads on reporting_period`.execute(db);
  await sql`
    create or replace function amber_enter_organisation() returns void language sql volatile security definer set search_path from current as
    $$ select amber_enter_clubs(); select amber_enter_shares(); select amber_enter_joint(); $$`.execute(db);
  await sql`drop function if exists amber_enter_supplied()`.execute(db);
  await sql`alter table priority_share drop constraint if exists priority_share_supplied`.execute(db);
  await db.schema.alterTable('priority_share').dropColumn('supplied_indicator_ids').execute();
}
