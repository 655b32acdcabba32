// What a database holds, table by table, to prove a request or a call changed nothing.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/schema.ts';

/**
 * Every table of the public schema: its row count and a hash of its rows. The one write a
 * signed-in request makes by design, the session's last-seen time (at most once a minute), is
 * left out, so the comparison does not depend on how long a walk takes.
 */
export async function fingerprint(db: Kysely<DB>): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const { rows } = await sql<{ name: string; n: number; h: string }>`${sql.join(
    tables.rows.map(
      ({ name }) => sql`select ${name}::text as name, count(*)::int as n,
        md5(coalesce(string_agg((to_jsonb(x) - 'last_seen_at')::text, '|' order by (to_jsonb(x) - 'last_seen_at')::text), '')) as h
        from ${sql.table(name)} as x`,
    ),
    sql` union all `,
  )}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n} rows ${r.h}`]));
}

const owned = new WeakMap<Kysely<DB>, Promise<string[]>>();

/**
 * One organisation's rows, table by table: for every table with an `organisation_id`, the count
 * and a hash of the text of every column of its rows (so a change to any column shows, versioned
 * or not). Read on the connection it is given: the owner's, which row-level security does not
 * filter. The session's last-seen time is left out, as above. One statement, the table list read
 * once per database, so a walk can take it after every route it makes.
 */
export async function organisationFingerprint(db: Kysely<DB>, organisationId: string): Promise<Record<string, string>> {
  let tables = owned.get(db);
  if (!tables) {
    tables = sql<{ name: string }>`
      select c.table_name as name from information_schema.columns c
      join information_schema.tables t on t.table_name = c.table_name and t.table_schema = c.table_schema
      where c.column_name = 'organisation_id' and c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      order by c.table_name`
      .execute(db)
      .then((r) => r.rows.map((row) => row.name));
    owned.set(db, tables);
  }
  const { rows } = await sql<{ name: string; n: number; h: string }>`${sql.join(
    (await tables).map(
      (name) => sql`select ${name}::text as name, count(*)::int as n,
        md5(coalesce(string_agg((to_jsonb(x) - 'last_seen_at')::text, '|' order by (to_jsonb(x) - 'last_seen_at')::text), '')) as h
        from ${sql.table(name)} as x where x.organisation_id = ${organisationId}`,
    ),
    sql` union all `,
  )}`.execute(db);
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n} rows ${r.h}`]));
}
