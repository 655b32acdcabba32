// The officer's sign-off POST is one use case: one transaction of at most 15 SQL statements
// (BEGIN and COMMIT included), which writes the sign-off and queues the director's e-mail in the
// same transaction (an outbox). And when the process dies right after that commit, before
// anything else runs, the e-mail still goes: the job is in the database, and a worker (here, a
// fresh one after the "restart") sends it to a real SMTP server on loopback.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { sql } from 'kysely';
import { buildJobHandlers, buildServices } from '../src/composition.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import type { DB } from '../src/schema.ts';
import { systemActor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';
import type { UnitStats } from '../src/platform/db/unit-of-work.ts';
import { createSmtpMailer } from '../src/platform/mail/mailer.ts';
import { MAIL_JOB } from '../src/platform/mail/mail.job.ts';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { startTestSmtpServer } from './helpers/smtp.ts';

const CODE = 'VfM-4d';
const PERIOD = '2009-10-h2';

/**
 * VfM-4d's next report, written like the seed's (its four key actions and seven milestones),
 * submitted for sign-off; the accountable officer's session.
 */
async function submittedReport(t: TestApp): Promise<{ officer: TestSession; version: number }> {
  const home = await t.services.organisations.getHome();
  const system = systemActor(home.id, 'test');
  const seed = await t.services.reports.getBundle(system, CODE, '2009-10-h1');
  await t.services.reports.create(system, CODE, { period: PERIOD });
  await t.services.reports.updateSections(system, CODE, PERIOD, { summary: 'The second half-year.', status: 'green' });
  for (const action of seed.report.actions)
    await t.services.reports.addAction(system, CODE, PERIOD, {
      description: action.description,
      contributors: action.contributors.map((c) => `${c.kind}:${c.id}`),
      milestones: action.milestones.map((m) => ({ description: m.description, timescale: 'Mar 2010' })),
    });
  const officer = await t.signIn(['accountable_officer'], { personId: seed.priority.accountableOfficer!.id });
  const draft = await t.services.reports.getBundle(system, CODE, PERIOD);
  assert.equal(draft.report.actions.length, 4);
  await t.services.reports.submit(system, CODE, PERIOD, { version: draft.report.version });
  const submitted = (await t.services.reports.getBundle(system, CODE, PERIOD)).report;
  assert.equal(submitted.state, 'submitted');
  return { officer, version: submitted.version };
}

for (const engine of ENGINES) {
  describe(`the officer's sign-off as one transaction [${engine}]`, () => {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp(engine, { as: false });
    });
    after(async () => t?.close());

    it('signs off in one transaction of at most 15 statements, with the director’s e-mail queued in it', async () => {
      const { officer, version } = await submittedReport(t);
      const units: UnitStats[] = [];
      const stop = t.units.onFinish((s) => units.push(s));
      const f = form({ version: String(version), decision: 'approve', comment: '' });
      const res = await t.app.inject({
        method: 'POST',
        url: paths.reports.signOff(CODE, PERIOD),
        payload: f.payload,
        headers: { ...officer.headers, ...f.headers },
      });
      stop();
      assert.equal(res.statusCode, 303, res.body);
      assert.equal(units.length, 1, `one unit of work: ${JSON.stringify(units)}`);
      assert.equal(units[0]!.committed, true);
      assert.ok(units[0]!.statements <= 15, `${units[0]!.statements} statements`);

      // The sign-off row and the e-mail job were written by one transaction (same xmin).
      const signOff = await sql<{ xid: string }>`
        select s.xmin::text as xid from sign_off s join progress_report r on r.id = s.report_id
        join reporting_period p on p.id = r.period_id join priority pr on pr.id = r.priority_id
        where p.key = ${PERIOD} and pr.code = ${CODE} and s.decision = 'approved'`.execute(t.db);
      const mail = await sql<{ xid: string; subject: string }>`
        select xmin::text as xid, input->>'subject' as subject from job where kind = ${MAIL_JOB}
        order by created_at desc limit 1`.execute(t.db);
      assert.equal(signOff.rows.length, 1);
      assert.equal(mail.rows[0]!.xid, signOff.rows[0]!.xid, 'the e-mail was queued in the sign-off’s transaction');
      assert.match(mail.rows[0]!.subject, /sign off|signed off|approve/i);
    });
  });
}

describe('a crash between the sign-off’s commit and its e-mail [postgres]', () => {
  let t: TestApp;
  before(async () => {
    t = await buildTestApp('postgres', { as: false });
  });
  after(async () => t?.close());

  it('still sends the e-mail after the process is killed the moment the sign-off committed', async () => {
    const { officer, version } = await submittedReport(t);
    const queuedBefore = await sql<{ n: number }>`select count(*)::int as n from job where kind = ${MAIL_JOB}`.execute(
      t.db,
    );
    const child = spawn(process.execPath, ['test/helpers/sign-off-then-die.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: t.url!,
        AMBER_TEST_COOKIE: officer.headers.cookie,
        AMBER_TEST_CSRF: officer.csrfToken,
        AMBER_TEST_URL: paths.reports.signOff(CODE, PERIOD),
        AMBER_TEST_VERSION: String(version),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
    assert.equal(signal, 'SIGKILL', out);
    assert.match(out, /^committed \d+/);

    // After the "restart": the sign-off is there, and so is its e-mail, not yet sent.
    const home = await t.services.organisations.getHome();
    const report = (await t.services.reports.getBundle(systemActor(home.id, 'test'), CODE, PERIOD)).report;
    assert.equal(report.state, 'officer_approved');
    const queued = await sql<{ id: string; state: string; to: string }>`
      select id, status as state, input->>'to' as to from job where kind = ${MAIL_JOB} order by created_at`.execute(
      t.db,
    );
    assert.equal(queued.rows.length, queuedBefore.rows[0]!.n + 1);
    const job = queued.rows.at(-1)!;
    assert.equal(job.state, 'queued');

    // A worker of the restarted instance (services on the same database, sending through a real
    // SMTP server on loopback) sends it.
    const smtp = await startTestSmtpServer();
    const handle = await openDatabase<DB>({ databaseUrl: t.url!, poolSize: 2 });
    try {
      const services = buildServices(handle, {
        mailer: createSmtpMailer({ url: smtp.url, from: 'Amber <amber@test.example>' }),
      });
      const handlers = buildJobHandlers(services);
      for (let i = 0; i < 20 && (await services.jobs.queue.runOne(handlers)); i++) {
        // every queued job, the e-mail among them
      }
      const [message] = await smtp.waitFor(1, 10_000);
      assert.ok(message, 'the e-mail arrived');
      const sent = await sql<{ state: string }>`select status as state from job where id = ${job.id}`.execute(t.db);
      assert.equal(sent.rows[0]!.state, 'done');
    } finally {
      await handle.close();
      await smtp.close();
    }
  });
});
