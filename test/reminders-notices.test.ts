// E-mails of the report workflow (issue 3), on both engines, delivered to a real SMTP server:
// a submitted report to its accountable officer, an officer-approved one to its accountable
// director, a returned one to the officer with the comment, a published one to the officer.

import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeOnEachEngine, jobDatabase } from './helpers/database.ts';
import { startTestSmtpServer, type TestSmtpServer, type ReceivedMessage } from './helpers/smtp.ts';
import { insertOrganisation, insertPerson, insertTheme } from './builders/index.ts';
import { buildServices, type Services } from '../src/composition.ts';
import { createSmtpMailer } from '../src/platform/mail/mailer.ts';
import { MAIL_JOB, mailJobHandler } from '../src/platform/mail/mail.job.ts';
import { createJobQueue } from '../src/platform/jobs/jobs.ts';
import type { Actor } from '../src/domain/actor.ts';
import type { Priority } from '../src/modules/plans/plan.service.ts';
import type { ReportWorkflowEvent } from '../src/modules/reports/report.events.ts';

const PUBLIC_URL = 'http://localhost:4123';
let unique = 0;

describeOnEachEngine('report workflow e-mails', (t) => {
  let smtp: TestSmtpServer;
  let services: Services;
  const logged: string[] = [];
  before(async () => {
    smtp = await startTestSmtpServer();
    services = buildServices(t(), {
      mailer: createSmtpMailer({ url: smtp.url, from: 'amber@example.gov.uk' }),
      publicUrl: PUBLIC_URL,
      log: (l) => logged.push(l),
    });
  });
  after(async () => {
    services.mailer.close();
    await smtp.close();
  });
  const sendQueued = async () => {
    const queue = createJobQueue(jobDatabase(t()));
    while (await queue.runOne({ [MAIL_JOB]: mailJobHandler(services.mailer, { retryDelaysMs: [] }) })) {
      /* next */
    }
  };
  const to = (address: string): ReceivedMessage[] => smtp.messages.filter((m) => m.to.includes(address));

  async function setUp() {
    const actor = await insertOrganisation(services);
    await services.periods.create(actor, { key: '2009-10-h1' });
    const theme = await insertTheme(services, actor);
    const tag = `${++unique}-${Math.random().toString(36).slice(2, 8)}`;
    const officer = await insertPerson(services, actor, {
      name: 'Olive Officer',
      email: `officer-${tag}@example.gov.uk`,
    });
    const director = await insertPerson(services, actor, {
      name: 'Dan Director',
      email: `director-${tag}@example.gov.uk`,
    });
    const priority = await services.plans.createPriority(actor, {
      themeId: theme.id,
      code: `WF-${tag}`,
      title: 'Explore collaboration',
      accountableOfficerId: officer.id,
      accountableDirectorId: director.id,
    });
    const { report } = await services.reports.create(actor, priority.code, { period: '2009-10-h1' });
    const event = (comment?: string, p: Priority = priority): ReportWorkflowEvent => ({
      organisationId: actor.organisationId,
      reportId: report.id,
      priority: {
        code: p.code,
        title: p.title,
        accountableOfficer: p.accountableOfficer,
        accountableDirector: p.accountableDirector,
      },
      period: { key: '2009-10-h1', label: '2009/10 H1' },
      byLabel: 'pat@example.gov.uk',
      ...(comment ? { comment } : {}),
    });
    const setState = (state: 'draft' | 'submitted' | 'officer_approved' | 'published') =>
      t().db.updateTable('progress_report').set({ state }).where('id', '=', report.id).execute();
    // The organisation's own address: e-mailed links open in it (issue 11).
    const prefix = `/o/${(await services.organisations.getOwn(actor)).slug}`;
    return { actor, officer, director, priority, report, event, setState, prefix };
  }

  it('asks the accountable officer for the first sign-off when a report is submitted', async () => {
    const { officer, director, priority, event, setState, prefix } = await setUp();
    await setState('submitted');
    await services.reminders.events.reportSubmitted(event());
    await sendQueued();
    const [m] = to(officer.email!);
    assert.ok(m, 'the officer got an e-mail');
    assert.equal(m.subject, `Sign off the progress report: ${priority.code} 2009/10 H1`);
    assert.match(
      m.text,
      /^Dear Olive Officer,\n\npat@example\.gov\.uk submitted the 2009\/10 H1 progress report for WF-\S+ Explore collaboration for sign-off\./,
    );
    assert.match(m.text, /As accountable officer, you give the first sign-off/);
    assert.deepEqual(m.links, [`${PUBLIC_URL}${prefix}/priorities/${priority.code}/reports/2009-10-h1/sign-off`]);
    assert.equal(to(director.email!).length, 0);
  });

  it('asks the accountable director for the second sign-off once the officer has approved', async () => {
    const { officer, director, priority, event, setState, prefix } = await setUp();
    await setState('officer_approved');
    await services.reminders.events.reportOfficerApproved(event('Looks good to me.'));
    await sendQueued();
    const [m] = to(director.email!);
    assert.ok(m, 'the director got an e-mail');
    assert.equal(m.subject, `Sign off the progress report: ${priority.code} 2009/10 H1`);
    assert.match(m.text, /^Dear Dan Director,/);
    assert.match(m.text, /As accountable director, you give the second sign-off: approving it publishes it\./);
    assert.match(m.text, /> Looks good to me\./);
    assert.deepEqual(m.links, [`${PUBLIC_URL}${prefix}/priorities/${priority.code}/reports/2009-10-h1/sign-off`]);
    assert.equal(to(officer.email!).length, 0);
  });

  it('queues the notice in the unit of work of the step: a step rolled back sends nothing', async () => {
    const { officer, event } = await setUp();
    await assert.rejects(
      t().units.run(async () => {
        await services.reminders.events.reportSubmitted(event());
        throw new Error('the step failed after its notice was queued');
      }),
      /the step failed/,
    );
    await sendQueued();
    assert.equal(to(officer.email!).length, 0, 'no e-mail for a step that was rolled back');
    await t().units.run(() => services.reminders.events.reportSubmitted(event()));
    await sendQueued();
    assert.equal(to(officer.email!).length, 1, 'one e-mail for the step that committed');
  });

  it("returns the report to the officer with the approver's comment", async () => {
    const { officer, priority, event, prefix } = await setUp();
    await services.reminders.events.reportReturned(event('Add the savings figures for Q2.\nAnd the risks.'));
    await sendQueued();
    const [m] = to(officer.email!);
    assert.ok(m);
    assert.equal(m.subject, `Progress report returned to you: ${priority.code} 2009/10 H1`);
    assert.match(
      m.text,
      /pat@example\.gov\.uk returned the 2009\/10 H1 progress report for WF-\S+ Explore collaboration to you\.\n\nTheir comment:\n\n> Add the savings figures for Q2\.\n> And the risks\./,
    );
    assert.match(
      m.text,
      new RegExp(
        `Change the report and submit it again:\\nhttp://localhost:4123${prefix}/priorities/WF-\\S+/reports/2009-10-h1`,
      ),
    );
  });

  it('tells the officer their report is published', async () => {
    const { officer, priority, event, prefix } = await setUp();
    await services.reminders.events.reportPublished(event());
    await sendQueued();
    const [m] = to(officer.email!);
    assert.equal(m?.subject, `Progress report published: ${priority.code} 2009/10 H1`);
    assert.deepEqual(m.links, [`${PUBLIC_URL}${prefix}/priorities/${priority.code}/reports/2009-10-h1`]);
  });

  it('logs, and does not throw, when the person to tell has no e-mail address', async () => {
    const { actor, priority, event } = await setUp();
    const noEmail = await insertPerson(services, actor, { name: 'Nora Noemail' });
    await services.plans.updatePriority(actor, priority.code, {
      themeId: priority.themeId,
      code: priority.code,
      title: priority.title,
      accountableOfficerId: noEmail.id,
    });
    const before = logged.length;
    await services.reminders.events.reportReturned(
      event('Fix it', await services.plans.getPriority(actor, priority.code)),
    );
    assert.match(
      logged.slice(before).join('\n'),
      /no e-mail sent for WF-\S+ 2009-10-h1 \(returned\): the accountable officer Nora Noemail has no e-mail address/,
    );
  });

  it('e-mails the officer when a report is submitted through the workflow', async () => {
    const { actor, officer, priority } = await setUp();
    const olive: Actor = {
      kind: 'user' as const,
      organisationId: actor.organisationId,
      label: officer.email!,
      userId: randomUUID(),
      personId: officer.id,
      roles: ['accountable_officer'],
    };
    const saved = await services.reports.updateSections(olive, priority.code, '2009-10-h1', {
      summary: 'Going well',
      status: 'green',
      statusReason: '',
    });
    await services.reports.submit(olive, priority.code, '2009-10-h1', { version: saved.version });
    await sendQueued();
    const [m] = to(officer.email!);
    assert.ok(m, 'the officer got the sign-off e-mail');
    assert.match(
      m.text,
      new RegExp(`${officer.email!.replace(/[.]/g, '\\.')} submitted the 2009/10 H1 progress report`),
    );
  });
});
