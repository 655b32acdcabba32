// Credentials that mean what they say (issue 9), through the web app on both engines: API tokens
// with a scope and an expiry that work on the API only; a password change or reset (or closing
// the account) revokes them and ends sessions; sign-in limits per account and address, and per
// address, counted and reserved atomically so concurrent guesses cannot slip past them, and so
// knowing someone's e-mail address does not let anyone lock them out.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileMigrationProvider, Migrator, sql } from 'kysely';
import { ENGINES, SERVER_URL } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { errorSummary, htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { MIGRATIONS_DIR, migrateToLatest } from '../src/platform/db/migrate.ts';
import { publicActor, systemActor, type Actor } from '../src/domain/actor.ts';

/** The public actor (before sign-in) of the test app's home organisation. */
const publicOf = async (t: TestApp) => publicActor((await t.services.organisations.getHome()).id);
import type { Role } from '../src/domain/permissions.ts';
import pg from 'pg';

const DAY = 86_400_000;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The session cookie a response sets, as a request header. */
function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set : set ? [String(set)] : [];
  const c = list.find((x) => x.startsWith('amber_session=') && !x.startsWith('amber_session=;'));
  return c?.split(';')[0];
}

for (const engine of ENGINES) {
  describe(`credentials [${engine}]`, () => {
    let t: TestApp;
    let organisationId: string;
    before(async () => {
      t = await buildTestApp(engine, { as: false });
      organisationId = (await t.services.organisations.getHome()).id;
    });
    after(async () => t?.close());

    let n = 0;
    /** An account with a password, and the actor it signs in as. */
    async function account(roles: Role[], password = 'correct horse battery staple') {
      const email = `credentials.${engine}.${++n}@test.example`;
      const user = await t.services.accounts.createUser(systemActor(organisationId, 'test'), {
        email,
        name: `Person ${n}`,
        roles,
        password,
      });
      const actor: Actor = { kind: 'user', organisationId, label: email, userId: user.id, roles };
      return { email, password, user, actor };
    }
    /** A session of the account (as signing in would make), as request headers. */
    async function sessionOf(userId: string, ip = '127.0.0.1'): Promise<TestSession> {
      const s = await t.services.accounts.startSession(userId, organisationId, 'password', { ip, userAgent: 'test' });
      return {
        userId,
        email: '',
        csrfToken: s.csrfToken,
        headers: { cookie: `amber_session=${s.token}`, 'x-csrf-token': s.csrfToken },
      };
    }
    const token = async (actor: Actor, scope: 'read' | 'read-write', expiresInDays?: number) =>
      (await t.services.accounts.createApiToken(actor, { name: `${scope} token`, scope, expiresInDays })).token;
    const signedIn = async (cookie: string) =>
      (await t.app.inject({ url: paths.priorities.list, headers: { cookie } })).statusCode === 200;
    const securityLog = async (email: string) =>
      (
        await sql<{
          kind: string;
          ip: string;
          detail: string;
        }>`select kind, ip, detail from security_event where lower(email) = ${email.toLowerCase()} order by id`.execute(
          t.db,
        )
      ).rows;
    const peopleNamed = async (name: string) =>
      (await sql`select 1 from person where name = ${name}`.execute(t.db)).rows.length;
    const addPerson = (headers: Record<string, string>, name: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/people',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: { name, employerId: organisationId },
      });

    describe('personal API tokens', () => {
      it('makes a token on the account page with the access and the expiry chosen, and lists them', async () => {
        const a = await account(['performance_officer']);
        const s = await sessionOf(a.user.id);
        const post = (fields: Record<string, string>) =>
          t.app.inject({
            method: 'POST',
            url: paths.account.tokens,
            ...form({ ...fields, _csrf: s.csrfToken }),
            headers: { ...form({}).headers, cookie: s.headers.cookie },
          });
        const page = await t.app.inject({ url: paths.account.show, headers: { cookie: s.headers.cookie } });
        assert.match(htmlText(page.body), /What it may do Read only .* Read and write .* When it expires/);
        assert.match(page.body, /<option value="90" selected>90 days \(until /, '90 days unless chosen otherwise');

        const missing = await post({ name: 'Nightly upload', expiresInDays: '90' });
        assert.equal(missing.statusCode, 422);
        assert.deepEqual(errorSummary(missing.body), ['#scope Select what the token may do']);
        assert.match(missing.body, /value="Nightly upload"/, 'what was typed is kept');
        const tooLong = await post({ name: 'Nightly upload', scope: 'read', expiresInDays: '400' });
        assert.equal(tooLong.statusCode, 422);
        assert.deepEqual(errorSummary(tooLong.body), [
          '#expiresInDays The number of days the token lasts must be 365 or less',
        ]);
        assert.equal(
          (await sql`select 1 from api_token where user_id = ${a.user.id}`.execute(t.db)).rows.length,
          0,
          'a refused form makes no token',
        );

        const made = await post({ name: 'Nightly upload', scope: 'read', expiresInDays: '30' });
        assert.equal(made.statusCode, 200);
        const secret = /(amber_[0-9a-f]{8}_[\w-]{43})/.exec(made.body)![1]!;
        const row = (
          await sql<{
            scope: string;
            expires_at: Date;
          }>`select scope, expires_at from api_token where user_id = ${a.user.id}`.execute(t.db)
        ).rows[0]!;
        assert.equal(row.scope, 'read');
        assert.ok(Math.abs(row.expires_at.getTime() - (Date.now() + 30 * DAY)) < 60_000, 'expires in 30 days');
        assert.equal((await t.app.inject({ url: '/api/priorities', headers: bearer(secret) })).statusCode, 200);
        const listed = htmlText(
          (await t.app.inject({ url: paths.account.show, headers: { cookie: s.headers.cookie } })).body,
        );
        assert.match(
          listed,
          /Nightly upload amber_[0-9a-f]{8}_… Read only \d\d:\d\d on \d+ \w+ \d{4} \d\d:\d\d on \d+ \w+ \d{4} \d\d:\d\d on \d+ \w+ \d{4} Revoke/,
          'name, start, access, created, expires, last used',
        );
        assert.ok(
          (await securityLog(a.email)).some((e) => e.kind === 'api-token-created' && /read, expires/.test(e.detail)),
        );
      });

      it('lets a read token read but not write: 403 TOKEN_READ_ONLY, nothing changed', async () => {
        const a = await account(['performance_officer']);
        const read = await token(a.actor, 'read');
        assert.equal((await t.app.inject({ url: '/api/priorities', headers: bearer(read) })).statusCode, 200);
        assert.equal(
          (await t.app.inject({ method: 'HEAD', url: '/api/priorities', headers: bearer(read) })).statusCode,
          200,
        );
        const refused = await addPerson(bearer(read), 'Written with a read token');
        assert.equal(refused.statusCode, 403);
        assert.equal(refused.json().code, 'TOKEN_READ_ONLY');
        assert.match(refused.json().detail, /may only read .*nothing has been changed/);
        assert.equal(await peopleNamed('Written with a read token'), 0);
        assert.ok(
          (await securityLog(a.email)).some((e) => e.kind === 'api-token-refused' && /read-only/.test(e.detail)),
        );

        const write = await token(a.actor, 'read-write');
        assert.equal((await addPerson(bearer(write), 'Written with a read-write token')).statusCode, 201);
        assert.equal(await peopleNamed('Written with a read-write token'), 1);
      });

      it('refuses an expired token and a revoked one, saying which', async () => {
        const a = await account(['viewer']);
        const expired = await token(a.actor, 'read', 1);
        assert.equal((await t.app.inject({ url: '/api/priorities', headers: bearer(expired) })).statusCode, 200);
        await sql`update api_token set expires_at = now() - interval '1 minute' where user_id = ${a.user.id}`.execute(
          t.db,
        );
        const res = await t.app.inject({ url: '/api/priorities', headers: bearer(expired) });
        assert.equal(res.statusCode, 401);
        assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(res.json().code, 'TOKEN_EXPIRED');
        assert.match(res.json().detail, /^This API token expired at \d\d:\d\d on \d+ \w+ \d{4}\./);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);

        const revoked = await token(a.actor, 'read');
        const { id } = (
          await sql<{
            id: string;
          }>`select id from api_token where user_id = ${a.user.id} and revoked_at is null and expires_at > now()`.execute(
            t.db,
          )
        ).rows[0]!;
        await t.services.accounts.revokeApiToken(a.actor, id);
        const gone = await t.app.inject({ url: '/api/priorities', headers: bearer(revoked) });
        assert.equal(gone.statusCode, 401);
        assert.equal(gone.json().code, 'TOKEN_REVOKED');
        assert.match(gone.json().detail, /^This API token was revoked at .* \(revoked by its owner\)\./);
        const log = (await securityLog(a.email)).filter((e) => e.kind === 'api-token-refused').map((e) => e.detail);
        assert.deepEqual(
          log.map((d) => d.replace(/ \(amber_.*\)$/, '')),
          ['GET /api/priorities: expired', 'GET /api/priorities: revoked'],
        );
      });

      it("refuses any token on pages and forms: an administrator's token cannot make tokens or invite an administrator", async () => {
        const admin = await account(['administrator']);
        const secret = await token(admin.actor, 'read-write');
        const tokensBefore = (await sql`select id from api_token`.execute(t.db)).rows.length;
        const attempts: { method: 'GET' | 'POST'; url: string; fields?: Record<string, string> }[] = [
          { method: 'POST', url: paths.account.tokens, fields: { name: 'Minted', scope: 'read-write' } },
          {
            method: 'POST',
            url: paths.users.invite,
            fields: { email: 'mallory@evil.example', name: 'Mallory', roles: 'administrator' },
          },
          { method: 'POST', url: paths.account.password, fields: { current: admin.password } },
          { method: 'GET', url: paths.account.show },
          { method: 'GET', url: paths.priorities.list },
          { method: 'GET', url: paths.users.list },
        ];
        for (const a of attempts) {
          const res = await t.app.inject({
            method: a.method,
            url: a.url,
            ...(a.fields ? form(a.fields) : {}),
            headers: { ...(a.fields ? form({}).headers : {}), ...bearer(secret) },
          });
          assert.equal(res.statusCode, 401, `${a.method} ${a.url}`);
          assert.equal(res.json().code, 'TOKEN_NOT_ACCEPTED_HERE', `${a.method} ${a.url}`);
          assert.match(res.json().detail, /work only on the API/);
        }
        assert.equal((await sql`select id from api_token`.execute(t.db)).rows.length, tokensBefore, 'no token made');
        assert.equal(
          (await sql`select 1 from user_account where email = 'mallory@evil.example'`.execute(t.db)).rows.length,
          0,
          'nobody invited',
        );
        assert.equal((await t.app.inject({ url: '/api/priorities', headers: bearer(secret) })).statusCode, 200);
      });
    });

    describe('revocation', () => {
      it('refuses a token made before a password reset, and ends every session', async () => {
        const a = await account(['performance_officer']);
        const secret = await token(a.actor, 'read-write');
        const s = await sessionOf(a.user.id);
        assert.equal((await t.app.inject({ url: '/api/priorities', headers: bearer(secret) })).statusCode, 200);

        await t.services.accounts.requestPasswordReset(
          await publicOf(t),
          { email: a.email },
          { ip: '127.0.0.1', userAgent: 'test' },
        );
        const mail = (
          await sql<{
            input: { to: string[]; text: string };
          }>`select input from job where kind = 'mail.send' order by created_at`.execute(t.db)
        ).rows
          .map((r) => r.input)
          .filter((m) => m.to[0] === a.email)
          .at(-1)!;
        const link = /\/password\/reset\/([\w-]+)/.exec(mail.text)![1]!;
        await t.services.accounts.resetPassword(
          await publicOf(t),
          link,
          { password: 'a brand new passphrase', confirm: 'a brand new passphrase' },
          { ip: '127.0.0.1', userAgent: 'test' },
        );

        const res = await t.app.inject({ url: '/api/priorities', headers: bearer(secret) });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().code, 'TOKEN_REVOKED');
        assert.match(res.json().detail, /\(the password was reset\)/);
        assert.equal(await signedIn(s.headers.cookie), false, 'the session ended');
        const reset = (await securityLog(a.email)).find((e) => e.kind === 'password-reset')!;
        assert.equal(reset.detail, '1 session ended, 1 API token revoked');
      });

      it('on a password change, refuses tokens made before it and signs out the other sessions; this one goes on', async () => {
        const a = await account(['performance_officer']);
        const secret = await token(a.actor, 'read-write');
        const here = await sessionOf(a.user.id);
        const elsewhere = await sessionOf(a.user.id, '198.51.100.20');
        const someoneElse = await sessionOf((await account(['viewer'])).user.id);

        const wrong = await t.app.inject({
          method: 'POST',
          url: paths.account.password,
          ...form({ current: 'not my password', password: 'another passphrase', _csrf: here.csrfToken }),
          headers: { ...form({}).headers, cookie: here.headers.cookie },
        });
        assert.equal(wrong.statusCode, 422, 'a wrong current password changes nothing');
        assert.equal(await signedIn(elsewhere.headers.cookie), true);
        assert.equal((await t.app.inject({ url: '/api/priorities', headers: bearer(secret) })).statusCode, 200);

        const res = await t.app.inject({
          method: 'POST',
          url: paths.account.password,
          ...form({
            current: a.password,
            password: 'another long passphrase',
            confirm: 'another long passphrase',
            _csrf: here.csrfToken,
          }),
          headers: { ...form({}).headers, cookie: here.headers.cookie },
        });
        assert.equal(res.statusCode, 303);
        const fresh = sessionCookie(res)!;
        assert.ok(fresh && fresh !== here.headers.cookie, 'this session has a new id');
        const page = await t.app.inject({ url: String(res.headers.location), headers: { cookie: fresh } });
        assert.equal(page.statusCode, 200, 'and carries on');
        assert.match(htmlText(page.body), /Your password has been changed\. You have been signed out everywhere else/);
        assert.equal(await signedIn(here.headers.cookie), false, 'the old id no longer works');
        assert.equal(await signedIn(elsewhere.headers.cookie), false, 'the other session has ended');
        assert.equal(await signedIn(someoneElse.headers.cookie), true, "other people's sessions are untouched");
        const api = await t.app.inject({ url: '/api/priorities', headers: bearer(secret) });
        assert.equal(api.statusCode, 401);
        assert.equal(api.json().code, 'TOKEN_REVOKED');
        assert.match(api.json().detail, /\(the password was changed\)/);
        const changed = (await securityLog(a.email)).find((e) => e.kind === 'password-changed')!;
        assert.equal(
          changed.detail,
          '1 other session ended, 1 API token revoked; this session continues with a new id',
        );
        const expires = await sql<{
          n: number;
        }>`select count(distinct expires_at)::int as n from user_session where user_id = ${a.user.id}`.execute(t.db);
        assert.equal(expires.rows[0]!.n, 1);
      });

      it('revokes the tokens of an account an administrator disables; opening it again does not bring them back', async () => {
        const admin = await sessionOf((await account(['administrator'])).user.id);
        const a = await account(['contributor']);
        const secret = await token(a.actor, 'read');
        const s = await sessionOf(a.user.id);
        const save = (disabled: boolean) =>
          t.app.inject({
            method: 'POST',
            url: paths.users.show(a.user.id),
            ...form({ roles: 'contributor', ...(disabled ? { disabled: 'yes' } : {}), _csrf: admin.csrfToken }),
            headers: { ...form({}).headers, cookie: admin.headers.cookie },
          });
        assert.equal((await save(true)).statusCode, 303);
        assert.equal(await signedIn(s.headers.cookie), false);
        assert.equal((await save(false)).statusCode, 303);
        const res = await t.app.inject({ url: '/api/priorities', headers: bearer(secret) });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().code, 'TOKEN_REVOKED');
        assert.match(res.json().detail, /\(the account was disabled\)/);
        assert.match(
          (await securityLog(a.email)).find((e) => e.kind === 'roles-changed' && /disabled/.test(e.detail))!.detail,
          /account disabled \(by .*\); 1 session ended; 1 API token revoked$/,
        );
      });
    });

    describe('sign-in limits', () => {
      const csrf = 'c'.repeat(43);
      const signIn = (email: string, password: string, remoteAddress: string) =>
        t.app.inject({
          method: 'POST',
          url: paths.signIn,
          remoteAddress,
          ...form({ email, password, _csrf: csrf }),
          headers: { ...form({}).headers, cookie: `amber_csrf=${csrf}` },
        });
      const attempts = async (ip: string) =>
        (
          await sql<{
            email: string;
            succeeded: boolean;
            checked: boolean;
          }>`select email, succeeded, checked_at is not null as checked from sign_in_attempt where ip = ${ip} order by id`.execute(
            t.db,
          )
        ).rows;

      it('checks exactly 5 of 30 concurrent wrong passwords for one account from one address; another address still signs in', async () => {
        const a = await account(['viewer']);
        const ip = '203.0.113.7';
        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) => signIn(a.email, `wrong password ${i}`, ip)),
        );
        const statuses = results.map((r) => r.statusCode).sort();
        assert.deepEqual(
          { checked: statuses.filter((s) => s === 401).length, limited: statuses.filter((s) => s === 429).length },
          { checked: 5, limited: 25 },
        );
        // What the database recorded: 5 attempts checked (5 argon2 verifications), 25 refused unchecked.
        const recorded = await attempts(ip);
        assert.equal(recorded.length, 5);
        assert.ok(recorded.every((r) => r.checked && !r.succeeded && r.email === a.email));
        const log = await securityLog(a.email);
        assert.equal(log.filter((e) => e.kind === 'sign-in-failed').length, 5);
        assert.equal(log.filter((e) => e.kind === 'sign-in-refused-account-limit').length, 25);

        const locked = await signIn(a.email, a.password, ip);
        assert.equal(locked.statusCode, 429);
        assert.match(
          htmlText(locked.body),
          /too many failed attempts to sign in to this account\. Try again after \d\d:\d\d on \d+ \w+ \d{4}, or reset your password/,
        );
        const retryAfter = Number(locked.headers['retry-after']);
        assert.ok(retryAfter > 14 * 60 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
        assert.equal(sessionCookie(locked), undefined);

        const elsewhere = await signIn(a.email, a.password, '198.51.100.9');
        assert.equal(elsewhere.statusCode, 303, 'the owner, from another address, signs in');
        assert.ok(await signedIn(sessionCookie(elsewhere)!));
        assert.equal((await signIn(a.email, a.password, ip)).statusCode, 429, 'which does not unlock the guesser');
      });

      it('limits an address after 20 failures across accounts, even when they come at once', async () => {
        const ip = '203.0.113.21';
        const victims = await Promise.all(Array.from({ length: 3 }, () => account(['viewer'])));
        const emails = Array.from({ length: 21 }, (_, i) => victims[i]?.email ?? `sprayed.${engine}.${i}@test.example`);
        const results = await Promise.all(emails.map((e, i) => signIn(e, `guess number ${i}`, ip)));
        const statuses = results.map((r) => r.statusCode);
        assert.equal(statuses.filter((s) => s === 401).length, 20);
        assert.equal(statuses.filter((s) => s === 429).length, 1);
        assert.equal((await attempts(ip)).filter((r) => r.checked).length, 20);
        const limited = results.find((r) => r.statusCode === 429)!;
        assert.match(htmlText(limited.body), /too many failed attempts to sign in from your network\. Try again after/);

        const fresh = await account(['viewer']);
        assert.equal((await signIn(fresh.email, fresh.password, ip)).statusCode, 429, 'the address is limited');
        assert.equal((await signIn(fresh.email, fresh.password, '198.51.100.21')).statusCode, 303);
      });

      it('clears the failures of an account from an address when it signs in there, not the address’s others', async () => {
        const ip = '203.0.113.40';
        const a = await account(['viewer']);
        const b = await account(['viewer']);
        for (let i = 0; i < 4; i++) assert.equal((await signIn(a.email, `wrong ${i}`, ip)).statusCode, 401);
        assert.equal((await signIn(b.email, 'wrong for b', ip)).statusCode, 401);
        assert.equal((await signIn(a.email, a.password, ip)).statusCode, 303);
        assert.deepEqual(
          (await attempts(ip)).map((r) => [r.email === a.email ? 'a' : 'b', r.succeeded]),
          [
            ['b', false],
            ['a', true],
          ],
        );
      });
    });
  });

  describe(`the credentials migration [${engine}]`, () => {
    it('makes existing tokens read-write, expiring 90 days after it runs', async () => {
      const names = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => f.replace(/\.ts$/, ''))
        .sort();
      const previous = names[names.indexOf('2026-12-04-050-credentials') - 1]!;
      let url: string | undefined;
      const name = `amber_test_${process.pid}_mig_${Math.random().toString(36).slice(2, 8)}`;
      if (engine === 'postgres') {
        const admin = new pg.Client({ connectionString: SERVER_URL });
        await admin.connect();
        await admin.query(`create database ${name}`);
        await admin.end();
        const u = new URL(SERVER_URL);
        u.pathname = `/${name}`;
        url = u.toString();
      }
      const handle = await openDatabase<any>(url ? { databaseUrl: url, poolSize: 2 } : { dataDir: 'memory://' });
      try {
        const migrator = new Migrator({
          db: handle.db,
          provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
        });
        const { error } = await migrator.migrateTo(previous);
        assert.equal(error, undefined);
        const org = await sql<{
          id: string;
        }>`insert into organisation (name, kind) values ('Old council', 'council') returning id`.execute(handle.db);
        const user = await sql<{
          id: string;
        }>`insert into user_account (email, state) values ('old@test.example', 'active') returning id`.execute(
          handle.db,
        );
        await sql`insert into api_token (user_id, organisation_id, name, token_hash, prefix)
                  values (${user.rows[0]!.id}, ${org.rows[0]!.id}, 'old script', 'hash', '00000000')`.execute(
          handle.db,
        );
        await sql`insert into sign_in_attempt (email, ip, succeeded) values ('old@test.example', '127.0.0.1', false)`.execute(
          handle.db,
        );
        const ran = Date.now();
        await migrateToLatest(handle.db);
        const row = (
          await sql<{
            scope: string;
            expires_at: Date;
            revoked_reason: string | null;
          }>`select scope, expires_at, revoked_reason from api_token`.execute(handle.db)
        ).rows[0]!;
        assert.equal(row.scope, 'read-write');
        assert.ok(Math.abs(row.expires_at.getTime() - (ran + 90 * DAY)) < 5 * 60_000, String(row.expires_at));
        assert.equal(row.revoked_reason, null);
        const attempt = (
          await sql<{ checked: boolean }>`select checked_at is not null as checked from sign_in_attempt`.execute(
            handle.db,
          )
        ).rows[0]!;
        assert.equal(attempt.checked, true, 'attempts made before it were checked');
        await assert.rejects(
          sql`insert into api_token (user_id, organisation_id, name, token_hash, prefix, expires_at)
              values (${user.rows[0]!.id}, ${org.rows[0]!.id}, 'no scope', 'hash2', '11111111', now())`.execute(
            handle.db,
          ),
          /scope/,
          'a new token must say its scope',
        );
      } finally {
        await handle.close();
        if (url) {
          const drop = new pg.Client({ connectionString: SERVER_URL });
          await drop.connect();
          await drop.query(`drop database if exists ${name} with (force)`);
          await drop.end();
        }
      }
    });
  });
}
