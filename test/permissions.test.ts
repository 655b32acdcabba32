// The permissions walk: every route of the app, for every role, against the one table
// (src/domain/permissions.ts, applied to routes by src/route-permissions.ts). A role the table
// denies must get 403 and change nothing; a role it allows must not be refused. The demo's
// VfM-4d is the priority the walk acts on: its accountable officer (Lee Hemsworth), director
// (James Rogers) and a contributor named on its first key action (Arfan Hanif) are the users
// of those roles, so "own" and "named" scopes are exercised for real.
// It also checks docs/permissions.md is the table as generated now.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildTestApp, type TestApp, type TestSession } from './helpers/app.ts';
import { ROLES, PERMISSIONS, type Role, type Permission, type Scope } from '../src/domain/permissions.ts';
import { ROUTE_RULES, ruleFor } from '../src/route-permissions.ts';
import { permissionsDoc } from '../src/permissions-doc.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h1';

type Expect = 'allow' | 'deny' | 'unknown';

/** What the table says `role` may do on this route in the walk's context. */
function expected(
  role: Role,
  access: Permission | readonly Permission[] | 'public' | 'signed-in',
  url: string,
  method: string,
): Expect {
  if (access === 'public' || access === 'signed-in') return 'allow';
  const permissions = (typeof access === 'string' ? [access] : access) as Permission[];
  const scopes = permissions
    .map((p) => (PERMISSIONS[p].roles as Partial<Record<Role, Scope>>)[role])
    .filter((s): s is Scope => s !== undefined);
  if (scopes.includes('all')) return 'allow';
  if (scopes.length === 0) return 'deny';
  const onDemoPriority =
    (url.includes(':code') && url.startsWith('/priorities')) ||
    url.startsWith('/api/priorities/:code') ||
    /\/risks\/:id/.test(url);
  if (scopes.includes('own') && (role === 'accountable_officer' || role === 'accountable_director'))
    return onDemoPriority ? 'allow' : 'unknown';
  if (scopes.includes('named') && role === 'contributor') return url.includes(':n') ? 'allow' : 'unknown';
  if (scopes.includes('published') && method === 'GET')
    return /\/reports\/:period(\/download\/:format)?$/.test(url) || !url.includes(':period') ? 'allow' : 'unknown';
  return 'unknown';
}

