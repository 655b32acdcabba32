// Partnerships through the JSON API (issue 11), on PGlite and PostgreSQL, as a council's and a
// partner's IT teams would call it: the owner records an agreement and shares priorities under it;
// the partner reads only what is shared, records progress on the milestones it may update, enters
// the values of an indicator it supplies and comments, and the owner answers; a read-only share,
// an unshared period, a section kept internal and another organisation's agreement are out of
// reach; revoking or ending the agreement ends the partner's access at once; hosts and members of
// a benchmarking club do through the API what they do on its pages, with nothing shown from fewer
// than five members. Bad input is refused naming each field and changes nothing. The generated
// walks (test/permissions.test.ts) take every one of these routes through every role and another
// organisation's ids.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, type TestApp, type TestSession } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';

const A = paths.api;
type Json = Record<string, any>;
const H1 = '2009-10-h1';

for (const engine of ENGINES)
  describe(`partnerships through the JSON API [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let leedsSlug: string;
    let partnerOrg: { id: string; slug: string };
    let partner: TestSession; // a contributor of the partner
    let partnerViewer: TestSession;
    let partnerAdmin: TestSession;
    let partnerToken: string;
    let stranger: TestSession; // an administrator of an organisation with no agreement
    let otherId: string;
    let recordId: string;
    let agreementId: string;
    let shareId: string; // VfM-4d, update, "challenges" kept internal
    let readShareId: string; // OP-2b, read only, "summary" kept internal
    let indicatorId: string;
    let milestones: { named: { id: string; version: number }; other: { id: string; version: number } };

    type Who = TestSession | { token: string } | undefined;
    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Json, who?: Who) =>
      t.app.inject({
        method,
        url,
        ...(payload !== undefined ? { payload } : {}),
        ...(who && 'token' in who
          ? { headers: { authorization: `Bearer ${who.token}` } }
          : who
            ? { headers: who.headers }
            : {}),
      });
    /** The data as it is, without the security log (where a refusal is written by design). */
    const state = async () => {
      const { security_event: _log, ...rest } = await fingerprint(t.db);
      return rest;
    };
    const fields = (r: { json(): Json }) => (r.json().errors as { field: string }[]).map((e) => e.field).sort();
    const terms = {
      title: 'API partnership',
      purpose: 'The partner follows and updates VfM-4d',
      dataShared: 'VfM-4d and OP-2b progress reports',
      legalBasis: 'Local Government Act 2000, s.2',
      startsOn: '01/04/2009',
      endsOn: '31/03/2099',
      signatories: 'Leeds; API Partners',
    };

    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      leeds = systemActor(home.id, 'test');
      leedsSlug = home.slug!;
      const org = await t.services.organisations.createHome('test', { name: 'API Partners', kind: 'public_body' });
      partnerOrg = { id: org.id, slug: org.slug! };
      const other = await t.services.organisations.createHome('test', { name: 'Nowhere Council', kind: 'council' });
      otherId = other.id;
      partner = await createTestSession(t.services, org.id, ['contributor'], { email: 'jo@api-partners.example' });
      partnerViewer = await createTestSession(t.services, org.id, ['viewer']);
      partnerAdmin = await createTestSession(t.services, org.id, ['administrator']);
      stranger = await createTestSession(t.services, other.id, ['administrator']);
      partnerToken = (
        await t.services.accounts.createApiToken(
          {
            kind: 'user',
            organisationId: org.id,
            label: partner.email,
            userId: partner.userId,
            roles: ['contributor'],
          },
          { name: 'integration', scope: 'read-write', expiresInDays: '30' },
        )
      ).token;
      recordId = (await t.services.organisations.createPartner(leeds, { name: 'API Partners', kind: 'other' })).id;
      indicatorId = (await t.services.indicators.get(leeds, 'OC-1c-i')).id;
    });
    after(async () => t?.close());

    it('records an agreement, naming each bad field and changing nothing, and lists and reads it', async () => {
      // A partner record of another organisation, forged into the body.
      const forged = (
        await t.services.organisations.createPartner(systemActor(otherId, 'test'), { name: 'Forged', kind: 'other' })
      ).id;
      const before = await state();
      const bad = await call('POST', A.sharingAgreements, {
        ...terms,
        partner: 'no-such-organisation',
        title: '',
        endsOn: '31/03/2008',
      });
      assert.equal(bad.statusCode, 422, bad.body);
      assert.equal(bad.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.deepEqual(fields(bad), ['endsOn', 'title']);
      const unknown = await call('POST', A.sharingAgreements, { ...terms, partner: 'no-such-organisation' });
      assert.equal(unknown.statusCode, 422);
      assert.deepEqual(fields(unknown), ['partner']);
      const own = await call('POST', A.sharingAgreements, { ...terms, partner: leedsSlug });
      assert.deepEqual(fields(own), ['partner']);
      const forgedRecord = await call('POST', A.sharingAgreements, {
        ...terms,
        partner: partnerOrg.slug,
        partnerRecordId: forged,
      });
      assert.equal(forgedRecord.statusCode, 422);
      assert.deepEqual(fields(forgedRecord), ['partnerRecordId']);
      const tooLong = await call('POST', A.sharingAgreements, {
        ...terms,
        partner: partnerOrg.slug,
        purpose: 'x'.repeat(100_000),
      });
      assert.equal(tooLong.statusCode, 422);
      assert.deepEqual(fields(tooLong), ['purpose']);
      assert.deepEqual(await state(), before, 'nothing changed');

      const made = await call('POST', A.sharingAgreements, {
        ...terms,
        partner: partnerOrg.slug,
        partnerRecordId: recordId,
      });
      assert.equal(made.statusCode, 201, made.body);
      agreementId = made.json().agreement.id;
      assert.equal(made.json().agreement.state, 'active');
      assert.equal(made.json().agreement.partnerName, 'API Partners');
      assert.deepEqual(made.json().shares, []);

      const list = await call('GET', A.sharingAgreements);
      assert.equal(list.statusCode, 200);
      assert.ok(list.json().some((a: Json) => a.id === agreementId && a.title === 'API partnership'));
      const one = await call('GET', A.sharingAgreement(agreementId));
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().agreement.startsOn, '2009-04-01');

      // Only the owner's administrators manage agreements: the partner's administrator, a
      // stranger's, and the owner's own contributor are refused.
      assert.equal((await call('GET', A.sharingAgreement(agreementId), undefined, partnerAdmin)).statusCode, 404);
      assert.equal((await call('GET', A.sharingAgreement(agreementId), undefined, stranger)).statusCode, 404);
      const contributor = await t.signIn(['contributor']);
      assert.equal((await call('GET', A.sharingAgreements, undefined, contributor)).statusCode, 403);
    });

    it('shares priorities under it: bad input named, nothing changed, and each share listed with its terms', async () => {
      const vfm = (await t.services.plans.getPriority(leeds, 'VfM-4d')).id;
      const op2b = (await t.services.plans.getPriority(leeds, 'OP-2b')).id;
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      const elsewhere = systemActor(otherId, 'test');
      await t.services.periods.ensure(elsewhere, H1);
      const foreignPeriod = (await t.services.periods.list(elsewhere)).find((p) => p.key === H1)!.id;
      const before = await state();
      const forged = await call('POST', A.agreementShares(agreementId), {
        priorityId: vfm,
        level: 'read',
        periodIds: [foreignPeriod],
      });
      assert.equal(forged.statusCode, 422, 'another organisation’s period is not one of ours');
      assert.deepEqual(fields(forged), ['periodIds']);
      const readSupplying = await call('POST', A.agreementShares(agreementId), {
        priorityId: vfm,
        level: 'read',
        periodIds: [periodId],
        indicatorIds: [indicatorId],
        suppliedIndicatorIds: [indicatorId],
      });
      assert.equal(readSupplying.statusCode, 422, readSupplying.body);
      assert.deepEqual(fields(readSupplying), ['suppliedIndicatorIds']);
      const junk = await call('POST', A.agreementShares(agreementId), {
        priorityId: 'not-an-id',
        level: 'everything',
        periodIds: [],
        internalSections: ['risks'],
      });
      assert.equal(junk.statusCode, 422);
      // A list names the item that is wrong.
      assert.deepEqual(fields(junk), ['internalSections.0', 'level', 'periodIds', 'priorityId']);
      // A priority of another organisation is not one of ours to share.
      const strangers = await call(
        'POST',
        A.agreementShares(agreementId),
        { priorityId: vfm, level: 'read', periodIds: [periodId] },
        stranger,
      );
      assert.equal(strangers.statusCode, 404);
      assert.deepEqual(await state(), before, 'nothing changed');

      const made = await call('POST', A.agreementShares(agreementId), {
        priorityId: vfm,
        level: 'update',
        periodIds: [periodId],
        indicatorIds: [indicatorId],
        suppliedIndicatorIds: [indicatorId],
        internalSections: ['challenges'],
      });
      assert.equal(made.statusCode, 201, made.body);
      shareId = made.json().id;
      assert.deepEqual(
        [made.json().priorityCode, made.json().level, made.json().internalSections, made.json().periods[0].key],
        ['VfM-4d', 'update', ['challenges'], H1],
      );
      const read = await call('POST', A.agreementShares(agreementId), {
        priorityId: op2b,
        level: 'read',
        periodIds: [periodId],
        internalSections: ['summary'],
      });
      assert.equal(read.statusCode, 201, read.body);
      readShareId = read.json().id;
      const again = await call('POST', A.agreementShares(agreementId), {
        priorityId: vfm,
        level: 'read',
        periodIds: [periodId],
      });
      assert.equal(again.statusCode, 422);
      assert.deepEqual(fields(again), ['priorityId']);

      const shares = await call('GET', A.agreementShares(agreementId));
      assert.equal(shares.statusCode, 200);
      assert.deepEqual(
        shares
          .json()
          .map((s: Json) => s.priorityCode)
          .sort(),
        ['OP-2b', 'VfM-4d'],
      );

      // The partner may update the first key action (chosen here) and no other.
      const actions = (await t.services.reports.getBundle(leeds, 'VfM-4d', H1)).report.actions;
      const share = shares.json().find((s: Json) => s.id === shareId);
      const noVersion = await call('PUT', A.shareActions(shareId), { actionIds: [actions[0]!.id] });
      assert.equal(noVersion.statusCode, 422);
      assert.deepEqual(fields(noVersion), ['version']);
      const foreign = await call('PUT', A.shareActions(shareId), { actionIds: [recordId], version: share.version });
      assert.deepEqual(fields(foreign), ['actionIds']);
      const chosen = await call('PUT', A.shareActions(shareId), {
        actionIds: [actions[0]!.id],
        version: share.version,
      });
      assert.equal(chosen.statusCode, 200, chosen.body);
      assert.deepEqual(chosen.json().actionIds, [actions[0]!.id]);
      const stale = await call('PUT', A.shareActions(shareId), { actionIds: [], version: share.version });
      assert.equal(stale.statusCode, 409);
      milestones = {
        named: { id: actions[0]!.milestones[0]!.id, version: actions[0]!.milestones[0]!.progressVersion },
        other: { id: actions[1]!.milestones[0]!.id, version: actions[1]!.milestones[0]!.progressVersion },
      };
    });

    it('shows the partner only what is shared: the listed priorities, never an internal section, another period or another priority', async () => {
      const list = await call('GET', A.sharedWithUs, undefined, partner);
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list
          .json()
          .map((s: Json) => s.priorityCode)
          .sort(),
        ['OP-2b', 'VfM-4d'],
      );

      const res = await call('GET', A.sharedReport(shareId, H1), undefined, { token: partnerToken });
      assert.equal(res.statusCode, 200, res.body);
      const shared = res.json();
      assert.equal(shared.report.priority.code, 'VfM-4d');
      assert.deepEqual(shared.internalSections, ['challenges']);
      assert.deepEqual(shared.report.challenges, [], 'a section kept internal is empty');
      const own = (await t.services.reports.getBundle(leeds, 'VfM-4d', H1)).report;
      assert.ok(own.challenges.length > 0, 'the owner has challenges, kept from the partner');
      assert.ok(shared.report.summary.length > 0);
      assert.deepEqual(shared.report.citedRisks, []);
      for (const challenge of own.challenges) assert.ok(!res.body.includes(challenge), 'no challenge leaks');
      const namedAction = (await t.services.reports.getBundle(leeds, 'VfM-4d', H1)).report.actions[0]!;
      assert.deepEqual(
        shared.updatable.map((u: Json) => u.milestoneId),
        namedAction.milestones.map((m) => m.id),
        'the milestones of the one key action it may update',
      );
      assert.deepEqual(
        shared.supplied.map((s: Json) => s.code),
        ['OC-1c-i'],
      );

      const readOnly = (await call('GET', A.sharedReport(readShareId, H1), undefined, partner)).json();
      assert.deepEqual(readOnly.report.summary, [], 'the summary kept internal is empty');
      assert.deepEqual(readOnly.updatable, [], 'nothing to update under a read share');
      assert.deepEqual(readOnly.supplied, []);

      // Another period of the shared priority, a priority not shared, another organisation: not found.
      assert.equal((await call('GET', A.sharedReport(shareId, '2008-09-h2'), undefined, partner)).statusCode, 404);
      assert.equal((await call('GET', A.report('VfM-4d', H1), undefined, partner)).statusCode, 404);
      assert.equal((await call('GET', A.priority('OP-2b'), undefined, partner)).statusCode, 404);
      assert.equal((await call('GET', A.sharedReport(shareId, H1), undefined, stranger)).statusCode, 404);
      assert.equal((await call('GET', A.sharedReport('nonsense', H1), undefined, partner)).statusCode, 404);
      // The owner's people reach it as their own, not as something shared with them.
      assert.equal((await call('GET', A.sharedReport(shareId, H1))).statusCode, 404);
    });

    it('lets the partner record progress on a milestone it may update, with the owner’s version checks, and on no other', async () => {
      const url = A.sharedMilestoneProgress(shareId, H1, milestones.named.id);
      const before = await state();
      const noVersion = await call(
        'PUT',
        url,
        { progress: 'met', metOn: '01/11/2009', revised: '', reason: '' },
        partner,
      );
      assert.equal(noVersion.statusCode, 422);
      assert.deepEqual(fields(noVersion), ['version']);
      const bad = await call(
        'PUT',
        url,
        { progress: 'slipped', metOn: '', revised: 'someday', reason: '', version: milestones.named.version },
        partner,
      );
      assert.equal(bad.statusCode, 422, bad.body);
      assert.deepEqual(fields(bad), ['reason', 'revised']);
      const other = await call(
        'PUT',
        A.sharedMilestoneProgress(shareId, H1, milestones.other.id),
        { progress: 'met', metOn: '01/11/2009', revised: '', reason: '', version: milestones.other.version },
        partner,
      );
      assert.equal(other.statusCode, 403, other.body);
      assert.equal(other.json().code, 'NOT_NAMED');
      const viewer = await call(
        'PUT',
        url,
        { progress: 'met', metOn: '01/11/2009', revised: '', reason: '', version: milestones.named.version },
        partnerViewer,
      );
      assert.equal(viewer.statusCode, 403, 'a viewer of the partner reads only');
      assert.deepEqual(await state(), before, 'nothing changed');

      const body = {
        progress: 'slipped',
        metOn: '',
        revised: 'Jan 2010',
        reason: 'Waiting for the contract',
        version: milestones.named.version,
      };
      const ok = await call('PUT', url, body, { token: partnerToken });
      assert.equal(ok.statusCode, 200, ok.body);
      const progress = ok
        .json()
        .report.actions.flatMap((a: Json) => a.milestones)
        .find((m: Json) => m.id === milestones.named.id);
      assert.ok(progress, 'the answer is the shared report');
      const audit = await t.db
        .selectFrom('audit_event')
        .select(['actor', 'organisation_id'])
        .where('entity', '=', 'milestone')
        .where('entity_id', '=', milestones.named.id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(audit, {
        actor: 'jo@api-partners.example (API Partners)',
        organisation_id: leeds.organisationId,
      });
      const stale = await call('PUT', url, { ...body, reason: 'Overwriting' }, partner);
      assert.equal(stale.statusCode, 409, 'a stale version is refused for the partner as for the owner’s people');
    });

    it('refuses a write where only reading was shared, and a milestone of another share’s priority', async () => {
      await t.services.reports.addAction(leeds, 'OP-2b', H1, {
        description: 'An action of a priority shared to read',
        milestones: [{ description: 'Its milestone', timescale: 'Mar 2010' }],
      });
      const actions = (await t.services.reports.getBundle(leeds, 'OP-2b', H1)).report.actions;
      const m = actions[0]!.milestones[0]!;
      const res = await call(
        'PUT',
        A.sharedMilestoneProgress(readShareId, H1, m.id),
        { progress: 'met', metOn: '01/11/2009', revised: '', reason: '', version: m.progressVersion },
        partner,
      );
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'SHARE_READ_ONLY');
      const value = await call(
        'PUT',
        A.sharedIndicatorValue(readShareId, H1, indicatorId),
        { period: '2009-10-q2', actual: '1%', comment: '', version: 0 },
        partner,
      );
      assert.equal(value.statusCode, 403);
      // A milestone of a priority it was never shown is not there at all.
      assert.equal(
        (
          await call(
            'PUT',
            A.sharedMilestoneProgress(shareId, H1, m.id),
            { progress: 'met', metOn: '01/11/2009', revised: '', reason: '', version: m.progressVersion },
            partner,
          )
        ).statusCode,
        404,
      );
    });

    it('lets the partner enter a value of an indicator it supplies, naming a bad field, refusing a stale version', async () => {
      const url = A.sharedIndicator(shareId, H1, indicatorId);
      const read = await call('GET', url, undefined, partner);
      assert.equal(read.statusCode, 200, read.body);
      const q2 = read.json().indicator.periods.find((p: Json) => p.periodKey === '2009-10-q2');
      assert.ok(q2, 'the quarter within the shared half-year is listed');
      const before = await state();
      const bad = await call(
        'PUT',
        A.sharedIndicatorValue(shareId, H1, indicatorId),
        { period: '2009-10-q2', actual: 'about eighty', comment: '', version: q2.version },
        partner,
      );
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(fields(bad), ['actual']);
      const outside = await call(
        'PUT',
        A.sharedIndicatorValue(shareId, H1, indicatorId),
        { period: '2010-11-q1', actual: '80%', comment: '', version: 0 },
        partner,
      );
      assert.equal(outside.statusCode, 422);
      assert.deepEqual(fields(outside), ['period']);
      assert.deepEqual(await state(), before, 'nothing changed');

      const ok = await call(
        'PUT',
        A.sharedIndicatorValue(shareId, H1, indicatorId),
        { period: '2009-10-q2', actual: '79.6%', comment: 'From our survey', version: q2.version },
        { token: partnerToken },
      );
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().indicator.periods.find((p: Json) => p.periodKey === '2009-10-q2').actual, '79.6%');
      const point = (await t.services.indicators.points(leeds, 'OC-1c-i')).points.find(
        (p) => p.value.periodKey === '2009-10-q2',
      )!;
      assert.equal(point.value.actual, 796);
      const stale = await call(
        'PUT',
        A.sharedIndicatorValue(shareId, H1, indicatorId),
        { period: '2009-10-q2', actual: '10%', comment: '', version: q2.version },
        partner,
      );
      assert.equal(stale.statusCode, 409);
      // The owner sees who entered it, from which organisation.
      const shares = (await call('GET', A.agreementShares(agreementId))).json();
      const supplied = shares.find((s: Json) => s.id === shareId).supplied;
      assert.deepEqual(
        [supplied[0].indicatorCode, supplied[0].periodKey, supplied[0].organisation],
        ['OC-1c-i', '2009-10-q2', 'API Partners'],
      );
    });

    it('carries comments both ways, each naming its author’s organisation', async () => {
      const before = await state();
      const empty = await call('POST', A.sharedComments(shareId, H1), { body: '   ' }, partner);
      assert.equal(empty.statusCode, 422);
      assert.deepEqual(fields(empty), ['body']);
      const foreignAction = await call(
        'POST',
        A.sharedComments(shareId, H1),
        { body: 'x', actionId: recordId },
        partner,
      );
      assert.deepEqual(fields(foreignAction), ['actionId']);
      const tooLong = await call('POST', A.sharedComments(shareId, H1), { body: 'x'.repeat(50_000) }, partner);
      assert.deepEqual(fields(tooLong), ['body']);
      assert.equal(
        (await call('POST', A.sharedComments(shareId, H1), { body: 'Viewer' }, partnerViewer)).statusCode,
        403,
      );
      assert.equal((await call('POST', A.sharedComments(shareId, H1), { body: 'Forged' }, stranger)).statusCode, 404);
      assert.deepEqual(await state(), before, 'nothing changed');

      const said = await call(
        'POST',
        A.sharedComments(shareId, H1),
        { body: 'The survey sample doubled this quarter.' },
        { token: partnerToken },
      );
      assert.equal(said.statusCode, 201, said.body);
      const owner = await call('GET', A.shareComments(shareId, H1));
      assert.equal(owner.statusCode, 200, owner.body);
      assert.deepEqual(
        owner.json().comments.map((c: Json) => [c.organisation, c.body]),
        [['API Partners', 'The survey sample doubled this quarter.']],
      );
      const answered = await call('POST', A.shareComments(shareId, H1), { body: 'Thank you: H2 will say.' });
      assert.equal(answered.statusCode, 201, answered.body);
      const theirs = await call('GET', A.sharedComments(shareId, H1), undefined, partner);
      assert.deepEqual(
        theirs.json().comments.map((c: Json) => c.organisation),
        ['API Partners', 'Leeds City Council'],
      );
      // Neither a stranger nor the partner reaches the owner's side of it.
      assert.equal((await call('GET', A.shareComments(shareId, H1), undefined, stranger)).statusCode, 404);
      assert.equal((await call('GET', A.shareComments(shareId, H1), undefined, partner)).statusCode, 404);
    });

    it('documents every operation in the OpenAPI document, with the version writes must send', async () => {
      const doc = (await call('GET', A.openapi)).json();
      const p = doc.paths;
      assert.ok(p['/api/sharing/agreements'].get && p['/api/sharing/agreements'].post);
      assert.ok(p['/api/sharing/agreements/{id}'].get);
      assert.ok(
        p['/api/sharing/agreements/{id}/revoke'].post.requestBody.content['application/json'].schema.required.includes(
          'version',
        ),
      );
      assert.ok(p['/api/sharing/agreements/{id}/shares'].get && p['/api/sharing/agreements/{id}/shares'].post);
      assert.ok(p['/api/sharing/shares/{shareId}/revoke'].post);
      assert.ok(p['/api/sharing/shares/{shareId}/actions'].put);
      assert.ok(p['/api/sharing/shares/{shareId}/reports/{period}/comments'].post);
      assert.ok(p['/api/shared-with-us/{shareId}/reports/{period}'].get);
      assert.ok(p['/api/shared-with-us/{shareId}/reports/{period}/milestones/{id}/progress'].put);
      assert.ok(p['/api/shared-with-us/{shareId}/reports/{period}/indicators/{id}/value'].put);
      assert.ok(p['/api/shared-with-us/{shareId}/reports/{period}/comments'].post);
      assert.ok(p['/api/shared-with-us/{shareId}/reports/{period}/sign-off'].post);
      assert.ok(p['/api/clubs'].post);
      for (const x of [
        'membership',
        'members',
        'join',
        'leave',
        'figures',
        'contributions/baseline',
        'contributions/indicator',
      ])
        assert.ok(p[`/api/clubs/{id}/${x}`], x);
      assert.ok(p['/api/clubs/figures/{figureId}'].delete);
    });

    it('lets a joint owner’s officer sign off the report in sign-off, once, and nobody else', async () => {
      const H2 = '2009-10-h2';
      const priority = await t.services.plans.getPriority(leeds, 'VfM-4d');
      const made = await call('POST', A.sharingAgreements, { ...terms, partner: partnerOrg.slug, title: 'Joint' });
      assert.equal(made.statusCode, 201, made.body);
      const h2 = (await t.services.periods.list(leeds)).find((p) => p.key === H2)!;
      const joint = await call('POST', A.agreementShares(made.json().agreement.id), {
        priorityId: priority.id,
        level: 'update',
        periodIds: [h2.id],
        joint: true,
        jointOfficer: '',
      });
      assert.equal(joint.statusCode, 422, 'a joint owner names its accountable officer');
      assert.deepEqual(fields(joint), ['jointOfficer']);
      const share = await call('POST', A.agreementShares(made.json().agreement.id), {
        priorityId: priority.id,
        level: 'update',
        periodIds: [h2.id],
        joint: true,
        jointOfficer: 'Morgan Officer',
      });
      assert.equal(share.statusCode, 201, share.body);
      const jointId = share.json().id;
      if (!(await t.services.reports.findBundle(leeds, 'VfM-4d', H2)))
        await t.services.reports.create(leeds, 'VfM-4d', { period: H2 });
      await t.services.reports.updateSections(leeds, 'VfM-4d', H2, { summary: 'Jointly', status: 'green' });
      const officer = await createTestSession(t.services, partnerOrg.id, ['accountable_officer'], {
        email: 'morgan@api-partners.example',
      });
      const url = A.sharedSignOff(jointId, H2);
      /** The report's version as the officer reads it: a joint sign-off sends it. */
      const version = async () =>
        (await call('GET', A.sharedReport(jointId, H2), undefined, officer)).json().joint.version;
      const early = await call('POST', url, { version: await version() }, officer);
      assert.equal(early.statusCode, 409, 'a draft is not in sign-off');
      const leedsOfficer = {
        kind: 'user' as const,
        organisationId: leeds.organisationId,
        label: 'lee@leeds.example',
        userId: '00000000-0000-4000-8000-000000000001',
        roles: ['accountable_officer' as const],
        personId: priority.accountableOfficer!.id,
      };
      await t.units.run(() => t.services.reports.submit(leedsOfficer, 'VfM-4d', H2, {}), {
        organisationId: leeds.organisationId,
      });
      assert.equal((await call('POST', url, {}, partner)).statusCode, 403, 'a contributor does not sign off');
      const strangerOfficer = await createTestSession(t.services, otherId, ['accountable_officer']);
      assert.equal((await call('POST', url, {}, strangerOfficer)).statusCode, 404);
      assert.equal((await call('POST', A.sharedSignOff(shareId, H1), {}, officer)).statusCode, 403, 'not joint');
      const tooLong = await call('POST', url, { comment: 'x'.repeat(50_000) }, officer);
      assert.deepEqual(fields(tooLong), ['comment', 'version']);
      const signed = await call('POST', url, { comment: 'Agreed for API Partners', version: await version() }, officer);
      assert.equal(signed.statusCode, 200, signed.body);
      assert.equal(signed.json().signed, true);
      assert.equal((await call('POST', url, { version: await version() }, officer)).statusCode, 409, 'signed once');
      const owners = await t.units.run(
        async () => {
          const b = (await t.services.reports.findBundle(leeds, 'VfM-4d', H2))!;
          return t.services.sharing.jointOwners(leeds, priority.id, b.report.id, b.report.revision);
        },
        { organisationId: leeds.organisationId },
      );
      assert.deepEqual(
        owners.map((o) => [o.partnerName, o.decision, o.comment]),
        [['API Partners', 'approved', 'Agreed for API Partners']],
      );
      const ended = await call('POST', A.revokeSharingAgreement(made.json().agreement.id), {
        reason: 'Joint ownership handed back',
        version: made.json().agreement.version,
      });
      assert.equal(ended.statusCode, 200, ended.body);
    });

    it('ends the partner’s API access at once when a share or the agreement is revoked, and says so in the history', async () => {
      // Revoking one share ends that one only.
      const readShare = (await call('GET', A.agreementShares(agreementId)))
        .json()
        .find((s: Json) => s.id === readShareId);
      const revokedShare = await call('POST', A.revokeShare(readShareId), { version: readShare.version });
      assert.equal(revokedShare.statusCode, 200, revokedShare.body);
      assert.ok(revokedShare.json().revokedAt);
      assert.equal((await call('GET', A.sharedReport(readShareId, H1), undefined, partner)).statusCode, 404);
      assert.equal((await call('GET', A.sharedReport(shareId, H1), undefined, partner)).statusCode, 200);

      const { agreement } = (await call('GET', A.sharingAgreement(agreementId))).json();
      const before = await state();
      const noReason = await call('POST', A.revokeSharingAgreement(agreementId), { version: agreement.version });
      assert.equal(noReason.statusCode, 422);
      assert.deepEqual(fields(noReason), ['reason']);
      const noVersion = await call('POST', A.revokeSharingAgreement(agreementId), { reason: 'Done' });
      assert.deepEqual(fields(noVersion), ['version']);
      const stale = await call('POST', A.revokeSharingAgreement(agreementId), {
        reason: 'Done',
        version: agreement.version + 1,
      });
      assert.equal(stale.statusCode, 409);
      assert.equal(
        (
          await call(
            'POST',
            A.revokeSharingAgreement(agreementId),
            { reason: 'Forged', version: agreement.version },
            stranger,
          )
        ).statusCode,
        404,
      );
      assert.deepEqual(await state(), before, 'nothing changed');
      assert.equal((await call('GET', A.sharedReport(shareId, H1), undefined, partner)).statusCode, 200);

      const revoked = await call('POST', A.revokeSharingAgreement(agreementId), {
        reason: 'The programme has finished',
        version: agreement.version,
      });
      assert.equal(revoked.statusCode, 200, revoked.body);
      assert.equal(revoked.json().agreement.state, 'revoked');
      assert.equal(revoked.json().agreement.revokedReason, 'The programme has finished');
      const history = await t.db
        .selectFrom('audit_event')
        .select(['action', 'after'])
        .where('entity', '=', 'sharing_agreement')
        .where('entity_id', '=', agreementId)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        history.map((h) => h.action),
        ['create', 'update'],
      );
      assert.match(JSON.stringify(history[1]!.after), /The programme has finished/);

      // At once: every partner operation answers 404, the token's too.
      assert.deepEqual((await call('GET', A.sharedWithUs, undefined, partner)).json(), []);
      for (const [method, url, payload] of [
        ['GET', A.sharedReport(shareId, H1), undefined],
        ['GET', A.sharedIndicator(shareId, H1, indicatorId), undefined],
        ['GET', A.sharedComments(shareId, H1), undefined],
        ['POST', A.sharedComments(shareId, H1), { body: 'Too late' }],
        [
          'PUT',
          A.sharedMilestoneProgress(shareId, H1, milestones.named.id),
          { progress: 'met', metOn: '01/11/2009', revised: '', reason: '', version: 99 },
        ],
        [
          'PUT',
          A.sharedIndicatorValue(shareId, H1, indicatorId),
          { period: '2009-10-q2', actual: '1%', comment: '', version: 99 },
        ],
      ] as const) {
        const res = await call(method, url, payload, { token: partnerToken });
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      }
      // The owner's side of the conversation is closed, and nothing more is shared under it.
      assert.equal((await call('POST', A.shareComments(shareId, H1), { body: 'After the end' })).statusCode, 409);
      const vfm = (await t.services.plans.getPriority(leeds, 'VfM-4d')).id;
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      const more = await call('POST', A.agreementShares(agreementId), {
        priorityId: vfm,
        level: 'read',
        periodIds: [periodId],
      });
      assert.equal(more.statusCode, 422);
      assert.deepEqual(fields(more), ['priorityId']);
    });

    it('ends the partner’s API access when the agreement reaches its end date', async () => {
      const made = await call('POST', A.sharingAgreements, { ...terms, partner: partnerOrg.slug, title: 'Short' });
      assert.equal(made.statusCode, 201, made.body);
      const id = made.json().agreement.id;
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      const share = await call('POST', A.agreementShares(id), {
        priorityId: (await t.services.plans.getPriority(leeds, 'VfM-4d')).id,
        level: 'read',
        periodIds: [periodId],
      });
      assert.equal(share.statusCode, 201, share.body);
      const sid = share.json().id;
      assert.equal((await call('GET', A.sharedReport(sid, H1), undefined, partner)).statusCode, 200);
      // The agreement's last day was yesterday (as if time had passed).
      await sql`update sharing_agreement set starts_on = current_date - 30, ends_on = current_date - 2 where id = ${id}`.execute(
        t.db,
      );
      assert.equal((await call('GET', A.sharingAgreement(id))).json().agreement.state, 'ended');
      assert.equal((await call('GET', A.sharedReport(sid, H1), undefined, partner)).statusCode, 404);
      assert.equal((await call('GET', A.sharedWithUs, undefined, partner)).json().length, 0);
    });

    describe('benchmarking clubs', () => {
      let clubId: string;
      let host: TestSession; // the partner's administrator hosts
      let leedsVersion: number;
      const OTHERS = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
      const others: Actor[] = [];

      it('lets a host start a club and invite members, naming a bad field', async () => {
        host = partnerAdmin;
        const bad = await call('POST', A.clubs, { name: '' }, host);
        assert.equal(bad.statusCode, 422);
        assert.deepEqual(fields(bad), ['name']);
        assert.equal((await call('POST', A.clubs, { name: 'Not a host' }, partner)).statusCode, 403);
        const made = await call('POST', A.clubs, { name: 'API club', description: 'First-contact resolution' }, host);
        assert.equal(made.statusCode, 201, made.body);
        clubId = made.json().id;
        const before = await state();
        const nobody = await call('POST', A.clubMembers(clubId), { member: 'no-such-council' }, host);
        assert.equal(nobody.statusCode, 422);
        assert.deepEqual(fields(nobody), ['member']);
        assert.deepEqual(await state(), before, 'nothing changed');
        const invited = await call('POST', A.clubMembers(clubId), { member: leedsSlug }, host);
        assert.equal(invited.statusCode, 201, invited.body);
        assert.deepEqual(
          invited.json().members.map((m: Json) => [m.organisation, m.state]),
          [['Leeds City Council', 'invited']],
        );
        // Only the host invites; a stranger does not even find the club.
        assert.equal((await call('POST', A.clubMembers(clubId), { member: leedsSlug })).statusCode, 404);
        assert.equal((await call('GET', A.clubMembers(clubId), undefined, stranger)).statusCode, 404);
        for (const name of OTHERS) {
          const org = await t.services.organisations.createHome('test', {
            name: `${name} Borough Council`,
            kind: 'council',
          });
          await t.services.clubs.invite(systemActor(partnerOrg.id, 'test'), clubId, { member: org.slug });
          others.push(systemActor(org.id, 'test'));
        }
      });

      it('lets a member opt in with its version, contribute an indicator with an embargo, and see it withheld below five members', async () => {
        const place = await call('GET', A.clubMembership(clubId));
        assert.equal(place.statusCode, 200, place.body);
        assert.equal(place.json().state, 'invited');
        const stale = await call('POST', A.clubJoin(clubId), { version: place.json().version + 1 });
        assert.equal(stale.statusCode, 409);
        const noVersion = await call('POST', A.clubJoin(clubId), {});
        assert.deepEqual(fields(noVersion), ['version']);
        const joined = await call('POST', A.clubJoin(clubId), { version: place.json().version });
        assert.equal(joined.statusCode, 200, joined.body);
        assert.equal(joined.json().state, 'member');
        leedsVersion = joined.json().version;

        const viewer = await t.signIn(['viewer']);
        const before = await state();
        const bad = await call('POST', A.clubIndicator(clubId), {
          indicator: 'OC-1c-i',
          sharedCode: 'not an id!',
          period: '2009-10-q2',
          embargoUntil: 'soon',
        });
        assert.equal(bad.statusCode, 422);
        assert.deepEqual(fields(bad), ['embargoUntil', 'sharedCode']);
        const noValue = await call('POST', A.clubIndicator(clubId), {
          indicator: 'OC-1c-i',
          sharedCode: 'LGI-1',
          period: '2031-32-q1',
        });
        assert.equal(noValue.statusCode, 422);
        assert.deepEqual(fields(noValue), ['period']);
        assert.equal(
          (
            await call(
              'POST',
              A.clubIndicator(clubId),
              { indicator: 'OC-1c-i', sharedCode: 'LGI-1', period: '2009-10-q2' },
              viewer,
            )
          ).statusCode,
          403,
        );
        assert.deepEqual(await state(), before, 'nothing changed');

        const given = await call('POST', A.clubIndicator(clubId), {
          indicator: 'OC-1c-i',
          sharedCode: 'LGI-1',
          period: '2009-10-q2',
        });
        assert.equal(given.statusCode, 201, given.body);
        const figures = (await call('GET', A.clubFigures(clubId))).json();
        assert.equal(figures.length, 1);
        assert.equal(figures[0].metric, 'indicator:LGI-1');

        // Five more members: six in all; the statistic waits for a fifth contribution, and shows from a sixth.
        const like = (value: number) => ({
          metric: figures[0].metric,
          label: figures[0].label,
          unit: figures[0].unit,
          direction: figures[0].direction,
          period: figures[0].period,
          value,
          embargoUntil: null,
        });
        for (const [i, o] of others.entries()) {
          await t.services.clubs.setMembership(o, clubId, true, {});
          if (i < 3) await t.services.clubs.contributeIllustrative(o, clubId, [like(70 + i * 5)]);
        }
        const four = (await call('GET', A.club(clubId))).json();
        const stat = four.statistics.find((s: Json) => s.metric === 'indicator:LGI-1');
        assert.equal(stat.n, 4);
        assert.equal(stat.withheld, true);
        assert.equal(stat.p50, null);
        const hostView = (await call('GET', A.club(clubId), undefined, host)).json();
        assert.equal(hostView.statistics[0].p50, null, 'the host sees it withheld too');

        await t.services.clubs.contributeIllustrative(others[3]!, clubId, [like(90)]);
        const five = (await call('GET', A.club(clubId), undefined, host)).json();
        assert.equal(five.statistics[0].n, 5);
        assert.deepEqual(
          [five.statistics[0].p50, five.statistics[0].withheldBecause],
          [null, 'members-figures'],
          'five members: withheld, their quartiles would be members’ own figures (ADR 0016)',
        );
        await t.services.clubs.contributeIllustrative(others[4]!, clubId, [like(95)]);
        const six = (await call('GET', A.club(clubId), undefined, host)).json();
        assert.equal(six.statistics[0].n, 6);
        assert.notEqual(six.statistics[0].p50, null, 'six members: the host sees the aggregate');
        const members = (await call('GET', A.clubMembers(clubId), undefined, host)).json();
        assert.equal(members.joined, 6);
        assert.ok(!JSON.stringify(members).includes('"value"'), 'the host sees places, never figures');
        // A member sees where it stands, never who the others are.
        const mine = (await call('GET', A.club(clubId))).json();
        assert.ok(mine.standings[0].band, 'Leeds sees its quartile');
        assert.equal((await call('GET', A.clubMembers(clubId))).statusCode, 404);
      });

      it('withholds the aggregate again when a member opts out, and withdraws a figure at once', async () => {
        const left = await call('POST', A.clubLeave(clubId), { version: leedsVersion });
        assert.equal(left.statusCode, 200, left.body);
        assert.equal(left.json().state, 'left');
        const hostView = (await call('GET', A.club(clubId), undefined, host)).json();
        assert.equal(hostView.statistics[0].n, 5);
        assert.equal(hostView.statistics[0].p50, null, 'five members: withheld');
        assert.equal((await call('GET', A.clubFigures(clubId))).statusCode, 404, 'a member that left sees nothing');
        const back = await call('POST', A.clubJoin(clubId), { version: left.json().version });
        assert.equal(back.statusCode, 200, back.body);
        assert.equal((await call('GET', A.club(clubId), undefined, host)).json().statistics[0].n, 6);

        const figure = (await call('GET', A.clubFigures(clubId))).json()[0];
        assert.equal((await call('DELETE', A.clubFigure(figure.id), undefined, stranger)).statusCode, 404);
        assert.equal((await call('DELETE', A.clubFigure(figure.id), undefined, host)).statusCode, 404);
        const gone = await call('DELETE', A.clubFigure(figure.id));
        assert.equal(gone.statusCode, 200, gone.body);
        assert.deepEqual((await call('GET', A.clubFigures(clubId))).json(), []);
        assert.equal((await call('GET', A.club(clubId), undefined, host)).json().statistics[0].p50, null);
        assert.equal((await call('DELETE', A.clubFigure(figure.id))).statusCode, 404, 'withdrawn once');
      });

      it('contributes a diagnostic baseline through the API, refusing an exercise of another organisation', async () => {
        const exercise = (await t.services.diagnostics.listExercises(leeds))[0]!.id;
        const foreign = await call('POST', A.clubBaseline(clubId), { exerciseId: exercise }, stranger);
        assert.equal(foreign.statusCode, 404);
        // Another organisation's club is not found, whatever the body: it learns nothing from a 422.
        for (const url of [A.clubBaseline(clubId), A.clubIndicator(clubId)])
          assert.equal((await call('POST', url, {}, stranger)).statusCode, 404, url);
        const junk = await call('POST', A.clubBaseline(clubId), { exerciseId: 'x' });
        assert.deepEqual(fields(junk), ['exerciseId']);
        const ok = await call('POST', A.clubBaseline(clubId), { exerciseId: exercise, embargoUntil: '01/04/2099' });
        assert.equal(ok.statusCode, 201, ok.body);
        assert.ok(ok.json().contributed > 0);
        assert.ok(ok.json().figures.every((f: Json) => f.source !== 'baseline' || f.embargoUntil === '2099-04-01'));
      });
    });
  });
