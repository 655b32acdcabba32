// Pages against their query floor (issue 14, "Measure"): "For the report page, priority list,
// dashboard and sign-off POST: CPU per request and req/s on PGlite and PostgreSQL, as a ratio to
// (a) a bare Fastify route and (b) the same page's SQL run alone with no rendering (its query
// floor)."
//
// Per engine, one database with the demo (`openTestDatabase`, from the template the tests use) and
// the Amber app on it (`buildApp` in production mode, logs off: test mode recompiles every template
// per request). Targets, each measured the same way — a bounded loop of `app.inject()` calls, one
// at a time, with `process.cpuUsage()` (user + system, all threads: on PGlite that includes the
// database) around it plus, on the PostgreSQL server, the CPU of the backends serving this database
// (`/proc/<pid>/schedstat`; the server runs on this machine):
//
//   - hello: a new Fastify instance with one route, `GET /hello` → `hello` (the bare route);
//   - the published report page (VfM-4d 2009/10 H1, the seed report) and a draft one (OC-1c
//     2009/10 H1, with an indicator graph), the priority list and the dashboard, GET as an
//     administrator and performance officer of the demo (a session made by `createTestSession`);
//   - `report-live`: the same published report page from a second app on the same database whose
//     services have no body renderer (`reportBodies: false`), so it is rendered from its revision
//     on every request, as before published revisions' bodies were stored (issue 14): before and
//     after in one run;
//   - `report-viewer` and `report-cached`: the same published page read by a viewer (someone who
//     may not read drafts), from an app that keeps no pages in memory (`pageCache: false`: the
//     stored body, 7 statements) and from the app as it runs, which keeps a reader's page for the
//     session and checks it with one statement outside any transaction (ADR 0017): after the
//     warm-up, every request of `report-cached` is answered from memory but for the minute's
//     first, whose session "last seen" write is due (the normal path, which keeps the page again);
//   - `dashboard` from the app that keeps nothing in memory, whose services keep no dashboard
//     (`keptDashboards: 0`: worked out on every request, as the first view after a change is), and
//     `dashboard-kept` from the app as it runs (ADR 0023: after the warm-up, every request is
//     served from what the first worked out, after one statement of its own);
//   - the officer's sign-off POST, as the demo's Lee Hemsworth (accountable officer): every POST
//     signs a different report that is waiting for him (a batch of priorities, each with a
//     2009/10 H2 report written and submitted, made through the services before any measuring);
//   - each page's query floor: the statements one request of the page sends (`observeStatements`,
//     BEGIN, the role switch and COMMIT included), captured once after the warm-up, replayed on
//     one connection with the same parameters and no rendering. For the sign-off, the statements
//     of the warm-up sign-off replayed on a twin report (another report of the batch, in the same
//     state, its ids and code put in place of the first's), so that every replay changes a report
//     as the POST does. The session's last-seen write (once a minute) is left out of a capture.
//
// Warm-up requests of every target first; then rounds, in each a batch of `--gets` requests per
// target (`--sign-offs` for the POST and its floor; a few unmeasured GETs first), in an order
// rotated every round, so that a noisy spell on the shared machine falls on all of them. Every
// response is checked (status, and text the page must show). We print the median (min–max) over
// rounds of CPU per request and req/s (requests ÷ wall time of the batch), and the ratios within
// each round: req/s ÷ the bare route's, and CPU ÷ the page's floor CPU (median (min–max)).
//
// `--profile DIR` measures nothing: it runs the pages named by `--only` (rounds × gets each) under
// the V8 profiler and writes one DIR/<page>-<engine>.cpuprofile per page, for
// bench/cpuprofile-summary.ts.
//
//   node bench/pages.ts [--engine pglite|postgres|both] [--rounds 7] [--gets 30] [--sign-offs 8]
//       [--warmup 10] [--only report,report-live,report-viewer,report-cached,draft,list,dashboard,dashboard-kept,sign-off]
//       [--profile DIR] [--json FILE]
//   (both engines: about 2–4 minutes on a quiet machine; a deadline stops it after 8 minutes per engine)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { CompiledQuery, sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { buildServices } from '../src/composition.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import { observeStatements, type Engine, type ObservedStatement } from '../src/platform/db/database.ts';
import { systemActor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '7' },
    gets: { type: 'string', default: '30' },
    'sign-offs': { type: 'string', default: '8' },
    warmup: { type: 'string', default: '10' },
    only: {
      type: 'string',
      default: 'report,report-live,report-viewer,report-cached,draft,list,dashboard,dashboard-kept,sign-off',
    },
    profile: { type: 'string' },
    json: { type: 'string' },
  },
});
if (!['pglite', 'postgres', 'both'].includes(args.engine)) throw new Error(`--engine ${args.engine}?`);
const ENGINES: Engine[] = args.engine === 'both' ? ['pglite', 'postgres'] : [args.engine as Engine];
const ROUNDS = Number(args.rounds);
const GETS = Number(args.gets);
const SIGN_OFFS = Number(args['sign-offs']);
const WARMUP = Number(args.warmup);
/** Unmeasured GETs at the start of every batch (a connection the pool closed while idle is reopened here). */
const BATCH_WARMUP = 2;
/**
 * The bare route's batches are this many times longer: 30 of its requests take about a millisecond,
 * so that one pause of the shared machine would be the whole measurement.
 */
