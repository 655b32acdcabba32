// The dashboard for a period: counts by status and theme that link to the list behind them,
// status changes since the previous report, overdue milestones, indicators off target.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

for (const engine of ENGINES) {
  describe(`dashboard [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());

    it('counts the demo priorities by status per theme, each count linking to its list', async () => {
      const res = await t.app.inject({ url: `${paths.dashboard}?period=2009-10-h1` });
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /Dashboard for 2009\/10 H1/);
      assert.match(
        text,
        /Value for Money 1 Green in Value for Money 1 Amber in Value for Money 0 0 0 2 in Value for Money/,
      );
      assert.match(
        text,
        /All themes 1 Green in all themes 2 Amber in all themes 1 Red in all themes 0 0 4 priorities in all/,
      );
      const link = /href="([^"]*status=amber[^"]*)"[^>]*data-qa="total"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
      assert.ok(link, 'the Amber total links to a list');
      const list = await t.app.inject({ url: link! });
      assert.deepEqual([...list.body.matchAll(/data-code="([^"]+)"/g)].map((m) => m[1]).sort(), ['OC-1c', 'VfM-4d']);
    });

    it('lists overdue milestones and an indicator off target, and status changes since the last report', async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      await t.services.reports.create(actor, 'VfM-4d', { period: '2009-10-h2' });
      await t.services.reports.updateSections(actor, 'VfM-4d', '2009-10-h2', { status: 'green' });
      await t.services.periods.ensure(actor, '2009-10-q3');
      await t.services.indicators.setValue(actor, 'OC-1c-i', { period: '2009-10-q3', actual: '70.0', target: '80' });
      const d = await t.services.dashboard.forPeriod(actor, '2009-10-h2', '2010-05-01' as never);
      assert.ok(d);
      assert.deepEqual(
        d.changes.map((c) => [c.code, c.better]),
        [['VfM-4d', true]],
      );
      assert.equal(d.overdue.length, 7, 'all seven VfM-4d milestones are past their timescale with nothing recorded');
      assert.deepEqual(
        d.offTarget.map((o) => [o.indicator.code, o.point.label]),
        [['OC-1c-i', '2009/10 Q3']],
      );
      const page = htmlText((await t.app.inject({ url: `${paths.dashboard}?period=2009-10-h2` })).body);
      assert.match(
        page,
        /Status changes since the previous report \(1\) VfM-4d Explore opportunities .* Better – Amber in 2009\/10 H1 to Green/,
      );
      assert.match(
        page,
        /Indicators off target \(1\) OC-1c-i Customer enquiries resolved at first contact \(2009\/10 Q3\): Red/,
      );

      // Each list, whole, on a page of its own, with the way back to the same period's dashboard.
      const list = async (name: keyof typeof paths.dashboardLists, period: string) => {
        const res = await t.app.inject({ url: `${paths.dashboardLists[name]}?period=${period}` });
        assert.equal(res.statusCode, 200, `${name}: ${res.body.slice(0, 200)}`);
        assert.match(
          res.body,
          new RegExp(`href="${paths.dashboard}\\?period=${period}"[^>]*>Back to the dashboard for `),
        );
        return htmlText(res.body);
      };
      assert.match(
        await list('status-changes', '2009-10-h2'),
        /Status changes since the previous report, 2009\/10 H2 1 status change VfM-4d Explore opportunities .* Better – Amber in 2009\/10 H1 to Green/,
      );
      assert.match(await list('status-changes', '2009-10-h1'), /No priority’s status changed\./);
      assert.match(
        await list('indicators-off-target', '2009-10-h2'),
        /Indicators off target in 2009\/10 H2 1 indicator off target OC-1c-i Customer enquiries .*: Red/,
      );
      const overdue = await list('overdue-milestones', '2009-10-h2');
      assert.match(
        overdue,
        /Overdue milestones 7 overdue milestones VfM-4d : Original collaboration contract terminated/,
      );
      assert.equal(overdue.match(/Record progress on/g)?.length, 7);
      // A period that is not one is a 404 there too, as on the dashboard.
      assert.equal(
        (await t.app.inject({ url: `${paths.dashboardLists['status-changes']}?period=2030-31-h9` })).statusCode,
        404,
      );
    });

    it("compares a report with its priority's latest report before it, not an older one", async () => {
      const actor = systemActor((await t.services.organisations.getHome()).id, 't');
      // VfM-4d: Amber in 2009/10 H1 (the demo's, published), Green in H2, then 2010/11 H1.
      if (!(await t.services.dashboard.forPeriod(actor, '2009-10-h2', '2010-05-01' as never))?.changes.length) {
        await t.services.reports.create(actor, 'VfM-4d', { period: '2009-10-h2' });
        await t.services.reports.updateSections(actor, 'VfM-4d', '2009-10-h2', { status: 'green' });
      }
      await t.services.periods.ensure(actor, '2010-11-h1');
      await t.services.reports.create(actor, 'VfM-4d', { period: '2010-11-h1' });
      const changes = async () =>
        (await t.services.dashboard.forPeriod(actor, '2010-11-h1', '2010-11-01' as never))!.changes.map((c) => [
          c.code,
          c.from?.key ?? null,
          c.fromPeriodKey,
          c.to?.key ?? null,
        ]);
      // Not assessed yet: a change from H2's Green.
      assert.deepEqual(await changes(), [['VfM-4d', 'green', '2009-10-h2', null]]);
      await t.services.reports.updateSections(actor, 'VfM-4d', '2010-11-h1', { status: 'green' });
      // Green as in H2 (H1's Amber is not the report before it): no change.
      assert.deepEqual(await changes(), []);
      await t.services.reports.updateSections(actor, 'VfM-4d', '2010-11-h1', {
        status: 'red',
        statusReason: 'The partner withdrew',
      });
      assert.deepEqual(await changes(), [['VfM-4d', 'green', '2009-10-h2', 'red']]);
      // A priority whose first report this is has nothing to change from.
      assert.ok(!(await changes()).some(([code]) => code !== 'VfM-4d'));
    });
  });
}
