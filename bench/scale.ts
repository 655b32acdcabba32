// Internet scale in a simulation (issue 14, item 6): 300 organisations on one PostgreSQL database,
// three `amber serve` processes on it behind a round-robin proxy, and a bounded mixed workload of
// signed-in officers across the organisations. docs/scaling.md reads the numbers.
//
// 1. Load. A scratch database `amber_scale_<pid>` on the server (created here, dropped at the end)
//    is migrated, then filled with `--orgs` organisations whose sizes are drawn (seeded) like
//    councils' corporate plans: most a handful to a few dozen priorities, a few in the hundreds
//    (BANDS below). The first, of the largest size, is built by test/builders/sized-organisation.ts
//    (six priorities through the services, the rest copies through the organisation import); its
//    organisation file, with report text of a realistic length added (TEXT below), is the template
//    of every other: cut to the organisation's number of priorities, given fresh ids and a name,
//    and imported (`transfer.importOrganisation`). Each priority has an H1 report (every other one
//    published, with its stored revision) and an H2 draft, a key action with a milestone in each,
//    and a quarterly indicator with four values shown as the H2 report's graph. Every organisation
//    gets three accounts with a session each (`createTestSession`, no password or sign-in form): a
//    performance officer, the accountable director of its priorities, and a viewer. Then
//    `vacuum analyze`, and the rows and bytes of every table, less the empty migrated database.
// 2. Serve. Three `node bin/amber.js serve` processes (NODE_ENV=production, AMBER_DEMO=off, logs at
//    warn) on loopback ports, and bench/scale-proxy.ts in front of them (a process of its own).
// 3. Mixed workload. `--concurrency` clients, each a loop of visits to the organisations given to
//    it (organisation i goes to client i mod C, so no two clients edit one report at once and no
//    write meets a version conflict), each visit one kind drawn by weight (MIX): mostly GETs of
//    dashboards, priority lists and pages, report pages (drafts and published), my work and
//    indicator pages; some writes (open a report's edit form then save its sections with the
//    version the form carried; record an indicator value); a few downloads (report PDF and Word,
//    open data CSV). `--warmup` seconds unmeasured, then `--seconds` measured: requests a second,
//    latency percentiles per kind and overall (at the client, through the proxy), errors (any
//    answer but the expected 200 or 303, or a failed connection: must be 0), and the CPU of the
//    instances, the proxy, this process (the clients) and the PostgreSQL server's processes of
//    this database (backends and autovacuum, from /proc: the server runs on this machine). Also
//    what the instances served from memory (ADR 0017's report pages, ADR 0023's dashboards), from
//    their /metrics (`amber_kept_lookups_total`) before and after it, warm-up included.
// 4. CPU per request by kind. Each kind alone for `--kind-seconds` at the same concurrency
//    (after a second unmeasured): the instances' and the database's CPU divided by the requests.
//
//   node bench/scale.ts [--orgs 300] [--seconds 60] [--warmup 10] [--concurrency 12]
//       [--kind-seconds 4] [--seed 14]
//   (about 3 minutes on the 2-core development machine; a deadline stops it after 12 minutes;
//   tables on stdout, progress on stderr, everything in bench/results/scale-latest.json)

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type DatabaseHandle } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { buildServices, type Services } from '../src/composition.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import type { DB } from '../src/schema.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { insertSizedOrganisation, SIZED_PERIODS } from '../test/builders/sized-organisation.ts';
import { deadline, describeMachine, fmt, median, percentile } from './support.ts';
import type { ProxyStats } from './scale-proxy.ts';

const { values: args } = parseArgs({
  options: {
    orgs: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '12' },
    'kind-seconds': { type: 'string', default: '4' },
    seed: { type: 'string', default: '14' },
  },
});
const ORGS = Number(args.orgs);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const CONCURRENCY = Number(args.concurrency);
const KIND_SECONDS = Number(args['kind-seconds']);
const SEED = Number(args.seed);
for (const [name, n] of Object.entries({ ORGS, SECONDS, WARMUP, CONCURRENCY, KIND_SECONDS, SEED }))
  if (!Number.isInteger(n) || n < 0 || (name !== 'WARMUP' && n < 1)) throw new Error(`--${name.toLowerCase()} ${n}?`);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVER_URL =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = `amber_scale_${process.pid}`;
