// A council contributes its diagnostic baseline to a benchmarking club it has joined, by consent,
// with JavaScript switched off (issue 11, ADR 0018): its administrator signs in, opens the
// exercise (which names no club yet and offers no sharing with every organisation, a setting that
// has ended), chooses the exercise on the club's page and presses "Contribute the baseline",
// lands on the club's page saying the figures follow the exercise, sees the baseline among those
// it contributes, finds the club named on the exercise page, then stops contributing it from the
// club's page. axe-core runs on every page visited.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, checkAccessibility, type Session } from './support/browser.ts';
import { SignInPage } from './pages/sharing-pages.ts';
import { systemActor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { copyData, sampleWorkbook } from '../test/fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';

const PASSWORD = 'a long e2e password';
const CLUB = 'Back-office costs club';
const COUNCIL = { name: 'Ashworth Borough Council', email: 'admin@ashworth.example' };
const EXERCISE = 'Ashworth diagnostic 2009/10';

describe('contributing a diagnostic baseline to a club by consent, JavaScript off', { timeout: 180_000 }, () => {
  let session: Session;
  let exerciseId: string;
  let clubId: string;

  before(async () => {
    session = await startSession({ as: false });
    const { services, units } = session.testApp;
    const hostOrg = await services.organisations.createHome('e2e', {
      name: 'Ashworth Benchmarking Host',
      kind: 'public_body',
    });
    const org = await services.organisations.createHome('e2e', { name: COUNCIL.name, kind: 'council' });
    const host = systemActor(hostOrg.id, 'e2e');
    const council = systemActor(org.id, 'e2e');
    await services.accounts.createUser(council, {
      email: COUNCIL.email,
      name: 'Ash Administrator',
      roles: ['administrator'],
      password: PASSWORD,
    });
    clubId = await units.run(() => services.clubs.createClub(host, { name: CLUB }), { organisationId: hostOrg.id });
    await units.run(() => services.clubs.invite(host, clubId, { member: org.slug! }), { organisationId: hostOrg.id });
    await units.run(() => services.clubs.setMembership(council, clubId, true, {}), { organisationId: org.id });
    exerciseId = await units.run(
      () =>
        services.diagnostics.createExercise(council, {
          name: EXERCISE,
          financialYear: '2009',
          runningCosts: '£300m',
          headcount: '',
          taxonomyVersionId: DEFAULT_TAXONOMY_ID,
        }),
      { organisationId: org.id },
    );
    const data = await sampleWorkbook(copyData());
    await units.run(() => services.diagnostics.upload(council, exerciseId, { file: { filename: 'a.xlsx', data } }), {
      organisationId: org.id,
    });
  });
  after(async () => {
    await session?.close();
  });

  it('records the consent from the club page, names the club on the exercise, then stops contributing', async () => {
    const page = await session.newPage({ javaScriptEnabled: false });
    await new SignInPage(page).visit();
    await new SignInPage(page).signIn(COUNCIL.email, PASSWORD);

    await page.goto(paths.diagnostic.show(exerciseId));
    await checkAccessibility(page, 'the exercise page, contributed to no club');
    assert.equal(await page.locator('[data-qa="club-consents"]').count(), 0, 'no club named yet');
    assert.doesNotMatch(await page.locator('main').innerText(), /every organisation/);

    await page.goto(paths.clubs.show(clubId));
    await page.locator('[data-qa="baseline-form"] select[name="exerciseId"]').selectOption({ label: EXERCISE });
    await Promise.all([
      page.waitForURL((u) => u.search.includes('saved=consented')),
      page.locator('[data-qa="contribute-baseline"]').click(),
    ]);
    await checkAccessibility(page, 'the club page after contributing the baseline');
    assert.match(
      await page.locator('.govuk-notification-banner--success').innerText(),
      /The baseline has been contributed\. Its figures follow the exercise/,
    );
    const consents = page.locator('[data-qa="consent"]');
    assert.equal(await consents.count(), 1);
    assert.match(await consents.innerText(), new RegExp(EXERCISE.replace(/[/]/g, '\\/')));

    await page.goto(paths.diagnostic.show(exerciseId));
    await checkAccessibility(page, 'the exercise page, contributed to the club');
    assert.match(await page.locator('[data-qa="club-consents"]').innerText(), new RegExp(CLUB));

    await page.goto(paths.clubs.show(clubId));
    await Promise.all([
      page.waitForURL((u) => u.search.includes('saved=baseline-withdrawn')),
      page.locator('[data-qa="stop-contributing"]').click(),
    ]);
    await checkAccessibility(page, 'the club page after stopping contributing');
    assert.equal(await page.locator('[data-qa="consent"]').count(), 0);
    await page.close();
  });
});
