// Reading rendered reports back as text for tests: PDF through poppler's pdftotext, DOCX
// through mammoth and a small ZIP reader, and an in-order assertion that names what is missing.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync, inflateSync } from 'node:zlib';
import mammoth from 'mammoth';
import type { ReportView } from './report-view.ts';

function run(command: string, args: string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new Error(`${command} is not installed: install poppler-utils (apt-get install -y poppler-utils)`));
          } else {
            reject(new Error(`${command} failed: ${error.message}\n${stderr.toString('utf8')}`));
          }
          return;
        }
        resolve(stdout);
      },
    );
    child.stdin?.on('error', () => {}); // reported through the callback
    child.stdin?.end(input);
  });
}

export interface PdfTextOptions {
  /**
   * `raw` (the default) keeps the order in which text was drawn, which for our renderers is
   * reading order, table cells included; `layout` keeps the page's columns side by side.
   */
  mode?: 'raw' | 'layout';
  /** Leave out text within this many points of the top and bottom of each page (running header and footer). */
  crop?: { top: number; bottom: number };
  /** Only these pages, 1-based and inclusive. */
  pages?: { first: number; last: number };
}

const A4_HEIGHT = 841.89;
const A4_WIDTH = 595.28;

export async function pdfText(buffer: Buffer, options: PdfTextOptions = {}): Promise<string> {
  const args = [options.mode === 'layout' ? '-layout' : '-raw', '-enc', 'UTF-8'];
  if (options.crop) {
    const { top, bottom } = options.crop;
    args.push(
      '-r',
      '72',
      '-x',
      '0',
      '-y',
      String(Math.floor(top)),
      '-W',
      String(Math.ceil(A4_WIDTH)),
      '-H',
      String(Math.floor(A4_HEIGHT - top - bottom)),
    );
  }
  if (options.pages) args.push('-f', String(options.pages.first), '-l', String(options.pages.last));
  const out = await run('pdftotext', [...args, '-', '-'], buffer);
  return out.toString('utf8');
}