const DATABASE_URL = (() => {
  const u = new URL(SERVER_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();
const INSTANCES = 3;
const START_TIMEOUT_MS = 180_000;
const CLK_TCK = 100; // getconf CLK_TCK on Linux x64: /proc/PID/stat counts CPU time in hundredths of a second

/**
 * Priorities per organisation, as councils' corporate and service plans have them: shares of the
 * organisations and the range of each band (a seeded draw within it). The mean is about 30.
 */
const BANDS = [
  { share: 0.45, min: 5, max: 15 },
  { share: 0.3, min: 16, max: 35 },
  { share: 0.17, min: 36, max: 70 },
  { share: 0.06, min: 71, max: 150 },
  { share: 0.02, min: 151, max: 300 },
] as const;
const LARGEST = BANDS[BANDS.length - 1]!.max;

/** Report text of a realistic length (the builder's is a few words): what a council writes each half year. */
const TEXT = {
  summary:
    'Good progress overall this half year. The service redesign moved into its second phase on time and within budget, ' +
    'and the new case management system went live in September after a month of parallel running. Demand rose by 6% ' +
    'on the same period last year, mostly from older residents, which put pressure on response times in August. ' +
    'The partnership board agreed a revised action plan in July; the remaining risk is recruitment to two specialist ' +
    'posts, which we expect to fill by January. Members asked for a fuller picture of outcomes, so the next report ' +
    'will add the quarterly survey results alongside the indicators.',
  rationale:
    'Residents told us in the budget consultation that this matters most to them, and our performance has been in ' +
    'the bottom quartile of similar councils for three years. The priority supports the corporate plan’s aim of ' +
    'fair access to services and the partnership’s commitments to the health and wellbeing board.',
  achievements: [
    'Second phase of the service redesign started on time',
    'Case management system live across all teams',
    'Waiting list down from 412 to 288',
  ],
  challenges: ['Recruitment to two specialist posts', 'Rising demand from older residents over the summer'],
};

const PERIOD_DRAFT = SIZED_PERIODS.later; // 2009-10-h2: a draft for every priority
const PERIOD_PUBLISHED = SIZED_PERIODS.earlier; // 2009-10-h1: published for odd-numbered priorities

// ---------------------------------------------------------------------------------------------
// Small things

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line = '') => console.log(line);
const progress = (line: string) => console.error(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}`);
const seconds = (ms: number) => `${fmt(ms / 1000)} s`;

/** mulberry32: a small seeded generator, so two runs load the same organisations and draw the same visits. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const between = (rng: () => number, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

async function inParallel<T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------
// CPU from /proc: processes we started (all their threads), and the server's processes of our database

/** CPU seconds of a process, all threads (utime + stime of /proc/PID/stat); undefined once it has gone. */
function processCpu(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch {
    return undefined;
  }
}

/** Busy and total CPU seconds of the whole machine (/proc/stat), for how busy the two cores were. */
function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / CLK_TCK, total: (busy + idle + iowait) / CLK_TCK };
}

/**
 * The PostgreSQL server's processes that work for our database (backends, autovacuum workers:
 * their titles name the database), sampled twice a second so that a backend the pools open and
 * close between two snapshots is still counted (up to its last sample). Nanoseconds on a CPU
 * from /proc/PID/schedstat.
 */
function startServerSampler(database: string) {
  const lastSeen = new Map<number, number>();
  const pattern = new RegExp(`^postgres: .*\\b${database}\\b`);
  const sample = () => {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      try {
        if (!lastSeen.has(pid) && !pattern.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')))
          continue;
        lastSeen.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
      } catch {
        // gone between the listing and the read: its last sample stands
      }
    }
  };
  sample();
  const timer = setInterval(sample, 500);
  return {
    /** CPU seconds of every process of the database seen so far (their latest samples). */
    now(): number {
      sample();
      let ns = 0;
      for (const v of lastSeen.values()) ns += v;
      return ns / 1e9;
    },
    processes: () => lastSeen.size,
    stop: () => clearInterval(timer),
  };
}

// ---------------------------------------------------------------------------------------------
// Loading

interface Organisation {
  index: number;
  id: string;
  slug: string;
  name: string;
  priorities: number;
  cookies: { officer: string; director: string; viewer: string };
  csrf: { officer: string };
}

/** The organisation file (`amber.organisation.v1`), as much of it as cutting it to size needs. */
interface OrganisationFile {
  organisation: { id: string; name: string };
  plans: { themes: { priorities: { id: string; code: string }[] }[] }[];
  reports: { priority: string }[];
  indicators?: { priorityIds: string[] }[];
  [key: string]: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const orgName = (i: number) => `Scale Council ${String(i + 1).padStart(3, '0')}`;

/** Sizes of the organisations: the band shares of `n`, drawn within each band; the first is the largest. */
function drawSizes(n: number, rng: () => number): number[] {
  const counts = BANDS.map((b) => Math.round(b.share * n));
  counts[0]! += n - counts.reduce((a, b) => a + b, 0);
  const sizes = BANDS.flatMap((b, i) => Array.from({ length: counts[i]! }, () => between(rng, b.min, b.max)));
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j]!, sizes[i]!];
  }
  // The first is built by the builder at the largest size; the draw it displaces takes its place.
  const top = sizes.indexOf(Math.max(...sizes));
  sizes[top] = sizes[0]!;
  sizes[0] = LARGEST;
  return sizes;
}

/** The template's text with the report text of a real council (the same in the live report and its stored revisions). */
function withRealisticText(text: string): string {
  const j = (v: unknown) => JSON.stringify(v);
  return text
    .replace(/"summary":"(SZ-\d+ in [0-9a-z-]+)"/g, (_m, head: string) => `"summary":${j(`${head}. ${TEXT.summary}`)}`)
    .replaceAll('"rationale":""', `"rationale":${j(TEXT.rationale)}`)
    .replaceAll('"achievements":[]', `"achievements":${j(TEXT.achievements)}`)
    .replaceAll('"challenges":[]', `"challenges":${j(TEXT.challenges)}`);
}

/** The template cut to its first `n` priorities (with their reports and indicators), with fresh ids and a new name. */
function copyOf(template: OrganisationFile, n: number, name: string): unknown {
  const keep = new Set(Array.from({ length: n }, (_, i) => `SZ-${i + 1}`));
  const plans = template.plans.map((p) => ({
    ...p,
    themes: p.themes.map((t) => ({ ...t, priorities: t.priorities.filter((x) => keep.has(x.code)) })),
  }));
  const kept = new Set(plans.flatMap((p) => p.themes.flatMap((t) => t.priorities.map((x) => x.id))));
  const cut = {
    ...template,
    plans,
    reports: template.reports.filter((r) => keep.has(r.priority)),
    indicators: (template.indicators ?? []).filter((x) => x.priorityIds.every((id) => kept.has(id))),
  };
  const fresh = new Map<string, string>();
  return JSON.parse(
    JSON.stringify(cut)
      .replace(UUID, (id) => fresh.get(id) ?? fresh.set(id, randomUUID()).get(id)!)
      .replaceAll(JSON.stringify(template.organisation.name), JSON.stringify(name)),
  );
}

interface TableSize {
  table: string;
  rows: number;
  bytes: number;
  organisationId: boolean;
  rowLevelSecurity: boolean;
}

async function tableSizes(handle: DatabaseHandle<DB>): Promise<TableSize[]> {
  const { rows } = await sql<{ table: string; bytes: string; has_org: boolean; rls: boolean }>`
    select c.relname as table, pg_total_relation_size(c.oid) as bytes, c.relrowsecurity as rls,
      exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'organisation_id'
              and not a.attisdropped) as has_org
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by c.relname`.execute(handle.db);
  const out: TableSize[] = [];
  for (const r of rows) {
    const [{ n }] = (await sql<{ n: string }>`select count(*) as n from ${sql.table(r.table)}`.execute(handle.db))
      .rows as [{ n: string }];
    out.push({
      table: r.table,
      rows: Number(n),
      bytes: Number(r.bytes),
      organisationId: r.has_org,
      rowLevelSecurity: r.rls,
    });
  }
  return out;
}

async function load(handle: DatabaseHandle<DB>, services: Services) {
  const rng = random(SEED);
  const sizes = drawSizes(ORGS, rng);
  const steps: [string, number][] = [];
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await fn();
    steps.push([what, performance.now() - t0]);
    progress(`${what}: ${seconds(performance.now() - t0)}`);
    return value;
  };

  const first = await step(`organisation 1 (${LARGEST} priorities) by the sized-organisation builder`, () =>
    insertSizedOrganisation({ services, units: handle.units }, { priorities: LARGEST, name: orgName(0) }),
  );
  const template = await step('its file, with realistic report text, imported over it', async () => {
    const text = withRealisticText(JSON.stringify(await services.transfer.exportOrganisation(first.organisationId)));
    await services.transfer.importOrganisation(JSON.parse(text), { replace: true, actorLabel: 'bench' });
    return JSON.parse(text) as OrganisationFile;
  });
  await step(`${ORGS - 1} organisations imported from it, cut to size`, () =>
    inParallel(
      sizes.slice(1).map((n, i) => ({ n, i: i + 1 })),
      2,
      async ({ n, i }) => {
        await services.transfer.importOrganisation(copyOf(template, n, orgName(i)), { actorLabel: 'bench' });
        if (i % 50 === 0) progress(`  ${i} organisations`);
      },
    ),
  );
  const { rows: made } = await sql<{ id: string; slug: string; name: string; director: string; priorities: number }>`
    select o.id, o.slug, o.name, p.id as director,
      (select count(*)::int from priority x where x.organisation_id = o.id) as priorities
    from organisation o
    join person p on p.organisation_id = o.id and p.name = 'Sized Director'
    where o.name like 'Scale Council %' and o.managed_by_id is null order by o.name`.execute(handle.db);
  if (made.length !== ORGS) throw new Error(`expected ${ORGS} organisations, found ${made.length}`);
  const wrong = made.filter((o) => o.priorities !== sizes[Number(o.name.slice('Scale Council '.length)) - 1]);
  if (wrong.length > 0) throw new Error(`organisations of the wrong size: ${wrong.map((o) => o.name).join(', ')}`);

  const organisations: Organisation[] = [];
  const cookie = (token: string) => `${cookieNames(true).session}=${token}`;
  const tokenOf = (c: string) => c.split('=').slice(1).join('=');
  await step(`${ORGS * 3} accounts with a session each`, () =>
    inParallel(made, 4, async (o, i) => {
      const officer = await createTestSession(services, o.id, ['performance_officer']);
      const director = await createTestSession(services, o.id, ['accountable_director'], { personId: o.director });
      const viewer = await createTestSession(services, o.id, ['viewer']);
      organisations[i] = {
        index: i,
        id: o.id,
        slug: o.slug,
        name: o.name,
        priorities: o.priorities,
        cookies: {
          officer: cookie(tokenOf(officer.headers.cookie)),
          director: cookie(tokenOf(director.headers.cookie)),
          viewer: cookie(tokenOf(viewer.headers.cookie)),
        },
        csrf: { officer: officer.csrfToken },
      };
    }),
  );
  await step('vacuum analyze', () => sql`vacuum analyze`.execute(handle.db));
  return { organisations, sizes, steps };
}

// ---------------------------------------------------------------------------------------------
// The instances and the proxy

interface Child {
  name: string;
  child: ChildProcess;
  output: string;
  exit: Promise<void>;
}
const children: Child[] = [];

function spawnChild(name: string, argv: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const c: Child = {
    name,
    child,
    output: '',
    exit: new Promise((resolve) => child.once('exit', () => resolve())),
  };
  const keep = (d: Buffer) => {
    c.output += d.toString();
    if (c.output.length > 200_000) c.output = c.output.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.push(c);
  return c;
}

async function waitFor(c: Child, pattern: RegExp): Promise<RegExpExecArray> {
  const until = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const m = pattern.exec(c.output);
    if (m) return m;
    if (c.child.exitCode !== null || c.child.signalCode !== null)
      throw new Error(`${c.name} exited while starting:\n${c.output.slice(-3000)}`);
    if (Date.now() > until) throw new Error(`${c.name} did not start in ${START_TIMEOUT_MS} ms:\n${c.output}`);
    await sleep(100);
  }
}

/** Stops only the processes started here, by their PIDs: SIGTERM, then SIGKILL after 15 s. */
async function stopChildren() {
  const running = children.filter((c) => c.child.exitCode === null && c.child.signalCode === null);
  for (const c of running) c.child.kill('SIGTERM');
  await Promise.race([Promise.all(running.map((c) => c.exit)), sleep(15_000)]);
  for (const c of running) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
}

// ---------------------------------------------------------------------------------------------
// The workload

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
/** Writes answered 303 in every phase, warm-ups included: what the audit trail grew by is divided by it. */
let writesDone = 0;
let base = { port: 0 };

interface Answer {
  status: number;
  body: Buffer;
  ms: number;
  location?: string | undefined;
}

function send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: base.port,
        method,
        path,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            ms: performance.now() - t0,
            location: res.headers.location,
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error('no answer in 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

const KINDS = [
  'dashboard',
  'priority list',
  'priority page',
  'report page (draft)',
  'report page (published)',
  'my work',
  'indicator page',
  'report edit form',
  'save report sections (POST)',
  'record indicator value (POST)',
  'report PDF',
  'report Word',
  'open data CSV',
] as const;
type Kind = (typeof KINDS)[number];

interface Sample {
  kind: Kind;
  ms: number;
  at: number;
}

interface Recorder {
  record(kind: Kind, answer: Answer): void;
  error(kind: Kind, what: string): void;
}

type Who = keyof Organisation['cookies'];
const pickOf = <T>(rng: () => number, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const anyCode = (rng: () => number, o: Organisation) => `SZ-${between(rng, 1, o.priorities)}`;
/** Odd-numbered priorities have a published H1 report. */
const publishedCode = (rng: () => number, o: Organisation) =>
  `SZ-${2 * between(rng, 0, Math.ceil(o.priorities / 2) - 1) + 1}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/**
 * One request of a kind (two for "save" in the mixed workload: the edit form, then the save with
 * the version it carried). Checks the status, and a word of the body where that is cheap.
 */
async function act(
  kind: Kind,
  o: Organisation,
  rng: () => number,
  rec: Recorder,
  options: { withForm: boolean },
): Promise<void> {
  const prefix = `/o/${o.slug}`;
  const get = async (k: Kind, who: Who, path: string, expect?: (a: Answer) => boolean) => {
    let a: Answer;
    try {
      a = await send('GET', prefix + path, { cookie: o.cookies[who] });
    } catch (error) {
      rec.error(k, `GET ${prefix}${path}: ${(error as Error).message}`);
      return undefined;
    }
    if (a.status !== 200 || (expect && !expect(a))) {
      rec.error(k, `GET ${prefix}${path} as ${who}: ${a.status} ${a.body.toString('utf8', 0, 200)}`);
      return undefined;
    }
    rec.record(k, a);
    return a;
  };
  const post = async (k: Kind, path: string, fields: Record<string, string | string[]>) => {
    const form = new URLSearchParams();
    for (const [f, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) form.append(f, x);
    let a: Answer;
    try {
      a = await send(
        'POST',
        prefix + path,
        { ...FORM, cookie: o.cookies.officer, 'x-csrf-token': o.csrf.officer },
        form.toString(),
      );
    } catch (error) {
      rec.error(k, `POST ${prefix}${path}: ${(error as Error).message}`);
      return;
    }
    if (a.status !== 303) {
      rec.error(k, `POST ${prefix}${path}: ${a.status} ${a.body.toString('utf8', 0, 300)}`);
      return;
    }
    writesDone++;
    rec.record(k, a);
  };
  const has = (text: string) => (a: Answer) => a.body.includes(text);

  switch (kind) {
    case 'dashboard':
      await get(kind, pickOf(rng, ['officer', 'director', 'viewer']), `/dashboard?period=${PERIOD_DRAFT}`, (a) =>
        a.body.includes(`${o.priorities}<span class="govuk-visually-hidden"> priorities in all`),
      );
      return;
    case 'priority list':
      await get(kind, pickOf(rng, ['officer', 'director', 'viewer']), '/priorities', has('SZ-1'));
      return;
    case 'priority page': {
      const code = anyCode(rng, o);
      await get(kind, pickOf(rng, ['officer', 'director']), `/priorities/${code}`, has(code));
      return;
    }
    case 'report page (draft)': {
      const code = anyCode(rng, o);
      await get(kind, pickOf(rng, ['officer', 'director']), `/priorities/${code}/reports/${PERIOD_DRAFT}`, has(code));
      return;
    }
    case 'report page (published)': {
      const code = publishedCode(rng, o);
      await get(
        kind,
        pickOf(rng, ['officer', 'director', 'viewer']),
        `/priorities/${code}/reports/${PERIOD_PUBLISHED}`,
        has(code),
      );
      return;
    }
    case 'my work':
      await get(kind, 'director', '/my-work');
      return;
    case 'indicator page': {
      const code = `${anyCode(rng, o)}-I`;
      await get(kind, pickOf(rng, ['officer', 'director', 'viewer']), `/indicators/${code}`, has(code));
      return;
    }
    case 'report edit form':
      await get(kind, 'officer', `/priorities/${anyCode(rng, o)}/reports/${PERIOD_DRAFT}/edit`, has('name="version"'));
      return;
    case 'save report sections (POST)': {
      const code = anyCode(rng, o);
      const path = `/priorities/${code}/reports/${PERIOD_DRAFT}/edit`;
      let version: string | undefined;
      if (options.withForm) {
        const form = await get('report edit form', 'officer', path);
        if (!form) return;
        version = /name="version" value="(\d+)"/.exec(form.body.toString())?.[1];
        if (!version) return rec.error('report edit form', `GET ${path}: no version in the form`);
      }
      await post(kind, path, {
        summary: `${code} in ${PERIOD_DRAFT}, saved at ${new Date().toISOString()}. ${TEXT.summary}`,
        status: pickOf(rng, ['green', 'amber', 'red']),
        statusReason: 'As the summary says',
        achievements: TEXT.achievements.join('\n'),
        challenges: TEXT.challenges.join('\n'),
        ...(version ? { version } : {}),
      });
      return;
    }
    case 'record indicator value (POST)': {
      const code = `${anyCode(rng, o)}-I`;
      await post(kind, `/indicators/${code}/values`, {
        period: pickOf(rng, SIZED_PERIODS.quarters),
        actual: String(between(rng, 60, 95)),
        target: '80',
      });
      return;
    }
    case 'report PDF': {
      const code = publishedCode(rng, o);
      await get(
        kind,
        pickOf(rng, ['officer', 'director', 'viewer']),
        `/priorities/${code}/reports/${PERIOD_PUBLISHED}/download/pdf`,
        (a) => a.body.subarray(0, 5).toString() === '%PDF-',
      );
      return;
    }
    case 'report Word':
      await get(
        kind,
        pickOf(rng, ['officer', 'director']),
        `/priorities/${anyCode(rng, o)}/reports/${PERIOD_DRAFT}/download/docx`,
        (a) => a.body.subarray(0, 2).toString() === 'PK',
      );
      return;
    case 'open data CSV':
      await get(kind, 'viewer', '/open-data/priority-statuses.csv', has('SZ-1'));
      return;
  }
}

/**
 * Visits in the mixed workload, by weight (per hundred visits). "save report sections" is two
 * requests (its edit form, then the save), so about 6% of requests are writes and 3% downloads.
 */
const MIX: [Kind, number][] = [
  ['dashboard', 14],
  ['priority list', 12],
  ['priority page', 10],
  ['report page (draft)', 17],
  ['report page (published)', 15],
  ['my work', 6],
  ['indicator page', 6],
  ['save report sections (POST)', 5],
  ['record indicator value (POST)', 3],
  ['report PDF', 2],
  ['report Word', 1],
  ['open data CSV', 2],
  ['report edit form', 2], // opened and left without saving
];
const MIX_TOTAL = MIX.reduce((a, [, w]) => a + w, 0);
const drawKind = (rng: () => number): Kind => {
  let x = rng() * MIX_TOTAL;
  for (const [k, w] of MIX) if ((x -= w) < 0) return k;
  return MIX[0]![0];
};

interface CpuSnapshot {
  at: number;
  instances: number;
  proxy: number;
  client: number;
  server: number;
  machine: { busy: number; total: number };
}

interface Phase {
  samples: Sample[];
  errors: string[];
  errorCount: number;
  cpu: { start: CpuSnapshot; end: CpuSnapshot };
}

/**
 * `CONCURRENCY` clients, each visiting its own organisations (i mod C) until the time is up; what
 * completes in the measured window is recorded, with the CPU of every party at its edges.
 */
async function runPhase(
  organisations: Organisation[],
  opts: { kinds: 'mix' | Kind; warmupMs: number; measureMs: number; seed: number; snapshot: () => CpuSnapshot },
): Promise<Phase> {
  const phase: Phase = { samples: [], errors: [], errorCount: 0, cpu: undefined as never };
  const t0 = performance.now();
  const from = t0 + opts.warmupMs;
  const to = from + opts.measureMs;
  let start: CpuSnapshot | undefined;
  const startTimer = setTimeout(() => (start = opts.snapshot()), opts.warmupMs);
  // The window runs from the start snapshot to the moment the last request started before `to`
  // completes, and counts every request completed in it: its CPU and its requests then match
  // (the few that straddle its start are counted whole, those in flight at its end too).
  const rec: Recorder = {
    record(kind, answer) {
      const at = performance.now();
      if (at >= from) phase.samples.push({ kind, ms: answer.ms, at });
    },
    error(kind, what) {
      phase.errorCount++;
      if (phase.errors.length < 20) phase.errors.push(`${kind}: ${what}`);
    },
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      const mine = organisations.filter((o) => o.index % CONCURRENCY === w);
      const rng = random(opts.seed * 1000 + w);
      while (performance.now() < to) {
        const o = pickOf(rng, mine);
        const kind = opts.kinds === 'mix' ? drawKind(rng) : opts.kinds;
        await act(kind, o, rng, rec, { withForm: opts.kinds === 'mix' });
      }
    }),
  );
  clearTimeout(startTimer);
  const end = opts.snapshot();
  phase.cpu = { start: start ?? end, end };
  return phase;
}

