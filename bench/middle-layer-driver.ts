// The child process of bench/middle-layer.ts: one per tree (the app before the middle-layer
// redesign, and after it). It is started with the tree's own node_modules
// (`node <this file>`, with `--import tsx` for an old tree, with the tree as working directory) and imports the tree's own
// code at run time, so each tree's code is what is measured; this file imports nothing but Node's
// built-ins, because it is read from the newer checkout and must not pull in its packages.
//
// The two trees' services differ (actors, `buildServices`, the report service's signatures), so
// every measured step goes through HTTP (`app.inject`, no socket) with a real session: each of
// the three people signs in through the sign-in form, and forms are posted with the hidden fields
// (CSRF token, version) read from the page a browser would have shown. What each tree exposes is
// used only to open the database, load the demo and build the app.
//
// Statements are counted where both trees send them: `pg.Client.prototype.query` of the tree's
// own `pg` (PGlite is reached through node-postgres as well, with `createPgConfig`), BEGIN, COMMIT
// and ROLLBACK included. A statement sent while its connection is in no transaction is its own
// (autocommit) transaction. On the PostgreSQL server, the backends' CPU time is read from
// /proc/<pid>/schedstat (nanoseconds on the CPU) for every connection that sent a statement
// (`client.processID`, from the server's BackendKeyData: no extra statement).
//
// Messages (process.send / 'message'): setup → ready; batch → batch; probe → probe; close → closed.

import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Engine = 'pglite' | 'postgres';
export type TargetName = 'list' | 'report' | 'sign-off';

export interface SetupMessage {
  type: 'setup';
  engines: Engine[];
  /** The scratch database on the PostgreSQL server this tree uses (postgres engine). */
  databaseUrl?: string;
}
export interface BatchMessage {
  type: 'batch';
  engine: Engine;
  target: TargetName;
  /** Measured requests (GET) or sign-offs. */
  n: number;
  /** Unmeasured requests or sign-offs first (a pool connection closed while idle is reopened here). */
  warmup: number;
}
export interface ProbeMessage {
  type: 'probe';
  engine: Engine;
}
export type DriverRequest = SetupMessage | BatchMessage | ProbeMessage | { type: 'close' };

/** What one measured request did. */
export interface RequestSample {
  statements: number;
  /** BEGIN (or START TRANSACTION) statements. */
  begins: number;
  /** Statements sent while the connection was in no transaction (each its own transaction). */
  autocommit: number;
  /** The tree's own count (units.onFinish), where it has one: statements and units of work that sent any. */
  unitStatements?: number;
  units?: number;
  wallMs: number;
  /** Sign-offs are measured one by one: their CPU too. */
  nodeCpuUs?: number;
  backendCpuNs?: number;
}

export interface BatchResult {
  type: 'batch';
  engine: Engine;
  target: TargetName;
  n: number;
  samples: RequestSample[];
  /** process.cpuUsage() of this process over the measured requests (user + system), µs. */
  nodeCpuUs: number;
  /** CPU of the PostgreSQL backends this process used, over the measured requests, ns; null on PGlite. */
  backendCpuNs: number | null;
  /** Backends first seen during the measured requests (a connection opened mid-batch). */
  newBackends: number;
}

/** What the probe records: the measured requests, and the sign-off page the officer reads first (not measured). */
export type ProbeName = TargetName | 'sign-off-page';

export interface ProbeResult {
  type: 'probe';
  engine: Engine;
  /** The statements of one request of each kind, in order, with their parameters. */
  statements: Record<ProbeName, { sql: string; params: string }[]>;
}

export interface ReadyResult {
  type: 'ready';
  tree: string;
  node: string;
  /** Whether the tree counts statements itself (units.onFinish). */
  unitsCount: boolean;
}

const CODE = 'VfM-4d';
const READ_PERIOD = '2009-10-h1';
/** The report the sign-off loop works on, so the report page measured stays the published seed report. */
const SIGN_OFF_PERIOD = '2009-10-h2';
const LIST = '/priorities';
const REPORT = `/priorities/${CODE}/reports/${READ_PERIOD}`;
const SIGN_OFF_REPORT = `/priorities/${CODE}/reports/${SIGN_OFF_PERIOD}`;

const tree = process.cwd();

// ---- Statement counting -----------------------------------------------------------------------

const counters = { statements: 0, begins: 0, autocommit: 0, unitStatements: 0, units: 0 };
let capture: { sql: string; params: string }[] | undefined;
const inTransaction = new WeakMap<object, boolean>();
/** Backend pids of the connections to this tree's database on the PostgreSQL server. */
const backends = new Set<number>();
let serverDatabase: string | undefined;

