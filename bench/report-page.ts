// Requests per second for the report page, as a ratio to a bare Fastify 'hello' route measured
// in the same run. Both servers live in this process, on 127.0.0.1 only; autocannon fires
// from a worker thread of its own so the load generator does not share the servers' event
// loop. Short rounds alternate between the targets (reversed every other round), so a noisy
// spell on the machine falls on all of them alike; we quote medians over the rounds. Any
// response other than 200, any connection error or timeout fails the benchmark. Since sign-in
// (issue 3) every page needs a session: the Amber requests carry the session cookie of the demo's
// performance officer, signed in once with the password before any load.
//
//   node bench/report-page.ts [--engine pglite|postgres|both] [--rounds 5]
//     [--duration 5] [--connections 10] [--warmup 2] [--env production|test]

import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import autocannon, { type Result } from 'autocannon';
import type { Engine } from '../src/platform/db/database.ts';
import type { Config } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
import type { Services } from '../src/composition.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import { DEMO_ACCOUNTS } from '../src/modules/demo/demo-accounts.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { count, parseEngine, SEED_PERIOD, SEED_PRIORITY } from './render.ts';
import { deadline, fmt, isMain, median } from './support.ts';

export interface ReportPageOptions {
  engines: Engine[];
  rounds: number;
  /** Seconds per round. */
  duration: number;
  connections: number;
  /** Seconds of discarded load per target before the first round. */
  warmup: number;
  /**
   * The Amber app's mode. `production` is what users get; `test` and `development` switch off
   * the template cache (templates are re-read and recompiled on every request).
   */
  env: Config['env'];
}

export const REPORT_PAGE_DEFAULTS: ReportPageOptions = {
  engines: ['pglite'],
  rounds: 5,
  duration: 5,
  connections: 10,
  warmup: 2,
  env: 'production',
};

export interface Round {
  round: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMeanMs: number;
  requests: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

export interface Target {
  name: string;
  engine: Engine | 'none';
  path: string;
  medianRequestsPerSecond: number;
  medianLatencyP50Ms: number;
  medianLatencyP99Ms: number;
  medianLatencyMeanMs: number;
  rounds: Round[];
}

export interface ReportPageResult {
  benchmark: 'report-page';
  options: ReportPageOptions;
  targets: Target[];
  /** Per engine: median req/s of the page ÷ median req/s of /hello (and the median of the per-round ratios). */
  ratios: { engine: Engine; page: string; ratioOfMedians: number; medianOfRoundRatios: number }[];
  /** Responses that were not 200, connection errors and timeouts, over all rounds (warm-up included). */
  failures: number;
}

export interface Server {
  name: string;
  app: FastifyInstance;
  database?: Pick<TestDatabase, 'close'>;
  base?: string;
  cookie?: string;
}

/** What a load request sends besides its URL (and the status it must answer). */
export interface Request {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The one status every response must have; 200 unless said. */
  status?: number;
}

export const HELLO = '/hello';
export const REPORT = paths.reports.show(SEED_PRIORITY, SEED_PERIOD);

/** The demo account the benchmarks sign in as: it may read every report. */
export const BENCH_ACCOUNT = DEMO_ACCOUNTS.find((a) => a.role === 'performance_officer')!;

/**
 * Signs the demo's performance officer in with the password, as the sign-in form does (one
 * argon2id check, before any load), and returns the `Cookie` header a browser would then send.
 */
export async function signInCookie(
  services: Services,
  env: Config['env'],
): Promise<{ cookie: string; session: Awaited<ReturnType<Services['accounts']['signIn']>> }> {
  const home = await services.organisations.publicActor();
  const session = await services.accounts.signIn(
    home!.actor,
    { email: BENCH_ACCOUNT.email, password: BENCH_ACCOUNT.password },
    { ip: '127.0.0.1', userAgent: 'bench' },
  );
  return { cookie: `${cookieNames(env === 'production').session}=${session.token}`, session };
}

export function bareApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get(HELLO, async () => 'hello');
  return app;
}

