// Prototype pollution through request bodies (issue 9): once, one unauthenticated POST of the
// sign-in form with `__proto__[amberPolluted]=yes` wrote onto Object.prototype for the whole
// process, and every page then answered 500. This walk is generated from the routes as
// registered: every route that takes a body (POST, PUT, PATCH, DELETE) gets every polluting body
// below, as an urlencoded form, as JSON and as multipart, from the public and from a signed-in
// administrator with a valid CSRF token, so a route added tomorrow is walked the day it is added.
//
// After every request the test process's own Object.prototype is checked (the app runs in it,
// through inject()), and the database is compared before and after the walk: a refused body
// changes nothing.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import { systemActor } from '../src/domain/actor.ts';
import type { RegisteredRoute } from '../src/platform/http/access.ts';
import { isPublicPermission, type Permission } from '../src/domain/permissions.ts';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MARK = 'amberPolluted';

/** Field names that reach an object's prototype when a parser nests them. */
const NAMES = [`__proto__[${MARK}]`, `constructor[prototype][${MARK}]`, `a[__proto__][${MARK}]`, `__proto__.${MARK}`];

/** Written out: in an object literal `__proto__` sets the prototype, and JSON.stringify would drop it. */
const JSON_TEXTS = [
  `{"__proto__":{"${MARK}":"yes"}}`,
  `{"constructor":{"prototype":{"${MARK}":"yes"}}}`,
  `{"a":{"__proto__":{"${MARK}":"yes"}}}`,
];

interface Body {
  label: string;
  kind: 'form' | 'json' | 'multipart';
  contentType: string;
  payload: string;
}

const BOUNDARY = '----amber-pollution-walk';
const BODIES: readonly Body[] = [
  ...NAMES.map((name): Body => ({
    label: `form ${name}=yes`,
    kind: 'form',
    contentType: 'application/x-www-form-urlencoded',
    payload: `${name}=yes`,
  })),
  // The first name percent-encoded, as a browser sends it: refused once decoded.
  {
    label: `form ${encodeURIComponent(NAMES[0]!)}=yes`,
    kind: 'form',
    contentType: 'application/x-www-form-urlencoded',
    payload: `${encodeURIComponent(NAMES[0]!)}=yes`,
  },
  ...JSON_TEXTS.map((text): Body => ({
    label: `JSON ${text}`,
    kind: 'json',
    contentType: 'application/json',
    payload: text,
  })),
  ...NAMES.map((name): Body => ({
    label: `multipart field "${name}"`,
    kind: 'multipart',
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    payload: `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\nyes\r\n--${BOUNDARY}--\r\n`,
  })),
];

/** What Object.prototype holds before the walk: any new property is pollution, whatever its name. */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();

/** Pollution of this process, described; undefined when there is none. */
function pollution(): string | undefined {
  const found: string[] = [];
  if (({} as Record<string, unknown>)[MARK] !== undefined)
    found.push(`({}).${MARK} is ${String(({} as Record<string, unknown>)[MARK])}`);
  if (Object.hasOwn(Object.prototype, MARK)) found.push(`Object.prototype has its own ${MARK}`);
  const added = Object.getOwnPropertyNames(Object.prototype).filter((n) => !PROTOTYPE_NAMES.includes(n));
  if (added.length > 0) found.push(`Object.prototype gained ${added.join(', ')}`);
  return found.length > 0 ? found.join('; ') : undefined;
}

/** Undoes pollution, so one failure does not make every later request fail too. */
function cleanUp(): void {
  for (const n of Object.getOwnPropertyNames(Object.prototype))
    if (!PROTOTYPE_NAMES.includes(n)) delete (Object.prototype as Record<string, unknown>)[n];
}

