// The board pack's PDF and Word files made in the background (issue 4): a big pack takes long
// enough to render that it must not hold a request. The files are stored with the job, so they
// stay downloadable from any instance.

import type { JobHandler } from '../../platform/jobs/jobs.ts';
import { renderBoardPackDocx, renderBoardPackPdf } from '../../render/board-pack.ts';
import { jobActor, jobParams } from '../jobs/job.service.ts';
import { boardPackFilename, presentBoardPack } from './boardpack.presenter.ts';
import type { BoardPackFilesParams, BoardPackService } from './boardpack.service.ts';

export const BOARD_PACK_JOB = 'board-pack';

export function boardPackJobHandler(boardPack: BoardPackService): JobHandler {
  return async (ctx) => {
    const actor = jobActor(ctx.job);
    const { periodKey, themeId, publishedOnly } = jobParams<BoardPackFilesParams>(ctx.job);
    await ctx.progress(5, 'Gathering the reports');
    // The system reads everything: a pack asked for by a reader of published reports holds only those.
    const view = presentBoardPack(
      await boardPack.build(actor, periodKey, themeId, undefined, { publishedOnly: publishedOnly === true }),
    );
    await ctx.progress(20, `Making the PDF of ${view.summary.length} priorities`);
    const pdf = await renderBoardPackPdf(view);
    await ctx.storeFile({ name: boardPackFilename(view, 'pdf'), contentType: 'application/pdf', bytes: pdf });
    await ctx.progress(60, 'Making the Word document');
    const docx = await renderBoardPackDocx(view);
    await ctx.storeFile({
      name: boardPackFilename(view, 'docx'),
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes: docx,
    });
    return 'The PDF and the Word document are ready.';
  };
}