async function amberApp(engine: Engine, env: Config['env']): Promise<Server> {
  const database = await openTestDatabase(engine);
  try {
    await database.services.demo.load('bench');
    const { cookie } = await signInCookie(database.services, env);
    const app = await buildApp({
      config: { env, logLevel: 'silent' },
      db: database.db,
      units: database.units,
      services: database.services,
    });
    return { name: `amber-${engine}`, app, database, cookie };
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function start(server: Server): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (!address || typeof address === 'string') throw new Error(`${server.name} has no address`);
  server.base = `http://127.0.0.1:${address.port}`;
  return server.base;
}

/**
 * One request before any load: it must answer the expected status (200 unless said) with what we
 * expect in the body, or, for a redirect, in the Location header. Returns the response.
 */
export async function preflight(url: string, expect: string, request: Request = {}): Promise<Response> {
  const method = request.method ?? 'GET';
  const status = request.status ?? 200;
  const response = await fetch(url, {
    method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: AbortSignal.timeout(30_000),
  });
  const body = await response.text();
  if (response.status !== status)
    throw new Error(`${method} ${url} answered ${response.status}, not ${status}: ${body.slice(0, 300)}`);
  const where = status >= 300 && status < 400 ? (response.headers.get('location') ?? '') : body;
  if (!where.includes(expect))
    throw new Error(
      `${method} ${url} answered ${status} without "${expect}" in its ${status >= 300 && status < 400 ? 'Location' : 'body'}`,
    );
  return response;
}

export async function fire(
  url: string,
  options: Pick<ReportPageOptions, 'connections'>,
  duration: number,
  request: Request = {},
): Promise<Result> {
  return autocannon({
    url,
    connections: options.connections,
    duration,
    timeout: 10,
    workers: 1,
    bailout: 100,
    ...(request.method ? { method: request.method } : {}),
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body ? { body: request.body } : {}),
  });
}

