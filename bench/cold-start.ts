// How long a newcomer waits for the first page (issue 14, "Cold start on a fresh folder to the
// first page: under 5 s"): `node bin/amber.js serve` as the README's first command runs it (the
// embedded PGlite, the demo loaded on the first start, development mode), on a fresh temporary
// data folder, timed from the spawn to
//   - the first 200 of the sign-in page (polled every 25 ms on a free loopback port), then
//   - the first 200 of a signed-in page: the README's VfM-4d report, after signing in over HTTP
//     as the demo's administrator (the sign-in form's CSRF cookie and field, as a browser does);
// then stopped with SIGTERM (by its PID) and started again on the same folder: the restart.
// Wall time, and the server process's CPU time (user + system, all its threads, from
// /proc/PID/stat) at each of those moments. The server's own start-up phases (database open,
// migrations check, demo, app build, listen) come from its LOG_LEVEL=debug lines.
//
// Baselines in the same run, so the figures read as ratios on a shared, busy machine:
//   - `node -e ""` (Node's own start and exit);
//   - a bare Fastify in its own Node, listening on a free port and answering one GET.
// Every round runs each target once, in an order reversed every other round; medians and min–max
// over rounds. Before the first round, one unmeasured start fills Node's compile cache (as any
// second start of Amber finds it) and `bin/build-template.ts` runs as `npm install` does.
//
// --before-tree DIR runs the same cold start and restart from another checkout too (e.g. the last
// commit unpacked with `git archive HEAD | tar -x -C DIR` and this node_modules linked in), in the
// same rounds, for a before/after in one run.
//
//   node bench/cold-start.ts [--runs 5] [--before-tree DIR] [--deadline 900]

import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deadline, describeMachine, fmt, isMain, median } from './support.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
/** The signed-in page the README opens first. */
const REPORT = '/priorities/VfM-4d/reports/2009-10-h1';
const ACCOUNT = { email: 'admin@demo.amber.example', password: 'amber-demo-admin' };
/** Clock ticks a second in /proc/PID/stat (`getconf CLK_TCK`; 100 on Linux). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ColdStartOptions {
  runs: number;
  beforeTree?: string | undefined;
  deadlineSeconds: number;
}

/** One start of one target: seconds since the spawn, and the process's CPU seconds then. */
export interface StartSample {
  firstPage: number;
  firstPageCpu: number;
  signedIn?: number;
  signedInCpu?: number;
  /** The server's own phases (LOG_LEVEL=debug), in seconds. */
  phases: Record<string, number>;
}

