// The efficiency diagnostic at the scale of a large council (issue 5): 15,000 posts, 8 activity
// allocations each (120,000 rows), 2,000 non-pay lines (bench/diagnostic-generate.ts). On PGlite
// and on PostgreSQL, in one run, it times (median of --rounds, wall clock) and records the peak
// RSS of the process while each step runs (sampled every 10 ms; the process's own resident
// memory, database included for PGlite):
//
//   - import XLSX: `diagnostics.upload` of the whole workbook — read it, check every sheet, row
//     and the data as a whole (allocations, manager loops, codes, non-pay placement), replace the
//     exercise's data in one transaction (batches of 2,000 rows) with its audit event;
//   - import CSV: the same for the Allocations sheet alone as CSV (120,000 rows), checked with the
//     other sheets already held;
//   - baseline: `diagnostics.getBaseline` (fresh: its per-version cache bypassed) — load every stored row, validate, split each post's
//     FTE and pay over its processes (largest remainder, exact), allocate the non-pay lines, work
//     out fragmentation, unit costs, shares of running costs, spans and layers;
//   - SQL: one plain query over the same tables doing the core of it — FTE and pay per process ×
//     unit normalised by each post's total percentage, plus non-pay charged straight to a process
//     — in numeric, with no validation and no non-pay sharing: a floor for what the database
//     alone needs to read and sum the same rows.
//
//   node bench/diagnostic-baseline.ts [--engine pglite|postgres|both] [--rounds 3] [--posts 15000]
// Not part of the test suite: it takes minutes and a PostgreSQL server (DATABASE_URL or
// postgres://postgres@127.0.0.1:5432/test); a deadline stops it after 25 minutes.

import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { openTestDatabase, type TestDatabase } from '../test/helpers/database.ts';
import { DEFAULT_INPUT_LIMITS } from '../src/config.ts';
import { deadline, describeMachine, fmt, median } from './support.ts';
import { generateCouncil, writeCouncilFiles } from './diagnostic-generate.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Engine = 'pglite' | 'postgres';
interface Step {
  seconds: number[];
  peakRssMb: number[];
}
type Steps = Record<'xlsx' | 'csv' | 'baseline' | 'sql', Step>;

/** Runs fn while sampling RSS; returns seconds and the highest RSS seen (MB). */
async function measure<T>(fn: () => Promise<T>): Promise<{ seconds: number; peakRssMb: number; result: T }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    const r = process.memoryUsage().rss;
    if (r > peak) peak = r;
  }, 10);
  const start = performance.now();
  try {
    const result = await fn();
    const seconds = (performance.now() - start) / 1000;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { seconds, peakRssMb: peak / 2 ** 20, result };
  } finally {
    clearInterval(timer);
  }
}

const plainSql = (id: string) => sql<{
  process_code: string;
  unit_code: string | null;
  fte: string;
  pay: string;
  non_pay: string;
}>`
  with totals as (
    select post_id, sum(pct) as total from diagnostic_allocation where exercise_id = ${id} group by post_id
  ), pay as (
    select a.process_code, p.unit_code, sum(p.fte::numeric * a.pct / t.total) as fte, sum(p.pay_cost::numeric * a.pct / t.total) as pay
    from diagnostic_allocation a join diagnostic_post p on p.id = a.post_id join totals t on t.post_id = a.post_id
    where a.exercise_id = ${id} group by a.process_code, p.unit_code
  ), direct as (
    select process_code, sum(amount) as non_pay from diagnostic_non_pay
    where exercise_id = ${id} and process_code is not null group by process_code
  )
  select coalesce(pay.process_code, direct.process_code) as process_code, pay.unit_code, coalesce(pay.fte, 0) as fte, coalesce(pay.pay, 0) as pay, coalesce(direct.non_pay, 0) as non_pay
  from pay full join direct on direct.process_code = pay.process_code`;

