// Backup and restore of the whole database (issue 14): every table of the current schema, found in
// PostgreSQL's catalogue when the backup is taken (so a table a future migration adds is never
// forgotten), less the credentials `backup-policy.ts` names, in one consistent snapshot, as a
// versioned stream that a newer Amber can restore (migrating on the way). Generic: nothing here
// knows what a council, a report or an organisation is.
//
// The file is gzip'd JSON lines (format version 1):
//
//   {"format":"amber-backup","version":1,"amberVersion":…,"migrations":[…],"createdAt":…,
//    "includesSecrets":false,"excluded":[…],"tables":[…in the order they follow…]}
//   {"table":"organisation","columns":[{"name":"id","type":"uuid"},…]}      a table begins
//   ["6f1c…","Leeds City Council",null,…]                                     one row
//   {"end":"organisation","rows":2,"sha256":"…"}                             a table ends
//   …
//   {"complete":true,"tables":58,"rows":12345}                               nothing is missing
//
// A value is PostgreSQL's own text form of the column (what `col::text` gives with the time zone
// UTC and ISO dates), or null; bytea is base64 (`"encoding":"base64"`). The text form is what
// PostgreSQL reads back exactly for every type — bigint beyond 2^53, numeric with its scale,
// timestamps to the microsecond, jsonb, arrays — so nothing passes through JavaScript's numbers or
// dates. Rows are in primary-key order (text keys compared byte by byte, `collate "C"`), so the
// same data gives the same file on any server; `sha256` is of the table's row lines.
//
// Reading: one REPEATABLE READ, READ ONLY transaction (one snapshot, however long it takes, while
// the app keeps writing) with `row_security = off`, which makes PostgreSQL refuse, rather than
// quietly filter, if the connection were a role that row-level security applies to (ADR 0009: the
// connection's owner role is never filtered; `amber_tenant` would be). Each table is read through a
// cursor in batches of about 4 MB (tables with bytea start one row at a time) and written through
// gzip, so memory grows with the largest row, not with the database.
//
// Restoring: one transaction on one connection, holding Amber's start-up lock (an instance starting
// meanwhile waits, then finds the restored database): check the database is empty, run the
// migrations up to exactly those the backup names (or down to them: a new PGlite folder starts
// migrated, from a template, and an empty database loses nothing going down), load the tables in the file's order (parents
// first, computed from the foreign keys when the backup was taken), with the migrations' own
// triggers off during the load (as pg_dump's --disable-triggers; the tables' owner may) and the
// foreign keys a table-by-table load cannot satisfy — a table referring to itself, a cycle —
// dropped and added back afterwards, which checks every row against them; set the sequences past
// the loaded rows; then run this Amber's newer migrations. Anything wrong — a damaged line, a row
// a constraint refuses, a migration that fails — rolls it all back, migrations included
// (PostgreSQL's DDL is transactional).

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { promises as fs, createReadStream, createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, createGzip } from 'node:zlib';
import { CompiledQuery, FileMigrationProvider, Migrator, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { AppError } from '../../domain/errors.ts';
import {
  deferredForeignKeys,
  dependencyOrder,
  describeTables,
  listColumnSequences,
  listForeignKeys,
  listMaterializedViews,
  listTableNames,
  listUserTriggers,
  quote,
  type CatalogueTable,
} from './backup-catalogue.ts';
import { BOOKKEEPING_TABLES, SECRET_TABLES, WRITTEN_BY_MIGRATIONS } from './backup-policy.ts';
import { openDatabase, SMALL_SHARED_BUFFERS } from './database.ts';
import { MIGRATIONS_DIR, START_UP_LOCK_KEY, migrateToLatest } from './migrate.ts';
import { readPgliteTemplate } from './pglite-template.ts';

export const BACKUP_FORMAT = 'amber-backup';
export const BACKUP_VERSION = 1;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  amberVersion: string;
  /** The migrations applied to the database, in order: a restore runs exactly these first. */
  migrations: string[];
  /** The moment of the snapshot (its transaction's start), UTC. */
  createdAt: string;
  includesSecrets: boolean;
  /** Tables of the database that were left out (credentials, unless `includesSecrets`). */
  excluded: string[];
  /** The tables that follow, in this order (parents before the tables that refer to them). */
  tables: string[];
}

export interface BackupColumn {
  name: string;
  type: string;
  encoding?: 'base64';
}

export interface TableSummary {
  table: string;
  rows: number;
  sha256: string;
}

export class BackupError extends AppError {
  constructor(code: string, message: string) {
    super(code, message, 422);
  }
}

