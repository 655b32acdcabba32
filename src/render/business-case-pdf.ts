// The outline business case as an A4 PDF: title and status, the five cases, then each option
// with its cash-flow table (years down, categories across), its appraisal and sensitivities, and
// its chart drawn as vectors by svg-to-pdfkit with the chart's data table after it. Reuses the
// report's page machinery (embedded Noto Sans, running header and "Page N of M" footer, table rows
// that repeat their header row on every page they continue on).

import {
  type Column,
  type Layout,
  type PdfOptions,
  type PlacedLine,
  type Row,
  type TextStyle,
  BODY,
  CELL_PAD_BOTTOM,
  CELL_PAD_TOP,
  CELL_PAD_X,
  CONTENT_WIDTH,
  HEADER_FILL,
  SMALL,
  createPdf,
  drawPageFrame,
  drawSvgFigure,
  lineHeight,
} from './pdf.ts';
import type { BusinessCaseView, TextTable } from './business-case-view.ts';

function columnsFor(table: TextTable): Column[] {
  const count = table.headings.length;
  const first = Math.min(150, Math.max(80, (CONTENT_WIDTH / (count + 1)) * 2));
  const rest = (CONTENT_WIDTH - first) / Math.max(1, count - 1);
  return table.headings.map((_, i) => ({ width: i === 0 ? first : rest }));
}

function tableRow(
  layout: Layout,
  columns: Column[],
  cells: string[],
  style: TextStyle,
  numeric: boolean,
  fill?: string,
): Row {
  // The first cell heads its row (a year, a measure); the header row's cells head their columns.
  const lines: PlacedLine[] = [];
  let height = 0;
  cells.forEach((c, i) => {
    height = Math.max(
      height,
      layout.place(lines, columns, i, CELL_PAD_TOP, c, style, false, { align: numeric && i > 0 ? 'right' : 'left' }),
    );
  });
  return {
    lines,
    height: height + CELL_PAD_TOP + CELL_PAD_BOTTOM,
    ...(fill ? { fill, header: true } : { headerColumns: [0] }),
  };
}

/**
 * The type size and column widths of a table: the usual size for its number of columns, and the
 * usual widths (a wider first column), then as little change as makes every word of every heading
 * and cell fit its column, so that no word is broken inside itself ("Program|me"): a column too
 * narrow for its longest word takes the room from columns that have some to spare, and only when
 * there is not enough room is the type made smaller (to 6 pt at least).
 */
function tableLayout(layout: Layout, table: TextTable): { size: number; columns: Column[] } {
  const usual = table.headings.length > 7 ? 7 : table.headings.length > 5 ? 8 : 9;
  const rows = [
    { cells: table.headings, bold: true },
    ...table.rows.map((r) => ({ cells: [r.header, ...r.cells], bold: r.strong === true })),
  ];
  const widths = columnsFor(table).map((c) => c.width);
  for (let size = usual; size >= 6; size -= 0.5) {
    // The room each column needs for its longest word.
    const needs = widths.map(
      (_, i) =>
        Math.max(
          ...rows.map(({ cells, bold }) =>
            Math.max(
              0,
              ...(cells[i] ?? '')
                .split(/\s+/)
                .map((word) => layout.width(word, { font: bold ? 'bold' : 'regular', size })),
            ),
          ),
        ) +
        2 * CELL_PAD_X +
        1,
    );
    if (needs.reduce((a, b) => a + b, 0) > CONTENT_WIDTH) continue;
    const short = widths.reduce((sum, w, i) => sum + Math.max(0, needs[i]! - w), 0);
    const spare = widths.reduce((sum, w, i) => sum + Math.max(0, w - needs[i]!), 0);
    // Columns with room to spare give up a share of it, in proportion, to those short of room.
    const columns = widths.map((w, i) =>
      w < needs[i]! ? needs[i]! : w - (spare > 0 ? ((w - needs[i]!) * short) / spare : 0),
    );
    return { size, columns: columns.map((width) => ({ width })) };
  }
  return { size: 6, columns: widths.map((width) => ({ width })) };
}

