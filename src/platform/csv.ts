// Every CSV file Amber reads or writes goes through here, over the csv project's parser and
// stringifier (csv-parse, csv-stringify), so that every door reads the same files the same way
// and every download is written by one rule. It knows nothing of what the columns mean: callers
// find their header, check their columns and name the row of each problem.
//
// Reading: the upload's bytes become text (UTF-8 with or without a byte order mark, UTF-16 with
// one, and anything that is not valid UTF-8 as Windows-1252, which is what Excel on Windows
// saves as "CSV (Comma delimited)"); then RFC 4180 rows, whatever the line ends, ragged rows kept
// as they are. A file that is not well formed is a ValidationError naming the row.
//
// Writing: RFC 4180 quoting, CRLF line ends and a UTF-8 byte order mark, so Excel reads £ and
// Welsh letters correctly; a text cell a spreadsheet would run as a formula gets a leading
// apostrophe (see guardFormula).

import { Buffer, isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse, CsvError } from 'csv-parse/sync';
import { parse as parser } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { ValidationError } from '../domain/errors.ts';
import { loopTurns } from './turns.ts';

// ---------------------------------------------------------------------------------------------
// Bytes to text

const BOM_UTF8 = [0xef, 0xbb, 0xbf];
const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * The text of an uploaded file. A byte order mark decides (UTF-8, UTF-16 LE or BE); without one
 * the bytes are UTF-8 when they are valid UTF-8, else Windows-1252, so "£5" and "café" typed in
 * Excel on Windows arrive intact rather than as "�5". The byte order mark is not part of the text.
 */
export function decodeText(bytes: Uint8Array): string {
  if (startsWith(bytes, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(bytes);
  if (startsWith(bytes, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(bytes);
  // UTF-16 saved without a byte order mark: text in Latin letters has a zero byte in every pair.
  const utf16 = utf16WithoutMark(bytes);
  if (utf16) return new TextDecoder(utf16).decode(bytes);
  // A file that says it is UTF-8 is read as UTF-8 even with a broken byte in it.
  if (startsWith(bytes, BOM_UTF8)) return new TextDecoder('utf-8').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** 'utf-16le' or 'utf-16be' when most pairs of the first bytes have a zero on one side only. */
function utf16WithoutMark(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return undefined;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0 && bytes[i + 1] !== 0) even++;
    if (bytes[i] !== 0 && bytes[i + 1] === 0) odd++;
  }
  const pairs = n / 2;
  if (odd > pairs * 0.6 && even === 0) return 'utf-16le';
  if (even > pairs * 0.6 && odd === 0) return 'utf-16be';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading

/** One record of the file: `number` is its row as a spreadsheet numbers it (1 is the first). */
export interface CsvRow {
  number: number;
  cells: string[];
}

/** A file that is not well-formed CSV: the row (and line of the file) where reading stopped. */
export class CsvSyntaxError extends ValidationError {
  readonly row: number;
  readonly line: number;
  readonly reason: string;
  constructor(row: number, line: number, reason: string) {
    const where = `Row ${row}${line !== row ? ` (line ${line} of the file)` : ''}`;
    super([{ field: 'file', message: `${where}: ${reason}` }]);
    this.row = row;
    this.line = line;
    this.reason = reason;
  }
}

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'A quoted cell is never closed: check for a missing " in this row',
  INVALID_OPENING_QUOTE:
    'A cell that is not in quotes has a " in it: put the whole cell in quotes and write each " inside it twice ("")',
  CSV_INVALID_CLOSING_QUOTE:
    'A quoted cell has more text after its closing quote: write each " inside a quoted cell twice ("")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE:
    'A quoted cell has more text after its closing quote: write each " inside a quoted cell twice ("")',
};

/**
 * The rows of a CSV file, blank ones included (so that row numbers are those a spreadsheet
 * shows), each with the cells it has: rows may differ in length. Spaces around a cell are
 * dropped unless they are inside its quotes. Bytes are decoded by `decodeText`.
 */
export function readCsv(input: Uint8Array | string, limits: { maxRows?: number; maxColumns?: number } = {}): CsvRow[] {
  const text = typeof input === 'string' ? input : decodeText(input);
  // Text is not NUL; a file holding one is binary (a picture, a PDF, an old .xls), not CSV.
  if (text.includes('\0')) throw notText();
  const maxRows = limits.maxRows ?? Infinity;
  const maxColumns = limits.maxColumns ?? Infinity;
  let lastLine = 0;
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
      // One row past the limit is read, to know there are more; the rest never is.
      ...(Number.isFinite(maxRows) ? { to: maxRows + 1 } : {}),
      on_record: (record: string[], context) => {
        lastLine = context.lines;
        if (record.length > maxColumns) throw new TooWide(context.records, record.length);
        return record;
      },
    });
  } catch (error) {
    if (error instanceof TooWide) throw tooWide(error.row, error.columns, maxColumns);
    if (!(error instanceof CsvError)) throw error;
    const row = Number(error.records) + 1;
    // An unclosed quote is found only at the end of the file: name where its row began.
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? lastLine + 1 : Number(error.lines);
    throw new CsvSyntaxError(row, line, REASONS[error.code] ?? 'This row is not well-formed CSV: check its quotes');
  }
  if (records.length > maxRows) throw tooManyRows(maxRows);
  return records.map((cells, i) => ({ number: i + 1, cells }));
}

