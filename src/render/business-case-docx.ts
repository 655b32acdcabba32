// The outline business case as an editable Word document: Heading styles for the five cases and
// each option, real Word tables (header row repeated across pages) for the cash flows, the
// appraisal and the sensitivities, and each option's chart as an image (the SVG, with a PNG that
// resvg draws in the embedded Noto Sans for older Word: png.ts) with its description as
// alternative text, followed by the chart's data table. Without resvg the document says where
// the chart is. Captions are in Word's Caption style and the exercise's name in its Subtitle
// style, so that no bold paragraph stands in for a heading; tables are spaced by their captions,
// not by empty paragraphs (docx-accessibility.test.ts).

import { AlignmentType, Document, HeadingLevel, ImageRun, Packer, Paragraph, TableRow, TextRun } from 'docx';
import {
  CONTENT_WIDTH,
  DOCX_NUMBERING,
  DOCX_STYLES,
  GREY,
  HEADER_FILL,
  SUBTITLE,
  caption,
  cell,
  heading,
  pageSection,
  table,
  text,
} from './docx.ts';
import type { BusinessCaseView, TextTable } from './business-case-view.ts';
import { chartPng } from './png.ts';

function size(svg: string): { width: number; height: number } {
  const box = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  return { width: Number(box?.[1] ?? 640), height: Number(box?.[2] ?? 320) };
}

function cellText(value: string, bold: boolean, right: boolean): Paragraph {
  return new Paragraph({
    children: [new TextRun({ text: value, bold, size: 17 })],
    spacing: { after: 0 },
    ...(right ? { alignment: AlignmentType.RIGHT } : {}),
  });
}

export function docxTable(t: TextTable): (Paragraph | ReturnType<typeof table>)[] {
  const count = t.headings.length;
  const first = Math.min(2600, Math.max(1500, Math.floor((CONTENT_WIDTH / (count + 1)) * 2)));
  const rest = Math.floor((CONTENT_WIDTH - first) / Math.max(1, count - 1));
  const widths = t.headings.map((_, i) => (i === 0 ? first : rest));
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: t.headings.map((h, i) =>
      cell([cellText(h, true, t.numeric && i > 0)], widths[i]!, { fill: HEADER_FILL }),
    ),
  });
  const rows = t.rows.map(
    (r) =>
      new TableRow({
        cantSplit: true,
        children: [r.header, ...r.cells].map((c, i) =>
          cell([cellText(c, Boolean(r.strong) || i === 0, t.numeric && i > 0)], widths[i]!),
        ),
      }),
  );
  return [caption(t.caption), table(widths, [header, ...rows])];
}

export async function renderBusinessCaseDocx(view: BusinessCaseView): Promise<Buffer> {
  const children: (Paragraph | ReturnType<typeof table>)[] = [
    heading(view.title, HeadingLevel.HEADING_1),
    new Paragraph({ style: SUBTITLE, text: `Outline business case – ${view.exerciseName}` }),
    text(`Status: ${view.status}`),
    ...(view.opportunity ? [text(`Opportunity: ${view.opportunity}`)] : []),
    text(view.basis, { italics: true, color: GREY }),
    ...(view.discountSchedule ? [text(`Discount rate: ${view.discountSchedule}`, { italics: true, color: GREY })] : []),
  ];
  for (const s of view.sections) {
    children.push(heading(s.heading, HeadingLevel.HEADING_2));
    if (s.paragraphs.length === 0) children.push(text('Not written yet.', { italics: true, color: GREY }));
    for (const p of s.paragraphs) children.push(text(p));
  }
  children.push(heading('Options appraised', HeadingLevel.HEADING_2));
  for (const o of view.options) {
    children.push(heading(`${o.name}${o.tags.length ? ` (${o.tags.join(', ')})` : ''}`, HeadingLevel.HEADING_3));
    for (const p of o.description) children.push(text(p));
    children.push(text(o.summary));
    children.push(
      ...docxTable(o.cashFlows),
      ...(o.optimismBias && o.optimismBias.rows.length ? docxTable(o.optimismBias) : []),
      ...docxTable(o.discounting),
      ...docxTable(o.appraisal),
      ...docxTable(o.sensitivities),
    );
    const png = await chartPng(o.chart.svg);
    if (png) {
      const { width, height } = size(o.chart.svg);
      const w = Math.floor(CONTENT_WIDTH / 15);
      children.push(
        new Paragraph({
          keepNext: true,
          spacing: { before: 160 },
          children: [
            new ImageRun({
              type: 'svg',
              data: Buffer.from(o.chart.svg.replace(/^<svg\b/, `<svg width="${width}" height="${height}"`), 'utf8'),
              fallback: { type: 'png', data: png },
              transformation: { width: w, height: Math.round((w * height) / width) },
              altText: { name: `Chart: ${o.name}`, title: `Cash flows of ${o.name}`, description: o.chart.description },
            }),
          ],
        }),
      );
    } else {
      children.push(
        text('The chart is in the PDF and web versions of this business case.', { italics: true, color: GREY }),
      );
    }
    children.push(text(o.chart.description, { italics: true, color: GREY }));
    children.push(...docxTable(o.chart.table));
  }
  const doc = new Document({
    title: `${view.title} – outline business case`,
    subject: `Outline business case: ${view.exerciseName}`,
    creator: view.organisationName,
    lastModifiedBy: view.organisationName,
    keywords: 'business case, Green Book, efficiency',
    styles: DOCX_STYLES,
    numbering: DOCX_NUMBERING,
    sections: [
      pageSection({ code: '', title: view.title, right: 'Outline business case' }, view.organisationName, children),
    ],
  });
  return Packer.toBuffer(doc);
}
