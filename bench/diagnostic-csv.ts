// A large council's Posts sheet uploaded as CSV (issue 12): 15,000 posts, about 1 MB, into an
// exercise that already holds the council's other sheets (its 120,000 allocations among them),
// before and after the sheet was read a row at a time. Before: the whole file decoded, parsed,
// and (over 1 MB) copied to the reader thread and back (platform/spreadsheet.ts); after: the rows
// streamed through csv-parse (platform/csv.ts streamCsv). Both trees run in the same run, each
// round in a child process of its own (so its peak memory is its own), alternating before/after:
//
//   - read: the sheet alone read by the module's readCsvSheet (no database), against the floor of
//     decoding the bytes and splitting them into lines (`toString` + `split`): peak RSS above the
//     child's RSS before, and time;
//   - upload: `diagnostics.upload` then the job (`jobs.queue.runOne`), as diagnostic-scale.ts
//     measures the workbook: the file checked with the exercise's other sheets as stored, then
//     written in one transaction. Peak RSS (sampled every 10 ms) above the RSS before, and time.
//
//   node bench/diagnostic-csv.ts [--engine postgres|pglite] [--rounds 3] [--posts 15000] [--sheet posts|allocations] [--before-ref f8b1d7a | --before-tree DIR] [--deadline 115]
//
// The "before" tree is `git archive` of --before-ref (the commit before the change) in a
// temporary directory, with this checkout's node_modules linked in. The parent prints medians with
// min–max and the ratios after ÷ before. A deadline stops everything after 115 s (--deadline, in
// seconds, for a loaded machine); each child after 60 s.

import { parseArgs } from 'node:util';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deadline, describeMachine, fmt, median } from './support.ts';
import { CSV_FILES, generateCouncil } from './diagnostic-generate.ts';
import { sheetCsv } from '../src/modules/diagnostic/diagnostic-transfer.ts';
import { DEFAULT_TAXONOMY } from '../src/domain/diagnostic/taxonomy.ts';

type Engine = 'pglite' | 'postgres';
type Kind = 'read' | 'upload' | 'floor';
type Sheet = 'posts' | 'allocations';
/** generateCouncil's default. */
const ALLOCATIONS_PER_POST = 8;
interface ChildResult {
  seconds: number;
  /** Highest resident memory while it ran, above the resident memory just before (MB). */
  peakAboveMb: number;
  rssBeforeMb: number;
  /** Highest V8 heap in use while it ran, above the heap before (MB): less at the mercy of when the collector runs. */
  heapAboveMb: number;
  /** The child's own peak resident memory (`maxRSS`) from its start to the end of the measurement: set-up included, but seen whole (the 10 ms samples cannot see inside a synchronous stretch, which flatters the reader that works in one). */
  processPeakRssMb: number;
}

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'postgres' },
    rounds: { type: 'string', default: '3' },
    posts: { type: 'string', default: '15000' },
    sheet: { type: 'string', default: 'posts' },
    'before-ref': { type: 'string', default: 'f8b1d7a' },
    deadline: { type: 'string', default: '115' },
    'before-tree': { type: 'string' },
    child: { type: 'string' },
    kind: { type: 'string' },
    tree: { type: 'string' },
    file: { type: 'string' },
  },
});

