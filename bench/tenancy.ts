// What many organisations and row-level security cost a page (issue 11): "With 300 organisations
// of 100 priorities each: the priority list and report page CPU per request as a ratio to the
// same pages with one organisation (goal ≤ 1.2: the cost must not grow with the number of other
// organisations), and the cost of row-level security (same pages with it off, in the same run)."
//
// Per engine, two databases side by side, each with the demo (Leeds City Council, `leeds`):
//   - ONE: the demo alone (1 organisation);
//   - MANY: the demo plus `--orgs` organisations (300) of `--priorities` priorities (100) each,
//     each made by `organisations.createHome` (slug, status scale, audit event) and filled by
//     set-based SQL: a plan, themes, people, two partner records, three reporting periods, a
//     report per priority and period, and on one period's reports key actions with a milestone
//     and contributors (one of its people; one of its partners on every other action);
// and an Amber app on each (`buildApp`, production mode as in report-page.ts: `buildTestApp`
// builds in test mode, which recompiles every template per request). The administrator and
// performance officer of Leeds (`createTestSession`) then GETs `/o/leeds/priorities` and
// `/o/leeds/priorities/VfM-4d/reports/2009-10-h1` by `inject()` under three configurations,
// in rounds that alternate between them (rotated every round, so a noisy spell on the shared
// machine falls on all three):
//   1. ONE, row-level security on (the baseline);
//   2. MANY, row-level security on;
//   3. MANY, row-level security off: `alter table … disable row level security` on every table
//      that has it, before the batch, and enabled again after it (the role switch is still
//      sent: this takes away the policies only).
// Every response must be 200, show VfM-4d, and show no other organisation's priority.
//
// CPU is process.cpuUsage() (user + system, all threads: on PGlite that includes the database);
// on the PostgreSQL server, the CPU of the backends this process's connections use is added,
// read from /proc/<pid>/schedstat (the server runs on this machine). Statements are counted by
// wrapping node-postgres (every statement, the session lookup outside the unit of work too),
// and units of work by `units.onFinish`. After the rounds, one request of each page per
// configuration is recorded and each of its statements run again under EXPLAIN (ANALYZE,
// BUFFERS) as the request ran it, so a query that reads other organisations' rows shows up.
//
//   node bench/tenancy.ts [--engine pglite|postgres|both] [--orgs 300]
//       [--priorities 100] [--rounds 11] [--gets 40] [--warmup 30] [--plans]
//   (the engine may also be given as BENCH_ENGINE; default both)

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import type { Engine } from '../src/platform/db/database.ts';
import type { DB } from '../src/schema.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: process.env.BENCH_ENGINE || 'both' },
    orgs: { type: 'string', default: '300' },
    priorities: { type: 'string', default: '100' },
    rounds: { type: 'string', default: '11' },
    gets: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '30' },
    /** Print the text plans (EXPLAIN ANALYZE) of the queries the summary points at. */
    plans: { type: 'boolean', default: false },
  },
});
const ENGINES: Engine[] =
  args.engine === 'both' ? ['pglite', 'postgres'] : args.engine === 'postgres' ? ['postgres'] : ['pglite'];
if (!['pglite', 'postgres', 'both'].includes(args.engine)) throw new Error(`--engine ${args.engine}?`);
const ORGS = Number(args.orgs);
const PRIORITIES = Number(args.priorities);
const ROUNDS = Number(args.rounds);
const GETS = Number(args.gets);
const WARMUP = Number(args.warmup);
/** Unmeasured GETs at the start of every batch (after RLS is switched, the first plans re-read the catalogue). */
const BATCH_WARMUP = 3;
const THEMES = 5;
const PEOPLE = 10;
const ACTIONS = 2;
const PARTNERS = 2;

const SLUG = 'leeds';
const CODE = 'VfM-4d';
const PAGES = {
  list: `/o/${SLUG}/priorities`,
  report: `/o/${SLUG}/priorities/${CODE}/reports/2009-10-h1`,
} as const;
type PageName = keyof typeof PAGES;
const PAGE_NAMES = Object.keys(PAGES) as PageName[];
const OTHERS = 'Bench priority'; // in every other organisation's priority titles

