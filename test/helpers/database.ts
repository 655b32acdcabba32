// Test databases on both engines. Integration tests run once on PGlite (in memory) and once on
// the PostgreSQL server, each in a database of its own that is dropped afterwards, so test files
// can run in parallel. The server is TEST_DATABASE_URL, else DATABASE_URL, else the local one
// CI starts (127.0.0.1:5432, trust auth, database `test`). An unreachable server fails the run
// with a message; it never skips silently.

import { describe, before, after } from 'node:test';
import pg from 'pg';
import type { Kysely } from 'kysely';
import { openDatabase, type Engine } from '../../src/platform/db/database.ts';
import { migrateToLatest, MIGRATIONS_DIR } from '../../src/platform/db/migrate.ts';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
import { buildServices, type Services, type ServiceOptions } from '../../src/composition.ts';
import type { DB } from '../../src/schema.ts';
import { systemActor, type Actor } from '../../src/domain/actor.ts';
import type { Units } from '../../src/platform/db/unit-of-work.ts';

export const ENGINES: Engine[] = ['pglite', 'postgres'];

export const SERVER_URL =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  engine: Engine;
  /** Pool-level, for a test's own SQL (outside any unit of work). */
  db: Kysely<DB>;
  units: Units<DB>;
  services: Services;
  /** The database's URL (postgres) or undefined (PGlite in memory). */
  url: string | undefined;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * A freshly migrated PGlite database as a tarball, made once per set of migrations and kept in
 * the system's temporary folder for every test process: starting PGlite from it takes ~1.4 s,
 * against ~6 s for an empty one (initdb) plus the migrations. Written under a temporary name and
 * renamed, so parallel test processes never read half a file.
 */
let template: Promise<Blob> | undefined;
function pgliteTemplate(): Promise<Blob> {
  return (template ??= (async () => {
    const hash = createHash('sha256');
    hash.update(JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version);
    for (const name of readdirSync(MIGRATIONS_DIR).sort())
      hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
    const file = join(tmpdir(), `amber-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const handle = await openDatabase<DB>({ dataDir: 'memory://' });
    try {
      await migrateToLatest(handle.db);
      const dump = await handle.dumpDataDir!();
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, file);
      return dump;
    } finally {
      await handle.close();
    }
  })());
}

export async function openTestDatabase(engine: Engine, serviceOptions: ServiceOptions = {}): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const handle = await openDatabase<DB>({ dataDir: 'memory://', loadDataDir: await pgliteTemplate() });
    await migrateToLatest(handle.db);
    return {
      engine,
      db: handle.db,
      units: handle.units,
      services: buildServices(handle, serviceOptions),
      url: undefined,
      close: () => handle.close(),
    };
  }
  const name = `amber_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The PostgreSQL half of the suite cannot reach ${SERVER_URL} (${(error as Error).message}). Start PostgreSQL (see README) or set TEST_DATABASE_URL.`,
    );
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(SERVER_URL, name);
  const handle = await openDatabase<DB>({ databaseUrl: url, poolSize: 4 });
  await migrateToLatest(handle.db);
  return {
    engine,
    db: handle.db,
    units: handle.units,
    services: buildServices(handle, serviceOptions),
    url,
    async close() {
      await handle.close();
      const drop = new pg.Client({ connectionString: SERVER_URL });
      await drop.connect();
      // The pool's connections close asynchronously after `destroy()`: wait for them to go, so a
      // forced drop does not kill a connection that is still closing (an uncaught client error).
      for (let i = 0; i < 100; i++) {
        const { rows } = await drop.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}

/**
 * Runs the same suite on each engine. `t()` gives the open database inside tests.
 * One database per engine per suite: tests inside build what they need with the builders.
 */
export function describeOnEachEngine(name: string, fn: (t: () => TestDatabase) => void): void {
  for (const engine of ENGINES) {
    describe(`${name} [${engine}]`, () => {
      let database: TestDatabase | undefined;
      before(async () => {
        database = await openTestDatabase(engine);
      });
      after(async () => {
        await database?.close();
      });
      fn(() => {
        if (!database) throw new Error('test database is not open');
        return database;
      });
    });
  }
}

/** The job queue's view of a test database: the pool for the worker, units of work for enqueueing. */
export const jobDatabase = (t: Pick<TestDatabase, 'db' | 'units'>) => ({ raw: t.db, db: t.units.db, units: t.units });

/** Loads the demo organisation and returns an actor for it. */
export async function withDemo(t: TestDatabase): Promise<Actor> {
  const { organisation } = await t.services.demo.load('test');
  return systemActor(organisation.id, 'test');
}
