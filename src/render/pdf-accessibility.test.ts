// Every PDF Amber writes is tagged (PDF/UA-1) so that a council can publish it: a structure tree
// in reading order with headings at their levels, tables with header cells and their scope, each
// chart a Figure with its description as text alternative, and the running header, footer and
// page numbers left out of the content as artifacts. Read back with poppler (`pdfinfo
// -struct-text`) and from the structure elements themselves.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DIRECTIONS, buildBoardPackView } from '../../test/builders/board-pack-view.ts';
import { buildBusinessCaseView } from '../../test/builders/business-case-view.ts';
import {
  buildActionViews,
  buildGraphView,
  buildLongText,
  buildVfm4dReportView,
} from '../../test/builders/report-view.ts';
import { renderBoardPackPdf, type BoardPackView } from './board-pack.ts';
import { renderBusinessCasePdf } from './business-case-pdf.ts';
import { renderReportPdf } from './pdf.ts';
import { JOINT_SIGN_OFFS_CAPTION, type ReportView } from './report-view.ts';
import { JOINT_SIGN_OFFS } from '../../test/builders/joint-sign-offs.ts';
import {
  assertInOrder,
  normaliseWhitespace,
  pdfFigureAlternatives,
  pdfInfo,
  pdfReadErrors,
  pdfStructure,
  pdfText,
  pdfUnmarkedOperations,
  reportFragments,
  structElements,
  structText,
  type StructNode,
} from './text-extract.test-helper.ts';

const SEED_ACTION_HEADERS = [
  'No.',
  'Action (Desired Achievements)',
  'Contributory Officer / Partner',
  'Milestone / Actions',
  'Timescale',
];

const headings = (nodes: StructNode[]) =>
  structElements(nodes)
    .filter((n) => /^H\d$/.test(n.type))
    .map((n) => `${n.type} ${structText(n)}`);

/** Every text of the tree that is a page's furniture rather than content. */
function furniture(nodes: StructNode[]): string[] {
  return structElements(nodes)
    .flatMap((n) => n.text)
    .filter((t) => /Page \d+ of \d+/.test(t) || /\(continued\)/.test(t));
}

/** The tables of the tree whose first row is header cells with Column scope, as their texts. */
function headerRows(nodes: StructNode[]): string[][] {
  return structElements(nodes)
    .filter((n) => n.type === 'Table')
    .map((table) => table.children.find((c) => c.type === 'TR'))
    .filter((tr): tr is StructNode => tr !== undefined)
    .filter(
      (tr) => tr.children.length > 0 && tr.children.every((c) => c.type === 'TH' && c.attributes.Scope === 'Column'),
    )
    .map((tr) => tr.children.map(structText));
}

async function assertTaggedPdfUa(pdf: Buffer, title: string): Promise<void> {
  const info = await pdfInfo(pdf);
  assert.equal(info.Tagged, 'yes', 'pdfinfo reports the PDF untagged');
  assert.equal(info['PDF version'], '1.7');
  assert.equal(info.Title, title);
  const source = pdf.toString('latin1');
  assert.match(source, /\/Lang \(en-GB\)/, 'the document language is en-GB');
  assert.match(source, /\/DisplayDocTitle true/, 'the window shows the title, not the file name');
  assert.match(source, /<pdfuaid:part>1<\/pdfuaid:part>/, 'the metadata claims PDF/UA-1');
  assert.match(source, /<dc:title>/, 'the metadata carries the title');
  assert.deepEqual(pdfUnmarkedOperations(pdf), [], 'content that is neither tagged nor an artifact');
  // The structure is kept in compressed object streams behind a cross-reference stream.
  assert.match(source, /\/Type \/XRef/);
  assert.deepEqual(await pdfReadErrors(pdf), [], 'poppler could not read the file cleanly');
}

