// Observability (issue 14, item 3), on both engines: /health/live and /health/ready (503 with a
// reason when a migration is missing), Prometheus metrics scraped and parsed (request durations
// by route pattern, 404s, sign-in failures, the job queue, the database pool), who may scrape
// them, and the request id on every response and log line.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { ENGINES, openTestDatabase, type TestDatabase } from './helpers/database.ts';
import { createTestSession, form, type TestSession } from './helpers/app.ts';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { isLoopback } from '../src/platform/http/metrics.ts';
import { requestIdOf } from '../src/platform/http/request-id.ts';
import { MIGRATIONS_DIR, migrationNames } from '../src/platform/db/migrate.ts';

const TOKEN = 'a'.repeat(24) + '0123456789abcdef';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition format, parsed: one sample per line that is not a comment. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    // Prometheus reads NaN in any case (prom-client writes `Nan` for an empty event loop histogram).
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : /^nan$/i.test(m[3]!) ? NaN : Number(m[3]);
    assert.ok(!Number.isNaN(value) || /^nan$/i.test(m[3]!), `not a number: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
const total = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);

const one = (samples: Sample[], name: string): Sample | undefined => samples.find((s) => s.name === name);

describe('request ids as they come in', () => {
  for (const [given, kept] of [
    ['abc-123', true],
    ['6f1c2d1e-0b8a-4c1f-9e55-2a7d3c9b0e11', true],
    ['lb.trace_id-01', true],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
    ['', false],
    ['has space', false],
    ['<script>', false],
    ['line\nbreak', false],
    ['ünïcode', false],
  ] as const) {
    it(`${kept ? 'keeps' : 'replaces'} ${JSON.stringify(given.length > 20 ? `${given.slice(0, 8)}… (${given.length})` : given)}`, () => {
      const id = requestIdOf({ headers: { 'x-request-id': given } });
      if (kept) assert.equal(id, given);
      else assert.match(id, UUID);
    });
  }
  it('makes a new one for a request without, or with the header twice', () => {
    assert.match(requestIdOf({ headers: {} }), UUID);
    assert.match(requestIdOf({ headers: { 'x-request-id': ['a', 'b'] } }), UUID);
  });
});

describe('who counts as this machine for /metrics', () => {
  for (const [address, loopback] of [
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['128.0.0.1', false],
    ['1127.0.0.1', false],
    ['fe80::1', false],
    [undefined, false],
  ] as const)
    it(`${String(address)} is ${loopback ? '' : 'not '}loopback`, () => assert.equal(isLoopback(address), loopback));
});

describe('AMBER_KEPT_PAGES and AMBER_KEPT_DASHBOARDS', () => {
  it('keep 500 each by default, 0 keeps none, and take a whole number', () => {
    assert.deepEqual([loadConfig({}).keptPages, loadConfig({}).keptDashboards], [500, 500]);
    const set = loadConfig({ AMBER_KEPT_PAGES: '0', AMBER_KEPT_DASHBOARDS: '2000' });
    assert.deepEqual([set.keptPages, set.keptDashboards], [0, 2000]);
  });
  for (const [name, bad] of [
    ['AMBER_KEPT_PAGES', '-1'],
    ['AMBER_KEPT_DASHBOARDS', 'lots'],
    ['AMBER_KEPT_DASHBOARDS', '100001'],
  ] as const)
    it(`refuses ${name}=${bad}, naming the variable`, () =>
      assert.throws(
        () => loadConfig({ [name]: bad }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, new RegExp(`${name} must be a whole number from 0 to 100000`));
          return true;
        },
      ));
});

describe('METRICS_TOKEN', () => {
  it('is unset by default, and read when it is long enough', () => {
    assert.equal(loadConfig({}).metricsToken, undefined);
    assert.equal(loadConfig({ METRICS_TOKEN: ` ${TOKEN} ` }).metricsToken, TOKEN);
  });
  for (const bad of ['short', 'x'.repeat(31), `${'x'.repeat(32)} y`, `${'x'.repeat(32)}"`])
    it(`refuses ${JSON.stringify(bad)}, naming the variable`, () =>
      assert.throws(
        () => loadConfig({ METRICS_TOKEN: bad }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, /METRICS_TOKEN must be at least 32/);
          return true;
        },
      ));
});

