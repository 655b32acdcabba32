// A partner enters the values of shared indicators it supplies (issue 11, part 3), through the
// services with each side's unit of work acting for its own organisation, as a request's does: the
// indicators module's rules apply (period, unit, version), the owner's audit trail names the person
// and their organisation, and PostgreSQL's row-level security refuses any other value. Both engines.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import type { UserActor, Actor } from '../src/domain/actor.ts';

describeOnEachEngine('a partner entering the values of indicators it supplies', (t) => {
  let leeds: Actor;
  let lp: UserActor;
  let lpViewer: UserActor;
  let wakefield: UserActor;
  let lpSlug: string;
  let wakefieldSlug: string;
  let h1: string;
  let supplied: string;
  let readOnly: string;

  const asLeeds = <T>(fn: () => Promise<T>) => t().units.run(fn, { organisationId: leeds.organisationId });
  const asLp = <T>(fn: () => Promise<T>) => t().units.run(fn, { organisationId: lp.organisationId });
  const asWakefield = <T>(fn: () => Promise<T>) => t().units.run(fn, { organisationId: wakefield.organisationId });
  const userOf = (organisationId: string, label: string, roles: UserActor['roles']): UserActor => ({
    kind: 'user',
    organisationId,
    label,
    userId: '00000000-0000-4000-8000-000000000001',
    roles,
  });
  const agreement = (partner: string, overrides: Record<string, unknown> = {}) =>
    asLeeds(() =>
      t().services.sharing.createAgreement(leeds, {
        partner,
        title: 'DECATS indicators',
        purpose: 'The partner measures first-contact resolution for the council',
        dataShared: 'VfM-4d progress reports and the indicators the partner supplies',
        legalBasis: 'Local Government Act 2000, s.2',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Alan Gay (Leeds City Council)',
        ...overrides,
      }),
    );
  const share = (agreementId: string, overrides: Record<string, unknown> = {}) =>
    asLeeds(async () =>
      t().services.sharing.createShare(leeds, agreementId, {
        priorityId: (await t().services.plans.getPriority(leeds, 'VfM-4d')).id,
        level: 'update',
        periodIds: [h1],
        indicatorIds: [supplied, readOnly],
        suppliedIndicatorIds: [supplied],
        ...overrides,
      }),
    );
  const valueOf = async (periodKey: string) =>
    (await t().services.indicators.points(leeds, 'OC-1c-i')).points.find((p) => p.value.periodKey === periodKey)?.value;

  before(async () => {
    const { services } = t();
    leeds = await withDemo(t());
    const lpOrg = await services.organisations.createHome('test', { name: 'Local Partnerships', kind: 'public_body' });
    const wakeOrg = await services.organisations.createHome('test', { name: 'Wakefield Council', kind: 'council' });
    lp = userOf(lpOrg.id, 'jo@lp.example', ['contributor']);
    lpViewer = userOf(lpOrg.id, 'viewer@lp.example', ['viewer']);
    wakefield = userOf(wakeOrg.id, 'wa@wakefield.example', ['administrator']);
    lpSlug = lpOrg.slug!;
    wakefieldSlug = wakeOrg.slug!;
    h1 = (await services.periods.list(leeds)).find((p) => p.key === '2009-10-h1')!.id;
    supplied = (await services.indicators.get(leeds, 'OC-1c-i')).id;
    readOnly = (
      await services.indicators.create(leeds, {
        code: 'VFM-X',
        title: 'Back-office cost per head',
        unitKind: 'money',
        decimalPlaces: '0',
        polarity: 'lower',
        frequency: 'quarterly',
      })
    ).id;
  });

  it('refuses to let a partner that only reads supply values, or supply an indicator that is not shared', async () => {
    const a = await agreement(lpSlug, { title: 'Refusals' });
    await assert.rejects(share(a, { level: 'read' }), (e: any) => e.issues?.[0]?.field === 'suppliedIndicatorIds');
    await assert.rejects(
      share(a, { indicatorIds: [readOnly] }),
      (e: any) =>
        e.issues?.[0]?.field === 'suppliedIndicatorIds' && /among the indicators shared/.test(e.issues[0].message),
    );
  });

  it('lets the partner enter the quarters of the shared half-year, with the owner’s rules, version check and audit trail', async () => {
    const { services, units } = t();
    const a = await agreement(lpSlug);
    await share(a);
    const [s] = await asLp(() => services.sharing.listSharedWithUs(lp));
    const shareId = s!.shareId;

    // The report lists the indicator it supplies, with the two quarters of 2009/10 H1 and their values.
    const read = await asLp(() => services.sharing.readShared(lp, shareId, '2009-10-h1'));
    assert.deepEqual(
      read.supplied.map((x) => [x.indicator.code, x.periods.map((p) => [p.key, p.point?.value.actual ?? null])]),
      [
        [
          'OC-1c-i',
          [
            ['2009-10-q1', 769],
            ['2009-10-q2', 784],
          ],
        ],
      ],
    );
    // A viewer of the partner reads the report but supplies nothing.
    assert.deepEqual((await asLp(() => services.sharing.readShared(lpViewer, shareId, '2009-10-h1'))).supplied, []);

    const q2 = (await valueOf('2009-10-q2'))!;
    const targetBefore = q2.target;
    await asLp(() =>
      services.sharing.enterSuppliedValue(lp, shareId, '2009-10-h1', supplied, {
        period: '2009-10-q2',
        actual: '79.1%',
        comment: 'Measured by Local Partnerships',
        version: String(q2.version),
      }),
    );
    const after = (await valueOf('2009-10-q2'))!;
    assert.equal(after.actual, 791);
    assert.equal(after.target, targetBefore, 'the owner’s target stays');
    assert.equal(after.comment, 'Measured by Local Partnerships');
    const audit = await t()
      .db.selectFrom('audit_event')
      .select(['actor', 'organisation_id'])
      .where('entity', '=', 'indicator_value')
      .where('entity_id', '=', supplied)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.deepEqual(audit, { actor: 'jo@lp.example (Local Partnerships)', organisation_id: leeds.organisationId });

    // The owner sees who entered it, and from which organisation, on the agreement's page.
    const { shares } = await asLeeds(() => services.sharing.getAgreement(leeds, a));
    assert.deepEqual(
      shares[0]!.supplied.map((e) => [e.indicatorCode, e.periodKey, e.actual, e.by, e.organisation]),
      [['OC-1c-i', '2009-10-q2', 791, 'jo@lp.example (Local Partnerships)', 'Local Partnerships']],
    );
    assert.deepEqual(
      shares[0]!.indicators.map((i) => [i.code, i.supplied]),
      [
        ['OC-1c-i', true],
        ['VFM-X', false],
      ],
    );

    // The same version again is stale: refused, as for Leeds's own people.
    await assert.rejects(
      asLp(() =>
        services.sharing.enterSuppliedValue(lp, shareId, '2009-10-h1', supplied, {
          period: '2009-10-q2',
          actual: '80',
          version: String(q2.version),
        }),
      ),
      (e: any) => e.status === 409,
    );
    // Bad input names the field and changes nothing.
    for (const [input, field] of [
      [{ period: '2009-10-q2', actual: 'lots' }, 'actual'],
      [{ period: '2009-10-q2', actual: '' }, 'actual'],
      [{ period: '2009-10-q3', actual: '80' }, 'period'],
      [{ period: '2009-10-h1', actual: '80' }, 'period'],
      [{ period: 'someday', actual: '80' }, 'period'],
    ] as const)
      await assert.rejects(
        asLp(() => services.sharing.enterSuppliedValue(lp, shareId, '2009-10-h1', supplied, input)),
        (e: any) => e.issues?.[0]?.field === field,
        JSON.stringify(input),
      );
    assert.equal((await valueOf('2009-10-q2'))!.actual, 791);

    // An indicator shared for reading only: refused by the service, and by the database itself.
    await assert.rejects(
      asLp(() =>
        services.sharing.enterSuppliedValue(lp, shareId, '2009-10-h1', readOnly, { period: '2009-10-q1', actual: '1' }),
      ),
      (e: any) => e.status === 403 && /only Leeds City Council records its values/.test(e.message),
    );
    const q1 = (await services.periods.list(leeds)).find((p) => p.key === '2009-10-q1')!.id;
    await assert.rejects(
      asLp(() =>
        sql`insert into indicator_value (organisation_id, indicator_id, period_id, actual)
            values (${leeds.organisationId}, ${readOnly}, ${q1}, 1)`.execute(units.db),
      ),
      /row-level security/,
    );
    // Nor a period outside the shared one, even for the indicator it supplies.
    const q4 = (await services.periods.ensure(leeds, '2009-10-q4')).id;
    await assert.rejects(
      asLp(() =>
        sql`insert into indicator_value (organisation_id, indicator_id, period_id, actual)
            values (${leeds.organisationId}, ${supplied}, ${q4}, 1)`.execute(units.db),
      ),
      /row-level security/,
    );
    // A viewer of the partner may not enter values.
    await assert.rejects(
      asLp(() =>
        services.sharing.enterSuppliedValue(lpViewer, shareId, '2009-10-h1', supplied, {
          period: '2009-10-q1',
          actual: '1',
        }),
      ),
      (e: any) => e.status === 403,
    );

    // A third organisation sees nothing and can write nothing.
    await assert.rejects(
      asWakefield(() =>
        services.sharing.enterSuppliedValue(wakefield, shareId, '2009-10-h1', supplied, {
          period: '2009-10-q1',
          actual: '1',
        }),
      ),
      (e: any) => e.status === 404,
    );
    const forged = await asWakefield(async () =>
      Number(
        (await sql`update indicator_value set actual = 1 where indicator_id = ${supplied}`.execute(units.db))
          .numAffectedRows,
      ),
    );
    assert.equal(forged, 0);

    // Once the agreement is revoked, the partner can enter nothing, by the service or in SQL.
    const { agreement: current } = await asLeeds(() => services.sharing.getAgreement(leeds, a));
    await asLeeds(() =>
      services.sharing.revokeAgreement(leeds, a, { reason: 'Measurement moved in-house', version: current.version }),
    );
    await assert.rejects(
      asLp(() =>
        services.sharing.enterSuppliedValue(lp, shareId, '2009-10-h1', supplied, {
          period: '2009-10-q1',
          actual: '1',
        }),
      ),
      (e: any) => e.status === 404,
    );
    const afterRevoke = await asLp(async () =>
      Number(
        (await sql`update indicator_value set actual = 1 where indicator_id = ${supplied}`.execute(units.db))
          .numAffectedRows,
      ),
    );
    assert.equal(afterRevoke, 0);
  });

  it('lets a partner supply nothing under a read share, nor once the agreement has ended', async () => {
    const { services } = t();
    const a = await agreement(wakefieldSlug, { title: 'Read only' });
    await share(a, { level: 'read', suppliedIndicatorIds: [] });
    const ended = await agreement(wakefieldSlug, { title: 'Ended' });
    await share(ended);
    await t().db.updateTable('sharing_agreement').set({ ends_on: '2010-03-31' }).where('id', '=', ended).execute();
    const listed = await asWakefield(() => services.sharing.listSharedWithUs(wakefield));
    assert.deepEqual(
      listed.map((s) => [s.agreementTitle, s.level]),
      [['Read only', 'read']],
    );
    await assert.rejects(
      asWakefield(() =>
        services.sharing.enterSuppliedValue(wakefield, listed[0]!.shareId, '2009-10-h1', supplied, {
          period: '2009-10-q1',
          actual: '1',
        }),
      ),
      (e: any) => e.status === 403 && /read only/.test(e.message),
    );
    const endedShare = (
      await t().db.selectFrom('priority_share').select('id').where('agreement_id', '=', ended).executeTakeFirstOrThrow()
    ).id;
    await assert.rejects(
      asWakefield(() =>
        services.sharing.enterSuppliedValue(wakefield, endedShare, '2009-10-h1', supplied, {
          period: '2009-10-q1',
          actual: '1',
        }),
      ),
      (e: any) => e.status === 404,
    );
  });
});
