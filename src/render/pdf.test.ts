import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  buildActionViews,
  buildGraphView,
  buildLongText,
  buildVfm4dReportView,
} from '../../test/builders/report-view.ts';
import { renderReportPdf } from './pdf.ts';
import type { GraphView, ReportView } from './report-view.ts';
import {
  assertInOrder,
  countOccurrences,
  normaliseWhitespace,
  pdfFonts,
  pdfInfo,
  pdfText,
  reportFragments,
} from './text-extract.test-helper.ts';

// The running header and footer sit in the top and bottom 56 points of each page.
const BODY = { crop: { top: 56, bottom: 56 } };
const HEADER_ROW = 'No. Action (Desired Achievements) Contributory Officer / Partner Milestone / Actions Timescale';

const UNICODE = 'Gwasanaethau’r Cyngor: ŵ ŷ Ŵ Ŷ – £1,250 “ymgynghori” ‘dros dro’ <script>alert(1)</script>';

async function pageCount(pdf: Buffer): Promise<number> {
  return Number((await pdfInfo(pdf)).Pages);
}

/** Asserts every page from the one where the key actions start to the last shows the table header. */
async function assertHeaderOnEveryTablePage(pdf: Buffer, heading: string): Promise<number> {
  const pages = await pageCount(pdf);
  let first = 0;
  for (let p = 1; p <= pages; p++) {
    const text = normaliseWhitespace(await pdfText(pdf, { ...BODY, pages: { first: p, last: p } }));
    if (!first && text.includes(heading)) first = p;
    if (first) assert.ok(text.includes(HEADER_ROW), `page ${p} of the key actions has no header row`);
  }
  assert.ok(first > 0, 'the key actions heading is not printed');
  return pages - first + 1;
}

