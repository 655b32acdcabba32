// A large council's diagnostic at scale (issue 12): 15,000 posts, 120,000 allocations, 2,000
// non-pay lines (bench/diagnostic-generate.ts), uploaded as one 2.8 MB workbook. On PGlite and
// on PostgreSQL, each round in a child process of its own (so its peak memory is its own):
//
//   - upload: the request (`diagnostics.upload`: the file is stored and a job queued, since it is
//     over AMBER_DIAGNOSTIC_BACKGROUND_KB), then the job (`jobs.queue.runOne`): the workbook read
//     as a stream and checked whole, then written in one transaction. Timed together, wall clock;
//     the child's resident memory sampled every 10 ms while it runs (its peak), and just before
//     (the database and app set up: PGlite's database lives in the same process, ~330–410 MB
//     once open); the process's `maxRSS` is printed per round too. On PGlite the peak also holds
//     V8's optimising compile of PGlite's largest WebAssembly function (~600 MB while it
//     compiles, once per process, when the first heavy work makes it hot): bench/README.md.
//   - baseline: `diagnostics.getBaseline(…, { fresh: true })` (the per-version cache bypassed), and
//     one cached call; against the same aggregation as one plain SQL query (FTE and pay per
//     process × unit normalised by each post's total, plus non-pay charged straight to a process,
//     in numeric): the floor for reading and summing the same rows. Alternating, median of
//     --baselines in the child.
//
//   node bench/diagnostic-scale.ts [--engine pglite|postgres|both] [--rounds 3] [--baselines 3] [--posts 15000]
//                                  [--upload-only] [--before-tree DIR] [--pglite-in folder|memory]
//                                  [--v8-flags '--liftoff-only']
//
// --upload-only stops each round after the upload (no baseline, levers or page). --before-tree
// runs each round twice, once with the child of DIR (a copy of this checkout with one change taken
// out, its own node_modules linked) and once with this one, alternating and the order reversed
// every other round, and prints after ÷ before per pair: the machine is shared, so only
// interleaved runs compare. --pglite-in: PGlite in a data folder of its own, as `amber serve` opens
// it (the default), or in memory as the tests open it (the whole database, its WAL included, then
// lives in the child's memory). --v8-flags: given to each child's Node, e.g. '--liftoff-only'.
//
// The parent prints medians of the rounds with min–max, and the goals: upload under 20 s, peak RSS
// under 400 MB, baseline ≤ 2× the SQL. A deadline stops everything after 25 minutes; each child
// after 8. Not part of the test suite.

import module from 'node:module';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { deadline, describeMachine, fmt, median } from './support.ts';
import { generateCouncil, writeCouncilFiles } from './diagnostic-generate.ts';

type Engine = 'pglite' | 'postgres';
interface ChildResult {
  uploadSeconds: number;
  requestSeconds: number;
  /** The process's CPU (user + system, all threads) while the upload ran. */
  uploadCpuSeconds: number;
  /** Highest resident memory while the upload ran (sampled). */
  peakRssMb: number;
  /** The longest the event loop was held while the upload ran (what any other request waited at worst), ms. */
  loopDelayMaxMs: number;
  /** Resident memory just before it (database and app set up). */
  rssBeforeMb: number;
  /** The child's peak resident memory until the upload ended (`maxRSS`), set-up included. */
  processPeakRssMb: number;
  baselineSeconds: number;
  sqlSeconds: number;
  cachedSeconds: number;
  /** Working a lever out (spans and layers, then consolidation on FIN) with the baseline cached: the opportunity page's own work. */
  leverSeconds: number;
  /** The opportunity page itself over HTTP, the baseline cached: the form with spans and layers worked out (GET). */
  pageSeconds: number;
  /** The same form posted to work consolidation on FIN out (POST action=work-out), as a person clicks "Work it out". */
  workOutPageSeconds: number;
  posts: number;
  allocations: number;
}

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '3' },
    baselines: { type: 'string', default: '3' },
    posts: { type: 'string', default: '15000' },
    'upload-only': { type: 'boolean', default: false },
    'before-tree': { type: 'string' },
    'pglite-in': { type: 'string', default: 'folder' },
    'v8-flags': { type: 'string' },
    child: { type: 'string' },
    file: { type: 'string' },
  },
});

