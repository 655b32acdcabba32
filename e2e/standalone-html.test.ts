// A report downloaded as one standalone web page (the report page's "Download web page (HTML)",
// the same document as `amber render --format html`) is something a council publishes on its own
// website as it is: opened from the file in Chromium, it passes axe-core with the same WCAG 2.2
// A and AA rules as Amber's pages. The demo's VfM-4d report, and OC-1c's, which has a graph.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { startSession, checkAccessibility, type Session } from './support/browser.ts';
import { ReportPage } from './pages/report-pages.ts';

const REPORTS = [
  {
    code: 'VfM-4d',
    title: 'Explore opportunities for collaboration with private and public sector bodies',
    period: '2009-10-h1',
    graphs: 0,
  },
  { code: 'OC-1c', title: 'Resolve more customer enquiries at first contact', period: '2009-10-h1', graphs: 1 },
];

/** What a reader of the document meets: its language, title, landmarks, headings, tables and charts. */
async function outline(page: Page) {
  return page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    mains: document.querySelectorAll('main').length,
    headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])),
    tablesWithoutHeaders: [...document.querySelectorAll('table')].filter(
      (t) => t.querySelectorAll('th[scope]').length === 0,
    ).length,
    charts: [...document.querySelectorAll('figure svg')].map((svg) => ({
      role: svg.getAttribute('role'),
      name: (svg.getAttribute('aria-label') ?? svg.querySelector('title')?.textContent ?? '').trim(),
      table: !!svg.closest('[data-qa="graph"]')?.querySelector('table'),
    })),
    statuses: [...document.querySelectorAll('[data-qa="status"]')].map((s) => (s as HTMLElement).innerText.trim()),
    scripts: document.querySelectorAll('script').length,
  }));
}

describe('a report downloaded as a standalone web page passes axe', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  for (const r of REPORTS)
    it(`the ${r.code} ${r.period} report${r.graphs ? ', with its graph' : ''}, opened from the downloaded file`, async () => {
      const report = await new ReportPage(session.page, r.code, r.title).visit(r.period);
      const file = await report.download('html');
      assert.equal(file.filename, `${r.code}-${r.period}.html`);
      assert.match(readFileSync(file.path, 'utf8'), /^<!DOCTYPE html>/);

      const page = await session.newPage();
      try {
        // As a council's website would serve it: a file on its own, nothing of Amber's around it.
        await page.goto(pathToFileURL(file.path).href);
        const o = await outline(page);
        assert.equal(o.lang, 'en-GB');
        assert.match(o.title, new RegExp(`${r.code.replace('-', '\\-')} .*2009/10 H1`));
        assert.equal(o.mains, 1, 'one main landmark');
        assert.equal(o.headings[0], 1, 'it starts with its h1');
        assert.equal(o.headings.filter((h) => h === 1).length, 1, 'one h1');
        for (let i = 1; i < o.headings.length; i++)
          assert.ok(o.headings[i]! <= o.headings[i - 1]! + 1, `no heading level skipped (${o.headings.join(' ')})`);
        assert.equal(o.tablesWithoutHeaders, 0, 'every table has header cells with a scope');
        assert.equal(o.charts.length, r.graphs);
        for (const c of o.charts) {
          assert.equal(c.role, 'img', 'a chart is an image to assistive technology');
          assert.ok(c.name.length > 0, 'a chart has a text alternative');
          assert.ok(c.table, 'a chart has its data table beside it');
        }
        assert.ok(o.statuses.length > 0 && o.statuses.every((s) => s.length > 0), 'the status is in words');
        assert.equal(o.scripts, 0, 'no scripts');
        await checkAccessibility(page, `the standalone HTML of ${r.code} ${r.period}`);
      } finally {
        await page.close();
      }
    });
});
