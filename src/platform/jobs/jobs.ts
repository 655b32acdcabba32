// Background jobs kept in PostgreSQL (issue 4), so that N app instances share one queue: a job
// is claimed with `for update skip locked`, so two workers never run the same job, and the
// files a job produces are stored in `stored_file`, so any instance can serve them. It knows
// nothing of councils: the composition root registers one handler per kind of job.
//
// The job table is also the outbox: `enqueue` writes in the current unit of work, so a job (an
// e-mail, a board pack) exists exactly when the step that caused it committed; the workers are
// woken after that commit. The worker's own bookkeeping (claims, progress, results) runs on the
// pool, outside any unit of work.

import { sql, type Kysely } from 'kysely';
import type { Units } from '../db/unit-of-work.ts';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/**
 * A job as its page shows it: everything but what it was given to do, which can be megabytes (a
 * big import's checked values) and is read only by the worker that runs it.
 */
export interface JobState {
  id: string;
  organisationId: string;
  kind: string;
  status: JobStatus;
  progress: number;
  message: string;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  attempts: number;
  /** The permission needed to see it and its files (what made it); null: anyone in the organisation. */
  permission: string | null;
}
/** A job with what it was given to do. */
export interface Job extends JobState {
  input: unknown;
}

export interface StoredFileInfo {
  id: string;
  name: string;
  contentType: string;
  size: number;
}
export interface StoredFile extends StoredFileInfo {
  bytes: Buffer;
  /** The permission of the job that stored it (see Job.permission). */
  permission: string | null;
}
export interface NewFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** What a handler may do while it runs: report progress and store files for the job. */
export interface JobContext {
  job: Job;
  progress(pct: number, message?: string): Promise<void>;
  storeFile(file: NewFile): Promise<StoredFileInfo>;
}
export type JobHandler = (ctx: JobContext) => Promise<string | void>;

// Rows never leave this file.
interface JobRow {
  id: string;
  organisation_id: string;
  kind: string;
  status: JobStatus;
  progress: number;
  message: string;
  input: unknown;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  attempts: number;
  permission: string | null;
}
/** The columns of a job's state: all but its input. */
const STATE_COLUMNS = [
  'id',
  'organisation_id',
  'kind',
  'status',
  'progress',
  'message',
  'error',
  'created_at',
  'started_at',
  'finished_at',
  'attempts',
  'permission',
] as const satisfies readonly (keyof JobRow)[];
const toJobState = (r: Omit<JobRow, 'input'>): JobState => ({
  id: r.id,
  organisationId: r.organisation_id,
  kind: r.kind,
  status: r.status,
  progress: r.progress,
  message: r.message,
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  attempts: r.attempts,
  permission: r.permission,
});
const toJob = (r: JobRow): Job => ({ ...toJobState(r), input: r.input });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const clamp = (pct: number) => Math.max(0, Math.min(100, Math.round(pct)));

