// An officer records a risk to VfM-4d through the form (after a refused first try), finds it in
// the organisation's register with its score and rating in words, sees it counted in its heat-map
// cell, and opens the list that cell stands for. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { BasePage, textOf, type Heading } from './pages/base-page.ts';
import { paths } from '../src/paths.ts';

/** A page known by its h1 (and a data-qa marker); arriving runs the accessibility check. */
class Screen extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker: string | undefined;
  private readonly name: string;
  constructor(page: BasePage['page'], heading: Heading, name: string, marker?: string) {
    super(page);
    this.name = name;
    this.heading = heading;
    this.marker = marker;
  }
  override get label(): string {
    return this.name;
  }
  visit(url: string): Promise<this> {
    return this.open(url);
  }
  async submit(button: string, next: Screen): Promise<Screen> {
    return this.goTo(next, () => this.page.getByRole('button', { name: button, exact: true }).click());
  }
}

describe('the risk register in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  it('adds a risk to VfM-4d, finds it in the register and its heat-map cell, and opens the cell’s list', async () => {
    const { page } = session;
    const register = (name: string) => new Screen(page, 'Risk register', name, 'heat-map');
    const priorityRisks = (name: string) => new Screen(page, 'Risks for VfM-4d', name, 'heat-map');
    const riskForm = (name: string) => new Screen(page, 'Add a risk', name, 'risk-form');

    const priority = await new Screen(page, /^VfM-4d /, 'PriorityPage').visit(paths.priorities.show('VfM-4d'));
    const empty = await priority.follow(
      page.getByRole('link', { name: 'Risk register', exact: true }),
      priorityRisks('PriorityRisksEmpty'),
    );
    assert.match(await textOf(empty.qa('no-risks')), /There are no risks for this priority yet/);
    const form = await empty.follow(page.getByRole('button', { name: 'Add a risk' }), riskForm('RiskForm'));
    assert.equal(await page.locator('#priority').inputValue(), 'VfM-4d', 'the priority is chosen already');

    // A first try with no likelihood, no impact and an impossible date is refused, field by field.
    await page.locator('#description').fill('The shared service partner withdraws before savings are made');
    await page.locator('#reviewOn').fill('31 February 2010');
    const refused = await form.submit('Save risk', riskForm('RiskFormWithErrors'));
    const errors = await refused.verifyRefused();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#likelihood', '#impact', '#reviewOn'],
    );
    assert.equal(await refused.followErrorLink(/Select how likely the risk is/), 'likelihood');

    const group = (name: string) => page.getByRole('group', { name, exact: true });
    await group('Likelihood').getByLabel('4 Likely', { exact: true }).check();
    await group('Impact').getByLabel('4 Major', { exact: true }).check();
    await group('Target likelihood (optional)').getByLabel('2 Unlikely', { exact: true }).check();
    await group('Target impact (optional)').getByLabel('3 Moderate', { exact: true }).check();
    await page.locator('#cause').fill('Budget pressure on the partner');
    await page.locator('#effect').fill('The efficiency savings arrive a year late');
    await page.locator('#ownerId').selectOption({ label: 'Iain Dunn' });
    await page.locator('#controls').fill('Monthly partnership board; exit clauses in the agreement');
    await page.locator('#reviewOn').fill('31 March 2010');
    const saved = await refused.submit('Save risk', priorityRisks('PriorityRisks'));
    assert.equal(await saved.flash(), 'Success The risk has been added.');

    // The organisation's register: the score and rating in words, the target, the overdue review.
    const all = await saved.navigateTo('Risks', register('RiskRegister'));
    const row = all.qa('risk-row').filter({ hasText: 'The shared service partner withdraws' });
    assert.equal(await row.count(), 1);
    assert.match(await textOf(row.locator('[data-qa="score"]')), /^16 High Likelihood 4 Likely × impact 4 Major$/);
    assert.match(await textOf(row.locator('[data-qa="target"]')), /^6 Medium /);
    assert.equal(await textOf(row.locator('[data-qa="review"]')), '31 March 2010 Review overdue');

    // Its heat-map cell counts it, says the rating in words, and opens the list it stands for.
    const cell = page.locator('[data-qa="heat-cell"][data-likelihood="4"][data-impact="4"]');
    assert.equal(await textOf(cell), '1 risk with likelihood 4 Likely and impact 4 Major High');
    const filtered = await all.follow(cell.getByRole('link'), register('RiskRegisterForCell'));
    assert.match(page.url(), /\/risks\?likelihood=4&impact=4$/);
    assert.equal(
      await textOf(filtered.qa('cell-filter')),
      'Showing the risks with likelihood 4 Likely and impact 4 Major.',
    );
    assert.equal(await filtered.qa('risk-row').count(), 1);

    // The filters work without the map too: by rating, then cleared.
    await page.locator('#rating').selectOption({ label: 'Medium' });
    const medium = await filtered.submit('Filter', register('RiskRegisterMedium'));
    assert.equal(await textOf(medium.qa('no-risks')), 'No risks match the filter.');
    const cleared = await medium.follow(medium.qa('clear-filter'), register('RiskRegisterCleared'));
    assert.equal(await cleared.qa('risk-row').count(), 1);
  });
});
