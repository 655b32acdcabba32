// Which indicators changed, for the dashboard's indicators' part (issue 14, "the dashboard's
// statements and CPU flat from 10 to 1,000 priorities"; ADR 0029). Since migration -500 a kept
// dashboard whose indicators' number had moved worked that part out again whole: every indicator
// of the organisation read and rated, ×2.8–6 the cost at 1,000 priorities of at 10, for one value
// saved. Now each committed change to an indicator or a value is noted with the indicator's id and
// the number it moved the part on to, so an instance can rate again only the indicators changed
// since the number it kept.
//
// - `dashboard_indicator_change`: (transaction, organisation, indicator) noted by the statement-level
//   triggers of `indicator` and `indicator_value` (one row per indicator however many of its values
//   a statement wrote), its `generation` set at commit by `amber_dashboard_commit()` (null until
//   then, which only the writing transaction can see). A change to what both parts read (the
//   organisation's defaults, a reporting period, a status of the scale), and a statement that
//   changes more than 500 indicators, are noted under the nil uuid: every indicator, the part worked
//   out again whole.
// - Kept a day: the commit that moves an organisation's part on deletes its notes older than a day
//   and records in `dashboard_generation.changes_from` the number from which its notes are whole;
//   a dashboard kept from before that is worked out again whole.
// - `amber_dashboard_indicator_changes(organisation, since, upto)`: whether the notes are whole
//   since `since`, and the indicators changed after it up to `upto` (at most 501: more, and the
//   part is worked out whole anyway).
// A restore carries the table as it does the numbers (every table but secrets), from the same
// snapshot. `down` restores migration -500's functions.
import { type Kysely, sql } from 'kysely';

/** The indicator noted for a change to everything the indicators' part reads. */
const EVERY_INDICATOR = '00000000-0000-0000-0000-000000000000';
/**
 * A statement that changes more indicators than this (an import's batch) notes every indicator
 * instead: the dashboard works out whole past 500 changed anyway (`INDICATORS_PATCHED_AT_MOST`), and
 * an import's statement of 4,000 values noting its 1,000 indicators one by one cost PGlite ~40 ms.
 */
const NOTED_AT_MOST = 500;

/** Outside a unit acting for an organisation, or for that one (as the access generation's). */
const ONLY_ITS_OWN = sql.raw(`(nullif(current_setting('amber.organisation_id', true), '') is null
        or organisation = nullif(current_setting('amber.organisation_id', true), '')::uuid)`);

/**
 * The tables that move the indicators' part, and the indicator each row names (`indicator`: none,
 * every indicator) — as migration -500 lists them, with the parts each moves.
 */
const TABLES = [
  { table: 'organisation', organisation: 'id', parts: ['reports', 'indicators'], indicator: undefined },
  {
    table: 'reporting_period',
    organisation: 'organisation_id',
    parts: ['reports', 'indicators'],
    indicator: undefined,
  },
  { table: 'status', organisation: 'organisation_id', parts: ['reports', 'indicators'], indicator: undefined },
  { table: 'indicator', organisation: 'organisation_id', parts: ['indicators'], indicator: 'id' },
  { table: 'indicator_value', organisation: 'organisation_id', parts: ['indicators'], indicator: 'indicator_id' },
] as const;

/**
 * A table's trigger function noting, as -500's did, the organisations of the rows a statement
 * changed with the parts given, and, in the same statement, the indicators those rows name: each
 * pair of organisation and indicator once.
 */
