// Prometheus metrics at /metrics (prom-client, text exposition format): what docs/operations.md
// "Health and metrics" lists and draws a dashboard from.
//
// Each app has its own Registry (tests build many apps in one process; the global default
// registry would refuse the second). The Node process metrics (CPU, memory, event loop, GC)
// belong to the process, not to an app: they are collected once per process, in a registry of
// their own, and every app's /metrics shows them.
//
// Labels stay few and bounded: the route is Fastify's URL pattern (`/priorities/:code`, never
// the URL with its ids; requests no route matched are `unmatched`); the duration histogram has
// the status class (2xx…5xx), the response counter the exact status code. No organisation and no
// person is ever a label.
//
// The job queue and the database pool are read when Prometheus scrapes, not kept up to date as
// things happen: the queue is shared by every instance (one table), so any instance tells it.
//
// Who may read them: anyone on this machine (a loopback connection that no proxy forwarded),
// or whoever sends METRICS_TOKEN as a bearer token. Never the internet by default: the counts say
// how busy a council is and the process metrics how big the server is.

import { sql, type QueryExecutorProvider } from 'kysely';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { paths } from '../../paths.ts';
import { bearerToken, sameSecret } from './auth.ts';

/** What node-postgres's Pool tells of itself (a `pg.Pool` is one). */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options?: { max?: number | undefined };
}

export type SignInFailure = { method: 'password' | 'sso'; reason: 'refused' | 'limited' };

export interface MetricsOptions {
  /** The pool-level database: the job queue is read from it at scrape time. */
  db: QueryExecutorProvider;
  /** The database pool, when the caller has it (PGlite's is one connection). */
  pool?: PoolStats | undefined;
  /**
   * What this instance keeps in memory (ADR 0017's report pages, ADR 0023's dashboards): for each,
   * the running counts of what became of its lookups by result, as the metric's `result` labels
   * them (`served`, `partly`, `changed`, `absent`, `expired`, `not_kept`), read at scrape time; undefined
   * when it keeps nothing.
   */
  kept?: Readonly<Record<string, () => Readonly<Record<string, number>> | undefined>>;
}

export interface Metrics {
  registry: Registry;
  /** A sign-in that failed: wrong e-mail or password, a closed account (`refused`), or a sign-in limit (`limited`). */
  signInFailed: (failure: SignInFailure) => void;
  /** The exposition: the process's metrics, then the app's (the job queue read now). */
  render: () => Promise<string>;
}

/** The label of a request no route matched (a 404 from the not-found handler). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Seconds: from a cached page (~5 ms) to a board pack drawn while the request waits. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

let processRegistry: Registry | undefined;
/** The Node process's own metrics, registered once per process whatever the number of apps. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** 127.0.0.0/8 and ::1, also written as IPv4 in IPv6 (::ffff:127.0.0.1). */
export const isLoopback = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/i.test(address));

/**
 * The app's metrics, and the hook that counts every response. Called before any route is
 * registered, so that every route (and the not-found handler) is counted.
 */
