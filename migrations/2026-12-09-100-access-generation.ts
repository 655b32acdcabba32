// The access generation (issue 14, "Fast pages"; ADR 0017): a counter per organisation that every
// write which can change who may read what, or what a signed-in page's header says of the person,
// moves on, in the same transaction. An instance that keeps a published report page in memory
// for a session remembers the generation it decided under and, on a later read, checks it with one
// cheap statement (`amber_access_generation`): any such write committed since shows as a different
// number, and the page is decided again by the normal path. Because the counter is a row updated
// by the writing transaction, the new number becomes visible exactly when the change does.
//
// What moves it (the triggers below; test/published-page-cache.test.ts holds every table of the
// schema to this list or to its list of tables that decide nothing about reading report pages):
//   user_session        signed out, ended, or moved (not created; not `last_seen_at`)
//   user_account        disabled, password, operator, name or e-mail changed; deleted
//   membership          added, roles or person changed, removed (in every organisation of the person:
//                       the header says whether they belong to more than one)
//   organisation        any change (its name and address are in every page's header)
//   deployment          any change (every organisation's)
//   priority            code, organisation, accountable people changed; deleted
//   reporting_period    key or organisation changed; deleted
//   progress_report     state, revision, published revision, priority or period changed; deleted
//   report_revision     changed or deleted
//   report_rendering    replaced or deleted
//   sharing_agreement   made, changed (dates, revoked), deleted: the owner's and the partner's
//   priority_share      made, changed (revoked, periods), deleted: the owner's and the partner's
// What moves with time instead (an agreement's start or end date passing) is given by
// `amber_access_changes_at(organisation)`: the next moment an agreement involving it starts or ends.
//
// The number is a bigint that only grows and never repeats, even after a restore of an older
// backup: a bump takes the larger of the next number and the clock in microseconds.
import { type Kysely, sql } from 'kysely';

/** Each table, the trigger's events (`update of` names the columns that matter). */
const TRIGGERS: readonly { table: string; events: string }[] = [
  { table: 'user_session', events: 'update of user_id, organisation_id, csrf_token, expires_at or delete' },
  { table: 'user_account', events: 'update of state, password_hash, operator, name, email or delete' },
  { table: 'membership', events: 'insert or update or delete' },
  { table: 'organisation', events: 'update or delete' },
  { table: 'deployment', events: 'insert or update or delete' },
  {
    table: 'priority',
    events: 'update of code, organisation_id, accountable_officer_id, accountable_director_id or delete',
  },
  { table: 'reporting_period', events: 'update of key, organisation_id or delete' },
  {
    table: 'progress_report',
    events: 'update of state, revision, published_revision, priority_id, period_id, organisation_id or delete',
  },
  { table: 'report_revision', events: 'update or delete' },
  { table: 'report_rendering', events: 'update or delete' },
  { table: 'sharing_agreement', events: 'insert or update or delete' },
  { table: 'priority_share', events: 'insert or update or delete' },
];

/** Outside a unit acting for an organisation (resolving a session, the kept page's check), or for that one. */
const ONLY_ITS_OWN = sql.raw(`(nullif(current_setting('amber.organisation_id', true), '') is null
        or organisation = nullif(current_setting('amber.organisation_id', true), '')::uuid)`);