describe('the tagged PDF of a joint priority’s progress report', () => {
  const view: ReportView = { ...buildVfm4dReportView(), jointSignOffs: JOINT_SIGN_OFFS };
  let pdf: Buffer;
  let tree: StructNode[];
  before(async () => {
    pdf = await renderReportPdf(view);
    tree = await pdfStructure(pdf);
  });

  it('is PDF/UA-1 with the partners’ sign-off as a heading of its own before the key actions', async () => {
    await assertTaggedPdfUa(pdf, `VfM-4d ${view.priority.title} – progress report 2009/10 H1`);
    const h = headings(tree);
    assert.deepEqual(h.slice(h.indexOf('H2 Challenges/Risks')), [
      'H2 Challenges/Risks',
      'H2 Partnership sign-off',
      `H2 ${view.actionsHeading}`,
    ]);
  });

  it('tags the partners’ sign-off as a captioned table with column headers, each row headed by its organisation', () => {
    const table = structElements(tree)
      .filter((n) => n.type === 'Table')
      .find((t) => t.children.some((c) => c.type === 'Caption'));
    assert.ok(table, 'no captioned table');
    assert.equal(structText(table.children.find((c) => c.type === 'Caption')!), JOINT_SIGN_OFFS_CAPTION);
    assert.deepEqual(headerRows([table]), [['Organisation', 'Sign-off', 'Name', 'Date']]);
    const rows = table.children.filter((c) => c.type === 'TR').slice(1);
    assert.deepEqual(
      rows.map((r) => [r.children[0]!.type, r.children[0]!.attributes.Scope, structText(r.children[0]!)]),
      JOINT_SIGN_OFFS.map((j) => ['TH', 'Row', j.organisation]),
    );
    assert.match(
      structText(rows[0]!),
      /Approved by .*Jo Bloggs 20 April 2010 at 12:00 UTC Agreed for Local Partnerships/,
    );
    assert.match(structText(rows[1]!), /Awaiting sign-off .*Not yet signed off/);
  });
});

describe('the tagged PDF of the VfM-4d progress report', () => {
  const view: ReportView = { ...buildVfm4dReportView(), graphs: [buildGraphView()] };
  let pdf: Buffer;
  let tree: StructNode[];
  before(async () => {
    pdf = await renderReportPdf(view);
    tree = await pdfStructure(pdf);
  });

  it('is PDF/UA-1: tagged, in British English, its title shown in the window', async () => {
    await assertTaggedPdfUa(pdf, `VfM-4d ${view.priority.title} – progress report 2009/10 H1`);
  });

  it('holds the headings in the seed’s order at their levels: H1 the priority, H2 its sections, H3 their parts', () => {
    assert.deepEqual(
      tree.map((n) => n.type),
      ['Document'],
    );
    assert.deepEqual(headings(tree), [
      `H1 ${view.heading}`,
      'H2 Why is this a priority',
      'H2 Graphs',
      'H3 NI 179 Value for money gains (%)',
      `H2 ${normaliseWhitespace(view.progressHeading)}`,
      'H3 Overall Summary',
      'H2 Achievements since the last report',
      'H2 Challenges/Risks',
      `H2 ${view.actionsHeading}`,
    ]);
  });

  it('tags the key actions as a table whose header cells are the seed’s headers, one row per action', () => {
    const actions = structElements(tree)
      .filter((n) => n.type === 'Table')
      .find((t) => structText(t).startsWith('No. Action (Desired Achievements)'));
    assert.ok(actions, 'no key actions table');
    assert.deepEqual(headerRows([actions]), [SEED_ACTION_HEADERS]);
    const rows = actions.children.filter((c) => c.type === 'TR');
    assert.equal(rows.length, 1 + view.actions.length);
    for (const [i, action] of view.actions.entries()) {
      const cells = rows[i + 1]!.children;
      assert.deepEqual(
        cells.map((c) => c.type),
        ['TD', 'TD', 'TD', 'TD', 'TD'],
      );
      assert.equal(structText(cells[0]!), `${action.number}.`);
      assert.equal(structText(cells[1]!), normaliseWhitespace(action.description));
    }
  });

  it('makes each chart a Figure whose alternative text is the chart’s description, its data table after it', () => {
    const elements = structElements(tree);
    const figures = elements.filter((n) => n.type === 'Figure');
    assert.equal(figures.length, 1);
    assert.equal(figures[0]!.attributes.Placement, 'Block');
    assert.ok(figures[0]!.attributes.BBox, 'the figure has a bounding box');
    assert.deepEqual(pdfFigureAlternatives(pdf), [view.graphs[0]!.description]);
    const after = elements.slice(elements.indexOf(figures[0]!));
    const table = after.find((n) => n.type === 'Table');
    assert.ok(table, 'no data table after the chart');
    assert.match(structText(table.children.find((c) => c.type === 'Caption')!), /^Data for NI 179/);
    assert.deepEqual(headerRows([table])[0], ['Period', 'Actual (%)', 'Target (%)', 'Status']);
    const firstRow = table.children.filter((c) => c.type === 'TR')[1]!;
    assert.deepEqual(firstRow.children[0], {
      type: 'TH',
      attributes: { Scope: 'Row' },
      text: ['2008/09 Q1'],
      children: [],
    });
  });

  it('gives the status as text in a paragraph, and lists as lists', () => {
    const paragraphs = structElements(tree)
      .filter((n) => n.type === 'P')
      .map(structText);
    assert.ok(paragraphs.includes('Status: Amber Some delay or risk; recoverable'), paragraphs.join('\n'));
    const lists = structElements(tree).filter((n) => n.type === 'L');
    assert.equal(lists.length, 2);
    assert.equal(lists[0]!.children.length, view.achievements.length);
    assert.ok(lists[0]!.children.every((li) => li.type === 'LI' && li.children[0]?.type === 'LBody'));
    assert.equal(structText(lists[0]!.children[0]!), normaliseWhitespace(view.achievements[0]!));
  });

  it('leaves the running header, footer and page numbers out of the structure', async () => {
    assert.deepEqual(furniture(tree), []);
    assert.ok(!structElements(tree).some((n) => n.text.some((t) => t === view.organisationName)));
    // They are still printed on the page.
    assert.match(await pdfText(pdf), /Page 1 of \d/);
  });

  it('still reads, as text in reading order, every seed field in the seed’s order', async () => {
    // Within the running header and footer (which pdftotext reads where they are drawn).
    const body = await pdfText(pdf, { crop: { top: 56, bottom: 56 } });
    assertInOrder(normaliseWhitespace(body), reportFragments(view));
  });
});

