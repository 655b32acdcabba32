// Open data: the priorities' statuses and indicator values as CSV and JSON, with stable identifiers.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { readCsv, writeCsv } from '../src/platform/csv.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

describe('CSV writing', () => {
  it('quotes what needs quoting, starts with a byte order mark and ends lines with CRLF', () => {
    assert.equal(
      writeCsv(
        ['a', 'b'],
        [
          ['x, y', 'say "hi"'],
          ['£1,000 – ŵ', null],
          [' padded', 'line\nbreak'],
        ],
      ),
      '\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"£1,000 – ŵ",\r\n" padded","line\nbreak"\r\n',
    );
  });
});

describe('open data', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('pglite');
  });
  after(async () => t?.close());

  it('lists every priority’s status per reported period, as CSV and JSON', async () => {
    const csv = await t.app.inject({ url: paths.openData.priorities('csv') });
    assert.equal(csv.headers['content-type'], 'text/csv; charset=utf-8');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.equal(lines[0], 'priority,title,plan,theme,accountableOfficer,period,periodLabel,status,statusLabel');
    assert.ok(
      lines.includes(
        'VfM-4d,Explore opportunities for collaboration with private and public sector bodies,Council Business Plan 2008–11,Value for Money,Lee Hemsworth,2009-10-h1,2009/10 H1,amber,Amber',
      ),
    );
    assert.ok(
      !lines.some((l) => l.startsWith('OP-2b,')),
      'a report not yet published (OP-2b is a draft in the demo) is not open data',
    );
    const json = (await t.app.inject({ url: paths.openData.priorities('json') })).json();
    assert.equal(json.records.length, lines.length - 1);
  });

  it('lists every indicator value with its status and direction of travel', async () => {
    const json = (await t.app.inject({ url: paths.openData.indicators('json') })).json();
    assert.deepEqual(json.records.at(-1), {
      indicator: 'OC-1c-i',
      title: 'Customer enquiries resolved at first contact',
      unit: 'percentage',
      goodIs: 'higher',
      period: '2009-10-q2',
      periodLabel: '2009/10 Q2',
      actual: '78.4%',
      target: '80.0%',
      status: 'amber',
      statusLabel: 'Amber',
      directionSincePrevious: 'Improved',
    });
    assert.equal((await t.app.inject({ url: paths.openData.index })).statusCode, 200);
  });

  it('writes a title a spreadsheet would run as a formula with an apostrophe, and negative numbers as they are', async () => {
    const actor = systemActor((await t.services.organisations.getHome()).id, 't');
    await t.services.periods.ensure(actor, '2009-10-q1');
    const title = '=HYPERLINK("http://evil.example","Click")';
    await t.services.indicators.create(actor, {
      code: 'FX 1',
      title,
      unitKind: 'number',
      decimalPlaces: '0',
      polarity: 'higher',
      frequency: 'quarterly',
      ruleKind: 'absolute',
      tolerance: '1',
    });
    await t.services.indicators.setValue(actor, 'FX 1', { period: '2009-10-q1', actual: '-3', target: '-1,200' });
    const csv = await t.app.inject({ url: paths.openData.indicators('csv') });
    const rows = readCsv(csv.rawPayload).map((r) => r.cells);
    const [header] = rows;
    const mine = rows.find((r) => r[0] === 'FX 1')!;
    const cell = (name: string) => mine[header!.indexOf(name)];
    assert.equal(cell('title'), `'${title}`);
    assert.equal(cell('actual'), '-3');
    assert.equal(cell('target'), '-1,200');
    const json = (await t.app.inject({ url: paths.openData.indicators('json') })).json();
    assert.equal(json.records.find((r: { indicator: string }) => r.indicator === 'FX 1').title, title, 'JSON as it is');
  });
});
