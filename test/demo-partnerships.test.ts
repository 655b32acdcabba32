// The demo shows partnerships for real (issue 11): Leeds shares VfM-4d with Local Partnerships and
// PwC; Local Partnerships owns its DECATS priority jointly with Leeds, whose sign-off is frozen in
// the published report beside Local Partnerships' own, and shares it with the savings indicator
// Leeds supplies: a Leeds user enters its value, through its own organisation's unit of work.
// Through the services, on both engines.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import { systemActor, type Actor, type UserActor } from '../src/domain/actor.ts';
import { presentReport } from '../src/modules/reports/report.presenter.ts';

describeOnEachEngine('the demo’s partnerships', (t) => {
  let leeds: Actor;
  let lp: Actor;
  let leedsOfficer: UserActor;

  const acting = <T>(a: Actor, fn: () => Promise<T>) => t().units.run(fn, { organisationId: a.organisationId });

  before(async () => {
    leeds = await withDemo(t());
    const found = await t().services.organisations.findBySlug(leeds, 'local-partnerships');
    assert.ok(found, 'Local Partnerships runs Amber in the demo');
    lp = systemActor(found.id, 'test');
    leedsOfficer = {
      kind: 'user',
      organisationId: leeds.organisationId,
      label: 'performance@leeds.example',
      userId: '00000000-0000-4000-8000-000000000001',
      roles: ['performance_officer'],
    };
  });

  it('holds a joint priority, published with every owner’s sign-off, Leeds’s among them', async () => {
    const readable = await acting(lp, () => t().services.reports.readable(lp, 'DECATS-LCC', '2009-10-h2'));
    assert.equal(readable.state, 'published');
    assert.deepEqual(readable.snapshot.report.jointSignOffs, [
      {
        organisation: 'Leeds City Council',
        officer: 'James Rogers',
        decision: 'approved',
        signedBy: 'James Rogers',
        signedAt: '2010-04-22T12:00:00.000Z',
        comment: '',
      },
    ]);
    const view = presentReport(readable.snapshot);
    assert.deepEqual(
      view.signOffs.map((s) => [s.roleLabel, s.name, s.dateIso]),
      [
        ['Accountable Officer', 'Demo DECATS Programme Director', '2010-04-20'],
        ['Accountable Director', 'Demo Local Partnerships Director', '2010-04-26'],
      ],
    );
    assert.deepEqual(
      view.jointSignOffs?.map((j) => [j.organisation, j.decisionLabel, j.name, j.date]),
      [['Leeds City Council', 'Approved by', 'James Rogers', '22 April 2010']],
    );
    // Consistent with the seed's "Council / Partnership groups" (Local Partnerships and PwC).
    assert.match(view.groups.external, /Leeds City Council[\s\S]*PwC/);
    // Illustrative, and saying so; no words from inside the project on the demo's pages.
    assert.match(view.priority.rationale.join(' '), /Illustrative demo entry/);
    assert.doesNotMatch(JSON.stringify(view), /issue \d|\.ts\b|\bTODO\b/i);
  });

  it('shares it with Leeds as joint owner, with an indicator Leeds supplies and enters', async () => {
    const { services } = t();
    const shared = await acting(leedsOfficer, () => services.sharing.listSharedWithUs(leedsOfficer));
    const decats = shared.find((s) => s.priorityCode === 'DECATS-LCC');
    assert.ok(decats, 'Leeds sees the joint priority in "Shared with us"');
    assert.deepEqual(
      [decats.ownerName, decats.level, decats.periods.map((p) => p.key)],
      ['Local Partnerships', 'update', ['2009-10-h2']],
    );
    const read = await acting(leedsOfficer, () =>
      services.sharing.readShared(leedsOfficer, decats.shareId, '2009-10-h2'),
    );
    assert.deepEqual(read.joint && [read.joint.officer, read.joint.signed], ['James Rogers', true]);
    assert.deepEqual(
      read.supplied.map((s) => [s.indicator.code, s.periods.map((p) => [p.key, p.point?.value.actual ?? null])]),
      [
        [
          'DECATS-LCC-i',
          [
            ['2009-10-q3', null],
            ['2009-10-q4', null],
          ],
        ],
      ],
    );
    assert.deepEqual(read.conversation?.comments, [], 'the conversation is open, and empty');

    const indicatorId = read.supplied[0]!.indicator.id;
    await acting(leedsOfficer, () =>
      services.sharing.enterSuppliedValue(leedsOfficer, decats.shareId, '2009-10-h2', indicatorId, {
        period: '2009-10-q3',
        actual: '£250,000.00',
        version: '0',
      }),
    );
    const points = await acting(lp, () => services.indicators.points(lp, 'DECATS-LCC-i'));
    const q3 = points.points.find((p) => p.value.periodKey === '2009-10-q3')?.value;
    assert.equal(q3?.actual, 25_000_000, 'held in pence, in Local Partnerships’ own indicator');
  });

  it('keeps VfM-4d shared with Local Partnerships and PwC, each conversation linked from Leeds’s report', async () => {
    const vfm = await t().services.reports.getBundle(leeds, 'VfM-4d', '2009-10-h1');
    const conversations = await acting(leedsOfficer, () =>
      t().services.sharing.conversationsOf(leedsOfficer, {
        priorityId: vfm.priority.id,
        periodId: vfm.period.id,
        reportId: vfm.report.id,
      }),
    );
    assert.deepEqual(
      conversations.map((c) => [c.partnerName, c.live]),
      [
        ['Local Partnerships', true],
        ['PricewaterhouseCoopers LLP', true],
      ],
    );
  });
});
