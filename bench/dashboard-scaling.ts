// How the dashboard grows with the organisation (issue 14: "the dashboard runs 58 → 508 → 5,008
// SQL statements for 10 → 100 → 1,000 priorities … 2.6 s of CPU at 1,000"; goal: "the
// dashboard's statements and CPU flat from 10 to 1,000 priorities").
//
// Per engine, one database holding three organisations built by test/builders/sized-organisation.ts
// (10, 100 and 1,000 priorities; each priority with an H1 and an H2 report, key actions with a
// milestone, an indicator with four quarters of values shown as the H2 report's graph), and an
// Amber app on it (`buildApp`, production mode as in report-page.ts and tenancy.ts: test mode
// recompiles every template per request). An administrator and performance officer of each
// organisation GETs `/dashboard?period=2009-10-h2` by `inject()`: warm-up GETs of each size first,
// then rounds; in each, a batch of GETs per size (a few unmeasured first), the sizes in an order
// rotated every round so that a noisy spell on the shared machine falls on all of them. Every
// response must be a 200 showing the organisation's number of priorities.
//
// Per request: SQL statements (every statement the request sent, BEGIN and COMMIT included, by
// `observeStatements`), CPU (`process.cpuUsage()`, user + system, all threads: on PGlite that
// includes the database) plus, on the PostgreSQL server, the CPU of the backends serving this
// database (`/proc/<pid>/schedstat`; the server runs on this machine), the median wall time and the
// page's size. We print the median (min–max) over rounds, and the ratios 100 ÷ 10 and 1,000 ÷ 10
// within each round (median (min–max)), which cancel most of the machine's drift.
//
// Two apps on the same database (ADR 0023): "kept", as Amber runs (a repeat view of an unchanged
// dashboard is served from what the first worked out, after one statement), and "worked out", with
// services that keep nothing (`keptDashboards: 0`): what every view cost before, and what the first
// view after a change to both of its parts costs now (that, plus the generation's statement). And,
// with `--after yes` (the default), the kept app's first view after a change to one part (migration
// 2026-12-12-500): "after a status", each GET preceded by a report's status changed in the period
// shown (the reports' part worked out again), and "after a value", by an indicator value's comment
// changed (the indicators' part). The write is outside what is measured: each GET of those two is
// measured on its own (statements, CPU, and on PostgreSQL the backends' CPU read before and after
// it). All in every round.
//
// `--profile DIR` measures nothing: for each mode, it GETs the biggest organisation's dashboard
// rounds × gets times (each after its change, for the "after" modes) under the V8 profiler and
// writes DIR/<mode>-<engine>.cpuprofile, for bench/cpuprofile-summary.ts (the changes' own
// statements are in it too: one small update each).
//
//   node bench/dashboard-scaling.ts [--engine pglite|postgres|both] [--sizes 10,100,1000]
//       [--rounds 5] [--gets 10] [--warmup 5] [--kept both|yes|no] [--after yes|no] [--profile DIR]
//   (default both engines; about 3–5 minutes on a quiet machine, most of it building the data; a
//   deadline stops it after 20 minutes per engine)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { buildServices } from '../src/composition.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import { observeStatements, type Engine } from '../src/platform/db/database.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { insertSizedOrganisation, SIZED_PERIODS } from '../test/builders/sized-organisation.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    sizes: { type: 'string', default: '10,100,1000' },
    rounds: { type: 'string', default: '5' },
    gets: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '5' },
    kept: { type: 'string', default: 'both' },
    after: { type: 'string', default: 'yes' },
    profile: { type: 'string' },
  },
});
if (!['both', 'yes', 'no'].includes(args.kept)) throw new Error(`--kept ${args.kept}?`);
if (!['yes', 'no'].includes(args.after)) throw new Error(`--after ${args.after}?`);
type Mode = 'kept' | 'worked out' | 'after a status' | 'after a value';
const MODES: Mode[] = [
  ...(args.kept === 'both' ? ['kept', 'worked out'] : args.kept === 'yes' ? ['kept'] : ['worked out']),
  ...(args.after === 'yes' ? ['after a status', 'after a value'] : []),
] as Mode[];
if (!['pglite', 'postgres', 'both'].includes(args.engine)) throw new Error(`--engine ${args.engine}?`);
const ENGINES: Engine[] = args.engine === 'both' ? ['pglite', 'postgres'] : [args.engine as Engine];
const SIZES = args.sizes.split(',').map(Number);
if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes ${args.sizes}?`);
const ROUNDS = Number(args.rounds);
const GETS = Number(args.gets);
const WARMUP = Number(args.warmup);
/** Unmeasured GETs at the start of every batch. */
const BATCH_WARMUP = 2;
const URL = `/dashboard?period=${SIZED_PERIODS.later}`;

interface Organisation {
  size: number;
  headers: Record<string, string>;
  /** A change to what one part of its dashboard reads, made before each GET of the "after" modes. */
  change: Record<'after a status' | 'after a value', () => Promise<unknown>>;
}

interface Batch {
  /** Per request. */
  statements: number;
  nodeCpu: number;
  serverCpu: number;
  wallMedian: number;
  bytes: number;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Nanoseconds on a CPU of every server backend connected to this database now (PostgreSQL on this machine). */
async function backendTimes(database: TestDatabase): Promise<Map<number, number>> {
  const times = new Map<number, number>();
  if (database.engine !== 'postgres') return times;
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'`.execute(database.db);
  for (const { pid } of rows) {
    try {
      times.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // gone, or on another machine: counted as nothing
    }
  }
  return times;
}

