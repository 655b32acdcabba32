// What the middle-layer redesign (dc7958c: one access layer and one unit of work per request, the
// report as an aggregate) costs per request, against the app just before it (43ccc50), in one
// run: SQL statements, transactions and CPU time for the report page, the priority list and the
// accountable officer's sign-off POST, on PGlite and on the PostgreSQL server.
//
// Each tree runs in a child process of its own (bench/middle-layer-driver.ts, started with
// `node` from the tree's folder, so it uses the tree's own node_modules and code; an old tree with tsx).
// Both children stay up; short batches alternate between them (the order reversed every other
// round) so that a noisy spell on the shared machine falls on both. We quote medians over rounds
// with their min–max, and the ratio AFTER ÷ BEFORE of the medians.
//
//   node bench/middle-layer.ts [--engine pglite|postgres|both] [--rounds 5]
//     [--gets 40] [--sign-offs 10] [--warmup-gets 30] [--warmup-sign-offs 3]
//     [--before-tree DIR | --before-commit 43ccc50]
//
// Without --before-tree the BEFORE commit is checked out into a temporary git worktree with its
// own `npm ci` (removed at the end). The PostgreSQL server is TEST_DATABASE_URL, else
// DATABASE_URL, else postgres://postgres@127.0.0.1:5432; each tree gets a scratch database,
// dropped at the end.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type {
  BatchResult,
  DriverRequest,
  Engine,
  ProbeName,
  ProbeResult,
  ReadyResult,
  RequestSample,
  TargetName,
} from './middle-layer-driver.ts';
import { count } from './render.ts';
import { deadline, fmt, isMain, median } from './support.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, '..');
const DRIVER = join(here, 'middle-layer-driver.ts');

export const BEFORE_COMMIT = '43ccc50';
export type TreeName = 'before' | 'after';
const TREES: TreeName[] = ['before', 'after'];
const TARGETS: TargetName[] = ['report', 'sign-off', 'list'];

export const TARGET_LABELS: Record<TargetName, string> = {
  report: '`GET /priorities/VfM-4d/reports/2009-10-h1` (performance officer)',
  'sign-off': '`POST …/2009-10-h2/sign-off` approve (accountable officer)',
  list: '`GET /priorities` (performance officer)',
};

export interface MiddleLayerOptions {
  engines: Engine[];
  rounds: number;
  /** Measured GETs of each page per round. */
  gets: number;
  /** Measured sign-offs per round. */
  signOffs: number;
  /** Unmeasured GETs of each page, and sign-offs, before round 1. */
  warmupGets: number;
  warmupSignOffs: number;
  /** Unmeasured requests at the start of every batch (reopens a pool connection closed while idle). */
  batchWarmupGets: number;
  batchWarmupSignOffs: number;
  /** A checkout of the BEFORE commit with its own node_modules; otherwise one is made. */
  beforeTree: string | undefined;
  beforeCommit: string;
}

export const MIDDLE_LAYER_DEFAULTS: MiddleLayerOptions = {
  engines: ['pglite', 'postgres'],
  rounds: 5,
  gets: 40,
  signOffs: 10,
  warmupGets: 30,
  warmupSignOffs: 3,
  batchWarmupGets: 5,
  batchWarmupSignOffs: 1,
  beforeTree: undefined,
  beforeCommit: BEFORE_COMMIT,
};

/** A figure over rounds: the median and the range of the per-round values. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface Measure {
  engine: Engine;
  target: TargetName;
  tree: TreeName;
  /** Per request, over every measured request. */
  statements: Spread;
  begins: Spread;
  autocommit: Spread;
  /** BEGIN…COMMIT transactions plus statements sent outside one (each its own transaction). */
  transactions: Spread;
  /** The tree's own count (AFTER: units.onFinish); it must agree with the driver's. */
  unitStatements?: Spread;
  /** CPU ms per request: the per-round means, their median and range. */
  nodeCpuMs: Spread;
  backendCpuMs: Spread | null;
  totalCpuMs: Spread;
  /** Wall ms per request: the per-round medians, their median and range. */
  wallMs: Spread;
  requests: number;
  newBackends: number;
  rounds: { nodeCpuMs: number; backendCpuMs: number | null; wallMs: number; statements: number }[];
}

export interface Repeat {
  engine: Engine;
  target: ProbeName;
  tree: TreeName;
  sql: string;
  /** The parameters, the same each time. */
  params: string;
  /** How many times the same statement was sent, with the same parameters, in one request. */
  times: number;
}

