// Three `amber serve` processes on one PostgreSQL database, behind a load balancer (issue 14):
// real processes, started together on an empty database, on loopback ports. The balancer is a
// small round-robin proxy written below: it polls each instance's readiness check, and retries a
// request on another instance only when the connection was refused, before anything was sent
// (as HAProxy's `retry-on conn-failure` does); any other error is a failed request. Mail goes to
// an SMTP server in this file, which counts what arrives and can hold one message unanswered.
//
// Checked: migrations run once and the demo is loaded once; a session made on one instance
// works on the others; every job runs once; SIGTERM finishes the request in flight, refuses new
// connections, hands back the job in hand and exits 0; a rolling restart under load loses no
// request and no write, and reminders are queued once. Only the PIDs spawned here are killed.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql as kysely } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { SERVER_URL, openTestDatabase, type TestDatabase } from './helpers/database.ts';
import { paths } from '../src/paths.ts';
import { DEMO_ACCOUNTS } from '../src/modules/demo/demo-accounts.ts';
import { MIGRATIONS_DIR } from '../src/platform/db/migrate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/amber.js');
/** How long a stopping instance keeps serving while its readiness check says 503. */
const DRAIN_SECONDS = 2;
/** How often the balancer polls readiness: well inside the drain. */
const HEALTH_EVERY_MS = 100;
const START_TIMEOUT_MS = 180_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a new connection to the port is refused (nothing listens). */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

// ---------------------------------------------------------------------------------------------
// The instances

interface Instance {
  slot: number;
  port: number;
  child: ChildProcess;
  output: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  startedIn?: number;
}

const spawned = new Set<ChildProcess>();

function spawnInstance(slot: number, port: number, env: NodeJS.ProcessEnv): Instance {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--drain-seconds', String(DRAIN_SECONDS)],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  spawned.add(child);
  const instance: Instance = {
    slot,
    port,
    child,
    output: '',
    exit: new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        spawned.delete(child);
        resolve({ code, signal });
      }),
    ),
  };
  child.stdout.on('data', (d: Buffer) => (instance.output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (instance.output += d.toString()));
  return instance;
}

async function running(instance: Instance): Promise<Instance> {
  const started = Date.now();
  await waitUntil(
    `instance ${instance.slot} to start`,
    () => {
      if (/Amber is running at/.test(instance.output)) return true;
      if (instance.child.exitCode !== null || instance.child.signalCode !== null)
        throw new Error(`instance ${instance.slot} exited while starting:\n${instance.output}`);
      return undefined;
    },
    START_TIMEOUT_MS,
  );
  instance.startedIn = Date.now() - started;
  return instance;
}

// ---------------------------------------------------------------------------------------------
// The load balancer: round robin over the instances whose readiness check answers 200.

interface Backend {
  port: number;
  up: boolean;
  served: number;
}