async function get(app: FastifyInstance, org: Organisation): Promise<number> {
  const response = await app.inject({ method: 'GET', url: URL, headers: org.headers });
  if (response.statusCode !== 200)
    throw new Error(
      `GET ${URL} (${org.size} priorities) answered ${response.statusCode}: ${response.body.slice(0, 300)}`,
    );
  if (!response.body.includes(`${org.size}<span class="govuk-visually-hidden"> priorities in all`))
    throw new Error(`GET ${URL} does not count ${org.size} priorities`);
  return response.body.length;
}

async function batch(database: TestDatabase, app: FastifyInstance, org: Organisation, mode: Mode): Promise<Batch> {
  const change = mode === 'after a status' || mode === 'after a value' ? org.change[mode] : undefined;
  for (let i = 0; i < BATCH_WARMUP; i++) {
    await change?.();
    await get(app, org);
  }
  let statements = 0;
  let bytes = 0;
  let cpu = 0;
  let serverNs = 0;
  const walls: number[] = [];
  let measuring = false;
  const stop = observeStatements(database.db, () => {
    if (measuring) statements++;
  });
  /** Times `fn`: Node's CPU, and the server backends' (a connection opened meanwhile left out). */
  const measured = async (fn: () => Promise<void>) => {
    const b0 = await backendTimes(database);
    measuring = true;
    const cpu0 = cpuNow();
    try {
      await fn();
    } finally {
      cpu += cpuNow() - cpu0;
      measuring = false;
    }
    const b1 = await backendTimes(database);
    for (const [pid, t] of b1) serverNs += t - (b0.get(pid) ?? t);
  };
  const one = async () => {
    const t0 = performance.now();
    bytes = await get(app, org);
    walls.push(performance.now() - t0);
  };
  try {
    if (change)
      // Each GET on its own, after its change.
      for (let i = 0; i < GETS; i++) {
        await change();
        await measured(one);
      }
    else
      await measured(async () => {
        for (let i = 0; i < GETS; i++) await one();
      });
  } finally {
    stop();
  }
  return {
    statements: statements / GETS,
    nodeCpu: cpu / 1000 / GETS,
    serverCpu: serverNs / 1e6 / GETS,
    wallMedian: median(walls),
    bytes,
  };
}