describe('a tagged report whose key actions run over several pages', () => {
  it('keeps one TR per action, a split row’s lines in its cells, and the repeated header out of the structure', async () => {
    const [first, ...rest] = buildActionViews(30);
    // One action whose milestone alone is longer than a page, so that its row is split.
    const long = { ...first!, milestones: [{ ...first!.milestones[0]!, description: buildLongText(900) }] };
    const view: ReportView = { ...buildVfm4dReportView(), actions: [long, ...rest] };
    const pdf = await renderReportPdf(view);
    assert.ok(Number((await pdfInfo(pdf)).Pages) > 3);
    const tree = await pdfStructure(pdf);
    const actions = structElements(tree).find((n) => n.type === 'Table' && structText(n).startsWith('No. Action'))!;
    const rows = actions.children.filter((c) => c.type === 'TR');
    assert.equal(rows.length, 31);
    assert.equal(structText(rows[1]!.children[3]!), normaliseWhitespace(buildLongText(900)));
    assert.equal(headerRows([actions]).length, 1);
    assert.deepEqual(furniture(tree), []);
  });

  it('can still be drawn untagged (for the bench), with no structure at all', async () => {
    const pdf = await renderReportPdf(buildVfm4dReportView(), { tagged: false });
    assert.equal((await pdfInfo(pdf)).Tagged, 'no');
    assert.deepEqual(await pdfStructure(pdf), []);
    // The check for untagged content can fail: everything here is untagged.
    assert.ok(pdfUnmarkedOperations(pdf).length > 100);
  });

  it('keeps a title with XML’s special characters valid in the metadata and the same in the window', async () => {
    const title = 'Finance & Resources <Shared> “Services”';
    const base = buildVfm4dReportView();
    const pdf = await renderReportPdf({ ...base, priority: { ...base.priority, title } });
    assert.equal((await pdfInfo(pdf)).Title, `VfM-4d ${title} – progress report 2009/10 H1`);
    assert.match(pdf.toString('latin1'), /Finance &amp; Resources &lt;Shared&gt;/);
  });
});

