// The progress report as an editable Word document, in the order and with the headings of the
// council's own report (shared/seed/vfm-4d-progress-report-2009-h1.txt). Officers edit these
// files, so structure is real Word structure: Heading styles, list numbering for bullets,
// tables with a repeating header row, and page numbers as fields in the footer.
//
// In the key actions table each milestone is a row of its own, with the number, action and
// contributors merged down beside them: that keeps every milestone level with its timescale
// however the text wraps, and lets Word break pages between milestones.
//
// Each graph is a Heading 3, the chart as an image (the SVG itself for Word 2016 and later, with
// a PNG that resvg draws from the same SVG, in Noto Sans, for everything else: png.ts) with the
// chart's description as its alternative text, then its data table as a real Word table under a
// Caption. Without resvg (its native binary did not load) the document says where the chart is,
// not a gap.
//
// The documents are published on councils' websites, so they are written to pass Word's
// Accessibility Checker (docx-accessibility.test.ts): title and language (en-GB) set, headings
// that never skip a level and no bold paragraph standing in for one, space made by paragraph
// spacing rather than empty paragraphs, nothing lined up with tabs, no empty table cells, and a
// status always in words beside its colour.

import {
  AlignmentType,
  Bookmark,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  ImageRun,
  type ISectionOptions,
  LevelFormat,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import type { ChartTable } from './charts/chart-view.ts';
import type { ActionView, GraphView, JointSignOffView, ReportView, SignOffView, StatusView } from './report-view.ts';
import { JOINT_SIGN_OFF_HEADINGS, JOINT_SIGN_OFFS_CAPTION, reportPageFooter, reportPageHeader } from './report-view.ts';
import { citedRiskText } from './report-view.ts';
import { chartPngsInTurn } from './png.ts';

// A4 in twentieths of a point, with 2 cm margins.
export const PAGE_WIDTH = 11906;
export const PAGE_HEIGHT = 16838;
export const MARGIN = 1134;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

const FONT = 'Arial';
const INK = '0B0C0C';
export const GREY = '505A5F';
export const HEADER_FILL = 'F3F2F1';
const BULLETS = 'amber-bullets';

export const hex = (colour: string) => colour.replace(/^#/, '').toUpperCase();

export interface TextOptions {
  bold?: boolean;
  italics?: boolean;
  color?: string;
  size?: number;
  /** Keep on the same page as the next paragraph (in a table: keeps rows together). */
  keepNext?: boolean;
}

export function text(value: string, { keepNext, ...run }: TextOptions = {}): Paragraph {
  return new Paragraph({ children: [new TextRun({ text: value, ...run })], ...(keepNext ? { keepNext } : {}) });
}

function bullet(value: string, keepNext = false): Paragraph {
  return new Paragraph({
    children: [new TextRun(value)],
    numbering: { reference: BULLETS, level: 0 },
    ...(keepNext ? { keepNext } : {}),
  });
}

export function heading(value: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel]): Paragraph {
  return new Paragraph({ text: value, heading: level });
}

export function cell(
  children: Paragraph[],
  width: number,
  options: { fill?: string; rowSpan?: number } = {},
): TableCell {
  return new TableCell({
    children: children.length > 0 ? children : [new Paragraph('')],
    width: { size: width, type: WidthType.DXA },
    ...(options.rowSpan && options.rowSpan > 1 ? { rowSpan: options.rowSpan } : {}),
    ...(options.fill ? { shading: { type: ShadingType.CLEAR, fill: options.fill, color: 'auto' } } : {}),
  });
}

export function table(widths: number[], rows: TableRow[]): Table {
  return new Table({
    rows,
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { top: 60, bottom: 60, left: 100, right: 100 },
  });
}

/**
 * A status's pattern as Word draws it: a one-character swatch shaded with stripes (hatched) or a
 * screen of dots (dotted) in the ink that reads on the colour, ending the status's badge so a
 * black-and-white print tells it apart. None for a status without a pattern.
 */
export function patternSwatch(status: Pick<StatusView, 'pattern' | 'colour' | 'textColour'>): TextRun[] {
  if (!status.pattern || status.pattern === 'none') return [];
  return [
    new TextRun({
      text: '\u2003',
      shading: {
        type: status.pattern === 'hatched' ? ShadingType.DIAGONAL_STRIPE : ShadingType.PERCENT_25,
        fill: hex(status.colour),
        color: hex(status.textColour),
      },
    }),
  ];
}

/**
 * "Status:" then the shape and label on the status colour, then the description: never colour
 * alone. Single spaces only between the parts (repeated spaces are what checkers flag as layout).
 */
function statusParagraph(status: StatusView | null): Paragraph {
  const label = new TextRun({ text: 'Status: ', bold: true });
  if (!status)
    return new Paragraph({ children: [label, new TextRun({ text: 'Not set', italics: true, color: GREY })] });
  return new Paragraph({
    spacing: { before: 120, after: 120 },
    children: [
      label,
      new TextRun({
        text: `${status.symbol} ${status.label}`,
        bold: true,
        color: hex(status.textColour),
        shading: { type: ShadingType.CLEAR, fill: hex(status.colour), color: 'auto' },
      }),
      ...patternSwatch(status),
      ...(status.description ? [new TextRun({ text: ` – ${status.description}`, color: GREY })] : []),
    ],
  });
}

/** An unpublished report's notice before its heading: the mark in bold, then what it means, in a box. */
function standingNotice(view: ReportView): Paragraph[] {
  const standing = view.standing;
  if (!standing?.unpublished) return [];
  const side = { style: BorderStyle.SINGLE, size: 12, color: '0B0C0C', space: 6 };
  return [
    new Paragraph({
      border: { top: side, bottom: side, left: side, right: side },
      spacing: { after: 240 },
      children: [new TextRun({ text: `${standing.mark} `, bold: true, size: 24 }), new TextRun(standing.sentence)],
    }),
  ];
}

/** Said in place of something not recorded, so that no paragraph or table cell is left blank. */
const notRecorded = (value = 'None recorded') => text(value, { italics: true, color: GREY });

/** A heading and its paragraphs, as on the report's page: not a one-row table used for layout. */
function groupsSection(groups: ReportView['groups']): Paragraph[] {
  const lines = [groups.internal, groups.external].filter((g) => g.trim() !== '');
  return [
    heading('Council / Partnership Groups', HeadingLevel.HEADING_2),
    ...(lines.length > 0 ? lines.map((g) => text(g)) : [notRecorded()]),
  ];
}

const ROLES: { role: SignOffView['role']; label: string }[] = [
  { role: 'accountable_officer', label: 'Accountable Officer' },
  { role: 'accountable_director', label: 'Accountable Director' },
];

/**
 * The two sign-offs as a data table with a header row (Word has no row headers, and the paper
 * form's "Date" label in each row made it a layout table): who signs, their name, the date.
 */
function signOffTable(signOffs: SignOffView[]): Table {
  const widths = [2800, CONTENT_WIDTH - 2800 - 2000, 2000];
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: ['Sign-off', 'Name', 'Date'].map((h, i) =>
      cell([text(h, { bold: true })], widths[i]!, { fill: HEADER_FILL }),
    ),
  });
  const rows = ROLES.map(({ role, label }) => {
    const s = signOffs.find((o) => o.role === role);
    const who = s
      ? [
          text(s.name),
          ...(s.comment ? [text(s.comment, { size: 18 })] : []),
          ...(s.historical
            ? [text('Recorded from a paper or e-mail record', { italics: true, color: GREY, size: 16 })]
            : []),
        ]
      : [text('Not yet signed off', { italics: true, color: GREY })];
    return new TableRow({
      cantSplit: true,
      children: [
        cell(
          [text(s ? s.decisionLabel : 'Sign-off', { bold: true }), text(`(${s ? s.roleLabel : label})`)],
          widths[0]!,
        ),
        cell(who, widths[1]!),
        cell([text(s ? s.date : 'Not yet signed')], widths[2]!),
      ],
    });
  });
  return table(widths, [header, ...rows]);
}