function startBalancer(backends: Backend[]) {
  const stats = { requests: 0, retriedAfterRefusal: 0, failed: [] as string[] };
  let next = 0;
  const checks = setInterval(() => {
    for (const b of backends)
      http
        .get({ host: '127.0.0.1', port: b.port, path: paths.healthReady, agent: false, timeout: 1_000 }, (res) => {
          b.up = res.statusCode === 200;
          res.resume();
        })
        .on('error', () => (b.up = false))
        .on('timeout', function (this: http.ClientRequest) {
          this.destroy();
        });
  }, HEALTH_EVERY_MS);
  const pick = async () =>
    waitUntil('a ready instance', () => {
      for (let i = 0; i < backends.length; i++) {
        const b = backends[next++ % backends.length]!;
        if (b.up) return b;
      }
      return undefined;
    });
  const forward = (b: Backend, req: http.IncomingMessage, body: Buffer) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { ...req.headers, 'x-forwarded-for': '127.0.0.1' };
      for (const hop of ['connection', 'keep-alive', 'transfer-encoding']) delete headers[hop];
      if (body.length > 0) headers['content-length'] = String(body.length);
      // A new connection per request (agent: false): a refusal then means nothing was sent.
      const upstream = http.request(
        { host: '127.0.0.1', port: b.port, method: req.method, path: req.url, headers, agent: false },
        resolve,
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.requests++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let attempt = 0; ; attempt++) {
      const b = await pick();
      try {
        const answer = await forward(b, req, body);
        b.served++;
        const headers = { ...answer.headers };
        for (const hop of ['connection', 'keep-alive', 'transfer-encoding']) delete headers[hop];
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.on('error', () => stats.failed.push(`${req.method} ${req.url}: the answer was cut off`));
        return;
      } catch (error) {
        // Refused: the instance is not listening (stopped, or not yet started), so the request
        // was never sent; any instance may take it. Anything else may have reached the instance.
        if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED' && attempt < 20) {
          b.up = false;
          stats.retriedAfterRefusal++;
          continue;
        }
        stats.failed.push(`${req.method} ${req.url}: ${(error as Error).message}`);
        res.writeHead(502).end();
        return;
      }
    }
  };
  const server = http.createServer((req, res) => void handle(req, res));
  return {
    stats,
    server,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      clearInterval(checks);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// An SMTP server that counts what arrives by subject, and can leave one message unanswered.

async function startSmtp() {
  const delivered: string[] = [];
  let hold: { subject: string; held: () => void } | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const subject = parsed.subject ?? '';
          if (hold && hold.subject === subject) {
            // Never answered: the sender waits until it gives up or goes away; not delivered.
            hold.held();
            hold = undefined;
            return;
          }
          delivered.push(subject);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    delivered,
    /** The first message with this subject is held unanswered; resolves when it has arrived. */
    holdNext(subject: string): Promise<void> {
      return new Promise((resolve) => (hold = { subject, held: resolve }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Connections left open (the held one) are ended rather than waited for.
        setTimeout(resolve, 2_000).unref();
      }),
  };
}

// ---------------------------------------------------------------------------------------------

const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]!);
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

