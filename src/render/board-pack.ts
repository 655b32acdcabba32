// The board pack: one document for a reporting period (and optionally a theme) with a cover
// page, contents, a summary table of every priority (code, title, officer, status and
// direction of travel) and then each priority's progress report, laid out by the same code as
// the single report downloads (pdf.ts `renderReportBody`, docx.ts `reportBody`).
//
// Direction of travel is always a word beside its arrow (never colour alone). Noto Sans has no
// arrow glyphs, so the PDF draws the arrows as vectors; the Word document uses the characters.
// The PDF's contents give page numbers: the contents pages are reserved first, the summary and
// reports laid out, then the contents drawn on the reserved pages once every start is known.

import {
  Bookmark,
  Document,
  HeadingLevel,
  InternalHyperlink,
  Packer,
  Paragraph,
  ShadingType,
  Table,
  TableRow,
  TabStopType,
  TextRun,
} from 'docx';
import {
  BODY,
  CELL_PAD_BOTTOM,
  CELL_PAD_TOP,
  CONTENT_BOTTOM,
  CONTENT_WIDTH,
  GREY,
  HEADER_FILL,
  INK,
  MARGIN,
  PAGE,
  SMALL,
  TABLE,
  createPdf,
  drawPageFrame,
  lineHeight,
  renderReportBody,
  type Column,
  type Layout,
  type PdfOptions,
  type PlacedLine,
  type Row,
  type TextStyle,
} from './pdf.ts';
import {
  CONTENT_WIDTH as DOCX_CONTENT_WIDTH,
  DOCX_NUMBERING,
  DOCX_STYLES,
  GREY as DOCX_GREY,
  HEADER_FILL as DOCX_HEADER_FILL,
  SUBTITLE,
  cell,
  hex,
  pageSection,
  patternSwatch,
  reportBody,
  table,
  text,
} from './docx.ts';
import { chartPngsInTurn } from './png.ts';
import { reportPageFooter, reportPageHeader, type ReportView, type StatusView } from './report-view.ts';

/** `not-comparable`: either status is outside the rating order (not started, completed...), so neither better nor worse. */
export type DirectionKey = 'better' | 'worse' | 'same' | 'new' | 'none' | 'not-comparable';

export interface DirectionView {
  key: DirectionKey;
  /** "Better", "Worse", "Same", "New", "Not comparable" or "Not known" (a status missing on either side). */
  label: string;
  /** ↑ ↓ → for better, worse, same; empty otherwise (the word stands alone). */
  arrow: string;
  /** "Amber in 2009/10 H1" or "No earlier report". */
  detail: string;
}

export interface BoardPackRow {
  code: string;
  title: string;
  /** The accountable officer's name, or "Not assigned". */
  officer: string;
  /** null: no status was given, or there is no report for the period. */
  status: StatusView | null;
  hasReport: boolean;
  /** There is a report for the period but none of its revisions is published (published-only packs). */
  notYetPublished?: boolean;
  /** The report shown is not published: "Draft" or "In sign-off", said under its status. */
  unpublished?: string;
  direction: DirectionView;
}

export interface BoardPackView {
  organisationName: string;
  /** "2009/10 H1" */
  periodLabel: string;
  /** "1st April – 30th September 2009" */
  periodSpan: string;
  periodKey: string;
  themeTitle?: string;
  /** "24 November 2026" */
  generatedOn: string;
  /** The pack holds each report's last published revision only (compiled for a reader of published reports). */
  publishedOnly?: boolean;
  /** Every priority of the period (and theme), in the order of the priority list. */
  summary: BoardPackRow[];
  /** The reports of the period, in the same order; priorities without one have none here. */
  reports: ReportView[];
}

export const SUMMARY_HEADINGS = ['Code', 'Priority', 'Accountable officer', 'Status', 'Direction of travel'];

export function boardPackTitle(view: BoardPackView): string {
  return `Board pack ${view.periodLabel}${view.themeTitle ? ` – ${view.themeTitle}` : ''}`;
}

const statusText = (row: BoardPackRow) =>
  row.status ? row.status.label : row.hasReport ? 'Not set' : row.notYetPublished ? 'Not yet published' : 'No report';
