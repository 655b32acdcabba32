// A published report page kept in memory for a reader's session (issue 14 "Fast pages", ADR 0017):
// a second read of the same page by the same session is answered after ONE statement outside any
// transaction (the organisation's access generation); after anything that can change the answer —
// sign-out, a role removed, a share revoked, an agreement's end passing, the revision superseded —
// the kept page is not used and the answer is the normal path's; another organisation's session,
// or another session of the same organisation, never gets it; the cache is bounded; and every
// table of the schema is either moved on by a trigger of the access generation or named below as
// deciding nothing about who reads a report page. Both engines.

import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql, type CompiledQuery } from 'kysely';
import { buildApp } from '../src/app.ts';
import { observeStatements, type ObservedStatement } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import type { Actor } from '../src/domain/actor.ts';
import { describeOnEachEngine } from './helpers/database.ts';
import { createTestSession, type TestSession } from './helpers/app.ts';
import { insertOrganisation, insertPerson } from './builders/index.ts';

const PERIOD = '2009-10-h1';

/**
 * Tables that decide nothing about who may read a report page, or what its header says of the
 * person: no trigger of the access generation. A table added to the schema fails the test below
 * until it is put here (with its reason) or given a trigger (migration 2026-12-09-100's list).
 */
const DECIDE_NOTHING: Readonly<Record<string, string>> = {
  access_generation: 'the counter itself',
  accessibility_statement: 'a public page’s text',
  action: 'a live report’s content; a published page prints its revision',
  action_contributor: 'who may change key actions: only for those served live (not kept)',
  api_token: 'tokens are refused on pages; kept pages are for sessions only',
  audit_event: 'a record of changes',
  benchmark_club: 'clubs share aggregate figures, not reports',
  benchmark_set: 'efficiency data',
  business_case: 'efficiency data',
  business_case_line: 'efficiency data',
  business_case_option: 'efficiency data',
  club_baseline_consent: 'clubs share aggregate figures, not reports',
  club_figure: 'clubs share aggregate figures, not reports',
  club_member: 'clubs share aggregate figures, not reports',
  dashboard_change: 'the dashboard generation’s notes until a commit (ADR 0023)',
  dashboard_generation: 'the dashboard generation’s counter (ADR 0023)',
  dashboard_indicator_change: 'which indicators the dashboard’s indicators’ part changed by (ADR 0029)',
  diagnostic_allocation: 'diagnostic data',
  diagnostic_exercise: 'diagnostic data',
  diagnostic_non_pay: 'diagnostic data',
  diagnostic_org_unit: 'diagnostic data',
  diagnostic_peer_function: 'diagnostic data (retired, empty)',
  diagnostic_post: 'diagnostic data',
  diagnostic_taxonomy_function: 'diagnostic data',
  diagnostic_taxonomy_process: 'diagnostic data',
  diagnostic_taxonomy_version: 'diagnostic data',
  diagnostic_volume: 'diagnostic data',
  gain_share_agreement: 'efficiency data',
  gain_share_evaluation: 'efficiency data',
  implementation_milestone: 'efficiency data',
  implementation_project: 'efficiency data',
  indicator: 'a live report’s graphs; a published page prints its revision',
  indicator_import_header: 'an import’s settings',
  indicator_priority: 'a live report’s graphs',
  indicator_value: 'a live report’s graphs',
  job: 'background work',
  joint_sign_off: 'the workflow panel of those who may read drafts (an editor’s page: not kept)',
  kysely_migration: 'bookkeeping',
  kysely_migration_lock: 'bookkeeping',
  milestone: 'a live report’s content',
  one_time_token: 'links that start a session; a session made from one is new (not kept for)',
  opportunity: 'efficiency data',
  person: 'who a user is acting as is membership.person_id (triggered)',
  plan: 'what a priority sits in; the page shows its revision',
  reminder_sent: 'reminders',
  report_graph: 'a live report’s graphs',
  report_risk: 'a live report’s risks',
  risk: 'the risk register',
  savings_entry: 'efficiency data',
  security_event: 'the security log',
  shared_comment: 'the conversations’ counts: an editor’s page (not kept)',
  sign_in_attempt: 'sign-in limits',
  sign_off: 'the workflow panel of those who may read drafts (an editor’s page: not kept)',
  status: 'the scale: a published page prints its revision’s status',
  stored_file: 'jobs’ files',
  theme: 'what a priority sits in; the page shows its revision',
};

