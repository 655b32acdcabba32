// A benchmarking club in the browser (issue 11, test b), with real sign-in as each organisation's
// people: a new host, the Yorkshire Benchmarking Partnership, has its administrator start a club
// (refused once without a name) and invite six councils by their Amber address names (refused once
// for an address name nobody uses); each council's performance officer joins and contributes the
// value of its own indicator under the identifier the club compares by, and its diagnostic
// baseline (each function's cost as a share of its running costs; the councils' exercises are set
// up through the services, with different running costs). Up to the fourth the statistics are
// withheld; at the fifth too, since the quartiles of five members are three members' own figures
// (ADR 0016); from the sixth each council sees its quartile band, the median, the best quartile
// and its gaps to them, and never another council's figure; then each of the first five, back on
// the club's page, sees where it stands against all six. The host sees the club's statistics (6
// members, the quartiles), not the members' figures; two councils leave and the statistics are
// withheld again, for the host and the members. axe-core runs on every page visited. The
// indicator and Finance's share of running costs are checked figure by figure; the other
// functions' figures follow the same statistics.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { sequentialSteps } from './support/steps.ts';
import { NotFoundPage, SignInPage, currentOrganisation, onlyFlash, signOut } from './pages/sharing-pages.ts';
import { ClubsPage, ClubPage, type ClubFormPage, type Standing } from './pages/club-pages.ts';
import type { PriorityListPage } from './pages/priority-pages.ts';
import { textOf } from './pages/base-page.ts';
import { systemActor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { copyData, sampleWorkbook } from '../test/fixtures/diagnostic/sample.ts';
import { benchmarkFromPeers, compareWithBenchmark, percentileInc } from '../src/domain/diagnostic/quartiles.ts';
import { paths } from '../src/paths.ts';

const PASSWORD = 'a long e2e password';
const HOST = {
  name: 'Yorkshire Benchmarking Partnership',
  admin: { email: 'admin@ybp.example', name: 'Pat Host' },
};
const CLUB = {
  name: 'Housing Benefit processing club',
  description: 'Members compare how long they take to process new Housing Benefit claims.',
};
const SHARED_CODE = 'LGI-1234';
const PERIOD = '2009-10-q1';
const INDICATOR = {
  title: 'Average days to process new Housing Benefit claims',
  unitKind: 'days',
  decimalPlaces: '1',
  polarity: 'lower',
  frequency: 'quarterly',
  ytdMethod: 'average',
  ruleKind: 'percent',
  tolerance: '5',
};
// Made-up councils, each with its own code for the indicator (the club compares by SHARED_CODE),
// and its value (days; lower is better). In the order they contribute. Against five members the
// statistic is withheld (its quartiles would be members' values); the sixth's value is well inside
// a band against six.
// Each has a diagnostic exercise of the same sample data with its own running costs, so Finance's
// share of running costs differs by council (the club stores it as a percentage to 4 places).
const COUNCILS = [
  { name: 'Northdale Borough Council', code: 'NI 181', value: '47.3', runningCosts: '£310m' },
  { name: 'Eastmoor District Council', code: 'HB-NEW', value: '29.4', runningCosts: '£265m' },
  { name: 'Westholme City Council', code: 'NI 181', value: '58.9', runningCosts: '£420m' },
  { name: 'Southfield Metropolitan Council', code: 'BEN 1', value: '36.2', runningCosts: '£380m' },
  { name: 'Highcliffe Council', code: 'NI 181', value: '63.8', runningCosts: '£230m' },
  { name: 'Lowbridge Borough Council', code: 'HB 01', value: '41.7', runningCosts: '£345m' },
].map((c, i) => ({
  ...c,
  slug: '',
  exercise: `${c.name} diagnostic 2009/10`,
  /** Finance's share of its running costs, as the club holds it (set up in `before`). */
  finance: 0,
  officer: { email: `officer${i + 1}@council${i + 1}.example`, name: `Performance Officer ${i + 1}` },
}));
type Council = (typeof COUNCILS)[number];

/** As the club's pages show a figure (presenter's formatValue, unit "number"). */
const shown = (n: number) => n.toLocaleString('en-GB', { maximumFractionDigits: 4 });
/** … and a percentage (a baseline's share of running costs). */
const shownPercent = (n: number) => `${n.toLocaleString('en-GB', { maximumFractionDigits: 2 })}%`;
const provenance = { source: CLUB.name, year: PERIOD, peerGroup: CLUB.name };
/** The quartiles the club should have from these councils' figures. */
const benchmark = (councils: Council[], figure: (c: Council) => number) => {
  const r = benchmarkFromPeers(
    councils.map((c) => ({ organisation: c.name, value: figure(c) })),
    provenance,
  );
  assert.ok(r.ok, 'five or more councils');
  return r.set;
};
const indicatorValue = (c: Council) => Number(c.value);
const financeShare = (c: Council) => c.finance;

// A guard against a hang, not a measure: six councils' sign-ins and contributions take 1–2 minutes
// on two cores, up to 4 when the machine is busy (the shards run side by side).
describe('a benchmarking club of six councils, in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  let clubId: string;
  /** The label of the figure (the first council's indicator title and the shared code) and of its period. */
  let figureLabel: string;
  let periodLabel: string;
  /** Finance's figure of a baseline, as the club labels it, and the financial year it is for. */
  let financeLabel: string;
  const financeYear = '2009/10';
  /** How many figures a baseline contributes (one per function with a share of running costs). */
  let baselineFigures: number;

  const step = sequentialSteps();

  /** Signs in through the sign-in page (signing out first when someone is signed in). */
  const signIn = async (email: string, password = PASSWORD): Promise<PriorityListPage> => {
    const { page } = session;
    const here = new SignInPage(page);
    const signedIn = async () => (await page.locator('[data-qa="sign-out"]').count()) > 0;
    if (!(await signedIn())) await page.goto(paths.signIn);
    const signInPage = (await signedIn()) ? await signOut(here) : await here.verifyOnPage();
    return signInPage.signIn(email, password);
  };

  /** A council's officer signs in and goes to the list of clubs. */
  const clubsAs = async (council: (typeof COUNCILS)[number]): Promise<ClubsPage> => {
    const home = await signIn(council.officer.email);
    assert.equal(await currentOrganisation(session.page), council.name);
    return home.navigateTo('Benchmarking clubs', new ClubsPage(session.page));
  };
  /** … and opens the club from there. */
  const openClubAs = async (council: (typeof COUNCILS)[number]): Promise<ClubPage> =>
    (await clubsAs(council)).openClub(CLUB.name);

  /** Fails if the page (its whole document, hidden fields too) shows any of these councils' figures. */
  const showsNoValueOf = async (page: ClubPage, councils: Council[], why: string) => {
    const html = await page.page.content();
    const text = (await page.page.locator('main').innerText()).replace(/\s+/g, ' ');
    for (const c of councils)
      for (const v of [shown(Number(c.value)), shownPercent(c.finance)])
        assert.ok(!html.includes(`>${v}<`), `${why}: ${c.name}’s figure ${v} is in the page’s document\n${text}`);
  };

  /** The council's standing for one figure, found by its label. */
  const standingOf = (standings: Standing[], label: string): Standing => {
    const found = standings.find((s) => s.figure === `${label} Lower is better`);
    assert.ok(found, `no standing for ${label}: ${JSON.stringify(standings.map((s) => s.figure))}`);
    return found;
  };
  /** A standing against the councils so far: its band, median, best quartile and the gaps to them. */
  const assertStanding = (
    mine: Standing,
    value: number,
    councils: Council[],
    figure: (c: Council) => number,
    fmt: (n: number) => string,
    who: string,
  ) => {
    const set = benchmark(councils, figure);
    const expected = compareWithBenchmark(value, set, 'lower-is-better');
    assert.ok(expected.ok);
    assert.equal(mine.withheld, undefined, `${who} sees its quartile`);
    assert.equal(mine.band, expected.label, `${who}’s ${value} against ${councils.length}`);
    assert.equal(mine.median, fmt(set.p50));
    assert.equal(mine.best, fmt(set.p25));
    assert.equal(mine.gapToMedian, fmt(expected.gapToMedian));
    assert.equal(mine.gapToBest, fmt(expected.gapToBest));
  };

  before(async () => {
    session = await startSession({ as: false });
    const { services, units } = session.testApp;
    assert.ok(await services.organisations.findHome(), 'the demo is loaded');
    // A host of our own: the demo's Local Partnerships hosts a DECATS club already.
    const host = await services.organisations.createHome('e2e', { name: HOST.name, kind: 'public_body' });
    await services.accounts.createUser(systemActor(host.id, 'e2e'), {
      email: HOST.admin.email,
      name: HOST.admin.name,
      roles: ['administrator'],
      password: PASSWORD,
    });
    for (const council of COUNCILS) {
      const org = await services.organisations.createHome('e2e', { name: council.name, kind: 'council' });
      council.slug = org.slug!;
      const actor = systemActor(org.id, 'e2e');
      await services.accounts.createUser(actor, {
        email: council.officer.email,
        name: council.officer.name,
        roles: ['performance_officer'],
        password: PASSWORD,
      });
      // As the council itself (row-level security on), as its own pages would.
      await units.run(
        async () => {
          await services.periods.ensure(actor, PERIOD);
          await services.indicators.create(actor, { ...INDICATOR, code: council.code });
          await services.indicators.setValue(actor, council.code, { period: PERIOD, actual: council.value });
          const exercise = await services.diagnostics.createExercise(actor, {
            name: council.exercise,
            financialYear: '2009',
            runningCosts: council.runningCosts,
            headcount: '',
            taxonomyVersionId: DEFAULT_TAXONOMY_ID,
          });
          await services.diagnostics.upload(actor, exercise, {
            file: { filename: 'diagnostic.xlsx', data: await sampleWorkbook(copyData()) },
          });
          const baseline = await services.diagnostics.getBaseline(actor, exercise);
          // As the club rounds it (club.service.ts's baselineFigures).
          council.finance = Math.round(baseline.shareOfRunningCosts.FIN! * 1_000_000) / 10_000;
          financeLabel = `${baseline.exercise.taxonomy.functions.find((f) => f.code === 'FIN')!.name}: cost as a share of running costs`;
          baselineFigures = Object.values(baseline.shareOfRunningCosts).filter((v) => v !== undefined).length;
          if (council === COUNCILS[0]) {
            const { indicator, points } = await services.indicators.points(actor, council.code);
            figureLabel = `${indicator.title} (${SHARED_CODE})`;
            periodLabel = points.find((p) => p.period.key === PERIOD)!.label;
          }
        },
        { organisationId: org.id },
      );
    }
    assert.equal(new Set(COUNCILS.map((c) => c.slug)).size, COUNCILS.length, 'six address names');
    assert.equal(new Set(COUNCILS.map((c) => c.finance)).size, COUNCILS.length, 'six different shares');
  });
  after(async () => {
    await session?.close();
  });

  step('the host’s administrator starts the club and invites the six councils by address name', async () => {
    const { page } = session;
    const home = await signIn(HOST.admin.email);
    assert.equal(await currentOrganisation(page), HOST.name);
    const clubs = await home.navigateTo('Benchmarking clubs', new ClubsPage(page));
    assert.equal(await clubs.row('DECATS benchmarking club'), undefined, 'the demo’s club is not ours to see');
    const form: ClubFormPage = await clubs.startClub();

    // Without a name: refused, the summary naming the field, and the description kept.
    await form.fill({ name: '', description: CLUB.description });
    const errors = await form.saveExpectingErrors();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#name'],
    );
    assert.match(errors[0]!.text, /name/i);
    assert.equal(await page.locator('#description').inputValue(), CLUB.description, 'the description is kept');

    await form.fill({ name: CLUB.name });
    let club = await form.save(CLUB.name);
    clubId = club.id();
    assert.equal(
      await onlyFlash(club),
      'Success The club has been created. Invite its members by their Amber address names.',
    );
    assert.equal(await club.hostedBy(), `Hosted by ${HOST.name}`);
    assert.equal(await textOf(club.qa('no-statistics')), 'No member has contributed figures yet.');
    assert.deepEqual(await club.members(), []);

    // An address name nobody uses: refused, saying so beside the field, and what was typed kept.
    const refused = await club.inviteExpectingErrors('northdale-council-typo');
    assert.deepEqual(
      refused.map((e) => e.href),
      ['#member'],
    );
    assert.match(refused[0]!.text, /No organisation uses Amber at the address name “northdale-council-typo”/);
    assert.equal(await page.locator('#member').inputValue(), 'northdale-council-typo');

    for (const council of COUNCILS) {
      club = await club.invite(council.slug);
      assert.equal(
        await onlyFlash(club),
        'Success The organisation has been invited. Its figures count once it joins.',
      );
    }
    assert.deepEqual(await club.members(), COUNCILS.map((c) => `${c.name}: Invited, not joined yet`).sort());
    assert.match(await textOf(page.locator('main')), /0 of 6 invited organisations have joined\./);
  });

  step(
    'each council joins and contributes its value and its baseline: withheld up to the fifth, its quartiles from the sixth',
    async () => {
      for (const [i, council] of COUNCILS.entries()) {
        const contributed = COUNCILS.slice(0, i + 1);
        const others = COUNCILS.filter((c) => c !== council);
        const list = await clubsAs(council);
        assert.deepEqual(await list.row(CLUB.name), {
          name: CLUB.name,
          hostedBy: HOST.name,
          role: 'Invited: not joined yet',
          linked: true,
        });
        let club = await list.openClub(CLUB.name);
        assert.ok(await club.canJoin(), `${council.name} is invited, not yet a member`);
        assert.deepEqual(await club.standings(), []);
        await showsNoValueOf(club, others, `${council.name}, invited`);

        club = await club.join();
        assert.equal(
          await onlyFlash(club),
          'Success Your organisation has joined the club. Contribute its figures to see where it stands.',
        );
        await showsNoValueOf(club, others, `${council.name}, joined`);

        club = await club.contributeIndicator({ indicator: council.code, sharedCode: SHARED_CODE, period: PERIOD });
        assert.equal(await onlyFlash(club), 'Success Your figures have been contributed.');
        club = await club.contributeBaseline(council.exercise);
        assert.equal(
          await onlyFlash(club),
          'Success The baseline has been contributed. Its figures follow the exercise: each change to it replaces them, until you stop contributing it.',
        );
        const standings = await club.standings();
        assert.equal(standings.length, 1 + baselineFigures, JSON.stringify(standings.map((s) => s.figure)));
        const mine = standingOf(standings, `${INDICATOR.title} (${SHARED_CODE})`);
        assert.equal(mine.year, periodLabel);
        assert.equal(mine.yours, shown(Number(council.value)));
        const finance = standingOf(standings, financeLabel);
        assert.equal(finance.year, financeYear);
        assert.equal(finance.yours, shownPercent(council.finance));

        for (const s of standings)
          if (contributed.length < 5) {
            const n = contributed.length;
            assert.equal(
              s.withheld,
              `Withheld: ${n} member${n === 1 ? '' : 's'} contributed, and nothing is shown from fewer than 5`,
            );
          } else if (contributed.length === 5) {
            // Five members' quartiles would be the 2nd, 3rd and 4th members' own figures: withheld.
            assert.equal(
              s.withheld,
              'Withheld: with 5 members a quartile would be one member’s own figure, so none is shown until it is not (usually one more member)',
            );
          }
        if (contributed.length <= 5) assert.equal(await club.qa('band').count(), 0);
        else {
          // Against the members so far: the band each figure should have, the median and best
          // quartile, and the gaps to them.
          assertStanding(mine, Number(council.value), contributed, indicatorValue, shown, council.name);
          assertStanding(finance, council.finance, contributed, financeShare, shownPercent, council.name);
        }
        // No other council's figure is on the page: no quartile shown is a member's own figure.
        await showsNoValueOf(club, others, `${council.name}, against ${contributed.length}`);
        if (i === 5)
          assert.equal(mine.band, 'Upper-middle quartile', '41.7 days is between the best quartile and the median');
      }
    },
  );

  step('each of the first five councils, back on the club’s page, sees where it stands against all six', async () => {
    for (const council of COUNCILS.slice(0, 5)) {
      const club = await openClubAs(council);
      const standings = await club.standings();
      assertStanding(
        standingOf(standings, `${INDICATOR.title} (${SHARED_CODE})`),
        Number(council.value),
        COUNCILS,
        indicatorValue,
        shown,
        council.name,
      );
      assertStanding(
        standingOf(standings, financeLabel),
        council.finance,
        COUNCILS,
        financeShare,
        shownPercent,
        council.name,
      );
      await showsNoValueOf(
        club,
        COUNCILS.filter((c) => c !== council),
        `${council.name}, against six`,
      );
    }
  });

  step('the host sees the club’s statistics from six members, and none of their figures', async () => {
    const { page } = session;
    await signIn(HOST.admin.email);
    const club = await new ClubPage(page, CLUB.name).visitById(clubId);
    assert.equal(await club.qa('join').count(), 0);
    assert.equal(await club.qa('standings').count(), 0, 'the host has no standing of its own');
    const values = COUNCILS.map(indicatorValue);
    const shares = COUNCILS.map(financeShare);
    const stats = await club.statistics();
    assert.equal(stats.length, 1 + baselineFigures, JSON.stringify(stats.map((s) => s.figure)));
    /** The host's line of a figure: six members, the quartiles of their figures, as the page shows them. */
    const statisticOf = (label: string, year: string, figures: number[], fmt: (n: number) => string) => ({
      figure: `${label} Lower is better`,
      year,
      members: '6',
      p25: fmt(percentileInc(figures, 0.25)),
      median: fmt(percentileInc(figures, 0.5)),
      p75: fmt(percentileInc(figures, 0.75)),
      withheld: undefined,
    });
    assert.deepEqual(
      stats.find((s) => s.figure === `${figureLabel} Lower is better`),
      statisticOf(figureLabel, periodLabel, values, shown),
    );
    assert.deepEqual(
      stats.find((s) => s.figure === `${financeLabel} Lower is better`),
      statisticOf(financeLabel, financeYear, shares, shownPercent),
    );
    // No council's own figure in the statistics: no quartile of six is one (ADR 0016).
    const cells = (await club.qa('statistic').locator('td').allInnerTexts()).map((s) => s.trim());
    for (const c of COUNCILS)
      for (const v of [shown(Number(c.value)), shownPercent(c.finance)])
        assert.ok(!cells.includes(v), `${c.name}’s ${v} among the statistics: ${cells.join(' | ')}`);
    assert.ok(!(await club.statisticsText()).includes(COUNCILS[4]!.value), 'not even within the table');
    assert.deepEqual(await club.members(), COUNCILS.map((c) => `${c.name}: Member`).sort());
    assert.match(await textOf(page.locator('main')), /6 of 6 invited organisations have joined\./);

    const csv = await club.downloadStatistics();
    assert.equal(csv.filename, 'club-statistics.csv');
    const lines = csv.text.trim().split(/\r?\n/);
    assert.equal(lines[0], 'metric,label,period,direction,members,p25,median,p75,note');
    assert.equal(lines.length, 2 + baselineFigures, csv.text);
    const row = lines.find((l) => l.startsWith(`indicator:${SHARED_CODE},`))!;
    assert.ok(row.startsWith(`indicator:${SHARED_CODE},`), row);
    assert.ok(row.includes(',lower-is-better,6,'), row);
    const numbers = row.split(',').slice(-4, -1).map(Number);
    const expected = [0.25, 0.5, 0.75].map((k) => percentileInc(values, k));
    numbers.forEach((n, j) => assert.ok(Math.abs(n - expected[j]!) < 1e-9, `${row}: ${expected.join(', ')}`));
  });

  // With six members, the first council to leave takes the statistic away already: five members'
  // quartiles would be members' own figures (ADR 0016); after the second it comes from four,
  // withheld as fewer than five ("a fifth member leaving", counting down).
  step('two councils leave: the statistic is withheld, for the host and for the members', async () => {
    const { page } = session;
    const [sixth, fifth] = [COUNCILS[5]!, COUNCILS[4]!];
    let club = await openClubAs(sixth);
    let list = await club.leave();
    assert.deepEqual(await list.row(CLUB.name), {
      name: CLUB.name,
      hostedBy: HOST.name,
      role: 'You left',
      linked: false,
    });

    // Five remain: withheld, since their quartiles would be three of their own figures.
    club = await openClubAs(fifth);
    for (const before of await club.standings()) {
      assert.equal(before.band, undefined, before.figure);
      assert.match(before.withheld ?? '', /^Withheld: with 5 members a quartile would be one member’s own figure/);
    }
    await showsNoValueOf(club, COUNCILS.slice(0, 4), `${fifth.name}, against five`);
    list = await club.leave();
    assert.equal((await list.row(CLUB.name))?.role, 'You left');
    // Gone from its view, as if it did not exist.
    const gone = await new NotFoundPage(page).visitExpecting404(paths.clubs.show(clubId));
    assert.equal(gone.status, 404);

    // The host: four members, the statistic withheld.
    await signIn(HOST.admin.email);
    const hosted = await new ClubPage(page, CLUB.name).visitById(clubId);
    const withheld = await hosted.statistics();
    assert.equal(withheld.length, 1 + baselineFigures);
    assert.deepEqual(
      withheld.find((s) => s.figure === `${figureLabel} Lower is better`),
      {
        figure: `${figureLabel} Lower is better`,
        year: periodLabel,
        members: '4',
        p25: undefined,
        median: undefined,
        p75: undefined,
        withheld: 'Withheld: fewer than 5 members',
      },
    );
    for (const s of withheld) assert.equal(s.withheld, 'Withheld: fewer than 5 members', s.figure);
    assert.deepEqual(
      await hosted.members(),
      COUNCILS.map((c) => `${c.name}: ${c === fifth || c === sixth ? 'Left' : 'Member'}`).sort(),
    );
    assert.match(await textOf(page.locator('main')), /4 of 6 invited organisations have joined\./);

    // A remaining member: withheld too, and nobody else's value.
    const first = COUNCILS[0]!;
    club = await openClubAs(first);
    const standings = await club.standings();
    assert.equal(standings.length, 1 + baselineFigures);
    assert.equal(standingOf(standings, `${INDICATOR.title} (${SHARED_CODE})`).yours, shown(Number(first.value)));
    assert.equal(standingOf(standings, financeLabel).yours, shownPercent(first.finance));
    for (const s of standings)
      assert.equal(s.withheld, 'Withheld: 4 members contributed, and nothing is shown from fewer than 5', s.figure);
    assert.equal(await club.qa('band').count(), 0);
    await showsNoValueOf(
      club,
      COUNCILS.filter((c) => c !== first),
      `${first.name}, after two left`,
    );
  });
});