// ---------------------------------------------------------------------------------------------

interface KindCpu {
  kind: Kind;
  requests: number;
  perSecond: number;
  p50: number;
  amberMs: number;
  serverMs: number;
  proxyMs: number;
}

const cleanup = { handle: undefined as DatabaseHandle<DB> | undefined, admin: undefined as pg.Client | undefined };
let dropped = false;
async function closeAll() {
  await stopChildren().catch((e: unknown) => console.error(e));
  agent.destroy();
  await cleanup.handle?.close().catch((e: unknown) => console.error(e));
  cleanup.handle = undefined;
  if (cleanup.admin && !dropped) {
    dropped = true;
    await cleanup.admin
      .query(`drop database if exists ${DATABASE} with (force)`)
      .catch((e: unknown) => console.error(e));
    await cleanup.admin.end().catch(() => undefined);
  }
}
const guard = deadline(12 * 60, 'bench/scale.ts', closeAll);
// Interrupted: the instances, the proxy and the scratch database go too.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`${signal}: stopping`);
    void closeAll().finally(() => process.exit(130));
  });

try {
  const t0 = performance.now();
  const machine = describeMachine();
  const loadStart = os.loadavg()[0]!;
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  cleanup.admin = admin;
  await admin.query(`create database ${DATABASE}`);
  progress(`database ${DATABASE} created`);
  const handle = await openDatabase<DB>({ databaseUrl: DATABASE_URL, poolSize: 4 });
  cleanup.handle = handle;
  await migrateToLatest(handle.db);
  const empty = await tableSizes(handle);
  const services = buildServices(handle, { log: () => undefined });
  const { organisations, sizes, steps } = await load(handle, services);
  const loaded = await tableSizes(handle);
  const [{ bytes: databaseBytes }] = (
    await sql<{ bytes: string }>`select pg_database_size(current_database()) as bytes`.execute(handle.db)
  ).rows as [{ bytes: string }];
  const loadMs = performance.now() - t0;
  progress(`loaded in ${seconds(loadMs)}`);

  // Three instances and the proxy.
  const ports = await Promise.all(Array.from({ length: INSTANCES }, freePort));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    AMBER_DEMO: 'off',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: '127.0.0.1',
  };
  for (const name of ['SMTP_URL', 'PUBLIC_URL', 'METRICS_TOKEN', 'AMBER_BACKUP_DIR', 'AMBER_DRAIN_SECONDS'])
    delete env[name];
  const tStart = performance.now();
  const instances = ports.map((port, i) =>
    spawnChild(`instance ${i + 1}`, ['bin/amber.js', 'serve', '--port', String(port)], env),
  );
  await Promise.all(instances.map((c) => waitFor(c, /Amber is running at/)));
  const startMs = performance.now() - tStart;
  const proxy = spawnChild('proxy', ['bench/scale-proxy.ts', ports.join(',')], { ...process.env });
  base = { port: Number((await waitFor(proxy, /listening (\d+)/))[1]) };
  // Until the proxy has seen every instance ready.
  for (let i = 0; ; i++) {
    const stats = JSON.parse((await send('GET', '/__proxy/stats', {})).body.toString()) as ProxyStats;
    if (stats.ready.every(Boolean)) break;
    if (i > 150) throw new Error(`the proxy does not see every instance ready: ${JSON.stringify(stats)}`);
    await sleep(200);
  }
  progress(`three instances started in ${seconds(startMs)}; proxy on ${base.port}`);

  const sampler = startServerSampler(DATABASE);
  const snapshot = (): CpuSnapshot => {
    const cpu = process.cpuUsage();
    return {
      at: performance.now(),
      instances: instances.reduce((a, c) => a + (processCpu(c.child.pid) ?? 0), 0),
      proxy: processCpu(proxy.child.pid) ?? 0,
      client: (cpu.user + cpu.system) / 1e6,
      server: sampler.now(),
      machine: machineCpu(),
    };
  };

  /** Each instance's `amber_kept_lookups_total`, summed over the instances, by "kept result". */
  const keptLookups = async (): Promise<Map<string, number>> => {
    const sums = new Map<string, number>();
    for (const port of ports) {
      const text = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (b: Buffer) => parts.push(b));
            res.on('end', () => resolve(Buffer.concat(parts).toString()));
          })
          .on('error', reject);
      });
      for (const m of text.matchAll(/^amber_kept_lookups_total\{kept="([a-z_]+)",result="([a-z_]+)"\} (\S+)$/gm))
        sums.set(`${m[1]} ${m[2]}`, (sums.get(`${m[1]} ${m[2]}`) ?? 0) + Number(m[3]));
    }
    return sums;
  };

  // Mixed workload.
  progress(`mixed workload: ${WARMUP} s warm-up, ${SECONDS} s measured, ${CONCURRENCY} clients`);
  const keptBefore = await keptLookups();
  const jobsBefore = await sql<{
    kind: string;
    n: string;
  }>`select kind, count(*) as n from job group by kind`.execute(handle.db);
  const mixed = await runPhase(organisations, {
    kinds: 'mix',
    warmupMs: WARMUP * 1000,
    measureMs: SECONDS * 1000,
    seed: SEED,
    snapshot,
  });
  const loadMixed = os.loadavg()[0]!;
  const keptAfter = await keptLookups();
  const keptInMixed = [...keptAfter].map(([key, n]) => [key, n - (keptBefore.get(key) ?? 0)] as const);
  progress(`mixed workload: ${mixed.samples.length} requests measured, ${mixed.errorCount} errors`);

  // Each kind alone, for CPU per request.
  const perKind: KindCpu[] = [];
  for (const [i, kind] of KINDS.entries()) {
    const phase = await runPhase(organisations, {
      kinds: kind,
      warmupMs: 1000,
      measureMs: KIND_SECONDS * 1000,
      seed: SEED + 100 + i,
      snapshot,
    });
    const n = phase.samples.length;
    if (n === 0) throw new Error(`${kind}: no request completed in ${KIND_SECONDS} s`);
    const d = (k: 'instances' | 'server' | 'proxy') => ((phase.cpu.end[k] - phase.cpu.start[k]) * 1000) / n;
    perKind.push({
      kind,
      requests: n,
      perSecond: n / ((phase.cpu.end.at - phase.cpu.start.at) / 1000),
      p50: median(phase.samples.map((s) => s.ms)),
      amberMs: d('instances'),
      serverMs: d('server'),
      proxyMs: d('proxy'),
    });
    mixed.errorCount += phase.errorCount;
    mixed.errors.push(...phase.errors.slice(0, 5));
    progress(`${kind}: ${n} requests, ${fmt(d('instances'))} + ${fmt(d('server'))} ms CPU each`);
  }
  sampler.stop();
  const proxyStats = JSON.parse((await send('GET', '/__proxy/stats', {})).body.toString()) as ProxyStats;
  const jobsAfter = await sql<{
    kind: string;
    n: string;
  }>`select kind, count(*) as n from job group by kind`.execute(handle.db);
  const afterWrites = await tableSizes(handle);
  const audit = (sizes: TableSize[]) => sizes.find((t) => t.table === 'audit_event')!;
  const totalMs = performance.now() - t0;

  // ---- Report ---------------------------------------------------------------------------------
  say(
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memory}, ${machine.platform}, Node ${machine.node}, ${machine.when}.`,
  );
  const version = (await sql<{ v: string }>`select version() as v`.execute(handle.db)).rows[0]!.v.split(' on ')[0];
  say(`Database: ${version} on the same machine, database ${DATABASE} (dropped at the end).`);
  say(`Total ${seconds(totalMs)}: loading ${seconds(loadMs)}, three instances started in ${seconds(startMs)}.`);
  say(
    `Load average (1 min) at the start ${loadStart.toFixed(1)}, after the mixed workload ${loadMixed.toFixed(1)}, at the end ${os.loadavg()[0]!.toFixed(1)}.`,
  );

  say('\n### Loading\n');
  const totalPriorities = sizes.reduce((a, b) => a + b, 0);
  say(
    `${ORGS} organisations, ${totalPriorities.toLocaleString('en-GB')} priorities (mean ${fmt(totalPriorities / ORGS)}, median ${median(sizes)}, largest ${Math.max(...sizes)}), ${ORGS * 3} accounts and sessions.\n`,
  );
  say('| Priorities | Organisations | Priorities in all |');
  say('|---|---:|---:|');
  for (const b of BANDS) {
    const inBand = sizes.filter((s) => s >= b.min && s <= b.max);
    say(`| ${b.min}–${b.max} | ${inBand.length} | ${inBand.reduce((a, x) => a + x, 0).toLocaleString('en-GB')} |`);
  }
  say('\n| Step | Time |');
  say('|---|---:|');
  for (const [what, ms] of steps) say(`| ${what} | ${seconds(ms)} |`);

  say('\n### Rows and bytes per organisation\n');
  say(
    `Bytes are \`pg_total_relation_size\` (table, indexes, TOAST) less the same table in the empty migrated database; the database is ${fmt(Number(databaseBytes) / 2 ** 20)} MB in all. Tables with rows only.\n`,
  );
  say('| Table | organisation_id | RLS | Rows | Rows per organisation | Rows per priority | KB per organisation |');
  say('|---|---|---|---:|---:|---:|---:|');
  const emptyBytes = new Map(empty.map((t) => [t.table, t.bytes]));
  let rowsAll = 0;
  let bytesAll = 0;
  const sizeRows = loaded
    .map((t) => ({ ...t, added: t.bytes - (emptyBytes.get(t.table) ?? 0) }))
    .sort((a, b) => b.added - a.added);
  for (const t of sizeRows) {
    rowsAll += t.rows;
    bytesAll += t.added;
    if (t.rows === 0) continue;
    say(
      `| \`${t.table}\` | ${t.organisationId ? 'yes' : '**no**'} | ${t.rowLevelSecurity ? 'yes' : 'no'} | ${t.rows.toLocaleString('en-GB')} | ${fmt(t.rows / ORGS)} | ${fmt(t.rows / totalPriorities)} | ${fmt(t.added / 1024 / ORGS)} |`,
    );
  }
  say(
    `| **all tables** | | | **${rowsAll.toLocaleString('en-GB')}** | **${fmt(rowsAll / ORGS)}** | **${fmt(rowsAll / totalPriorities)}** | **${fmt(bytesAll / 1024 / ORGS)}** |`,
  );
  say(
    `\nPer priority: ${fmt(bytesAll / 1024 / totalPriorities)} KB. Tables without \`organisation_id\`: ${loaded
      .filter((t) => !t.organisationId)
      .map((t) => `\`${t.table}\``)
      .join(', ')}.`,
  );

  say(`\n### Mixed workload (${CONCURRENCY} clients, ${SECONDS} s after ${WARMUP} s warm-up, three instances)\n`);
  const windowS = (mixed.cpu.end.at - mixed.cpu.start.at) / 1000;
  const all = mixed.samples.map((s) => s.ms);
  say(`| Kind | Requests | Share | p50 ms | p95 ms | p99 ms |`);
  say('|---|---:|---:|---:|---:|---:|');
  for (const kind of KINDS) {
    const ms = mixed.samples.filter((s) => s.kind === kind).map((s) => s.ms);
    if (ms.length === 0) continue;
    say(
      `| ${kind} | ${ms.length} | ${fmt((100 * ms.length) / all.length)}% | ${fmt(percentile(ms, 50))} | ${fmt(percentile(ms, 95))} | ${fmt(percentile(ms, 99))} |`,
    );
  }
  say(
    `| **all** | **${all.length}** | 100% | **${fmt(percentile(all, 50))}** | **${fmt(percentile(all, 95))}** | **${fmt(percentile(all, 99))}** |`,
  );
  say(
    '\nServed from memory during the mixed workload, warm-up included (the three instances’ `amber_kept_lookups_total`):\n',
  );
  say(
    '| Kept | Served | One part changed (the other served) | Changed since kept | None kept | Expired | Worked out, not kept | Share served |',
  );
  say('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const kept of ['dashboard', 'report_page']) {
    const n = (result: string) => keptInMixed.find(([key]) => key === `${kept} ${result}`)?.[1] ?? 0;
    const lookups = ['served', 'partly', 'changed', 'absent', 'expired', 'not_kept'].reduce((a, r) => a + n(r), 0);
    say(
      `| ${kept} | ${n('served')} | ${n('partly')} | ${n('changed')} | ${n('absent')} | ${n('expired')} | ${n('not_kept')} | ${lookups ? fmt((100 * n('served')) / lookups) : '–'}% |`,
    );
  }
  const d = (k: 'instances' | 'server' | 'proxy' | 'client') => mixed.cpu.end[k] - mixed.cpu.start[k];
  const machineBusy = mixed.cpu.end.machine.busy - mixed.cpu.start.machine.busy;
  const machineTotal = mixed.cpu.end.machine.total - mixed.cpu.start.machine.total;
  say(
    `\n**${fmt(all.length / windowS)} requests/s**; errors: **${mixed.errorCount}** (mixed and per-kind phases together); served per instance ${proxyStats.servedByInstance.join(' / ')}; proxy failures ${proxyStats.failed}.\n`,
  );
  say('| CPU over the measured window | CPU s | Cores busy | ms per request |');
  say('|---|---:|---:|---:|');
  const cpuRow = (what: string, s: number) =>
    say(`| ${what} | ${fmt(s)} | ${fmt(s / windowS)} | ${fmt((s * 1000) / all.length)} |`);
  cpuRow('three Amber instances', d('instances'));
  cpuRow(`PostgreSQL, this database (${sampler.processes()} processes seen)`, d('server'));
  cpuRow('the proxy', d('proxy'));
  cpuRow('the load generator (this process)', d('client'));
  cpuRow('the whole machine (/proc/stat), others’ work included', machineBusy);
  say(
    `\nMachine: ${fmt((100 * machineBusy) / machineTotal)}% of its ${machine.cpus} cores busy during the window; Amber ÷ PostgreSQL CPU = ${fmt(d('instances') / d('server'))}.`,
  );

  say(`\n### CPU per request by kind (each kind alone, ${KIND_SECONDS} s, ${CONCURRENCY} clients)\n`);
  say('| Kind | Requests | Req/s | p50 ms | Amber CPU ms | PostgreSQL CPU ms | Amber + PostgreSQL ms |');
  say('|---|---:|---:|---:|---:|---:|---:|');
  for (const k of perKind)
    say(
      `| ${k.kind} | ${k.requests} | ${fmt(k.perSecond)} | ${fmt(k.p50)} | ${fmt(k.amberMs)} | ${fmt(k.serverMs)} | **${fmt(k.amberMs + k.serverMs)}** |`,
    );
  const weighted = perKind.reduce(
    (a, k) => a + (k.amberMs + k.serverMs) * mixed.samples.filter((s) => s.kind === k.kind).length,
    0,
  );
  say(
    `\nThe mix weighted by these: ${fmt(weighted / all.length)} ms a request (measured in the mix: ${fmt(((d('instances') + d('server')) * 1000) / all.length)} ms).`,
  );

  const auditRows = audit(afterWrites).rows - audit(loaded).rows;
  say(
    `\nThe ${writesDone.toLocaleString('en-GB')} writes of the run (warm-ups included) added ${auditRows.toLocaleString('en-GB')} audit events (${fmt(auditRows / writesDone)} a write) and ${fmt((audit(afterWrites).bytes - audit(loaded).bytes) / 1024 / auditRows)} KB of \`audit_event\` each (table, indexes and TOAST).`,
  );
  const jobs = (r: typeof jobsBefore) => Object.fromEntries(r.rows.map((x) => [x.kind, Number(x.n)]));
  say(
    `\nJobs in the queue before the workload ${JSON.stringify(jobs(jobsBefore))}, after ${JSON.stringify(jobs(jobsAfter))}.`,
  );
  if (mixed.errors.length > 0) say(`\nFirst errors:\n${mixed.errors.map((e) => `- ${e}`).join('\n')}`);
  if (proxyStats.failures.length > 0) say(`\nProxy failures:\n${proxyStats.failures.map((e) => `- ${e}`).join('\n')}`);

  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/results/scale-latest.json'),
    JSON.stringify(
      {
        machine,
        options: { ORGS, SECONDS, WARMUP, CONCURRENCY, KIND_SECONDS, SEED },
        sizes,
        steps,
        tables: sizeRows,
        databaseBytes: Number(databaseBytes),
        mixed: {
          windowS,
          requests: all.length,
          errors: mixed.errorCount,
          errorSamples: mixed.errors,
          cpu: mixed.cpu,
          byKind: Object.fromEntries(
            KINDS.map((k) => [k, mixed.samples.filter((s) => s.kind === k).map((s) => Math.round(s.ms * 100) / 100)]),
          ),
        },
        perKind,
        keptInMixed: Object.fromEntries(keptInMixed),
        writes: writesDone,
        auditEventsAdded: auditRows,
        proxy: proxyStats,
      },
      null,
      1,
    ),
  );
  await closeAll();
  guard.disarm();
  if (mixed.errorCount > 0) process.exitCode = 1;
} catch (error) {
  console.error(error);
  for (const c of children) if (c.output) console.error(`--- ${c.name} (last lines)\n${c.output.slice(-2000)}`);
  await closeAll();
  guard.disarm();
  process.exitCode = 1;
}
