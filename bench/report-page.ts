// Requests per second for the report page, as a ratio to a bare Fastify 'hello' route measured
// in the same run. Both servers live in this process, on 127.0.0.1 only; autocannon fires
// from a worker thread of its own so the load generator does not share the servers' event
// loop. Short rounds alternate between the targets (reversed every other round), so a noisy
// spell on the machine falls on all of them alike; we quote medians over the rounds. Any
// response other than 200, any connection error or timeout fails the benchmark.
//
//   node --import tsx bench/report-page.ts [--engine pglite|postgres|both] [--rounds 5]
//     [--duration 5] [--connections 10] [--warmup 2] [--env production|test]

import { parseArgs } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import autocannon, { type Result } from 'autocannon';
import type { Engine } from '../src/platform/db/database.ts';
import type { Config } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
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

export const REPORT_PAGE_DEFAULTS: ReportPageOptions = { engines: ['pglite'], rounds: 5, duration: 5, connections: 10, warmup: 2, env: 'production' };

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

interface Server { name: string; app: FastifyInstance; database?: TestDatabase; base?: string }

const HELLO = '/hello';
const REPORT = paths.reports.show(SEED_PRIORITY, SEED_PERIOD);

function bareApp(): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get(HELLO, async () => 'hello');
  return app;
}

