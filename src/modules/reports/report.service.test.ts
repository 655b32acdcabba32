import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine } from '../../../test/helpers/database.ts';
import { insertOrganisation, insertPerson, insertPriority, insertReport } from '../../../test/builders/index.ts';
import { citedRiskText } from '../../render/report-view.ts';
import { ValidationError, ConflictError } from '../../domain/errors.ts';
import { presentReport } from './report.presenter.ts';

const issuesOf = (e: unknown) => (e as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);

describeOnEachEngine('progress reports', (t) => {
  it('saves every section and reads it back exactly, Unicode and hostile text included', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const hostile = '<script>alert("x")</script> & "quotes" \'single\'';
    const welsh = 'Gwasanaethau – ŵ ŷ Ŵ Ŷ – £1,000,000';
    const long = Array.from({ length: 5000 }, (_, i) => `word${i}`).join(' ');
    await services.reports.updateSections(actor, priority.code, period, {
      summary: `${long}\n\n${hostile}`,
      status: 'amber',
      statusReason: welsh,
      achievements: [welsh, hostile],
      challenges: 'one\n\n  two  \nthree',
    });
    const view = presentReport(await services.reports.getBundle(actor, priority.code, period));
    assert.deepEqual(view.summary, [long, hostile]);
    assert.deepEqual(view.statusReason, [welsh]);
    assert.deepEqual(view.achievements, [welsh, hostile]);
    assert.deepEqual(view.challenges, ['one', 'two', 'three']);
    assert.equal(view.status?.label, 'Amber');
  });

  it('refuses a status that needs a reason without one, and changes nothing', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    await services.reports.updateSections(actor, priority.code, period, { summary: 'first', status: 'green' });
    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, {
        summary: 'second',
        status: 'red',
        statusReason: ' ',
      }),
      (e) => e instanceof ValidationError && issuesOf(e).join() === 'statusReason: Explain why the status is Red',
    );
    const after = await services.reports.getBundle(actor, priority.code, period);
    assert.equal(after.report.summary, 'first');
    assert.equal(after.report.version, 2);
  });

  it('refuses a status that is not on the organisation’s scale, naming the choices', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, { status: 'purple' }),
      (e) =>
        e instanceof ValidationError &&
        /status: Select a status from the list \(Green, Amber, Red\)/.test(issuesOf(e).join()),
    );
  });

  it('refuses a save based on an old version instead of overwriting the other person’s changes', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period, bundle } = await insertReport(services, actor);
    const version = bundle.report.version;
    await services.reports.updateSections(actor, priority.code, period, { summary: 'Alice’s summary', version });
    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, { summary: 'Bob’s summary', version }),
      (e) => e instanceof ConflictError && e.code === 'STALE_VERSION',
    );
    assert.equal((await services.reports.getBundle(actor, priority.code, period)).report.summary, 'Alice’s summary');
  });

  it('adds, changes, reorders and removes key actions, keeping milestone identity', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const officer = await insertPerson(services, actor, { name: 'Arfan Hanif' });
    const partner = await services.organisations.createPartner(actor, {
      name: 'Local Partnerships',
      kind: 'public_body',
    });
    await services.reports.addAction(actor, priority.code, period, {
      description: 'First',
      contributors: [`person:${officer.id}`, `partner:${partner.id}`],
      milestones: [
        { description: 'A', timescale: 'Nov 2009' },
        { description: '', timescale: '' },
        { description: 'B', timescale: '30/11/2009' },
      ],
    });
    await services.reports.addAction(actor, priority.code, period, {
      description: 'Second',
      milestones: [{ description: 'C', timescale: 'April 2010' }],
    });
    let bundle = await services.reports.getBundle(actor, priority.code, period);
    const [a, b] = bundle.report.actions[0]!.milestones;
    assert.deepEqual(
      presentReport(bundle).actions.map((x) => [
        x.number,
        x.description,
        x.contributors,
        x.milestones.map((m) => `${m.description} ${m.timescale}`),
      ]),
      [
        [1, 'First', ['Arfan Hanif', 'Local Partnerships'], ['A Nov 2009', 'B 30 November 2009']],
        [2, 'Second', [], ['C Apr 2010']],
      ],
    );

    // Swap the milestones and drop the partner: the milestones keep their ids.
    await services.reports.updateAction(actor, priority.code, period, 1, {
      description: 'First, changed',
      contributors: [`person:${officer.id}`],
      milestones: [
        { id: b!.id, description: 'B', timescale: 'Dec 2009' },
        { id: a!.id, description: 'A', timescale: 'Nov 2009' },
      ],
    });
    bundle = await services.reports.getBundle(actor, priority.code, period);
    assert.deepEqual(
      bundle.report.actions[0]!.milestones.map((m) => m.id),
      [b!.id, a!.id],
    );

    await services.reports.moveAction(actor, priority.code, period, 2, { direction: 'up' });
    bundle = await services.reports.getBundle(actor, priority.code, period);
    assert.deepEqual(
      bundle.report.actions.map((x) => x.description),
      ['Second', 'First, changed'],
    );

    await services.reports.deleteAction(actor, priority.code, period, 1, {});
    bundle = await services.reports.getBundle(actor, priority.code, period);
    assert.deepEqual(
      bundle.report.actions.map((x) => [x.position, x.description]),
      [[0, 'First, changed']],
    );
  });

  it('names each bad milestone field and saves nothing of the action', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    await assert.rejects(
      services.reports.addAction(actor, priority.code, period, {
        description: 'Has bad milestones',
        milestones: [
          { description: 'Fine', timescale: 'Nov 2009' },
          { description: 'Bad', timescale: 'Novembre 2009' },
          { description: '', timescale: 'Dec 2009' },
        ],
      }),
      (e) =>
        e instanceof ValidationError &&
        assert.deepEqual(issuesOf(e), [
          'milestones.1.timescale: The timescale of milestone 2 must be a month like Nov 2009 or a date like 30 November 2009',
          'milestones.2.description: Enter what milestone 3 is',
        ]) === undefined,
    );
    assert.equal((await services.reports.getBundle(actor, priority.code, period)).report.actions.length, 0);
  });

  it('refuses a contributor or a milestone that belongs to someone else', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const other = await insertOrganisation(services);
    const stranger = await insertPerson(services, other);
    const { priority, period } = await insertReport(services, actor);
    await assert.rejects(
      services.reports.addAction(actor, priority.code, period, {
        description: 'x',
        contributors: [`person:${stranger.id}`],
      }),
      (e) => e instanceof ValidationError && issuesOf(e)[0]!.startsWith('contributors:'),
    );
    const theirs = await insertReport(services, other);
    await services.reports.addAction(other, theirs.priority.code, theirs.period, {
      description: 'theirs',
      milestones: [{ description: 'm', timescale: 'Nov 2009' }],
    });
    const theirMilestone = (await services.reports.getBundle(other, theirs.priority.code, theirs.period)).report
      .actions[0]!.milestones[0]!;
    await services.reports.addAction(actor, priority.code, period, { description: 'mine' });
    await assert.rejects(
      services.reports.updateAction(actor, priority.code, period, 1, {
        description: 'mine',
        milestones: [{ id: theirMilestone.id, description: 'stolen', timescale: 'Nov 2009' }],
      }),
      (e) =>
        e instanceof ValidationError &&
        issuesOf(e)[0] === 'milestones.0.id: Milestone 1 does not belong to this action',
    );
    assert.equal(
      (await services.reports.getBundle(other, theirs.priority.code, theirs.period)).report.actions[0]!.milestones[0]!
        .description,
      'm',
    );
  });

  it('enters paper sign-offs as historical records, shows the latest decision of each role, and the director’s publishes', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const officer = await insertPerson(services, actor, { name: 'Lee Hemsworth' });
    const director = await insertPerson(services, actor, { name: 'James Rogers' });
    await services.reports.recordHistoricalSignOff(actor, priority.code, period, {
      role: 'accountable_officer',
      personId: officer.id,
      signedOn: '22 October 2009',
    });
    await services.reports.recordHistoricalSignOff(actor, priority.code, period, {
      role: 'accountable_director',
      personId: director.id,
      decision: 'returned',
      signedOn: '1/11/09',
      comment: 'Say more about costs',
    });
    // After the return the officer approves again before the director can.
    await assert.rejects(
      services.reports.recordHistoricalSignOff(actor, priority.code, period, {
        role: 'accountable_director',
        personId: director.id,
        signedOn: '9/11/09',
      }),
      /record the officer’s approval first/,
    );
    await services.reports.recordHistoricalSignOff(actor, priority.code, period, {
      role: 'accountable_officer',
      personId: officer.id,
      signedOn: '5/11/09',
    });
    await services.reports.recordHistoricalSignOff(actor, priority.code, period, {
      role: 'accountable_director',
      personId: director.id,
      signedOn: '9/11/09',
    });
    const view = presentReport(await services.reports.getBundle(actor, priority.code, period));
    assert.deepEqual(
      view.signOffs.map((s) => [s.roleLabel, s.decisionLabel, s.name, s.date, s.historical]),
      [
        ['Accountable Officer', 'Approved by', 'Lee Hemsworth', '5 November 2009', true],
        ['Accountable Director', 'Approved by', 'James Rogers', '9 November 2009', true],
      ],
    );
    const report = (await services.reports.getBundle(actor, priority.code, period)).report;
    assert.deepEqual([report.state, report.publishedRevision], ['published', 1]);
    assert.ok(
      view.signOffs.every((s) => s.enteredOn !== undefined),
      'each says the day it was entered',
    );
  });

  it('refuses a sign-off dated in the future, a return without a comment, and an unknown person', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const officer = await insertPerson(services, actor);
    await assert.rejects(
      services.reports.recordHistoricalSignOff(actor, priority.code, period, {
        role: 'accountable_officer',
        personId: officer.id,
        signedOn: '1/1/2199',
      }),
      (e) =>
        e instanceof ValidationError &&
        issuesOf(e)[0]!.startsWith('signedOn: The date it was signed off must be today'),
    );
    await assert.rejects(
      services.reports.recordHistoricalSignOff(actor, priority.code, period, {
        role: 'accountable_director',
        personId: officer.id,
        decision: 'returned',
        signedOn: '1/1/2010',
      }),
      (e) => e instanceof ValidationError && issuesOf(e)[0]!.startsWith('comment:'),
    );
    await assert.rejects(
      services.reports.recordHistoricalSignOff(actor, priority.code, period, {
        role: 'accountable_officer',
        personId: '00000000-0000-4000-8000-000000000000',
        signedOn: '1/1/2010',
      }),
      (e) => e instanceof ValidationError && issuesOf(e)[0] === 'personId: Select who signed it off from the list',
    );
    assert.equal((await services.reports.getBundle(actor, priority.code, period)).report.signOffs.length, 0);
  });

  it('writes an audit event with before and after for every change, in the same transaction', async () => {
    const { services, db } = t();
    const actor = await insertOrganisation(services);
    const { priority, period, bundle } = await insertReport(services, actor);
    await services.reports.updateSections(actor, priority.code, period, { summary: 'audited' });
    const events = await db
      .selectFrom('audit_event')
      .selectAll()
      .where('entity_id', '=', bundle.report.id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.action),
      ['create', 'update'],
    );
    assert.equal((events[1]!.after as { summary: string }).summary, 'audited');
    assert.equal((events[1]!.before as { summary: string }).summary, '');
  });

  it('lets a council that reports On target / Behind target / Failing use its own scale unchanged', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const existing = await services.organisations.statusScale(actor);
    await services.organisations.updateStatusScale(actor, {
      statuses: [
        { id: existing[0]!.id, label: 'On target', key: 'on-target', colour: '#00703c', shape: 'circle' },
        {
          id: existing[1]!.id,
          label: 'Behind target',
          key: 'behind-target',
          colour: '#f47738',
          shape: 'triangle',
          commentRequired: 'yes',
        },
        {
          id: existing[2]!.id,
          label: 'Failing',
          key: 'failing',
          colour: '#d4351c',
          shape: 'diamond',
          commentRequired: true,
        },
        { label: 'Suspended', colour: '#505a5f', shape: 'pause' },
      ],
    });
    const { priority, period } = await insertReport(services, actor);
    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, { status: 'behind-target' }),
      (e) => e instanceof ValidationError && issuesOf(e)[0] === 'statusReason: Explain why the status is Behind target',
    );
    await services.reports.updateSections(actor, priority.code, period, { status: 'suspended' });
    const view = presentReport(await services.reports.getBundle(actor, priority.code, period));
    assert.deepEqual([view.status?.label, view.status?.key, view.status?.symbol], ['Suspended', 'suspended', '‖']);
  });

  it('removes a status a draft uses only once the change is confirmed, leaving the draft without one', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    await services.reports.updateSections(actor, priority.code, period, { status: 'green' });
    const scale = await services.organisations.statusScale(actor);
    const statuses = scale.filter((s) => s.key !== 'green');
    await assert.rejects(
      services.organisations.updateStatusScale(actor, { statuses }),
      (e) =>
        e instanceof ConflictError &&
        e.code === 'STATUS_SCALE_CHANGE_UNCONFIRMED' &&
        new RegExp(`${priority.code} 2009/10 H1 \\(draft: Green becomes not assessed\\)`).test(e.message),
    );
    assert.equal((await services.organisations.statusScale(actor)).length, 3);
    await services.organisations.updateStatusScale(actor, { statuses, confirm: true });
    assert.equal((await services.organisations.statusScale(actor)).length, 2);
    assert.equal((await services.reports.getBundle(actor, priority.code, period)).report.statusId, null);
  });

  it('follows up last period’s milestones in the next report: met, slipped with the original kept, overdue', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority } = await insertReport(services, actor, { period: '2009-10-h1' });
    await services.reports.addAction(actor, priority.code, '2009-10-h1', {
      description: 'Join DECATS',
      milestones: [
        { description: 'Contract agreed', timescale: 'Nov 2009' },
        { description: 'Comms plan agreed', timescale: 'Nov 2009' },
        { description: 'Programme done', timescale: 'Apr 2010' },
      ],
    });
    await services.periods.ensure(actor, '2009-10-h2');
    await services.reports.create(actor, priority.code, { period: '2009-10-h2' });
    const [m1, m2] = (await services.reports.getBundle(actor, priority.code, '2009-10-h1')).report.actions[0]!
      .milestones;

    await services.reports.recordMilestoneProgress(actor, priority.code, '2009-10-h1', m1!.id, {
      progress: 'met',
      metOn: '25/11/2009',
    });
    await services.reports.recordMilestoneProgress(actor, priority.code, '2009-10-h1', m2!.id, {
      progress: 'slipped',
      revised: 'Jan 2010',
      reason: 'Waiting for the contract',
    });
    const view = presentReport(
      await services.reports.getBundle(actor, priority.code, '2009-10-h2'),
      '2010-02-01' as never,
    );
    assert.equal(view.lastTime?.heading, 'Progress against the key actions set in the 2009/10 H1 report');
    assert.deepEqual(
      view.lastTime?.actions[0]!.milestones.map((m) => [m.progress?.state, m.progress?.symbol, m.progress?.text]),
      [
        ['met', '✔', 'Met on 25 November 2009 (due Nov 2009)'],
        ['slipped', '↷', 'Slipped from Nov 2009 to Jan 2010: Waiting for the contract'],
        ['due', '…', 'Due Apr 2010'],
      ],
    );
    const later = presentReport(
      await services.reports.getBundle(actor, priority.code, '2009-10-h2'),
      '2010-05-01' as never,
    );
    assert.equal(
      later.lastTime?.actions[0]!.milestones[2]!.progress?.text,
      'Overdue: due Apr 2010, no progress recorded',
    );
    assert.equal(
      presentReport(await services.reports.getBundle(actor, priority.code, '2009-10-h1')).lastTime,
      null,
      'the first report has nothing to follow up',
    );
  });

  it('refuses incomplete or impossible milestone progress, naming the field, and changes nothing', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    await services.reports.addAction(actor, priority.code, period, {
      description: 'a',
      milestones: [{ description: 'm', timescale: 'Nov 2009' }],
    });
    const m = (await services.reports.getBundle(actor, priority.code, period)).report.actions[0]!.milestones[0]!;
    const refuse = (input: Record<string, string>, expected: string[]) =>
      assert.rejects(
        services.reports.recordMilestoneProgress(actor, priority.code, period, m.id, input),
        (e) => e instanceof ValidationError && assert.deepEqual(issuesOf(e), expected) === undefined,
      );
    await refuse({ progress: 'slipped' }, [
      'revised: Enter the revised timescale',
      'reason: Explain why the milestone slipped',
    ]);
    await refuse({ progress: 'slipped', revised: 'Oct 2009', reason: 'x' }, [
      'revised: The revised timescale must be later than the original one (Nov 2009)',
    ]);
    await refuse({ progress: 'met' }, ['metOn: Enter the date the milestone was met, like 30 November 2009']);
    await refuse({ progress: 'met', metOn: '1/1/2199' }, ['metOn: The date it was met must be today or earlier']);
    await refuse({ progress: 'missed' }, ['reason: Explain why the milestone was missed']);
    await refuse({ progress: 'done' }, ['progress: Select what happened to the milestone']);
    assert.equal(
      (await services.reports.getBundle(actor, priority.code, period)).report.actions[0]!.milestones[0]!.progress,
      null,
    );
    await assert.rejects(
      services.reports.recordMilestoneProgress(actor, priority.code, period, '00000000-0000-4000-8000-000000000000', {
        progress: 'none',
      }),
      (e) => (e as { code?: string }).code === 'MILESTONE_NOT_FOUND',
    );
  });
});

