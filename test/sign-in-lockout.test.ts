// Nobody can lock someone else out by typing wrong passwords (issue 13: five wrong passwords
// locked the demo's public administrator), while guessing stays slow: limits per address and per
// account from an address, per browser for a browser the account has signed in from ("known
// browsers"), and fewer attempts per address at an account being guessed from many addresses.
// Every failure and refusal is in the security log. The design: SIGN-IN LIMITS in account.service.ts.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { hash } from '@node-rs/argon2';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';
import { DEMO_ACCOUNTS } from '../src/modules/demo/demo-accounts.ts';

const CSRF = 'k'.repeat(43);
const KNOWN = 'amber_known_browser';

/** The cookies a response sets, by name. */
function setCookies(res: { headers: Record<string, unknown> }): Record<string, string> {
  const set = res.headers['set-cookie'];
  const list = Array.isArray(set) ? set.map(String) : typeof set === 'string' ? [set] : [];
  return Object.fromEntries(
    list.map((c) => {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      return [pair!.slice(0, i), decodeURIComponent(pair!.slice(i + 1))];
    }),
  );
}

for (const engine of ENGINES) {
  describe(`sign-in limits nobody can use against someone else [${engine}]`, () => {
    let t: TestApp;
    let organisationId: string;
    let n = 0;
    before(async () => {
      t = await buildTestApp(engine, { as: false });
      organisationId = (await t.services.organisations.getHome()).id;
    });
    after(async () => t?.close());

    async function account(password = 'a long and right password') {
      const email = `lockout.${engine}.${++n}@test.example`;
      await t.services.accounts.createUser(systemActor(organisationId, 'test'), {
        email,
        name: `Lockout ${n}`,
        roles: ['viewer'],
        password,
      });
      return { email, password };
    }
    /** A sign-in from `ip`, by a browser carrying `known` (its known-browser cookie), if any. */
    const signIn = (email: string, password: string, ip: string, known?: string) =>
      t.app.inject({
        method: 'POST',
        url: paths.signIn,
        remoteAddress: ip,
        ...form({ email, password, _csrf: CSRF }),
        headers: {
          ...form({}).headers,
          cookie: `amber_csrf=${CSRF}${known ? `; ${KNOWN}=${encodeURIComponent(known)}` : ''}`,
        },
      });
    const log = async (email: string) =>
      (
        await sql<{ kind: string; ip: string; detail: string }>`
          select kind, ip, detail from security_event where email = ${email} order by id`.execute(t.db)
      ).rows;
    const wrong = async (email: string, ip: string, times: number, known?: string) => {
      const statuses: number[] = [];
      for (let i = 0; i < times; i++) statuses.push((await signIn(email, `wrong guess ${i}`, ip, known)).statusCode);
      return statuses;
    };

    it("does not let wrong passwords from one address stop the demo administrator's right password from another", async () => {
      const admin = DEMO_ACCOUNTS.find((a) => a.role === 'administrator')!;
      const prankster = '203.0.113.50';
      assert.deepEqual(await wrong(admin.email, prankster, 7), [401, 401, 401, 401, 401, 429, 429]);
      const visitor = await signIn(admin.email, admin.password, '198.51.100.50');
      assert.equal(visitor.statusCode, 303, 'a visitor from elsewhere signs in with the published password');
      // Failures are logged with the address they came from.
      const events = await log(admin.email);
      assert.equal(events.filter((e) => e.kind === 'sign-in-failed' && e.ip === prankster).length, 5);
      assert.equal(events.filter((e) => e.kind === 'sign-in-refused-account-limit' && e.ip === prankster).length, 2);
      assert.ok(events.some((e) => e.kind === 'signed-in' && e.ip === '198.51.100.50'));
    });

    it('still throttles repeated failures from one address, at one account and across accounts', async () => {
      const a = await account();
      const ip = '203.0.113.51';
      assert.deepEqual(await wrong(a.email, ip, 5), [401, 401, 401, 401, 401]);
      const refused = await signIn(a.email, a.password, ip);
      assert.equal(refused.statusCode, 429, 'the right password is not even checked from that address');
      assert.match(htmlText(refused.body), /too many failed attempts to sign in to this account\. Try again after/);
      assert.ok(Number(refused.headers['retry-after']) > 14 * 60);

      // Spraying: 20 failures at any accounts from one address stop the address.
      const sprayer = '203.0.113.52';
      for (let i = 0; i < 20; i++)
        assert.equal((await signIn(`sprayed.${engine}.${i}@test.example`, 'Password1', sprayer)).statusCode, 401);
      const b = await account();
      const stopped = await signIn(b.email, b.password, sprayer);
      assert.equal(stopped.statusCode, 429);
      assert.match(htmlText(stopped.body), /too many failed attempts to sign in from your network/);
      assert.equal((await signIn(b.email, b.password, '198.51.100.52')).statusCode, 303);
    });

    it('lets the owner’s browser, once it has signed in there, sign in whatever others at its address type', async () => {
      const a = await account();
      const office = '192.0.2.10'; // a council's one shared address
      const first = await signIn(a.email, a.password, office);
      assert.equal(first.statusCode, 303);
      const known = setCookies(first)[KNOWN]!;
      assert.ok(known, 'the browser is now known to the account');
      assert.match(
        String(first.headers['set-cookie']),
        new RegExp(`${KNOWN}=[^;]+; Path=/; HttpOnly; SameSite=Lax; Max-Age=\\d+`),
      );

      // A colleague (or a prankster) at the same address types wrong passwords: that address is stopped ...
      assert.deepEqual(await wrong(a.email, office, 6), [401, 401, 401, 401, 401, 429]);
      assert.equal((await signIn(a.email, a.password, office)).statusCode, 429);
      // ... but not the owner's browser, at the same address, with the right password.
      const owner = await signIn(a.email, a.password, office, known);
      assert.equal(owner.statusCode, 303);

      // A known browser is limited too: 5 failures stop it (a stolen cookie buys 5 guesses).
      const again = setCookies(owner)[KNOWN]!;
      assert.deepEqual(await wrong(a.email, '198.51.100.60', 6, again), [401, 401, 401, 401, 401, 429]);
      const stopped = await signIn(a.email, a.password, '198.51.100.60', again);
      assert.equal(stopped.statusCode, 429);
      assert.match(htmlText(stopped.body), /too many failed attempts to sign in to this account from this browser/);
      const events = await log(a.email);
      assert.equal(events.filter((e) => e.detail === 'wrong password (known browser)').length, 5);
      assert.ok(events.some((e) => e.kind === 'sign-in-refused-browser-limit'));
    });

    it('trusts no cookie Amber did not make, nor one made before the password changed', async () => {
      const a = await account();
      const ip = '192.0.2.20';
      const known = setCookies(await signIn(a.email, a.password, '198.51.100.20'))[KNOWN]!;
      const [id, issued] = known.split('.');
      const forged = `${id}.${issued}.${'A'.repeat(22)}`;
      assert.deepEqual(await wrong(a.email, ip, 5), [401, 401, 401, 401, 401]);
      assert.equal(
        (await signIn(a.email, a.password, ip, forged)).statusCode,
        429,
        'a forged entry counts for nothing',
      );
      assert.equal((await signIn(a.email, a.password, ip, known)).statusCode, 303, 'the real one is trusted');
      // A new password voids every known browser of the account.
      await sql`update user_account set password_hash = ${await hash('a new password altogether')} where email = ${a.email}`.execute(
        t.db,
      );
      const elsewhere = '192.0.2.21';
      assert.deepEqual(await wrong(a.email, elsewhere, 5), [401, 401, 401, 401, 401]);
      assert.equal((await signIn(a.email, 'a new password altogether', elsewhere, known)).statusCode, 429);
    });

    it('gives each address one attempt at an account guessed from many addresses, and the owner still signs in', async () => {
      const a = await account();
      // 4 addresses × 5 failures: 20 failures of the account from browsers not known to it.
      for (let i = 1; i <= 4; i++)
        assert.deepEqual(await wrong(a.email, `203.0.113.${100 + i}`, 5), [401, 401, 401, 401, 401]);
      // A new address now gets one attempt at the account, not five ...
      assert.deepEqual(await wrong(a.email, '203.0.113.110', 2), [401, 429]);
      assert.match(
        (await log(a.email)).at(-1)!.detail,
        /^1 failed attempts from 203\.0\.113\.110 in 15 minutes, 21 from all addresses$/,
      );
      // ... and an address that has not failed at it is checked: the owner, with the right password, gets in.
      assert.equal((await signIn(a.email, a.password, '198.51.100.70')).statusCode, 303);
      // Other accounts are not slowed.
      const b = await account();
      assert.deepEqual(await wrong(b.email, '203.0.113.110', 3), [401, 401, 401]);
    });
  });
}
