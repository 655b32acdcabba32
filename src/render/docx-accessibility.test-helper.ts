// An accessibility check of a Word document (DOCX) for the tests: what Word's Accessibility
// Checker, and the GOV.UK guidance councils follow when publishing documents under the Public
// Sector Bodies Accessibility Regulations, would flag in a file Amber writes. It opens the
// package (a ZIP) with fflate, parses its parts with the strict reader of the chart tests, and
// returns the problems found, each with the rule broken, the part and where in it.
//
// Rules (one `DocxRule` each):
// - title: docProps/core.xml has a dc:title (Word shows it, PDFs exported from Word keep it).
// - language: the document defaults (styles.xml) set w:lang, to en-GB unless told otherwise.
// - heading-order / empty-heading: the first heading is a Heading 1 and no heading skips a
//   level on the way down (H1 → H3); no heading is empty.
// - fake-heading: no paragraph outside a table is bold throughout (directly or by its style)
//   unless it is in a heading, title, subtitle, caption or contents style, or is a list item.
// - alt-text: every picture has a description (wp:docPr descr), not a file name, unless it is
//   marked decorative; VML pictures and embedded objects count as pictures without one.
// - floating-image: every picture is in line with text (wp:inline, not wp:anchor).
// - table-header / merged-cells / nested-table / empty-cell: every table's first row is a
//   header row (w:tblHeader), no cell is merged across columns (its column header becomes
//   ambiguous) nor down rows in a table without a header row, no table is inside another, and
//   no cell is blank (a screen reader says "blank"). A cell merged down a table that has its
//   header row keeps one column, so its header is known: the key actions table merges each
//   action's number, description and contributors down beside its milestones, which keeps each
//   milestone read with its timescale (repeating the action on every row would read it again
//   each time, splitting the milestones into another table would part them from their action).
// - empty-paragraph: no empty paragraph makes space (a paragraph holding only section
//   properties, a page break, a field or a picture is not empty).
// - blank-characters: no tab, no two spaces in a row and no repeated line break lines things up.
// - colour-only: no shaded run or cell without text in it (the colour would be saying it).
// - contrast: text against its shading (or the white page) is at least 4.5:1, 3:1 when large
//   (18 pt, or 14 pt bold), as WCAG 2.2 1.4.3 asks.
// - link-text: no link is empty, a bare address or "click here".
//
// Headers and footers (word/header*.xml, word/footer*.xml) are checked like the body, but for
// headings, which only the body has.

import { strFromU8, unzipSync } from 'fflate';
import { parseXml, textContent, type XmlElement } from './charts/xml.test-helper.ts';

export type DocxRule =
  | 'title'
  | 'language'
  | 'heading-order'
  | 'empty-heading'
  | 'fake-heading'
  | 'alt-text'
  | 'floating-image'
  | 'table-header'
  | 'merged-cells'
  | 'nested-table'
  | 'empty-cell'
  | 'empty-paragraph'
  | 'blank-characters'
  | 'colour-only'
  | 'contrast'
  | 'link-text';

export interface DocxProblem {
  rule: DocxRule;
  /** The package part: "word/document.xml", "word/header1.xml", "docProps/core.xml"… */
  part: string;
  /** `paragraph "…"`, `table "first | row | cells"`, `picture "name"` or the part itself. */
  where: string;
  message: string;
}

export interface DocxHeading {
  level: number;
  text: string;
}

export interface DocxPicture {
  name: string;
  title: string;
  description: string;
  decorative: boolean;
  inline: boolean;
}

export interface DocxAccessibility {
  title: string;
  language: string | undefined;
  /** The body's headings in order (Heading 1 to 9). */
  headings: DocxHeading[];
  /** Every picture of the body, headers and footers in order. */
  pictures: DocxPicture[];
  /** Every table of the body: its first row's cells and whether that row is a header row. */
  tables: { firstRow: string[]; headerRow: boolean }[];
  problems: DocxProblem[];
}

