// Every spreadsheet Amber reads — an XLSX workbook or a CSV file, uploaded as indicator values,
// indicator definitions or a diagnostic's data — is read here, one way, within one set of limits
// (config.ts `InputLimits`). Callers get sheets of rows of cells and decide what the columns mean.
//
// An XLSX file is a zip of XML, and a 1 MB one can unpack to 1 GB. Before anything is parsed, the
// sizes its central directory declares are added up, then every part is unpacked as a stream
// (yauzl over zlib) and abandoned the moment it unpacks to more than it declares or a sheet has
// more rows than allowed; only then is it parsed (exceljs). What is read is what a person sees in Excel:
//   - a number formatted as a percentage is the percentage (0.955 shown as 95.5% is "95.5");
//   - a date is a Date, a true/false cell is "TRUE"/"FALSE", rich text is its plain text;
//   - a formula is its saved result; one with none (a file written by a program, never opened
//     in Excel) is refused naming the cell, since Amber cannot work it out;
//   - a merged area shows one value, in its top-left cell, and the others are blank; the areas
//     are listed (`merges`) so the caller can refuse one that spans what it reads.
// CSV is decoded by platform/csv.ts (UTF-8 with or without a byte order mark, UTF-16, Windows-1252).

import { megabytes } from '../domain/limits.ts';
import type * as ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ValidationError } from '../domain/errors.ts';
import type { InputLimits } from '../config.ts';
import { CsvSyntaxError, readCsv, unguardFormula } from './csv.ts';
import { WorkerOutOfMemoryError, WorkerPool, WorkerTimeoutError, formatSeconds } from './workers/workers.ts';

/**
 * The spreadsheet library, loaded on first use: it is ~450 modules (a quarter of what the app
 * loads, ~0.5 s of a start), and a command or a server that never reads or writes a workbook
 * should not pay for it.
 */
export async function loadExcel(): Promise<typeof ExcelJS> {
  return ((await import('exceljs')) as unknown as { default: typeof ExcelJS }).default;
}

/** A cell: its text as shown, or a Date where the sheet holds a date. */
export type CellValue = string | Date;

export interface SheetRow {
  /** The row's number as the spreadsheet shows it (1 is the first). */
  number: number;
  cells: CellValue[];
}

/** A merged area, as Excel names it (`Q5:R5`), with its rows and columns (1-based). */
export interface MergedArea {
  range: string;
  top: number;
  left: number;
  bottom: number;
  right: number;
}

export interface Sheet {
  /** The sheet's name; a CSV file's is empty. */
  name: string;
  /** The rows that hold anything, in order, each with its number. */
  rows: SheetRow[];
  merges: MergedArea[];
}

export interface SpreadsheetLimits {
  /** What an XLSX may unpack to, in bytes, all its entries together. */
  expandedBytes: number;
  /** Rows in one sheet. */
  rows: number;
  /** Columns in one sheet. */
  columns: number;
}

/** A file Amber will not read; the message says why and what to do, and names the sheet or cell. */
export class SpreadsheetRefused extends ValidationError {
  constructor(message: string) {
    super([{ field: 'file', message }]);
  }
}

/** The spreadsheet limits of the deployment's settings. */
export const spreadsheetLimits = (limits: InputLimits): SpreadsheetLimits => ({
  expandedBytes: limits.expandedBytes,
  rows: limits.sheetRows,
  columns: limits.sheetColumns,
});

/** An upload bigger than the setting allows (checked again here: not every door is a web form). */
export const tooLarge = (bytes: number) =>
  new SpreadsheetRefused(`The selected file must be smaller than ${megabytes(bytes)}`);

const MAX_ENTRIES = 10_000;

export const isXlsx = (data: Uint8Array) =>
  data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04;

/**
 * An XLSX file (by its zip signature) as its sheets, or a CSV file as one sheet. Throws
 * SpreadsheetRefused (a ValidationError on `file`) for anything it will not read.
 */
