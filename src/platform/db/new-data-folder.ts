// A command that fails leaves a data folder as it found it. On PGlite, opening a folder that holds
// no database makes one there (from the migrated template): a command that then failed, say a
// restore of a backup cut short, left a new empty database behind while saying "Nothing has been
// changed", and the next `amber serve` started on it instead of loading the demo. Nothing anyone
// saved can be in a database the failed command itself made, so it is removed again.

import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from './data-dir-lock.ts';

export interface NewDataFolder {
  /**
   * After a failed command: removes the database the command made in the folder (and the folder,
   * if it made that too). Says whether it removed anything. Call it once the command has closed
   * its database; a folder another process has started using since is left alone.
   */
  undo(): boolean;
}

/**
 * Notes whether `dir` is new (no folder, or an empty one), before a command opens it. For a folder
 * that already holds anything, there is nothing to undo: `undefined`.
 */
export function watchNewDataFolder(dir: string): NewDataFolder | undefined {
  const existed = existsSync(dir);
  if (existed && readdirSync(dir).length > 0) return undefined;
  return {
    undo() {
      if (!existsSync(dir)) return false;
      let lock;
      try {
        lock = lockDataDir(dir);
      } catch (error) {
        // Another process has the folder now: it is its, not this command's, to keep.
        if (error instanceof DataDirLockedError) return false;
        throw error;
      }
      let removed = false;
      try {
        // PG_VERSION first: it is what makes the folder a database (a restore writes it last), so
        // a removal cut short leaves a folder the next start treats as new, never a broken database.
        for (const name of ['PG_VERSION', ...readdirSync(dir).filter((n) => n !== 'PG_VERSION' && n !== LOCK_FILE)]) {
          if (!existsSync(join(dir, name))) continue;
          rmSync(join(dir, name), { recursive: true, force: true });
          removed = true;
        }
      } finally {
        lock.release();
      }
      if (!existed && readdirSync(dir).length === 0) {
        rmdirSync(dir);
        removed = true;
      }
      return removed;
    },
  };
}
