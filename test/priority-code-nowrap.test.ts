// A priority's code never breaks at its hyphen (issue 13: "VfM-" on one line, "4d" on the next):
// wherever pages show it in a table or a heading it carries `amber-code`, which the stylesheet
// keeps on one line.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { paths } from '../src/paths.ts';

it('keeps .amber-code on one line in the stylesheet', () => {
  const scss = readFileSync(new URL('../src/platform/views/styles/amber.scss', import.meta.url), 'utf8');
  assert.match(scss, /\.amber-code \{\s*white-space: nowrap;\s*\}/);
});

for (const engine of ENGINES) {
  describe(`priority codes on one line [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());

    const page = async (url: string) => {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      return res.body;
    };

    it('marks the code in the priority list and on the priority’s page', async () => {
      assert.match(
        await page(paths.priorities.list),
        /<a class="govuk-link amber-code" href="\/priorities\/VfM-4d">VfM-4d<\/a>/,
      );
      assert.match(
        await page(paths.priorities.show('VfM-4d')),
        /<h1 class="govuk-heading-l"><span class="amber-code">VfM-4d<\/span> Explore opportunities/,
      );
    });

    it('marks the code on the dashboard', async () => {
      assert.match(await page(paths.dashboard), /<strong class="amber-code">VfM-4d<\/strong>:/);
    });

    it('marks the code in the report’s heading', async () => {
      assert.match(
        await page(paths.reports.show('VfM-4d', '2009-10-h1')),
        /data-qa="report-heading">Improvement Priority – <span class="amber-code">VfM-4d<\/span> Explore opportunities/,
      );
    });
  });
}