describe('the PDF of a progress report', () => {
  const view = buildVfm4dReportView();
  let pdf: Buffer;
  let body: string;
  let whole: string;

  before(async () => {
    pdf = await renderReportPdf(view);
    body = await pdfText(pdf, BODY);
    whole = await pdfText(pdf);
  });

  it('prints every field of the seed report in the order of the seed', () => {
    assertInOrder(body, reportFragments(view));
  });

  it("prints the seed report's own headings, names, dates and timescales", () => {
    assertInOrder(body, [
      'Improvement Priority – VfM-4d Explore opportunities for collaboration with private and public sector bodies',
      'Accountable Officer – Lee Hemsworth',
      'Why is this a priority',
      'Graphs',
      'There are no graphs for this priority.',
      'Overall progress to date and outcomes achieved 1st April – 30th September 2009',
      'Overall Summary',
      'more than £6 million additional savings',
      'Status: Amber',
      'Achievements since the last report',
      'Two thirds of funding (£100K)',
      'Challenges/Risks',
      'Council / Partnership Groups',
      'Council Directorates involving all Chief Officer portfolio/function areas.',
      'External partners Local Partnerships and PwC.',
      'Approved by',
      '(Accountable Officer)',
      'Lee Hemsworth',
      'Date',
      '22 October 2009',
      'Approved by',
      '(Accountable Director)',
      'James Rogers',
      'Date',
      '9 November 2009',
      'Key actions for the next 6 months',
      'Action (Desired Achievements)',
      'Contributory Officer / Partner',
      'Milestone / Actions',
      'Timescale',
      '1.',
      'Contractual arrangements to join the DECATS programme',
      'Arfan Hanif',
      'Iain Dunn',
      'Original collaboration contract terminated',
      'Nov 2009',
      'Contract with Local Partnerships to join DECATS agreed',
      'Nov 2009',
      '2.',
      'John McPherson',
      'Communication Plan agreed',
      'Nov 2009',
      '3.',
      'Arfan Hanif',
      'Bernard McPheely',
      'Contract initiated with buy-in from all key stakeholders',
      'Nov 2009',
      '4.',
      'DECATS programme completed',
      'Apr 2010',
      'Business cases identified and opportunities explored',
      'Apr 2010',
    ]);
  });

  it('is A4 on every page', async () => {
    const pages = await pageCount(pdf);
    const boxes = [...pdf.toString('latin1').matchAll(/\/MediaBox \[([^\]]*)\]/g)].map((m) => m[1]?.trim());
    assert.equal(boxes.length, pages);
    for (const box of boxes) assert.equal(box, '0 0 595.28 841.89');
  });

  it('numbers every page "Page N of M" in the footer', async () => {
    const pages = await pageCount(pdf);
    assert.ok(pages >= 2);
    for (let p = 1; p <= pages; p++) assert.ok(whole.includes(`Page ${p} of ${pages}`), `no "Page ${p} of ${pages}"`);
    assert.ok(!body.includes('Page 1 of'), 'page numbers should sit in the footer, outside the body');
  });

  it('repeats the priority code and title at the top of every page', async () => {
    const pages = await pageCount(pdf);
    for (let p = 1; p <= pages; p++) {
      const top = await pdfText(pdf, { pages: { first: p, last: p }, crop: { top: 0, bottom: 800 } });
      assert.match(
        normaliseWhitespace(top),
        /^VfM-4d Explore opportunities for collaboration with private and public sector bodies/,
      );
    }
  });

  it('embeds every font it uses', async () => {
    const fonts = await pdfFonts(pdf);
    assert.ok(fonts.length > 0);
    for (const font of fonts) assert.ok(font.embedded, `${font.name} is not embedded`);
    const raw = pdf.toString('latin1');
    assert.equal(countOccurrences(raw, '/FontFile2'), countOccurrences(raw, '/Type /FontDescriptor'));
  });

  it('names the report and the council in the document properties', async () => {
    const info = await pdfInfo(pdf);
    assert.equal(info.Author, 'Leeds City Council');
    assert.match(info.Title ?? '', /^VfM-4d Explore opportunities for collaboration/);
  });

  it('flows a 5,000-word summary and 40 actions across pages, repeating the table header on each', async () => {
    const summary = buildLongText(5000);
    const long: ReportView = buildVfm4dReportView({ summary: [summary], actions: buildActionViews(40) });
    const longPdf = await renderReportPdf(long);
    const pages = await pageCount(longPdf);
    assert.ok(pages >= 8, `expected at least 8 pages, got ${pages}`);
    const text = await pdfText(longPdf, BODY);
    assertInOrder(text, reportFragments(long));
    assert.ok(countOccurrences(text, 'Contributory Officer / Partner') > 1);
    const tablePages = await assertHeaderOnEveryTablePage(longPdf, long.actionsHeading);
    assert.ok(tablePages >= 2, 'forty actions should need more than one page');
  });

  it('splits an action longer than a page between lines and continues it under the header', async () => {
    const description = buildLongText(1500, 'the single longest action');
    const actions = buildActionViews(2);
    // Only the description, so that on every page the row's text is the next lines of it.
    actions[0] = { ...actions[0]!, description, contributors: [], milestones: [] };
    const long = buildVfm4dReportView({ actions });
    const longPdf = await renderReportPdf(long);
    const tablePages = await assertHeaderOnEveryTablePage(longPdf, long.actionsHeading);
    assert.ok(tablePages >= 2);
    const text = normaliseWhitespace(await pdfText(longPdf, BODY))
      .replaceAll(`${long.actionsHeading} (continued)`, '')
      .replaceAll(HEADER_ROW, '');
    assertInOrder(text, [
      long.actionsHeading,
      '1.',
      description,
      '2.',
      'Officer 2',
      'Workstream 2 plan agreed',
      'Nov 2009',
    ]);
  });

  it('keeps Welsh letters, pound signs, dashes, curly quotes and markup exactly as written', async () => {
    const actions = buildActionViews(1);
    actions[0] = {
      ...actions[0]!,
      description: UNICODE,
      contributors: ['Siân Llŷr', 'Gwŷn Ŵyn'],
      milestones: [{ ...actions[0]!.milestones[0]!, description: UNICODE }],
    };
    const v = buildVfm4dReportView({
      summary: [UNICODE],
      statusReason: [UNICODE],
      achievements: [UNICODE],
      challenges: [UNICODE],
      groups: { internal: UNICODE, external: 'Cyngor Sir Ddinbych' },
      actions,
    });
    const text = await pdfText(await renderReportPdf(v), BODY);
    assert.equal(countOccurrences(text, UNICODE), 7);
    assertInOrder(text, ['Siân Llŷr', 'Gwŷn Ŵyn']);
  });

  it('says "Not yet signed off" for a role with no decision', async () => {
    const v = buildVfm4dReportView({ signOffs: view.signOffs.filter((s) => s.role === 'accountable_officer') });
    const text = await pdfText(await renderReportPdf(v), BODY);
    assertInOrder(text, ['Lee Hemsworth', '22 October 2009', '(Accountable Director)', 'Not yet signed off']);
    assert.ok(!text.includes('James Rogers'));
  });

  it('renders a report with no status, officer, graphs or actions yet', async () => {
    const v = buildVfm4dReportView({ status: null, accountableOfficer: null, actions: [], statusReason: [] });
    const text = await pdfText(await renderReportPdf(v), BODY);
    assertInOrder(text, [
      'Accountable Officer – Not assigned',
      'Status: Not set',
      'Key actions for the next 6 months',
      'No key actions have been recorded for the next period.',
    ]);
  });

  it('lists graph titles in place of the no-graphs sentence when a priority has graphs', async () => {
    const v = buildVfm4dReportView({ graphs: [buildGraphView({ title: 'Savings identified (£000s)', unit: '£' })] });
    const text = await pdfText(await renderReportPdf(v), BODY);
    assertInOrder(text, ['Graphs', 'Savings identified (£000s)', v.progressHeading]);
    assert.ok(!text.includes(v.noGraphsText));
  });
});