export async function readSpreadsheet(data: Buffer, limits: SpreadsheetLimits): Promise<Sheet[]> {
  if (isXlsx(data)) {
    await checkZip(data, limits);
    return readXlsx(data, limits);
  }
  return [readCsvSheet(data, limits)];
}

// ---------------------------------------------------------------------------------------------
// Off the event loop

/** The heap a workbook may take to read (exceljs builds it whole), and how long it may take. */
export const READER_LIMITS = { maxOldGenerationSizeMb: 768, timeoutMs: 2 * 60_000 } as const;

// One reader thread of its own, so an upload never waits behind a board pack being rendered.
let readers: WorkerPool | undefined;

/** A CSV file smaller than this is read on the main thread: it takes a few milliseconds. */
const CSV_IN_THREAD_BYTES = 1024 * 1024;

/**
 * As readSpreadsheet, in a worker thread whose heap is bounded: every XLSX file, and a CSV file
 * of more than 1 MB. The web server keeps answering while a big file is parsed, and one that
 * needs more memory or time than READER_LIMITS allows is refused like any other file, not the
 * end of the process.
 */
export async function readSpreadsheetOffThread(data: Buffer, limits: SpreadsheetLimits): Promise<Sheet[]> {
  if (!isXlsx(data) && data.length < CSV_IN_THREAD_BYTES) return readSpreadsheet(data, limits);
  readers ??= new WorkerPool({ maxWorkers: 1, maxQueued: 20 });
  let answer: ReaderAnswer;
  try {
    answer = await readers.run<ReaderAnswer>(
      { module: new URL(import.meta.url), fn: 'readSpreadsheetTask', input: { data: new Uint8Array(data), limits } },
      READER_LIMITS,
    );
  } catch (error) {
    throw refusedIfTooBig(error, READER_LIMITS, 'split it into smaller files, or delete what is not data');
  }
  // A CSV syntax error comes back as data, so the caller can still name the sheet and row.
  if ('csvSyntax' in answer)
    throw new CsvSyntaxError(answer.csvSyntax.row, answer.csvSyntax.line, answer.csvSyntax.reason);
  return answer.sheets;
}

/**
 * A file read in a worker that needed more memory or time than its limits allow, refused as too
 * big with what to do about it (`whatToDo`); any other error as it is.
 */
export function refusedIfTooBig(
  error: unknown,
  limits: { maxOldGenerationSizeMb: number; timeoutMs: number },
  whatToDo: string,
): unknown {
  if (!(error instanceof WorkerOutOfMemoryError || error instanceof WorkerTimeoutError)) return error;
  return new SpreadsheetRefused(
    `The file is too big for Amber to read in one go (it needed more than ${limits.maxOldGenerationSizeMb} MB or ${formatSeconds(limits.timeoutMs)}): ${whatToDo}`,
  );
}

type ReaderAnswer = { sheets: Sheet[] } | { csvSyntax: { row: number; line: number; reason: string } };

