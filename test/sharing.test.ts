// Data-sharing agreements and shared priorities (issue 11), through the services, with each side's
// unit of work acting for its own organisation as a request's does: PostgreSQL's row-level security
// is what shows the partner the shared rows and nothing else. On both engines.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import type { UserActor, Actor } from '../src/domain/actor.ts';

describeOnEachEngine('sharing a priority with a partner', (t) => {
  let leeds: Actor;
  let lp: UserActor;
  let wakefield: UserActor;
  let lpRecordId: string;
  let lpSlug: string;
  let periodId: string;
  let namedAction: string;
  let otherAction: string;

  const asLeeds = <T>(fn: () => Promise<T>) => t().units.run(fn, { organisationId: leeds.organisationId });
  const asLp = <T>(fn: () => Promise<T>) => t().units.run(fn, { organisationId: lp.organisationId });
  const userOf = (organisationId: string, label: string, roles: UserActor['roles']): UserActor => ({
    kind: 'user',
    organisationId,
    label,
    userId: '00000000-0000-4000-8000-000000000001',
    roles,
  });

  before(async () => {
    const { services, db } = t();
    leeds = await withDemo(t());
    const lpOrg = await services.organisations.createHome('test', { name: 'Local Partnerships', kind: 'public_body' });
    const wakeOrg = await services.organisations.createHome('test', { name: 'Wakefield Council', kind: 'council' });
    lp = userOf(lpOrg.id, 'jo@lp.example', ['contributor']);
    lpSlug = lpOrg.slug!;
    wakefield = userOf(wakeOrg.id, 'wa@wakefield.example', ['administrator']);
    lpRecordId = (await services.organisations.listPartners(leeds)).find((p) => p.name === 'Local Partnerships')!.id;
    periodId = (await services.periods.list(leeds)).find((p) => p.key === '2009-10-h1')!.id;
    const bundle = await services.reports.getBundle(leeds, 'VfM-4d', '2009-10-h1');
    [namedAction, otherAction] = [bundle.report.actions[0]!.id, bundle.report.actions[1]!.id];
    // Leeds names Local Partnerships on the first key action.
    await db
      .insertInto('action_contributor')
      .values({ organisation_id: leeds.organisationId, action_id: namedAction, partner_id: lpRecordId, position: 9 })
      .execute();
  });

  const agreement = (overrides: Record<string, unknown> = {}) =>
    asLeeds(() =>
      t().services.sharing.createAgreement(leeds, {
        partner: lpSlug,
        partnerRecordId: lpRecordId,
        title: 'DECATS programme information sharing',
        purpose: 'Deliver the DECATS diagnostic and track its milestones',
        dataShared: 'VfM-4d progress reports, key actions and milestones',
        legalBasis: 'Local Government Act 2000, s.2 (well-being power); UK GDPR Art. 6(1)(e)',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Alan Gay (Leeds City Council); Programme Director (Local Partnerships)',
        ...overrides,
      }),
    );
  const share = (agreementId: string, overrides: Record<string, unknown> = {}) =>
    asLeeds(async () =>
      t().services.sharing.createShare(leeds, agreementId, {
        priorityId: (await t().services.plans.getPriority(leeds, 'VfM-4d')).id,
        level: 'update',
        periodIds: [periodId],
        indicatorIds: [],
        internalSections: ['challenges'],
        ...overrides,
      }),
    );
  const milestoneOf = async (actionId: string) =>
    await t()
      .db.selectFrom('milestone')
      .select(['id', 'progress_version'])
      .where('action_id', '=', actionId)
      .executeTakeFirstOrThrow();

  it('refuses an agreement with itself, with an organisation that does not run Amber, or that ends before it starts', async () => {
    await assert.rejects(agreement({ partner: 'leeds' }), (e: any) =>
      /your own organisation/.test(e.issues?.[0]?.message),
    );
    await assert.rejects(agreement({ partner: 'no-such-council' }), (e: any) =>
      /No organisation uses Amber/.test(e.issues?.[0]?.message),
    );
    await assert.rejects(agreement({ partner: 'Not A Slug!' }), (e: any) => e.issues?.[0]?.field === 'partner');
    // A partner record (a name Leeds keeps) is not an organisation that uses Amber.
    await assert.rejects(agreement({ partner: lpRecordId }), (e: any) => e.issues?.[0]?.field === 'partner');
    await assert.rejects(agreement({ endsOn: '01/01/2009' }), (e: any) => e.issues?.[0]?.field === 'endsOn');
  });

  it('shows the partner only what was shared, and lets it update only the milestones of actions naming it', async () => {
    const agreementId = await agreement();
    await share(agreementId);
    const { services, units } = t();

    const listed = await asLp(() => services.sharing.listSharedWithUs(lp));
    assert.deepEqual(
      listed.map((s) => [s.ownerName, s.priorityCode, s.level, s.periods.map((p) => p.key)]),
      [['Leeds City Council', 'VfM-4d', 'update', ['2009-10-h1']]],
    );
    const shareId = listed[0]!.shareId;
    const read = await asLp(() => services.sharing.readShared(lp, shareId, '2009-10-h1'));
    assert.match(read.bundle.report.summary, /DECATS/);
    assert.deepEqual(read.bundle.report.challenges, [], 'a section kept internal is not shown');
    assert.equal(read.bundle.citedRisks?.length ?? 0, 0);
    assert.ok(read.updatable.length > 0);
    const first = await milestoneOf(namedAction);
    assert.ok(read.updatable.every((u) => u.action === read.bundle.report.actions[0]!.description));

    // A query with no condition at all, acting for the partner, sees the one shared priority of Leeds.
    const seen = await asLp(async () => ({
      priorities: (await sql<{ code: string }>`select code from priority`.execute(units.db)).rows.map((r) => r.code),
      risks: (await sql<{ n: number }>`select count(*)::int as n from risk`.execute(units.db)).rows[0]!.n,
      periods: (await sql<{ key: string }>`select key from reporting_period`.execute(units.db)).rows.map((r) => r.key),
      records: (
        await sql<{ id: string }>`select id from organisation where managed_by_id = ${leeds.organisationId}`.execute(
          units.db,
        )
      ).rows.map((r) => r.id),
      people: (
        await sql<{
          id: string;
        }>`select id from person where organisation_id = ${leeds.organisationId} order by id`.execute(units.db)
      ).rows.map((r) => r.id),
      audit: (
        await sql<{
          n: number;
        }>`select count(*)::int as n from audit_event where organisation_id <> ${lp.organisationId}`.execute(units.db)
      ).rows[0]!.n,
    }));
    assert.deepEqual(seen.priorities, ['VfM-4d']);
    assert.equal(seen.risks, 0);
    assert.deepEqual(seen.periods, ['2009-10-h1']);
    // Of Leeds's records of its partners, only the one the shared key action names.
    assert.deepEqual(seen.records, [lpRecordId]);
    // Of Leeds's people, exactly those the shared report names: the priority's accountable officer
    // and director, and the people named on its key actions (read here as the owner).
    const named = (
      await sql<{ id: string }>`
        select x as id from (
          select pr.accountable_officer_id as x from priority pr
            where pr.organisation_id = ${leeds.organisationId} and pr.code = 'VfM-4d'
          union select pr.accountable_director_id from priority pr
            where pr.organisation_id = ${leeds.organisationId} and pr.code = 'VfM-4d'
          union select c.person_id from action_contributor c
            join action a on a.id = c.action_id
            join progress_report r on r.id = a.report_id
            join priority pr on pr.id = r.priority_id
            where pr.organisation_id = ${leeds.organisationId} and pr.code = 'VfM-4d' and r.period_id = ${periodId}
        ) p where x is not null order by 1`.execute(t().db)
    ).rows.map((r) => r.id);
    const allPeople = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from person where organisation_id = ${leeds.organisationId}`.execute(t().db)
    ).rows[0]!.n;
    assert.ok(named.length >= 2 && named.length < allPeople, `${named.length} of ${allPeople} people named`);
    assert.deepEqual(seen.people, named, 'the partner sees the people the shared report names, and no one else');
    assert.equal(seen.audit, 0, 'the owner’s audit trail is not shared');

    await asLp(() =>
      services.sharing.recordSharedProgress(lp, shareId, '2009-10-h1', first.id, {
        progress: 'slipped',
        revised: 'Jan 2010',
        reason: 'Waiting for the DECATS contract',
        version: String(first.progress_version),
      }),
    );
    const audit = await t()
      .db.selectFrom('audit_event')
      .select(['actor', 'organisation_id'])
      .where('entity', '=', 'milestone')
      .where('entity_id', '=', first.id)
      .execute();
    assert.deepEqual(audit.at(-1), {
      actor: 'jo@lp.example (Local Partnerships)',
      organisation_id: leeds.organisationId,
    });

    // Another action does not name the partner: refused by the service, and by the database itself.
    const other = await milestoneOf(otherAction);
    await assert.rejects(
      asLp(() =>
        services.sharing.recordSharedProgress(lp, shareId, '2009-10-h1', other.id, {
          progress: 'met',
          metOn: '01/11/2009',
        }),
      ),
      (e: any) => e.status === 403 && /not named on this key action/.test(e.message),
    );
    const forced = await asLp(async () =>
      Number(
        (await sql`update milestone set progress_reason = 'forged' where id = ${other.id}`.execute(units.db))
          .numAffectedRows,
      ),
    );
    assert.equal(forced, 0);

    // A stale version is refused for the partner as for Leeds's own people.
    await assert.rejects(
      asLp(() =>
        services.sharing.recordSharedProgress(lp, shareId, '2009-10-h1', first.id, {
          progress: 'met',
          metOn: '01/11/2009',
          version: String(first.progress_version),
        }),
      ),
      (e: any) => e.status === 409,
    );

    // Wakefield, with no agreement, sees none of it.
    assert.deepEqual(
      await t().units.run(() => services.sharing.listSharedWithUs(wakefield), {
        organisationId: wakefield.organisationId,
      }),
      [],
    );
    await assert.rejects(
      t().units.run(() => services.sharing.readShared(wakefield, shareId, '2009-10-h1'), {
        organisationId: wakefield.organisationId,
      }),
      (e: any) => e.status === 404,
    );

    // Revoked: access ends at once, and the history says so.
    const { agreement: a } = await asLeeds(() => services.sharing.getAgreement(leeds, agreementId));
    await asLeeds(() =>
      services.sharing.revokeAgreement(leeds, agreementId, {
        reason: 'DECATS diagnostic finished',
        version: String(a.version),
      }),
    );
    assert.deepEqual(await asLp(() => services.sharing.listSharedWithUs(lp)), []);
    await assert.rejects(
      asLp(() => services.sharing.readShared(lp, shareId, '2009-10-h1')),
      (e: any) => e.status === 404,
    );
    const after = await asLp(
      async () => (await sql<{ code: string }>`select code from priority`.execute(units.db)).rows,
    );
    assert.deepEqual(after, []);
    const revoked = await asLeeds(() => services.sharing.getAgreement(leeds, agreementId));
    assert.equal(revoked.agreement.state, 'revoked');
    assert.equal(revoked.agreement.revokedReason, 'DECATS diagnostic finished');
  });

  it('shares nothing under an agreement that has ended or not started, and lets a read share only be read', async () => {
    const { services } = t();
    // An agreement whose end date has passed (time moved on since it was shared under).
    const ended = await agreement({ title: 'Ended' });
    await share(ended);
    await t().db.updateTable('sharing_agreement').set({ ends_on: '2010-03-31' }).where('id', '=', ended).execute();
    await assert.rejects(share(ended), (e: any) => /has ended/.test(e.issues?.[0]?.message));
    const future = await agreement({ startsOn: '01/04/2090', endsOn: '31/03/2091', title: 'Future' });
    await share(future);
    assert.deepEqual(await asLp(() => services.sharing.listSharedWithUs(lp)), []);

    const readOnly = await agreement({ title: 'Read only' });
    await share(readOnly, { level: 'read', internalSections: [] });
    const [s] = await asLp(() => services.sharing.listSharedWithUs(lp));
    const read = await asLp(() => services.sharing.readShared(lp, s!.shareId, '2009-10-h1'));
    assert.deepEqual(read.updatable, []);
    assert.ok(read.bundle.report.challenges.length > 0, 'nothing kept internal this time');
    const m = await milestoneOf(namedAction);
    await assert.rejects(
      asLp(() => services.sharing.recordSharedProgress(lp, s!.shareId, '2009-10-h1', m.id, { progress: 'none' })),
      (e: any) => e.status === 403 && /read only/.test(e.message),
    );
    // A period that was not shared is not there.
    await assert.rejects(
      asLp(() => services.sharing.readShared(lp, s!.shareId, '2008-09-h2')),
      (e: any) => e.status === 404,
    );
  });

  it('publishes a joint priority’s report only once every joint owner has signed it off', async () => {
    const { services, units } = t();
    const priority = await services.plans.getPriority(leeds, 'VfM-4d');
    const officer = {
      ...userOf(leeds.organisationId, 'lee@leeds.example', ['accountable_officer']),
      personId: priority.accountableOfficer!.id,
    };
    const director = {
      ...userOf(leeds.organisationId, 'james@leeds.example', ['accountable_director']),
      personId: priority.accountableDirector!.id,
    };
    const lpOfficer = userOf(lp.organisationId, 'officer@lp.example', ['accountable_officer']);
    await services.reports.create(leeds, 'VfM-4d', { period: '2009-10-h2' });
    const h2 = (await services.periods.list(leeds)).find((p) => p.key === '2009-10-h2')!;
    const agreementId = await agreement({ title: 'Joint ownership of VfM-4d' });
    await assert.rejects(
      share(agreementId, { level: 'read', joint: 'yes', periodIds: [h2.id] }),
      (e: any) => e.issues?.[0]?.field === 'level',
    );
    await assert.rejects(
      share(agreementId, { joint: 'yes', periodIds: [h2.id] }),
      (e: any) => e.issues?.[0]?.field === 'jointOfficer',
    );
    await share(agreementId, { joint: 'yes', jointOfficer: 'Jo Bloggs', periodIds: [h2.id], internalSections: [] });
    const shareId = (await asLp(() => services.sharing.listSharedWithUs(lp))).find(
      (s) => s.agreementTitle === 'Joint ownership of VfM-4d',
    )!.shareId;

    await services.reports.updateSections(leeds, 'VfM-4d', '2009-10-h2', {
      summary: 'Joint work under way',
      status: 'green',
      statusReason: '',
    });
    // The report's version as the partner's officer reads it: a sign-off sends it.
    const version = async () => ({
      version: (await asLp(() => services.sharing.readShared(lpOfficer, shareId, '2009-10-h2'))).joint!.version,
    });
    // Not yet in sign-off: the partner cannot sign.
    await assert.rejects(
      asLp(async () => services.sharing.signOffJointly(lpOfficer, shareId, '2009-10-h2', await version())),
      (e: any) => e.status === 409,
    );
    await asLeeds(() => services.reports.submit(officer, 'VfM-4d', '2009-10-h2', {}));
    await asLeeds(() => services.reports.approve(officer, 'VfM-4d', '2009-10-h2', {}));
    await assert.rejects(
      asLeeds(() => services.reports.approve(director, 'VfM-4d', '2009-10-h2', {})),
      (e: any) => e.status === 409 && /Local Partnerships must sign off revision 1/.test(e.message),
    );
    const waiting = await asLeeds(() => services.reports.readable(leeds, 'VfM-4d', '2009-10-h2'));
    assert.deepEqual(
      waiting.joint?.map((j) => [j.partnerName, j.officer, j.decision]),
      [['Local Partnerships', 'Jo Bloggs', null]],
    );

    // Only the partner's accountable officer or director signs; a contributor is refused.
    await assert.rejects(
      asLp(() => services.sharing.signOffJointly(lp, shareId, '2009-10-h2', {})),
      (e: any) => e.status === 403,
    );
    await asLp(async () =>
      services.sharing.signOffJointly(lpOfficer, shareId, '2009-10-h2', {
        comment: 'Agreed for Local Partnerships',
        ...(await version()),
      }),
    );
    await assert.rejects(
      asLp(async () => services.sharing.signOffJointly(lpOfficer, shareId, '2009-10-h2', await version())),
      (e: any) => e.status === 409,
    );
    // Another organisation cannot write a joint sign-off, even in SQL.
    await assert.rejects(
      t().units.run(
        () =>
          sql`insert into joint_sign_off (organisation_id, share_id, report_id, revision, partner_id, decision, signed_by)
          values (${leeds.organisationId}, ${shareId}, ${waiting.bundle!.report.id}, 1, ${wakefield.organisationId}, 'approved', 'forged')`.execute(
            units.db,
          ),
        { organisationId: wakefield.organisationId },
      ),
      /row-level security/,
    );

    const published = await asLeeds(() => services.reports.approve(director, 'VfM-4d', '2009-10-h2', {}));
    assert.equal(published.state, 'published');
    const after = await asLeeds(() => services.reports.readable(leeds, 'VfM-4d', '2009-10-h2'));
    assert.equal(after.joint?.[0]?.signedBy, 'officer@lp.example (Local Partnerships)');
    assert.equal(after.joint?.[0]?.comment, 'Agreed for Local Partnerships');
  });
});
