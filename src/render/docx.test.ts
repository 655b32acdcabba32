import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  buildActionViews,
  buildGraphView,
  buildLongText,
  buildVfm4dReportView,
} from '../../test/builders/report-view.ts';
import { CHART_ELSEWHERE, renderReportDocx } from './docx.ts';
import type { GraphView } from './report-view.ts';
import { assertInOrder, countOccurrences, docxText, reportFragments, zipEntry } from './text-extract.test-helper.ts';

const UNICODE = 'Gwasanaethau’r Cyngor: ŵ ŷ Ŵ Ŷ – £1,250 “ymgynghori” ‘dros dro’ <script>alert(1)</script>';

function part(docx: Buffer, name: string): string {
  return zipEntry(docx, name).toString('utf8');
}

/** The text of a piece of WordprocessingML, tags dropped and entities decoded. */
function xmlText(xml: string): string {
  return xml
    .replace(/<[^>]+>/g, '')
    .replace(
      /&(lt|gt|quot|apos|amp);/g,
      (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e as 'lt'] ?? '',
    );
}

/** The paragraphs (w:p) of document.xml whose text is `text`, or contains it when `whole` is false. */
function paragraphsWith(xml: string, text: string, whole = true): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)]
    .map((m) => m[0])
    .filter((p) => (whole ? xmlText(p).trim() === text : xmlText(p).includes(text)));
}