const HELLO_FACTOR = 100;
const PROFILE = args.profile;

const SIGN_OFF_PERIOD = '2009-10-h2';

type PageName =
  | 'report'
  | 'report-live'
  | 'report-viewer'
  | 'report-cached'
  | 'draft'
  | 'list'
  | 'dashboard'
  | 'dashboard-kept'
  | 'sign-off';
const PAGE_NAMES: PageName[] = [
  'report',
  'report-live',
  'report-viewer',
  'report-cached',
  'draft',
  'list',
  'dashboard',
  'dashboard-kept',
  'sign-off',
];
const ONLY = args.only.split(',') as PageName[];
if (ONLY.some((p) => !PAGE_NAMES.includes(p))) throw new Error(`--only ${args.only}? (${PAGE_NAMES.join(',')})`);
const PAGE_LABELS: Record<PageName, string> = {
  report: 'Report page, published (VfM-4d 2009/10 H1), from its stored body',
  'report-live': 'Report page, published, rendered on request (no stored body)',
  'report-viewer': 'Report page, published, as a viewer: stored body, not kept in memory',
  'report-cached': 'Report page, published, as a viewer: kept in memory, one statement (ADR 0017)',
  draft: 'Report page, draft (OC-1c 2009/10 H1)',
  list: 'Priority list',
  dashboard: 'Dashboard, worked out (as the first view after a change)',
  'dashboard-kept': 'Dashboard, kept worked out: one statement of its own (ADR 0023)',
  'sign-off': 'Sign-off POST (officer)',
};
/** GET pages: the URL and a text the page must show. */
const GETS_OF: Record<Exclude<PageName, 'sign-off'>, { url: string; shows: string }> = {
  report: { url: paths.reports.show('VfM-4d', '2009-10-h1'), shows: 'Lee Hemsworth' },
  'report-live': { url: paths.reports.show('VfM-4d', '2009-10-h1'), shows: 'Lee Hemsworth' },
  'report-viewer': { url: paths.reports.show('VfM-4d', '2009-10-h1'), shows: 'Lee Hemsworth' },
  'report-cached': { url: paths.reports.show('VfM-4d', '2009-10-h1'), shows: 'Lee Hemsworth' },
  draft: { url: paths.reports.show('OC-1c', '2009-10-h1'), shows: 'OC-1c' },
  // Page 1 of 50: the sign-off batches' codes (SA-…, SB-…) sort before VfM-4d and fill it.
  list: { url: paths.priorities.list, shows: 'data-qa="priority-row"' },
  dashboard: { url: paths.dashboard, shows: 'priorities in all' },
  'dashboard-kept': { url: paths.dashboard, shows: 'priorities in all' },
};

// ---- CPU: this process, and the server's backends ---------------------------------------------------

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** The server backends of this database (PostgreSQL on this machine); none on PGlite. */
async function backendPids(database: TestDatabase): Promise<number[]> {
  if (database.engine !== 'postgres') return [];
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'`.execute(database.db);
  return rows.map((r) => r.pid);
}
function schedstat(pids: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      times.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // closed: counted as nothing
    }
  }
  return times;
}

interface Batch {
  /** Per request, ms. */
  nodeCpu: number;
  serverCpu: number;
  /** Requests ÷ wall seconds of the batch. */
  perSecond: number;
}
const total = (b: Batch) => b.nodeCpu + b.serverCpu;

