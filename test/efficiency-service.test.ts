// The efficiency service on PGlite and PostgreSQL: benchmarks computed from a benchmarking club's
// statistics only (ADR 0018; refused with the club's reason when it withholds them), every write
// audited, the milestone link refused while a report waits for sign-off, and gain-share snapshots
// that keep what they counted. The club comes from a stand-in for the clubs service: its
// statistics (PERCENTILE.INC in the database, never from fewer than five) are that module's
// business and tested there (test/clubs.test.ts, test/club-disclosure.test.ts).

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import { createEfficiencyRepository } from '../src/modules/efficiency/efficiency.repository.ts';
import {
  createEfficiencyService,
  type ClubsPort,
  type DiagnosticsPort,
} from '../src/modules/efficiency/efficiency.service.ts';
import { ValidationError } from '../src/domain/errors.ts';
import { pounds } from '../src/domain/diagnostic/money.ts';
import type { Actor } from '../src/domain/actor.ts';
import { inUnitsOfWork } from '../src/platform/db/unit-of-work.ts';

const CLUB = '00000000-0000-4000-8000-0000000000c1';
type ClubStatistic = Awaited<ReturnType<ClubsPort['getClub']>>['statistics'][number];
/** The club's statistic of Finance's cost as a share of running costs in 2009/10. */
const finance = (s: Partial<ClubStatistic>): ClubStatistic => ({
  metric: 'function:FIN:share-of-running-costs',
  period: '2009/10',
  n: 5,
  p25: null,
  p50: null,
  p75: null,
  withheldBecause: null,
  ...s,
});