// ---- Counting statements, and the server backends that ran them -------------------------------------

const counters = { statements: 0, units: 0, unitStatements: 0, roleSwitches: 0 };
/** Backend pids per database name (PostgreSQL server only). */
const backends = new Map<string, Set<number>>();
let capture: { sql: string; params: unknown[]; tenant: boolean }[] | undefined;
const tenantConnections = new WeakSet<object>();
{
  // eslint-disable-next-line @typescript-eslint/unbound-method -- applied with its own `this` below
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(this: pg.Client, ...a: unknown[]) {
    counters.statements++;
    const first = a[0] as string | { text?: string; values?: unknown[] } | undefined;
    const text = (typeof first === 'string' ? first : (first?.text ?? '')).trim();
    const head = text.slice(0, 30).toLowerCase();
    if (head.startsWith('set local role amber_tenant')) {
      counters.roleSwitches++;
      tenantConnections.add(this);
    } else if (head.startsWith('commit') || head.startsWith('rollback')) tenantConnections.delete(this);
    const client = this as unknown as { processID?: number | null; database?: string };
    if (client.processID && client.database) {
      let set = backends.get(client.database);
      if (!set) backends.set(client.database, (set = new Set()));
      set.add(client.processID);
    }
    if (capture && text) {
      const params = Array.isArray(a[1]) ? a[1] : typeof first === 'object' ? (first.values ?? []) : [];
      capture.push({ sql: text, params, tenant: tenantConnections.has(this) });
    }
    return (original as (...x: unknown[]) => unknown).apply(this, a);
  } as typeof original;
}

/** Nanoseconds on a CPU of every backend of `database` seen so far (those still running). */
function backendTimes(database: string | undefined): Map<number, number> {
  const times = new Map<number, number>();
  if (!database) return times;
  for (const pid of backends.get(database) ?? []) {
    try {
      times.set(pid, Number(readSchedstat(pid)));
    } catch {
      backends.get(database)!.delete(pid); // closed
    }
  }
  return times;
}
const readSchedstat = (pid: number) => readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0];

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

// ---- One database with the demo, and its app -------------------------------------------------------

interface Side {
  label: string;
  database: TestDatabase;
  app: FastifyInstance;
  cookie: string;
  leedsId: string;
  /** Database name on the server (postgres), for its backends. */
  dbName: string | undefined;
}