/**
 * A joint priority's partners' sign-offs (issue 11): a data table with a header row, one row per
 * partner organisation, headed by its name.
 */
function jointSignOffTable(jointSignOffs: JointSignOffView[]): Table {
  const widths = [2300, 2700, 2200, CONTENT_WIDTH - 2300 - 2700 - 2200];
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: JOINT_SIGN_OFF_HEADINGS.map((h, i) => cell([text(h, { bold: true })], widths[i]!, { fill: HEADER_FILL })),
  });
  const rows = jointSignOffs.map(
    (j) =>
      new TableRow({
        cantSplit: true,
        children: [
          cell([text(j.organisation, { bold: true })], widths[0]!),
          cell(
            [
              text(j.decisionLabel, j.signed ? {} : { italics: true, color: GREY }),
              text(`(${j.roleLabel})`, { size: 18 }),
            ],
            widths[1]!,
          ),
          cell([j.signed ? text(j.name) : text('Not yet signed off', { italics: true, color: GREY })], widths[2]!),
          cell(
            [
              text(j.signed ? `${j.date}${j.time ? ` at ${j.time}` : ''}` : '–'),
              ...(j.comment ? [text(j.comment, { size: 18 })] : []),
            ],
            widths[3]!,
          ),
        ],
      }),
  );
  return table(widths, [header, ...rows]);
}

