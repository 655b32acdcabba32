// Background jobs as the organisation sees them (issue 4): a job's progress and the files it
// produced, scoped to the actor's organisation; another organisation's job or file is not found.
// The queue itself is generic (platform/jobs); the handlers are registered by the composition root.

import type { Actor } from '../../domain/actor.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { Job, JobQueue, StoredFile, StoredFileInfo } from '../../platform/jobs/jobs.ts';

export type { Job, StoredFile, StoredFileInfo };

export class JobNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('JOB_NOT_FOUND', `There is no job ${id}`);
  }
}
export class FileNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('FILE_NOT_FOUND', `There is no file ${id}`);
  }
}

/** What the actor asked for, kept with the job so the handler acts as them. */
export interface JobInput<T> {
  actorLabel: string;
  params: T;
}

export function createJobService(queue: JobQueue) {
  return {
    queue,
    /** Queues work for the actor's organisation; the worker runs it as the same actor. */
    enqueue: <T>(actor: Actor, kind: string, params: T): Promise<Job> =>
      queue.enqueue(kind, actor.organisationId, { actorLabel: actor.label, params } satisfies JobInput<T>),

    async get(actor: Actor, id: string): Promise<{ job: Job; files: StoredFileInfo[] }> {
      const job = await queue.find(actor.organisationId, id);
      if (!job) throw new JobNotFoundError(id);
      return { job, files: job.status === 'done' ? await queue.files(actor.organisationId, id) : [] };
    },

    async file(actor: Actor, id: string): Promise<StoredFile> {
      const file = await queue.file(actor.organisationId, id);
      if (!file) throw new FileNotFoundError(id);
      return file;
    },
  };
}

/** The actor a job runs as: the organisation it was queued for, labelled as who queued it. */
export function jobActor(job: Job): Actor {
  const input = job.input as Partial<JobInput<unknown>>;
  return { organisationId: job.organisationId, label: `${input.actorLabel ?? 'job'} (background job)` };
}
export const jobParams = <T>(job: Job): T => (job.input as JobInput<T>).params;

export type JobService = ReturnType<typeof createJobService>;
