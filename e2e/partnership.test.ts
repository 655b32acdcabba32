// Partnerships in the browser (issue 11, test a), with real sign-in as each side's people:
// Leeds City Council's administrator records a data-sharing agreement with Local Partnerships
// (refused once without a title) and shares VfM-4d under it, to update, for 2009/10 H1, with the
// challenges kept internal; a Local Partnerships user signs in, sees only that priority, without
// the challenges, cannot reach Leeds's own pages, and records that a milestone of the key action
// naming Local Partnerships slipped; Leeds's accountable officer sees it (in the 2009/10 H2 report,
// which reports on the H1 key actions, and in the H1 report's history, under the partner's name
// and organisation) and he and the director sign the H2 report off; the administrator revokes the
// agreement and the partner's access is gone. Beside the milestones (issue 11, part 3): the share
// names OC-1c-i as an indicator Local Partnerships supplies; its user enters Q2's value (refused
// once, naming the field) and comments on the report; the administrator sees the value with the
// person and organisation that entered it, and answers the comment. axe-core runs on every page visited.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { sequentialSteps } from './support/steps.ts';
import { demoAccount } from './support/sign-in.ts';
import { PriorityListPage, PriorityPage } from './pages/priority-pages.ts';
import { ReportPage } from './pages/report-pages.ts';
import {
  AgreementsPage,
  NotFoundPage,
  SharedReportPage,
  SharedWithUsPage,
  SignInPage,
  currentOrganisation,
  onlyFlash,
  signOut,
  type AgreementPage,
} from './pages/sharing-pages.ts';
import {
  Comments,
  ShareConversationPage,
  commentOnReport,
  openSupplied,
  suppliedRows,
} from './pages/shared-work-pages.ts';
import { systemActor } from '../src/domain/actor.ts';
import { organisationPrefix, paths } from '../src/paths.ts';

const CODE = 'VfM-4d';
const TITLE = 'Explore opportunities for collaboration with private and public sector bodies';
const H1 = { key: '2009-10-h1', label: '2009/10 H1' };
const H2 = { key: '2009-10-h2', label: '2009/10 H2' };
const PARTNER = { name: 'Local Partnerships', slug: 'local-partnerships' };
const PARTNER_USER = {
  email: 'jo.bloggs@localpartnerships.example',
  name: 'Jo Bloggs',
  password: 'a long e2e password',
};
const AGREEMENT = {
  partner: PARTNER.slug,
  partnerRecord: PARTNER.name,
  title: 'DECATS programme information sharing',
  purpose: 'Deliver the DECATS diagnostic and track its milestones together.',
  dataShared: 'VfM-4d progress reports, key actions and milestones.',
  legalBasis: 'Local Government Act 2000, s.2 (well-being power); UK GDPR Art. 6(1)(e).',
  startsOn: '01/04/2009',
  endsOn: '31/03/2030',
  signatories: 'Alan Gay, Director of Resources (Leeds City Council); Programme Director (Local Partnerships)',
};
// The seed's milestones of the first key action (the one that will name Local Partnerships).
const FIRST_ACTION_MILESTONES = [
  'Original collaboration contract terminated',
  'Contract with Local Partnerships to join DECATS agreed',
];
const SLIPPED = {
  milestone: 'Contract with Local Partnerships to join DECATS agreed',
  revised: 'Jan 2010',
  reason: 'The DECATS contract is waiting for Local Partnerships’ board to countersign it.',
};
// Phrases of the seed's report: one of its summary, and one of its challenges (kept internal).
// The demo's illustrative quarterly indicator, which Local Partnerships supplies (issue 11, part 3).
const SUPPLIED = {
  indicator: 'OC-1c-i Customer enquiries resolved at first contact',
  code: 'OC-1c-i',
  quarter: '2009/10 Q2',
  before: '78.4%',
  actual: '79.6%',
  comment: 'From Local Partnerships’ DECATS survey of first contacts.',
};
const PARTNER_COMMENT = 'The DECATS board meets on 14 January: we expect the countersigned contract that week.';
const LEEDS_REPLY = 'Thank you: we will report the contract in the 2009/10 H2 report.';
const SUMMARY_PHRASE = 'Yorkshire and Humber RIEP';
const CHALLENGE_PHRASE = 'potential contractual penalties';

