// A diagnostic workbook read as a stream (issue 12): a large council's workbook (15,000 posts,
// 120,000 allocations) read whole by exceljs took 685 MB and spent half its CPU collecting the
// garbage of the in-memory workbook. Here exceljs's streaming reader hands over one row at a
// time and only each row's cells as text are kept, so the peak stays a few times the file.
//
// What a person sees is what is read, as platform/spreadsheet.ts reads every other file, with
// the same refusals in the same words: the zip is first checked by that file's `checkZip`
// (declared and real unpacked sizes, rows per sheet), then read; a number formatted as a
// percentage is the percentage, a date a UK date, a formula its saved result (one with none is
// refused naming the cell), a merged area its top-left value (the areas are listed so the
// sheet's reader can refuse one that joins data cells).

import type * as ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import {
  NoSavedResult,
  SpreadsheetRefused,
  cellText,
  cellValue,
  checkZip,
  loadExcel,
  type CellValue,
  type MergedArea,
  type SpreadsheetLimits,
} from '../../platform/spreadsheet.ts';
import type { RawSheet } from './diagnostic-transfer.ts';

const notAWorkbook = () =>
  new SpreadsheetRefused('The file is not a workbook Amber can read: save it in Excel as an Excel Workbook (.xlsx)');

/** Every sheet of an XLSX file as rows of text cells, read a row at a time. */
export async function readWorkbookStreaming(data: Buffer, limits: SpreadsheetLimits): Promise<RawSheet[]> {
  await checkZip(data, limits);
  const { merges, book, parts } = await prepass(data);
  const reader = new (await loadExcel()).stream.xlsx.WorkbookReader(Readable.from([data]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  // exceljs names a sheet from xl/workbook.xml, and fails on a file (its own writer's among them)
  // whose sheets come before that part in the zip: the sheet list and date system are given it
  // from the first pass; its own reading of the part, when it comes, gives the same.
  Object.assign(reader, { model: { sheets: book.sheets }, properties: { model: { date1904: book.date1904 } } });
  // exceljs reads a sheet as the zip brings it only once it holds the shared strings and the
  // workbook's relationships; a sheet that comes first (as in workbooks exceljs itself writes) it
  // parks in a temporary file and reads after the whole zip. In the suite, under load, sheets
  // read that way now and then came back without their text (every header row missing) although
  // the same file read correctly again. The first pass reads those parts (and the styles, which
  // give numbers their formats), and they are given to exceljs before the zip: every sheet is then
  // read as it comes, in one pass, with no temporary file. (exceljs re-reads the parts when the
  // zip brings them: the same content.)
  const internals = reader as unknown as {
    sharedStrings?: unknown[];
    _parseRels(entry: Readable): Promise<void>;
    _parseStyles(entry: Readable): Promise<void>;
    _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  };
  try {
    if (parts.rels) await internals._parseRels(Readable.from(pieces(parts.rels)));
    if (parts.styles) await internals._parseStyles(Readable.from(pieces(parts.styles)));
    if (parts.sharedStrings)
      for await (const _ of internals._parseSharedStrings(Readable.from(pieces(parts.sharedStrings))));
    else internals.sharedStrings = [];
  } catch {
    throw notAWorkbook();
  }
  const sheets: RawSheet[] = [];
  try {
    for await (const worksheet of reader) {
      const ws = worksheet as unknown as AsyncIterable<ExcelJS.Row> & { id: string | number; name: string };
      const where = `Sheet "${ws.name}"`;
      const areas = merges.get(ws.name) ?? [];
      const rows: RawSheet['rows'] = [];
      for await (const row of ws) {
        if (row.cellCount > limits.columns)
          throw new SpreadsheetRefused(
            `${where} has ${row.cellCount.toLocaleString('en-GB')} columns; Amber reads at most ${limits.columns.toLocaleString('en-GB')}: delete the columns that are not data`,
          );
        const cells: CellValue[] = [];
        for (let c = 1; c <= row.cellCount; c++) {
          // A merged area shows its value once, in its top-left cell.
          if (areas.some((a) => inside(a, row.number, c) && (a.top !== row.number || a.left !== c))) {
            cells.push('');
            continue;
          }
          const cell = row.getCell(c);
          try {
            cells.push(cellValue(cell));
          } catch (error) {
            if (!(error instanceof NoSavedResult)) throw error;
            throw new SpreadsheetRefused(
              `${where}, cell ${cell.address} holds a formula whose result was never saved, so Amber cannot know its value: open the file in Excel, save it, and upload it again`,
            );
          }
        }
        if (cells.some((c) => c !== '')) rows.push({ number: row.number, cells: cells.map(cellText) });
      }
      sheets.push({ name: ws.name, rows, merges: areas });
    }
  } catch (error) {
    if (error instanceof SpreadsheetRefused) throw error;
    throw notAWorkbook();
  }
  return sheets;
}

/**
 * A part as text in pieces of at most 16,384 characters, as the zip brings a sheet (zlib's 16 KB
 * chunks). exceljs's parse-sax keeps every event of a piece until the piece is parsed, so given
 * whole, the shared strings (400 KB for a large council) are alive all at once. A young collection
 * that falls then, with the young generation small (a fresh process, a worker), sees every object
 * of saxes's and parse-sax's allocation sites surviving, and V8 from then on allocates those
 * objects straight in the old generation (allocation-site pretenuring, which it seldom undoes).
 * The sheets' ~1.8 GB of short-lived parse objects then land there, and what they point to is
 * copied there too: reading the workbook alone promoted ~265 MB, and ~290 MB in a worker with a
 * 16 MB young generation, against ~40 MB and ~55 MB (mostly the rows kept) in pieces. Text, not
 * bytes: exceljs decodes each piece on its own, so a character cut between two would be lost; a
 * piece never ends between the two halves of a surrogate pair.
 */
export function* pieces(part: Buffer, size = 16_384): Generator<string> {
  const text = new TextDecoder().decode(part); // as exceljs decodes bytes (a byte-order mark dropped)
  for (let at = 0; at < text.length;) {
    let end = Math.min(text.length, at + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(at, end);
    at = end;
  }
}

const inside = (a: MergedArea, row: number, col: number) =>
  row >= a.top && row <= a.bottom && col >= a.left && col <= a.right;

// ---------------------------------------------------------------------------------------------
// Merged areas: exceljs's streaming reader skips them, so they are found in a pass of their own
// over each sheet's XML (they come after the rows), as a stream, keeping only the ranges.

const MERGE = /<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"/g;

interface Book {
  sheets: { name: string; id: number; rId: string }[];
  date1904: boolean;
}

const xmlText = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
const attribute = (tag: string, name: string) => {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? xmlText(m[1]!) : undefined;
};

/** The merged areas of each sheet (by the number of its part) and the workbook's sheet list. */
/** The parts exceljs needs before the sheets (see readWorkbookStreaming), as the file holds them. */
interface Parts {
  rels?: Buffer;
  styles?: Buffer;
  sharedStrings?: Buffer;
}

async function prepass(data: Buffer): Promise<{ merges: Map<string, MergedArea[]>; book: Book; parts: Parts }> {
  const out = new Map<string, MergedArea[]>();
  const parts: Parts = {};
  const book: Book = { sheets: [], date1904: false };
  const fileOf = new Map<string, string>(); // relationship id → the number of the sheet's part
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch {
    throw notAWorkbook();
  }
  try {
    const entries: yauzl.Entry[] = [];
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (
          /^xl\/worksheets\/sheet\d+\.xml$/.test(entry.fileName) ||
          entry.fileName === 'xl/workbook.xml' ||
          entry.fileName === 'xl/_rels/workbook.xml.rels' ||
          entry.fileName === 'xl/styles.xml' ||
          entry.fileName === 'xl/sharedStrings.xml'
        )
          entries.push(entry);
        zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', () => reject(notAWorkbook()));
      zip.readEntry();
    });
    for (const entry of entries) {
      if (entry.fileName === 'xl/styles.xml' || entry.fileName === 'xl/sharedStrings.xml') {
        parts[entry.fileName === 'xl/styles.xml' ? 'styles' : 'sharedStrings'] = await partBytes(zip, entry);
        continue;
      }
      if (entry.fileName === 'xl/_rels/workbook.xml.rels') {
        parts.rels = await partBytes(zip, entry);
        const xml = parts.rels.toString('utf8');
        for (const [tag] of xml.matchAll(/<(?:\w+:)?Relationship\s[^>]*>/g)) {
          const id = attribute(tag, 'Id');
          const target = /sheet(\d+)\.xml$/.exec(attribute(tag, 'Target') ?? '');
          if (id !== undefined && target) fileOf.set(id, target[1]!);
        }
        continue;
      }
      if (entry.fileName === 'xl/workbook.xml') {
        const xml = await wholePart(zip, entry);
        for (const [tag] of xml.matchAll(/<(?:\w+:)?sheet\s[^>]*>/g)) {
          const name = attribute(tag, 'name');
          const rId = attribute(tag, '(?:\\w+:)?id');
          if (name !== undefined && rId !== undefined)
            book.sheets.push({ name, id: Number(attribute(tag, 'sheetId') ?? 0), rId });
        }
        const pr = /<(?:\w+:)?workbookPr\s[^>]*>/.exec(xml)?.[0];
        book.date1904 = pr ? /^(1|true)$/.test(attribute(pr, 'date1904') ?? '') : false;
        continue;
      }
      const sheetNo = /sheet(\d+)\.xml$/.exec(entry.fileName)![1]!;
      const areas: MergedArea[] = [];
      let tail = '';
      const stream = await zip.openReadStreamPromise(entry);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const text = tail + chunk.toString('latin1');
        // Only whole tags are read: from the last "<" on, the text carries over to the next chunk.
        const cut = Math.max(0, text.lastIndexOf('<'));
        for (const m of text.slice(0, cut).matchAll(MERGE)) areas.push(mergedArea(m[1]!));
        tail = text.slice(cut);
      }
      for (const m of tail.matchAll(MERGE)) areas.push(mergedArea(m[1]!));
      if (areas.length > 0) out.set(sheetNo, areas);
    }
  } catch (error) {
    if (error instanceof SpreadsheetRefused) throw error;
    throw notAWorkbook();
  } finally {
    zip.close();
  }
  // By sheet name: exceljs gives a streamed sheet its name, and its sheetId rather than its part.
  const byName = new Map<string, MergedArea[]>();
  for (const sheet of book.sheets) {
    const file = fileOf.get(sheet.rId);
    const areas = file === undefined ? undefined : out.get(file);
    if (areas) byName.set(sheet.name, areas);
  }
  return { merges: byName, book, parts };
}

async function partBytes(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await zip.openReadStreamPromise(entry)) as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const wholePart = async (zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> =>
  (await partBytes(zip, entry)).toString('utf8');

const columnNumber = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

function mergedArea(range: string): MergedArea {
  const [from, to = from] = range.split(':') as [string, string?];
  const at = (ref: string) => {
    const m = /^\$?([A-Z]+)\$?(\d+)$/.exec(ref.toUpperCase());
    return m ? { col: columnNumber(m[1]!), row: Number(m[2]) } : { col: 0, row: 0 };
  };
  const a = at(from);
  const b = at(to);
  return {
    range,
    top: Math.min(a.row, b.row),
    left: Math.min(a.col, b.col),
    bottom: Math.max(a.row, b.row),
    right: Math.max(a.col, b.col),
  };
}
