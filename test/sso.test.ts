// Single sign-on with OpenID Connect, against a real provider: `oidc-provider` on loopback, with
// Amber registered as a confidential client that must use PKCE. A browser is played by fetch and
// a cookie jar: real redirects, the provider's interaction (login, then consent) answered by a
// tiny interaction page in this file, the code exchanged over HTTP, the ID token checked.
// Refusals change nothing (no session) and go in the security log. Both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, listen, type TestApp } from './helpers/app.ts';
import { errorSummary, htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { buildApp } from '../src/app.ts';
import { loadConfig, ConfigError } from '../src/config.ts';
import { DEMO_ACCOUNTS } from '../src/modules/demo/demo-accounts.ts';
import { systemActor } from '../src/domain/actor.ts';

const CLIENT_ID = 'amber';
const CLIENT_SECRET = 'a-client-secret-for-tests-only';
const lee = DEMO_ACCOUNTS.find((a) => a.email.startsWith('lee.hemsworth'))!;

/** The people the provider knows: login name → claims. */
const PEOPLE: Record<string, Record<string, unknown>> = {
  lee: { email: lee.email.toUpperCase(), email_verified: true, name: lee.name },
  invited: { preferred_username: 'Sam.Invited@Council.Example', name: 'Sam Invited' },
  stranger: { email: 'stranger@elsewhere.example', email_verified: true },
  unverified: { email: lee.email, email_verified: false },
};

/** oidc-provider's storage, in memory, for this provider only. */
function memoryAdapter() {
  const store = new Map<string, AdapterPayload>();
  return class MemoryAdapter implements Adapter {
    private readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: AdapterPayload) {
      store.set(this.key(id), payload);
    }
    async find(id: string) {
      return store.get(this.key(id));
    }
    async findByUid(uid: string) {
      return [...store.entries()].find(([k, p]) => k.startsWith(`${this.model}:`) && p.uid === uid)?.[1];
    }
    async findByUserCode(code: string) {
      return [...store.entries()].find(([k, p]) => k.startsWith(`${this.model}:`) && p.userCode === code)?.[1];
    }
    async consume(id: string) {
      const p = store.get(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, p] of store) if (p.grantId === grantId) store.delete(k);
    }
  };
}

const readBody = async (req: IncomingMessage) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
};

/**
 * A real OpenID provider on 127.0.0.1. Its interaction page answers GET with the prompt's name
 * (`login` or `consent`); POST `login=NAME` signs that person in, `decision=allow` consents,
 * and `decision=deny` refuses, as a person would by pressing the provider's buttons.
 */
