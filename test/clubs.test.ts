// Benchmarking clubs (issue 11), each organisation's unit of work acting for it as a request's
// does: members see where they stand, the host sees statistics, nobody reads another member's
// figures, and nothing is shown from fewer than five members. On both engines.

import { it, before } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { benchmarkFromPeers } from '../src/domain/diagnostic/quartiles.ts';

describeOnEachEngine('a benchmarking club', (t) => {
  let host: Actor;
  let members: Actor[];
  let outsider: Actor;
  let club: string;
  const as = <T>(actor: Actor, fn: () => Promise<T>) => t().units.run(fn, { organisationId: actor.organisationId });
  const figure = (value: number, embargoUntil: string | null = null) => [
    {
      metric: 'function:FIN:share-of-running-costs',
      label: 'Finance: cost as a share of running costs',
      unit: 'percent' as const,
      direction: 'lower-is-better' as const,
      period: '2009/10',
      value,
      embargoUntil,
    },
  ];
  const statistic = async (actor: Actor) =>
    (await as(actor, () => t().services.clubs.getClub(actor, club))).statistics.find((s) =>
      s.metric.startsWith('function:FIN'),
    );

  before(async () => {
    const { services } = t();
    await withDemo(t()); // Local Partnerships hosts; the demo's own club is not this one.
    const org = async (name: string) =>
      systemActor((await services.organisations.createHome('test', { name, kind: 'council' })).id, 'test');
    host = await org('Club Host Partnership');
    members = [];
    for (const n of [1, 2, 3, 4, 5, 6]) members.push(await org(`Club Member Council ${n}`));
    outsider = await org('Club Outsider Council');
    club = await as(host, () => services.clubs.createClub(host, { name: 'Test club' }));
    for (const m of members) {
      const slug = (await services.organisations.getOwn(m)).slug!;
      await as(host, () => services.clubs.invite(host, club, { member: slug }));
    }
  });

  it('refuses an invitation by a wrong address name, or twice', async () => {
    const { services } = t();
    await assert.rejects(
      as(host, () => services.clubs.invite(host, club, { member: 'no-such-council' })),
      (e: any) => /No organisation uses Amber/.test(e.issues?.[0]?.message),
    );
    const slug = (await services.organisations.getOwn(members[0]!)).slug!;
    await assert.rejects(
      as(host, () => services.clubs.invite(host, club, { member: slug })),
      (e: any) => /already been invited/.test(e.issues?.[0]?.message),
    );
    // Only the host invites.
    await assert.rejects(
      as(members[0]!, () =>
        services.clubs.invite(
          {
            ...members[0]!,
            kind: 'user',
            userId: '00000000-0000-4000-8000-000000000001',
            roles: ['administrator'],
          },
          club,
          { member: 'leeds' },
        ),
      ),
      (e: any) => e.status === 404,
    );
  });

  it('withholds every statistic from fewer than five members, and from five whose quartiles are their own figures', async () => {
    const { services } = t();
    const values = [2.4, 3.1, 1.9, 2.8, 3.6];
    for (const [i, m] of members.slice(0, 4).entries()) {
      await as(m, () => services.clubs.setMembership(m, club, true, {}));
      await as(m, () => services.clubs.contributeIllustrative(m, club, figure(values[i]!)));
    }
    const four = await statistic(host);
    assert.equal(four?.n, 4);
    assert.equal(four?.p50, null, 'four members: withheld');
    const memberView = await as(members[0]!, () => services.clubs.getClub(members[0]!, club));
    assert.match(memberView.standings[0]!.withheld ?? '', /Withheld: 4 members contributed/);

    const fifth = members[4]!;
    await as(fifth, () => services.clubs.setMembership(fifth, club, true, {}));
    await as(fifth, () => services.clubs.contributeIllustrative(fifth, club, figure(values[4]!)));
    const five = await statistic(host);
    const expected = benchmarkFromPeers(
      values.map((value, i) => ({ organisation: String(i), value })),
      { source: '', year: '', peerGroup: '' },
    );
    assert.ok(expected.ok);
    assert.ok(
      [expected.set.p25, expected.set.p50, expected.set.p75].every((q) => values.includes(q)),
      'PERCENTILE.INC’s quartiles of five are the 2nd, 3rd and 4th members’ own figures',
    );
    assert.deepEqual(
      [five?.n, five?.p25, five?.p50, five?.p75, five?.withheldBecause],
      [5, null, null, null, 'members-figures'],
      'so the club withholds them (ADR 0016; test/club-disclosure.test.ts shows six)',
    );

    const standing = (await as(fifth, () => services.clubs.getClub(fifth, club))).standings[0]!;
    assert.equal(standing.comparison, undefined);
    assert.match(standing.withheld ?? '', /^Withheld: with 5 members a quartile would be one member’s own figure/);
  });

  it('never shows anyone another member’s figures, whatever the query', async () => {
    const { units } = t();
    const rows = async (actor: Actor) =>
      as(
        actor,
        async () =>
          (await sql<{ organisation_id: string }>`select organisation_id from club_figure`.execute(units.db)).rows,
      );
    assert.deepEqual(
      (await rows(members[0]!)).map((r) => r.organisation_id),
      [members[0]!.organisationId],
    );
    assert.deepEqual(await rows(host), [], 'the host sees statistics only');
    const outsiderStats = await as(
      outsider,
      async () => (await sql`select * from amber_club_statistics(${club})`.execute(units.db)).rows,
    );
    assert.deepEqual(outsiderStats, [], 'an organisation outside the club gets no statistics');
    await assert.rejects(
      as(outsider, () => t().services.clubs.getClub(outsider, club)),
      (e: any) => e.status === 404,
    );
    // Invited but not joined: no statistics either.
    const invited = members[5]!;
    const view = await as(invited, () => t().services.clubs.getClub(invited, club));
    assert.deepEqual(view.statistics, []);
    // A figure cannot be written for another organisation, or into a club one is not in.
    await assert.rejects(
      as(members[0]!, () =>
        sql`insert into club_figure (organisation_id, club_id, metric, label, unit, direction, period, value, source, contributed_by)
        values (${members[1]!.organisationId}, ${club}, 'm', 'l', 'number', 'lower-is-better', 'p', 1, 'illustrative', 'x')`.execute(
          units.db,
        ),
      ),
      /row-level security/,
    );
  });

  it('counts an embargoed figure only from its date, and withholds again when a fifth member leaves', async () => {
    const { services } = t();
    const sixth = members[5]!;
    await as(sixth, () => services.clubs.setMembership(sixth, club, true, {}));
    await as(sixth, () => services.clubs.contributeIllustrative(sixth, club, figure(2.0, '2099-01-01')));
    assert.equal((await statistic(host))?.n, 5, 'embargoed until 2099: not counted');
    const leaver = members[4]!;
    await as(leaver, () => services.clubs.setMembership(leaver, club, false, {}));
    const after = await statistic(host);
    assert.equal(after?.n, 4);
    assert.equal(after?.p50, null, 'a fifth member leaving withholds it');
    await assert.rejects(
      as(leaver, () => services.clubs.getClub(leaver, club)),
      (e: any) => e.status === 404,
    );
  });

  it('turns a member’s diagnostic baseline into figures of its functions’ costs as shares of running costs', async () => {
    const { services } = t();
    const leeds = await withDemo(t());
    const exercise = (await services.diagnostics.listExercises(leeds))[0]!;
    // Leeds joins this club too, and contributes its (illustrative) baseline.
    await as(host, () => services.clubs.invite(host, club, { member: 'leeds' }));
    await as(leeds, () => services.clubs.setMembership(leeds, club, true, {}));
    const n = await as(leeds, () =>
      services.clubs.contributeBaseline(leeds, club, { exerciseId: exercise.id, embargoUntil: '' }),
    );
    assert.ok(n >= 5, `${n} functions`);
    const own = (await as(leeds, () => services.clubs.getClub(leeds, club))).standings.filter((s) => s.own);
    assert.equal(own.length, n);
    assert.ok(own.every((s) => s.own!.unit === 'percent' && s.own!.value >= 0 && s.own!.value < 100));
  });

  it('gives the efficiency programme a computed benchmark from a club’s statistics, never from fewer than five', async () => {
    const { services } = t();
    const leeds = await withDemo(t());
    const exercise = (await services.diagnostics.listExercises(leeds))[0]!;
    const decats = (await as(leeds, () => services.clubs.listClubs(leeds))).find(
      (c) => c.name === 'DECATS benchmarking club',
    )!;
    const offered = await as(leeds, () => services.efficiency.benchmarkClubs(leeds));
    assert.ok(offered.some((c) => c.id === decats.id));
    const stats = (await as(leeds, () => services.clubs.getClub(leeds, decats.id))).statistics;
    const fin = stats.find((s) => s.metric.startsWith('function:') && s.p50 !== null)!;
    const code = fin.metric.split(':')[1]!;
    const made = await as(leeds, () =>
      services.efficiency.computeBenchmark(leeds, exercise.id, { functionCode: code, clubId: decats.id }),
    );
    assert.equal(made.n, 6, 'Leeds and the five illustrative councils');
    assert.match(made.source, /DECATS benchmarking club \(hosted by Local Partnerships\)/);
    assert.equal(Number(made.p50), fin.p50);
    // This test's own club has fewer than five members' figures of that function: refused, naming
    // the field and the club's reason (test/club-benchmark-refusal.test.ts gives the other reasons).
    await as(host, () => services.clubs.invite(host, club, { member: 'leeds' }).catch(() => undefined));
    await assert.rejects(
      as(leeds, () => services.efficiency.computeBenchmark(leeds, exercise.id, { functionCode: code, clubId: club })),
      (e: any) =>
        e.issues?.[0]?.field === 'functionCode' &&
        /^Test club gives no benchmark for .+ in 2009\/10: [0-4] members? contributed, and nothing is shown from fewer than 5$/.test(
          e.issues[0].message,
        ),
    );
  });

  it('withholds a shared metric whose members disagree on which way is better, and shows its own name when their labels differ', async () => {
    const { services } = t();
    const c = await as(host, () => services.clubs.createClub(host, { name: 'Disagreeing club' }));
    for (const [i, m] of [...members.slice(0, 4), members[5]!].entries()) {
      const slug = (await services.organisations.getOwn(m)).slug!;
      await as(host, () => services.clubs.invite(host, c, { member: slug }));
      await as(m, () => services.clubs.setMembership(m, c, true, {}));
      await as(m, () =>
        services.clubs.contributeIllustrative(m, c, [
          {
            metric: 'indicator:LGI-1',
            label: `Days to pay, as council ${i} calls it`,
            unit: 'number',
            direction: i === 4 ? 'higher-is-better' : 'lower-is-better',
            period: '2009/10 Q1',
            value: 10 + i,
            embargoUntil: null,
          },
        ]),
      );
    }
    const [stat] = (await as(host, () => services.clubs.getClub(host, c))).statistics;
    assert.equal(stat?.n, 5);
    assert.equal(stat?.p50, null, 'five members, but not comparable');
    assert.equal(stat?.label, 'indicator:LGI-1');
  });
});