export function drawTextTable(layout: Layout, table: TextTable): void {
  const { size, columns } = tableLayout(layout, table);
  const regular: TextStyle = { font: 'regular', size };
  const bold: TextStyle = { font: 'bold', size };
  const header = tableRow(layout, columns, table.headings, bold, table.numeric, HEADER_FILL);
  layout.tag('Table', () => {
    layout.tag('Caption', () => layout.paragraph(table.caption, { font: 'bold', size: BODY }, 0, 3));
    layout.ensure(header.height + lineHeight(size) * 2 + 10);
    layout.row(columns, header);
    layout.withContinuation(
      () => layout.row(columns, header),
      header.height,
      () => {
        for (const r of table.rows)
          layout.row(
            columns,
            tableRow(layout, columns, [r.header, ...r.cells], r.strong ? bold : regular, table.numeric),
          );
      },
    );
  });
  layout.space(10);
}

function drawSvg(layout: Layout, svg: string, alt: string): void {
  const box = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  const w = Number(box?.[1] ?? 640);
  const h = Number(box?.[2] ?? 320);
  const height = (CONTENT_WIDTH * h) / w;
  layout.ensure(height + 8);
  drawSvgFigure(layout, svg, alt, { width: CONTENT_WIDTH, height });
  layout.y += 6;
}

export async function renderBusinessCasePdf(view: BusinessCaseView, options: PdfOptions = {}): Promise<Buffer> {
  const { doc, layout, done } = createPdf(
    {
      Title: `${view.title} – outline business case`,
      Author: view.organisationName,
      Subject: `Outline business case: ${view.exerciseName}`,
      Keywords: 'business case, Green Book, efficiency',
      Creator: 'Amber',
    },
    options,
  );
  layout.tag('Document', () => businessCaseBody(layout, view));
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    drawPageFrame(
      layout,
      { code: '', title: view.title, right: 'Outline business case' },
      { left: view.organisationName, page: `Page ${i - range.start + 1} of ${range.count}` },
    );
  }
  doc.end();
  return done;
}

/** The title, the five cases, then each option with its tables, chart (a Figure) and the chart's data. */
function businessCaseBody(layout: Layout, view: BusinessCaseView): void {
  const body: TextStyle = { font: 'regular', size: BODY };
  layout.heading(view.title, 16, lineHeight(11), 0);
  layout.paragraph(`Outline business case – ${view.exerciseName}`, { font: 'bold', size: 11 }, 0, 4);
  layout.paragraph(`Status: ${view.status}`, body);
  if (view.opportunity) layout.paragraph(`Opportunity: ${view.opportunity}`, body);
  layout.paragraph(view.basis, { font: 'italic', size: SMALL + 0.5 });
  if (view.discountSchedule)
    layout.paragraph(`Discount rate: ${view.discountSchedule}`, { font: 'italic', size: SMALL + 0.5 });
  for (const s of view.sections) {
    layout.heading(s.heading, 13);
    if (s.paragraphs.length === 0) layout.paragraph('Not written yet.', { font: 'italic', size: BODY });
    for (const p of s.paragraphs) layout.paragraph(p, body);
  }
  layout.heading('Options appraised', 13);
  for (const o of view.options) {
    layout.heading(`${o.name}${o.tags.length ? ` (${o.tags.join(', ')})` : ''}`, 12);
    for (const p of o.description) layout.paragraph(p, body);
    layout.paragraph(o.summary, body);
    drawTextTable(layout, o.cashFlows);
    if (o.optimismBias && o.optimismBias.rows.length) drawTextTable(layout, o.optimismBias);
    drawTextTable(layout, o.discounting);
    drawTextTable(layout, o.appraisal);
    drawTextTable(layout, o.sensitivities);
    drawSvg(layout, o.chart.svg, o.chart.description);
    layout.paragraph(o.chart.description, { font: 'italic', size: SMALL + 0.5 });
    drawTextTable(layout, o.chart.table);
  }
}