export function registerMetrics(app: FastifyInstance, options: MetricsOptions): Metrics {
  const registry = new Registry();
  const nodeProcess = processMetrics();

  const duration = new Histogram({
    name: 'amber_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its response, by route pattern, method and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const responses = new Counter({
    name: 'amber_http_responses_total',
    help: 'Responses sent, by route pattern, method and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const signInFailures = new Counter({
    name: 'amber_sign_in_failures_total',
    help: 'Failed sign-ins: refused (wrong e-mail or password, closed account, no account for a single sign-on) or limited (too many failed attempts).',
    labelNames: ['method', 'reason'] as const,
    registers: [registry],
  });
  for (const method of ['password', 'sso'] as const)
    for (const reason of ['refused', 'limited'] as const) signInFailures.inc({ method, reason }, 0);

  // How often what is kept in memory was served, by the counts each keeps since it was made: each
  // scrape adds what they grew by since the last (a counter never goes down).
  const kept = options.kept ?? {};
  const keptSeen = new Map<string, number>();
  new Counter({
    name: 'amber_kept_lookups_total',
    help: 'Lookups of what this instance keeps in memory (report_page: a reader’s published report page; dashboard: a dashboard worked out), by result: served as kept; partly (a dashboard one of whose two parts changed since: that part worked out again, the other served as kept); changed (what it depends on changed since: worked out again); absent (none kept for it); expired (a kept page past its time); not_kept (worked out and not kept).',
    labelNames: ['kept', 'result'] as const,
    registers: [registry],
    collect() {
      for (const [what, read] of Object.entries(kept))
        for (const [result, count] of Object.entries(read() ?? {})) {
          const key = `${what} ${result}`;
          const grew = count - (keptSeen.get(key) ?? 0);
          keptSeen.set(key, count);
          this.inc({ kept: what, result }, Math.max(0, grew));
        }
    },
  });

  // The queue, read once per scrape for these four gauges.
  let queueRead: Promise<void> | undefined;
  const databaseUp = new Gauge({
    name: 'amber_database_up',
    help: '1 when the database answered the last scrape, 0 when it did not.',
    registers: [registry],
    collect: () => (queueRead ??= readQueue()),
  });
  const queued = new Gauge({
    name: 'amber_job_queue_depth',
    help: 'Background jobs queued and not yet taken by a worker (all instances share the queue).',
    registers: [registry],
    collect: () => (queueRead ??= readQueue()),
  });
  const running = new Gauge({
    name: 'amber_jobs_running',
    help: 'Background jobs a worker is running now.',
    registers: [registry],
    collect: () => (queueRead ??= readQueue()),
  });
  const oldest = new Gauge({
    name: 'amber_job_queue_oldest_age_seconds',
    help: 'How long the oldest queued job has waited; 0 when none waits.',
    registers: [registry],
    collect: () => (queueRead ??= readQueue()),
  });
  async function readQueue(): Promise<void> {
    try {
      const { rows } = await sql<{ queued: number; running: number; oldest: number }>`
        select count(*) filter (where status = 'queued')::int as queued,
               count(*) filter (where status = 'running')::int as running,
               coalesce(extract(epoch from now() - min(created_at) filter (where status = 'queued')), 0)::float8 as oldest
        from job where status in ('queued', 'running')`.execute(options.db);
      const row = rows[0]!;
      databaseUp.set(1);
      queued.set(row.queued);
      running.set(row.running);
      oldest.set(Math.max(0, row.oldest));
    } catch (error) {
      app.log.warn({ err: error }, 'metrics: the job queue could not be read');
      databaseUp.set(0);
      // No number is better than a stale one.
      queued.reset();
      running.reset();
      oldest.reset();
    }
  }

  const pool = options.pool;
  if (pool) {
    new Gauge({
      name: 'amber_db_pool_connections',
      help: 'Connections the database pool holds, open (in use or idle).',
      registers: [registry],
      collect() {
        this.set(pool.totalCount);
      },
    });
    new Gauge({
      name: 'amber_db_pool_idle_connections',
      help: 'Connections open and idle in the pool.',
      registers: [registry],
      collect() {
        this.set(pool.idleCount);
      },
    });
    new Gauge({
      name: 'amber_db_pool_waiting_requests',
      help: 'Queries waiting for a connection because every one is in use.',
      registers: [registry],
      collect() {
        this.set(pool.waitingCount);
      },
    });
    if (pool.options?.max !== undefined)
      new Gauge({
        name: 'amber_db_pool_max_connections',
        help: 'The most connections the pool opens (1 on PGlite: one connection, transactions one at a time).',
        registers: [registry],
      }).set(pool.options.max);
  }

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const status = reply.statusCode;
    duration.observe(
      { method: request.method, route, status_class: `${Math.floor(status / 100)}xx` },
      reply.elapsedTime / 1000,
    );
    responses.inc({ method: request.method, route, status_code: String(status) });
  });

  return {
    registry,
    signInFailed: (failure) => signInFailures.inc(failure),
    async render() {
      queueRead = undefined;
      return (await nodeProcess.metrics()) + (await registry.metrics());
    },
  };
}

/**
 * Straight from this machine: the connection's own address is loopback (not `request.ip`, which
 * TRUST_PROXY may take from a header) and no proxy forwarded it. A reverse proxy on the same
 * machine connects from loopback too; the forwarding headers it adds tell the two apart.
 */
const fromThisMachine = (request: FastifyRequest): boolean =>
  isLoopback(request.socket.remoteAddress) &&
  request.headers['x-forwarded-for'] === undefined &&
  request.headers.forwarded === undefined;

function refuse(reply: FastifyReply, status: 401 | 403, detail: string) {
  if (status === 401) reply.header('www-authenticate', 'Bearer');
  return reply
    .status(status)
    .type('application/problem+json')
    .send({
      type: 'about:blank',
      title: status === 401 ? 'Sign in to continue' : 'You do not have permission',
      status,
      code: 'METRICS_REFUSED',
      detail,
    });
}

/** /metrics: to this machine, or to whoever sends METRICS_TOKEN (`token`) as a bearer token. */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  options: { token?: string | undefined },
): void {
  app.get(paths.metrics, { config: { infrastructure: true } }, async (request, reply) => {
    const presented = bearerToken(request);
    if (presented !== undefined) {
      if (!sameSecret(presented, options.token))
        return refuse(reply, 401, 'The bearer token is not the metrics token (METRICS_TOKEN).');
    } else if (!fromThisMachine(request)) {
      return refuse(
        reply,
        403,
        'Metrics are served to this machine only, or to a scraper that sends METRICS_TOKEN as a bearer token.',
      );
    }
    const text = await metrics.render();
    return reply.header('cache-control', 'no-store').type(metrics.registry.contentType).send(text);
  });
}
