// The progress report as an A4 PDF, in the order and with the headings of the council's own
// report (shared/seed/vfm-4d-progress-report-2009-h1.txt). Owns page layout: running header,
// "Page N of M" footer, text that flows across pages and the key actions table, whose header
// row repeats on every page it spans and whose rows only break between lines of text.
//
// Text is laid out here line by line (not by pdfkit's own flow) so that every page break is a
// decision this file makes: headings stay with what follows, table rows move whole to the next
// page when they fit on one, and milestones stay level with their timescales.
// Each graph is the chart's SVG drawn as vectors by svg-to-pdfkit, its text in the same embedded
// fonts, then the chart's data table drawn with the same row machinery as the key actions.
// Fonts are Noto Sans from an npm package, embedded and subset, so £ – ŵ ŷ and curly quotes
// print and copy out on any machine. They are read and parsed once per process: pdfkit accepts a
// parsed fontkit font, and parsing (mostly the OpenType layout tables) was ~90% of render time.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create as createFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import type { ChartTable } from './charts/chart-view.ts';
import { useObjectStreams } from './pdf-object-streams.ts';
import type { ActionView, GraphView, JointSignOffView, ReportView, SignOffView, StatusView } from './report-view.ts';
import {
  citedRiskText,
  JOINT_SIGN_OFF_HEADINGS,
  JOINT_SIGN_OFFS_CAPTION,
  reportPageFooter,
  reportPageHeader,
} from './report-view.ts';
import { textColourOn } from '../domain/status-scale.ts';

export type FontKey = 'regular' | 'bold' | 'italic';

const FONT_FILES: Record<FontKey, string> = {
  regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  italic: '@expo-google-fonts/noto-sans/400Regular_Italic/NotoSans_400Regular_Italic.ttf',
};

let fontBytes: Record<FontKey, Buffer> | undefined;
let parsedFonts: Record<FontKey, Font> | undefined;

function parseFont(key: FontKey, bytes: Buffer): Font {
  const font = createFont(bytes);
  if ('fonts' in font) throw new Error(`${FONT_FILES[key]} is a font collection, not a font`);
  return font;
}

function readFonts(): Record<FontKey, Buffer> {
  if (!fontBytes) {
    const require = createRequire(import.meta.url);
    const read = (key: FontKey) => readFileSync(require.resolve(FONT_FILES[key]));
    fontBytes = { regular: read('regular'), bold: read('bold'), italic: read('italic') };
  }
  return fontBytes;
}

/** The fonts for measuring text (advance widths only): parsed once per process. */
function loadFonts(): Record<FontKey, Font> {
  const bytes = readFonts();
  return (parsedFonts ??= {
    regular: parseFont('regular', bytes.regular),
    bold: parseFont('bold', bytes.bold),
    italic: parseFont('italic', bytes.italic),
  });
}

/**
 * The fonts a document embeds: font objects of its own, over tables decoded once per process.
 * fontkit keeps each glyph it has made, with the characters it was first made for; a glyph first
 * made as a part of an accented letter (the W inside Welsh Ŵ) has none, so a font shared between
 * documents gave every later document a W with no character behind it — drawn, but lost to screen
 * readers, search and copy. The glyphs are the font object's, so each document makes its own; the
 * decoded tables hold no glyphs and are shared, as fontkit shares them between the variations of a
 * font (`getVariation`). Decoding them afresh for each document (the OpenType layout tables above
 * all) was ~150–250 ms of CPU a document against ~10 ms for the rest of its fonts' work.
 */
function documentFonts(): Record<FontKey, Font> {
  const bytes = readFonts();
  const decoded = loadFonts();
  const own = (key: FontKey) => withTablesOf(parseFont(key, bytes[key]), decoded[key]);
  return { regular: own('regular'), bold: own('bold'), italic: own('italic') };
}

/** `font` reading the tables `decoded` has decoded (fontkit decodes a table on first use into `_tables`). */
function withTablesOf(font: Font, decoded: Font): Font {
  (font as unknown as { _tables: object })._tables = (decoded as unknown as { _tables: object })._tables;
  return font;
}

// Advance widths of space-separated chunks ("word " as pdfkit lays them out) at 1pt, kept across
// renders so that wrapping measures each word once per process rather than once per document.
const chunkWidths: Record<FontKey, Map<string, number>> = { regular: new Map(), bold: new Map(), italic: new Map() };
const MAX_CACHED_CHUNKS = 50_000;

function chunkWidth(key: FontKey, chunk: string): number {
  const cache = chunkWidths[key];
  let width = cache.get(chunk);
  if (width === undefined) {
    const font = loadFonts()[key];
    width = font.layout(chunk).advanceWidth / font.unitsPerEm;
    if (cache.size >= MAX_CACHED_CHUNKS) cache.clear();
    cache.set(chunk, width);
  }
  return width;
}

/** The width pdfkit gives `text` at 1pt: the sum of its chunks split after each space, as pdfkit splits it. */
function unitWidth(key: FontKey, text: string): number {
  let total = 0;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ' ' || text[i] === '\t') {
      total += chunkWidth(key, text.slice(last, i + 1));
      last = i + 1;
    }
  }
  if (last < text.length) total += chunkWidth(key, text.slice(last));
  return total;
}

// A4 in points, as pdfkit and every PDF reader define it.
export const PAGE = { width: 595.28, height: 841.89 };
export const MARGIN = { left: 50, right: 50, top: 70, bottom: 62 };
export const CONTENT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
export const CONTENT_BOTTOM = PAGE.height - MARGIN.bottom;

export const INK = '#0b0c0c';
export const GREY = '#505a5f';
export const RULE = '#b1b4b6';
export const HEADER_FILL = '#f3f2f1';

export const BODY = 10;
export const SMALL = 8.5;
export const TABLE = 9;
const LEADING = 1.38;
export const CELL_PAD_X = 5;
export const CELL_PAD_TOP = 4;
export const CELL_PAD_BOTTOM = 5;

export interface TextStyle {
  font: FontKey;
  size: number;
  colour?: string;
}

/** One line of text placed inside a table row, relative to the row's top. */
export interface PlacedLine {
  text: string;
  /** The column the line is in, whose cell it is tagged into. */
  col: number;
  x: number;
  dy: number;
  style: TextStyle;
  bullet?: boolean;
  /** A status shape drawn just left of the text, at `x - MARK_WIDTH`. */
  mark?: { shape: StatusView['shape']; colour: string; pattern?: StatusView['pattern'] };
}

/** Room a status shape takes before its label in a table cell. */
const MARK_WIDTH = 13;

export interface Row {
  lines: PlacedLine[];
  height: number;
  fill?: string;
  /** The table's header row: each cell is tagged as the header of its column. */
  header?: boolean;
  /** Columns whose cells head their row (tagged TH with Row scope), e.g. a period or a label. */
  headerColumns?: number[];
}

export interface Column {
  width: number;
}

export const lineHeight = (size: number) => size * LEADING;

/** What a structure element may say about itself: a figure's text alternative and box, a header cell's scope. */
export interface TagOptions {
  alt?: string;
  /** Left, top, right, bottom in pdfkit's (top-down) coordinates. */
  bbox?: [number, number, number, number];
  placement?: 'Block' | 'Inline';
  scope?: 'Row' | 'Column';
}

