// The board pack page and its downloads, on both engines: the form, the PDF and DOCX of the
// demo's four priorities, and the 404 page for an unknown period.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { assertInOrder, docxText, pdfText } from '../src/render/text-extract.test-helper.ts';
import { systemActor } from '../src/domain/actor.ts';

const DEMO_CODES = ['VfM-4a', 'VfM-4d', 'OP-2b', 'OC-1c'];

for (const engine of ENGINES) {
  describe(`board pack [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());

    it('shows the form with period and theme choices, download buttons and the summary of the demo priorities', async () => {
      const res = await t.app.inject({ url: `${paths.boardPack.show}?period=2009-10-h1` });
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /Board pack for 2009\/10 H1/);
      assert.match(res.body, /formaction="\/board-pack.pdf"/);
      assert.match(res.body, /formaction="\/board-pack.docx"/);
      assert.match(res.body, /<select class="govuk-select" id="theme" name="theme">/);
      const codes = [...res.body.matchAll(/data-code="([^"]+)"/g)].map((m) => m[1]).sort();
      assert.deepEqual(codes, [...DEMO_CODES].sort());
      assert.match(res.body, /href="\/board-pack"[^>]*aria-current|aria-current[^>]*href="\/board-pack"|Board pack/);
    });

    it('downloads the pack as a PDF named after the period, with every demo report', async () => {
      const res = await t.app.inject({ url: paths.boardPack.download('pdf', '2009-10-h1') });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.equal(res.headers['content-disposition'], 'attachment; filename="board-pack-2009-10-h1.pdf"');
      const text = await pdfText(res.rawPayload);
      for (const code of DEMO_CODES) assert.match(text, new RegExp(`Improvement Priority – ${code}`));
      assertInOrder(text, ['Contents', 'Summary of priorities 2009/10 H1', 'Direction of travel']);
    });

    it('downloads the pack as a Word document, and for one theme only', async () => {
      const res = await t.app.inject({ url: paths.boardPack.download('docx', '2009-10-h1') });
      assert.equal(res.statusCode, 200);
      assert.equal(
        res.headers['content-type'],
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      );
      assert.equal(res.headers['content-disposition'], 'attachment; filename="board-pack-2009-10-h1.docx"');
      const text = await docxText(res.rawPayload);
      for (const code of DEMO_CODES) assert.match(text, new RegExp(`Improvement Priority – ${code}`));

      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const theme = (await t.services.plans.listThemes(actor)).find((x) => x.title === 'Value for Money')!;
      const themed = await t.app.inject({ url: paths.boardPack.download('docx', '2009-10-h1', theme.id) });
      assert.equal(themed.statusCode, 200);
      assert.equal(
        themed.headers['content-disposition'],
        'attachment; filename="board-pack-2009-10-h1-value-for-money.docx"',
      );
      const themedText = await docxText(themed.rawPayload);
      assert.match(themedText, /Theme: Value for Money/);
      assert.doesNotMatch(themedText, /Improvement Priority – OP-2b/);
      assert.match(themedText, /Improvement Priority – VfM-4d/);
    });

    it('shows the GOV.UK 404 page for an unknown period or theme', async () => {
      for (const url of [
        `${paths.boardPack.show}?period=2030-31-h1`,
        paths.boardPack.download('pdf', '2030-31-h1'),
        paths.boardPack.download('docx', 'nonsense'),
        paths.boardPack.download('pdf', '2009-10-h1', '00000000-0000-0000-0000-000000000000'),
      ]) {
        const res = await t.app.inject({ url });
        assert.equal(res.statusCode, 404, url);
        assert.match(res.body, /<h1 class="govuk-heading-l">Page not found<\/h1>/, url);
      }
    });
  });
}
