// Importing and exporting indicator values through the web app, on both engines: good CSV and
// XLSX files are recorded; a file with several problems lists them all and changes nothing;
// what is exported reads back as the same values.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { ENGINES, untilWaitingForLock } from './helpers/database.ts';
import { observeStatements } from '../src/platform/db/database.ts';
import { buildTestApp, createTestSession, type TestApp } from './helpers/app.ts';
import { errorSummary, htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { insertOrganisation, insertPerson, insertPriority, insertReport } from './builders/index.ts';
import { readSheet, XLSX_IN_THREAD_ROWS } from '../src/modules/indicators/indicator-transfer.ts';

function multipart(fields: Record<string, string>, file?: { name: string; data: Buffer }) {
  const boundary = '----amber-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      file.data,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Text as Excel on Windows saves "CSV (Comma delimited)": Windows-1252 (ASCII and the letters used here). */
function windows1252(text: string): Buffer {
  const bytes: Record<string, number> = { '£': 0xa3, '–': 0x96, é: 0xe9 };
  return Buffer.from([...text].map((c) => (c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : bytes[c]!)));
}
/** Text as "Unicode text" saves it: UTF-16 LE with a byte order mark. */
const utf16 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
const ENCODINGS = [
  ['Windows-1252', windows1252],
  ['UTF-16', utf16],
] as const;

for (const engine of ENGINES) {
  describe(`importing and exporting indicator values [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      for (const p of ['2009-10-q1', '2009-10-q2', '2009-10']) await t.services.periods.ensure(actor, p);
      const base = {
        unitKind: 'percentage',
        decimalPlaces: '1',
        polarity: 'higher',
        ruleKind: 'percent',
        tolerance: '5',
        chartKind: 'line',
      };
      await t.services.indicators.create(actor, {
        ...base,
        code: 'IMP 1',
        title: 'Calls answered',
        frequency: 'quarterly',
      });
      await t.services.indicators.create(actor, {
        ...base,
        code: 'IMP 2',
        title: 'Spend per head',
        unitKind: 'money',
        decimalPlaces: '2',
        polarity: 'lower',
        frequency: 'quarterly',
      });
      await t.services.indicators.create(actor, {
        ...base,
        code: 'IMP 3',
        title: 'Residents satisfied',
        frequency: 'annual',
      });
    });
    after(async () => t?.close());

    const upload = (year: string, name: string, data: Buffer) =>
      t.app.inject({ method: 'POST', url: paths.indicators.import, ...multipart({ year }, { name, data }) });
    const valuesOf = async (code: string) =>
      (await t.services.indicators.points(actor, code)).points.map((p) => [
        p.period.key,
        p.value.actual,
        p.value.target,
        p.value.comment,
      ]);
    const countValues = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from indicator_value`.execute(t.db)).rows[0]!.n);

    it('shows the upload page, linked from the indicator list', async () => {
      assert.match((await t.app.inject({ url: paths.indicators.list })).body, /href="\/indicators\/import"/);
      const page = await t.app.inject({ url: paths.indicators.import });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /enctype="multipart\/form-data"/);
    });

    it('imports a good CSV laid out as councils lay it out', async () => {
      const csv =
        '\uFEFFPI No,Description,Outturn,Target,Good is?,Q1,Q2,Q3,Q4,YTD,Status,Owner,Commentary\r\n' +
        'IMP 1,Calls answered,,95%,Higher,96.5%,94,,,,,,"Dip in Q2, staff sickness"\r\n' +
        ',,,,,,,,,,,,\r\n' +
        'IMP 3,Residents satisfied,71.5,70,Higher,,,,,,,,\r\n';
      const res = await upload('2009', 'values.csv', Buffer.from(csv));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      assert.deepEqual(await valuesOf('IMP 1'), [
        ['2009-10-q1', 965, 950, ''],
        ['2009-10-q2', 940, 950, 'Dip in Q2, staff sickness'],
      ]);
      assert.deepEqual(await valuesOf('IMP 3'), [['2009-10', 715, 700, '']]);
      assert.match(
        htmlText((await t.app.inject({ url: res.headers.location as string })).body),
        /3 values were imported for 2009\/10/,
      );
    });

    it('keeps a commentary whatever it holds: quotes, backslashes, braces, commas and the word NULL', async () => {
      // The values go to the database as arrays (one a column), whose text form quotes and escapes.
      const comment = 'He said "NULL", not {null}: C:\\data\\q2, then \\"'; // He said "NULL", not {null}: C:\data\q2, then \"
      const res = await upload(
        '2009',
        'values.csv',
        Buffer.from(`PI No,Q2,Commentary\r\nIMP 1,93,"${comment.replace(/"/g, '""')}"\r\nIMP 3,,\r\n`),
      );
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const [period, actual, , saved] = (await valuesOf('IMP 1')).find(([p]) => p === '2009-10-q2')!;
      assert.deepEqual([period, actual, saved], ['2009-10-q2', 930, comment]);
    });

    it('imports a good XLSX with numbers and a percentage-formatted cell', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('2009-10');
      sheet.addRow(['pi no', 'TARGET', 'q1', 'Commentary']);
      sheet.addRow(['IMP 2', 12.5, 13.25, 'Above target']);
      const res = await upload('2009/10', 'values.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      assert.deepEqual(await valuesOf('IMP 2'), [['2009-10-q1', 1325, 1250, 'Above target']]);
    });

    it('lists every problem of a bad file by row and column and changes nothing', async () => {
      const before = await countValues();
      const csv = 'PI No,Tagret,Q1,Q2,Q3\nIMP 1,95,96.55,,\nNOPE 9,,1,,\nIMP 1,,,,\nIMP 2,,,,£5\nIMP 3,,50,,\n';
      const res = await upload('2009', 'bad.csv', Buffer.from(csv));
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        "#file Row 1, column Tagret: Column 'Tagret' is not a column Amber knows: did you mean 'Target'? Or say which column it is under “Name the file’s columns”",
        '#file Row 2, column Q1: "96.55" has 2 decimal places, but this indicator records 1 decimal place',
        '#file Row 3, column PI No: There is no indicator NOPE 9 in Amber: add it first, or check the PI No',
        '#file Row 4, column PI No: IMP 1 is also in row 2: give each indicator one row',
        '#file Row 5, column Q3: 2009/10 Q3 is not a reporting period: add it first',
        '#file Row 6, column Q1: IMP 3 is reported annual: put its values in the Outturn column',
      ]);
      assert.match(htmlText(res.body), /The file has 6 problems\. Nothing was imported/);
      assert.equal(await countValues(), before);
    });

    for (const [name, encode] of ENCODINGS)
      it(`imports a CSV saved as ${name} with its £ and accents intact`, async () => {
        const comment = `Cost £5 per call – café (${name})`;
        const res = await upload('2009', 'values.csv', encode(`PI No,Q2,Commentary\r\nIMP 1,94,${comment}\r\n`));
        assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
        assert.deepEqual(
          (await valuesOf('IMP 1')).find(([period]) => period === '2009-10-q2'),
          ['2009-10-q2', 940, 950, comment],
        );
      });

    it('names the row of a quote never closed and changes nothing', async () => {
      const before = await countValues();
      const res = await upload('2009', 'bad.csv', Buffer.from('PI No,Q1,Commentary\nIMP 1,90,"Fine\nIMP 3,,\n'));
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        '#file Row 2: A quoted cell is never closed: check for a missing " in this row',
      ]);
      assert.equal(await countValues(), before);
    });

    it('refuses a missing file and a bad year', async () => {
      const res = await t.app.inject({ method: 'POST', url: paths.indicators.import, ...multipart({ year: '09' }) });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), ['#year Enter the financial year, like 2009 for 2009/10']);
    });

    for (const format of ['csv', 'xlsx'] as const) {
      it(`exports ${format.toUpperCase()} that imports back to the same values`, async () => {
        const before = await Promise.all(['IMP 1', 'IMP 2', 'IMP 3'].map(valuesOf));
        const exported = await t.app.inject({
          url: format === 'csv' ? paths.indicators.exportCsv(2009) : paths.indicators.exportXlsx(2009),
        });
        assert.equal(exported.statusCode, 200);
        assert.match(
          String(exported.headers['content-disposition']),
          new RegExp(`indicator-values-2009-10\\.${format}`),
        );
        if (format === 'csv') assert.match(exported.body, /IMP 1,Calls answered,,95\.0%,Higher,96\.5%,94\.0%/);
        const res = await upload('2009', `export.${format}`, exported.rawPayload);
        assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
        assert.deepEqual(await Promise.all(['IMP 1', 'IMP 2', 'IMP 3'].map(valuesOf)), before);
      });
    }

    it('exports every indicator in the same statements whatever their number', async () => {
      // Asked for one indicator at a time, an export of 12,500 took 5 s on PGlite and 10 s on a server.
      const counted = async () => {
        const statements: string[] = [];
        const stop = observeStatements(t.db, (s) => statements.push(s.sql));
        try {
          assert.equal((await t.app.inject({ url: paths.indicators.exportCsv(2009) })).statusCode, 200);
        } finally {
          stop();
        }
        return statements.filter((q) => !/^update "user_session"/.test(q)).length;
      };
      const before = await counted();
      for (let i = 0; i < 15; i++) {
        const code = `MANY ${i}`;
        await t.services.indicators.create(actor, {
          code,
          title: `Counted ${i}`,
          unitKind: 'number',
          polarity: 'higher',
          frequency: 'quarterly',
        });
        await t.services.indicators.setValue(actor, code, { period: '2009-10-q1', actual: String(i) });
      }
      assert.equal(await counted(), before, 'fifteen more indicators, as many statements');
      const csv = (await t.app.inject({ url: paths.indicators.exportCsv(2009) })).body;
      assert.match(csv, /MANY 14,Counted 14,.*,14,/);
    });

    it('reads an export’s values at one moment: a read-only transaction in repeatable read', async () => {
      // A big organisation’s values are read a thousand indicators a statement; on a server, a
      // change committed between two of them would otherwise put values from before and after it
      // in one file (the unit-of-work tests show what repeatable read keeps out).
      for (const url of [paths.indicators.exportCsv(2009), paths.indicators.exportXlsx(2009)]) {
        const statements: string[] = [];
        const stop = observeStatements(t.db, (s) => statements.push(s.sql));
        try {
          assert.equal((await t.app.inject({ url })).statusCode, 200);
        } finally {
          stop();
        }
        const values = statements.findIndex((q) => /\bfrom "?indicator_value"?/i.test(q));
        assert.ok(values > 0, `the export read no values: ${statements.join('\n')}`);
        const begun = statements
          .slice(0, values)
          .reverse()
          .find((q) => /^(begin|start transaction)\b/i.test(q));
        assert.match(begun ?? '(none)', /isolation level repeatable read/i, `${url}: its values were read in ${begun}`);
        assert.match(begun ?? '(none)', /read only/i);
      }
    });

    if (engine === 'pglite')
      it('holds no unit of work while a big workbook is written: PGlite’s one connection answers others meanwhile', async () => {
        // An organisation of its own with enough indicators for its workbook to be written in a worker.
        const other = await insertOrganisation(t.services);
        await sql`insert into indicator (organisation_id, code, title, unit_kind, decimal_places, polarity, frequency, ytd_method, rule_kind, rule_value)
          select ${other.organisationId}::uuid, 'BIG ' || n, 'Indicator ' || n, 'number', 1, 'higher', 'quarterly', 'latest', 'percent', 50
          from generate_series(1, ${XLSX_IN_THREAD_ROWS}::int) as n`.execute(t.db);
        const officer = await createTestSession(t.services, other.organisationId, ['performance_officer']);
        // Once the export has read its indicators, the health check's statement needs the connection.
        let read!: () => void;
        const hasRead = new Promise<void>((resolve) => (read = resolve));
        const stop = observeStatements(t.db, (statement) => {
          if (/from "indicator"/.test(statement.sql)) read();
        });
        let exportDone = 0;
        let healthDone: number;
        try {
          const exported = t.app
            .inject({ url: paths.indicators.templateXlsx, headers: officer.headers })
            .then((res) => ((exportDone = performance.now()), res));
          await hasRead;
          const health = await t.app.inject({ url: paths.health });
          healthDone = performance.now();
          assert.equal(health.statusCode, 200);
          const res = await exported;
          assert.equal(res.statusCode, 200, res.body.slice(0, 300));
          assert.equal((await readSheet(res.rawPayload)).rows.length, XLSX_IN_THREAD_ROWS + 1);
        } finally {
          stop();
        }
        assert.ok(
          healthDone < exportDone,
          `the health check answered ${Math.round(exportDone - healthDone)} ms before the workbook was sent`,
        );
      });

    it('offers a template with every indicator’s code and title', async () => {
      const csv = await t.app.inject({ url: paths.indicators.templateCsv });
      assert.equal(csv.statusCode, 200);
      assert.match(
        csv.body,
        /^\uFEFFPI No,Description,Outturn,Target,Good is\?,Q1,Q2,Q3,Q4,YTD,Status,Owner,Commentary\r\n/,
      );
      assert.match(csv.body, /IMP 2,Spend per head,,,Lower,/);
      const xlsx = await t.app.inject({ url: paths.indicators.templateXlsx });
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer);
      const codes: string[] = [];
      workbook.worksheets[0]!.eachRow((row, n) => {
        if (n > 1) codes.push(String(row.getCell(1).value));
      });
      assert.ok(
        ['IMP 1', 'IMP 2', 'IMP 3'].every((c) => codes.includes(c)),
        codes.join(', '),
      );
    });
  });
}

