// A council's own indicator spreadsheet, through the web app on both engines (issue 13): headers
// that carry the year and the common other names are read, each quarter keeps and is judged by
// its own target, a status in the file that differs from Amber's is kept as an override with the
// file as its reason, an owner column is matched to people or reported, and a header Amber does
// not know is named once by the officer, remembered for the organisation and changeable; and
// indicators not yet in Amber are created from the same file after the officer has seen a preview.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { errorSummary, htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { insertPerson } from './builders/index.ts';

function multipart(fields: Record<string, string>, file: { name: string; data: Buffer }) {
  const boundary = '----amber-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    file.data,
    Buffer.from('\r\n'),
  );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

for (const engine of ENGINES) {
  describe(`importing a council's own indicator spreadsheet [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let jane: { id: string };
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      for (const p of ['2009-10-q1', '2009-10-q2', '2009-10-q3', '2009-10-q4'])
        await t.services.periods.ensure(actor, p);
      const base = {
        unitKind: 'percentage',
        decimalPlaces: '1',
        polarity: 'higher',
        ruleKind: 'percent',
        tolerance: '5',
        chartKind: 'line',
        frequency: 'quarterly',
      };
      await t.services.indicators.create(actor, { ...base, code: 'CNC 1', title: 'Calls answered' });
      await t.services.indicators.create(actor, { ...base, code: 'CNC 2', title: 'Repairs on time' });
      await t.services.indicators.create(actor, { ...base, code: 'CNC 3', title: 'Benefits processed' });
      jane = await insertPerson(t.services, actor, { name: 'Jane Cartwright' });
    });
    after(async () => t?.close());

    const upload = (year: string, data: string, fields: Record<string, string> = {}) =>
      t.app.inject({
        method: 'POST',
        url: paths.indicators.import,
        ...multipart({ year, ...fields }, { name: 'performance-2009-10.csv', data: Buffer.from(data) }),
      });
    const pointsOf = async (code: string) => (await t.services.indicators.points(actor, code)).points;

    it('imports a file whose headers carry the year and use the council’s own names, saying what it left out', async () => {
      const res = await upload(
        '2009',
        'Ref,Indicator name,Good is?,Outturn 2008/09,Annual Target 2009/10,Q1 2009/10,Q2 2009/10,Comments\r\n' +
          'CNC 1,Calls answered,Higher,88%,90%,91.5%,92%,Steady\r\n',
      );
      assert.equal(res.statusCode, 200, errorSummary(res.body).join('\n'));
      const text = htmlText(res.body);
      assert.match(text, /2 values were imported for 2009\/10/);
      assert.match(
        text,
        /Column 'Outturn 2008\/09' is for 2008\/09, and the file was imported for 2009\/10: it was not imported/,
      );
      assert.deepEqual(
        (await pointsOf('CNC 1')).map((p) => [p.period.key, p.value.actual, p.value.target, p.value.comment]),
        [
          ['2009-10-q1', 915, 900, ''],
          ['2009-10-q2', 920, 900, 'Steady'],
        ],
      );
    });

    it('keeps each quarter’s own target and judges the quarter by it, not by the annual target', async () => {
      const res = await upload(
        '2009/10',
        'PI No,Target,Q1 Target,Q2 Target,Q3 Target,Q1,Q2\r\nCNC 2,95%,80%,85%,90%,81%,84%\r\n',
      );
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const points = await pointsOf('CNC 2');
      assert.deepEqual(
        points.map((p) => [p.period.key, p.value.actual, p.value.target]),
        [
          ['2009-10-q1', 810, 800],
          ['2009-10-q2', 840, 850],
          ['2009-10-q3', null, 900],
        ],
        'Q3’s target is kept ahead of its value',
      );
      // Q1 is above its own 80% (it would be off the annual 95%); Q2 is 1.2% short of 85%, within the 5% tolerance.
      assert.deepEqual(
        points.map((p) => p.computed.rated && p.computed.status.key),
        ['green', 'amber', false],
      );
    });

    it('exports each quarter’s own target, and the export imports back to the same targets', async () => {
      const exported = await t.app.inject({ url: paths.indicators.exportCsv(2009) });
      assert.equal(exported.statusCode, 200);
      const [header, ...lines] = exported.body.replace(/^\uFEFF/, '').split('\r\n');
      assert.match(header!, /,Q1 target,Q2 target,Q3 target,Q4 target,/);
      assert.match(
        lines.find((l) => l.startsWith('CNC 2,'))!,
        /^CNC 2,Repairs on time,,Higher,81\.0%,84\.0%,,,80\.0%,85\.0%,90\.0%,,/,
      );
      const back = await upload('2009', exported.body);
      assert.ok([200, 303].includes(back.statusCode), errorSummary(back.body).join('\n'));
      assert.deepEqual(
        (await pointsOf('CNC 2')).map((p) => [p.period.key, p.value.actual, p.value.target]),
        [
          ['2009-10-q1', 810, 800],
          ['2009-10-q2', 840, 850],
          ['2009-10-q3', null, 900],
        ],
      );
    });

    it('keeps a status in the file that differs from Amber’s as an override with the file as its reason', async () => {
      const res = await upload('2009', 'PI No,Target,Q1,Q2,Q1 Status,RAG Status\r\nCNC 3,90%,95%,70%,Green,Amber\r\n');
      assert.equal(res.statusCode, 200, errorSummary(res.body).join('\n'));
      assert.match(
        htmlText(res.body),
        /CNC 3 2009\/10 Q2: Amber from the file \(row 2\) is kept as an override; Amber computed Red/,
      );
      const [q1, q2] = await pointsOf('CNC 3');
      assert.equal(q1!.value.override, null, 'the file agrees with Amber for Q1: nothing to keep');
      assert.equal(q1!.shown?.key, 'green');
      assert.equal(q2!.shown?.key, 'amber');
      assert.equal(q2!.computed.rated && q2!.computed.status.key, 'red', 'the computed status stays beside it');
      assert.match(
        q2!.value.override?.reason ?? '',
        /the status given in the imported file performance-2009-10\.csv \(row 2, column RAG Status\)/,
      );
    });

    it('refuses a status not on the scale, naming the row and column, and changes nothing', async () => {
      const before = await pointsOf('CNC 3');
      const res = await upload('2009', 'PI No,Q1,Status\r\nCNC 3,50%,Purple\r\n');
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        "#file Row 2, column Status: 'Purple' is not a status of your scale: use Green, Amber, Red, or leave it blank",
      ]);
      assert.deepEqual(await pointsOf('CNC 3'), before);
    });

    it('matches an owner to a person, and reports one it cannot match without changing anything', async () => {
      const res = await upload(
        '2009',
        'PI No,Target owner,Q1\r\nCNC 1,jane cartwright,91.5%\r\nCNC 2,Ann Nobody,81%\r\n',
      );
      assert.equal(res.statusCode, 200, errorSummary(res.body).join('\n'));
      const text = htmlText(res.body);
      assert.match(text, /CNC 1 had no owner: Jane Cartwright, named in row 2, is now its owner/);
      assert.match(text, /'Ann Nobody' is not a person in Amber, so CNC 2’s owner was not changed/);
      assert.equal((await t.services.indicators.get(actor, 'CNC 1')).ownerId, jane.id);
      assert.equal((await t.services.indicators.get(actor, 'CNC 2')).ownerId, null);
    });

    it('offers to name unknown columns, remembers the names for the next file, and lets them be changed', async () => {
      const file = 'Measure No.,Portfolio,Apr-Jun,Jul-Sep\r\nCNC 1,Adults,93%,94%\r\n';
      const refused = await upload('2009', file);
      assert.equal(refused.statusCode, 422);
      assert.match(errorSummary(refused.body)[0]!, /There is no PI No column/);
      const offered = [...refused.body.matchAll(/name="mappings\[(\d+)\]\[header\]" value="([^"]*)"/g)].map(
        (m) => m[2],
      );
      assert.deepEqual(offered, ['Measure No.', 'Portfolio', 'Apr-Jun', 'Jul-Sep']);

      const named = await t.app.inject({
        method: 'POST',
        url: paths.indicators.importColumns,
        ...form({
          from: 'import',
          'mappings[0][header]': 'Measure No.',
          'mappings[0][column]': 'code',
          'mappings[1][header]': 'Portfolio',
          'mappings[1][column]': 'ignore',
          'mappings[2][header]': 'Apr-Jun',
          'mappings[2][column]': 'period:quarter:1',
          'mappings[3][header]': 'Jul-Sep',
          'mappings[3][column]': 'period:quarter:2',
        }),
      });
      assert.equal(named.statusCode, 303, errorSummary(named.body).join('\n'));
      assert.match(
        htmlText((await t.app.inject({ url: named.headers.location as string })).body),
        /The names of 4 columns are saved: upload the file again/,
      );

      const imported = await upload('2009', file);
      assert.equal(imported.statusCode, 303, errorSummary(imported.body).join('\n'));
      assert.deepEqual(
        (await pointsOf('CNC 1')).map((p) => [p.period.key, p.value.actual]),
        [
          ['2009-10-q1', 930],
          ['2009-10-q2', 940],
        ],
      );

      // Changeable: the page lists the names; Jul-Sep is forgotten, so the next file is refused again.
      const page = await t.app.inject({ url: paths.indicators.importColumns });
      assert.equal(page.statusCode, 200);
      assert.deepEqual(
        [...page.body.matchAll(/<span data-qa="header">([^<]*)<\/span>/g)].map((m) => m[1]),
        ['Apr-Jun', 'Jul-Sep', 'Measure No.', 'Portfolio'],
      );
      const saved = await t.services.indicatorTransfer.headerMappings(actor);
      const at = saved.findIndex((m) => m.shown === 'Jul-Sep');
      const changed = await t.app.inject({
        method: 'POST',
        url: paths.indicators.importColumns,
        ...form({ [`mappings[${at}][header]`]: 'Jul-Sep', [`mappings[${at}][column]`]: '' }),
      });
      assert.equal(changed.statusCode, 303, errorSummary(changed.body).join('\n'));
      assert.match(
        htmlText((await t.app.inject({ url: changed.headers.location as string })).body),
        /0 names were saved and 1 forgotten/,
      );
      const again = await upload('2009', file);
      assert.equal(again.statusCode, 422);
      assert.deepEqual(
        [...again.body.matchAll(/name="mappings\[(\d+)\]\[header\]" value="([^"]*)"/g)].map((m) => m[2]),
        ['Jul-Sep'],
      );
    });

    it('refuses a column name that is not one of Amber’s, naming the row, and saves nothing', async () => {
      const before = await t.services.indicatorTransfer.headerMappings(actor);
      const res = await t.app.inject({
        method: 'POST',
        url: paths.indicators.importColumns,
        ...form({
          'mappings[0][header]': 'Owner 2',
          'mappings[0][column]': 'owner',
          'mappings[1][header]': 'Weather',
          'mappings[1][column]': 'sunshine',
        }),
      });
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), ['#mappings-1-column Choose one of Amber’s columns from the list']);
      assert.deepEqual(await t.services.indicatorTransfer.headerMappings(actor), before);
    });

    it('previews the indicators a file would create, and creates them and imports its values once confirmed', async () => {
      const file =
        'PI Ref,Description,Good is?,Q1 2009/10,Q2 2009/10,Q1 Target\r\n' +
        'CNC 1,Calls answered,Higher,90%,,\r\n' +
        'NEW 1,Missed bin collections,Lower,12,9,10\r\n' +
        'NEW 2,Rent collected,Higher is better,97.25%,98.5%,\r\n';
      const preview = await upload('2009', file);
      assert.equal(preview.statusCode, 422);
      assert.deepEqual(errorSummary(preview.body), [
        '#file 2 indicators are not in Amber yet: check what the file would create, then confirm',
      ]);
      const rows = [
        ...preview.body.matchAll(/<tr class="govuk-table__row" data-qa="proposed-indicator">([\s\S]*?)<\/tr>/g),
      ].map((m) => htmlText(m[1]!));
      assert.deepEqual(rows, [
        '3 NEW 1 Missed bin collections Lower quarterly Number, 0 decimal places',
        '4 NEW 2 Rent collected Higher quarterly Percentage, 2 decimal places',
      ]);
      assert.equal(
        await t.services.indicators.findByCode(actor, 'NEW 1'),
        undefined,
        'nothing is created before confirming',
      );
      assert.deepEqual(
        (await pointsOf('CNC 1')).map((p) => p.value.actual),
        [930, 940],
        'nothing is imported before confirming',
      );

      // The file changed since the preview: it is shown again, and nothing is created.
      const changed = await upload('2009', `${file}NEW 3,Complaints,Lower,4,,\r\n`, { create: 'NEW 1\nNEW 2' });
      assert.equal(changed.statusCode, 422);
      assert.match(htmlText(changed.body), /NEW 3 Complaints Lower quarterly/);
      assert.equal(await t.services.indicators.findByCode(actor, 'NEW 1'), undefined);

      const done = await upload('2009', file, { create: 'NEW 1\nNEW 2' });
      assert.equal(done.statusCode, 200, errorSummary(done.body).join('\n'));
      assert.match(htmlText(done.body), /NEW 1 was created from row 3: Missed bin collections, reported quarterly/);
      const created = await t.services.indicators.get(actor, 'NEW 2');
      assert.deepEqual(
        [created.title, created.polarity, created.frequency, created.unitKind, created.decimalPlaces, created.ruleKind],
        ['Rent collected', 'higher', 'quarterly', 'percentage', 2, null],
      );
      assert.deepEqual(
        (await pointsOf('NEW 1')).map((p) => [p.period.key, p.value.actual, p.value.target]),
        [
          ['2009-10-q1', 12, 10],
          ['2009-10-q2', 9, null],
        ],
      );
      assert.deepEqual(
        (await pointsOf('CNC 1')).map((p) => p.value.actual),
        [900, 940],
      );
    });

    it('says what a row needs before Amber can create its indicator', async () => {
      const res = await upload('2009', 'PI No,Description,Good is?,Q1,Outturn\r\nNEW 9,,Sideways,5,6\r\n');
      assert.equal(res.statusCode, 422);
      assert.deepEqual(errorSummary(res.body), [
        '#file Row 2, column PI No: There is no indicator NEW 9 in Amber: add it first, or check the PI No',
        '#file Row 2, column Description: Enter a Description for NEW 9, so Amber can create it',
        '#file Row 2, column Good is?: "Sideways" does not say which way is better: write Higher, Lower, Within range or n/a',
        '#file Row 2, column PI No: NEW 9 has values in columns of different periods (the Q1 to Q4 columns and the Outturn column): keep the one it is reported in',
      ]);
    });
  });
}
