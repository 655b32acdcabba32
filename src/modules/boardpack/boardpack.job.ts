// The board pack's PDF and Word files made in the background (issue 4): a big pack takes long
// enough to render that it must not hold a request. The files are stored with the job, so they
// stay downloadable from any instance.
//
// Both files are drawn in a worker thread (platform/workers), not on the event loop the web
// server shares: a 150-priority pack took 3 s (PDF) and 12 s (Word) of the main thread, during
// which every request, /health included, waited. The worker's heap is bounded, so a pack too big
// to draw fails the job with a message saying so instead of taking the process down.

import type { JobHandler } from '../../platform/jobs/jobs.ts';
import { workerFunction, type WorkerLimits } from '../../platform/workers/workers.ts';
import { AppError } from '../../domain/errors.ts';
import type * as BoardPackRender from '../../render/board-pack.ts';
import type { BoardPackView } from '../../render/board-pack.ts';
import { jobActor, jobParams } from '../jobs/job.service.ts';
import { boardPackFilename, presentBoardPack } from './boardpack.presenter.ts';
import type { BoardPackFilesParams, BoardPackService } from './boardpack.service.ts';

export const BOARD_PACK_JOB = 'board-pack';

/**
 * What one file of a pack may take. A 150-priority pack (3 graphs a report) needed about 60 MB of
 * heap for the PDF and 320 MB for the Word document (the docx package holds the whole document
 * as objects, then as XML, before zipping it), so 1 GB is room for about 400 priorities in Word;
 * the 5 minutes (150 priorities: 3 s and 12 s) end a runaway render well before the job's
 * 10-minute lease would hand it to another instance.
 */
export const BOARD_PACK_RENDER_LIMITS: WorkerLimits = { maxOldGenerationSizeMb: 1024, timeoutMs: 5 * 60_000 };

const RENDER = new URL('../../render/board-pack.ts', import.meta.url);

export type BoardPackRenderer = (view: BoardPackView, limits?: WorkerLimits) => Promise<Buffer>;

/** The pack as PDF and as Word, each drawn in a worker (the direct downloads use them too). */
export const boardPackRenderers: Record<'pdf' | 'docx', BoardPackRenderer> = {
  pdf: workerFunction<typeof BoardPackRender, 'renderBoardPackPdf'>(RENDER, 'renderBoardPackPdf'),
  docx: workerFunction<typeof BoardPackRender, 'renderBoardPackDocx'>(RENDER, 'renderBoardPackDocx'),
};

export interface BoardPackJobOptions {
  limits?: WorkerLimits;
  /** Tests swap in renderers that fail; the job's behaviour around them is what they check. */
  renderers?: Record<'pdf' | 'docx', BoardPackRenderer>;
}

/**
 * The job fails with a sentence a person can act on: a limit's own message (too big, too long,
 * too busy), or the renderer's message with the advice to try again.
 */
async function draw(what: string, render: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await render();
  } catch (error) {
    if (error instanceof AppError) throw new Error(`${what} could not be made. ${error.message}`, { cause: error });
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${what} could not be made (${reason}). Try again; if it fails again, tell the system administrator.`,
      { cause: error },
    );
  }
}

export function boardPackJobHandler(boardPack: BoardPackService, options: BoardPackJobOptions = {}): JobHandler {
  const limits = { ...BOARD_PACK_RENDER_LIMITS, ...options.limits };
  const renderers = options.renderers ?? boardPackRenderers;
  return async (ctx) => {
    const actor = jobActor(ctx.job);
    const { periodKey, themeId, publishedOnly } = jobParams<BoardPackFilesParams>(ctx.job);
    await ctx.progress(5, 'Gathering the reports');
    // The system reads everything: a pack asked for by a reader of published reports holds only those.
    const view = presentBoardPack(
      await boardPack.build(actor, periodKey, themeId, undefined, { publishedOnly: publishedOnly === true }),
    );
    await ctx.progress(20, `Making the PDF of ${view.summary.length} priorities`);
    const pdf = await draw('The PDF', () => renderers.pdf(view, limits));
    await ctx.storeFile({ name: boardPackFilename(view, 'pdf'), contentType: 'application/pdf', bytes: pdf });
    await ctx.progress(60, 'Making the Word document');
    const docx = await draw('The Word document', () => renderers.docx(view, limits));
    await ctx.storeFile({
      name: boardPackFilename(view, 'docx'),
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      bytes: docx,
    });
    return 'The PDF and the Word document are ready.';
  };
}
