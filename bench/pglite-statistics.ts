// What the planner's statistics are worth on PGlite (issue 14; src/platform/db/pglite-upkeep.ts).
// PGlite has no autovacuum, so before the server's daily vacuum and analyze its tables never had
// statistics and every statement was planned on guesses. Two embedded databases with the same
// data — the demo and an organisation of 1,000 priorities (test/builders/sized-organisation.ts) —
// one left as PGlite leaves it, the other vacuumed and analyzed by `vacuumAndAnalyze`, each with an
// app in production mode whose services keep no dashboard and store no report body (so every view
// is worked out). Each round GETs each page on both, the database first alternating, and takes the
// median CPU of a request (`process.cpuUsage()`, which on PGlite includes the database's work) and
// the ratio analyzed ÷ unanalyzed within the round. Medians (min–max) over rounds.
//
//   node bench/pglite-statistics.ts [--priorities 1000] [--rounds 5] [--gets 10]

import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { buildServices } from '../src/composition.ts';
import { cookieNames } from '../src/platform/http/auth.ts';
import { vacuumAndAnalyze } from '../src/platform/db/pglite-upkeep.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { insertSizedOrganisation } from '../test/builders/sized-organisation.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';

const { values: args } = parseArgs({
  options: {
    priorities: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '5' },
    gets: { type: 'string', default: '10' },
  },
});
const PAGES = [
  ['dashboard (period H2)', '/dashboard?period=2009-10-h2'],
  ['priorities list', '/priorities'],
  ['report page', '/priorities/SZ-2/reports/2009-10-h2'],
  ['priority page', '/priorities/SZ-2'],
  ['indicators list', '/indicators'],
  ['risks list', '/risks'],
] as const;

interface Side {
  database: TestDatabase;
  app: FastifyInstance;
  headers: Record<string, string>;
}

async function side(analyze: boolean): Promise<Side> {
  const database = await openTestDatabase('pglite');
  const sized = await insertSizedOrganisation(database, { priorities: Number(args.priorities), name: 'Bench' });
  const session = await createTestSession(database.services, sized.organisationId, [
    'administrator',
    'performance_officer',
  ]);
  // Production mode names the session cookie as a browser on HTTPS gets it (as tenancy.ts does).
  const token = session.headers.cookie.split('=').slice(1).join('=');
  if (analyze) {
    const run = await vacuumAndAnalyze(database.db);
    console.error(`vacuumed and analyzed ${run.tables} tables in ${Math.round(run.ms)} ms`);
  }
  const services = buildServices(
    { db: database.db, units: database.units },
    { keptDashboards: 0, reportBodies: false },
  );
  const app = await buildApp({
    config: { env: 'production', logLevel: 'silent' },
    db: database.db,
    units: database.units,
    services,
  });
  return { database, app, headers: { cookie: `${cookieNames(true).session}=${token}` } };
}

/** The median CPU of `gets` GETs of `url`, ms (two unmeasured first). */
async function cpuOf(s: Side, url: string, gets: number): Promise<number> {
  const cpu: number[] = [];
  for (let i = 0; i < gets + 2; i++) {
    const before = process.cpuUsage();
    const res = await s.app.inject({ url, headers: s.headers });
    const used = process.cpuUsage(before);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    if (i >= 2) cpu.push((used.user + used.system) / 1000);
  }
  return median(cpu);
}

const sides: Side[] = [];
const watchdog = deadline(900, 'bench/pglite-statistics.ts', async () => {
  for (const s of sides) {
    await s.app.close();
    await s.database.close();
  }
});
const unanalyzed = await side(false);
sides.push(unanalyzed);
const analyzed = await side(true);
sides.push(analyzed);
const gets = Number(args.gets);
for (const s of sides) for (const [, url] of PAGES) await cpuOf(s, url, 3);
const results = new Map<string, { before: number[]; after: number[]; ratio: number[] }>();
for (let round = 0; round < Number(args.rounds); round++) {
  for (const [name, url] of PAGES) {
    const r = results.get(name) ?? { before: [], after: [], ratio: [] };
    let before: number;
    let after: number;
    if (round % 2 === 0) {
      before = await cpuOf(unanalyzed, url, gets);
      after = await cpuOf(analyzed, url, gets);
    } else {
      after = await cpuOf(analyzed, url, gets);
      before = await cpuOf(unanalyzed, url, gets);
    }
    r.before.push(before);
    r.after.push(after);
    r.ratio.push(after / before);
    results.set(name, r);
  }
  console.error(`round ${round + 1} done`);
}
watchdog.disarm();
for (const s of sides) {
  await s.app.close();
  await s.database.close();
}
const cell = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
console.log(JSON.stringify(describeMachine()));
console.log(
  `| Page (${args.priorities} priorities) | CPU ms a request, unanalyzed | CPU ms a request, analyzed | Analyzed ÷ unanalyzed |`,
);
console.log('|---|--:|--:|--:|');
for (const [name] of PAGES) {
  const r = results.get(name)!;
  console.log(`| ${name} | ${cell(r.before)} | ${cell(r.after)} | ${cell(r.ratio)} |`);
}
