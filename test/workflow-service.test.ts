// The report workflow through the services, on both engines: draft → submitted → officer-approved
// → published, returns with a comment, who may do each step, revisions of a published report,
// what a viewer sees, the refused stale save that says who changed what, and the audit trail
// that nobody can change.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describeOnEachEngine, type TestDatabase } from './helpers/database.ts';
import { insertOrganisation, insertPerson, insertReport } from './builders/index.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../src/domain/errors.ts';
import type { UserActor } from '../src/domain/actor.ts';
import type { Role } from '../src/domain/permissions.ts';
import { ReportChangedError } from '../src/modules/reports/report.service.ts';
import { createReportService } from '../src/modules/reports/report.service.ts';
import { createReportRepository } from '../src/modules/reports/report.repository.ts';
import { inUnitsOfWork } from '../src/platform/db/unit-of-work.ts';
import { presentReport } from '../src/modules/reports/report.presenter.ts';
import type { ReportWorkflowEvent } from '../src/modules/reports/report.events.ts';

const user = (organisationId: string, label: string, roles: Role[], personId?: string): UserActor => ({
  kind: 'user',
  organisationId,
  label,
  userId: randomUUID(),
  roles,
  ...(personId ? { personId } : {}),
});

const code = (e: unknown) => (e as { code?: string }).code;
const fieldsOf = (e: unknown) => (e as ValidationError).issues.map((i) => i.field);

/** A priority with an accountable officer and director, a contributor named on action 1, and users for each. */
async function setUp(t: TestDatabase) {
  const { services } = t;
  const system = await insertOrganisation(services);
  const [officer, director, contributor, bystander] = [
    await insertPerson(services, system, { name: 'Lee Hemsworth' }),
    await insertPerson(services, system, { name: 'James Rogers' }),
    await insertPerson(services, system, { name: 'Arfan Hanif' }),
    await insertPerson(services, system, { name: 'Someone Else' }),
  ];
  const { priority, period } = await insertReport(services, system, {
    priority: { accountableOfficerId: officer.id, accountableDirectorId: director.id },
  });
  const org = system.organisationId;
  const actors = {
    system,
    officer: user(org, 'lee@example', ['accountable_officer'], officer.id),
    director: user(org, 'james@example', ['accountable_director'], director.id),
    contributor: user(org, 'arfan@example', ['contributor'], contributor.id),
    otherOfficer: user(org, 'else@example', ['accountable_officer'], bystander.id),
    viewer: user(org, 'scrutiny@example', ['viewer']),
    admin: user(org, 'admin@example', ['administrator', 'performance_officer']),
  };
  await services.reports.updateSections(actors.officer, priority.code, period, {
    summary: 'First draft.',
    status: 'green',
    achievements: 'Joined DECATS',
  });
  await services.reports.addAction(actors.officer, priority.code, period, {
    description: 'Finalise the contract',
    contributors: [`person:${contributor.id}`],
    milestones: [{ description: 'Contract agreed', timescale: 'Nov 2009' }],
  });
  await services.reports.addAction(actors.officer, priority.code, period, {
    description: 'Not Arfan’s',
    milestones: [{ description: 'Other', timescale: 'Dec 2009' }],
  });
  return { services, priority, period, people: { officer, director, contributor }, actors };
}

