import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import {
  readSheet,
  readValueRows,
  readValueRowsTurning,
  problemText,
  suggestColumn,
  text,
  valueSheet,
  writeSheetCsv,
  writeXlsx,
  writeXlsxOffThread,
  WorkbookTooBigError,
  XLSX_IN_THREAD_ROWS,
  recogniseHeader,
  yearInHeader,
  polarityOf,
  unitOfValues,
  proposeIndicator,
  normaliseHeader,
  type HeaderMapping,
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
    const out = await writeSheetCsv(rows);
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
      "Row 1, column Tagret: Column 'Tagret' is not a column Amber knows: did you mean 'Target'? Or say which column it is under “Name the file’s columns”",
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

  it('checks a big file as it checks a small one, letting the event loop turn while it does', async () => {
    // A file of AMBER_MAX_ROWS rows takes over a second to check: other requests must not wait for all of it.
    const many = Array.from({ length: 6000 }, (_, i) => ({ ...pct, id: `i-${i}`, code: `PI ${i}` }));
    const big = { ...context, indicators: [...many, pct] };
    const lines = ['PI No,Q1,Q2', ...many.map((m, i) => `${m.code},${i % 100}.5,${(i + 7) % 100}`), 'NI 179,,oops'];
    const rows = readCsv(lines.join('\n'));
    const whole = readValueRows(rows, big);
    assert.equal(whole.problems.length, 1, 'the last row is wrong, and said so');
    const good = readValueRows(rows.slice(0, -1), big);
    assert.equal(good.writes.length, 12_000);

    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 1);
    const start = performance.now();
    let turning;
    try {
      turning = await readValueRowsTurning(rows.slice(0, -1), big, 2);
    } finally {
      clearInterval(timer);
    }
    const end = performance.now();
    assert.deepEqual(turning, good);
    assert.deepEqual(await readValueRowsTurning(rows, big, 2), whole);
    assert.ok(end - start > 8, `the check took ${end - start} ms: too short to tell`);
    assert.ok(ticks.filter((t) => t < end).length >= 2, `the timer ran ${ticks.length} times in ${end - start} ms`);
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

describe('a big workbook written off the event loop', () => {
  /** A sheet of `n` indicators: a header, then a code, a title, a number and a commentary each. */
  const bigSheet = (n: number) => [
    ['PI No', 'Description', 'Q1', 'Commentary'],
    ...Array.from({ length: n }, (_, i) => [
      `PI ${i + 1}`,
      `Indicator ${i + 1}`,
      { number: i / 10, format: '0.0' },
      i % 7 === 0 ? `Note ${i}` : '',
    ]),
  ];

  it('writes in a worker the same workbook as on the main thread', async () => {
    // Sheets of XLSX_IN_THREAD_ROWS rows or more go to the worker; a lower mark here, for speed.
    assert.ok(XLSX_IN_THREAD_ROWS >= 1000);
    const sheet = bigSheet(60);
    const [inWorker, here] = await Promise.all([
      writeXlsxOffThread('Values', sheet, { inThreadBelow: 50 }),
      writeXlsx('Values', sheet),
    ]);
    const off = await readSheet(inWorker);
    assert.deepEqual(off.rows, (await readSheet(here)).rows);
    assert.equal(off.rows.length, 61);
    assert.equal(off.name, 'Values');
  });

  it('refuses a workbook that needs more than the worker may take, and the process goes on', async () => {
    await assert.rejects(
      writeXlsxOffThread('Values', bigSheet(60), {
        inThreadBelow: 50,
        limits: { maxOldGenerationSizeMb: 4, timeoutMs: 60_000 },
      }),
      (error: unknown) =>
        error instanceof WorkbookTooBigError &&
        error.code === 'WORKBOOK_TOO_BIG' &&
        /more than 4 MB or 60 seconds\): download it as CSV instead/.test(error.message),
    );
    // A small one is written here, whatever the limits.
    const small = await writeXlsxOffThread('Values', bigSheet(3), {
      inThreadBelow: 50,
      limits: { maxOldGenerationSizeMb: 4, timeoutMs: 60_000 },
    });
    assert.equal((await readSheet(small)).rows.length, 4);
  });
});

describe('headers as councils write them', () => {
  const cases: [string, string | undefined, number | undefined][] = [
    ['Q1 2009/10', 'Q1', 2009],
    ['2009-10 Q3', 'Q3', 2009],
    ['Outturn 08/09', 'Outturn', 2008],
    ['2008/09', 'Outturn', 2008],
    ['FY2009/2010 Target', 'Target', 2009],
    ['Annual target 2009/10', 'Target', 2009],
    ['Q1 (Apr - Jun)', 'Q1', undefined],
    ['Q2 Target', 'Q2 target', undefined],
    ['Target - Q3 2009/10', 'Q3 target', 2009],
    ['Quarter 4 target', 'Q4 target', undefined],
    ['Q2 RAG status', 'Q2 status', undefined],
    ['Good is?', 'Good is?', undefined],
    ['Target owner', 'Owner', undefined],
    ['RAG Status', 'Status', undefined],
    ['KPI Ref', 'PI No', undefined],
    ['Q1 24/7', undefined, undefined],
    ['Weather', undefined, undefined],
  ];
  for (const [header, name, year] of cases)
    it(`reads '${header}' as ${name ?? 'no column'}${year ? ` of ${year}` : ''}`, () => {
      const match = recogniseHeader(header);
      assert.equal(match?.name, name);
      assert.equal(match?.year, year);
    });

  it('finds two numbers a year only when the second is the year after the first', () => {
    assert.deepEqual(yearInHeader('Q1 2009/11').year, undefined);
    assert.deepEqual(yearInHeader('Q1 99/00').year, 1999);
  });

  it('reads a file whose headers carry the year, and says what it leaves out for another year', () => {
    const { writes, problems, notices } = read(
      'PI Ref,Indicator name,Outturn 2008/09,Target 2009/10,Good is?,Q1 2009/10,Q2 2009/10,Comments\n' +
        'NI 179,Calls,91%,95%,Higher,96.5%,94,Fine\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      writes.map((w) => [w.periodKey, w.actual, w.target, w.comment]),
      [
        ['2009-10-q1', 965, 950, undefined],
        ['2009-10-q2', 940, 950, 'Fine'],
      ],
    );
    assert.deepEqual(notices.map(problemText), [
      "Row 1, column Outturn 2008/09: Column 'Outturn 2008/09' is for 2008/09, and the file was imported for 2009/10: it was not imported",
    ]);
  });

  it('says which year to choose when every column is for another year', () => {
    assert.deepEqual(read('PI No,Q1 2010/11\nNI 179,96\n').problems.map(problemText), [
      'Row 1: The file’s columns are for 2010/11, not 2009/10: choose 2010/11 as the financial year',
    ]);
  });

  it('judges each quarter by its own target, and keeps a target set ahead of its period', () => {
    const { writes, problems } = read(
      'PI No,Target,Q1 target,Q2 target,Q1,Q2\nNI 179,95%,90%,,91%,93%\nVFM 2,,£10,£12,£9,\n',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      writes.map((w) => [w.indicatorId, w.periodKey, w.actual, w.target]),
      [
        ['i-pct', '2009-10-q1', 910, 900],
        ['i-pct', '2009-10-q2', 930, 950],
        ['i-money', '2009-10-q1', 900, 1000],
        ['i-money', '2009-10-q2', undefined, 1200],
      ],
    );
  });

  it('uses the officer’s names for columns first, and leaves out a column mapped to nothing', () => {
    const mappings = new Map<string, HeaderMapping>([
      [normaliseHeader('Measure No.'), 'code'],
      [normaliseHeader('Apr-Jun'), 'period:quarter:1'],
      [normaliseHeader('Portfolio'), 'ignore'],
    ]);
    const { writes, problems, unknownHeaders } = readValueRows(
      readCsv('Measure No.,Portfolio,Apr-Jun\nNI 179,Adults,96\n'),
      {
        ...context,
        mappings,
      },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(unknownHeaders, []);
    assert.deepEqual(
      writes.map((w) => [w.periodKey, w.actual]),
      [['2009-10-q1', 960]],
    );
    const before = read('Measure No.,Portfolio,Apr-Jun\nNI 179,Adults,96\n');
    assert.deepEqual(before.unknownHeaders, ['Measure No.', 'Portfolio', 'Apr-Jun']);
  });

  it('keeps the file’s status with its period, and refuses one not on the scale', () => {
    const statuses = [
      { key: 'green', label: 'Green', description: 'On track' },
      { key: 'amber', label: 'Amber' },
      { key: 'red', label: 'Red' },
    ];
    const ok = readValueRows(readCsv('PI No,Q1,Q2,Q1 status,Status\nNI 179,96,94,G,Off track\nVFM 2,£5,,on track,\n'), {
      ...context,
      statuses: [...statuses, { key: 'off', label: 'Off track' }],
    });
    assert.deepEqual(ok.problems, []);
    assert.deepEqual(
      ok.writes.map((w) => [w.indicatorId, w.periodKey, w.status?.key, w.status?.column]),
      [
        ['i-pct', '2009-10-q1', 'green', 'Q1 status'],
        ['i-pct', '2009-10-q2', 'off', 'Status'],
        ['i-money', '2009-10-q1', 'green', 'Q1 status'],
      ],
    );
    const bad = readValueRows(readCsv('PI No,Q1,Status\nNI 179,96,Blue\nVFM 2,,Red\n'), { ...context, statuses });
    assert.deepEqual(bad.problems.map(problemText), [
      "Row 2, column Status: 'Blue' is not a status of your scale: use Green, Amber, Red, or leave it blank",
      'Row 3, column Status: A status is kept with the latest period’s value, and this row gives none: add it, or leave the status blank',
    ]);
  });

  it('matches an owner to one person, and reports a name it cannot match or that differs', () => {
    const people = [
      { id: 'p1', name: 'Jane Smith' },
      { id: 'p2', name: 'Sam Patel' },
      { id: 'p3', name: 'Sam Patel' },
    ];
    const { owners, notices, problems } = readValueRows(
      readCsv('PI No,Target owner,Q1\nNI 179,jane  smith,96\nVFM 2,Sam Patel,£5\nHB 1,Jo Bloggs,\n'),
      {
        ...context,
        indicators: [pct, money, { ...monthly, ownerId: 'p2', ownerName: 'Sam Patel' }],
        people,
      },
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      owners.map((o) => [o.code, o.personId]),
      [['NI 179', 'p1']],
    );
    assert.deepEqual(notices.map(problemText), [
      "Row 3, column Target owner: 2 people in Amber are called 'Sam Patel', so VFM 2’s owner was not changed: choose the owner on the indicator’s page",
      "Row 4, column Target owner: 'Jo Bloggs' is not a person in Amber, so HB 1’s owner was not changed: add them under People, or choose the owner on the indicator’s page",
    ]);
  });
});

describe('indicators a file would create', () => {
  it('reads which way is better as councils write it', () => {
    const cases: [string, string | undefined][] = [
      ['Higher', 'higher'],
      ['Higher is better', 'higher'],
      ['low', 'lower'],
      ['Lower is better', 'lower'],
      ['Within range', 'band'],
      ['n/a', 'none'],
      ['Sideways', undefined],
      ['', undefined],
    ];
    for (const [goodIs, polarity] of cases) assert.equal(polarityOf(goodIs), polarity, goodIs);
  });

  it('works out the unit from the values as typed, with the fewest decimal places that hold them', () => {
    assert.deepEqual(unitOfValues(['95.5%', '96%']), { kind: 'percentage', decimalPlaces: 1 });
    assert.deepEqual(unitOfValues(['£1,200', '£3.5']), { kind: 'money', decimalPlaces: 2 });
    assert.deepEqual(unitOfValues(['12', '9']), { kind: 'number', decimalPlaces: 0 });
    assert.deepEqual(unitOfValues(['4.25 days']), { kind: 'days', decimalPlaces: 2 });
  });

  it('proposes a definition from a row, or says what the row lacks', () => {
    const { proposed, problems } = proposeIndicator({
      row: 4,
      code: 'NEW 1',
      title: 'Rent collected',
      goodIs: 'Higher',
      kinds: ['quarter'],
      texts: ['97.25%', '98%'],
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(proposed?.input, {
      code: 'NEW 1',
      title: 'Rent collected',
      unitKind: 'percentage',
      decimalPlaces: '2',
      polarity: 'higher',
      frequency: 'quarterly',
      ruleKind: 'default',
      chartKind: 'line',
    });
    const lacking = proposeIndicator({ row: 5, code: 'NEW 2', title: '', goodIs: '', kinds: [], texts: [] });
    assert.equal(lacking.proposed, undefined);
    assert.deepEqual(lacking.problems.map(problemText), [
      'Row 5, column Description: Enter a Description for NEW 2, so Amber can create it',
      'Row 5, column Good is?: Say in Good is? whether Higher or Lower is better for NEW 2, so Amber can create it',
      'Row 5, column PI No: NEW 2 has no values in the file, so Amber cannot tell how often it is reported: add it first, or give its values',
    ]);
  });

  it('collects the rows of indicators not in Amber beside their problems', () => {
    const { missing, problems } = read('PI No,Description,Good is?,Q1,Target\nNEW 5,Fly-tipping,Lower,"1,204",900\n');
    assert.deepEqual(missing, [
      { row: 2, code: 'NEW 5', title: 'Fly-tipping', goodIs: 'Lower', kinds: ['quarter'], texts: ['1,204', '900'] },
    ]);
    assert.equal(problems[0]?.missingCode, 'NEW 5');
  });
});
