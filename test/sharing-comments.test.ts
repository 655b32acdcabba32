// Comments on a shared report (issue 11, part 3), through the services with each side's unit of
// work acting for its own organisation: both sides comment with their name and organisation and an
// audit event in the owner's trail; PostgreSQL shows them to the partner only while the share is
// live, and refuses a comment written as someone else or by a third organisation. Both engines.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import type { UserActor, Actor } from '../src/domain/actor.ts';

describeOnEachEngine('comments on a shared report', (t) => {
  let leeds: Actor;
  let leedsOfficer: UserActor;
  let pwc: UserActor;
  let wakefield: UserActor;
  let agreementId: string;
  let shareId: string;
  let reportId: string;

  const userOf = (organisationId: string, label: string, roles: UserActor['roles']): UserActor => ({
    kind: 'user',
    organisationId,
    label,
    userId: '00000000-0000-4000-8000-000000000001',
    roles,
  });
  const actingFor = <T>(a: Actor, fn: () => Promise<T>) => t().units.run(fn, { organisationId: a.organisationId });
  const count = (a: Actor) =>
    actingFor(
      a,
      async () =>
        (await sql<{ n: number }>`select count(*)::int as n from shared_comment`.execute(t().units.db)).rows[0]!.n,
    );

  before(async () => {
    const { services } = t();
    leeds = await withDemo(t());
    leedsOfficer = userOf(leeds.organisationId, 'lee@leeds.example', ['accountable_officer']);
    const pwcOrg = await services.organisations.createHome('test', { name: 'Comment Partners', kind: 'other' });
    const wakeOrg = await services.organisations.createHome('test', { name: 'Wakefield Council', kind: 'council' });
    pwc = userOf(pwcOrg.id, 'sam@partners.example', ['contributor']);
    wakefield = userOf(wakeOrg.id, 'wa@wakefield.example', ['administrator']);
    const period = (await services.periods.list(leeds)).find((p) => p.key === '2009-10-h1')!;
    agreementId = await actingFor(leeds, () =>
      services.sharing.createAgreement(leeds, {
        partner: pwcOrg.slug,
        title: 'Diagnostic',
        purpose: 'Review',
        dataShared: 'VfM-4d reports',
        legalBasis: 'Local Government Act 2000, s.2',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Both',
      }),
    );
    // Read only, with the key actions kept internal: a comment may be only about the report.
    shareId = await actingFor(leeds, async () =>
      services.sharing.createShare(leeds, agreementId, {
        priorityId: (await services.plans.getPriority(leeds, 'VfM-4d')).id,
        level: 'read',
        periodIds: [period.id],
        internalSections: ['actions'],
      }),
    );
    reportId = (await services.reports.getBundle(leeds, 'VfM-4d', '2009-10-h1')).report.id;
  });

  it('lets both sides comment, each named with their organisation and audited in the owner’s trail', async () => {
    const { services } = t();
    await actingFor(pwc, () =>
      services.sharing.commentOnShared(pwc, 'Sam Partner', shareId, '2009-10-h1', {
        body: 'Is the H1 baseline final?',
      }),
    );
    await actingFor(leedsOfficer, () =>
      services.sharing.commentAsOwner(leedsOfficer, 'Lee Officer', shareId, '2009-10-h1', {
        body: 'Yes, since 30 September.',
      }),
    );
    const read = await actingFor(pwc, () => services.sharing.readShared(pwc, shareId, '2009-10-h1'));
    assert.deepEqual(
      read.conversation?.comments.map((c) => [c.authorName, c.authorOrganisationName, c.body]),
      [
        ['Sam Partner', 'Comment Partners', 'Is the H1 baseline final?'],
        ['Lee Officer', 'Leeds City Council', 'Yes, since 30 September.'],
      ],
    );
    assert.deepEqual(read.conversation?.actions, [], 'the key actions are kept internal');
    const audit = await t()
      .db.selectFrom('audit_event')
      .select(['actor', 'organisation_id'])
      .where('entity', '=', 'shared_comment')
      .orderBy('id')
      .execute();
    assert.deepEqual(audit, [
      { actor: 'sam@partners.example (Comment Partners)', organisation_id: leeds.organisationId },
      { actor: 'lee@leeds.example', organisation_id: leeds.organisationId },
    ]);

    // A comment about a key action kept internal is refused, naming the field.
    const action = (await services.reports.getBundle(leeds, 'VfM-4d', '2009-10-h1')).report.actions[0]!.id;
    await assert.rejects(
      actingFor(pwc, () =>
        services.sharing.commentOnShared(pwc, 'Sam', shareId, '2009-10-h1', { body: 'About it', actionId: action }),
      ),
      (e: any) => e.issues?.[0]?.field === 'actionId',
    );
    await assert.rejects(
      actingFor(pwc, () => services.sharing.commentOnShared(pwc, 'Sam', shareId, '2009-10-h1', { body: '' })),
      (e: any) => e.issues?.[0]?.field === 'body',
    );
  });

  it('lets the database refuse a comment as another organisation, and show nothing to a third or after the end', async () => {
    const { services, units } = t();
    const forge = (a: Actor, organisationId: string, authorId: string) =>
      actingFor(a, () =>
        sql`insert into shared_comment (organisation_id, share_id, report_id, author_organisation_id, author_organisation_name, author_name, body)
            values (${organisationId}, ${shareId}, ${reportId}, ${authorId}, 'x', 'x', 'forged')`.execute(units.db),
      );
    // The partner cannot write as Leeds, nor Wakefield as anyone.
    await assert.rejects(forge(pwc, leeds.organisationId, leeds.organisationId), /row-level security/);
    await assert.rejects(forge(wakefield, leeds.organisationId, wakefield.organisationId), /row-level security/);
    await assert.rejects(forge(wakefield, wakefield.organisationId, wakefield.organisationId), /row-level security/);
    assert.equal(await count(wakefield), 0);
    assert.equal(await count(pwc), 2);
    await assert.rejects(
      actingFor(wakefield, () =>
        services.sharing.commentOnShared(wakefield, 'W', shareId, '2009-10-h1', { body: 'Hello' }),
      ),
      (e: any) => e.status === 404,
    );
    await assert.rejects(
      actingFor(wakefield, () => services.sharing.ownerConversation(wakefield, shareId, '2009-10-h1')),
      (e: any) => e.status === 404,
    );

    const { agreement } = await actingFor(leeds, () => services.sharing.getAgreement(leeds, agreementId));
    await actingFor(leeds, () =>
      services.sharing.revokeAgreement(leeds, agreementId, { reason: 'Finished', version: agreement.version }),
    );
    assert.equal(await count(pwc), 0, 'an ended share shows its partner none of its comments');
    await assert.rejects(forge(pwc, leeds.organisationId, pwc.organisationId), /row-level security/);
    // Leeds keeps the conversation, closed.
    const closed = await actingFor(leedsOfficer, () =>
      services.sharing.ownerConversation(leedsOfficer, shareId, '2009-10-h1'),
    );
    assert.equal(closed.conversation.comments.length, 2);
    assert.equal(closed.conversation.canComment, false);
    await assert.rejects(
      actingFor(leedsOfficer, () =>
        services.sharing.commentAsOwner(leedsOfficer, 'Lee', shareId, '2009-10-h1', { body: 'Late' }),
      ),
      (e: any) => e.status === 409,
    );
  });
});
