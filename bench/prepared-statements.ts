// Statements prepared without asking (src/platform/db/prepared-statements.ts): what they save a
// page, as a ratio to the same page with every statement unnamed, in one run.
//
// On each engine two databases with the demo (`openTestDatabase`, from the template the tests use),
// one whose statements with parameters are prepared (as Amber opens PGlite) and one with
// `prepareStatements: false` (as Amber opens a server); the app on each (production mode, logs
// off), signed in as an administrator and performance officer of the demo. On PostgreSQL the CPU
// of the server's backends serving each database is counted too (`/proc/<pid>/schedstat`; the
// server runs on this machine).
//
// Per round, a batch of `--gets` GETs of each page on each side, in an order rotated every round;
// CPU per request (this process's user + system, all threads: on PGlite that includes the
// database; plus the backends' on PostgreSQL). Printed: the median (min–max) over rounds of each
// side's CPU per request, and of prepared ÷ unnamed within each round.
//
//   node bench/prepared-statements.ts [--engine pglite|postgres|both] [--rounds 7] [--gets 30] [--warmup 10]

import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import type { Engine } from '../src/platform/db/database.ts';
import { paths } from '../src/paths.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '7' },
    gets: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
  },
});
const ROUNDS = Number(args.rounds);
const GETS = Number(args.gets);
const WARMUP = Number(args.warmup);
const ENGINES: Engine[] = args.engine === 'both' ? ['pglite', 'postgres'] : [args.engine as Engine];

const PAGES = {
  report: { url: paths.reports.show('VfM-4d', '2009-10-h1'), shows: 'Lee Hemsworth' },
  draft: { url: paths.reports.show('OC-1c', '2009-10-h1'), shows: 'OC-1c' },
  list: { url: paths.priorities.list, shows: 'VfM-4d' },
  dashboard: { url: paths.dashboard, shows: 'priorities in all' },
} as const;
type PageName = keyof typeof PAGES;

interface Side {
  prepared: boolean;
  inject: (url: string) => Promise<{ statusCode: number; body: string }>;
  backends: () => Promise<number[]>;
  close: () => Promise<void>;
}

/** The app on a test database, signed in; `backends` lists the server processes serving it. */
async function sideOn(handle: TestDatabase, prepared: boolean): Promise<Side> {
  const services = handle.services;
  const home = await services.organisations.getHome();
  const session = await createTestSession(services, home.id, ['administrator', 'performance_officer']);
  const app = await buildApp({
    config: { env: 'production', logLevel: 'silent' },
    db: handle.db,
    units: handle.units,
    services,
  });
  const token = session.headers.cookie.split('=').slice(1).join('=');
  const headers = { cookie: `${cookieNames(true).session}=${token}` };
  return {
    prepared,
    inject: (url) => app.inject({ method: 'GET', url, headers }),
    backends: async () => {
      if (handle.engine !== 'postgres') return [];
      const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity
        where datname = current_database() and backend_type = 'client backend'`.execute(handle.db);
      return rows.map((r) => r.pid);
    },
    close: async () => {
      await app.close();
      await handle.close();
    },
  };
}

async function openSides(engine: Engine): Promise<{ sides: Side[]; close: () => Promise<void> }> {
  const sides: Side[] = [];
  for (const prepared of [true, false]) {
    const database = await openTestDatabase(engine, {}, { demo: true, prepareStatements: prepared });
    sides.push(await sideOn(database, prepared));
  }
  return { sides, close: async () => void (await Promise.all(sides.map((s) => s.close()))) };
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** Nanoseconds of CPU of the given processes (PostgreSQL backends on this machine). */
function serverNs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // gone: counted as nothing
    }
  }
  return total;
}

/** CPU per request, in ms, of `count` GETs of one page on one side (every answer checked). */
async function batch(side: Side, page: PageName, count: number): Promise<number> {
  const pids = await side.backends();
  const s0 = serverNs(pids);
  const c0 = cpuNow();
  for (let i = 0; i < count; i++) {
    const r = await side.inject(PAGES[page].url);
    if (r.statusCode !== 200 || !r.body.includes(PAGES[page].shows))
      throw new Error(`bench: ${PAGES[page].url} answered ${r.statusCode} without “${PAGES[page].shows}”`);
  }
  return ((cpuNow() - c0) / 1000 + (serverNs(pids) - s0) / 1e6) / count;
}

const machine = describeMachine();
console.log(
  `# Prepared statements (${new Date().toISOString()}, ${machine.cpus} CPUs, ${machine.cpuModel}, Node ${machine.node}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')})\n`,
);
console.log(`${ROUNDS} rounds × ${GETS} GETs per page and side; medians (min–max) over rounds.\n`);
console.log('| Engine | Page | Prepared, ms CPU a request | Unnamed, ms CPU a request | Prepared ÷ unnamed |');
console.log('|---|---|---:|---:|---:|');
const range = (xs: number[], digits = 2) =>
  `${fmt(Number(median(xs).toFixed(digits)))} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;
for (const engine of ENGINES) {
  const { sides, close } = await openSides(engine);
  // Bounded: a hang stops the run (status 1) after closing what it opened.
  const guard = deadline(600, `prepared statements on ${engine}`, close);
  try {
    const names = Object.keys(PAGES) as PageName[];
    for (const side of sides) for (const page of names) await batch(side, page, WARMUP);
    const cpu = new Map<string, number[]>();
    const ratios = new Map<PageName, number[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...names.slice(round % names.length), ...names.slice(0, round % names.length)];
      for (const page of order) {
        const bySide: number[] = [];
        for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
          const ms = await batch(side, page, GETS);
          const key = `${page} ${side.prepared}`;
          cpu.set(key, [...(cpu.get(key) ?? []), ms]);
          bySide[side.prepared ? 0 : 1] = ms;
        }
        ratios.set(page, [...(ratios.get(page) ?? []), bySide[0]! / bySide[1]!]);
      }
    }
    for (const page of names)
      console.log(
        `| ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL (Node + server)'} | ${page} | ${range(cpu.get(`${page} true`)!)} | ${range(cpu.get(`${page} false`)!)} | ${range(ratios.get(page)!)} |`,
      );
  } finally {
    guard.disarm();
    await close();
  }
}