describe('several instances on one PostgreSQL server', () => {
  const database = `amber_instances_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const dbUrl = (() => {
    const u = new URL(SERVER_URL);
    u.pathname = `/${database}`;
    return u.toString();
  })();
  let admin: pg.Client | undefined;
  let sql: pg.Pool | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  let balancer: ReturnType<typeof startBalancer> | undefined;
  let base = '';
  let env: NodeJS.ProcessEnv = {};
  const instances: Instance[] = [];
  const backends: Backend[] = [];
  /** Every instance that ran, stopped ones included, for counting log lines. */
  const everyInstance: Instance[] = [];
  let session = { cookie: '', csrf: '' };
  let homeId = '';
  /** For the report (printed at the end), never asserted: milliseconds, and counts. */
  const timings: Record<string, number> = {};
  const counts: Record<string, number> = {};

  const allOutput = () => everyInstance.map((i) => i.output).join('\n');
  const count = (text: string, re: RegExp) => [...text.matchAll(new RegExp(re.source, 'g'))].length;
  const query = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await sql!.query<R>(text, values)).rows;

  const start = (slot: number) => {
    const instance = spawnInstance(slot, backends[slot]!.port, env);
    instances[slot] = instance;
    everyInstance.push(instance);
    return instance;
  };

  before(async () => {
    admin = new pg.Client({ connectionString: SERVER_URL });
    try {
      await admin.connect();
    } catch (error) {
      throw new Error(
        `The several-instances test needs a PostgreSQL server at ${SERVER_URL} (${(error as Error).message}). Start PostgreSQL (see README) or set TEST_DATABASE_URL.`,
        { cause: error },
      );
    }
    await admin.query(`create database ${database}`);
    sql = new pg.Pool({ connectionString: dbUrl, max: 3 });
    // Dropping the scratch database with force ends its idle connections: expected, not a failure.
    sql.on('error', () => undefined);
    smtp = await startSmtp();
    for (let slot = 0; slot < 3; slot++) backends.push({ port: await freePort(), up: false, served: 0 });
    balancer = startBalancer(backends);
    base = await balancer.listen();
    env = {
      ...process.env,
      DATABASE_URL: dbUrl,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      AMBER_DEMO: 'first-run',
      SMTP_URL: smtp.url,
      PUBLIC_URL: '',
    };
    // All three at the same moment, on the empty database.
    const t0 = Date.now();
    for (let slot = 0; slot < 3; slot++) start(slot);
    await Promise.all(instances.map(running));
    timings['three instances started together'] = Date.now() - t0;
  });

  after(async () => {
    // Stop what is still running (gracefully, briefly), then kill only the PIDs spawned here.
    for (const child of spawned) child.kill('SIGTERM');
    const deadline = Date.now() + 15_000;
    while (spawned.size > 0 && Date.now() < deadline) await sleep(100);
    for (const child of spawned) child.kill('SIGKILL');
    await balancer?.close();
    await smtp?.close();
    await sql?.end();
    if (admin) {
      await admin.query(`drop database if exists ${database} with (force)`).catch(() => undefined);
      await admin.end();
    }
    if (Object.keys(timings).length > 0)
      console.log(
        `several instances: ${Object.entries(timings)
          .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
          .join('; ')}; instances started in ${everyInstance
          .map((i) => ((i.startedIn ?? 0) / 1000).toFixed(1))
          .join(', ')} s; ${JSON.stringify({
          ...counts,
          ...balancer?.stats,
          failed: balancer?.stats.failed.length,
          servedBySlot: backends.map((b) => b.served),
        })}`,
      );
  });

  it('migrates once and loads the demo once when three start together on an empty database', async () => {
    const outputs = instances.map((i) => i.output);
    assert.equal(outputs.filter((o) => /Applied migrations:/.test(o)).length, 1, outputs.join('\n---\n'));
    assert.equal(count(outputs.join('\n'), /Loaded the demo organisation/), 1, outputs.join('\n---\n'));
    const shipped = readdirSync(MIGRATIONS_DIR).filter((f) => /\.ts$/.test(f)).length;
    const [migrations] = await query<{ n: number; names: number }>(
      'select count(*)::int as n, count(distinct name)::int as names from kysely_migration',
    );
    assert.deepEqual(migrations, { n: shipped, names: shipped });
    const [demo] = await query<{ organisations: number; people: number }>(
      `select (select count(*)::int from organisation where name = 'Leeds City Council') as organisations,
              (select count(*)::int from person where name = 'Lee Hemsworth') as people`,
    );
    assert.deepEqual(demo, { organisations: 1, people: 1 });
    homeId = (await query<{ id: string }>(`select id from organisation where name = 'Leeds City Council'`))[0]!.id;
  });

  it('keeps a session made through one instance on the others', async () => {
    await waitUntil('every instance to be ready at the balancer', () => backends.every((b) => b.up));
    const account = DEMO_ACCOUNTS.find((a) => a.role === 'performance_officer')!;
    const form = await fetch(`${base}${paths.signIn}`);
    const preCookies = cookiesOf(form);
    const signedIn = await fetch(`${base}${paths.signIn}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: preCookies.join('; ') },
      body: new URLSearchParams({
        email: account.email,
        password: account.password,
        _csrf: csrfOf(await form.text())!,
      }),
    });
    assert.equal(signedIn.status, 303, 'signed in through the balancer');
    const cookie = cookiesOf(signedIn).find((c) => c.startsWith('amber_session=')) ?? '';
    assert.ok(cookie, 'a session cookie');
    for (const instance of instances) {
      const page: Response = await fetch(`http://127.0.0.1:${instance.port}${paths.people.new}`, {
        headers: { cookie },
        redirect: 'manual',
      });
      assert.equal(page.status, 200, `instance ${instance.slot} knows the session`);
      const html = await page.text();
      session = { cookie, csrf: csrfOf(html)! };
      assert.ok(session.csrf, 'the form carries the session’s CSRF token');
    }
  });

  it('shows on every instance’s dashboard a change committed elsewhere, though each kept its own', async () => {
    const dashboard = async (instance: Instance) => {
      const res = await fetch(`http://127.0.0.1:${instance.port}${paths.dashboard}?period=2009-10-h1`, {
        headers: { cookie: session.cookie },
        redirect: 'manual',
      });
      assert.equal(res.status, 200, `instance ${instance.slot}`);
      return res.text();
    };
    const served = async (instance: Instance) => {
      const text = await (await fetch(`http://127.0.0.1:${instance.port}${paths.metrics}`)).text();
      return Number(/^amber_kept_lookups_total\{kept="dashboard",result="served"\} (\S+)$/m.exec(text)?.[1]);
    };
    // Each instance works the dashboard out once and serves it again from memory (ADR 0023).
    for (const instance of instances) {
      const before = await served(instance);
      await dashboard(instance);
      await dashboard(instance);
      assert.equal(await served(instance), before + 1, `instance ${instance.slot} kept it`);
    }
    // A theme renamed by another connection, as another instance would: every instance shows it.
    const [theme] = await query<{ id: string; title: string }>(
      `select id, title from theme where organisation_id = $1 order by position limit 1`,
      [homeId],
    );
    await query(`update theme set title = $1 where id = $2`, [`${theme!.title} (renamed elsewhere)`, theme!.id]);
    try {
      for (const instance of instances)
        assert.ok(
          (await dashboard(instance)).includes(`${theme!.title} (renamed elsewhere)`),
          `instance ${instance.slot}`,
        );
    } finally {
      await query(`update theme set title = $1 where id = $2`, [theme!.title, theme!.id]);
    }
  });

  it('runs every job exactly once', async () => {
    const subjects = Array.from({ length: 30 }, (_, i) => `Several instances job ${i + 1}`);
    for (const subject of subjects)
      await query(`insert into job (organisation_id, kind, input) values ($1, 'mail.send', $2)`, [
        homeId,
        JSON.stringify({ to: ['someone@example.org'], subject, text: 'Sent once.' }),
      ]);
    const t0 = Date.now();
    await waitUntil('the 30 e-mails', () => subjects.every((s) => smtp!.delivered.includes(s)));
    timings['30 jobs run'] = Date.now() - t0;
    // An e-mail arrives before its worker records the job done: wait for the records too.
    const jobs = await waitUntil('the 30 jobs recorded', async () => {
      const rows = await query<{ status: string; attempts: number }>(
        `select status, attempts from job where input->>'subject' like 'Several instances job %'`,
      );
      return rows.every((j) => j.status !== 'queued' && j.status !== 'running') ? rows : undefined;
    });
    for (const subject of subjects)
      assert.equal(smtp!.delivered.filter((s) => s === subject).length, 1, `${subject} sent once`);
    assert.equal(jobs.length, 30);
    assert.ok(
      jobs.every((j) => j.status === 'done' && j.attempts === 1),
      JSON.stringify(jobs),
    );
  });

  it('on SIGTERM finishes the request in flight, refuses new connections, hands back its job and exits 0', async () => {
    // A job in hand: its e-mail is held unanswered by the SMTP server.
    const subject = 'Several instances: held while its instance stops';
    const held = smtp!.holdNext(subject);
    const [job] = await query<{ id: string }>(
      `insert into job (organisation_id, kind, input) values ($1, 'mail.send', $2) returning id`,
      [homeId, JSON.stringify({ to: ['someone@example.org'], subject, text: 'Handed back, then sent once.' })],
    );
    await held;
    const lockedBy = (await query<{ locked_by: string }>('select locked_by from job where id = $1', [job!.id]))[0]!
      .locked_by;
    const pid = Number(lockedBy.split(':')[1]);
    const victim = instances.find((i) => i.child.pid === pid);
    assert.ok(victim, `the job is held by one of the instances (${lockedBy})`);

    // A slow request in flight on the same instance: the priorities table is locked meanwhile.
    const locker = await sql!.connect();
    let answered = false;
    let inFlight: Promise<{ status: number; body: string }>;
    try {
      await locker.query('begin');
      await locker.query('lock table priority in access exclusive mode');
      inFlight = new Promise((resolve, reject) => {
        http
          .get(
            { host: '127.0.0.1', port: victim.port, path: paths.priorities.list, headers: { cookie: session.cookie } },
            (res) => {
              let body = '';
              res.on('data', (d: Buffer) => (body += d.toString()));
              res.on('end', () => {
                answered = true;
                resolve({ status: res.statusCode ?? 0, body });
              });
            },
          )
          .on('error', reject);
      });
      await waitUntil(
        'the request to wait for the locked table',
        // Waiting for the table's lock, whichever of the request's statements reaches it first (the
        // unit of work's first, which enters the organisation and reads its shares, may).
        async () =>
          (
            await query<{ n: number }>(
              `select count(*)::int as n from pg_locks where not granted and relation = 'priority'::regclass`,
            )
          )[0]!.n > 0,
      );
      const stopped = Date.now();
      victim.child.kill('SIGTERM');
      await waitUntil('the stopping instance to refuse new connections', () => refused(victim.port), 30_000);
      timings['SIGTERM to refusing connections'] = Date.now() - stopped;
      assert.equal(answered, false, 'the request is still in flight when the listener has closed');
      await locker.query('commit');
    } finally {
      locker.release();
    }
    const answer = await inFlight!;
    assert.equal(answer.status, 200, 'the request in flight was finished');
    assert.match(answer.body, /VfM-4d/);
    const exit = await victim.exit;
    assert.deepEqual(exit, { code: 0, signal: null }, victim.output);
    assert.match(victim.output, new RegExp(`Handed back job ${job!.id} \\(mail\\.send\\)`));
    assert.match(victim.output, /Amber has stopped\./);

    // Another instance took the job at once (no lease to run out) and sent it once.
    await waitUntil('the handed-back e-mail', () => smtp!.delivered.includes(subject), 30_000);
    const [after] = await query<{ status: string; attempts: number }>(
      'select status, attempts from job where id = $1',
      [job!.id],
    );
    assert.deepEqual(after, { status: 'done', attempts: 1 }, 'its claim by the stopped instance is not counted');
    assert.equal(smtp!.delivered.filter((s) => s === subject).length, 1);
  });

  it('loses no request and no write while the instances are restarted one by one under load', async () => {
    // A due date eight days after the last e-mail reminders went out is today + 3: each new
    // instance's first reminder tick (a second after it starts) finds reminders to queue.
    await query(`update reporting_period set due_on = current_date + 3 where key = '2009-10-h2'`);
    const stopped = instances.filter((i) => i.child.exitCode !== null || i.child.signalCode !== null);
    let restarting = true;
    const results = { gets: 0, posts: 0, failures: [] as string[] };
    const written: string[] = [];
    const client = async (worker: number) => {
      for (let n = 0; (restarting || results.gets + results.posts < 300) && n < 2_000; n++) {
        if (n % 10 === 9) {
          const name = `Rolling restart person ${worker}-${n}`;
          const res = await fetch(`${base}${paths.people.list}`, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie },
            body: new URLSearchParams({ name, employerId: homeId, _csrf: session.csrf }),
          }).catch((e: Error) => e);
          results.posts++;
          if (res instanceof Error || res.status !== 303)
            results.failures.push(`POST ${name}: ${String(res instanceof Error ? res : res.status)}`);
          else written.push(name);
        } else {
          const res = await fetch(`${base}${paths.priorities.list}`, { headers: { cookie: session.cookie } }).catch(
            (e: Error) => e,
          );
          results.gets++;
          if (res instanceof Error || res.status !== 200 || !/VfM-4d/.test(await res.text()))
            results.failures.push(`GET: ${String(res instanceof Error ? res : res.status)}`);
        }
        await sleep(100);
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(client));
    const t0 = Date.now();
    try {
      // The instance stopped above comes back first; then every other one in turn.
      for (const instance of stopped) await running(start(instance.slot));
      for (const instance of instances.filter((i) => !stopped.some((s) => s.slot === i.slot))) {
        const old = instance;
        await waitUntil('every instance to be ready at the balancer', () => backends.every((b) => b.up), 30_000);
        old.child.kill('SIGTERM');
        assert.deepEqual(await old.exit, { code: 0, signal: null }, old.output);
        await running(start(old.slot));
      }
    } finally {
      restarting = false;
    }
    await load;
    timings['rolling restart of three'] = Date.now() - t0;
    counts.gets = results.gets;
    counts.posts = results.posts;
    assert.deepEqual(results.failures, [], 'every request through the balancer succeeded');
    assert.deepEqual(balancer!.stats.failed, []);
    assert.ok(results.gets + results.posts >= 300);
    const n = (
      await query<{ n: number }>(`select count(*)::int as n from person where name like 'Rolling restart person %'`)
    )[0]!.n;
    assert.equal(n, written.length, 'every write that was answered is there');
    assert.equal(written.length, results.posts, 'and every write was answered');
    for (const instance of everyInstance.slice(3))
      assert.doesNotMatch(
        instance.output,
        /Applied migrations|Loaded the demo/,
        'a restart neither migrates nor loads',
      );

    // Reminders: each queued by one instance only, each e-mail sent once.
    const reminders = await waitUntil('the reminders to be sent', async () => {
      const rows = await query<{ subject: string; status: string; attempts: number }>(
        `select j.input->>'subject' as subject, j.status, j.attempts
           from reminder_sent r join job j on j.id = r.job_id`,
      );
      return rows.length > 0 && rows.every((r) => r.status === 'done') ? rows : undefined;
    });
    assert.equal(
      [...allOutput().matchAll(/Queued (\d+) reminder e-mail/g)].reduce((sum, m) => sum + Number(m[1]), 0),
      reminders.length,
      'the instances queued as many reminders as were recorded, in all',
    );
    for (const r of reminders) {
      assert.equal(r.attempts, 1);
      assert.equal(
        smtp!.delivered.filter((s) => s === r.subject).length,
        reminders.filter((x) => x.subject === r.subject).length,
        `"${r.subject}" sent once`,
      );
    }
  });
});

