// The board pack's files made as a background job (issue 4), on both engines: the button queues
// a job, its page shows progress and refreshes itself until done, then links to both files,
// which are served from the database for the organisation only.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { pdfText } from '../src/render/text-extract.test-helper.ts';
import { systemActor } from '../src/domain/actor.ts';

for (const engine of ENGINES) {
  describe(`board pack files as a background job [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());

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
      assert.match(waiting.body, /<meta http-equiv="refresh" content="2">/);
      assert.match(waiting.body, /govuk-task-list/);
      assert.match(htmlText(waiting.body), /Waiting to start: 0% done/);

      assert.equal(await t.services.jobs.queue.runOne(buildJobHandlers(t.services)), true);

      const done = await t.app.inject({ url: jobUrl });
      assert.doesNotMatch(done.body, /http-equiv="refresh"/);
      assert.match(htmlText(done.body), /Finished: 100% done/);
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
        .values({ name: 'Elsewhere council', short_name: null, kind: 'council', managed_by_id: null })
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