/** AFTER ÷ BEFORE: of the medians, and per round (the two trees' batches of a round ran back to back). */
export interface Ratio {
  engine: Engine;
  target: TargetName;
  statements: number;
  transactions: number;
  totalCpu: number;
  nodeCpu: number;
  wall: number;
  /** The per-round ratios of CPU in all (and of wall time): their median and range. */
  totalCpuPerRound: Spread;
  wallPerRound: Spread;
}

export interface MiddleLayerResult {
  benchmark: 'middle-layer';
  options: MiddleLayerOptions;
  trees: Record<TreeName, { dir: string; revision: string; node: string; unitsCount: boolean }>;
  measures: Measure[];
  ratios: Ratio[];
  repeats: Repeat[];
  probes: (ProbeResult & { tree: TreeName })[];
  seconds: number;
}

const SERVER_URL =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** A child running the driver in `dir`; `ask` sends one message and waits for its answer. */
class Driver {
  readonly child: ChildProcess;
  private waiting: { resolve(v: unknown): void; reject(e: Error): void } | undefined;
  private exited: Error | undefined;

  readonly name: TreeName;
  readonly dir: string;
  constructor(name: TreeName, dir: string) {
    this.name = name;
    this.dir = dir;
    // A tree from before Node ran TypeScript itself needs tsx, which it installed with its own
    // node_modules; this tree's code runs as it is.
    const loader = existsSync(join(dir, 'node_modules', 'tsx')) ? ['--import', 'tsx'] : [];
    this.child = spawn(process.execPath, [...loader, DRIVER], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    // The trees' own output (there should be none) goes to stderr, away from the tables.
    this.child.stdout!.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
    this.child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(`[${name}] ${chunk.toString()}`));
    this.child.on('message', (message: { type: string; error?: string }) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (!waiting) return;
      if (message.type === 'error') waiting.reject(new Error(`${name} driver: ${message.error}`));
      else waiting.resolve(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = new Error(`the ${name} driver exited (${signal ?? `status ${code}`})`);
      this.waiting?.reject(this.exited);
      this.waiting = undefined;
    });
  }

  ask<T>(message: DriverRequest): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    if (this.waiting) return Promise.reject(new Error(`the ${this.name} driver is busy`));
    return new Promise<T>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await Promise.race([this.ask({ type: 'close' }), new Promise((r) => setTimeout(r, 30_000))]);
    } catch {
      /* killed below */
    }
    if (!this.exited) {
      const gone = new Promise((r) => this.child.once('exit', r));
      this.child.disconnect();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5_000))]);
      if (!this.exited) this.child.kill('SIGKILL');
    }
  }
}

/** The BEFORE commit in a temporary worktree with its own `npm ci`; `remove()` deletes it. */
async function checkOutBefore(commit: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const root = git(['rev-parse', '--show-toplevel'], here);
  git(['cat-file', '-e', `${commit}^{commit}`], root);
  const dir = await mkdtemp(join(tmpdir(), 'amber-before-'));
  git(['worktree', 'add', '--detach', dir, commit], root);
  const remove = async () => {
    try {
      git(['worktree', 'remove', '--force', dir], root);
    } catch {
      await rm(dir, { recursive: true, force: true });
      git(['worktree', 'prune'], root);
    }
  };
  try {
    process.stderr.write(`middle-layer: npm ci in ${dir} (commit ${commit})\n`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 600_000,
    });
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

const spread = (values: number[]): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values),
});

function summarise(engine: Engine, target: TargetName, tree: TreeName, batches: BatchResult[]): Measure {
  const samples: RequestSample[] = batches.flatMap((b) => b.samples);
  const per = (f: (s: RequestSample) => number) => spread(samples.map(f));
  const rounds = batches.map((b) => {
    const nodeCpuMs = b.nodeCpuUs / 1000 / b.n;
    const backendCpuMs = b.backendCpuNs === null ? null : b.backendCpuNs / 1e6 / b.n;
    return {
      nodeCpuMs,
      backendCpuMs,
      wallMs: median(b.samples.map((s) => s.wallMs)),
      statements: median(b.samples.map((s) => s.statements)),
    };
  });
  const backend = rounds.every((r) => r.backendCpuMs !== null) ? rounds.map((r) => r.backendCpuMs!) : null;
  return {
    engine,
    target,
    tree,
    statements: per((s) => s.statements),
    begins: per((s) => s.begins),
    autocommit: per((s) => s.autocommit),
    transactions: per((s) => s.begins + s.autocommit),
    ...(samples.every((s) => s.unitStatements !== undefined) ? { unitStatements: per((s) => s.unitStatements!) } : {}),
    nodeCpuMs: spread(rounds.map((r) => r.nodeCpuMs)),
    backendCpuMs: backend ? spread(backend) : null,
    totalCpuMs: spread(rounds.map((r) => r.nodeCpuMs + (r.backendCpuMs ?? 0))),
    wallMs: spread(rounds.map((r) => r.wallMs)),
    requests: samples.length,
    newBackends: batches.reduce((n, b) => n + b.newBackends, 0),
    rounds,
  };
}

