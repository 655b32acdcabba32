// What sign-in costs (issue 3): requests per second, on loopback, of the report page signed in
// against the same page in the app as it was before sign-in, served in the same process and the
// same run, so the ratio is the cost of auth. "Before sign-in" is the foundation, commit
// 5f3c778: checked out into a throwaway git worktree (this checkout's node_modules linked in),
// and its own buildApp, services and demo loader imported from there, on a database of its own.
//
// Targets, per engine, all listening on 127.0.0.1 at once:
//   - foundation: GET the report page, and the same report from the API, with no sign-in;
//   - today: GET the report page with the session cookie of the demo's performance officer,
//     and the API with that person's personal token (Authorization: Bearer);
//   - today: POST /sign-in with the correct password (an argon2id verify, a new session row,
//     the security log): the form's pre-session CSRF cookie and field are fetched once first.
//     Sign-in is rate-limited on failures only, so correct passwords are never refused;
// plus a bare Fastify hello for scale. Short rounds alternate between every target (reversed
// every other round), as in report-page.ts; medians over rounds of req/s, latency and the CPU time
// the process spent per response (steadier than req/s on a busy machine). A response with any other status
// than the target's (200; 303 for sign-in), a connection error or timeout fails the benchmark.
//
//   node bench/auth.ts [--engine pglite|postgres|both] [--rounds 3]
//     [--duration 3] [--connections 10] [--warmup 1] [--env production|test]

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../src/platform/db/database.ts';
import type { Config } from '../src/config.ts';
import { buildApp } from '../src/app.ts';
import { paths } from '../src/paths.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import { openTestDatabase } from '../test/helpers/database.ts';
import { SEED_PERIOD, SEED_PRIORITY } from './render.ts';
import {
  bareApp,
  BENCH_ACCOUNT,
  failuresIn,
  fire,
  HELLO,
  parseLoadArgs,
  preflight,
  REPORT,
  signInCookie,
  start,
  summarise,
  type ReportPageOptions,
  type Request,
  type Round,
  type Server,
} from './report-page.ts';
import { deadline, fmt, isMain, median } from './support.ts';

/** The last commit before sign-in: the app whose pages anyone could read. */
export const FOUNDATION = '5f3c778';

/** The same knobs as the report-page benchmark. */
export type AuthOptions = ReportPageOptions;

export const AUTH_DEFAULTS: AuthOptions = {
  engines: ['pglite'],
  rounds: 3,
  duration: 3,
  connections: 10,
  warmup: 1,
  env: 'production',
};

type Kind = 'hello' | 'foundation-page' | 'signed-in-page' | 'foundation-api' | 'token-api' | 'sign-in';

/** A round, with the CPU time this whole process spent in it per response (see cpuMsPerRequest). */
export interface AuthRound extends Round {
  cpuMsPerRequest: number;
}

export interface AuthTarget {
  kind: Kind;
  name: string;
  engine: Engine | 'none';
  medianRequestsPerSecond: number;
  medianLatencyP50Ms: number;
  medianLatencyP99Ms: number;
  /**
   * Median over rounds of the process's CPU time (user + system, all threads: the servers, PGlite,
   * argon2's thread pool and autocannon's worker) ÷ responses. Other work on a busy machine slows a
   * request down but hardly changes the CPU it takes, so this moves much less than req/s; on the
   * PostgreSQL server it leaves out the server's own work.
   */
  medianCpuMsPerRequest: number;
  rounds: AuthRound[];
}

export interface AuthRatio {
  engine: Engine;
  what: string;
  of: Kind;
  to: Kind;
  ratioOfMedians: number;
  medianOfRoundRatios: number;
  /** CPU ms per response of `of` ÷ that of `to` (medians): above 1 means `of` costs more. */
  cpuRatio: number;
}