/** What the cover says the pack holds, when it holds published revisions only. */
export const PUBLISHED_ONLY_NOTE =
  'Published reports only: a report in draft or in sign-off shows its last published revision, or “Not yet published”.';
const directionText = (d: DirectionView) => (d.arrow ? `${d.arrow} ${d.label}` : d.label);

// ---- PDF ------------------------------------------------------------------------------------------

const SUMMARY_COLUMNS: Column[] = [
  { width: 58 },
  { width: CONTENT_WIDTH - 58 - 100 - 82 - 88 },
  { width: 100 },
  { width: 82 },
  { width: 88 },
];
const MARK = 13;
const CONTENTS_STYLE: TextStyle = { font: 'regular', size: 10.5 };
const CONTENTS_GAP = 5;
const PAGE_NUMBER_WIDTH = 40;

function cover(layout: Layout, view: BoardPackView): void {
  const big: TextStyle = { font: 'bold', size: 30 };
  const medium: TextStyle = { font: 'bold', size: 18 };
  const body: TextStyle = { font: 'regular', size: 12, colour: GREY };
  layout.y = 220;
  layout.paragraph(view.organisationName, { font: 'bold', size: 14, colour: GREY }, 0, 18);
  layout.tag('H1', () => {
    for (const line of layout.wrap('Board pack', big, CONTENT_WIDTH)) {
      layout.drawLine(line, MARGIN.left, layout.y, big);
      layout.y += lineHeight(30);
    }
  });
  layout.space(8);
  layout.paragraph(`Progress reports ${view.periodLabel}`, medium, 0, 4);
  layout.paragraph(view.periodSpan, body, 0, 4);
  if (view.themeTitle) layout.paragraph(`Theme: ${view.themeTitle}`, { font: 'bold', size: 12 }, 0, 4);
  layout.space(16);
  layout.paragraph(
    `${view.summary.length} ${view.summary.length === 1 ? 'priority' : 'priorities'}, ${view.reports.length} ${view.reports.length === 1 ? 'report' : 'reports'}`,
    body,
    0,
    4,
  );
  layout.paragraph(`Generated on ${view.generatedOn}`, body, 0, 4);
  if (view.publishedOnly) layout.paragraph(PUBLISHED_ONLY_NOTE, body, 0, 4);
}

interface ContentsEntry {
  label: string;
  page: number;
}

function contentsLines(layout: Layout, entry: { label: string }): string[] {
  return layout.wrap(entry.label, CONTENTS_STYLE, CONTENT_WIDTH - PAGE_NUMBER_WIDTH - 10);
}

/** Pages the contents take: a heading, then each entry's wrapped lines. */
function contentsPageCount(layout: Layout, labels: { label: string }[]): number {
  const heading = lineHeight(18) + 12;
  let pages = 1;
  let y = MARGIN.top + heading;
  for (const entry of labels) {
    const h = contentsLines(layout, entry).length * lineHeight(CONTENTS_STYLE.size) + CONTENTS_GAP;
    if (y + h > CONTENT_BOTTOM) {
      pages++;
      y = MARGIN.top;
    }
    y += h;
  }
  return pages;
}

/**
 * Draws the contents onto the reserved pages (`first` is their 0-based index). Tagged, it is a
 * heading and a TOC whose items are links to their pages, in the structure where the pages are.
 */
function drawContents(layout: Layout, first: number, entries: ContentsEntry[]): void {
  const { doc } = layout;
  let page = first;
  doc.switchToPage(page);
  layout.y = MARGIN.top;
  layout.tag('H2', () => layout.drawLine('Contents', MARGIN.left, layout.y, { font: 'bold', size: 18 }));
  layout.y += lineHeight(18) + 12;
  layout.tag('TOC', () => {
    for (const entry of entries) {
      const turned = drawContentsEntry(layout, entry, page);
      page = turned;
    }
  });
}

