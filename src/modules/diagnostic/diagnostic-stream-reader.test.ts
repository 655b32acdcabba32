// The streamed workbook reader reads what the one spreadsheet reader (platform/spreadsheet.ts)
// reads, and refuses what it refuses, in the same words.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { handMadeXlsx, mergedOverAValue, zipBomb } from '../../platform/spreadsheet-fixtures.test-helper.ts';
import { cellText, mergesFrom, readSpreadsheet, type SpreadsheetLimits } from '../../platform/spreadsheet.ts';
import { ValidationError } from '../../domain/errors.ts';
import { pieces, readWorkbookStreaming } from './diagnostic-stream-reader.ts';

const limits: SpreadsheetLimits = { expandedBytes: 1024 * 1024, rows: 100, columns: 20 };

async function workbook(fill: (book: ExcelJS.Workbook) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  fill(book);
  return Buffer.from(await book.xlsx.writeBuffer());
}

async function refusal(data: Buffer, l: SpreadsheetLimits = limits): Promise<string> {
  try {
    await readWorkbookStreaming(data, l);
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.issues[0]!.field, 'file');
    return error.issues[0]!.message;
  }
  assert.fail('the file was read');
}

/** What the whole-workbook reader reads, as the diagnostic's text cells. */
const whole = async (data: Buffer) =>
  (await readSpreadsheet(data, limits)).map((s) => ({
    name: s.name,
    rows: s.rows.map((r) => ({ number: r.number, cells: r.cells.map(cellText) })),
    merges: s.merges,
  }));

describe('the streamed diagnostic workbook reader', () => {
  it('reads what the whole-workbook reader reads: percentages, dates, true/false, formulas, rich text, several sheets', async () => {
    const data = await workbook((book) => {
      const a = book.addWorksheet('Posts & more');
      a.addRow(['Post ID', 'FTE', 'Pay', 'Start', 'Vacant', 'Note']);
      a.addRow(['P1', 0.955, { formula: 'B2*2', result: 1.91 }, new Date(Date.UTC(2009, 9, 22)), true, ' padded ']);
      a.getCell('B2').numFmt = '0.0%';
      a.addRow([]);
      a.addRow(['P2', 1, 38000, '', false, { richText: [{ text: 'rich ' }, { text: 'text' }] }]);
      a.addRow(['P3', '=not a formula', 3, '', '', '']);
      const b = book.addWorksheet('Allocations');
      b.addRow(['Post ID', 'Process code', '% of time']);
      b.addRow(['P1', 'FIN-AP', 60]);
    });
    const streamed = await readWorkbookStreaming(data, limits);
    assert.deepEqual(streamed, await whole(data));
    assert.deepEqual(streamed[0]!.rows[1]!.cells, ['P1', '95.5', '1.91', '22/10/2009', 'TRUE', 'padded']);
    assert.deepEqual(
      streamed.map((s) => s.name),
      ['Posts & more', 'Allocations'],
    );
  });

  it('shows a merged area once, in its top-left cell, and lists it for the sheet to refuse', async () => {
    const data = mergedOverAValue();
    const [sheet] = await readWorkbookStreaming(data, limits);
    assert.deepEqual(sheet!.rows[1]!.cells, ['HOS 1', '55', '']);
    assert.deepEqual(
      mergesFrom({ merges: sheet!.merges ?? [] }, 1).map((m) => m.range),
      ['B2:C2'],
    );
  });

  it('refuses a formula whose result was never saved, naming the cell', async () => {
    const data = await workbook((book) => {
      const sheet = book.addWorksheet('Values');
      sheet.addRow(['PI No', 'Q1']);
      sheet.addRow(['NI 179', { formula: 'A1*2' }]);
    });
    assert.match(await refusal(data), /^Sheet "Values", cell B2 holds a formula whose result was never saved/);
  });

  it('refuses too many rows, too many columns, a bomb, a damaged zip, as every door does', async () => {
    const many = handMadeXlsx(
      `<sheetData>${Array.from({ length: 150 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>1</v></c></row>`).join('')}</sheetData>`,
    );
    assert.match(await refusal(many), /^A sheet of the workbook has more than 100 rows/);
    const wide = await workbook((book) =>
      book.addWorksheet('Values').addRow(Array.from({ length: 25 }, (_, i) => `Column ${i}`)),
    );
    assert.match(await refusal(wide), /^Sheet "Values" has 25 columns; Amber reads at most 20/);
    assert.match(await refusal(zipBomb(2, { declared: true })), /^The workbook unpacks to more than 1 MB/);
    const good = await workbook((book) => book.addWorksheet('Values').addRow(['PI No']));
    assert.match(await refusal(good.subarray(0, good.length / 2)), /not a workbook Amber can read|damaged/);
  });

  it('gives exceljs a part in pieces that never cut a character: the same text, every piece at most the size', () => {
    // A pair of surrogates (an emoji) across the boundary stays whole in the second piece.
    const text = `${'a'.repeat(9)}😀${'£ŵ'.repeat(10)}`;
    const cut = [...pieces(Buffer.from(text), 10)];
    assert.equal(cut.join(''), text);
    assert.equal(cut[0], 'a'.repeat(9));
    assert.ok(cut[1]!.startsWith('😀'));
    assert.ok(cut.every((p) => p.length <= 10));
  });

  it('reads text past the pieces exceljs is given as the whole-workbook reader does (more than 16,384 characters of shared strings)', async () => {
    const data = await workbook((book) => {
      const sheet = book.addWorksheet('Units');
      sheet.addRow(['Code', 'Name']);
      for (let i = 0; i < 98; i++)
        sheet.addRow([`U${i}`, `Gŵyr a’r Fro 😀 £${i} ${'Llanfair '.repeat(20 + (i % 20))}`]);
    });
    const streamed = await readWorkbookStreaming(data, limits);
    assert.deepEqual(streamed, await whole(data));
    assert.equal(streamed[0]!.rows[98]!.cells[1], `Gŵyr a’r Fro 😀 £97 ${'Llanfair '.repeat(37).trim()}`);
  });
});