// ---- reading the package --------------------------------------------------------------------------

const WHITE = 'FFFFFF';
/** Word's own defaults when neither the document defaults nor a style set them. */
const WORD_DEFAULT_SIZE = 20;

function children(el: XmlElement, name?: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && (!name || c.name === name));
}

function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el ? children(el, name)[0] : undefined;
}

/** Descendants named `name`, not looking inside elements named in `stop`. */
function descendants(el: XmlElement, name: string, stop: string[] = []): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of children(el)) {
    if (c.name === name) out.push(c);
    if (!stop.includes(c.name)) out.push(...descendants(c, name, stop));
  }
  return out;
}

const val = (el: XmlElement | undefined) => el?.attributes['w:val'];

/** An on/off property (w:b, w:tblHeader…): present and not switched off. */
function isOn(el: XmlElement | undefined): boolean | undefined {
  if (!el) return undefined;
  const v = val(el);
  return v === undefined || !['0', 'false', 'off'].includes(v);
}

const fillOf = (shd: XmlElement | undefined): string | undefined => {
  const fill = shd?.attributes['w:fill'];
  return fill && fill.toLowerCase() !== 'auto' ? fill.toUpperCase() : undefined;
};

const HIGHLIGHTS: Record<string, string> = {
  yellow: 'FFFF00',
  green: '00FF00',
  cyan: '00FFFF',
  magenta: 'FF00FF',
  blue: '0000FF',
  red: 'FF0000',
  darkBlue: '000080',
  darkCyan: '008080',
  darkGreen: '008000',
  darkMagenta: '800080',
  darkRed: '800000',
  darkYellow: '808000',
  darkGray: '808080',
  lightGray: 'C0C0C0',
  black: '000000',
  white: 'FFFFFF',
};

interface RunFormat {
  bold?: boolean;
  color?: string;
  size?: number;
  fill?: string;
}

function runFormat(rPr: XmlElement | undefined): RunFormat {
  if (!rPr) return {};
  const color = val(child(rPr, 'w:color'));
  const size = val(child(rPr, 'w:sz'));
  const highlight = val(child(rPr, 'w:highlight'));
  const format: RunFormat = {};
  const bold = isOn(child(rPr, 'w:b'));
  if (bold !== undefined) format.bold = bold;
  if (color) format.color = color.toLowerCase() === 'auto' ? 'auto' : color.toUpperCase();
  if (size) format.size = Number(size);
  const fill = fillOf(child(rPr, 'w:shd')) ?? (highlight && highlight !== 'none' ? HIGHLIGHTS[highlight] : undefined);
  if (fill) format.fill = fill;
  return format;
}

interface Style {
  id: string;
  name: string;
  basedOn: string | undefined;
  run: RunFormat;
  /** The heading level its name or outline level gives it (1–9), if any. */
  outlineLevel: number | undefined;
}

class Styles {
  readonly byId = new Map<string, Style>();
  readonly defaults: RunFormat;
  readonly language: string | undefined;
  readonly defaultParagraph: string;

  constructor(xml: XmlElement | undefined) {
    const rPr = xml ? child(child(child(xml, 'w:docDefaults'), 'w:rPrDefault'), 'w:rPr') : undefined;
    this.defaults = runFormat(rPr);
    this.language = rPr ? child(rPr, 'w:lang')?.attributes['w:val'] : undefined;
    let defaultParagraph = 'Normal';
    for (const s of xml ? children(xml, 'w:style') : []) {
      const id = s.attributes['w:styleId'] ?? '';
      const name = val(child(s, 'w:name')) ?? id;
      if (s.attributes['w:type'] === 'paragraph' && ['1', 'true', 'on'].includes(s.attributes['w:default'] ?? ''))
        defaultParagraph = id;
      const outline = val(child(child(s, 'w:pPr'), 'w:outlineLvl'));
      const named = /^heading ([1-9])$/i.exec(name) ?? /^Heading([1-9])$/.exec(id);
      this.byId.set(id, {
        id,
        name,
        basedOn: val(child(s, 'w:basedOn')),
        run: runFormat(child(s, 'w:rPr')),
        // Outline level 9 is body text.
        outlineLevel: named
          ? Number(named[1])
          : outline !== undefined && Number(outline) < 9
            ? Number(outline) + 1
            : undefined,
      });
    }
    this.defaultParagraph = defaultParagraph;
  }