describe('a priority shared with a partner organisation, in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  let agreement: AgreementPage;
  let sharedReportUrl: string;

  const step = sequentialSteps();

  /** Signs in through the sign-in page (signing out first when someone is signed in). */
  const signIn = async (email: string, password: string): Promise<PriorityListPage> => {
    const { page } = session;
    const here = new SignInPage(page);
    const signedIn = async () => (await page.locator('[data-qa="sign-out"]').count()) > 0;
    // From a page without the header's button (an error page), the sign-in page of someone signed in leads home.
    if (!(await signedIn())) await page.goto(paths.signIn);
    const signInPage = (await signedIn()) ? await signOut(here) : await here.verifyOnPage();
    return signInPage.signIn(email, password);
  };
  const signInAsDemo = (role: Parameters<typeof demoAccount>[0]) => {
    const account = demoAccount(role);
    return signIn(account.email, account.password);
  };

  before(async () => {
    session = await startSession({ as: false });
    const { services, db } = session.testApp;
    const leeds = await services.organisations.findHome();
    assert.ok(leeds, 'the demo is loaded');
    const leedsActor = systemActor(leeds.id, 'e2e');
    // Local Partnerships runs Amber too (the demo may already host it), with a user of our own.
    const hosted = await db
      .selectFrom('organisation')
      .select(['id', 'slug'])
      .where('slug', '=', PARTNER.slug)
      .executeTakeFirst();
    const lp = hosted ?? (await services.organisations.createHome('e2e', { name: PARTNER.name, kind: 'public_body' }));
    assert.equal(lp.slug, PARTNER.slug);
    await services.accounts.createUser(systemActor(lp.id, 'e2e'), {
      email: PARTNER_USER.email,
      name: PARTNER_USER.name,
      roles: ['contributor'],
      password: PARTNER_USER.password,
    });
    // The journey starts from no agreements: any the demo made are revoked.
    await session.testApp.units.run(
      async () => {
        for (const a of await services.sharing.listAgreements(leedsActor))
          if (!a.revokedAt)
            await services.sharing.revokeAgreement(leedsActor, a.id, {
              reason: 'The browser journey records its own agreement.',
              version: String(a.version),
            });
      },
      { organisationId: leeds.id },
    );
    // Leeds names its partner record of Local Partnerships on VfM-4d's first H1 key action.
    const record = (await services.organisations.listPartners(leedsActor)).find((p) => p.name === PARTNER.name);
    assert.ok(record, 'the demo has a partner record of Local Partnerships');
    const bundle = await services.reports.getBundle(leedsActor, CODE, H1.key);
    const first = bundle.report.actions[0]!;
    assert.deepEqual(
      first.milestones.map((m) => m.description),
      FIRST_ACTION_MILESTONES,
    );
    const named = await db
      .selectFrom('action_contributor')
      .select('action_id')
      .where('action_id', '=', first.id)
      .where('partner_id', '=', record.id)
      .executeTakeFirst();
    if (!named)
      await db
        .insertInto('action_contributor')
        .values({ organisation_id: leeds.id, action_id: first.id, partner_id: record.id, position: 9 })
        .execute();
  });
  after(async () => {
    await session?.close();
  });

  step('Leeds’s administrator records an agreement with Local Partnerships and shares VfM-4d under it', async () => {
    const home = await signInAsDemo('administrator');
    assert.equal(await currentOrganisation(session.page), 'Leeds City Council');
    const agreements = await home.navigateTo('Sharing', new AgreementsPage(session.page));
    const form = await agreements.recordAgreement();

    // Without a title: refused, the summary naming the field, and what was typed kept.
    await form.fill({ ...AGREEMENT, title: '' });
    const errors = await form.saveExpectingErrors();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#title'],
    );
    assert.match(errors[0]!.text, /title/i);
    assert.equal(await session.page.locator('#partner').inputValue(), PARTNER.slug, 'the partner is kept');
    assert.equal(await session.page.locator('#endsOn').inputValue(), AGREEMENT.endsOn, 'the end date is kept');

    await form.fill({ title: AGREEMENT.title, partnerRecord: AGREEMENT.partnerRecord });
    agreement = await form.save(AGREEMENT.title);
    assert.match((await onlyFlash(agreement)) ?? '', /The agreement has been recorded\./);
    assert.equal(await agreement.state(), 'Active');
    const terms = await agreement.terms();
    assert.ok(terms.includes(`Between Leeds City Council and ${PARTNER.name}`), `the parties in:\n${terms.join('\n')}`);
    assert.ok(terms.includes('Dates 1 April 2009 to 31 March 2030'), `the dates in:\n${terms.join('\n')}`);
    assert.deepEqual(await agreement.shares(), []);

    const share = await agreement.sharePriority();
    await share.fill({ priority: CODE, level: 'update', periods: [H1.label], internal: ['Challenges and risks'] });
    const group = (legend: string) => share.qa('share-form').getByRole('group', { name: legend });
    await group('Which indicators’ graphs?').getByRole('checkbox', { name: SUPPLIED.indicator, exact: true }).check();
    await group('Which of those indicators do they supply?')
      .getByRole('checkbox', { name: SUPPLIED.indicator, exact: true })
      .check();
    agreement = await share.save(AGREEMENT.title);
    assert.match((await onlyFlash(agreement)) ?? '', /The priority has been shared\./);
    const shares = await agreement.shares();
    assert.equal(shares.length, 1, shares.join('\n'));
    assert.match(shares[0]!, new RegExp(`^${CODE} ${TITLE} Read, and update the milestones of actions naming them`));
    assert.match(
      shares[0]!,
      new RegExp(
        // The kept-internal column links to where the report's editors change it (issue 11, item 3).
        `2009/10 H1 Comments on 2009/10 H1 (of ${CODE} )?${SUPPLIED.indicator} \\(they supply its values\\) Challenges and risks Change the sections of ${CODE} kept internal Shared`,
      ),
    );
  });

  step(
    'a Local Partnerships user sees only VfM-4d, without its challenges, and records a slipped milestone',
    async () => {
      const { page } = session;
      const home = await signIn(PARTNER_USER.email, PARTNER_USER.password);
      assert.equal(await currentOrganisation(page), PARTNER.name);
      // Its own priority list holds only its own: the demo's DECATS priority, owned jointly with Leeds.
      assert.deepEqual(await home.codes(), ['DECATS-LCC'], 'Local Partnerships sees its own priorities only');
      assert.equal(await home.qa('sharing').count(), 0, 'a contributor has no Sharing link');

      const shared = await home.navigateTo('Shared with us', new SharedWithUsPage(page));
      const rows = await shared.rows();
      assert.deepEqual(
        rows.map((r) => [r.sharedBy, r.priority, r.reports]),
        [['Leeds City Council', `${CODE} ${TITLE}`, `${H1.label} report of ${CODE}`]],
      );
      assert.equal(rows[0]!.mayDo, 'Read, and update milestones of actions naming you');

      let report: SharedReportPage = await shared.openReport(CODE, H1.label);
      sharedReportUrl = new URL(page.url()).pathname;
      assert.match(
        await report.sharedBy(),
        new RegExp(
          `^Shared by Leeds City Council under “${AGREEMENT.title}”\\. Kept internal, so not shown: challenges and risks\\.$`,
        ),
      );
      const text = await report.reportText();
      assert.ok(text.includes(SUMMARY_PHRASE), 'the summary is shared');
      assert.ok(!text.includes(CHALLENGE_PHRASE), 'the challenges are kept internal');
      assert.ok(!(await page.content()).includes(CHALLENGE_PHRASE), 'not even hidden in the page');
      assert.deepEqual(await report.updatable(), FIRST_ACTION_MILESTONES, 'only the action naming them');

      const milestone = await report.openMilestone(SLIPPED.milestone);
      const facts = await milestone.facts();
      assert.ok(facts.includes(`Milestone ${SLIPPED.milestone}`), facts.join('\n'));
      assert.ok(facts.includes('Timescale Nov 2009'), facts.join('\n'));
      await milestone.fill({ progress: 'slipped', revised: SLIPPED.revised, reason: SLIPPED.reason });
      report = await milestone.save();
      assert.equal(
        await onlyFlash(report),
        'Success The progress has been recorded. Leeds City Council sees it with your name and organisation.',
      );

      // Leeds's own pages are not theirs: as if they did not exist.
      const notFound = await new NotFoundPage(page).visitExpecting404(
        `${organisationPrefix('leeds')}${paths.priorities.list}`,
      );
      assert.equal(notFound.status, 404);
      // Back in their own organisation, still signed in.
      await new SharedWithUsPage(page).visit();
      assert.equal(await currentOrganisation(page), PARTNER.name);
    },
  );

  step('the Local Partnerships user enters the value of the indicator it supplies, and comments', async () => {
    const { page } = session;
    let report = await new SharedReportPage(page, CODE).open(sharedReportUrl);
    assert.deepEqual(await suppliedRows(report), [
      `${SUPPLIED.indicator} | 2009/10 Q1 | 76.9%`,
      `${SUPPLIED.indicator} | ${SUPPLIED.quarter} | ${SUPPLIED.before}`,
    ]);
    const value = await openSupplied(report, SUPPLIED.code, SUPPLIED.quarter);
    const facts = await value.facts();
    assert.ok(facts.includes(`Period ${SUPPLIED.quarter}`), facts.join('\n'));
    assert.ok(facts.includes('Target 80.0%'), facts.join('\n'));
    assert.equal(await value.actual(), SUPPLIED.before, 'the form starts from the value recorded now');

    // Not a number: refused, the summary naming the field, and what was typed kept.
    await value.fill('about eighty');
    const errors = await value.saveExpectingErrors();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#actual'],
    );
    assert.equal(await value.actual(), 'about eighty');

    await value.fill(SUPPLIED.actual, SUPPLIED.comment);
    report = await value.save();
    assert.equal(
      await onlyFlash(report),
      'Success The value has been recorded. Leeds City Council sees it with your name and organisation.',
    );
    assert.ok(
      (await suppliedRows(report)).includes(`${SUPPLIED.indicator} | ${SUPPLIED.quarter} | ${SUPPLIED.actual}`),
    );

    const comments = new Comments(page);
    assert.deepEqual(await comments.list(), []);
    await comments.write(PARTNER_COMMENT);
    report = await commentOnReport(report);
    assert.match((await onlyFlash(report)) ?? '', /Your comment has been added\./);
    assert.deepEqual(await comments.list(), [`${PARTNER_USER.name}, ${PARTNER.name} | ${PARTNER_COMMENT}`]);
  });

  step(
    'Leeds’s accountable officer sees the slipped milestone, by the partner, and signs the H2 report off',
    async () => {
      const { page } = session;
      await signInAsDemo('accountable_officer');
      assert.equal(await currentOrganisation(page), 'Leeds City Council');

      // The H1 report's history names the partner's person and organisation.
      const h1 = await new ReportPage(page, CODE, TITLE).visit(H1.key);
      const history = await h1.history();
      const entries = await history.entries();
      const byPartner = entries.find((e) => e.includes(`By ${PARTNER_USER.email} (${PARTNER.name}) on`));
      assert.ok(byPartner, `an entry by the partner among:\n${entries.join('\n')}`);
      assert.match(byPartner, /^Milestone – Changed By .* What changed .*Kind \(empty\) slipped Reason \(empty\) /);
      assert.ok(byPartner.includes(SLIPPED.reason), byPartner);

      // The H2 report reports on the H1 key actions: the milestone is shown slipped.
      const priority = await new PriorityPage(page, CODE, TITLE).visit();
      const start = await (await priority.startReport()).choosePeriod(H2.label);
      const form = await start.start();
      await form.fill({
        summary: 'DECATS diagnostic under way; the contract with Local Partnerships slipped to January.',
        status: 'Amber',
        statusReason: 'The DECATS contract waits for Local Partnerships’ board.',
      });
      let r = await form.save();
      const progress = r
        .qa('last-time')
        .locator('[data-qa="milestone-progress"]')
        .filter({ hasText: SLIPPED.milestone });
      assert.equal(await progress.count(), 1);
      assert.equal(await progress.getAttribute('data-state'), 'slipped');
      const progressText = (await progress.innerText()).replace(/\s+/g, ' ');
      assert.ok(
        progressText.includes(`${SLIPPED.milestone} – Slipped from Nov 2009 to ${SLIPPED.revised}: ${SLIPPED.reason}`),
        progressText,
      );

      r = await r.submit();
      assert.equal(await r.state(), 'submitted');
      const signOff = await r.signOffPage();
      await signOff.decide('Approve');
      r = await signOff.save();
      assert.equal(await r.state(), 'officer_approved');

      await signInAsDemo('accountable_director');
      r = await new ReportPage(page, CODE, TITLE).visit(H2.key);
      const director = await r.signOffPage();
      await director.decide('Approve', 'Agreed.');
      r = await director.save();
      assert.equal(await r.state(), 'published');
      assert.match(await r.signOff('accountable_officer'), /Approved by.*Lee Hemsworth/);
      assert.match(await r.signOff('accountable_director'), /Approved by.*James Rogers/);
      const published = r
        .qa('last-time')
        .locator('[data-qa="milestone-progress"]')
        .filter({ hasText: SLIPPED.milestone });
      assert.equal(await published.getAttribute('data-state'), 'slipped', 'the published report keeps it');
    },
  );

  step('the administrator revokes the agreement', async () => {
    const { page } = session;
    const home = await signInAsDemo('administrator');
    const agreements = await home.navigateTo('Sharing', new AgreementsPage(page));
    agreement = await agreements.follow(
      agreements.qa('agreements').getByRole('link', { name: AGREEMENT.title, exact: true }),
      agreement,
    );
    assert.equal(await agreement.state(), 'Active');
    // The value Local Partnerships entered, with the person and organisation that entered it.
    const entered = (await agreement.qa('supplied-values').locator('tbody tr').allInnerTexts()).map((r) =>
      r.replace(/\s+/g, ' ').trim(),
    );
    assert.equal(entered.length, 1, entered.join('\n'));
    assert.match(
      entered[0]!,
      new RegExp(
        `^${SUPPLIED.code} ${SUPPLIED.quarter} ${SUPPLIED.actual} ${PARTNER_USER.email} \\(${PARTNER.name}\\) ${PARTNER.name} `,
      ),
    );
    // Their comment, answered.
    let talk = await agreement.follow(
      agreement.qa('share-comments').first(),
      new ShareConversationPage(page, PARTNER.name),
    );
    assert.deepEqual(await talk.comments.list(), [`${PARTNER_USER.name}, ${PARTNER.name} | ${PARTNER_COMMENT}`]);
    await talk.comments.write(LEEDS_REPLY);
    talk = await talk.send();
    assert.deepEqual(
      (await talk.comments.list()).at(-1),
      `${demoAccount('administrator').name}, Leeds City Council | ${LEEDS_REPLY}`,
    );
    agreement = await talk.back(agreement);
    agreement = await agreement.revoke('Local Partnerships has left the DECATS programme.');
    assert.match((await onlyFlash(agreement)) ?? '', /The agreement has been revoked/);
    assert.equal(await agreement.state(), 'Revoked');
    assert.equal(await agreement.canRevoke(), false);
    const terms = await agreement.terms();
    assert.ok(
      terms.some((t) => /^Revoked .*Local Partnerships has left the DECATS programme\.$/.test(t)),
      terms.join('\n'),
    );
  });

  step('the partner’s access is gone', async () => {
    const { page } = session;
    const home = await signIn(PARTNER_USER.email, PARTNER_USER.password);
    const shared = await home.navigateTo('Shared with us', new SharedWithUsPage(page));
    assert.deepEqual(await shared.rows(), []);
    assert.equal(await shared.nothingShared(), `Nothing is shared with ${PARTNER.name} at the moment.`);
    const gone = await new NotFoundPage(page).visitExpecting404(sharedReportUrl);
    assert.equal(gone.status, 404);
  });
});