const ACTION_WIDTHS = [600, 3000, 1900, CONTENT_WIDTH - 600 - 3000 - 1900 - 1400, 1400];
const ACTION_HEADINGS = [
  'No.',
  'Action (Desired Achievements)',
  'Contributory Officer / Partner',
  'Milestone / Actions',
  'Timescale',
];

function actionRows(action: ActionView): TableRow[] {
  const span = Math.max(1, action.milestones.length);
  const bulleted = action.milestones.length > 1;
  // Every row of an action but its last keeps with the next, so Word moves an action to the next
  // page whole rather than leaving its milestones apart from their action.
  const keep = (row: number) => row < span - 1;
  const milestone = (i: number) => {
    const m = action.milestones[i];
    return [
      cell(
        m
          ? [bulleted ? bullet(m.description, keep(i)) : text(m.description, { keepNext: keep(i) })]
          : [notRecorded('No milestones set')],
        ACTION_WIDTHS[3]!,
      ),
      cell(m ? [text(m.timescale, { keepNext: keep(i) })] : [notRecorded('Not set')], ACTION_WIDTHS[4]!),
    ];
  };
  const rows = [
    new TableRow({
      cantSplit: true,
      children: [
        cell([text(`${action.number}.`, { keepNext: keep(0) })], ACTION_WIDTHS[0]!, { rowSpan: span }),
        cell([text(action.description, { keepNext: keep(0) })], ACTION_WIDTHS[1]!, { rowSpan: span }),
        cell(
          action.contributors.length > 0
            ? action.contributors.map((c) => text(c, { keepNext: keep(0) }))
            : [notRecorded()],
          ACTION_WIDTHS[2]!,
          { rowSpan: span },
        ),
        ...milestone(0),
      ],
    }),
  ];
  for (let i = 1; i < span; i++) rows.push(new TableRow({ cantSplit: true, children: milestone(i) }));
  return rows;
}

function actionsTable(actions: ActionView[]): Table {
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: ACTION_HEADINGS.map((h, i) => cell([text(h, { bold: true })], ACTION_WIDTHS[i]!, { fill: HEADER_FILL })),
  });
  return table(ACTION_WIDTHS, [header, ...actions.flatMap(actionRows)]);
}

/**
 * "Progress against the key actions set in the 2009/10 H1 report": each action a Heading 3 (as on
 * the report's page), then each milestone's state in words and symbol.
 */