// pgbouncer in transaction mode (Debian's `pgbouncer`): each transaction may run on a different
// server connection, shared with other clients. Amber keeps no state on a connection between
// transactions (its tenant role and settings are `set local`; its locks are transaction-level;
// node-postgres sends unnamed statements), except Kysely's migration lock, which is a session
// lock: the database is migrated directly, as docs/operations.md says, and the instance, finding
// nothing to migrate, never takes it.
describe('an instance through pgbouncer in transaction mode', () => {
  const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'].find((f) => existsSync(f));
  let database: TestDatabase | undefined;
  let dir: string | undefined;
  let bouncer: ChildProcess | undefined;
  let bouncerLog = '';
  let instance: Instance | undefined;
  let probe: pg.Pool | undefined;
  const server = new URL(SERVER_URL);
  const user = decodeURIComponent(server.username) || 'postgres';

  before(async () => {
    if (!binary)
      throw new Error(
        'The pgbouncer test needs pgbouncer (Debian: apt-get install pgbouncer); it is not installed, so this test cannot run.',
      );
    database = await openTestDatabase('postgres'); // migrated directly, not through the pooler
    const name = new URL(database.url!).pathname.slice(1);
    dir = mkdtempSync(join(tmpdir(), 'amber-pgbouncer-'));
    chmodSync(dir, 0o755); // pgbouncer drops root for the postgres user, which must read these
    const port = await freePort();
    const target = [
      `host=${server.hostname}`,
      `port=${server.port || 5432}`,
      `user=${user}`,
      ...(server.password ? [`password=${decodeURIComponent(server.password)}`] : []),
    ].join(' ');
    writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`, { mode: 0o644 });
    writeFileSync(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `${name} = ${target}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(dir, 'users.txt')}`,
        'pool_mode = transaction',
        // Fewer server connections than Amber's pool has: transactions must share them.
        'default_pool_size = 3',
        'max_client_conn = 100',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    const asRoot = process.getuid?.() === 0;
    bouncer = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    spawned.add(bouncer);
    bouncer.once('exit', () => spawned.delete(bouncer!));
    bouncer.stdout!.on('data', (d: Buffer) => (bouncerLog += d.toString()));
    bouncer.stderr!.on('data', (d: Buffer) => (bouncerLog += d.toString()));
    await waitUntil(
      'pgbouncer to listen',
      () => {
        if (bouncer!.exitCode !== null) throw new Error(`pgbouncer exited: ${bouncerLog}`);
        return /listening on/.test(bouncerLog) || undefined;
      },
      10_000,
    );
    const pooled = `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${name}`;
    probe = new pg.Pool({ connectionString: pooled, max: 2 });
    instance = spawnInstance(0, await freePort(), {
      ...process.env,
      DATABASE_URL: pooled,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      AMBER_DEMO: 'first-run',
      SMTP_URL: '',
      PUBLIC_URL: '',
    });
    await running(instance);
  });

  after(async () => {
    if (instance && instance.child.exitCode === null) {
      instance.child.kill('SIGTERM');
      await Promise.race([instance.exit, sleep(15_000)]);
      if (instance.child.exitCode === null) instance.child.kill('SIGKILL');
    }
    await probe?.end();
    if (bouncer && bouncer.exitCode === null) {
      bouncer.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => bouncer!.once('exit', resolve)), sleep(5_000)]);
      if (bouncer.exitCode === null) bouncer.kill('SIGKILL');
    }
    await database?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the demo, signs in, serves pages, writes and runs jobs, leaving nothing on the shared connections', async () => {
    assert.doesNotMatch(instance!.output, /Applied migrations/, 'the database was migrated directly');
    assert.match(instance!.output, /Loaded the demo organisation/);
    const at = `http://127.0.0.1:${instance!.port}`;
    const account = DEMO_ACCOUNTS.find((a) => a.role === 'performance_officer')!;
    const form = await fetch(`${at}${paths.signIn}`);
    const signedIn = await fetch(`${at}${paths.signIn}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(form).join('; ') },
      body: new URLSearchParams({
        email: account.email,
        password: account.password,
        _csrf: csrfOf(await form.text())!,
      }),
    });
    assert.equal(signedIn.status, 303);
    const cookie = cookiesOf(signedIn).find((c) => c.startsWith('amber_session=')) ?? '';
    const csrf = csrfOf(await (await fetch(`${at}${paths.people.new}`, { headers: { cookie } })).text()) ?? '';
    const home = (await database!.db.selectFrom('organisation').select('id').where('slug', '=', 'leeds').execute())[0]!
      .id;
    const plan = (await database!.db.selectFrom('plan').select('id').where('organisation_id', '=', home).execute())[0]!
      .id;
    const generation = async () =>
      // A theme is what the dashboard shows of reports: that part's number (ADR 0024).
      (
        await kysely<{ g: string }>`select coalesce(max(generation), 0)::text as g from dashboard_generation
          where organisation_id = ${home} and part = 'reports'`.execute(database!.db)
      ).rows[0]!.g;
    const generationBefore = await generation();

    // Pages and writes, many at once, while something else uses the pooler's few connections and
    // looks at what each transaction finds on its connection: never Amber's tenant role or settings.
    const pages = [
      paths.priorities.list,
      paths.dashboard,
      paths.myWork,
      paths.reports.show('VfM-4d', '2009-10-h1'),
      paths.people.list,
      paths.healthReady,
    ];
    const seen: { who: string; organisation: string | null; readOnly: string }[] = [];
    let busy = true;
    const probing = (async () => {
      while (busy) {
        const { rows } = await probe!.query<{ who: string; organisation: string | null; readOnly: string }>(
          `select current_user as who, current_setting('amber.organisation_id', true) as organisation,
                  current_setting('transaction_read_only') as "readOnly"`,
        );
        seen.push(rows[0]!);
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        if (i % 6 === 5) {
          // Half of the writes to a table the dashboard reads (a theme), half to one it does not (a person).
          const [url, fields] =
            i % 12 === 5
              ? [paths.people.list, { name: `Pooled person ${i}`, employerId: home }]
              : [paths.plans.createTheme(plan), { title: `Pooled theme ${i}` }];
          const res = await fetch(`${at}${url}`, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
            body: new URLSearchParams({ ...fields, _csrf: csrf }),
          });
          return `POST ${url} ${res.status}`;
        }
        const page = pages[i % pages.length]!;
        return `${page} ${(await fetch(`${at}${page}`, { headers: { cookie } })).status}`;
      }),
    );
    busy = false;
    await probing;
    assert.deepEqual(
      answers.filter((a) => !/ (200|303)$/.test(a)),
      [],
      'every page and write through the pooler succeeded',
    );
    const written = await database!.db
      .selectFrom('person')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', 'like', 'Pooled person %')
      .executeTakeFirstOrThrow();
    assert.equal(Number(written.n), 5);
    const themes = await database!.db
      .selectFrom('theme')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('title', 'like', 'Pooled theme %')
      .executeTakeFirstOrThrow();
    assert.equal(Number(themes.n), 5);
    // The themes moved the dashboard generation at their commits (ADR 0023's deferred trigger),
    // leaving no note of a transaction behind.
    assert.ok(BigInt(await generation()) > BigInt(generationBefore), 'the dashboard generation moved on');
    const { rows: notes } = await kysely<{ n: string }>`select count(*) as n from dashboard_change`.execute(
      database!.db,
    );
    assert.equal(Number(notes[0]!.n), 0, 'no transaction’s change is still noted');
    assert.ok(seen.length > 0);
    assert.deepEqual(
      seen.filter((s) => s.who !== user || (s.organisation ?? '') !== '' || s.readOnly !== 'off'),
      [],
      'no transaction found a tenant role, an organisation or read-only mode left on its connection',
    );

    await database!.db
      .insertInto('job')
      .values({
        organisation_id: home,
        kind: 'mail.send',
        input: JSON.stringify({ to: ['someone@example.org'], subject: 'Through pgbouncer', text: 'Once.' }),
      })
      .execute();
    await waitUntil('the job to run', () => /E-mail not sent .*"Through pgbouncer"/.test(instance!.output), 30_000);
    // The handler logs before the worker records the job done: wait for the record, not the log.
    const job = await waitUntil(
      'the job to be recorded as finished',
      async () => {
        const row = await database!.db
          .selectFrom('job')
          .select(['status', 'attempts'])
          .where(kysely`input->>'subject'`, '=', 'Through pgbouncer')
          .executeTakeFirstOrThrow();
        return row.status === 'running' || row.status === 'queued' ? undefined : row;
      },
      30_000,
    );
    assert.deepEqual(job, { status: 'done', attempts: 1 });
  });

  it('stops on SIGTERM and exits 0', async () => {
    instance!.child.kill('SIGTERM');
    assert.deepEqual(await instance!.exit, { code: 0, signal: null }, instance!.output);
    assert.match(instance!.output, /Amber has stopped\./);
  });
});
