import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  readSheet,
  readValueRows,
  problemText,
  suggestColumn,
  text,
  valueSheet,
  writeSheetCsv,
  writeXlsx,
  type TransferIndicator,
} from './indicator-transfer.ts';
import { formatValue } from '../../domain/indicators/indicator.ts';
import { ValidationError } from '../../domain/errors.ts';
import { readCsv } from '../../platform/csv.ts';

const pct: TransferIndicator = {
  id: 'i-pct',
  code: 'NI 179',
  unit: { kind: 'percentage', decimalPlaces: 1 },
  polarity: 'higher',
  frequency: 'quarterly',
};
const money: TransferIndicator = {
  id: 'i-money',
  code: 'VFM 2',
  unit: { kind: 'money', decimalPlaces: 2 },
  polarity: 'lower',
  frequency: 'quarterly',
};
const monthly: TransferIndicator = {
  id: 'i-month',
  code: 'HB 1',
  unit: { kind: 'days', decimalPlaces: 0 },
  polarity: 'lower',
  frequency: 'monthly',
};
const periodIds = new Map(['2009-10-q1', '2009-10-q2', '2009-10-m01'].map((k) => [k, `p-${k}`]));
const context = { year: 2009, indicators: [pct, money, monthly], periodIds };
const read = (csv: string) => readValueRows(readCsv(csv), context);

describe('values as CSV', () => {
  it('writes a sheet that reads back the same, quoting only where needed and defusing formulas', async () => {
    const rows = [
      ['PI No', 'Commentary'],
      ['NI 179', 'Up, again\n"good"'],
      ['X', '=SUM(A1)'],
      ['Y', '-£250'],
      ['Z', '-3 days'],
    ];
    const out = writeSheetCsv(rows);
    assert.ok(out.toString('utf8').startsWith('\uFEFFPI No,Commentary\r\n'));
    assert.match(out.toString('utf8'), /"Up, again\n""good"""/);
    const back = (await readSheet(out)).rows.map((r) => r.cells);
    assert.deepEqual(back.slice(0, 2), rows.slice(0, 2));
    assert.deepEqual(
      back.slice(2).map((r) => r[1]),
      ["'=SUM(A1)", '-£250', "'-3 days"],
    );
    assert.deepEqual(
      back.slice(2).map((r) => text(r[1])),
      ['=SUM(A1)', '-£250', '-3 days'],
      'the apostrophe is dropped on reading, so what was exported imports as it was',
    );
  });

  it('refuses a quoted cell that is never closed, naming its row', async () => {
    await assert.rejects(
      readSheet(Buffer.from('a\n"b,c\n')),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.issues[0]?.message === 'Row 2: A quoted cell is never closed: check for a missing " in this row',
    );
  });

  it('reads a Windows-1252 file and a UTF-16 one as the same text', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('PI No,Commentary\r\nNI 179,£5 – café\r\n', 'utf16le'),
    ]);
    const cp1252 = Buffer.from([
      ...Buffer.from('PI No,Commentary\r\nNI 179,'),
      0xa3,
      ...Buffer.from('5 '),
      0x96,
      ...Buffer.from(' caf'),
      0xe9,
      ...Buffer.from('\r\n'),
    ]);
    for (const file of [utf16, cp1252])
      assert.deepEqual(
        (await readSheet(file)).rows.map((r) => r.cells),
        [
          ['PI No', 'Commentary'],
          ['NI 179', '£5 – café'],
        ],
      );
  });
});