function lastTime(view: ReportView): Paragraph[] {
  if (!view.lastTime) return [];
  return [
    heading(view.lastTime.heading, HeadingLevel.HEADING_2),
    ...(view.lastTime.actions.length === 0
      ? [text(`No key actions were set in the ${view.lastTime.periodLabel} report.`)]
      : []),
    ...view.lastTime.actions.flatMap((a) => [
      heading(`${a.number}. ${a.description}`, HeadingLevel.HEADING_3),
      ...(a.milestones.length === 0
        ? [text('No milestones were set.')]
        : a.milestones.map((m) =>
            bullet(`${m.progress ? `${m.progress.label}: ` : ''}${m.description} – ${m.progress?.text ?? m.timescale}`),
          )),
    ]),
  ];
}

// ---- graphs ---------------------------------------------------------------------------------------

/** Said under a graph's heading when the chart could not be drawn as an image here. */
export const CHART_ELSEWHERE = 'The chart is in the PDF and web versions of this report.';

/** The image's width on the page in pixels at 96 to the inch (docx's unit): the text width, 17 cm. */
const IMAGE_WIDTH = Math.floor(CONTENT_WIDTH / 15);
const TABLE_SIZE = 19;
const COLUMN_WEIGHTS: Record<ChartTable['columns'][number]['key'], number> = {
  period: 1.25,
  actual: 1,
  target: 1,
  status: 1.3,
};

function graphLabel(graph: GraphView): string {
  return [graph.code.trim(), graph.title.trim()].filter((s) => s !== '').join(' ');
}

function viewBoxSize(svg: string): { width: number; height: number } {
  const box = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"/.exec(svg);
  const width = Number(box?.[1]);
  const height = Number(box?.[2]);
  return width > 0 && height > 0 ? { width, height } : { width: 640, height: 400 };
}

/**
 * The chart's SVG with its viewBox size as width and height: the page's copy has none (so it
 * scales to its container), but a picture in a document is better given its own size.
 */
function svgForWord(svg: string): Buffer {
  const { width, height } = viewBoxSize(svg);
  const sized = /^<svg\b[^>]*\swidth=/.test(svg)
    ? svg
    : svg.replace(/^<svg\b/, `<svg width="${width}" height="${height}"`);
  return Buffer.from(sized, 'utf8');
}

function chartImage(graph: GraphView, png: Buffer | undefined): Paragraph {
  if (!png) return text(CHART_ELSEWHERE, { italics: true, color: GREY, keepNext: true });
  const label = graphLabel(graph);
  const size = viewBoxSize(graph.svg);
  return new Paragraph({
    keepNext: true,
    children: [
      new ImageRun({
        type: 'svg',
        data: svgForWord(graph.svg),
        fallback: { type: 'png', data: png },
        transformation: { width: IMAGE_WIDTH, height: Math.round((IMAGE_WIDTH * size.height) / size.width) },
        altText: { name: `Chart: ${label}`, title: label, description: graph.description },
      }),
    ],
  });
}

/** A table's caption, in Word's Caption style (bold, kept with its table): a caption, not a heading. */
export function caption(value: string): Paragraph {
  return new Paragraph({ style: CAPTION, text: value, keepNext: true });
}

function tableCellText(value: string, options: { bold?: boolean; right?: boolean; keepNext?: boolean }): Paragraph {
  return new Paragraph({
    children: [new TextRun({ text: value, bold: options.bold ?? false, size: TABLE_SIZE })],
    spacing: { after: 0 },
    ...(options.right ? { alignment: AlignmentType.RIGHT } : {}),
    ...(options.keepNext ? { keepNext: true } : {}),
  });
}

