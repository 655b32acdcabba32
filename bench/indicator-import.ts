// Import of 50,000 indicator values from CSV (issue 4), as rows per second and as a ratio to
// PostgreSQL's own COPY of the same rows into the same table of the same database, in the same
// run. 12,500 quarterly indicators × Q1–Q4 of 2009/10. Each round empties indicator_value, then
// times (in alternating order):
//
//   - Amber: `importValues` (parse the CSV, check every row against the indicators and periods,
//     queue the job) + the worker running that job (multi-row upserts of 1,000, an audit event
//     per indicator per batch, progress after each batch) — what a person waits for, end to end;
//   - COPY: `copy indicator_value (...) from ...` of the same 50,000 rows (ids already resolved),
//     on the server from a file the server reads, and on PGlite from `/dev/blob`.
//
// Also the job's page while the job waits (its service's read of the job, outside the import's
// time). Median of 3 rounds (after one discarded warm-up of each).
//
// With `--statuses N`, the file also has a Status column giving Red for Q4 of N indicators whose
// Q4 is well above target (Amber computes Green): each is kept as an override, as a council's
// own RAG column that disagrees with Amber's rating would be.
//
//   node bench/indicator-import.ts [--engine pglite|postgres|both] [--rounds 3] [--indicators 12500] [--statuses 0]

import { parseArgs } from 'node:util';
import { writeFileSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Kysely, sql } from 'kysely';
import { PGlite } from '@electric-sql/pglite';
import { pgliteConfig } from '../src/platform/db/pglite-connection.ts';
import { preparingClient, StatementNames } from '../src/platform/db/prepared-statements.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { buildJobHandlers, buildServices, type Services } from '../src/composition.ts';
import { createUnits } from '../src/platform/db/unit-of-work.ts';
import type { DB } from '../src/schema.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { openTestDatabase } from '../test/helpers/database.ts';
import { deadline, describeMachine, fmt, heldTicker, median } from './support.ts';

type Engine = 'pglite' | 'postgres';

interface Setup {
  engine: Engine;
  db: Kysely<DB>;
  services: Services;
  /** COPY of a CSV text (header-less) into indicator_value's listed columns. */
  copy(csv: string, columns: string): Promise<void>;
  close(): Promise<void>;
}

// The same parsers as src/platform/db/database.ts: services expect dates as strings.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1082) return (value: string) => value;
    if (oid === 20) return (value: string) => Number(value);
    if (oid === 1700) return (value: string) => value;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

