// A benchmark the efficiency programme cannot compute from a club says the club's own reason (issue
// 11, ADR 0016), on the page, through the API and as the club's CSV download says it: five members
// or more can still be withheld — because a quartile would be one member's own figure, or because
// the members disagree on which way is better — and a refusal that blamed the count ("needs at
// least 5") would be wrong there. Nothing is written when it is refused. An organisation in no
// club is told where benchmarks from peers come from (clubs only, ADR 0018). Both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';

const PERIOD = '2009/10';
/** Function code → each member's figure (Leeds first), and which way each calls better. */
const FIGURES: Record<string, { values: number[]; higherIsBetter?: number }> = {
  // Five distinct figures: PERCENTILE.INC's quartiles of five are the 2nd, 3rd and 4th of them.
  FIN: { values: [2.4, 3.1, 1.9, 2.8, 3.6] },
  // Five figures, but the fifth member says higher is better: not comparable.
  HR: { values: [1.1, 1.5, 1.2, 1.9, 1.4], higherIsBetter: 4 },
  // Four members only.
  ICT: { values: [4.1, 4.4, 3.9, 5.2] },
};

for (const engine of ENGINES)
  describe(`a benchmark refused from a club gives the club’s reason [${engine}]`, () => {
    let t: TestApp;
    let leeds: Actor;
    let exerciseId: string;
    let club: string;
    const as = <T>(actor: Actor, fn: () => Promise<T>) => t.units.run(fn, { organisationId: actor.organisationId });

    before(async () => {
      t = await buildTestApp(engine);
      leeds = systemActor((await t.services.organisations.getHome()).id, 'test');
      exerciseId = (await t.services.diagnostics.listExercises(leeds))[0]!.id;
      const org = async (name: string) =>
        systemActor((await t.services.organisations.createHome('test', { name, kind: 'council' })).id, 'test');
      const host = await org('Refusal Club Host');
      club = await as(host, () => t.services.clubs.createClub(host, { name: 'Refusal club' }));
      const members = [leeds];
      for (const n of [1, 2, 3, 4]) members.push(await org(`Refusal Member Council ${n}`));
      for (const [i, m] of members.entries()) {
        const slug = (await t.services.organisations.getOwn(m)).slug!;
        await as(host, () => t.services.clubs.invite(host, club, { member: slug }));
        await as(m, () => t.services.clubs.setMembership(m, club, true, {}));
        const figures = Object.entries(FIGURES)
          .filter(([, f]) => f.values[i] !== undefined)
          .map(([code, f]) => ({
            metric: `function:${code}:share-of-running-costs`,
            label: `${code}: cost as a share of running costs`,
            unit: 'percent' as const,
            direction: f.higherIsBetter === i ? ('higher-is-better' as const) : ('lower-is-better' as const),
            period: PERIOD,
            value: f.values[i]!,
            embargoUntil: null,
          }));
        await as(m, () => t.services.clubs.contributeIllustrative(m, club, figures));
      }
    });
    after(async () => t?.close());

    const benchmarkCount = async () =>
      (await as(leeds, () => t.services.efficiency.benchmarks(leeds, exerciseId))).sets.length;

    const cases: [code: string, name: string, reason: string, csv: string][] = [
      [
        'FIN',
        'Finance',
        'with 5 members a quartile would be one member’s own figure, so none is shown until it is not (usually one more member)',
        'withheld: a quartile would be one member’s own figure',
      ],
      [
        'HR',
        'Human resources',
        'the members who contributed it disagree on its unit or on which way is better, so it cannot be compared',
        'withheld: members disagree on its unit or direction',
      ],
      ['ICT', 'ICT', '4 members contributed, and nothing is shown from fewer than 5', 'withheld: fewer than 5 members'],
    ];

    for (const [code, name, reason, csvReason] of cases)
      it(`refuses ${code} with “${reason.slice(0, 40)}…” on the page, in the API and in the CSV, writing nothing`, async () => {
        const message = `Refusal club gives no benchmark for ${name} in ${PERIOD}: ${reason}`;
        const before = await benchmarkCount();

        const page = await t.app.inject({
          method: 'POST',
          url: paths.efficiency.computedBenchmarks(exerciseId),
          ...form({ functionCode: code, clubId: club }),
        });
        assert.equal(page.statusCode, 422, page.body);
        assert.ok(page.body.includes(message), `the page says: ${message}`);
        assert.ok(!/needs at least 5/.test(page.body));

        const api = await t.app.inject({
          method: 'POST',
          url: paths.api.computedBenchmarks(exerciseId),
          payload: { functionCode: code, clubId: club },
        });
        assert.equal(api.statusCode, 422, api.body);
        assert.deepEqual(api.json().errors, [{ field: 'functionCode', message }]);

        const csv = await t.app.inject({ url: paths.clubs.statisticsCsv(club) });
        assert.equal(csv.statusCode, 200, csv.body);
        const row = csv.body.split(/\r?\n/).find((l) => l.startsWith(`function:${code}:`));
        assert.ok(row?.endsWith(`,${csvReason}`), `the CSV row ${row} ends with ${csvReason}`);

        assert.equal(await benchmarkCount(), before, 'no benchmark written');
      });

    it('tells an organisation in no club where benchmarks from peers come from, and refuses one naming the club (ADR 0018)', async () => {
      for (const c of await as(leeds, () => t.services.clubs.listClubs(leeds)))
        if (c.membership?.joinedAt && !c.membership.leftAt)
          await as(leeds, () => t.services.clubs.setMembership(leeds, c.id, false, {}));
      const before = await benchmarkCount();
      const page = await t.app.inject({ url: paths.efficiency.benchmarks(exerciseId) });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-qa="no-clubs"/);
      assert.ok(!page.body.includes('data-qa="compute-form"'), 'nothing to compute from');
      const message =
        /^Your organisation is in no benchmarking club: benchmarks are computed from a club’s members only/;
      const posted = await t.app.inject({
        method: 'POST',
        url: paths.efficiency.computedBenchmarks(exerciseId),
        ...form({ functionCode: 'FIN', clubId: club }),
      });
      assert.equal(posted.statusCode, 404, 'a club it has left is not found');
      const refused = await t.app.inject({
        method: 'POST',
        url: paths.efficiency.computedBenchmarks(exerciseId),
        ...form({ functionCode: 'FIN' }),
      });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /href="#clubId"/);
      assert.match(refused.body, /id="clubId"/);
      const api = await t.app.inject({
        method: 'POST',
        url: paths.api.computedBenchmarks(exerciseId),
        payload: { functionCode: 'FIN' },
      });
      assert.equal(api.statusCode, 422, api.body);
      const [issue] = api.json().errors as { field: string; message: string }[];
      assert.equal(issue!.field, 'clubId');
      assert.match(issue!.message, message);
      assert.equal(await benchmarkCount(), before, 'no benchmark written');
    });
  });