export interface AuthResult {
  benchmark: 'auth';
  foundation: string;
  options: AuthOptions;
  targets: AuthTarget[];
  ratios: AuthRatio[];
  /** Responses with another status than the target's, connection errors and timeouts, over all rounds (warm-up included). */
  failures: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const API_REPORT = paths.api.report(SEED_PRIORITY, SEED_PERIOD);

/** What this benchmark uses of the foundation's modules (imported at run time from the worktree). */
interface FoundationModules {
  buildApp(deps: {
    config: { env: Config['env']; logLevel: 'silent' };
    db: unknown;
    services: unknown;
  }): Promise<FastifyInstance>;
  openTestDatabase(
    engine: Engine,
  ): Promise<{ db: unknown; services: { demo: { load(label: string): Promise<unknown> } }; close(): Promise<void> }>;
}

interface Worktree {
  dir: string;
  remove(): Promise<void>;
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/**
 * The foundation checked out beside this checkout, with this checkout's node_modules (and built
 * CSS) linked in: its dependencies are a subset of today's. Removed again by `remove()`.
 */
async function checkOutFoundation(): Promise<Worktree> {
  let root: string;
  try {
    root = git(['rev-parse', '--show-toplevel'], here);
    git(['cat-file', '-e', `${FOUNDATION}^{commit}`], root);
  } catch (error) {
    const why = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new Error(
      `bench/auth.ts measures against the app before sign-in, commit ${FOUNDATION}, checked out with git; it needs git and that commit in this repository (${why}).`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'amber-foundation-'));
  try {
    git(['worktree', 'add', '--detach', dir, FOUNDATION], root);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `bench/auth.ts could not check out commit ${FOUNDATION} into ${dir}: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`,
    );
  }
  const links = [join(dir, 'node_modules')];
  await symlink(join(root, 'node_modules'), links[0]!, 'dir');
  if (existsSync(join(root, 'public', 'build')) && !existsSync(join(dir, 'public', 'build'))) {
    links.push(join(dir, 'public', 'build'));
    await symlink(join(root, 'public', 'build'), links[1]!, 'dir');
  }
  return {
    dir,
    async remove() {
      // The links first, so nothing below can reach into this checkout's node_modules.
      for (const link of links) await unlink(link).catch(() => undefined);
      try {
        git(['worktree', 'remove', '--force', dir], root);
      } catch {
        await rm(dir, { recursive: true, force: true });
        git(['worktree', 'prune'], root);
      }
    },
  };
}

async function importFoundation(dir: string): Promise<FoundationModules> {
  const app = (await import(pathToFileURL(join(dir, 'src', 'app.ts')).href)) as Pick<FoundationModules, 'buildApp'>;
  const database = (await import(pathToFileURL(join(dir, 'test', 'helpers', 'database.ts')).href)) as Pick<
    FoundationModules,
    'openTestDatabase'
  >;
  return { buildApp: app.buildApp, openTestDatabase: database.openTestDatabase };
}

/** The pre-session CSRF token of the sign-in form: its cookie and the same value for the `_csrf` field. */
async function signInForm(base: string, env: Config['env']): Promise<{ cookie: string; token: string }> {
  const response = await preflight(base + paths.signIn, 'Sign in');
  const name = cookieNames(env === 'production').csrf;
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith(`${name}=`));
  if (!cookie) throw new Error(`GET ${paths.signIn} set no ${name} cookie`);
  return { cookie, token: decodeURIComponent(cookie.slice(name.length + 1)) };
}

interface Planned {
  kind: Kind;
  name: string;
  engine: Engine | 'none';
  url: string;
  request: Request;
  rounds: AuthRound[];
}