async function amberApp(engine: Engine, env: Config['env']): Promise<Server> {
  const database = await openTestDatabase(engine);
  try {
    await database.services.demo.load('bench');
    const app = await buildApp({ config: { env, logLevel: 'silent' }, db: database.db, services: database.services });
    return { name: `amber-${engine}`, app, database };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function start(server: Server): Promise<string> {
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const address = server.app.server.address();
  if (!address || typeof address === 'string') throw new Error(`${server.name} has no address`);
  server.base = `http://127.0.0.1:${address.port}`;
  return server.base;
}

/** One request before any load: the page must answer 200 with what we expect in it. */
async function preflight(url: string, expect: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}, not 200: ${body.slice(0, 300)}`);
  if (!body.includes(expect)) throw new Error(`GET ${url} answered 200 without "${expect}"`);
}

async function fire(url: string, options: ReportPageOptions, duration: number): Promise<Result> {
  return autocannon({ url, connections: options.connections, duration, timeout: 10, workers: 1, bailout: 100 });
}

function summarise(round: number, result: Result): Round {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)]));
  return {
    round,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    requests: result.requests.total,
    statusCodes, errors: result.errors, timeouts: result.timeouts,
  };
}

const failuresIn = (r: Round) => r.errors + r.timeouts + Object.entries(r.statusCodes).filter(([code]) => code !== '200').reduce((n, [, c]) => n + c, 0);

export async function runReportPage(options: ReportPageOptions = REPORT_PAGE_DEFAULTS): Promise<ReportPageResult> {
  const servers: Server[] = [];
  const close = async () => {
    // Every server and database, even when one of them fails to close.
    const closing = servers.splice(0).reverse();
    const outcomes = await Promise.allSettled(closing.map(async (s) => { await s.app.close(); await s.database?.close(); }));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const targetsCount = 1 + options.engines.length * 2;
  const budget = 180 + targetsCount * (options.warmup + options.rounds * (options.duration + 3)) * 1.5;
  const watchdog = deadline(Math.ceil(budget), 'bench/report-page.ts', close);
  try {
    const hello = { name: 'bare-fastify', app: bareApp() } satisfies Server;
    servers.push(hello);
    const plan: { name: string; engine: Engine | 'none'; path: string; url: string }[] = [];
    plan.push({ name: 'GET /hello (bare Fastify)', engine: 'none', path: HELLO, url: (await start(hello)) + HELLO });
    await preflight(plan[0]!.url, 'hello');
    for (const engine of options.engines) {
      const amber = await amberApp(engine, options.env);
      servers.push(amber);
      const base = await start(amber);
      plan.push({ name: `GET ${paths.priorities.list}`, engine, path: paths.priorities.list, url: base + paths.priorities.list });
      plan.push({ name: `GET ${REPORT}`, engine, path: REPORT, url: base + REPORT });
      await preflight(base + paths.priorities.list, SEED_PRIORITY);
      await preflight(base + REPORT, SEED_PRIORITY);
    }

    let failures = 0;
    if (options.warmup > 0) {
      for (const t of plan) failures += failuresIn(summarise(0, await fire(t.url, options, options.warmup)));
    }
    const rounds = new Map<string, Round[]>(plan.map((t) => [t.url, []]));
    for (let r = 1; r <= options.rounds; r++) {
      const order = r % 2 ? plan : [...plan].reverse();
      for (const t of order) {
        const round = summarise(r, await fire(t.url, options, options.duration));
        failures += failuresIn(round);
        rounds.get(t.url)!.push(round);
        process.stderr.write(`round ${r}/${options.rounds} ${t.engine === 'none' ? '' : `[${t.engine}] `}${t.path}: ${fmt(round.requestsPerSecond)} req/s, p50 ${round.latencyP50Ms} ms, p99 ${round.latencyP99Ms} ms\n`);
      }
    }

    const targets: Target[] = plan.map((t) => {
      const rs = rounds.get(t.url)!;
      return {
        name: t.name, engine: t.engine, path: t.path,
        medianRequestsPerSecond: median(rs.map((x) => x.requestsPerSecond)),
        medianLatencyP50Ms: median(rs.map((x) => x.latencyP50Ms)),
        medianLatencyP99Ms: median(rs.map((x) => x.latencyP99Ms)),
        medianLatencyMeanMs: median(rs.map((x) => x.latencyMeanMs)),
        rounds: rs,
      };
    });
    const helloTarget = targets[0]!;
    const ratios = targets.filter((t) => t.engine !== 'none').map((t) => ({
      engine: t.engine as Engine, page: t.path,
      ratioOfMedians: t.medianRequestsPerSecond / helloTarget.medianRequestsPerSecond,
      medianOfRoundRatios: median(t.rounds.map((x, i) => x.requestsPerSecond / helloTarget.rounds[i]!.requestsPerSecond)),
    }));
    const result: ReportPageResult = { benchmark: 'report-page', options, targets, ratios, failures };
    if (failures > 0) {
      const detail = targets.map((t) => `${t.name}: ${JSON.stringify(t.rounds.map((x) => ({ ...x.statusCodes, errors: x.errors, timeouts: x.timeouts })))}`).join('\n');
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
  const rows = result.targets.map((t) => `| ${t.engine === 'none' ? '—' : t.engine} | ${t.name} | ${fmt(t.medianRequestsPerSecond)} | ${fmt(t.medianRequestsPerSecond / hello)} | ${fmt(hello / t.medianRequestsPerSecond)}× | ${ms(t.medianLatencyP50Ms)} | ${ms(t.medianLatencyP99Ms)} |`);
  return [
    `Pages on loopback (Amber in ${o.env} mode; ${o.rounds} alternating rounds × ${o.duration} s, ${o.connections} connections; medians over rounds; latency in whole ms)`,
    '',
    '| Engine | Request | Req/s | Ratio to hello | Slower than hello | p50 ms | p99 ms |',
    '|---|---|--:|--:|--:|--:|--:|',
    ...rows,
  ].join('\n');
}

export function parseReportPageArgs(args: string[]): ReportPageOptions {
  const { values } = parseArgs({
    args, strict: true,
    options: {
      engine: { type: 'string' }, rounds: { type: 'string' }, duration: { type: 'string' },
      connections: { type: 'string' }, warmup: { type: 'string' }, env: { type: 'string' },
    },
  });
  const env = values.env ?? REPORT_PAGE_DEFAULTS.env;
  if (env !== 'production' && env !== 'test' && env !== 'development') throw new Error(`--env is production, test or development, not "${env}"`);
  return {
    engines: parseEngines(values.engine),
    rounds: count('--rounds', values.rounds, REPORT_PAGE_DEFAULTS.rounds, 1, 50),
    duration: count('--duration', values.duration, REPORT_PAGE_DEFAULTS.duration, 1, 60),
    connections: count('--connections', values.connections, REPORT_PAGE_DEFAULTS.connections, 1, 1000),
    warmup: count('--warmup', values.warmup, REPORT_PAGE_DEFAULTS.warmup, 0, 60),
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