/** Runs `n` calls of `step` one after the other and measures them. */
async function measure(
  database: TestDatabase | undefined,
  n: number,
  step: (i: number) => Promise<void>,
): Promise<Batch> {
  const pids = database ? await backendPids(database) : [];
  const b0 = schedstat(pids);
  const c0 = cpuNow();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await step(i);
  const wall = performance.now() - t0;
  const c1 = cpuNow();
  const b1 = schedstat(pids);
  let serverNs = 0;
  for (const [pid, t] of b1) serverNs += t - (b0.get(pid) ?? t);
  if (database) {
    const fresh = (await backendPids(database)).filter((p) => !pids.includes(p));
    if (fresh.length) console.error(`  (a connection opened during a batch: its server CPU is not counted)`);
  }
  return { nodeCpu: (c1 - c0) / 1000 / n, serverCpu: serverNs / 1e6 / n, perSecond: n / (wall / 1000) };
}

// ---- The engine's side: database, app, sessions, the sign-off batch --------------------------------

interface SignOffReport {
  code: string;
  reportId: string;
  priorityId: string;
  version: number;
}

interface Side {
  database: TestDatabase;
  app: FastifyInstance;
  /** The same app on the same database, without stored report bodies (`report-live`). */
  liveApp: FastifyInstance;
  /** The same app keeping no pages and no dashboards in memory (`report-viewer`, `dashboard`). */
  uncachedApp: FastifyInstance;
  reader: Record<string, string>;
  /** A viewer of the demo (`report-viewer`, `report-cached`). */
  viewer: Record<string, string>;
  officer: Record<string, string>;
  /** Reports waiting for the officer's sign-off, taken one per POST. */
  toSign: SignOffReport[];
  /** Twins of those, taken one per replay of the sign-off's floor. */
  toReplay: SignOffReport[];
}

/** `count` priorities of Lee Hemsworth's, each with a 2009/10 H2 report written and submitted. */
async function makeReportsToSign(database: TestDatabase, prefix: string, count: number): Promise<SignOffReport[]> {
  const s = database.services;
  const home = await s.organisations.getHome();
  const actor = systemActor(home.id, 'bench');
  const people = await s.people.list(actor);
  const lee = people.find((p) => p.name === 'Lee Hemsworth')!;
  const rogers = people.find((p) => p.name === 'James Rogers')!;
  const themes = await s.plans.listThemes(actor);
  const made: SignOffReport[] = [];
  for (let i = 0; i < count; i++) {
    // Codes of one length, so that a twin's statements carry parameters of the same sizes.
    const code = `${prefix}-${String(i).padStart(3, '0')}`;
    const priority = await s.plans.createPriority(actor, {
      themeId: themes[0]!.id,
      code,
      title: `Signed off by the benchmark ${i}`,
      accountableOfficerId: lee.id,
      accountableDirectorId: rogers.id,
    });
    await s.reports.create(actor, code, { period: SIGN_OFF_PERIOD });
    await s.reports.updateSections(actor, code, SIGN_OFF_PERIOD, {
      summary: 'Half-year progress for the sign-off benchmark.',
      status: 'green',
      statusReason: '',
    });
    await s.reports.submit(actor, code, SIGN_OFF_PERIOD, {});
    const bundle = await s.reports.getBundle(actor, code, SIGN_OFF_PERIOD);
    made.push({ code, reportId: bundle.report.id, priorityId: priority.id, version: bundle.report.version });
  }
  return made;
}

const headersOf = (token: string, csrf: string) => ({
  // Production mode names the session cookie as a browser on HTTPS gets it.
  cookie: `${cookieNames(true).session}=${token}`,
  'x-csrf-token': csrf,
});

