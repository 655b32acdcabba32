// The board pack as PDF and DOCX: cover, contents (with page numbers in the PDF), the summary
// table, then each priority's report in order, for a pack of the demo's four priorities.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildBoardPackView as buildPackView } from '../../test/builders/board-pack-view.ts';
import { buildActionViews, buildGraphView, buildVfm4dReportView } from '../../test/builders/report-view.ts';
import { renderBoardPackDocx, renderBoardPackPdf, type BoardPackRow, type BoardPackView } from './board-pack.ts';
import type { ReportView } from './report-view.ts';
import { assertInOrder, countOccurrences, docxText, pdfInfo, pdfText, zipEntry } from './text-extract.test-helper.ts';

const DEMO: { code: string; title: string; officer: string; direction: BoardPackRow['direction'] }[] = [
  {
    code: 'VfM-4a',
    title: 'Improve procurement practice and contract management',
    officer: 'Officer A',
    direction: { key: 'better', label: 'Better', arrow: '↑', detail: 'Amber in 2008/09 H2' },
  },
  {
    code: 'VfM-4d',
    title: 'Explore opportunities for collaboration',
    officer: 'Officer D',
    direction: { key: 'new', label: 'New', arrow: '', detail: 'No earlier report' },
  },
  {
    code: 'OP-2b',
    title: 'Reduce sickness absence across the council',
    officer: 'Officer B',
    direction: { key: 'worse', label: 'Worse', arrow: '↓', detail: 'Amber in 2008/09 H2' },
  },
  {
    code: 'OC-1c',
    title: 'Resolve more customer enquiries at first contact',
    officer: 'Officer C',
    direction: { key: 'same', label: 'Same', arrow: '→', detail: 'Amber in 2008/09 H2' },
  },
];

function buildBoardPackView(reports: ReportView[], rows: BoardPackRow[]): BoardPackView {
  return buildPackView(reports, { summary: rows });
}

function demoPack(): BoardPackView {
  const reports = DEMO.map((d, i) =>
    buildVfm4dReportView({
      priority: { code: d.code, title: d.title, rationale: [`Why ${d.code} matters.`] },
      heading: `Improvement Priority – ${d.code} ${d.title}`,
      // One long report, so that the page numbers in the contents are not all consecutive.
      ...(i === 1 ? { actions: buildActionViews(14), graphs: [buildGraphView()] } : {}),
    }),
  );
  const rows = DEMO.map((d, i) => ({
    code: d.code,
    title: d.title,
    officer: d.officer,
    status: reports[i]!.status,
    hasReport: true,
    direction: d.direction,
  }));
  return buildBoardPackView(reports, rows);
}

