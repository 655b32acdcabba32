// Two processes on one PGlite folder silently lose committed rows (STACK.md), so Amber holds a
// lock file in its data folder and refuses a second instance. The lock records the holder's PID;
// a lock left by a process that no longer exists (killed, crashed) is taken over.

import { mkdirSync, openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';

export class DataDirLockedError extends Error {}

/** The lock file's name in the data folder. */
export const LOCK_FILE = 'amber.lock';

export interface DataDirLock {
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockDataDir(dir: string): DataDirLock {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid: number };
          if (holder.pid === process.pid) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: { pid?: number; host?: string; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        /* half-written: treat as stale */
      }
      const sameHost = !holder.host || holder.host === hostname();
      if (holder.pid && holder.pid !== process.pid && sameHost && alive(holder.pid)) {
        throw new DataDirLockedError(
          `Another Amber process (PID ${holder.pid}, since ${holder.since ?? 'unknown'}) is already using the data folder ${dir}.\n` +
            'Two processes on one embedded database folder lose data, so this one will not start.\n' +
            'Stop the other process, or set AMBER_DATA_DIR to a different folder, or use a PostgreSQL server with DATABASE_URL.',
        );
      }
      if (holder.pid && !sameHost) {
        throw new DataDirLockedError(
          `The data folder ${dir} is locked by Amber on host ${holder.host} (PID ${holder.pid}). Stop it there first.`,
        );
      }
      try {
        unlinkSync(file);
      } catch {
        /* raced with another taker */
      }
    }
  }
  throw new DataDirLockedError(
    `Could not lock the data folder ${dir}: another Amber process is starting at the same moment.`,
  );
}
