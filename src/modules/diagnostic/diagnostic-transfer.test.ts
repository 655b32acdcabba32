import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TAXONOMY } from '../../domain/diagnostic/taxonomy.ts';
import { DEMO_DATA } from './diagnostic-demo.ts';
import { ValidationError } from '../../domain/errors.ts';
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
    sheets.push(await readCsvSheet(SHEETS.allocations, sheetCsv(DEFAULT_TAXONOMY, DEMO_DATA, SHEETS.allocations)));
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

  it('finds the header under a title row, whatever its case, and reads quoted CSV cells', async () => {
    const sheet = await readCsvSheet(
      SHEETS.volumes,
      '\uFEFFVolumes for 2009/10\r\nprocess CODE,volume\r\n"FIN-AP","96,000"\r\n',
    );
    const sheets = rawSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA).filter((s) => s.name !== SHEETS.volumes);
    const { data, problems } = parseWorkbook([...sheets, sheet], DEFAULT_TAXONOMY);
    assert.deepEqual(problems, []);
    assert.deepEqual(data.volumes, [{ processCode: 'FIN-AP', volume: 96_000, driver: '', row: 3 }]);
  });
});

describe('a diagnostic sheet as CSV', () => {
  const VOLUMES = 'Process code,Process,Volume driver,Volume\r\nFIN-AP,Accounts payable,Invoices – £ café,"96,000"\r\n';
  const withoutVolumes = () => rawSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA).filter((s) => s.name !== SHEETS.volumes);

  it('escapes text a spreadsheet would run as a formula, and reads it back as it was', async () => {
    const data = {
      ...DEMO_DATA,
      units: DEMO_DATA.units.map((u, i) => (i === 1 ? { ...u, name: '=HYPERLINK("http://x","Finance")' } : u)),
    };
    const csv = sheetCsv(DEFAULT_TAXONOMY, data, SHEETS.units);
    assert.match(csv, /,"'=HYPERLINK\(""http:\/\/x"",""Finance""\)",/);
    const sheets = rawSheetsOf(DEFAULT_TAXONOMY, data).filter((s) => s.name !== SHEETS.units);
    const { data: back, problems } = parseWorkbook(
      [...sheets, await readCsvSheet(SHEETS.units, Buffer.from(csv, 'utf8'))],
      DEFAULT_TAXONOMY,
    );
    assert.deepEqual(problems, []);
    assert.equal(back.units[1]!.name, '=HYPERLINK("http://x","Finance")');
  });

  const encodings: { name: string; bytes: Buffer }[] = [
    {
      name: 'UTF-16 with a byte order mark',
      bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(VOLUMES, 'utf16le')]),
    },
    {
      name: 'Windows-1252',
      bytes: Buffer.from([...VOLUMES].map((c) => ({ '–': 0x96, '£': 0xa3, é: 0xe9 })[c] ?? c.charCodeAt(0))),
    },
  ];
  for (const e of encodings)
    it(`reads a sheet saved as ${e.name} with its £ and accents intact`, async () => {
      const { data, problems } = parseWorkbook(
        [...withoutVolumes(), await readCsvSheet(SHEETS.volumes, e.bytes)],
        DEFAULT_TAXONOMY,
      );
      assert.deepEqual(problems, []);
      assert.deepEqual(data.volumes, [{ processCode: 'FIN-AP', volume: 96_000, driver: 'Invoices – £ café', row: 2 }]);
    });

  it('refuses a file that is not well-formed CSV, naming the sheet and row', async () => {
    await assert.rejects(
      readCsvSheet(SHEETS.volumes, Buffer.from('Process code,Volume\r\nFIN-AP,5\r\n"FIN-PAY,6\r\n')),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.issues[0]?.message ===
          'Volumes sheet, row 3: A quoted cell is never closed: check for a missing " in this row',
    );
  });

  it('refuses a file that is not text at all', async () => {
    await assert.rejects(
      readCsvSheet(SHEETS.volumes, Buffer.from([0x00, 0x01, 0x02, 0x41])),
      (e: unknown) =>
        e instanceof ValidationError &&
        /^The file is not a CSV file or an Excel workbook \(\.xlsx\): it holds data that is not text/.test(
          e.issues[0]?.message ?? '',
        ),
    );
  });
});