interface OpenElement {
  element: PDFKit.PDFStructureElement;
  type: string;
}

/** The heading level a size of heading text stands for, so the tagged and the visual hierarchy agree. */
export function headingLevel(size: number): 1 | 2 | 3 {
  return size >= 15 ? 1 : size >= 12.5 ? 2 : 3;
}

export class Layout {
  y = MARGIN.top;
  /** Drawn at the top of each new page while a table is being laid out (its header row). */
  private continuation: (() => void) | undefined;
  private continuationHeight = 0;
  /** Structure elements enclosing what is drawn now, innermost last (tagged documents only). */
  private readonly open: OpenElement[] = [];
  /** Above zero while drawing an artifact: running headers, rules, fills, shapes beside their text. */
  private artifactDepth = 0;

  /**
   * `tagged`: every line of text goes into a structure element (heading, paragraph, list item,
   * table cell, figure) and everything else is marked as an artifact, for PDF/UA.
   */
  readonly doc: PDFKit.PDFDocument;
  readonly tagged: boolean;
  constructor(doc: PDFKit.PDFDocument, tagged = false) {
    this.doc = doc;
    this.tagged = tagged;
  }

  private get tagging(): boolean {
    return this.tagged && this.artifactDepth === 0;
  }

  private attach(element: PDFKit.PDFStructureElement): void {
    const parent = this.open.at(-1);
    if (parent) parent.element.add(element);
    else this.doc.addStructure(element);
  }

  /** Runs `body` inside a new structure element of `type`, placed in reading order where it is called. */
  tag<T>(type: string, body: () => T, options: TagOptions = {}): T {
    if (!this.tagging) return body();
    const element = this.reserve(type, options);
    return this.within(element, body);
  }

  /** A structure element placed here in reading order, whose content `within` draws later (e.g. contents pages). */
  reserve(type: string, options: TagOptions = {}): OpenElement | undefined {
    if (!this.tagging) return undefined;
    const element = this.doc.struct(type, options);
    this.attach(element);
    return { element, type };
  }

  /** Runs `body` with `element` as the one text goes into, then ends it. */
  within<T>(element: OpenElement | undefined, body: () => T): T {
    try {
      return this.inside(element, body);
    } finally {
      element?.element.end();
    }
  }

  /** Runs `body` with `element` as the one text goes into, leaving it open for more. */
  private inside<T>(element: OpenElement | undefined, body: () => T): T {
    if (!element) return body();
    this.open.push(element);
    try {
      return body();
    } finally {
      this.open.pop();
    }
  }

  /** Draws what `body` draws as an artifact: not read out, not part of the structure. */
  artifact<T>(body: () => T, type: 'Layout' | 'Pagination' = 'Layout'): T {
    if (!this.tagging) return body();
    this.doc.markContent('Artifact', { type });
    this.artifactDepth++;
    try {
      return body();
    } finally {
      this.artifactDepth--;
      this.doc.endMarkedContent();
    }
  }

  /** Draws `body` (vectors, e.g. a chart) as one Figure whose text alternative is `alt`. */
  figure(alt: string, box: { x: number; y: number; width: number; height: number }, body: () => void): void {
    if (!this.tagging) {
      body();
      return;
    }
    const bbox: [number, number, number, number] = [box.x, box.y, box.x + box.width, box.y + box.height];
    this.tag('Figure', () => this.marked(body), { alt, bbox, placement: 'Block' });
  }

  /**
   * A link over a rectangle to a named destination. Tagged, the annotation belongs to the open
   * Link element (with the text it covers) and carries `description` for assistive technology.
   */
  link(x: number, y: number, width: number, height: number, destination: string, description: string): void {
    const current = this.tagging ? this.open.at(-1) : undefined;
    if (!current) {
      this.doc.goTo(x, y, width, height, destination);
      return;
    }
    // pdfkit takes the structure parent and the annotation's entries as one options object.
    const options = { structParent: current.element, Contents: new String(description) };
    this.doc.goTo(x, y, width, height, destination, options as unknown as PDFKit.Mixins.AnnotationOption);
  }

  /** Draws `body` as one marked-content sequence of the innermost open element. */
  private marked(body: () => void): void {
    const current = this.open.at(-1);
    if (!current) {
      this.tag('P', () => this.marked(body));
      return;
    }
    const content = this.doc.markStructureContent(current.type);
    body();
    this.doc.endMarkedContent();
    current.element.add(content);
  }

  use(style: TextStyle): void {
    this.doc
      .font(style.font)
      .fontSize(style.size)
      .fillColor(style.colour ?? INK);
  }

  width(text: string, style: TextStyle): number {
    return unitWidth(style.font, text) * style.size;
  }

  /** Greedy word wrap; words wider than the line are broken between characters. */
  wrap(text: string, style: TextStyle, maxWidth: number): string[] {
    const out: string[] = [];
    for (const hard of text.split(/\r?\n/)) {
      const words = hard.split(/[ \t]+/).filter((w) => w.length > 0);
      if (words.length === 0) {
        out.push('');
        continue;
      }
      let current = '';
      // Width of `current` plus a following space, as the next word would be measured after it.
      let currentWidth = 0;
      for (const word of words) {
        const wordWidth = this.width(word, style);
        if (current && currentWidth + wordWidth <= maxWidth) {
          current = `${current} ${word}`;
          currentWidth += this.width(`${word} `, style);
          continue;
        }
        if (current) out.push(current);
        current = '';
        currentWidth = 0;
        if (wordWidth <= maxWidth) {
          current = word;
          currentWidth = this.width(`${word} `, style);
          continue;
        }
        let piece = '';
        for (const ch of word) {
          if (piece && this.width(piece + ch, style) > maxWidth) {
            out.push(piece);
            piece = '';
          }
          piece += ch;
        }
        current = piece;
        currentWidth = this.width(`${piece} `, style);
      }
      if (current) out.push(current);
    }
    return out;
  }

  /** One line of text, tagged into the innermost open structure element (or a paragraph of its own). */
  drawLine(text: string, x: number, y: number, style: TextStyle): void {
    if (!text) return;
    this.use(style);
    if (this.tagging) this.marked(() => this.doc.text(text, x, y, { lineBreak: false }));
    else this.doc.text(text, x, y, { lineBreak: false });
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
    // A repeated table header is a page's furniture: the table's first header row is the real one.
    if (this.continuation) this.artifact(this.continuation, 'Pagination');
  }

  /** Starts a new page unless `height` fits below the current position. */
  ensure(height: number): void {
    if (this.y + height > CONTENT_BOTTOM) this.newPage();
  }

  space(height: number): void {
    this.y = Math.min(this.y + height, CONTENT_BOTTOM);
  }

  /** Lines of a paragraph, breaking pages between lines; never leaves a single first line behind. */
  paragraph(text: string, style: TextStyle = { font: 'regular', size: BODY }, indent = 0, after = 6): void {
    const lh = lineHeight(style.size);
    const lines = this.wrap(text, style, CONTENT_WIDTH - indent);
    this.ensure(Math.min(lines.length, 2) * lh);
    this.tag('P', () => {
      for (const line of lines) {
        this.ensure(lh);
        this.drawLine(line, MARGIN.left + indent, this.y, style);
        this.y += lh;
      }
    });
    this.space(after);
  }

