import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TAXONOMY } from '../../domain/diagnostic/taxonomy.ts';
import { DEMO_DATA } from './diagnostic-demo.ts';
import {
  parseWorkbook,
  rawSheetsOf,
  readCsvSheet,
  readWorkbook,
  sheetCsv,
  writeWorkbook,
  SHEETS,
  describeProblem,
} from './diagnostic-transfer.ts';

const strip = (d: typeof DEMO_DATA) => ({
  units: d.units,
  nonPay: d.nonPay,
  posts: d.posts.map(({ id: _i, version: _v, ...p }) => p),
  volumes: d.volumes.map((v) => ({ ...v, row: 0 })),
});

describe('the diagnostic workbook', () => {
  it('reads back exactly what it writes, as XLSX and as CSV', async () => {
    const fromXlsx = parseWorkbook(
      await readWorkbook(await writeWorkbook(DEFAULT_TAXONOMY, DEMO_DATA)),
      DEFAULT_TAXONOMY,
    );
    assert.deepEqual(fromXlsx.problems, []);
    assert.deepEqual(strip(fromXlsx.data), strip(DEMO_DATA));
    const sheets = rawSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA).filter((s) => s.name !== SHEETS.allocations);
    sheets.push(readCsvSheet(SHEETS.allocations, sheetCsv(DEFAULT_TAXONOMY, DEMO_DATA, SHEETS.allocations)));
    const fromCsv = parseWorkbook(sheets, DEFAULT_TAXONOMY);
    assert.deepEqual(fromCsv.problems, []);
    assert.deepEqual(strip(fromCsv.data), strip(DEMO_DATA));
  });

  it('names the sheet, row and column of every problem, in sheet order', () => {
    const sheets = rawSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA);
    const posts = sheets.find((s) => s.name === SHEETS.posts)!;
    posts.rows[3]!.cells[4] = 'lots'; // FTE of row 4
    posts.rows[5]!.cells[5] = '£600,000'; // pay of row 6
    const units = sheets.find((s) => s.name === SHEETS.units)!;
    units.rows[2]!.cells[2] = 'NOPE'; // parent of row 3
    const { problems } = parseWorkbook(sheets, DEFAULT_TAXONOMY);
    assert.deepEqual(problems.map(describeProblem), [
      'Org units sheet, row 3, column C (Parent code): "NOPE" is not a unit on this sheet',
      'Posts sheet, row 4, column E (FTE): "lots" is not an FTE: enter a number like 0.8, to at most four decimal places',
      'Posts sheet, row 6, column F (Annual pay cost (£)): Pay cost £600,000 is more than the £500,000 allowed for one post: check it is in pounds, not pence',
    ]);
  });

  it('finds the header under a title row, whatever its case, and reads quoted CSV cells', () => {
    const sheet = readCsvSheet(
      SHEETS.volumes,
      '\uFEFFVolumes for 2009/10\r\nprocess CODE,volume\r\n"FIN-AP","96,000"\r\n',
    );
    const sheets = rawSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA).filter((s) => s.name !== SHEETS.volumes);
    const { data, problems } = parseWorkbook([...sheets, sheet], DEFAULT_TAXONOMY);
    assert.deepEqual(problems, []);
    assert.deepEqual(data.volumes, [{ processCode: 'FIN-AP', volume: 96_000, driver: '', row: 3 }]);
  });
});
