// A big diagnostic upload run in the background (issue 12): the request stored the file and
// queued this job. It reads what it needs in a short unit of work, checks the whole file holding
// no connection (PGlite has one, which the pages need meanwhile), writing nothing, and reports
// every problem, by sheet, row and column, as the job's failure (the file is then deleted); or
// writes it all in one transaction. Progress is reported between the steps, outside them.

import type { JobHandler } from '../../platform/jobs/jobs.ts';
import { jobActor, jobParams } from '../jobs/job.service.ts';
import {
  DIAGNOSTIC_UPLOAD_JOB,
  uploadJobFailure,
  type DiagnosticService,
  type DiagnosticUploadParams,
  type QueuedFile,
} from './diagnostic.service.ts';

export { DIAGNOSTIC_UPLOAD_JOB };

/** A failure whose message is what the progress page shows (the summary, then the problems). */
class UploadRefused extends Error {}

export function diagnosticUploadJobHandler(diagnostics: DiagnosticService): JobHandler {
  return async (ctx) => {
    const actor = jobActor(ctx.job);
    const params = jobParams<DiagnosticUploadParams>(ctx.job);
    try {
      await ctx.progress(5, `Reading and checking ${params.filename}`);
      let file: QueuedFile | undefined = await diagnostics.loadQueuedUpload(actor, ctx.job.id, params);
      const checked = await diagnostics.checkQueuedUpload(actor, file);
      // The file and, for a CSV sheet, the stored data it was checked against are not needed by
      // the write: let them go rather than hold both them and the checked data through it (issue 12).
      file = undefined;
      if (!checked.ok) throw new UploadRefused(uploadJobFailure(checked));
      const n = (x: number) => x.toLocaleString('en-GB');
      await ctx.progress(
        50,
        `Checked: no problems. Writing ${n(checked.counts.posts)} posts and ${n(checked.counts.allocations)} allocations`,
      );
      const counts = await diagnostics.writeQueuedUpload(actor, ctx.job.id, params, checked);
      return `The data was imported from ${params.filename}: ${n(counts.posts)} posts, ${n(counts.allocations)} allocations, ${n(counts.units)} org units, ${n(counts.nonPay)} lines of non-pay cost and volumes for ${n(counts.volumes)} processes.`;
    } catch (error) {
      // Whatever stopped it, the waiting file goes; the exercise's data was not changed.
      await diagnostics.discardQueuedUpload(actor, ctx.job.id).catch(() => undefined);
      if (error instanceof UploadRefused) throw error;
      throw new Error(
        `The file was not imported: ${error instanceof Error ? error.message : String(error)}. Nothing was changed`,
        { cause: error },
      );
    }
  };
}