  /**
   * A heading kept on the same page as at least `keepWith` points of what follows it, tagged
   * H1–H3 by its size (`headingLevel`).
   */
  heading(text: string, size: number, keepWith = lineHeight(BODY) * 2, before = 10): void {
    const style: TextStyle = { font: 'bold', size };
    const lines = this.wrap(text, style, CONTENT_WIDTH);
    const lh = lineHeight(size);
    if (this.y > MARGIN.top) this.space(before);
    this.ensure(lines.length * lh + 4 + keepWith);
    this.tag(`H${headingLevel(size)}`, () => {
      for (const line of lines) {
        this.drawLine(line, MARGIN.left, this.y, style);
        this.y += lh;
      }
    });
    this.space(3);
  }

  /** A bulleted list, tagged as a list of items (L, LI, LBody). */
  bullets(items: string[]): void {
    const style: TextStyle = { font: 'regular', size: BODY };
    const lh = lineHeight(BODY);
    const indent = 14;
    this.tag('L', () => {
      for (const item of items) {
        const lines = this.wrap(item, style, CONTENT_WIDTH - indent);
        this.ensure(Math.min(lines.length, 2) * lh);
        this.tag('LI', () => {
          // The list says it is a list; the bullet itself is decoration (and one object fewer per item).
          this.artifact(() => this.drawLine('•', MARGIN.left + 3, this.y, style));
          this.tag('LBody', () => {
            for (const line of lines) {
              this.ensure(lh);
              this.drawLine(line, MARGIN.left + indent, this.y, style);
              this.y += lh;
            }
          });
        });
        this.space(3);
      }
    });
    this.space(3);
  }

  // ---- tables -------------------------------------------------------------------------------

  /** Places wrapped text in a column of a row being built; returns the height it takes. */
  place(
    lines: PlacedLine[],
    columns: Column[],
    col: number,
    dy: number,
    text: string,
    style: TextStyle,
    bullet = false,
    options: { align?: 'left' | 'right'; mark?: PlacedLine['mark'] } = {},
  ): number {
    const x0 = columns.slice(0, col).reduce((sum, c) => sum + c.width, 0);
    const indent = bullet ? 10 : options.mark ? MARK_WIDTH : 0;
    const column = columns[col];
    if (!column) throw new Error(`no column ${col}`);
    const inner = column.width - 2 * CELL_PAD_X - indent;
    const wrapped = this.wrap(text, style, inner);
    const lh = lineHeight(style.size);
    wrapped.forEach((line, i) => {
      const shift = options.align === 'right' ? Math.max(0, inner - this.width(line, style)) : 0;
      lines.push({
        text: line,
        col,
        x: x0 + CELL_PAD_X + indent + shift,
        dy: dy + i * lh,
        style,
        bullet: bullet && i === 0,
        ...(options.mark && i === 0 ? { mark: options.mark } : {}),
      });
    });
    return wrapped.length * lh;
  }

  private drawRowPart(
    columns: Column[],
    lines: PlacedLine[],
    height: number,
    fill: string | undefined,
    cells: (OpenElement | undefined)[],
  ): void {
    const { doc } = this;
    const top = this.y;
    if (fill) this.artifact(() => doc.rect(MARGIN.left, top, CONTENT_WIDTH, height).fill(fill));
    for (const line of lines) {
      const { mark } = line;
      if (mark) {
        const cy = top + line.dy + lineHeight(line.style.size) / 2 - 0.5;
        const cx = MARGIN.left + line.x - MARK_WIDTH + 5;
        this.artifact(() =>
          drawShape(doc, mark.shape, cx, cy, line.style.size * 0.42, mark.colour, {
            kind: mark.pattern ?? 'none',
            ink: textColourOn(mark.colour),
          }),
        );
      }
      this.inside(cells[line.col], () => {
        if (line.bullet) this.drawLine('•', MARGIN.left + line.x - 9, top + line.dy, line.style);
        this.drawLine(line.text, MARGIN.left + line.x, top + line.dy, line.style);
      });
    }
    this.artifact(() => {
      doc.lineWidth(0.6).strokeColor(RULE);
      doc.rect(MARGIN.left, top, CONTENT_WIDTH, height).stroke();
      let x = MARGIN.left;
      for (const column of columns.slice(0, -1)) {
        x += column.width;
        doc
          .moveTo(x, top)
          .lineTo(x, top + height)
          .stroke();
      }
    });
    this.y = top + height;
  }

  /** The row's structure: a TR with a header or data cell per column (none when not tagging). */
  private rowCells(columns: Column[], row: Row): { tr?: OpenElement; cells: (OpenElement | undefined)[] } {
    const tr = this.reserve('TR');
    if (!tr) return { cells: [] };
    const cells = columns.map((_, col) =>
      this.inside(tr, () =>
        row.header
          ? this.reserve('TH', { scope: 'Column' })
          : row.headerColumns?.includes(col)
            ? this.reserve('TH', { scope: 'Row' })
            : this.reserve('TD'),
      ),
    );
    return { tr, cells };
  }

  /**
   * Draws a row where it fits; moves it whole to the next page when it fits on one; splits a
   * row taller than a page between lines of text, continuing under a repeated header. Tagged,
   * it is a TR in the open Table, each column's lines in its cell wherever the row breaks.
   */
  row(columns: Column[], row: Row): void {
    const fresh = CONTENT_BOTTOM - MARGIN.top - this.continuationHeight;
    if (this.y + row.height > CONTENT_BOTTOM && row.height <= fresh) this.newPage();
    const { tr, cells } = this.rowCells(columns, row);
    let lines = row.lines;
    let height = row.height;
    const minLines = 3 * lineHeight(TABLE) + CELL_PAD_TOP + CELL_PAD_BOTTOM;
    try {
      for (;;) {
        const available = CONTENT_BOTTOM - this.y;
        if (height <= available) {
          this.drawRowPart(columns, lines, height, row.fill, cells);
          return;
        }
        if (available < minLines) {
          this.newPage();
          continue;
        }
        const cut = available - CELL_PAD_BOTTOM;
        const here = lines.filter((l) => l.dy + lineHeight(l.style.size) <= cut);
        const rest = lines.filter((l) => l.dy + lineHeight(l.style.size) > cut);
        if (here.length === 0 || rest.length === 0) {
          this.newPage();
          continue;
        }
        this.drawRowPart(columns, here, available, row.fill, cells);
        const shift = Math.min(...rest.map((l) => l.dy)) - CELL_PAD_TOP;
        lines = rest.map((l) => ({ ...l, dy: l.dy - shift }));
        height -= shift;
        this.newPage();
      }
    } finally {
      // Ending the row ends its cells.
      tr?.element.end();
    }
  }

  /** Runs `body` with `header` drawn again at the top of every page the body continues on. */
  withContinuation(header: () => void, headerHeight: number, body: () => void): void {
    this.continuation = header;
    this.continuationHeight = headerHeight;
    try {
      body();
    } finally {
      this.continuation = undefined;
      this.continuationHeight = 0;
    }
  }
}

// ---- status ---------------------------------------------------------------------------------

