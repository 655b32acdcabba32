import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine } from '../../../test/helpers/database.ts';
import { insertOrganisation, insertReport } from '../../../test/builders/index.ts';
import { ValidationError } from '../../domain/errors.ts';
import { presentReport } from '../reports/report.presenter.ts';

const issuesOf = (e: unknown) => (e as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);

describeOnEachEngine('performance indicators', (t) => {
  async function setUp() {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority } = await insertReport(services, actor, { period: '2009-10-h1' });
    for (const q of ['2008-09-q4', '2009-10-q1', '2009-10-q2']) await services.periods.ensure(actor, q);
    const indicator = await services.indicators.create(actor, {
      code: 'NI 179',
      title: 'Value for money gains',
      unitKind: 'percentage',
      decimalPlaces: '1',
      polarity: 'higher',
      frequency: 'quarterly',
      ytdMethod: 'latest',
      ruleKind: 'percent',
      tolerance: '5',
      priorityIds: [priority.id],
    });
    return { services, actor, priority, indicator };
  }

  it('computes each period’s status on the organisation’s scale and says why', async () => {
    const { services, actor } = await setUp();
    await services.indicators.setValue(actor, 'ni 179', { period: '2009-10-q1', actual: '96.0%', target: '95' });
    const points = await services.indicators.setValue(actor, 'NI 179', {
      period: '2009-10-q2',
      actual: '93.1',
      target: '95',
      comment: 'Provisional',
    });
    assert.deepEqual(
      points.map((p) => [p.label, p.shown?.label, p.sincePrevious.text]),
      [
        ['2009/10 Q1', 'Green', 'Not comparable'],
        ['2009/10 Q2', 'Amber', 'Worsened'],
      ],
    );
    assert.match(
      points[1]!.why,
      /^Amber because 93\.1% is below the target of 95\.0% but within the 5% tolerance \(90\.25%\)/,
    );
  });

  it('keeps the computed status beside an officer’s override and its reason, and can go back', async () => {
    const { services, actor } = await setUp();
    await services.indicators.setValue(actor, 'NI 179', { period: '2009-10-q2', actual: '93.1', target: '95' });
    await assert.rejects(
      services.indicators.overrideStatus(actor, 'NI 179', { period: '2009-10-q2', status: 'green', reason: '' }),
      (e) => e instanceof ValidationError && issuesOf(e)[0] === 'reason: Give the reason for choosing Green',
    );
    const [p] = await services.indicators.overrideStatus(actor, 'NI 179', {
      period: '2009-10-q2',
      status: 'green',
      reason: 'Q2 figures exclude a one-off cost',
    });
    assert.deepEqual([p!.shown?.label, p!.computed.rated && p!.computed.status.label], ['Green', 'Amber']);
    assert.equal(
      p!.why,
      'Green, chosen by the officer instead of the computed Amber: Q2 figures exclude a one-off cost',
    );
    const [back] = await services.indicators.overrideStatus(actor, 'NI 179', { period: '2009-10-q2', status: '' });
    assert.equal(back!.shown?.label, 'Amber');
  });

  it('refuses values as typed wrongly, naming the field, and a period of the wrong kind, and stores nothing', async () => {
    const { services, actor } = await setUp();
    await assert.rejects(
      services.indicators.setValue(actor, 'NI 179', { period: '2009-10-q2', actual: '93.12', target: 'n/a' }),
      (e) =>
        e instanceof ValidationError &&
        assert.deepEqual(
          issuesOf(e).map((x) => x.split(':')[0]),
          ['actual', 'target'],
        ) === undefined,
    );
    await assert.rejects(
      services.indicators.setValue(actor, 'NI 179', { period: '2009-10-h1', actual: '90' }),
      (e) => e instanceof ValidationError && /NI 179 is reported quarterly/.test(issuesOf(e)[0]!),
    );
    assert.deepEqual((await services.indicators.points(actor, 'NI 179')).points, []);
  });

  it('treats a fall as an improvement when lower is better', async () => {
    const { services, actor } = await setUp();
    await services.indicators.create(actor, {
      code: 'BV8',
      title: 'Days to pay invoices',
      unitKind: 'days',
      polarity: 'lower',
      frequency: 'quarterly',
      tolerance: '2',
      ruleKind: 'absolute',
    });
    await services.indicators.setValue(actor, 'BV8', { period: '2009-10-q1', actual: '15', target: '10' });
    const points = await services.indicators.setValue(actor, 'BV8', {
      period: '2009-10-q2',
      actual: '12 days',
      target: '10',
    });
    assert.deepEqual(
      [points[1]!.sincePrevious.text, points[1]!.sincePrevious.arrow, points[1]!.shown?.label],
      ['Improved', '↓', 'Amber'],
      '12 is exactly on the 2-day tolerance boundary, which counts as near',
    );
  });

  it('draws the chosen indicators as graphs in the report, with their data tables', async () => {
    const { services, actor, priority } = await setUp();
    await services.indicators.setValue(actor, 'NI 179', { period: '2008-09-q4', actual: '89.0', target: '95' });
    await services.indicators.setValue(actor, 'NI 179', { period: '2009-10-q1', actual: '96.0', target: '95' });
    await services.indicators.setValue(actor, 'NI 179', { period: '2009-10-q2', actual: '93.1', target: '95' });
    const indicator = await services.indicators.get(actor, 'NI 179');
    await services.reports.chooseGraphs(actor, priority.code, '2009-10-h1', { indicators: [indicator.id] });
    const view = presentReport(await services.reports.getBundle(actor, priority.code, '2009-10-h1'));
    assert.equal(view.graphs.length, 1);
    assert.match(view.graphs[0]!.svg, /^<svg[^>]*role="img"/);
    assert.deepEqual(
      view.graphs[0]!.table.rows.map((r) => r.cells.join(' | ')),
      ['2008/09 Q4 | 89.0 | 95.0 | ◆ Red', '2009/10 Q1 | 96.0 | 95.0 | ● Green', '2009/10 Q2 | 93.1 | 95.0 | ▲ Amber'],
    );
    const other = await services.indicators.create(actor, {
      code: 'X1',
      title: 'Unlinked',
      unitKind: 'number',
      polarity: 'none',
      frequency: 'quarterly',
    });
    await assert.rejects(
      services.reports.chooseGraphs(actor, priority.code, '2009-10-h1', { indicators: [other.id] }),
      (e) => e instanceof ValidationError && issuesOf(e)[0]!.startsWith('indicators:'),
    );
  });

  it('keeps stored data consistent: no frequency change after values, graphs go with an unlinked priority, overrides follow a renamed status', async () => {
    const { services, actor, priority, indicator } = await setUp();
    await services.indicators.setValue(actor, 'NI 179', { period: '2009-10-q2', actual: '93.1', target: '95' });
    const definition = {
      code: 'NI 179',
      title: 'Value for money gains',
      unitKind: 'percentage',
      decimalPlaces: '1',
      polarity: 'higher',
      ytdMethod: 'latest',
      tolerance: '5',
    };
    await assert.rejects(
      services.indicators.update(actor, 'NI 179', { ...definition, frequency: 'monthly', priorityIds: [priority.id] }),
      (e) => e instanceof ValidationError && issuesOf(e)[0]!.startsWith('frequency:'),
    );

    await services.reports.chooseGraphs(actor, priority.code, '2009-10-h1', { indicators: [indicator.id] });
    await services.indicators.update(actor, 'NI 179', { ...definition, frequency: 'quarterly', priorityIds: [] });
    assert.equal((await services.reports.getBundle(actor, priority.code, '2009-10-h1')).graphs.length, 0);

    await services.indicators.overrideStatus(actor, 'NI 179', {
      period: '2009-10-q2',
      status: 'green',
      reason: 'One-off',
    });
    const scale = await services.organisations.statusScale(actor);
    await services.organisations.updateStatusScale(actor, {
      statuses: scale.map((s) => (s.key === 'green' ? { ...s, key: 'on-track', label: 'On track' } : s)),
    });
    const [point] = (await services.indicators.points(actor, 'NI 179')).points;
    assert.deepEqual([point!.shown?.key, point!.value.override?.statusKey], ['on-track', 'on-track']);
  });
});
