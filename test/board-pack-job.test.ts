// The board pack's files made as a background job (issue 4), on both engines: the button queues
// a job, its page shows progress and refreshes itself until done, then links to both files,
// which are served from the database for the organisation only. The files are drawn in a worker
// thread (issue 10): the same content as drawing them here, a failure in the worker fails the job
// with a sentence while the app keeps answering, and the event loop is free while they render.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { observeStatements } from '../src/platform/db/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { docxText, pdfText } from '../src/render/text-extract.test-helper.ts';
import { systemActor } from '../src/domain/actor.ts';
import { renderBoardPackDocx, renderBoardPackPdf, type BoardPackView } from '../src/render/board-pack.ts';
import {
  boardPackJobHandler,
  boardPackRenderers,
  type BoardPackRenderer,
} from '../src/modules/boardpack/boardpack.job.ts';
import { closeWorkers, workerFunction } from '../src/platform/workers/workers.ts';
import type { Job, NewFile } from '../src/platform/jobs/jobs.ts';
import type * as FailingRender from './helpers/failing-board-pack-render.ts';

const FAILING = new URL('./helpers/failing-board-pack-render.ts', import.meta.url);

/** Queues a board pack job as the button does and claims it, for a handler called here by hand. */
async function claimBoardPackJob(t: TestApp): Promise<{ job: Job; url: string }> {
  const posted = await t.app.inject({
    method: 'POST',
    url: paths.boardPack.generate,
    ...form({ period: '2009-10-h1' }),
  });
  const job = await t.services.jobs.queue.claim();
  assert.ok(job, 'a job was queued');
  return { job, url: posted.headers.location as string };
}

/** What a handler reports and stores, in order, when called outside the job runner. */
function recordingContext(job: Job, events: string[] = []) {
  const files: NewFile[] = [];
  return {
    files,
    events,
    ctx: {
      job,
      progress: async (_pct: number, message?: string) => {
        events.push(`progress: ${message}`);
      },
      storeFile: async (file: NewFile) => {
        events.push(`stored ${file.name}`);
        files.push(file);
        return { id: String(files.length), name: file.name, contentType: file.contentType, size: file.bytes.length };
      },
    },
  };
}

