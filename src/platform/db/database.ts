// One way to reach PostgreSQL, two engines: a PostgreSQL server when DATABASE_URL is set, or
// PGlite (PostgreSQL in WASM, in-process) persisted to a folder. Both go through node-postgres
// and Kysely's PostgresDialect so the SQL, the type parsing and the transactions are the same.
// PGlite gets a pool of one connection: that serialises transactions correctly (STACK.md).

import type { Kysely, Transaction } from 'kysely';
import pg from 'pg';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { readPgliteTemplate } from './pglite-template.ts';
import { createUnits, type Units } from './unit-of-work.ts';

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle<DB> {
  /** Pool-level: migrations, the job worker, the health check, who a request is, tests' own SQL. */
  db: Kysely<DB>;
  /** Units of work: every use case's one transaction (`units.run`), and `units.db` for repositories. */
  units: Units<DB>;
  engine: Engine;
  /** Where the data lives, for messages: the folder or the server URL without its password. */
  location: string;
  close(): Promise<void>;
  /** PGlite only: the whole database as a tarball, to start another in-memory one from (tests). */
  dumpDataDir?(compression?: 'none' | 'gzip'): Promise<Blob>;
}

export type Executor<DB> = Kysely<DB> | Transaction<DB>;

const DATE_OID = 1082;
const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Dates stay `YYYY-MM-DD` strings (a Date would shift a day in some time zones); counts become numbers. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value;
    if (oid === INT8_OID) return (value: string) => Number(value);
    if (oid === NUMERIC_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite folder; `memory://` for a throwaway in-memory database (tests). */
  dataDir?: string;
  poolSize?: number;
  /** In-memory PGlite only: start from this tarball (a `dumpDataDir()`) instead of an empty database. */
  loadDataDir?: Blob;
}

export async function openDatabase<DB>(options: OpenOptions): Promise<DatabaseHandle<DB>> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10, types });
    // An idle connection can be cut by the server (restart, failover, admin). The pool replaces
    // it; without a listener node-postgres would crash the whole process instead.
    pool.on('error', (error) =>
      console.error(
        `amber: a database connection was closed by the server (${error.message}); the pool will reconnect`,
      ),
    );
    const { raw: db, units } = createUnits<DB>({ pool });
    return {
      db,
      units,
      engine: 'postgres',
      location: options.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@'),
      close: () => db.destroy(),
    };
  }
  const dataDir = options.dataDir ?? './data';
  const inMemory = dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  if (!inMemory) lock = lockDataDir(dataDir);
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
    // A folder without a database yet starts from the migrated template `npm install` made, when
    // it is there and made from these migrations (pglite-template.ts); otherwise PGlite creates one.
    const template = inMemory
      ? options.loadDataDir
      : existsSync(join(dataDir, 'PG_VERSION'))
        ? undefined
        : readPgliteTemplate();
    const pglite = template
      ? await PGlite.create({ ...(inMemory ? {} : { dataDir }), loadDataDir: template })
      : await PGlite.create(inMemory ? undefined : dataDir);
    const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1, types } as pg.PoolConfig);
    const { raw: db, units } = createUnits<DB>({ pool });
    return {
      db,
      units,
      engine: 'pglite',
      location: inMemory ? 'memory' : dataDir,
      async close() {
        await db.destroy();
        await pglite.close();
        lock?.release();
      },
      dumpDataDir: (compression = 'none') => pglite.dumpDataDir(compression),
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
