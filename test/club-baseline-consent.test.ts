// A member's consent to contribute one exercise's baseline to one club, following the exercise
// (issue 11, ADR 0018), each organisation's unit of work acting for it as a request's does, on both
// engines: the club's statistics move at each change of the exercise once it has consented (not
// before, not after it withdraws); the embargo holds through the changes; leaving the club or
// deleting the exercise takes the figures out; another organisation can neither consent for the
// exercise nor read the consent.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine } from './helpers/database.ts';
import { copyData, sampleWorkbook } from './fixtures/diagnostic/sample.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';

const METRIC = 'function:FIN:share-of-running-costs';
const PERIOD = '2009/10';

describeOnEachEngine('a baseline contributed to a club by consent, following the exercise', (t) => {
  let host: Actor;
  /** members[0] contributes its baseline; the other five contribute illustrative figures. */
  let members: Actor[];
  let outsider: Actor;
  let club: string;
  let exercise: string;
  const as = <T>(actor: Actor, fn: () => Promise<T>) => t().units.run(fn, { organisationId: actor.organisationId });
  const council = () => members[0]!;
  const statistic = async () =>
    (await as(host, () => t().services.clubs.getClub(host, club))).statistics.find(
      (s) => s.metric === METRIC && s.period === PERIOD,
    );
  /** The council's live baseline figures in the club, read as the council. */
  const liveFigures = async () =>
    as(
      council(),
      async () =>
        (
          await sql<{ metric: string; value: string; embargo_until: unknown }>`
            select metric, value, embargo_until from club_figure
            where club_id = ${club} and source = 'baseline' and withdrawn_at is null order by metric`.execute(
            t().units.db,
          )
        ).rows,
    );
  const ownFin = async () => Number((await liveFigures()).find((f) => f.metric === METRIC)?.value);
  /** Changes the exercise's running costs, as its settings form does. */
  const setRunningCosts = async (id: string, pounds: string) => {
    const e = await as(council(), () => t().services.diagnostics.getExercise(council(), id));
    await as(council(), () =>
      t().services.diagnostics.updateExercise(council(), id, {
        version: String(e.version),
        name: e.name,
        financialYear: String(e.financialYear),
        runningCosts: pounds,
        headcount: '',
        taxonomyVersionId: e.taxonomyVersionId,
      }),
    );
  };
  const newExercise = async (name: string) => {
    const id = await as(council(), () =>
      t().services.diagnostics.createExercise(council(), {
        name,
        financialYear: '2009',
        runningCosts: '£300m',
        headcount: '',
        taxonomyVersionId: DEFAULT_TAXONOMY_ID,
      }),
    );
    const data = await sampleWorkbook(copyData());
    await as(council(), () =>
      t().services.diagnostics.upload(council(), id, { file: { filename: 'data.xlsx', data } }),
    );
    return id;
  };
  const consentRows = async (actor: Actor) =>
    as(
      actor,
      async () =>
        (
          await sql<{ organisation_id: string }>`select organisation_id from club_baseline_consent`.execute(
            t().units.db,
          )
        ).rows,
    );

  before(async () => {
    const { services } = t();
    await services.diagnostics.ensureShippedTaxonomy();
    const org = async (name: string) =>
      systemActor((await services.organisations.createHome('test', { name, kind: 'council' })).id, 'test');
    host = await org('Consent Club Host');
    members = [];
    for (const n of [1, 2, 3, 4, 5, 6]) members.push(await org(`Consent Member ${n}`));
    outsider = await org('Consent Outsider');
    club = await as(host, () => services.clubs.createClub(host, { name: 'Consent club' }));
    for (const [i, m] of members.entries()) {
      const slug = (await services.organisations.getOwn(m)).slug!;
      await as(host, () => services.clubs.invite(host, club, { member: slug }));
      await as(m, () => services.clubs.setMembership(m, club, true, {}));
      if (i === 0) continue;
      await as(m, () =>
        services.clubs.contributeIllustrative(m, club, [
          {
            metric: METRIC,
            label: 'Finance: cost as a share of running costs',
            unit: 'percent',
            direction: 'lower-is-better',
            period: PERIOD,
            value: [0.3, 0.9, 1.7, 2.6, 4.1][i - 1]!,
            embargoUntil: null,
          },
        ]),
      );
    }
    exercise = await newExercise('Consent Member 1 2009/10');
  });

  it('moves the club’s statistics at each change of the exercise once consented, and not before or after', async () => {
    const { services } = t();
    assert.equal((await statistic())?.n, 5, 'five illustrative members');
    await setRunningCosts(exercise, '£250m');
    assert.equal((await statistic())?.n, 5, 'a change before consent puts nothing in');
    assert.deepEqual(await liveFigures(), []);

    const n = await as(council(), () =>
      services.clubs.contributeBaseline(council(), club, { exerciseId: exercise, embargoUntil: '' }),
    );
    const first = await statistic();
    assert.equal(first?.n, 6, 'counted at once');
    assert.equal((await liveFigures()).length, n);
    const before = await ownFin();
    const baseline = await as(council(), () => services.diagnostics.getBaseline(council(), exercise));
    assert.equal(before, Math.round(baseline.shareOfRunningCosts.FIN! * 1_000_000) / 10_000);

    // Double the running costs: every share halves, in the same transaction as the change.
    await setRunningCosts(exercise, '£500m');
    const after = await ownFin();
    assert.ok(Math.abs(after - before / 2) < 0.0002, `${after} is half of ${before}`);
    assert.equal((await liveFigures()).length, n, 'replaced, not added to');
    const moved = await statistic();
    assert.equal(moved?.n, 6);
    assert.notDeepEqual([moved?.p25, moved?.p50, moved?.p75], [first?.p25, first?.p50, first?.p75]);

    // A stale version is refused and changes nothing; the one read withdraws it.
    const [consent] = await as(council(), () => services.clubs.consents(council(), { clubId: club }));
    assert.ok(consent);
    await assert.rejects(
      as(council(), () =>
        services.clubs.withdrawBaseline(council(), club, { exerciseId: exercise, version: consent.version + 1 }),
      ),
      (e: any) => e.status === 409,
    );
    assert.equal((await statistic())?.n, 6);
    await as(council(), () =>
      services.clubs.withdrawBaseline(council(), club, { exerciseId: exercise, version: consent.version }),
    );
    assert.equal((await statistic())?.n, 5, 'withdrawn at once');
    await setRunningCosts(exercise, '£300m');
    assert.equal((await statistic())?.n, 5, 'a change after withdrawal puts nothing back');
    assert.deepEqual(await liveFigures(), []);
    // One of its figures cannot be withdrawn alone while the baseline follows the exercise.
    await as(council(), () =>
      services.clubs.contributeBaseline(council(), club, { exerciseId: exercise, embargoUntil: '' }),
    );
    const figureId = (await as(council(), () => services.clubs.getClub(council(), club))).standings.find(
      (s) => s.metric === METRIC,
    )!.own!.id;
    await assert.rejects(
      as(council(), () => services.clubs.withdraw(council(), figureId)),
      (e: any) => e.issues?.[0]?.field === 'figureId' && /follows the baseline of/.test(e.issues[0].message),
    );
    const audit = await sql<{ action: string }>`
      select action from audit_event where entity = 'club_baseline_consent' and organisation_id = ${council().organisationId}
      order by id`.execute(t().db);
    assert.deepEqual(
      audit.rows.map((r) => r.action),
      ['create', 'delete', 'create'],
    );
  });

  it('keeps an embargoed baseline out of the statistics through every change until its date', async () => {
    const { services } = t();
    await as(council(), () =>
      services.clubs.contributeBaseline(council(), club, { exerciseId: exercise, embargoUntil: '01/01/2099' }),
    );
    assert.equal((await statistic())?.n, 5, 'embargoed');
    await setRunningCosts(exercise, '£400m');
    assert.equal((await statistic())?.n, 5, 'still embargoed after the change');
    const figures = await liveFigures();
    assert.ok(figures.length > 0);
    assert.ok(
      figures.every((f) => String(f.embargo_until).startsWith('2099-01-01') || f.embargo_until instanceof Date),
    );
    // Consenting again without the embargo replaces the consent: counted now.
    await as(council(), () =>
      services.clubs.contributeBaseline(council(), club, { exerciseId: exercise, embargoUntil: '' }),
    );
    assert.equal((await statistic())?.n, 6);
    assert.equal((await as(council(), () => services.clubs.consents(council(), { clubId: club }))).length, 1);
  });

  it('takes the figures out when the member leaves the club, and when the exercise is deleted', async () => {
    const { services } = t();
    assert.equal((await statistic())?.n, 6);
    await as(council(), () => services.clubs.setMembership(council(), club, false, {}));
    assert.deepEqual(await liveFigures(), [], 'leaving withdraws the consent and its figures');
    await as(council(), () => services.clubs.setMembership(council(), club, true, {}));
    assert.equal((await statistic())?.n, 5, 'joining again brings nothing back without a new consent');
    await setRunningCosts(exercise, '£350m');
    assert.deepEqual(await liveFigures(), []);

    const doomed = await newExercise('Consent Member 1, to delete');
    await as(council(), () =>
      services.clubs.contributeBaseline(council(), club, { exerciseId: doomed, embargoUntil: '' }),
    );
    assert.equal((await statistic())?.n, 6);
    const e = await as(council(), () => services.diagnostics.getExercise(council(), doomed));
    await as(council(), () => services.diagnostics.deleteExercise(council(), doomed, { version: String(e.version) }));
    assert.equal((await statistic())?.n, 5, 'deleting the exercise takes its figures out');
    assert.deepEqual(await liveFigures(), []);
  });

  it('lets no other organisation consent for the exercise, or read or write the consents', async () => {
    const { services, units } = t();
    const other = members[1]!;
    // Forged rows, for another organisation or its own row naming another organisation's exercise
    // (before the council consents, so that no unique index stands in the way).
    for (const organisation of [council().organisationId, other.organisationId])
      await assert.rejects(
        as(other, () =>
          sql`insert into club_baseline_consent (organisation_id, club_id, exercise_id, consented_by)
              values (${organisation}, ${club}, ${exercise}, 'forger')`.execute(units.db),
        ),
        /row-level security/,
      );
    await as(council(), () =>
      services.clubs.contributeBaseline(council(), club, { exerciseId: exercise, embargoUntil: '' }),
    );
    await assert.rejects(
      as(other, () => services.clubs.contributeBaseline(other, club, { exerciseId: exercise, embargoUntil: '' })),
      (e: any) => e.status === 404,
    );
    await assert.rejects(
      as(outsider, () => services.clubs.contributeBaseline(outsider, club, { exerciseId: exercise, embargoUntil: '' })),
      (e: any) => e.status === 404,
    );
    assert.deepEqual(await consentRows(other), [], 'another member reads no consent of the council');
    assert.deepEqual(await consentRows(host), [], 'nor does the host');
    assert.deepEqual(
      [...new Set((await consentRows(council())).map((r) => r.organisation_id))],
      [council().organisationId],
    );
    const withdrawnByOther = await as(
      other,
      async () =>
        (
          await sql`update club_baseline_consent set withdrawn_at = now() where exercise_id = ${exercise}`.execute(
            units.db,
          )
        ).numAffectedRows,
    );
    assert.equal(Number(withdrawnByOther ?? 0), 0);
    await assert.rejects(
      as(other, () => services.clubs.withdrawBaseline(other, club, { exerciseId: exercise, version: 1 })),
      (e: any) => e.issues?.[0]?.field === 'exerciseId',
    );
    assert.equal((await statistic())?.n, 6, 'the council’s baseline still counts');
  });
});
