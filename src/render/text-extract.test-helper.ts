// Reading rendered reports back as text for tests: PDF through poppler's pdftotext, DOCX
// through mammoth and a small ZIP reader, and an in-order assertion that names what is missing.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
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
  const signOffs = view.signOffs.flatMap((s) => [s.decisionLabel, `(${s.roleLabel})`, s.name, 'Date', s.date]);
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
