// Reminders before and after a report's due date (issue 3), on both engines, delivered to a real
// SMTP server: who gets them, when, with which words and link; each exactly once, even with two
// schedulers ticking at the same moment on one database.

import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { describeOnEachEngine, jobDatabase } from './helpers/database.ts';
import { startTestSmtpServer, type TestSmtpServer } from './helpers/smtp.ts';
import { insertOrganisation, insertPerson, insertTheme } from './builders/index.ts';
import { buildServices, type Services } from '../src/composition.ts';
import { openDatabase } from '../src/platform/db/database.ts';
import { createSmtpMailer } from '../src/platform/mail/mailer.ts';
import { MAIL_JOB, mailJobHandler } from '../src/platform/mail/mail.job.ts';
import { createJobQueue } from '../src/platform/jobs/jobs.ts';
import { startReminderScheduler } from '../src/modules/reminders/reminder.scheduler.ts';
import type { IsoDate } from '../src/domain/dates.ts';
import type { DB } from '../src/schema.ts';

const PUBLIC_URL = 'https://amber.example.gov.uk';
const d = (s: string) => s as IsoDate;
let unique = 0;

/** An organisation with a period due on `dueOn` and `n` priorities whose officers have e-mail addresses. */
async function setUp(services: Services, periodKey: string, dueOn: string, n = 1) {
  const actor = await insertOrganisation(services);
  await services.periods.create(actor, { key: periodKey, dueOn });
  const theme = await insertTheme(services, actor);
  const priorities = [];
  for (let i = 0; i < n; i++) {
    const tag = `${++unique}-${Math.random().toString(36).slice(2, 8)}`;
    const officer = await insertPerson(services, actor, {
      name: `Olive Officer ${tag}`,
      email: `officer-${tag}@example.gov.uk`,
    });
    const director = await insertPerson(services, actor, {
      name: `Dan Director ${tag}`,
      email: `director-${tag}@example.gov.uk`,
    });
    const priority = await services.plans.createPriority(actor, {
      themeId: theme.id,
      code: `RM-${tag}`,
      title: `Reminder priority ${tag}`,
      accountableOfficerId: officer.id,
      accountableDirectorId: director.id,
    });
    priorities.push({ priority, officer, director });
  }
  return { actor, priorities };
}

async function setState(
  db: Kysely<DB>,
  reportId: string,
  state: 'draft' | 'submitted' | 'officer_approved' | 'published',
) {
  await db.updateTable('progress_report').set({ state }).where('id', '=', reportId).execute();
}

