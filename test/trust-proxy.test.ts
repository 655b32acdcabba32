// Behind a load balancer every connection comes from the balancer: unless Amber is told which
// proxies to believe (TRUST_PROXY), everyone shares one address, its sign-in limits and its lines
// in the security log. Told, it takes the client's address from X-Forwarded-For; never from a
// proxy it was not told of.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '../src/config.ts';
import { paths } from '../src/paths.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';

const CSRF = 'k'.repeat(43);

describe('TRUST_PROXY', () => {
  it('takes a number of hops, or addresses and ranges, and refuses anything else naming the setting', () => {
    assert.equal(loadConfig({}).trustProxy, undefined);
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.deepEqual(loadConfig({ TRUST_PROXY: 'fd00::/8' }).trustProxy, ['fd00::/8']);
    for (const bad of ['true', 'yes', 'proxy.example', '99'])
      assert.throws(
        () => loadConfig({ TRUST_PROXY: bad }),
        (e: Error) => e instanceof ConfigError && /TRUST_PROXY/.test(e.message),
      );
  });

  let trusting: TestApp | undefined;
  let plain: TestApp | undefined;
  after(async () => {
    await trusting?.close();
    await plain?.close();
  });

  /** A failed sign-in through a proxy at 10.0.0.5 for the client 203.0.113.7; the address the security log kept. */
  async function loggedAddress(t: TestApp, email: string): Promise<string | undefined> {
    await t.app.inject({
      method: 'POST',
      url: paths.signIn,
      remoteAddress: '10.0.0.5',
      ...form({ email, password: 'wrong', _csrf: CSRF }),
      headers: { ...form({}).headers, cookie: `amber_csrf=${CSRF}`, 'x-forwarded-for': '203.0.113.7' },
    });
    const rows = (await sql<{ ip: string }>`select ip from security_event where email = ${email}`.execute(t.db)).rows;
    return rows[0]?.ip;
  }

  it('uses the forwarded client address behind a trusted proxy, and the connection’s otherwise', async () => {
    trusting = await buildTestApp('pglite', { as: false, config: { trustProxy: ['10.0.0.0/8'] } });
    plain = await buildTestApp('pglite', { as: false });
    assert.equal(await loggedAddress(trusting, 'someone@proxy.example'), '203.0.113.7');
    assert.equal(await loggedAddress(plain, 'someone@proxy.example'), '10.0.0.5');
  });
});