/**
 * What the PDF prints for a graph, in order: heading, description, caption, then each row's
 * cells. The status cell prints the label beside a drawn shape (the font has no ● ▲ ◆ glyphs).
 */
function graphFragments(g: GraphView): string[] {
  const statusAt = g.table.columns.findIndex((c) => c.key === 'status');
  return [
    `${g.code} ${g.title}`,
    g.description,
    g.table.caption,
    ...g.table.columns.map((c) => c.header),
    ...g.table.rows.flatMap((r) => r.cells.map((cell, i) => (i === statusAt && r.status ? r.status.label : cell))),
  ];
}

describe('the graphs in the PDF of a progress report', () => {
  const savings = buildGraphView({
    code: 'VfM-4d-1',
    title: 'Cashable savings from collaboration (£)',
    unit: '£',
    decimals: 0,
    kind: 'bar',
    points: buildGraphView().chart.points.map((p, i) => ({
      ...p,
      actual: p.actual === null ? null : 250_000 + i * 180_000,
      target: 1_000_000,
    })),
  });
  const view = buildVfm4dReportView({ graphs: [buildGraphView(), savings] });
  let pdf: Buffer;
  let body: string;

  before(async () => {
    pdf = await renderReportPdf(view);
    body = await pdfText(pdf, BODY);
  });

  it("follows each graph's heading and chart with its caption and every period and value of its table, in order", () => {
    assert.equal(view.graphs.length, 2);
    assertInOrder(body, ['Graphs', ...view.graphs.flatMap(graphFragments), view.progressHeading]);
    // The formatted values, not raw numbers: thousands separators and the decimals of the indicator.
    assertInOrder(body, ['2009/10 Q2', 'No data', '95.0', 'Not set', '2009/10 Q4', '93.3', '95.0', 'Amber']);
    assertInOrder(body, [savings.table.caption, '2008/09 Q1', '250,000', '1,000,000', 'Amber']);
  });

  it('leaves out the no-graphs sentence when there are graphs', () => {
    assert.ok(!body.includes(view.noGraphsText));
  });

  it('still prints every field of the report in order around the graphs', () => {
    assertInOrder(body, reportFragments(view));
  });

  it("sets the charts' text in the embedded fonts only, never a standard font", async () => {
    const fonts = await pdfFonts(pdf);
    assert.ok(fonts.length > 0);
    for (const font of fonts) {
      assert.ok(font.embedded, `${font.name} is not embedded`);
      assert.match(font.name, /NotoSans/, `${font.name} is not one of the embedded Noto Sans fonts`);
    }
    const raw = pdf.toString('latin1');
    assert.ok(!raw.includes('/Helvetica'), 'a chart fell back to Helvetica');
    assert.equal(countOccurrences(raw, '/FontFile2'), countOccurrences(raw, '/Type /FontDescriptor'));
  });

  it('draws the chart itself, with its axis and legend text, between the heading and the description', () => {
    const [first] = view.graphs;
    assertInOrder(body, [
      `${first!.code} ${first!.title}`,
      'Higher is better',
      'Actual',
      'Target',
      'Per cent (%)',
      '88%',
      '98%',
      '93.3%',
      first!.description,
    ]);
  });

  it("keeps Welsh letters, pound signs and markup in a graph's title as written", async () => {
    const v = buildVfm4dReportView({ graphs: [buildGraphView({ title: UNICODE })] });
    const text = await pdfText(await renderReportPdf(v), BODY);
    // The heading and the table's caption.
    assert.equal(countOccurrences(text, UNICODE), 2);
    assertInOrder(text, ['Graphs', `NI 179 ${UNICODE}`, `Data for NI 179 ${UNICODE}, 2008/09 Q1 to 2009/10 Q4`]);
  });

  it("repeats a long graph table's header row on every page it spans, its rows in order", async () => {
    const quarters = Array.from(
      { length: 60 },
      (_, i) => `${2000 + Math.floor(i / 4)}/${String((1 + Math.floor(i / 4)) % 100).padStart(2, '0')} Q${(i % 4) + 1}`,
    );
    const long = buildGraphView({
      points: quarters.map((periodLabel, i) => ({ periodLabel, actual: 80 + (i % 17), target: 95, status: null })),
    });
    assert.deepEqual(
      long.table.columns.map((c) => c.header),
      ['Period', 'Actual (%)', 'Target (%)'],
    );
    const out = await renderReportPdf(buildVfm4dReportView({ graphs: [long] }));
    const pages = await pageCount(out);
    const continued = `${long.table.caption} (continued)`;
    let spans = 0;
    for (let p = 1; p <= pages; p++) {
      const text = normaliseWhitespace(await pdfText(out, { ...BODY, pages: { first: p, last: p } }));
      if (text.includes(quarters[30]!) || text.includes(quarters[59]!)) {
        spans++;
        assert.ok(text.includes('Period Actual (%) Target (%)'), `page ${p} of the graph table has no header row`);
      }
    }
    assert.ok(spans >= 2, 'sixty quarters should take more than one page');
    const text = normaliseWhitespace(await pdfText(out, BODY))
      .replaceAll(continued, '')
      .replaceAll('Period Actual (%) Target (%)', '');
    assertInOrder(text, [long.table.caption, ...long.table.rows.flatMap((r) => r.cells), 'Overall Summary']);
  });
});

describe('the PDF of a progress report that cites the risk register', () => {
  it('prints each cited risk as a bullet under Challenges/Risks, after the free-text ones', async () => {
    const view: ReportView = {
      ...buildVfm4dReportView(),
      citedRisks: [
        { description: 'Programme not delivered on time', ratingLabel: 'High', score: 16, owner: 'Arfan Hanif' },
      ],
    };
    const text = normaliseWhitespace(await pdfText(await renderReportPdf(view), BODY));
    assertInOrder(text, [
      'Challenges/Risks',
      view.challenges.at(-1)!,
      'Programme not delivered on time — High (16), owner Arfan Hanif',
      'Council / Partnership Groups',
    ]);
  });
});
