// What the benchmarks share: order statistics, the machine description that goes with every
// result, a deadline so that no benchmark can run on (or hang) past its budget, and the CPU of a
// batch of transactions (this process and the server's backend).

import os from 'node:os';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { CompiledQuery, type Kysely } from 'kysely';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The value below which `p` per cent of the samples lie (nearest rank; p in 0–100). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median; the mean of the two middle values for an even count. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memory: string;
  node: string;
  platform: string;
  when: string;
}

export function describeMachine(): Machine {
  let memory = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total`;
  try {
    // The `free -h` line the README quotes; os.totalmem() when `free` is missing.
    const line = execFileSync('free', ['-h'], { encoding: 'utf8', timeout: 2000 })
      .split('\n')
      .find((l) => l.startsWith('Mem:'));
    if (line) memory = line.replace(/\s+/g, ' ').trim();
  } catch {
    /* keep os.totalmem() */
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memory,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    when: new Date().toISOString(),
  };
}

/**
 * Stops the process if `seconds` pass before `disarm()` is called: runs `cleanup` (bounded to
 * 15 s itself) so servers and databases are closed, then exits with status 1.
 */
export function deadline(seconds: number, what: string, cleanup: () => Promise<void>): { disarm(): void } {
  const timer = setTimeout(() => {
    console.error(`${what} did not finish within ${seconds} s; stopping.`);
    const forced = setTimeout(() => process.exit(1), 15_000);
    forced.unref();
    cleanup()
      .catch((error: unknown) => console.error(error))
      .finally(() => process.exit(1));
  }, seconds * 1000);
  timer.unref();
  return { disarm: () => clearTimeout(timer) };
}

/** Rounds for tables: 3 significant figures, never in exponent notation. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  const digits = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(n))));
  return Number(n.toPrecision(3)).toLocaleString('en-GB', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

/** True when this module is the script node was asked to run (not imported by run.ts). */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(metaUrl) === resolve(entry);
}

/** A database as `cpuPerTransaction` needs it (a test database or an opened one). */
export interface MeasuredDatabase {
  engine: 'pglite' | 'postgres';
  /** Any schema: only raw statements are sent. */
  db: Kysely<any>;
}

/** Nanoseconds on a CPU of these server backends (PostgreSQL on this machine); a gone one counts as nothing. */
export function backendNs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    try {
      return sum + Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      return sum;
    }
  }, 0);
}

/**
 * CPU ms per transaction of `count` transactions — BEGIN, `statement(i)`, COMMIT — on one
 * connection: this process's (on PGlite the database runs in it) plus, on PostgreSQL, the backend
 * serving the connection's (`/proc/<pid>/schedstat`; the server runs on this machine).
 */
export async function cpuPerTransaction(
  database: MeasuredDatabase,
  statement: (i: number) => CompiledQuery,
  count: number,
): Promise<number> {
  return database.db.connection().execute(async (connection) => {
    const pids =
      database.engine === 'postgres'
        ? [
            (await connection.executeQuery<{ pid: number }>(CompiledQuery.raw('select pg_backend_pid() as pid')))
              .rows[0]!.pid,
          ]
        : [];
    const node0 = process.cpuUsage();
    const server0 = backendNs(pids);
    for (let i = 0; i < count; i++) {
      await connection.executeQuery(CompiledQuery.raw('begin'));
      await connection.executeQuery(statement(i));
      await connection.executeQuery(CompiledQuery.raw('commit'));
    }
    const node = process.cpuUsage(node0);
    return ((node.user + node.system) / 1000 + (backendNs(pids) - server0) / 1e6) / count;
  });
}

/**
 * The longest the event loop went without turning while it runs, ms: a timer every 5 ms notes
 * how late it fires. Not perf_hooks' histogram, which takes a sample only when the loop turns: on
 * PGlite a chain of statements that never waits for I/O turns it never, and the histogram is empty.
 */
export function heldTicker(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}
