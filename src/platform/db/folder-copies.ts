// Scheduled copies of the embedded database (PGlite), for a deployment without a PostgreSQL
// server and its own backup tools (issue 14). When AMBER_BACKUP_DIR is set, the server writes a
// copy of the whole database there once a day — a gzipped tarball of the data folder taken by the
// running database itself (`dumpDataDir`), so it is consistent without stopping Amber — and keeps
// the newest AMBER_BACKUP_KEEP of them. `amber restore-folder FILE` makes a data folder from one.
//
// A copy is due when the newest in the folder is a day old (or there is none): checked shortly
// after start-up and then every hour, so a server restarted every night still makes one a day,
// and one that was down for a week makes one as soon as it is back.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError } from '../../domain/errors.ts';
import { LOCK_FILE, lockDataDir } from './data-dir-lock.ts';
import { startPeriodicChecks, type PeriodicChecks } from '../checks.ts';
import { SMALL_SHARED_BUFFERS, tarball } from './database.ts';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';

const DAY_MS = 24 * 60 * 60_000;

export interface FolderCopiesOptions {
  /** The running database's whole data folder as a gzipped tarball. */
  dump: () => Promise<Blob>;
  dir: string;
  keep: number;
  /** How often to check whether a copy is due (an hour). */
  checkEveryMs?: number;
  /** The first check, after start-up has settled (a minute). */
  firstAfterMs?: number;
  /** How old the newest copy may be before another is made (a day). */
  everyMs?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

/** `runNow` makes a copy if one is due (or `force`); resolves to its path, or undefined if none was due. */
export type FolderCopies = PeriodicChecks<string | undefined>;

/** The copies in `dir`, newest first, with when each was taken (from its name, which says so). */
export function listCopies(dir: string): { path: string; takenAt: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => {
      const stamp = /^amber-data-(\d{4}-\d\d-\d\d)T(\d\d)-(\d\d)-(\d\d)Z\.tar\.gz$/.exec(name);
      return stamp
        ? { path: join(dir, name), takenAt: Date.parse(`${stamp[1]}T${stamp[2]}:${stamp[3]}:${stamp[4]}Z`) }
        : undefined;
    })
    .filter((copy) => copy !== undefined)
    .sort((a, b) => b.takenAt - a.takenAt);
}

export function startFolderCopies(options: FolderCopiesOptions): FolderCopies {
  const now = options.now ?? (() => new Date());
  const everyMs = options.everyMs ?? DAY_MS;
  const log = options.log ?? ((line: string) => console.log(line));
  const copy = async (force: boolean): Promise<string | undefined> => {
    const newest = listCopies(options.dir)[0];
    if (!force && newest && now().getTime() - newest.takenAt < everyMs) return undefined;
    mkdirSync(options.dir, { recursive: true });
    const stamp = now()
      .toISOString()
      .replace(/[:]/g, '-')
      .replace(/\.\d+Z$/, 'Z');
    const path = join(options.dir, `amber-data-${stamp}.tar.gz`);
    const partial = `${path}.partial`;
    const dump = await options.dump();
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    // Renamed when whole, so a copy in the folder is never half written.
    renameSync(partial, path);
    for (const old of listCopies(options.dir).slice(Math.max(1, options.keep))) rmSync(old.path, { force: true });
    log(`Copied the database to ${path} (${(dump.size / 1e6).toFixed(1)} MB; keeping the newest ${options.keep}).`);
    return path;
  };

  return startPeriodicChecks({
    check: copy,
    firstAfterMs: options.firstAfterMs ?? 60_000,
    everyMs: options.checkEveryMs ?? 60 * 60_000,
    failed: (error) => log(`The scheduled copy of the database failed: ${String(error)}`),
  });
}

/** Thrown when a copy would be restored over a folder that already holds a database. */
export class DataFolderInUseError extends AppError {
  constructor(dataDir: string) {
    super(
      'DATA_FOLDER_IN_USE',
      `${dataDir} already holds a database: restore into a new, empty folder (AMBER_DATA_DIR), or move this one aside first. Nothing was changed.`,
    );
  }
}

/**
 * Makes `dataDir` (which must hold no database) a copy of the database in `file`, a copy this
 * module wrote. The restored database is then opened, migrated if it is older, as any data folder.
 *
 * - The folder is locked while it is restored, as a server locks it: a server running on it (or
 *   starting on it meanwhile) and this refuse each other.
 * - The copy is unpacked into a scratch folder beside it and moved into place only once PGlite has
 *   opened it, `PG_VERSION` last (what makes a folder a database to Amber and PGlite): a damaged
 *   or truncated copy leaves the folder as it was, and the command can be run again.
 * - The copy holds the lock file of the server that made it (its PID and host): it is not
 *   restored, or a server on another machine (the point of a copy) would refuse to start, taking
 *   the folder for one in use there.
 */
export async function restoreFolderCopy(file: string, dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) throw new DataFolderInUseError(dataDir);
  const bytes = readFileSync(file);
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b)
    throw new AppError(
      'NOT_A_DATABASE_COPY',
      `${file} is not a copy of the database (a gzipped tarball AMBER_BACKUP_DIR holds). Nothing was changed.`,
    );
  const existed = existsSync(dataDir);
  const lock = lockDataDir(dataDir);
  let scratch: string | undefined;
  try {
    // Checked again now that the folder is this process's: a server may have made it a database.
    if (existsSync(join(dataDir, 'PG_VERSION'))) throw new DataFolderInUseError(dataDir);
    scratch = mkdtempSync(join(dirname(resolve(dataDir)), `.${basename(resolve(dataDir))}.restoring-`));
    const { PGlite } = await import('@electric-sql/pglite');
    try {
      // Unpacked here, not by PGlite: a truncated gzip made PGlite reject a promise no one awaits
      // (the process's unhandled rejection) and start anyway; here it is an error to report.
      const tar = await promisify(gunzip)(bytes);
      // Opened only to see that it opens: PostgreSQL's smallest pool that will do (database.ts).
      const db = await PGlite.create({
        dataDir: scratch,
        loadDataDir: tarball(tar),
        startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${SMALL_SHARED_BUFFERS}`],
      });
      try {
        await db.query('select 1');
      } finally {
        await db.close();
      }
    } catch (error) {
      throw new AppError(
        'NOT_A_DATABASE_COPY',
        `${file} could not be restored: it is damaged or not a whole copy of the database (${error instanceof Error ? error.message : String(error)}). Nothing was changed.`,
      );
    }
    rmSync(join(scratch, LOCK_FILE), { force: true });
    const entries = readdirSync(scratch).filter((name) => name !== 'PG_VERSION');
    for (const name of [...entries, 'PG_VERSION']) renameSync(join(scratch, name), join(dataDir, name));
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
    lock.release();
    // A folder made for the restore (the lock's) goes again when nothing was restored into it.
    if (!existed && readdirSync(dataDir).length === 0) rmdirSync(dataDir);
  }
}
