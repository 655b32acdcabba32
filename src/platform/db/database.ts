// One way to reach PostgreSQL, two engines: a PostgreSQL server when DATABASE_URL is set, or
// PGlite (PostgreSQL in WASM, in-process) persisted to a folder. Both go through node-postgres
// and Kysely's PostgresDialect so the SQL, the type parsing and the transactions are the same.
// PGlite gets a pool of one connection: that serialises transactions correctly (STACK.md).

import type { Kysely, Transaction } from 'kysely';
import pg from 'pg';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE, lockDataDir, type DataDirLock } from './data-dir-lock.ts';
import { pgliteTemplateFolder, readPgliteTemplate, type PgliteTemplateKind } from './pglite-template.ts';
import { createUnits, type Units } from './unit-of-work.ts';
import { preparingClient, StatementNames } from './prepared-statements.ts';
import { pgliteConfig } from './pglite-connection.ts';
import { memoryFromTarball } from './pglite-memory-from-tarball.ts';

export type Engine = 'pglite' | 'postgres';

export interface DatabaseHandle<DB> {
  /** Pool-level: migrations, the job worker, the health check, who a request is, tests' own SQL. */
  db: Kysely<DB>;
  /** Units of work: every use case's one transaction (`units.run`), and `units.db` for repositories. */
  units: Units<DB>;
  engine: Engine;
  /** The connection pool (one connection on PGlite), for its use in the metrics. */
  pool: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount' | 'options'>;
  /** Where the data lives, for messages: the folder or the server URL without its password. */
  location: string;
  close(): Promise<void>;
  /** PGlite only: the whole database as a tarball, to start another in-memory one from (tests). */
  dumpDataDir?(compression?: 'none' | 'gzip'): Promise<Blob>;
  /** PGlite only: the template a folder without a database was started from on this open, if any. */
  template?: PgliteTemplateKind;
  /** With `template`: copied from its unpacked folder, or unpacked from its tarball by PGlite. */
  templateFrom?: 'folder' | 'tarball';
}

export type Executor<DB> = Kysely<DB> | Transaction<DB>;

/** A statement as it was sent to PostgreSQL: its text and parameters. */
export interface ObservedStatement {
  sql: string;
  parameters: readonly unknown[];
}
export type StatementObserver = (statement: ObservedStatement) => void;

/**
 * Who is watching the statements of each database `openDatabase` opened, by its pool-level Kysely.
 * Tests and benchmarks count (and compare) what a request sends, on both engines (see
 * `observeStatements`). Nothing is wrapped while nobody watches: a connection's `query` is
 * replaced only while there is an observer, and put back when the last one stops.
 */
class StatementWatch {
  readonly #observers = new Set<StatementObserver>();
  /** The pool's connections, open or idle (a wrapped one keeps its own `query` as an own property). */
  readonly #clients = new Set<pg.Client>();

