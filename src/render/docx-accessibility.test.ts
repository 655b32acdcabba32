// Every Word document Amber writes (the progress report, the board pack and the outline business
// case) can be published on a council's website: it passes the checks of
// docx-accessibility.test-helper.ts, what Word's Accessibility Checker would flag. And the
// checks can fail: documents built wrong on purpose show each problem they look for.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  AlignmentType,
  Document,
  ExternalHyperlink,
  HeadingLevel,
  ImageRun,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableRow,
  TextRun,
  type ISectionOptions,
} from 'docx';
import { buildActionViews, buildGraphView, buildVfm4dReportView } from '../../test/builders/report-view.ts';
import { renderBoardPackDocx, type BoardPackView } from './board-pack.ts';
import { describeCashFlowChart, renderCashFlowChart } from './business-case-chart.ts';
import { renderBusinessCaseDocx } from './business-case-docx.ts';
import type { BusinessCaseView, OptionView, TextTable } from './business-case-view.ts';
import {
  checkDocxAccessibility,
  describeProblems,
  type DocxAccessibility,
  type DocxProblem,
  type DocxRule,
} from './docx-accessibility.test-helper.ts';
import { DOCX_STYLES, renderReportDocx } from './docx.ts';
import type { ReportView } from './report-view.ts';
import { JOINT_SIGN_OFFS } from '../../test/builders/joint-sign-offs.ts';

/** Whether resvg's native binary loads here: the documents have chart pictures only when it does. */
async function resvgLoads(): Promise<boolean> {
  return import('@resvg/resvg-js').then(
    () => true,
    () => false,
  );
}

const ACTION_HEADERS = [
  'No.',
  'Action (Desired Achievements)',
  'Contributory Officer / Partner',
  'Milestone / Actions',
  'Timescale',
];

function assertNoProblems(problems: DocxProblem[]): void {
  assert.deepEqual(problems, [], describeProblems(problems));
}

/** The seed report's outline: its title, sections and the one subsection the seed has. */
function reportOutline(view: ReportView): { level: number; text: string }[] {
  return [
    { level: 1, text: view.heading },
    { level: 2, text: 'Why is this a priority' },
    { level: 2, text: 'Graphs' },
    ...view.graphs.map((g) => ({ level: 3, text: `${g.code} ${g.title}` })),
    { level: 2, text: view.progressHeading },
    { level: 3, text: 'Overall Summary' },
    { level: 2, text: 'Achievements since the last report' },
    { level: 2, text: 'Challenges/Risks' },
    ...(view.lastTime
      ? [
          { level: 2, text: view.lastTime.heading },
          ...view.lastTime.actions.map((a) => ({ level: 3, text: `${a.number}. ${a.description}` })),
        ]
      : []),
    { level: 2, text: 'Council / Partnership Groups' },
    { level: 2, text: 'Sign-off' },
    ...(view.jointSignOffs?.length ? [{ level: 3, text: 'Partnership sign-off' }] : []),
    { level: 2, text: view.actionsHeading },
  ];
}

describe('the Word document of the seed progress report (VfM-4d)', () => {
  const view = buildVfm4dReportView();
  let result: DocxAccessibility;
  before(async () => {
    result = checkDocxAccessibility(await renderReportDocx(view));
  });

  it('has a title and British English as its language', () => {
    assert.match(result.title, /^VfM-4d Explore opportunities for collaboration .* progress report 2009\/10 H1$/);
    assert.equal(result.language, 'en-GB');
  });

  it('has a Heading 1, a Heading 2 for each section and Heading 3s under them, in order, none skipped', () => {
    assert.deepEqual(result.headings, reportOutline(view));
  });

  it('marks the first row of its tables as a header row: the sign-offs and the key actions', () => {
    assert.deepEqual(result.tables, [
      { firstRow: ['Sign-off', 'Name', 'Date'], headerRow: true },
      { firstRow: ACTION_HEADERS, headerRow: true },
    ]);
  });

  it('has nothing Word’s Accessibility Checker would flag', () => {
    assertNoProblems(result.problems);
  });
});