describe('reading a sheet of values', () => {
  it('matches headers whatever the case and spacing and skips blank rows and a title row', () => {
    const { writes, problems } = read(
      'Performance 2009/10,,,\n, ,\npi no,  TARGET ,q1,Q 2,good is ?,commentary\n,,,\nNI 179,95%,96.5%,94,Higher,"On track, mostly"\n\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      writes.map((w) => [w.periodKey, w.actual, w.target, w.comment]),
      [
        ['2009-10-q1', 965, 950, undefined],
        ['2009-10-q2', 940, 950, 'On track, mostly'],
      ],
    );
  });

  it('reads £ signs, thousands separators and accountants’ negatives', () => {
    const { writes, problems } = read('PI No,Target,Q1,Q2\nVFM 2,"£1,200","£1,250.50",(£30)\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      writes.map((w) => w.actual),
      [125050, -3000],
    );
    assert.equal(writes[0]!.target, 120000);
  });

  it('suggests the column a typo meant', () => {
    assert.equal(suggestColumn('Tagret'), 'Target');
    assert.equal(suggestColumn('Comentary'), 'Commentary');
    assert.equal(suggestColumn('Weather'), undefined);
    const { problems } = read('PI No,Tagret,Q1\nNI 179,95,96\n');
    assert.deepEqual(problems.map(problemText), [
      "Row 1, column Tagret: Column 'Tagret' is not a column Amber knows: did you mean 'Target'?",
    ]);
  });

  it('reports every bad row with its row and column, and returns nothing to write', () => {
    const { writes, problems } = read(
      [
        'PI No,Target,Q1,Q2,Q3,Apr',
        'NI 179,95,96.55,,,', // row 2: too many decimals
        'NI 999,1,2,,,', // row 3: unknown indicator
        'VFM 2,£10,,,£5,', // row 4: Q3 is not a period in Amber
        'HB 1,,,4 days,,3', // row 5: monthly in a quarterly column
        'NI 179,95,90,,,', // row 6: a second row for one indicator
      ].join('\n'),
    );
    assert.deepEqual(writes, []);
    assert.deepEqual(problems.map(problemText), [
      'Row 2, column Q1: "96.55" has 2 decimal places, but this indicator records 1 decimal place',
      'Row 3, column PI No: There is no indicator NI 999 in Amber: add it first, or check the PI No',
      'Row 4, column Q3: 2009/10 Q3 is not a reporting period: add it first',
      'Row 5, column Q2: HB 1 is reported monthly: put its values in the Apr to Mar columns',
      'Row 6, column PI No: NI 179 is also in row 2: give each indicator one row',
    ]);
  });

  it('says when there is no PI No column', () => {
    assert.deepEqual(read('PI Nmo,Q1\nNI 179,1\n').problems.map(problemText), [
      "Row 1: Column 'PI Nmo' is not a column Amber knows: did you mean 'PI No'?",
    ]);
  });
});

describe('XLSX cells', () => {
  it('reads numbers, percentage-formatted numbers and formula results, and refuses a date where a value belongs', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Values');
    sheet.addRow(['PI No', 'Target', 'Q1', 'Q2', 'Commentary']);
    sheet.addRow(['NI 179', 95, 0.965, { formula: 'B2-1', result: 94 }, 'Fine']);
    sheet.getCell('C2').numFmt = '0.0%';
    sheet.addRow(['VFM 2', 1200.5, new Date(Date.UTC(2009, 3, 1)), null, new Date(Date.UTC(2009, 5, 30))]);
    const { rows } = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()));
    assert.deepEqual(rows[1]!.cells.slice(0, 4), ['NI 179', '95', '96.5', '94']);
    const { problems } = readValueRows(rows, context);
    assert.deepEqual(problems.map(problemText), [
      'Row 3, column Q1: "01/04/2009" is a date, not a value: Excel may have turned what was typed into a date; format the cell as a number and type it again',
    ]);
    const good = readValueRows(rows.slice(0, 2), context);
    assert.deepEqual(
      good.writes.map((w) => [w.actual, w.target, w.comment ?? '']),
      [
        [965, 950, ''],
        [940, 950, 'Fine'],
      ],
    );
  });

  it('writes a sheet that reads back to the same values', async () => {
    const sheet = valueSheet(
      2009,
      [
        {
          code: 'VFM 2',
          title: 'Cost per case',
          polarity: 'lower',
          frequency: 'quarterly',
          unit: money.unit,
          target: 120000,
          actuals: new Map([
            ['2009-10-q1', 125050],
            ['2009-10-q2', -3000],
          ]),
          ytd: '',
          status: 'Red',
          owner: 'A. Officer',
          comment: 'Too high',
        },
      ],
      formatValue,
      true,
    );
    assert.deepEqual(sheet[0], [
      'PI No',
      'Description',
      'Target',
      'Good is?',
      'Q1',
      'Q2',
      'Q3',
      'Q4',
      'YTD',
      'Status',
      'Owner',
      'Commentary',
    ]);
    const { rows } = await readSheet(await writeXlsx('Values', sheet));
    const { writes, problems } = readValueRows(rows, context);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      writes.map((w) => [w.periodKey, w.actual, w.target]),
      [
        ['2009-10-q1', 125050, 120000],
        ['2009-10-q2', -3000, 120000],
      ],
    );
    assert.equal(writes[1]!.comment, 'Too high');
  });
});
