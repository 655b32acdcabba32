// The report's editors keep sections of a shared priority internal (issue 11, item 3): the
// performance officer who writes the report marks "challenges" internal for one partner, and the
// partner's page and API stop showing them at once while the owner still reads them; the trail says
// who did it; sharing them again shows them again. A stale version is a conflict that changes
// nothing, a bad section is refused naming the field, and only the owner's editors may do it: a
// viewer or contributor is refused (403), a partner's people and another organisation's share are
// not found (404). Through the routes with `inject()`, on both engines; the walk in
// test/permissions.test.ts takes the routes through every role and another organisation's ids.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildTestApp, createTestSession, form, type TestApp, type TestSession } from './helpers/app.ts';
import { ENGINES } from './helpers/database.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { insertPriority } from './builders/index.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';

const H1 = '2009-10-h1';
const CODE = 'VfM-4d';
type Json = Record<string, any>;

for (const engine of ENGINES)
  describe(`keeping sections of a shared priority internal [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let officer: TestSession; // a performance officer of the owner
    let accountable: TestSession; // VfM-4d's accountable officer
    let otherAccountable: TestSession; // an accountable officer of another priority
    let viewer: TestSession;
    let contributor: TestSession;
    let partner: TestSession; // a contributor of the partner
    let partnerAdmin: TestSession;
    let stranger: TestSession; // an administrator of an organisation that shares with the partner too
    let strangerShare: string;
    let strangerCode: string;
    let agreementId: string;
    let shareId: string;
    let challenge: string; // the first of the report's challenges, as the officer wrote it

    const get = (s: TestSession, url: string) => t.app.inject({ url, headers: s.headers });
    const post = (s: TestSession, url: string, fields: Record<string, string | string[] | undefined>) => {
      const f = form(fields);
      return t.app.inject({ method: 'POST', url, payload: f.payload, headers: { ...f.headers, ...s.headers } });
    };
    const put = (s: TestSession, url: string, payload: Json) =>
      t.app.inject({ method: 'PUT', url, payload, headers: s.headers });
    /** The data as it is, without the security log (where a refusal is written by design). */
    const state = async () => {
      const { security_event: _log, ...rest } = await fingerprint(t.db);
      return rest;
    };
    const sectionsPage = (id = shareId, code = CODE, period?: string) => paths.sharing.shareSections(id, code, period);
    const sectionsApi = (id = shareId, code = CODE) => paths.api.shareSections(id, code);
    const versionOn = (html: string) => /name="version" value="(\d+)"/.exec(html)![1]!;
    /** What the partner's page and API show of the shared report now. */
    const partnerSees = async () => {
      const page = await get(partner, paths.sharedWithUs.report(shareId, H1));
      assert.equal(page.statusCode, 200, page.body.slice(0, 300));
      const api = await get(partner, paths.api.sharedReport(shareId, H1));
      assert.equal(api.statusCode, 200, api.body.slice(0, 300));
      return { html: page.body, api: api.body, json: api.json<Json>() };
    };

    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.getHome();
      leeds = systemActor(home.id, 'test');
      const priority = await t.services.plans.getPriority(leeds, CODE);
      const bundle = await t.services.reports.getBundle(leeds, CODE, H1);
      challenge = bundle.report.challenges[0]!;
      assert.ok(challenge && challenge.length > 20, 'the demo report has challenges to keep internal');

      officer = await createTestSession(t.services, home.id, ['performance_officer'], {
        email: 'pat.officer@leeds.example',
      });
      accountable = await createTestSession(t.services, home.id, ['accountable_officer'], {
        personId: priority.accountableOfficer!.id,
      });
      const elsewhere = await insertPriority(t.services, leeds, { code: 'IS-OTHER' });
      otherAccountable = await createTestSession(t.services, home.id, ['accountable_officer'], {
        personId: elsewhere.accountableOfficer!.id,
      });
      viewer = await createTestSession(t.services, home.id, ['viewer']);
      contributor = await createTestSession(t.services, home.id, ['contributor']);

      const org = await t.services.organisations.createHome('test', { name: 'Section Partners', kind: 'public_body' });
      partner = await createTestSession(t.services, org.id, ['contributor']);
      partnerAdmin = await createTestSession(t.services, org.id, ['administrator']);
      const terms = {
        partner: org.slug,
        title: 'Collaboration reporting',
        purpose: 'Section Partners follows VfM-4d',
        dataShared: 'VfM-4d reports',
        legalBasis: 'Local Government Act 2000, s.2',
        startsOn: '01/04/2009',
        endsOn: '31/03/2099',
        signatories: 'Leeds; Section Partners',
      };
      agreementId = await t.services.sharing.createAgreement(leeds, terms);
      const periodId = (await t.services.periods.list(leeds)).find((p) => p.key === H1)!.id;
      shareId = await t.services.sharing.createShare(leeds, agreementId, {
        priorityId: priority.id,
        level: 'read',
        periodIds: [periodId],
      });

      // Another organisation sharing a priority of its own with the same partner: its share's id is not Leeds's.
      const other = await t.services.organisations.createHome('test', { name: 'Elsewhere Council', kind: 'council' });
      const otherActor = systemActor(other.id, 'test');
      stranger = await createTestSession(t.services, other.id, ['administrator']);
      await t.services.periods.ensure(otherActor, H1);
      const theirs = await insertPriority(t.services, otherActor, { code: 'ELSE-1' });
      strangerCode = theirs.code;
      await t.services.reports.create(otherActor, theirs.code, { period: H1 });
      const theirAgreement = await t.services.sharing.createAgreement(otherActor, terms);
      strangerShare = await t.services.sharing.createShare(otherActor, theirAgreement, {
        priorityId: theirs.id,
        level: 'read',
        periodIds: [(await t.services.periods.list(otherActor)).find((p) => p.key === H1)!.id],
      });
    });
    after(async () => t?.close());

    it('lets the performance officer keep the challenges internal: the partner’s page and API stop showing them, the owner still reads them, the trail says who', async () => {
      const seen = await partnerSees();
      assert.ok(seen.html.includes(challenge), 'the partner reads the challenges while they are shared');

      // From the report's conversation with the partner, the officer sees what the partner sees and where to change it.
      const talk = await get(officer, paths.sharing.shareReport(shareId, H1));
      assert.equal(talk.statusCode, 200);
      assert.match(talk.body, /data-qa="partner-sees">They see: Summary of progress/);
      assert.ok(talk.body.includes(`href="${sectionsPage(shareId, CODE, H1).replace(/&/g, '&amp;')}"`), talk.body);

      const page = await get(officer, sectionsPage(shareId, CODE, H1));
      assert.equal(page.statusCode, 200, page.body.slice(0, 300));
      assert.match(page.body, /What Section Partners sees of VfM-4d/);
      assert.match(page.body, /data-qa="section-challenges">Shared</);
      const saved = await post(officer, sectionsPage(), {
        internalSections: 'challenges',
        version: versionOn(page.body),
        period: H1,
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 500));
      const location = saved.headers.location as string;
      assert.match(location, /saved=sections/);
      const confirmed = await get(officer, location);
      assert.match(
        confirmed.body,
        /Saved\. Section Partners now sees: Summary of progress and the status reason; Key achievements; Key actions and milestones; Sign-offs\. Kept internal: Challenges and risks\./,
      );
      // Kept internal in words, not by colour alone; the back link returns to the report it came from.
      assert.match(confirmed.body, /data-qa="section-challenges">Kept internal</);
      assert.ok(confirmed.body.includes(`href="${paths.reports.show(CODE, H1)}"`));
      assert.match(confirmed.body, /Last chosen by pat\.officer@leeds\.example/);

      const hidden = await partnerSees();
      assert.ok(!hidden.html.includes(challenge), 'the challenges are gone from the partner’s page');
      assert.ok(!hidden.api.includes(challenge), 'and from the API');
      assert.deepEqual(hidden.json.report.challenges, []);
      assert.deepEqual(hidden.json.internalSections, ['challenges']);
      assert.match(hidden.html, /Kept internal, so not shown: challenges and risks/);

      const own = await get(officer, paths.reports.show(CODE, H1));
      assert.equal(own.statusCode, 200);
      assert.ok(own.body.includes(challenge), 'the owner still reads its challenges');

      const { agreement } = await t.services.sharing.getAgreement(leeds, agreementId);
      const history = await t.services.sharing.agreementHistory(leeds, agreement.id);
      const event = history.at(-1)!;
      assert.equal(event.actor, 'pat.officer@leeds.example');
      assert.deepEqual(event.before, { internalSections: [] });
      assert.deepEqual((event.after as Json).internalSections, ['challenges']);
      const agreementPage = await t.app.inject({ url: paths.sharing.agreement(agreementId) });
      assert.match(agreementPage.body, /Sections of VfM-4d kept internal: Challenges and risks/);
    });

    it('shares them again through the API, and the partner reads them again', async () => {
      const read = await get(accountable, sectionsApi());
      assert.equal(read.statusCode, 200, read.body);
      const body = read.json<Json>();
      assert.deepEqual(body.internalSections, ['challenges']);
      assert.equal(body.sections.find((s: Json) => s.key === 'challenges').shared, false);
      const done = await put(accountable, sectionsApi(), { internalSections: [], version: body.version });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(done.json<Json>().internalSections, []);
      assert.equal(done.json<Json>().version, body.version + 1);
      const seen = await partnerSees();
      assert.ok(seen.html.includes(challenge));
      assert.ok(seen.api.includes(challenge));
    });

    it('refuses a stale version with 409, saying what the partner sees now, and changes nothing', async () => {
      const page = await get(officer, sectionsPage());
      const stale = versionOn(page.body);
      const api = await get(officer, sectionsApi());
      await put(officer, sectionsApi(), { internalSections: ['summary'], version: api.json<Json>().version });

      const before = await state();
      const refused = await post(officer, sectionsPage(), {
        internalSections: ['challenges', 'actions'],
        version: stale,
      });
      assert.equal(refused.statusCode, 409);
      assert.match(
        refused.body,
        /Someone changed what Section Partners sees of VfM-4d after you opened it\. Nothing has been changed/,
      );
      // The form now shows what the partner sees, at the version it is now.
      assert.notEqual(versionOn(refused.body), stale);
      const viaApi = await put(officer, sectionsApi(), { internalSections: ['challenges'], version: Number(stale) });
      assert.equal(viaApi.statusCode, 409);
      assert.match(viaApi.json<Json>().detail, /Nothing has been changed/);
      assert.deepEqual(await state(), before, 'nothing changed');
      assert.deepEqual((await partnerSees()).json.internalSections, ['summary']);
    });

    it('refuses a section that is not one, naming the field, and changes nothing', async () => {
      const { version } = (await get(officer, sectionsApi())).json<Json>();
      const before = await state();
      const api = await put(officer, sectionsApi(), { internalSections: ['challenges', 'gossip'], version });
      assert.equal(api.statusCode, 422);
      assert.deepEqual(
        (api.json<Json>().errors as Json[]).map((e) => e.field),
        ['internalSections'],
      );
      assert.match(api.body, /“gossip” is not one of them/);
      const undeclared = await put(officer, sectionsApi(), { internalSections: [], version, organisationId: 'x' });
      assert.equal(undeclared.statusCode, 422);
      const page = await post(officer, sectionsPage(), { internalSections: 'gossip', version: String(version) });
      assert.equal(page.statusCode, 422);
      assert.match(page.body, /href="#internalSections"/);
      assert.deepEqual(await state(), before, 'nothing changed');
    });

    it('refuses a viewer, a contributor and an accountable officer of another priority (403)', async () => {
      const { version } = (await get(officer, sectionsApi())).json<Json>();
      const before = await state();
      for (const who of [viewer, contributor, otherAccountable]) {
        assert.equal((await get(who, sectionsPage())).statusCode, 403);
        assert.equal((await get(who, sectionsApi())).statusCode, 403);
        assert.equal((await post(who, sectionsPage(), { internalSections: 'actions', version })).statusCode, 403);
        assert.equal((await put(who, sectionsApi(), { internalSections: ['actions'], version })).statusCode, 403);
      }
      assert.deepEqual(await state(), before, 'nothing changed');
      // A contributor takes part in the conversation, but is not offered the choice.
      const talk = await get(contributor, paths.sharing.shareReport(shareId, H1));
      assert.equal(talk.statusCode, 200);
      assert.doesNotMatch(talk.body, /data-qa="choose-sections"/);
    });

    it('does not find the share for the partner’s people, nor another organisation’s share for the owner (404)', async () => {
      const { version } = (await get(officer, sectionsApi())).json<Json>();
      const before = await state();
      for (const who of [partner, partnerAdmin]) {
        assert.equal((await get(who, sectionsPage())).statusCode, who === partner ? 403 : 404);
        assert.equal(
          (await put(who, sectionsApi(), { internalSections: [], version })).statusCode,
          who === partner ? 403 : 404,
        );
      }
      // Another organisation's share, named with the owner's priority or with the other's own code.
      for (const code of [CODE, strangerCode]) {
        assert.equal((await get(officer, sectionsPage(strangerShare, code))).statusCode, 404);
        assert.equal((await get(officer, sectionsApi(strangerShare, code))).statusCode, 404);
        assert.equal(
          (await put(officer, sectionsApi(strangerShare, code), { internalSections: ['summary'], version: 1 }))
            .statusCode,
          404,
        );
      }
      // And the owner's share to the other organisation's administrator.
      assert.equal((await get(stranger, sectionsApi())).statusCode, 404);
      assert.equal((await get(stranger, sectionsApi(shareId, strangerCode))).statusCode, 404);
      // The owner's share named with another of its priorities is not that priority's share.
      assert.equal((await get(officer, sectionsApi(shareId, 'IS-OTHER'))).statusCode, 404);
      assert.deepEqual(await state(), before, 'nothing changed');
    });
  });
