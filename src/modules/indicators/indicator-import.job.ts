// A big file of indicator values written in the background (issue 4): the request checked every
// row and queued the values; this writes them in batches and reports progress after each.

import type { JobHandler } from '../../platform/jobs/jobs.ts';
import { jobActor, jobParams } from '../jobs/job.service.ts';
import {
  INDICATOR_IMPORT_JOB,
  type IndicatorImportParams,
  type IndicatorTransferService,
} from './indicator-transfer.service.ts';

export { INDICATOR_IMPORT_JOB };

export function indicatorImportJobHandler(indicatorTransfer: IndicatorTransferService): JobHandler {
  return async (ctx) => {
    const actor = jobActor(ctx.job);
    const params = jobParams<IndicatorImportParams>(ctx.job);
    const batches = indicatorTransfer.queuedBatchCount(params);
    let done = 0;
    const notices: string[] = [];
    // Each batch commits on its own, so the progress between them is real.
    for (let i = 0; i < batches; i++) {
      const batch = await indicatorTransfer.writeQueuedBatch(actor, params, i);
      done += batch.written;
      notices.push(...batch.notices);
      await ctx.progress(
        (done / params.writes.length) * 100,
        `${done.toLocaleString('en-GB')} of ${params.writes.length.toLocaleString('en-GB')} values written`,
      );
    }
    return indicatorTransfer.queuedImportDone(params, notices);
  };
}