/** What the reader thread runs (a Buffer arrives in a worker as a plain Uint8Array). */
export async function readSpreadsheetTask(input: {
  data: Uint8Array;
  limits: SpreadsheetLimits;
}): Promise<ReaderAnswer> {
  try {
    return {
      sheets: await readSpreadsheet(
        Buffer.from(input.data.buffer, input.data.byteOffset, input.data.byteLength),
        input.limits,
      ),
    };
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      return { csvSyntax: { row: error.row, line: error.line, reason: error.reason } };
    // Errors cross back by their class's name: a refusal goes as the ValidationError it is.
    if (error instanceof ValidationError) throw new ValidationError(error.issues);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The zip, read as a stream and abandoned at the first limit passed

const damaged = () =>
  new SpreadsheetRefused('The file is not a workbook Amber can read: save it in Excel as an Excel Workbook (.xlsx)');
const tooBig = (limits: SpreadsheetLimits) =>
  new SpreadsheetRefused(
    `The workbook unpacks to more than ${megabytes(limits.expandedBytes)}, which is more than Amber reads: it may be damaged, or hold more than its data (pictures, other sheets). Copy the data into the template and upload that`,
  );

/**
 * Reads every part of the zip without keeping it, refusing the file at the first limit passed:
 * first by the sizes its central directory declares (a bomb is refused before a byte is
 * unpacked), then by what each part really unpacks to, as a stream through zlib (off the event
 * loop, in chunks): a part that unpacks to more than it declares, or a sheet with more rows than
 * allowed, stops the reading at once.
 */
export async function checkZip(data: Buffer, limits: SpreadsheetLimits): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(data, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch {
    throw damaged();
  }
  try {
    if (zip.entryCount > MAX_ENTRIES)
      throw new SpreadsheetRefused(
        `The workbook has more than ${MAX_ENTRIES.toLocaleString('en-GB')} parts: it is not a spreadsheet Amber can read`,
      );
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.push(entry);
        declared += entry.uncompressedSize;
        if (declared > limits.expandedBytes) reject(tooBig(limits));
        else zip.readEntry();
      });
      zip.on('end', resolve);
      zip.on('error', () => reject(damaged()));
      zip.readEntry();
    });
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      await unpackCounting(zip, entry, limits);
    }
  } finally {
    zip.close();
  }
}

/** Unpacks one part as a stream, keeping nothing but a count of its rows (for a sheet). */
async function unpackCounting(zip: yauzl.ZipFile, entry: yauzl.Entry, limits: SpreadsheetLimits): Promise<void> {
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch {
    throw new SpreadsheetRefused(
      `The workbook's part ${entry.fileName} is stored in a way Amber cannot read: save it again in Excel and upload that`,
    );
  }
  const sheet = /^xl\/worksheets\/[^/]+\.xml$/.test(entry.fileName);
  const ROW = /<(?:\w+:)?row[\s>]/g;
  let rows = 0;
  let tail = '';
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!sheet) continue;
      // Rows are counted as the XML streams past, so a sheet of a million rows is refused before
      // it is parsed. The tail carries a tag cut between two chunks.
      const text = tail + chunk.toString('latin1');
      rows += (text.match(ROW) ?? []).length;
      tail = text.slice(-8);
      rows -= (tail.match(ROW) ?? []).length;
      if (rows > limits.rows) {
        stream.destroy();
        throw new SpreadsheetRefused(
          `A sheet of the workbook has more than ${limits.rows.toLocaleString('en-GB')} rows, which is more than Amber reads in one file: split it into smaller files`,
        );
      }
    }
  } catch (error) {
    if (error instanceof SpreadsheetRefused) throw error;
    if (/too many bytes/.test((error as Error).message))
      throw new SpreadsheetRefused(
        `The workbook is damaged: its part ${entry.fileName} unpacks to more than it says. Save it again in Excel and upload that`,
      );
    throw new SpreadsheetRefused('The workbook is damaged and cannot be read: save it again in Excel and upload that');
  }
}

// ---------------------------------------------------------------------------------------------
// The workbook

/** A decimal's shortest exact text, without float noise (0.1 + 0.2 → "0.3"). */
export function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  const text = String(Number(n.toPrecision(15)));
  return /e/i.test(text) ? n.toFixed(12).replace(/0+$/, '') : text;
}