describe('the Word document of a joint priority’s progress report', () => {
  const view: ReportView = { ...buildVfm4dReportView(), jointSignOffs: JOINT_SIGN_OFFS };
  let result: DocxAccessibility;
  before(async () => {
    result = checkDocxAccessibility(await renderReportDocx(view));
  });

  it('puts the partners’ sign-off under the sign-off section as a Heading 3, none skipped', () => {
    assert.deepEqual(result.headings, reportOutline(view));
  });

  it('marks the first row of the partners’ sign-off table as a header row, after the owner’s sign-offs', () => {
    assert.deepEqual(result.tables, [
      { firstRow: ['Sign-off', 'Name', 'Date'], headerRow: true },
      { firstRow: ['Organisation', 'Sign-off', 'Name', 'Date'], headerRow: true },
      { firstRow: ACTION_HEADERS, headerRow: true },
    ]);
  });

  it('has nothing Word’s Accessibility Checker would flag', () => {
    assertNoProblems(result.problems);
  });
});

describe('the Word document of a progress report with graphs, last time’s actions and cited risks', () => {
  const actions = buildActionViews(2);
  actions[1] = { ...actions[1]!, contributors: [], milestones: [] };
  const lastTime = buildActionViews(2).map((a) => ({
    ...a,
    milestones: a.milestones.map((m) => ({
      ...m,
      progress: { state: 'met' as const, label: 'Met', symbol: '✔', text: 'Met on 20 November 2009' },
    })),
  }));
  const view: ReportView = {
    ...buildVfm4dReportView({
      graphs: [buildGraphView(), buildGraphView({ code: 'VfM-4d-1', title: 'Cashable savings (£)', kind: 'bar' })],
      actions,
      lastTime: {
        periodKey: '2009-10-h1',
        periodLabel: '2009/10 H1',
        heading: 'Progress against the key actions set in the 2009/10 H1 report',
        actions: lastTime,
      },
    }),
    citedRisks: [
      { description: 'Programme not delivered on time', ratingLabel: 'High', score: 16, owner: 'Arfan Hanif' },
    ],
  };
  let result: DocxAccessibility;
  let withImages: boolean;
  before(async () => {
    result = checkDocxAccessibility(await renderReportDocx(view));
    withImages = await resvgLoads();
  });

  it('gives each chart’s picture the chart’s description as its alternative text, in line with the text', () => {
    if (!withImages) assert.fail('@resvg/resvg-js does not load here, so the Word document has no chart pictures');
    assert.deepEqual(
      result.pictures.map((p) => p.description),
      view.graphs.map((g) => g.description),
    );
    assert.ok(result.pictures.every((p) => p.inline && !p.decorative));
  });

  it('makes each of last time’s actions a Heading 3 under its Heading 2, not a bold paragraph', () => {
    assert.deepEqual(result.headings, reportOutline(view));
  });

  it('marks the first row of every chart’s data table as a header row', () => {
    const data = result.tables.filter((t) => t.firstRow[0] === 'Period');
    assert.equal(data.length, view.graphs.length);
    assert.ok(data.every((t) => t.headerRow));
  });

  it('has nothing Word’s Accessibility Checker would flag (no blank cell for an action with no milestones)', () => {
    assertNoProblems(result.problems);
  });
});

// ---- the board pack --------------------------------------------------------------------------------