async function createNoting(db: Kysely<any>, t: (typeof TABLES)[number]): Promise<void> {
  const o = sql.ref(t.organisation);
  const i = t.indicator ? sql.ref(t.indicator) : sql`${sql.lit(EVERY_INDICATOR)}::uuid`;
  const parts = sql.join(t.parts.map((part) => sql`(${sql.lit(part)})`));
  const note = (rows: ReturnType<typeof sql>) =>
    sql`with x as (select distinct y.o, y.i from (${rows}) y where y.o is not null),
          parts as (insert into dashboard_change (transaction_id, organisation_id, part)
            select distinct txid_current(), x.o, p.part from x cross join (values ${parts}) p(part)
            on conflict do nothing),
          many as (select count(*) > ${sql.lit(NOTED_AT_MOST)} as yes from x)
        insert into dashboard_indicator_change (transaction_id, organisation_id, indicator_id)
        select txid_current(), x.o, x.i from x where not (select yes from many)
        union all
        select distinct txid_current(), x.o, ${sql.lit(EVERY_INDICATOR)}::uuid from x where (select yes from many)
        on conflict do nothing;`;
  const rowsOf = (table: 'amber_old' | 'amber_new') => sql`select ${o} as o, ${i} as i from ${sql.raw(table)}`;
  await sql`
      create or replace function ${sql.raw(`amber_dashboard_${t.table}_changed`)}() returns trigger
      language plpgsql volatile security definer set search_path from current as $$
      begin
        if tg_op = 'INSERT' then
          ${note(rowsOf('amber_new'))}
        elsif tg_op = 'DELETE' then
          ${note(rowsOf('amber_old'))}
        else
          ${note(sql`${rowsOf('amber_old')} union ${rowsOf('amber_new')}`)}
        end if;
        return null;
      end $$`.execute(db);
}

/** -500's trigger function of a table, written out as it wrote it (so that `down` leaves its very text). */
async function createNoting500(
  db: Kysely<any>,
  {
    table,
    organisation = 'organisation_id',
    watch,
  }: { table: string; organisation?: string; watch?: readonly string[] },
  parts: readonly ('reports' | 'indicators')[] | undefined,
): Promise<void> {
  const o = sql.ref(organisation);
  const note = (rows: ReturnType<typeof sql>) =>
    parts
      ? sql`insert into dashboard_change (transaction_id, organisation_id, part)
        select distinct txid_current(), x.o, p.part from (${rows}) x
        cross join (values ${sql.join(parts.map((part) => sql`(${sql.lit(part)})`))}) p(part)
        where x.o is not null on conflict do nothing;`
      : sql`insert into dashboard_change (transaction_id, organisation_id)
        select distinct txid_current(), x.o from (${rows}) x where x.o is not null on conflict do nothing;`;
  const changedRows = watch
    ? sql`select v.o from amber_old b join amber_new a on a.id = b.id,
          lateral (values (b.${o}), (a.${o})) v(o)
          where row(${sql.join(watch.map((c) => sql`b.${sql.ref(c)}`))}) is distinct from row(${sql.join(watch.map((c) => sql`a.${sql.ref(c)}`))})`
    : sql`select ${o} as o from amber_old union select ${o} from amber_new`;
  await sql`
      create or replace function ${sql.raw(`amber_dashboard_${table}_changed`)}() returns trigger
      language plpgsql volatile security definer set search_path from current as $$
      begin
        if tg_op = 'INSERT' then
          ${note(sql`select ${o} as o from amber_new`)}
        elsif tg_op = 'DELETE' then
          ${note(sql`select ${o} as o from amber_old`)}
        else
          ${note(changedRows)}
        end if;
        return null;
      end $$`.execute(db);
}