/** The chart's data as a Word table: header row repeated on every page, numbers right-aligned. */
function graphTable(data: ChartTable): Table {
  const weights = data.columns.map((c) => COLUMN_WEIGHTS[c.key] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor((CONTENT_WIDTH * w) / total));
  widths[widths.length - 1]! += CONTENT_WIDTH - widths.reduce((a, b) => a + b, 0);
  // A table that fits on a page is kept whole (and on the page of its caption); a longer one
  // breaks between rows under its repeated header.
  const keepWhole = data.rows.length <= 20;
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: data.columns.map((c, i) =>
      cell([tableCellText(c.header, { bold: true, right: c.numeric, keepNext: true })], widths[i]!, {
        fill: HEADER_FILL,
      }),
    ),
  });
  const rows = data.rows.map((row, r) => {
    const keepNext = keepWhole ? r < data.rows.length - 1 : r === 0;
    return new TableRow({
      cantSplit: true,
      children: data.columns.map((c, i) =>
        cell([tableCellText(row.cells[i] ?? '', { bold: c.key === 'period', right: c.numeric, keepNext })], widths[i]!),
      ),
    });
  });
  return table(widths, [header, ...rows]);
}

function graphSection(graph: GraphView, png: Buffer | undefined): (Paragraph | Table)[] {
  return [
    heading(graphLabel(graph), HeadingLevel.HEADING_3),
    chartImage(graph, png),
    text(graph.description, { size: 18, color: GREY, keepNext: true }),
    caption(graph.table.caption),
    graphTable(graph.table),
  ];
}

/** Where a report's heading is in a larger document (the board pack): a bookmark to link to, a new page. */
export interface ReportBodyOptions {
  bookmark?: string;
  pageBreakBefore?: boolean;
}

function reportHeading(view: ReportView, options: ReportBodyOptions): Paragraph {
  if (!options.bookmark && !options.pageBreakBefore) return heading(view.heading, HeadingLevel.HEADING_1);
  const run = new TextRun(view.heading);
  return new Paragraph({
    heading: HeadingLevel.HEADING_1,
    ...(options.pageBreakBefore ? { pageBreakBefore: true } : {}),
    children: options.bookmark ? [new Bookmark({ id: options.bookmark, children: [run] })] : [run],
  });
}

/** One report's body: its headings, sections and tables, in the order of the council's report. */
export function reportBody(
  view: ReportView,
  pngs: (Buffer | undefined)[],
  options: ReportBodyOptions = {},
): (Paragraph | Table)[] {
  return [
    ...standingNotice(view),
    reportHeading(view, options),
    new Paragraph({
      children: [
        new TextRun({ text: 'Accountable Officer – ', bold: true }),
        new TextRun(view.accountableOfficer?.name ?? 'Not assigned'),
      ],
    }),

    heading('Why is this a priority', HeadingLevel.HEADING_2),
    ...view.priority.rationale.map((p) => text(p)),

    heading('Graphs', HeadingLevel.HEADING_2),
    ...(view.graphs.length === 0 ? [text(view.noGraphsText)] : view.graphs.flatMap((g, i) => graphSection(g, pngs[i]))),

    heading(view.progressHeading, HeadingLevel.HEADING_2),
    heading('Overall Summary', HeadingLevel.HEADING_3),
    ...view.summary.map((p) => text(p)),
    statusParagraph(view.status),
    ...view.statusReason.map((p) => text(p)),

    heading('Achievements since the last report', HeadingLevel.HEADING_2),
    ...view.achievements.map((a) => bullet(a)),

    heading('Challenges/Risks', HeadingLevel.HEADING_2),
    ...view.challenges.map((c) => bullet(c)),
    ...(view.citedRisks ?? []).map((r) => bullet(citedRiskText(r))),

    ...lastTime(view),

    ...groupsSection(view.groups),

    heading('Sign-off', HeadingLevel.HEADING_2),
    signOffTable(view.signOffs),
    ...(view.jointSignOffs?.length
      ? [
          heading('Partnership sign-off', HeadingLevel.HEADING_3),
          caption(JOINT_SIGN_OFFS_CAPTION),
          jointSignOffTable(view.jointSignOffs),
        ]
      : []),

    heading(view.actionsHeading, HeadingLevel.HEADING_2),
    ...(view.actions.length > 0
      ? [actionsTable(view.actions)]
      : [text('No key actions have been recorded for the next period.', { italics: true, color: GREY })]),
  ];
}