async function openSide(engine: Engine, label: string): Promise<Side> {
  const database = await openTestDatabase(engine);
  try {
    await database.services.demo.load('bench');
    const home = await database.services.organisations.findHome();
    if (!home || home.slug !== SLUG) throw new Error(`the demo's organisation is not ${SLUG}`);
    database.units.onFinish((s) => {
      counters.units++;
      counters.unitStatements += s.statements;
    });
    const session = await createTestSession(database.services, home.id, ['administrator', 'performance_officer'], {
      email: `tenancy-bench-${label}@bench.example`,
    });
    const token = session.headers.cookie.split('=').slice(1).join('=');
    const app = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db: database.db,
      units: database.units,
      services: database.services,
    });
    return {
      label,
      database,
      app,
      cookie: `${cookieNames(true).session}=${token}`,
      leedsId: home.id,
      dbName: database.url ? new URL(database.url).pathname.slice(1) : undefined,
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Adds `ORGS` organisations of `PRIORITIES` priorities each; returns the seconds each step took and the row counts. */
async function addOrganisations(side: Side): Promise<{ steps: [string, number][]; rows: Record<string, number> }> {
  const { services, db } = side.database;
  const steps: [string, number][] = [];
  let t0 = performance.now();
  for (let i = 1; i <= ORGS; i++)
    await services.organisations.createHome('bench', { name: `Bench Council ${i}`, kind: 'council' });
  steps.push([`${ORGS} × organisations.createHome`, (performance.now() - t0) / 1000]);

  t0 = performance.now();
  await db.transaction().execute(async (trx) => {
    const run = (q: ReturnType<typeof sql>) => q.execute(trx);
    await run(sql`create temp table bench_org on commit drop as
      select id from organisation where name like 'Bench Council %' and managed_by_id is null`);
    await run(sql`insert into plan (organisation_id, title, description, first_year, last_year)
      select id, 'Corporate improvement plan', 'The council''s plan for 2008 to 2011.', 2008, 2011 from bench_org`);
    await run(sql`insert into theme (organisation_id, plan_id, title, position)
      select p.organisation_id, p.id, 'Theme ' || t, t
      from plan p join bench_org o on o.id = p.organisation_id cross join generate_series(1, ${THEMES}) t`);
    await run(sql`insert into person (organisation_id, name, job_title, employer_id, email)
      select o.id, 'Officer ' || n, 'Head of service ' || n, o.id, 'officer' || n || '@bench.example'
      from bench_org o cross join generate_series(1, ${PEOPLE}) n`);
    await run(sql`insert into priority (organisation_id, theme_id, code, title, rationale,
        accountable_officer_id, accountable_director_id, groups_internal, groups_external)
      select o.id, t.id, 'BP-' || n, ${OTHERS} || ' ' || n || ' of ' || o.id,
        repeat('Why this priority matters to the council. ', 8), officer.id, director.id, 'Corporate board', 'Partnership board'
      from bench_org o cross join generate_series(1, ${PRIORITIES}) n
      join theme t on t.organisation_id = o.id and t.position = 1 + n % ${THEMES}
      join person officer on officer.organisation_id = o.id and officer.name = 'Officer ' || (1 + n % ${PEOPLE})
      join person director on director.organisation_id = o.id and director.name = 'Officer ' || (1 + (n + 1) % ${PEOPLE})`);
    await run(sql`insert into reporting_period (organisation_id, key, starts_on, ends_on, due_on)
      select o.id, p.key, p.starts_on::date, p.ends_on::date, p.due_on::date from bench_org o cross join (values
        ('2008-09-h2', '2008-10-01', '2009-03-31', '2009-04-30'),
        ('2009-10-h1', '2009-04-01', '2009-09-30', '2009-10-31'),
        ('2009-10-h2', '2009-10-01', '2010-03-31', '2010-04-30')) as p(key, starts_on, ends_on, due_on)`);
    await run(sql`insert into progress_report (organisation_id, priority_id, period_id, summary, status_id,
        status_reason, achievements, challenges, state)
      select p.organisation_id, p.id, rp.id, repeat('Progress this half year. ', 12), s.id, 'On track.',
        array['An achievement', 'Another achievement'], array['A challenge'],
        case rp.key when '2009-10-h2' then 'draft' else 'submitted' end
      from priority p join bench_org o on o.id = p.organisation_id
      join reporting_period rp on rp.organisation_id = p.organisation_id
      join status s on s.organisation_id = p.organisation_id
        and s.position = (select min(position) from status where organisation_id = p.organisation_id)`);
    await run(sql`insert into action (organisation_id, report_id, position, description)
      select r.organisation_id, r.id, a, 'Key action ' || a || ' of the report.'
      from progress_report r join bench_org o on o.id = r.organisation_id
      join reporting_period rp on rp.id = r.period_id and rp.key = '2009-10-h1'
      cross join generate_series(1, ${ACTIONS}) a`);
    await run(sql`insert into milestone (organisation_id, action_id, position, description, due_on, due_precision)
      select a.organisation_id, a.id, 1, 'Milestone of action ' || a.position, date '2009-12-01', 'month'
      from action a join bench_org o on o.id = a.organisation_id`);
    // Partners each council records, and who contributes to each key action: one of its people,
    // and on every other action one of its partners.
    await run(sql`insert into organisation (name, kind, managed_by_id)
      select 'Bench partner ' || n || ' of ' || o.id, 'voluntary', o.id from bench_org o cross join generate_series(1, ${PARTNERS}) n`);
    await run(sql`insert into action_contributor (organisation_id, action_id, position, person_id)
      select a.organisation_id, a.id, 1, pe.id
      from action a join bench_org o on o.id = a.organisation_id
      join person pe on pe.organisation_id = a.organisation_id and pe.name = 'Officer ' || (1 + a.position % ${PEOPLE})`);
    await run(sql`insert into action_contributor (organisation_id, action_id, position, partner_id)
      select a.organisation_id, a.id, 2, p.id
      from action a join bench_org o on o.id = a.organisation_id
      join organisation p on p.managed_by_id = a.organisation_id and p.name like 'Bench partner ' || (1 + a.position % ${PARTNERS}) || ' of %'
      where a.position % 2 = 1`);
  });
  steps.push([
    'bulk SQL (plans, themes, people, priorities, periods, reports, actions, milestones, partners, contributors)',
    (performance.now() - t0) / 1000,
  ]);

  t0 = performance.now();
  await sql`vacuum analyze`.execute(db);
  steps.push(['vacuum analyze', (performance.now() - t0) / 1000]);

  const rows: Record<string, number> = {};
  for (const table of [
    'organisation',
    'person',
    'theme',
    'priority',
    'reporting_period',
    'progress_report',
    'action',
    'milestone',
    'action_contributor',
    'status',
    'audit_event',
  ]) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    rows[table] = r.rows[0]!.n;
  }
  return { steps, rows };
}

