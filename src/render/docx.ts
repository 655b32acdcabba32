// The progress report as an editable Word document, in the order and with the headings of the
// council's own report (shared/seed/vfm-4d-progress-report-2009-h1.txt). Officers edit these
// files, so structure is real Word structure: Heading styles, list numbering for bullets,
// tables with a repeating header row, and page numbers as fields in the footer.
//
// In the key actions table each milestone is a row of its own, with the number, action and
// contributors merged down beside them: that keeps every milestone level with its timescale
// however the text wraps, and lets Word break pages between milestones.

import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  HeadingLevel,
  LevelFormat,
  Packer,
  PageNumber,
  Paragraph,
  ShadingType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  WidthType,
} from 'docx';
import type { ActionView, ReportView, SignOffView, StatusView } from './report-view.ts';

// A4 in twentieths of a point, with 2 cm margins.
const PAGE_WIDTH = 11906;
const PAGE_HEIGHT = 16838;
const MARGIN = 1134;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

const FONT = 'Arial';
const INK = '0B0C0C';
const GREY = '505A5F';
const HEADER_FILL = 'F3F2F1';
const BULLETS = 'amber-bullets';

const hex = (colour: string) => colour.replace(/^#/, '').toUpperCase();

interface TextOptions {
  bold?: boolean;
  italics?: boolean;
  color?: string;
  size?: number;
  /** Keep on the same page as the next paragraph (in a table: keeps rows together). */
  keepNext?: boolean;
}

function text(value: string, { keepNext, ...run }: TextOptions = {}): Paragraph {
  return new Paragraph({ children: [new TextRun({ text: value, ...run })], ...(keepNext ? { keepNext } : {}) });
}

function bullet(value: string, keepNext = false): Paragraph {
  return new Paragraph({
    children: [new TextRun(value)],
    numbering: { reference: BULLETS, level: 0 },
    ...(keepNext ? { keepNext } : {}),
  });
}

function heading(value: string, level: (typeof HeadingLevel)[keyof typeof HeadingLevel]): Paragraph {
  return new Paragraph({ text: value, heading: level });
}

function cell(children: Paragraph[], width: number, options: { fill?: string; rowSpan?: number } = {}): TableCell {
  return new TableCell({
    children: children.length > 0 ? children : [new Paragraph('')],
    width: { size: width, type: WidthType.DXA },
    ...(options.rowSpan && options.rowSpan > 1 ? { rowSpan: options.rowSpan } : {}),
    ...(options.fill ? { shading: { type: ShadingType.CLEAR, fill: options.fill, color: 'auto' } } : {}),
  });
}

function table(widths: number[], rows: TableRow[]): Table {
  return new Table({
    rows,
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { top: 60, bottom: 60, left: 100, right: 100 },
  });
}

/** "Status:" then the shape and label on the status colour, then the description: never colour alone. */
function statusParagraph(status: StatusView | null): Paragraph {
  const label = new TextRun({ text: 'Status: ', bold: true });
  if (!status) return new Paragraph({ children: [label, new TextRun({ text: 'Not set', italics: true, color: GREY })] });
  return new Paragraph({
    spacing: { before: 120, after: 120 },
    children: [
      label,
      new TextRun({
        text: ` ${status.symbol} ${status.label} `,
        bold: true,
        color: hex(status.textColour),
        shading: { type: ShadingType.CLEAR, fill: hex(status.colour), color: 'auto' },
      }),
      ...(status.description ? [new TextRun({ text: `  ${status.description}`, color: GREY })] : []),
    ],
  });
}

function groupsTable(groups: ReportView['groups']): Table {
  const widths = [2600, CONTENT_WIDTH - 2600];
  return table(widths, [
    new TableRow({
      cantSplit: true,
      children: [
        cell([text('Council / Partnership Groups', { bold: true })], widths[0]!),
        cell([text(groups.internal), text(groups.external)], widths[1]!),
      ],
    }),
  ]);
}

const ROLES: { role: SignOffView['role']; label: string }[] = [
  { role: 'accountable_officer', label: 'Accountable Officer' },
  { role: 'accountable_director', label: 'Accountable Director' },
];

function signOffTable(signOffs: SignOffView[]): Table {
  const widths = [2600, 3400, 900, CONTENT_WIDTH - 6900];
  const rows = ROLES.map(({ role, label }) => {
    const s = signOffs.find((o) => o.role === role);
    const who = s
      ? [
          text(s.name),
          ...(s.comment ? [text(s.comment, { size: 18 })] : []),
          ...(s.historical ? [text('Recorded from a paper or e-mail record', { italics: true, color: GREY, size: 16 })] : []),
        ]
      : [text('Not yet signed off', { italics: true, color: GREY })];
    return new TableRow({
      cantSplit: true,
      children: [
        cell([text(s ? s.decisionLabel : 'Sign-off', { bold: true }), text(`(${s ? s.roleLabel : label})`)], widths[0]!),
        cell(who, widths[1]!),
        cell([text('Date', { bold: true })], widths[2]!),
        cell([text(s ? s.date : '–')], widths[3]!),
      ],
    });
  });
  return table(widths, rows);
}

const ACTION_WIDTHS = [600, 3000, 1900, CONTENT_WIDTH - 600 - 3000 - 1900 - 1400, 1400];
const ACTION_HEADINGS = ['No.', 'Action (Desired Achievements)', 'Contributory Officer / Partner', 'Milestone / Actions', 'Timescale'];

function actionRows(action: ActionView): TableRow[] {
  const span = Math.max(1, action.milestones.length);
  const bulleted = action.milestones.length > 1;
  // Every row of an action but its last keeps with the next, so Word moves an action to the next
  // page whole rather than leaving its milestones apart from their action.
  const keep = (row: number) => row < span - 1;
  const milestone = (i: number) => {
    const m = action.milestones[i];
    return [
      cell(m ? [bulleted ? bullet(m.description, keep(i)) : text(m.description, { keepNext: keep(i) })] : [], ACTION_WIDTHS[3]!),
      cell(m ? [text(m.timescale, { keepNext: keep(i) })] : [], ACTION_WIDTHS[4]!),
    ];
  };
  const rows = [
    new TableRow({
      cantSplit: true,
      children: [
        cell([text(`${action.number}.`, { keepNext: keep(0) })], ACTION_WIDTHS[0]!, { rowSpan: span }),
        cell([text(action.description, { keepNext: keep(0) })], ACTION_WIDTHS[1]!, { rowSpan: span }),
        cell(action.contributors.map((c) => text(c, { keepNext: keep(0) })), ACTION_WIDTHS[2]!, { rowSpan: span }),
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

/** "Progress against the key actions set in the 2009/10 H1 report": each milestone's state in words and symbol. */
function lastTime(view: ReportView): Paragraph[] {
  if (!view.lastTime) return [];
  return [
    heading(view.lastTime.heading, HeadingLevel.HEADING_2),
    ...view.lastTime.actions.flatMap((a) => [
      text(`${a.number}. ${a.description}`, { bold: true, keepNext: true }),
      ...(a.milestones.length === 0 ? [text('No milestones were set.')] : a.milestones.map((m) => bullet(
        `${m.progress ? `${m.progress.label}: ` : ''}${m.description} – ${m.progress?.text ?? m.timescale}`,
      ))),
    ]),
  ];
}

function body(view: ReportView): (Paragraph | Table)[] {
  const spacer = () => new Paragraph({ text: '', spacing: { after: 0 } });
  return [
    heading(view.heading, HeadingLevel.HEADING_1),
    text(`Accountable Officer – ${view.accountableOfficer?.name ?? 'Not assigned'}`, { bold: true }),

    heading('Why is this a priority', HeadingLevel.HEADING_2),
    ...view.priority.rationale.map((p) => text(p)),

    heading('Graphs', HeadingLevel.HEADING_2),
    ...(view.graphs.length === 0 ? [text(view.noGraphsText)] : view.graphs.map((g) => bullet(g.title))),

    heading(view.progressHeading, HeadingLevel.HEADING_2),
    heading('Overall Summary', HeadingLevel.HEADING_3),
    ...view.summary.map((p) => text(p)),
    statusParagraph(view.status),
    ...view.statusReason.map((p) => text(p)),

    heading('Achievements since the last report', HeadingLevel.HEADING_2),
    ...view.achievements.map((a) => bullet(a)),

    heading('Challenges/Risks', HeadingLevel.HEADING_2),
    ...view.challenges.map((c) => bullet(c)),

    ...lastTime(view),

    spacer(),
    groupsTable(view.groups),
    spacer(),
    signOffTable(view.signOffs),

    heading(view.actionsHeading, HeadingLevel.HEADING_2),
    ...(view.actions.length > 0
      ? [actionsTable(view.actions)]
      : [text('No key actions have been recorded for the next period.', { italics: true, color: GREY })]),
  ];
}

export async function renderReportDocx(view: ReportView): Promise<Buffer> {
  const rightTab = [{ type: TabStopType.RIGHT, position: CONTENT_WIDTH }];
  const small = { size: 17, color: GREY };
  const doc = new Document({
    title: `${view.priority.code} ${view.priority.title} – progress report ${view.period.label}`,
    subject: view.progressHeading,
    creator: view.organisationName,
    lastModifiedBy: view.organisationName,
    keywords: `${view.priority.code}, ${view.period.key}, progress report`,
    description: view.heading,
    styles: {
      default: {
        document: { run: { font: FONT, size: 21, color: INK, language: { value: 'en-GB' } }, paragraph: { spacing: { after: 100 } } },
        heading1: { run: { font: FONT, size: 32, bold: true, color: INK }, paragraph: { spacing: { after: 120 }, keepNext: true } },
        heading2: { run: { font: FONT, size: 25, bold: true, color: INK }, paragraph: { spacing: { before: 240, after: 80 }, keepNext: true } },
        heading3: { run: { font: FONT, size: 22, bold: true, color: INK }, paragraph: { spacing: { before: 120, after: 60 }, keepNext: true } },
      },
    },
    numbering: {
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
    },
    sections: [
      {
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
                tabStops: rightTab,
                border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6', space: 4 } },
                children: [
                  new TextRun({ text: `${view.priority.code} `, bold: true, ...small }),
                  new TextRun({ text: view.priority.title, ...small }),
                  new TextRun({ text: `\tProgress report ${view.period.label}`, ...small }),
                ],
              }),
            ],
          }),
        },
        footers: {
          default: new Footer({
            children: [
              new Paragraph({
                tabStops: rightTab,
                border: { top: { style: BorderStyle.SINGLE, size: 4, color: 'B1B4B6', space: 4 } },
                children: [
                  new TextRun({ text: view.organisationName, ...small }),
                  new TextRun({ children: ['\tPage ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES], ...small }),
                ],
              }),
            ],
          }),
        },
        children: body(view),
      },
    ],
  });
  return Packer.toBuffer(doc);
}