const describeError = (error: unknown) => {
  const e = error as { message?: string; detail?: string };
  return `${e.message ?? String(error)}${e.detail ? ` (${e.detail})` : ''}`;
};

/** Amber's version, from its package.json (the backup's header records it). */
export function amberVersion(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

// ---------------------------------------------------------------------------------------------
// Transactions on one connection

/** Any of Amber's databases: this module reads tables from the catalogue, not from `DB`'s types. */
type Database = Kysely<unknown>;
const untyped = <DB>(db: Kysely<DB>): Database => db as unknown as Database;

/**
 * Runs `fn` on one connection inside a transaction begun with `begin`, committed when `fn`
 * resolves and rolled back when it throws. Kysely's own transactions cannot host its Migrator, so
 * the restore (which migrates inside its transaction) and the backup both use this.
 */
async function onOneConnection<T>(db: Database, begin: string[], fn: (connection: Database) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    for (const statement of begin) await connection.executeQuery(CompiledQuery.raw(statement));
    try {
      const result = await fn(connection);
      await connection.executeQuery(CompiledQuery.raw('commit'));
      return result;
    } catch (error) {
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw error;
    }
  });
}

/** Text forms that read back the same on any server: UTC, ISO dates, every float digit. */
const SESSION_SETTINGS = [
  "set local timezone = 'UTC'",
  "set local datestyle = 'ISO, YMD'",
  "set local intervalstyle = 'postgres'",
  'set local extra_float_digits = 3',
  "set local bytea_output = 'hex'",
  // Refuse (an error) instead of filtering if the role were one row-level security applies to.
  'set local row_security = off',
];

function migrator(db: Database): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
    // The restore's own transaction holds them all (PostgreSQL's DDL is transactional).
    disableTransactions: true,
  });
}

async function knownMigrations(): Promise<string[]> {
  const provider = new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR });
  return Object.keys(await provider.getMigrations()).sort();
}