/** The points of a shape's outline (the cross and the pause as filled outlines), for filling or clipping. */
function shapeOutline(shape: StatusView['shape'], cx: number, cy: number, r: number): [number, number][][] {
  switch (shape) {
    case 'circle':
      return [];
    case 'triangle':
      return [
        [
          [cx, cy - r],
          [cx + r * 1.1, cy + r * 0.85],
          [cx - r * 1.1, cy + r * 0.85],
        ],
      ];
    case 'square':
      return [
        [
          [cx - r * 0.85, cy - r * 0.85],
          [cx + r * 0.85, cy - r * 0.85],
          [cx + r * 0.85, cy + r * 0.85],
          [cx - r * 0.85, cy + r * 0.85],
        ],
      ];
    case 'diamond':
      return [
        [
          [cx, cy - r * 1.1],
          [cx + r, cy],
          [cx, cy + r * 1.1],
          [cx - r, cy],
        ],
      ];
    case 'cross': {
      // The SVG badge's cross (16 × 16, centred on 8, 8), scaled to r.
      const k = r / 7;
      const pts: [number, number][] = [
        [3, 1],
        [8, 6],
        [13, 1],
        [15, 3],
        [10, 8],
        [15, 13],
        [13, 15],
        [8, 10],
        [3, 15],
        [1, 13],
        [6, 8],
        [1, 3],
      ];
      return [pts.map(([x, y]) => [cx + (x - 8) * k, cy + (y - 8) * k])];
    }
    case 'pause':
      return [
        [
          [cx - r * 0.8, cy - r],
          [cx - r * 0.25, cy - r],
          [cx - r * 0.25, cy + r],
          [cx - r * 0.8, cy + r],
        ],
        [
          [cx + r * 0.25, cy - r],
          [cx + r * 0.8, cy - r],
          [cx + r * 0.8, cy + r],
          [cx + r * 0.25, cy + r],
        ],
      ];
    case 'star': {
      const points: [number, number][] = [];
      for (let i = 0; i < 10; i++) {
        const radius = i % 2 === 0 ? r * 1.1 : r * 0.45;
        const angle = -Math.PI / 2 + (i * Math.PI) / 5;
        points.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
      }
      return [points];
    }
  }
}

/**
 * A status's pattern drawn inside an area already on the page (hatching: diagonal lines; dotted:
 * a grid of dots), in `ink`, clipped to the area `outline` traces. A black-and-white print tells
 * statuses of the same grey apart by it.
 */
export function drawPattern(
  doc: PDFKit.PDFDocument,
  pattern: StatusView['pattern'],
  box: { x: number; y: number; width: number; height: number },
  outline: () => void,
  ink: string,
): void {
  if (pattern === 'none') return;
  doc.save();
  outline();
  doc.clip();
  if (pattern === 'hatched') {
    doc.lineWidth(0.7).strokeColor(ink);
    const step = 2.6;
    for (let d = -box.height; d < box.width; d += step) {
      doc
        .moveTo(box.x + d, box.y + box.height)
        .lineTo(box.x + d + box.height, box.y)
        .stroke();
    }
  } else {
    doc.fillColor(ink);
    const step = 2.6;
    for (let y = box.y + step / 2; y < box.y + box.height; y += step)
      for (let x = box.x + step / 2; x < box.x + box.width; x += step) doc.circle(x, y, 0.55).fill();
  }
  doc.restore();
}

export function drawShape(
  doc: PDFKit.PDFDocument,
  shape: StatusView['shape'],
  cx: number,
  cy: number,
  r: number,
  colour: string,
  pattern: { kind: StatusView['pattern']; ink: string } = { kind: 'none', ink: colour },
): void {
  doc.save().fillColor(colour).strokeColor(colour);
  const outline = () => {
    if (shape === 'circle') doc.circle(cx, cy, r);
    else for (const points of shapeOutline(shape, cx, cy, r)) doc.polygon(...points);
  };
  if (shape === 'cross') {
    // Drawn as two round-capped strokes (as before patterns); the pattern fills the same outline.
    doc.lineWidth(r * 0.5).lineCap('round');
    doc
      .moveTo(cx - r * 0.75, cy - r * 0.75)
      .lineTo(cx + r * 0.75, cy + r * 0.75)
      .stroke();
    doc
      .moveTo(cx + r * 0.75, cy - r * 0.75)
      .lineTo(cx - r * 0.75, cy + r * 0.75)
      .stroke();
  } else {
    outline();
    doc.fill();
  }
  doc.restore();
  const size = r * 1.2;
  drawPattern(
    doc,
    pattern.kind,
    { x: cx - size, y: cy - size, width: size * 2, height: size * 2 },
    outline,
    pattern.ink,
  );
}

/** "Status:" then a swatch of the status colour holding its shape and label, then its description. */
function statusLine(layout: Layout, status: StatusView | null): void {
  const { doc } = layout;
  const labelStyle: TextStyle = { font: 'bold', size: 11 };
  const lh = lineHeight(11);
  layout.ensure(lh + 8);
  const y = layout.y + 2;
  const x = MARGIN.left;
  // One paragraph, read as "Status: Amber – Some progress …"; the swatch and shape are artifacts.
  layout.tag('P', () => {
    layout.drawLine('Status:', x, y, labelStyle);
    let cursor = x + layout.width('Status:', labelStyle) + 8;
    if (!status) {
      layout.drawLine('Not set', cursor, y, { font: 'italic', size: 11, colour: GREY });
      return;
    }
    const tagStyle: TextStyle = { font: 'bold', size: 11, colour: status.textColour };
    const labelWidth = layout.width(status.label, tagStyle);
    const tagWidth = 8 + 12 + 5 + labelWidth + 9;
    const badgeX = cursor;
    layout.artifact(() => {
      doc
        .save()
        .roundedRect(badgeX, y - 3, tagWidth, lh + 5, 3)
        .fill(status.colour)
        .restore();
      doc
        .save()
        .lineWidth(0.6)
        .strokeColor(INK)
        .roundedRect(badgeX, y - 3, tagWidth, lh + 5, 3)
        .stroke()
        .restore();
      drawShape(doc, status.shape, badgeX + 8 + 6, y + lh / 2 - 0.5, 5.2, status.textColour, {
        kind: status.pattern ?? 'none',
        ink: status.colour,
      });
    });
    layout.drawLine(status.label, cursor + 8 + 12 + 5, y, tagStyle);
    cursor += tagWidth + 10;
    if (status.description) {
      const descStyle: TextStyle = { font: 'regular', size: BODY, colour: GREY };
      const lines = layout.wrap(status.description, descStyle, MARGIN.left + CONTENT_WIDTH - cursor);
      layout.drawLine(lines[0] ?? '', cursor, y + 1, descStyle);
    }
  });
  layout.y += status ? lh + 10 : lh + 8;
}

// ---- sections ---------------------------------------------------------------------------------

function groupsTable(layout: Layout, groups: ReportView['groups']): void {
  const columns: Column[] = [{ width: 150 }, { width: CONTENT_WIDTH - 150 }];
  const lines: PlacedLine[] = [];
  const label = layout.place(lines, columns, 0, CELL_PAD_TOP, 'Council / Partnership Groups', {
    font: 'bold',
    size: BODY,
  });
  let dy = CELL_PAD_TOP;
  dy += layout.place(lines, columns, 1, dy, groups.internal, { font: 'regular', size: BODY }) + 3;
  dy += layout.place(lines, columns, 1, dy, groups.external, { font: 'regular', size: BODY });
  layout.tag('Table', () =>
    layout.row(columns, { lines, height: Math.max(label + CELL_PAD_TOP, dy) + CELL_PAD_BOTTOM, headerColumns: [0] }),
  );
}

