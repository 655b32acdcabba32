// A status scale any council can use (issue 13), through the services on both engines: statuses
// in and out of the rating order, patterns and approval by a named role are saved and refused
// with messages that name the field; a report whose status needs approval is not published until
// the sign-off that publishes it is given by someone holding that role; the published revision
// keeps the rules it was signed with.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describeOnEachEngine, type TestDatabase } from './helpers/database.ts';
import { insertOrganisation, insertPerson, insertReport } from './builders/index.ts';
import { ForbiddenError, ValidationError } from '../src/domain/errors.ts';
import type { Actor, UserActor } from '../src/domain/actor.ts';
import type { Role } from '../src/domain/permissions.ts';
import type { FrozenStatus } from '../src/domain/report-snapshot.ts';
import type { Status, Travel } from '../src/domain/status-scale.ts';
import { directionOfTravel as boardPackDirection } from '../src/modules/boardpack/boardpack.presenter.ts';
import type { BoardPackItem } from '../src/modules/boardpack/boardpack.service.ts';
import { presentWorkflow } from '../src/modules/reports/report.presenter.ts';
import { presentDashboard } from '../src/modules/dashboard/dashboard.presenter.ts';
import type { Dashboard } from '../src/modules/dashboard/dashboard.service.ts';

const user = (organisationId: string, label: string, roles: Role[], personId?: string): UserActor => ({
  kind: 'user',
  organisationId,
  label,
  userId: randomUUID(),
  roles,
  ...(personId ? { personId } : {}),
});

const issuesOf = (e: unknown) => (e as ValidationError).issues.map((i) => [i.field, i.message]);

/** A council's six-status scale: four rated, "Not started" and "Completed" outside the order. */
const SIX = [
  { label: 'Not started', key: 'not-started', colour: '#b1b4b6', shape: 'square', rated: 'no', pattern: 'dotted' },
  { label: 'Green', key: 'green', colour: '#00703c', shape: 'circle' },
  { label: 'Amber', key: 'amber', colour: '#f47738', shape: 'triangle', commentRequired: 'yes' },
  { label: 'Red', key: 'red', colour: '#d4351c', shape: 'diamond', commentRequired: 'yes' },
  { label: 'Suspended', key: 'suspended', colour: '#d4351c', shape: 'pause', pattern: 'hatched' },
  {
    label: 'Completed',
    key: 'completed',
    colour: '#1d70b8',
    shape: 'star',
    rated: 'no',
    approvalRole: 'performance_officer',
  },
];

async function setUp(t: TestDatabase) {
  const { services } = t;
  const system = await insertOrganisation(services);
  const [officer, director] = [
    await insertPerson(services, system, { name: 'Lee Hemsworth' }),
    await insertPerson(services, system, { name: 'James Rogers' }),
  ];
  const { priority, period } = await insertReport(services, system, {
    priority: { accountableOfficerId: officer.id, accountableDirectorId: director.id },
  });
  const org = system.organisationId;
  return {
    services,
    system,
    priority,
    period,
    officer: user(org, 'lee@example', ['accountable_officer'], officer.id),
    director: user(org, 'james@example', ['accountable_director'], director.id),
    /** The same director once an administrator has also made them a performance officer. */
    directorWithRole: user(org, 'james@example', ['accountable_director', 'performance_officer'], director.id),
  };
}

const adopt = (services: TestDatabase['services'], actor: Actor) =>
  services.organisations.updateStatusScale(actor, { statuses: SIX, confirm: true });