const PROBES: ProbeName[] = [...TARGETS, 'sign-off-page'];
const PROBE_LABELS: Record<ProbeName, string> = {
  report: 'report page',
  list: 'priority list',
  'sign-off': 'sign-off POST',
  'sign-off-page': 'sign-off page (GET, not measured)',
};
const TRANSACTION_CONTROL = /^\s*(begin|commit|rollback|start transaction)/i;
/** The first table a statement names, to list repeats briefly. */
const tableOf = (sql: string) => /\b(?:from|into|update)\s+"(\w+)"/i.exec(sql)?.[1] ?? sql.slice(0, 30);

/** Statements sent more than once in one request: the same SQL with the same parameters. */
export function repeatsOf(probe: ProbeResult, tree: TreeName): Repeat[] {
  const out: Repeat[] = [];
  for (const target of PROBES) {
    const seen = new Map<string, Repeat>();
    for (const s of probe.statements[target] ?? []) {
      const sql = s.sql.replace(/\s+/g, ' ');
      if (TRANSACTION_CONTROL.test(sql)) continue;
      const key = `${sql}\u0000${s.params}`;
      const repeat = seen.get(key);
      if (repeat) repeat.times++;
      else seen.set(key, { engine: probe.engine, target, tree, sql, params: s.params, times: 1 });
    }
    out.push(...[...seen.values()].filter((r) => r.times > 1));
  }
  return out;
}

export function ratioOf(before: Measure, after: Measure): Ratio {
  const total = (r: Measure['rounds'][number]) => r.nodeCpuMs + (r.backendCpuMs ?? 0);
  return {
    engine: after.engine,
    target: after.target,
    statements: after.statements.median / before.statements.median,
    transactions: after.transactions.median / before.transactions.median,
    totalCpu: after.totalCpuMs.median / before.totalCpuMs.median,
    nodeCpu: after.nodeCpuMs.median / before.nodeCpuMs.median,
    wall: after.wallMs.median / before.wallMs.median,
    totalCpuPerRound: spread(after.rounds.map((r, i) => total(r) / total(before.rounds[i]!))),
    wallPerRound: spread(after.rounds.map((r, i) => r.wallMs / before.rounds[i]!.wallMs)),
  };
}