/** Samples resident memory every 10 ms while `fn` runs. */
async function measured(fn: () => Promise<void>): Promise<ChildResult> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = before;
  let heap = heapBefore;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 10);
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  heap = Math.max(heap, process.memoryUsage().heapUsed);
  return {
    seconds,
    peakAboveMb: (peak - before) / 2 ** 20,
    rssBeforeMb: before / 2 ** 20,
    heapAboveMb: (heap - heapBefore) / 2 ** 20,
    processPeakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** One measurement, in this (child) process, with the modules of `tree`. */
async function child(
  engine: Engine,
  kind: Kind,
  tree: string,
  file: string,
  posts: number,
  sheet: Sheet,
): Promise<ChildResult> {
  const data = readFileSync(file);
  const rows = sheet === 'posts' ? posts : posts * ALLOCATIONS_PER_POST;
  if (kind === 'floor')
    return measured(async () => {
      if (data.toString('utf8').split('\r\n').length < rows) throw new Error('too few lines');
    });
  const transfer = (await import(join(tree, 'src/modules/diagnostic/diagnostic-transfer.ts'))) as {
    readCsvSheet(name: string, data: Buffer): Promise<{ rows: unknown[] }>;
  };
  if (kind === 'read')
    return measured(async () => {
      const read = await transfer.readCsvSheet(CSV_FILES[sheet]!, data);
      if (read.rows.length !== rows + 1) throw new Error(`read ${read.rows.length} rows`);
    });
  const { openTestDatabase } = await import(join(tree, 'test/helpers/database.ts'));
  const { buildJobHandlers } = await import(join(tree, 'src/composition.ts'));
  const { systemActor } = await import(join(tree, 'src/domain/actor.ts'));
  const { DEFAULT_TAXONOMY_ID } = await import(join(tree, 'src/domain/diagnostic/taxonomy.ts'));
  const { DEFAULT_INPUT_LIMITS } = await import(join(tree, 'src/config.ts'));
  const { createDiagnosticRepository } = await import(join(tree, 'src/modules/diagnostic/diagnostic.repository.ts'));
  const t = await openTestDatabase(engine, { limits: { ...DEFAULT_INPUT_LIMITS, diagnosticBackgroundBytes: 1024 } });
  try {
    const home = await t.services.organisations.createHome('bench', { name: 'Bench council', kind: 'council' });
    const actor = systemActor(home.id, 'bench');
    const id: string = await t.services.diagnostics.createExercise(actor, {
      name: 'Large council',
      financialYear: '2009',
      runningCosts: '£1,200m',
      headcount: '15000',
      taxonomyVersionId: DEFAULT_TAXONOMY_ID,
    });
    // The council's sheets as stored, written straight (set-up, not measured).
    await createDiagnosticRepository(t.db).replaceData(home.id, id, generateCouncil({ posts }));
    const result = await measured(async () => {
      const queued = await t.services.diagnostics.upload(actor, id, {
        file: { filename: `${sheet}.csv`, data },
        sheet,
      });
      if (!('jobId' in queued)) throw new Error('the upload was not queued');
      if (!(await t.services.jobs.queue.runOne(buildJobHandlers(t.services)))) throw new Error('no job ran');
      const { job } = await t.services.jobs.get(actor, queued.jobId);
      if (job.status !== 'done') throw new Error(`the upload job ${job.status}: ${job.error}`);
    });
    const counts = await t.services.diagnostics.countData(actor, id);
    if (counts.posts !== posts) throw new Error(`${counts.posts} posts after the upload`);
    return result;
  } finally {
    await t.close();
  }
}

function round(
  engine: Engine,
  kind: Kind,
  tree: string,
  file: string,
  posts: number,
  sheet: Sheet,
): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const c = spawn(
      process.execPath,
      [
        '--expose-gc',
        import.meta.filename,
        ...[
          '--child',
          engine,
          '--kind',
          kind,
          '--tree',
          tree,
          '--file',
          file,
          '--posts',
          String(posts),
          '--sheet',
          sheet,
        ],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`the ${kind} round failed (status ${code}): ${out}`));
      else resolvePromise(JSON.parse(line) as ChildResult);
    });
  });
}

if (values.child) {
  const result = await child(
    values.child as Engine,
    values.kind as Kind,
    values.tree!,
    values.file!,
    Number(values.posts),
    values.sheet as Sheet,
  );
  console.log(JSON.stringify(result));
  process.exit(0);
}

const engine = values.engine as Engine;
const rounds = Number(values.rounds);
const posts = Number(values.posts);
const sheet = values.sheet as Sheet;
if (sheet !== 'posts' && sheet !== 'allocations') throw new Error('--sheet is posts or allocations');
const here = resolve(import.meta.dirname, '..');
const dir = join(tmpdir(), `amber-diagnostic-csv-${process.pid}`);
const guard = deadline(Number(values.deadline), 'The diagnostic CSV benchmark', async () =>
  rmSync(dir, { recursive: true, force: true }),
);
mkdirSync(dir, { recursive: true });
// A tree of files (--before-tree) stands for uncommitted work: this checkout with only one change
// taken out, when others' changes share the working tree.
const before = values['before-tree'] ? resolve(values['before-tree']) : join(dir, 'before');
if (!values['before-tree']) {
  mkdirSync(before);
  execFileSync(
    'sh',
    [
      '-c',
      `git -C "$1" archive "$2" src migrations test/helpers test/builders package.json tsconfig.json | tar -x -C "$3"`,
      'sh',
      here,
      values['before-ref'],
      before,
    ],
    { stdio: 'inherit' },
  );
  symlinkSync(join(here, 'node_modules'), join(before, 'node_modules'));
}
const file = join(dir, `${sheet}.csv`);
writeFileSync(file, sheetCsv(DEFAULT_TAXONOMY, generateCouncil({ posts }), CSV_FILES[sheet]!));
const size = readFileSync(file).length;
console.error(`${CSV_FILES[sheet]} sheet of ${posts} posts as CSV: ${fmt(size / 2 ** 20)} MB`);