/** -500's commit: every organisation and part the transaction noted, moved on in one statement, in one order. */
const COMMIT_500 = sql`
    create or replace function amber_dashboard_commit() returns trigger
    language plpgsql volatile security definer set search_path from current as $$
    begin
      with noted as (
        delete from dashboard_change where transaction_id = txid_current() returning organisation_id, part)
      insert into dashboard_generation as g (organisation_id, part, generation)
      select o, p, (extract(epoch from clock_timestamp()) * 1000000)::bigint
      from (select distinct organisation_id o, part p from noted) x
      order by o, p
      on conflict (organisation_id, part) do update set generation = greatest(g.generation + 1, excluded.generation);
      return null;
    end $$`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dashboard_indicator_change')
    .addColumn('transaction_id', 'bigint', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('indicator_id', 'uuid', (c) => c.notNull())
    .addColumn('generation', 'bigint')
    .addPrimaryKeyConstraint('dashboard_indicator_change_pkey', ['transaction_id', 'organisation_id', 'indicator_id'])
    .execute();
  await sql`create index dashboard_indicator_change_since on dashboard_indicator_change (organisation_id, generation)`.execute(
    db,
  );
  // Only the owner reads or writes it (the triggers' functions run as the owner), as -300's tables.
  await sql`revoke all on dashboard_indicator_change from amber_tenant`.execute(db);
  await sql`alter table dashboard_indicator_change enable row level security`.execute(db);

  // The notes are whole from the numbers the parts have now: a dashboard kept before this is
  // worked out again whole, as it would have been.
  await sql`alter table dashboard_generation add column changes_from bigint not null default 0`.execute(db);
  await sql`update dashboard_generation set changes_from = generation where part = 'indicators'`.execute(db);

  for (const t of TABLES) await createNoting(db, t);

  // At commit: as -500, then the transaction's indicators given the number their organisation's part
  // moved on to, then that organisation's notes older than a day let go (`changes_from` says since
  // when the notes are whole). One statement each, whatever the number of organisations.
  await sql`
    create or replace function amber_dashboard_commit() returns trigger
    language plpgsql volatile security definer set search_path from current as $$
    declare
      day_ago constant bigint := (extract(epoch from clock_timestamp()) * 1000000)::bigint - 86400000000;
    begin
      with noted as (
        delete from dashboard_change where transaction_id = txid_current() returning organisation_id, part),
      moved as (
        insert into dashboard_generation as g (organisation_id, part, generation)
        select o, p, (extract(epoch from clock_timestamp()) * 1000000)::bigint
        from (select distinct organisation_id o, part p from noted) x
        order by o, p
        on conflict (organisation_id, part) do update set generation = greatest(g.generation + 1, excluded.generation)
        returning g.organisation_id, g.part, g.generation)
      update dashboard_indicator_change c set generation = m.generation
      from moved m
      where m.part = 'indicators' and c.transaction_id = txid_current() and c.organisation_id = m.organisation_id;
      if found then
        with gone as (
          delete from dashboard_indicator_change c
          where c.organisation_id in (select organisation_id from dashboard_indicator_change where transaction_id = txid_current())
            and c.generation < day_ago
          returning c.organisation_id)
        update dashboard_generation g set changes_from = greatest(g.changes_from, day_ago)
        where g.part = 'indicators' and g.organisation_id in (select organisation_id from gone);
      end if;
      return null;
    end $$`.execute(db);

  await sql`
    create function amber_dashboard_indicator_changes(organisation uuid, since bigint, upto bigint,
      out complete boolean, out indicators uuid[])
    language sql stable security definer set search_path from current as $$
      select
        coalesce(since >= (select changes_from from dashboard_generation
          where organisation_id = organisation and part = 'indicators'), true),
        array(select distinct indicator_id from dashboard_indicator_change
          where organisation_id = organisation and generation > since and generation <= upto limit 501)
      where ${ONLY_ITS_OWN} $$`.execute(db);
  await sql`revoke all on function amber_dashboard_indicator_changes(uuid, bigint, bigint) from public`.execute(db);
  await sql`grant execute on function amber_dashboard_indicator_changes(uuid, bigint, bigint) to amber_tenant`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function amber_dashboard_indicator_changes(uuid, bigint, bigint)`.execute(db);
  await COMMIT_500.execute(db);
  for (const t of TABLES) await createNoting500(db, t, t.parts);
  await sql`alter table dashboard_generation drop column changes_from`.execute(db);
  await db.schema.dropTable('dashboard_indicator_change').execute();
}