/** One contents entry (label, dotted leader, page number), linked to its page; returns the page it ended on. */
function drawContentsEntry(layout: Layout, entry: ContentsEntry, current: number): number {
  const { doc } = layout;
  let page = current;
  const lh = lineHeight(CONTENTS_STYLE.size);
  const lines = contentsLines(layout, entry);
  const h = lines.length * lh + CONTENTS_GAP;
  if (layout.y + h > CONTENT_BOTTOM) {
    doc.switchToPage(++page);
    layout.y = MARGIN.top;
  }
  const top = layout.y;
  layout.tag('TOCI', () =>
    layout.tag('Link', () => {
      for (const line of lines) {
        layout.drawLine(line, MARGIN.left, layout.y, CONTENTS_STYLE);
        layout.y += lh;
      }
      const number = String(entry.page);
      const last = lines.at(-1) ?? '';
      const lastY = layout.y - lh;
      const dotsFrom = MARGIN.left + layout.width(`${last} `, CONTENTS_STYLE);
      const numberX = PAGE.width - MARGIN.right - layout.width(number, CONTENTS_STYLE);
      if (numberX - dotsFrom > 12) {
        layout.artifact(() =>
          doc
            .save()
            .lineWidth(0.6)
            .strokeColor(GREY)
            .dash(1, { space: 2.5 })
            .moveTo(dotsFrom, lastY + lh * 0.62)
            .lineTo(numberX - 4, lastY + lh * 0.62)
            .stroke()
            .undash()
            .restore(),
        );
      }
      layout.drawLine(number, numberX, lastY, CONTENTS_STYLE);
      // The whole entry goes to its page; the link is described for those who cannot see it.
      layout.link(
        MARGIN.left,
        top,
        CONTENT_WIDTH,
        lines.length * lh,
        `page-${entry.page}`,
        `${entry.label}, page ${number}`,
      );
    }),
  );
  layout.y += CONTENTS_GAP;
  return page;
}

/** An arrow for the direction of travel, drawn: up, down or right. */
function drawArrow(doc: PDFKit.PDFDocument, key: DirectionKey, cx: number, cy: number): void {
  const r = 4.2;
  doc.save().fillColor(INK).strokeColor(INK).lineWidth(1.3).lineCap('round');
  if (key === 'better' || key === 'worse') {
    const dir = key === 'better' ? -1 : 1;
    doc
      .moveTo(cx, cy - dir * r)
      .lineTo(cx, cy + dir * (r - 2))
      .stroke();
    doc.polygon([cx, cy + dir * r], [cx - 3, cy + dir * (r - 3.5)], [cx + 3, cy + dir * (r - 3.5)]).fill();
  } else if (key === 'same') {
    doc
      .moveTo(cx - r, cy)
      .lineTo(cx + r - 2, cy)
      .stroke();
    doc.polygon([cx + r, cy], [cx + r - 3.5, cy - 3], [cx + r - 3.5, cy + 3]).fill();
  }
  doc.restore();
}

function summaryHeader(layout: Layout): Row {
  const lines: PlacedLine[] = [];
  const style: TextStyle = { font: 'bold', size: TABLE };
  const heights = SUMMARY_HEADINGS.map((h, col) => layout.place(lines, SUMMARY_COLUMNS, col, CELL_PAD_TOP, h, style));
  return { lines, height: Math.max(...heights) + CELL_PAD_TOP + CELL_PAD_BOTTOM, fill: HEADER_FILL, header: true };
}

/** The status cell: the status beside its shape (or why there is none), then "Draft" or "In sign-off". */
function summaryStatus(layout: Layout, lines: PlacedLine[], row: BoardPackRow): number {
  const height = row.status
    ? layout.place(lines, SUMMARY_COLUMNS, 3, CELL_PAD_TOP, row.status.label, { font: 'regular', size: TABLE }, false, {
        mark: { shape: row.status.shape, colour: row.status.colour, pattern: row.status.pattern },
      })
    : layout.place(lines, SUMMARY_COLUMNS, 3, CELL_PAD_TOP, statusText(row), {
        font: 'italic',
        size: TABLE,
        colour: GREY,
      });
  if (!row.unpublished) return height;
  const note: TextStyle = { font: 'bold', size: SMALL, colour: GREY };
  return height + layout.place(lines, SUMMARY_COLUMNS, 3, CELL_PAD_TOP + height, row.unpublished, note);
}