export async function runMiddleLayer(options: MiddleLayerOptions = MIDDLE_LAYER_DEFAULTS): Promise<MiddleLayerResult> {
  const started = performance.now();
  const drivers: Driver[] = [];
  const databases: string[] = [];
  let worktree: { dir: string; remove(): Promise<void> } | undefined;
  const close = async () => {
    await Promise.allSettled(drivers.splice(0).map((d) => d.stop()));
    if (databases.length > 0) {
      const admin = new pg.Client({ connectionString: SERVER_URL });
      await admin.connect();
      try {
        for (const name of databases.splice(0)) await admin.query(`drop database if exists ${name} with (force)`);
      } finally {
        await admin.end();
      }
    }
    const removing = worktree;
    worktree = undefined;
    await removing?.remove();
  };
  const perEngine = options.rounds * (2 * options.gets * 0.05 + options.signOffs * 0.6) + 120;
  const watchdog = deadline(
    Math.ceil(900 + options.engines.length * 2 * perEngine * 3),
    'bench/middle-layer.ts',
    close,
  );
  try {
    let beforeDir = options.beforeTree ? resolve(options.beforeTree) : undefined;
    if (!beforeDir) {
      worktree = await checkOutBefore(options.beforeCommit);
      beforeDir = worktree.dir;
    }
    const dirs: Record<TreeName, string> = { before: beforeDir, after: ROOT };
    for (const tree of TREES) {
      if (!existsSync(join(dirs[tree], 'node_modules', 'kysely')))
        throw new Error(`${dirs[tree]} has no node_modules (run npm ci there)`);
    }

    const urls: Partial<Record<TreeName, string>> = {};
    if (options.engines.includes('postgres')) {
      const admin = new pg.Client({ connectionString: SERVER_URL });
      try {
        await admin.connect();
      } catch (error) {
        throw new Error(`bench/middle-layer.ts cannot reach PostgreSQL at ${SERVER_URL}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      try {
        for (const tree of TREES) {
          const name = `amber_bench_${tree}_${process.pid}`;
          await admin.query(`create database ${name}`);
          databases.push(name);
          urls[tree] = withDatabase(SERVER_URL, name);
        }
      } finally {
        await admin.end();
      }
    }

    const trees = {} as MiddleLayerResult['trees'];
    const byTree = {} as Record<TreeName, Driver>;
    for (const tree of TREES) {
      const driver = new Driver(tree, dirs[tree]);
      drivers.push(driver);
      byTree[tree] = driver;
      process.stderr.write(`middle-layer: ${tree} (${dirs[tree]}): migrating, loading the demo, signing in\n`);
      const ready = await driver.ask<ReadyResult>({
        type: 'setup',
        engines: options.engines,
        ...(urls[tree] ? { databaseUrl: urls[tree] } : {}),
      });
      trees[tree] = {
        dir: dirs[tree],
        revision: git(['rev-parse', '--short', 'HEAD'], dirs[tree]),
        node: ready.node,
        unitsCount: ready.unitsCount,
      };
    }

    const batch = (tree: TreeName, engine: Engine, target: TargetName, n: number, warmup: number) =>
      byTree[tree].ask<BatchResult>({ type: 'batch', engine, target, n, warmup });

    process.stderr.write('middle-layer: warming up\n');
    for (const engine of options.engines)
      for (const tree of TREES) {
        await batch(tree, engine, 'list', 0, options.warmupGets);
        await batch(tree, engine, 'report', 0, options.warmupGets);
        await batch(tree, engine, 'sign-off', 0, options.warmupSignOffs);
      }

    const probes: MiddleLayerResult['probes'] = [];
    for (const engine of options.engines)
      for (const tree of TREES)
        probes.push({ ...(await byTree[tree].ask<ProbeResult>({ type: 'probe', engine })), tree });

    const results = new Map<string, BatchResult[]>();
    const key = (engine: Engine, target: TargetName, tree: TreeName) => `${engine}/${target}/${tree}`;
    for (let r = 1; r <= options.rounds; r++) {
      const order = r % 2 ? TREES : [...TREES].reverse();
      for (const engine of options.engines)
        for (const target of TARGETS)
          for (const tree of order) {
            const signOff = target === 'sign-off';
            const result = await batch(
              tree,
              engine,
              target,
              signOff ? options.signOffs : options.gets,
              signOff ? options.batchWarmupSignOffs : options.batchWarmupGets,
            );
            const k = key(engine, target, tree);
            results.set(k, [...(results.get(k) ?? []), result]);
            const cpu = (result.nodeCpuUs / 1000 + (result.backendCpuNs ?? 0) / 1e6) / result.n;
            process.stderr.write(
              `round ${r}/${options.rounds} [${engine}] ${target} ${tree}: ${fmt(median(result.samples.map((s) => s.statements)))} statements, ${fmt(cpu)} ms CPU/request\n`,
            );
          }
    }

    const measures: Measure[] = [];
    const ratios: MiddleLayerResult['ratios'] = [];
    for (const engine of options.engines)
      for (const target of TARGETS) {
        const [before, after] = TREES.map((tree) => {
          const m = summarise(engine, target, tree, results.get(key(engine, target, tree))!);
          measures.push(m);
          return m;
        }) as [Measure, Measure];
        ratios.push(ratioOf(before, after));
      }
    for (const m of measures) {
      if (m.unitStatements && m.unitStatements.median !== m.statements.median)
        process.stderr.write(
          `middle-layer: [${m.engine}] ${m.target} ${m.tree}: the tree counted ${m.unitStatements.median} statements in its units of work, the driver ${m.statements.median}\n`,
        );
    }
    return {
      benchmark: 'middle-layer',
      options,
      trees,
      measures,
      ratios,
      repeats: probes.flatMap((p) => repeatsOf(p, p.tree)),
      probes,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await close();
    watchdog.disarm();
  }
}

const range = (s: Spread, digits = fmt) =>
  s.min === s.max ? digits(s.median) : `${digits(s.median)} (${digits(s.min)}–${digits(s.max)})`;
const whole = (n: number) => String(Math.round(n * 10) / 10);

export function middleLayerTable(result: MiddleLayerResult): string {
  const o = result.options;
  const t = result.trees;
  const lines = [
    `SQL and CPU per request, BEFORE ${t.before.revision} and AFTER ${t.after.revision} (${o.rounds} alternating rounds of ${o.gets} GETs of each page and ${o.signOffs} sign-offs; statements and transactions per request: median (min–max) over all requests; CPU and wall: median (min–max) over the rounds' per-request means (CPU) or medians (wall))`,
    '',
    '| Engine | Request | Tree | Statements | Transactions (BEGIN + autocommit) | Node CPU ms | PostgreSQL backend CPU ms | CPU ms in all | Wall ms |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const m of result.measures) {
    lines.push(
      `| ${m.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${TARGET_LABELS[m.target]} | ${m.tree === 'before' ? 'BEFORE' : 'AFTER'} | ${range(m.statements, whole)} | ${range(m.transactions, whole)} (${range(m.begins, whole)} + ${range(m.autocommit, whole)}) | ${range(m.nodeCpuMs)} | ${m.backendCpuMs ? range(m.backendCpuMs) : '— (in Node)'} | ${range(m.totalCpuMs)} | ${range(m.wallMs)} |`,
    );
  }
  lines.push(
    '',
    'AFTER ÷ BEFORE: of the medians above, and the median (min–max) of the per-round ratios (in each round the two trees ran back to back)',
    '',
    '| Engine | Request | Statements | Transactions | CPU in all | CPU per round | Node CPU | Wall | Wall per round |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|',
  );
  for (const r of result.ratios)
    lines.push(
      `| ${r.engine === 'pglite' ? 'PGlite' : 'PostgreSQL'} | ${TARGET_LABELS[r.target]} | ${fmt(r.statements)} | ${fmt(r.transactions)} | ${fmt(r.totalCpu)} | ${range(r.totalCpuPerRound)} | ${fmt(r.nodeCpu)} | ${fmt(r.wall)} | ${range(r.wallPerRound)} |`,
    );
  lines.push(
    '',
    'Statements repeated within one request (the same SQL with the same parameters; one probe request of each kind, plus the sign-off page the officer reads before posting, which is not measured):',
    '',
  );
  for (const p of result.probes)
    for (const name of PROBES) {
      const data = (p.statements[name] ?? []).filter((s) => !TRANSACTION_CONTROL.test(s.sql)).length;
      const repeats = result.repeats.filter((r) => r.engine === p.engine && r.tree === p.tree && r.target === name);
      const extra = repeats.reduce((n, r) => n + r.times - 1, 0);
      const detail = repeats.map((r) => `${tableOf(r.sql)} ${r.times}×`).join(', ');
      lines.push(
        `- [${p.engine}] ${p.tree.toUpperCase()} ${PROBE_LABELS[name]}: ${data} statements${extra ? `, ${extra} of them repeats: ${detail}` : ', none repeated'}`,
      );
    }
  return lines.join('\n');
}

export function parseMiddleLayerArgs(args: string[]): MiddleLayerOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      engine: { type: 'string' },
      rounds: { type: 'string' },
      gets: { type: 'string' },
      'sign-offs': { type: 'string' },
      'warmup-gets': { type: 'string' },
      'warmup-sign-offs': { type: 'string' },
      'before-tree': { type: 'string' },
      'before-commit': { type: 'string' },
    },
  });
  const d = MIDDLE_LAYER_DEFAULTS;
  const engine = values.engine ?? 'both';
  if (engine !== 'both' && engine !== 'pglite' && engine !== 'postgres')
    throw new Error(`--engine is pglite, postgres or both, not "${engine}"`);
  return {
    ...d,
    engines: engine === 'both' ? ['pglite', 'postgres'] : [engine],
    rounds: count('--rounds', values.rounds, d.rounds, 1, 50),
    gets: count('--gets', values.gets, d.gets, 1, 2000),
    signOffs: count('--sign-offs', values['sign-offs'], d.signOffs, 1, 500),
    warmupGets: count('--warmup-gets', values['warmup-gets'], d.warmupGets, 0, 2000),
    warmupSignOffs: count('--warmup-sign-offs', values['warmup-sign-offs'], d.warmupSignOffs, 0, 500),
    beforeTree: values['before-tree'],
    beforeCommit: values['before-commit'] ?? d.beforeCommit,
  };
}

if (isMain(import.meta.url)) {
  const result = await runMiddleLayer(parseMiddleLayerArgs(process.argv.slice(2)));
  console.log(middleLayerTable(result));
  const file = join(here, 'results', 'middle-layer.json');
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nRaw results: ${file}`);
}