describeOnEachEngine('the efficiency service', (db) => {
  let actor: Actor;
  let exerciseId: string;
  let statistics: ClubStatistic[] = [];
  let joined = true;
  /** The demo's one realised, verified saving: what its gain-share counts. */
  let realised: number;
  const service = () => {
    const t = db();
    const port: DiagnosticsPort = {
      getExercise: (a, id) => t.services.diagnostics.getExercise(a, id),
      getBaseline: (a, id) => t.services.diagnostics.getBaseline(a, id),
    };
    const clubs: ClubsPort = {
      listClubs: async () =>
        joined
          ? [
              {
                id: CLUB,
                name: 'Stand-in club',
                hostName: 'A host',
                isHost: false,
                membership: { joinedAt: new Date(), leftAt: null },
              },
            ]
          : [],
      getClub: async () => ({ club: { name: 'Stand-in club', hostName: 'A host' }, statistics }),
    };
    return inUnitsOfWork(
      t.units,
      createEfficiencyService({
        repo: createEfficiencyRepository(t.units.db),
        diagnostics: port,
        clubs,
        plans: t.services.plans,
        reports: t.services.reports,
        today: () => '2011-03-31' as never,
      }),
    );
  };

  it('loads the demo with its illustrative programme', async () => {
    actor = await withDemo(db());
    exerciseId = (await db().services.diagnostics.listExercises(actor))[0]!.id;
    const o = await db().services.efficiency.overview(actor, exerciseId);
    assert.deepEqual(
      [o.benchmarks, o.opportunities, o.cases, o.approvedCases, o.projects, o.agreements],
      [2, 2, 1, 1, 3, 1],
    );
    const { entries } = await db().services.efficiency.savings(actor, exerciseId);
    const verified = entries.filter((e) => e.stage === 'realised' && e.verifiedAt !== null);
    assert.equal(verified.length, 1, 'one realised, verified saving');
    realised = verified[0]!.amount;
    assert.ok(realised > 0);
    assert.equal(o.savings.qualifying, realised);
  });

  it('computes a benchmark from a club’s statistics only, with its provenance, and refuses what the club withholds with its reason', async () => {
    const refusal = async (body: Record<string, string>, field: string, message: string | RegExp) =>
      assert.rejects(service().computeBenchmark(actor, exerciseId, body), (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.issues.length, 1);
        assert.equal(e.issues[0]!.field, field);
        assert.match(e.issues[0]!.message, typeof message === 'string' ? new RegExp(`^${message}$`) : message);
        return true;
      });
    // From no club: peers' benchmarks come from clubs only.
    await refusal({ functionCode: 'FIN' }, 'clubId', 'Choose the benchmarking club to compute it from');
    joined = false;
    await refusal({ functionCode: 'FIN' }, 'clubId', /^Your organisation is in no benchmarking club/);
    joined = true;
    statistics = [finance({ n: 4, withheldBecause: 'too-few' })];
    await refusal(
      { functionCode: 'FIN', clubId: CLUB },
      'functionCode',
      'Stand-in club gives no benchmark for Finance in 2009/10: 4 members contributed, and nothing is shown from fewer than 5',
    );
    statistics = [finance({ withheldBecause: 'members-figures' })];
    await refusal(
      { functionCode: 'FIN', clubId: CLUB },
      'functionCode',
      /: with 5 members a quartile would be one member/,
    );
    statistics = [finance({ n: 6, p25: 1, p50: 1.2, p75: 1.5 })];
    const b = await service().computeBenchmark(actor, exerciseId, { functionCode: 'FIN', clubId: CLUB });
    assert.deepEqual(
      [b.n, b.p25, b.p50, b.p75, b.computed, b.illustrative, b.unit, b.direction, b.peerGroup],
      [6, 1, 1.2, 1.5, true, false, '%', 'lower-is-better', 'Members of Stand-in club'],
    );
    assert.equal(b.year, '2009/10');
    assert.equal(b.source, 'Computed by Amber from Stand-in club (hosted by A host)');
    assert.ok(b.ownValue !== null && b.ownValue > 0, 'the organisation’s own value comes from its baseline');
    await assert.rejects(
      service().updateBenchmark(actor, exerciseId, b.id, {
        indicator: 'x',
        direction: 'lower-is-better',
        source: 's',
        year: 'y',
        peerGroup: 'g',
        n: '5',
        p25: '1',
        p50: '2',
        p75: '3',
        version: String(b.version),
      }),
      ValidationError,
    );
  });

  it('records an audit event with every write', async () => {
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from audit_event where entity = 'opportunity'`.execute(db().db))
        .rows[0]!.n,
    );
    await service().createOpportunity(actor, exerciseId, {
      title: 'Audited',
      lever: 'sourcing',
      costPool: 'ICT',
      poolCost: '£2m',
      low: '£1',
      central: '£2',
      high: '£3',
      confidence: 'low',
    });
    const after = Number(
      (await sql<{ n: string }>`select count(*) as n from audit_event where entity = 'opportunity'`.execute(db().db))
        .rows[0]!.n,
    );
    assert.equal(after, before + 1);
  });

  it('refuses to write a milestone into a report waiting for sign-off', async () => {
    const { projects } = await service().plan(actor, exerciseId);
    await db()
      .db.updateTable('progress_report')
      .set({ state: 'submitted' })
      .where('organisation_id', '=', actor.organisationId)
      .execute();
    try {
      await assert.rejects(
        service().createMilestone(actor, exerciseId, {
          projectId: projects[0]!.id,
          description: 'x',
          dueOn: '30 September 2009',
          priority: 'VfM-4d',
          actionNumber: '1',
        }),
        (e: unknown) =>
          e instanceof ValidationError &&
          e.issues[0]!.field === 'priority' &&
          /waiting for sign-off/.test(e.issues[0]!.message),
      );
    } finally {
      await db()
        .db.updateTable('progress_report')
        .set({ state: 'published' })
        .where('organisation_id', '=', actor.organisationId)
        .execute();
    }
  });

  it('opens the next revision of a published report it writes a milestone into', async () => {
    const { projects } = await service().plan(actor, exerciseId);
    const before = await db()
      .db.selectFrom('progress_report')
      .innerJoin('priority', 'priority.id', 'progress_report.priority_id')
      .select(['progress_report.revision', 'progress_report.state'])
      .where('priority.code', '=', 'VfM-4d')
      .executeTakeFirstOrThrow();
    await service().createMilestone(actor, exerciseId, {
      projectId: projects[0]!.id,
      description: 'Linked',
      dueOn: '1 August 2009',
      priority: 'VfM-4d',
      actionNumber: '2',
    });
    const after = await db()
      .db.selectFrom('progress_report')
      .innerJoin('priority', 'priority.id', 'progress_report.priority_id')
      .select(['progress_report.revision', 'progress_report.state', 'progress_report.published_revision'])
      .where('priority.code', '=', 'VfM-4d')
      .executeTakeFirstOrThrow();
    assert.equal(before.state, 'published', 'the demo publishes VfM-4d’s 2009/10 H1 report');
    assert.deepEqual(
      [after.state, after.revision, after.published_revision],
      ['draft', before.revision + 1, before.revision],
      'the published revision stays what readers see',
    );
  });

  it('stores each gain-share evaluation as a dated snapshot of what it counted', async () => {
    const { agreements } = await service().gainShare(actor, exerciseId);
    const e = await service().evaluate(actor, exerciseId, agreements[0]!.agreement.id, {});
    assert.equal(e.evaluatedOn, '2011-03-31');
    assert.equal(e.reading, 'B');
    const snapshot = e.snapshot as { agreement: { reading: string }; counted: { amount: number }[] };
    assert.equal(snapshot.agreement.reading, 'B');
    assert.deepEqual(
      snapshot.counted.map((c) => c.amount),
      [realised],
    );
    // Reading A is available too.
    const a = await service().createAgreement(actor, exerciseId, { reading: 'A' });
    assert.equal(a.tranches[1]!.threshold, pounds(5_000_000));
  });
});
