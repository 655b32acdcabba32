// Test databases on both engines. Integration tests run once on PGlite (in memory) and once on
// the PostgreSQL server, each in a database of its own that is dropped afterwards, so test files
// can run in parallel. The server is TEST_DATABASE_URL, else DATABASE_URL, else the local one
// CI starts (127.0.0.1:5432, trust auth, database `test`). An unreachable server fails the run
// with a message; it never skips silently.

import { describe, before, after } from 'node:test';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { openDatabase, SMALL_SHARED_BUFFERS, type Engine } from '../../src/platform/db/database.ts';
import { migrateToLatest, MIGRATIONS_DIR } from '../../src/platform/db/migrate.ts';
import { readPgliteTemplate } from '../../src/platform/db/pglite-template.ts';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
import { buildServices, type Services, type ServiceOptions } from '../../src/composition.ts';
import type { DB } from '../../src/schema.ts';
import { systemActor, type Actor } from '../../src/domain/actor.ts';
import type { Units } from '../../src/platform/db/unit-of-work.ts';

/** Both engines; `AMBER_TEST_ENGINES=pglite` (npm run test:quick) narrows the inner loop to one. */
export const ENGINES: Engine[] = (process.env.AMBER_TEST_ENGINES ?? 'pglite,postgres')
  .split(',')
  .filter((e): e is Engine => e === 'pglite' || e === 'postgres');

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
 * What a template is made from: PGlite's version, the migrations and, for a template with the
 * demo loaded, the code that loads it (all of src/) and the day (the demo's dates are relative
 * to nothing today, but a template must never outlive a change to what it was made by).
 */
