// Entering an organisation in fewer statements (issue 14, "fast pages"). Every unit of work that
// acts for an organisation starts with `amber_enter_organisation()`, which keeps in transaction-local
// settings the ids other organisations share with it, the clubs it hosts and has joined, what it is
// a joint owner of and the indicators it supplies. Its four functions ran up to 33 statements, each
// `perform set_config(…)` one of its own: for the demo's council, which a partner shares a priority
// with, ~1.7 ms of CPU on PGlite before a page's first query (~0.35 ms for an organisation nothing
// is shared with), a quarter of a typical page's. Each function now sets all of its settings in
// one statement, and `amber_enter_organisation()` asks once whether any share with the
// organisation is live: 6 statements in all, 3 for an organisation with none.
// The settings are the same, id for id: compared with the functions before this migration for
// every organisation of the demo on both engines while it was written, and held by the row-level
// security, sharing, joint-owner, supplied-value and club tests, which test what they let through.
import { type Kysely, sql } from 'kysely';

/** A share as the functions read it: live (not revoked, its agreement not revoked, today within it, UK days). */
const LIVE = sql.raw(`s.revoked_at is null and a.revoked_at is null
  and (now() at time zone 'Europe/London')::date between a.starts_on and a.ends_on`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function amber_enter_clubs() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare me uuid := amber_organisation();
    begin
      perform set_config('amber.host_clubs', coalesce((select string_agg(id::text, ',') from benchmark_club
                where organisation_id = me), ''), true),
              set_config('amber.member_clubs', coalesce((select string_agg(club_id::text, ',') from club_member
                where organisation_id = me and left_at is null), ''), true);
    end $$`.execute(db);

  // The shares' ids: every set from one snapshot of the live shares, in one statement. A report
  // is shared when its period is one of its share's; its key actions with it; a partner may update
  // those of an update share the owner chose, or that name the partner (its record in the owner's
  // list of partners, or a person recorded as employed by it). Called only when some share is live
  // (`amber_enter_organisation()` asks); with none, every setting would be set empty.
  await sql`
    create or replace function amber_enter_shares() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare
      me uuid := amber_organisation();
      keep constant text := ',';
    begin
      perform set_config('amber.shared_owners', coalesce(array_to_string(x.owners, keep), ''), true),
              set_config('amber.update_owners', coalesce(array_to_string(x.update_owners, keep), ''), true),
              set_config('amber.shared_priorities', coalesce(array_to_string(x.priorities, keep), ''), true),
              set_config('amber.shared_periods', coalesce(array_to_string(x.periods, keep), ''), true),
              set_config('amber.shared_indicators', coalesce(array_to_string(x.indicators, keep), ''), true),
              set_config('amber.shared_themes', coalesce(array_to_string(x.themes, keep), ''), true),
              set_config('amber.shared_plans', coalesce(array_to_string(x.plans, keep), ''), true),
              set_config('amber.shared_reports', coalesce(array_to_string(x.reports, keep), ''), true),
              set_config('amber.shared_actions', coalesce(array_to_string(x.actions, keep), ''), true),
              set_config('amber.partner_actions', coalesce(array_to_string(x.partner_actions, keep), ''), true),
              set_config('amber.shared_people', coalesce(array_to_string(x.people, keep), ''), true),
              set_config('amber.shared_partner_records', coalesce(array_to_string(x.records, keep), ''), true)
      from (
        with s as materialized (select * from amber_active_shares(me)),
        heads as (
          select array_agg(distinct s.owner_id) as owners,
                 array_agg(distinct s.owner_id) filter (where s.level = 'update') as update_owners,
                 array_agg(distinct s.priority_id) as priorities
          from s),
        shared_reports as (
          select r.id, s.level, s.action_ids, s.partner_record_id
          from s join progress_report r on r.priority_id = s.priority_id and r.period_id = any(s.period_ids)),
        reports as (select array_agg(distinct id) as ids from shared_reports),
        actions as (select array_agg(distinct a.id) as ids from action a where a.report_id = any((select ids from reports)::uuid[]))
        select h.owners, h.update_owners, h.priorities,
          (select array_agg(distinct p) from s, unnest(s.period_ids) p) as periods,
          (select array_agg(distinct i) from s, unnest(s.indicator_ids) i) as indicators,
          (select array_agg(distinct pr.theme_id) from priority pr join theme t on t.id = pr.theme_id
            where pr.id = any(h.priorities)) as themes,
          (select array_agg(distinct t.plan_id) from priority pr join theme t on t.id = pr.theme_id
            where pr.id = any(h.priorities)) as plans,
          (select ids from reports) as reports,
          (select ids from actions) as actions,
          (select array_agg(distinct a.id) from shared_reports r join action a on a.report_id = r.id
            where r.level = 'update' and (a.id = any(r.action_ids) or exists (
              select 1 from action_contributor c left join person pe on pe.id = c.person_id
              where c.action_id = a.id and r.partner_record_id is not null
                and (c.partner_id = r.partner_record_id or pe.employer_id = r.partner_record_id)))) as partner_actions,
          (select array_agg(distinct n) from (
              select c.person_id as n from action_contributor c where c.action_id = any((select ids from actions)::uuid[])
              union select pr.accountable_officer_id from priority pr where pr.id = any(h.priorities)
              union select pr.accountable_director_id from priority pr where pr.id = any(h.priorities)
            ) named where n is not null) as people,
          (select array_agg(distinct c.partner_id) from action_contributor c
            where c.action_id = any((select ids from actions)::uuid[]) and c.partner_id is not null) as records
        from heads h
      ) x;
    end $$`.execute(db);

  // The live joint shares of the acting organisation, and every live joint share of the same
  // priorities (its fellow owners'); the second only when there is a first.
  await sql`
    create or replace function amber_enter_joint() returns void
    language plpgsql volatile security definer set search_path from current as $$
    begin
      perform set_config('amber.joint_shares', coalesce(j.mine, ''), true),
              set_config('amber.joint_peer_shares', coalesce(case when j.mine is not null then (
                select string_agg(s.id::text, ',') from priority_share s join sharing_agreement a on a.id = s.agreement_id
                where s.joint and ${LIVE}
                  and s.priority_id in (select priority_id from priority_share where id = any(string_to_array(j.mine, ',')::uuid[])))
              end, ''), true)
      from (
        select string_agg(s.id::text, ',') as mine from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = amber_organisation() and s.joint and ${LIVE}
      ) j;
    end $$`.execute(db);

  await sql`
    create or replace function amber_enter_supplied() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare me uuid := amber_organisation();
    begin
      perform set_config('amber.supplied_indicators', coalesce(array_to_string(x.indicators, ','), ''), true),
              set_config('amber.supplied_periods', coalesce(array_to_string(x.periods, ','), ''), true)
      from (
        with supplying as (
          select s.* from priority_share s join sharing_agreement a on a.id = s.agreement_id
          where a.partner_id = me and s.level = 'update' and cardinality(s.supplied_indicator_ids) > 0 and ${LIVE})
        select (select array_agg(distinct i) from supplying s, unnest(s.supplied_indicator_ids) i) as indicators,
               (select array_agg(distinct p.id) from supplying s
                  join reporting_period sp on sp.id = any(s.period_ids)
                  join reporting_period p on p.organisation_id = s.organisation_id
                    and p.starts_on >= sp.starts_on and p.ends_on <= sp.ends_on) as periods
      ) x;
    end $$`.execute(db);

  // The four in one statement (a SQL function ran them as four); an organisation nothing is shared
  // with (most) is a joint owner of nothing and supplies nothing either: the three are skipped, their
  // settings left empty.
  await sql`
    create or replace function amber_enter_organisation() returns void
    language plpgsql volatile security definer set search_path from current as $$
    begin
      if exists (select from amber_active_shares(amber_organisation())) then
        perform amber_enter_clubs(), amber_enter_shares(), amber_enter_joint(), amber_enter_supplied();
      else
        perform amber_enter_clubs(),
                set_config('amber.joint_shares', '', true), set_config('amber.joint_peer_shares', '', true),
                set_config('amber.supplied_indicators', '', true), set_config('amber.supplied_periods', '', true);
      end if;
    end $$`.execute(db);
}

/** The functions as migrations 2026-12-04-110, -120, 2026-12-06-300 and 2026-12-08-200 left them. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function amber_enter_clubs() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare me uuid := amber_organisation();
    begin
      perform set_config('amber.host_clubs', coalesce((select string_agg(id::text, ',') from benchmark_club where organisation_id = me), ''), true);
      perform set_config('amber.member_clubs', coalesce((select string_agg(club_id::text, ',') from club_member
        where organisation_id = me and left_at is null), ''), true);
    end $$`.execute(db);
  await sql`
    create or replace function amber_enter_shares() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare
      me uuid := amber_organisation();
      owners uuid[]; update_owners uuid[]; priorities uuid[]; periods uuid[]; indicators uuid[];
      themes uuid[]; plans uuid[]; reports uuid[]; actions uuid[]; partner_actions uuid[]; people uuid[]; records uuid[];
      keep constant text := ',';
    begin
      select array_agg(distinct s.owner_id), array_agg(distinct s.owner_id) filter (where s.level = 'update'),
             array_agg(distinct s.priority_id)
        into owners, update_owners, priorities
        from amber_active_shares(me) s;
      if owners is null then
        return;
      end if;
      select array_agg(distinct p) into periods from amber_active_shares(me) s, unnest(s.period_ids) p;
      select array_agg(distinct i) into indicators from amber_active_shares(me) s, unnest(s.indicator_ids) i;
      select array_agg(distinct pr.theme_id), array_agg(distinct t.plan_id) into themes, plans
        from priority pr join theme t on t.id = pr.theme_id where pr.id = any(priorities);
      select array_agg(distinct r.id) into reports
        from amber_active_shares(me) s join progress_report r on r.priority_id = s.priority_id and r.period_id = any(s.period_ids);
      select array_agg(distinct a.id) into actions from action a where a.report_id = any(reports);
      select array_agg(distinct a.id) into partner_actions
        from amber_active_shares(me) s
        join progress_report r on r.priority_id = s.priority_id and r.period_id = any(s.period_ids)
        join action a on a.report_id = r.id
        where s.level = 'update' and (a.id = any(s.action_ids) or exists (
          select 1 from action_contributor c left join person pe on pe.id = c.person_id
          where c.action_id = a.id and s.partner_record_id is not null
            and (c.partner_id = s.partner_record_id or pe.employer_id = s.partner_record_id)));
      select array_agg(distinct x) into people from (
          select c.person_id as x from action_contributor c where c.action_id = any(actions)
          union select pr.accountable_officer_id from priority pr where pr.id = any(priorities)
          union select pr.accountable_director_id from priority pr where pr.id = any(priorities)
        ) named where x is not null;
      select array_agg(distinct c.partner_id) into records
        from action_contributor c where c.action_id = any(actions) and c.partner_id is not null;
      perform set_config('amber.shared_owners', coalesce(array_to_string(owners, keep), ''), true);
      perform set_config('amber.update_owners', coalesce(array_to_string(update_owners, keep), ''), true);
      perform set_config('amber.shared_priorities', coalesce(array_to_string(priorities, keep), ''), true);
      perform set_config('amber.shared_periods', coalesce(array_to_string(periods, keep), ''), true);
      perform set_config('amber.shared_indicators', coalesce(array_to_string(indicators, keep), ''), true);
      perform set_config('amber.shared_themes', coalesce(array_to_string(themes, keep), ''), true);
      perform set_config('amber.shared_plans', coalesce(array_to_string(plans, keep), ''), true);
      perform set_config('amber.shared_reports', coalesce(array_to_string(reports, keep), ''), true);
      perform set_config('amber.shared_actions', coalesce(array_to_string(actions, keep), ''), true);
      perform set_config('amber.partner_actions', coalesce(array_to_string(partner_actions, keep), ''), true);
      perform set_config('amber.shared_people', coalesce(array_to_string(people, keep), ''), true);
      perform set_config('amber.shared_partner_records', coalesce(array_to_string(records, keep), ''), true);
    end $$`.execute(db);
  await sql`
    create or replace function amber_enter_joint() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare mine text;
    begin
      select string_agg(s.id::text, ',') into mine from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = amber_organisation() and s.joint and ${LIVE};
      perform set_config('amber.joint_shares', coalesce(mine, ''), true);
      if mine is null then
        perform set_config('amber.joint_peer_shares', '', true);
        return;
      end if;
      perform set_config('amber.joint_peer_shares', coalesce((
        select string_agg(s.id::text, ',') from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where s.joint and ${LIVE} and s.priority_id in (select priority_id from priority_share where id = any(string_to_array(mine, ',')::uuid[]))
      ), ''), true);
    end $$`.execute(db);
  await sql`
    create or replace function amber_enter_supplied() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare
      me uuid := amber_organisation();
      indicators uuid[]; periods uuid[];
    begin
      with supplying as (
        select s.* from priority_share s join sharing_agreement a on a.id = s.agreement_id
        where a.partner_id = me and s.level = 'update' and cardinality(s.supplied_indicator_ids) > 0 and ${LIVE})
      select (select array_agg(distinct i) from supplying s, unnest(s.supplied_indicator_ids) i),
             (select array_agg(distinct p.id) from supplying s
                join reporting_period sp on sp.id = any(s.period_ids)
                join reporting_period p on p.organisation_id = s.organisation_id
                  and p.starts_on >= sp.starts_on and p.ends_on <= sp.ends_on)
        into indicators, periods;
      perform set_config('amber.supplied_indicators', coalesce(array_to_string(indicators, ','), ''), true);
      perform set_config('amber.supplied_periods', coalesce(array_to_string(periods, ','), ''), true);
    end $$`.execute(db);
  await sql`
    create or replace function amber_enter_organisation() returns void language sql volatile security definer set search_path from current as
    $$ select amber_enter_clubs(); select amber_enter_shares(); select amber_enter_joint(); select amber_enter_supplied(); $$`.execute(
    db,
  );
}