  /** The chain of a style and those it is based on, nearest first. */
  chain(id: string | undefined): Style[] {
    const out: Style[] = [];
    for (
      let s = id ? this.byId.get(id) : undefined;
      s && !out.includes(s);
      s = s.basedOn ? this.byId.get(s.basedOn) : undefined
    )
      out.push(s);
    return out;
  }

  lookup<K extends keyof RunFormat>(key: K, ...ids: (string | undefined)[]): RunFormat[K] {
    for (const id of ids) for (const s of this.chain(id)) if (s.run[key] !== undefined) return s.run[key];
    return this.defaults[key];
  }
}

// ---- colour ---------------------------------------------------------------------------------------

function luminance(hex: string): number {
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

// ---- the check ------------------------------------------------------------------------------------

const snippet = (s: string, max = 60) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
};

/** Styles a bold paragraph may be in: they say what the paragraph is. */
const NAMED_ROLES = /^(heading [1-9]|title|subtitle|caption|toc [1-9]|toc heading)$/i;

interface Run {
  text: string;
  format: RunFormat;
  rStyle: string | undefined;
}

interface ParagraphInfo {
  el: XmlElement;
  style: string;
  text: string;
  runs: Run[];
  listItem: boolean;
  /** Holds a picture, a field, section properties or a page break: not empty, whatever its text. */
  structural: boolean;
  fill: string | undefined;
}

/**
 * What a run shows: its text, a tab as \t and a line break as \n. A field (PAGE, NUMPAGES…) shows
 * its result, which Word works out when it lays the page out: here it is a #. Its instructions
 * are not shown.
 */
function runText(r: XmlElement): string {
  let out = '';
  for (const c of children(r)) {
    if (c.name === 'w:t') out += textContent(c);
    else if (c.name === 'w:fldChar' && c.attributes['w:fldCharType'] === 'begin') out += '#';
    else if (c.name === 'w:tab' || c.name === 'w:ptab') out += '\t';
    else if (c.name === 'w:br' && (c.attributes['w:type'] ?? 'textWrapping') === 'textWrapping') out += '\n';
    else if (c.name === 'w:cr') out += '\n';
  }
  return out;
}

class Checker {
  readonly problems: DocxProblem[] = [];
  readonly headings: DocxHeading[] = [];
  readonly pictures: DocxPicture[] = [];
  readonly tables: { firstRow: string[]; headerRow: boolean }[] = [];

  private readonly styles: Styles;
  constructor(styles: Styles) {
    this.styles = styles;
  }

  report(rule: DocxRule, part: string, where: string, message: string): void {
    this.problems.push({ rule, part, where, message });
  }

  paragraph(p: XmlElement): ParagraphInfo {
    const pPr = child(p, 'w:pPr');
    const style = val(child(pPr, 'w:pStyle')) ?? this.styles.defaultParagraph;
    const runs = descendants(p, 'w:r', ['w:drawing', 'w:pict', 'w:object', 'w:txbxContent']).map((r) => {
      const rPr = child(r, 'w:rPr');
      return { text: runText(r), format: runFormat(rPr), rStyle: val(child(rPr, 'w:rStyle')) };
    });
    const structural =
      Boolean(child(pPr, 'w:sectPr')) ||
      descendants(p, 'w:drawing').length > 0 ||
      descendants(p, 'w:pict').length > 0 ||
      descendants(p, 'w:object').length > 0 ||
      descendants(p, 'w:fldSimple').length > 0 ||
      descendants(p, 'w:instrText').length > 0 ||
      descendants(p, 'w:br').some((b) => b.attributes['w:type'] === 'page');
    return {
      el: p,
      style,
      text: runs.map((r) => r.text).join(''),
      runs,
      listItem: Boolean(child(pPr, 'w:numPr')),
      structural,
      fill: fillOf(child(pPr, 'w:shd')),
    };
  }