describeOnEachEngine('a published report page kept in memory for a reader’s session', (t) => {
  let app: FastifyInstance;
  /** The same database and services, every page by the normal path: what the answer must be. */
  let normal: FastifyInstance;
  let actor: Actor;
  let other: Actor;
  let code: string;
  let url: string;
  let clock = Date.now();
  const MAX = 4;

  const reader = () => createTestSession(t().services, actor.organisationId, ['viewer']);

  async function get(
    session: TestSession,
    on: FastifyInstance = app,
    at = url,
  ): Promise<{ status: number; body: string; location: string | undefined; statements: ObservedStatement[] }> {
    const statements: ObservedStatement[] = [];
    const stop = observeStatements(t().db, (s) => statements.push(s));
    let response;
    try {
      response = await on.inject({ url: at, headers: session.headers });
    } finally {
      stop();
    }
    const csp = String(response.headers['content-security-policy'] ?? '');
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    if (response.statusCode === 200 && nonce)
      assert.ok(response.body.includes(`nonce="${nonce}"`), 'the page carries this response’s own nonce');
    return {
      status: response.statusCode,
      // The nonce is each response's own; the rest must be the same page.
      body: response.body.replace(/nonce="[^"]*"/g, 'nonce'),
      location: response.headers.location,
      // The session's once-a-minute "last seen" write is not the page's.
      statements: statements.filter((s) => !/^update "user_session"/.test(s.sql)),
    };
  }

  /** Kept: the second read of the same page by the same session sends only the generation's statement. */
  async function kept(session: TestSession, at = url) {
    const first = await get(session, app, at);
    assert.equal(first.status, 200);
    const second = await get(session, app, at);
    assert.deepEqual(
      second.statements.map((s) => s.sql),
      [`select amber_access_generation('${actor.organisationId}') as g`],
    );
    assert.equal(second.body, first.body);
    return second;
  }

  /** Not kept: the read goes the normal path (more than the generation's statement), and answers as it does. */
  async function answersAsTheNormalPath(session: TestSession, expected: number) {
    const cached = await get(session);
    assert.ok(
      cached.statements.length > 1,
      `the kept page was used: ${cached.statements.map((s) => s.sql.slice(0, 40)).join(' | ')}`,
    );
    const plain = await get(session, normal);
    assert.equal(cached.status, expected);
    assert.equal(plain.status, expected);
    assert.equal(cached.location, plain.location);
    if (expected === 200) assert.equal(cached.body, plain.body);
  }

  async function publish(summary: string) {
    const { services } = t();
    await services.reports.updateSections(actor, code, PERIOD, {
      summary,
      status: 'amber',
      statusReason: 'As the summary says',
      achievements: 'One thing done',
      challenges: 'One thing hard',
    });
    const people = await sql<{ id: string; name: string }>`
      select id, name from person where organisation_id = ${actor.organisationId}`.execute(t().db);
    for (const role of ['accountable_officer', 'accountable_director'] as const)
      await services.reports.recordHistoricalSignOff(actor, code, PERIOD, {
        role,
        personId: people.rows.find((p) => p.name === (role === 'accountable_officer' ? 'Olive' : 'Dara'))!.id,
        signedOn: '1 October 2009',
        decision: 'approved',
      });
  }

  async function agreementWithOther(endsOn: string) {
    const { services } = t();
    const slug = (
      await sql<{ slug: string }>`select slug from organisation where id = ${other.organisationId}`.execute(t().db)
    ).rows[0]!.slug;
    return t().units.run(
      () =>
        services.sharing.createAgreement(actor, {
          partner: slug,
          title: `With the neighbours ${Math.random()}`,
          purpose: 'Read each other’s reports',
          dataShared: 'Reports',
          legalBasis: 'Local Government Act 2000, s.2',
          startsOn: '01/04/2009',
          endsOn,
          signatories: 'Both',
        }),
      { organisationId: actor.organisationId },
    );
  }

  before(async () => {
    const { services, db, units } = t();
    app = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db,
      units,
      services,
      pageCache: { maxEntries: MAX, now: () => clock },
    });
    normal = await buildApp({ config: { env: 'test', logLevel: 'silent' }, db, units, services, pageCache: false });
    actor = await insertOrganisation(services);
    other = await insertOrganisation(services);
    await insertPerson(services, actor, { name: 'Olive' });
    await insertPerson(services, actor, { name: 'Dara' });
    const people = await sql<{ id: string; name: string }>`
      select id, name from person where organisation_id = ${actor.organisationId}`.execute(db);
    const plan = await services.plans.createPlan(actor, { title: 'Plan', firstYear: 2008, lastYear: 2011 });
    const theme = await services.plans.createTheme(actor, plan.id, { title: 'Theme' });
    code = `KEPT-${Math.random().toString(36).slice(2, 6)}`;
    await services.plans.createPriority(actor, {
      themeId: theme.id,
      code,
      title: 'Kept pages',
      rationale: 'Why it matters.',
      accountableOfficerId: people.rows.find((p) => p.name === 'Olive')!.id,
      accountableDirectorId: people.rows.find((p) => p.name === 'Dara')!.id,
    });
    await services.periods.ensure(actor, PERIOD);
    await services.reports.create(actor, code, { period: PERIOD });
    await publish('FIRSTREVISION');
    url = paths.reports.show(code, PERIOD);
  });
  after(async () => {
    await app?.close();
    await normal?.close();
  });

  it('answers a second read by the same session with one statement, outside any transaction', async () => {
    const session = await reader();
    const first = await get(session);
    assert.equal(first.status, 200);
    assert.match(first.body, /FIRSTREVISION/);
    assert.ok(
      first.statements.some((s) => /^begin/i.test(s.sql)),
      'the first read is the normal path',
    );
    const hits = app.pageCache!.counts.hits;
    const second = await kept(session);
    assert.equal(app.pageCache!.counts.hits, hits + 2);
    // The same page as the normal path sends, but for the nonce (checked per response in `get`).
    assert.equal(second.body, (await get(session, normal)).body);
    assert.match(second.body, new RegExp(`name="_csrf" value="${session.csrfToken}"`));
  });

  /** A response's headers but for what is each response's own: its date, its request id and its nonces. */
  const sameFor = (response: LightMyRequestResponse) => {
    const { date, 'x-request-id': id, ...rest } = response.headers;
    assert.ok(date && id, 'a response has its date and request id');
    const csp = String(rest['content-security-policy']);
    assert.equal(nonces(response).length, 2, `the CSP carries a script and a style nonce: ${csp}`);
    return { ...rest, 'content-security-policy': csp.replace(/'nonce-[0-9a-f]{32}'/g, "'nonce'") };
  };
  const nonces = (response: LightMyRequestResponse) =>
    [...String(response.headers['content-security-policy']).matchAll(/'nonce-([0-9a-f]{32})'/g)].map((m) => m[1]!);

  it('sends a kept page with the headers the normal path sends, but its own nonces, date and request id', async () => {
    const production = async (on: FastifyInstance, session: TestSession, requestId?: string) =>
      on.inject({
        url,
        headers: {
          cookie: session.headers.cookie.replace('amber_session=', `${cookieNames(true).session}=`),
          ...(requestId ? { 'x-request-id': requestId } : {}),
        },
      });
    const { services, db, units } = t();
    const inProduction = await buildApp({ config: { env: 'production', logLevel: 'silent' }, db, units, services });
    const plainProduction = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db,
      units,
      services,
      pageCache: false,
    });
    try {
      for (const [on, plainApp, read] of [
        [
          app,
          normal,
          (a: FastifyInstance, s: TestSession, id?: string) =>
            a.inject({ url, headers: { ...s.headers, ...(id ? { 'x-request-id': id } : {}) } }),
        ],
        [inProduction, plainProduction, production],
      ] as const) {
        const session = await reader();
        const miss = await read(on, session);
        const hits = on.pageCache!.counts.hits;
        const hit = await read(on, session, 'kept-page-request');
        const again = await read(on, session);
        assert.equal(on.pageCache!.counts.hits, hits + 2, 'answered from memory');
        const plain = await read(plainApp, session);
        for (const response of [miss, hit, again, plain]) assert.equal(response.statusCode, 200);
        assert.deepEqual(sameFor(hit), sameFor(miss));
        assert.deepEqual(sameFor(again), sameFor(plain));
        assert.match(String(hit.headers['x-frame-options']), /SAMEORIGIN/);
        // Each response's nonces are its own (the page's script nonce checked in `get`), and so is its id.
        const seen = [...nonces(miss), ...nonces(hit), ...nonces(again)];
        assert.equal(new Set(seen).size, seen.length, 'a nonce was sent twice');
        assert.ok(hit.body.includes(`nonce="${nonces(hit)[0]}"`), 'the page carries its CSP’s script nonce');
        assert.equal(hit.headers['x-request-id'], 'kept-page-request');
        assert.notEqual(again.headers['x-request-id'], miss.headers['x-request-id']);
        assert.equal(Number(hit.headers['content-length']), hit.rawPayload.length);
      }
    } finally {
      await inProduction.close();
      await plainProduction.close();
    }
  });

  it('goes the normal path when the access generation cannot be read', async () => {
    const session = await reader();
    await kept(session);
    // The pool-level statement fails (a connection lost, say); the normal path's statements do not.
    const db = t().db as unknown as { executeQuery: (query: CompiledQuery) => Promise<unknown> };
    const executeQuery = db.executeQuery;
    db.executeQuery = function (this: unknown, query: CompiledQuery) {
      if (/amber_access_generation\('/.test(query.sql)) return Promise.reject(new Error('connection lost'));
      return executeQuery.call(this, query);
    };
    let response;
    try {
      response = await app.inject({ url, headers: session.headers });
    } finally {
      delete (db as { executeQuery?: unknown }).executeQuery;
    }
    assert.equal(response.statusCode, 200);
    const plain = await normal.inject({ url, headers: session.headers });
    assert.deepEqual(sameFor(response), sameFor(plain));
    assert.equal(response.body.replace(/nonce="[^"]*"/g, ''), plain.body.replace(/nonce="[^"]*"/g, ''));
    // Kept again by that normal path: the next read is one statement.
    assert.equal((await get(session)).statements.length, 1);
  });

  it('does not keep the page of someone who may change the report (its live parts change unseen)', async () => {
    const editor = await createTestSession(t().services, actor.organisationId, [
      'administrator',
      'performance_officer',
    ]);
    await get(editor);
    const again = await get(editor);
    assert.equal(again.status, 200);
    assert.ok(again.statements.length > 1);
  });

  it('is not used after sign-out: the normal path sends the person to sign in', async () => {
    const session = await reader();
    await kept(session);
    const token = /amber_session=([^;]+)/.exec(session.headers.cookie)![1]!;
    await t().services.accounts.signOut(token, { ip: '127.0.0.1', userAgent: 'test' });
    await answersAsTheNormalPath(session, 302);
  });

  it('is not used by one instance after the person signed out through another', async () => {
    // A second instance on the same database, with its own memory: nothing but the database joins them.
    const second = await buildApp({
      config: { env: 'test', logLevel: 'silent' },
      db: t().db,
      units: t().units,
      services: t().services,
    });
    try {
      const session = await reader();
      await kept(session);
      const out = await second.inject({ method: 'POST', url: paths.signOut, headers: session.headers, payload: {} });
      assert.equal(out.statusCode, 303, out.body.slice(0, 200));
      await answersAsTheNormalPath(session, 302);
    } finally {
      await second.close();
    }
  });

  it('is not used once the person’s role is removed', async () => {
    const session = await reader();
    await kept(session);
    await sql`update membership set roles = '{}' where user_id = ${session.userId}`.execute(t().db);
    await answersAsTheNormalPath(session, 403);
  });

  it('is not used once a share of the organisation’s is revoked, nor once an agreement is made', async () => {
    const session = await reader();
    await kept(session);
    const agreementId = await agreementWithOther('31/03/2099');
    await answersAsTheNormalPath(session, 200);
    const priority = await sql<{ id: string }>`select id from priority where code = ${code}`.execute(t().db);
    const period = await sql<{ id: string }>`
      select id from reporting_period where key = ${PERIOD} and organisation_id = ${actor.organisationId}`.execute(
      t().db,
    );
    const shareId = await t().units.run(
      () =>
        t().services.sharing.createShare(actor, agreementId, {
          priorityId: priority.rows[0]!.id,
          level: 'read',
          periodIds: [period.rows[0]!.id],
          internalSections: [],
        }),
      { organisationId: actor.organisationId },
    );
    await kept(session);
    await sql`update priority_share set revoked_at = now() where id = ${shareId}`.execute(t().db);
    await answersAsTheNormalPath(session, 200);
  });

  it('is not used once an agreement it relied on has ended (its end date passed)', async () => {
    // An agreement that ends today (UK): the page is kept until midnight, whatever else holds.
    const today = (
      await sql<{ d: string }>`select to_char((now() at time zone 'Europe/London')::date, 'DD/MM/YYYY') as d`.execute(
        t().db,
      )
    ).rows[0]!.d;
    await agreementWithOther(today);
    const midnight = (
      await sql<{ at: Date }>`
        select (((now() at time zone 'Europe/London')::date + 1)::timestamp at time zone 'Europe/London') as at`.execute(
        t().db,
      )
    ).rows[0]!.at;
    const end = new Date(midnight).getTime();
    const session = await reader();
    // The session's own limits fall after the agreement's end: last seen 30 s before midnight.
    await sql`update user_session set last_seen_at = ${new Date(end - 30_000)}, expires_at = ${new Date(end + 86_400_000)}
      where user_id = ${session.userId}`.execute(t().db);
    try {
      await kept(session);
      clock = end - 1_000;
      await kept(session);
      clock = end + 1_000; // the agreement has ended; the session's "last seen" write is not due yet
      await answersAsTheNormalPath(session, 200);
    } finally {
      clock = Date.now();
    }
  });

  it('is not used once the revision is superseded: the new one is shown', async () => {
    const session = await reader();
    const before = await kept(session);
    assert.match(before.body, /FIRSTREVISION/);
    await publish('SECONDREVISION');
    await answersAsTheNormalPath(session, 200);
    const now = await get(session);
    assert.match(now.body, /SECONDREVISION/);
    assert.doesNotMatch(now.body, /FIRSTREVISION/);
  });

  it('is never given to another session, of this organisation or another', async () => {
    const mine = await reader();
    await kept(mine);
    const colleague = await reader();
    const theirs = await get(colleague);
    assert.equal(theirs.status, 200);
    assert.ok(theirs.statements.length > 1, 'another session of the same organisation got the kept page');
    const stranger = await createTestSession(t().services, other.organisationId, ['viewer']);
    for (let i = 0; i < 2; i++) {
      const read = await get(stranger);
      assert.equal(read.status, 404);
      assert.doesNotMatch(read.body, /SECONDREVISION|FIRSTREVISION/);
      assert.ok(read.statements.length > 1);
    }
    // Nor under the organisation's own address.
    const slug = (
      await sql<{ slug: string }>`select slug from organisation where id = ${actor.organisationId}`.execute(t().db)
    ).rows[0]!.slug;
    const there = await get(stranger, app, `/o/${slug}${url}`);
    assert.equal(there.status, 404);
  });

  it('keeps at most its size, the least recently used going first', async () => {
    app.pageCache!.clear();
    const sessions = [];
    for (let i = 0; i < MAX + 2; i++) {
      const session = await reader();
      sessions.push(session);
      await get(session);
      await get(sessions[0]!); // the first stays the most recently used
    }
    assert.equal(app.pageCache!.size, MAX);
    assert.equal((await get(sessions[0]!)).statements.length, 1, 'the most recently used is kept');
    assert.ok((await get(sessions[1]!)).statements.length > 1, 'the least recently used went');
  });

  it('has a trigger of the access generation on every table that decides who reads a report page', async () => {
    const tables = (
      await sql<{ name: string }>`
        select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(t().db)
    ).rows.map((r) => r.name);
    const triggered = (
      await sql<{ name: string }>`
        select distinct c.relname as name from pg_trigger tg join pg_class c on c.oid = tg.tgrelid
        join pg_proc p on p.oid = tg.tgfoid
        where p.proname = 'amber_access_changed' and tg.tgenabled = 'O'
          and c.relnamespace = (select oid from pg_namespace where nspname = current_schema())`.execute(t().db)
    ).rows.map((r) => r.name);
    const unclassified = tables.filter((name) => !triggered.includes(name) && !Object.hasOwn(DECIDE_NOTHING, name));
    assert.deepEqual(
      unclassified,
      [],
      'a table neither moves the access generation nor is named as deciding nothing about reading report pages',
    );
    assert.deepEqual(
      triggered.filter((name) => Object.hasOwn(DECIDE_NOTHING, name)),
      [],
      'a table named as deciding nothing has a trigger',
    );
    assert.deepEqual(
      Object.keys(DECIDE_NOTHING).filter((name) => !tables.includes(name)),
      [],
      'a table named here is not in the schema',
    );
    for (const name of [
      'user_session',
      'user_account',
      'membership',
      'organisation',
      'priority',
      'reporting_period',
      'progress_report',
      'report_revision',
      'report_rendering',
      'sharing_agreement',
      'priority_share',
    ])
      assert.ok(triggered.includes(name), name);
  });

  it('moves only the organisations a change concerns, and not for a session’s "last seen" write', async () => {
    const generation = async (id: string) =>
      String((await sql<{ g: string }>`select amber_access_generation(${id}::uuid) as g`.execute(t().db)).rows[0]!.g);
    const session = await reader();
    const [mine, theirs] = [await generation(actor.organisationId), await generation(other.organisationId)];
    await sql`update user_session set last_seen_at = now() where user_id = ${session.userId}`.execute(t().db);
    assert.equal(await generation(actor.organisationId), mine);
    await sql`update membership set roles = '{viewer,contributor}' where user_id = ${session.userId}`.execute(t().db);
    const moved = await generation(actor.organisationId);
    assert.ok(BigInt(moved) > BigInt(mine));
    assert.equal(await generation(other.organisationId), theirs);
  });
});