/** Values of the demo for the routes' parameters (the bodies are refused before any is read). */
async function demoValues(t: TestApp): Promise<Record<string, string>> {
  const home = await t.services.organisations.getHome();
  const org = systemActor(home.id, 'walk');
  const exercise = (await t.services.diagnostics.listExercises(org))[0]!.id;
  const bundle = await t.services.reports.getBundle(org, 'VfM-4d', '2009-10-h1');
  return {
    code: 'VfM-4d',
    period: '2009-10-h1',
    indicator: 'OC-1c-i',
    person: (await t.services.people.list(org))[0]!.id,
    partner: (await t.services.organisations.listPartners(org))[0]!.id,
    plan: (await t.services.plans.listPlans(org))[0]!.id,
    theme: (await t.services.plans.listThemes(org))[0]!.id,
    user: (await t.services.accounts.listUsers(org))[0]!.id,
    milestone: bundle.report.actions[0]!.milestones[0]!.id,
    exercise,
    post: (await t.services.diagnostics.listPosts(org, exercise)).posts[0]!.id!,
    benchmark: (await t.services.efficiency.benchmarks(org, exercise)).sets[0]!.set.id,
    opportunity: (await t.services.efficiency.opportunities(org, exercise)).opportunities[0]!.id,
    case: (await t.services.efficiency.cases(org, exercise)).cases[0]!.id,
    saving: (await t.services.efficiency.savings(org, exercise)).entries[0]!.id,
    agreement: (await t.services.efficiency.gainShare(org, exercise)).agreements[0]!.agreement.id,
    // Nothing of these kinds is in the demo: a well-formed id that matches none.
    none: '00000000-0000-4000-8000-000000000000',
  };
}