describeOnEachEngine('report reminders by e-mail', (t) => {
  let smtp: TestSmtpServer;
  let services: Services;
  before(async () => {
    smtp = await startTestSmtpServer();
    services = buildServices(t(), {
      mailer: createSmtpMailer({ url: smtp.url, from: 'Amber <amber@example.gov.uk>' }),
      publicUrl: PUBLIC_URL,
      log: () => {},
    });
  });
  after(async () => {
    services.mailer.close();
    await smtp.close();
  });
  /** Sends every queued e-mail (and runs any other queued job with the app's handlers). */
  const sendQueued = async () => {
    const queue = createJobQueue(jobDatabase(t()));
    const handlers = { [MAIL_JOB]: mailJobHandler(services.mailer, { retryDelaysMs: [] }) };
    while (await queue.runOne(handlers)) {
      /* next */
    }
  };
  const to = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

  it('e-mails the accountable officer 7 days before, on the day and 3 days after the due date, once each', async () => {
    const { actor, priorities } = await setUp(services, '2009-10-h1', '2009-10-22');
    const { priority, officer } = priorities[0]!;
    assert.equal(await services.reminders.tick(d('2009-10-14')), 0, 'nothing 8 days before');
    assert.equal(await services.reminders.tick(d('2009-10-15')), 1);
    assert.equal(await services.reminders.tick(d('2009-10-16')), 0, 'the due-soon reminder is not sent again');
    await sendQueued();
    const [soon] = await smtp.waitFor(1).then(() => to(officer.email!));
    assert.ok(soon);
    assert.deepEqual(soon.to, [officer.email]);
    assert.equal(soon.envelopeFrom, 'amber@example.gov.uk');
    assert.equal(soon.from, '"Amber" <amber@example.gov.uk>');
    assert.equal(soon.subject, `Progress report due on 22 October 2009: ${priority.code} 2009/10 H1`);
    assert.match(soon.text, new RegExp(`^Dear ${officer.name},`));
    assert.match(
      soon.text,
      /The 2009\/10 H1 progress report for RM-\S+ Reminder priority \S+ is due on 22 October 2009, in 7 days\./,
    );
    assert.match(soon.text, /It has not been started yet\./);
    assert.deepEqual(soon.links, [
      `${PUBLIC_URL}/o/${(await services.organisations.getOwn(actor)).slug}/priorities/${priority.code}/reports/new`,
    ]);

    assert.equal(await services.reminders.tick(d('2009-10-22')), 1);
    assert.equal(await services.reminders.tick(d('2009-10-24')), 0);
    assert.equal(await services.reminders.tick(d('2009-10-25')), 1);
    assert.equal(await services.reminders.tick(d('2009-11-01')), 0);
    await sendQueued();
    const subjects = (
      await (async () => {
        for (let i = 0; i < 50 && to(officer.email!).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
        return to(officer.email!);
      })()
    ).map((m) => m.subject);
    assert.deepEqual(subjects, [
      `Progress report due on 22 October 2009: ${priority.code} 2009/10 H1`,
      `Progress report due today: ${priority.code} 2009/10 H1`,
      `Progress report overdue: ${priority.code} 2009/10 H1`,
    ]);
    assert.match(to(officer.email!)[2]!.text, /was due on 22 October 2009 and has not been submitted yet/);
  });

  it('reminds about a draft and a returned report, with the comment, but not a submitted or published one', async () => {
    const { actor, priorities } = await setUp(services, '2010-11-h1', '2010-10-22', 4);
    const [draft, returned, submitted, published] = priorities as [
      (typeof priorities)[0],
      (typeof priorities)[0],
      (typeof priorities)[0],
      (typeof priorities)[0],
    ];
    const reportOf = async (code: string) =>
      (await services.reports.create(actor, code, { period: '2010-11-h1' })).report.id;
    await reportOf(draft.priority.code);
    const returnedId = await reportOf(returned.priority.code);
    await t()
      .db.insertInto('sign_off')
      .values({
        organisation_id: actor.organisationId,
        report_id: returnedId,
        role: 'accountable_director',
        person_id: returned.director.id,
        decision: 'returned',
        signed_on: '2010-10-20',
        comment: 'Add the savings figures.',
      })
      .execute();
    await setState(t().db, await reportOf(submitted.priority.code), 'submitted');
    await setState(t().db, await reportOf(published.priority.code), 'published');

    assert.equal(await services.reminders.tick(d('2010-10-22')), 2);
    await sendQueued();
    await smtp.waitFor(1);
    for (let i = 0; i < 50 && to(draft.officer.email!).length + to(returned.officer.email!).length < 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    const [d1] = to(draft.officer.email!);
    assert.match(d1!.text, /It is a draft: submit it for sign-off when it is ready\./);
    assert.deepEqual(d1!.links, [
      `${PUBLIC_URL}/o/${(await services.organisations.getOwn(actor)).slug}/priorities/${draft.priority.code}/reports/2010-11-h1`,
    ]);
    const [r1] = to(returned.officer.email!);
    assert.match(r1!.text, /It was returned to you with this comment:\n\n> Add the savings figures\./);
    assert.equal(to(submitted.officer.email!).length, 0);
    assert.equal(to(published.officer.email!).length, 0);
  });

  it('sends nothing for a due date more than two weeks past, or to an officer without an e-mail address', async () => {
    const { actor, priorities } = await setUp(services, '2011-12-h1', '2011-10-22');
    const { officer } = priorities[0]!;
    const noEmail = await insertPerson(services, actor, { name: 'No Email' });
    const theme = await insertTheme(services, actor);
    await services.plans.createPriority(actor, {
      themeId: theme.id,
      code: `NE-${++unique}`,
      title: 'No e-mail',
      accountableOfficerId: noEmail.id,
    });
    assert.equal(await services.reminders.tick(d('2011-11-05')), 0);
    assert.equal(await services.reminders.tick(d('2011-11-04')), 1, 'only the officer with an address');
    const rows = await t()
      .db.selectFrom('reminder_sent')
      .select(['recipient', 'kind'])
      .where('organisation_id', '=', actor.organisationId)
      .execute();
    assert.deepEqual(rows, [{ recipient: officer.email, kind: 'overdue' }]);
  });

  it('sends each reminder exactly once when two schedulers tick at the same moment on one database', async () => {
    const { priorities } = await setUp(services, '2012-13-h1', '2012-10-22', 5);
    const today = d('2012-10-15');
    // The second "instance": its own connections where the engine allows (PostgreSQL), so the
    // two ticks really run at once; PGlite is one process's database, shared by both.
    const second = t().url ? await openDatabase<DB>({ databaseUrl: t().url!, poolSize: 4 }) : undefined;
    const otherServices = second
      ? buildServices(second, { mailer: services.mailer, publicUrl: PUBLIC_URL, log: () => {} })
      : services;
    try {
      const a = startReminderScheduler({ tick: () => services.reminders.tick(today) }, { everyMs: 5, firstAfterMs: 0 });
      const b = startReminderScheduler(
        { tick: () => otherServices.reminders.tick(today) },
        { everyMs: 5, firstAfterMs: 0 },
      );
      await Promise.all([a.tickNow(), b.tickNow()]);
      for (let i = 0; i < 5; i++)
        await Promise.all([services.reminders.tick(today), otherServices.reminders.tick(today)]);
      await new Promise((r) => setTimeout(r, 50));
      await Promise.all([a.stop(), b.stop()]);
      // Two workers, one per instance, send the queued e-mails.
      const handlers = { [MAIL_JOB]: mailJobHandler(services.mailer, { retryDelaysMs: [] }) };
      const qa = createJobQueue(jobDatabase(t()), 'instance-a');
      const qb = createJobQueue(jobDatabase(second ?? t()), 'instance-b');
      await Promise.all([
        (async () => {
          while (await qa.runOne(handlers)) {
            /* next */
          }
        })(),
        (async () => {
          while (await qb.runOne(handlers)) {
            /* next */
          }
        })(),
      ]);
    } finally {
      await second?.close();
    }
    const addresses = priorities.map((p) => p.officer.email!);
    await smtp.waitFor(1);
    for (let i = 0; i < 100 && addresses.some((a) => to(a).length === 0); i++)
      await new Promise((r) => setTimeout(r, 20));
    for (const address of addresses) assert.equal(to(address).length, 1, `exactly one e-mail to ${address}`);
    const ids = priorities.map((p) => p.priority.id);
    const rows = await t()
      .db.selectFrom('reminder_sent')
      .select(['kind', 'job_id'])
      .where('priority_id', 'in', ids)
      .execute();
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => r.kind === 'due_soon' && r.job_id));
  });
});
