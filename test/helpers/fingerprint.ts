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