describeOnEachEngine('a status scale any council can use', (t) => {
  it('saves statuses outside the rating order, patterns and approval by a role, and reads them back', async () => {
    const { services, system } = await setUp(t());
    await adopt(services, system);
    const scale = await services.organisations.statusScale(system);
    assert.deepEqual(
      scale.map((s) => [s.key, s.rated, s.pattern, s.approvalRole, s.commentRequired]),
      [
        ['not-started', false, 'dotted', null, false],
        ['green', true, 'none', null, false],
        ['amber', true, 'none', null, true],
        ['red', true, 'none', null, true],
        ['suspended', true, 'hatched', null, false],
        ['completed', false, 'none', 'performance_officer', false],
      ],
    );
  });

  it('carries the rules through an export and an import of the organisation', async () => {
    const { services, system } = await setUp(t());
    await adopt(services, system);
    const exported = await services.transfer.exportOrganisation(system.organisationId);
    const rules = (statuses: { key: string; rated?: boolean; pattern?: string; approvalRole?: string | null }[]) =>
      statuses.map((s) => [s.key, s.rated, s.pattern, s.approvalRole]);
    const expected = [
      ['not-started', false, 'dotted', null],
      ['green', true, 'none', null],
      ['amber', true, 'none', null],
      ['red', true, 'none', null],
      ['suspended', true, 'hatched', null],
      ['completed', false, 'none', 'performance_officer'],
    ];
    // The file carries every version of the scale (ADR 0014): the one adopted is the newest.
    const newest = exported.statuses.reduce((d, s) => ((s.inUseFrom ?? '') > d ? (s.inUseFrom ?? '') : d), '');
    assert.deepEqual(rules(exported.statuses.filter((s) => (s.inUseFrom ?? '') === newest)), expected);
    await services.organisations.updateStatusScale(system, {
      statuses: SIX.map(({ rated: _r, pattern: _p, approvalRole: _a, ...plain }) => plain),
      confirm: true,
    });
    await services.transfer.importOrganisation(JSON.parse(JSON.stringify(exported)), {
      replace: true,
      actorLabel: 'test',
    });
    assert.deepEqual(rules(await services.organisations.statusScale(system)), expected);
  });

  it('refuses a pattern or an approval role it does not know, naming the row and field, and saves nothing', async () => {
    const { services, system } = await setUp(t());
    const before = await services.organisations.statusScale(system);
    await assert.rejects(
      services.organisations.updateStatusScale(system, {
        statuses: [
          { label: 'Green', colour: '#00703c', shape: 'circle', pattern: 'tartan' },
          { label: 'Done', colour: '#1d70b8', shape: 'star', approvalRole: 'viewer' },
        ],
      }),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(issuesOf(e), [
          ['statuses.0.pattern', 'Status 1: select a pattern: none, hatched or dotted'],
          ['statuses.1.approvalRole', 'Status 2: select who must approve the status, or no approval'],
        ]);
        return true;
      },
    );
    assert.deepEqual(await services.organisations.statusScale(system), before);
  });

  it('refuses a scale with no status in the rating order', async () => {
    const { services, system } = await setUp(t());
    await assert.rejects(
      services.organisations.updateStatusScale(system, {
        statuses: [
          { label: 'Not started', colour: '#b1b4b6', shape: 'square', rated: 'no' },
          { label: 'Completed', colour: '#1d70b8', shape: 'star', rated: false },
        ],
      }),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(issuesOf(e), [
          [
            'statuses.0.rated',
            'At least one status must be in the rating order, so reports can be rated better or worse',
          ],
        ]);
        return true;
      },
    );
  });

  it('refuses to publish a report whose status needs approval until the sign-off is by someone holding the role', async () => {
    const { services, system, priority, period, officer, director, directorWithRole } = await setUp(t());
    await adopt(services, system);
    await services.reports.updateSections(officer, priority.code, period, { summary: 'Done.', status: 'completed' });
    await services.reports.submit(officer, priority.code, period, {});
    await services.reports.approve(officer, priority.code, period, {});
    const state = async () => (await services.reports.getBundle(system, priority.code, period)).report.state;
    assert.equal(await state(), 'officer_approved');
    // The report says what it waits for.
    const waiting = presentWorkflow(await services.reports.readable(system, priority.code, period));
    assert.match(
      waiting.next,
      /Its status, Completed, needs approval by a performance officer: the accountable director’s sign-off publishes it only if they hold that role\.$/,
    );

    await assert.rejects(services.reports.approve(director, priority.code, period, {}), (e) => {
      assert.ok(e instanceof ForbiddenError);
      assert.equal((e as { code?: string }).code, 'STATUS_NEEDS_APPROVAL');
      assert.match(
        e.message,
        /^The status Completed needs approval by a performance officer: the sign-off that publishes this report must be given by someone holding that role\./,
      );
      return true;
    });
    assert.equal(await state(), 'officer_approved', 'the refused sign-off changes nothing');
    const bundle = await services.reports.getBundle(system, priority.code, period);
    assert.equal(
      bundle.report.signOffs.filter((s) => s.role === 'accountable_director').length,
      0,
      'no director’s sign-off is recorded',
    );

    const step = await services.reports.approve(directorWithRole, priority.code, period, {});
    assert.equal(step.state, 'published');
    // The revision keeps the status as signed, its rules included.
    const revision = await t()
      .db.selectFrom('report_revision')
      .select('status')
      .where('report_id', '=', step.id)
      .executeTakeFirstOrThrow();
    const frozen = revision.status as FrozenStatus;
    assert.deepEqual(
      [frozen.key, frozen.rated, frozen.pattern, frozen.approvalRole],
      ['completed', false, 'none', 'performance_officer'],
    );
    // ...and readers read it back as signed.
    const readable = await services.reports.readable(system, priority.code, period, { publishedOnly: true });
    assert.deepEqual(readable.snapshot.report.status, {
      key: 'completed',
      label: 'Completed',
      colour: '#1d70b8',
      shape: 'star',
      description: '',
      rated: false,
      pattern: 'none',
      approvalRole: 'performance_officer',
    });
  });

  it('publishes a report whose status needs no approval with the director’s sign-off alone', async () => {
    const { services, system, priority, period, officer, director } = await setUp(t());
    await adopt(services, system);
    await services.reports.updateSections(officer, priority.code, period, {
      summary: 'Paused.',
      status: 'suspended',
    });
    await services.reports.submit(officer, priority.code, period, {});
    await services.reports.approve(officer, priority.code, period, {});
    assert.equal((await services.reports.approve(director, priority.code, period, {})).state, 'published');
    const readable = await services.reports.readable(system, priority.code, period, { publishedOnly: true });
    assert.equal(readable.snapshot.report.status?.pattern, 'hatched', 'the pattern is frozen with the status');
  });

  it('asks for confirmation before a status a draft uses starts needing approval', async () => {
    const { services, system, priority, period, officer } = await setUp(t());
    await adopt(services, system);
    await services.reports.updateSections(officer, priority.code, period, { summary: 'Paused.', status: 'suspended' });
    const rows = SIX.map((s) => (s.key === 'suspended' ? { ...s, approvalRole: 'accountable_director' } : s));
    await assert.rejects(
      services.organisations.updateStatusScale(system, { statuses: rows }),
      (e) => (e as { code?: string }).code === 'STATUS_SCALE_CHANGE_UNCONFIRMED',
    );
    assert.equal(
      (await services.organisations.statusScale(system)).find((s) => s.key === 'suspended')!.approvalRole,
      null,
      'nothing is saved until confirmed',
    );
    await services.organisations.updateStatusScale(system, { statuses: rows, confirm: true });
    assert.equal(
      (await services.organisations.statusScale(system)).find((s) => s.key === 'suspended')!.approvalRole,
      'accountable_director',
    );
  });
});

