// "What changed since the last period" on a priority's first report (issue 13): there is no
// earlier report, so the page says so and leads back to the report (200, never a 404), and the
// report itself offers the comparison only where there is an earlier report, naming it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

const CODE = 'VfM-4d';
const FIRST = '2009-10-h1'; // the demo's only report of VfM-4d

for (const engine of ENGINES) {
  describe(`what changed since the last period, on a first report [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());

    it('says there is no earlier report to compare with, and links back to the report', async () => {
      const page = await t.app.inject({ url: paths.reports.sinceLastPeriod(CODE, FIRST) });
      assert.equal(page.statusCode, 200);
      const text = htmlText(page.body);
      assert.match(text, /VfM-4d – 2009\/10 H1 report No earlier report to compare with/);
      assert.match(
        text,
        /The 2009\/10 H1 report is the first report of VfM-4d you can read, so there is nothing earlier to compare it with\./,
      );
      assert.match(
        page.body,
        new RegExp(`href="${paths.reports.show(CODE, FIRST)}" data-qa="back-to-report">Back to the 2009/10 H1 report<`),
      );
    });

    it('shows a reader of published reports the same page', async () => {
      const viewer = await t.signIn(['viewer']);
      const page = await t.app.inject({
        url: paths.reports.sinceLastPeriod(CODE, FIRST),
        headers: { cookie: viewer.headers.cookie },
      });
      assert.equal(page.statusCode, 200);
      assert.match(htmlText(page.body), /No earlier report to compare with/);
    });

    it('still answers 404 for a report that does not exist', async () => {
      const page = await t.app.inject({ url: paths.reports.sinceLastPeriod(CODE, '2031-32-h1') });
      assert.equal(page.statusCode, 404);
    });

    it('offers the comparison only on a report with an earlier one, naming that report', async () => {
      const first = await t.app.inject({ url: paths.reports.show(CODE, FIRST) });
      assert.equal(first.statusCode, 200);
      assert.ok(!first.body.includes('data-qa="since-last-period-link"'), 'not offered on the first report');
      assert.ok(!first.body.includes(paths.reports.sinceLastPeriod(CODE, FIRST)));

      const system = systemActor((await t.services.organisations.getHome()).id, 'test');
      await t.services.periods.ensure(system, '2009-10-h2');
      await t.services.reports.create(system, CODE, { period: '2009-10-h2' });
      const second = await t.app.inject({ url: paths.reports.show(CODE, '2009-10-h2') });
      assert.equal(second.statusCode, 200);
      assert.match(
        second.body,
        new RegExp(
          `href="${paths.reports.sinceLastPeriod(CODE, '2009-10-h2')}" data-qa="since-last-period-link">What changed since the 2009/10 H1 report<`,
        ),
      );
      const changes = await t.app.inject({ url: paths.reports.sinceLastPeriod(CODE, '2009-10-h2') });
      assert.equal(changes.statusCode, 200);
      assert.match(htmlText(changes.body), /VfM-4d – 2009\/10 H2 report What changed since the 2009\/10 H1 report/);
    });
  });
}