async function openSide(engine: Engine, signOffs: number): Promise<Side> {
  const database = await openTestDatabase(engine, {}, { demo: true });
  try {
    const s = database.services;
    const home = await s.organisations.getHome();
    const people = await s.people.list(systemActor(home.id, 'bench'));
    const lee = people.find((p) => p.name === 'Lee Hemsworth')!;
    const reader = await createTestSession(s, home.id, ['administrator', 'performance_officer']);
    const viewer = await createTestSession(s, home.id, ['viewer']);
    const officer = await createTestSession(s, home.id, ['accountable_officer'], { personId: lee.id });
    const toSign = await makeReportsToSign(database, 'SA', signOffs);
    const toReplay = await makeReportsToSign(database, 'SB', signOffs);
    // What autovacuum would have done on a server by the time anyone reads these pages, and what the
    // server does on PGlite a minute after it starts (pglite-upkeep.ts; before 7 December nothing
    // did, and PGlite's pages were planned on guesses: bench/pglite-statistics.ts).
    await sql`vacuum analyze`.execute(database.db);
    const app = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db: database.db,
      units: database.units,
      services: database.services,
    });
    const liveApp = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db: database.db,
      units: database.units,
      services: buildServices({ db: database.db, units: database.units }, { reportBodies: false }),
    });
    const uncachedApp = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db: database.db,
      units: database.units,
      services: buildServices({ db: database.db, units: database.units }, { keptDashboards: 0 }),
      pageCache: false,
    });
    const token = (t: { headers: { cookie: string } }) => t.headers.cookie.split('=').slice(1).join('=');
    return {
      database,
      app,
      liveApp,
      uncachedApp,
      reader: headersOf(token(reader), reader.csrfToken),
      viewer: headersOf(token(viewer), viewer.csrfToken),
      officer: headersOf(token(officer), officer.csrfToken),
      toSign,
      toReplay,
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

async function get(side: Side, page: Exclude<PageName, 'sign-off'>): Promise<void> {
  const { url, shows } = GETS_OF[page];
  const app =
    page === 'report-live'
      ? side.liveApp
      : page === 'report-viewer' || page === 'dashboard'
        ? side.uncachedApp
        : side.app;
  const headers = page === 'report-viewer' || page === 'report-cached' ? side.viewer : side.reader;
  const response = await app.inject({ method: 'GET', url, headers });
  if (response.statusCode !== 200)
    throw new Error(`GET ${url} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
  if (!response.body.includes(shows)) throw new Error(`GET ${url} does not show "${shows}"`);
}

async function signOff(side: Side): Promise<SignOffReport> {
  const report = side.toSign.shift();
  if (!report) throw new Error('no report left to sign off (more sign-offs than --sign-offs made)');
  const url = paths.reports.signOff(report.code, SIGN_OFF_PERIOD);
  const response = await side.app.inject({
    method: 'POST',
    url,
    headers: { ...side.officer, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ version: String(report.version), decision: 'approve', comment: '' }).toString(),
  });
  if (response.statusCode !== 303 || !String(response.headers.location).includes('saved=approved'))
    throw new Error(
      `POST ${url} answered ${response.statusCode} (${String(response.headers.location)}): ${response.body.slice(0, 300)}`,
    );
  return report;
}

/** The statements one call of `fn` sends, the session's last-seen write left out. */
async function capture(side: Side, fn: () => Promise<unknown>): Promise<ObservedStatement[]> {
  const statements: ObservedStatement[] = [];
  const stop = observeStatements(side.database.db, (s) => statements.push(s));
  try {
    await fn();
  } finally {
    stop();
  }
  return statements.filter((s) => !/^update "user_session"/.test(s.sql));
}

/** Sends `statements` again, in order, on one connection: the query floor of the request they came from. */
async function replay(side: Side, statements: readonly ObservedStatement[]): Promise<void> {
  await side.database.db.connection().execute(async (connection) => {
    for (const s of statements) await connection.executeQuery(CompiledQuery.raw(s.sql, [...s.parameters]));
  });
}

/** A sign-off's statements made about `from`, rewritten to be about its twin `to`. */
function retarget(
  statements: readonly ObservedStatement[],
  from: SignOffReport,
  to: SignOffReport,
): ObservedStatement[] {
  const swaps: [string, string][] = [
    [from.reportId, to.reportId],
    [from.priorityId, to.priorityId],
    [from.code, to.code],
    [from.code.toLowerCase(), to.code.toLowerCase()],
  ];
  const swap = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    let out = v;
    for (const [a, b] of swaps) out = out.split(a).join(b);
    return out;
  };
  return statements.map((s) => ({ sql: s.sql, parameters: s.parameters.map(swap) }));
}

// ---- One engine ------------------------------------------------------------------------------------

type TargetName = 'hello' | PageName | `floor:${PageName}`;

interface EngineResult {
  engine: Engine;
  statements: Partial<Record<PageName, number>>;
  batches: Partial<Record<TargetName, Batch[]>>;
  setupSeconds: number;
}

async function profileEngine(engine: Engine, side: Side): Promise<void> {
  mkdirSync(PROFILE!, { recursive: true });
  const inspector = new Session();
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
  for (const page of ONLY) {
    const step = page === 'sign-off' ? () => signOff(side) : () => get(side, page);
    for (let i = 0; i < WARMUP; i++) await step();
    await inspector.post('Profiler.start');
    const n = page === 'sign-off' ? side.toSign.length : ROUNDS * GETS;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await step();
    const { profile } = await inspector.post('Profiler.stop');
    const file = join(PROFILE!, `${page}-${engine}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.error(`${engine}: ${n} × ${page} in ${fmt((performance.now() - t0) / 1000)} s → ${file}`);
  }
  inspector.disconnect();
}

async function runEngine(engine: Engine, side: Side, setupSeconds: number): Promise<EngineResult> {
  const hello = Fastify({ logger: false });
  hello.get('/hello', async () => 'hello');
  await hello.ready();
  const sayHello = async () => {
    const r = await hello.inject({ method: 'GET', url: '/hello' });
    if (r.statusCode !== 200 || r.body !== 'hello') throw new Error(`GET /hello answered ${r.statusCode}`);
  };
  try {
    const result: EngineResult = { engine, statements: {}, batches: {}, setupSeconds };
    const floors: Partial<Record<PageName, ObservedStatement[]>> = {};
    let signOffTemplate: { statements: ObservedStatement[]; report: SignOffReport } | undefined;

    // Warm-up, and the statements of one request of each page.
    for (let i = 0; i < WARMUP * 10; i++) await sayHello();
    for (const page of ONLY) {
      if (page === 'sign-off') {
        let report: SignOffReport | undefined;
        const statements = await capture(side, async () => (report = await signOff(side)));
        signOffTemplate = { statements, report: report! };
        floors[page] = statements;
        continue;
      }
      for (let i = 0; i < WARMUP; i++) await get(side, page);
      floors[page] = await capture(side, () => get(side, page));
      // The kept page: its one statement, the access generation, outside any transaction.
      if (
        page === 'report-cached' &&
        (floors[page].length !== 1 || !/amber_access_generation/.test(floors[page][0]!.sql))
      )
        throw new Error(`report-cached sent ${floors[page].map((s) => s.sql.slice(0, 40)).join(' | ')}`);
    }
    for (const page of ONLY) {
      result.statements[page] = floors[page]!.length;
      if (page !== 'sign-off') for (let i = 0; i < WARMUP; i++) await replay(side, floors[page]!);
    }

    const targets: TargetName[] = ['hello', ...ONLY.flatMap((p) => [p, `floor:${p}` as const])];
    const run: Record<TargetName, () => Promise<Batch>> = {} as never;
    run.hello = async () => {
      for (let i = 0; i < BATCH_WARMUP; i++) await sayHello();
      return measure(undefined, GETS * HELLO_FACTOR, sayHello);
    };
    for (const page of ONLY) {
      if (page === 'sign-off') {
        run[page] = () => measure(side.database, SIGN_OFFS, async () => void (await signOff(side)));
        run[`floor:${page}`] = () =>
          measure(side.database, SIGN_OFFS, async () => {
            const twin = side.toReplay.shift();
            if (!twin) throw new Error('no twin report left to replay the sign-off on');
            await replay(side, retarget(signOffTemplate!.statements, signOffTemplate!.report, twin));
          });
      } else {
        run[page] = async () => {
          for (let i = 0; i < BATCH_WARMUP; i++) await get(side, page);
          return measure(side.database, GETS, () => get(side, page));
        };
        run[`floor:${page}`] = async () => {
          for (let i = 0; i < BATCH_WARMUP; i++) await replay(side, floors[page]!);
          return measure(side.database, GETS, () => replay(side, floors[page]!));
        };
      }
    }

    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + r) % targets.length]!;
        (result.batches[target] ??= []).push(await run[target]());
      }
      console.error(`${engine}: round ${r + 1}/${ROUNDS} (${fmt((performance.now() - t0) / 1000)} s)`);
    }
    // A sign-off replayed must have done what the POST did.
    const replayed = await side.database.db
      .selectFrom('progress_report')
      .select(({ fn }) => fn.countAll<number>().as('n'))
      .where('state', '=', 'officer_approved')
      .execute();
    if (ONLY.includes('sign-off') && Number(replayed[0]!.n) < 1 + 2 * ROUNDS * SIGN_OFFS)
      throw new Error(`only ${replayed[0]!.n} reports are signed off by their officer after the benchmark`);
    return result;
  } finally {
    await hello.close();
  }
}