const ROLES: { role: SignOffView['role']; label: string }[] = [
  { role: 'accountable_officer', label: 'Accountable Officer' },
  { role: 'accountable_director', label: 'Accountable Director' },
];

function signOffTable(layout: Layout, signOffs: SignOffView[]): void {
  const columns: Column[] = [{ width: 150 }, { width: 190 }, { width: 50 }, { width: CONTENT_WIDTH - 390 }];
  const body: TextStyle = { font: 'regular', size: BODY };
  const bold: TextStyle = { font: 'bold', size: BODY };
  const note: TextStyle = { font: 'italic', size: SMALL, colour: GREY };
  layout.tag('Table', () => signOffRows(layout, signOffs, columns, { body, bold, note }));
}

function signOffRows(
  layout: Layout,
  signOffs: SignOffView[],
  columns: Column[],
  { body, bold, note }: Record<'body' | 'bold' | 'note', TextStyle>,
): void {
  for (const { role, label } of ROLES) {
    const s = signOffs.find((o) => o.role === role);
    const lines: PlacedLine[] = [];
    let left = CELL_PAD_TOP;
    left += layout.place(lines, columns, 0, left, s ? s.decisionLabel : 'Sign-off', bold);
    left += layout.place(lines, columns, 0, left, `(${s ? s.roleLabel : label})`, body);
    let mid = CELL_PAD_TOP;
    if (s) {
      mid += layout.place(lines, columns, 1, mid, s.name, body);
      if (s.comment) mid += layout.place(lines, columns, 1, mid + 2, s.comment, { font: 'regular', size: SMALL }) + 2;
      if (s.historical)
        mid += layout.place(lines, columns, 1, mid + 1, 'Recorded from a paper or e-mail record', note) + 1;
    } else {
      mid += layout.place(lines, columns, 1, mid, 'Not yet signed off', { font: 'italic', size: BODY, colour: GREY });
    }
    layout.place(lines, columns, 2, CELL_PAD_TOP, 'Date', bold);
    const date = layout.place(lines, columns, 3, CELL_PAD_TOP, s ? s.date : '–', body);
    layout.row(columns, {
      lines,
      height: Math.max(left, mid, date + CELL_PAD_TOP) + CELL_PAD_BOTTOM,
      headerColumns: [0, 2],
    });
  }
}

/**
 * A joint priority's partners' sign-offs (issue 11): a table with a header row, each row headed
 * by its organisation, so a screen reader hears "Local Partnerships, Name: …" in a cell.
 */
function jointSignOffTable(layout: Layout, jointSignOffs: JointSignOffView[]): void {
  const columns: Column[] = [{ width: 150 }, { width: 145 }, { width: 110 }, { width: CONTENT_WIDTH - 405 }];
  const body: TextStyle = { font: 'regular', size: BODY };
  const bold: TextStyle = { font: 'bold', size: BODY };
  const small: TextStyle = { font: 'regular', size: SMALL };
  const waiting: TextStyle = { font: 'italic', size: BODY, colour: GREY };
  const headerLines: PlacedLine[] = [];
  const heights = JOINT_SIGN_OFF_HEADINGS.map((text, col) =>
    layout.place(headerLines, columns, col, CELL_PAD_TOP, text, bold),
  );
  const header: Row = {
    lines: headerLines,
    height: Math.max(...heights) + CELL_PAD_TOP + CELL_PAD_BOTTOM,
    fill: HEADER_FILL,
    header: true,
  };
  const rows = jointSignOffs.map((j): Row => {
    const lines: PlacedLine[] = [];
    const org = layout.place(lines, columns, 0, CELL_PAD_TOP, j.organisation, bold);
    let role = CELL_PAD_TOP;
    role += layout.place(lines, columns, 1, role, j.decisionLabel, j.signed ? body : waiting);
    role += layout.place(lines, columns, 1, role, `(${j.roleLabel})`, small);
    const name = layout.place(
      lines,
      columns,
      2,
      CELL_PAD_TOP,
      j.signed ? j.name : 'Not yet signed off',
      j.signed ? body : waiting,
    );
    let date = CELL_PAD_TOP;
    date += layout.place(lines, columns, 3, date, j.signed ? `${j.date}${j.time ? ` at ${j.time}` : ''}` : '–', body);
    if (j.comment) date += layout.place(lines, columns, 3, date + 2, j.comment, small) + 2;
    return {
      lines,
      height: Math.max(org + CELL_PAD_TOP, role, name + CELL_PAD_TOP, date) + CELL_PAD_BOTTOM,
      headerColumns: [0],
    };
  });
  layout.heading('Partnership sign-off', 12.5, header.height + (rows[0]?.height ?? 0));
  layout.tag('Table', () => {
    layout.tag('Caption', () => {
      const style: TextStyle = { font: 'italic', size: SMALL, colour: GREY };
      for (const line of layout.wrap(JOINT_SIGN_OFFS_CAPTION, style, CONTENT_WIDTH)) {
        layout.drawLine(line, MARGIN.left, layout.y, style);
        layout.y += lineHeight(SMALL);
      }
    });
    layout.y += 3;
    layout.row(columns, header);
    for (const row of rows) layout.row(columns, row);
  });
}

const ACTION_COLUMNS: Column[] = [
  { width: 30 },
  { width: 156 },
  { width: 96 },
  { width: CONTENT_WIDTH - 30 - 156 - 96 - 72 },
  { width: 72 },
];
const ACTION_HEADINGS = [
  'No.',
  'Action (Desired Achievements)',
  'Contributory Officer / Partner',
  'Milestone / Actions',
  'Timescale',
];

function actionRow(layout: Layout, action: ActionView): Row {
  const style: TextStyle = { font: 'regular', size: TABLE };
  const lines: PlacedLine[] = [];
  const heights: number[] = [];
  heights.push(layout.place(lines, ACTION_COLUMNS, 0, CELL_PAD_TOP, `${action.number}.`, style));
  heights.push(layout.place(lines, ACTION_COLUMNS, 1, CELL_PAD_TOP, action.description, style));
  let dy = CELL_PAD_TOP;
  for (const name of action.contributors) dy += layout.place(lines, ACTION_COLUMNS, 2, dy, name, style);
  heights.push(dy - CELL_PAD_TOP);
  // Each milestone starts level with its own timescale; the next starts below the taller of the two.
  const bulleted = action.milestones.length > 1;
  dy = CELL_PAD_TOP;
  for (const m of action.milestones) {
    const mh = layout.place(lines, ACTION_COLUMNS, 3, dy, m.description, style, bulleted);
    const th = layout.place(lines, ACTION_COLUMNS, 4, dy, m.timescale, style);
    dy += Math.max(mh, th) + 4;
  }
  heights.push(Math.max(0, dy - CELL_PAD_TOP - 4));
  return { lines, height: Math.max(...heights) + CELL_PAD_TOP + CELL_PAD_BOTTOM };
}

function actionsHeaderRow(layout: Layout): Row {
  const lines: PlacedLine[] = [];
  const style: TextStyle = { font: 'bold', size: TABLE };
  const heights = ACTION_HEADINGS.map((text, col) =>
    layout.place(lines, ACTION_COLUMNS, col, CELL_PAD_TOP, text, style),
  );
  return { lines, height: Math.max(...heights) + CELL_PAD_TOP + CELL_PAD_BOTTOM, fill: HEADER_FILL, header: true };
}

