import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  parseCsv,
  writeCsv,
  csvRows,
  readSheet,
  readValueRows,
  problemText,
  suggestColumn,
  CsvError,
  valueSheet,
  writeXlsx,
  type TransferIndicator,
} from './indicator-transfer.ts';
import { formatValue } from '../../domain/indicators/indicator.ts';

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
const read = (csv: string) => readValueRows(csvRows(csv), context);

describe('CSV reading and writing', () => {
  const cases: { name: string; input: string; rows: string[][] }[] = [
    {
      name: 'plain cells and LF',
      input: 'a,b\nc,d\n',
      rows: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
    {
      name: 'CRLF and a byte order mark',
      input: '\uFEFFa,b\r\nc,d\r\n',
      rows: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
    {
      name: 'quoted commas, quotes and line breaks',
      input: '"x, y","say ""hi""","two\r\nlines"\r\nz,,',
      rows: [
        ['x, y', 'say "hi"', 'two\r\nlines'],
        ['z', '', ''],
      ],
    },
    { name: 'no final line break', input: 'a', rows: [['a']] },
    { name: 'a blank line in the middle', input: 'a\n\nb', rows: [['a'], [''], ['b']] },
  ];
  for (const c of cases) it(`reads ${c.name}`, () => assert.deepEqual(parseCsv(c.input), c.rows));

  it('refuses a quoted cell that is never closed, naming its row', () => {
    assert.throws(
      () => parseCsv('a\n"b,c\n'),
      (e: unknown) => e instanceof CsvError && e.row === 2,
    );
  });

  it('writes what it reads back, quoting only where needed and defusing formulas', () => {
    const rows = [
      ['PI No', 'Commentary'],
      ['NI 179', 'Up, again\n"good"'],
      ['X', '=SUM(A1)'],
      ['Y', '-£250'],
    ];
    const out = writeCsv(rows);
    assert.ok(out.startsWith('\uFEFFPI No,Commentary\r\n'));
    assert.match(out, /"Up, again\n""good"""/);
    const back = parseCsv(out);
    assert.deepEqual(back.slice(0, 2), rows.slice(0, 2));
    assert.equal(back[2]![1], "'=SUM(A1)");
    assert.equal(back[3]![1], '-£250');
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
    const rows = await readSheet(Buffer.from(await workbook.xlsx.writeBuffer()));
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
    const rows = await readSheet(await writeXlsx('Values', sheet));
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