  /** The blocks of a body, cell, header or footer: paragraphs and tables (and those inside content controls). */
  blocks(container: XmlElement, part: string, cellFill: string | undefined, inTable: boolean): void {
    for (const c of children(container)) {
      if (c.name === 'w:p') this.checkParagraph(this.paragraph(c), part, cellFill, inTable);
      else if (c.name === 'w:tbl') this.checkTable(c, part, inTable);
      else if (c.name === 'w:sdt') {
        const content = child(c, 'w:sdtContent');
        if (content) this.blocks(content, part, cellFill, inTable);
      }
    }
  }

  checkParagraph(p: ParagraphInfo, part: string, cellFill: string | undefined, inTable: boolean): void {
    const where = `paragraph "${snippet(p.text)}"`;
    const visible = p.text.trim() !== '';
    const styleName = this.styles.byId.get(p.style)?.name ?? p.style;
    const level = this.styles.chain(p.style).find((s) => s.outlineLevel !== undefined)?.outlineLevel;

    if (part === 'word/document.xml' && !inTable && level !== undefined) {
      if (!visible) this.report('empty-heading', part, where, `an empty ${styleName}`);
      const previous = this.headings.at(-1);
      if (!previous && level !== 1)
        this.report('heading-order', part, where, `the first heading is a Heading ${level}, not a Heading 1`);
      else if (previous && level > previous.level + 1)
        this.report(
          'heading-order',
          part,
          where,
          `a Heading ${level} straight after a Heading ${previous.level}: Heading ${previous.level + 1} is skipped`,
        );
      this.headings.push({ level, text: p.text.trim() });
    }

    if (!visible && !p.structural && !inTable && level === undefined)
      this.report('empty-paragraph', part, where, 'an empty paragraph: space belongs in paragraph spacing');

    if (/\t/.test(p.text)) this.report('blank-characters', part, where, 'a tab character lines text up');
    else if (/ {2}/.test(p.text)) this.report('blank-characters', part, where, 'two or more spaces in a row');
    else if (/\n\s*\n/.test(p.text)) this.report('blank-characters', part, where, 'repeated line breaks');

    const shown = p.runs.filter((r) => r.text.trim() !== '');
    const bold = (r: Run) => r.format.bold ?? this.styles.lookup('bold', r.rStyle, p.style) ?? false;
    if (
      part === 'word/document.xml' &&
      !inTable &&
      level === undefined &&
      !p.listItem &&
      shown.length > 0 &&
      !this.styles.chain(p.style).some((s) => NAMED_ROLES.test(s.name)) &&
      shown.every(bold)
    )
      this.report('fake-heading', part, where, 'a paragraph in bold throughout, not in a heading style');

    for (const r of p.runs) {
      const background = r.format.fill ?? p.fill ?? cellFill ?? WHITE;
      if ((r.format.fill ?? this.styles.lookup('fill', r.rStyle)) && !/[\p{L}\p{N}]/u.test(r.text))
        this.report('colour-only', part, where, 'shaded text with no word in it: the colour alone says something');
      if (r.text.trim() === '') continue;
      const colour = r.format.color ?? this.styles.lookup('color', r.rStyle, p.style) ?? 'auto';
      if (colour === 'auto') continue; // Word picks black or white against the background
      const size = r.format.size ?? this.styles.lookup('size', r.rStyle, p.style) ?? WORD_DEFAULT_SIZE;
      const large = size >= 36 || (size >= 28 && bold(r));
      const ratio = contrastRatio(colour, background);
      if (ratio < (large ? 3 : 4.5))
        this.report(
          'contrast',
          part,
          `${where}, "${snippet(r.text, 30)}"`,
          `#${colour} on #${background} is ${ratio.toFixed(2)}:1, below ${large ? '3' : '4.5'}:1`,
        );
    }

    for (const link of descendants(p.el, 'w:hyperlink')) {
      const label = descendants(link, 'w:r').map(runText).join('').trim();
      if (label === '') this.report('link-text', part, where, 'a link with no text');
      else if (/^(https?:\/\/|www\.)\S+$/i.test(label))
        this.report('link-text', part, where, `a link whose text is its address: "${label}"`);
      else if (/^(click here|here|more|read more|link|this link)$/i.test(label))
        this.report('link-text', part, where, `a link that says only "${label}"`);
    }

    for (const drawing of descendants(p.el, 'w:drawing')) this.checkPicture(drawing, part);
    for (const old of [...descendants(p.el, 'w:pict'), ...descendants(p.el, 'w:object')]) {
      const alt = descendants(old, 'v:shape')
        .map((s) => s.attributes.alt ?? '')
        .join('')
        .trim();
      if (!alt)
        this.report(
          'alt-text',
          part,
          where,
          `a ${old.name === 'w:object' ? 'embedded object' : 'VML picture'} without alternative text`,
        );
    }
  }

