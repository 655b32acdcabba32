// The dashboard generation (migrations 2026-12-12-300 and -400, ADR 0023) in two parts (issue 14,
// "the dashboard's … CPU flat from 10 to 1,000 priorities", for the first view after a change): one
// number for what the dashboard shows of reports (counts by status, status changes, overdue
// milestones) and one for what it shows of indicators (those off target), each moved on only by the
// tables its part reads. A draft's status saved leaves the indicators' part kept, which at 1,000
// priorities is most of a dashboard's working out; an import of values leaves the reports' part.
//
// What both parts read (the organisation and its indicator defaults, the reporting periods, the
// status scale: the period shown and the statuses the parts are worked out with) moves both.
// test/dashboard-kept.test.ts holds each part's tables to the statements that part sends.
//
// Otherwise as before: noted per statement in `dashboard_change` (now with the part), moved at
// commit in one statement, in one order; `amber_dashboard_generations(organisation)` answers both
// numbers in one statement (null while the asking transaction has changes of its own not yet
// committed). `amber_dashboard_generation(organisation)` stays for one release, as the sum of the
// two, for instances of the previous Amber during a rolling upgrade. An organisation's number as
// it was becomes both parts' number, so nothing kept is served after this migration that was not
// before it. `down` folds the two back into one (the larger) and restores -300's functions as -400
// left them.
import { type Kysely, sql } from 'kysely';

type Part = 'reports' | 'indicators';
const BOTH: readonly Part[] = ['reports', 'indicators'];

/** Each table the dashboard reads, the parts it moves; `watch`: for updates, only these columns matter. */
const TABLES: readonly { table: string; parts: readonly Part[]; organisation?: string; watch?: readonly string[] }[] = [
  { table: 'organisation', parts: BOTH, organisation: 'id' },
  { table: 'reporting_period', parts: BOTH },
  { table: 'status', parts: BOTH },
  { table: 'theme', parts: ['reports'] },
  { table: 'priority', parts: ['reports'] },
  {
    table: 'progress_report',
    parts: ['reports'],
    watch: ['organisation_id', 'priority_id', 'period_id', 'state', 'status_id', 'published_revision'],
  },
  { table: 'report_revision', parts: ['reports'] },
  { table: 'action', parts: ['reports'] },
  { table: 'milestone', parts: ['reports'] },
  { table: 'indicator', parts: ['indicators'] },
  { table: 'indicator_value', parts: ['indicators'] },
];

/** Outside a unit acting for an organisation, or for that one (as the access generation's). */
const ONLY_ITS_OWN = sql.raw(`(nullif(current_setting('amber.organisation_id', true), '') is null
        or organisation = nullif(current_setting('amber.organisation_id', true), '')::uuid)`);

/**
 * A table's trigger function: the organisations of the rows a statement changed (for an update with
 * watched columns, of the rows where one of them changed, before and after), noted for the
 * transaction, with the parts given (none: the one number of 2026-12-12-300).
 */