export interface ColdStartResult {
  machine: ReturnType<typeof describeMachine>;
  options: ColdStartOptions;
  /** Target name → one sample per round. */
  samples: Record<string, StartSample[]>;
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are the 14th and 15th fields of the whole line: 12th and 13th after `comm`.
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const running = new Set<ChildProcess>();
const folders = new Set<string>();

/** Polls `url` until it answers 200 (a refused connection means "not yet"); fails if the process ends. */
async function firstOk(url: string, child: ChildProcess, output: () => string, init?: RequestInit): Promise<Response> {
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the process ended (${child.exitCode ?? child.signalCode}) before ${url} answered:\n${output()}`);
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
      if (response.status === 200) return response;
      await response.arrayBuffer();
      throw new Error(`${url} answered ${response.status}`);
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNREFUSED') throw error;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function cookiesOf(response: Response): string[] {
  return response.headers.getSetCookie().map((c) => c.split(';')[0]!);
}

/** Signs in over HTTP as a browser does and fetches the report: its 200, and when. */
async function signedInPage(base: string, form: Response): Promise<void> {
  const pre = cookiesOf(form);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1];
  if (!token) throw new Error('the sign-in page has no _csrf field');
  const posted = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre.join('; ') },
    body: new URLSearchParams({ _csrf: token, ...ACCOUNT }),
  });
  await posted.arrayBuffer();
  if (posted.status !== 303) throw new Error(`POST /sign-in answered ${posted.status}, not 303`);
  const session = cookiesOf(posted);
  const cookie = [...pre.filter((c) => !session.some((s) => s.split('=')[0] === c.split('=')[0])), ...session];
  const page = await fetch(base + REPORT, { headers: { cookie: cookie.join('; ') }, redirect: 'manual' });
  const html = await page.text();
  if (page.status !== 200 || !html.includes('VfM-4d'))
    throw new Error(`GET ${REPORT} signed in answered ${page.status}${page.status === 200 ? ' without VfM-4d' : ''}`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const forced = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', () => {
      clearTimeout(forced);
      running.delete(child);
      done();
    });
    child.kill('SIGTERM');
  });
}

function spawnTracked(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.once('exit', () => running.delete(child));
  return { child, output: () => out };
}

/** The environment of the README's `npm start`: no server database, the defaults otherwise. */
function amberEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, AMBER_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'debug' };
  for (const name of [
    'DATABASE_URL',
    'NODE_ENV',
    'AMBER_DEMO',
    'HOST',
    'AMBER_BACKUP_DIR',
    'NODE_DISABLE_COMPILE_CACHE',
  ])
    delete env[name];
  return env;
}

function phasesOf(output: string): Record<string, number> {
  const phases: Record<string, number> = {};
  for (const m of output.matchAll(/^Start-up: (.+) took (\d+) ms/gm)) phases[m[1]!] = Number(m[2]) / 1000;
  return phases;
}

/** `amber serve` on `dataDir` (fresh, or kept from the last start) from `tree`: to the sign-in page, then the signed-in report. */
async function amberStart(tree: string, dataDir: string): Promise<StartSample> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const { child, output } = spawnTracked(['bin/amber.js', 'serve'], amberEnv(dataDir, port), tree);
  try {
    const form = await firstOk(`${base}/sign-in`, child, output);
    const firstPage = (performance.now() - started) / 1000;
    const firstPageCpu = cpuSecondsOf(child.pid!);
    await signedInPage(base, form);
    const signedIn = (performance.now() - started) / 1000;
    const signedInCpu = cpuSecondsOf(child.pid!);
    return { firstPage, firstPageCpu, signedIn, signedInCpu, phases: phasesOf(output()) };
  } finally {
    await stop(child);
  }
}

const BARE_FASTIFY = `
import Fastify from 'fastify';
const app = Fastify();
app.get('/', async () => 'hello');
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => app.close());
`;

async function bareFastify(): Promise<StartSample> {
  const port = await freePort();
  const started = performance.now();
  const { child, output } = spawnTracked(
    ['--input-type=module', '-e', BARE_FASTIFY],
    { ...process.env, PORT: String(port) },
    ROOT,
  );
  try {
    await (await firstOk(`http://127.0.0.1:${port}/`, child, output)).arrayBuffer();
    return { firstPage: (performance.now() - started) / 1000, firstPageCpu: cpuSecondsOf(child.pid!), phases: {} };
  } finally {
    await stop(child);
  }
}

async function nodeNothing(): Promise<StartSample> {
  const started = performance.now();
  const { child, output } = spawnTracked(
    ['-e', 'process.on("exit", () => { const u = process.cpuUsage(); console.log((u.user + u.system) / 1e6); })'],
    process.env,
    ROOT,
  );
  await new Promise((done) => child.once('exit', done));
  return { firstPage: (performance.now() - started) / 1000, firstPageCpu: Number(output().trim()), phases: {} };
}

/** Makes the database templates as `npm install` does (bin/build-template.ts), in `tree`. */
function buildTemplates(tree: string): void {
  execFileSync(process.execPath, ['bin/build-template.ts'], { cwd: tree, stdio: 'inherit', timeout: 600_000 });
}

