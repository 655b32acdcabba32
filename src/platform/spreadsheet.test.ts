import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { handMadeXlsx, mergedOverAValue } from './spreadsheet-fixtures.test-helper.ts';
import {
  readSpreadsheet,
  readSpreadsheetOffThread,
  mergesFrom,
  SpreadsheetRefused,
  type SpreadsheetLimits,
} from './spreadsheet.ts';
import { CsvSyntaxError } from './csv.ts';
import { ValidationError } from '../domain/errors.ts';

const limits: SpreadsheetLimits = { expandedBytes: 1024 * 1024, rows: 100, columns: 20 };

async function workbook(fill: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  fill(book.addWorksheet('Values'));
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The message a refusal gives, or fails the test when the file was read. */
async function refusal(data: Buffer, l: SpreadsheetLimits = limits): Promise<string> {
  try {
    await readSpreadsheet(data, l);
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.issues.length, 1);
    assert.equal(error.issues[0]!.field, 'file');
    return error.issues[0]!.message;
  }
  assert.fail('the file was read');
}

describe('the one spreadsheet reader', () => {
  it('reads what Excel shows: percentages, dates, true/false, saved formula results', async () => {
    const data = await workbook((sheet) => {
      sheet.addRow(['PI No', 'Q1', 'Q2', 'Q3', 'Done']);
      sheet.addRow(['NI 179', 0.955, { formula: 'B2*2', result: 1.91 }, new Date(Date.UTC(2009, 9, 22)), true]);
      sheet.getCell('B2').numFmt = '0.0%';
    });
    const [sheet] = await readSpreadsheet(data, limits);
    assert.equal(sheet!.name, 'Values');
    assert.deepEqual(sheet!.rows[1]!.cells.slice(0, 3), ['NI 179', '95.5', '1.91']);
    assert.ok(sheet!.rows[1]!.cells[3] instanceof Date);
    assert.equal(sheet!.rows[1]!.cells[4], 'TRUE');
  });

  it('refuses a formula whose result was never saved, naming the cell and what to do', async () => {
    const data = await workbook((sheet) => {
      sheet.addRow(['PI No', 'Q1']);
      sheet.addRow(['NI 179', { formula: 'A1*2' }]);
    });
    const message = await refusal(data);
    assert.match(message, /^Sheet "Values", cell B2 holds a formula whose result was never saved/);
    assert.match(message, /open the file in Excel, save it, and upload it again/);
    assert.doesNotMatch(message, /object Object/);
  });

  it('shows a merged area once, in its top-left cell, and names it for the caller to refuse', async () => {
    // As the tester's file had it: Q1:Q2 merged holding 55, with 78.4 still in Q2's XML.
    const data = mergedOverAValue();
    const [sheet] = await readSpreadsheet(data, limits);
    assert.deepEqual(sheet!.rows[1]!.cells, ['HOS 1', '55', '']);
    assert.deepEqual(
      mergesFrom(sheet!, 1).map((m) => m.range),
      ['B2:C2'],
    );
  });

  it('refuses a workbook that unpacks to more than the limit, by its declared size, before unpacking it', async () => {
    const rows = Array.from(
      { length: 60 },
      (_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>${'x'.repeat(30_000)}</t></is></c></row>`,
    );
    const data = handMadeXlsx(`<sheetData>${rows.join('')}</sheetData>`);
    assert.ok(data.length < 100_000, `the file is small (${data.length} bytes) and unpacks to ~1.8 MB`);
    assert.match(await refusal(data), /^The workbook unpacks to more than 1 MB, which is more than Amber reads/);
  });

  it('stops unpacking a part that unpacks to more than it declares', async () => {
    const data = Buffer.from(
      handMadeXlsx(`<sheetData>${'<row r="1"></row>'.repeat(10)}${' '.repeat(500_000)}</sheetData>`),
    );
    // Make every header of the sheet's part declare 1,000 bytes unpacked (local header and central directory).
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    for (let at = data.indexOf(name); at >= 0; at = data.indexOf(name, at + 1)) {
      const local = data.readUInt32LE(at - 30) === 0x04034b50;
      data.writeUInt32LE(1_000, local ? at - 30 + 22 : at - 46 + 24);
    }
    assert.match(await refusal(data), /its part xl\/worksheets\/sheet1\.xml unpacks to more than it says/);
  });

  it('refuses a sheet with more rows than the limit as they stream past, and too many columns', async () => {
    const many = Buffer.from(
      handMadeXlsx(
        `<sheetData>${Array.from({ length: 150 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>1</v></c></row>`).join('')}</sheetData>`,
      ),
    );
    assert.match(await refusal(many), /^A sheet of the workbook has more than 100 rows/);
    const wide = await workbook((sheet) => sheet.addRow(Array.from({ length: 25 }, (_, i) => `Column ${i}`)));
    assert.match(await refusal(wide), /^Sheet "Values" has 25 columns; Amber reads at most 20/);
  });

  it('refuses a damaged zip and a file that is not text', async () => {
    const good = await workbook((sheet) => sheet.addRow(['PI No']));
    assert.match(await refusal(good.subarray(0, good.length / 2)), /not a workbook Amber can read|damaged/);
    assert.match(await refusal(Buffer.from([0x00, 0x01, 0x02, 0x41])), /holds data that is not text/);
  });

  it('reads CSV in UTF-8, UTF-16 with or without a byte order mark, and Windows-1252', async () => {
    const text = 'PI No,Commentary\r\nNI 179,Cost £5 per call – café\r\n';
    const utf16le = Buffer.from(text, 'utf16le');
    const utf16be = Buffer.from(utf16le).swap16();
    const cp1252 = Buffer.from(
      [...'PI No,Commentary\r\nNI 179,Cost '].map((c) => c.charCodeAt(0)).concat([0xa3, 0x35]),
    );
    for (const file of [Buffer.from(text), Buffer.concat([Buffer.from([0xff, 0xfe]), utf16le]), utf16le, utf16be]) {
      const [sheet] = await readSpreadsheet(file, limits);
      assert.deepEqual(sheet!.rows[1]!.cells, ['NI 179', 'Cost £5 per call – café']);
    }
    const [sheet] = await readSpreadsheet(cp1252, limits);
    assert.deepEqual(sheet!.rows[1]!.cells, ['NI 179', 'Cost £5']);
  });

  it('refuses a CSV with more rows or columns than the limits, reading no further', async () => {
    const rows = `PI No\r\n${'NI 1\r\n'.repeat(150)}`;
    await assert.rejects(readSpreadsheet(Buffer.from(rows), limits), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.match(e.issues[0]!.message, /^The file has more than 100 rows/);
      return true;
    });
    await assert.rejects(
      readSpreadsheet(Buffer.from(`${'a,'.repeat(30)}a\r\n`), limits),
      (e: unknown) =>
        e instanceof ValidationError && /^Row 1 has 31 columns; Amber reads at most 20/.test(e.issues[0]!.message),
    );
  });

  it('reads the same in the reader thread, and brings back its refusals as they are', async () => {
    const data = await workbook((sheet) => {
      sheet.addRow(['PI No', 'Q1', 'When']);
      sheet.addRow(['NI 179', 0.955, new Date(Date.UTC(2009, 9, 22))]);
      sheet.getCell('B2').numFmt = '0.0%';
    });
    assert.deepEqual(await readSpreadsheetOffThread(data, limits), await readSpreadsheet(data, limits));
    const formula = await workbook((sheet) => sheet.addRow(['PI No', { formula: 'A1*2' } as ExcelJS.CellFormulaValue]));
    await assert.rejects(
      readSpreadsheetOffThread(formula, limits),
      (e: unknown) => e instanceof ValidationError && /cell B1 holds a formula/.test(e.issues[0]!.message),
    );
    // A CSV of more than 1 MB is read there too; its syntax error still names the row.
    const big = Buffer.from(`PI No,Commentary\r\n${`NI 1,${'x'.repeat(20_000)}\r\n`.repeat(60)}NI 2,"unclosed\r\n`);
    assert.ok(big.length > 1024 * 1024);
    await assert.rejects(
      readSpreadsheetOffThread(big, limits),
      (e: unknown) => e instanceof CsvSyntaxError && e.row === 62,
    );
  });

  it('is a ValidationError on the file, so every door shows it like any other problem', () => {
    assert.ok(new SpreadsheetRefused('x') instanceof ValidationError);
  });
});