function countStatements(pg: { Client: { prototype: { query: (...args: unknown[]) => unknown } } }): void {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function counted(this: object, ...args: unknown[]) {
    const first = args[0] as string | { text?: string } | undefined;
    const sql = (typeof first === 'string' ? first : (first?.text ?? '')).trim();
    const head = sql.slice(0, 20).toLowerCase();
    counters.statements++;
    if (head.startsWith('begin') || head.startsWith('start transaction')) {
      counters.begins++;
      inTransaction.set(this, true);
    } else if (head.startsWith('commit') || head.startsWith('rollback')) {
      inTransaction.set(this, false);
    } else if (!inTransaction.get(this)) {
      counters.autocommit++;
    }
    const client = this as { processID?: number | null; database?: string };
    if (serverDatabase !== undefined && client.database === serverDatabase && client.processID)
      backends.add(client.processID);
    if (capture) {
      const values = Array.isArray(args[1])
        ? args[1]
        : typeof first === 'object'
          ? (first as { values?: unknown }).values
          : undefined;
      capture.push({ sql, params: JSON.stringify(values ?? []) });
    }
    return original.apply(this, args);
  };
}

/** Nanoseconds each backend has spent on a CPU (only those still running). */
function backendTimes(): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of backends) {
    try {
      times.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      backends.delete(pid); // the connection has closed
    }
  }
  return times;
}

function backendDelta(before: Map<number, number>, after: Map<number, number>): { ns: number; fresh: number } {
  let ns = 0;
  let fresh = 0;
  for (const [pid, t] of after) {
    const start = before.get(pid);
    if (start === undefined) fresh++;
    ns += t - (start ?? 0);
  }
  return { ns, fresh };
}

// ---- HTTP: cookies and forms --------------------------------------------------------------------

interface Response {
  statusCode: number;
  body: string;
  headers: Record<string, string | string[] | number | undefined>;
}
interface App {
  inject(options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string;
  }): Promise<Response>;
  close(): Promise<void>;
}

class Browser {
  readonly cookies = new Map<string, string>();
  readonly app: App;
  readonly who: string;
  constructor(app: App, who: string) {
    this.app = app;
    this.who = who;
  }

  private take(response: Response): void {
    const set = response.headers['set-cookie'];
    for (const line of set === undefined ? [] : Array.isArray(set) ? set : [String(set)]) {
      const [pair] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = decodeURIComponent(pair!.slice(i + 1).trim());
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
    return { ...(cookie ? { cookie } : {}), ...extra };
  }
  async get(url: string, status = 200): Promise<Response> {
    const response = await this.app.inject({ method: 'GET', url, headers: this.headers() });
    expectStatus(`${this.who}: GET ${url}`, response, status);
    this.take(response);
    return response;
  }
  /** A form post as the browser sends it; `expect` is in the redirect's Location. */
  async post(url: string, fields: Record<string, string>, expect: string): Promise<Response> {
    const response = await this.app.inject({
      method: 'POST',
      url,
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      payload: new URLSearchParams(fields).toString(),
    });
    expectStatus(`${this.who}: POST ${url}`, response, 303);
    const location = String(response.headers.location ?? '');
    if (!location.includes(expect))
      throw new Error(`${this.who}: POST ${url} went to ${location}, not to a page with "${expect}"`);
    this.take(response);
    return response;
  }
  /** The GET that shows a form, then the hidden fields of the form posting to `action`. */
  async form(page: string, action: string): Promise<Record<string, string>> {
    return hiddenFields((await this.get(page)).body, action, `${this.who}: ${page}`);
  }
}

function expectStatus(what: string, response: Response, status: number): void {
  if (response.statusCode !== status)
    throw new Error(`${what} answered ${response.statusCode}, not ${status}: ${response.body.slice(0, 400)}`);
}

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];

/** The hidden inputs of the page's form whose action is `action` (its path, query ignored). */
function hiddenFields(html: string, action: string, where: string): Record<string, string> {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const target = decode(attribute(match[1]!, 'action') ?? '').split('?')[0];
    if (target !== action) continue;
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input\b[^>]*>/gi)) {
      if ((attribute(input[0], 'type') ?? '').toLowerCase() !== 'hidden') continue;
      const name = attribute(input[0], 'name');
      if (name) fields[name] = decode(attribute(input[0], 'value') ?? '');
    }
    return fields;
  }
  throw new Error(`${where} has no form posting to ${action}`);
}

// ---- The tree's app -----------------------------------------------------------------------------

interface Side {
  engine: Engine;
  app: App;
  reader: Browser;
  officer: Browser;
  director: Browser;
  close(): Promise<void>;
}

const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(tree, path)).href)) as T;

const silentMailer = { send: async () => undefined, close: () => undefined, description: 'nowhere (benchmark)' };