export async function up(db: Kysely<any>): Promise<void> {
  // No foreign key: an organisation deleted with its rows bumps itself on the way out.
  await db.schema
    .createTable('access_generation')
    .addColumn('organisation_id', 'uuid', (c) => c.primaryKey())
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .execute();
  // Only the owner reads or writes it (the triggers' functions run as the owner): a tenant sees nothing.
  await sql`revoke all on access_generation from amber_tenant`.execute(db);
  await sql`alter table access_generation enable row level security`.execute(db);

  await sql`
    create function amber_bump_access(organisations uuid[]) returns void
    language sql volatile security definer set search_path from current as $$
      insert into access_generation as g (organisation_id, generation)
      select o, (extract(epoch from clock_timestamp()) * 1000000)::bigint
      from (select distinct o from unnest(organisations) o where o is not null) x
      -- In one order, so that two transactions bumping the same organisations never deadlock here.
      order by o
      on conflict (organisation_id) do update
        set generation = greatest(g.generation + 1, excluded.generation) $$`.execute(db);

  /** The organisations a row's change concerns. */
  await sql`
    create function amber_access_organisations(tbl text, r jsonb) returns uuid[]
    language plpgsql stable security definer set search_path from current as $$
    begin
      if r is null then return '{}'; end if;
      case tbl
        when 'organisation' then return array[(r->>'id')::uuid];
        when 'deployment' then return (select coalesce(array_agg(id), '{}') from organisation);
        when 'user_account' then
          return (select coalesce(array_agg(organisation_id), '{}') from membership where user_id = (r->>'id')::uuid);
        when 'membership' then
          return array[(r->>'organisation_id')::uuid] ||
            (select coalesce(array_agg(organisation_id), '{}') from membership where user_id = (r->>'user_id')::uuid);
        when 'sharing_agreement' then
          return array[(r->>'organisation_id')::uuid, (r->>'partner_id')::uuid];
        when 'priority_share' then
          return array[(r->>'organisation_id')::uuid] ||
            (select coalesce(array_agg(partner_id), '{}') from sharing_agreement where id = (r->>'agreement_id')::uuid);
        else return array[(r->>'organisation_id')::uuid];
      end case;
    end $$`.execute(db);

  await sql`
    create function amber_access_changed() returns trigger
    language plpgsql volatile security definer set search_path from current as $$
    begin
      perform amber_bump_access(
        amber_access_organisations(tg_table_name, case when tg_op = 'INSERT' then null else to_jsonb(old) end) ||
        amber_access_organisations(tg_table_name, case when tg_op = 'DELETE' then null else to_jsonb(new) end));
      return null;
    end $$`.execute(db);

  for (const { table, events } of TRIGGERS)
    await sql`create trigger ${sql.raw(`amber_access_${table}`)} after ${sql.raw(events)} on ${sql.table(table)}
      for each row execute function amber_access_changed()`.execute(db);

  // What a cached decision is checked against: one statement, outside any transaction.
  await sql`
    create function amber_access_generation(organisation uuid) returns bigint
    language sql stable security definer set search_path from current as $$
      select coalesce((select generation from access_generation where organisation_id = organisation), 0)
      where ${ONLY_ITS_OWN} $$`.execute(db);

  // The next moment an agreement involving the organisation starts or ends (UK days, as
  // amber_enter_shares decides them: active from the start of starts_on to the end of ends_on).
  await sql`
    create function amber_access_changes_at(organisation uuid) returns timestamptz
    language sql stable security definer set search_path from current as $$
      select min(b) from sharing_agreement a,
        lateral (values ((a.starts_on)::timestamp at time zone 'Europe/London'),
                        ((a.ends_on + 1)::timestamp at time zone 'Europe/London')) v(b)
      where (a.organisation_id = organisation or a.partner_id = organisation)
        and a.revoked_at is null and b > now() and ${ONLY_ITS_OWN} $$`.execute(db);
  for (const fn of [
    'amber_bump_access(uuid[])',
    'amber_access_organisations(text, jsonb)',
    'amber_access_generation(uuid)',
    'amber_access_changes_at(uuid)',
  ])
    await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  // A session is also read inside a unit acting for its organisation (signing out): that one's own only.
  for (const fn of ['amber_access_generation(uuid)', 'amber_access_changes_at(uuid)'])
    await sql`grant execute on function ${sql.raw(fn)} to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table } of TRIGGERS)
    await sql`drop trigger if exists ${sql.raw(`amber_access_${table}`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists amber_access_changed()`.execute(db);
  await sql`drop function if exists amber_access_organisations(text, jsonb)`.execute(db);
  await sql`drop function if exists amber_bump_access(uuid[])`.execute(db);
  await sql`drop function if exists amber_access_generation(uuid)`.execute(db);
  await sql`drop function if exists amber_access_changes_at(uuid)`.execute(db);
  await db.schema.dropTable('access_generation').execute();
}
