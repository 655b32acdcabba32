// Background jobs as the organisation sees them (issue 4): a job's progress and the files it
// produced, scoped to the actor's organisation; another organisation's job or file is not found.
// A job carries the permission of what made it (a board pack: compiling board packs), and only
// those who hold it see the job and its files: the link alone is not enough.
// The queue itself is generic (platform/jobs); the handlers are registered by the composition root.

import { systemActor, type Actor } from '../../domain/actor.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { authorize, mayEver, PERMISSIONS, type Permission } from '../../domain/permissions.ts';
import type { Job, JobQueue, JobState, StoredFile, StoredFileInfo } from '../../platform/jobs/jobs.ts';

export type { Job, JobState, StoredFile, StoredFileInfo };

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
  /** Only those who hold the permission of what made a job see it; an unknown permission, nobody but the system. */
  function mayRead(actor: Actor, stored: string | null, refusal: NotFoundError): void {
    if (stored === null) return;
    if (Object.hasOwn(PERMISSIONS, stored)) authorize(actor, stored as Permission);
    else if (actor.kind !== 'system') throw refusal;
  }
  return {
    queue,
    /**
     * Queues work for the actor's organisation, needing `permission` to be seen (what made it);
     * the worker runs it as the system, labelled as who queued it.
     */
    /** Queues work for the actor, who must hold (at some scope) the permission the job and its files will need. */
    enqueue: async <T>(actor: Actor, kind: string, params: T, permission: Permission): Promise<JobState> => {
      if (!mayEver(actor, permission)) authorize(actor, permission);
      return queue.enqueue(
        kind,
        actor.organisationId,
        { actorLabel: actor.label, params } satisfies JobInput<T>,
        permission,
      );
    },

    async get(actor: Actor, id: string): Promise<{ job: JobState; files: StoredFileInfo[] }> {
      const job = await queue.find(actor.organisationId, id);
      if (!job) throw new JobNotFoundError(id);
      mayRead(actor, job.permission, new JobNotFoundError(id));
      return { job, files: job.status === 'done' ? await queue.files(actor.organisationId, id) : [] };
    },

    /** The job with what it was given to do: for a page that shows some of it (a job whose input is small). */
    async getWithInput(actor: Actor, id: string): Promise<Job> {
      const job = await queue.findWithInput(actor.organisationId, id);
      if (!job) throw new JobNotFoundError(id);
      mayRead(actor, job.permission, new JobNotFoundError(id));
      return job;
    },

    async file(actor: Actor, id: string): Promise<StoredFile> {
      const file = await queue.file(actor.organisationId, id);
      if (!file) throw new FileNotFoundError(id);
      mayRead(actor, file.permission, new FileNotFoundError(id));
      return file;
    },
  };
}

/** The actor a job runs as: the system, for the organisation it was queued for, labelled as who queued it. */
export function jobActor(job: Job): Actor {
  const input = job.input as Partial<JobInput<unknown>>;
  return systemActor(job.organisationId, `${input.actorLabel ?? 'job'} (background job)`);
}
export const jobParams = <T>(job: Job): T => (job.input as JobInput<T>).params;

export type JobService = ReturnType<typeof createJobService>;
