// Every document says what it is (issue 13): a report in draft or in sign-off is marked as such on
// every page of every output (the page, PDF, Word, standalone HTML, board pack), with its revision
// and date; a published report reads as before. Both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { systemActor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';
import { docxText, normaliseWhitespace, pdfInfo, pdfText, zipEntry } from '../src/render/text-extract.test-helper.ts';
import { presentStanding } from '../src/modules/reports/report.presenter.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';

describe('where a report stands, in words', () => {
  const updatedAt = '2026-12-04T10:00:00Z';
  it('says draft, in sign-off (for whom it waits) or published, with the revision and date', () => {
    assert.deepEqual(presentStanding({ state: 'draft', revision: 2, updatedAt }), {
      state: 'draft',
      unpublished: true,
      mark: 'DRAFT',
      label: 'Draft',
      short: 'Draft, revision 2, 4 December 2026',
      sentence: 'Draft: not signed off or published, and may change. Revision 2, last changed 4 December 2026.',
    });
    assert.match(
      presentStanding({ state: 'submitted', revision: 1, updatedAt }).sentence,
      /awaiting the accountable officer’s approval/,
    );
    assert.match(
      presentStanding({ state: 'officer_approved', revision: 1, updatedAt }).sentence,
      /awaiting the accountable director/,
    );
    assert.equal(presentStanding({ state: 'officer_approved', revision: 1, updatedAt }).mark, 'IN SIGN-OFF');
    const published = presentStanding({
      state: 'draft',
      revision: 1,
      published: { number: 1, publishedAt: new Date('2009-11-09T12:00:00Z') },
      updatedAt,
    });
    assert.equal(published.unpublished, false, 'a reader shown the published revision is shown a published document');
    assert.equal(published.sentence, 'Published on 9 November 2009 after sign-off (revision 1).');
  });

  it('gives the date in the UK: a change at 00:30 British Summer Time is that day, not the day before', () => {
    assert.match(
      presentStanding({ state: 'draft', revision: 1, updatedAt: '2026-06-30T23:30:00Z' }).short,
      /1 July 2026/,
    );
  });
});

for (const engine of ['pglite', 'postgres'] as const) {
  describe(`every output marks a report that is not published [${engine}]`, () => {
    let t: TestApp;
    const get = (url: string) => t.app.inject({ url });

    before(async () => {
      t = await buildTestApp(engine, { as: ['administrator'] });
      const home = await t.services.organisations.getHome();
      const system = systemActor(home.id, 'test');
      // The published report gets a revision 2, in draft.
      await t.services.reports.updateSections(system, CODE, PERIOD, { summary: 'A second revision under way.' });
    });
    after(async () => t?.close());

    it('says so on the report page, first thing', async () => {
      const text = htmlText((await get(paths.reports.show(CODE, PERIOD))).body);
      assert.match(
        text,
        /Warning: DRAFT Draft: not signed off or published, and may change\. Revision 2, last changed \d+ \w+ \d{4}\./,
      );
      assert.ok(text.indexOf('DRAFT') < text.indexOf('Improvement Priority – VfM-4d'));
    });

    it('says so on every page of the PDF (header and footer) and once in its content', async () => {
      const pdf = (await get(paths.reports.download(CODE, PERIOD, 'pdf'))).rawPayload;
      const pages = Number((await pdfInfo(pdf)).Pages);
      assert.ok(pages >= 2, `${pages} pages`);
      for (let p = 1; p <= pages; p++) {
        const text = normaliseWhitespace(await pdfText(pdf, { pages: { first: p, last: p } }));
        assert.match(text, /DRAFT – Progress report 2009\/10 H1/, `page ${p} has no DRAFT in its header`);
        assert.match(
          text,
          /Leeds City Council – Draft, revision 2, \d+ \w+ \d{4}/,
          `page ${p} has no revision and date`,
        );
      }
      const body = normaliseWhitespace(await pdfText(pdf, { crop: { top: 56, bottom: 56 } }));
      assert.match(body, /^DRAFT Draft: not signed off or published/);
    });

    it('says so in the Word document’s running header and footer and before its heading', async () => {
      const docx = (await get(paths.reports.download(CODE, PERIOD, 'docx'))).rawPayload;
      const header = zipEntry(docx, 'word/header1.xml').toString('utf8');
      const footer = zipEntry(docx, 'word/footer1.xml').toString('utf8');
      assert.match(header, /DRAFT – Progress report 2009\/10 H1/);
      assert.match(footer, /Leeds City Council – Draft, revision 2, /);
      assert.match(normaliseWhitespace(await docxText(docx)), /^DRAFT Draft: not signed off or published/);
    });

    it('says so in the standalone web page', async () => {
      const html = (await get(paths.reports.download(CODE, PERIOD, 'html'))).body;
      assert.match(htmlText(html), /DRAFT Draft: not signed off or published/);
    });

    it('marks the draft’s pages in the board pack, and not the pack’s own pages', async () => {
      const res = await get(`${paths.boardPack.pdf}?period=${PERIOD}`);
      assert.equal(res.statusCode, 200);
      const pdf = res.rawPayload;
      const pages = Number((await pdfInfo(pdf)).Pages);
      let marked = 0;
      for (let p = 2; p <= pages; p++) {
        const text = normaliseWhitespace(await pdfText(pdf, { pages: { first: p, last: p } }));
        const draft = /DRAFT – Progress report 2009\/10 H1/.test(text);
        if (text.includes('Summary of priorities') || text.startsWith('Contents'))
          assert.ok(!draft, `page ${p} (the pack's own) is marked`);
        if (draft) {
          marked++;
          // VfM-4d's revision 2, and the demo's other reports, never published (revision 1).
          assert.match(text, /Draft, revision [12], \d+ \w+ \d{4}/);
        }
      }
      assert.ok(marked >= 3, `only ${marked} pages of the draft are marked`);
      // The summary says which statuses are a draft's.
      const summary = normaliseWhitespace(await pdfText(pdf, { pages: { first: 3, last: 3 } }));
      assert.match(summary, /VfM-4d[^]*?Amber Draft/);
    });
  });
}
