// Many organisations in one deployment (issue 11): operators create them, a person may belong to
// several and switches between them, every organisation's pages live under its own address
// (`/o/SLUG/…`) and a link e-mailed from one opens in it. On both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { buildTestApp, createTestSession, form, type TestApp } from './helpers/app.ts';
import { ENGINES } from './helpers/database.ts';
import { insertPriority } from './builders/index.ts';
import { systemActor } from '../src/domain/actor.ts';
import type { IsoDate } from '../src/domain/dates.ts';

for (const engine of ENGINES)
  describe(`many organisations in one deployment [${engine}]`, () => {
    let t: TestApp;
    let leedsSlug: string;
    let otherId: string;
    let otherSlug: string;

    before(async () => {
      t = await buildTestApp(engine, { as: false });
      const home = await t.services.organisations.getHome();
      leedsSlug = home.slug!;
      const other = await t.services.organisations.createHome('test', { name: 'Wakefield Council', kind: 'council' });
      otherId = other.id;
      otherSlug = other.slug!;
      await insertPriority(t.services, systemActor(other.id, 'test'), {
        code: 'WAKE-1',
        title: 'Wakefield’s own priority',
      });
    });
    after(async () => t?.close());

    it('gives every organisation that runs Amber a web address of its own', () => {
      // Made from the short name, else the name.
      assert.equal(leedsSlug, 'leeds');
      assert.equal(otherSlug, 'wakefield-council');
    });

    it('shows a member each organisation under its own address, with links that stay in it', async () => {
      const both = await createTestSession(t.services, otherId, ['viewer']);
      const home = await t.services.organisations.getHome();
      await t.services.accounts.createUser(systemActor(home.id, 'test'), {
        email: both.email,
        name: 'Two hats',
        roles: ['performance_officer'],
        active: true,
      });
      // The session opened in Wakefield: its unprefixed pages are Wakefield's.
      const plain = await t.app.inject({ url: '/priorities', headers: both.headers });
      assert.equal(plain.statusCode, 200);
      assert.match(plain.body, /Wakefield’s own priority/);
      assert.doesNotMatch(plain.body, /VfM-4d/);

      const leeds = await t.app.inject({ url: `/o/${leedsSlug}/priorities`, headers: both.headers });
      assert.equal(leeds.statusCode, 200);
      assert.match(leeds.body, /VfM-4d/);
      assert.doesNotMatch(leeds.body, /Wakefield’s own priority/);
      assert.match(leeds.body, /data-qa="current-organisation">Leeds City Council</);
      assert.match(leeds.body, new RegExp(`href="/o/${leedsSlug}/priorities/VfM-4d"`), 'links carry the organisation');
      assert.match(leeds.body, /data-qa="switch-organisation"/, 'someone in two organisations is offered the switch');

      const wake = await t.app.inject({ url: `/o/${otherSlug}/priorities`, headers: both.headers });
      assert.match(wake.body, /Wakefield’s own priority/);
      assert.match(wake.body, /data-qa="current-organisation">Wakefield Council</);

      // The roles are those of the organisation in the address: a viewer in Wakefield, an officer in Leeds.
      const leedsEdit = await t.app.inject({ url: `/o/${leedsSlug}/priorities/VfM-4d/edit`, headers: both.headers });
      assert.equal(leedsEdit.statusCode, 200);
      const wakeEdit = await t.app.inject({ url: `/o/${otherSlug}/priorities/WAKE-1/edit`, headers: both.headers });
      assert.equal(wakeEdit.statusCode, 403);

      // A redirect after a change stays in the organisation.
      const period = await t.app.inject({
        method: 'POST',
        url: `/o/${leedsSlug}/reporting-periods`,
        headers: { ...both.headers, ...form({}).headers },
        payload: form({ kind: 'quarter', startYear: '2031', number: '1', dueOn: '' }).payload,
      });
      assert.equal(period.statusCode, 303, period.body.slice(0, 300));
      assert.match(String(period.headers.location), new RegExp(`^/o/${leedsSlug}/reporting-periods`));
    });

    it('switches the organisation unprefixed addresses open in, only to one the person belongs to', async () => {
      const both = await createTestSession(t.services, otherId, ['viewer']);
      const home = await t.services.organisations.getHome();
      await t.services.accounts.createUser(systemActor(home.id, 'test'), {
        email: both.email,
        name: 'Two hats',
        roles: ['viewer'],
        active: true,
      });
      const page = await t.app.inject({ url: '/organisations/switch', headers: both.headers });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Leeds City Council/);
      assert.match(page.body, /Wakefield Council/);

      const refused = await t.app.inject({
        method: 'POST',
        url: '/organisations/switch',
        headers: { ...both.headers, ...form({}).headers },
        payload: form({ organisation: 'somewhere-else' }).payload,
      });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /Choose one of the organisations you belong to/);

      const switched = await t.app.inject({
        method: 'POST',
        url: '/organisations/switch',
        headers: { ...both.headers, ...form({}).headers },
        payload: form({ organisation: leedsSlug }).payload,
      });
      assert.equal(switched.statusCode, 303);
      assert.equal(switched.headers.location, `/o/${leedsSlug}/`);
      const plain = await t.app.inject({ url: '/priorities', headers: both.headers });
      assert.match(plain.body, /VfM-4d/);
    });

    it('answers 404 under the address of an organisation the person does not belong to, or that does not exist', async () => {
      const wakefieldOnly = await createTestSession(t.services, otherId, ['administrator']);
      for (const url of [
        `/o/${leedsSlug}/priorities`,
        `/o/${leedsSlug}/priorities/VfM-4d`,
        `/o/${leedsSlug}/users`,
        `/o/${leedsSlug}/api/priorities`,
        '/o/no-such-council/priorities',
        '/o/%E0%A4%A/priorities',
      ]) {
        const res = await t.app.inject({ url, headers: wakefieldOnly.headers });
        // A malformed address is a bad request; anything else is not found.
        assert.equal(res.statusCode, url.includes('%E0') ? 400 : 404, url);
        assert.doesNotMatch(res.body, /Explore opportunities|Leeds City Council/, url);
      }
      const write = await t.app.inject({
        method: 'POST',
        url: `/o/${leedsSlug}/reporting-periods`,
        headers: { ...wakefieldOnly.headers, ...form({}).headers },
        payload: form({ kind: 'quarter', startYear: '2032', number: '1' }).payload,
      });
      assert.equal(write.statusCode, 404);
    });

    it('never lets a personal API token reach another organisation through an address', async () => {
      const both = await createTestSession(t.services, otherId, ['administrator']);
      const home = await t.services.organisations.getHome();
      await t.services.accounts.createUser(systemActor(home.id, 'test'), {
        email: both.email,
        name: 'Two hats',
        roles: ['administrator'],
        active: true,
      });
      const wakefieldActor = (await t.services.accounts.resolveSession(both.headers.cookie.split('=')[1]!))!.actor;
      const { token } = await t.services.accounts.createApiToken(wakefieldActor, {
        name: 'script',
        scope: 'read',
        days: '30',
      });
      const own = await t.app.inject({ url: '/api/priorities', headers: { authorization: `Bearer ${token}` } });
      assert.equal(own.statusCode, 200);
      assert.match(own.body, /WAKE-1/);
      const there = await t.app.inject({
        url: `/o/${leedsSlug}/api/priorities`,
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(there.statusCode, 404);
    });

    it('shows the public each organisation’s public pages under its address, and sends sign-in back there', async () => {
      const open = await t.app.inject({ url: `/o/${otherSlug}/open-data/priority-statuses.json` });
      assert.equal(open.statusCode, 200);
      assert.doesNotMatch(open.body, /VfM-4d/);
      const leedsOpen = await t.app.inject({ url: `/o/${leedsSlug}/open-data/priority-statuses.json` });
      assert.match(leedsOpen.body, /VfM-4d/);
      const page = await t.app.inject({ url: `/o/${otherSlug}/priorities/WAKE-1` });
      assert.equal(page.statusCode, 302);
      assert.equal(
        page.headers.location,
        `/sign-in?${new URLSearchParams({ next: `/o/${otherSlug}/priorities/WAKE-1` })}`,
      );
    });

    it('lets an operator, and nobody else, create an organisation and invite its first administrator', async () => {
      const home = await t.services.organisations.getHome();
      const admin = await createTestSession(t.services, home.id, ['administrator']);
      const refused = await t.app.inject({ url: '/operator/organisations', headers: admin.headers });
      assert.equal(refused.statusCode, 403);

      const operator = await createTestSession(t.services, home.id, ['viewer']);
      await t.services.accounts.makeOperator(systemActor(home.id, 'test'), operator.email);
      const list = await t.app.inject({ url: '/operator/organisations', headers: operator.headers });
      assert.equal(list.statusCode, 200);
      assert.match(list.body, /Wakefield Council/);
      assert.match(list.body, /\/o\/wakefield-council\//);

      const bad = await t.app.inject({
        method: 'POST',
        url: '/operator/organisations',
        headers: { ...operator.headers, ...form({}).headers },
        payload: form({
          name: 'Calderdale Council',
          slug: 'Calder Dale',
          kind: 'council',
          adminEmail: 'admin@calderdale.example',
          adminName: 'C',
        }).payload,
      });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /web address name must be lowercase/);
      // The organisation is checked and made first; an administrator refused then takes it back.
      const badAdmin = await t.app.inject({
        method: 'POST',
        url: '/operator/organisations',
        headers: { ...operator.headers, ...form({}).headers },
        payload: form({
          name: 'Calderdale Council',
          slug: '',
          kind: 'council',
          adminEmail: 'not an address',
          adminName: 'C',
        }).payload,
      });
      assert.equal(badAdmin.statusCode, 422);
      assert.match(badAdmin.body, /href="#adminEmail"/);
      const count = async () =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from organisation where name = 'Calderdale Council'`.execute(t.db)
        ).rows[0]!.n;
      assert.equal(await count(), 0, 'a refused form leaves no organisation behind');

      const taken = await t.app.inject({
        method: 'POST',
        url: '/operator/organisations',
        headers: { ...operator.headers, ...form({}).headers },
        payload: form({
          name: 'Calderdale Council',
          slug: 'wakefield-council',
          kind: 'council',
          adminEmail: 'admin@calderdale.example',
          adminName: 'Cal Admin',
        }).payload,
      });
      assert.equal(taken.statusCode, 422);
      assert.match(taken.body, /already use wakefield-council/);

      const made = await t.app.inject({
        method: 'POST',
        url: '/operator/organisations',
        headers: { ...operator.headers, ...form({}).headers },
        payload: form({
          name: 'Calderdale Council',
          slug: '',
          kind: 'council',
          adminEmail: 'admin@calderdale.example',
          adminName: 'Cal Admin',
        }).payload,
      });
      assert.equal(made.statusCode, 303, made.body.slice(0, 300));
      assert.equal(await count(), 1);
      const calderdale = (
        await sql<{
          id: string;
          slug: string;
        }>`select id, slug from organisation where name = 'Calderdale Council'`.execute(t.db)
      ).rows[0]!;
      assert.equal(calderdale.slug, 'calderdale-council');
      const invited = await sql<{ roles: string[] }>`
        select m.roles from membership m join user_account u on u.id = m.user_id
        where u.email = 'admin@calderdale.example' and m.organisation_id = ${calderdale.id}`.execute(t.db);
      assert.deepEqual(invited.rows[0]?.roles, ['administrator']);
      const statuses = await sql<{
        n: number;
      }>`select count(*)::int as n from status where organisation_id = ${calderdale.id}`.execute(t.db);
      assert.ok(statuses.rows[0]!.n >= 3, 'a new organisation starts with the default status scale');
      // The operator sees none of its data: they are not a member.
      const theirs = await t.app.inject({ url: '/o/calderdale-council/priorities', headers: operator.headers });
      assert.equal(theirs.statusCode, 404);
    });

    it('puts the organisation’s address in the links of the e-mails it sends', async () => {
      const home = await t.services.organisations.getHome();
      const actor = systemActor(home.id, 'test');
      const officer = await t.services.people.create(actor, {
        name: 'Mail Officer',
        jobTitle: 'Officer',
        employerId: home.id,
        email: 'mail.officer@leeds.example',
      });
      await insertPriority(t.services, actor, { code: 'MAIL-1', accountableOfficerId: officer.id });
      await t.services.periods.create(actor, { kind: 'quarter', startYear: '2030', number: '1', dueOn: '30/06/2030' });
      await t.services.reminders.tick('2030-06-23' as IsoDate);
      const mails = await sql<{ text: string }>`
        select input->>'text' as text from job where kind = 'mail.send' and organisation_id = ${home.id}`.execute(t.db);
      const links = mails.rows.flatMap((r) => r.text.match(/https?:\/\/\S+\/priorities\/\S+/g) ?? []);
      assert.ok(links.length > 0, 'the reminders sent links');
      for (const link of links) assert.match(link, new RegExp(`/o/${leedsSlug}/priorities/`), link);
    });

    it('answers the API with a club’s statistics, withheld the same way below five members, and what is shared', async () => {
      const home = await t.services.organisations.getHome();
      const admin = await createTestSession(t.services, home.id, ['administrator']);
      const actor = (await t.services.accounts.resolveSession(admin.headers.cookie.split('=')[1]!))!.actor;
      const { token } = await t.services.accounts.createApiToken(actor, { name: 'api', scope: 'read', days: '30' });
      const get = (url: string, bearer = token) =>
        t.app.inject({ url, headers: { authorization: `Bearer ${bearer}` } });
      const clubs = (await get('/api/clubs')).json<{ id: string; name: string; role: string }[]>();
      const decats = clubs.find((c) => c.name === 'DECATS benchmarking club')!;
      assert.equal(decats.role, 'member');
      type Stat = { n: number; p50: number | null; withheld: boolean; withheldBecause: string | null };
      const full = (await get(`/api/clubs/${decats.id}`)).json<{
        statistics: Stat[];
        standings: { band: string | null }[];
      }>();
      assert.ok(full.statistics.every((s) => s.n === 6));
      // Shown from six members, but for the functions every member costs at 0 (Leeds's baseline has
      // none, so the illustrative councils have none either): quartiles of 0 would be each member's
      // own figure, so they are withheld (ADR 0016).
      assert.ok(full.statistics.some((s) => !s.withheld && s.p50 !== null));
      assert.ok(
        full.statistics.every((s) => (!s.withheld && s.p50 !== null) || s.withheldBecause === 'members-figures'),
      );
      assert.ok(full.standings.some((s) => s.band !== null));
      // Two of the illustrative councils leave: four members, so every figure is withheld.
      for (const name of ['Illustrative Borough Council A', 'Illustrative City Council B']) {
        const id = (await sql<{ id: string }>`select id from organisation where name = ${name}`.execute(t.db)).rows[0]!
          .id;
        await t.services.clubs.setMembership(systemActor(id, 'test'), decats.id, false, {});
      }
      const four = (await get(`/api/clubs/${decats.id}`)).json<{ statistics: Stat[] }>();
      assert.ok(four.statistics.every((s) => s.n === 4 && s.withheld && s.p50 === null));
      // Local Partnerships' token sees what Leeds shares with it.
      const lp = await t.services.organisations.findBySlug(systemActor(home.id, 'test'), 'local-partnerships');
      const partner = await createTestSession(t.services, lp!.id, ['viewer']);
      const partnerActor = (await t.services.accounts.resolveSession(partner.headers.cookie.split('=')[1]!))!.actor;
      const lpToken = (
        await t.services.accounts.createApiToken(partnerActor, { name: 'api', scope: 'read', days: '30' })
      ).token;
      const shared = (await get('/api/shared-with-us', lpToken)).json<{ ownerName: string; priorityCode: string }[]>();
      assert.deepEqual(
        shared.map((s) => [s.ownerName, s.priorityCode]),
        [['Leeds City Council', 'VfM-4d']],
      );
    });
  });