export function summarise(round: number, result: Result): Round {
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]),
  );
  return {
    round,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    requests: result.requests.total,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** Responses with any other status than `status`, connection errors and timeouts. */
export const failuresIn = (r: Round, status = 200) =>
  r.errors +
  r.timeouts +
  Object.entries(r.statusCodes)
    .filter(([code]) => code !== String(status))
    .reduce((n, [, c]) => n + c, 0);

export async function runReportPage(options: ReportPageOptions = REPORT_PAGE_DEFAULTS): Promise<ReportPageResult> {
  const servers: Server[] = [];
  const close = async () => {
    // Every server and database, even when one of them fails to close.
    const closing = servers.splice(0).reverse();
    const outcomes = await Promise.allSettled(
      closing.map(async (s) => {
        await s.app.close();
        await s.database?.close();
      }),
    );
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const targetsCount = 1 + options.engines.length * 2;
  const budget = 180 + targetsCount * (options.warmup + options.rounds * (options.duration + 3)) * 1.5;
  const watchdog = deadline(Math.ceil(budget), 'bench/report-page.ts', close);
  try {
    const hello = { name: 'bare-fastify', app: bareApp() } satisfies Server;
    servers.push(hello);
    const plan: { name: string; engine: Engine | 'none'; path: string; url: string; request?: Request }[] = [];
    plan.push({ name: 'GET /hello (bare Fastify)', engine: 'none', path: HELLO, url: (await start(hello)) + HELLO });
    await preflight(plan[0]!.url, 'hello');
    for (const engine of options.engines) {
      const amber = await amberApp(engine, options.env);
      servers.push(amber);
      const base = await start(amber);
      const request: Request = { headers: { cookie: amber.cookie! } };
      plan.push({
        name: `GET ${paths.priorities.list}`,
        engine,
        path: paths.priorities.list,
        url: base + paths.priorities.list,
        request,
      });
      plan.push({ name: `GET ${REPORT}`, engine, path: REPORT, url: base + REPORT, request });
      await preflight(base + paths.priorities.list, SEED_PRIORITY, request);
      await preflight(base + REPORT, SEED_PRIORITY, request);
    }

    let failures = 0;
    if (options.warmup > 0) {
      for (const t of plan) failures += failuresIn(summarise(0, await fire(t.url, options, options.warmup, t.request)));
    }
    const rounds = new Map<string, Round[]>(plan.map((t) => [t.url, []]));
    for (let r = 1; r <= options.rounds; r++) {
      const order = r % 2 ? plan : [...plan].reverse();
      for (const t of order) {
        const round = summarise(r, await fire(t.url, options, options.duration, t.request));
        failures += failuresIn(round);
        rounds.get(t.url)!.push(round);
        process.stderr.write(
          `round ${r}/${options.rounds} ${t.engine === 'none' ? '' : `[${t.engine}] `}${t.path}: ${fmt(round.requestsPerSecond)} req/s, p50 ${round.latencyP50Ms} ms, p99 ${round.latencyP99Ms} ms\n`,
        );
      }
    }

    const targets: Target[] = plan.map((t) => {
      const rs = rounds.get(t.url)!;
      return {
        name: t.name,
        engine: t.engine,
        path: t.path,
        medianRequestsPerSecond: median(rs.map((x) => x.requestsPerSecond)),
        medianLatencyP50Ms: median(rs.map((x) => x.latencyP50Ms)),
        medianLatencyP99Ms: median(rs.map((x) => x.latencyP99Ms)),
        medianLatencyMeanMs: median(rs.map((x) => x.latencyMeanMs)),
        rounds: rs,
      };
    });
    const helloTarget = targets[0]!;
    const ratios = targets
      .filter((t) => t.engine !== 'none')
      .map((t) => ({
        engine: t.engine as Engine,
        page: t.path,
        ratioOfMedians: t.medianRequestsPerSecond / helloTarget.medianRequestsPerSecond,
        medianOfRoundRatios: median(
          t.rounds.map((x, i) => x.requestsPerSecond / helloTarget.rounds[i]!.requestsPerSecond),
        ),
      }));
    const result: ReportPageResult = { benchmark: 'report-page', options, targets, ratios, failures };
    if (failures > 0) {
      const detail = targets
        .map(
          (t) =>
            `${t.name}: ${JSON.stringify(t.rounds.map((x) => ({ ...x.statusCodes, errors: x.errors, timeouts: x.timeouts })))}`,
        )
        .join('\n');
      throw Object.assign(new Error(`${failures} responses were not 200 (or failed):\n${detail}`), { result });
    }
    return result;
  } finally {
    await close();
    watchdog.disarm();
  }
}

/** autocannon's latency histogram counts whole milliseconds: 0 means under 1 ms. */
const ms = (n: number) => (n === 0 ? '<1' : String(n));

export function reportPageTable(result: ReportPageResult): string {
  const o = result.options;
  const hello = result.targets[0]!.medianRequestsPerSecond;
  const rows = result.targets.map(
    (t) =>
      `| ${t.engine === 'none' ? '—' : t.engine} | ${t.name} | ${fmt(t.medianRequestsPerSecond)} | ${fmt(t.medianRequestsPerSecond / hello)} | ${fmt(hello / t.medianRequestsPerSecond)}× | ${ms(t.medianLatencyP50Ms)} | ${ms(t.medianLatencyP99Ms)} |`,
  );
  return [
    `Pages on loopback (Amber in ${o.env} mode; ${o.rounds} alternating rounds × ${o.duration} s, ${o.connections} connections; medians over rounds; latency in whole ms)`,
    '',
    '| Engine | Request | Req/s | Ratio to hello | Slower than hello | p50 ms | p99 ms |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

export function parseReportPageArgs(args: string[]): ReportPageOptions {
  return parseLoadArgs(args, REPORT_PAGE_DEFAULTS);
}

/** The options of a load benchmark (this one and bench/auth.ts), over `defaults`. */
export function parseLoadArgs(args: string[], defaults: ReportPageOptions): ReportPageOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      engine: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      env: { type: 'string' },
    },
  });
  const env = values.env ?? defaults.env;
  if (env !== 'production' && env !== 'test' && env !== 'development')
    throw new Error(`--env is production, test or development, not "${env}"`);
  return {
    engines: parseEngines(values.engine),
    rounds: count('--rounds', values.rounds, defaults.rounds, 1, 50),
    duration: count('--duration', values.duration, defaults.duration, 1, 60),
    connections: count('--connections', values.connections, defaults.connections, 1, 1000),
    warmup: count('--warmup', values.warmup, defaults.warmup, 0, 60),
    env,
  };
}

export function parseEngines(value: string | undefined): Engine[] {
  if (value === undefined) return REPORT_PAGE_DEFAULTS.engines;
  if (value === 'both') return ['pglite', 'postgres'];
  return [parseEngine(value)];
}

if (isMain(import.meta.url)) {
  const result = await runReportPage(parseReportPageArgs(process.argv.slice(2)));
  console.log(reportPageTable(result));
}