describe('the permissions walk [pglite]', () => {
  let t: TestApp;
  const sessions = new Map<Role, TestSession>();
  const ids: Record<string, string> = {};
  const linkedPerson: Partial<Record<Role, string>> = {};

  before(async () => {
    t = await buildTestApp('pglite');
    const home = await t.services.organisations.getHome();
    const system = { organisationId: home.id, label: 'walk' };
    const people = await t.services.people.list(system);
    const person = (name: string) => people.find((p) => p.name === name)!.id;
    const linked: Partial<Record<Role, string>> = linkedPerson;
    Object.assign(linkedPerson, {
      accountable_officer: person('Lee Hemsworth'),
      accountable_director: person('James Rogers'),
      contributor: person('Arfan Hanif'),
    });
    for (const role of ROLES)
      sessions.set(role, await t.signIn([role], linked[role] ? { personId: linked[role] } : {}));
    // Records for the routes' :id parameters
    const throwaway = await t.services.people.create(system, { name: 'Walk Person', employerId: home.id });
    ids.person = throwaway.id;
    ids.organisation = (
      await t.services.organisations.createPartner(system, { name: 'Walk Partner', kind: 'other' })
    ).id;
    const plans = await t.services.plans.listPlans(system);
    ids.plan = plans[0]!.id;
    ids.theme = (await t.services.plans.listThemes(system))[0]!.id;
    ids.risk = (
      await t.services.risks.create(system, { priority: CODE, description: 'Walk risk', likelihood: '2', impact: '2' })
    ).id;
    ids.user = (await t.signIn(['viewer'], { email: 'walk.user@test.example' })).userId;
    ids.job = (await t.services.boardPack.requestFiles(system, PERIOD)).id;
    const bundle = await t.services.reports.getBundle(system, CODE, PERIOD);
    ids.milestone = bundle.report.actions[0]!.milestones[0]!.id;
    const exercises = await t.services.diagnostics.listExercises(system);
    ids.exercise = exercises[0]?.id ?? '00000000-0000-4000-8000-000000000000';
  });
  after(async () => t?.close());

  function concrete(url: string): string {
    const idFor = (u: string) =>
      u.startsWith('/people') || u.startsWith('/api/people')
        ? ids.person
        : u.startsWith('/organisations') || u.startsWith('/api/organisations')
          ? ids.organisation
          : u.startsWith('/plans') || u.startsWith('/api/plans')
            ? ids.plan
            : u.startsWith('/themes') || u.startsWith('/api/themes')
              ? ids.theme
              : u.includes('/risks')
                ? ids.risk
                : u.startsWith('/users')
                  ? ids.user
                  : u.startsWith('/jobs') || u.startsWith('/files')
                    ? ids.job
                    : u.includes('/milestones/')
                      ? ids.milestone
                      : u.startsWith('/diagnostic')
                        ? ids.exercise
                        : '00000000-0000-4000-8000-000000000000';
    return url
      .replace(':code', url.startsWith('/indicators') || url.startsWith('/api/indicators') ? 'OC-1c-i' : CODE)
      .replace(':period', PERIOD)
      .replace(':key', PERIOD)
      .replace(':n', '1')
      .replace(':format', 'pdf')
      .replace(':planId', ids.plan!)
      .replace(':id', idFor(url)!)
      .replace(':token', 'not-a-token')
      .replace(/:(itemId|postId)/, '00000000-0000-4000-8000-000000000000')
      .replace(':table', 'functions');
  }

  it('has a rule for every route', () => {
    const missing = t.app.routeTable.filter((r) => !ruleFor(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, [], 'add these routes to src/route-permissions.ts');
    const publicMismatch = t.app.routeTable
      .filter(
        (r) =>
          (ruleFor(r.method, r.url)!.access === 'public') !== r.public && r.url !== '/assets/*' && r.url !== '/health',
      )
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(publicMismatch, [], 'routes marked public in the code and in the table must agree');
  });

  it('refuses every role the table denies (403), and lets through every role it allows, on every route', async () => {
    const problems: string[] = [];
    const unreached: string[] = [];
    // Reads first, then writes; deletions last, so a deleted record does not hide later routes.
    const order = (r: { method: string; url: string }) =>
      r.method === 'GET' ? 0 : /delete|DELETE/.test(`${r.method} ${r.url}`) ? 2 : 1;
    const routes = [...t.app.routeTable].filter((r) => r.url !== '/assets/*').sort((a, b) => order(a) - order(b));
    for (const route of routes) {
      const rule = ruleFor(route.method, route.url);
      if (!rule) continue;
      const url = concrete(route.url);
      // Denied roles first: their requests must change nothing, so the allowed ones see the same state.
      const roles = [...ROLES].sort(
        (a, b) =>
          (expected(a, rule.access, route.url, route.method) === 'deny' ? -1 : 0) -
          (expected(b, rule.access, route.url, route.method) === 'deny' ? -1 : 0),
      );
      for (const role of roles) {
        const want = expected(role, rule.access, route.url, route.method);
        if (want === 'unknown') continue;
        // Signing out, or a change of someone's roles, ends sessions: start a new one when needed.
        if (!(await t.services.accounts.resolveSession(sessions.get(role)!.headers.cookie.split('=')[1]!))) {
          sessions.set(role, await t.signIn([role], linkedPerson[role] ? { personId: linkedPerson[role] } : {}));
        }
        const s = sessions.get(role)!;
        const isApi = url.startsWith('/api');
        const res = await t.app.inject({
          method: route.method as 'GET',
          url,
          headers: {
            ...s.headers,
            ...(route.method !== 'GET'
              ? isApi
                ? { 'content-type': 'application/json' }
                : { 'content-type': 'application/x-www-form-urlencoded' }
              : {}),
          },
          ...(route.method !== 'GET' ? { payload: isApi ? '{}' : '' } : {}),
        });
        const got =
          res.statusCode === 403
            ? 'deny'
            : res.statusCode === 401 || (res.statusCode === 302 && String(res.headers.location).startsWith('/sign-in'))
              ? 'signed-out'
              : 'allow';
        if (res.statusCode === 404 && want === 'allow') {
          unreached.push(`${route.method} ${route.url} as ${role}`);
          continue;
        }
        if (got !== want)
          problems.push(
            `${route.method} ${route.url} as ${role}: the table says ${want} (${JSON.stringify(rule.access)}), got ${res.statusCode}`,
          );
      }
    }
    assert.deepEqual(problems, []);
    // Routes whose records the walk could not find for an allowed role (their parameters are not
    // in the demo); listed so they stay few and visible.
    if (unreached.length > 0)
      console.log(
        `permissions walk: ${unreached.length} route/role pairs answered 404 (no such record in the walk):\n  ${unreached.join('\n  ')}`,
      );
  });

  it('publishes the table in docs/permissions.md as generated from the code', () => {
    const doc = permissionsDoc(t.app.routeTable);
    assert.equal(
      readFileSync(new URL('../docs/permissions.md', import.meta.url), 'utf8'),
      doc,
      'regenerate it: node --import tsx bin/permissions-doc.ts',
    );
  });

  it('lists every permission in at least one rule', () => {
    const used = new Set(ROUTE_RULES.flatMap((r) => (typeof r.access === 'string' ? [r.access] : [...r.access])));
    assert.deepEqual(
      Object.keys(PERMISSIONS).filter((p) => !used.has(p as never)),
      [],
    );
  });
});