function keyOf(demo: boolean): string {
  const hash = createHash('sha256');
  // How the template is made (this file's recipe): 2 since template0 and template1 are dropped.
  hash.update('recipe 2');
  hash.update(JSON.parse(readFileSync(join(ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version);
  for (const name of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(name).update(readFileSync(join(MIGRATIONS_DIR, name)));
  if (demo) {
    hash.update(new Date().toISOString().slice(0, 10));
    for (const file of readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).sort())
      if (file.endsWith('.ts') && !file.endsWith('.test.ts'))
        hash.update(file).update(readFileSync(join(ROOT, 'src', file)));
  }
  return `${demo ? 'demo' : 'empty'}_${hash.digest('hex').slice(0, 16)}`;
}

/**
 * The keys of the code this process loaded: worked out as the test files are imported (the
 * migrations and src/ they import are read then), not when a database is first opened, which can
 * be minutes later: a file edited meanwhile would otherwise give a template made by the old code
 * the new code's key, and every later run would start from it.
 */
const TEMPLATE_KEYS = { empty: keyOf(false), demo: keyOf(true) };
const templateKey = (demo: boolean) => (demo ? TEMPLATE_KEYS.demo : TEMPLATE_KEYS.empty);

/** Keeps the newest `keep` of the files in the temporary folder starting with `prefix`. */
function pruneTemplateFiles(prefix: string, keep: number): void {
  const files = readdirSync(tmpdir())
    .filter((name) => name.startsWith(prefix) && name.endsWith('.tar'))
    .map((name) => ({ path: join(tmpdir(), name), mtime: statSync(join(tmpdir(), name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { path } of files.slice(keep)) rmSync(path, { force: true });
}

/**
 * Drops PostgreSQL's template0 and template1 from a PGlite database about to become a test
 * template. Nothing on PGlite creates a database (a scratch database there is another PGlite), and
 * they are ~600 of a template's ~1,300 files and ~15 of its ~42 MB: every test database unpacked
 * from the template copied them into memory, ~150 ms of CPU of each open's ~400 (measured on this
 * 2-core machine, `PGlite.create` from the template, 10 rounds: 680 → 490 ms). Only the tests'
 * templates: the one a first start unpacks (ADR 0019) keeps PostgreSQL's usual databases. Each is
 * dropped on its own, outside a transaction, as `drop database` must be.
 */
async function dropTemplateDatabases(db: Kysely<DB>): Promise<void> {
  const { rows } = await sql<{ datname: string }>`
    select datname from pg_database where datname in ('template0', 'template1') order by datname`.execute(db);
  for (const { datname } of rows) {
    await sql`alter database ${sql.id(datname)} is_template false`.execute(db);
    await sql`drop database ${sql.id(datname)}`.execute(db);
  }
  await sql`checkpoint`.execute(db);
}

/**
 * A freshly migrated PGlite database (with the demo loaded, or not) as a tarball, made once per
 * key and kept in the system's temporary folder for every test process: starting PGlite from it
 * takes ~1.4 s, against ~6 s for an empty one (initdb) plus the migrations, and loading the demo
 * costs another ~1.7 s. One process makes it while the others wait (`madeOnce`): the suite's
 * shards start together on a fresh machine, and each making its own cost ~3 × 10 s of CPU.
 * The empty one starts from the template `npm install` made for a first start (build/), when
 * it is there, rather than from initdb.
 */
const pgliteTemplates = new Map<string, Promise<Uint8Array>>();
export function pgliteTemplate(demo: boolean): Promise<Uint8Array> {
  const key = templateKey(demo);
  let template = pgliteTemplates.get(key);
  if (!template) {
    const file = join(tmpdir(), `amber-pglite-template-${key}.tar`);
    template = madeOnce(file, async () => {
      const start = demo ? await pgliteTemplate(false) : readPgliteTemplate();
      const handle = await openDatabase<DB>({
        dataDir: 'memory://',
        ...(start ? { loadDataDir: start } : {}),
        sharedBuffers: SMALL_SHARED_BUFFERS,
      });
      try {
        await migrateToLatest(handle.db);
        if (demo) await buildServices(handle).demo.load('test');
        await dropTemplateDatabases(handle.db);
        return new Uint8Array(await (await handle.dumpDataDir!()).arrayBuffer());
      } finally {
        await handle.close();
      }
    }).then((dump) => {
      pruneTemplateFiles(`amber-pglite-template-${demo ? 'demo' : 'empty'}_`, 3);
      return dump;
    });
    pgliteTemplates.set(key, template);
  }
  return template;
}

/** Whether the process `pid` is still running (a lock's holder that died leaves its lock behind). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The contents of `file`, made by `make` in exactly one of the processes that ask at once: the
 * first takes `file.lock` (created exclusively, holding its PID), the others wait for the file; a
 * lock whose process has gone is taken over. Written under a temporary name and renamed, so no
 * process ever reads half a file.
 */
async function madeOnce(file: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (existsSync(file)) return readFileSync(file);
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid));
        closeSync(fd);
        if (existsSync(file)) return readFileSync(file);
        const bytes = await make();
        const partial = `${file}.${process.pid}.partial`;
        writeFileSync(partial, bytes);
        renameSync(partial, file);
        return bytes;
      } finally {
        rmSync(lock, { force: true });
      }
    }
    let holder: number;
    try {
      holder = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue; // released meanwhile: look again
    }
    if (holder > 0 && !running(holder)) rmSync(lock, { force: true });
    else if (Date.now() > deadline) throw new Error(`waited 10 minutes for another test process to make ${file}`);
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The same on the server: a template database (`amber_template_<key>`), made once under an
 * advisory lock by whichever test process needs it first; each test database is a copy of it
 * (CREATE DATABASE … TEMPLATE: a file copy, ~0.2 s), not a new one migrated (~1–2 s) and loaded.
 */
const serverTemplates = new Map<string, Promise<string>>();
function serverTemplate(demo: boolean): Promise<string> {
  const key = templateKey(demo);
  let template = serverTemplates.get(key);
  if (!template) {
    template = (async () => {
      const name = `amber_template_${key}`;
      const admin = await connectAdmin();
      try {
        // One process builds it; the others wait here and find it made.
        await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
        const { rows } = await admin.query('select 1 from pg_database where datname = $1', [name]);
        if (rows.length === 0) {
          const building = `${name}_${process.pid}`;
          await admin.query(`drop database if exists ${building}`);
          if (demo) await admin.query(`create database ${building} template ${await serverTemplate(false)}`);
          else await admin.query(`create database ${building}`);
          const handle = await openDatabase<DB>({ databaseUrl: withDatabase(SERVER_URL, building), poolSize: 2 });
          try {
            await migrateToLatest(handle.db);
            if (demo) await buildServices(handle).demo.load('test');
          } finally {
            await handle.close();
          }
          await waitForNoConnections(admin, building);
          await admin.query(`alter database ${building} rename to ${name}`);
          // Templates of older code: the newest few are kept (another run may still be using one).
          const { rows: old } = await admin.query<{ datname: string }>(
            `select datname from pg_database where datname like $1 and datname <> $2 order by oid desc offset 2`,
            [`amber_template_${demo ? 'demo' : 'empty'}\\_%`, name],
          );
          for (const { datname } of old) await admin.query(`drop database if exists ${datname}`).catch(() => undefined);
        }
        await admin.query('select pg_advisory_unlock(hashtext($1))', [name]);
        return name;
      } finally {
        await admin.end();
      }
    })();
    serverTemplates.set(key, template);
  }
  return template;
}

async function connectAdmin(): Promise<pg.Client> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `The PostgreSQL half of the suite cannot reach ${SERVER_URL} (${(error as Error).message}). Start PostgreSQL (see README) or set TEST_DATABASE_URL.`,
    );
  }
  return admin;
}

/** A pool's connections close asynchronously after `destroy()`: waits until the database has none. */
async function waitForNoConnections(admin: pg.Client, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A name for a test's own database on the server: this process's, and no other test's. */
const scratchDatabaseName = () => `amber_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;

/** Drops a test's database on the server, once its pool has been closed. */
async function dropServerDatabase(name: string): Promise<void> {
  const drop = await connectAdmin();
  try {
    // The pool's connections close asynchronously after `destroy()`: wait for them to go, so a
    // forced drop does not kill a connection that is still closing (an uncaught client error).
    await waitForNoConnections(drop, name);
    await drop.query(`drop database if exists ${name} with (force)`);
  } finally {
    await drop.end();
  }
}

/**
 * An empty database of its own on the server, not migrated (a test that migrates it itself: what a
 * migration leaves from the start, to compare with what its `down` leaves). Dropped by `close`.
 */
export async function openEmptyServerDatabase(): Promise<{ db: Kysely<DB>; close(): Promise<void> }> {
  const name = scratchDatabaseName();
  const admin = await connectAdmin();
  try {
    await admin.query(`create database ${name} template template0`);
  } finally {
    await admin.end();
  }
  const handle = await openDatabase<DB>({ databaseUrl: withDatabase(SERVER_URL, name), poolSize: 2 });
  return {
    db: handle.db,
    async close() {
      await handle.close();
      await dropServerDatabase(name);
    },
  };
}

/**
 * A test database of its own, migrated; with `demo`, the demo organisation is loaded in it (from a
 * template made once, so a test pays for neither the migrations nor the demo).
 */
export async function openTestDatabase(
  engine: Engine,
  serviceOptions: ServiceOptions = {},
  { demo = false, prepareStatements }: { demo?: boolean; prepareStatements?: boolean } = {},
): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const handle = await openDatabase<DB>({
      dataDir: 'memory://',
      loadDataDir: await pgliteTemplate(demo),
      sharedBuffers: SMALL_SHARED_BUFFERS,
      ...(prepareStatements === undefined ? {} : { prepareStatements }),
    });
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
  const name = scratchDatabaseName();
  const admin = await connectAdmin();
  try {
    await admin.query(`create database ${name} template ${await serverTemplate(demo)}`);
  } catch (error) {
    // Another checkout's run on the same server (other code, so other templates) may have dropped
    // this one as older than its newest few: make it again, once.
    if (!/does not exist/.test((error as Error).message)) throw error;
    serverTemplates.delete(templateKey(demo));
    await admin.query(`create database ${name} template ${await serverTemplate(demo)}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(SERVER_URL, name);
  const handle = await openDatabase<DB>({
    databaseUrl: url,
    poolSize: 4,
    ...(prepareStatements === undefined ? {} : { prepareStatements }),
  });
  await migrateToLatest(handle.db);
  return {
    engine,
    db: handle.db,
    units: handle.units,
    services: buildServices(handle, serviceOptions),
    url,
    async close() {
      await handle.close();
      await dropServerDatabase(name);
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
/**
 * Waits (up to 10 s) until a statement of this database whose text contains `statement` waits for
 * a lock (PostgreSQL's `pg_stat_activity`): a race test's proof that the write it races met the
 * other transaction's row lock, not that it ran before or after it.
 */
export async function untilWaitingForLock(db: Kysely<DB>, statement: string): Promise<void> {
  for (let waited = 0; ; waited += 20) {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and strpos(query, ${statement}) > 0`.execute(db);
    if (rows[0]!.n > 0) return;
    if (waited >= 10_000) throw new Error(`no statement containing "${statement}" waited for a lock`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const jobDatabase = (t: Pick<TestDatabase, 'db' | 'units'>) => ({ raw: t.db, db: t.units.db, units: t.units });

/** Loads the demo organisation and returns an actor for it. */
export async function withDemo(t: TestDatabase): Promise<Actor> {
  const { organisation } = await t.services.demo.load('test');
  return systemActor(organisation.id, 'test');
}
