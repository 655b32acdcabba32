// Every page a person can reach by following the navigation and the demo report's links, each
// checked by axe-core on arrival (the page objects do that); and the status is always shown in
// words and a shape, never by colour alone.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startSession, checkAccessibility, featuresLost, launchBrowser, type Session } from './support/browser.ts';
import { PriorityListPage, PriorityPage } from './pages/priority-pages.ts';
import { ReportPage } from './pages/report-pages.ts';
import { SignInPage } from './pages/sharing-pages.ts';
import {
  AccessibilityStatementPage,
  ApiDocsPage,
  NotFoundPage,
  OrganisationListPage,
  PeopleListPage,
  PeriodListPage,
  PlanListPage,
  StatusScalePage,
} from './pages/admin-pages.ts';

const DEMO = {
  code: 'VfM-4d',
  title: 'Explore opportunities for collaboration with private and public sector bodies',
  period: '2009-10-h1',
  periodLabel: '2009/10 H1',
};
const PLAN = 'Council Business Plan 2008–11';

interface StatusTag {
  key: string;
  text: string;
  visible: boolean;
  shapeHidden: boolean;
}

/** Every status tag on the page: its key, its visible words, and whether its shape is hidden from screen readers. */
async function statusTags(page: Page): Promise<StatusTag[]> {
  const out: StatusTag[] = [];
  for (const tag of await page.locator('[data-qa="status"]').all()) {
    const svg = tag.locator('svg');
    out.push({
      key: (await tag.getAttribute('data-status')) ?? '',
      text: (await tag.innerText()).replace(/\s+/g, ' ').trim(),
      visible: await tag.isVisible(),
      shapeHidden: (await svg.count()) === 0 || (await svg.getAttribute('aria-hidden')) === 'true',
    });
  }
  return out;
}

function assertStatusesInWords(tags: StatusTag[], where: string): void {
  assert.ok(tags.length > 0, `${where} shows a status`);
  const textByKey = new Map<string, string>();
  for (const t of tags) {
    assert.ok(t.visible, `${where}: the ${t.key} status is visible`);
    assert.ok(t.text.length > 0, `${where}: the ${t.key} status has words, not only a colour`);
    assert.ok(t.shapeHidden, `${where}: the ${t.key} status's shape is decoration for screen readers`);
    const seen = textByKey.get(t.key);
    assert.ok(seen === undefined || seen === t.text, `${where}: the ${t.key} status always reads the same`);
    textByKey.set(t.key, t.text);
  }
  const texts = [...textByKey.values()];
  assert.equal(
    new Set(texts).size,
    texts.length,
    `${where}: different statuses read differently (${texts.join(', ')})`,
  );
}