describeOnEachEngine('the report workflow', (t) => {
  it('takes a report from draft to published: submitted, returned with a comment, fixed, signed off by the officer then the director', async () => {
    const heard: [string, ReportWorkflowEvent][] = [];
    const { services, priority, period, people, actors } = await setUp(t());
    // The same service with a listener, as the reminders wiring gives it.
    const reports = inUnitsOfWork(
      t().units,
      createReportService({
        repo: createReportRepository(t().units.db),
        units: t().units,
        plans: services.plans,
        periods: services.periods,
        organisations: services.organisations,
        indicators: services.indicators,
        risks: services.risks,
        events: {
          reportSubmitted: (e) => {
            heard.push(['submitted', e]);
          },
          reportReturned: (e) => {
            heard.push(['returned', e]);
          },
          reportPublished: (e) => {
            heard.push(['published', e]);
          },
        },
      }),
    );
    const state = async () => (await reports.getBundle(actors.system, priority.code, period)).report;

    await reports.submit(actors.officer, priority.code, period, {});
    assert.equal((await state()).state, 'submitted');
    // Nothing changes while it waits for sign-off.
    await assert.rejects(
      reports.updateSections(actors.officer, priority.code, period, { summary: 'sneaky', status: 'green' }),
      (e) => code(e) === 'REPORT_IN_SIGN_OFF' && e instanceof ConflictError,
    );
    // The director cannot go first.
    await assert.rejects(
      reports.approve(actors.director, priority.code, period, {}),
      (e) => e instanceof ForbiddenError,
    );
    await reports.approve(actors.officer, priority.code, period, { comment: 'Happy with it' });
    assert.equal((await state()).state, 'officer_approved');

    await assert.rejects(
      reports.returnToDraft(actors.director, priority.code, period, { comment: '  ' }),
      (e) => e instanceof ValidationError && fieldsOf(e).join() === 'comment',
    );
    await reports.returnToDraft(actors.director, priority.code, period, { comment: 'Say what DECATS costs' });
    assert.equal((await state()).state, 'draft');

    await reports.updateSections(actors.officer, priority.code, period, {
      summary: 'First draft. DECATS costs £40,000.',
      status: 'green',
      achievements: 'Joined DECATS',
    });
    await reports.submit(actors.officer, priority.code, period, {});
    await reports.approve(actors.officer, priority.code, period, {});
    const step = await reports.approve(actors.director, priority.code, period, { comment: 'Approved' });
    assert.deepEqual([step.state, step.revision, step.publishedRevision], ['published', 1, 1]);
    const published = await state();

    // Each decision names the real person, their account, the role, the time; none is historical.
    assert.deepEqual(
      published.signOffs.map((s) => [s.role, s.decision, s.personId, s.userId, s.historical, s.comment]),
      [
        ['accountable_officer', 'approved', people.officer.id, actors.officer.userId, false, 'Happy with it'],
        [
          'accountable_director',
          'returned',
          people.director.id,
          actors.director.userId,
          false,
          'Say what DECATS costs',
        ],
        ['accountable_officer', 'approved', people.officer.id, actors.officer.userId, false, ''],
        ['accountable_director', 'approved', people.director.id, actors.director.userId, false, 'Approved'],
      ],
    );
    assert.ok(
      published.signOffs.every((s) => s.signedAt instanceof Date && Date.now() - s.signedAt.getTime() < 60_000),
    );

    // The published revision is stored as readers saw it.
    const revision = await reports.revisionView(actors.viewer, priority.code, period, 1);
    assert.deepEqual(revision.snapshot.report.summary, 'First draft. DECATS costs £40,000.');
    assert.equal(revision.published?.publishedBy, 'james@example');

    // The listeners heard each step once, in the step's own unit of work, with who and the comment.
    assert.deepEqual(
      heard.map(([k, e]) => [k, e.byLabel, e.comment, e.priority.code, e.period.key]),
      [
        ['submitted', 'lee@example', undefined, priority.code, period],
        ['returned', 'james@example', 'Say what DECATS costs', priority.code, period],
        ['submitted', 'lee@example', undefined, priority.code, period],
        ['published', 'james@example', 'Approved', priority.code, period],
      ],
    );

    // Every step is in the audit trail, in the same transaction as the step.
    const audit = await t()
      .db.selectFrom('audit_event')
      .select(['actor', 'before'])
      .where('entity_id', '=', published.id)
      .orderBy('id')
      .execute();
    const steps = audit.map((a) => `${a.actor}: ${(a.before as { what?: string } | null)?.what ?? 'create'}`);
    for (const s of [
      'lee@example: submitted for sign-off',
      'lee@example: approved',
      'james@example: returned to draft',
      'james@example: approved',
    ])
      assert.ok(steps.includes(s), `${s} in ${steps.join(' | ')}`);
  });

  it('refuses each step to whoever may not take it', async () => {
    const { services, priority, period, actors } = await setUp(t());
    const r = services.reports;
    const forbidden = (e: unknown) => e instanceof ForbiddenError;
    await assert.rejects(r.updateSections(actors.viewer, priority.code, period, { summary: 'x' }), forbidden);
    await assert.rejects(r.updateSections(actors.contributor, priority.code, period, { summary: 'x' }), forbidden);
    await assert.rejects(
      r.updateSections(actors.otherOfficer, priority.code, period, { summary: 'x' }),
      forbidden,
      'an officer of another priority',
    );
    await assert.rejects(r.submit(actors.contributor, priority.code, period, {}), forbidden);
    await assert.rejects(r.submit(actors.viewer, priority.code, period, {}), forbidden);
    await r.submit(actors.admin, priority.code, period, {});
    // Approving needs the priority's own officer, signed in as themselves.
    await assert.rejects(r.approve(actors.otherOfficer, priority.code, period, {}), forbidden);
    await assert.rejects(
      r.approve(actors.admin, priority.code, period, {}),
      forbidden,
      'an administrator does not sign for the officer',
    );
    await assert.rejects(
      r.approve(actors.system, priority.code, period, {}),
      (e) => forbidden(e) && code(e) === 'SIGN_OFF_NEEDS_A_PERSON',
    );
    await assert.rejects(
      r.returnToDraft(actors.system, priority.code, period, { comment: 'no' }),
      (e) => code(e) === 'SIGN_OFF_NEEDS_A_PERSON',
    );
    await assert.rejects(r.returnToDraft(actors.contributor, priority.code, period, { comment: 'no' }), forbidden);
    // Nor can anyone type in a sign-off for someone else.
    await assert.rejects(
      r.recordHistoricalSignOff(actors.admin, priority.code, period, {
        role: 'accountable_officer',
        personId: actors.officer.personId,
        signedOn: '1/1/2010',
      }),
      forbidden,
    );
    const report = (await r.getBundle(actors.system, priority.code, period)).report;
    assert.equal(report.state, 'submitted');
    assert.equal(report.signOffs.length, 0);
  });

  it('lets a contributor update only the actions and milestones they are named on', async () => {
    const { services, priority, period, actors } = await setUp(t());
    const r = services.reports;
    const bundle = await r.getBundle(actors.contributor, priority.code, period);
    const [mine, theirs] = bundle.report.actions;
    await r.updateAction(actors.contributor, priority.code, period, 1, {
      description: 'Finalise the contract (Arfan)',
      contributors: mine!.contributors.map((c) => `person:${c.id}`),
      milestones: mine!.milestones.map((m) => ({ id: m.id, description: m.description, timescale: 'Dec 2009' })),
    });
    await assert.rejects(
      r.updateAction(actors.contributor, priority.code, period, 2, { description: 'taken over' }),
      (e) => e instanceof ForbiddenError,
    );
    await assert.rejects(
      r.addAction(actors.contributor, priority.code, period, { description: 'new' }),
      (e) => e instanceof ForbiddenError,
    );
    await assert.rejects(
      r.deleteAction(actors.contributor, priority.code, period, 1, {}),
      (e) => e instanceof ForbiddenError,
    );
    await r.recordMilestoneProgress(actors.contributor, priority.code, period, mine!.milestones[0]!.id, {
      progress: 'missed',
      reason: 'Legal review',
    });
    await assert.rejects(
      r.recordMilestoneProgress(actors.contributor, priority.code, period, theirs!.milestones[0]!.id, {
        progress: 'missed',
        reason: 'x',
      }),
      (e) => e instanceof ForbiddenError,
    );
    const after = (await r.getBundle(actors.system, priority.code, period)).report;
    assert.equal(after.actions[0]!.description, 'Finalise the contract (Arfan)');
    assert.equal(after.actions[1]!.description, 'Not Arfan’s');
    assert.equal(after.actions[1]!.milestones[0]!.progress, null);
  });

  it('refuses to submit without a status, or a status that needs a reason without its reason', async () => {
    const { services, priority, period, actors } = await setUp(t());
    const r = services.reports;
    await r.updateSections(actors.officer, priority.code, period, { summary: 'No status yet', status: '' });
    await assert.rejects(
      r.submit(actors.officer, priority.code, period, {}),
      (e) => e instanceof ValidationError && e.status === 422 && fieldsOf(e).join() === 'status',
    );
    await r.updateSections(actors.officer, priority.code, period, { summary: 'Green', status: 'green' });
    // The organisation then marks Green as needing a comment: the report cannot go without its reason.
    const scale = await services.organisations.statusScale(actors.system);
    await services.organisations.updateStatusScale(actors.system, {
      statuses: scale.map((s) => ({
        id: s.id,
        key: s.key,
        label: s.label,
        colour: s.colour,
        shape: s.shape,
        description: s.description,
        commentRequired: s.key === 'green' ? true : s.commentRequired,
      })),
    });
    await assert.rejects(
      r.submit(actors.officer, priority.code, period, {}),
      (e) =>
        e instanceof ValidationError &&
        fieldsOf(e).join() === 'statusReason' &&
        /Explain why the status is Green/.test((e as ValidationError).issues[0]!.message),
    );
    assert.equal((await r.getBundle(actors.system, priority.code, period)).report.state, 'draft');
    await r.updateSections(actors.officer, priority.code, period, {
      summary: 'Green',
      status: 'green',
      statusReason: 'On plan',
    });
    await r.submit(actors.officer, priority.code, period, {});
  });

  it('refuses a stale save with who saved since and what they changed', async () => {
    const { services, priority, period, actors } = await setUp(t());
    const r = services.reports;
    const started = (await r.getBundle(actors.officer, priority.code, period)).report.version;
    await r.updateSections(actors.admin, priority.code, period, {
      version: started,
      summary: 'Rewritten by the performance team.',
      status: 'amber',
      statusReason: 'Slipping',
      achievements: 'Joined DECATS',
    });
    const error = await r
      .updateSections(actors.officer, priority.code, period, {
        version: started,
        summary: 'My version',
        status: 'green',
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(error instanceof ReportChangedError, String(error));
    assert.equal(error.status, 409);
    assert.deepEqual(
      error.changedBy.map((c) => c.label),
      ['admin@example'],
    );
    assert.deepEqual(
      error.changes.map((c) => [c.field, c.before, c.after]),
      [
        ['summary', 'First draft.', 'Rewritten by the performance team.'],
        ['status', 'Green', 'Amber'],
        ['statusReason', '', 'Slipping'],
      ],
    );
    assert.match(
      error.message,
      /admin@example changed overall summary, the status \(Green → Amber\) and reason for the status/,
    );
    assert.deepEqual(
      (await r.getBundle(actors.system, priority.code, period)).report.summary,
      'Rewritten by the performance team.',
    );
  });

  it('opens a new revision when a published report is changed; readers see the published one until the next is published', async () => {
    const { services, priority, period, actors } = await setUp(t());
    const r = services.reports;
    await r.submit(actors.officer, priority.code, period, {});
    await r.approve(actors.officer, priority.code, period, {});
    await r.approve(actors.director, priority.code, period, {});

    await r.updateSections(actors.officer, priority.code, period, {
      summary: 'Revised after publication.',
      status: 'amber',
      statusReason: 'Contract delayed',
      achievements: 'Joined DECATS',
    });
    const live = (await r.getBundle(actors.officer, priority.code, period)).report;
    assert.deepEqual([live.state, live.revision, live.publishedRevision], ['draft', 2, 1]);

    // The viewer still reads revision 1 and cannot read the draft.
    const seen = await r.readable(actors.viewer, priority.code, period);
    assert.deepEqual(
      [seen.revision, presentReport(seen.snapshot).summary, presentReport(seen.snapshot).status?.label, seen.bundle],
      [1, ['First draft.'], 'Green', undefined],
    );
    await assert.rejects(r.getBundle(actors.viewer, priority.code, period), (e) => e instanceof ForbiddenError);
    await assert.rejects(r.revisionView(actors.viewer, priority.code, period, 2), (e) => e instanceof ForbiddenError);
    assert.deepEqual(
      await r
        .listRevisions(actors.viewer, priority.code, period)
        .then((l) => [l.published.map((x) => x.number), l.draft]),
      [[1], null],
    );
    assert.deepEqual((await r.listRevisions(actors.officer, priority.code, period)).draft, {
      number: 2,
      state: 'draft',
    });

    // What changed from 1 to the draft 2, field by field.
    const compared = await r.compareRevisions(actors.officer, priority.code, period, 1, 2);
    assert.deepEqual(
      compared.changes.map((c) => c.field),
      ['summary', 'status', 'statusReason'],
    );

    await r.submit(actors.officer, priority.code, period, {});
    await r.approve(actors.officer, priority.code, period, {});
    await r.approve(actors.director, priority.code, period, {});
    const list = await r.listRevisions(actors.viewer, priority.code, period);
    assert.deepEqual(
      list.published.map((x) => x.number),
      [2, 1],
    );
    assert.deepEqual(presentReport((await r.readable(actors.viewer, priority.code, period)).snapshot).summary, [
      'Revised after publication.',
    ]);
    // Revision 1 never changed.
    assert.deepEqual(presentReport((await r.revisionView(actors.viewer, priority.code, period, 1)).snapshot).summary, [
      'First draft.',
    ]);
    // Sign-offs name the revision they signed.
    assert.deepEqual(
      (await r.getBundle(actors.system, priority.code, period)).report.signOffs.map((s) => s.revision),
      [1, 1, 2, 2],
    );
  });

  it('shows viewers only published reports', async () => {
    const { services, priority, period, actors } = await setUp(t());
    const r = services.reports;
    await assert.rejects(r.readable(actors.viewer, priority.code, period), (e) => e instanceof ForbiddenError);
    assert.deepEqual(await r.listForPriority(actors.viewer, priority.code), []);
    assert.equal((await r.listForPriority(actors.officer, priority.code)).length, 1);
  });

  it('compares a report with the previous period’s', async () => {
    const { services, priority, period, actors } = await setUp(t());
    await services.periods.ensure(actors.system, '2009-10-h2');
    await services.reports.create(actors.officer, priority.code, { period: '2009-10-h2' });
    await services.reports.updateSections(actors.officer, priority.code, '2009-10-h2', {
      summary: 'Second half.',
      status: 'green',
      achievements: 'Joined DECATS\nBaseline done',
    });
    const since = await services.reports.sinceLastPeriod(actors.officer, priority.code, '2009-10-h2');
    assert.equal(since?.previousPeriodKey, period);
    const achievements = since!.changes.find((c) => c.field === 'achievements');
    assert.deepEqual(achievements?.added, ['Baseline done']);
    assert.ok(
      since!.changes.some((c) => c.field === 'actions'),
      'the actions of the earlier report are not in the new one',
    );
  });

  it('keeps the audit trail unchangeable, even with SQL typed by hand', async () => {
    const { db } = t();
    await setUp(t());
    const before = await db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    await assert.rejects(sql`update audit_event set actor = 'someone else'`.execute(db), /append-only/);
    await assert.rejects(sql`delete from audit_event`.execute(db), /append-only/);
    await assert.rejects(sql`truncate audit_event`.execute(db), /append-only/);
    await assert.rejects(db.deleteFrom('audit_event').where('id', '>', 0).execute(), /append-only/);
    const after = await db
      .selectFrom('audit_event')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(after.n, before.n);
    assert.equal(
      (await db.selectFrom('audit_event').select('actor').where('actor', '=', 'someone else').execute()).length,
      0,
    );
  });
});