const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
const cell = (xs: number[]) => `${fmt(median(xs))} (${range(xs)})`;

const open: { database: TestDatabase; apps: FastifyInstance[] }[] = [];
const closeAll = async () => {
  for (const o of open.splice(0)) {
    for (const app of o.apps) await app.close().catch(() => undefined);
    await o.database.close().catch((e: unknown) => console.error(e));
  }
};
const guard = deadline(ENGINES.length * 20 * 60, 'bench/dashboard-scaling.ts', closeAll);
const say = (line = '') => console.log(line);

try {
  const machine = describeMachine();
  say(
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memory}, ${machine.platform}, Node ${machine.node}, ${machine.when}.`,
  );
  say(
    `GET ${URL}; ${ROUNDS} rounds × ${GETS} GETs per size (after ${WARMUP} warm-up GETs each, ${BATCH_WARMUP} unmeasured at the start of every batch).`,
  );
  for (const engine of ENGINES) {
    const t0 = performance.now();
    const database = await openTestDatabase(engine);
    const handle: { database: TestDatabase; apps: FastifyInstance[] } = { database, apps: [] };
    open.push(handle);
    const orgs: Organisation[] = [];
    const built: string[] = [];
    for (const size of SIZES) {
      const t1 = performance.now();
      const sized = await insertSizedOrganisation(database, { priorities: size, name: `Bench Council ${size}` });
      const session = await createTestSession(database.services, sized.organisationId, [
        'administrator',
        'performance_officer',
      ]);
      // Production mode names the session cookie as a browser on HTTPS gets it (as tenancy.ts does).
      const token = session.headers.cookie.split('=').slice(1).join('=');
      // A report of the period shown whose status flips between two of the scale's, and a value
      // whose comment changes, each the first by code (the same in every run): each moves on one
      // part's number (ADR 0024).
      const { id: reportId } = await database.db
        .selectFrom('progress_report')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .innerJoin('priority', 'priority.id', 'progress_report.priority_id')
        .select('progress_report.id')
        .where('progress_report.organisation_id', '=', sized.organisationId)
        .where('reporting_period.key', '=', SIZED_PERIODS.later)
        .orderBy('priority.code')
        .executeTakeFirstOrThrow();
      const statuses = (
        await database.db
          .selectFrom('status')
          .select('id')
          .where('organisation_id', '=', sized.organisationId)
          .orderBy('position')
          .limit(2)
          .execute()
      ).map((s) => s.id);
      const { id: valueId } = await database.db
        .selectFrom('indicator_value')
        .innerJoin('indicator', 'indicator.id', 'indicator_value.indicator_id')
        .innerJoin('reporting_period', 'reporting_period.id', 'indicator_value.period_id')
        .select('indicator_value.id')
        .where('indicator_value.organisation_id', '=', sized.organisationId)
        .orderBy('indicator.code')
        .orderBy('reporting_period.starts_on')
        .executeTakeFirstOrThrow();
      let flips = 0;
      orgs.push({
        size,
        headers: { cookie: `${cookieNames(true).session}=${token}` },
        change: {
          'after a status': () =>
            database.db
              .updateTable('progress_report')
              .set({ status_id: statuses[flips++ % 2]! })
              .where('id', '=', reportId)
              .execute(),
          'after a value': () =>
            database.db
              .updateTable('indicator_value')
              .set({ comment: `changed ${flips++}` })
              .where('id', '=', valueId)
              .execute(),
        },
      });
      built.push(`${size} in ${fmt((performance.now() - t1) / 1000)} s`);
    }
    // What autovacuum would have done on a server by the time anyone looks at a dashboard.
    await sql`vacuum analyze`.execute(database.db);
    const apps = new Map<Mode, FastifyInstance>();
    for (const mode of MODES) {
      const services =
        mode !== 'worked out'
          ? database.services
          : buildServices({ db: database.db, units: database.units }, { keptDashboards: 0 });
      const app = await buildApp({
        config: { env: 'production', logLevel: 'silent' },
        db: database.db,
        units: database.units,
        services,
      });
      handle.apps.push(app);
      apps.set(mode, app);
      for (const org of orgs) for (let i = 0; i < WARMUP; i++) await get(app, org);
    }

    if (args.profile) {
      mkdirSync(args.profile, { recursive: true });
      const inspector = new Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.setSamplingInterval', { interval: 200 });
      const org = orgs.at(-1)!;
      for (const mode of MODES) {
        const change = mode === 'after a status' || mode === 'after a value' ? org.change[mode] : undefined;
        await inspector.post('Profiler.start');
        for (let i = 0; i < ROUNDS * GETS; i++) {
          await change?.();
          await get(apps.get(mode)!, org);
        }
        const { profile } = await inspector.post('Profiler.stop');
        const file = join(args.profile, `${mode.replaceAll(' ', '-')}-${engine}.cpuprofile`);
        writeFileSync(file, JSON.stringify(profile));
        console.error(`${engine}: ${ROUNDS * GETS} × ${mode} at ${org.size} → ${file}`);
      }
      inspector.disconnect();
      continue;
    }

    const key = (mode: Mode, size: number) => `${mode} ${size}`;
    const results = new Map<string, Batch[]>();
    for (let r = 0; r < ROUNDS; r++) {
      for (let m = 0; m < MODES.length; m++) {
        const mode = MODES[(m + r) % MODES.length]!;
        for (let i = 0; i < orgs.length; i++) {
          const org = orgs[(i + r) % orgs.length]!;
          const k = key(mode, org.size);
          results.set(k, [...(results.get(k) ?? []), await batch(database, apps.get(mode)!, org, mode)]);
        }
      }
      console.error(`${engine}: round ${r + 1}/${ROUNDS} done (${fmt((performance.now() - t0) / 1000)} s)`);
    }

    const server = engine === 'postgres';
    const total = (b: Batch) => b.nodeCpu + b.serverCpu;
    say(`\n## ${server ? 'PostgreSQL' : 'PGlite'}\n`);
    say(`Organisations built (priorities): ${built.join(', ')}.\n`);
    say(
      `| Dashboard | Priorities | Statements/request | CPU ms/request${server ? ' (Node + server)' : ' (Node, PGlite included)'} |` +
        (server ? ' Node CPU ms | Server CPU ms |' : '') +
        ' Wall ms (median request) | Page KB | CPU ÷ CPU at ' +
        `${SIZES[0]} (per round) |` +
        (MODES.length > 1 ? ' ÷ worked out (per round) |' : ''),
    );
    say(`|---|---:|---:|---|${server ? '---|---|' : ''}---|---:|---|${MODES.length > 1 ? '---|' : ''}`);
    for (const mode of MODES) {
      const base = results.get(key(mode, SIZES[0]!))!;
      for (const size of SIZES) {
        const bs = results.get(key(mode, size))!;
        const ratios = bs.map((b, i) => total(b) / total(base[i]!));
        const other = results.get(key('worked out', size));
        const against = other ? bs.map((b, i) => total(b) / total(other[i]!)) : undefined;
        say(
          `| ${mode} | ${size.toLocaleString('en-GB')} | ${fmt(median(bs.map((b) => b.statements)))} | ${cell(bs.map(total))} |` +
            (server ? ` ${cell(bs.map((b) => b.nodeCpu))} | ${cell(bs.map((b) => b.serverCpu))} |` : '') +
            ` ${cell(bs.map((b) => b.wallMedian))} | ${fmt(bs[0]!.bytes / 1024)} | ${cell(ratios)} |` +
            (MODES.length > 1 ? ` ${against ? cell(against) : ''} |` : ''),
        );
      }
    }
    for (const app of handle.apps.splice(0)) await app.close();
    await database.close();
    open.splice(open.indexOf(handle), 1);
  }
  guard.disarm();
} catch (error) {
  console.error(error);
  await closeAll();
  process.exit(1);
}
