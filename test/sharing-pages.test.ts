// The pages of a partner's work on a shared priority beyond milestones (issue 11, part 3): the
// owner shares an indicator for the partner to supply; the partner enters its value and comments;
// the owner sees who entered what from which organisation, and answers. Through the routes with
// `inject()`, on both engines; the walk in test/permissions.test.ts covers every role.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, createTestSession, form, type TestApp, type TestSession } from './helpers/app.ts';
import { ENGINES } from './helpers/database.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';
import { observeStatements } from '../src/platform/db/database.ts';

for (const engine of ENGINES)
  describe(`a partner supplying values and commenting on a shared report [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let partner: TestSession;
    let partnerViewer: TestSession;
    let stranger: TestSession;
    let agreementId: string;
    let shareId: string;
    let indicatorId: string;
    const H1 = '2009-10-h1';

    const as = (s: TestSession, url: string) => t.app.inject({ url, headers: s.headers });
    const post = (s: TestSession | undefined, url: string, fields: Record<string, string | string[] | undefined>) => {
      const f = form(fields);
      return t.app.inject({
        method: 'POST',
        url,
        payload: f.payload,
        headers: { ...f.headers, ...(s?.headers ?? {}) },
      });
    };

    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      leeds = systemActor(home.id, 'test');
      const org = await t.services.organisations.createHome('test', { name: 'Page Partners', kind: 'public_body' });
      const other = await t.services.organisations.createHome('test', { name: 'Elsewhere Council', kind: 'council' });
      partner = await createTestSession(t.services, org.id, ['contributor'], { email: 'jo@page-partners.example' });
      partnerViewer = await createTestSession(t.services, org.id, ['viewer']);
      stranger = await createTestSession(t.services, other.id, ['administrator']);
      indicatorId = (await t.services.indicators.get(leeds, 'OC-1c-i')).id;
      agreementId = await t.services.sharing.createAgreement(leeds, {
        partner: org.slug,
        title: 'First-contact measurement',
        purpose: 'Page Partners measures first-contact resolution',
        dataShared: 'VfM-4d reports and OC-1c-i',
        legalBasis: 'Local Government Act 2000, s.2',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Leeds; Page Partners',
      });
    });
    after(async () => t?.close());

    it('lets the administrator share an indicator for the partner to supply, and refuses it at read level naming the field', async () => {
      const priorityId = (await t.services.plans.getPriority(leeds, 'VfM-4d')).id;
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      const page = await t.app.inject({ url: paths.sharing.newShare(agreementId) });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Which of those indicators do they supply\?/);
      const fields = {
        priorityId,
        periodIds: periodId,
        indicatorIds: indicatorId,
        suppliedIndicatorIds: indicatorId,
      };
      const refused = await post(undefined, paths.sharing.shares(agreementId), { ...fields, level: 'read' });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /href="#suppliedIndicatorIds"/);
      assert.match(refused.body, /A partner that only reads cannot enter values/);
      const saved = await post(undefined, paths.sharing.shares(agreementId), { ...fields, level: 'update' });
      assert.equal(saved.statusCode, 303, saved.body);
      const { shares } = await t.services.sharing.getAgreement(leeds, agreementId);
      shareId = shares[0]!.id;
      assert.deepEqual(shares[0]!.suppliedIndicatorIds, [indicatorId]);
    });

    it('reads the shares’ indicators once for the agreement’s page, however many shares it lists, and no others', async () => {
      const asked: unknown[][] = [];
      const indicatorReads = async () => {
        const seen: string[] = [];
        const stop = observeStatements(t.db, (q) => {
          if (!/\bfrom "indicator"/.test(q.sql)) return;
          seen.push(q.sql);
          asked.push(q.parameters.filter(Array.isArray).flat());
        });
        try {
          const page = await t.app.inject({ url: paths.sharing.agreement(agreementId) });
          assert.equal(page.statusCode, 200);
        } finally {
          stop();
        }
        return seen.length;
      };
      // One more of the organisation's, shared with no one.
      await t.services.indicators.create(leeds, {
        code: 'NOT SHARED',
        title: 'Shared with no one',
        frequency: 'quarterly',
        unitKind: 'number',
        polarity: 'higher',
      });
      const one = await indicatorReads();
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      const others = (await t.services.plans.listPriorities(leeds)).filter((p) => p.code !== 'VfM-4d').slice(0, 2);
      assert.equal(others.length, 2);
      for (const p of others) {
        const saved = await post(undefined, paths.sharing.shares(agreementId), {
          priorityId: p.id,
          periodIds: periodId,
          indicatorIds: indicatorId,
          level: 'read',
        });
        assert.equal(saved.statusCode, 303, saved.body);
      }
      assert.equal((await t.services.sharing.getAgreement(leeds, agreementId)).shares.length, 3);
      // Once a share, a large council's every indicator was read again for each.
      assert.equal(await indicatorReads(), one);
      // And only the one indicator the three share, not the organisation's every indicator.
      assert.ok((await t.services.indicators.list(leeds)).length > 1);
      assert.deepEqual(asked.at(-1), [indicatorId]);
    });

    it('lets the partner enter a quarter’s value, names a bad field, and shows the owner who entered it from where', async () => {
      const report = await as(partner, paths.sharedWithUs.report(shareId, H1));
      assert.equal(report.statusCode, 200);
      assert.match(report.body, /Indicators your organisation supplies/);
      assert.match(report.body, /2009\/10 Q2/);
      // A viewer of the partner reads the report, but is offered neither values nor comments.
      const viewed = await as(partnerViewer, paths.sharedWithUs.report(shareId, H1));
      assert.equal(viewed.statusCode, 200);
      assert.doesNotMatch(viewed.body, /Indicators your organisation supplies|data-qa="comment-form"/);
      assert.equal((await as(partnerViewer, paths.sharedWithUs.indicator(shareId, H1, indicatorId))).statusCode, 403);

      const formPage = await as(partner, paths.sharedWithUs.indicator(shareId, H1, indicatorId, '2009-10-q2'));
      assert.equal(formPage.statusCode, 200);
      assert.match(formPage.body, /value="78\.4%"/);
      const version = /name="version" value="(\d+)"/.exec(formPage.body)![1]!;

      const bad = await post(partner, paths.sharedWithUs.indicator(shareId, H1, indicatorId), {
        period: '2009-10-q2',
        actual: 'about eighty',
        version,
      });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /href="#actual"/);
      assert.match(bad.body, /value="about eighty"/);

      const ok = await post(partner, paths.sharedWithUs.indicator(shareId, H1, indicatorId), {
        period: '2009-10-q2',
        actual: '79.6%',
        comment: 'From our survey',
        version,
      });
      assert.equal(ok.statusCode, 303, ok.body);
      assert.match(ok.headers.location as string, /saved=value/);
      const point = (await t.services.indicators.points(leeds, 'OC-1c-i')).points.find(
        (p) => p.value.periodKey === '2009-10-q2',
      )!;
      assert.equal(point.value.actual, 796);

      // The same form again, with the version it was read at: a conflict, and nothing changes.
      const stale = await post(partner, paths.sharedWithUs.indicator(shareId, H1, indicatorId), {
        period: '2009-10-q2',
        actual: '10%',
        version,
      });
      assert.equal(stale.statusCode, 409);

      const owner = await t.app.inject({ url: paths.sharing.agreement(agreementId) });
      assert.match(owner.body, /data-qa="supplied-values"/);
      assert.match(owner.body, /79\.6%/);
      assert.match(owner.body, /jo@page-partners\.example \(Page Partners\)/);

      // Another organisation: nothing there.
      assert.equal((await as(stranger, paths.sharedWithUs.indicator(shareId, H1, indicatorId))).statusCode, 404);
      assert.equal(
        (
          await post(stranger, paths.sharedWithUs.indicator(shareId, H1, indicatorId), {
            period: '2009-10-q2',
            actual: '1',
          })
        ).statusCode,
        404,
      );
    });

    it('carries comments both ways, each with its author’s name and organisation, and closes them with the agreement', async () => {
      const empty = await post(partner, paths.sharedWithUs.comments(shareId, H1), { body: '   ' });
      assert.equal(empty.statusCode, 422);
      assert.match(empty.body, /href="#body"/);
      const actions = (await t.services.reports.getBundle(leeds, 'VfM-4d', H1)).report.actions;
      const said = await post(partner, paths.sharedWithUs.comments(shareId, H1), {
        body: 'The survey sample doubled this quarter.',
        actionId: actions[0]!.id,
      });
      assert.equal(said.statusCode, 303, said.body);

      const ownerPage = await t.app.inject({ url: paths.sharing.shareReport(shareId, H1) });
      assert.equal(ownerPage.statusCode, 200);
      assert.match(ownerPage.body, /The survey sample doubled this quarter\./);
      assert.match(ownerPage.body, /data-qa="comment-organisation">Page Partners</);
      assert.match(ownerPage.body, /About: Key action 1/);
      const answered = await post(undefined, paths.sharing.shareComments(shareId, H1), {
        body: 'Thank you: we will report it in H2.',
      });
      assert.equal(answered.statusCode, 303, answered.body);

      const partnerPage = await as(partner, paths.sharedWithUs.report(shareId, H1));
      assert.match(partnerPage.body, /Thank you: we will report it in H2\./);
      assert.match(partnerPage.body, /data-qa="comment-organisation">Leeds City Council</);

      // Another organisation sees none of it and cannot add to it.
      assert.equal((await as(stranger, paths.sharing.shareReport(shareId, H1))).statusCode, 404);
      assert.equal(
        (await post(stranger, paths.sharedWithUs.comments(shareId, H1), { body: 'Forged' })).statusCode,
        404,
      );

      // The agreement is revoked: the partner's pages are gone, and the owner's conversation is closed.
      const { agreement } = await t.services.sharing.getAgreement(leeds, agreementId);
      await t.services.sharing.revokeAgreement(leeds, agreementId, { reason: 'Done', version: agreement.version });
      assert.equal((await as(partner, paths.sharedWithUs.report(shareId, H1))).statusCode, 404);
      assert.equal(
        (await post(partner, paths.sharedWithUs.comments(shareId, H1), { body: 'Too late' })).statusCode,
        404,
      );
      assert.equal((await as(partner, paths.sharedWithUs.indicator(shareId, H1, indicatorId))).statusCode, 404);
      const closed = await t.app.inject({ url: paths.sharing.shareReport(shareId, H1) });
      assert.match(closed.body, /data-qa="closed"/);
      assert.equal(
        (await post(undefined, paths.sharing.shareComments(shareId, H1), { body: 'After the end' })).statusCode,
        409,
      );
    });
  });
