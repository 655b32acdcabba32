// Sign-in, sessions, CSRF, rate limiting, password resets, invitations and API tokens, through
// the web app on both engines. Every refusal changes nothing and, where it matters, is written
// to the security log.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText, errorSummary } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { DEMO_ACCOUNTS, DEMO_PARTNER_ACCOUNTS } from '../src/modules/demo/demo-accounts.ts';
import { verify } from '@node-rs/argon2';
import { systemActor } from '../src/domain/actor.ts';

const demo = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

/** The session cookie a response sets, as a request header. */
function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [String(set)] : [];
  const c = list.find((x) => x.startsWith('amber_session=') && !x.startsWith('amber_session=;'));
  return c?.split(';')[0];
}

it("stores each demo account's password as an argon2id hash of the password the README shows", async () => {
  for (const a of [...DEMO_ACCOUNTS, ...DEMO_PARTNER_ACCOUNTS]) {
    assert.ok(a.passwordHash.startsWith('$argon2id$'), a.email);
    assert.equal(await verify(a.passwordHash, a.password), true, a.email);
  }
});

for (const engine of ENGINES) {
  describe(`sign-in [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine, { as: false });
    });
    after(async () => t?.close());

    /** An anonymous browser: keeps the pre-sign-in CSRF cookie and the session cookie it is given. */
    async function browser() {
      const page = await t.app.inject({ url: paths.signIn });
      const csrfCookie = String(
        ([] as string[])
          .concat((page.headers['set-cookie'] as string[]) ?? [])
          .find((c) => c.startsWith('amber_csrf=')),
      ).split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      let cookie = csrfCookie;
      return {
        csrf,
        get cookie() {
          return cookie;
        },
        async post(url: string, fields: Record<string, string>) {
          const res = await t.app.inject({
            method: 'POST',
            url,
            ...form({ ...fields, _csrf: fields._csrf ?? csrf }),
            headers: { ...form({}).headers, cookie },
          });
          const s = sessionCookie(res);
          if (s) cookie = `${csrfCookie}; ${s}`;
          return res;
        },
        async get(url: string) {
          return t.app.inject({ url, headers: { cookie } });
        },
      };
    }
    const securityKinds = async (email: string) =>
      (
        await sql<{
          kind: string;
        }>`select kind from security_event where lower(email) = ${email.toLowerCase()} order by id`.execute(t.db)
      ).rows.map((r) => r.kind);
    const queuedMails = async () =>
      (
        await sql<{
          input: { to: string[]; subject: string; text: string };
        }>`select input from job where kind = 'mail.send' order by created_at`.execute(t.db)
      ).rows.map((r) => r.input);

    it('sends a visitor who is not signed in to the sign-in page, and answers the API with 401', async () => {
      const page = await t.app.inject({ url: paths.priorities.list });
      assert.equal(page.statusCode, 302);
      assert.equal(page.headers.location, `${paths.signIn}?next=%2Fpriorities`);
      const api = await t.app.inject({ url: '/api/priorities' });
      assert.equal(api.statusCode, 401);
      assert.equal(api.json().code, 'SIGN_IN_REQUIRED');
      assert.equal((await t.app.inject({ url: paths.health })).statusCode, 200, 'health needs no sign-in');
      assert.equal((await t.app.inject({ url: paths.openData.index })).statusCode, 200, 'open data needs no sign-in');
    });

    it('signs in with the right password, with a new session id, and goes where the person was going', async () => {
      const b = await browser();
      const planted = 'amber_session=planted-by-someone-else';
      const res = await t.app.inject({
        method: 'POST',
        url: `${paths.signIn}?next=%2Fpriorities%2FVfM-4d`,
        ...form({
          email: demo('accountable_officer').email.toUpperCase(),
          password: demo('accountable_officer').password,
          _csrf: b.csrf,
        }),
        headers: { ...form({}).headers, cookie: `${b.cookie}; ${planted}` },
      });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/priorities/VfM-4d');
      const cookie = sessionCookie(res)!;
      assert.ok(cookie && cookie !== planted);
      const set = ([] as string[])
        .concat(res.headers['set-cookie'] as string[])
        .find((c) => c.startsWith('amber_session='))!;
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Lax/);
      const page = await t.app.inject({ url: paths.priorities.list, headers: { cookie } });
      assert.equal(page.statusCode, 200);
      assert.match(htmlText(page.body), /Lee Hemsworth Your account Sign out/);
      assert.ok((await securityKinds(demo('accountable_officer').email)).includes('signed-in'));
    });

    it('refuses a wrong password and an unknown account with the same message, and logs both', async () => {
      const b = await browser();
      const wrong = await b.post(paths.signIn, { email: demo('viewer').email, password: 'not the password' });
      const unknown = await b.post(paths.signIn, { email: 'nobody@nowhere.example', password: 'whatever it is' });
      for (const res of [wrong, unknown]) {
        assert.equal(res.statusCode, 401);
        assert.deepEqual(errorSummary(res.body), ['#email Enter a correct e-mail address and password']);
        assert.equal(sessionCookie(res), undefined);
      }
      assert.match((await securityKinds(demo('viewer').email)).join(), /sign-in-failed/);
      assert.match((await securityKinds('nobody@nowhere.example')).join(), /sign-in-failed/);
      const blank = await b.post(paths.signIn, { email: '', password: '' });
      assert.equal(blank.statusCode, 422);
      assert.deepEqual(errorSummary(blank.body), ['#email Enter your e-mail address', '#password Enter your password']);
    });

    it('locks an account for a while after 5 failed attempts, even with the right password, and says until when', async () => {
      const b = await browser();
      const { email, password } = demo('contributor');
      for (let i = 0; i < 5; i++)
        assert.equal((await b.post(paths.signIn, { email, password: `wrong ${i} password` })).statusCode, 401);
      const locked = await b.post(paths.signIn, { email, password });
      assert.equal(locked.statusCode, 429);
      assert.match(
        htmlText(locked.body),
        /too many failed attempts to sign in to this account\. Try again after \d\d:\d\d on \d+ \w+ \d{4}, or reset your password/,
      );
      assert.ok(Number(locked.headers['retry-after']) > 0);
      assert.equal(sessionCookie(locked), undefined);
      assert.ok((await securityKinds(email)).includes('sign-in-refused-account-limit'));
      // The window passes: the failures age out and the right password works again.
      await sql`update sign_in_attempt set at = at - interval '16 minutes' where email = ${email}`.execute(t.db);
      assert.equal((await b.post(paths.signIn, { email, password })).statusCode, 303);
    });

    it('limits failures per address across accounts', async () => {
      const b = await browser();
      await sql`insert into sign_in_attempt (email, ip, succeeded) select 'x' || g || '@spray.example', '127.0.0.1', false from generate_series(1, 20) g`.execute(
        t.db,
      );
      const res = await b.post(paths.signIn, {
        email: demo('administrator').email,
        password: demo('administrator').password,
      });
      assert.equal(res.statusCode, 429);
      assert.match(htmlText(res.body), /too many failed attempts to sign in from your network/);
      await sql`delete from sign_in_attempt where email like '%@spray.example'`.execute(t.db);
    });

    it('refuses a form without the CSRF token, or with a forged one, changing nothing, and logs it', async () => {
      const s = await t.signIn(['performance_officer']);
      const before = await t.services.people.list(systemActor((await t.services.organisations.getHome()).id, 't'));
      for (const token of [undefined, 'forged-token-forged-token-forged-token-000']) {
        const res = await t.app.inject({
          method: 'POST',
          url: paths.people.list,
          ...form({ name: 'Mallory', jobTitle: 'Attacker', ...(token ? { _csrf: token } : {}) }),
          headers: { ...form({}).headers, cookie: s.headers.cookie },
        });
        assert.equal(res.statusCode, 403);
        assert.match(htmlText(res.body), /The form could not be sent/);
      }
      const after = await t.services.people.list(systemActor((await t.services.organisations.getHome()).id, 't'));
      assert.equal(after.length, before.length);
      assert.equal((await securityKinds(s.email)).filter((k) => k === 'csrf-refused').length, 2);
      const ok = await t.app.inject({
        method: 'POST',
        url: paths.people.list,
        ...form({ name: 'Real Person', employerId: (await t.services.organisations.getHome()).id, _csrf: s.csrfToken }),
        headers: { ...form({}).headers, cookie: s.headers.cookie },
      });
      assert.equal(ok.statusCode, 303, "the session's own token is accepted");
    });

    it('ends a session after the idle timeout and after the absolute timeout', async () => {
      const idle = await t.signIn(['viewer']);
      await sql`update user_session set last_seen_at = now() - interval '61 minutes' where user_id = ${idle.userId}`.execute(
        t.db,
      );
      const res = await t.app.inject({ url: paths.priorities.list, headers: { cookie: idle.headers.cookie } });
      assert.equal(res.statusCode, 302);
      assert.match(String(res.headers.location), /notice=expired/);
      const old = await t.signIn(['viewer']);
      await sql`update user_session set expires_at = now() - interval '1 second' where user_id = ${old.userId}`.execute(
        t.db,
      );
      assert.equal(
        (await t.app.inject({ url: paths.priorities.list, headers: { cookie: old.headers.cookie } })).statusCode,
        302,
      );
    });

    it('signs out: the session ends on the server', async () => {
      const s = await t.signIn(['viewer']);
      const out = await t.app.inject({ method: 'POST', url: paths.signOut, headers: s.headers });
      assert.equal(out.statusCode, 303);
      assert.equal(
        (await t.app.inject({ url: paths.priorities.list, headers: { cookie: s.headers.cookie } })).statusCode,
        302,
      );
    });

    it('resets a password by an e-mailed link that works once and expires', async () => {
      const b = await browser();
      const { email } = demo('performance_officer');
      const asked = await b.post(paths.password.forgotten, { email });
      assert.equal(asked.statusCode, 200);
      assert.match(
        htmlText(asked.body),
        /If performance@demo\.amber\.example has an Amber account, we have sent it a link/,
      );
      const unknown = await b.post(paths.password.forgotten, { email: 'ghost@nowhere.example' });
      assert.match(
        htmlText(unknown.body),
        /If ghost@nowhere\.example has an Amber account/,
        'the same answer for an unknown address',
      );
      const mail = (await queuedMails()).filter((m) => m.to[0] === email).at(-1)!;
      assert.equal(mail.subject, 'Reset your Amber password');
      const link = /http:\/\/localhost:3000(\/password\/reset\/[\w-]+)/.exec(mail.text)![1]!;
      assert.equal((await b.get(link)).statusCode, 200);
      const short = await b.post(link, { password: 'short', confirm: 'short' });
      assert.equal(short.statusCode, 422);
      assert.deepEqual(errorSummary(short.body), ['#password The password must be 12 characters or more']);
      const done = await b.post(link, { password: 'a new long passphrase', confirm: 'a new long passphrase' });
      assert.equal(done.statusCode, 303);
      const again = await b.post(link, { password: 'another long passphrase', confirm: 'another long passphrase' });
      assert.equal(again.statusCode, 404);
      assert.match(htmlText(again.body), /has already been used/);
      assert.equal((await b.post(paths.signIn, { email, password: 'a new long passphrase' })).statusCode, 303);
      // An expired link (asked for by a browser that is not signed in: a signed-in one posts its session's token)
      const b2 = await browser();
      assert.equal((await b2.post(paths.password.forgotten, { email })).statusCode, 200);
      const second = /(\/password\/reset\/[\w-]+)/.exec(
        (await queuedMails()).filter((m) => m.to[0] === email).at(-1)!.text,
      )![1]!;
      await sql`update one_time_token set expires_at = now() - interval '1 minute' where purpose = 'password_reset' and used_at is null`.execute(
        t.db,
      );
      const expired = await b2.get(second);
      assert.equal(expired.statusCode, 404);
      assert.match(htmlText(expired.body), /This password reset link expired at/);
      assert.equal((await b.get('/password/reset/not-a-real-token')).statusCode, 404);
    });

    it('invites a user by e-mail; the link sets their name and password and signs them in', async () => {
      const admin = await t.signIn(['administrator']);
      const home = await t.services.organisations.getHome();
      const person = (await t.services.people.list(systemActor(home.id, 't'))).find((p) => p.name === 'Iain Dunn')!;
      const bad = await t.app.inject({
        method: 'POST',
        url: paths.users.invite,
        ...form({ email: 'not an address', name: '', _csrf: admin.csrfToken }),
        headers: { ...form({}).headers, cookie: admin.headers.cookie },
      });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(errorSummary(bad.body), [
        '#email Enter an e-mail address in the correct format, like name@example.gov.uk',
        '#name Enter their name',
        '#roles Select at least one role',
      ]);
      const res = await t.app.inject({
        method: 'POST',
        url: paths.users.invite,
        ...form({
          email: 'iain.dunn@leeds.example',
          name: 'Iain Dunn',
          roles: ['accountable_officer'],
          personId: person.id,
          _csrf: admin.csrfToken,
        }),
        headers: { ...form({}).headers, cookie: admin.headers.cookie },
      });
      // This app has no mail server: the e-mail is queued for the log, and the page gives the
      // administrator the same link (test/invitation-without-mail.test.ts has both cases).
      assert.equal(res.statusCode, 200);
      const mail = (await queuedMails()).find((m) => m.to[0] === 'iain.dunn@leeds.example')!;
      assert.equal(mail.subject, 'You have been invited to Amber');
      assert.match(mail.text, /Your roles: Accountable officer/);
      const link = /(\/invitations\/[\w-]+)/.exec(mail.text)![1]!;
      assert.ok(res.body.includes(link), 'the page shows the link the e-mail would have carried');
      const b = await browser();
      const accepted = await b.post(link, {
        name: 'Iain Dunn',
        password: 'procurement is fun',
        confirm: 'procurement is fun',
      });
      assert.equal(accepted.statusCode, 303);
      const account = await b.get(paths.account.show);
      assert.match(htmlText(account.body), /Roles Accountable officer You are Iain Dunn/);
      assert.equal((await b.get(link)).statusCode, 404, 'the invitation works once');
      const users = await t.app.inject({ url: paths.users.list, headers: { cookie: admin.headers.cookie } });
      assert.match(htmlText(users.body), /Iain Dunn iain\.dunn@leeds\.example Accountable officer Iain Dunn Active/);
    });

    it("gives a script a personal token that works on the API until it is revoked; a viewer's token cannot write", async () => {
      const officer = await t.signIn(['performance_officer']);
      const created = await t.app.inject({
        method: 'POST',
        url: paths.account.tokens,
        ...form({ name: 'Nightly upload', scope: 'read-write', expiresInDays: '90', _csrf: officer.csrfToken }),
        headers: { ...form({}).headers, cookie: officer.headers.cookie },
      });
      assert.equal(created.statusCode, 200);
      const token = /(amber_[0-9a-f]{8}_[\w-]{43})/.exec(created.body)![1]!;
      const stored = await sql<{
        token_hash: string;
      }>`select token_hash from api_token where name = 'Nightly upload'`.execute(t.db);
      assert.notEqual(stored.rows[0]!.token_hash, token, 'only a hash is stored');
      const api = await t.app.inject({ url: '/api/priorities', headers: { authorization: `Bearer ${token}` } });
      assert.equal(api.statusCode, 200);
      const write = await t.app.inject({
        method: 'POST',
        url: '/api/people',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: { name: 'Made by a script', employerId: (await t.services.organisations.getHome()).id },
      });
      assert.equal(write.statusCode, 201, 'a token needs no CSRF token');
      const id = /\/account\/tokens\/([0-9a-f-]{36})\/revoke/.exec(
        (await t.app.inject({ url: paths.account.show, headers: { cookie: officer.headers.cookie } })).body,
      )![1]!;
      await t.app.inject({ method: 'POST', url: paths.account.revokeToken(id), headers: officer.headers });
      const revoked = await t.app.inject({ url: '/api/priorities', headers: { authorization: `Bearer ${token}` } });
      assert.equal(revoked.statusCode, 401);
      assert.equal(revoked.json().code, 'TOKEN_REVOKED');
      const unknown = await t.app.inject({
        url: '/api/priorities',
        headers: { authorization: `Bearer amber_00000000_${'x'.repeat(43)}` },
      });
      assert.equal(unknown.statusCode, 401);
      assert.equal(unknown.json().code, 'TOKEN_NOT_VALID');

      const viewer = await t.signIn(['viewer']);
      const vt = await t.services.accounts.createApiToken(
        {
          kind: 'user' as const,
          organisationId: (await t.services.organisations.getHome()).id,
          label: viewer.email,
          userId: viewer.userId,
          roles: ['viewer'],
        },
        { name: 'a viewer writing', scope: 'read-write' },
      );
      const denied = await t.app.inject({
        method: 'POST',
        url: '/api/people',
        headers: { authorization: `Bearer ${vt.token}`, 'content-type': 'application/json' },
        payload: { name: 'Should not exist', employerId: (await t.services.organisations.getHome()).id },
      });
      assert.equal(denied.statusCode, 403);
      assert.equal((await sql`select 1 from person where name = 'Should not exist'`.execute(t.db)).rows.length, 0);
    });

    it('a session cookie alone cannot write through the API (CSRF header needed)', async () => {
      const officer = await t.signIn(['performance_officer']);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/people',
        headers: { cookie: officer.headers.cookie, 'content-type': 'application/json' },
        payload: { name: 'Cross-site', employerId: (await t.services.organisations.getHome()).id },
      });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().code, 'CSRF_TOKEN_INVALID');
    });
  });
}