/**
 * As readCsv, a slice of the file at a time (issue 12: a large council's sheet as CSV was decoded
 * whole, parsed whole and copied to a reader thread before its first row was looked at). The
 * bytes are decoded in slices as readCsv decodes them whole, each slice fed to csv-parse's
 * streaming parser, and the rows it completes handed over together (one at a time cost twice the
 * time in promises), so the caller keeps only what it wants of them and the file's text never
 * exists whole. The same refusals in the same words, with one more: a cell longer than
 * `maxCellChars`, naming its row and column (and csv-parse stops a row before it grows past
 * `maxColumns` such cells, so one 50 MB quoted cell never becomes a string).
 */
export async function* streamCsv(
  bytes: Uint8Array,
  limits: { maxRows?: number; maxColumns?: number; maxCellChars?: number } = {},
): AsyncGenerator<CsvRow[]> {
  const encoding = encodingOf(bytes);
  // Text is not NUL: a single-byte encoding shows it in the bytes, found without decoding them.
  if (!encoding.startsWith('utf-16') && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(0))
    throw notText();
  const maxRows = limits.maxRows ?? Infinity;
  const maxColumns = limits.maxColumns ?? Infinity;
  const maxCellChars = limits.maxCellChars ?? Infinity;
  const maxRecord = Number.isFinite(maxCellChars) && Number.isFinite(maxColumns) ? maxCellChars * maxColumns : 0;
  const csv = parser({
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    skip_empty_lines: false,
    trim: true,
    info: true,
    max_record_size: maxRecord,
  });
  let rows: CsvRow[] = [];
  let number = 0;
  let lastLine = 0;
  let failure: Error | undefined;
  csv.on('data', ({ record, info }: { record: string[]; info: { lines: number } }) => {
    if (failure !== undefined) return;
    number++;
    lastLine = info.lines;
    // One row past the limit is read, to know there are more; the rest never is.
    if (number > maxRows) failure = tooManyRows(maxRows);
    else if (record.length > maxColumns) failure = tooWide(number, record.length, maxColumns);
    else {
      const long = record.findIndex((cell) => cell.length > maxCellChars);
      if (long >= 0) failure = tooLong(number, long, record[long]!.length, maxCellChars);
      else rows.push({ number, cells: record });
    }
    if (failure !== undefined) csv.destroy();
  });
  csv.on('error', (error: Error) => (failure ??= error));
  const ended = new Promise<void>((resolve) => csv.once('close', resolve));
  const decoder = new TextDecoder(encoding);
  try {
    for (let at = 0; ; at += SLICE) {
      const last = at + SLICE >= bytes.length;
      const text = decoder.decode(bytes.subarray(at, at + SLICE), { stream: !last });
      if (text.includes('\0')) throw notText();
      if (last) csv.end(text);
      else csv.write(text);
      // The parser works on the slice at once; its rows and errors arrive within the tick.
      await (last ? ended : new Promise<void>((resolve) => setImmediate(resolve)));
      if (failure !== undefined) throw failure;
      if (rows.length > 0) {
        const out = rows;
        rows = [];
        yield out;
      }
      if (last) return;
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    if (error.code === 'CSV_MAX_RECORD_SIZE')
      throw ValidationError.single(
        'file',
        `Row ${Number(error.records) + 1} is longer than Amber reads (${maxRecord.toLocaleString('en-GB')} characters): check for a cell with a missing closing "`,
      );
    const row = Number(error.records) + 1;
    // An unclosed quote is found only at the end of the file: name where its row began.
    const line = error.code === 'CSV_QUOTE_NOT_CLOSED' ? lastLine + 1 : Number(error.lines);
    throw new CsvSyntaxError(row, line, REASONS[error.code] ?? 'This row is not well-formed CSV: check its quotes');
  } finally {
    csv.destroy();
  }
}

/** How much of the file is decoded at once. */
const SLICE = 64 * 1024;

/** The encoding decodeText would choose for these bytes, found without decoding them. */
function encodingOf(bytes: Uint8Array): string {
  if (startsWith(bytes, [0xff, 0xfe])) return 'utf-16le';
  if (startsWith(bytes, [0xfe, 0xff])) return 'utf-16be';
  const utf16 = utf16WithoutMark(bytes);
  if (utf16) return utf16;
  if (startsWith(bytes, BOM_UTF8)) return 'utf-8';
  return isUtf8(bytes) ? 'utf-8' : 'windows-1252';
}

// The refusals readCsv and streamCsv share, in the same words.
const notText = () =>
  ValidationError.single(
    'file',
    'The file is not a CSV file or an Excel workbook (.xlsx): it holds data that is not text. Save it from Excel as CSV UTF-8 or as an Excel Workbook',
  );
const tooManyRows = (maxRows: number) =>
  ValidationError.single(
    'file',
    `The file has more than ${maxRows.toLocaleString('en-GB')} rows, which is more than Amber reads in one file: split it into smaller files`,
  );
const tooWide = (row: number, columns: number, maxColumns: number) =>
  ValidationError.single(
    'file',
    `Row ${row} has ${columns.toLocaleString('en-GB')} columns; Amber reads at most ${maxColumns.toLocaleString('en-GB')}: delete the columns that are not data`,
  );
const tooLong = (row: number, index: number, chars: number, max: number) =>
  ValidationError.single(
    'file',
    `Row ${row}, column ${columnName(index)} holds ${chars.toLocaleString('en-GB')} characters; a cell holds at most ${max.toLocaleString('en-GB')}: check for a missing closing " or shorten the text`,
  );

/** A column's letters as a spreadsheet shows them (0 → A, 26 → AA). */
export function columnName(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const m = (n - 1) % 26;
    s = String.fromCharCode(65 + m) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

class TooWide extends Error {
  readonly row: number;
  readonly columns: number;
  constructor(row: number, columns: number) {
    super('too wide');
    this.row = row;
    this.columns = columns;
  }
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A cell to write: text, a number (written as it is), or nothing. */
export type CsvCell = string | number | null | undefined;

// A spreadsheet runs a cell beginning =, +, -, @ (or a tab or carriage return before one) as a
// formula. A plain number, negative or with thousands, pence, a pound sign or a per cent sign
// (-12.5, 1,234, -£250, 50%), runs nothing and is read as a number, so it is left alone.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?£?(\d[\d,]*)?(\.\d+)?%?$/;

/**
 * The one rule for every CSV Amber writes: text a spreadsheet would run as a formula gets a
 * leading apostrophe, so opening a download (the audit trail holds people's own text) cannot
 * run anything. Numbers passed as numbers never reach it.
 */
export const guardFormula = (text: string): string =>
  FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;

/** Undoes guardFormula on a cell read back from a file Amber wrote (or a spreadsheet saved). */
export const unguardFormula = (text: string): string => text.replace(/^'(?=[=+\-@\t\r])/, '');

const WRITING = {
  record_delimiter: 'windows',
  eof: true,
  // Line breaks of either kind, and spaces at either end (which a reader may trim), are quoted.
  quoted_match: /[\r\n]|^\s|\s$/,
  cast: { string: guardFormula, number: (n: number) => String(n) },
} as const;

/** A CSV file: the header, then the rows, with a byte order mark and CRLF after every row. */
export function writeCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return stringify([header, ...rows] as CsvCell[][], { ...WRITING, bom: true });
}

/** Rows written at a time by writeCsvTurning between turns of the event loop. */
const ROWS_A_SLICE = 500;

/**
 * As writeCsv, giving the event loop a turn every 10 ms of writing (loopTurns): 12,500 rows of
 * indicator values took ~150 ms to write in one go, and every other request waited.
 */
export async function writeCsvTurning(
  header: readonly string[],
  rows: readonly (readonly CsvCell[])[],
): Promise<string> {
  const parts = [writeCsv(header, [])];
  const turn = loopTurns();
  for (let i = 0; i < rows.length; i += ROWS_A_SLICE) {
    await turn();
    parts.push(stringify(rows.slice(i, i + ROWS_A_SLICE), WRITING));
  }
  return parts.join('');
}

/**
 * A CSV file written a part at a time as its rows come (a download too large to hold whole): the
 * same bytes writeCsv would write for all the parts' rows together. Each part is written when the
 * reader has taken the last (`Readable.from` asks the parts one at a time as the response drains),
 * so at most a part's rows are held. A part that fails ends the stream with its error: the
 * response is cut short, and the client sees a failed download rather than a file that looks whole.
 */
export function writeCsvParts(
  header: readonly string[],
  parts: AsyncIterable<readonly (readonly CsvCell[])[]>,
): Readable {
  return Readable.from(
    (async function* () {
      yield writeCsv(header, []);
      for await (const rows of parts) if (rows.length > 0) yield stringify(rows as CsvCell[][], WRITING);
    })(),
    { objectMode: false },
  );
}