for (const engine of ENGINES) {
  describe(`health, metrics and request ids [${engine}]`, () => {
    let t: TestDatabase;
    let app: FastifyInstance;
    let session: TestSession;
    let organisationId: string;
    /** A pool of this test's own on PostgreSQL, whose use the metrics must show. */
    let pool: pg.Pool | undefined;
    const logLines: Record<string, unknown>[] = [];

    before(async () => {
      t = await openTestDatabase(engine);
      const { organisation } = await t.services.demo.load('test');
      organisationId = organisation.id;
      if (t.url) pool = new pg.Pool({ connectionString: t.url, max: 3 });
      app = await buildApp({
        config: { env: 'test', logLevel: 'info', metricsToken: TOKEN },
        db: t.db,
        units: t.units,
        services: t.services,
        ...(pool ? { pool } : {}),
        logStream: { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
      });
      // A route that fails, for the 500s.
      app.get('/test-only/fails', { config: { infrastructure: true } }, async () => {
        throw new Error('this route always fails');
      });
      session = await createTestSession(t.services, organisationId, ['administrator']);
    });
    after(async () => {
      await app?.close();
      await pool?.end();
      await t?.close();
    });

    const scrape = async () => {
      const res = await app.inject({ url: paths.metrics });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      return parseExposition(res.body);
    };

    it('answers /health/live without asking the database, and keeps /health', async () => {
      const live = await app.inject({ url: paths.healthLive });
      assert.equal(live.statusCode, 200);
      assert.deepEqual(live.json(), { status: 'ok' });
      const health = await app.inject({ url: paths.health });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
    });

    it('is ready when every migration is applied, and answers 503 naming the one that is missing', async () => {
      const shipped = await migrationNames(MIGRATIONS_DIR);
      assert.ok(shipped.length > 10, 'the migrations are found');
      const ready = await app.inject({ url: paths.healthReady });
      assert.equal(ready.statusCode, 200, ready.body);
      assert.deepEqual(ready.json(), { status: 'ok', migrations: shipped.length });

      const missing = shipped[shipped.length - 1]!;
      const row = await t.db
        .selectFrom('kysely_migration' as never)
        .selectAll()
        .where('name' as never, '=', missing as never)
        .executeTakeFirstOrThrow();
      await sql`delete from kysely_migration where name = ${missing}`.execute(t.db);
      try {
        const notReady = await app.inject({ url: paths.healthReady });
        assert.equal(notReady.statusCode, 503);
        const body = notReady.json();
        assert.equal(body.status, 'unavailable');
        assert.equal(body.reason, 'MIGRATIONS_PENDING');
        assert.deepEqual(body.pending, [missing]);
        assert.match(body.detail, new RegExp(`1 of ${shipped.length} migrations is not applied`));
        // Live is about the process, not the database.
        assert.equal((await app.inject({ url: paths.healthLive })).statusCode, 200);
      } finally {
        await t.db
          .insertInto('kysely_migration' as never)
          .values(row)
          .execute();
      }
      assert.equal((await app.inject({ url: paths.healthReady })).statusCode, 200);

      // A migration of a newer version (a rolling upgrade): still ready, and said.
      await sql`insert into kysely_migration (name, timestamp) values ('9999-01-01-000-from-the-future', ${new Date().toISOString()})`.execute(
        t.db,
      );
      try {
        const ahead = await app.inject({ url: paths.healthReady });
        assert.equal(ahead.statusCode, 200);
        assert.deepEqual(ahead.json().unknownMigrations, ['9999-01-01-000-from-the-future']);
      } finally {
        await sql`delete from kysely_migration where name = '9999-01-01-000-from-the-future'`.execute(t.db);
      }
    });

    it('counts requests by route pattern, never by the URL with its ids, and counts 404s as unmatched', async () => {
      const before = (await scrape()).samples;
      const route = '/priorities/:code';
      const key = { method: 'GET', route, status_class: '2xx' };
      const countBefore = total(before, 'amber_http_request_duration_seconds_count', key);
      const unmatchedBefore = total(before, 'amber_http_responses_total', { route: 'unmatched', status_code: '404' });
      for (const code of ['VfM-4d', 'OP-2b', 'VfM-4d']) {
        const res = await app.inject({ url: paths.priorities.show(code), headers: session.headers });
        assert.equal(res.statusCode, 200);
      }
      // A priority that does not exist: the route matched, so it is counted under its pattern.
      assert.equal(
        (await app.inject({ url: paths.priorities.show('NOPE-1'), headers: session.headers })).statusCode,
        404,
      );
      assert.equal((await app.inject({ url: '/no/such/page/42', headers: session.headers })).statusCode, 404);

      const { samples, types } = await scrape();
      assert.equal(types.get('amber_http_request_duration_seconds'), 'histogram');
      assert.equal(types.get('amber_http_responses_total'), 'counter');
      assert.equal(total(samples, 'amber_http_request_duration_seconds_count', key) - countBefore, 3);
      assert.equal(
        total(samples, 'amber_http_request_duration_seconds_bucket', { ...key, le: '+Inf' }),
        total(samples, 'amber_http_request_duration_seconds_count', key),
        'the +Inf bucket holds every request',
      );
      assert.ok(total(samples, 'amber_http_request_duration_seconds_sum', key) > 0);
      assert.equal(
        total(samples, 'amber_http_responses_total', { method: 'GET', route, status_code: '404' }) -
          total(before, 'amber_http_responses_total', { method: 'GET', route, status_code: '404' }),
        1,
      );
      assert.equal(
        total(samples, 'amber_http_responses_total', { route: 'unmatched', status_code: '404' }) - unmatchedBefore,
        1,
      );
      const routes = new Set(samples.filter((s) => s.labels.route !== undefined).map((s) => s.labels.route));
      assert.ok(routes.has(route));
      for (const r of routes) assert.doesNotMatch(r!, /VfM-4d|OP-2b|NOPE-1|no\/such/, `a URL became a label: ${r}`);
    });

    it('counts failed sign-ins, refused and limited', async () => {
      const before = (await scrape()).samples;
      const page = await app.inject({ url: paths.signIn });
      const csrfCookie = String(
        ([] as string[])
          .concat((page.headers['set-cookie'] as string[]) ?? [])
          .find((c) => c.startsWith('amber_csrf=')),
      ).split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const attempt = () =>
        app.inject({
          method: 'POST',
          url: paths.signIn,
          remoteAddress: '198.51.100.7',
          ...form({ email: 'nobody@observability.test', password: 'not the password', _csrf: csrf }),
          headers: { ...form({}).headers, cookie: csrfCookie },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await attempt()).statusCode);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429], 'five refusals, then the limit');
      const after = (await scrape()).samples;
      const failures = (reason: string, samples: Sample[]) =>
        total(samples, 'amber_sign_in_failures_total', { method: 'password', reason });
      assert.equal(failures('refused', after) - failures('refused', before), 5);
      assert.equal(failures('limited', after) - failures('limited', before), 1);
    });

    it('shows the job queue: its depth and how long the oldest job has waited', async () => {
      const queuedNow = async () =>
        Number(
          (await sql<{ n: number }>`select count(*)::int as n from job where status = 'queued'`.execute(t.db)).rows[0]!
            .n,
        );
      const before = one((await scrape()).samples, 'amber_job_queue_depth')!.value;
      assert.equal(before, await queuedNow());
      const ids: string[] = [];
      for (let i = 0; i < 3; i++)
        ids.push((await t.services.jobs.queue.enqueue('observability.test', organisationId, { i })).id);
      // One has waited an hour.
      await sql`update job set created_at = now() - interval '1 hour' where id = ${ids[0]!}`.execute(t.db);
      const { samples } = await scrape();
      assert.equal(one(samples, 'amber_job_queue_depth')!.value, before + 3);
      assert.equal(one(samples, 'amber_job_queue_depth')!.value, await queuedNow());
      const oldest = one(samples, 'amber_job_queue_oldest_age_seconds')!.value;
      assert.ok(oldest >= 3600 && oldest < 2 * 3600, `oldest waited ${oldest} s`);
      assert.equal(one(samples, 'amber_database_up')!.value, 1);

      await sql`update job set status = 'done' where id in (${sql.join(ids)})`.execute(t.db);
      assert.equal(one((await scrape()).samples, 'amber_job_queue_depth')!.value, before);
    });

    it(
      'shows the database pool it is given',
      {
        skip:
          engine === 'pglite' &&
          'PGlite’s pool is made inside openDatabase, out of reach; the gauges are checked on PostgreSQL’s (the same pg.Pool)',
      },
      async () => {
        const held = [await pool!.connect(), await pool!.connect()];
        held[1]!.release();
        const s = (await scrape()).samples;
        assert.equal(one(s, 'amber_db_pool_connections')!.value, 2);
        assert.equal(one(s, 'amber_db_pool_idle_connections')!.value, 1);
        assert.equal(one(s, 'amber_db_pool_waiting_requests')!.value, 0);
        assert.equal(one(s, 'amber_db_pool_max_connections')!.value, 3);
        held[0]!.release();
        assert.equal(one((await scrape()).samples, 'amber_db_pool_idle_connections')!.value, 2);
      },
    );

    it('counts what became of the dashboards and report pages it keeps in memory', async () => {
      const kept = (samples: Sample[], what: string, result: string) =>
        total(samples, 'amber_kept_lookups_total', { kept: what, result });
      const dashboard = `${paths.dashboard}?period=2009-10-h1`;
      const view = async () =>
        assert.equal((await app.inject({ url: dashboard, headers: session.headers })).statusCode, 200);
      await view(); // kept, whatever was before
      const { samples: before, types } = await scrape();
      assert.equal(types.get('amber_kept_lookups_total'), 'counter');
      for (const what of ['dashboard', 'report_page'])
        for (const result of ['served', 'changed', 'absent'])
          assert.ok(
            before.some(
              (s) => s.name === 'amber_kept_lookups_total' && s.labels.kept === what && s.labels.result === result,
            ),
            `${what} ${result}`,
          );
      // A change to what its reports part reads, then three views: that part worked out again
      // (the indicators' part served as kept), then served, served; then a change to what both read.
      await sql`update theme set title = title where organisation_id = ${organisationId}`.execute(t.db);
      await view();
      await view();
      await view();
      await sql`update reporting_period set key = key where organisation_id = ${organisationId}`.execute(t.db);
      await view();
      const after = (await scrape()).samples;
      const grew = (result: string) => kept(after, 'dashboard', result) - kept(before, 'dashboard', result);
      assert.equal(grew('served'), 2);
      assert.equal(grew('partly'), 1);
      assert.equal(grew('changed'), 1);
      assert.equal(grew('absent'), 0);
      assert.equal(grew('not_kept'), 0);
    });

    it('shows the Node process metrics', async () => {
      const { samples, types } = await scrape();
      assert.equal(types.get('process_cpu_seconds_total'), 'counter');
      assert.ok(one(samples, 'process_resident_memory_bytes')!.value > 0);
      assert.ok(one(samples, 'nodejs_heap_size_used_bytes')!.value > 0);
    });

    it('serves metrics to this machine, or with the token, and to nobody else', async () => {
      const from = (remoteAddress: string, headers: Record<string, string> = {}) =>
        app.inject({ url: paths.metrics, remoteAddress, headers });
      assert.equal((await from('127.0.0.1')).statusCode, 200);
      assert.equal((await from('::1')).statusCode, 200);
      const outside = await from('203.0.113.9');
      assert.equal(outside.statusCode, 403);
      assert.equal(outside.json().code, 'METRICS_REFUSED');
      assert.doesNotMatch(outside.body, /amber_http/);
      // Through a reverse proxy on this machine: from loopback, but not from here.
      assert.equal((await from('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' })).statusCode, 403);
      assert.equal((await from('127.0.0.1', { forwarded: 'for=203.0.113.9' })).statusCode, 403);
      const withToken = await from('203.0.113.9', { authorization: `Bearer ${TOKEN}` });
      assert.equal(withToken.statusCode, 200);
      assert.match(withToken.body, /^# HELP /m);
      const wrong = await from('203.0.113.9', { authorization: `Bearer ${TOKEN.slice(0, -1)}x` });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.headers['www-authenticate'], 'Bearer');
      // A wrong token is refused even from this machine.
      assert.equal((await from('127.0.0.1', { authorization: 'Bearer nope' })).statusCode, 401);
    });

    it('gives every response a request id: the caller’s when it is safe, a new one otherwise, on 404s and 500s too', async () => {
      const echoed = await app.inject({ url: paths.healthLive, headers: { 'x-request-id': 'lb-7f3a.01_x' } });
      assert.equal(echoed.headers['x-request-id'], 'lb-7f3a.01_x');
      const unsafe = await app.inject({ url: paths.healthLive, headers: { 'x-request-id': 'evil id"{}<script>' } });
      assert.match(String(unsafe.headers['x-request-id']), UUID);
      const a = await app.inject({ url: paths.healthLive });
      const b = await app.inject({ url: paths.healthLive });
      assert.match(String(a.headers['x-request-id']), UUID);
      assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
      const notFound = await app.inject({ url: '/no/such/page', headers: { 'x-request-id': 'nf-1' } });
      assert.equal(notFound.statusCode, 404);
      assert.equal(notFound.headers['x-request-id'], 'nf-1');
      const failed = await app.inject({ url: '/test-only/fails', headers: { 'x-request-id': 'boom-1' } });
      assert.equal(failed.statusCode, 500);
      assert.equal(failed.headers['x-request-id'], 'boom-1');
      const badUrl = await app.inject({ url: '/%zz', headers: { 'x-request-id': 'bad-url-1' } });
      assert.equal(badUrl.statusCode, 400);
      assert.equal(badUrl.headers['x-request-id'], 'bad-url-1');
      const refused = await app.inject({ url: paths.priorities.list });
      assert.equal(refused.statusCode, 302, 'the public is sent to sign in');
      assert.match(String(refused.headers['x-request-id']), UUID);
    });

    it('writes the request id on the log lines of the request, the error included', async () => {
      const id = `log-line-${engine}`;
      const res = await app.inject({ url: '/test-only/fails', headers: { 'x-request-id': id } });
      assert.equal(res.statusCode, 500);
      const mine = logLines.filter((l) => l.reqId === id);
      assert.deepEqual(
        mine.map((l) => l.msg),
        ['incoming request', 'request failed', 'request completed'],
      );
      const error = mine.find((l) => l.msg === 'request failed')!;
      assert.equal(error.level, 50);
      assert.match(String((error.err as { message?: string }).message), /this route always fails/);
      // Every line Fastify wrote for a request carries an id.
      const requestLines = logLines.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed');
      assert.ok(requestLines.length > 10);
      for (const l of requestLines) assert.equal(typeof l.reqId, 'string', JSON.stringify(l));
    });

    it('keeps each app’s metrics its own: a second app in the process starts at zero', async () => {
      const second = await buildApp({
        config: { env: 'test', logLevel: 'silent' },
        db: t.db,
        units: t.units,
        services: t.services,
      });
      try {
        await second.inject({ url: paths.healthLive });
        const res = await second.inject({ url: paths.metrics });
        const { samples } = parseExposition(res.body);
        assert.equal(total(samples, 'amber_http_responses_total', { route: paths.healthLive }), 1);
        assert.equal(total(samples, 'amber_http_responses_total', { route: '/priorities/:code' }), 0);
        assert.equal(one(samples, 'amber_db_pool_connections'), undefined, 'no pool given, none shown');
        assert.ok(total((await scrape()).samples, 'amber_http_responses_total', { route: '/priorities/:code' }) >= 4);
      } finally {
        await second.close();
      }
    });
  });
}