/** The route's URL with the demo's values; throws on a parameter it has no value for (a new kind of route). */
function concrete(url: string, v: Record<string, string>): string {
  const byPath = (): string | undefined => {
    if (/^\/(api\/)?people/.test(url)) return v.person;
    if (/^\/(api\/)?organisations/.test(url)) return v.partner;
    if (/^\/(api\/)?plans/.test(url)) return v.plan;
    if (/^\/(api\/)?themes/.test(url)) return v.theme;
    if (url.startsWith('/users')) return v.user;
    if (url.includes('/milestones/:id')) return v.milestone;
    if (/^\/(api\/)?diagnostic/.test(url)) return v.exercise;
    if (/\/risks\/:id|^\/(api\/)?(jobs|files|account\/tokens|sharing|shared-with-us|clubs)\//.test(url)) return v.none;
    return undefined;
  };
  const item = (): string | undefined =>
    url.includes('/benchmarks/')
      ? v.benchmark
      : url.includes('/opportunities/')
        ? v.opportunity
        : url.includes('/cases/')
          ? v.case
          : url.includes('/savings/')
            ? v.saving
            : url.includes('/gain-share/')
              ? v.agreement
              : url.includes('/plan/')
                ? // A project or plan milestone (issue 12): one that is not there will do for this walk.
                  '00000000-0000-4000-8000-000000000000'
                : undefined;
  return url.replace(/:(\w+)/g, (_, p: string) => {
    const value: string | undefined = {
      code: url.startsWith('/diagnostic') ? 'FIN' : /^\/(api\/)?indicators/.test(url) ? v.indicator : v.code,
      period: v.period,
      key: v.period,
      n: '1',
      token: 'not-a-real-link',
      planId: v.plan,
      postId: v.post,
      // A big upload's progress page (issue 12): a job that is not there.
      jobId: '00000000-0000-4000-8000-000000000000',
      // A case's option or line (issue 12): one that is not there; the body is refused first or not found.
      subId: '00000000-0000-4000-8000-000000000000',
      shareId: v.none,
      figureId: v.none,
      itemId: item(),
      id: byPath(),
    }[p];
    if (value === undefined) throw new Error(`${url}: the walk has no value for :${p}; add one`);
    return encodeURIComponent(value);
  });
}

/** The message a refusal shows: the problem's detail (API), the error page's paragraph, or the form's error summary. */
function messageOf(body: string, contentType: string): string {
  if (contentType.includes('json')) {
    try {
      const detail = (JSON.parse(body) as { detail?: unknown }).detail;
      return typeof detail === 'string' ? detail : JSON.stringify(detail ?? '');
    } catch {
      return '';
    }
  }
  const detail = /data-qa="error-detail">([^<]*)</.exec(body)?.[1];
  const summary = /govuk-error-summary__list">\s*<li>\s*(?:<a [^>]*>)?([^<]*)</.exec(body)?.[1];
  return (detail ?? summary ?? '').trim();
}

const key = (r: Pick<RegisteredRoute, 'method' | 'url'>) => `${r.method} ${r.url}`;
/** The double-submit token of forms shown before sign-in (43 characters, as the app makes them). */
const PUBLIC_CSRF = 'pollution-walk-'.padEnd(43, 'x');

describe('the pollution check itself', () => {
  it('notices a property added to Object.prototype, whatever its name, and removes it', () => {
    assert.equal(pollution(), undefined);
    Object.defineProperty(Object.prototype, 'walkCheck', { value: 1, configurable: true, enumerable: false });
    assert.match(pollution() ?? '', /Object\.prototype gained walkCheck/);
    cleanUp();
    (Object.prototype as Record<string, unknown>)[MARK] = 'yes';
    assert.match(pollution() ?? '', /\(\{\}\)\.amberPolluted is yes; Object\.prototype has its own amberPolluted/);
    cleanUp();
    assert.equal(pollution(), undefined);
  });
});

for (const engine of ENGINES) {
  describe(`prototype pollution through request bodies [${engine}]`, () => {
    let t: TestApp;
    let admin: TestSession;
    let values: Record<string, string>;
    let before_: Record<string, string>;
    const csrfCookie = cookieNames(false).csrf;
    const writeRoutes = () => t.app.routeTable.filter((r) => WRITES.has(r.method));
    /** The public may use the route (sign-in, a password reset): its body is read, and refused. */
    const forPublic = (r: { permissions: readonly Permission[] }) => r.permissions.some(isPublicPermission);
    /**
     * What the public's polluted body gets: on a route it may use, 400 naming the field; on any
     * other, 401 before a byte of the body is read (access.ts), so nothing is parsed at all.
     */
    const unread = (o: { who: string; status: number }) => o.who === 'public' && o.status === 401;
    /** What each route answered to each body, by route. */
    const outcomes = new Map<string, { body: Body; who: string; status: number; message: string }[]>();

    before(async () => {
      t = await buildTestApp(engine, { as: false });
      admin = await t.signIn(['administrator']);
      values = await demoValues(t);
      before_ = await fingerprint(t.db);
    });
    after(async () => {
      cleanUp();
      await t?.close();
    });

    it('refuses every polluting body on every route that takes one, signed in or not, and never pollutes the process', async (c) => {
      const problems: string[] = [];
      const who = {
        public: { cookie: `${csrfCookie}=${PUBLIC_CSRF}`, 'x-csrf-token': PUBLIC_CSRF },
        administrator: admin.headers,
      };
      let requests = 0;
      for (const route of writeRoutes()) {
        const url = concrete(route.url, values);
        const seen: { body: Body; who: string; status: number; message: string }[] = [];
        for (const body of BODIES) {
          for (const [name, headers] of Object.entries(who)) {
            const res = await t.app.inject({
              method: route.method as 'POST',
              url,
              headers: { ...headers, 'content-type': body.contentType },
              payload: body.payload,
            });
            requests++;
            const message = messageOf(res.body, String(res.headers['content-type'] ?? ''));
            seen.push({ body, who: name, status: res.statusCode, message });
            const polluted = pollution();
            if (polluted) {
              problems.push(`${key(route)} as ${name}, ${body.label}: ${polluted}`);
              cleanUp();
            }
            if (res.statusCode < 400 || res.statusCode >= 500)
              problems.push(`${key(route)} as ${name}, ${body.label}: answered ${res.statusCode}, not a refusal (4xx)`);
            else if (name === 'public' && !forPublic(route) && res.statusCode !== 401)
              problems.push(`${key(route)} as ${name}, ${body.label}: answered ${res.statusCode}, not 401 unread`);
            else if (body.kind !== 'multipart' && res.statusCode !== 400 && !(name === 'public' && !forPublic(route)))
              problems.push(`${key(route)} as ${name}, ${body.label}: answered ${res.statusCode}, not 400`);
            else if (!message)
              problems.push(`${key(route)} as ${name}, ${body.label}: ${res.statusCode} without a message`);
          }
        }
        outcomes.set(key(route), seen);
      }
      c.diagnostic(
        `${writeRoutes().length} routes that take a body × ${BODIES.length} bodies × 2 (the public, an administrator) = ${requests} requests`,
      );
      assert.deepEqual(problems, []);
      assert.equal(requests, writeRoutes().length * BODIES.length * 2);
      assert.ok(writeRoutes().length > 100, `the walk found ${writeRoutes().length} routes that take a body`);
    });

    it('says which form field was refused, and that nothing has been changed', () => {
      const problems: string[] = [];
      for (const [route, seen] of outcomes)
        for (const o of seen)
          if (
            o.body.kind === 'form' &&
            !unread(o) &&
            !/The form field ".+" is not allowed: field names cannot contain __proto__, constructor or prototype\. Nothing has been changed\./.test(
              o.message.replace(/&quot;/g, '"'),
            )
          )
            problems.push(`${route} as ${o.who}, ${o.body.label}: "${o.message}"`);
      assert.deepEqual(problems, []);
    });

    // Known gap (reported with issue 9's fix): Fastify's refusal of __proto__ and
    // constructor.prototype keys (onProtoPoisoning: 'error') reaches people as
    // FST_ERR_CTP_INVALID_JSON_BODY, "Body is not valid JSON", about a body that is valid JSON.
    it('says why a JSON body with a __proto__ or constructor.prototype key was refused', () => {
      const messages = new Set<string>();
      for (const seen of outcomes.values())
        for (const o of seen) if (o.body.kind === 'json' && !unread(o)) messages.add(o.message.replace(/&#39;/g, "'"));
      assert.deepEqual(
        [...messages].filter((m) => !/__proto__|constructor|prototype/.test(m)),
        [],
      );
    });

    it('reads multipart only where files are uploaded, where no field name reaches a prototype', (c) => {
      const accepting = new Set<string>();
      for (const [route, seen] of outcomes)
        for (const o of seen)
          if (o.body.kind === 'multipart' && o.status !== 415 && !unread(o)) {
            accepting.add(route);
            c.diagnostic(`${route} as ${o.who}, ${o.body.label}: ${o.status} ${o.message}`);
          }
      const uploads = writeRoutes()
        // The import's page naming a file's columns is a plain form beside the uploads.
        .filter((r) => /import|upload/.test(r.url) && !r.url.endsWith('/import/columns'))
        .map(key);
      assert.ok(uploads.length >= 3, `routes that upload a file: ${uploads.join(', ')}`);
      assert.deepEqual([...accepting].sort(), uploads.sort());
    });

    // Known gap: @fastify/multipart refuses only the bare names __proto__ and constructor; a
    // multipart field named `__proto__[x]` is read as a flat name (so nothing is polluted) and
    // the upload goes on to ask for the file, where a urlencoded form with that name is refused.
    it('refuses a multipart field whose name has a __proto__, constructor or prototype part, as forms do', () => {
      const answered = new Set<string>();
      for (const [route, seen] of outcomes)
        for (const o of seen)
          if (o.body.kind === 'multipart' && o.who === 'administrator' && o.status !== 415 && o.status !== 400)
            answered.add(`${route}: ${o.status}`);
      assert.deepEqual([...answered], []);
    });

    // Names whose forbidden part follows an `=` inside brackets: qs ends such a name at `]=`, so it
    // reads `x=[__proto__][amberPolluted]`, where the refusal (form-body.ts) reads up to the first
    // `=` and sees `x`. qs's own allowPrototypes: false then drops the field. Sent by the public
    // only: a signed-in administrator's form with no usable field could still do something
    // (sign out, queue a board pack).
    const SPLIT_NAMES = [`x=[__proto__][${MARK}]=yes`, `x=[constructor][prototype][${MARK}]=yes`];
    const split = new Map<string, number>();

    it('never pollutes the process through a name qs ends at "]=", and answers it with a refusal (4xx)', async () => {
      const problems: string[] = [];
      for (const route of writeRoutes()) {
        for (const payload of SPLIT_NAMES) {
          const res = await t.app.inject({
            method: route.method as 'POST',
            url: concrete(route.url, values),
            headers: {
              cookie: `${csrfCookie}=${PUBLIC_CSRF}`,
              'x-csrf-token': PUBLIC_CSRF,
              'content-type': 'application/x-www-form-urlencoded',
            },
            payload,
          });
          split.set(`${key(route)} ${payload}`, res.statusCode);
          const polluted = pollution();
          if (polluted) {
            problems.push(`${key(route)}, ${payload}: ${polluted}`);
            cleanUp();
          }
          if (res.statusCode < 400 || res.statusCode >= 500)
            problems.push(`${key(route)}, ${payload}: answered ${res.statusCode}, not a refusal (4xx)`);
        }
      }
      assert.deepEqual(problems, []);
    });

    // Known gap: the refusal and qs disagree on where such a name ends (form-body.ts), so it is
    // not refused with 400: public forms answer their own validation error instead.
    it('refuses a name whose __proto__ or constructor part follows an "=" inside brackets with 400', () => {
      const publicRoutes = new Set(writeRoutes().filter(forPublic).map(key));
      assert.deepEqual(
        [...split]
          .filter(([k, status]) => status !== (publicRoutes.has(k.split(' ').slice(0, 2).join(' ')) ? 400 : 401))
          .map(([k, status]) => `${k}: ${status}`),
        [],
      );
    });

    it('changes nothing in the database', async () => {
      assert.deepEqual(await fingerprint(t.db), before_);
    });

    it('still shows the sign-in page, the not-found page and a signed-in page afterwards', async () => {
      const signIn = await t.app.inject({ url: '/sign-in' });
      assert.equal(signIn.statusCode, 200);
      assert.match(signIn.body, /Sign in/);
      const missing = await t.app.inject({ url: '/no-such-page' });
      assert.equal(missing.statusCode, 404);
      assert.match(
        messageOf(missing.body, String(missing.headers['content-type'])),
        /There is nothing at \/no-such-page/,
      );
      const priorities = await t.app.inject({ url: '/priorities', headers: admin.headers });
      assert.equal(priorities.statusCode, 200);
      assert.match(priorities.body, /VfM-4d/);
      const api = await t.app.inject({ url: '/api/priorities', headers: admin.headers });
      assert.equal(api.statusCode, 200);
      assert.equal(pollution(), undefined);
    });

    it('sees a change when there is one: a person added by the administrator', async () => {
      const { payload, headers } = form({ name: 'Added after the walk', employerId: values.partner });
      const res = await t.app.inject({
        method: 'POST',
        url: '/people',
        headers: { ...admin.headers, ...headers },
        payload,
      });
      assert.equal(res.statusCode, 303);
      const changed = Object.entries(await fingerprint(t.db))
        .filter(([table, print]) => before_[table] !== print)
        .map(([table]) => table);
      // Not dashboard_generation: the dashboard reads no people (migration 2026-12-12-400, ADR 0023).
      assert.deepEqual(changed, ['audit_event', 'person']);
    });
  });
}