  checkPicture(drawing: XmlElement, part: string): void {
    const frame = child(drawing, 'wp:inline') ?? child(drawing, 'wp:anchor');
    const docPr = child(frame, 'wp:docPr');
    const name = docPr?.attributes.name ?? '';
    const description = (docPr?.attributes.descr ?? '').trim();
    const decorative = docPr
      ? allDescendants(docPr).some((e) => /:decorative$/.test(e.name) && ['1', 'true'].includes(e.attributes.val ?? ''))
      : false;
    const picture: DocxPicture = {
      name,
      title: docPr?.attributes.title ?? '',
      description,
      decorative,
      inline: frame?.name === 'wp:inline',
    };
    this.pictures.push(picture);
    const where = `picture "${snippet(name || '(no name)')}"`;
    if (!picture.inline)
      this.report(
        'floating-image',
        part,
        where,
        'a picture that floats over the text: readers may meet it out of order',
      );
    if (decorative) return;
    if (description === '') this.report('alt-text', part, where, 'a picture without a description (wp:docPr descr)');
    else if (/\.(png|jpe?g|gif|svg|bmp|tiff?|emf|wmf|webp)$/i.test(description) || description === name)
      this.report('alt-text', part, where, `a picture described only by a file name: "${description}"`);
  }

  cellText(tc: XmlElement): string {
    return descendants(tc, 'w:p')
      .map((p) => this.paragraph(p).text)
      .join(' ');
  }

