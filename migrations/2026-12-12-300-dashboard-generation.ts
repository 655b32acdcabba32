// The dashboard generation (issue 14, "the dashboard's statements and CPU flat from 10 to 1,000
// priorities"; ADR 0023): a counter per organisation that every committed change to what the
// dashboard shows moves on. An instance keeps the dashboard it worked out (counts by status, the
// first rows of its lists and how many each has, the off-target indicators) under the number it
// read before reading anything else, and serves it again while the number is the same: one small
// statement instead of nine that grow with the organisation.
//
// Unlike the access generation (migration 2026-12-09-100), these tables take the commonest writes
// of a reporting season and of an indicator import, so:
//   - the triggers are per statement, with transition tables: an import of 100,000 values notes
//     its organisation once per statement, not once per row;
//   - a statement only notes the organisation in `dashboard_change`, keyed by its transaction (no
//     two transactions write the same row, so nobody waits); the counter itself is moved at commit,
//     by a deferred constraint trigger, all of the transaction's organisations in one statement in
//     one order. Its row is locked only for the moment the commit takes, not for the whole
//     transaction (an import's transaction would otherwise hold up every draft saved meanwhile);
//   - a rolled-back transaction moves nothing;
//   - `progress_report`, saved on every edit of a draft's text, moves it only when a column the
//     dashboard reads changes (its state, status, published revision, priority, period).
// What moves it: every change to the tables the dashboard reads (test/dashboard-kept.test.ts holds
// every table its statements name to this list):
//   organisation (its indicator defaults), reporting_period, status, theme, priority, person (an
//   indicator's owner's name), progress_report (the columns above), report_revision, action,
//   milestone, indicator, indicator_priority, indicator_value.
// Restores (`amber restore`) load with triggers off and bring the counter back as it was backed up:
// the number is the larger of the next one and the clock in microseconds, so it never repeats.
import { type Kysely, sql } from 'kysely';

/** Each table the dashboard reads; `watch`: for updates, only these columns matter (all when absent). */
const TABLES: readonly { table: string; organisation?: string; watch?: readonly string[] }[] = [
  { table: 'organisation', organisation: 'id' },
  { table: 'reporting_period' },
  { table: 'status' },
  { table: 'theme' },
  { table: 'priority' },
  { table: 'person' },
  {
    table: 'progress_report',
    watch: ['organisation_id', 'priority_id', 'period_id', 'state', 'status_id', 'published_revision'],
  },
  { table: 'report_revision' },
  { table: 'action' },
  { table: 'milestone' },
  { table: 'indicator' },
  { table: 'indicator_priority' },
  { table: 'indicator_value' },
];

const EVENTS = [
  { op: 'insert', short: 'ins', referencing: 'new table as amber_new' },
  { op: 'update', short: 'upd', referencing: 'old table as amber_old new table as amber_new' },
  { op: 'delete', short: 'del', referencing: 'old table as amber_old' },
] as const;

/** Outside a unit acting for an organisation, or for that one (as the access generation's). */
const ONLY_ITS_OWN = sql.raw(`(nullif(current_setting('amber.organisation_id', true), '') is null
        or organisation = nullif(current_setting('amber.organisation_id', true), '')::uuid)`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dashboard_generation')
    .addColumn('organisation_id', 'uuid', (c) => c.primaryKey())
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .execute();
  // The organisations a transaction changed, until it commits (empty outside a writing transaction).
  await db.schema
    .createTable('dashboard_change')
    .addColumn('transaction_id', 'bigint', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('dashboard_change_pkey', ['transaction_id', 'organisation_id'])
    .execute();
  // Only the owner reads or writes them (the triggers' functions run as the owner).
  for (const table of ['dashboard_generation', 'dashboard_change']) {
    await sql`revoke all on ${sql.table(table)} from amber_tenant`.execute(db);
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
  }

  // Per table, per statement: the organisations of the rows it changed (for an update with watched
  // columns, of the rows where one of them changed: before and after, as a row can move
  // organisation), noted for the transaction. A function per table, its statements written out
  // (not built at each call), so that PostgreSQL plans them once per session: built with
  // `format()` and EXECUTE, the triggers cost a single-row write ~0.3 ms more on PGlite.
  for (const { table, organisation = 'organisation_id', watch } of TABLES) {
    const o = sql.ref(organisation);
    const note = (rows: ReturnType<typeof sql>) => sql`insert into dashboard_change (transaction_id, organisation_id)
        select distinct txid_current(), x.o from (${rows}) x where x.o is not null on conflict do nothing;`;
    const changedRows = watch
      ? sql`select v.o from amber_old b join amber_new a on a.id = b.id,
          lateral (values (b.${o}), (a.${o})) v(o)
          where row(${sql.join(watch.map((c) => sql`b.${sql.ref(c)}`))}) is distinct from row(${sql.join(watch.map((c) => sql`a.${sql.ref(c)}`))})`
      : sql`select ${o} as o from amber_old union select ${o} from amber_new`;
    await sql`
      create function ${sql.raw(`amber_dashboard_${table}_changed`)}() returns trigger
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

  // At commit: every organisation the transaction noted, moved on in one statement, in one order
  // (two transactions committing changes to the same organisations never deadlock here). The first
  // firing takes them all; the others find nothing left.
  await sql`
    create function amber_dashboard_commit() returns trigger
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
  await sql`create constraint trigger amber_dashboard_commit after insert on dashboard_change
    deferrable initially deferred for each row execute function amber_dashboard_commit()`.execute(db);

  for (const { table } of TABLES)
    for (const { op, short, referencing } of EVENTS)
      await sql`create trigger ${sql.raw(`amber_dashboard_${table}_${short}`)} after ${sql.raw(op)} on ${sql.table(table)}
        referencing ${sql.raw(referencing)} for each statement
        execute function ${sql.raw(`amber_dashboard_${table}_changed`)}()`.execute(db);

  // What a kept dashboard is checked against. Null while the asking transaction has changes of its
  // own not yet committed (none of the dashboard's requests write; if one did, what it would see is
  // not yet anyone else's to be served).
  await sql`
    create function amber_dashboard_generation(organisation uuid) returns bigint
    language sql stable security definer set search_path from current as $$
      select case when exists (select 1 from dashboard_change where transaction_id = txid_current_if_assigned())
        then null
        else coalesce((select generation from dashboard_generation where organisation_id = organisation), 0) end
      where ${ONLY_ITS_OWN} $$`.execute(db);

  for (const fn of [
    ...TABLES.map(({ table }) => `amber_dashboard_${table}_changed()`),
    'amber_dashboard_commit()',
    'amber_dashboard_generation(uuid)',
  ])
    await sql`revoke all on function ${sql.raw(fn)} from public`.execute(db);
  await sql`grant execute on function amber_dashboard_generation(uuid) to amber_tenant`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const { table } of TABLES)
    for (const { short } of EVENTS)
      await sql`drop trigger if exists ${sql.raw(`amber_dashboard_${table}_${short}`)} on ${sql.table(table)}`.execute(
        db,
      );
  await sql`drop trigger if exists amber_dashboard_commit on dashboard_change`.execute(db);
  for (const fn of [
    'amber_dashboard_generation(uuid)',
    ...TABLES.map(({ table }) => `amber_dashboard_${table}_changed()`),
    'amber_dashboard_commit()',
  ])
    await sql`drop function if exists ${sql.raw(fn)}`.execute(db);
  await db.schema.dropTable('dashboard_change').execute();
  await db.schema.dropTable('dashboard_generation').execute();
}
