// A benchmarking club never publishes a quartile that is one member's own figure (issue 11, ADR
// 0016). Five members' quartiles (PERCENTILE.INC) are the 2nd, 3rd and 4th members' figures: the
// club withholds them, with the reason, in the service, the API and the CSV download. Six members'
// are interpolated between members' figures and shown, equal to no member's; a tie that puts a
// quartile on a member's figure withholds them again. Both engines.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, createTestSession, type TestApp, type TestSession } from './helpers/app.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { percentileInc } from '../src/domain/diagnostic/quartiles.ts';

const PERIOD = '2009/10';
const SPEED = { metric: 'indicator:LGI-DISCLOSE', label: 'Days to process a claim', unit: 'number' as const };
const TIED = { metric: 'indicator:LGI-TIED', label: 'Complaints per 1,000 residents', unit: 'number' as const };
/** In the order the members contribute: the sixth joins last. */
const SPEEDS = [2.4, 3.1, 1.9, 2.8, 3.6, 2.0];
/** Two members tie at the 25th percentile of six. */
const TIES = [1, 2, 2, 3, 4, 5];

for (const engine of ENGINES)
  describe(`a benchmarking club’s quartiles are never one member’s figure [${engine}]`, () => {
    let t: TestApp;
    let host: Actor;
    let hostAdmin: TestSession;
    const members: { actor: Actor; session: TestSession }[] = [];
    let club: string;

    const as = <T>(actor: Actor, fn: () => Promise<T>) => t.units.run(fn, { organisationId: actor.organisationId });
    const figure = (m: typeof SPEED, value: number) => ({
      ...m,
      direction: 'lower-is-better' as const,
      period: PERIOD,
      value,
      embargoUntil: null,
    });
    const join = async (i: number) => {
      const { actor } = members[i]!;
      await as(actor, () => t.services.clubs.setMembership(actor, club, true, {}));
      await as(actor, () =>
        t.services.clubs.contributeIllustrative(actor, club, [figure(SPEED, SPEEDS[i]!), figure(TIED, TIES[i]!)]),
      );
    };
    const apiClub = async (who: TestSession) => {
      const r = await t.app.inject({ url: paths.api.club(club), headers: who.headers });
      assert.equal(r.statusCode, 200, r.body);
      return r.json<{
        statistics: {
          metric: string;
          n: number;
          p25: number | null;
          p50: number | null;
          p75: number | null;
          withheld: boolean;
          withheldBecause: string | null;
        }[];
        standings: {
          metric: string;
          own: number | null;
          band: string | null;
          median: number | null;
          bestQuartile: number | null;
          withheld: string | null;
        }[];
      }>();
    };
    const csv = async () => {
      const r = await t.app.inject({ url: paths.clubs.statisticsCsv(club), headers: hostAdmin.headers });
      assert.equal(r.statusCode, 200, r.body);
      return r.body;
    };
    /** Every aggregate the API publishes for the metric, to its host and to each member. */
    const published = async (metric: string) => {
      const out: number[] = [];
      for (const who of [hostAdmin, ...members.map((m) => m.session)]) {
        const view = await apiClub(who).catch(() => undefined);
        if (!view) continue;
        for (const s of view.statistics.filter((x) => x.metric === metric))
          out.push(...[s.p25, s.p50, s.p75].filter((v): v is number => v !== null));
        for (const s of view.standings.filter((x) => x.metric === metric))
          out.push(...[s.median, s.bestQuartile].filter((v): v is number => v !== null));
      }
      return out;
    };

    before(async () => {
      t = await buildTestApp(engine);
      const org = async (name: string) =>
        (await t.services.organisations.createHome('test', { name, kind: 'council' })).id;
      const hostId = await org('Disclosure Club Host');
      host = systemActor(hostId, 'test');
      hostAdmin = await createTestSession(t.services, hostId, ['administrator']);
      club = await as(host, () => t.services.clubs.createClub(host, { name: 'Disclosure club' }));
      for (const n of [1, 2, 3, 4, 5, 6]) {
        const id = await org(`Disclosure Member Council ${n}`);
        const slug = (await t.services.organisations.getOwn(systemActor(id, 'test'))).slug!;
        await as(host, () => t.services.clubs.invite(host, club, { member: slug }));
        members.push({ actor: systemActor(id, 'test'), session: await createTestSession(t.services, id, ['viewer']) });
      }
      for (const i of [0, 1, 2, 3, 4]) await join(i);
    });
    after(async () => t?.close());

    it('withholds five members’ quartiles, which would be three of their own figures, saying why', async () => {
      assert.deepEqual(
        [0.25, 0.5, 0.75].map((k) => SPEEDS.slice(0, 5).includes(percentileInc(SPEEDS.slice(0, 5), k))),
        [true, true, true],
        'the premise: every quartile of these five is a member’s figure',
      );
      const view = await as(host, () => t.services.clubs.getClub(host, club));
      const stat = view.statistics.find((s) => s.metric === SPEED.metric)!;
      assert.deepEqual(
        [stat.n, stat.p25, stat.p50, stat.p75, stat.withheldBecause],
        [5, null, null, null, 'members-figures'],
      );
      const member = members[0]!.actor;
      const standing = (await as(member, () => t.services.clubs.getClub(member, club))).standings.find(
        (s) => s.metric === SPEED.metric,
      )!;
      assert.equal(standing.comparison, undefined);
      assert.equal(
        standing.withheld,
        'Withheld: with 5 members a quartile would be one member’s own figure, so none is shown until it is not (usually one more member)',
      );

      const api = await apiClub(members[0]!.session);
      const s = api.statistics.find((x) => x.metric === SPEED.metric)!;
      assert.deepEqual(
        [s.withheld, s.withheldBecause, s.p25, s.p50, s.p75],
        [true, 'members-figures', null, null, null],
      );
      const mine = api.standings.find((x) => x.metric === SPEED.metric)!;
      assert.deepEqual([mine.own, mine.band, mine.median, mine.bestQuartile], [SPEEDS[0], null, null, null]);
      assert.deepEqual(await published(SPEED.metric), [], 'nothing published for it, to anyone');
      const download = await csv();
      assert.match(
        download,
        /Days to process a claim,2009\/10,lower-is-better,5,,,,withheld: a quartile would be one member’s own figure/,
      );
      for (const v of SPEEDS.slice(0, 5))
        assert.ok(!new RegExp(`,${v},`).test(download), `${v} is not in the download`);
    });

    it('shows six members’ quartiles, interpolated and equal to no member’s figure, in the service, the API and the CSV', async () => {
      await join(5);
      const view = await as(host, () => t.services.clubs.getClub(host, club));
      const stat = view.statistics.find((s) => s.metric === SPEED.metric)!;
      const expected = [0.25, 0.5, 0.75].map((k) => percentileInc(SPEEDS, k));
      assert.equal(stat.withheldBecause, null);
      [stat.p25, stat.p50, stat.p75].forEach((v, j) => assert.ok(Math.abs(v! - expected[j]!) < 1e-9, `${v}`));
      const shown = await published(SPEED.metric);
      assert.ok(shown.length >= 3 + 6 * 2, `${shown.length} published figures`);
      for (const v of shown)
        assert.ok(!SPEEDS.some((m) => Math.abs(m - v) < 1e-9), `${v} published is a member’s own figure`);
      const member = members[5]!.actor;
      const standing = (await as(member, () => t.services.clubs.getClub(member, club))).standings.find(
        (s) => s.metric === SPEED.metric,
      )!;
      assert.equal(standing.withheld, undefined);
      assert.equal(standing.comparison?.label, 'Upper quartile (best 25%)', '2.0 is the second lowest cost of six');
      const download = await csv();
      for (const v of SPEEDS) assert.ok(!new RegExp(`,${v},`).test(download), `${v} is not in the download`);
    });

    it('withholds six members’ quartiles when a tie puts one on a member’s figure', async () => {
      assert.equal(
        percentileInc(TIES, 0.25),
        2,
        'the premise: the 25th percentile of these six is 2, two members’ figure',
      );
      const stat = (await as(host, () => t.services.clubs.getClub(host, club))).statistics.find(
        (s) => s.metric === TIED.metric,
      )!;
      assert.deepEqual(
        [stat.n, stat.p25, stat.p50, stat.p75, stat.withheldBecause],
        [6, null, null, null, 'members-figures'],
      );
      assert.deepEqual(await published(TIED.metric), []);
    });
  });
