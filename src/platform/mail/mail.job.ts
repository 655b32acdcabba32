// E-mail as a background job: whoever must not lose an e-mail queues it (in the same transaction
// as the change that causes it, when there is one) and the job worker of any instance sends it.
// A queued e-mail survives a restart; a worker that dies while sending is taken over (the job
// queue's lease); a mail server that refuses is tried again a few times before the job fails
// with the server's answer on the job.

import type { JobHandler, JobQueue } from '../jobs/jobs.ts';
import type { Mailer, MailMessage } from './mailer.ts';

export const MAIL_JOB = 'mail.send';

/** Queues an e-mail. `queue` may be bound to a transaction (createJobQueue(trx)): then it is sent only if that commits. */
export async function enqueueMail(
  queue: Pick<JobQueue, 'enqueue'>,
  organisationId: string,
  message: MailMessage,
): Promise<string> {
  const job = await queue.enqueue(MAIL_JOB, organisationId, {
    to: message.to,
    subject: message.subject,
    text: message.text,
    ...(message.html ? { html: message.html } : {}),
  });
  return job.id;
}

function readMessage(input: unknown): MailMessage {
  const i = input as Partial<MailMessage> | null;
  if (
    !i ||
    !Array.isArray(i.to) ||
    !i.to.every((x) => typeof x === 'string') ||
    typeof i.subject !== 'string' ||
    typeof i.text !== 'string'
  ) {
    throw new Error('The queued e-mail is incomplete (it needs to, subject and text)');
  }
  return { to: i.to, subject: i.subject, text: i.text, ...(typeof i.html === 'string' ? { html: i.html } : {}) };
}

/** Sends the queued e-mail; tries again after each delay in `retryDelaysMs` before failing the job. */
export function mailJobHandler(mailer: Mailer, options: { retryDelaysMs?: number[] } = {}): JobHandler {
  const delays = options.retryDelaysMs ?? [5_000, 30_000, 120_000];
  return async (ctx) => {
    const message = readMessage(ctx.job.input);
    for (let attempt = 0; ; attempt++) {
      try {
        await mailer.send(message);
        return `Sent to ${message.to.length} recipient${message.to.length === 1 ? '' : 's'}`;
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        if (attempt >= delays.length)
          throw new Error(`The e-mail could not be sent after ${attempt + 1} tries: ${why}`);
        // Progress renews the job's lease, so another worker does not take it over while we wait.
        await ctx.progress(0, `Sending failed (${why}); trying again`);
        await new Promise((r) => setTimeout(r, delays[attempt]));
      }
    }
  };
}