async function startProvider(redirectUri: string): Promise<{ issuer: string; close(): Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [{ ...key, kid: 'test', use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: ['a-cookie-key-for-tests-only'] },
    pkce: { methods: ['S256'], required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    async findAccount(_ctx, id) {
      const claims = PEOPLE[id];
      return claims && { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') return res.end(details.prompt.name);
      const form = await readBody(req);
      if (form.get('decision') === 'deny')
        return provider.interactionFinished(
          req,
          res,
          { error: 'access_denied', error_description: 'The person refused' },
          { mergeWithLastSubmission: false },
        );
      if (details.prompt.name === 'login')
        return provider.interactionFinished(
          req,
          res,
          { login: { accountId: form.get('login')! } },
          { mergeWithLastSubmission: false },
        );
      const grant = new provider.Grant({
        accountId: details.session!.accountId,
        clientId: String(details.params.client_id),
      });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      return provider.interactionFinished(
        req,
        res,
        { consent: { grantId: await grant.save() } },
        { mergeWithLastSubmission: true },
      );
    })().catch((error: Error) => {
      res.statusCode = 500;
      res.end(error.message);
    });
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** A browser: a cookie jar per origin, and redirects followed by hand so each hop can be seen. */
function browser() {
  const jars = new Map<string, Map<string, string>>();
  const jar = (url: URL) => jars.get(url.origin) ?? jars.set(url.origin, new Map()).get(url.origin)!;
  async function request(href: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const url = new URL(href);
    const cookies = [...jar(url)].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(cookies ? { cookie: cookies } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attributes] = c.split(';');
      const name = pair!.slice(0, pair!.indexOf('=')).trim();
      const value = pair!.slice(pair!.indexOf('=') + 1).trim();
      const gone =
        value === '' ||
        attributes.some(
          (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
        );
      if (gone) jar(url).delete(name);
      else jar(url).set(name, value);
    }
    return res;
  }
  return {
    jar,
    request,
    /** Follows redirects from `href` until a page answers, or until `stop` says to hand over a location. */
    async go(
      href: string,
      init: { method?: string; form?: Record<string, string> } = {},
      stop?: (location: string) => boolean,
    ) {
      let res = await request(href, init);
      let current = href;
      for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
        assert.ok(hops < 20, 'too many redirects');
        const location = new URL(res.headers.get('location')!, current).href;
        if (stop?.(location)) return { res, url: current, location };
        current = location;
        res = await request(current);
      }
      return { res, url: current, body: await res.text() };
    },
  };
}

it('refuses a partial single sign-on configuration at start-up, naming what is missing', () => {
  assert.throws(
    () => loadConfig({ OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant/v2.0', OIDC_CLIENT_ID: 'amber' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /OIDC_CLIENT_SECRET must be set/.test(e.message) &&
      !/OIDC_CLIENT_ID must/.test(e.message),
  );
  assert.throws(
    () => loadConfig({ OIDC_NAME: 'Microsoft' }),
    (e: unknown) => e instanceof ConfigError && /OIDC_NAME is set/.test(e.message),
  );
  assert.throws(
    () =>
      loadConfig({
        NODE_ENV: 'production',
        OIDC_ISSUER_URL: 'http://idp.example',
        OIDC_CLIENT_ID: 'a',
        OIDC_CLIENT_SECRET: 'b',
      }),
    (e: unknown) =>
      e instanceof ConfigError &&
      /OIDC_ISSUER_URL must use https/.test(e.message) &&
      /PUBLIC_URL must be set/.test(e.message),
  );
  assert.equal(loadConfig({}).oidc, undefined);
  assert.deepEqual(
    loadConfig({
      OIDC_ISSUER_URL: 'https://login.microsoftonline.com/tenant/v2.0',
      OIDC_CLIENT_ID: 'amber',
      OIDC_CLIENT_SECRET: 's',
      PUBLIC_URL: 'https://amber.council.example/',
    }).oidc,
    {
      issuerUrl: 'https://login.microsoftonline.com/tenant/v2.0',
      clientId: 'amber',
      clientSecret: 's',
      name: 'Microsoft',
      redirectUrl: `https://amber.council.example${paths.sso.callback}`,
    },
  );
});

for (const engine of ENGINES) {
  describe(`single sign-on with a real OpenID provider [${engine}]`, () => {
    let t: TestApp;
    let provider: Awaited<ReturnType<typeof startProvider>>;
    let base: string;

    before(async () => {
      // The redirect URI is registered with the provider, so the app's port is chosen first.
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      provider = await startProvider(`${base}${paths.sso.callback}`);
      t = await buildTestApp(engine, {
        as: false,
        config: {
          oidc: {
            issuerUrl: provider.issuer,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            name: 'Council ID',
            redirectUrl: `${base}${paths.sso.callback}`,
          },
        },
      });
      await listen(t, port);
    });
    after(async () => {
      await t?.close();
      await provider?.close();
    });

    const sessions = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from user_session`.execute(t.db)).rows[0]!.n);
    const lastEvent = async () =>
      (
        await sql<{
          kind: string;
          email: string;
          detail: string;
        }>`select kind, email, detail from security_event order by id desc limit 1`.execute(t.db)
      ).rows[0]!;

    /** From the sign-in page's button to the provider's login page. */
    async function startSignOn(b: ReturnType<typeof browser>, next?: string) {
      const signIn = await b.go(`${base}${paths.signIn}${next ? `?next=${encodeURIComponent(next)}` : ''}`);
      const button = /<a [^>]*href="([^"]+)"[^>]*data-qa="sso">([^<]*)</.exec(signIn.body!);
      assert.ok(button, 'the sign-in page has a single sign-on button');
      assert.equal(button[2]!.trim(), 'Sign in with Council ID');
      const login = await b.go(new URL(button[1]!.replace(/&amp;/g, '&'), base).href);
      assert.equal(login.body, 'login');
      assert.ok(login.url.startsWith(`${provider.issuer}/interaction/`), login.url);
      return login.url;
    }

    /** Signs in at the provider as `who` and consents; hands back the redirect to Amber's callback. */
    async function atProvider(b: ReturnType<typeof browser>, interaction: string, who: string) {
      const consent = await b.go(interaction, { method: 'POST', form: { login: who } });
      assert.equal(consent.body, 'consent');
      const back = await b.go(consent.url, { method: 'POST', form: { decision: 'allow' } }, (l) => l.startsWith(base));
      assert.ok(back.location?.startsWith(`${base}${paths.sso.callback}?`), back.location);
      return new URL(back.location!);
    }

    it("signs in the demo's Lee Hemsworth by his e-mail address (in any case) and shows the page he asked for, with his name", async () => {
      const b = browser();
      const before = await sessions();
      const callback = await atProvider(b, await startSignOn(b, paths.myWork), 'lee');
      assert.ok(callback.searchParams.get('code'));
      const page = await b.go(callback.href);
      assert.equal(page.res.status, 200);
      assert.equal(new URL(page.url).pathname, paths.myWork);
      assert.match(/data-qa="signed-in-as">([\s\S]*?)<\/div>/.exec(page.body!)?.[1] ?? '', /Lee Hemsworth/);
      assert.equal(await sessions(), before + 1);
      assert.equal(b.jar(new URL(base)).has('amber_sso'), false, 'the attempt cookie is used once');
      const event = await lastEvent();
      assert.deepEqual([event.kind, event.email, event.detail], ['signed-in', lee.email, 'single sign-on']);
    });

    it("accepts an invitation at the first sign-on, matching Entra ID's preferred_username when there is no email claim", async () => {
      const home = (await t.services.organisations.findHome())!;
      const invited = await t.services.accounts.createUser(systemActor(home.id, 'test'), {
        email: 'sam.invited@council.example',
        name: 'Sam Invited',
        roles: ['viewer'],
      });
      assert.equal(invited.state, 'invited');
      const b = browser();
      const page = await b.go((await atProvider(b, await startSignOn(b), 'invited')).href);
      assert.equal(page.res.status, 200);
      assert.equal(new URL(page.url).pathname, paths.priorities.list);
      assert.match(htmlText(page.body!), /Sam Invited/);
      const state = (
        await sql<{ state: string }>`select state from user_account where id = ${invited.id}`.execute(t.db)
      ).rows[0]!.state;
      assert.equal(state, 'active');
    });

    it('refuses an e-mail address with no Amber account: 401, the reason on the sign-in page, no session', async () => {
      const b = browser();
      const before = await sessions();
      const page = await b.go((await atProvider(b, await startSignOn(b), 'stranger')).href);
      assert.equal(page.res.status, 401);
      assert.equal(new URL(page.url).pathname, paths.sso.callback);
      assert.deepEqual(errorSummary(page.body!), [
        '#sso There is no Amber account for stranger@elsewhere.example. Ask your administrator to invite you.',
      ]);
      assert.match(page.body!, /data-qa="sso"/, 'the page offers to try again');
      assert.equal(b.jar(new URL(base)).has('amber_session'), false);
      assert.equal(await sessions(), before);
      const event = await lastEvent();
      assert.deepEqual([event.kind, event.email], ['sign-in-failed', 'stranger@elsewhere.example']);
    });

    it('refuses a callback whose state was tampered with, before asking the provider for a token', async () => {
      const b = browser();
      const before = await sessions();
      const callback = await atProvider(b, await startSignOn(b), 'lee');
      callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
      const page = await b.go(callback.href);
      assert.equal(page.res.status, 401);
      assert.match(errorSummary(page.body!)[0] ?? '', /could not be matched to this browser/);
      assert.equal(b.jar(new URL(base)).has('amber_session'), false);
      assert.equal(await sessions(), before);
      const event = await lastEvent();
      assert.deepEqual([event.kind, event.detail], ['sso-refused', 'single sign-on: the state did not match']);
      // The attempt is spent: the untouched callback does not work afterwards either.
      callback.searchParams.set('state', callback.searchParams.get('state')!.slice(0, -1));
      assert.equal((await b.go(callback.href)).res.status, 401);
      assert.equal(await sessions(), before);
    });

    it('refuses a callback in a browser that did not start the sign-on', async () => {
      const b = browser();
      const callback = await atProvider(b, await startSignOn(b), 'lee');
      const page = await browser().go(callback.href);
      assert.equal(page.res.status, 401);
      assert.match(errorSummary(page.body!)[0] ?? '', /took too long, or it was started somewhere else/);
    });

    it('says so when the person refuses at the provider (access_denied): 403', async () => {
      const b = browser();
      const before = await sessions();
      const back = await b.go(await startSignOn(b), { method: 'POST', form: { decision: 'deny' } }, (l) =>
        l.startsWith(base),
      );
      assert.equal(new URL(back.location!).searchParams.get('error'), 'access_denied');
      const page = await b.go(back.location!);
      assert.equal(page.res.status, 403);
      assert.match(errorSummary(page.body!)[0] ?? '', /Council ID did not let you sign in to Amber/);
      assert.equal(await sessions(), before);
      const event = await lastEvent();
      assert.deepEqual(
        [event.kind, event.detail],
        ['sso-refused', 'single sign-on: the provider answered access_denied: The person refused'],
      );
    });

    it('refuses an address the provider says is not verified: 403', async () => {
      const b = browser();
      const before = await sessions();
      const page = await b.go((await atProvider(b, await startSignOn(b), 'unverified')).href);
      assert.equal(page.res.status, 403);
      assert.match(errorSummary(page.body!)[0] ?? '', /has not verified the e-mail address/);
      assert.equal(await sessions(), before);
      assert.equal((await lastEvent()).kind, 'sso-refused');
    });

    it('shows a page that says so (503) when the provider cannot be reached, and starts nothing', async () => {
      const port = await freePort(); // nothing listens there
      const app = await buildApp({
        config: {
          env: 'test',
          logLevel: 'silent',
          oidc: {
            issuerUrl: `http://127.0.0.1:${port}`,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            name: 'Council ID',
            redirectUrl: `${base}${paths.sso.callback}`,
          },
        },
        db: t.db,
        units: t.units,
        services: t.services,
      });
      try {
        const signIn = await app.inject({ url: paths.signIn });
        assert.match(
          signIn.body,
          /Sign in with Council ID/,
          'the button shows: the provider is asked only when someone presses it',
        );
        const res = await app.inject({ url: paths.sso.start });
        assert.equal(res.statusCode, 503);
        assert.match(
          htmlText(res.body),
          /Sign in with Council ID is not available.*Amber could not reach Council ID to sign you in/,
        );
        assert.doesNotMatch(String(res.headers['set-cookie'] ?? ''), /amber_sso=[^;]/);
      } finally {
        await app.close();
      }
    });
  });
}