export async function runColdStart(options: ColdStartOptions): Promise<ColdStartResult> {
  const samples: Record<string, StartSample[]> = {};
  const trees: [string, string][] = [['this tree', ROOT]];
  if (options.beforeTree) trees.push(['before', resolve(options.beforeTree)]);
  const guard = deadline(options.deadlineSeconds, 'bench/cold-start.ts', async () => {
    await Promise.all([...running].map(stop));
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });
  try {
    for (const [, tree] of trees) {
      buildTemplates(tree);
      // One unmeasured start fills Node's compile cache for this tree's files.
      const warm = mkdtempSync(join(tmpdir(), 'amber-cold-start-'));
      folders.add(warm);
      await amberStart(tree, join(warm, 'data'));
    }
    const targets: [string, () => Promise<StartSample[]>][] = [
      ['node -e ""', async () => [await nodeNothing()]],
      ['bare Fastify, first 200', async () => [await bareFastify()]],
      ...trees.map(
        ([name, tree]) =>
          [
            name,
            async () => {
              const dir = mkdtempSync(join(tmpdir(), 'amber-cold-start-'));
              folders.add(dir);
              try {
                // Unmeasured: a template made stale by an edit meanwhile is made again, as `npm install` would.
                buildTemplates(tree);
                const cold = await amberStart(tree, join(dir, 'data'));
                const restart = await amberStart(tree, join(dir, 'data'));
                return [cold, restart];
              } finally {
                rmSync(dir, { recursive: true, force: true });
                folders.delete(dir);
              }
            },
          ] as [string, () => Promise<StartSample[]>],
      ),
    ];
    for (let round = 0; round < options.runs; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const [name, run] of order) {
        const [first, second] = await run();
        // A first start that still loaded the demo (its template went stale between the build
        // and the start: an edit to src/ in between) is kept apart, never mixed in.
        const label = first!.phases['loading the demo'] === undefined ? 'first start' : 'first start, demo loaded';
        (samples[second ? `${name}: ${label}` : name] ??= []).push(first!);
        if (second) (samples[`${name}: restart`] ??= []).push(second);
      }
      console.error(`round ${round + 1} of ${options.runs} done`);
    }
  } finally {
    guard.disarm();
    await Promise.all([...running].map(stop));
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  }
  return { machine: describeMachine(), options, samples };
}

const spread = (values: number[]) => `${fmt(median(values))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;

export function coldStartTable(result: ColdStartResult): string {
  const bare = median(result.samples['bare Fastify, first 200']!.map((s) => s.firstPage));
  const bareCpu = median(result.samples['bare Fastify, first 200']!.map((s) => s.firstPageCpu));
  const lines = [
    `${result.options.runs} rounds; medians (min–max), seconds; ratios of the medians to the bare Fastify's.`,
    '',
    '| Start | First page, wall | CPU | Signed-in page, wall | CPU | Wall ÷ bare Fastify | CPU ÷ bare |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, samples] of Object.entries(result.samples)) {
    const signed = samples.filter((s) => s.signedIn !== undefined);
    lines.push(
      `| ${name} | ${spread(samples.map((s) => s.firstPage))} | ${spread(samples.map((s) => s.firstPageCpu))} | ${
        signed.length ? spread(signed.map((s) => s.signedIn!)) : '—'
      } | ${signed.length ? spread(signed.map((s) => s.signedInCpu!)) : '—'} | ${fmt(
        median(samples.map((s) => s.firstPage)) / bare,
      )} | ${fmt(median(samples.map((s) => s.firstPageCpu)) / bareCpu)} |`,
    );
  }
  const phased = Object.entries(result.samples).filter(([, s]) => Object.keys(s[0]?.phases ?? {}).length > 0);
  if (phased.length > 0) {
    const names = [...new Set(phased.flatMap(([, s]) => s.flatMap((x) => Object.keys(x.phases))))];
    lines.push('', `| Phase (server's log, wall) | ${phased.map(([n]) => n).join(' | ')} |`);
    lines.push(`| --- |${phased.map(() => ' --- |').join('')}`);
    for (const phase of names)
      lines.push(
        `| ${phase} | ${phased
          .map(([, s]) => {
            const v = s.map((x) => x.phases[phase]).filter((x): x is number => x !== undefined);
            return v.length ? spread(v) : '—';
          })
          .join(' | ')} |`,
      );
  }
  return lines.join('\n');
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      runs: { type: 'string', default: '5' },
      'before-tree': { type: 'string' },
      deadline: { type: 'string', default: '1800' },
    },
  });
  const runs = Number(values.runs);
  const deadlineSeconds = Number(values.deadline);
  if (!Number.isInteger(runs) || runs < 1 || runs > 50)
    throw new Error(`--runs must be a whole number from 1 to 50, not "${values.runs}"`);
  if (!Number.isFinite(deadlineSeconds) || deadlineSeconds < 30)
    throw new Error(`--deadline must be a number of seconds, at least 30, not "${values.deadline}"`);
  const result = await runColdStart({ runs, beforeTree: values['before-tree'], deadlineSeconds });
  console.log(coldStartTable(result));
  console.log(`\n${JSON.stringify(result.machine)}`);
}