async function createNoting(
  db: Kysely<any>,
  { table, organisation = 'organisation_id', watch }: (typeof TABLES)[number],
  parts: readonly Part[] | undefined,
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

export async function up(db: Kysely<any>): Promise<void> {
  // Notes taken earlier in this transaction (none outside one) stand for both parts.
  await sql`alter table dashboard_change add column part text not null default 'reports'
    check (part in ('reports', 'indicators'))`.execute(db);
  await sql`alter table dashboard_change alter column part drop default,
    drop constraint dashboard_change_pkey,
    add constraint dashboard_change_pkey primary key (transaction_id, organisation_id, part)`.execute(db);
  await sql`insert into dashboard_change (transaction_id, organisation_id, part)
    select transaction_id, organisation_id, 'indicators' from dashboard_change`.execute(db);

  await sql`alter table dashboard_generation add column part text not null default 'reports'
    check (part in ('reports', 'indicators'))`.execute(db);
  await sql`alter table dashboard_generation alter column part drop default,
    drop constraint dashboard_generation_pkey,
    add constraint dashboard_generation_pkey primary key (organisation_id, part)`.execute(db);
  await sql`insert into dashboard_generation (organisation_id, part, generation)
    select organisation_id, 'indicators', generation from dashboard_generation`.execute(db);

  for (const table of TABLES) await createNoting(db, table, table.parts);

  // At commit: every organisation and part the transaction noted, moved on in one statement, in one order.
  await sql`
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
    end $$`.execute(db);

  // Kept for one release, for an instance of the previous Amber still serving during a rolling
  // upgrade (it keeps whole dashboards under one number): the sum of the two, which moves on
  // whenever either does (each only grows), and never repeats. A later migration drops it.
  await sql`
    create or replace function amber_dashboard_generation(organisation uuid) returns bigint
    language sql stable security definer set search_path from current as $$
      select case when exists (select 1 from dashboard_change where transaction_id = txid_current_if_assigned())
        then null
        else coalesce((select sum(generation)::bigint from dashboard_generation where organisation_id = organisation), 0) end
      where ${ONLY_ITS_OWN} $$`.execute(db);
  // What a kept dashboard's parts are checked against: both numbers, or nulls while the asking
  // transaction has changes of its own not yet committed.
  await sql`
    create function amber_dashboard_generations(organisation uuid, out reports bigint, out indicators bigint)
    language sql stable security definer set search_path from current as $$
      select
        case when pending then null else coalesce((select generation from dashboard_generation
          where organisation_id = organisation and part = 'reports'), 0) end,
        case when pending then null else coalesce((select generation from dashboard_generation
          where organisation_id = organisation and part = 'indicators'), 0) end
      from (select exists (select 1 from dashboard_change where transaction_id = txid_current_if_assigned()) as pending) x
      where ${ONLY_ITS_OWN} $$`.execute(db);
  await sql`revoke all on function amber_dashboard_generations(uuid) from public`.execute(db);
  await sql`grant execute on function amber_dashboard_generations(uuid) to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function amber_dashboard_generations(uuid)`.execute(db);

  await sql`delete from dashboard_change a using dashboard_change b
    where a.transaction_id = b.transaction_id and a.organisation_id = b.organisation_id and a.part > b.part`.execute(
    db,
  );
  await sql`alter table dashboard_change drop constraint dashboard_change_pkey, drop column part,
    add constraint dashboard_change_pkey primary key (transaction_id, organisation_id)`.execute(db);
  // One number per organisation: the larger of its two, so that none repeats.
  await sql`delete from dashboard_generation a using dashboard_generation b
    where a.organisation_id = b.organisation_id
      and (a.generation, a.part) < (b.generation, b.part)`.execute(db);
  await sql`alter table dashboard_generation drop constraint dashboard_generation_pkey, drop column part,
    add constraint dashboard_generation_pkey primary key (organisation_id)`.execute(db);

  for (const table of TABLES) await createNoting(db, table, undefined);
  await sql`
    create or replace function amber_dashboard_commit() returns trigger
    language plpgsql volatile security definer set search_path from current as $$
    begin
      with noted as (
        delete from dashboard_change where transaction_id = txid_current() returning organisation_id)
      insert into dashboard_generation as g (organisation_id, generation)
      select o, (extract(epoch from clock_timestamp()) * 1000000)::bigint
      from (select distinct organisation_id o from noted) x
      order by o
      on conflict (organisation_id) do update set generation = greatest(g.generation + 1, excluded.generation);
      return null;
    end $$`.execute(db);
  await sql`
    create or replace function amber_dashboard_generation(organisation uuid) returns bigint
    language sql stable security definer set search_path from current as $$
      select case when exists (select 1 from dashboard_change where transaction_id = txid_current_if_assigned())
        then null
        else coalesce((select generation from dashboard_generation where organisation_id = organisation), 0) end
      where ${ONLY_ITS_OWN} $$`.execute(db);
  await sql`revoke all on function amber_dashboard_generation(uuid) from public`.execute(db);
  await sql`grant execute on function amber_dashboard_generation(uuid) to amber_tenant`.execute(db);
}
