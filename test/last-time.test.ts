// The next period's report follows up the milestones set last time, in every output.

import { describe, it, before, after } from 'node:test';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { presentReport } from '../src/modules/reports/report.presenter.ts';
import { renderReportPdf } from '../src/render/pdf.ts';
import { renderReportDocx } from '../src/render/docx.ts';
import { renderReportHtml } from '../src/render/html.ts';
import { pdfText, docxText, assertInOrder } from '../src/render/text-extract.test-helper.ts';
import { htmlText } from './helpers/html.ts';
import type { ReportView } from '../src/render/report-view.ts';
import { systemActor } from '../src/domain/actor.ts';

describe('progress against the key actions set last time', () => {
  let t: TestApp;
  let view: ReportView;
  before(async () => {
    t = await buildTestApp('pglite');
    const actor = systemActor((await t.services.organisations.getHome()).id, 'test');
    await t.services.reports.create(actor, 'VfM-4d', { period: '2009-10-h2' });
    const [m1, m2] = (await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h1')).report.actions[0]!.milestones;
    await t.services.reports.recordMilestoneProgress(actor, 'VfM-4d', '2009-10-h1', m1!.id, {
      progress: 'met',
      metOn: '20/11/2009',
    });
    await t.services.reports.recordMilestoneProgress(actor, 'VfM-4d', '2009-10-h1', m2!.id, {
      progress: 'slipped',
      revised: 'Jan 2010',
      reason: 'Legal review',
    });
    view = presentReport(await t.services.reports.getBundle(actor, 'VfM-4d', '2009-10-h2'), '2010-04-15' as never);
  });
  after(async () => t?.close());

  const expected = [
    'Challenges/Risks',
    'Progress against the key actions set in the 2009/10 H1 report',
    '1. Contractual arrangements to join the DECATS programme',
    'Met: Original collaboration contract terminated – Met on 20 November 2009 (due Nov 2009)',
    'Slipped: Contract with Local Partnerships to join DECATS agreed – Slipped from Nov 2009 to Jan 2010: Legal review',
    '3. DECATS programme to be initiated',
    'Overdue: Contract initiated with buy-in from all key stakeholders – Overdue: due Nov 2009, no progress recorded',
    '4. DECATS programme completed',
    'Not yet due: DECATS programme completed – Due Apr 2010',
    'Council / Partnership Groups',
  ];

  it('appears in the PDF between the challenges and the groups', async () => {
    assertInOrder(await pdfText(await renderReportPdf(view), { crop: { top: 56, bottom: 56 } }), expected);
  });

  it('appears in the Word document', async () => {
    assertInOrder(await docxText(await renderReportDocx(view)), expected);
  });

  it('appears in the HTML with a symbol and a word for each state', () => {
    const text = htmlText(renderReportHtml(view));
    assertInOrder(text, [
      'Progress against the key actions set in the 2009/10 H1 report',
      '✔ Met Original collaboration contract terminated',
      '↷ Slipped',
      '! Overdue',
      '… Not yet due',
    ]);
  });
});