/** The PNG fallbacks of a report's charts, in the order of its graphs, drawn in turn (see png.ts). */
export function chartPngs(view: ReportView): Promise<(Buffer | undefined)[]> {
  return chartPngsInTurn(view.graphs.map((g) => g.svg));
}

/** Word's built-in style ids: Word and screen readers know them as a caption and a subtitle. */
export const CAPTION = 'Caption';
export const SUBTITLE = 'Subtitle';

export const DOCX_STYLES = {
  default: {
    document: {
      run: { font: FONT, size: 21, color: INK, language: { value: 'en-GB' } },
      paragraph: { spacing: { after: 100 } },
    },
    heading1: {
      run: { font: FONT, size: 32, bold: true, color: INK },
      paragraph: { spacing: { after: 120 }, keepNext: true },
    },
    heading2: {
      run: { font: FONT, size: 25, bold: true, color: INK },
      paragraph: { spacing: { before: 240, after: 80 }, keepNext: true },
    },
    heading3: {
      run: { font: FONT, size: 22, bold: true, color: INK },
      paragraph: { spacing: { before: 120, after: 60 }, keepNext: true },
    },
    caption: {
      run: { font: FONT, size: TABLE_SIZE, bold: true, italics: false, color: INK },
      paragraph: { spacing: { before: 160, after: 60 }, keepNext: true },
    },
  },
  paragraphStyles: [
    {
      id: SUBTITLE,
      name: 'Subtitle',
      basedOn: 'Normal',
      next: 'Normal',
      quickFormat: true,
      run: { font: FONT, size: 24, color: GREY },
      paragraph: { spacing: { after: 160 } },
    },
  ],
};

export const DOCX_NUMBERING = {
  config: [
    {
      reference: BULLETS,
      levels: [
        {
          level: 0,
          format: LevelFormat.BULLET,
          text: '•',
          alignment: AlignmentType.LEFT,
          style: { paragraph: { indent: { left: 360, hanging: 260 } } },
        },
      ],
    },
  ],
};

/**
 * A4 page, its margins, and the running header (code, title – `right`) and footer (organisation –
 * page N of M). Each is one line of text joined by a dash, not parts pushed apart with a tab.
 */
export function pageSection(
  header: { code: string; title: string; right: string },
  organisationName: string,
  children: (Paragraph | Table)[],
): ISectionOptions {
  const small = { size: 17, color: GREY };
  return {
    properties: {
      page: {
        size: { width: PAGE_WIDTH, height: PAGE_HEIGHT },
        margin: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN, header: 567, footer: 567 },
      },
    },
    headers: {
      default: new Header({
        children: [
          new Paragraph({
            border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6', space: 4 } },
            children: [
              ...(header.code ? [new TextRun({ text: `${header.code} `, bold: true, ...small })] : []),
              new TextRun({ text: `${header.title} – ${header.right}`, ...small }),
            ],
          }),
        ],
      }),
    },
    footers: {
      default: new Footer({
        children: [
          new Paragraph({
            border: { top: { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6', space: 4 } },
            children: [
              new TextRun({ text: `${organisationName} – `, ...small }),
              new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], ...small }),
            ],
          }),
        ],
      }),
    },
    children,
  };
}

export async function renderReportDocx(view: ReportView): Promise<Buffer> {
  const pngs = await chartPngs(view);
  const doc = new Document({
    title: `${view.priority.code} ${view.priority.title} – progress report ${view.period.label}`,
    subject: view.progressHeading,
    creator: view.organisationName,
    lastModifiedBy: view.organisationName,
    keywords: `${view.priority.code}, ${view.period.key}, progress report`,
    description: view.heading,
    styles: DOCX_STYLES,
    numbering: DOCX_NUMBERING,
    sections: [pageSection(reportPageHeader(view), reportPageFooter(view), reportBody(view, pngs))],
  });
  return Packer.toBuffer(doc);
}