const pgliteIn = values['pglite-in'];
if (pgliteIn !== 'folder' && pgliteIn !== 'memory') throw new Error('--pglite-in is folder or memory');

const plainSql = (id: string) => sql<{ process_code: string }>`
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

/**
 * PGlite as `amber serve` opens it (src/server.ts): a data folder of its own on disk, started from
 * the migrated template, with the folder's own shared_buffers (128MB). The tests' PGlite
 * (`--pglite-in memory`: openTestDatabase, 16MB) keeps the whole database, its WAL included, in
 * this process's memory, which no deployment does: a one-transaction upload of 120,000 rows
 * writes its WAL there too.
 */
async function openFolder(serviceOptions: import('../src/composition.ts').ServiceOptions) {
  const { openDatabase } = await import('../src/platform/db/database.ts');
  const { migrateToLatest } = await import('../src/platform/db/migrate.ts');
  const { buildServices } = await import('../src/composition.ts');
  const dataDir = mkdtempSync(join(tmpdir(), 'amber-diagnostic-scale-pglite-'));
  const handle = await openDatabase<import('../src/schema.ts').DB>({ dataDir, template: 'empty' });
  await migrateToLatest(handle.db);
  return {
    db: handle.db,
    units: handle.units,
    services: buildServices(handle, serviceOptions),
    close: async () => {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One round, in this (child) process: upload through the job, then the baseline against SQL. */
async function child(engine: Engine, file: string, baselines: number, uploadOnly: boolean): Promise<ChildResult> {
  // Imported here so the parent stays small (its memory is not measured, but it shares the machine).
  const { openTestDatabase } = await import('../test/helpers/database.ts');
  const { buildJobHandlers } = await import('../src/composition.ts');
  const { systemActor } = await import('../src/domain/actor.ts');
  const { DEFAULT_TAXONOMY_ID } = await import('../src/domain/diagnostic/taxonomy.ts');
  const { DEFAULT_INPUT_LIMITS } = await import('../src/config.ts');
  // Through the job whatever the size (a 15,000-post workbook is over the default 1 MB anyway; a
  // smaller --posts run measures the same path).
  const serviceOptions = { limits: { ...DEFAULT_INPUT_LIMITS, diagnosticBackgroundBytes: 1024 } };
  const t =
    engine === 'pglite' && pgliteIn === 'folder'
      ? await openFolder(serviceOptions)
      : await openTestDatabase(engine, serviceOptions);
  let app: import('fastify').FastifyInstance | undefined;
  try {
    const home = await t.services.organisations.createHome('bench', { name: 'Bench council', kind: 'council' });
    const actor = systemActor(home.id, 'bench');
    const id = await t.services.diagnostics.createExercise(actor, {
      name: 'Large council',
      financialYear: '2009',
      runningCosts: '£1,200m',
      headcount: '15000',
      taxonomyVersionId: DEFAULT_TAXONOMY_ID,
    });
    // The web app is built before the upload, as in a server: its own memory (Fastify, the routes,
    // the templates, the renderers) is in "before" and under the peak.
    const { buildApp } = await import('../src/app.ts');
    const { createTestSession } = await import('../test/helpers/app.ts');
    const { cookieNames } = await import('../src/platform/http/auth.ts');
    const { paths } = await import('../src/paths.ts');
    const server = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db: t.db,
      units: t.units,
      services: t.services,
    });
    app = server;
    await server.ready();
    const session = await createTestSession(t.services, home.id, ['administrator']);
    const headers = {
      cookie: `${cookieNames(true).session}=${session.headers.cookie.split('=').slice(1).join('=')}`,
      'x-csrf-token': session.csrfToken,
    };
    const data = readFileSync(file);
    // The resident memory before the upload (the database, the app), then its highest while the
    // upload runs, sampled every 10 ms.
    (globalThis as { gc?: () => void }).gc?.();
    const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const queued = await t.services.diagnostics.upload(actor, id, { file: { filename: 'large.xlsx', data } });
    const requestSeconds = (performance.now() - start) / 1000;
    if (!('jobId' in queued)) throw new Error('the upload was not queued: is the file under the background threshold?');
    if (!(await t.services.jobs.queue.runOne(buildJobHandlers(t.services)))) throw new Error('no job ran');
    const uploadSeconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const uploadCpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    loop.disable();
    const loopDelayMaxMs = loop.max / 1e6;
    const peakRssMb = Math.max(peak, process.memoryUsage().rss) / 2 ** 20;
    const processPeakRssMb = process.resourceUsage().maxRSS / 1024;
    const { job } = await t.services.jobs.get(actor, queued.jobId);
    if (job.status !== 'done') throw new Error(`the upload job ${job.status}: ${job.error}`);
    const counts = await t.services.diagnostics.countData(actor, id);
    const upload = {
      uploadSeconds,
      requestSeconds,
      uploadCpuSeconds,
      peakRssMb,
      loopDelayMaxMs,
      rssBeforeMb,
      processPeakRssMb,
    };
    if (uploadOnly)
      return {
        ...upload,
        baselineSeconds: Number.NaN,
        sqlSeconds: Number.NaN,
        cachedSeconds: Number.NaN,
        leverSeconds: Number.NaN,
        pageSeconds: Number.NaN,
        workOutPageSeconds: Number.NaN,
        posts: counts.posts,
        allocations: counts.allocations,
      };

    const b: number[] = [];
    const q: number[] = [];
    const time = async (fn: () => Promise<unknown>) => {
      const s = performance.now();
      await fn();
      return (performance.now() - s) / 1000;
    };
    // One warm-up of each, then alternate.
    await t.services.diagnostics.getBaseline(actor, id, { fresh: true });
    await plainSql(id).execute(t.db);
    for (let i = 0; i < baselines; i++) {
      b.push(
        await time(async () => {
          const baseline = await t.services.diagnostics.getBaseline(actor, id, { fresh: true });
          if (baseline.posts !== counts.posts) throw new Error('the baseline lost posts');
        }),
      );
      q.push(
        await time(async () => {
          if ((await plainSql(id).execute(t.db)).rows.length < 100) throw new Error('the SQL found too few cells');
        }),
      );
    }
    const cachedSeconds = await time(() => t.services.diagnostics.getBaseline(actor, id));
    // The opportunity form's work with the baseline cached (issue 12's goal: under 200 ms for the page).
    const levers: number[] = [];
    for (let i = 0; i < 5; i++)
      levers.push(
        await time(async () => {
          for (const body of [
            { lever: 'spans-and-layers', costPool: 'MANAGERS', targetSpan: '7', realisation: '50' },
            { lever: 'consolidation', costPool: 'FIN', achievability: '100' },
          ]) {
            const r = await t.services.efficiency.workOutOpportunity(actor, id, body);
            if (!r?.ok) throw new Error(`the ${body.lever} lever was not worked out: ${r ? r.reason : 'no formula'}`);
          }
        }),
      );
    // The opportunity page itself (issue 12's goal: under 200 ms with the baseline cached), through
    // the app as a browser asks for it: the form with spans and layers at a target span of 7
    // worked out (GET, as the baseline page's link opens it), and the form posted to work
    // consolidation on FIN out (POST, the "Work it out" button). One warm-up each, then 5.
    const getPage = async () => {
      const r = await server.inject({
        method: 'GET',
        url: `${paths.efficiency.newOpportunity(id)}?lever=spans-and-layers&targetSpan=7`,
        headers,
      });
      if (r.statusCode !== 200 || !/managers are needed/.test(r.body))
        throw new Error(`the opportunity page answered ${r.statusCode} without the working: ${r.body.slice(0, 300)}`);
      return r.body;
    };
    const postWorkOut = async () => {
      const r = await server.inject({
        method: 'POST',
        url: paths.efficiency.opportunities(id),
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          action: 'work-out',
          lever: 'consolidation',
          costPool: 'FIN',
          achievability: '100',
          confidence: 'medium',
          _csrf: session.csrfToken,
        }).toString(),
      });
      if (r.statusCode !== 200) throw new Error(`the work-out form answered ${r.statusCode}: ${r.body.slice(0, 300)}`);
      return r.body;
    };
    const pages: number[] = [];
    const workOuts: number[] = [];
    await getPage();
    await postWorkOut();
    for (let i = 0; i < 5; i++) {
      pages.push(await time(getPage));
      workOuts.push(await time(postWorkOut));
    }
    return {
      pageSeconds: median(pages),
      workOutPageSeconds: median(workOuts),
      ...upload,
      baselineSeconds: median(b),
      sqlSeconds: median(q),
      cachedSeconds,
      leverSeconds: median(levers),
      posts: counts.posts,
      allocations: counts.allocations,
    };
  } finally {
    await app?.close();
    await t.close();
  }
}

/** Runs one round in a child process; its answer is its last line of output. */
function round(engine: Engine, file: string, baselines: number, script = import.meta.filename): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      process.execPath,
      [
        '--expose-gc',
        ...(values['v8-flags']?.split(' ').filter(Boolean) ?? []),
        script,
        '--child',
        engine,
        '--file',
        file,
        '--baselines',
        String(baselines),
        ...(values['upload-only'] ? ['--upload-only'] : []),
        '--pglite-in',
        pgliteIn,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), 8 * 60_000);
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`the ${engine} round failed (status ${code}): ${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

if (values.child) {
  // As the server runs (bin/amber.js): compiled code kept on disk, which worker threads use too.
  module.enableCompileCache?.();
  const result = await child(values.child as Engine, values.file!, Number(values.baselines), values['upload-only']);
  console.log(JSON.stringify(result));
  process.exit(0);
}

const engines: Engine[] = values.engine === 'both' ? ['pglite', 'postgres'] : [values.engine as Engine];
const rounds = Number(values.rounds);
const baselines = Number(values.baselines);
const dir = join(tmpdir(), `amber-diagnostic-scale-${process.pid}`);
const guard = deadline(25 * 60, 'The diagnostic scale benchmark', async () =>
  rmSync(dir, { recursive: true, force: true }),
);
mkdirSync(dir, { recursive: true });
const data = generateCouncil({ posts: Number(values.posts) });
const written = await writeCouncilFiles(dir, data);
const size = readFileSync(written.xlsx).length;
console.error(
  `Generated ${data.posts.length} posts, ${data.posts.reduce((n, p) => n + p.allocations.length, 0)} allocations, ${data.nonPay.length} non-pay lines; XLSX ${fmt(size / 2 ** 20)} MB`,
);

const results: Partial<Record<Engine, ChildResult[]>> = {};
const befores: Partial<Record<Engine, ChildResult[]>> = {};
const beforeScript = values['before-tree']
  ? join(resolve(values['before-tree']), 'bench', 'diagnostic-scale.ts')
  : undefined;
try {
  for (const engine of engines) {
    results[engine] = [];
    befores[engine] = [];
    for (let r = 1; r <= rounds; r++) {
      // With a before tree, before and after alternate, the order reversed every other round.
      const order = !beforeScript ? ['after'] : r % 2 === 1 ? ['before', 'after'] : ['after', 'before'];
      for (const which of order) {
        const x = await round(engine, written.xlsx, baselines, which === 'before' ? beforeScript : undefined);
        (which === 'before' ? befores : results)[engine]!.push(x);
        console.error(
          `  ${engine} round ${r}${beforeScript ? ` ${which}` : ''}: upload ${fmt(x.uploadSeconds)} s (CPU ${fmt(x.uploadCpuSeconds)} s), peak RSS ${fmt(x.peakRssMb)} MB (before ${fmt(x.rssBeforeMb)}, process maxRSS ${fmt(x.processPeakRssMb)}), event loop held at most ${fmt(x.loopDelayMaxMs)} ms`,
        );
      }
      if (values['upload-only']) continue;
      const x = results[engine].at(-1)!;
      console.error(
        `  ${engine} round ${r}: upload ${fmt(x.uploadSeconds)} s (request ${fmt(x.requestSeconds)} s), peak RSS ${fmt(x.peakRssMb)} MB (before ${fmt(x.rssBeforeMb)}, process maxRSS ${fmt(x.processPeakRssMb)}), baseline ${fmt(x.baselineSeconds)} s, SQL ${fmt(x.sqlSeconds)} s, cached ${fmt(x.cachedSeconds * 1000)} ms, two levers ${fmt(x.leverSeconds * 1000)} ms, opportunity page ${fmt(x.pageSeconds * 1000)} ms (work-out POST ${fmt(x.workOutPageSeconds * 1000)} ms)`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
guard.disarm();

const machine = describeMachine();
console.log(
  `\nDiagnostic at scale — ${machine.cpus} × ${machine.cpuModel}, ${machine.memory}, Node ${machine.node}, ${machine.when}`,
);
console.log(
  `${data.posts.length.toLocaleString('en-GB')} posts, ${data.posts.reduce((n, p) => n + p.allocations.length, 0).toLocaleString('en-GB')} allocations, ${data.nonPay.length.toLocaleString('en-GB')} non-pay lines, XLSX ${fmt(size / 2 ** 20)} MB; median (min–max) of ${rounds} rounds, each a child process\n`,
);
console.log(
  '| Engine | Upload, request + job (s) | Peak RSS during upload (MB) | RSS before (MB) | Baseline (s) | Plain SQL (s) | Baseline ÷ SQL | Cached baseline (ms) | Two levers worked out, cached (ms) | Opportunity page, GET (ms) | Work-out POST (ms) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const cell = (xs: number[], scale = 1) =>
  `${fmt(median(xs) * scale)} (${fmt(Math.min(...xs) * scale)}–${fmt(Math.max(...xs) * scale)})`;
for (const engine of engines) {
  const rs = results[engine]!;
  console.log(
    `| ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${cell(rs.map((r) => r.uploadSeconds))} | ${cell(rs.map((r) => r.peakRssMb))} | ${cell(rs.map((r) => r.rssBeforeMb))} | ${cell(rs.map((r) => r.baselineSeconds))} | ${cell(rs.map((r) => r.sqlSeconds))} | ${cell(rs.map((r) => r.baselineSeconds / r.sqlSeconds))} | ${cell(
      rs.map((r) => r.cachedSeconds),
      1000,
    )} | ${cell(
      rs.map((r) => r.leverSeconds),
      1000,
    )} | ${cell(
      rs.map((r) => r.pageSeconds),
      1000,
    )} | ${cell(
      rs.map((r) => r.workOutPageSeconds),
      1000,
    )} |`,
  );
}
if (beforeScript) {
  console.log(
    `\nUpload only, before (${values['before-tree']}) and after (this checkout) alternating, per-pair ratios:\n`,
  );
  console.log(
    '| Engine | Code | Upload, request + job (s) | CPU of the upload (s) | Peak RSS during upload (MB) | RSS before (MB) | Event loop held at most (ms) | After ÷ before, upload (per pair) | After ÷ before, CPU | After ÷ before, peak RSS |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const engine of engines) {
    const b = befores[engine]!;
    const a = results[engine]!;
    const ratio = (f: (x: ChildResult) => number) => cell(a.map((x, i) => f(x) / f(b[i]!)));
    const name = engine === 'pglite' ? 'PGlite' : 'PostgreSQL';
    for (const [code, rs] of [
      ['before', b],
      ['after', a],
    ] as const)
      console.log(
        `| ${name} | ${code} | ${cell(rs.map((r) => r.uploadSeconds))} | ${cell(rs.map((r) => r.uploadCpuSeconds))} | ${cell(rs.map((r) => r.peakRssMb))} | ${cell(rs.map((r) => r.rssBeforeMb))} | ${cell(rs.map((r) => r.loopDelayMaxMs))} | ${code === 'after' ? ratio((x) => x.uploadSeconds) : ''} | ${code === 'after' ? ratio((x) => x.uploadCpuSeconds) : ''} | ${code === 'after' ? ratio((x) => x.peakRssMb) : ''} |`,
      );
  }
}
console.log(
  '\nGoals: upload under 20 s, peak RSS under 400 MB, baseline ≤ 2 × SQL, opportunity page under 200 ms with the baseline cached.',
);
process.exit(0);