describe('every page passes axe', { timeout: 300_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  it('a missing Chromium fails the run with instructions, never skips it', async () => {
    await assert.rejects(launchBrowser('/nonexistent/chromium'), {
      message: "Chromium is not at /nonexistent/chromium: install Debian's chromium (apt-get install -y chromium)",
    });
  });

  it("runs Chromium with Playwright's switched-off features and the address bar's popup off too", async () => {
    // The popup is a WebUI page Chromium prepares for every window; a browser target shows it.
    const cdp = await session.browser.newBrowserCDPSession();
    try {
      const { targetInfos } = (await cdp.send('Target.getTargets')) as { targetInfos: { url: string }[] };
      assert.deepEqual(
        targetInfos.map((t) => t.url).filter((url) => url.startsWith('chrome://')),
        [],
        'no chrome:// page beside the journey',
      );
    } finally {
      await cdp.detach();
    }
    // What launchBrowser refuses: an earlier list naming what the last one, the one obeyed, does not.
    assert.deepEqual(featuresLost(['--headless', '--disable-features=A,B,C', '--disable-features=A,C,D']), ['B']);
    assert.deepEqual(featuresLost(['--disable-features=A,B', '--disable-features=B,A,D']), []);
    assert.deepEqual(featuresLost(['--no-sandbox']), []);
  });

  it('the accessibility check itself fails on a page with a known problem', async () => {
    const page = session.page;
    await page.setContent(
      '<!DOCTYPE html><html lang="en"><head><title>Broken</title></head><body><main><h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>',
    );
    await assert.rejects(checkAccessibility(page, 'a deliberately broken page'), (error: Error) => {
      assert.match(error.message, /image-alt \(critical\)/);
      assert.match(error.message, /label \(critical\)/);
      assert.match(error.message, /at img/);
      return true;
    });
  });

  it('the accessibility check also runs on a page whose JavaScript is off', async () => {
    const page = await session.newPage({ javaScriptEnabled: false });
    await new PriorityListPage(page).visit();
    await page.evaluate(() =>
      document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input type="text" data-qa="unlabelled">'),
    );
    await assert.rejects(
      checkAccessibility(page, 'the list with an unlabelled input'),
      /\(JavaScript off\)[\s\S]*label \(critical\)[\s\S]*at input/,
    );
    await page.close();
  });

  it('the priorities list, a priority, its forms and the demo report with every form it links to', async () => {
    const page = session.page;
    const list = await new PriorityListPage(page).visit();
    assertStatusesInWords(await statusTags(page), 'the priorities list');

    let priority = await list.openPriority(DEMO.code, DEMO.title);
    assertStatusesInWords(await statusTags(page), 'the priority page');
    const priorityForm = await priority.change();
    priority = await priorityForm.back(new PriorityPage(page, DEMO.code, DEMO.title));
    const newReport = await priority.startReport();
    priority = await newReport.back(new PriorityPage(page, DEMO.code, DEMO.title));
    await new PriorityListPage(page).visit().then((l) => l.addPriority());

    let report = await new PriorityListPage(page).visit().then((l) => l.openLatestReport(DEMO.code, DEMO.title));
    assertStatusesInWords(await statusTags(page), 'the report');
    assert.deepEqual(await report.status(), { text: 'Amber', key: 'amber' });

    const reportForm = await report.edit();
    report = await reportForm.back(new ReportPage(page, DEMO.code, DEMO.title));

    const action = await report.changeAction(1);
    const confirm = await action.removeAction();
    const keptAction = await confirm.keep();
    report = await keptAction.back(new ReportPage(page, DEMO.code, DEMO.title));

    const newAction = await report.addAction();
    report = await newAction.back(new ReportPage(page, DEMO.code, DEMO.title));

    const revisions = await report.revisions();
    report = await revisions.back(new ReportPage(page, DEMO.code, DEMO.title));
    const history = await report.history();
    report = await history.back(new ReportPage(page, DEMO.code, DEMO.title));
    await report.backToPriority();
  });

  it('plans and themes, with their forms', async () => {
    const page = session.page;
    let plans = await new PriorityListPage(page).navigateTo('Plans and themes', new PlanListPage(page));
    assert.deepEqual(await plans.themes(), ['Value for Money', 'Our People', 'Our Customers']);
    plans = await (await plans.changePlan(PLAN)).back(new PlanListPage(page));
    plans = await (await plans.addPlan()).back(new PlanListPage(page));
    plans = await (await plans.changeTheme('Value for Money')).back(new PlanListPage(page));
    await plans.addTheme(PLAN);
  });

  it('people and partner organisations, with their forms', async () => {
    const page = session.page;
    let people = await new PlanListPage(page).navigateTo('People', new PeopleListPage(page));
    assert.ok((await people.names()).includes('Lee Hemsworth'));
    people = await (await people.changePerson('Lee Hemsworth')).back(new PeopleListPage(page));
    await people.addPerson();

    let organisations = await new PeopleListPage(page).navigateTo(
      'Partner organisations',
      new OrganisationListPage(page),
    );
    assert.deepEqual((await organisations.names()).sort(), ['Local Partnerships', 'PwC', 'Yorkshire and Humber RIEP']);
    organisations = await (await organisations.changeOrganisation('PwC')).back(new OrganisationListPage(page));
    await organisations.addOrganisation();
  });

  it('reporting periods, the status scale and the API description', async () => {
    const page = session.page;
    let periods = await new OrganisationListPage(page).navigateTo('Reporting periods', new PeriodListPage(page));
    assert.ok((await periods.names()).includes(DEMO.periodLabel));
    periods = await (await periods.changePeriod(DEMO.periodLabel)).back(new PeriodListPage(page));
    await periods.addPeriod();

    const scale = await new PeriodListPage(page).navigateTo('Status scale', new StatusScalePage(page));
    assert.deepEqual(await scale.labels(), ['Green', 'Amber', 'Red']);
    assertStatusesInWords(await statusTags(page), 'the status scale');

    const api = await scale.footer('API', new ApiDocsPage(page));
    assert.ok((await api.operationCount()) > 10, 'the API page lists its operations');
  });

  it('the accessibility statement, from the footer of a signed-in page and of the sign-in page', async () => {
    const page = session.page;
    const signedIn = await new PeriodListPage(page)
      .visit()
      .then((p) => p.footer('Accessibility statement', new AccessibilityStatementPage(page)));
    assert.equal(await signedIn.notSet(), true, 'the demo has not set the contact details');

    // Before sign-in: a browser with no session.
    const context = await session.browser.newContext({ baseURL: session.baseUrl, locale: 'en-GB' });
    try {
      const anonymous = await context.newPage();
      const signIn = await new SignInPage(anonymous).visit();
      const statement = await signIn.footer('Accessibility statement', new AccessibilityStatementPage(anonymous));
      assert.match(await statement.page.locator('main').innerText(), /Enforcement procedure/);
    } finally {
      await context.close();
    }
  });

  it('reflows at 320 pixels wide (400% zoom): wide tables scroll in their own box, the page does not', async () => {
    const page = await session.context.newPage();
    await page.setViewportSize({ width: 320, height: 640 });
    const visits = [
      () => new PriorityListPage(page).visit(),
      () => new ReportPage(page, DEMO.code, DEMO.title).visit(DEMO.period),
      () => new PeopleListPage(page).visit(),
      () => new PeriodListPage(page).visit(),
      () => new ApiDocsPage(page).visit(),
      () => new AccessibilityStatementPage(page).visit(),
    ];
    for (const visit of visits) {
      const p = await visit();
      assert.equal(await p.sidewaysScroll(), 0, `${p.label} scrolls sideways at 320px`);
    }
    await page.close();
  });

  it('the 404 page', async () => {
    const missing = await new NotFoundPage(session.page).visitMissing('/no-such-page');
    assert.equal(missing.status, 404);
  });
});