function actionsTable(layout: Layout, view: ReportView): void {
  const header = actionsHeaderRow(layout);
  const rows = view.actions.map((a) => actionRow(layout, a));
  const firstRow = rows[0]?.height ?? 0;
  // Like the council's own report, the table starts on a fresh page when that keeps it whole.
  const whole = lineHeight(13) + 19 + header.height + rows.reduce((sum, r) => sum + r.height, 0);
  if (layout.y + whole > CONTENT_BOTTOM && whole <= CONTENT_BOTTOM - MARGIN.top) layout.newPage();
  layout.heading(view.actionsHeading, 13, header.height + Math.min(firstRow, 4 * lineHeight(TABLE)), 16);
  if (rows.length === 0) {
    layout.paragraph('No key actions have been recorded for the next period.', {
      font: 'italic',
      size: BODY,
      colour: GREY,
    });
    return;
  }
  const caption: TextStyle = { font: 'italic', size: SMALL, colour: GREY };
  const captionHeight = lineHeight(SMALL) + 2;
  const repeat = () => {
    layout.drawLine(`${view.actionsHeading} (continued)`, MARGIN.left, layout.y, caption);
    layout.y += captionHeight;
    layout.row(ACTION_COLUMNS, header);
  };
  layout.tag('Table', () => {
    layout.row(ACTION_COLUMNS, header);
    layout.withContinuation(repeat, captionHeight + header.height, () => {
      for (const row of rows) layout.row(ACTION_COLUMNS, row);
    });
  });
}

// ---- graphs -----------------------------------------------------------------------------------

const GRAPH_HEADING = 11;
const CHART_GAP = 4;
const DESCRIPTION: TextStyle = { font: 'regular', size: SMALL + 0.5, colour: GREY };
const GRAPH_CAPTION: TextStyle = { font: 'bold', size: TABLE };
const CONTINUED: TextStyle = { font: 'italic', size: SMALL, colour: GREY };
const COLUMN_WEIGHTS: Record<ChartTable['columns'][number]['key'], number> = {
  period: 1.25,
  actual: 1,
  target: 1,
  status: 1.3,
};
const COLOUR = /^#[0-9a-fA-F]{6}$/;

function graphLabel(graph: GraphView): string {
  return [graph.code.trim(), graph.title.trim()].filter((s) => s !== '').join(' ');
}

/** The chart's size on the page: content width, the height from the viewBox, shrunk to fit a page. */
function chartBox(svg: string): { width: number; height: number } {
  const box = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)\s*"/.exec(svg);
  const vw = Number(box?.[1]);
  const vh = Number(box?.[2]);
  const ratio = vw > 0 && vh > 0 ? vh / vw : 400 / 640;
  const maxHeight = CONTENT_BOTTOM - MARGIN.top - lineHeight(GRAPH_HEADING) - 3 * lineHeight(DESCRIPTION.size);
  const height = Math.min(CONTENT_WIDTH * ratio, maxHeight);
  return { width: height / ratio, height };
}

/** The chart and the description under it, which stay on one page together. */
function graphFigureHeight(layout: Layout, graph: GraphView): number {
  const description = layout.wrap(graph.description, DESCRIPTION, CONTENT_WIDTH).length * lineHeight(DESCRIPTION.size);
  return chartBox(graph.svg).height + CHART_GAP + description;
}

/**
 * Draws an SVG chart as vectors at the current position, `width` wide, centred, tagged as a Figure
 * whose text alternative is `alt` (its data table follows it in the reading order).
 */
export function drawSvgFigure(layout: Layout, svg: string, alt: string, box: { width: number; height: number }): void {
  const { width, height } = box;
  layout.ensure(height);
  const x = MARGIN.left + (CONTENT_WIDTH - width) / 2;
  const y = layout.y;
  layout.figure(alt, { x, y, width, height }, () =>
    // The SVG's text is set in the embedded Noto Sans (not the standard Helvetica svg-to-pdfkit
    // would pick), so £ ŵ ŷ print, copy out and every font stays embedded.
    SVGtoPDF(layout.doc, svg, x, y, {
      width,
      height,
      fontCallback: (_family, bold, italic) => (bold ? 'bold' : italic ? 'italic' : 'regular'),
      // Our charts use nothing it warns about (checked); anything else is drawn as best it can be.
      warningCallback: () => {},
    }),
  );
  layout.y += height;
}

function drawChart(layout: Layout, graph: GraphView): void {
  drawSvgFigure(layout, graph.svg, graph.description, chartBox(graph.svg));
}

