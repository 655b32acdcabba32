// What PostgreSQL's autovacuum does on a server, done for the embedded database (PGlite), which
// has none (issue 14, "run it like a service").
//
// PGlite runs PostgreSQL as one backend in Amber's process, without the background processes a
// server has: no autovacuum launcher, and no counts of rows changed (pg_stat_user_tables stays at
// zero). So nothing ever analyzes its tables or vacuums them:
//
//   - the planner never has statistics: it guesses every table holds a few hundred rows. At 1,000
//     priorities the dashboard worked out took 45–49 ms of CPU a view unanalyzed against 28 ms
//     analyzed (bench/pglite-statistics.ts), and a page of the audit trail's export read and
//     sorted all 100,000 events of an organisation where an index would have read 1,000;
//   - the space of deleted and updated rows (sessions, jobs, kept dashboards) is never made
//     reusable, and no transaction ids are frozen, which PostgreSQL needs before 2^31 of them.
//
// So the server vacuums and analyzes every table of the embedded database a minute after it
// starts and then once a day, a table at a time (`vacuum (analyze)` cannot run in a transaction,
// and a table's own statement keeps the one connection for as long as that table takes: the event
// loop and the pool are given a turn between tables). It runs when the oldest table's last vacuum
// is a day old, or unknown (PGlite forgets it on restart), so a server restarted every night still
// does it once a start. A PostgreSQL server needs none of this: its autovacuum does it.

import { sql, type QueryExecutorProvider } from 'kysely';
import { startPeriodicChecks, type PeriodicChecks } from '../checks.ts';

const DAY_MS = 24 * 60 * 60_000;

export interface UpkeepOptions {
  /** The pool-level database (VACUUM runs outside any unit of work). */
  db: QueryExecutorProvider;
  /** How often every table is vacuumed and analyzed (a day). */
  everyMs?: number;
  /** The first check, after start-up has settled (a minute). */
  firstAfterMs?: number;
  /** How often to check whether it is due (an hour). */
  checkEveryMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface UpkeepRun {
  tables: number;
  ms: number;
}

/** `runNow` vacuums and analyzes every table if it is due (or `force`); undefined when it was not due. */
export type Upkeep = PeriodicChecks<UpkeepRun | undefined>;

/** The public schema's tables, and when each was last vacuumed (null: not since PGlite started). */
async function tablesOf(db: QueryExecutorProvider): Promise<{ name: string; vacuumedAt: Date | null }[]> {
  const { rows } = await sql<{ name: string; vacuumed_at: Date | null }>`
    select c.relname as name, greatest(s.last_vacuum, s.last_autovacuum) as vacuumed_at
    from pg_class c left join pg_stat_user_tables s on s.relid = c.oid
    where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
    order by c.relname`.execute(db);
  return rows.map((r) => ({ name: r.name, vacuumedAt: r.vacuumed_at === null ? null : new Date(r.vacuumed_at) }));
}

/** Vacuums and analyzes every table of the database, one statement each, the event loop turning between. */
export async function vacuumAndAnalyze(db: QueryExecutorProvider): Promise<UpkeepRun> {
  const start = performance.now();
  const tables = await tablesOf(db);
  for (const { name } of tables) {
    await new Promise((resolve) => setImmediate(resolve));
    await sql`vacuum (analyze) ${sql.table(name)}`.execute(db);
  }
  return { tables: tables.length, ms: performance.now() - start };
}

export function startPgliteUpkeep(options: UpkeepOptions): Upkeep {
  const now = options.now ?? (() => new Date());
  const everyMs = options.everyMs ?? DAY_MS;
  const log = options.log ?? ((line: string) => console.log(line));
  return startPeriodicChecks({
    async check(force: boolean): Promise<UpkeepRun | undefined> {
      if (!force) {
        const tables = await tablesOf(options.db);
        const due = tables.some((t) => t.vacuumedAt === null || now().getTime() - t.vacuumedAt.getTime() >= everyMs);
        if (!due) return undefined;
      }
      const run = await vacuumAndAnalyze(options.db);
      log(
        `Vacuumed and analyzed the embedded database's ${run.tables} tables in ${Math.round(run.ms)} ms (PGlite has no autovacuum; again in a day).`,
      );
      return run;
    },
    firstAfterMs: options.firstAfterMs ?? 60_000,
    everyMs: options.checkEveryMs ?? 60 * 60_000,
    failed: (error) => log(`The embedded database's vacuum and analyze failed: ${String(error)}`),
  });
}