function boardPackView(): BoardPackView {
  const reports = [
    { code: 'VfM-4a', title: 'Improve procurement practice and contract management' },
    { code: 'VfM-4d', title: 'Explore opportunities for collaboration' },
  ].map((p, i) =>
    buildVfm4dReportView({
      priority: { code: p.code, title: p.title, rationale: [`Why ${p.code} matters.`] },
      heading: `Improvement Priority – ${p.code} ${p.title}`,
      ...(i === 1 ? { graphs: [buildGraphView()], actions: buildActionViews(3) } : {}),
    }),
  );
  return {
    organisationName: reports[0]!.organisationName,
    periodLabel: '2009/10 H1',
    periodSpan: '1st April – 30th September 2009',
    periodKey: '2009-10-h1',
    themeTitle: 'Value for money',
    generatedOn: '24 November 2026',
    publishedOnly: true,
    summary: [
      ...reports.map((r) => ({
        code: r.priority.code,
        title: r.priority.title,
        officer: r.accountableOfficer!.name,
        status: r.status,
        hasReport: true,
        direction: { key: 'better' as const, label: 'Better', arrow: '↑', detail: 'Red in 2008/09 H2' },
      })),
      {
        code: 'OP-2b',
        title: 'Reduce sickness absence across the council',
        officer: 'Not assigned',
        status: null,
        hasReport: false,
        direction: { key: 'none' as const, label: 'Not known', arrow: '', detail: 'No report' },
      },
    ],
    reports,
  };
}

describe('the Word document of a board pack', () => {
  const view = boardPackView();
  let result: DocxAccessibility;
  let withImages: boolean;
  before(async () => {
    result = checkDocxAccessibility(await renderBoardPackDocx(view));
    withImages = await resvgLoads();
  });

  it('has a title and British English as its language', () => {
    assert.equal(result.title, 'Leeds City Council – Board pack 2009/10 H1 – Value for money');
    assert.equal(result.language, 'en-GB');
  });

  it('has the contents, the summary and each report as Heading 1s with their sections under them', () => {
    assert.deepEqual(
      result.headings.filter((h) => h.level === 1).map((h) => h.text),
      ['Contents', 'Summary of priorities 2009/10 H1', ...view.reports.map((r) => r.heading)],
    );
    assert.deepEqual(result.headings, [
      { level: 1, text: 'Contents' },
      { level: 1, text: 'Summary of priorities 2009/10 H1' },
      ...view.reports.flatMap(reportOutline),
    ]);
  });

  it('gives each chart’s picture the chart’s description as its alternative text', () => {
    if (!withImages) assert.fail('@resvg/resvg-js does not load here, so the Word document has no chart pictures');
    assert.deepEqual(
      result.pictures.map((p) => p.description),
      view.reports.flatMap((r) => r.graphs.map((g) => g.description)),
    );
  });

  it('marks the summary table’s first row as a header row', () => {
    assert.deepEqual(result.tables[0], {
      firstRow: ['Code', 'Priority', 'Accountable officer', 'Status', 'Direction of travel'],
      headerRow: true,
    });
  });

  it('has nothing Word’s Accessibility Checker would flag, its cover included (no bold line standing in for a heading)', () => {
    assertNoProblems(result.problems);
  });
});

// ---- the business case -----------------------------------------------------------------------------

function textTable(caption: string, headings: string[], rows: string[][]): TextTable {
  return {
    caption,
    headings,
    numeric: true,
    rows: rows.map(([header, ...cells], i) => ({ header: header!, cells, strong: i === rows.length - 1 })),
  };
}

function option(name: string, tags: string[], net: number[]): OptionView {
  const years = net.map((_, i) => `Year ${i}`);
  let sum = 0;
  const cumulative = net.map((n) => (sum += n));
  const chart = { id: name, title: `${name}: cash flows`, years, net, cumulative };
  return {
    name,
    description: [`${name}, described in a paragraph.`],
    tags,
    summary: `${name}: NPSV £1,535.0k.`,
    cashFlows: textTable(
      'Cash flows by year (£ thousands)',
      ['Year', 'Programme', 'Total costs'],
      [
        ['0 (2010/11)', '600.0', '600.0'],
        ['Total', '600.0', '600.0'],
      ],
    ),
    discounting: textTable('Discounting', ['Year', 'Net', 'Discount factor'], [['1', '-400.0', '0.9662']]),
    appraisal: textTable(
      'Green Book appraisal',
      ['Measure', 'Value'],
      [['Net present social value (NPSV)', '£1,535.0k']],
    ),
    sensitivities: textTable('Standard sensitivities', ['Case', 'NPSV'], [['Costs 20% higher', '1,337.7']]),
    chart: {
      svg: renderCashFlowChart(chart),
      description: describeCashFlowChart(chart),
      table: textTable(
        'The chart’s data (£ thousands)',
        ['Year', 'Net flow', 'Cumulative'],
        years.map((y, i) => [y, net[i]!.toFixed(1), cumulative[i]!.toFixed(1)]),
      ),
    },
  };
}