async function runEngine(
  engine: Engine,
  rounds: number,
  files: { xlsx: Buffer; allocationsCsv: Buffer },
): Promise<Steps> {
  // Every upload in the request, however big (a big one is otherwise queued for a job: bench/diagnostic-scale.ts).
  const t: TestDatabase = await openTestDatabase(engine, {
    limits: { ...DEFAULT_INPUT_LIMITS, diagnosticBackgroundBytes: Number.MAX_SAFE_INTEGER },
  });
  try {
    const home = await t.services.organisations.createHome('bench', { name: 'Bench council', kind: 'council' });
    const actor: Actor = systemActor(home.id, 'bench');
    const id = await t.services.diagnostics.createExercise(actor, {
      name: 'Large council',
      financialYear: '2009',
      runningCosts: '£1,200m',
      headcount: '15000',
      taxonomyVersionId: DEFAULT_TAXONOMY_ID,
    });
    const steps: Steps = {
      xlsx: { seconds: [], peakRssMb: [] },
      csv: { seconds: [], peakRssMb: [] },
      baseline: { seconds: [], peakRssMb: [] },
      sql: { seconds: [], peakRssMb: [] },
    };
    const record = (step: Step, m: { seconds: number; peakRssMb: number }) => {
      step.seconds.push(m.seconds);
      step.peakRssMb.push(m.peakRssMb);
    };
    const gc = () => (globalThis as { gc?: () => void }).gc?.();

    for (let round = 1; round <= rounds; round++) {
      gc();
      const x = await measure(() =>
        t.services.diagnostics.upload(actor, id, { file: { filename: 'large.xlsx', data: files.xlsx } }),
      );
      if (!('posts' in x.result)) throw new Error('the import was queued: this benchmark times it in the request');
      if (x.result.allocations !== 120_000 && x.result.posts === 15_000) throw new Error('the import lost rows');
      record(steps.xlsx, x);
      gc();
      record(
        steps.csv,
        await measure(() =>
          t.services.diagnostics.upload(actor, id, {
            file: { filename: 'allocations.csv', data: files.allocationsCsv },
            sheet: 'allocations',
          }),
        ),
      );
      console.error(`  ${engine} round ${round}: xlsx ${fmt(x.seconds)} s, csv ${fmt(steps.csv.seconds.at(-1)!)} s`);
    }
    const counts = await t.services.diagnostics.countData(actor, id);
    console.error(
      `  ${engine}: ${counts.posts} posts, ${counts.allocations} allocations, ${counts.nonPay} non-pay lines stored`,
    );
    const runSql = async () => (await plainSql(id).execute(t.db)).rows.length;
    // One warm-up of each, then alternate.
    await t.services.diagnostics.getBaseline(actor, id, { fresh: true });
    await runSql();
    for (let round = 1; round <= rounds; round++) {
      gc();
      const b = await measure(() => t.services.diagnostics.getBaseline(actor, id, { fresh: true }));
      if (b.result.posts !== counts.posts) throw new Error('the baseline lost posts');
      record(steps.baseline, b);
      gc();
      const q = await measure(runSql);
      if (q.result < 100) throw new Error('the SQL found too few cells');
      record(steps.sql, q);
      console.error(`  ${engine} round ${round}: baseline ${fmt(b.seconds)} s, SQL ${fmt(q.seconds)} s`);
    }
    return steps;
  } finally {
    await t.close();
  }
}

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '3' },
    posts: { type: 'string', default: '15000' },
  },
});
const engines: Engine[] = values.engine === 'both' ? ['pglite', 'postgres'] : [values.engine as Engine];
const rounds = Number(values.rounds);
const guard = deadline(25 * 60, 'The diagnostic benchmark', async () => {});

const data = generateCouncil({ posts: Number(values.posts) });
const written = await writeCouncilFiles(join(tmpdir(), `amber-diagnostic-bench-${process.pid}`), data);
const files = { xlsx: readFileSync(written.xlsx), allocationsCsv: readFileSync(written.csv.allocations!) };
console.error(
  `Generated ${data.posts.length} posts, ${data.posts.reduce((n, p) => n + p.allocations.length, 0)} allocations, ${data.nonPay.length} non-pay lines; XLSX ${fmt(files.xlsx.length / 2 ** 20)} MB, allocations CSV ${fmt(files.allocationsCsv.length / 2 ** 20)} MB`,
);

const results: Partial<Record<Engine, Steps>> = {};
for (const engine of engines) results[engine] = await runEngine(engine, rounds, files);
guard.disarm();

const machine = describeMachine();
console.log(
  `\nDiagnostic baseline benchmark — ${machine.cpus} × ${machine.cpuModel}, ${machine.memory}, Node ${machine.node}, ${machine.when}`,
);
console.log(
  `${data.posts.length.toLocaleString('en-GB')} posts, ${data.posts.reduce((n, p) => n + p.allocations.length, 0).toLocaleString('en-GB')} allocations, ${data.nonPay.length.toLocaleString('en-GB')} non-pay lines; median of ${rounds} rounds\n`,
);
console.log(
  '| Engine | Import XLSX (s) | peak RSS (MB) | Import CSV, Allocations (s) | peak RSS (MB) | Baseline (s) | peak RSS (MB) | Plain SQL (s) | Baseline ÷ SQL |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const engine of engines) {
  const s = results[engine]!;
  const m = (step: Step) => median(step.seconds);
  const r = (step: Step) => Math.max(...step.peakRssMb);
  console.log(
    `| ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${fmt(m(s.xlsx))} | ${fmt(r(s.xlsx))} | ${fmt(m(s.csv))} | ${fmt(r(s.csv))} | ${fmt(m(s.baseline))} | ${fmt(r(s.baseline))} | ${fmt(m(s.sql))} | ${fmt(m(s.baseline) / m(s.sql))} |`,
  );
}
process.exit(0);