/** Tables of the current schema with row-level security enabled. */
async function rlsTables(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ relname: string }>`select relname from pg_class
    where relrowsecurity and relkind = 'r' and relnamespace = (select oid from pg_namespace where nspname = current_schema())
    order by relname`.execute(db);
  return rows.map((r) => r.relname);
}

async function setRls(db: Kysely<DB>, tables: readonly string[], on: boolean): Promise<void> {
  const verb = sql.raw(on ? 'enable' : 'disable');
  await db.transaction().execute(async (trx) => {
    for (const t of tables) await sql`alter table ${sql.table(t)} ${verb} row level security`.execute(trx);
  });
  const now = await rlsTables(db);
  if (on ? now.length !== tables.length : now.length !== 0)
    throw new Error(`row-level security ${on ? 'on' : 'off'}: ${now.length} tables have it`);
}

// ---- Measuring -----------------------------------------------------------------------------------

async function get(side: Side, page: PageName): Promise<void> {
  const response = await side.app.inject({ method: 'GET', url: PAGES[page], headers: { cookie: side.cookie } });
  if (response.statusCode !== 200)
    throw new Error(
      `${side.label}: GET ${PAGES[page]} answered ${response.statusCode}: ${response.body.slice(0, 300)}`,
    );
  if (!response.body.includes(CODE)) throw new Error(`${side.label}: GET ${PAGES[page]} does not show ${CODE}`);
  if (response.body.includes(OTHERS))
    throw new Error(`${side.label}: GET ${PAGES[page]} shows another organisation's priority`);
}

interface Batch {
  /** Per request, ms. */
  nodeCpu: number;
  serverCpu: number;
  wallMedian: number;
  statements: number;
  units: number;
  unitStatements: number;
  roleSwitches: number;
  freshBackends: number;
}

async function batch(side: Side, page: PageName, n: number): Promise<Batch> {
  for (let i = 0; i < BATCH_WARMUP; i++) await get(side, page);
  const walls: number[] = [];
  const c0 = { ...counters };
  const b0 = backendTimes(side.dbName);
  const cpu0 = cpuNow();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await get(side, page);
    walls.push(performance.now() - t0);
  }
  const cpu1 = cpuNow();
  const b1 = backendTimes(side.dbName);
  let serverNs = 0;
  let fresh = 0;
  for (const [pid, t] of b1) {
    const start = b0.get(pid);
    if (start === undefined) fresh++;
    serverNs += t - (start ?? t); // a connection opened mid-batch: its start-up is left out
  }
  return {
    nodeCpu: (cpu1 - cpu0) / 1000 / n,
    serverCpu: serverNs / 1e6 / n,
    wallMedian: median(walls),
    statements: (counters.statements - c0.statements) / n,
    units: (counters.units - c0.units) / n,
    unitStatements: (counters.unitStatements - c0.unitStatements) / n,
    roleSwitches: (counters.roleSwitches - c0.roleSwitches) / n,
    freshBackends: fresh,
  };
}

