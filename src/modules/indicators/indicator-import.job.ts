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
  return (ctx) =>
    indicatorTransfer.writeQueued(jobActor(ctx.job), jobParams<IndicatorImportParams>(ctx.job), ctx.progress);
}