// ---- Tables --------------------------------------------------------------------------------------

const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const cell = (xs: number[]) => `${fmt(median(xs))} (${range(xs)})`;
const ratios = (as: Batch[], bs: Batch[], f: (a: Batch, b: Batch) => number) => as.map((a, i) => f(a, bs[i]!));

function table(result: EngineResult): string {
  const server = result.engine === 'postgres';
  const hello = result.batches.hello!;
  const lines = [
    `| Page | Statements | CPU ms/request${server ? ' (Node + server)' : ''} | req/s | req/s ÷ bare route | bare route's CPU ÷ CPU | Floor CPU ms/request | Floor req/s | CPU ÷ floor CPU |`,
    '|---|---:|---|---|---|---|---|---|---|',
    `| Bare Fastify route | – | ${cell(hello.map(total))} | ${cell(hello.map((b) => b.perSecond))} | 1 | 1 | – | – | – |`,
  ];
  for (const page of ONLY) {
    const bs = result.batches[page]!;
    const fs = result.batches[`floor:${page}`]!;
    lines.push(
      `| ${PAGE_LABELS[page]} | ${result.statements[page]} | ${cell(bs.map(total))}` +
        (server ? ` [server ${fmt(median(bs.map((b) => b.serverCpu)))}]` : '') +
        ` | ${cell(bs.map((b) => b.perSecond))} | ${cell(ratios(bs, hello, (a, h) => a.perSecond / h.perSecond))}` +
        ` | ${cell(ratios(bs, hello, (a, h) => total(h) / total(a)))}` +
        ` | ${cell(fs.map(total))} | ${cell(fs.map((b) => b.perSecond))} | **${fmt(median(ratios(bs, fs, (a, f) => total(a) / total(f))))}** (${range(ratios(bs, fs, (a, f) => total(a) / total(f)))}) |`,
    );
  }
  return lines.join('\n');
}