async function runMigrations(
  run: Promise<{ error?: unknown; results?: { migrationName: string; status: string }[] }>,
): Promise<string[]> {
  const { error, results } = await run;
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new BackupError(
      'RESTORE_MIGRATION_FAILED',
      `Migration ${failed?.migrationName ?? ''} failed during the restore: ${describeError(error)}. Nothing has been changed.`,
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Migrates to exactly `name` (up, or down), in its own transaction. For tests and tools that need a
 * database as an older Amber left it; the restore migrates inside its own transaction instead.
 */
export async function migrateDatabaseTo<DB>(db: Kysely<DB>, name: string): Promise<string[]> {
  const m = new Migrator({
    db: untyped(db),
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
  return runMigrations(m.migrateTo(name));
}

async function appliedMigrations(db: Database, tables: string[]): Promise<string[] | undefined> {
  if (!tables.includes('kysely_migration')) return undefined;
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

// ---------------------------------------------------------------------------------------------
// Writing

const BATCH_BYTES = 4 * 1024 * 1024;

const encodingOf = (column: { bytea: boolean }): BackupColumn['encoding'] => (column.bytea ? 'base64' : undefined);

/**
 * Streams the rows of `tables` (in that order) as lines to `write`, inside the caller's transaction
 * on `connection`; returns each table's row count and hash.
 */
async function dumpTables(
  connection: Database,
  tables: CatalogueTable[],
  write: (line: string) => Promise<void>,
  batchBytes = BATCH_BYTES,
): Promise<TableSummary[]> {
  const summaries: TableSummary[] = [];
  for (const table of tables) {
    const columns: BackupColumn[] = table.columns.map((c) => ({
      name: c.name,
      type: c.type,
      encoding: encodingOf(c),
    }));
    await write(JSON.stringify({ table: table.name, columns }));
    const select = table.columns
      .map((c, i) =>
        c.bytea
          ? `translate(encode(${quote(c.name)}, 'base64'), E'\\n', '') as c${i}`
          : `${quote(c.name)}::text as c${i}`,
      )
      .join(', ');
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    const order =
      table.primaryKey.length > 0
        ? table.primaryKey.map((k) => `${quote(k)}${byName.get(k)!.collatable ? ' collate "C"' : ''}`)
        : table.columns.map((c) => `${quote(c.name)}::text collate "C"`);
    await connection.executeQuery(
      CompiledQuery.raw(
        `declare amber_backup no scroll cursor for select ${select || 'null'} from ${quote(table.name)} order by ${order.join(', ') || '1'}`,
      ),
    );
    const hash = createHash('sha256');
    let rows = 0;
    // A stored file may be megabytes: such tables start one row at a time; then each batch is sized
    // from the rows just read.
    let batch = table.columns.some((c) => c.bytea) ? 1 : 64;
    for (;;) {
      const result = await connection.executeQuery<Record<string, string | null>>(
        CompiledQuery.raw(`fetch forward ${batch} from amber_backup`),
      );
      let bytes = 0;
      for (const row of result.rows) {
        const line = JSON.stringify(table.columns.map((_, i) => row[`c${i}`] ?? null));
        hash.update(line).update('\n');
        bytes += line.length;
        await write(line);
      }
      rows += result.rows.length;
      if (result.rows.length < batch) break;
      batch = Math.max(1, Math.min(10_000, Math.floor(batchBytes / Math.max(1, bytes / result.rows.length))));
    }
    await connection.executeQuery(CompiledQuery.raw('close amber_backup'));
    const summary = { table: table.name, rows, sha256: hash.digest('hex') };
    await write(JSON.stringify({ end: table.name, rows, sha256: summary.sha256 }));
    summaries.push(summary);
  }
  return summaries;
}

/** Which tables a backup carries and in what order, from the catalogue inside the snapshot. */
async function planBackup(connection: Database, includeSecrets: boolean) {
  const names = (await listTableNames(connection)).filter((t) => !BOOKKEEPING_TABLES.includes(t));
  const excluded = includeSecrets ? [] : names.filter((t) => Object.hasOwn(SECRET_TABLES, t));
  const kept = names.filter((t) => !excluded.includes(t));
  const foreignKeys = await listForeignKeys(connection);
  for (const fk of foreignKeys)
    if (kept.includes(fk.table) && excluded.includes(fk.references))
      throw new BackupError(
        'BACKUP_SECRET_REFERENCED',
        `Table ${fk.table} refers to ${fk.references}, which a backup leaves out (${SECRET_TABLES[fk.references]}). Its rows could not be restored: back up with --include-secrets, or change the backup policy (src/platform/db/backup-policy.ts).`,
      );
  const described = await describeTables(connection);
  const order = dependencyOrder(kept, foreignKeys);
  return { excluded, tables: order.map((t) => described.get(t)!) };
}

export interface BackupOptions {
  /** Copy sessions, one-time links and API tokens too (`--include-secrets`). */
  includeSecrets?: boolean;
  /** Rows are fetched in batches of about this many bytes (tests make it small). */
  batchBytes?: number;
}

export interface BackupSummary {
  header: BackupHeader;
  tables: TableSummary[];
  rows: number;
  /** Size of the gzip'd file. */
  bytes: number;
}

/**
 * Writes a backup of the whole database to `file` (written as `file.partial` and renamed at the
 * end, so an interrupted backup never leaves a file that looks whole). `db` must be the
 * connection's owner role (Amber's pool-level handle), never a unit acting for an organisation.
 */
export async function writeBackup<DB>(
  db: Kysely<DB>,
  file: string,
  options: BackupOptions = {},
): Promise<BackupSummary> {
  const includeSecrets = options.includeSecrets ?? false;
  const partial = `${file}.partial`;
  // Only its owner may read it: it holds everything the database does, password hashes included.
  const output = createWriteStream(partial, { mode: 0o600 });
  await once(output, 'open').catch((error: Error) => {
    throw new BackupError('BACKUP_UNWRITABLE', `${file} cannot be written: ${error.message}`);
  });
  const gzip = createGzip();
  const written = pipeline(gzip, output);
  written.catch(() => undefined); // awaited below; an early failure must not be unhandled meanwhile
  const write = async (line: string) => {
    if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
  };
  try {
    const result = await onOneConnection(
      untyped(db),
      ['begin isolation level repeatable read read only', ...SESSION_SETTINGS],
      async (connection) => {
        const names = await listTableNames(connection);
        const migrations = await appliedMigrations(connection, names);
        if (!migrations?.length)
          throw new BackupError(
            'BACKUP_NOT_MIGRATED',
            'This database has never been migrated by Amber: there is nothing to back up.',
          );
        const { rows } = await sql<{ at: string }>`select now()::text as at`.execute(connection);
        const plan = await planBackup(connection, includeSecrets);
        const header: BackupHeader = {
          format: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          amberVersion: amberVersion(),
          migrations,
          createdAt: new Date(rows[0]!.at.replace(' ', 'T').replace(/\+00$/, 'Z')).toISOString(),
          includesSecrets: includeSecrets,
          excluded: plan.excluded,
          tables: plan.tables.map((t) => t.name),
        };
        await write(JSON.stringify(header));
        const tables = await dumpTables(connection, plan.tables, write, options.batchBytes);
        const total = tables.reduce((n, t) => n + t.rows, 0);
        await write(JSON.stringify({ complete: true, tables: tables.length, rows: total }));
        return { header, tables, rows: total };
      },
    );
    gzip.end();
    await written.catch((error: Error) => {
      throw new BackupError('BACKUP_UNWRITABLE', `${file} could not be written: ${error.message}`);
    });
    await fs.rename(partial, file);
    return { ...result, bytes: (await fs.stat(file)).size };
  } catch (error) {
    gzip.destroy();
    await written.catch(() => undefined);
    await fs.rm(partial, { force: true });
    if ((error as { code?: string }).code === '42501' && /row-level security/.test((error as Error).message))
      throw new BackupError(
        'BACKUP_ROW_SECURITY',
        `The backup must read every row as the tables' owner, but row-level security applies to this connection's role (${(error as Error).message}). Run amber backup with the database user Amber migrates with. No backup was written.`,
      );
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

interface Line {
  number: number;
  text: string;
}

/** The file's lines, gunzipped as they stream; a damaged or cut gzip stream is an error naming the line. */
async function* readLines(file: string): AsyncGenerator<Line> {
  const handle = await fs.open(file, 'r').catch((error: Error) => {
    throw new BackupError('BACKUP_UNREADABLE', `${file} cannot be read: ${error.message}`);
  });
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  if (magic[0] !== 0x1f || magic[1] !== 0x8b)
    throw new BackupError(
      'BACKUP_NOT_A_BACKUP',
      `${file} is not an Amber backup (it is not gzip'd; a backup is made by amber backup). Nothing has been changed.`,
    );
  const gunzip = createGunzip();
  const source = createReadStream(file);
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  const decoder = new StringDecoder('utf8');
  // The current line's pieces: a line may be a stored file of many megabytes, so it is joined once
  // when its end arrives rather than searched again with every chunk.
  let pieces: string[] = [];
  let number = 0;
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      const parts = decoder.write(chunk).split('\n');
      for (let i = 0; i < parts.length - 1; i++) {
        pieces.push(parts[i]!);
        const text = pieces.join('');
        pieces = [];
        yield { number: ++number, text };
      }
      pieces.push(parts.at(-1)!);
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      'BACKUP_DAMAGED',
      `${file} is damaged or cut short after line ${number} (${(error as Error).message}). Nothing has been changed.`,
    );
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  const rest = pieces.join('') + decoder.end();
  if (rest !== '') yield { number: number + 1, text: rest };
}

function parseLine(file: string, line: Line, where: string): unknown {
  try {
    return JSON.parse(line.text);
  } catch {
    throw new BackupError(
      'BACKUP_DAMAGED',
      `${file} line ${line.number}${where}: not a line of a backup (${line.text.slice(0, 60)}…). The file is damaged. Nothing has been changed.`,
    );
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function parseHeader(file: string, line: Line | undefined): BackupHeader {
  const header = line ? parseLine(file, line, '') : undefined;
  if (!isObject(header) || header.format !== BACKUP_FORMAT)
    throw new BackupError(
      'BACKUP_NOT_A_BACKUP',
      `${file} is not an Amber backup (its first line is not a backup header). Nothing has been changed.`,
    );
  if (header.version !== BACKUP_VERSION)
    throw new BackupError(
      'BACKUP_TOO_NEW',
      `${file} is a backup in format version ${String(header.version)}, made by Amber ${String(header.amberVersion)}; this Amber (${amberVersion()}) reads version ${BACKUP_VERSION}. Restore it with that Amber or a newer one. Nothing has been changed.`,
    );
  if (
    typeof header.amberVersion !== 'string' ||
    !isStrings(header.migrations) ||
    header.migrations.length === 0 ||
    typeof header.createdAt !== 'string' ||
    typeof header.includesSecrets !== 'boolean' ||
    !isStrings(header.excluded) ||
    !isStrings(header.tables) ||
    new Set(header.tables).size !== header.tables.length
  )
    throw new BackupError(
      'BACKUP_DAMAGED',
      `${file} line 1: the backup header is incomplete. The file is damaged. Nothing has been changed.`,
    );
  return header as unknown as BackupHeader;
}

/**
 * Reads and checks `file`'s header alone: that it is a backup, in a format and at migrations this
 * Amber reads. The commands check a file so before they open (or make) any database, so a missing
 * file, or one that is not a backup, changes nothing; its rows are checked as they are restored.
 */
export async function readBackupHeader(file: string): Promise<BackupHeader> {
  const lines = readLines(file);
  try {
    const header = parseHeader(file, (await lines.next()).value as Line | undefined);
    checkMigrations(file, header, await knownMigrations());
    return header;
  } finally {
    await lines.return(undefined);
  }
}

/** The migrations must be this Amber's, in its order: a newer Amber's backup is refused by name. */
function checkMigrations(file: string, header: BackupHeader, known: string[]): void {
  const unknown = header.migrations.filter((m) => !known.includes(m));
  if (unknown.length > 0)
    throw new BackupError(
      'BACKUP_TOO_NEW',
      `${file} was made by a newer Amber (${header.amberVersion}; this is ${amberVersion()}): its database had migrations this Amber does not know (${unknown.join(', ')}). Restore it with Amber ${header.amberVersion} or newer. Nothing has been changed.`,
    );
  const prefix = known.slice(0, header.migrations.length);
  if (prefix.some((m, i) => m !== header.migrations[i]))
    throw new BackupError(
      'BACKUP_MIGRATIONS_DIFFER',
      `${file} was made from a database whose migrations were not applied in this Amber's order (it lacks ${prefix.filter((m) => !header.migrations.includes(m)).join(', ')}). Nothing has been changed.`,
    );
}

/**
 * Refuses anything but an empty database: no tables at all (a new PostgreSQL database), or migrated
 * by this Amber with no rows yet. Says whether it is migrated further than the backup.
 */
async function checkEmpty(connection: Database, header: BackupHeader, known: string[]): Promise<boolean> {
  const tables = await listTableNames(connection);
  if (tables.length === 0) return false;
  const applied = await appliedMigrations(connection, tables);
  if (!applied)
    throw new BackupError(
      'RESTORE_NOT_EMPTY',
      `This database is not empty: it has tables Amber's migrations did not make (${tables.slice(0, 10).join(', ')}). Restore into a new, empty database. Nothing has been changed.`,
    );
  const unknown = applied.filter((m) => !known.includes(m));
  if (unknown.length > 0)
    throw new BackupError(
      'RESTORE_DATABASE_NEWER',
      `This database was migrated by a newer Amber (it has ${unknown.join(', ')}, which this Amber does not know). Restore into a new database, or with that Amber. Nothing has been changed.`,
    );
  const present: string[] = [];
  for (const table of tables) {
    if (BOOKKEEPING_TABLES.includes(table) || WRITTEN_BY_MIGRATIONS.includes(table)) continue;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(connection);
    if (rows[0]!.n > 0) present.push(`${table} (${rows[0]!.n} row${rows[0]!.n === 1 ? '' : 's'})`);
  }
  if (present.length > 0)
    throw new BackupError(
      'RESTORE_NOT_EMPTY',
      `This database is not empty: ${present.slice(0, 8).join(', ')}${present.length > 8 ? ` and ${present.length - 8} more tables` : ''} hold rows. A backup is restored only into an empty database: create a new one (or point AMBER_DATA_DIR at a new folder) and restore there. Nothing has been changed.`,
    );
  return applied.some((m) => !header.migrations.includes(m));
}

/** One table's batched insert: every value arrives as text (one array per column) and is cast by PostgreSQL. */
function insertStatement(table: CatalogueTable): string {
  const columns = table.columns.map((c) => quote(c.name)).join(', ');
  const values = table.columns.map((c, i) => (c.bytea ? `decode(u.c${i}, 'base64')` : `u.c${i}::${c.type}`)).join(', ');
  const arrays = table.columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const aliases = table.columns.map((_, i) => `c${i}`).join(', ');
  return `insert into ${quote(table.name)} (${columns}) overriding system value select ${values} from unnest(${arrays}) as u(${aliases})`;
}

export interface RestoreOptions extends ScratchOptions {
  /** Run this Amber's newer migrations after loading (default). Verify stops before, to compare. */
  upgrade?: boolean;
  /** Rows are inserted in batches of about this many bytes. */
  batchBytes?: number;
}

export interface RestoreSummary {
  header: BackupHeader;
  /** Each table as the file holds it (checked against the file's own counts and hashes). */
  tables: TableSummary[];
  rows: number;
  /** Migrations run after loading, to bring the backup up to this Amber. */
  upgradedBy: string[];
  /** Where an older backup was brought up to date first, when the database was already migrated further. */
  throughScratch?: string;
}

/**
 * Restores `file` into the empty database behind `db` (the connection's owner role), all or
 * nothing. Refuses a database that is not empty, a backup from a newer Amber, and a damaged file,
 * naming the line and table.
 *
 * An empty database may already be migrated further than the backup: a new PGlite folder starts
 * from a migrated template, and `amber migrate` may have run on a new server database. Migrations
 * only go forward here (not every `down` can undo its `up`), so the backup is then restored into a
 * scratch database first (as `--verify` does), migrated there to this Amber, and copied from it.
 */
export async function restoreBackup<DB>(
  db: Kysely<DB>,
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreSummary> {
  const lines = readLines(file);
  try {
    const header = parseHeader(file, (await lines.next()).value as Line | undefined);
    const known = await knownMigrations();
    checkMigrations(file, header, known);
    if (await checkEmpty(untyped(db), header, known)) {
      await lines.return(undefined);
      return await restoreThroughScratch(untyped(db), file, options);
    }
    return await onOneConnection(untyped(db), ['begin', ...SESSION_SETTINGS], async (connection) => {
      // An instance starting meanwhile waits (it takes this lock to migrate and load the demo), then
      // finds the restored database rather than an empty one to fill.
      await sql`select pg_advisory_xact_lock(${sql.lit(START_UP_LOCK_KEY)})`.execute(connection);
      if (await checkEmpty(connection, header, known))
        throw new BackupError(
          'RESTORE_DATABASE_CHANGED',
          'The database was migrated while the restore began (is Amber starting on it?). Stop it and restore again. Nothing has been changed.',
        );
      await runMigrations(migrator(connection).migrateTo(header.migrations.at(-1)!));
      const loaded = await load(connection, file, header, lines, options.batchBytes ?? BATCH_BYTES);
      const upgradedBy = options.upgrade === false ? [] : await runMigrations(migrator(connection).migrateToLatest());
      return { header, ...loaded, upgradedBy };
    });
  } finally {
    await lines.return(undefined);
  }
}

/** The backup restored and migrated in a scratch database, then copied from there into `db` (all or nothing). */
async function restoreThroughScratch(db: Database, file: string, options: RestoreOptions): Promise<RestoreSummary> {
  // Blank (never the template): the backup is older than this Amber's migrations, which it holds.
  const scratch = await (options.openScratch ?? (() => openScratch(options.databaseUrl)))();
  const folder = await fs.mkdtemp(path.join(tmpdir(), 'amber-restore-'));
  let open = true;
  try {
    // The scratch database is new, so this restore migrates up (and never comes back here).
    const first = await restoreBackup(scratch.db, file, { batchBytes: options.batchBytes });
    if (first.throughScratch) throw new Error('the scratch database for a restore must be new and empty');
    const upgraded = path.join(folder, 'upgraded.backup.gz');
    await writeBackup(scratch.db, upgraded, { includeSecrets: true, batchBytes: options.batchBytes });
    await scratch.close();
    open = false;
    const second = await restoreBackup(db, upgraded, { batchBytes: options.batchBytes });
    if (second.throughScratch) throw new Error('the database was migrated further while it was restored');
    return { ...first, throughScratch: scratch.label };
  } finally {
    if (open) await scratch.close();
    await fs.rm(folder, { recursive: true, force: true });
  }
}

async function load(
  connection: Database,
  file: string,
  header: BackupHeader,
  lines: AsyncGenerator<Line>,
  batchBytes: number,
): Promise<{ tables: TableSummary[]; rows: number }> {
  const run = (statement: string, parameters: unknown[] = []) =>
    connection.executeQuery(CompiledQuery.raw(statement, parameters));
  const refuse: (message: string) => never = (message) => {
    throw new BackupError('BACKUP_DAMAGED', `${file}: ${message} Nothing has been changed.`);
  };
  let last = 1;
  const fail: (line: Line | undefined, where: string, message: string) => never = (line, where, message) => {
    throw new BackupError(
      'BACKUP_DAMAGED',
      `${file} ${line ? `line ${line.number}` : `after line ${last}`}${where}: ${message} Nothing has been changed.`,
    );
  };

  // The database now has exactly the backup's schema: the file must describe it.
  const catalogue = await describeTables(connection);
  const names = [...catalogue.keys()].filter((t) => !BOOKKEEPING_TABLES.includes(t));
  for (const table of header.tables)
    if (!catalogue.has(table))
      refuse(`the backup holds table ${table}, which the database, migrated as the backup's was, does not have.`);
  const missing = names.filter((t) => !header.tables.includes(t) && !header.excluded.includes(t));
  if (missing.length > 0)
    refuse(
      `the database has table ${missing.join(', ')}, which the backup neither holds nor lists as left out: it is incomplete, or the database is not Amber's.`,
    );

  // Rows the migrations wrote (the database was empty before them) make way for the backup's.
  const triggers = (await listUserTriggers(connection)).filter((t) => header.tables.includes(t.table));
  for (const t of triggers) await run(`alter table ${quote(t.table)} disable trigger ${quote(t.trigger)}`);
  for (const table of [...header.tables].reverse()) await run(`delete from ${quote(table)}`);
  const deferred = deferredForeignKeys(header.tables, await listForeignKeys(connection));
  for (const fk of deferred) await run(`alter table ${quote(fk.table)} drop constraint ${quote(fk.name)}`);

  const summaries: TableSummary[] = [];
  let line: Line | undefined;
  const next = async () => {
    const result = await lines.next();
    line = result.done ? undefined : result.value;
    if (line) last = line.number;
    return line;
  };
  for (const name of header.tables) {
    const table = catalogue.get(name)!;
    const where = ` (table ${name})`;
    const start = (await next())
      ? parseLine(file, line!, where)
      : fail(line, where, 'the file ends before this table.');
    const expected: BackupColumn[] = table.columns.map((c) => ({
      name: c.name,
      type: c.type,
      encoding: encodingOf(c),
    }));
    if (!isObject(start) || start.table !== name)
      fail(
        line,
        where,
        `expected the start of table ${name} (table ${header.tables.indexOf(name) + 1} of ${header.tables.length}).`,
      );
    if (JSON.stringify(start.columns) !== JSON.stringify(expected))
      fail(
        line,
        where,
        `its columns (${JSON.stringify(start.columns)}) are not those the backup's migrations make (${JSON.stringify(expected)}).`,
      );
    const statement = insertStatement(table);
    const hash = createHash('sha256');
    let rows = 0;
    let batch: (string | null)[][] = table.columns.map(() => []);
    let batchRows = 0;
    let bytes = 0;
    let first = 0;
    const flush = async () => {
      if (batchRows === 0) return;
      try {
        await run(statement, batch);
      } catch (error) {
        refuse(`lines ${first}–${first + batchRows - 1} (table ${name}) were refused: ${describeError(error)}.`);
      }
      batch = table.columns.map(() => []);
      batchRows = 0;
      bytes = 0;
    };
    for (;;) {
      if (!(await next())) fail(line, where, 'the file ends inside this table: it is incomplete.');
      const text = line!.text;
      if (!text.startsWith('[')) break;
      const values = parseLine(file, line!, where);
      if (!Array.isArray(values) || values.length !== table.columns.length)
        fail(line, where, `a row must have ${table.columns.length} values, one per column.`);
      if (!(values as unknown[]).every((v) => v === null || typeof v === 'string'))
        fail(line, where, 'a value must be text or null.');
      hash.update(text).update('\n');
      if (batchRows === 0) first = line!.number;
      (values as (string | null)[]).forEach((v, i) => batch[i]!.push(v));
      batchRows++;
      rows++;
      bytes += text.length;
      if (bytes >= batchBytes || batchRows >= 10_000) await flush();
    }
    await flush();
    const end = parseLine(file, line!, where);
    const sha256 = hash.digest('hex');
    if (!isObject(end) || end.end !== name) fail(line, where, `expected the end of table ${name}.`);
    else if (end.rows !== rows || end.sha256 !== sha256)
      fail(
        line,
        where,
        `the table should hold ${String(end.rows)} rows with hash ${String(end.sha256)}, but the file holds ${rows} rows with hash ${sha256}: the file is damaged.`,
      );
    summaries.push({ table: name, rows, sha256 });
  }
  const total = summaries.reduce((n, t) => n + t.rows, 0);
  const trailer = (await next()) ? parseLine(file, line!, '') : fail(line, '', 'the file ends before its last line.');
  if (!isObject(trailer) || trailer.complete !== true || trailer.tables !== summaries.length || trailer.rows !== total)
    fail(line, '', 'expected the backup\'s last line ({"complete":true,…}) with its counts.');
  while (await next()) if (line!.text.trim() !== '') fail(line, '', 'the file goes on after its last line.');

  for (const fk of deferred)
    try {
      await run(`alter table ${quote(fk.table)} add constraint ${quote(fk.name)} ${fk.definition}`);
    } catch (error) {
      refuse(`the rows of ${fk.table} break its foreign key ${fk.name}: ${describeError(error)}.`);
    }
  for (const t of triggers) await run(`alter table ${quote(t.table)} enable trigger ${quote(t.trigger)}`);
  for (const s of await listColumnSequences(connection))
    if (header.tables.includes(s.table))
      await run(
        `select setval($1::regclass, m) from (select max(${quote(s.column)}) as m from ${quote(s.table)}) x
         where m >= (select seqmin from pg_sequence where seqrelid = $1::regclass)`,
        [quote(s.sequence)],
      );
  // Nothing today, but a materialized view a migration makes would otherwise show the empty tables.
  for (const view of await listMaterializedViews(connection)) await run(`refresh materialized view ${quote(view)}`);
  return { tables: summaries, rows: total };
}

// ---------------------------------------------------------------------------------------------
// Verifying

export interface Scratch {
  db: Database;
  /** For the report: `PGlite in memory`, `PostgreSQL database NAME (dropped afterwards)`. */
  label: string;
  close(): Promise<void>;
}

/** Where a scratch database is made (verify, and restoring an older backup into a migrated database). */
export interface ScratchOptions {
  /** A new database on this PostgreSQL server (created and dropped); unset: PGlite in memory. */
  databaseUrl?: string | undefined;
  /** Opens the scratch database instead (tests start PGlite from a copy rather than creating one). */
  openScratch?: () => Promise<Scratch>;
}

export type VerifyOptions = ScratchOptions;

export interface VerifyResult {
  ok: boolean;
  header: BackupHeader;
  /** Where the scratch database was: `PGlite in memory` or `PostgreSQL database NAME`. */
  scratch: string;
  tables: { table: string; backup: TableSummary; restored: TableSummary | undefined; matches: boolean }[];
  rows: number;
  /** The migrations this Amber ran on the restored copy after comparing it. */
  upgradedBy: string[];
}

/**
 * Restores `file` into a scratch database, reads every table back and compares it with the file
 * (row counts and the hash of the rows), then migrates the copy to this Amber's latest. Changes
 * nothing in the real database.
 */
export async function verifyBackup(file: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  // The file first: one that is not a backup is refused before a scratch database is made.
  const { migrations } = await readBackupHeader(file);
  const scratch = await (options.openScratch ?? (() => openScratch(options.databaseUrl, migrations)))();
  try {
    const restored = await restoreBackup(scratch.db, file, { upgrade: false });
    const copy = await onOneConnection(
      scratch.db,
      ['begin isolation level repeatable read read only', ...SESSION_SETTINGS],
      async (connection) => {
        const catalogue = await describeTables(connection);
        return dumpTables(
          connection,
          restored.header.tables.map((t) => catalogue.get(t)!),
          async () => undefined,
        );
      },
    );
    const tables = restored.tables.map((backup) => {
      const again = copy.find((t) => t.table === backup.table);
      return {
        table: backup.table,
        backup,
        restored: again,
        matches: again?.rows === backup.rows && again.sha256 === backup.sha256,
      };
    });
    const upgradedBy = await migrateToLatest(scratch.db);
    return {
      ok: tables.every((t) => t.matches),
      header: restored.header,
      scratch: scratch.label,
      tables,
      rows: restored.rows,
      upgradedBy,
    };
  } finally {
    await scratch.close();
  }
}

/**
 * The migrated, empty PGlite template `npm install` made (pglite-template.ts), when a scratch
 * database is to start at exactly `migrations` and the template is this code's: it holds every
 * migration, so it starts there, and unpacking it (~1 s) saves creating a database and running
 * every migration (~4 s of a ~7 s `amber backup --verify` on the demo, bench/README.md). Otherwise
 * (an older backup, or no template for these migrations) undefined: the scratch is created blank.
 */
export async function scratchTemplate(migrations: readonly string[]): Promise<Blob | undefined> {
  const known = await knownMigrations();
  if (migrations.length !== known.length || migrations.some((m, i) => m !== known[i])) return undefined;
  return readPgliteTemplate();
}

/**
 * A new, empty database to restore into: on PGlite in memory, at `migrations` (from the template,
 * see `scratchTemplate`) or blank; on a server, a new database, blank.
 */
async function openScratch(serverUrl: string | undefined, migrations: readonly string[] = []): Promise<Scratch> {
  if (!serverUrl) {
    const template = await scratchTemplate(migrations);
    const handle = await openDatabase<unknown>({
      dataDir: 'memory://',
      sharedBuffers: SMALL_SHARED_BUFFERS,
      ...(template ? { loadDataDir: template } : {}),
    });
    return { db: handle.db, label: 'PGlite in memory', close: () => handle.close() };
  }
  const name = `amber_verify_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${quote(name)}`);
  } catch (error) {
    throw new BackupError(
      'BACKUP_NO_SCRATCH',
      `This needs a scratch database (--verify restores into one; so does restoring an older backup into a database already migrated further), and the server refused to create one (${describeError(error)}). Give Amber's database user CREATEDB, or restore into a database nobody has migrated. Nothing has been changed.`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase<unknown>({ databaseUrl: url.toString(), poolSize: 2 });
  return {
    db: handle.db,
    label: `PostgreSQL database ${name} (dropped afterwards)`,
    async close() {
      await handle.close();
      const drop = new pg.Client({ connectionString: serverUrl });
      await drop.connect();
      try {
        await drop.query(`drop database if exists ${quote(name)} with (force)`);
      } finally {
        await drop.end();
      }
    },
  };
}
