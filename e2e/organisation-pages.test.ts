// The pages of issue 11 that the journeys do not reach, each checked by axe-core on arrival: the
// operator's organisations and their form, the operator's accessibility statement form (not set,
// with errors, saved) and the statement it fills in, switching organisation, the demo's sharing pages as
// Leeds records them (agreements, an agreement, the share form, choosing the key actions a partner
// updates), what Local Partnerships sees of it (Shared with us, the shared report, a milestone it
// updates), the DECATS benchmarking club as its host and as a member, and a computed benchmark's
// choice of club.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startSession, checkAccessibility, navigates, type Session } from './support/browser.ts';
import { createTestSession } from '../test/helpers/app.ts';
import { systemActor } from '../src/domain/actor.ts';
import type { Role } from '../src/domain/permissions.ts';

describe('the pages of many organisations, sharing and clubs pass axe', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  /** A page signed in as someone with these roles in the organisation of `slug`. */
  async function pageAs(slug: string, roles: Role[], setUp?: (email: string) => Promise<void>): Promise<Page> {
    const { services } = session.testApp;
    const org = await services.organisations.findBySlug(
      systemActor('00000000-0000-0000-0000-000000000000', 'e2e'),
      slug,
    );
    assert.ok(org, slug);
    const s = await createTestSession(services, org.id, roles);
    await setUp?.(s.email);
    const context = await session.browser.newContext({ baseURL: session.baseUrl, locale: 'en-GB' });
    const [name, value] = s.headers.cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: session.baseUrl, httpOnly: true, sameSite: 'Lax' }]);
    return context.newPage();
  }
  async function visit(page: Page, url: string, label: string, expect?: RegExp): Promise<void> {
    const res = await page.goto(`${session.baseUrl}${url}`);
    assert.equal(res?.status(), 200, `${label}: ${url}`);
    if (expect) assert.match(await page.locator('main').innerText(), expect, label);
    await checkAccessibility(page, label);
  }

  it('Leeds’s sharing pages and clubs, as its administrator', async () => {
    const { services } = session.testApp;
    const leeds = systemActor((await services.organisations.getHome()).id, 'e2e');
    const [agreement] = await services.sharing.listAgreements(leeds);
    const { shares } = await services.sharing.getAgreement(leeds, agreement!.id);
    const update = shares.find((s) => s.level === 'update')!;
    const [club] = await services.clubs.listClubs(leeds);
    const exercise = (await services.diagnostics.listExercises(leeds))[0]!;
    const page = session.page;
    await visit(page, '/o/leeds/sharing', 'the agreements', /DECATS programme: progress of VfM-4d/);
    await visit(page, `/o/leeds/sharing/agreements/${agreement!.id}`, 'an agreement', /Priorities shared under it/);
    await visit(page, '/o/leeds/sharing/agreements/new', 'the agreement form');
    await visit(page, `/o/leeds/sharing/agreements/${agreement!.id}/shares/new`, 'the share form');
    await visit(page, `/o/leeds/sharing/shares/${update.id}/actions`, 'the key actions a partner updates', /DECATS/);
    // Local Partnerships shares with Leeds the DECATS priority they own jointly, with the savings
    // indicator Leeds supplies: its report shows both owners' sign-offs.
    await visit(page, '/o/leeds/shared-with-us', 'Shared with us', /DECATS-LCC/);
    const decats = (
      await session.testApp.units.run(() => services.sharing.listSharedWithUs(leeds), {
        organisationId: leeds.organisationId,
      })
    ).find((s) => s.priorityCode === 'DECATS-LCC')!;
    await visit(
      page,
      `/o/leeds/shared-with-us/${decats.shareId}/reports/2009-10-h2`,
      'a jointly owned report shared with us',
      /Your organisation owns this priority jointly[\s\S]*Partnership sign-off/,
    );
    await page.locator('[data-qa="supplied"] a').first().click();
    await page.waitForURL(/\/indicators\//);
    await checkAccessibility(page, 'a supplied indicator’s value');
    await visit(page, '/o/leeds/clubs', 'the clubs', /DECATS benchmarking club/);
    await visit(page, `/o/leeds/clubs/${club!.id}`, 'a club as a member', /Where your organisation stands/);
    await visit(
      page,
      `/o/leeds/diagnostic/${exercise.id}/benchmarks`,
      'benchmarks with a club to compute from',
      /DECATS benchmarking club/,
    );
  });

  it('what Local Partnerships sees: what Leeds shares with it, and its club as the host', async () => {
    const { services } = session.testApp;
    const page = await pageAs('local-partnerships', ['administrator', 'contributor']);
    await visit(page, '/o/local-partnerships/shared-with-us', 'Shared with us', /VfM-4d/);
    await visit(
      page,
      '/o/local-partnerships/priorities/DECATS-LCC/reports/2009-10-h2',
      'a joint priority’s published report, linked to the conversation with Leeds',
      /Partnership sign-off[\s\S]*Leeds City Council[\s\S]*Comments with Leeds City Council/,
    );
    // An organisation with nothing shared with it: one of the club's illustrative councils.
    const council = await session.testApp.db
      .selectFrom('organisation')
      .select('slug')
      .where('name', '=', 'Illustrative Borough Council A')
      .executeTakeFirstOrThrow();
    const nothing = await pageAs(council.slug!, ['viewer']);
    await visit(
      nothing,
      `/o/${council.slug}/shared-with-us`,
      'Shared with us, with nothing shared',
      /Nothing is shared/,
    );
    await nothing.context().close();
    const lp = systemActor(
      (await services.organisations.findBySlug(
        systemActor('00000000-0000-0000-0000-000000000000', 'e2e'),
        'local-partnerships',
      ))!.id,
      'e2e',
    );
    const shared = await session.testApp.units.run(() => services.sharing.listSharedWithUs(lp), {
      organisationId: lp.organisationId,
    });
    const url = `/o/local-partnerships/shared-with-us/${shared[0]!.shareId}/reports/2009-10-h1`;
    await visit(page, url, 'the shared report', /Milestones your organisation can update/);
    await page.locator('[data-qa="updatable"] a').first().click();
    await page.waitForURL(/\/milestones\//);
    await checkAccessibility(page, 'a shared milestone');
    const [club] = await session.testApp.units.run(() => services.clubs.listClubs(lp), {
      organisationId: lp.organisationId,
    });
    await visit(page, `/o/local-partnerships/clubs/${club!.id}`, 'a club as its host', /The club’s statistics/);
    await visit(page, '/o/local-partnerships/clubs/new', 'the club form');
    await page.context().close();
  });

  it('the operator’s pages, and switching between two organisations', async () => {
    const { services } = session.testApp;
    const operator = await pageAs('leeds', ['viewer'], async (email) => {
      await services.accounts.makeOperator(systemActor((await services.organisations.getHome()).id, 'e2e'), email);
    });
    await visit(operator, '/operator/organisations', 'the operator’s organisations', /Local Partnerships/);
    await visit(operator, '/operator/organisations/new', 'the new organisation form');

    // The accessibility statement's contact details: not set, refused with the fields named, saved.
    await visit(
      operator,
      '/operator/accessibility-statement',
      'the statement’s contact details, not set',
      /Not set yet/,
    );
    await operator.fill('#email', 'not an e-mail address');
    await operator.fill('#preparedOn', '31/02/2026');
    await navigates(operator, () => operator.click('[data-qa="save"]'));
    assert.deepEqual(
      await operator.locator('.govuk-error-summary__list a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))),
      ['#email', '#preparedOn'],
    );
    await checkAccessibility(operator, 'the statement’s contact details, with errors');
    await operator.fill('#email', 'accessibility@leeds.example');
    await operator.fill('#preparedOn', '1 April 2026');
    await operator.fill('#knownProblems', 'Board packs from before 2026 are scanned images without text');
    await navigates(operator, () => operator.click('[data-qa="save"]'));
    assert.match(await operator.locator('main').innerText(), /contact details have been saved/);
    await checkAccessibility(operator, 'the statement’s contact details, saved');
    await visit(operator, '/accessibility', 'the statement with its contact details', /accessibility@leeds\.example/);
    assert.match(await operator.locator('main').innerText(), /partially compliant/);
    await operator.context().close();

    const both = await pageAs('leeds', ['performance_officer'], async (email) => {
      const pwc = await services.organisations.findBySlug(
        systemActor('00000000-0000-0000-0000-000000000000', 'e2e'),
        'pwc',
      );
      await services.accounts.createUser(systemActor(pwc!.id, 'e2e'), {
        email,
        name: 'Two hats',
        roles: ['viewer'],
        active: true,
      });
    });
    await visit(both, '/o/leeds/priorities', 'the priorities of one of two organisations');
    assert.equal(await both.locator('[data-qa="switch-organisation"]').count(), 1);
    await visit(both, '/organisations/switch', 'switching organisation', /PricewaterhouseCoopers LLP/);
    await both.check('[data-qa="organisation-pwc"]');
    await Promise.all([both.waitForURL(/\/o\/pwc\//), both.click('[data-qa="switch"]')]);
    assert.match(await both.locator('[data-qa="current-organisation"]').innerText(), /PricewaterhouseCoopers LLP/);
    await checkAccessibility(both, 'the other organisation after switching');
    await both.context().close();
  });
});