const businessCase: BusinessCaseView = {
  organisationName: 'Leeds City Council',
  exerciseName: 'Diagnostic 2009/10',
  title: 'Finance transactions',
  status: 'Approved by James Rogers on 9 November 2009',
  approved: true,
  basis: 'Cash flows in £ thousands at real 2009/10 prices; year 0 is 2009/10 and is not discounted.',
  opportunity: 'Shared transactional finance (Collaborate, Finance: £1.0m to £2.0m, central £1.5m)',
  updated: '2010-01-01',
  sections: [
    { key: 'strategic', heading: 'Strategic case', paragraphs: ['Why change.', 'What it contributes.'] },
    { key: 'economic', heading: 'Economic case', paragraphs: [] },
    { key: 'commercial', heading: 'Commercial case', paragraphs: ['How it would be procured.'] },
    { key: 'financial', heading: 'Financial case', paragraphs: ['Affordability.'] },
    { key: 'management', heading: 'Management case', paragraphs: ['Governance and plan.'] },
  ],
  options: [
    option('Business as usual', ['Business as usual'], [0, 0, 0]),
    option('Consolidate', ['Preferred option'], [-1000, 500, 900]),
  ],
};

describe('the Word document of an outline business case', () => {
  let result: DocxAccessibility;
  let withImages: boolean;
  before(async () => {
    result = checkDocxAccessibility(await renderBusinessCaseDocx(businessCase));
    withImages = await resvgLoads();
  });

  it('has a title and British English as its language', () => {
    assert.equal(result.title, 'Finance transactions – outline business case');
    assert.equal(result.language, 'en-GB');
  });

  it('has its title as Heading 1, the five cases and the options appraised as Heading 2s, each option a Heading 3', () => {
    assert.deepEqual(result.headings, [
      { level: 1, text: 'Finance transactions' },
      ...businessCase.sections.map((s) => ({ level: 2, text: s.heading })),
      { level: 2, text: 'Options appraised' },
      { level: 3, text: 'Business as usual (Business as usual)' },
      { level: 3, text: 'Consolidate (Preferred option)' },
    ]);
  });

  it('gives each option’s chart the chart’s description as its alternative text', () => {
    if (!withImages) assert.fail('@resvg/resvg-js does not load here, so the Word document has no chart pictures');
    assert.deepEqual(
      result.pictures.map((p) => p.description),
      businessCase.options.map((o) => o.chart.description),
    );
  });

  it('marks the first row of every table as a header row', () => {
    assert.equal(result.tables.length, 5 * businessCase.options.length);
    assert.ok(result.tables.every((t) => t.headerRow));
  });

  it('has nothing Word’s Accessibility Checker would flag', () => {
    assertNoProblems(result.problems);
  });
});

// ---- the check itself ------------------------------------------------------------------------------

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

type Block = Paragraph | Table;

const para = (value: string) => new Paragraph(value);
const row = (cells: (string | TableCell)[], header = false) =>
  new TableRow({
    tableHeader: header,
    children: cells.map((c) => (typeof c === 'string' ? new TableCell({ children: [para(c)] }) : c)),
  });
const picture = (altText?: { name: string; description: string; title?: string }, floating = false) =>
  new Paragraph({
    children: [
      new ImageRun({
        type: 'png',
        data: PNG,
        transformation: { width: 40, height: 40 },
        ...(altText ? { altText: { title: '', ...altText } } : {}),
        ...(floating ? { floating: { horizontalPosition: { offset: 0 }, verticalPosition: { offset: 0 } } } : {}),
      }),
    ],
  });