describe('board pack PDF', () => {
  const view = demoPack();
  let pdf: Buffer;
  let text: string;
  before(async () => {
    pdf = await renderBoardPackPdf(view);
    text = await pdfText(pdf);
  });

  it('is a PDF that opens with the cover: organisation, title, period and date generated', async () => {
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const cover = await pdfText(pdf, { pages: { first: 1, last: 1 } });
    assertInOrder(cover, [
      view.organisationName,
      'Board pack',
      'Progress reports 2009/10 H1',
      view.periodSpan,
      '4 priorities, 4 reports',
      'Generated on 24 November 2026',
    ]);
  });

  it('lists every priority in order in the contents, each with the page its report starts on', async () => {
    const pages = Number((await pdfInfo(pdf)).Pages);
    const contents = await pdfText(pdf, { pages: { first: 2, last: 2 } });
    assert.match(contents, /Contents/);
    const summaryPage = Number(/Summary of priorities 2009\/10 H1\s*(\d+)/.exec(contents)?.[1]);
    assert.equal(summaryPage, 3);
    const starts = view.reports.map((r) => {
      const m = new RegExp(`${r.priority.code} ${r.priority.title}\\s*(\\d+)`).exec(contents);
      assert.ok(m, `${r.priority.code} is in the contents`);
      return Number(m[1]);
    });
    assert.deepEqual(
      [...starts].sort((a, b) => a - b),
      starts,
      'in order',
    );
    assert.ok(starts[2]! - starts[1]! > 1, 'the long report takes more than one page');
    for (const [i, page] of starts.entries()) {
      const first = await pdfText(pdf, { pages: { first: page, last: page } });
      assert.match(
        first,
        new RegExp(`Improvement Priority – ${view.reports[i]!.priority.code}`),
        `page ${page} starts ${view.reports[i]!.priority.code}`,
      );
      assert.ok(page <= pages);
    }
  });

  it('has a summary table row per priority: code, title, officer, status and direction in words', async () => {
    const summary = await pdfText(pdf, { pages: { first: 3, last: 3 } });
    assertInOrder(summary, ['Code', 'Priority', 'Accountable officer', 'Status', 'Direction of travel']);
    assertInOrder(
      summary,
      DEMO.flatMap((d, i) => [
        d.code,
        d.title,
        d.officer,
        view.reports[i]!.status!.label,
        d.direction.label,
        d.direction.detail,
      ]),
    );
  });

  it('then has each report, headings in order, with its own running header and the pack’s page numbers', async () => {
    assertInOrder(text, [
      'Contents',
      'Summary of priorities',
      ...view.reports.flatMap((r) => [r.heading, 'Why is this a priority', r.actionsHeading]),
    ]);
    const pages = Number((await pdfInfo(pdf)).Pages);
    assert.equal(countOccurrences(text, `of ${pages}`), pages - 1, 'every page but the cover says "Page N of M"');
    assert.ok(countOccurrences(text, 'Progress report 2009/10 H1') >= 4);
  });
});

describe('board pack DOCX', () => {
  const view = demoPack();
  let docx: Buffer;
  let text: string;
  before(async () => {
    docx = await renderBoardPackDocx(view);
    text = await docxText(docx);
  });

  it('has the cover, a contents list linking to every report, the summary and every report heading, in order', () => {
    assertInOrder(text, [
      view.organisationName,
      'Board pack',
      'Progress reports 2009/10 H1',
      'Generated on 24 November 2026',
      'Contents',
      'Summary of priorities 2009/10 H1',
      ...view.reports.map((r) => `${r.priority.code} ${r.priority.title}`),
      'Summary of priorities 2009/10 H1',
      ...view.reports.flatMap((r) => [r.heading, 'Why is this a priority', r.actionsHeading]),
    ]);
    const xml = zipEntry(docx, 'word/document.xml').toString('utf8');
    for (const i of view.reports.keys()) {
      assert.match(
        xml,
        new RegExp(`<w:hyperlink[^>]*w:anchor="report_${i + 1}"`),
        `the contents link to report ${i + 1}`,
      );
      assert.match(xml, new RegExp(`<w:bookmarkStart[^>]*w:name="report_${i + 1}"`), `report ${i + 1} is bookmarked`);
    }
  });

  it('has the summary as a Word table with a repeating header row and each direction in words with its arrow', () => {
    const xml = zipEntry(docx, 'word/document.xml').toString('utf8');
    const summary = xml.slice(xml.indexOf('Summary of priorities 2009/10 H1</w:t></w:r><w:bookmarkEnd'));
    const firstTable = summary.slice(summary.indexOf('<w:tbl>'), summary.indexOf('</w:tbl>'));
    assert.match(firstTable, /<w:tblHeader\/>/);
    for (const d of DEMO) {
      assert.ok(firstTable.includes(d.code) && firstTable.includes(d.officer), d.code);
      assert.ok(
        firstTable.includes(d.direction.arrow ? `${d.direction.arrow} ${d.direction.label}` : d.direction.label),
        d.direction.label,
      );
    }
    assertInOrder(
      text,
      DEMO.flatMap((d) => [d.code, d.title, d.officer]),
    );
  });
});