describeOnEachEngine('progress reports citing the risk register', (t) => {
  it('cites risks of the priority’s register after the free-text challenges, in the page view, PDF and DOCX alike', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const owner = await insertPerson(services, actor, { name: 'Arfan Hanif' });
    const late = await services.risks.create(actor, {
      priority: priority.code,
      description: 'Programme not delivered on time',
      likelihood: '4',
      impact: '4',
      ownerId: owner.id,
    });
    const minor = await services.risks.create(actor, {
      priority: priority.code,
      description: 'Room bookings clash',
      likelihood: '1',
      impact: '2',
    });
    await services.reports.updateSections(actor, priority.code, period, {
      challenges: 'Budget pressure',
      risks: [late.id, minor.id, late.id],
    });

    const bundle = await services.reports.getBundle(actor, priority.code, period);
    assert.deepEqual(bundle.report.riskIds, [late.id, minor.id]);
    const view = presentReport(bundle);
    assert.deepEqual(view.challenges, ['Budget pressure']);
    assert.deepEqual(view.citedRisks, [
      { description: 'Programme not delivered on time', ratingLabel: 'High', score: 16, owner: 'Arfan Hanif' },
      { description: 'Room bookings clash', ratingLabel: 'Low', score: 2, owner: null },
    ]);
    assert.deepEqual(view.citedRisks!.map(citedRiskText), [
      'Programme not delivered on time — High (16), owner Arfan Hanif',
      'Room bookings clash — Low (2)',
    ]);

    // A later save without risks cites none: the form's checkboxes are the whole choice.
    await services.reports.updateSections(actor, priority.code, period, { challenges: 'Budget pressure' });
    assert.deepEqual(presentReport(await services.reports.getBundle(actor, priority.code, period)).citedRisks, []);
  });

  it('refuses a risk of another priority, or one that does not exist, and changes nothing', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const other = await insertPriority(services, actor);
    const theirs = await services.risks.create(actor, {
      priority: other.code,
      description: 'Their risk',
      likelihood: '3',
      impact: '3',
    });
    const ours = await services.risks.create(actor, {
      priority: priority.code,
      description: 'Our risk',
      likelihood: '3',
      impact: '3',
    });
    await services.reports.updateSections(actor, priority.code, period, { summary: 'first', risks: [ours.id] });

    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, { summary: 'second', risks: [ours.id, theirs.id] }),
      (e) =>
        e instanceof ValidationError &&
        issuesOf(e).join() ===
          `risks: The risk “Their risk” is on the register of ${other.code}, not this priority: select risks from the list`,
    );
    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, {
        summary: 'second',
        risks: ['7d1f3a52-0c4e-4a8b-9e21-5b6c7d8e9f00'],
      }),
      (e) => e instanceof ValidationError && issuesOf(e).join() === 'risks: Select risks from the list',
    );
    const after = await services.reports.getBundle(actor, priority.code, period);
    assert.equal(after.report.summary, 'first');
    assert.deepEqual(after.report.riskIds, [ours.id]);

    // Another organisation's risk is not found either.
    const stranger = await insertOrganisation(services);
    const strangerPriority = await insertPriority(services, stranger);
    const strangers = await services.risks.create(stranger, {
      priority: strangerPriority.code,
      description: 'Not yours',
      likelihood: '1',
      impact: '1',
    });
    await assert.rejects(
      services.reports.updateSections(actor, priority.code, period, { risks: [strangers.id] }),
      ValidationError,
    );
  });

  it('offers the priority’s open risks, and any it already cites, highest score first', async () => {
    const { services } = t();
    const actor = await insertOrganisation(services);
    const { priority, period } = await insertReport(services, actor);
    const low = await services.risks.create(actor, {
      priority: priority.code,
      description: 'Low',
      likelihood: '1',
      impact: '1',
    });
    const high = await services.risks.create(actor, {
      priority: priority.code,
      description: 'High',
      likelihood: '5',
      impact: '4',
    });
    const closed = await services.risks.create(actor, {
      priority: priority.code,
      description: 'Closed',
      likelihood: '2',
      impact: '2',
      closed: 'on',
    });
    assert.deepEqual(
      (await services.risks.citable(actor, priority.id)).map((r) => r.id),
      [high.id, low.id],
    );
    await services.reports.updateSections(actor, priority.code, period, { risks: [closed.id] });
    const { report } = await services.reports.getBundle(actor, priority.code, period);
    assert.deepEqual(
      (await services.risks.citable(actor, priority.id, report.riskIds)).map((r) => r.id),
      [high.id, closed.id, low.id],
    );
  });
});