function summaryRow(layout: Layout, row: BoardPackRow): Row {
  const lines: PlacedLine[] = [];
  const style: TextStyle = { font: 'regular', size: TABLE };
  const heights = [
    layout.place(lines, SUMMARY_COLUMNS, 0, CELL_PAD_TOP, row.code, { font: 'bold', size: TABLE }),
    layout.place(lines, SUMMARY_COLUMNS, 1, CELL_PAD_TOP, row.title, style),
    layout.place(lines, SUMMARY_COLUMNS, 2, CELL_PAD_TOP, row.officer, style),
    summaryStatus(layout, lines, row),
  ];
  // The arrow is drawn after the row (its place is left blank here); the word is text.
  const arrowed = row.direction.arrow !== '';
  const dirLines: PlacedLine[] = [];
  heights.push(
    layout.place(dirLines, SUMMARY_COLUMNS, 4, CELL_PAD_TOP, row.direction.label, { font: 'bold', size: TABLE }),
  );
  heights.push(
    layout.place(dirLines, SUMMARY_COLUMNS, 4, CELL_PAD_TOP + lineHeight(TABLE), row.direction.detail, {
      font: 'regular',
      size: SMALL,
      colour: GREY,
    }) + lineHeight(TABLE),
  );
  for (const l of dirLines) lines.push(arrowed ? { ...l, x: l.x + MARK } : l);
  // The code heads its row.
  return { lines, height: Math.max(...heights) + CELL_PAD_TOP + CELL_PAD_BOTTOM, headerColumns: [0] };
}

function summaryTable(layout: Layout, view: BoardPackView): void {
  layout.heading(`Summary of priorities ${view.periodLabel}`, 16, lineHeight(TABLE) * 4, 0);
  layout.paragraph(
    'Direction of travel compares each priority’s status with its previous report’s: Better, Worse or Same; Not comparable when either is outside the rating order (like not started or completed); New when there is no earlier report.',
    { font: 'regular', size: BODY, colour: GREY },
    0,
    8,
  );
  if (view.summary.length === 0) {
    layout.paragraph('There are no priorities for this period.', { font: 'italic', size: BODY, colour: GREY });
    return;
  }
  const header = summaryHeader(layout);
  layout.tag('Table', () => {
    layout.row(SUMMARY_COLUMNS, header);
    layout.withContinuation(
      () => layout.row(SUMMARY_COLUMNS, header),
      header.height,
      () => {
        for (const row of view.summary) summaryTableRow(layout, row);
      },
    );
  });
}

function summaryTableRow(layout: Layout, row: BoardPackRow): void {
  const x4 = MARGIN.left + SUMMARY_COLUMNS.slice(0, 4).reduce((a, c) => a + c.width, 0);
  const built = summaryRow(layout, row);
  layout.row(SUMMARY_COLUMNS, built);
  // Rows are short (never split): the row ends at layout.y. The arrow is beside its word.
  if (row.direction.arrow) {
    const top = layout.y - built.height;
    layout.artifact(() =>
      drawArrow(layout.doc, row.direction.key, x4 + 5 + 5, top + CELL_PAD_TOP + lineHeight(TABLE) / 2),
    );
  }
}

export async function renderBoardPackPdf(view: BoardPackView, options: PdfOptions = {}): Promise<Buffer> {
  const title = boardPackTitle(view);
  const { doc, layout, done } = createPdf(
    {
      Title: `${view.organisationName} – ${title}`,
      Author: view.organisationName,
      Subject: `Progress reports ${view.periodLabel} (${view.periodSpan})`,
      Keywords: `board pack, ${view.periodKey}, progress reports`,
      Creator: 'Amber',
    },
    options,
  );
  // The structure: the cover, the contents (drawn last, placed here), the summary, then each
  // report in a section of its own; each section is bookmarked.
  const { sections, packHeader } = layout.tag('Document', () => boardPackBody(layout, view, title));
  const range = doc.bufferedPageRange();
  // The cover (page 0) has no running header or footer.
  for (let i = 1; i < range.count; i++) {
    doc.switchToPage(i);
    const section = sections.filter((s) => s.first <= i).at(-1);
    drawPageFrame(layout, section?.header ?? packHeader, {
      left: section?.footer ?? view.organisationName,
      page: `Page ${i + 1} of ${range.count}`,
    });
  }
  doc.end();
  return done;
}