// ---- Main ------------------------------------------------------------------------------------------

const open: Side[] = [];
const closeAll = async () => {
  for (const side of open.splice(0)) {
    await side.app.close().catch(() => undefined);
    await side.liveApp.close().catch(() => undefined);
    await side.uncachedApp.close().catch(() => undefined);
    await side.database.close().catch((e: unknown) => console.error(e));
  }
};
const guard = deadline(ENGINES.length * 8 * 60, 'bench/pages.ts', closeAll);

try {
  const machine = describeMachine();
  console.log(
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memory}, ${machine.platform}, Node ${machine.node}, ${machine.when}.`,
  );
  if (!PROFILE)
    console.log(
      `${ROUNDS} rounds; per round and target ${GETS} requests (${SIGN_OFFS} sign-offs, ${GETS * HELLO_FACTOR} of the bare route), after ${WARMUP} warm-up requests each and ${BATCH_WARMUP} unmeasured at the start of every GET batch.`,
    );
  const results: EngineResult[] = [];
  for (const engine of ENGINES) {
    const t0 = performance.now();
    const load0 = os.loadavg()[0]!;
    const signOffs = !ONLY.includes('sign-off') ? 0 : PROFILE ? ROUNDS * SIGN_OFFS : 1 + ROUNDS * SIGN_OFFS;
    const side = await openSide(engine, signOffs);
    open.push(side);
    const setupSeconds = (performance.now() - t0) / 1000;
    console.error(`${engine}: ready in ${fmt(setupSeconds)} s`);
    if (PROFILE) await profileEngine(engine, side);
    else {
      const result = await runEngine(engine, side, setupSeconds);
      results.push(result);
      console.log(`\n## ${engine === 'postgres' ? 'PostgreSQL' : 'PGlite'}\n\n${table(result)}`);
      console.log(`\nLoad average (1 min) at the start and end: ${fmt(load0)} → ${fmt(os.loadavg()[0]!)}.`);
      const kept = side.app.pageCache?.counts;
      if (kept && ONLY.includes('report-cached'))
        console.log(
          `Pages kept in memory: ${kept.hits} answered from memory, ${kept.misses} not kept (an editor's page, which never is, or a first read), ${kept.expired} past their time (the session's "last seen" write due), ${kept.stale} under an older access generation.`,
        );
    }
    open.splice(open.indexOf(side), 1);
    await side.app.close();
    await side.liveApp.close();
    await side.uncachedApp.close();
    await side.database.close();
  }
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine, args, results }, null, 2));
  guard.disarm();
} catch (error) {
  console.error(error);
  await closeAll();
  process.exit(1);
}
