// The demo VfM-4d report, stored in the database and rendered back as HTML, PDF and DOCX,
// contains every field of the seed document in the seed's order.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VFM_4D } from '../src/modules/demo/vfm-4d.ts';
import { presentReport } from '../src/modules/reports/report.presenter.ts';
import { renderReportPdf } from '../src/render/pdf.ts';
import { renderReportDocx } from '../src/render/docx.ts';
import { renderReportHtml } from '../src/render/html.ts';
import { renderReportJson } from '../src/render/json.ts';
import { pdfText, docxText, assertInOrder, normaliseWhitespace } from '../src/render/text-extract.test-helper.ts';
import type { ReportView } from '../src/render/report-view.ts';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

// A copy of ../shared/seed/vfm-4d-progress-report-2009-h1.txt, so a clone tests on its own.
const SEED = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/seed/vfm-4d-progress-report-2009-h1.txt');

/** Every field of the seed, in the seed's order, with the seed's headings. */
function seedFields(): string[] {
  const r = VFM_4D.report;
  const p = VFM_4D.priority;
  return [
    `Improvement Priority – ${p.code} ${p.title}`,
    'Accountable Officer – Lee Hemsworth',
    'Why is this a priority',
    p.rationale,
    'Graphs',
    'There are no graphs for this priority',
    'Overall progress to date and outcomes achieved 1st April – 30th September 2009',
    'Overall Summary',
    r.summary,
    'Amber',
    r.statusReason,
    'Achievements since the last report',
    ...r.achievements,
    'Challenges/Risks',
    ...r.challenges,
    'Council / Partnership Groups',
    p.groupsInternal,
    p.groupsExternal,
    'Approved by',
    'Accountable Officer',
    'Lee Hemsworth',
    '22 October 2009',
    'Approved by',
    'Accountable Director',
    'James Rogers',
    '9 November 2009',
    'Key actions for the next 6 months',
    'Action (Desired Achievements)',
    'Contributory Officer / Partner',
    'Milestone / Actions',
    'Timescale',
    ...r.actions.flatMap((a, i) => [
      `${i + 1}.`,
      a.description,
      ...a.contributors.map((k) => VFM_4D.people.find((x) => x.key === k)!.name),
      ...a.milestones.flatMap((m) => [m.description, m.timescale]),
    ]),
  ];
}

describe('the demo data is the seed document', () => {
  it('holds every text of the seed report verbatim and in the seed’s order', () => {
    const seed = normaliseWhitespace(readFileSync(SEED, 'utf8'));
    const r = VFM_4D.report;
    const p = VFM_4D.priority;
    const texts = [
      p.code,
      p.title,
      p.rationale,
      r.summary,
      ...r.achievements,
      ...r.challenges,
      p.groupsInternal,
      p.groupsExternal,
      ...r.actions.flatMap((a) => [a.description, ...a.milestones.map((m) => m.description)]),
    ];
    assertInOrder(seed, texts);
    assert.ok(seed.includes('22 October 2009') && seed.includes('9/11/09'), 'both sign-off dates are in the seed');
  });
});

for (const engine of ENGINES) {
  describe(`the VfM-4d report rendered from the database [${engine}]`, () => {
    let t: TestApp;
    let view: ReportView;
    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      view = presentReport(await t.services.reports.getBundle(systemActor(home.id, 'test'), 'VfM-4d', '2009-10-h1'));
    });
    after(async () => t?.close());

    it('reads like the seed on the web page', async () => {
      const res = await t.app.inject({ url: paths.reports.show('VfM-4d', '2009-10-h1') });
      assert.equal(res.statusCode, 200);
      assertInOrder(htmlText(res.body), seedFields());
    });

    it('reads like the seed as a standalone HTML document', () => {
      assertInOrder(htmlText(renderReportHtml(view)), seedFields());
    });

    it('reads like the seed as a PDF', async () => {
      assertInOrder(await pdfText(await renderReportPdf(view), { crop: { top: 56, bottom: 56 } }), seedFields());
    });

    it('reads like the seed as a Word document', async () => {
      assertInOrder(await docxText(await renderReportDocx(view)), seedFields());
    });

    it('carries every field in the JSON download', () => {
      const json = JSON.parse(renderReportJson(view));
      assert.equal(json.format, 'amber.report.v1');
      assert.equal(json.priority.code, 'VfM-4d');
      assert.equal(json.status.label, 'Amber');
      assert.deepEqual(json.achievements, VFM_4D.report.achievements);
      assert.deepEqual(
        json.actions.map((a: { milestones: unknown[] }) => a.milestones.length),
        [2, 2, 1, 2],
      );
      assert.deepEqual(
        json.signOffs.map((s: { name: string; date: string }) => `${s.name} ${s.date}`),
        ['Lee Hemsworth 22 October 2009', 'James Rogers 9 November 2009'],
      );
    });
  });
}