for (const engine of ENGINES) {
  describe(`importing and exporting indicator definitions [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let priorityCode: string;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      await insertPerson(t.services, actor, { name: 'Pat Officer' });
      priorityCode = (await insertPriority(t.services, actor)).code;
      await t.services.periods.ensure(actor, '2009-10-q1');
      await t.services.indicators.create(actor, {
        code: 'DEF 1',
        title: 'Calls answered',
        unitKind: 'percentage',
        decimalPlaces: '1',
        polarity: 'higher',
        frequency: 'quarterly',
        ruleKind: 'percent',
        tolerance: '5',
      });
      await t.services.indicators.setValue(actor, 'DEF 1', { period: '2009-10-q1', actual: '95' });
    });
    after(async () => t?.close());

    const upload = (name: string, data: Buffer) =>
      t.app.inject({ method: 'POST', url: paths.indicators.definitionsImport, ...multipart({}, { name, data }) });
    const definitions = async () =>
      (await t.services.indicators.list(actor)).map(({ id: _id, version: _v, ownerName: _o, ...rest }) => rest);

    it('links the import and downloads from the indicator list', async () => {
      const list = (await t.app.inject({ url: paths.indicators.list })).body;
      for (const href of [
        paths.indicators.definitionsImport,
        paths.indicators.definitionsCsv,
        paths.indicators.definitionsXlsx,
      ])
        assert.ok(list.includes(`href="${href}"`), href);
      assert.equal((await t.app.inject({ url: paths.indicators.definitionsImport })).statusCode, 200);
    });

    it('creates and updates indicators from a good CSV', async () => {
      const csv =
        'PI No,Title,Unit,Decimal places,Good is?,Frequency,Year to date,Tolerance,Owner,Priorities,Baseline\r\n' +
        `DEF 1,Calls answered in 20s,Percentage,1,Higher,Quarterly,Average,3%,Pat Officer,${priorityCode},91.5\r\n` +
        'DEF 2,Days to pay,days,0,Lower,Annual,None,2,,,30\r\n';
      const res = await upload('definitions.csv', Buffer.from(csv));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const one = await t.services.indicators.get(actor, 'DEF 1');
      assert.deepEqual(
        [one.title, one.ytdMethod, one.ruleValue, one.ownerName, one.baseline, one.priorityIds.length],
        ['Calls answered in 20s', 'average', 300, 'Pat Officer', 915, 1],
      );
      const two = await t.services.indicators.get(actor, 'DEF 2');
      assert.deepEqual(
        [two.unitKind, two.polarity, two.frequency, two.ruleKind, two.ruleValue, two.baseline],
        ['days', 'lower', 'annual', 'absolute', 2, 30],
      );
      assert.match(
        htmlText((await t.app.inject({ url: res.headers.location as string })).body),
        /1 indicator was added and 1 updated/,
      );
    });

    for (const [name, encode] of ENCODINGS)
      it(`creates indicators from a CSV saved as ${name} with its £ and accents intact`, async () => {
        const code = `DEF ${name}`;
        const res = await upload(
          'definitions.csv',
          encode(`PI No,Title,Unit,Good is?,Frequency\r\n${code},Cost of a café visit – £,Money (£),Lower,Annual\r\n`),
        );
        assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
        const created = await t.services.indicators.get(actor, code);
        assert.deepEqual([created.title, created.unitKind], ['Cost of a café visit – £', 'money']);
      });

    it('imports a big file in a fixed number of statements, each indicator audited with what it was and is', async () => {
      // An indicator was read with all its values to learn whether it had any, then read again
      // after its write for the audit event, which went in alone: 7 statements an indicator; then
      // written one at a time with its links: 3 an indicator. Now a few for the whole file.
      const rows = (title: string) =>
        Array.from({ length: 40 }, (_, i) => `BIG ${i + 1},${title} ${i + 1},Number,0,Higher,Quarterly`);
      const header = 'PI No,Title,Unit,Decimal places,Good is?,Frequency';
      const created = await upload('big.csv', Buffer.from([header, ...rows('Count')].join('\r\n')));
      assert.equal(created.statusCode, 303, errorSummary(created.body).join('\n'));
      await t.services.indicators.setValue(actor, 'BIG 7', { period: '2009-10-q1', actual: '3' });
      const statements: string[] = [];
      const stop = observeStatements(t.db, (s) => statements.push(s.sql));
      let res;
      try {
        res = await upload(
          'big-renamed.csv',
          Buffer.from(
            [
              `${header},Priorities`,
              ...rows('Tally').map((r) => `${r},`),
              ...Array.from(
                { length: 5 },
                (_, i) => `BIGNEW ${i + 1},New ${i + 1},Number,0,Higher,Annual,${priorityCode}`,
              ),
            ].join('\r\n'),
          ),
        );
      } finally {
        stop();
      }
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const writes = statements.filter((q) =>
        /^\s*(update|insert into|delete from) "?(indicator|indicator_priority|report_graph)"?\s/.test(q),
      );
      assert.ok(
        statements.length <= writes.length + 20,
        `${statements.length} statements, ${writes.length} of them the writes`,
      );
      // The 40 updated (1) and their links replaced (2), their graphs checked (1); the 5 created
      // (1) and their links (1): a few more for thousands of rows, in batches of 250.
      assert.ok(writes.length <= 6, `${writes.length} writes for 45 indicators:\n${writes.join('\n')}`);
      const news = await Promise.all([1, 2, 3, 4, 5].map((i) => t.services.indicators.get(actor, `BIGNEW ${i}`)));
      assert.deepEqual(
        news.map((n) => [n.title, n.frequency, n.priorityIds.length]),
        [1, 2, 3, 4, 5].map((i) => [`New ${i}`, 'annual', 1]),
      );
      assert.equal(statements.filter((q) => /from "indicator_value"/.test(q)).length, 1, 'values looked at once');

      const { rows: events } = await sql<{
        entity_id: string;
        before: { title: string; hasValues: boolean };
        after: { title: string; imported: string; code: string };
      }>`
        select entity_id, before, after from audit_event
        where entity = 'indicator' and action = 'import' and after->>'imported' = 'big-renamed.csv' order by id`.execute(
        t.db,
      );
      assert.equal(events.length, 45);
      const seven = events.find((e) => e.after.code === 'BIG 7')!;
      assert.deepEqual([seven.before.title, seven.before.hasValues, seven.after.title], ['Count 7', true, 'Tally 7']);
      assert.equal(seven.entity_id, (await t.services.indicators.get(actor, 'BIG 7')).id);
      assert.ok(
        events
          .slice(0, 40)
          .every((e) => e.after.title.startsWith('Tally') && e.before.hasValues === (e.after.code === 'BIG 7')),
      );
      assert.deepEqual(
        events.slice(40).map((e) => [e.after.code, e.before]),
        [1, 2, 3, 4, 5].map((i) => [`BIGNEW ${i}`, null]),
        'the new ones last, in the order of the file, with nothing before',
      );
    });

    it('creates indicators from a good XLSX', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Definitions');
      sheet.addRow(['pi no', 'TITLE', 'unit', 'good is', 'frequency', 'baseline']);
      sheet.addRow(['DEF 3', 'Spend per head', 'Money (£)', 'Lower', 'Half-yearly', 12.5]);
      const res = await upload('definitions.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const three = await t.services.indicators.get(actor, 'DEF 3');
      assert.deepEqual(
        [three.unitKind, three.decimalPlaces, three.frequency, three.baseline],
        ['money', 2, 'half-yearly', 1250],
      );
    });

    it('lists every problem of a bad file by row and column and changes nothing', async () => {
      const before = await definitions();
      const csv =
        'PI No,Title,Unit,Decimal places,Good is?,Frequency,Owner,Priorities\n' +
        'DEF 1,Calls,Number,1,Higher,Quarterly,,\n' +
        'DEF 9,New one,Litres,0,Higher,Annual,,\n' +
        'DEF 10,Other,Number,0,Sideways,Annual,Nobody Here,ZZ9\n' +
        'def 9,Again,Number,0,Higher,Annual,,\n' +
        'DEF 11,Fine,Number,0,Higher,Annual,,\n';
      const res = await upload('bad.csv', Buffer.from(csv));
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        '#file Row 2, column Unit: The unit of DEF 1 cannot change once values are recorded: the stored values would change meaning',
        "#file Row 3, column Unit: 'Litres' is not a Unit Amber knows: use Number, Percentage (%), Money (£), Days, Hours, Ratio, Rate per 1,000",
        "#file Row 4, column Good is?: 'Sideways' is not a Good is Amber knows: use Higher, Lower, Within range, n/a",
        "#file Row 4, column Owner: There is no one called 'Nobody Here' in Amber: add them under People first, or check the spelling",
        '#file Row 4, column Priorities: There is no priority ZZ9 in Amber: check the codes, separated by ;',
        '#file Row 5, column PI No: def 9 is also in row 3: give each indicator one row',
      ]);
      assert.match(htmlText(res.body), /The file has 6 problems\. Nothing was imported/);
      assert.deepEqual(await definitions(), before);
    });

    for (const format of ['csv', 'xlsx'] as const) {
      it(`exports ${format.toUpperCase()} that imports back unchanged`, async () => {
        const before = await definitions();
        const exported = await t.app.inject({
          url: format === 'csv' ? paths.indicators.definitionsCsv : paths.indicators.definitionsXlsx,
        });
        assert.equal(exported.statusCode, 200);
        assert.match(String(exported.headers['content-disposition']), new RegExp(`indicator-definitions\\.${format}`));
        if (format === 'csv')
          assert.match(
            exported.body,
            /^\uFEFFPI No,Title,Description,Unit,Decimal places,Good is\?,Frequency,Year to date,Tolerance,Owner,Priorities,Data source,Baseline,Shared identifier\r\n/,
          );
        const res = await upload(`export.${format}`, exported.rawPayload);
        assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
        assert.deepEqual(await definitions(), before);
      });
    }

    it('writes a file of more rows than a statement takes, each indicator with its own title, links and audit event', async () => {
      const other = (await insertPriority(t.services, actor)).code;
      const header = 'PI No,Title,Unit,Good is?,Frequency,Priorities';
      const file = (title: string, count: number, linkOf: (n: number) => string) =>
        Buffer.from(
          [
            header,
            ...Array.from(
              { length: count },
              (_, i) => `BATCH ${i + 1},${title} ${i + 1},Number,Higher,Annual,${linkOf(i + 1)}`,
            ),
          ].join('\r\n'),
        );
      const first = await upload(
        'batch.csv',
        file('Count', 300, () => priorityCode),
      );
      assert.equal(first.statusCode, 303, errorSummary(first.body).join('\n'));
      // Every row updated, with its links swapped on every other row, and 20 more created.
      const second = await upload(
        'batch-again.csv',
        file('Tally', 320, (n) => (n % 2 ? other : `${priorityCode}; ${other}`)),
      );
      assert.equal(second.statusCode, 303, errorSummary(second.body).join('\n'));
      assert.match(
        htmlText((await t.app.inject({ url: second.headers.location as string })).body),
        /20 indicators were added and 300 updated/,
      );
      const codes = new Map((await t.services.plans.listPriorities(actor)).map((p) => [p.id, p.code] as const));
      const batch = (await t.services.indicators.list(actor)).filter((i) => i.code.startsWith('BATCH '));
      assert.equal(batch.length, 320);
      const wrong = batch.filter((i) => {
        const n = Number(i.code.slice('BATCH '.length));
        const links = i.priorityIds.map((id) => codes.get(id)).sort();
        return (
          i.title !== `Tally ${n}` || links.join(';') !== (n % 2 ? [other] : [priorityCode, other].sort()).join(';')
        );
      });
      assert.deepEqual(
        wrong.map((i) => i.code),
        [],
        'indicators with the wrong title or links',
      );
      const { rows: events } = await sql<{ entity_id: string; code: string }>`
        select entity_id, after->>'code' as code from audit_event
        where entity = 'indicator' and action = 'import' and after->>'imported' = 'batch-again.csv'`.execute(t.db);
      const ids = new Map(batch.map((i) => [i.code, i.id]));
      assert.equal(events.length, 320);
      assert.deepEqual(
        events.filter((e) => ids.get(e.code) !== e.entity_id).map((e) => e.code),
        [],
        'audit events recorded against another indicator',
      );
    });

    it("moves an indicator between priorities: its graph stays on the report of a priority it still measures and goes from the other's", async () => {
      const kept = await insertReport(t.services, actor);
      const dropped = await insertReport(t.services, actor);
      const header = 'PI No,Title,Unit,Good is?,Frequency,Priorities';
      const both = `GRAPH 1,Graphed,Number,Higher,Quarterly,${kept.priority.code}; ${dropped.priority.code}`;
      const linked = await upload('graph.csv', Buffer.from(`${header}\r\n${both}\r\n`));
      assert.equal(linked.statusCode, 303, errorSummary(linked.body).join('\n'));
      const indicator = await t.services.indicators.get(actor, 'GRAPH 1');
      for (const { priority } of [kept, dropped])
        await t.services.reports.chooseGraphs(actor, priority.code, '2009-10-h1', { indicators: [indicator.id] });

      const one = `GRAPH 1,Graphed,Number,Higher,Quarterly,${kept.priority.code}`;
      const moved = await upload('graph.csv', Buffer.from(`${header}\r\n${one}\r\n`));
      assert.equal(moved.statusCode, 303, errorSummary(moved.body).join('\n'));
      const graphs = async (code: string) =>
        (await t.services.reports.getBundle(actor, code, '2009-10-h1')).graphs.map((g) => g.indicator.code);
      assert.deepEqual(await graphs(kept.priority.code), ['GRAPH 1']);
      assert.deepEqual(await graphs(dropped.priority.code), []);
      assert.deepEqual((await t.services.indicators.get(actor, 'GRAPH 1')).priorityIds, [kept.priority.id]);
    });

    if (engine === 'postgres')
      it('refuses the whole file, naming the indicator, when someone changes it while the file is written', async () => {
        const header = 'PI No,Title,Unit,Good is?,Frequency';
        const created = await upload(
          'race.csv',
          Buffer.from(`${header}\r\nRACE 1,First,Number,Higher,Annual\r\nRACE 2,Second,Number,Higher,Annual\r\n`),
        );
        assert.equal(created.statusCode, 303, errorSummary(created.body).join('\n'));
        const file =
          `${header}\r\nRACE 1,First renamed,Number,Higher,Annual\r\n` +
          'RACE 2,Second renamed,Number,Higher,Annual\r\nRACE 3,Third,Number,Higher,Annual\r\n';
        // Someone's edit of RACE 2 holds its row while the import reads the old version and then
        // waits to write it; it commits, and the import finds the version moved on.
        let importing: ReturnType<typeof upload> | undefined;
        await t.db.transaction().execute(async (trx) => {
          await sql`update indicator set title = 'Saved meanwhile', version = version + 1
            where organisation_id = ${actor.organisationId} and code = 'RACE 2'`.execute(trx);
          importing = upload('race.csv', Buffer.from(file));
          await untilWaitingForLock(t.db, 'update indicator');
        });
        const res = await importing!;
        assert.equal(res.statusCode, 409);
        assert.match(
          htmlText(res.body),
          /Someone else changed RACE 2 while the file was being read\. Nothing has been imported/,
        );
        const titles = await Promise.all(
          ['RACE 1', 'RACE 2'].map(async (code) => (await t.services.indicators.get(actor, code)).title),
        );
        assert.deepEqual(titles, ['First', 'Saved meanwhile'], 'the edit stands and nothing of the file does');
        await assert.rejects(t.services.indicators.get(actor, 'RACE 3'));
      });

    it('offers a template with the headers and one example row that imports', async () => {
      const xlsx = await t.app.inject({ url: paths.indicators.definitionsTemplateXlsx });
      assert.equal(xlsx.statusCode, 200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.rawPayload as unknown as ExcelJS.Buffer);
      assert.equal(workbook.worksheets[0]!.rowCount, 2);
      const res = await upload('template.xlsx', xlsx.rawPayload);
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      assert.equal((await t.services.indicators.get(actor, 'NI 179')).baseline, 925);
    });
  });
}