type ConfigName = 'one' | 'many' | 'many-off';
const CONFIGS: { name: ConfigName; label: string }[] = [
  { name: 'one', label: '1 organisation, RLS on' },
  { name: 'many', label: `${ORGS + 1} organisations, RLS on` },
  { name: 'many-off', label: `${ORGS + 1} organisations, RLS off` },
];

// ---- EXPLAIN of one request's statements -----------------------------------------------------------

interface Explained {
  sql: string;
  ms: number;
  planMs: number;
  buffers: number;
  /** Nodes that read a table from end to end, with what they kept and threw away. */
  seqScans: { relation: string; rows: number; removed: number }[];
  /** The text plan (with --plans). */
  text?: string;
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function seqScansOf(node: PlanNode, out: Explained['seqScans'] = []): Explained['seqScans'] {
  if (node['Node Type'] === 'Seq Scan')
    out.push({
      relation: node['Relation Name'] ?? '?',
      rows: (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1),
      removed: (node['Rows Removed by Filter'] ?? 0) * (node['Actual Loops'] ?? 1),
    });
  for (const child of node.Plans ?? []) seqScansOf(child, out);
  return out;
}

/** Records the statements of one GET, then runs each again under EXPLAIN ANALYZE as it ran (tenant or owner). */
async function explainPage(side: Side, page: PageName): Promise<Explained[]> {
  const recorded: NonNullable<typeof capture> = [];
  capture = recorded;
  try {
    await get(side, page);
  } finally {
    capture = undefined;
  }
  const statements = recorded.filter((s) => /^(select|with)\b/i.test(s.sql));
  const out: Explained[] = [];
  for (const s of statements) {
    const explain = (options: string) =>
      side.database.db.transaction().execute(async (trx) => {
        if (s.tenant) {
          await sql`set local role amber_tenant`.execute(trx);
          await sql`select set_config('amber.organisation_id', ${side.leedsId}, true)`.execute(trx);
        }
        return trx.executeQuery<{ 'QUERY PLAN': unknown }>(
          CompiledQuery.raw(`explain (${options}) ${s.sql}`, s.params),
        );
      });
    const result = await explain('analyze, buffers, format json');
    const text = args.plans
      ? (await explain('analyze, buffers, costs off')).rows.map((r) => String(r['QUERY PLAN'])).join('\n')
      : undefined;
    const cell = result.rows[0]!['QUERY PLAN'];
    const json = (typeof cell === 'string' ? JSON.parse(cell) : cell) as {
      Plan: PlanNode;
      'Execution Time': number;
      'Planning Time': number;
    }[];
    const top = json[0]!;
    out.push({
      sql: s.sql.replace(/\s+/g, ' '),
      ms: top['Execution Time'],
      planMs: top['Planning Time'],
      buffers: (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0),
      seqScans: seqScansOf(top.Plan),
      ...(text ? { text } : {}),
    });
  }
  return out;
}

// ---- The run -------------------------------------------------------------------------------------

const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const cell = (xs: number[]) => `${fmt(median(xs))} (${range(xs)})`;

const opened: Side[] = [];
const closeAll = async () => {
  for (const side of opened.splice(0)) {
    await side.app.close().catch(() => undefined);
    await side.database.close().catch((e: unknown) => console.error(e));
  }
};
const guard = deadline(ENGINES.length * 9 * 60, 'bench/tenancy.ts', closeAll);
const started = performance.now();
const output: string[] = [];
const say = (line = '') => {
  output.push(line);
  console.error(line);
};

try {
  for (const engine of ENGINES) {
    const t0 = performance.now();
    say(`\n## ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}\n`);
    const one = await openSide(engine, `${engine}-one`);
    opened.push(one);
    const many = await openSide(engine, `${engine}-many`);
    opened.push(many);
    await sql`vacuum analyze`.execute(one.database.db);
    const load = await addOrganisations(many);
    const tables = await rlsTables(many.database.db);
    say(
      `Data load (${ORGS} organisations × ${PRIORITIES} priorities): ` +
        load.steps.map(([what, s]) => `${what} ${fmt(s)} s`).join('; ') +
        `; in all ${fmt(load.steps.reduce((a, [, s]) => a + s, 0))} s.`,
    );
    say(
      `Rows in the larger database: ${Object.entries(load.rows)
        .map(([t, n]) => `${t} ${n.toLocaleString('en-GB')}`)
        .join(', ')}.`,
    );
    say(`Row-level security is on for ${tables.length} tables.`);

    const sideOf = (c: ConfigName) => (c === 'one' ? one : many);
    let rlsOn = true;
    const prepare = async (c: ConfigName) => {
      const want = c !== 'many-off';
      if (want !== rlsOn) {
        await setRls(many.database.db, tables, want);
        rlsOn = want;
      }
    };
    // Warm-up: every page under every configuration.
    for (const c of CONFIGS) {
      await prepare(c.name);
      for (const page of PAGE_NAMES) for (let i = 0; i < WARMUP; i++) await get(sideOf(c.name), page);
    }
    const results = new Map<string, Batch[]>();
    for (let r = 0; r < ROUNDS; r++) {
      const order = CONFIGS.map((_, i) => CONFIGS[(i + r) % CONFIGS.length]!);
      const pages = r % 2 ? [...PAGE_NAMES].reverse() : PAGE_NAMES;
      for (const c of order) {
        await prepare(c.name);
        for (const page of pages) {
          const b = await batch(sideOf(c.name), page, GETS);
          const key = `${c.name}:${page}`;
          results.set(key, [...(results.get(key) ?? []), b]);
        }
      }
      console.error(`  round ${r + 1}/${ROUNDS} done (${fmt((performance.now() - t0) / 1000)} s)`);
    }

    // One request of each page per configuration, under EXPLAIN.
    const explained = new Map<string, Explained[]>();
    for (const c of CONFIGS) {
      await prepare(c.name);
      for (const page of PAGE_NAMES) explained.set(`${c.name}:${page}`, await explainPage(sideOf(c.name), page));
    }
    await prepare('many');
    if ((await rlsTables(many.database.db)).length !== tables.length)
      throw new Error('row-level security not restored');

    const total = (b: Batch) => b.nodeCpu + b.serverCpu;
    say(
      `\n${ROUNDS} rounds × ${GETS} GETs per page and configuration (after ${WARMUP} warm-up GETs each, and ${BATCH_WARMUP} unmeasured at the start of every batch); per-request figures, median (min–max) over rounds:\n`,
    );
    say(
      engine === 'postgres'
        ? '| Page | Configuration | CPU ms/request, Node + server | Node CPU ms | Server CPU ms | Wall ms (median request) | Statements/request |'
        : '| Page | Configuration | CPU ms/request (Node, PGlite included) | Wall ms (median request) | Statements/request |',
    );
    say(engine === 'postgres' ? '|---|---|---|---|---|---|---|' : '|---|---|---|---|---|');
    for (const page of PAGE_NAMES)
      for (const c of CONFIGS) {
        const bs = results.get(`${c.name}:${page}`)!;
        const statements = `${fmt(median(bs.map((b) => b.statements)))} (${fmt(median(bs.map((b) => b.unitStatements)))} in ${fmt(median(bs.map((b) => b.units)))} unit; role switch ${fmt(median(bs.map((b) => b.roleSwitches)))})`;
        say(
          engine === 'postgres'
            ? `| ${PAGES[page]} | ${c.label} | ${cell(bs.map(total))} | ${cell(bs.map((b) => b.nodeCpu))} | ${cell(bs.map((b) => b.serverCpu))} | ${cell(bs.map((b) => b.wallMedian))} | ${statements} |`
            : `| ${PAGES[page]} | ${c.label} | ${cell(bs.map(total))} | ${cell(bs.map((b) => b.wallMedian))} | ${statements} |`,
        );
      }
    const fresh = [...results.values()].flat().reduce((a, b) => a + b.freshBackends, 0);
    if (engine === 'postgres') say(`\nServer connections opened during measured batches: ${fresh}.`);

    say('\nRatios of CPU per request (median (min–max) of the per-round ratios; ratio of the medians after it):\n');
    const server = engine === 'postgres';
    say(
      `| Page | ${ORGS + 1} orgs ÷ 1 org (goal ≤ 1.2) | RLS on ÷ RLS off (${ORGS + 1} orgs) |` +
        (server ? ` Server CPU only: ${ORGS + 1} ÷ 1 | Server CPU only: on ÷ off |` : '') +
        ` Wall: ${ORGS + 1} ÷ 1 | Wall: on ÷ off |`,
    );
    say(server ? '|---|---|---|---|---|---|---|' : '|---|---|---|---|---|');
    for (const page of PAGE_NAMES) {
      const [a, b, c] = CONFIGS.map((x) => results.get(`${x.name}:${page}`)!) as [Batch[], Batch[], Batch[]];
      const ratio = (p: Batch[], q: Batch[], f: (x: Batch) => number, bold = false) => {
        const per = p.map((x, i) => f(x) / f(q[i]!));
        const m = fmt(median(per));
        return `${bold ? `**${m}**` : m} (${range(per)}); ${fmt(median(p.map(f)) / median(q.map(f)))}`;
      };
      const wall = (x: Batch) => x.wallMedian;
      const serverCpu = (x: Batch) => x.serverCpu;
      say(
        `| ${PAGES[page]} | ${ratio(b, a, total, true)} | ${ratio(b, c, total, true)} |` +
          (server ? ` ${ratio(b, a, serverCpu)} | ${ratio(b, c, serverCpu)} |` : '') +
          ` ${ratio(b, a, wall)} | ${ratio(b, c, wall)} |`,
      );
    }

    say('\nEXPLAIN (ANALYZE, BUFFERS) of one request, statement by statement (execution + planning ms; buffers):\n');
    for (const page of PAGE_NAMES) {
      const [a, b, c] = CONFIGS.map((x) => explained.get(`${x.name}:${page}`)!);
      const sum = (xs: Explained[], f: (x: Explained) => number) => xs.reduce((s, x) => s + f(x), 0);
      say(
        `- ${PAGES[page]}: ${a!.length} queries; execution ${fmt(sum(a!, (x) => x.ms))} / ${fmt(sum(b!, (x) => x.ms))} / ${fmt(sum(c!, (x) => x.ms))} ms, planning ${fmt(sum(a!, (x) => x.planMs))} / ${fmt(sum(b!, (x) => x.planMs))} / ${fmt(sum(c!, (x) => x.planMs))} ms, buffers ${sum(a!, (x) => x.buffers)} / ${sum(b!, (x) => x.buffers)} / ${sum(c!, (x) => x.buffers)} (1 org / ${ORGS + 1} RLS on / ${ORGS + 1} RLS off)`,
      );
      b!.forEach((x, i) => {
        const base = a![i];
        const scans = x.seqScans.filter((s) => s.removed + s.rows > 500);
        const grew = base && x.buffers > 2 * base.buffers + 10;
        if (scans.length || grew)
          say(
            `  - query ${i + 1}: ${fmt(base?.ms ?? NaN)} → ${fmt(x.ms)} ms (RLS off ${fmt(c![i]?.ms ?? NaN)}), buffers ${base?.buffers} → ${x.buffers} (off ${c![i]?.buffers})` +
              (scans.length
                ? `; seq scan ${scans.map((s) => `${s.relation} (${s.rows} kept, ${s.removed} filtered out)`).join(', ')}`
                : '') +
              `: \`${x.sql.slice(0, 240)}${x.sql.length > 240 ? '…' : ''}\``,
          );
        if ((scans.length || grew) && x.text)
          console.error(`\n${ORGS + 1} organisations, RLS on:\n${x.text}\n\nRLS off:\n${c![i]?.text}\n`);
      });
    }
    say(`\n${engine}: ${fmt((performance.now() - t0) / 1000)} s in all.`);
    await closeAll();
  }
  const machine = describeMachine();
  console.log(
    `# Tenancy benchmark\n\nMachine: ${machine.cpus} × ${machine.cpuModel}; ${machine.memory}; ${machine.platform}; Node ${machine.node}; ${machine.when}; ` +
      `orgs ${ORGS} × ${PRIORITIES} priorities; ${fmt((performance.now() - started) / 1000)} s.`,
  );
  console.log(output.join('\n'));
} finally {
  guard.disarm();
  await closeAll();
}