function graphColumns(table: ChartTable): Column[] {
  const weights = table.columns.map((c) => COLUMN_WEIGHTS[c.key] ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const widths = weights.map((w) => Math.floor((CONTENT_WIDTH * w) / total));
  // The last column takes what rounding left, so the columns fill the row exactly.
  widths[widths.length - 1]! += CONTENT_WIDTH - widths.reduce((a, b) => a + b, 0);
  return widths.map((width) => ({ width }));
}

function graphTableRows(layout: Layout, table: ChartTable, columns: Column[]): { header: Row; rows: Row[] } {
  const headerStyle: TextStyle = { font: 'bold', size: TABLE };
  const cellStyle: TextStyle = { font: 'regular', size: TABLE };
  const headerLines: PlacedLine[] = [];
  const headerHeights = table.columns.map((c, col) =>
    layout.place(headerLines, columns, col, CELL_PAD_TOP, c.header, headerStyle, false, {
      align: c.numeric ? 'right' : 'left',
    }),
  );
  const header: Row = {
    lines: headerLines,
    height: Math.max(...headerHeights) + CELL_PAD_TOP + CELL_PAD_BOTTOM,
    fill: HEADER_FILL,
    header: true,
  };
  // The period heads its row, as it does on the page's table.
  const headerColumns = table.columns.flatMap((c, col) => (c.key === 'period' ? [col] : []));
  const rows = table.rows.map((row) => {
    const lines: PlacedLine[] = [];
    const heights = table.columns.map((c, col) => {
      const text = row.cells[col] ?? '';
      if (c.key === 'status' && row.status) {
        // The label beside the status's shape, drawn: Noto Sans has no glyphs for ● ▲ ◆.
        const colour = COLOUR.test(row.status.colour) ? row.status.colour : GREY;
        return layout.place(lines, columns, col, CELL_PAD_TOP, row.status.label, cellStyle, false, {
          mark: { shape: row.status.shape, colour, pattern: row.status.pattern },
        });
      }
      const style = c.key === 'period' ? headerStyle : cellStyle;
      return layout.place(lines, columns, col, CELL_PAD_TOP, text, style, false, {
        align: c.numeric ? 'right' : 'left',
      });
    });
    return { lines, height: Math.max(...heights) + CELL_PAD_TOP + CELL_PAD_BOTTOM, headerColumns };
  });
  return { header, rows };
}

/** The caption, then the table, its header row repeated under "(continued)" on every page it spans. */
function graphTable(layout: Layout, table: ChartTable): void {
  const columns = graphColumns(table);
  const { header, rows } = graphTableRows(layout, table, columns);
  const captionLines = layout.wrap(table.caption, GRAPH_CAPTION, CONTENT_WIDTH);
  const captionHeight = captionLines.length * lineHeight(GRAPH_CAPTION.size) + 3;
  const firstRows = rows.slice(0, 2).reduce((sum, r) => sum + r.height, 0);
  layout.ensure(captionHeight + header.height + firstRows);
  layout.tag('Table', () => {
    layout.tag('Caption', () => {
      for (const line of captionLines) {
        layout.drawLine(line, MARGIN.left, layout.y, GRAPH_CAPTION);
        layout.y += lineHeight(GRAPH_CAPTION.size);
      }
    });
    layout.y += 3;
    graphTableBody(layout, table, columns, header, rows);
  });
}

function graphTableBody(layout: Layout, table: ChartTable, columns: Column[], header: Row, rows: Row[]): void {
  layout.row(columns, header);
  const continuedHeight = lineHeight(CONTINUED.size) + 2;
  const repeat = () => {
    const suffix = ' (continued)';
    const caption = truncate(layout, table.caption, CONTINUED, CONTENT_WIDTH - layout.width(suffix, CONTINUED));
    layout.drawLine(`${caption}${suffix}`, MARGIN.left, layout.y, CONTINUED);
    layout.y += continuedHeight;
    layout.row(columns, header);
  };
  layout.withContinuation(repeat, continuedHeight + header.height, () => {
    for (const row of rows) layout.row(columns, row);
  });
}

/** Height of a graph's heading, chart, description and whole table, as graphs() lays them out. */
function graphBlockHeight(layout: Layout, graph: GraphView): number {
  const table = graph.table;
  const columns = graphColumns(table);
  const { header, rows } = graphTableRows(layout, table, columns);
  const heading =
    layout.wrap(graphLabel(graph), { font: 'bold', size: GRAPH_HEADING }, CONTENT_WIDTH).length *
      lineHeight(GRAPH_HEADING) +
    3;
  const caption = layout.wrap(table.caption, GRAPH_CAPTION, CONTENT_WIDTH).length * lineHeight(GRAPH_CAPTION.size) + 3;
  return (
    heading +
    graphFigureHeight(layout, graph) +
    8 +
    caption +
    header.height +
    rows.reduce((sum, r) => sum + r.height, 0)
  );
}

const PAGE_BODY = CONTENT_BOTTOM - MARGIN.top;

/**
 * Each chosen indicator: a heading, the chart with its one-sentence description, then its data
 * table. A graph whose table fits on a page with its chart starts a new page rather than leave
 * its table split from a few rows; a longer table continues under its repeated header.
 */
function graphs(layout: Layout, view: ReportView): void {
  const body: TextStyle = { font: 'regular', size: BODY };
  const first = view.graphs[0];
  if (!first) {
    layout.heading('Graphs', 12.5);
    layout.paragraph(view.noGraphsText, body);
    return;
  }
  const firstBlock = graphBlockHeight(layout, first);
  const firstKeep =
    firstBlock <= PAGE_BODY - lineHeight(12.5) - 20
      ? firstBlock
      : lineHeight(GRAPH_HEADING) + graphFigureHeight(layout, first);
  layout.heading('Graphs', 12.5, firstKeep);
  view.graphs.forEach((graph, i) => {
    const figure = graphFigureHeight(layout, graph);
    const block = i === 0 ? 0 : graphBlockHeight(layout, graph);
    if (block > 0 && block <= PAGE_BODY && layout.y + 8 + block > CONTENT_BOTTOM) layout.newPage();
    layout.heading(graphLabel(graph), GRAPH_HEADING, figure, 8);
    drawChart(layout, graph);
    layout.space(CHART_GAP);
    layout.paragraph(graph.description, DESCRIPTION, 0, 8);
    graphTable(layout, graph.table);
    layout.space(6);
  });
}

export function truncate(layout: Layout, text: string, style: TextStyle, maxWidth: number): string {
  const first = layout.wrap(text, style, maxWidth)[0] ?? '';
  if (first === text.trim()) return first;
  const words = layout.wrap(text, style, maxWidth - layout.width('…', style))[0] ?? '';
  return `${words}…`;
}

/** The running header (code, title, what the document is) and footer (organisation, page) of the current page. */
export function drawPageFrame(
  layout: Layout,
  header: { code: string; title: string; right: string },
  footer: { left: string; page: string },
): void {
  const { doc } = layout;
  const style: TextStyle = { font: 'regular', size: SMALL, colour: GREY };
  const bold: TextStyle = { font: 'bold', size: SMALL, colour: GREY };
  const rightWidth = layout.width(header.right, style);
  const code = header.code ? `${header.code} ` : '';
  const codeWidth = code ? layout.width(code, bold) : 0;
  const title = truncate(layout, header.title, style, CONTENT_WIDTH - rightWidth - codeWidth - 16);
  // Writing in the margins must not make pdfkit add a page.
  const savedBottom = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  // Running headers, footers and page numbers are the page's furniture, not its content.
  layout.artifact(
    () => drawFrame(layout, { code, codeWidth, title, rightWidth, style, bold }, header, footer),
    'Pagination',
  );
  doc.page.margins.bottom = savedBottom;
}

function drawFrame(
  layout: Layout,
  measured: { code: string; codeWidth: number; title: string; rightWidth: number; style: TextStyle; bold: TextStyle },
  header: { right: string },
  footer: { left: string; page: string },
): void {
  const { doc } = layout;
  const { code, codeWidth, title, rightWidth, style, bold } = measured;
  const top = 30;
  layout.drawLine(code, MARGIN.left, top, bold);
  layout.drawLine(title, MARGIN.left + codeWidth, top, style);
  layout.drawLine(header.right, PAGE.width - MARGIN.right - rightWidth, top, style);
  doc
    .lineWidth(0.6)
    .strokeColor(RULE)
    .moveTo(MARGIN.left, top + 16)
    .lineTo(PAGE.width - MARGIN.right, top + 16)
    .stroke();
  const bottom = PAGE.height - 40;
  doc
    .moveTo(MARGIN.left, bottom - 6)
    .lineTo(PAGE.width - MARGIN.right, bottom - 6)
    .stroke();
  layout.drawLine(footer.left, MARGIN.left, bottom, style);
  layout.drawLine(footer.page, PAGE.width - MARGIN.right - layout.width(footer.page, style), bottom, style);
}

/**
 * A boxed notice at the top of an unpublished report: its mark in bold, then the sentence that
 * says what the document is (one paragraph, read before the heading).
 */
function standingNotice(layout: Layout, view: ReportView): void {
  const standing = view.standing;
  if (!standing?.unpublished) return;
  const markStyle: TextStyle = { font: 'bold', size: 12 };
  const textStyle: TextStyle = { font: 'regular', size: BODY };
  const pad = 8;
  const markWidth = layout.width(`${standing.mark} `, markStyle);
  const lines = layout.wrap(standing.sentence, textStyle, CONTENT_WIDTH - 2 * pad - markWidth - 4);
  const height = Math.max(lineHeight(12), lines.length * lineHeight(BODY)) + 2 * pad - 2;
  const top = layout.y;
  layout.artifact(() =>
    layout.doc.save().lineWidth(2).strokeColor(INK).rect(MARGIN.left, top, CONTENT_WIDTH, height).stroke().restore(),
  );
  layout.tag('P', () => {
    layout.drawLine(standing.mark, MARGIN.left + pad, top + pad - 1, markStyle);
    lines.forEach((line, i) =>
      layout.drawLine(line, MARGIN.left + pad + markWidth + 4, top + pad + i * lineHeight(BODY), textStyle),
    );
  });
  layout.y = top + height + 12;
}

/** Running header and footer on every page, drawn once the page count is known. */
function decoratePages(layout: Layout, view: ReportView): void {
  const { doc } = layout;
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    drawPageFrame(layout, reportPageHeader(view), {
      left: reportPageFooter(view),
      page: `Page ${i - range.start + 1} of ${range.count}`,
    });
  }
}

