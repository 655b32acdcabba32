// Benchmarking clubs (issue 11): a host organisation (Local Partnerships running DECATS) runs a
// club; member organisations opt in and contribute figures (their diagnostic baseline's function
// costs as shares of running costs, chosen indicator values under a shared identifier such as an
// LG Inform metric), each with an optional embargo date. Nobody ever reads another member's
// figures: members and the host get statistics only, from amber_club_statistics(), which counts a
// figure only when its member has joined and not left, it is not withdrawn and its embargo has
// passed, and withholds every statistic made from fewer than 5 members (or from members who
// disagree on its unit or on which way is better).
import { type Kysely, sql } from 'kysely';

const CURRENT = sql.raw('amber_organisation()');

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('benchmark_club')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('benchmark_club_organisation').on('benchmark_club').column('organisation_id').execute();

  // A member's place in a club: the host invites (a row of the member's, written by the host), the
  // member joins (opts in) and may leave; only then do its figures count.
  await db.schema
    .createTable('club_member')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('club_id', 'uuid', (c) => c.notNull().references('benchmark_club.id').onDelete('cascade'))
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('invited_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('joined_at', 'timestamptz')
    .addColumn('left_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('club_member_once', ['club_id', 'organisation_id'])
    .execute();
  await db.schema.createIndex('club_member_organisation').on('club_member').column('organisation_id').execute();

  await db.schema
    .createTable('club_figure')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('club_id', 'uuid', (c) => c.notNull().references('benchmark_club.id').onDelete('cascade'))
    // What is compared, the same for every member: `function:FIN:share`, `indicator:LGINFORM-123`.
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull().check(sql`unit in ('percent', 'number', 'pounds')`))
    .addColumn('direction', 'text', (c) => c.notNull().check(sql`direction in ('lower-is-better', 'higher-is-better')`))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('value', 'numeric', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('baseline', 'indicator', 'illustrative')`))
    .addColumn('source_id', 'uuid')
    .addColumn('embargo_until', 'date')
    .addColumn('contributed_by', 'text', (c) => c.notNull())
    .addColumn('contributed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('withdrawn_at', 'timestamptz')
    .execute();
  await sql`create unique index club_figure_live on club_figure (club_id, organisation_id, metric, period) where withdrawn_at is null`.execute(
    db,
  );

  await sql`grant select, insert, update, delete on benchmark_club, club_member, club_figure to amber_tenant`.execute(
    db,
  );
  // The clubs the acting organisation hosts and those it has joined, worked out with the shares.
  await sql`
    create or replace function amber_enter_clubs() returns void
    language plpgsql volatile security definer set search_path from current as $$
    declare me uuid := amber_organisation();
    begin
      perform set_config('amber.host_clubs', coalesce((select string_agg(id::text, ',') from benchmark_club where organisation_id = me), ''), true);
      perform set_config('amber.member_clubs', coalesce((select string_agg(club_id::text, ',') from club_member
        where organisation_id = me and left_at is null), ''), true);
    end $$`.execute(db);
  await sql`revoke all on function amber_enter_clubs() from public`.execute(db);
  await sql`grant execute on function amber_enter_clubs() to amber_tenant`.execute(db);
  // amber_enter_organisation() (the sharing migration's) now also works out the clubs.
  await sql`alter function amber_enter_organisation() rename to amber_enter_shares`.execute(db);
  await sql`
    create function amber_enter_organisation() returns void language sql volatile security definer set search_path from current as
    $$ select amber_enter_clubs(); select amber_enter_shares(); $$`.execute(db);
  await sql`grant execute on function amber_enter_organisation() to amber_tenant`.execute(db);

  for (const table of ['benchmark_club', 'club_member', 'club_figure'])
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
  const ids = (name: string) => sql.raw(`amber_ids('amber.${name}')`);
  await sql`create policy organisation_reads on benchmark_club for select to amber_tenant
    using (organisation_id = ${CURRENT} or id = any(${ids('member_clubs')}) or id in (select club_id from club_member where organisation_id = ${CURRENT}))`.execute(
    db,
  );
  await sql`create policy organisation_writes on benchmark_club for all to amber_tenant
    using (organisation_id = ${CURRENT}) with check (organisation_id = ${CURRENT})`.execute(db);
  // A member sees its own place; the host sees who it invited and who joined (never their figures).
  await sql`create policy organisation_reads on club_member for select to amber_tenant
    using (organisation_id = ${CURRENT} or club_id = any(${ids('host_clubs')}))`.execute(db);
  await sql`create policy organisation_writes on club_member for all to amber_tenant
    using (organisation_id = ${CURRENT} or club_id = any(${ids('host_clubs')}))
    with check (organisation_id = ${CURRENT} or club_id = any(${ids('host_clubs')}))`.execute(db);
  // Figures: a member's own, only.
  await sql`create policy organisation_reads on club_figure for select to amber_tenant using (organisation_id = ${CURRENT})`.execute(
    db,
  );
  await sql`create policy organisation_writes on club_figure for all to amber_tenant
    using (organisation_id = ${CURRENT}) with check (organisation_id = ${CURRENT} and club_id = any(${ids('member_clubs')}))`.execute(
    db,
  );

  // The club's statistics, for its host and its members only; nothing from fewer than 5 members.
  await sql`
    create function amber_club_statistics(club uuid)
    returns table (metric text, label text, unit text, direction text, period text, n integer, p25 numeric, p50 numeric, p75 numeric)
    language sql stable security definer set search_path from current as $$
      with allowed as (
        select 1 from benchmark_club b where b.id = club and (
          b.organisation_id = amber_organisation()
          or exists (select 1 from club_member m where m.club_id = club and m.organisation_id = amber_organisation()
                     and m.joined_at is not null and m.left_at is null))
      ), counted as (
        -- Members name a shared metric their own way: the label shown is theirs only when they agree.
        -- Members who disagree on its unit or on which way is better are not comparable: withheld.
        select f.metric, case when count(distinct f.label) = 1 then max(f.label) else f.metric end as label,
               max(f.unit) as unit, max(f.direction) as direction, f.period,
               count(*)::int as n,
               count(distinct f.direction) = 1 and count(distinct f.unit) = 1 as comparable,
               percentile_cont(0.25) within group (order by f.value) as p25,
               percentile_cont(0.5) within group (order by f.value) as p50,
               percentile_cont(0.75) within group (order by f.value) as p75
        from club_figure f
        join club_member m on m.club_id = f.club_id and m.organisation_id = f.organisation_id
        where f.club_id = club and exists (select 1 from allowed)
          and f.withdrawn_at is null and m.joined_at is not null and m.left_at is null
          and (f.embargo_until is null or f.embargo_until <= (now() at time zone 'Europe/London')::date)
        group by f.metric, f.period
      )
      select metric, label, unit, direction, period, n,
             case when n >= 5 and comparable then p25::numeric end,
             case when n >= 5 and comparable then p50::numeric end,
             case when n >= 5 and comparable then p75::numeric end
      from counted order by metric, period
    $$`.execute(db);
  await sql`revoke all on function amber_club_statistics(uuid) from public`.execute(db);
  await sql`grant execute on function amber_club_statistics(uuid) to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists amber_club_statistics(uuid)`.execute(db);
  await sql`drop function if exists amber_enter_organisation()`.execute(db);
  await sql`alter function amber_enter_shares() rename to amber_enter_organisation`.execute(db);
  await sql`drop function if exists amber_enter_clubs()`.execute(db);
  await db.schema.dropTable('club_figure').execute();
  await db.schema.dropTable('club_member').execute();
  await db.schema.dropTable('benchmark_club').execute();
}
