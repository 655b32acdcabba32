// The organisation's default tolerance (issue 4): indicators that use it are rated by it, so
// changing it re-rates them and only them; the settings page refuses what the indicator form
// refuses; and the organisation file carries it and indicators without a rule of their own.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine, ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText, errorSummary } from './helpers/html.ts';
import { insertOrganisation } from './builders/index.ts';
import { ValidationError } from '../src/domain/errors.ts';
import type { Actor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';

describeOnEachEngine('the organisation’s default tolerance', (t) => {
  async function setUp() {
    const { services } = t();
    const actor = await insertOrganisation(services);
    for (const q of ['2009-10-q1', '2009-10-q2']) await services.periods.ensure(actor, q);
    const definition = { unitKind: 'percentage', decimalPlaces: '1', polarity: 'higher', frequency: 'quarterly' };
    await services.indicators.create(actor, {
      ...definition,
      code: 'DEF 1',
      title: 'Uses the default',
      ruleKind: 'default',
    });
    await services.indicators.create(actor, {
      ...definition,
      code: 'OWN 1',
      title: 'Has its own rule',
      ruleKind: 'percent',
      tolerance: '5',
    });
    for (const code of ['DEF 1', 'OWN 1'])
      await services.indicators.setValue(actor, code, { period: '2009-10-q2', actual: '93.1', target: '95' });
    return { services, actor };
  }
  const shown = async (actor: Actor, code: string) =>
    (await t().services.indicators.points(actor, code)).points.map((p) => p.shown?.label);

  it('rates an indicator without a rule of its own by the organisation’s default, 5% unless changed', async () => {
    const { services, actor } = await setUp();
    assert.deepEqual(await services.organisations.indicatorDefaults(actor), { ruleKind: 'percent', ruleValue: 500 });
    const def = await services.indicators.points(actor, 'DEF 1');
    assert.deepEqual([def.indicator.ruleKind, def.indicator.ruleValue], [null, null]);
    assert.deepEqual(def.rule, { kind: 'percent', value: 500, fromDefault: true });
    assert.equal(def.points[0]!.shown?.label, 'Amber');
    assert.match(def.points[0]!.why, /within the 5% tolerance/);
    assert.deepEqual((await services.indicators.points(actor, 'OWN 1')).rule, {
      kind: 'percent',
      value: 500,
      fromDefault: false,
    });
  });

  it('re-rates the indicators that use the default when it changes, and not those with their own rule', async () => {
    const { services, actor } = await setUp();
    await services.organisations.updateIndicatorDefaults(actor, { tolerance: '1.5' });
    assert.deepEqual(await services.organisations.indicatorDefaults(actor), { ruleKind: 'percent', ruleValue: 150 });
    assert.deepEqual(await shown(actor, 'DEF 1'), ['Red'], '93.1 is more than 1.5% below 95');
    assert.deepEqual(await shown(actor, 'OWN 1'), ['Amber'], 'its own 5% still applies');
    // An override's computed status uses the default too.
    const [p] = await services.indicators.overrideStatus(actor, 'DEF 1', {
      period: '2009-10-q2',
      status: 'amber',
      reason: 'One-off',
    });
    assert.equal(p!.computed.rated && p!.computed.status.label, 'Red');
  });

  it('refuses a default tolerance that is not a percentage with at most two decimal places', async () => {
    const { services, actor } = await setUp();
    for (const tolerance of ['2.555', 'five', '-1', '', '£5', '101']) {
      await assert.rejects(
        services.organisations.updateIndicatorDefaults(actor, { tolerance }),
        (e) => e instanceof ValidationError && e.issues[0]!.field === 'tolerance',
        `refuses ${JSON.stringify(tolerance)}`,
      );
    }
    assert.deepEqual(await services.organisations.indicatorDefaults(actor), { ruleKind: 'percent', ruleValue: 500 });
  });

  it('carries the default and indicators without their own rule through the organisation file', async () => {
    const { services, actor } = await setUp();
    await services.organisations.updateIndicatorDefaults(actor, { tolerance: '2.5%' });
    const file = await services.transfer.exportOrganisation(actor.organisationId);
    assert.deepEqual(file.organisation.indicatorDefaults, { ruleKind: 'percent', ruleValue: 250 });
    const byCode = new Map((file.indicators ?? []).map((i) => [i.code, i]));
    assert.deepEqual([byCode.get('DEF 1')?.ruleKind, byCode.get('DEF 1')?.ruleValue], [null, null]);
    assert.deepEqual([byCode.get('OWN 1')?.ruleKind, byCode.get('OWN 1')?.ruleValue], ['percent', 500]);
    await services.transfer.importOrganisation(JSON.parse(JSON.stringify(file)), { actorLabel: 'test', replace: true });
    assert.deepEqual(await services.organisations.indicatorDefaults(actor), { ruleKind: 'percent', ruleValue: 250 });
    const again = await services.transfer.exportOrganisation(actor.organisationId);
    // The trail travels, and the import audits itself: the re-export has that one event more.
    assert.deepEqual(again.auditTrail.at(-1)?.action, 'import');
    assert.deepEqual(
      { ...again, exportedAt: '', auditTrail: again.auditTrail.slice(0, -1) },
      { ...file, exportedAt: '' },
    );
    // A rule half given is refused with the field named.
    const half = JSON.parse(JSON.stringify(file));
    half.indicators.find((i: { code: string }) => i.code === 'DEF 1').ruleKind = 'percent';
    await assert.rejects(
      services.transfer.importOrganisation(half, { actorLabel: 'test', replace: true }),
      (e) => e instanceof ValidationError && e.issues.some((i) => /ruleValue/.test(i.field)),
    );
  });
});

for (const engine of ENGINES) {
  describe(`indicator settings in the web app [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine);
    });
    after(async () => t?.close());
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });

    it('refuses a bad default tolerance with the message beside the field, and saves a good one', async () => {
      const scale = htmlText((await t.app.inject({ url: paths.statusScale.edit })).body);
      assert.match(scale, /indicator settings/);
      const bad = await post(paths.indicatorDefaults.edit, { tolerance: '2.555' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(
        errorSummary(bad.body).map((e) => e.split(' ')[0]),
        ['#tolerance'],
      );
      assert.match(errorSummary(bad.body)[0]!, /two decimal places, like 5/);
      assert.match(bad.body, /value="2.555"/, 'keeps what was typed');
      const good = await post(paths.indicatorDefaults.edit, { tolerance: '2.5' });
      assert.equal(good.statusCode, 303);
      assert.match(
        htmlText((await t.app.inject({ url: good.headers.location as string })).body),
        /The default tolerance is saved/,
      );

      const created = await post(paths.indicators.list, {
        code: 'DEF 9',
        title: 'On the default',
        unitKind: 'number',
        polarity: 'higher',
        frequency: 'quarterly',
        ruleKind: 'default',
      });
      assert.equal(created.statusCode, 303, created.body.slice(0, 300));
      const page = htmlText((await t.app.inject({ url: paths.indicators.show('DEF 9') })).body);
      assert.match(page, /Within 2\.5% of the target counts as near \(the organisation’s default\)/);
    });
  });
}