type PageHeader = { code: string; title: string; right: string };

/** Lays out the cover, contents, summary and reports; returns where each section starts and its header. */
function boardPackBody(
  layout: Layout,
  view: BoardPackView,
  title: string,
): { sections: { first: number; header: PageHeader; footer: string }[]; packHeader: PageHeader } {
  const { doc } = layout;
  cover(layout, view);

  // Reserve the contents pages; their count depends only on the entries' labels.
  const labels = [
    { label: `Summary of priorities ${view.periodLabel}` },
    ...view.reports.map((r) => ({ label: `${r.priority.code} ${r.priority.title}` })),
  ];
  const contentsPages = contentsPageCount(layout, labels);
  const contentsFirst = 1;
  const contents = layout.reserve('Sect');
  for (let i = 0; i < contentsPages; i++) layout.newPage();

  // Each section (the summary, then each report) starts a page; its pages carry its header.
  const packHeader: PageHeader = { code: '', title: view.organisationName, right: title };
  const sections: { first: number; header: PageHeader; footer: string }[] = [];
  const entries: ContentsEntry[] = [];
  const section = (label: string, header: PageHeader, footer: string, body: () => void) => {
    layout.newPage();
    const index = doc.bufferedPageRange().count - 1;
    sections.push({ first: index, header, footer });
    entries.push({ label, page: index + 1 });
    doc.addNamedDestination(`page-${index + 1}`);
    doc.outline.addItem(label);
    layout.tag('Sect', body);
  };

  section(labels[0]!.label, packHeader, view.organisationName, () => summaryTable(layout, view));
  view.reports.forEach((report, i) => {
    section(labels[i + 1]!.label, reportPageHeader(report), reportPageFooter(report), () =>
      renderReportBody(layout, report),
    );
  });

  layout.within(contents, () => drawContents(layout, contentsFirst, entries));
  return { sections, packHeader };
}

// ---- DOCX -----------------------------------------------------------------------------------------

const SUMMARY_WIDTHS = [1100, DOCX_CONTENT_WIDTH - 1100 - 2000 - 1600 - 1900, 2000, 1600, 1900];
const bookmarkOf = (i: number) => `report_${i + 1}`;

function docxCover(view: BoardPackView): Paragraph[] {
  return [
    new Paragraph({
      spacing: { before: 3000, after: 240 },
      children: [new TextRun({ text: view.organisationName, size: 28, color: DOCX_GREY })],
    }),
    new Paragraph({
      heading: HeadingLevel.TITLE,
      children: [new TextRun({ text: 'Board pack', bold: true, size: 60 })],
    }),
    new Paragraph({
      style: SUBTITLE,
      spacing: { before: 240 },
      children: [new TextRun({ text: `Progress reports ${view.periodLabel}`, bold: true, size: 36 })],
    }),
    text(view.periodSpan, { color: DOCX_GREY, size: 24 }),
    ...(view.themeTitle
      ? [
          new Paragraph({
            children: [
              new TextRun({ text: 'Theme: ', bold: true, size: 24 }),
              new TextRun({ text: view.themeTitle, size: 24 }),
            ],
          }),
        ]
      : []),
    new Paragraph({
      spacing: { before: 480 },
      children: [
        new TextRun({
          text: `${view.summary.length} ${view.summary.length === 1 ? 'priority' : 'priorities'}, ${view.reports.length} ${view.reports.length === 1 ? 'report' : 'reports'}`,
          color: DOCX_GREY,
          size: 24,
        }),
      ],
    }),
    text(`Generated on ${view.generatedOn}`, { color: DOCX_GREY, size: 24 }),
    ...(view.publishedOnly ? [text(PUBLISHED_ONLY_NOTE, { color: DOCX_GREY, size: 24 })] : []),
  ];
}