const kinds = ['read', 'upload'] as const;
const results: Record<string, ChildResult[]> = {};
const push = (key: string, r: ChildResult) => (results[key] ??= []).push(r);
try {
  for (let r = 1; r <= rounds; r++) {
    push('floor', await round(engine, 'floor', here, file, posts, sheet));
    for (const kind of kinds) {
      // Alternating which tree goes first, so a noisy spell falls on both.
      const order = r % 2 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const which of order) {
        const x = await round(engine, kind, which === 'before' ? before : here, file, posts, sheet);
        push(`${kind}-${which}`, x);
        console.error(
          `  round ${r} ${kind} ${which}: ${fmt(x.seconds)} s, peak RSS +${fmt(x.peakAboveMb)} MB (from ${fmt(x.rssBeforeMb)}), peak heap +${fmt(x.heapAboveMb)} MB, process maxRSS ${fmt(x.processPeakRssMb)} MB`,
        );
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
guard.disarm();

const machine = describeMachine();
const cell = (xs: number[]) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
const ratio = (key: string, f: (r: ChildResult) => number) =>
  cell(results[`${key}-after`]!.map((a, i) => f(a) / f(results[`${key}-before`]![i]!)));
console.log(
  `\nDiagnostic CSV upload — ${machine.cpus} × ${machine.cpuModel}, ${machine.memory}, Node ${machine.node}, ${machine.when}`,
);
console.log(
  `${CSV_FILES[sheet]} sheet of ${posts.toLocaleString('en-GB')} posts as CSV (${fmt(size / 2 ** 20)} MB), ${engine === 'pglite' ? 'PGlite' : 'PostgreSQL'}; median (min–max) of ${rounds} rounds, each a child process; before = ${values['before-tree'] ?? values['before-ref']}\n`,
);
console.log(
  '| Measure | Before (s) | After (s) | After ÷ before, time | Before, peak RSS + (MB) | After, peak RSS + (MB) | After ÷ before, RSS | Before, peak heap + (MB) | After, peak heap + (MB) | After ÷ before, heap | Before, process maxRSS (MB) | After, process maxRSS (MB) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const kind of kinds) {
  const b = results[`${kind}-before`]!;
  const a = results[`${kind}-after`]!;
  console.log(
    `| ${kind === 'read' ? 'Read the sheet alone' : 'Upload, request + job'} | ${cell(b.map((x) => x.seconds))} | ${cell(a.map((x) => x.seconds))} | ${ratio(kind, (x) => x.seconds)} | ${cell(b.map((x) => x.peakAboveMb))} | ${cell(a.map((x) => x.peakAboveMb))} | ${ratio(kind, (x) => Math.max(1, x.peakAboveMb))} | ${cell(b.map((x) => x.heapAboveMb))} | ${cell(a.map((x) => x.heapAboveMb))} | ${ratio(kind, (x) => Math.max(1, x.heapAboveMb))} | ${cell(b.map((x) => x.processPeakRssMb))} | ${cell(a.map((x) => x.processPeakRssMb))} |`,
  );
}
const floor = results.floor!;
console.log(
  `\nFloor (the bytes decoded and split into lines, in a child of its own): ${cell(floor.map((x) => x.seconds * 1000))} ms, peak RSS +${cell(floor.map((x) => x.peakAboveMb))} MB; read after ÷ floor, time: ${cell(results['read-after']!.map((a, i) => a.seconds / floor[i]!.seconds))}`,
);
