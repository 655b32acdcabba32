// The health checks, for load balancers and orchestrators (infrastructure routes: no actor, no
// unit of work, the pool-level database):
//
//   /health/live   the process is up and answering; touches no database, so a database outage
//                  never makes an orchestrator restart every instance (which would not help);
//   /health/ready  the database answers AND every migration this version ships is applied, so an
//                  instance is sent traffic only when its code and the schema agree. 503 with a
//                  JSON reason otherwise;
//   /health        the database answers (kept as it was: things already poll it).
//
// A database that has migrations this version does not know (a newer instance migrated it during
// a rolling upgrade) is still ready: frozen migrations only add, and taking every older instance
// out at once would leave the new one alone with all the traffic. The answer lists them.

import { sql, type QueryExecutorProvider } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { paths } from '../../paths.ts';
import { MIGRATIONS_DIR, migrationNames } from '../db/migrate.ts';

export interface HealthOptions {
  /** The pool-level database. */
  db: QueryExecutorProvider;
  /** Where the migration files are (tests point it elsewhere). */
  migrationsDir?: string;
}

export type Readiness =
  | { status: 'ok'; migrations: number; unknownMigrations?: string[] }
  | {
      status: 'unavailable';
      reason: 'DATABASE_UNAVAILABLE' | 'MIGRATIONS_PENDING';
      detail: string;
      pending?: string[];
    };

const UNDEFINED_TABLE = '42P01';

/** Whether this instance may take requests: the database answers and has every migration applied. */
export async function readiness(db: QueryExecutorProvider, shipped: readonly string[]): Promise<Readiness> {
  let applied: string[];
  try {
    await sql`select 1`.execute(db);
  } catch {
    return { status: 'unavailable', reason: 'DATABASE_UNAVAILABLE', detail: 'The database does not answer' };
  }
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    applied = rows.map((r) => r.name);
  } catch (error) {
    // Never migrated: no migration table yet.
    if ((error as { code?: string }).code !== UNDEFINED_TABLE)
      return { status: 'unavailable', reason: 'DATABASE_UNAVAILABLE', detail: 'The database does not answer' };
    applied = [];
  }
  const done = new Set(applied);
  const pending = shipped.filter((name) => !done.has(name));
  if (pending.length > 0)
    return {
      status: 'unavailable',
      reason: 'MIGRATIONS_PENDING',
      detail: `${pending.length} of ${shipped.length} migrations ${pending.length === 1 ? 'is' : 'are'} not applied to the database: run \`amber migrate\` (or start Amber, which migrates)`,
      pending,
    };
  const known = new Set(shipped);
  const unknown = applied.filter((name) => !known.has(name)).sort();
  return { status: 'ok', migrations: shipped.length, ...(unknown.length > 0 ? { unknownMigrations: unknown } : {}) };
}

export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  const { db } = options;
  // The files do not change while the process runs: listed once, at the first readiness check.
  let shipped: Promise<string[]> | undefined;
  const shippedMigrations = () => (shipped ??= migrationNames(options.migrationsDir ?? MIGRATIONS_DIR));

  app.get(paths.health, { config: { infrastructure: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(db);
      return reply.send({ status: 'ok' });
    } catch {
      return reply.status(503).send({ status: 'unavailable', detail: 'The database does not answer' });
    }
  });

  app.get(paths.healthLive, { config: { infrastructure: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );

  app.get(paths.healthReady, { config: { infrastructure: true } }, async (request, reply) => {
    const ready = await readiness(db, await shippedMigrations());
    if (ready.status !== 'ok') request.log.warn({ readiness: ready }, 'not ready');
    return reply
      .status(ready.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(ready);
  });
}