async function openSide(engine: Engine, databaseUrl: string | undefined): Promise<Side> {
  // The two trees' APIs differ; used as both expose them.
  type Any = any;
  const { openDatabase } = await load<Any>('src/platform/db/database.ts');
  const { migrateToLatest } = await load<Any>('src/platform/db/migrate.ts');
  const { buildServices } = await load<Any>('src/composition.ts');
  const { buildApp } = await load<Any>('src/app.ts');
  const { DEMO_ACCOUNTS } = await load<Any>('src/modules/demo/demo-accounts.ts');

  if (engine === 'postgres' && !databaseUrl) throw new Error('the postgres engine needs a database URL');
  const handle = await openDatabase(engine === 'postgres' ? { databaseUrl } : { dataDir: 'memory://' });
  try {
    await migrateToLatest(handle.db);
    const options = { mailer: silentMailer, log: () => undefined };
    // After the redesign services are built on units of work; before it, on the Kysely instance.
    const services = handle.units
      ? buildServices({ db: handle.db, units: handle.units }, options)
      : buildServices(handle.db, options);
    handle.units?.onFinish((stats: { statements: number }) => {
      counters.unitStatements += stats.statements;
      if (stats.statements > 0) counters.units++;
    });
    await services.demo.load('bench');
    const app: App = await buildApp({
      config: { env: 'production', logLevel: 'silent' },
      db: handle.db,
      units: handle.units,
      services,
    });
    const signIn = async (role: string): Promise<Browser> => {
      const account = (DEMO_ACCOUNTS as { role: string; email: string; password: string }[]).find(
        (a) => a.role === role,
      )!;
      const browser = new Browser(app, `${account.email} [${engine}]`);
      const fields = await browser.form('/sign-in', '/sign-in');
      await browser.post('/sign-in', { ...fields, email: account.email, password: account.password }, '/');
      return browser;
    };
    const side: Side = {
      engine,
      app,
      reader: await signIn('performance_officer'),
      officer: await signIn('accountable_officer'),
      director: await signIn('accountable_director'),
      async close() {
        await app.close();
        await handle.close();
      },
    };
    await prepareSignOffReport(side);
    return side;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A second report of VfM-4d (2009/10 H2), written and submitted by the performance officer and
 * approved once by the accountable officer, so that each sign-off starts from the same state.
 */
async function prepareSignOffReport(side: Side): Promise<void> {
  const { reader } = side;
  const create = `/priorities/${CODE}/reports`;
  const fields = await reader.form(`${create}/new`, create);
  await reader.post(create, { ...fields, period: SIGN_OFF_PERIOD }, SIGN_OFF_REPORT);
  const edit = `${SIGN_OFF_REPORT}/edit`;
  const editFields = await reader.form(edit, edit);
  await reader.post(
    edit,
    { ...editFields, summary: 'Half-year progress for the sign-off benchmark.', status: 'green' },
    SIGN_OFF_REPORT,
  );
  await submit(side);
  await approve(side);
}

async function submit(side: Side): Promise<void> {
  const action = `${SIGN_OFF_REPORT}/submit`;
  await side.reader.post(action, await side.reader.form(SIGN_OFF_REPORT, action), 'saved=submitted');
}

/** The officer's sign-off page (outside the measurement) and the fields its form posts. */
async function signOffForm(side: Side): Promise<Record<string, string>> {
  const action = `${SIGN_OFF_REPORT}/sign-off`;
  return { ...(await side.officer.form(action, action)), decision: 'approve', comment: '' };
}

async function approve(side: Side): Promise<void> {
  await side.officer.post(`${SIGN_OFF_REPORT}/sign-off`, await signOffForm(side), 'saved=approved');
}

/** Back to "submitted": the director returns it to draft, the performance officer submits it again. */
async function reset(side: Side): Promise<void> {
  const action = `${SIGN_OFF_REPORT}/sign-off`;
  const fields = await side.director.form(action, action);
  await side.director.post(
    action,
    { ...fields, decision: 'return', comment: 'Returned by the benchmark.' },
    'saved=returned',
  );
  await submit(side);
}

// ---- Measuring ----------------------------------------------------------------------------------

const cpuNow = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const snapshot = () => ({ ...counters });

function sampleOf(
  before: ReturnType<typeof snapshot>,
  after: ReturnType<typeof snapshot>,
  wallMs: number,
  withUnits: boolean,
): RequestSample {
  return {
    statements: after.statements - before.statements,
    begins: after.begins - before.begins,
    autocommit: after.autocommit - before.autocommit,
    ...(withUnits
      ? { unitStatements: after.unitStatements - before.unitStatements, units: after.units - before.units }
      : {}),
    wallMs,
  };
}

let unitsCount = false;

async function page(side: Side, url: string): Promise<void> {
  const response = await side.reader.get(url);
  if (!response.body.includes(CODE)) throw new Error(`GET ${url} [${side.engine}] did not show ${CODE}`);
}

async function runBatch(side: Side, message: BatchMessage): Promise<BatchResult> {
  const samples: RequestSample[] = [];
  if (message.target === 'sign-off') {
    for (let i = 0; i < message.warmup; i++) {
      await reset(side);
      await approve(side);
    }
    let nodeCpuUs = 0;
    let backendCpuNs = 0;
    let newBackends = 0;
    for (let i = 0; i < message.n; i++) {
      await reset(side);
      const fields = await signOffForm(side);
      const action = `${SIGN_OFF_REPORT}/sign-off`;
      // The measured part: the officer's POST and nothing else.
      const b0 = backendTimes();
      const c0 = snapshot();
      const cpu0 = cpuNow();
      const t0 = performance.now();
      await side.officer.post(action, fields, 'saved=approved');
      const t1 = performance.now();
      const cpu1 = cpuNow();
      const c1 = snapshot();
      const b1 = backendTimes();
      const backend = backendDelta(b0, b1);
      const sample = sampleOf(c0, c1, t1 - t0, unitsCount);
      sample.nodeCpuUs = cpu1 - cpu0;
      if (side.engine === 'postgres') sample.backendCpuNs = backend.ns;
      nodeCpuUs += cpu1 - cpu0;
      backendCpuNs += backend.ns;
      newBackends += backend.fresh;
      samples.push(sample);
    }
    return {
      type: 'batch',
      engine: side.engine,
      target: message.target,
      n: message.n,
      samples,
      nodeCpuUs,
      backendCpuNs: side.engine === 'postgres' ? backendCpuNs : null,
      newBackends,
    };
  }
  const url = message.target === 'list' ? LIST : REPORT;
  for (let i = 0; i < message.warmup; i++) await page(side, url);
  const b0 = backendTimes();
  const cpu0 = cpuNow();
  for (let i = 0; i < message.n; i++) {
    const c0 = snapshot();
    const t0 = performance.now();
    await page(side, url);
    const t1 = performance.now();
    samples.push(sampleOf(c0, snapshot(), t1 - t0, unitsCount));
  }
  const cpu1 = cpuNow();
  const backend = backendDelta(b0, backendTimes());
  return {
    type: 'batch',
    engine: side.engine,
    target: message.target,
    n: message.n,
    samples,
    nodeCpuUs: cpu1 - cpu0,
    backendCpuNs: side.engine === 'postgres' ? backend.ns : null,
    newBackends: backend.fresh,
  };
}

async function probe(side: Side): Promise<ProbeResult> {
  const statements = {} as ProbeResult['statements'];
  const record = async (target: ProbeName, fn: () => Promise<void>) => {
    capture = [];
    try {
      await fn();
      statements[target] = capture;
    } finally {
      capture = undefined;
    }
  };
  await record('list', () => page(side, LIST));
  await record('report', () => page(side, REPORT));
  await reset(side);
  let fields: Record<string, string> = {};
  await record('sign-off-page', async () => {
    fields = await signOffForm(side);
  });
  await record('sign-off', async () => {
    await side.officer.post(`${SIGN_OFF_REPORT}/sign-off`, fields, 'saved=approved');
  });
  return { type: 'probe', engine: side.engine, statements };
}

// ---- The conversation with bench/middle-layer.ts -----------------------------------------------

const sides = new Map<Engine, Side>();

async function handle(message: DriverRequest): Promise<unknown> {
  switch (message.type) {
    case 'setup': {
      if (!existsSync(join(tree, 'src', 'app.ts'))) throw new Error(`${tree} is not an Amber checkout`);
      const requireFromTree = createRequire(join(tree, 'package.json'));
      countStatements(requireFromTree('pg'));
      if (message.databaseUrl) serverDatabase = new URL(message.databaseUrl).pathname.slice(1);
      for (const engine of message.engines) sides.set(engine, await openSide(engine, message.databaseUrl));
      unitsCount = [...sides.values()].length > 0 && counters.units > 0;
      return { type: 'ready', tree, node: process.version, unitsCount } satisfies ReadyResult;
    }
    case 'batch':
      return runBatch(sideOf(message.engine), message);
    case 'probe':
      return probe(sideOf(message.engine));
    case 'close': {
      const closing = [...sides.values()];
      sides.clear();
      const outcomes = await Promise.allSettled(closing.map((s) => s.close()));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
      return { type: 'closed' };
    }
  }
}

function sideOf(engine: Engine): Side {
  const side = sides.get(engine);
  if (!side) throw new Error(`this driver has no ${engine} app`);
  return side;
}

if (process.send) {
  process.on('message', (message: DriverRequest) => {
    handle(message).then(
      (result) => process.send!(result),
      (error: unknown) => process.send!({ type: 'error', error: (error as Error).stack ?? String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
