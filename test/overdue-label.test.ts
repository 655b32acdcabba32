// A milestone's state reads once (issue 13: "Overdue: Overdue:" on the page where progress is
// recorded): the sentence that describes it already begins with the state.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';
/** A word said twice as a label, "Overdue: Overdue:" or "Met: Met on". */
const DOUBLED = /\b(Overdue|Met|Slipped|Missed|Suspended|Due)\b:?\s+\1\b/i;

for (const engine of ENGINES) {
  describe(`a milestone's state, said once [${engine}]`, () => {
    let t: TestApp;
    let progressPages: string[];
    before(async () => {
      t = await buildTestApp(engine);
      // The dashboard lists the demo's overdue milestones, each with a link to record progress.
      const dashboard = await t.app.inject({ url: paths.dashboard });
      progressPages = [
        ...new Set(
          [
            ...dashboard.body.matchAll(
              /href="(\/priorities\/VfM-4d\/reports\/2009-10-h1\/milestones\/[\w-]+\/progress)/g,
            ),
          ].map((m) => m[1]!),
        ),
      ];
    });
    after(async () => t?.close());

    it('reads "Overdue: due …" once on the page where progress is recorded', async () => {
      assert.ok(progressPages.length > 0, 'the dashboard links to overdue milestones of the demo report');
      for (const url of progressPages) {
        const page = await t.app.inject({ url });
        assert.equal(page.statusCode, 200, url);
        const text = htmlText(page.body);
        assert.match(text, /Now Overdue: due \w{3} \d{4}, no progress recorded What happened\?/, url);
        assert.doesNotMatch(text, DOUBLED, url);
      }
    });

    it('reads a recorded state once too', async () => {
      const url = progressPages[0]!;
      const saved = await t.app.inject({
        method: 'POST',
        url,
        ...form({
          progress: 'slipped',
          revised: 'Mar 2010',
          reason: 'The partners asked for more time',
          _csrf: t.session!.csrfToken,
        }),
      });
      assert.equal(saved.statusCode, 303);
      const text = htmlText((await t.app.inject({ url })).body);
      assert.match(text, /Now Slipped from \w{3} \d{4} to Mar 2010: The partners asked for more time/);
      assert.doesNotMatch(text, DOUBLED);
    });

    it('says no state twice on the report, my work or the dashboard', async () => {
      for (const url of [paths.reports.show(CODE, PERIOD), paths.myWork, paths.dashboard]) {
        const page = await t.app.inject({ url });
        assert.equal(page.statusCode, 200, url);
        assert.doesNotMatch(htmlText(page.body), DOUBLED, url);
      }
    });
  });
}
