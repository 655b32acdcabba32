// The dashboard generation (migration 2026-12-12-300, ADR 0023) without `person` and
// `indicator_priority`: the dashboard's list of indicators off target reads only what rating needs
// of each indicator (issue 14, 7 December), no longer its owner's name nor its links to priorities,
// so a change to a person or to an indicator's links no longer changes anything a dashboard shows.
// Their triggers moved the number on for nothing (a dashboard worked out again, the same); now
// every table with the triggers is one the dashboard reads, and test/dashboard-kept.test.ts holds
// the two lists equal. `down` puts them back as 2026-12-12-300 made them.
import { type Kysely, sql } from 'kysely';

const TABLES = ['person', 'indicator_priority'] as const;
const EVENTS = [
  { op: 'insert', short: 'ins', referencing: 'new table as amber_new' },
  { op: 'update', short: 'upd', referencing: 'old table as amber_old new table as amber_new' },
  { op: 'delete', short: 'del', referencing: 'old table as amber_old' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) {
    for (const { short } of EVENTS)
      await sql`drop trigger ${sql.raw(`amber_dashboard_${table}_${short}`)} on ${sql.table(table)}`.execute(db);
    await sql`drop function ${sql.raw(`amber_dashboard_${table}_changed`)}()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  // Written as 2026-12-12-300 wrote them (the column quoted), so the functions read back the same.
  const o = sql.ref('organisation_id');
  for (const table of TABLES) {
    const note = (rows: ReturnType<typeof sql>) => sql`insert into dashboard_change (transaction_id, organisation_id)
        select distinct txid_current(), x.o from (${rows}) x where x.o is not null on conflict do nothing;`;
    await sql`
      create function ${sql.raw(`amber_dashboard_${table}_changed`)}() returns trigger
      language plpgsql volatile security definer set search_path from current as $$
      begin
        if tg_op = 'INSERT' then
          ${note(sql`select ${o} as o from amber_new`)}
        elsif tg_op = 'DELETE' then
          ${note(sql`select ${o} as o from amber_old`)}
        else
          ${note(sql`select ${o} as o from amber_old union select ${o} from amber_new`)}
        end if;
        return null;
      end $$`.execute(db);
    await sql`revoke all on function ${sql.raw(`amber_dashboard_${table}_changed`)}() from public`.execute(db);
    for (const { op, short, referencing } of EVENTS)
      await sql`create trigger ${sql.raw(`amber_dashboard_${table}_${short}`)} after ${sql.raw(op)} on ${sql.table(table)}
        referencing ${sql.raw(referencing)} for each statement
        execute function ${sql.raw(`amber_dashboard_${table}_changed`)}()`.execute(db);
  }
}