/** True when an Excel number format shows the value as a percentage (not a quoted "%"). */
const isPercentFormat = (fmt: string | undefined) => Boolean(fmt && /%/.test(fmt.replace(/"[^"]*"|\\./g, '')));

/** A formula whose result was never saved: Amber cannot show what Excel would. */
export class NoSavedResult extends Error {}

/**
 * What a person sees in a cell, as text (or a date): the one reading of a cell for the whole-file
 * and the streaming readers. Throws NoSavedResult for a formula whose result was never saved
 * (a streamed one comes back as NaN).
 */
export function cellValue(cell: ExcelJS.Cell): CellValue {
  const v = cell.value as unknown;
  const num = (n: number) => numberText(isPercentFormat(cell.numFmt) ? Number((n * 100).toPrecision(15)) : n);
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v;
  if (typeof v === 'number') return num(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    const o = v as {
      richText?: { text: string }[];
      text?: unknown;
      result?: unknown;
      formula?: unknown;
      sharedFormula?: unknown;
      error?: string;
    };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if ('formula' in o || 'sharedFormula' in o || 'result' in o) {
      const r = o.result;
      if (r === undefined || r === null || (typeof r === 'number' && Number.isNaN(r))) throw new NoSavedResult();
      if (r instanceof Date) return r;
      if (typeof r === 'number') return num(r);
      if (typeof r === 'boolean') return r ? 'TRUE' : 'FALSE';
      if (typeof r === 'object' && 'error' in r) return String((r as { error: string }).error);
      return typeof r === 'string' ? r : '';
    }
    if (typeof o.text === 'string') return o.text; // a hyperlink
    if (o.error) return o.error;
  }
  // Nothing else is a value a person typed (a picture's anchor, say): it reads as blank.
  return typeof v === 'bigint' ? v.toString() : '';
}

async function readXlsx(data: Buffer, limits: SpreadsheetLimits): Promise<Sheet[]> {
  const workbook = new (await loadExcel()).Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ExcelJS.Buffer);
  } catch {
    throw new SpreadsheetRefused(
      'The file is not a workbook Amber can read: save it in Excel as an Excel Workbook (.xlsx)',
    );
  }
  return workbook.worksheets.map((sheet) => {
    const where = `Sheet "${sheet.name}"`;
    if (sheet.columnCount > limits.columns)
      throw new SpreadsheetRefused(
        `${where} has ${sheet.columnCount.toLocaleString('en-GB')} columns; Amber reads at most ${limits.columns.toLocaleString('en-GB')}: delete the columns that are not data`,
      );
    const rows: SheetRow[] = [];
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      const cells: CellValue[] = [];
      for (let c = 1; c <= row.cellCount; c++) {
        const cell = row.getCell(c);
        // A merged area shows its value once, in its top-left cell.
        if (cell.isMerged && cell.master.address !== cell.address) {
          cells.push('');
          continue;
        }
        try {
          cells.push(cellValue(cell));
        } catch (error) {
          if (!(error instanceof NoSavedResult)) throw error;
          throw new SpreadsheetRefused(
            `${where}, cell ${cell.address} holds a formula whose result was never saved, so Amber cannot know its value: open the file in Excel, save it, and upload it again`,
          );
        }
      }
      if (cells.some((c) => c !== '')) rows.push({ number, cells });
    });
    return { name: sheet.name, rows, merges: sheet.model.merges.map(mergedArea) };
  });
}

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

/**
 * The merged areas a person has to undo before a sheet can be read from row `from` down: those
 * that join two or more cells at or below it (a title merged above the header is fine).
 */
export const mergesFrom = (sheet: Pick<Sheet, 'merges'>, from: number): MergedArea[] =>
  sheet.merges.filter((m) => m.bottom >= from && (m.bottom > m.top || m.right > m.left));

/** The message for a merged area in the data: the range and what to do. */
export const mergedMessage = (area: MergedArea) =>
  `Cells ${area.range} are merged, so Amber cannot tell which of them the value belongs to: unmerge them and put each value in its own cell`;

// ---------------------------------------------------------------------------------------------
// CSV

/** A CSV file as one sheet (its name empty), blank rows dropped; the rows keep their numbers. */
export function readCsvSheet(data: Uint8Array | string, limits: SpreadsheetLimits): Sheet {
  const rows = readCsv(data, { maxRows: limits.rows, maxColumns: limits.columns });
  return {
    name: '',
    rows: rows.filter((r) => r.cells.some((c) => c.trim() !== '')),
    merges: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Cells as text

const ukDate = (d: Date) =>
  `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;

/** A cell as text, the same for every reader: a date as a UK date (22/10/2009), text trimmed. */
export const cellText = (v: CellValue | undefined): string => {
  if (v === undefined) return '';
  if (v instanceof Date) return ukDate(v);
  return unguardFormula(v).trim();
};