/** The contents as a list of links to each part (Word's own TOC field would need updating on opening). */
function docxContents(view: BoardPackView): Paragraph[] {
  const link = (label: string, anchor: string) =>
    new Paragraph({
      tabStops: [{ type: TabStopType.RIGHT, position: DOCX_CONTENT_WIDTH }],
      children: [new InternalHyperlink({ anchor, children: [new TextRun({ text: label, style: 'Hyperlink' })] })],
    });
  return [
    new Paragraph({ pageBreakBefore: true, heading: HeadingLevel.HEADING_1, text: 'Contents' }),
    link(`Summary of priorities ${view.periodLabel}`, 'summary'),
    ...view.reports.map((r, i) => link(`${r.priority.code} ${r.priority.title}`, bookmarkOf(i))),
  ];
}

function docxSummary(view: BoardPackView): (Paragraph | Table)[] {
  // The summary heading is a bookmark the contents link to.
  const label = `Summary of priorities ${view.periodLabel}`;
  const intro = [
    new Paragraph({
      heading: HeadingLevel.HEADING_1,
      pageBreakBefore: true,
      children: [new Bookmark({ id: 'summary', children: [new TextRun(label)] })],
    }),
    text(
      'Direction of travel compares each priority’s status with its previous report’s: Better, Worse or Same; Not comparable when either is outside the rating order (like not started or completed); New when there is no earlier report.',
      { color: DOCX_GREY },
    ),
  ];
  if (view.summary.length === 0)
    return [...intro, text('There are no priorities for this period.', { italics: true, color: DOCX_GREY })];
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: SUMMARY_HEADINGS.map((h, i) =>
      cell([text(h, { bold: true })], SUMMARY_WIDTHS[i]!, { fill: DOCX_HEADER_FILL }),
    ),
  });
  const rows = view.summary.map(
    (row) =>
      new TableRow({
        cantSplit: true,
        children: [
          cell([text(row.code, { bold: true })], SUMMARY_WIDTHS[0]!),
          cell([text(row.title)], SUMMARY_WIDTHS[1]!),
          cell([text(row.officer)], SUMMARY_WIDTHS[2]!),
          cell(
            [
              row.status
                ? new Paragraph({
                    children: [
                      new TextRun({
                        text: ` ${row.status.symbol} ${row.status.label} `,
                        bold: true,
                        color: hex(row.status.textColour),
                        shading: { type: ShadingType.CLEAR, fill: hex(row.status.colour), color: 'auto' },
                      }),
                      ...patternSwatch(row.status),
                    ],
                  })
                : text(statusText(row), { italics: true, color: DOCX_GREY }),
              ...(row.unpublished ? [text(row.unpublished, { bold: true, size: 17, color: DOCX_GREY })] : []),
            ],
            SUMMARY_WIDTHS[3]!,
          ),
          cell(
            [
              text(directionText(row.direction), { bold: true }),
              text(row.direction.detail, { size: 17, color: DOCX_GREY }),
            ],
            SUMMARY_WIDTHS[4]!,
          ),
        ],
      }),
  );
  return [...intro, table(SUMMARY_WIDTHS, [header, ...rows])];
}

export async function renderBoardPackDocx(view: BoardPackView): Promise<Buffer> {
  const title = boardPackTitle(view);
  const packHeader = { code: '', title: view.organisationName, right: title };
  // Every chart's PNG in one pass, each pixmap freed once encoded (png.ts): all at once held ~2 GB.
  const all = await chartPngsInTurn(view.reports.flatMap((r) => r.graphs.map((g) => g.svg)));
  let at = 0;
  const pngs = view.reports.map((r) => all.slice(at, (at += r.graphs.length)));
  const doc = new Document({
    title: `${view.organisationName} – ${title}`,
    subject: `Progress reports ${view.periodLabel} (${view.periodSpan})`,
    creator: view.organisationName,
    lastModifiedBy: view.organisationName,
    keywords: `board pack, ${view.periodKey}, progress reports`,
    description: title,
    styles: DOCX_STYLES,
    numbering: DOCX_NUMBERING,
    sections: [
      pageSection(packHeader, view.organisationName, [...docxCover(view), ...docxContents(view), ...docxSummary(view)]),
      // A section per report, so each report's pages carry its own running header.
      ...view.reports.map((r, i) =>
        pageSection(reportPageHeader(r), reportPageFooter(r), reportBody(r, pngs[i]!, { bookmark: bookmarkOf(i) })),
      ),
    ],
  });
  return Packer.toBuffer(doc);
}