/** One report's body from the current position of `layout` (the board pack starts each on a new page). */
export function renderReportBody(layout: Layout, view: ReportView): void {
  const body: TextStyle = { font: 'regular', size: BODY };
  standingNotice(layout, view);
  layout.heading(view.heading, 16, lineHeight(11), 0);
  const officer = view.accountableOfficer?.name ?? 'Not assigned';
  layout.paragraph(`Accountable Officer – ${officer}`, { font: 'bold', size: 11 }, 0, 8);

  layout.heading('Why is this a priority', 12.5);
  for (const p of view.priority.rationale) layout.paragraph(p, body);

  graphs(layout, view);

  layout.heading(view.progressHeading, 12.5, lineHeight(12) * 3);
  layout.heading('Overall Summary', 11, lineHeight(BODY) * 2, 4);
  for (const p of view.summary) layout.paragraph(p, body);

  layout.space(4);
  statusLine(layout, view.status);
  for (const p of view.statusReason) layout.paragraph(p, body);

  layout.heading('Achievements since the last report', 12.5);
  layout.bullets(view.achievements);

  layout.heading('Challenges/Risks', 12.5);
  layout.bullets([...view.challenges, ...(view.citedRisks ?? []).map(citedRiskText)]);

  if (view.lastTime) {
    layout.heading(view.lastTime.heading, 12.5);
    for (const a of view.lastTime.actions) {
      layout.paragraph(`${a.number}. ${a.description}`, { font: 'bold', size: BODY }, 0, 2);
      if (a.milestones.length === 0) layout.paragraph('No milestones were set.', body);
      else
        layout.bullets(
          a.milestones.map(
            (m) => `${m.progress ? `${m.progress.label}: ` : ''}${m.description} – ${m.progress?.text ?? m.timescale}`,
          ),
        );
    }
  }

  layout.space(8);
  groupsTable(layout, view.groups);
  layout.space(8);
  signOffTable(layout, view.signOffs);
  if (view.jointSignOffs?.length) jointSignOffTable(layout, view.jointSignOffs);

  actionsTable(layout, view);
}

export function dateOr(iso: string, fallback: Date): Date {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? fallback : d;
}

// pdfkit keeps the content of a buffered page (we buffer every page, to draw the contents and
// the "Page N of M" footers last) as one small Uint8Array per drawing operator: a 150-report board
// pack made about a million of them, ~280 MB of heap for 21 MB of content. Here each page's
// operators are gathered in a string and turned into bytes 4 kB at a time instead (at 64 kB the
// strings being gathered held most of that memory themselves): the same bytes in the same order
// (pdfkit's own conversion keeps the low byte of each character, as latin1 does), so the file is
// unchanged, and the pack's live heap at its end went from ~300 MB to ~60 MB. This reaches into
// pdfkit's page object; if a new pdfkit has no such `content.write`, pages are left as they are.
const GATHER_BYTES = 4 * 1024;

interface PageContent {
  write(chunk: string | Uint8Array): void;
  finalize(): void;
}

function gatherPageContent(doc: PDFKit.PDFDocument): void {
  const gather = () => {
    const content = (doc.page as unknown as { content?: Partial<PageContent> }).content;
    if (typeof content?.write !== 'function' || typeof content.finalize !== 'function') return;
    const write = content.write.bind(content);
    const finalize = content.finalize.bind(content);
    let pending = '';
    const flush = () => {
      if (pending === '') return;
      write(Buffer.from(pending, 'latin1'));
      pending = '';
    };
    content.write = (chunk) => {
      if (chunk instanceof Uint8Array) {
        flush();
        write(chunk);
        return;
      }
      pending += `${chunk}\n`;
      if (pending.length >= GATHER_BYTES) flush();
    };
    content.finalize = () => {
      flush();
      finalize();
    };
  };
  gather();
  doc.on('pageAdded', gather);
}

export interface PdfOptions {
  /**
   * Tagged PDF/UA-1 (the default): structure tree, artifacts, XMP metadata. Untagged is kept for
   * the bench, which measures what tagging costs.
   */
  tagged?: boolean;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escapeXml = (value: string) => value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

// pdfkit writes the document information into the XMP metadata as it is, unescaped, so a title
// like "Finance & Resources" would make the metadata invalid XML. The information dictionary is
// written before the metadata; the metadata is written from escaped copies.
function escapeMetadata(doc: PDFKit.PDFDocument): void {
  const target = doc as unknown as { info: Record<string, unknown>; _addInfo?: () => void };
  const addInfo = target._addInfo?.bind(doc);
  if (!addInfo) return;
  target._addInfo = () => {
    const info = target.info;
    target.info = Object.fromEntries(
      Object.entries(info).map(([key, value]) => [key, typeof value === 'string' ? escapeXml(value) : value]),
    );
    try {
      addInfo();
    } finally {
      target.info = info;
    }
  };
}

/** A new A4 document with the embedded fonts registered, and its bytes once `doc.end()` is called. */
export function createPdf(
  info: PDFKit.DocumentInfo,
  { tagged = true }: PdfOptions = {},
): {
  doc: PDFKit.PDFDocument;
  layout: Layout;
  done: Promise<Buffer>;
} {
  const fonts = documentFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'en-GB',
    displayTitle: true,
    info,
    // pdfkit supports the PDF/UA subset; its types list only the PDF/A ones.
    ...(tagged
      ? { pdfVersion: '1.7' as const, tagged: true, subset: 'PDF/UA' as unknown as PDFKit.Mixins.PDFSubsets }
      : {}),
  });
  if (tagged) {
    escapeMetadata(doc);
    useObjectStreams(doc);
  }
  gatherPageContent(doc);
  // pdfkit takes a fontkit font where its types only list file names and bytes.
  for (const key of Object.keys(fonts) as FontKey[]) doc.registerFont(key, fonts[key] as unknown as Buffer);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, layout: new Layout(doc, tagged), done };
}

export async function renderReportPdf(view: ReportView, options: PdfOptions = {}): Promise<Buffer> {
  const updated = dateOr(view.updatedAt, new Date());
  const { doc, layout, done } = createPdf(
    {
      Title: `${view.priority.code} ${view.priority.title} – progress report ${view.period.label}`,
      Author: view.organisationName,
      Subject: view.progressHeading,
      Keywords: `${view.priority.code}, ${view.period.key}, progress report`,
      Creator: 'Amber',
      CreationDate: updated,
      ModDate: updated,
    },
    options,
  );
  // One Document element holds the report's structure, in reading order.
  layout.tag('Document', () => renderReportBody(layout, view));
  decoratePages(layout, view);
  doc.end();
  return done;
}