  checkTable(tbl: XmlElement, part: string, nested: boolean): void {
    const rows = children(tbl, 'w:tr');
    const firstRow = children(rows[0] ?? tbl, 'w:tc').map((tc) => this.cellText(tc).trim());
    const where = `table "${snippet(firstRow.join(' | '), 80)}"`;
    const headerRow = isOn(child(child(rows[0], 'w:trPr'), 'w:tblHeader')) ?? false;
    if (!nested) this.tables.push({ firstRow, headerRow });
    if (nested) this.report('nested-table', part, where, 'a table inside another table');
    if (!headerRow)
      this.report('table-header', part, where, 'the first row is not marked as a header row (w:tblHeader)');
    let mergedAcross = false;
    let mergedDown = false;
    rows.forEach((tr, r) => {
      for (const tc of children(tr, 'w:tc')) {
        const tcPr = child(tc, 'w:tcPr');
        const vMerge = child(tcPr, 'w:vMerge');
        const span = Number(val(child(tcPr, 'w:gridSpan')) ?? 1);
        if (span > 1 || child(tcPr, 'w:hMerge')) mergedAcross = true;
        if (vMerge) mergedDown = true;
        const continued = vMerge !== undefined && val(vMerge) !== 'restart';
        const fill = fillOf(child(tcPr, 'w:shd'));
        const text = this.cellText(tc).trim();
        const picture = descendants(tc, 'w:drawing').length > 0;
        if (!continued && text === '' && !picture)
          this.report(
            fill ? 'colour-only' : 'empty-cell',
            part,
            `${where}, row ${r + 1}`,
            fill ? 'a shaded cell with no text: the colour alone says something' : 'a blank cell',
          );
        // A cell's own paragraphs: an empty one beside others is spacing.
        const paragraphs = children(tc, 'w:p').map((p) => this.paragraph(p));
        if (paragraphs.length > 1)
          for (const p of paragraphs)
            if (p.text.trim() === '' && !p.structural)
              this.report('empty-paragraph', part, `${where}, row ${r + 1}`, 'an empty paragraph in a cell');
        this.blocks(tc, part, fill, true);
      }
    });
    if (mergedAcross)
      this.report('merged-cells', part, where, 'cells merged across columns: their headers cannot be told apart');
    else if (mergedDown && !headerRow)
      this.report('merged-cells', part, where, 'cells merged down a table without a header row');
  }
}

function allDescendants(el: XmlElement): XmlElement[] {
  return children(el).flatMap((c) => [c, ...allDescendants(c)]);
}

/** The package's parts as text, by name. */
export function docxParts(docx: Uint8Array): Map<string, string> {
  const files = unzipSync(docx);
  return new Map(Object.entries(files).map(([name, data]) => [name, strFromU8(data)]));
}

export interface DocxCheckOptions {
  /** The language the document defaults must set (BCP 47, as Word writes it). */
  language?: string;
}

/** Checks a DOCX; see the rules at the top of this file. */
export function checkDocxAccessibility(docx: Uint8Array, options: DocxCheckOptions = {}): DocxAccessibility {
  const language = options.language ?? 'en-GB';
  const parts = docxParts(docx);
  const xml = (name: string) => {
    const source = parts.get(name);
    return source === undefined ? undefined : parseXml(source);
  };
  const styles = new Styles(xml('word/styles.xml'));
  const checker = new Checker(styles);

  const core = xml('docProps/core.xml');
  const titleElement = core ? child(core, 'dc:title') : undefined;
  const title = titleElement ? textContent(titleElement).trim() : '';
  if (title === '') checker.report('title', 'docProps/core.xml', 'dc:title', 'the document has no title');
  if (styles.language === undefined)
    checker.report('language', 'word/styles.xml', 'w:docDefaults', `no language is set: it should be ${language}`);
  else if (styles.language !== language)
    checker.report(
      'language',
      'word/styles.xml',
      'w:docDefaults',
      `the language is ${styles.language}, not ${language}`,
    );

  const document = xml('word/document.xml');
  const body = child(document, 'w:body');
  if (!body) throw new Error('word/document.xml has no w:body: not a Word document');
  checker.blocks(body, 'word/document.xml', undefined, false);
  const furniture = [...parts.keys()].filter((n) => /^word\/(header|footer)\d*\.xml$/.test(n)).sort();
  for (const name of furniture) checker.blocks(xml(name)!, name, undefined, false);

  return {
    title,
    language: styles.language,
    headings: checker.headings,
    pictures: checker.pictures,
    tables: checker.tables,
    problems: checker.problems,
  };
}

/** The problems one per line, for an assertion's message. */
export function describeProblems(problems: DocxProblem[]): string {
  return problems.length === 0
    ? 'no problems'
    : problems.map((p) => `- ${p.rule} in ${p.part} at ${p.where}: ${p.message}`).join('\n');
}