describe('statuses outside the rating order in the board pack and on the dashboard', () => {
  const scale = (
    [
      ['not-started', 'Not started', false],
      ['green', 'Green', true],
      ['amber', 'Amber', true],
      ['completed', 'Completed', false],
    ] as const
  ).map(([key, label, rated], position): Status => ({
    id: `id-${key}`,
    key,
    label,
    colour: '#505a5f',
    shape: 'square',
    description: '',
    commentRequired: false,
    rated,
    pattern: 'none',
    approvalRole: null,
    position,
  }));
  const item = (from: string, to: string) =>
    ({
      report: {},
      status: scale.find((s) => s.key === to),
      previous: { periodLabel: '2009/10 H1', statusKey: from },
      notYetPublished: false,
    }) as unknown as BoardPackItem;

  it('calls a move to or from a status outside the rating order “Not comparable” in the board pack', () => {
    const travel = (from: string, to: string) => {
      const d = boardPackDirection(item(from, to), scale);
      return `${d.key} ${d.label} ${d.arrow}`.trim();
    };
    assert.equal(travel('amber', 'green'), 'better Better ↑');
    assert.equal(travel('green', 'amber'), 'worse Worse ↓');
    assert.equal(travel('not-started', 'green'), 'not-comparable Not comparable');
    assert.equal(travel('amber', 'completed'), 'not-comparable Not comparable');
    assert.equal(travel('completed', 'completed'), 'same Same →');
  });

  it('counts statuses outside the rating order apart on the dashboard, after the rated ones, and never ranks them', () => {
    const change = (from: string, to: string, travel: Travel) => ({
      code: 'P-1',
      title: 'A priority',
      from: scale.find((s) => s.key === from)!,
      to: scale.find((s) => s.key === to)!,
      fromPeriodKey: '2009-10-h1',
      fromPeriodLabel: '2009/10 H1',
      travel,
      better: null,
    });
    const view = presentDashboard({
      period: { key: '2009-10-h2', label: '2009/10 H2' },
      periods: [],
      statuses: scale,
      formerStatuses: [],
      themes: [],
      totals: {},
      changes: [change('amber', 'green', 'improved'), change('green', 'completed', 'not-comparable')],
      overdue: [],
      offTarget: [],
      listed: { changes: 2, overdue: 0, offTarget: 0 },
      today: '2010-01-01',
    } as unknown as Dashboard);
    assert.deepEqual(
      view.columns.map((c) => c.label),
      ['Green', 'Amber', 'Not started (not rated)', 'Completed (not rated)', 'Not assessed', 'No report'],
    );
    assert.deepEqual(
      view.changes.map((c) => c.direction),
      ['Better', 'Not comparable'],
    );
  });
});
