// Runs the frozen migrations in migrations/ (date-prefixed, applied in name order).
//
// Several instances may start at once on one PostgreSQL (issue 14). Kysely's Migrator already
// serialises them there: it takes a session-level advisory lock (pg_advisory_lock with its own
// fixed key, on the one connection it migrates on), and only then, in one transaction, reads
// which migrations ran and applies the rest; so a second instance waits, then finds nothing to
// do. (Its lock table, kysely_migration_lock, is created but not used on PostgreSQL.) What it
// does not cover is what start-up does next with the migrated database, such as loading the
// demo into an empty one: `withStartUpLock` holds Amber's own lock across both.
//
// When every migration in the folder has run (every start but the first after an upgrade), the
// Migrator is not even built: that takes no lock (a session lock does not survive a pooler in
// transaction mode; see docs/operations.md) and imports no migration file. A database that has
// migrations this version does not know (a newer instance migrated it during a rolling upgrade)
// is left alone: frozen migrations only add.

import { Migrator, FileMigrationProvider, sql, type Kysely } from 'kysely';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/** The key of Amber's start-up lock (pg_advisory_xact_lock): any fixed number no other code uses. */
export const START_UP_LOCK_KEY = 0x616d626572n; // "amber"

const UNDEFINED_TABLE = '42P01';

/** The migrations in a folder, named as Kysely's FileMigrationProvider names them (file name without extension). */
export async function migrationNames(dir: string = MIGRATIONS_DIR): Promise<string[]> {
  return (await fs.readdir(dir))
    .filter((f) => /\.(m?js|m?ts)$/.test(f) && !/\.d\.m?ts$/.test(f))
    .map((f) => f.slice(0, f.lastIndexOf('.')))
    .sort();
}

/** The migrations in the folder that the database has not run, by name (as Kysely names them). */
async function pendingMigrations<DB>(db: Kysely<DB>): Promise<string[]> {
  const files = await migrationNames();
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const done = new Set(rows.map((r) => r.name));
    return files.filter((name) => !done.has(name));
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return files;
    throw error;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  if ((await pendingMigrations(db)).length === 0) return [];
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Runs `fn` (start-up: migrations, then the demo into an empty database) while holding Amber's
 * start-up lock, so instances starting together on one PostgreSQL server do it one at a time:
 * the first migrates and loads, the others then find both done. The lock is transaction-level,
 * taken in a transaction kept open on one connection of the pool until `fn` ends (it does its
 * own work on other connections); so it also holds through a pooler in transaction mode, which
 * keeps a transaction on one server connection, and it goes with the connection if the process
 * dies. PostgreSQL servers only: PGlite has one connection and one process per data folder.
 */
export async function withStartUpLock<DB, T>(db: Kysely<DB>, fn: () => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(START_UP_LOCK_KEY)})`.execute(trx);
    return fn();
  });
}