async function open(engine: Engine): Promise<Setup> {
  if (engine === 'postgres') {
    const t = await openTestDatabase('postgres');
    const file = join(tmpdir(), `amber-bench-copy-${process.pid}.csv`);
    return {
      engine,
      db: t.db,
      services: t.services,
      async copy(csv, columns) {
        // The server reads the file itself (it runs on this machine): COPY with no client in the way.
        writeFileSync(file, csv);
        chmodSync(file, 0o644);
        await sql
          .raw(`copy indicator_value (${columns}) from '${file}' with (format csv, force_not_null (comment))`)
          .execute(t.db);
      },
      async close() {
        rmSync(file, { force: true });
        await t.close();
      },
    };
  }
  // PGlite opened here rather than through openDatabase, to reach its own COPY (`/dev/blob`); the
  // app's pool on it as openDatabase makes it (Amber's connection, statements prepared once). Before
  // 7 December this used PGlite's own node-postgres adapter, which the app does not.
  const pglite = await PGlite.create();
  const pool = new pg.Pool({
    ...pgliteConfig(pglite),
    max: 1,
    types,
    Client: preparingClient(new StatementNames()),
  } as pg.PoolConfig);
  const { raw: db, units } = createUnits<DB>({ pool });
  await migrateToLatest(db);
  return {
    engine,
    db,
    services: buildServices({ db, units }),
    async copy(csv, columns) {
      await pglite.query(
        `copy indicator_value (${columns}) from '/dev/blob' with (format csv, force_not_null (comment))`,
        [],
        { blob: new Blob([csv]) },
      );
    },
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}

interface EngineResult {
  engine: Engine;
  values: number;
  amberMs: number[];
  checkMs: number[];
  writeMs: number[];
  /** The job's page while the job waits: one read of the job by the page's service. */
  pageMs: number[];
  /** The longest the event loop was held in the request (parse, check, queue) and in the job. */
  requestHeldMs: number[];
  jobHeldMs: number[];
  copyMs: number[];
}

/** Reads of the queued job's page a round makes (before its worker runs it). */
const PAGE_READS = 3;

async function runEngine(engine: Engine, indicators: number, rounds: number, statuses: number): Promise<EngineResult> {
  const s = await open(engine);
  try {
    const home = await s.services.organisations.createHome('bench', { name: 'Bench council', kind: 'council' });
    const actor: Actor = systemActor(home.id, 'bench');
    const periodIds = new Map<string, string>();
    for (const q of [1, 2, 3, 4]) periodIds.set(`q${q}`, (await s.services.periods.ensure(actor, `2009-10-q${q}`)).id);
    // 12,500 indicator definitions in one statement: their creation is not what is measured.
    await sql`insert into indicator (organisation_id, code, title, unit_kind, decimal_places, polarity, frequency, ytd_method, rule_kind, rule_value)
      select ${home.id}::uuid, 'PI ' || n, 'Indicator ' || n, 'number', 1, 'higher', 'quarterly', 'latest', 'percent', 50
      from generate_series(1, ${indicators}::int) as n`.execute(s.db);
    const ids = new Map(
      (await s.db.selectFrom('indicator').select(['id', 'code']).execute()).map((r) => [r.code, r.id]),
    );

    // The file a council would upload, and the same rows as COPY reads them (values scaled by 10: 1 decimal place).
    const lines = [`PI No,Description,Target,Q1,Q2,Q3,Q4,Commentary${statuses > 0 ? ',Status' : ''}`];
    const copyRows: string[] = [];
    let red = 0;
    for (let n = 1; n <= indicators; n++) {
      const v = [n % 100, (n + 1) % 100, (n + 2) % 100, (n + 3) % 100].map((x) => x + 0.5);
      const status = statuses === 0 ? '' : v[3]! >= 80 && red < statuses && ++red ? ',Red' : ',';
      lines.push(`PI ${n},Indicator ${n},50,${v.join(',')},${n % 10 === 0 ? `Comment ${n}` : ''}${status}`);
      v.forEach((x, i) =>
        copyRows.push(
          `${home.id},${ids.get(`PI ${n}`)},${periodIds.get(`q${i + 1}`)},${Math.round(x * 10)},500,${i === 3 && n % 10 === 0 ? `Comment ${n}` : ''}`,
        ),
      );
    }
    if (red < statuses) throw new Error(`only ${red} indicators of ${indicators} are well above target`);
    const file = { filename: 'values.csv', data: Buffer.from(lines.join('\r\n') + '\r\n') };
    const copyCsv = copyRows.join('\n') + '\n';
    const values = copyRows.length;
    const handlers = buildJobHandlers(s.services);

    const count = async () =>
      Number((await sql<{ n: number }>`select count(*)::int as n from indicator_value`.execute(s.db)).rows[0]!.n);
    const reset = async () => {
      await sql`delete from indicator_value`.execute(s.db);
      await sql`delete from job`.execute(s.db);
      // The audit trail is append-only (a trigger refuses deletes): its rows from earlier rounds stay.
    };
    const amber = async () => {
      // The longest the event loop was held (what any other request would wait at worst), in the
      // request and in the job; on PGlite the database's own work runs on it too.
      const loop = heldTicker();
      const start = performance.now();
      const result = await s.services.indicatorTransfer.importValues(actor, { year: '2009', file });
      const checked = performance.now();
      const requestHeld = loop.stop();
      if (!result.jobId) throw new Error('a 50,000-value file should be written by a job');
      // The job's page while it waits, as the person who uploaded sees it (its service's read of the
      // job): not part of the import's time.
      for (let i = 0; i < PAGE_READS; i++) await s.services.jobs.get(actor, result.jobId);
      const read = performance.now();
      const jobLoop = heldTicker();
      if (!(await s.services.jobs.queue.runOne(handlers))) throw new Error('no job to run');
      const end = performance.now();
      const jobHeld = jobLoop.stop();
      const { job } = await s.services.jobs.get(actor, result.jobId);
      if (job.status !== 'done') throw new Error(`the import job ${job.status}: ${job.error}`);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from indicator_value where override_status_key = 'red'`.execute(s.db);
      if (rows[0]!.n !== statuses) throw new Error(`${rows[0]!.n} statuses kept as overrides, not ${statuses}`);
      return {
        total: checked - start + (end - read),
        check: checked - start,
        write: end - read,
        page: (read - checked) / PAGE_READS,
        requestHeld,
        jobHeld,
      };
    };
    const copy = async () => {
      const start = performance.now();
      await s.copy(copyCsv, 'organisation_id, indicator_id, period_id, actual, target, comment');
      return performance.now() - start;
    };

    const result: EngineResult = {
      engine,
      values,
      amberMs: [],
      checkMs: [],
      writeMs: [],
      pageMs: [],
      requestHeldMs: [],
      jobHeldMs: [],
      copyMs: [],
    };
    for (let round = 0; round <= rounds; round++) {
      // Alternate which goes first, so neither always follows the other's garbage.
      const order = round % 2 === 0 ? ['amber', 'copy'] : ['copy', 'amber'];
      for (const which of order) {
        await reset();
        if (which === 'amber') {
          const t = await amber();
          if ((await count()) !== values) throw new Error('Amber did not write every value');
          if (round > 0) {
            result.amberMs.push(t.total);
            result.checkMs.push(t.check);
            result.writeMs.push(t.write);
            result.pageMs.push(t.page);
            result.requestHeldMs.push(t.requestHeld);
            result.jobHeldMs.push(t.jobHeld);
          }
        } else {
          const t = await copy();
          if ((await count()) !== values) throw new Error('COPY did not write every value');
          if (round > 0) result.copyMs.push(t);
        }
      }
      console.error(`${engine}: round ${round}${round === 0 ? ' (warm-up)' : ''} done`);
    }
    return result;
  } finally {
    await s.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string', default: 'both' },
      rounds: { type: 'string', default: '3' },
      indicators: { type: 'string', default: '12500' },
      statuses: { type: 'string', default: '0' },
    },
  });
  const engines: Engine[] = values.engine === 'both' ? ['pglite', 'postgres'] : [values.engine as Engine];
  const watchdog = deadline(1200, 'bench/indicator-import.ts', async () => {});
  const results: EngineResult[] = [];
  for (const engine of engines)
    results.push(await runEngine(engine, Number(values.indicators), Number(values.rounds), Number(values.statuses)));
  watchdog.disarm();
  const rate = (n: number, ms: number) => fmt(n / (ms / 1000));
  console.log(JSON.stringify(describeMachine()));
  console.log(`| Engine | Step | Median ms | Values/s | Ratio to COPY | Samples ms |`);
  console.log('|---|---|--:|--:|--:|---|');
  for (const r of results) {
    const amber = median(r.amberMs);
    const copy = median(r.copyMs);
    console.log(
      `| ${r.engine} | Amber import, end to end | ${fmt(amber)} | ${rate(r.values, amber)} | ${fmt(copy / amber)} | ${r.amberMs.map(fmt).join(', ')} |`,
    );
    console.log(
      `| ${r.engine} | … of which parse + check + queue | ${fmt(median(r.checkMs))} | | | ${r.checkMs.map(fmt).join(', ')} |`,
    );
    console.log(
      `| ${r.engine} | … of which the job's batched writes | ${fmt(median(r.writeMs))} | | | ${r.writeMs.map(fmt).join(', ')} |`,
    );
    console.log(
      `| ${r.engine} | the event loop held at most, in the request | ${fmt(median(r.requestHeldMs))} | | | ${r.requestHeldMs.map(fmt).join(', ')} |`,
    );
    console.log(
      `| ${r.engine} | the event loop held at most, in the job | ${fmt(median(r.jobHeldMs))} | | | ${r.jobHeldMs.map(fmt).join(', ')} |`,
    );
    console.log(
      `| ${r.engine} | the job's page while it waits (a read of the job, mean of ${PAGE_READS}) | ${fmt(median(r.pageMs))} | | | ${r.pageMs.map(fmt).join(', ')} |`,
    );
    console.log(
      `| ${r.engine} | COPY of the same rows (baseline) | ${fmt(copy)} | ${rate(r.values, copy)} | 1 | ${r.copyMs.map(fmt).join(', ')} |`,
    );
  }
}

await main();