for (const engine of ENGINES) {
  describe(`board pack files as a background job [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => {
      await closeWorkers();
      await t?.close();
    });

    it('queues the files, shows progress while they are made, then links to the PDF and the Word document', async () => {
      const page = await t.app.inject({ url: `${paths.boardPack.show}?period=2009-10-h1` });
      assert.match(page.body, /action="\/board-pack\/files"/);
      assert.match(page.body, /Generate PDF and Word files/);

      const posted = await t.app.inject({
        method: 'POST',
        url: paths.boardPack.generate,
        ...form({ period: '2009-10-h1', theme: '' }),
      });
      assert.equal(posted.statusCode, 303);
      const jobUrl = posted.headers.location as string;
      assert.match(jobUrl, /^\/jobs\/[0-9a-f-]{36}$/);

      const waiting = await t.app.inject({ url: jobUrl });
      assert.equal(waiting.statusCode, 200);
      // No timed refresh (WCAG 2.2.1, axe's meta-refresh rule): the person asks for the progress.
      assert.doesNotMatch(waiting.body, /http-equiv="refresh"/);
      assert.match(waiting.body, new RegExp(`<a href="${jobUrl}"[^>]*data-qa="refresh"`));
      assert.match(htmlText(waiting.body), /Waiting to start 0% done/);

      assert.equal(await t.services.jobs.queue.runOne(buildJobHandlers(t.services)), true);

      const done = await t.app.inject({ url: jobUrl });
      assert.doesNotMatch(done.body, /http-equiv="refresh"/);
      assert.match(htmlText(done.body), /Finished 100% done/);
      const links = [...done.body.matchAll(/href="(\/files\/[0-9a-f-]{36})"[^>]*>([^<]+)</g)].map((m) => ({
        href: m[1]!,
        name: m[2]!,
      }));
      assert.deepEqual(links.map((l) => l.name).sort(), ['board-pack-2009-10-h1.docx', 'board-pack-2009-10-h1.pdf']);

      const pdf = await t.app.inject({ url: links.find((l) => l.name.endsWith('.pdf'))!.href });
      assert.equal(pdf.statusCode, 200);
      assert.equal(pdf.headers['content-type'], 'application/pdf');
      assert.equal(pdf.headers['content-disposition'], 'attachment; filename="board-pack-2009-10-h1.pdf"');
      assert.match(await pdfText(pdf.rawPayload), /Improvement Priority – VfM-4d/);
      const docx = await t.app.inject({ url: links.find((l) => l.name.endsWith('.docx'))!.href });
      assert.equal(docx.statusCode, 200);
      assert.equal(docx.rawPayload.subarray(0, 2).toString(), 'PK');

      // Another organisation sees neither the job nor its files.
      const jobId = jobUrl.split('/').pop()!;
      const other = await t.db
        .insertInto('organisation')
        .values({
          name: 'Elsewhere council',
          short_name: null,
          kind: 'council',
          managed_by_id: null,
          slug: 'elsewhere-council',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await assert.rejects(t.services.jobs.get(systemActor(other.id, 'test'), jobId), /There is no job/);
      await assert.rejects(
        t.services.jobs.file(systemActor(other.id, 'test'), links[0]!.href.split('/').pop()!),
        /There is no file/,
      );
    });

    it('shows a failed job with its reason, and 404 for an unknown job or file', async () => {
      const posted = await t.app.inject({
        method: 'POST',
        url: paths.boardPack.generate,
        ...form({ period: '2009-10-h1' }),
      });
      const jobUrl = posted.headers.location as string;
      await t.services.jobs.queue.runOne({
        'board-pack': async () => {
          throw new Error('The renderer ran out of memory');
        },
      });
      const failed = await t.app.inject({ url: jobUrl });
      assert.match(htmlText(failed.body), /Failed/);
      assert.match(htmlText(failed.body), /The renderer ran out of memory/);
      assert.equal(
        (await t.app.inject({ url: paths.jobs.show('00000000-0000-0000-0000-000000000000') })).statusCode,
        404,
      );
      assert.equal((await t.app.inject({ url: paths.jobs.show('not-a-job') })).statusCode, 404);
      assert.equal(
        (await t.app.inject({ url: paths.files.show('00000000-0000-0000-0000-000000000000') })).statusCode,
        404,
      );
    });

    it('draws the files in a worker with the same content as drawing them on this thread, from a view that survives the crossing unchanged', async () => {
      const { job } = await claimBoardPackJob(t);
      const views: BoardPackView[] = [];
      const spy =
        (format: 'pdf' | 'docx'): BoardPackRenderer =>
        (view, limits) => {
          views.push(view);
          return boardPackRenderers[format](view, limits);
        };
      const { ctx, files } = recordingContext(job);
      await boardPackJobHandler(t.services.boardPack, { renderers: { pdf: spy('pdf'), docx: spy('docx') } })(ctx);
      const view = views[0]!;
      // Structured clone keeps plain data only: a Date, a Map or a class instance would not come back equal.
      assert.deepStrictEqual(structuredClone(view), view);
      assert.equal(view.reports.length, 4);
      const [pdf, docx] = files;
      assert.equal(pdf!.name, 'board-pack-2009-10-h1.pdf');
      assert.equal(await pdfText(pdf!.bytes), await pdfText(await renderBoardPackPdf(view)));
      assert.equal(docx!.name, 'board-pack-2009-10-h1.docx');
      const text = await docxText(docx!.bytes);
      assert.equal(text, await docxText(await renderBoardPackDocx(view)));
      assert.match(text, /Improvement Priority – VfM-4d/);
    });

    it('fails the job with a sentence when the render fails in the worker, and the app keeps answering', async () => {
      const { job, url } = await claimBoardPackJob(t);
      const failing = workerFunction<typeof FailingRender, 'renderBoardPackPdf'>(FAILING, 'renderBoardPackPdf');
      const { ctx } = recordingContext(job);
      const error = await boardPackJobHandler(t.services.boardPack, { renderers: { pdf: failing, docx: failing } })(
        ctx,
      ).catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.equal(
        error.message,
        'The PDF could not be made (No chart could be drawn for the 4 priorities of 2009/10 H1). Try again; if it fails again, tell the system administrator.',
      );
      await t.services.jobs.queue.fail(job.id, error.message);
      const page = htmlText((await t.app.inject({ url })).body);
      assert.match(page, /Failed/);
      assert.match(page, /No chart could be drawn for the 4 priorities/);
      assert.doesNotMatch(page, /\bat .*\.ts:\d+/, 'no stack trace');
      const health = await t.app.inject({ url: paths.health });
      assert.equal(health.statusCode, 200);
    });

    it('fails the job with the memory limit in words when the worker runs out of memory', async () => {
      const { job } = await claimBoardPackJob(t);
      const { ctx } = recordingContext(job);
      const error = await boardPackJobHandler(t.services.boardPack, { limits: { maxOldGenerationSizeMb: 24 } })(
        ctx,
      ).catch((e: unknown) => e);
      assert.ok(error instanceof Error);
      assert.match(
        error.message,
        /^The PDF could not be made\. This needed more memory than the 24 MB Amber allows one task/,
      );
      assert.equal((await t.app.inject({ url: paths.health })).statusCode, 200);
    });

    it('leaves the event loop free while the pack renders: a timer and /health are answered before the PDF is stored', async () => {
      const { job } = await claimBoardPackJob(t);
      const events: string[] = [];
      const { ctx } = recordingContext(job, events);
      const answered: Promise<unknown>[] = [];
      const progress = ctx.progress;
      ctx.progress = async (pct, message) => {
        await progress(pct, message);
        // The render starts as soon as this returns: on this thread it would hold the timer and
        // the request until it ended, in a worker they run while it draws.
        if (message?.startsWith('Making the PDF')) {
          answered.push(new Promise<void>((resolve) => setTimeout(() => resolve(void events.push('timer')), 0)));
          answered.push(t.app.inject({ url: paths.health }).then((r) => events.push(`/health ${r.statusCode}`)));
        }
      };
      await boardPackJobHandler(t.services.boardPack)(ctx);
      await Promise.all(answered);
      const stored = events.indexOf('stored board-pack-2009-10-h1.pdf');
      assert.ok(stored > 0, events.join(', '));
      assert.ok(events.indexOf('timer') >= 0 && events.indexOf('timer') < stored, events.join(', '));
      assert.ok(events.indexOf('/health 200') >= 0 && events.indexOf('/health 200') < stored, events.join(', '));
    });

    it('draws a downloaded pack after its reads have ended, so the database waits for no drawing', async () => {
      // Drawn inside the request's transaction, a pack held PGlite's one connection, and so every
      // other request, for as long as the drawing took (seconds for a big pack).
      const real = { ...boardPackRenderers };
      const openWhileDrawing: boolean[] = [];
      for (const format of ['pdf', 'docx'] as const)
        boardPackRenderers[format] = (view, limits) => {
          openWhileDrawing.push(t.units.current() !== undefined);
          return real[format](view, limits);
        };
      try {
        for (const url of [paths.boardPack.pdf, paths.boardPack.docx]) {
          const res = await t.app.inject({ url: `${url}?period=2009-10-h1` });
          assert.equal(res.statusCode, 200, url);
        }
      } finally {
        Object.assign(boardPackRenderers, real);
      }
      assert.deepEqual(openWhileDrawing, [false, false]);
    });

    it('reads a downloaded pack at one moment: every report in one repeatable-read transaction', async () => {
      // On a server a pack's summary and its reports, read in many statements, would otherwise be
      // read from either side of a change committed meanwhile.
      for (const url of [paths.boardPack.pdf, paths.boardPack.docx]) {
        const statements: string[] = [];
        const stop = observeStatements(t.db, (s) => statements.push(s.sql));
        try {
          assert.equal((await t.app.inject({ url: `${url}?period=2009-10-h1` })).statusCode, 200, url);
        } finally {
          stop();
        }
        const reads = statements.flatMap((q, i) => (/\bfrom "?progress_report"?/i.test(q) ? [i] : []));
        assert.ok(reads.length > 1, `${url}: ${reads.length} statements read reports`);
        const bounds = statements.flatMap((q, i) =>
          /^(begin|start transaction|commit|rollback)\b/i.test(q) ? [i] : [],
        );
        const begun = bounds.filter((i) => i < reads[0]!).at(-1)!;
        assert.match(statements[begun]!, /isolation level repeatable read/i, `${url}: ${statements[begun]}`);
        assert.ok(
          bounds.every((i) => i < reads[0]! || i > reads.at(-1)!),
          `${url}: the reports were read in more than one transaction`,
        );
      }
    });

    it('refuses to queue files for an unknown period', async () => {
      const posted = await t.app.inject({
        method: 'POST',
        url: paths.boardPack.generate,
        ...form({ period: '1999-00-h1' }),
      });
      assert.equal(posted.statusCode, 404);
    });
  });
}