export async function runAuth(options: AuthOptions = AUTH_DEFAULTS): Promise<AuthResult> {
  const servers: Server[] = [];
  let worktree: Worktree | undefined;
  const close = async () => {
    // Every server and database, even when one of them fails to close; then the worktree.
    const closing = servers.splice(0).reverse();
    const outcomes = await Promise.allSettled(
      closing.map(async (s) => {
        await s.app.close();
        await s.database?.close();
      }),
    );
    const removing = worktree;
    worktree = undefined;
    await removing?.remove();
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const targetsCount = 1 + options.engines.length * 5;
  const budget = 240 + targetsCount * (options.warmup + options.rounds * (options.duration + 3)) * 1.5;
  const watchdog = deadline(Math.ceil(budget), 'bench/auth.ts', close);
  try {
    worktree = await checkOutFoundation();
    const foundation = await importFoundation(worktree.dir);

    const plan: Planned[] = [];
    const hello: Server = { name: 'bare-fastify', app: bareApp() };
    servers.push(hello);
    plan.push({
      kind: 'hello',
      name: 'GET /hello (bare Fastify)',
      engine: 'none',
      url: (await start(hello)) + HELLO,
      request: {},
      rounds: [],
    });
    await preflight(plan[0]!.url, 'hello');

    for (const engine of options.engines) {
      // The foundation, on its own database with its own demo: no sign-in anywhere.
      const oldDatabase = await foundation.openTestDatabase(engine);
      let old: Server;
      try {
        await oldDatabase.services.demo.load('bench');
        old = {
          name: `foundation-${engine}`,
          app: await foundation.buildApp({
            config: { env: options.env, logLevel: 'silent' },
            db: oldDatabase.db,
            services: oldDatabase.services,
          }),
          database: oldDatabase,
        };
      } catch (error) {
        await oldDatabase.close();
        throw error;
      }
      servers.push(old);
      const oldBase = await start(old);

      // Today's app, with the demo's accounts: a session and a personal token for the performance officer.
      const database = await openTestDatabase(engine);
      let now: Server;
      let token: string;
      try {
        await database.services.demo.load('bench');
        const { cookie, session } = await signInCookie(database.services, options.env);
        const actor = {
          kind: 'user' as const,
          organisationId: (await database.services.organisations.getHome()).id,
          label: session.user.email,
          userId: session.user.id,
          roles: ['performance_officer' as const],
        };
        token = (await database.services.accounts.createApiToken(actor, { name: 'bench/auth.ts', scope: 'read' }))
          .token;
        now = {
          name: `amber-${engine}`,
          app: await buildApp({
            config: { env: options.env, logLevel: 'silent' },
            db: database.db,
            units: database.units,
            services: database.services,
          }),
          database,
          cookie,
        };
      } catch (error) {
        await database.close();
        throw error;
      }
      servers.push(now);
      const base = await start(now);
      const form = await signInForm(base, options.env);

      const add = (kind: Kind, name: string, url: string, request: Request) =>
        plan.push({ kind, name, engine, url, request, rounds: [] });
      add('foundation-page', `GET ${REPORT} — foundation, no sign-in`, oldBase + REPORT, {});
      add('signed-in-page', `GET ${REPORT} — session cookie`, base + REPORT, { headers: { cookie: now.cookie! } });
      add('foundation-api', `GET ${API_REPORT} — foundation, no sign-in`, oldBase + API_REPORT, {});
      add('token-api', `GET ${API_REPORT} — personal token`, base + API_REPORT, {
        headers: { authorization: `Bearer ${token}` },
      });
      add('sign-in', `POST ${paths.signIn} — correct password`, base + paths.signIn, {
        method: 'POST',
        status: 303,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
        body: new URLSearchParams({
          email: BENCH_ACCOUNT.email,
          password: BENCH_ACCOUNT.password,
          _csrf: form.token,
        }).toString(),
      });
      // Each must answer as it will under load before any load; the signed-out page must not.
      await preflight(base + REPORT, paths.signIn, { status: 302 });
      for (const t of plan.slice(-5)) {
        const response = await preflight(t.url, t.kind === 'sign-in' ? paths.home : SEED_PRIORITY, t.request);
        if (
          t.kind === 'sign-in' &&
          !response.headers
            .getSetCookie()
            .some((c) => c.startsWith(`${cookieNames(options.env === 'production').session}=`))
        ) {
          throw new Error(`POST ${paths.signIn} with the correct password set no session cookie`);
        }
      }
    }

    let failures = 0;
    if (options.warmup > 0) {
      for (const t of plan)
        failures += failuresIn(summarise(0, await fire(t.url, options, options.warmup, t.request)), t.request.status);
    }
    for (let r = 1; r <= options.rounds; r++) {
      const order = r % 2 ? plan : [...plan].reverse();
      for (const t of order) {
        const cpu = process.cpuUsage();
        const fired = summarise(r, await fire(t.url, options, options.duration, t.request));
        const used = process.cpuUsage(cpu);
        const round: AuthRound = {
          ...fired,
          cpuMsPerRequest: (used.user + used.system) / 1000 / Math.max(1, fired.requests),
        };
        failures += failuresIn(round, t.request.status);
        t.rounds.push(round);
        process.stderr.write(
          `round ${r}/${options.rounds} ${t.engine === 'none' ? '' : `[${t.engine}] `}${t.name}: ${fmt(round.requestsPerSecond)} req/s, p50 ${round.latencyP50Ms} ms, p99 ${round.latencyP99Ms} ms, ${fmt(round.cpuMsPerRequest)} CPU ms/response\n`,
        );
      }
    }

    const targets: AuthTarget[] = plan.map((t) => ({
      kind: t.kind,
      name: t.name,
      engine: t.engine,
      medianRequestsPerSecond: median(t.rounds.map((x) => x.requestsPerSecond)),
      medianLatencyP50Ms: median(t.rounds.map((x) => x.latencyP50Ms)),
      medianLatencyP99Ms: median(t.rounds.map((x) => x.latencyP99Ms)),
      medianCpuMsPerRequest: median(t.rounds.map((x) => x.cpuMsPerRequest)),
      rounds: t.rounds,
    }));
    const ratios: AuthRatio[] = [];
    for (const engine of options.engines) {
      const find = (kind: Kind) => targets.find((t) => t.kind === kind && t.engine === engine)!;
      const ratio = (what: string, of: Kind, to: Kind) => {
        const a = find(of);
        const b = find(to);
        ratios.push({
          engine,
          what,
          of,
          to,
          ratioOfMedians: a.medianRequestsPerSecond / b.medianRequestsPerSecond,
          medianOfRoundRatios: median(a.rounds.map((x, i) => x.requestsPerSecond / b.rounds[i]!.requestsPerSecond)),
          cpuRatio: a.medianCpuMsPerRequest / b.medianCpuMsPerRequest,
        });
      };
      ratio('report page: signed in ÷ foundation (the cost of auth on a page)', 'signed-in-page', 'foundation-page');
      ratio('API report: personal token ÷ foundation', 'token-api', 'foundation-api');
      ratio('sign-ins ÷ foundation report pages', 'sign-in', 'foundation-page');
    }
    const result: AuthResult = { benchmark: 'auth', foundation: FOUNDATION, options, targets, ratios, failures };
    if (failures > 0) {
      const detail = targets
        .map(
          (t) =>
            `${t.name}: ${JSON.stringify(t.rounds.map((x) => ({ ...x.statusCodes, errors: x.errors, timeouts: x.timeouts })))}`,
        )
        .join('\n');
      throw Object.assign(new Error(`${failures} responses had an unexpected status (or failed):\n${detail}`), {
        result,
      });
    }
    return result;
  } finally {
    await close();
    watchdog.disarm();
  }
}

const ms = (n: number) => (n === 0 ? '<1' : String(n));

export function authTable(result: AuthResult): string {
  const o = result.options;
  const hello = result.targets.find((t) => t.kind === 'hello')!.medianRequestsPerSecond;
  const rows = result.targets.map((t) => {
    const base =
      t.engine === 'none'
        ? undefined
        : result.targets.find(
            (x) =>
              x.engine === t.engine &&
              x.kind === (t.kind === 'foundation-api' || t.kind === 'token-api' ? 'foundation-api' : 'foundation-page'),
          );
    const toBase =
      base && t !== base
        ? fmt(t.medianRequestsPerSecond / base.medianRequestsPerSecond)
        : t.engine === 'none'
          ? ''
          : '1';
    return `| ${t.engine === 'none' ? '—' : t.engine} | ${t.name} | ${fmt(t.medianRequestsPerSecond)} | ${toBase} | ${fmt(t.medianRequestsPerSecond / hello)} | ${ms(t.medianLatencyP50Ms)} | ${ms(t.medianLatencyP99Ms)} | ${fmt(t.medianCpuMsPerRequest)} |`;
  });
  return [
    `Sign-in against the foundation (${result.foundation}) on loopback (Amber in ${o.env} mode; ${o.rounds} alternating rounds × ${o.duration} s, ${o.connections} connections; medians over rounds; latency in whole ms)`,
    '',
    '| Engine | Request | Req/s | Ratio to the foundation | Ratio to hello | p50 ms | p99 ms | CPU ms/response |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
    ...rows,
    '',
    ...result.ratios.map(
      (r) =>
        `Ratio [${r.engine}] ${r.what}: ${fmt(r.ratioOfMedians)} (median of per-round ratios ${fmt(r.medianOfRoundRatios)}; CPU per response ×${fmt(r.cpuRatio)})`,
    ),
  ].join('\n');
}

export function parseAuthArgs(args: string[]): AuthOptions {
  return parseLoadArgs(args, AUTH_DEFAULTS);
}

if (isMain(import.meta.url)) {
  const result = await runAuth(parseAuthArgs(process.argv.slice(2)));
  console.log(authTable(result));
}