describe('the Word document of a progress report', () => {
  const view = buildVfm4dReportView();
  let docx: Buffer;
  let text: string;
  let documentXml: string;

  before(async () => {
    docx = await renderReportDocx(view);
    text = await docxText(docx);
    documentXml = part(docx, 'word/document.xml');
  });

  it('holds every field of the seed report in the order of the seed', () => {
    assertInOrder(text, reportFragments(view));
  });

  it("holds the seed report's own headings, names, dates and timescales", () => {
    assertInOrder(text, [
      'Improvement Priority – VfM-4d Explore opportunities for collaboration with private and public sector bodies',
      'Accountable Officer – Lee Hemsworth',
      'Why is this a priority',
      'Graphs',
      'There are no graphs for this priority.',
      'Overall progress to date and outcomes achieved 1st April – 30th September 2009',
      'Overall Summary',
      'more than £6 million additional savings',
      'Status:',
      '▲ Amber',
      'Achievements since the last report',
      'Two thirds of funding (£100K)',
      'Challenges/Risks',
      'Council / Partnership Groups',
      'Council Directorates involving all Chief Officer portfolio/function areas.',
      'External partners Local Partnerships and PwC.',
      'Sign-off',
      'Name',
      'Date',
      'Approved by',
      '(Accountable Officer)',
      'Lee Hemsworth',
      '22 October 2009',
      'Approved by',
      '(Accountable Director)',
      'James Rogers',
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

  it('uses Word heading styles for the title and the section headings', () => {
    const styleOf = (heading: string) =>
      paragraphsWith(documentXml, heading)[0]?.match(/<w:pStyle w:val="([^"]+)"/)?.[1];
    assert.equal(styleOf(view.heading), 'Heading1');
    for (const h of [
      'Why is this a priority',
      'Graphs',
      'Achievements since the last report',
      'Challenges/Risks',
      view.actionsHeading,
      view.progressHeading,
    ]) {
      assert.equal(styleOf(h), 'Heading2', `"${h}" is not a Heading 2`);
    }
    assert.equal(styleOf('Overall Summary'), 'Heading3');
  });

  it('makes achievements and challenges real Word bullet lists', () => {
    for (const item of [...view.achievements, ...view.challenges]) {
      const [p] = paragraphsWith(documentXml, item);
      assert.ok(p, `no paragraph for "${item}"`);
      assert.match(p, /<w:numPr>/, `"${item}" is not a list item`);
      assert.ok(!p.includes('•'), 'bullets come from numbering, not typed characters');
    }
    assert.match(part(docx, 'word/numbering.xml'), /<w:numFmt w:val="bullet"\/>/);
  });

  it('puts the key actions in a real table whose header row repeats on every page', () => {
    const tables = [...documentXml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((m) => m[0]);
    const actions = tables.find((t) => t.includes('Contributory Officer / Partner'));
    assert.ok(actions, 'no key actions table');
    const rows = [...actions.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((m) => m[0]);
    assert.match(rows[0] ?? '', /<w:tblHeader\/>/);
    // One row per milestone, the action's number, description and contributors merged beside them.
    assert.equal(rows.length, 1 + view.actions.reduce((n, a) => n + Math.max(1, a.milestones.length), 0));
    assert.equal(
      countOccurrences(actions, '<w:vMerge w:val="restart"/>'),
      3 * view.actions.filter((a) => a.milestones.length > 1).length,
    );
  });

  it('keeps each milestone in the same table row as its timescale', () => {
    const rows = [...documentXml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((m) => m[0]);
    for (const m of view.actions.flatMap((a) => a.milestones)) {
      const row = rows.find((r) => r.includes(m.description));
      assert.ok(row?.includes(`>${m.timescale}<`), `"${m.description}" is not beside ${m.timescale}`);
    }
  });

  it('shows the sign-offs as a table of names and dates', () => {
    const tables = [...documentXml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((m) => m[0]);
    const signOffs = tables.find((t) => t.includes('(Accountable Officer)'));
    assert.ok(signOffs);
    assertInOrder(xmlText(signOffs.replace(/<\/w:p>/g, ' ')), [
      'Lee Hemsworth',
      '22 October 2009',
      'James Rogers',
      '9 November 2009',
    ]);
  });

  it('shows the status with its symbol and label, the colour only as shading', () => {
    const [p] = paragraphsWith(documentXml, '▲ Amber', false);
    assert.ok(p);
    assert.match(p, /w:fill="F47738"/);
  });

  it('is A4 with "Page N of M" fields in the footer', () => {
    assert.match(documentXml, /<w:pgSz w:w="11906" w:h="16838"/);
    const footer = part(docx, 'word/footer1.xml');
    assert.match(footer, /Page /);
    assert.match(footer, /PAGE/);
    assert.match(footer, /NUMPAGES/);
    assert.match(part(docx, 'word/header1.xml'), /VfM-4d/);
  });

  it('names the report and the council in the document properties', () => {
    const core = part(docx, 'docProps/core.xml');
    assert.match(core, /<dc:creator>Leeds City Council<\/dc:creator>/);
    assert.match(core, /<dc:title>VfM-4d Explore opportunities/);
  });

  it('keeps Welsh letters, pound signs, dashes, curly quotes and markup exactly as written', async () => {
    const actions = buildActionViews(1);
    actions[0] = { ...actions[0]!, description: UNICODE, contributors: ['Siân Llŷr', 'Gwŷn Ŵyn'] };
    const v = buildVfm4dReportView({ summary: [UNICODE], achievements: [UNICODE], challenges: [UNICODE], actions });
    const out = await renderReportDocx(v);
    const t = await docxText(out);
    assert.equal(countOccurrences(t, UNICODE), 4);
    assertInOrder(t, ['Siân Llŷr', 'Gwŷn Ŵyn']);
    const xml = part(out, 'word/document.xml');
    assert.ok(xml.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!xml.includes('<script>'));
  });

  it('holds a 5,000-word summary and 40 actions in order', async () => {
    const long = buildVfm4dReportView({ summary: [buildLongText(5000)], actions: buildActionViews(40) });
    assertInOrder(await docxText(await renderReportDocx(long)), reportFragments(long));
  });

  it('says "Not yet signed off" for a role with no decision', async () => {
    const v = buildVfm4dReportView({ signOffs: view.signOffs.filter((s) => s.role === 'accountable_officer') });
    const t = await docxText(await renderReportDocx(v));
    assertInOrder(t, ['Lee Hemsworth', '22 October 2009', '(Accountable Director)', 'Not yet signed off']);
    assert.ok(!t.includes('James Rogers'));
  });

  it('renders a report with no status, officer or actions yet', async () => {
    const v = buildVfm4dReportView({ status: null, accountableOfficer: null, actions: [], statusReason: [] });
    const t = await docxText(await renderReportDocx(v));
    assertInOrder(t, [
      'Accountable Officer – Not assigned',
      'Status:',
      'Not set',
      'Key actions for the next 6 months',
      'No key actions have been recorded for the next period.',
    ]);
  });
});

/** Whether resvg's native binary loads here: the DOCX has chart images only when it does. */
async function resvgLoads(): Promise<boolean> {
  return import('@resvg/resvg-js').then(
    () => true,
    () => false,
  );
}

/** The parts of the package an `r:embed` of document.xml points at, as "word/media/…" names. */
function embeddedParts(docx: Buffer): string[] {
  const rels = part(docx, 'word/_rels/document.xml.rels');
  const targets = new Map(
    [...rels.matchAll(/<Relationship [^>]*Id="([^"]+)"[^>]*Target="([^"]+)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  const ids = [...part(docx, 'word/document.xml').matchAll(/r:embed="([^"]+)"/g)].map((m) => m[1]!);
  return ids.map((id) => `word/${targets.get(id) ?? `(no target for ${id})`}`);
}

function tablesOf(xml: string): string[] {
  return [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map((m) => m[0]);
}

describe('the graphs in the Word document of a progress report', () => {
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
  let docx: Buffer;
  let text: string;
  let documentXml: string;
  let withImages: boolean;

  before(async () => {
    docx = await renderReportDocx(view);
    text = await docxText(docx);
    documentXml = part(docx, 'word/document.xml');
    withImages = await resvgLoads();
  });

  const fragments = (g: GraphView) => [
    `${g.code} ${g.title}`,
    g.description,
    g.table.caption,
    ...g.table.columns.map((c) => c.header),
    ...g.table.rows.flatMap((r) => r.cells),
  ];

  it("follows each graph's heading and chart with its caption and every period and value of its table, in order", () => {
    assertInOrder(text, ['Graphs', ...view.graphs.flatMap(fragments), view.progressHeading]);
    assertInOrder(text, ['2009/10 Q2', 'No data', '95.0', 'Not set', '2009/10 Q4', '93.3', '95.0', '▲ Amber']);
    assertInOrder(text, [savings.table.caption, '2008/09 Q1', '250,000', '1,000,000', '▲ Amber']);
  });

  it('leaves out the no-graphs sentence when there are graphs', () => {
    assert.ok(!text.includes(view.noGraphsText));
  });

  it('still holds every field of the report in order around the graphs', () => {
    assertInOrder(text, reportFragments(view));
  });

  it('gives each graph a Heading 3', () => {
    for (const g of view.graphs) {
      const [p] = paragraphsWith(documentXml, `${g.code} ${g.title}`);
      assert.match(p ?? '', /<w:pStyle w:val="Heading3"\/>/, `"${g.title}" is not a Heading 3`);
    }
  });

  it('shows each chart as an SVG picture with a PNG for older readers, its description as the alternative text', async () => {
    if (!withImages) {
      // Not a silent skip: without resvg the document must say where the chart is.
      assert.equal(countOccurrences(text, CHART_ELSEWHERE), view.graphs.length);
      assert.fail('@resvg/resvg-js does not load here, so the Word document has no chart images');
    }
    const media = embeddedParts(docx);
    assert.equal(
      media.filter((m) => /^word\/media\/[^/]+\.png$/.test(m)).length,
      view.graphs.length,
      `embedded: ${media.join(', ')}`,
    );
    assert.equal(
      media.filter((m) => /^word\/media\/[^/]+\.svg$/.test(m)).length,
      view.graphs.length,
      `embedded: ${media.join(', ')}`,
    );
    for (const name of media.filter((m) => m.endsWith('.png'))) {
      assert.deepEqual(
        [...zipEntry(docx, name).subarray(0, 8)],
        [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
        `${name} is not a PNG`,
      );
    }
    for (const g of view.graphs) {
      const escaped = g.description
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;');
      assert.ok(documentXml.includes(`descr="${escaped}"`), `no picture described as "${g.description}"`);
    }
    assert.ok(!text.includes(CHART_ELSEWHERE));
  });

  it("puts each graph's data in a real table with a repeating header row and right-aligned numbers", () => {
    const tables = tablesOf(documentXml).filter((t) => t.includes('>Period<'));
    assert.equal(tables.length, view.graphs.length);
    view.graphs.forEach((g, i) => {
      const rows = [...tables[i]!.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((m) => m[0]);
      assert.equal(rows.length, 1 + g.table.rows.length);
      assert.match(rows[0]!, /<w:tblHeader\/>/);
      assert.equal(countOccurrences(tables[i]!, '<w:tblHeader/>'), 1, 'only the first row is a header row');
      const cells = [...rows[1]!.matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((m) => m[0]);
      g.table.columns.forEach((c, col) => {
        assert.equal(
          /<w:jc w:val="(right|end)"\/>/.test(cells[col]!),
          c.numeric,
          `the ${c.header} column ${c.numeric ? 'is not' : 'is'} right-aligned`,
        );
      });
    });
  });

  it("keeps each table's caption on the page of its table", () => {
    for (const g of view.graphs) {
      const [caption] = paragraphsWith(documentXml, g.table.caption);
      assert.match(caption ?? '', /<w:keepNext\/>/, `the caption "${g.table.caption}" does not keep with its table`);
    }
  });

  it("keeps Welsh letters, pound signs and markup in a graph's title as written", async () => {
    const g = buildGraphView({ title: UNICODE });
    const out = await renderReportDocx(buildVfm4dReportView({ graphs: [g] }));
    const t = await docxText(out);
    assertInOrder(t, ['Graphs', `NI 179 ${UNICODE}`, `Data for NI 179 ${UNICODE}, 2008/09 Q1 to 2009/10 Q4`]);
    const xml = part(out, 'word/document.xml');
    assert.ok(xml.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!xml.includes('<script>'));
    for (const name of embeddedParts(out).filter((m) => m.endsWith('.svg'))) {
      assert.ok(!zipEntry(out, name).toString('utf8').includes('<script'), `${name} holds a script element`);
    }
  });
});

describe('the Word document of a progress report that cites the risk register', () => {
  it('makes each cited risk a bullet under Challenges/Risks, after the free-text ones', async () => {
    const view = {
      ...buildVfm4dReportView(),
      citedRisks: [
        { description: 'Programme not delivered on time', ratingLabel: 'High', score: 16, owner: 'Arfan Hanif' },
      ],
    };
    const documentXml = part(await renderReportDocx(view), 'word/document.xml');
    const [p] = paragraphsWith(documentXml, 'Programme not delivered on time — High (16), owner Arfan Hanif');
    assert.ok(p, 'no paragraph for the cited risk');
    assert.match(p, /<w:numPr>/);
    assert.ok(documentXml.indexOf(view.challenges.at(-1)!) < documentXml.indexOf('Programme not delivered on time'));
  });
});