export interface JobQueueOptions {
  /**
   * How long a running job may go without reporting progress before its worker is presumed dead
   * and another worker takes it over. Handlers renew it each time they report progress.
   */
  leaseMs?: number;
  /** Claims after which a job whose worker keeps dying is failed instead of taken over again. */
  maxAttempts?: number;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

export interface JobDatabase {
  /** Pool-level, for the worker's bookkeeping. */
  raw: Kysely<any>;
  /** Bound to the current unit of work, for enqueueing and reading jobs in a use case. */
  db: Kysely<any>;
  units: Pick<Units<unknown>, 'current' | 'run' | 'actingFor'>;
}

export function createJobQueue(
  { raw, db: inUnit, units }: JobDatabase,
  workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  options: JobQueueOptions = {},
) {
  const db = raw;
  const workers = new Set<() => void>();
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  // A running job whose lease ran out: its worker died (or hung) without completing or failing it.
  const stale = sql`status = 'running' and started_at < now() - ${leaseMs} * interval '1 millisecond'`;

  /** A job of the organisation by its id, with its input or without (another organisation's is not found). */
  function lookUp(organisationId: string, id: string, withInput: boolean) {
    return units.run(async () => {
      if (!UUID.test(id)) return undefined;
      const query = inUnit.selectFrom('job').where('id', '=', id).where('organisation_id', '=', organisationId);
      const row = await (withInput ? query.selectAll() : query.select(STATE_COLUMNS)).executeTakeFirst();
      return row as Omit<JobRow, 'input'> | undefined;
    });
  }

  const queue = {
    workerId,

    /**
     * Queues a job in the current unit of work: it exists once that commits, and the workers are
     * woken then. Its input is not read back (the caller has it; a big import's was 8.7 MB).
     */
    enqueue(kind: string, organisationId: string, input: unknown, permission: string | null = null): Promise<JobState> {
      return units.run(async () => {
        const row = await inUnit
          .insertInto('job')
          .values({ organisation_id: organisationId, kind, input: JSON.stringify(input ?? {}), permission })
          .returning(STATE_COLUMNS)
          .executeTakeFirstOrThrow();
        units.current()?.afterCommit(() => {
          for (const wake of workers) wake();
        });
        return toJobState(row);
      });
    },

    /**
     * Takes the oldest queued job, or a running one whose worker's lease ran out, for this worker;
     * undefined when there is none. Safe with several instances. A stale job that has already
     * been tried `maxAttempts` times is failed for good rather than run again.
     */
    async claim(): Promise<Job | undefined> {
      await sql`
        update job set status = 'failed', locked_by = null, finished_at = now(),
          error = ${`The job was stopped ${maxAttempts} times before it could finish (its worker stopped responding each time), so it will not be tried again.`}
        where ${stale} and attempts >= ${maxAttempts}`.execute(db);
      const { rows } = await sql<JobRow>`
        update job set status = 'running', locked_by = ${workerId}, started_at = now(), attempts = attempts + 1
        where id = (select id from job where status = 'queued' or (${stale} and attempts < ${maxAttempts})
                    order by created_at, seq for update skip locked limit 1)
        returning *`.execute(db);
      return rows[0] ? toJob(rows[0]) : undefined;
    },

    /** Stores progress and renews this worker's lease on the job (so it is not taken over). */
    async reportProgress(id: string, pct: number, message?: string): Promise<void> {
      await db
        .updateTable('job')
        .set({ progress: clamp(pct), started_at: sql`now()`, ...(message !== undefined ? { message } : {}) })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', workerId)
        .execute();
    },

    async storeFile(job: Pick<Job, 'id' | 'organisationId'>, file: NewFile): Promise<StoredFileInfo> {
      const row = await db
        .insertInto('stored_file')
        .values({
          organisation_id: job.organisationId,
          job_id: job.id,
          name: file.name,
          content_type: file.contentType,
          bytes: file.bytes,
          size: file.bytes.length,
        })
        .returning(['id', 'name', 'content_type', 'size'])
        .executeTakeFirstOrThrow();
      return { id: row.id, name: row.name, contentType: row.content_type, size: row.size };
    },

    /** Marks a job this worker holds done (a job handed back or taken over meanwhile is left alone). */
    async complete(id: string, message?: string, file?: NewFile & { organisationId: string }): Promise<void> {
      if (file) await queue.storeFile({ id, organisationId: file.organisationId }, file);
      await db
        .updateTable('job')
        .set({
          status: 'done',
          progress: 100,
          finished_at: new Date(),
          locked_by: null,
          ...(message !== undefined ? { message } : {}),
        })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    /** Marks a job this worker holds failed (a job handed back or taken over meanwhile is left alone). */
    async fail(id: string, error: string): Promise<void> {
      await db
        .updateTable('job')
        .set({ status: 'failed', error, finished_at: new Date(), locked_by: null })
        .where('id', '=', id)
        .where('locked_by', '=', workerId)
        .execute();
    },

    /**
     * Hands a job this worker holds back to the queue, as if it had never been claimed (its
     * attempt is not counted): another worker takes it at its next poll. Returns whether it did.
     */
    async release(id: string): Promise<boolean> {
      const { numUpdatedRows } = await db
        .updateTable('job')
        .set({
          status: 'queued',
          locked_by: null,
          started_at: null,
          progress: 0,
          attempts: sql`greatest(attempts - 1, 0)`,
          message: 'Waiting: the instance that was running it stopped, so another will run it from the start',
        })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('locked_by', '=', workerId)
        .executeTakeFirst();
      return numUpdatedRows > 0n;
    },

    /**
     * A job of the organisation as its page shows it, or undefined (another organisation's job is
     * not found). Its input is left unread: the page is asked for again and again while a job runs.
     */
    async find(organisationId: string, id: string): Promise<JobState | undefined> {
      const row = await lookUp(organisationId, id, false);
      return row && toJobState(row);
    },

    /** The same with what the job was given to do, for a reader that needs it (and knows it is small). */
    async findWithInput(organisationId: string, id: string): Promise<Job | undefined> {
      const row = await lookUp(organisationId, id, true);
      return row && toJob(row as JobRow);
    },

    files(organisationId: string, jobId: string): Promise<StoredFileInfo[]> {
      return units.run(async () => {
        const rows = await inUnit
          .selectFrom('stored_file')
          .select(['id', 'name', 'content_type', 'size'])
          .where('job_id', '=', jobId)
          .where('organisation_id', '=', organisationId)
          .orderBy('name')
          .execute();
        return rows.map((r: any) => ({ id: r.id, name: r.name, contentType: r.content_type, size: r.size }));
      });
    },

    file(organisationId: string, id: string): Promise<StoredFile | undefined> {
      return units.run(async () => {
        if (!UUID.test(id)) return undefined;
        const r = await inUnit
          .selectFrom('stored_file')
          .leftJoin('job', 'job.id', 'stored_file.job_id')
          .select([
            'stored_file.id',
            'stored_file.name',
            'stored_file.content_type',
            'stored_file.size',
            'stored_file.bytes',
            'job.permission',
          ])
          .where('stored_file.id', '=', id)
          .where('stored_file.organisation_id', '=', organisationId)
          .executeTakeFirst();
        return r
          ? {
              id: r.id,
              name: r.name,
              contentType: r.content_type,
              size: r.size,
              bytes: Buffer.from(r.bytes),
              permission: r.permission ?? null,
            }
          : undefined;
      });
    },

    /** Claims one job and runs its handler; false when the queue was empty. */
    async runOne(handlers: Record<string, JobHandler>): Promise<boolean> {
      const job = await queue.claim();
      if (!job) return false;
      await queue.run(job, handlers);
      return true;
    },

    /** Runs a job this worker claimed: its handler's result completes it, its error fails it. */
    async run(job: Job, handlers: Record<string, JobHandler>): Promise<void> {
      const handler = handlers[job.kind];
      if (!handler) {
        await queue.fail(job.id, `No handler for jobs of kind ${job.kind}`);
        return;
      }
      try {
        // The job's work acts for its organisation, as the request that queued it did: row-level
        // security shows and accepts only that organisation's rows (and what is shared with it).
        const message = await units.actingFor(job.organisationId, () =>
          handler({
            job,
            progress: (pct, message) => queue.reportProgress(job.id, pct, message),
            storeFile: (file) => queue.storeFile(job, file),
          }),
        );
        await queue.complete(job.id, message ?? undefined);
      } catch (error) {
        await queue.fail(job.id, error instanceof Error ? error.message : String(error));
      }
    },

    /**
     * Polls for jobs until stopped: runs queued jobs one after another, then waits `pollMs`.
     * `stop()` claims nothing more and waits for the job in hand to finish, so shutdown and tests
     * end cleanly; with `graceMs`, a job still running after that long is handed back to the
     * queue (`release`) for another instance, and `stop()` resolves without waiting for it.
     */
    startWorker({
      handlers,
      pollMs = 1000,
      onError = (e: unknown) => console.error('amber: job worker:', e),
    }: {
      handlers: Record<string, JobHandler>;
      pollMs?: number;
      onError?: (e: unknown) => void;
    }) {
      let stopped = false;
      let wake: (() => void) | undefined;
      let inHand: Job | undefined;
      const loop = (async () => {
        while (!stopped) {
          let ran = false;
          try {
            const job = await queue.claim();
            if (job && stopped) {
              // Claimed while stopping: never started, so handed straight back.
              await queue.release(job.id);
              break;
            }
            if (job) {
              ran = true;
              inHand = job;
              await queue.run(job, handlers);
            }
          } catch (error) {
            if (!stopped) onError(error);
          } finally {
            inHand = undefined;
          }
          if (!ran && !stopped)
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, pollMs);
              wake = () => {
                clearTimeout(t);
                resolve();
              };
            });
          wake = undefined;
        }
      })();
      const poke = () => wake?.();
      workers.add(poke);
      return {
        /** Ends the wait so a job queued just now is picked up at once. */
        poke,
        /**
         * Claims nothing more and waits for the job in hand; with `graceMs`, hands it back if it
         * is still running after that long. Resolves with the job handed back, if any.
         */
        async stop({ graceMs }: { graceMs?: number } = {}): Promise<{ handedBack: Job | undefined }> {
          stopped = true;
          workers.delete(poke);
          wake?.();
          if (graceMs === undefined) {
            await loop;
            return { handedBack: undefined };
          }
          let timer: NodeJS.Timeout | undefined;
          const finished = await Promise.race([
            loop.then(() => true),
            new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
          ]);
          clearTimeout(timer);
          if (finished) return { handedBack: undefined };
          const job = inHand;
          if (!job) {
            // Between jobs (a claim on its way): it is handed straight back if it finds one.
            await loop;
            return { handedBack: undefined };
          }
          // Its handler goes on until the process ends, but can no longer complete or fail it.
          return { handedBack: (await queue.release(job.id)) ? job : undefined };
        },
      };
    },
  };
  return queue;
}

export type JobQueue = ReturnType<typeof createJobQueue>;
export type JobWorker = ReturnType<JobQueue['startWorker']>;
