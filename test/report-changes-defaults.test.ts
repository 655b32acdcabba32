// "What changed" between two revisions of a report, asked for without naming them (issue 13: the
// page said "There is no revision NaN of this report"). Left out, `to` is the newest revision the
// reader may read and `from` the published one before it; with nothing earlier the page says so
// and leads to the list of revisions, and the API answers 422 naming `from`. A revision that is
// not a number is named too: a page that says what to do (400) and a 422 on the API.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp, type TestSession } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1'; // the demo's report: revision 1, published

interface Problem {
  status: number;
  errors: { field: string; message: string }[];
}

for (const engine of ENGINES) {
  describe(`what changed between revisions, when the revisions are left out [${engine}]`, () => {
    let t: TestApp;
    let viewer: TestSession;
    before(async () => {
      t = await buildTestApp(engine);
      viewer = await t.signIn(['viewer']);
    });
    after(async () => t?.close());

    const get = (url: string, as?: TestSession) => t.app.inject({ url, headers: as ? as.headers : {} });
    const page = paths.reports.compare(CODE, PERIOD);
    const api = paths.api.compare(CODE, PERIOD);

    it('says a report with one revision has nothing earlier to compare with, on the page and in the API', async () => {
      const shown = await get(page);
      assert.equal(shown.statusCode, 200);
      const text = htmlText(shown.body);
      assert.doesNotMatch(text, /NaN/);
      assert.match(text, /VfM-4d – 2009\/10 H1 report No earlier revision to compare with/);
      assert.match(
        text,
        /Revision 1 is the first revision of this report you can read, so there is nothing earlier to compare it with\./,
      );
      assert.match(
        shown.body,
        new RegExp(`href="${paths.reports.revisions(CODE, PERIOD)}" data-qa="all-revisions">See all revisions`),
      );

      const answered = await get(api);
      assert.equal(answered.statusCode, 422);
      const problem = answered.json<Problem>();
      assert.deepEqual(
        problem.errors.map((e) => e.field),
        ['from'],
      );
      assert.match(problem.errors[0]!.message, /Revision 1 is the first revision of this report you may read/);
      assert.doesNotMatch(answered.body, /NaN/);
    });

    it('names a revision that is not a whole number, on the page (400, with the way back) and in the API (422)', async () => {
      for (const query of ['from=abc&to=1', 'to=-1', 'to=0', 'from=1.5', 'from=1&from=2']) {
        const shown = await get(`${page}?${query}`);
        assert.equal(shown.statusCode, 400, query);
        const text = htmlText(shown.body);
        assert.doesNotMatch(text, /NaN/, query);
        assert.match(text, /These revisions cannot be compared/, query);
        assert.match(text, /Give (from|to) as a whole number from 1 to 1,000,000/, query);
        assert.match(shown.body, /data-qa="all-revisions"/, query);
      }
      // `to=` is empty, which is the same as leaving it out: only the `from=abc` is wrong.
      const answered = await get(`${api}?from=abc&to=`);
      assert.equal(answered.statusCode, 422);
      assert.deepEqual(
        answered.json<Problem>().errors.map((e) => e.field),
        ['from'],
      );
      const both = await get(`${api}?since=last-period&from=1`);
      assert.equal(both.statusCode, 422);
      assert.deepEqual(
        both.json<Problem>().errors.map((e) => e.field),
        ['since'],
      );
    });

    it('still answers 404 for a report or a revision that does not exist', async () => {
      assert.equal((await get(paths.reports.compare(CODE, '2031-32-h1'))).statusCode, 404);
      assert.equal((await get(`${paths.reports.compare(CODE, '2031-32-h1')}?from=x`)).statusCode, 404);
      assert.equal((await get(paths.api.compare(CODE, '2031-32-h1'))).statusCode, 404);
      const missing = await get(`${page}?from=1&to=7`);
      assert.equal(missing.statusCode, 404);
      assert.match(htmlText(missing.body), /There is no revision 7 of this report/);
    });

    it('compares the newest revision the reader may read with the published one before it', async () => {
      // A change to the published report opens revision 2 as a draft.
      const current = (await get(paths.api.report(CODE, PERIOD))).json<{ version: number }>();
      const changed = await t.app.inject({
        method: 'PATCH',
        url: paths.api.report(CODE, PERIOD),
        payload: { version: current.version, summary: 'A summary for revision 2.' },
      });
      assert.equal(changed.statusCode, 200, changed.body);

      const answered = await get(api);
      assert.equal(answered.statusCode, 200, answered.body);
      const result = answered.json<{ from: number; to: number; changes: { field: string }[] }>();
      assert.deepEqual([result.from, result.to], [1, 2]);
      assert.deepEqual(
        result.changes.map((c) => c.field),
        ['summary'],
      );
      assert.deepEqual((await get(`${api}?from=1&to=2`)).json(), result, 'the same as naming both revisions');
      assert.deepEqual([(await get(`${api}?from=1`)).json().to, (await get(`${api}?to=2`)).json().from], [2, 1]);

      const shown = htmlText((await get(page)).body);
      assert.match(shown, /What changed from revision 1 to revision 2/);
      assert.match(shown, /A summary for revision 2\./);

      // A viewer reads only published revisions: revision 1 is the newest they may read.
      const seen = await get(api, viewer);
      assert.equal(seen.statusCode, 422);
      assert.equal(seen.json<Problem>().errors[0]!.field, 'from');
      assert.match(htmlText((await get(page, viewer)).body), /No earlier revision to compare with/);
      assert.equal((await get(`${api}?to=2`, viewer)).statusCode, 403, 'the draft stays the drafters’');
    });
  });
}
