// Long lists a page at a time (issue 14, "lists paginated"): with 110 more priorities, indicators
// and open risks than the demo has, an officer reads the first 50 of each, follows "Next" and
// "Previous" and a page number, and a filter stays chosen across pages. axe-core runs on every
// page, the paginated ones included.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { BasePage, textOf } from './pages/base-page.ts';
import { PriorityListPage } from './pages/priority-pages.ts';
import { systemActor } from '../src/domain/actor.ts';
import { paths } from '../src/paths.ts';

const MORE = 110;

class RiskRegister extends BasePage {
  protected readonly heading = 'Risk register';
  visit(): Promise<this> {
    return this.open(paths.risks.list);
  }
}

class IndicatorList extends BasePage {
  protected readonly heading = 'Performance indicators';
  visit(): Promise<this> {
    return this.open(paths.indicators.list);
  }
}

/** "Showing 51 to 100 of 160 priorities", as the page says it. */
const showing = (page: BasePage) => textOf(page.qa('pagination-summary'));
const pagination = (page: BasePage) => page.page.getByRole('navigation', { name: /^Pages of / });

describe('long lists, a page at a time', { timeout: 300_000 }, () => {
  let session: Session;
  let priorities = 0;
  let indicators = 0;
  let risks = 0;
  before(async () => {
    session = await startSession();
    const { services } = session.testApp;
    const home = (await services.organisations.findHome())!;
    const actor = systemActor(home.id, 'e2e');
    const themeId = (await services.plans.listPriorities(actor))[0]!.themeId;
    for (let n = 1; n <= MORE; n++) {
      const code = `LONG-${String(n).padStart(2, '0')}`;
      await services.plans.createPriority(actor, { themeId, code, title: `Long list priority ${n}` });
      await services.indicators.create(actor, {
        code: `${code}-I`,
        title: `Long list indicator ${n}`,
        unitKind: 'number',
        decimalPlaces: '0',
        polarity: 'higher',
        frequency: 'quarterly',
        ruleKind: 'default',
      });
      await services.risks.create(actor, {
        priority: code,
        description: `Long list risk ${n}`,
        likelihood: String(1 + (n % 5)),
        impact: String(1 + ((n * 2) % 5)),
      });
    }
    priorities = (await services.plans.listPriorities(actor)).length;
    indicators = (await services.indicators.list(actor)).length;
    risks = (await services.risks.register(actor)).risks.length;
    assert.ok(priorities > 100 && priorities <= 150, `${priorities} priorities: three pages`);
  });
  after(async () => {
    await session?.close();
  });

  it('the priority list: the first 50, then the next page, a page number and back', async () => {
    const page = session.page;
    const list = await new PriorityListPage(page).visit();
    assert.equal((await list.codes()).length, 50);
    assert.equal(await showing(list), `Showing 1 to 50 of ${priorities} priorities`);
    const nav = pagination(list);
    assert.equal(await nav.getAttribute('aria-label'), 'Pages of improvement priorities');
    assert.equal(await nav.locator('[aria-current="page"]').innerText(), '1');

    const second = await list.follow(nav.getByRole('link', { name: 'Next page' }), new PriorityListPage(page));
    assert.equal(await showing(second), `Showing 51 to 100 of ${priorities} priorities`);
    assert.equal(await pagination(second).locator('[aria-current="page"]').innerText(), '2');

    const third = await second.follow(
      pagination(second).getByRole('link', { name: 'Page 3', exact: true }),
      new PriorityListPage(page),
    );
    assert.equal(await showing(third), `Showing 101 to ${priorities} of ${priorities} priorities`);
    assert.equal(await pagination(third).getByRole('link', { name: 'Next page' }).count(), 0, 'no "Next" on the last');
    const back = await third.follow(
      pagination(third).getByRole('link', { name: 'Previous page' }),
      new PriorityListPage(page),
    );
    assert.equal(await showing(back), `Showing 51 to 100 of ${priorities} priorities`);
  });

  it('the priority list keeps its filter on every page', async () => {
    const page = session.page;
    // The 110 added have no report for 2009/10 H1: "No report" there runs to two pages at least.
    await page.goto(`${paths.priorities.list}?period=2009-10-h1&status=no-report`);
    const list = await new PriorityListPage(page).verifyOnPage();
    const first = await showing(list);
    assert.match(first, /^Showing 1 to 50 of \d+ priorities matching the filter$/);
    const next = await list.follow(
      pagination(list).getByRole('link', { name: 'Next page' }),
      new PriorityListPage(page),
    );
    assert.match(await showing(next), /^Showing 51 to \d+ of \d+ priorities matching the filter$/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('status'), 'no-report');
    assert.equal(url.searchParams.get('period'), '2009-10-h1');
    assert.equal(await page.locator('#status').inputValue(), 'no-report', 'the filter still shows what was chosen');
  });

  it('the indicator list: the first 50, then the rest', async () => {
    const page = session.page;
    const list = await new IndicatorList(page).visit();
    assert.equal(await list.qa('indicator-row').count(), 50);
    assert.equal(await showing(list), `Showing 1 to 50 of ${indicators} indicators`);
    const next = await list.follow(pagination(list).getByRole('link', { name: 'Next page' }), new IndicatorList(page));
    assert.equal(await showing(next), `Showing 51 to ${Math.min(100, indicators)} of ${indicators} indicators`);
    assert.equal(await pagination(next).locator('[aria-current="page"]').innerText(), '2');
  });

  it('the risk register: the first 50 open risks, then the next page, its heading unchanged', async () => {
    const page = session.page;
    const register = await new RiskRegister(page).visit();
    assert.equal(await register.qa('risk-row').count(), 50);
    assert.equal(await showing(register), `Showing 1 to 50 of ${risks} risks`);
    assert.equal(await pagination(register).getAttribute('aria-label'), 'Pages of risks');
    const next = await register.follow(
      pagination(register).getByRole('link', { name: 'Next page' }),
      new RiskRegister(page),
    );
    assert.equal(await showing(next), `Showing 51 to ${Math.min(100, risks)} of ${risks} risks`);
    assert.match(await page.title(), /^Risk register \(page 2 of \d+\) – /, 'the window’s title says which page');

    // Over 100 priorities have risks: a box for a priority's code instead of a drop-down of them all.
    const filter = page.getByRole('button', { name: 'Filter', exact: true });
    await page.getByLabel('Priority code').fill('long-07');
    const one = await next.follow(filter, new RiskRegister(page));
    assert.equal(await one.qa('risk-row').count(), 1);
    assert.equal(await page.getByLabel('Priority code').inputValue(), 'LONG-07');
    // A code that is no priority is said beside the box, over the whole register (axe checks this page too).
    await page.getByLabel('Priority code').fill('LONG-999');
    const typo = await one.follow(filter, new RiskRegister(page));
    assert.match(await textOf(page.locator('.govuk-error-summary')), /There is no priority with the code “LONG-999”/);
    assert.equal(await typo.qa('risk-row').count(), 50);
  });
});
