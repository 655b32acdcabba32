// Indicators through the web app: define one, record values, see why its status is what it is,
// override it with a reason, and show it as a graph in a report.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText, errorSummary } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

for (const engine of ENGINES) {
  describe(`indicators in the web app [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());
    const get = (url: string) => t.app.inject({ url });
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });

    it('shows the year to date the way the indicator says (the demo’s average of Q1 and Q2)', async () => {
      const page = htmlText((await get(paths.indicators.show('OC-1c-i'))).body);
      assert.match(page, /2009\/10 Q2 78\.4% 80\.0% 77\.7%/);
      assert.match(page, /2009\/10 Q1 76\.9% 80\.0% 76\.9%/);
    });

    it('offers the periods of the indicator’s kind by their labels, and takes a period as the pages write it', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      for (const q of ['2009-10-q3', '2009-10-q4']) await t.services.periods.ensure(actor, q);
      const page = (await get(paths.indicators.show('OC-1c-i'))).body;
      const choice = /<select[^>]*id="period"[^>]*>([\s\S]*?)<\/select>/.exec(page)?.[1] ?? '';
      const offered = [...choice.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)</g)].map((m) => [m[1], m[2]!.trim()]);
      assert.deepEqual(offered.slice(0, 3), [
        ['', 'Choose a period'],
        ['2009-10-q4', '2009/10 Q4'],
        ['2009-10-q3', '2009/10 Q3'],
      ]);
      assert.ok(
        offered.every(([key]) => key === '' || /-q\d$/.test(key!)),
        `only quarters for a quarterly indicator: ${offered.join(' ')}`,
      );

      // The API and other doors take the label too: "2009/10 Q3", not only 2009-10-q3.
      const saved = await post(paths.indicators.values('OC-1c-i'), {
        period: '2009/10 Q3',
        actual: '79',
        target: '80',
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 300));
      assert.match(htmlText((await get(paths.indicators.show('OC-1c-i'))).body), /2009\/10 Q3 79\.0% 80\.0%/);

      // A period is added with its financial year as the pages write it (or the year it starts).
      const added = await post(paths.periods.list, { kind: 'quarter', startYear: '2010/11', number: '1', dueOn: '' });
      assert.equal(added.statusCode, 303, added.body.slice(0, 300));
      assert.ok(await t.services.periods.findByKey(actor, '2010-11-q1'));
      const mistyped = await post(paths.periods.list, { kind: 'quarter', startYear: '2010/12', number: '1' });
      assert.equal(mistyped.statusCode, 422);
      assert.match(errorSummary(mistyped.body).join(' '), /#startYear .*2010 is followed by 11, as in 2010\/11/);

      // A half-year is not a period of a quarterly indicator: said in words, naming the field.
      const wrong = await post(paths.indicators.values('OC-1c-i'), { period: '2009/10 H1', actual: '79' });
      assert.equal(wrong.statusCode, 422);
      assert.match(
        errorSummary(wrong.body).join(' '),
        /#period .*reported quarterly: choose a period of that kind, not 2009\/10 H1/,
      );
    });

    it('defines an indicator, records values, explains the status, and draws it in the report', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      const vfm = await t.services.plans.getPriority(actor, 'VfM-4d');
      for (const q of ['2009-10-q1', '2009-10-q2']) await t.services.periods.ensure(actor, q);

      const bad = await post(paths.indicators.list, {
        code: '',
        title: 'Savings',
        unitKind: 'percentage',
        decimalPlaces: '9',
        polarity: 'higher',
        frequency: 'quarterly',
        tolerance: 'five',
      });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(
        errorSummary(bad.body).map((e) => e.split(' ')[0]),
        ['#code', '#decimalPlaces'],
      );

      const created = await post(paths.indicators.list, {
        code: 'VFM 1',
        title: 'Efficiency savings delivered against plan',
        unitKind: 'percentage',
        decimalPlaces: '1',
        polarity: 'higher',
        frequency: 'quarterly',
        ruleKind: 'percent',
        tolerance: '5',
        priorityIds: vfm.id,
        chartKind: 'line',
        baseline: '91.5',
      });
      assert.equal(created.statusCode, 303, created.body.slice(0, 300));
      assert.match(
        htmlText((await get(paths.indicators.show('VFM 1'))).body),
        /Baseline \(previous year's outturn\) 91\.5%/,
      );
      assert.match((await get(paths.indicators.edit('VFM 1'))).body, /name="baseline" type="text" value="91.5"/);
      assert.equal(
        (await post(paths.indicators.values('VFM 1'), { period: '2009-10-q1', actual: '96', target: '95' })).statusCode,
        303,
      );
      const badValue = await post(paths.indicators.values('VFM 1'), {
        period: '2009-10-q2',
        actual: '93.15',
        target: '95',
      });
      assert.equal(badValue.statusCode, 422);
      assert.match(errorSummary(badValue.body)[0]!, /^#actual The actual: /);
      assert.equal(
        (await post(paths.indicators.values('VFM 1'), { period: '2009-10-q2', actual: '93.1', target: '95' }))
          .statusCode,
        303,
      );

      const page = htmlText((await get(paths.indicators.show('VFM 1'))).body);
      assert.match(
        page,
        /2009\/10 Q2 93\.1% 95\.0% Amber Amber because 93\.1% is below the target of 95\.0% but within the 5% tolerance \(90\.25%\)/,
      );
      assert.match(page, /Worsened/);

      const noReason = await post(paths.indicators.status('VFM 1'), {
        period: '2009-10-q2',
        status: 'green',
        reason: '',
      });
      assert.equal(noReason.statusCode, 422);
      assert.equal(
        (
          await post(paths.indicators.status('VFM 1'), {
            period: '2009-10-q2',
            status: 'green',
            reason: 'One-off cost excluded',
          })
        ).statusCode,
        303,
      );
      assert.match(
        htmlText((await get(paths.indicators.show('VFM 1'))).body),
        /Green \(chosen by an officer; computed: Amber\) Green, chosen by the officer instead of the computed Amber: One-off cost excluded/,
      );

      const indicator = await t.services.indicators.get(actor, 'VFM 1');
      assert.equal(
        (await post(paths.reports.graphs('VfM-4d', '2009-10-h1'), { indicators: indicator.id })).statusCode,
        303,
      );
      const report = await get(paths.reports.show('VfM-4d', '2009-10-h1'));
      assert.match(report.body, /<svg[^>]*role="img"/);
      assert.doesNotMatch(htmlText(report.body), /There are no graphs for this priority/);
      const none = await post(paths.reports.graphs('VfM-4d', '2009-10-h1'), {});
      assert.equal(none.statusCode, 303);
      assert.match(
        htmlText((await get(paths.reports.show('VfM-4d', '2009-10-h1'))).body),
        /There are no graphs for this priority/,
      );
    });
  });
}