describe('the tagged PDF of a board pack', () => {
  let pdf: Buffer;
  let tree: StructNode[];
  let view: BoardPackView;
  before(async () => {
    const reports = ['VfM-4a', 'VfM-4d'].map((code) =>
      buildVfm4dReportView({
        priority: { code, title: `Priority ${code}`, rationale: [`Why ${code} matters.`] },
        heading: `Improvement Priority – ${code} Priority ${code}`,
      }),
    );
    // VfM-4a better (its arrow drawn beside the word), VfM-4d new.
    view = buildBoardPackView(reports, {}, (i) => DIRECTIONS[i === 0 ? 0 : 3]!);
    pdf = await renderBoardPackPdf(view);
    tree = await pdfStructure(pdf);
  });

  it('is PDF/UA-1 with the pack’s title', async () => {
    await assertTaggedPdfUa(pdf, 'Leeds City Council – Board pack 2009/10 H1');
  });

  it('reads cover, contents, summary, then each report in a section of its own', () => {
    const document = tree[0]!;
    assert.equal(document.type, 'Document');
    assert.deepEqual(
      document.children.map((c) => c.type),
      ['P', 'H1', 'P', 'P', 'P', 'P', 'Sect', 'Sect', 'Sect', 'Sect'],
    );
    const [contents, summary, first, second] = document.children.filter((c) => c.type === 'Sect');
    assert.deepEqual(headings([contents!]), ['H2 Contents']);
    assert.deepEqual(headings([summary!]), ['H1 Summary of priorities 2009/10 H1']);
    assert.equal(headings([first!])[0], 'H1 Improvement Priority – VfM-4a Priority VfM-4a');
    assert.equal(headings([second!])[0], 'H1 Improvement Priority – VfM-4d Priority VfM-4d');
  });

  it('tags the contents as a TOC whose items are links to their pages, each described', () => {
    const toc = structElements(tree).find((n) => n.type === 'TOC')!;
    assert.deepEqual(
      toc.children.map((i) => [i.type, i.children[0]?.type]),
      [
        ['TOCI', 'Link'],
        ['TOCI', 'Link'],
        ['TOCI', 'Link'],
      ],
    );
    const texts = toc.children.map(structText);
    assert.equal(texts[0], 'Summary of priorities 2009/10 H1 3');
    assert.equal(texts[1], 'VfM-4a Priority VfM-4a 4');
    assert.match(texts[2]!, /^VfM-4d Priority VfM-4d \d+$/);
    const source = pdf.toString('latin1');
    assert.match(source, /\/Contents \(Summary of priorities 2009\/10 H1, page 3\)\s*\/Subtype \/Link/);
    assert.match(source, /\/StructParent \d+/, 'each link annotation points back into the structure');
  });

  it('tags the summary table with column headers and each priority’s code heading its row', () => {
    const summary = structElements(tree).find((n) => n.type === 'Table')!;
    assert.deepEqual(headerRows([summary]), [
      ['Code', 'Priority', 'Accountable officer', 'Status', 'Direction of travel'],
    ]);
    const row = summary.children.filter((c) => c.type === 'TR')[1]!;
    assert.equal(row.children[0]!.type, 'TH');
    assert.equal(row.children[0]!.attributes.Scope, 'Row');
    assert.deepEqual(row.children.slice(3).map(structText), ['Amber', 'Better Amber in 2008/09 H2']);
  });

  it('bookmarks the summary and each report, and keeps page furniture out of the structure', async () => {
    const source = pdf.toString('latin1');
    assert.match(source, /\/Outlines \d+ 0 R/);
    for (const label of ['Summary of priorities 2009/10 H1', 'VfM-4a Priority VfM-4a', 'VfM-4d Priority VfM-4d'])
      assert.ok(source.includes(`/Title (${label})`), `no bookmark for ${label}`);
    assert.deepEqual(furniture(tree), []);
  });
});

describe('the tagged PDF of an outline business case', () => {
  it('has headings, captioned tables with header cells, and the cash-flow chart as a described Figure', async () => {
    const view = buildBusinessCaseView();
    const pdf = await renderBusinessCasePdf(view);
    await assertTaggedPdfUa(pdf, 'Finance transactions – outline business case');
    const tree = await pdfStructure(pdf);
    assert.deepEqual(headings(tree), [
      'H1 Finance transactions',
      'H2 Strategic case',
      'H2 Economic case',
      'H2 Options appraised',
      'H3 Consolidate (Preferred option)',
    ]);
    const tables = structElements(tree).filter((n) => n.type === 'Table');
    assert.deepEqual(
      tables.map((t) => structText(t.children.find((c) => c.type === 'Caption')!)),
      ['Cash flows by year', 'Discounting', 'Green Book appraisal', 'Standard sensitivities', 'The chart’s data'],
    );
    assert.deepEqual(headerRows(tree)[0], ['Year', 'Programme', 'Total costs']);
    assert.deepEqual(pdfFigureAlternatives(pdf), [view.options[0]!.chart.description]);
    assert.deepEqual(furniture(tree), []);
  });
});

describe('the text behind the letters, document after document', () => {
  it('keeps every letter readable after a document with Welsh and other accented capitals', async () => {
    // fontkit remembers each glyph with the characters it was first made for; a W first made as
    // part of Ŵ had none, and a font shared between documents lost W from every later one.
    await renderBusinessCasePdf(buildBusinessCaseView({ title: 'Ŵyddfa Ŷ Ĝ Ĥ Ĵ Ḃ Ḋ Ẅ Ẃ Ẁ Ḟ' }));
    const text = normaliseWhitespace(
      await pdfText(await renderBusinessCasePdf(buildBusinessCaseView({ title: 'Worse Wyddfa Home Job Bad Dog Fun' }))),
    );
    assert.ok(text.includes('Worse Wyddfa Home Job Bad Dog Fun'), text.slice(0, 200));
  });
});
