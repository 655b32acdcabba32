// The board pack page (choose a period and optionally a theme) and its two downloads, which
// take the same choices as query parameters: /board-pack.pdf?period=2009-10-h1&theme=…
// The downloads are drawn in a worker, as the job draws them (boardpack.job.ts), so that a big
// pack asked for directly never holds the event loop every other request waits on.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { BOARD_PACK_RENDER_LIMITS, boardPackRenderers } from './boardpack.job.ts';
import { boardPackFilename, presentBoardPack } from './boardpack.presenter.ts';

type Req = FastifyRequest<{ Querystring: { period?: string; theme?: string } }>;

const DOWNLOADS = {
  pdf: { type: 'application/pdf' },
  docx: { type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
} as const;

export function registerBoardPackRoutes(app: FastifyInstance, services: Services): void {
  const { boardPack } = services;

  app.get(paths.boardPack.show, { config: { permission: 'boardpack.compile' } }, async (request: Req, reply) => {
    const { periods, themes } = await boardPack.choices(request.actor);
    if (periods.length === 0) {
      return reply.view('boardpack/views/board-pack.njk', {
        pageTitle: 'Board pack',
        section: 'board-pack',
        empty: true,
      });
    }
    const period = request.query.period
      ? await services.periods.getByKey(request.actor, request.query.period)
      : (await boardPack.defaultPeriod(request.actor))!;
    const theme = request.query.theme || '';
    const pack = presentBoardPack(await boardPack.build(request.actor, period.key, theme || undefined));
    return reply.view('boardpack/views/board-pack.njk', {
      pageTitle: `Board pack for ${period.label}`,
      section: 'board-pack',
      pack,
      periodItems: periods.map((p) => ({ value: p.key, text: p.label, selected: p.key === period.key })),
      themeItems: [
        { value: '', text: 'All themes', selected: theme === '' },
        ...themes.map((t) => ({ value: t.id, text: t.title, selected: t.id === theme })),
      ],
      periodKey: period.key,
      themeId: theme,
      pdfHref: paths.boardPack.download('pdf', period.key, theme || undefined),
      docxHref: paths.boardPack.download('docx', period.key, theme || undefined),
    });
  });

  // Both files made in the background: the job page shows progress, then the download links.
  app.post(
    paths.boardPack.generate,
    { config: { permission: 'boardpack.compile' } },
    async (request: FastifyRequest<{ Body: { period?: string; theme?: string } }>, reply) => {
      const periodKey = request.body?.period || (await boardPack.defaultPeriod(request.actor))?.key || '';
      const job = await boardPack.requestFiles(request.actor, periodKey, request.body?.theme || undefined);
      return reply.redirect(paths.jobs.show(job.id), 303);
    },
  );

  for (const format of ['pdf', 'docx'] as const) {
    app.get(
      paths.boardPack[format],
      // Drawn after its reads have ended: a 150-priority Word pack takes ~12 s (bench/README.md).
      { config: { permission: 'boardpack.compile', rendersDocument: true } },
      async (request: Req, reply: FastifyReply) => {
        const periodKey = request.query.period || (await boardPack.defaultPeriod(request.actor))?.key || '';
        const view = presentBoardPack(
          await boardPack.build(request.actor, periodKey, request.query.theme || undefined),
        );
        const body = await boardPackRenderers[format](view, BOARD_PACK_RENDER_LIMITS);
        return reply
          .type(DOWNLOADS[format].type)
          .header('content-disposition', `attachment; filename="${boardPackFilename(view, format)}"`)
          .send(body);
      },
    );
  }
}