/** A document that passes every check, with `blocks` added under a Heading 2. */
async function docxWith(
  blocks: Block[],
  options: { title?: string | null; language?: string | null; headings?: Block[] } = {},
): Promise<Buffer> {
  const language = options.language === undefined ? 'en-GB' : options.language;
  const section: ISectionOptions = {
    children: [
      new Paragraph({ text: 'A council report', heading: HeadingLevel.HEADING_1 }),
      para('An introduction.'),
      ...(options.headings ?? [new Paragraph({ text: 'The section', heading: HeadingLevel.HEADING_2 })]),
      para('The section’s first paragraph.'),
      new Table({
        rows: [row(['Period', 'Value'], true), row(['2009/10 Q1', '91.2'])],
      }),
      picture({ name: 'Chart', description: 'Value rose from 89.7 to 95.8 over the year.' }),
      ...blocks,
    ],
  };
  const doc = new Document({
    ...(options.title === null ? {} : { title: options.title ?? 'A council report' }),
    styles:
      language === null
        ? { default: { document: { run: { font: 'Arial' } } } }
        : { default: { document: { run: { font: 'Arial', language: { value: language } } } } },
    sections: [section],
  });
  return Packer.toBuffer(doc);
}

describe('the accessibility check of a Word document', () => {
  it('finds nothing in a document with a title, a language, headings in order, a described picture and a header row', async () => {
    assertNoProblems(checkDocxAccessibility(await docxWith([])).problems);
  });

  it('finds nothing in a document built with Amber’s own styles', async () => {
    const doc = new Document({
      title: 'Styled',
      styles: DOCX_STYLES,
      sections: [{ children: [new Paragraph({ text: 'Styled', heading: HeadingLevel.HEADING_1 }), para('Body.')] }],
    });
    assertNoProblems(checkDocxAccessibility(await Packer.toBuffer(doc)).problems);
  });

  const cases: { name: string; rule: DocxRule; build: () => Promise<Buffer> }[] = [
    { name: 'a picture without a description', rule: 'alt-text', build: () => docxWith([picture()]) },
    {
      name: 'a picture with an empty description',
      rule: 'alt-text',
      build: () => docxWith([picture({ name: 'Chart 2', description: '' })]),
    },
    {
      name: 'a picture described by its file name',
      rule: 'alt-text',
      build: () => docxWith([picture({ name: 'Chart 2', description: 'chart-2.png' })]),
    },
    {
      name: 'a picture floating over the text',
      rule: 'floating-image',
      build: () => docxWith([picture({ name: 'Chart 2', description: 'Values by year.' }, true)]),
    },
    {
      name: 'a table without a header row',
      rule: 'table-header',
      build: () => docxWith([new Table({ rows: [row(['2009/10 Q2', '93.5']), row(['2009/10 Q3', '95.8'])] })]),
    },
    {
      name: 'a table with merged cells',
      rule: 'merged-cells',
      build: () =>
        docxWith([
          new Table({
            rows: [row(['Period', 'Value'], true), row([new TableCell({ columnSpan: 2, children: [para('None')] })])],
          }),
        ]),
    },
    {
      name: 'a table with a blank cell',
      rule: 'empty-cell',
      build: () => docxWith([new Table({ rows: [row(['Period', 'Value'], true), row(['2009/10 Q2', ''])] })]),
    },
    {
      name: 'a table inside a table',
      rule: 'nested-table',
      build: () =>
        docxWith([
          new Table({
            rows: [
              row(['Period', 'Values'], true),
              row([
                '2009/10',
                new TableCell({
                  children: [new Table({ rows: [row(['Q1', 'Q2'], true), row(['91.2', '93.5'])] }), para('')],
                }),
              ]),
            ],
          }),
        ]),
    },
    {
      name: 'a Heading 3 straight after a Heading 1',
      rule: 'heading-order',
      build: () => docxWith([], { headings: [new Paragraph({ text: 'Too deep', heading: HeadingLevel.HEADING_3 })] }),
    },
    {
      name: 'an empty heading',
      rule: 'empty-heading',
      build: () => docxWith([], { headings: [new Paragraph({ text: '', heading: HeadingLevel.HEADING_2 })] }),
    },
    {
      name: 'a bold paragraph standing in for a heading',
      rule: 'fake-heading',
      build: () => docxWith([new Paragraph({ children: [new TextRun({ text: 'Key actions', bold: true })] })]),
    },
    {
      name: 'an empty paragraph making space',
      rule: 'empty-paragraph',
      build: () => docxWith([new Paragraph({}), para('After a gap.')]),
    },
    {
      name: 'text lined up with a tab',
      rule: 'blank-characters',
      build: () => docxWith([new Paragraph({ children: [new TextRun('Officer'), new TextRun('\tLee Hemsworth')] })]),
    },
    {
      name: 'text spaced out with spaces',
      rule: 'blank-characters',
      build: () => docxWith([para('Status:    Amber')]),
    },
    {
      name: 'a status shown by a coloured swatch with no word in it',
      rule: 'colour-only',
      build: () =>
        docxWith([
          new Paragraph({
            children: [
              new TextRun('Status:'),
              new TextRun({ text: ' ', shading: { type: ShadingType.CLEAR, fill: 'F47738', color: 'auto' } }),
            ],
          }),
        ]),
    },
    {
      name: 'a status shown by a shaded table cell with no text',
      rule: 'colour-only',
      build: () =>
        docxWith([
          new Table({
            rows: [
              row(['Priority', 'Status'], true),
              row([
                'VfM-4d',
                new TableCell({
                  shading: { type: ShadingType.CLEAR, fill: '00703C', color: 'auto' },
                  children: [new Paragraph('')],
                }),
              ]),
            ],
          }),
        ]),
    },
    {
      name: 'pale grey text on white',
      rule: 'contrast',
      build: () => docxWith([new Paragraph({ children: [new TextRun({ text: 'Not set', color: 'AAAAAA' })] })]),
    },
    {
      name: 'white text on amber',
      rule: 'contrast',
      build: () =>
        docxWith([
          new Paragraph({
            alignment: AlignmentType.LEFT,
            children: [
              new TextRun({
                text: 'Amber',
                color: 'FFFFFF',
                shading: { type: ShadingType.CLEAR, fill: 'F47738', color: 'auto' },
              }),
            ],
          }),
        ]),
    },
    {
      name: 'a link that says only "click here"',
      rule: 'link-text',
      build: () =>
        docxWith([
          new Paragraph({
            children: [
              new TextRun('For the plan, '),
              new ExternalHyperlink({ link: 'https://example.org/plan', children: [new TextRun('click here')] }),
            ],
          }),
        ]),
    },
    { name: 'no title', rule: 'title', build: () => docxWith([], { title: null }) },
    { name: 'no language', rule: 'language', build: () => docxWith([], { language: null }) },
    { name: 'American English as its language', rule: 'language', build: () => docxWith([], { language: 'en-US' }) },
  ];

  for (const c of cases) {
    it(`finds ${c.name}, and nothing else`, async () => {
      const problems = checkDocxAccessibility(await c.build()).problems;
      assert.deepEqual([...new Set(problems.map((p) => p.rule))], [c.rule], describeProblems(problems));
    });
  }

  it('finds a document that starts at Heading 2', async () => {
    const doc = new Document({
      title: 'No Heading 1',
      styles: DOCX_STYLES,
      sections: [{ children: [new Paragraph({ text: 'A section', heading: HeadingLevel.HEADING_2 }), para('Body.')] }],
    });
    const problems = checkDocxAccessibility(await Packer.toBuffer(doc)).problems;
    assert.deepEqual(
      problems.map((p) => [p.rule, p.where]),
      [['heading-order', 'paragraph "A section"']],
    );
  });
});