  constructor(pool: pg.Pool) {
    pool.on('connect', (client) => {
      this.#clients.add(client);
      if (this.#observers.size > 0) this.#wrap(client);
    });
    pool.on('remove', (client) => this.#clients.delete(client));
  }

  observe(observer: StatementObserver): () => void {
    this.#observers.add(observer);
    if (this.#observers.size === 1) for (const client of this.#clients) this.#wrap(client);
    return () => {
      if (!this.#observers.delete(observer) || this.#observers.size > 0) return;
      for (const client of this.#clients) delete (client as { query?: unknown }).query;
    };
  }

  #wrap(client: pg.Client): void {
    if (Object.hasOwn(client, 'query')) return;
    const observers = this.#observers;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- applied with its own `this` below
    const query = client.query;
    (client as { query: unknown }).query = function observed(this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string; values?: unknown[] } | undefined;
      const statement: ObservedStatement = {
        sql: typeof first === 'string' ? first : (first?.text ?? ''),
        parameters: Array.isArray(args[1]) ? args[1] : typeof first === 'object' ? (first?.values ?? []) : [],
      };
      for (const observer of observers) observer(statement);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

const watches = new WeakMap<object, StatementWatch>();

/**
 * Calls `observer` with every statement sent to the database `db` belongs to (the `db` of a handle
 * `openDatabase` returned): the units of work's (BEGIN and COMMIT included) and the pool-level
 * ones alike, on PGlite and on a server. Returns the function that stops observing. For tests and
 * benchmarks; costs nothing while no one observes.
 */
export function observeStatements<DB>(db: Kysely<DB>, observer: StatementObserver): () => void {
  const watch = watches.get(db);
  if (!watch) throw new Error('observeStatements: this Kysely instance was not opened by openDatabase');
  return watch.observe(observer);
}

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
  /**
   * In-memory PGlite only: start from this tarball (a `dumpDataDir()`) instead of an empty
   * database. Bytes are handed to PGlite as they are (see `tarball`); a Blob is read first.
   */
  loadDataDir?: Blob | Uint8Array;
  /**
   * PGlite only: PostgreSQL's `shared_buffers` for this start (the folder's own setting, 128MB,
   * otherwise). PGlite sets the whole of it up in its WebAssembly memory as it starts: ~0.8 s of
   * a ~1.2 s start at 128MB, ~0.05 s at 16MB. A short-lived process (a CLI command, a test's
   * database) reads far less than that and starts 3× faster with `SMALL_SHARED_BUFFERS`; a server
   * keeps the default, which holds more of a large organisation in memory.
   */
  sharedBuffers?: string;
  /**
   * PGlite folder without a database: the template to start it from (pglite-template.ts), the
   * migrated empty database (the default) or the same with the demo loaded, when `npm install`
   * made one from this code; otherwise the empty one, and otherwise PGlite creates the database.
   */
  template?: PgliteTemplateKind;
  /**
   * Statements with parameters prepared once per connection (prepared-statements.ts): on by
   * default on PGlite, off on a server (a pooler in transaction mode, another instance's
   * migrations). Benchmarks compare both.
   */
  prepareStatements?: boolean;
}

/** Enough for a command or a test: PostgreSQL works the same, with fewer pages held in memory. */
export const SMALL_SHARED_BUFFERS = '16MB';

/**
 * Bytes as the Blob PGlite's `loadDataDir` reads (it asks only for `arrayBuffer()`, and copies
 * each file out of it into its own file system: it never writes into the bytes it is given).
 * Node's own Blob copies its contents in chunks on every read (~0.25 s for a 44 MB template on
 * this machine); this one hands over the same bytes, so many databases can start from one
 * template held in memory. The bytes are copied only when they are a part of a larger buffer
 * (a pooled Buffer); a whole file read into memory is handed over as it is — copying the 44 MB
 * template for each test database was a fifth of the database's start.
 */
export function tarball(bytes: Uint8Array, type = 'application/x-tar'): Blob {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  const buffer = (
    whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  ) as ArrayBuffer;
  return new (class extends Blob {
    override get size(): number {
      return buffer.byteLength;
    }
    override arrayBuffer(): Promise<ArrayBuffer> {
      return Promise.resolve(buffer);
    }
  })([], { type });
}

/**
 * Copies an unpacked template (a closed PGlite data folder) into a new data folder this process has
 * locked: every entry but PG_VERSION first, then PG_VERSION, which makes the folder a database. A
 * copy that fails takes back what it copied, so the folder is new again for the next start. (Files
 * of the same names already there are overwritten, as PGlite's unpacking of the tarball does.)
 */
function copyTemplateFolder(template: string, dataDir: string): void {
  const names = readdirSync(template).filter((name) => name !== 'PG_VERSION' && name !== LOCK_FILE);
  const copied: string[] = [];
  try {
    for (const name of [...names, 'PG_VERSION']) {
      copied.push(name);
      cpSync(join(template, name), join(dataDir, name), { recursive: true });
    }
  } catch (error) {
    for (const name of copied.reverse()) rmSync(join(dataDir, name), { recursive: true, force: true });
    throw error;
  }
}

export async function openDatabase<DB>(options: OpenOptions): Promise<DatabaseHandle<DB>> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      types,
      ...(options.prepareStatements ? { Client: preparingClient(new StatementNames()) } : {}),
    });
    // An idle connection can be cut by the server (restart, failover, admin). The pool replaces
    // it; without a listener node-postgres would crash the whole process instead.
    pool.on('error', (error) =>
      console.error(
        `amber: a database connection was closed by the server (${error.message}); the pool will reconnect`,
      ),
    );
    const { raw: db, units } = createUnits<DB>({ pool });
    watches.set(db, new StatementWatch(pool));
    return {
      db,
      units,
      pool,
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
    const { PGlite, MemoryFS } = await import('@electric-sql/pglite');
    // A folder without a database yet starts from the migrated template `npm install` made, when
    // it is there and made from these migrations (pglite-template.ts): the demo's when asked for,
    // else the empty one; each copied from its unpacked folder, or else unpacked from its tarball.
    // Otherwise PGlite creates the database.
    const fresh = !inMemory && !existsSync(join(dataDir, 'PG_VERSION'));
    let startedFrom: PgliteTemplateKind | undefined;
    let copied = false;
    // Bytes of a tarball in memory (a test's template, a backup being checked) are put straight
    // into the new file system, which PGlite's own unpacking does at several times the cost; what
    // that cannot take (gzip, links) is left to PGlite.
    const filled =
      inMemory && options.loadDataDir instanceof Uint8Array
        ? memoryFromTarball(MemoryFS, options.loadDataDir)
        : undefined;
    let template: Blob | undefined =
      inMemory && !filled
        ? options.loadDataDir instanceof Uint8Array
          ? tarball(options.loadDataDir)
          : options.loadDataDir
        : undefined;
    if (fresh)
      for (const kind of options.template === 'demo' ? (['demo', 'empty'] as const) : (['empty'] as const)) {
        const folder = pgliteTemplateFolder(kind);
        if (folder) copyTemplateFolder(folder, dataDir);
        else template = readPgliteTemplate(kind);
        if (folder || template) {
          startedFrom = kind;
          copied = Boolean(folder);
          break;
        }
      }
    const pglite = await PGlite.create({
      ...(inMemory ? {} : { dataDir }),
      ...(filled ? { fs: filled } : {}),
      ...(template ? { loadDataDir: template } : {}),
      ...(options.sharedBuffers
        ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`] }
        : {}),
    });
    // Statements with parameters are prepared once (prepared-statements.ts): on PGlite parsing and
    // planning run in this process and were half of a typical query's CPU.
    // node-postgres's own protocol parser reads PGlite's answers (pglite-connection.ts).
    const connection = pgliteConfig(pglite);
    const pool = new pg.Pool({
      ...connection,
      max: 1,
      types,
      ...(options.prepareStatements === false ? {} : { Client: preparingClient(new StatementNames()) }),
    } as pg.PoolConfig);
    const { raw: db, units } = createUnits<DB>({ pool });
    watches.set(db, new StatementWatch(pool));
    return {
      db,
      units,
      pool,
      engine: 'pglite',
      location: inMemory ? 'memory' : dataDir,
      async close() {
        await db.destroy();
        await connection.connection.drained();
        await pglite.close();
        lock?.release();
      },
      dumpDataDir: (compression = 'none') => pglite.dumpDataDir(compression),
      ...(startedFrom
        ? { template: startedFrom, templateFrom: copied ? ('folder' as const) : ('tarball' as const) }
        : {}),
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}
