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
