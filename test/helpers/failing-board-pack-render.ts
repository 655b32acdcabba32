// A board pack renderer that fails inside the worker, as a real one would on a chart it cannot
// draw: test/board-pack-job.test.ts runs it through platform/workers to check what the job does.

import type { BoardPackView } from '../../src/render/board-pack.ts';

export function renderBoardPackPdf(view: BoardPackView): Promise<Buffer> {
  throw new Error(`No chart could be drawn for the ${view.summary.length} priorities of ${view.periodLabel}`);
}

export const renderBoardPackDocx = renderBoardPackPdf;