async function withTempPdf<T>(buffer: Buffer, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'amber-pdf-'));
  try {
    const path = join(dir, 'report.pdf');
    await writeFile(path, buffer);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PdfFont {
  name: string;
  type: string;
  embedded: boolean;
}

/** The fonts a PDF uses, as `pdffonts` lists them. */
export async function pdfFonts(buffer: Buffer): Promise<PdfFont[]> {
  const out = await withTempPdf(buffer, (path) => run('pdffonts', [path]));
  const lines = out
    .toString('utf8')
    .split('\n')
    .slice(2)
    .filter((l) => l.trim());
  return lines.map((line) => {
    // name, type (may contain spaces), encoding, emb, sub, uni, object ID (2 tokens)
    const tokens = line.trim().split(/\s+/);
    const emb = tokens.at(-5);
    return { name: tokens[0] ?? '', type: tokens.slice(1, -6).join(' '), embedded: emb === 'yes' };
  });
}

/** `pdfinfo` output as key → value ("Pages" → "3", "Page size" → "595.28 x 841.89 pts (A4)"). */
export async function pdfInfo(buffer: Buffer): Promise<Record<string, string>> {
  const out = await withTempPdf(buffer, (path) => run('pdfinfo', [path]));
  const info: Record<string, string> = {};
  for (const line of out.toString('utf8').split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) info[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return info;
}

export async function docxText(buffer: Buffer): Promise<string> {
  const result = await mammoth.extractRawText({ buffer });
  return result.value;
}

/** One file out of a ZIP archive (a DOCX), read through its central directory. */
export function zipEntry(zip: Buffer, name: string): Buffer {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a ZIP archive: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt ZIP central directory');
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    names.push(entryName);
    if (entryName === name) {
      const localNameLength = zip.readUInt16LE(localOffset + 26);
      const localExtraLength = zip.readUInt16LE(localOffset + 28);
      const start = localOffset + 30 + localNameLength + localExtraLength;
      const data = zip.subarray(start, start + compressedSize);
      if (method === 0) return Buffer.from(data);
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name} uses ZIP compression method ${method}`);
    }
    at += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive (it has ${names.join(', ')})`);
}

export function normaliseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Counts the occurrences of `fragment` in `text`, ignoring how whitespace is laid out. */
export function countOccurrences(text: string, fragment: string): number {
  const haystack = normaliseWhitespace(text);
  const needle = normaliseWhitespace(fragment);
  if (!needle) return 0;
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/**
 * Asserts each fragment appears after the one before it. Whitespace is normalised on both
 * sides, since extraction wraps lines and splits table cells.
 */
export function assertInOrder(text: string, fragments: string[]): void {
  const haystack = normaliseWhitespace(text);
  let from = 0;
  fragments.forEach((fragment, i) => {
    const needle = normaliseWhitespace(fragment);
    const at = haystack.indexOf(needle, from);
    if (at >= 0) {
      from = at + needle.length;
      return;
    }
    const anywhere = haystack.indexOf(needle);
    const where =
      anywhere >= 0
        ? `it appears only earlier, at character ${anywhere}, before fragment ${i} ended (character ${from})`
        : 'it does not appear at all';
    const context = haystack.slice(Math.max(0, from - 80), from + 160);
    const shown = needle.length > 200 ? `${needle.slice(0, 200)}… (${needle.length} characters)` : needle;
    assert.fail(
      `fragment ${i + 1} of ${fragments.length} not found in order: ${JSON.stringify(shown)}\n` +
        `${where}.\nText after the previous fragment: …${context}…`,
    );
  });
}

/**
 * Everything a rendered report must show, in the order of the seed report: each heading, each
 * paragraph, list item, group, sign-off, action, contributor, milestone and timescale.
 */
export function reportFragments(view: ReportView): string[] {
  // Each sign-off's fields; the "Date" label is where each output puts it (per row on the paper
  // form and in the PDF, once in the Word table's header row).
  const signOffs = view.signOffs.flatMap((s) => [s.decisionLabel, `(${s.roleLabel})`, s.name, s.date]);
  const actions = view.actions.flatMap((a) => [
    `${a.number}.`,
    a.description,
    ...a.contributors,
    ...a.milestones.flatMap((m) => [m.description, m.timescale]),
  ]);
  return [
    view.heading,
    `Accountable Officer – ${view.accountableOfficer?.name ?? 'Not assigned'}`,
    'Why is this a priority',
    ...view.priority.rationale,
    'Graphs',
    ...(view.graphs.length === 0 ? [view.noGraphsText] : view.graphs.map((g) => g.title)),
    view.progressHeading,
    'Overall Summary',
    ...view.summary,
    'Status:',
    view.status?.label ?? 'Not set',
    ...view.statusReason,
    'Achievements since the last report',
    ...view.achievements,
    'Challenges/Risks',
    ...view.challenges,
    'Council / Partnership Groups',
    view.groups.internal,
    view.groups.external,
    ...signOffs,
    view.actionsHeading,
    'Action (Desired Achievements)',
    'Contributory Officer / Partner',
    'Milestone / Actions',
    'Timescale',
    ...actions,
  ];
}

/** One element of a tagged PDF's structure tree, as `pdfinfo -struct-text` prints it. */
export interface StructNode {
  /** H1, P, Table, TR, TH, Figure, … */
  type: string;
  /** Attributes, e.g. { Scope: 'Column', Placement: 'Block' }. */
  attributes: Record<string, string>;
  /** Its own lines of text, in reading order (not its children's). */
  text: string[];
  children: StructNode[];
}

/**
 * The structure tree of a tagged PDF (its root elements), read with poppler's `pdfinfo
 * -struct-text`: each element's type, attributes and text. An untagged PDF has none.
 */
export async function pdfStructure(buffer: Buffer): Promise<StructNode[]> {
  const out = (await withTempPdf(buffer, (path) => run('pdfinfo', ['-struct-text', path]))).toString('utf8');
  const roots: StructNode[] = [];
  const stack: { depth: number; node: StructNode }[] = [];
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const depth = line.length - line.trimStart().length;
    const body = line.trim();
    const parent = stack.filter((s) => s.depth < depth).at(-1)?.node;
    if (body.startsWith('"')) {
      parent?.text.push(body.slice(1, body.endsWith('"') ? -1 : undefined));
      continue;
    }
    const attribute = /^\/(\w+) (.*)$/.exec(body);
    if (attribute) {
      if (parent) parent.attributes[attribute[1]!] = attribute[2]!.replace(/^\//, '');
      continue;
    }
    const type = /^(\w+)/.exec(body)?.[1];
    if (!type) continue;
    const node: StructNode = { type, attributes: {}, text: [], children: [] };
    while (stack.length && stack.at(-1)!.depth >= depth) stack.pop();
    const owner = stack.at(-1)?.node;
    if (owner) owner.children.push(node);
    else roots.push(node);
    stack.push({ depth, node });
  }
  return roots;
}

/** Every element of the tree, depth first (reading order). */
export function structElements(roots: StructNode[]): StructNode[] {
  return roots.flatMap((node) => [node, ...structElements(node.children)]);
}

/** An element's text with its descendants', joined by spaces. */
export function structText(node: StructNode): string {
  return normaliseWhitespace([...node.text, ...node.children.map(structText)].join(' '));
}

/**
 * The PDF's objects as text: the file itself, then the content of each compressed object stream
 * (where a tagged PDF keeps its structure elements).
 */
export function pdfObjectsText(buffer: Buffer): string {
  const source = buffer.toString('latin1');
  const parts = [source];
  for (const match of source.matchAll(/\/Type \/ObjStm[^>]*>>\s*stream\r?\n/g)) {
    const start = match.index + match[0].length;
    parts.push(inflateSync(buffer.subarray(start, source.indexOf('endstream', start))).toString('latin1'));
  }
  return parts.join('\n');
}

/**
 * The text alternative (/Alt) of each Figure, in the order the file holds them: poppler does not
 * print it, so it is read from the structure element's dictionary.
 */
export function pdfFigureAlternatives(buffer: Buffer): string[] {
  const source = pdfObjectsText(buffer);
  const alternatives: string[] = [];
  const figure = /\/S \/Figure\s*\/Alt (\((?:\\[\s\S]|[^\\)])*\)|<[0-9A-Fa-f\s]*>)/g;
  for (const match of source.matchAll(figure)) alternatives.push(decodePdfString(match[1]!));
  return alternatives;
}

function decodePdfString(token: string): string {
  let bytes: Buffer;
  if (token.startsWith('<')) {
    bytes = Buffer.from(token.slice(1, -1).replace(/\s+/g, ''), 'hex');
  } else {
    const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
    const literal = token
      .slice(1, -1)
      .replace(/\\([0-7]{1,3}|[\s\S])/g, (_, c: string) =>
        /^[0-7]+$/.test(c) ? String.fromCharCode(parseInt(c, 8)) : (escapes[c] ?? c),
      );
    bytes = Buffer.from(literal, 'latin1');
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    // UTF-16BE with a byte order mark, as pdfkit writes any string beyond Latin-1.
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('latin1');
}

const PAINTING = new Set(['Tj', 'TJ', "'", '"', 'f', 'F', 'f*', 'S', 's', 'B', 'B*', 'b', 'b*', 'Do', 'sh']);

/**
 * Text-showing and painting operators of the PDF's page content that are in no marked-content
 * sequence: content that is neither tagged into the structure nor marked as an artifact, which
 * PDF/UA forbids. Reads every Flate stream that draws, operator by operator, counting BDC/BMC
 * against EMC. pdfkit writes one operator per line.
 */
export function pdfUnmarkedOperations(buffer: Buffer): string[] {
  const source = buffer.toString('latin1');
  const loose: string[] = [];
  for (const match of source.matchAll(/\/Filter \/FlateDecode[^>]*>>\s*stream\r?\n/g)) {
    const start = match.index + match[0].length;
    const end = source.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(buffer.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a content stream this reader needs (fonts are streams too)
    }
    if (!/\bBT\b|\bre\b/.test(content)) continue;
    let depth = 0;
    for (const line of content.split('\n')) {
      const operator = line.trim().split(/\s+/).at(-1) ?? '';
      if (operator === 'BDC' || operator === 'BMC') depth++;
      else if (operator === 'EMC') depth--;
      else if (depth <= 0 && PAINTING.has(operator)) loose.push(line.trim().slice(0, 80));
    }
    if (depth !== 0) loose.push(`a content stream ends ${depth} marked-content sequences open`);
  }
  return loose;
}

/**
 * What poppler complains of while reading every page's text and the structure tree: syntax
 * errors, a broken cross-reference, objects it cannot find. Poppler repairs what it can and goes
 * on, so a damaged file still yields text; this is how a test notices.
 */
export async function pdfReadErrors(buffer: Buffer): Promise<string[]> {
  const stderr = (command: string, args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, err) =>
        error ? reject(new Error(`${command} failed: ${error.message}\n${err}`)) : resolve(String(err)),
      ),
    );
  const out = await withTempPdf(buffer, async (path) => [
    await stderr('pdftotext', [path, '/dev/null']),
    await stderr('pdfinfo', ['-struct', path]),
  ]);
  return out
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== '');
}
