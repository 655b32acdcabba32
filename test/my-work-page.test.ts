// "My work" (issue 3), on both engines: a person's reports to write, reports to sign off and
// milestones due, overdue first, from the service and from the page.

import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { describeOnEachEngine, ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { htmlText, hasDataQa } from './helpers/html.ts';
import { insertOrganisation, insertPerson, insertTheme } from './builders/index.ts';
import type { Services } from '../src/composition.ts';
import type { Actor } from '../src/domain/actor.ts';
import type { Role } from '../src/domain/permissions.ts';
import { todayIso, formatDate, dateParts, isoDate, MONTHS, daysInMonth, type IsoDate } from '../src/domain/dates.ts';
import { addDays } from '../src/modules/reminders/reminder.service.ts';
import { ForbiddenError } from '../src/domain/errors.ts';
import type { DB } from '../src/schema.ts';
import { describe } from 'node:test';
import { systemActor } from '../src/domain/actor.ts';

// Dates relative to today: the page shows today's work.
const TODAY = todayIso();
const DUE = addDays(TODAY, -5);
const { year: ty, month: tm } = dateParts(TODAY);
const lastMonthEnd = addDays(isoDate(ty, tm, 1), -1);
const lm = dateParts(lastMonthEnd);
const LAST_MONTH = `${MONTHS[lm.month - 1]!.slice(0, 3)} ${lm.year}`;
const ukDay = (d: IsoDate) => {
  const p = dateParts(d);
  return `${p.day}/${p.month}/${p.year}`;
};
const SOON = addDays(TODAY, 26);
const LATER = addDays(TODAY, 150);
void daysInMonth;

/**
 * Olive is accountable officer of A (no report for 2009/10 H2, due 5 days ago: overdue),
 * B (H2 draft returned by Dan with a comment), C (H2 submitted), E (H2 published) and F (a draft
 * for Q4, which has no due date). Dan is accountable director of all, and of D, whose H2 report
 * Rita (its officer) has approved. Cora is named on B's action, with milestones overdue, due
 * soon, due later and met.
 */
async function buildWorld(services: Services, db: Kysely<DB>, actor: Actor) {
  await services.periods.create(actor, { key: '2009-10-h2', dueOn: DUE });
  await services.periods.create(actor, { key: '2009-10-q4' });
  const theme = await insertTheme(services, actor);
  const olive = await insertPerson(services, actor, { name: 'Olive Officer', email: 'olive@example.gov.uk' });
  const dan = await insertPerson(services, actor, { name: 'Dan Director' });
  const rita = await insertPerson(services, actor, { name: 'Rita Other' });
  const cora = await insertPerson(services, actor, { name: 'Cora Contributor' });
  const priority = (code: string, officer: string) =>
    services.plans.createPriority(actor, {
      themeId: theme.id,
      code,
      title: `Priority ${code}`,
      accountableOfficerId: officer,
      accountableDirectorId: dan.id,
    });
  const report = async (
    code: string,
    period: string,
    state: 'draft' | 'submitted' | 'officer_approved' | 'published',
  ) => {
    const { report: r } = await services.reports.create(actor, code, { period });
    return {
      id: r.id,
      setState: () => db.updateTable('progress_report').set({ state }).where('id', '=', r.id).execute(),
    };
  };
  for (const code of ['MW-A', 'MW-B', 'MW-C', 'MW-E', 'MW-F']) await priority(code, olive.id);
  await priority('MW-D', rita.id);
  const b = await report('MW-B', '2009-10-h2', 'draft');
  await services.reports.addAction(actor, 'MW-B', '2009-10-h2', {
    description: 'Agree the shared service',
    contributors: [`person:${cora.id}`],
    milestones: [
      { description: 'Draft the business case', timescale: LAST_MONTH },
      { description: 'Cabinet decision', timescale: ukDay(SOON) },
      { description: 'Go live', timescale: ukDay(LATER) },
      { description: 'Scope agreed', timescale: LAST_MONTH },
    ],
  });
  const bundle = await services.reports.getBundle(actor, 'MW-B', '2009-10-h2');
  const met = bundle.report.actions[0]!.milestones[3]!;
  await services.reports.recordMilestoneProgress(actor, 'MW-B', '2009-10-h2', met.id, {
    progress: 'met',
    metOn: ukDay(addDays(TODAY, -1)),
  });
  await db
    .insertInto('sign_off')
    .values({
      organisation_id: actor.organisationId,
      report_id: b.id,
      role: 'accountable_director',
      person_id: dan.id,
      decision: 'returned',
      signed_on: addDays(TODAY, -1),
      comment: 'Add the savings figures.',
    })
    .execute();
  for (const [code, period, state] of [
    ['MW-C', '2009-10-h2', 'submitted'],
    ['MW-D', '2009-10-h2', 'officer_approved'],
    ['MW-E', '2009-10-h2', 'published'],
    ['MW-F', '2009-10-q4', 'draft'],
  ] as const) {
    await (await report(code, period, state)).setState();
  }
  const as = (personId: string, roles: Role[]): Actor => ({
    kind: 'user' as const,
    organisationId: actor.organisationId,
    label: 'x@example',
    userId: randomUUID(),
    personId,
    roles,
  });
  return { olive, dan, rita, cora, as };
}

describeOnEachEngine('my work', (t) => {
  let world: Awaited<ReturnType<typeof buildWorld>>;
  before(async () => {
    const actor = await insertOrganisation(t().services);
    world = await buildWorld(t().services, t().db, actor);
  });

  it('lists the reports an accountable officer must write, overdue first, and the one to sign off', async () => {
    const work = await t().services.myWork.forActor(world.as(world.olive.id, ['accountable_officer']), TODAY);
    assert.equal(work.hasPerson, true);
    assert.deepEqual(
      work.toWrite.map((r) => [r.priorityCode, r.periodKey, r.state, r.returnedComment, r.overdue]),
      [
        ['MW-A', '2009-10-h2', null, null, true],
        ['MW-B', '2009-10-h2', 'draft', 'Add the savings figures.', true],
        ['MW-F', '2009-10-h2', null, null, true],
        ['MW-F', '2009-10-q4', 'draft', null, false],
      ],
    );
    assert.deepEqual(
      work.toSignOff.map((r) => [r.priorityCode, r.role]),
      [['MW-C', 'accountable_officer']],
    );
    assert.deepEqual(work.milestones, []);
  });

  it('lists the officer-approved report for its accountable director only', async () => {
    const work = await t().services.myWork.forActor(world.as(world.dan.id, ['accountable_director']), TODAY);
    assert.deepEqual(
      work.toSignOff.map((r) => [r.priorityCode, r.state, r.role]),
      [['MW-D', 'officer_approved', 'accountable_director']],
    );
    assert.deepEqual(work.toWrite, []);
    const rita = await t().services.myWork.forActor(world.as(world.rita.id, ['accountable_officer']), TODAY);
    assert.deepEqual(rita.toSignOff, [], 'the officer has signed D off: it waits for the director');
  });

  it("lists a contributor's milestones that are overdue or due within 30 days, overdue first", async () => {
    const work = await t().services.myWork.forActor(world.as(world.cora.id, ['contributor']), TODAY);
    assert.deepEqual(
      work.milestones.map((m) => [m.description, m.deadline, m.overdue, m.actionDescription, m.priorityCode]),
      [
        ['Draft the business case', lastMonthEnd, true, 'Agree the shared service', 'MW-B'],
        ['Cabinet decision', SOON, false, 'Agree the shared service', 'MW-B'],
      ],
    );
  });

  it('shows a viewer no unpublished work, and refuses someone with no role at all', async () => {
    const viewer = await t().services.myWork.forActor(world.as(world.cora.id, ['viewer']), TODAY);
    assert.deepEqual([viewer.hasPerson, viewer.toWrite, viewer.toSignOff, viewer.milestones], [true, [], [], []]);
    await assert.rejects(t().services.myWork.forActor(world.as(world.cora.id, []), TODAY), ForbiddenError);
  });

  it('has no work for the system or an account not linked to a person', async () => {
    const system = await t().services.myWork.forActor(
      systemActor(world.as(world.olive.id, []).organisationId, 'cli'),
      TODAY,
    );
    assert.equal(system.hasPerson, false);
    const unlinked = await t().services.myWork.forActor(
      {
        kind: 'user' as const,
        organisationId: world.as(world.olive.id, []).organisationId,
        label: 'x',
        userId: randomUUID(),
        roles: ['performance_officer'],
      },
      TODAY,
    );
    assert.equal(unlinked.hasPerson, false);
  });
});

for (const engine of ENGINES) {
  describe(`the my work page [${engine}]`, () => {
    let app: TestApp;
    let world: Awaited<ReturnType<typeof buildWorld>>;
    before(async () => {
      app = await buildTestApp(engine, { demo: false });
      const actor = await insertOrganisation(app.services);
      world = await buildWorld(app.services, app.db, actor);
    });
    after(async () => {
      await app?.close();
    });

    /** The page as a signed-in user with these roles and, optionally, this person. */
    const page = async (roles: Role[], personId?: string) => {
      const session = await app.signIn(roles, personId ? { personId } : {});
      return app.app.inject({ method: 'GET', url: '/my-work', headers: session.headers });
    };

    it('says why there is nothing to show when the signed-in user is not linked to a person', async () => {
      const res = await page(['performance_officer']);
      assert.equal(res.statusCode, 200);
      assert.ok(hasDataQa(res.body, 'no-person'));
      assert.match(htmlText(res.body), /Amber cannot tell which reports and actions are yours/);
      assert.match(res.body, /<a [^>]*href="\/my-work"/, 'the navigation links to the page');
    });

    it("shows an officer's reports with UK dates, status in words and links to act on them", async () => {
      const res = await page(['accountable_officer'], world.olive.id);
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /Reports to write \(4\)/);
      assert.ok(
        text.includes(
          `MW-A Priority MW-A 2009/10 H2 Not started Overdue Was due ${formatDate(DUE)} Start the report for MW-A 2009/10 H2`,
        ),
        text,
      );
      assert.ok(
        text.includes(
          `MW-B Priority MW-B 2009/10 H2 Returned to you Dan Director: “Add the savings figures.” Overdue Was due ${formatDate(DUE)}`,
        ),
      );
      assert.match(text, /MW-F Priority MW-F 2009\/10 Q4 Draft No due date Continue the report/);
      assert.ok(text.indexOf('MW-A Priority') < text.indexOf('MW-F Priority'), 'overdue first');
      assert.match(res.body, /href="\/priorities\/MW-A\/reports\/new"/);
      assert.match(res.body, /href="\/priorities\/MW-B\/reports\/2009-10-h2\/edit"/);
      assert.match(
        text,
        /Reports to sign off \(1\) .*MW-C Priority MW-C 2009\/10 H2 report for MW-C Submitted: waiting for your first sign-off as accountable officer/,
      );
      assert.match(res.body, /href="\/priorities\/MW-C\/reports\/2009-10-h2\/sign-off"/);
    });

    it("shows a contributor's milestones with the page to record progress", async () => {
      const res = await page(['contributor'], world.cora.id);
      const text = htmlText(res.body);
      assert.ok(
        text.includes(
          `Draft the business case MW-B 2009/10 H2 : Agree the shared service ${LAST_MONTH} Overdue Deadline was ${formatDate(lastMonthEnd)} Record progress`,
        ),
        text,
      );
      assert.ok(
        text.includes(
          `Cabinet decision MW-B 2009/10 H2 : Agree the shared service ${formatDate(SOON)} Due by ${formatDate(SOON)} Record progress`,
        ),
        text,
      );
      assert.ok(!text.includes('Go live'), 'a milestone due in 150 days is not listed');
      assert.match(text, /Milestones due \(2\)/);
      assert.match(res.body, /href="\/priorities\/MW-B\/reports\/2009-10-h2\/milestones\/[0-9a-f-]{36}\/progress"/);
      assert.match(text, /You have no reports to write\./);
    });
  });
}
