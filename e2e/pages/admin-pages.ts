// Page objects for the reference data behind reports: people, partner organisations, plans and
// themes, reporting periods, the status scale; and the API description, the accessibility
// statement and the 404 page.

import type { Locator, Page } from 'playwright-core';
import { paths } from '../../src/paths.ts';
import { BasePage, type Heading } from './base-page.ts';

/** A list page whose table has one row per record and a "Change <name>" link in each. */
abstract class ListPage extends BasePage {
  protected abstract readonly table: string;

  /** The first column of every row. */
  async names(): Promise<string[]> {
    return this.qa(this.table).locator('tbody tr td:first-child').allInnerTexts();
  }

  rowOf(name: string): Locator {
    return this.qa(this.table)
      .locator('tbody tr')
      .filter({ has: this.page.locator('td:first-child', { hasText: name }) });
  }

  /** The cells of a record's row, as text. */
  async cellsOf(name: string): Promise<string[]> {
    return (await this.rowOf(name).locator('td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The href of the "Change <name>" link. */
  async changeHref(name: string): Promise<string> {
    return (
      (await this.rowOf(name)
        .getByRole('link', { name: /^Change/ })
        .getAttribute('href')) ?? ''
    );
  }
}

// --- People ----------------------------------------------------------------------------------

export class PeopleListPage extends ListPage {
  protected readonly heading = 'People';
  protected readonly table = 'people';
  visit(): Promise<this> {
    return this.open(paths.people.list);
  }

  changePerson(name: string): Promise<PersonFormPage> {
    return this.goTo(new PersonFormPage(this.page, `Change ${name}`), () =>
      this.rowOf(name)
        .getByRole('link', { name: `Change ${name}`, exact: true })
        .click(),
    );
  }

  addPerson(): Promise<PersonFormPage> {
    return this.goTo(new PersonFormPage(this.page), () =>
      this.page.getByRole('button', { name: 'Add a person' }).click(),
    );
  }
}

export interface PersonDetails {
  name: string;
  jobTitle?: string;
  employer?: string;
  email?: string;
}

export class PersonFormPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'person-form';
  constructor(page: Page, heading: Heading = 'Add a person') {
    super(page);
    this.heading = heading;
  }

  visitNew(): Promise<this> {
    return this.open(paths.people.new);
  }

  async fill(p: PersonDetails): Promise<this> {
    await this.page.getByLabel('Name', { exact: true }).fill(p.name);
    if (p.jobTitle !== undefined) await this.page.getByLabel('Job title').fill(p.jobTitle);
    if (p.employer !== undefined)
      await this.page.getByLabel('Organisation they work for').selectOption({ label: p.employer });
    if (p.email !== undefined) await this.page.getByLabel(/^Email address/).fill(p.email);
    return this;
  }

  save(): Promise<PeopleListPage> {
    return this.goTo(new PeopleListPage(this.page), () =>
      this.page.getByRole('button', { name: 'Save person' }).click(),
    );
  }
}

// --- Partner organisations ---------------------------------------------------------------------

export class OrganisationListPage extends ListPage {
  protected readonly heading = 'Partner organisations';
  protected readonly table = 'organisations';
  visit(): Promise<this> {
    return this.open(paths.organisations.list);
  }

  changeOrganisation(name: string): Promise<OrganisationFormPage> {
    return this.goTo(new OrganisationFormPage(this.page, `Change ${name}`), () =>
      this.rowOf(name)
        .getByRole('link', { name: `Change ${name}`, exact: true })
        .click(),
    );
  }

  addOrganisation(): Promise<OrganisationFormPage> {
    return this.goTo(new OrganisationFormPage(this.page), () =>
      this.page.getByRole('button', { name: 'Add a partner organisation' }).click(),
    );
  }
}

export interface OrganisationDetails {
  name: string;
  shortName?: string;
  kind: string;
}

export class OrganisationFormPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'organisation-form';
  constructor(page: Page, heading: Heading = 'Add a partner organisation') {
    super(page);
    this.heading = heading;
  }

  visitNew(): Promise<this> {
    return this.open(paths.organisations.new);
  }

  async fill(o: OrganisationDetails): Promise<this> {
    await this.page.getByLabel('Name', { exact: true }).fill(o.name);
    if (o.shortName !== undefined) await this.page.getByLabel('Short name (optional)').fill(o.shortName);
    await this.page.getByRole('radio', { name: o.kind, exact: true }).check();
    return this;
  }

  save(): Promise<OrganisationListPage> {
    return this.goTo(new OrganisationListPage(this.page), () =>
      this.page.getByRole('button', { name: 'Save organisation' }).click(),
    );
  }
}

// --- Plans and themes ------------------------------------------------------------------------

export class PlanListPage extends BasePage {
  protected readonly heading = 'Plans and themes';
  visit(): Promise<this> {
    return this.open(paths.plans.list);
  }

  /** Every theme's title, in order. */
  async themes(): Promise<string[]> {
    return this.qa('themes')
      .locator('li')
      .evaluateAll((lis) => lis.map((li) => (li.firstChild?.textContent ?? '').trim()));
  }

  changePlan(title: string): Promise<PlanFormPage> {
    return this.goTo(new PlanFormPage(this.page, `Change ${title}`), () =>
      this.page.getByRole('link', { name: `Change ${title}`, exact: true }).click(),
    );
  }

  addPlan(): Promise<PlanFormPage> {
    return this.goTo(new PlanFormPage(this.page), () => this.page.getByRole('button', { name: 'Add a plan' }).click());
  }

  addTheme(planTitle: string): Promise<ThemeFormPage> {
    return this.goTo(new ThemeFormPage(this.page, `Add a theme to ${planTitle}`), () =>
      this.page.getByRole('button', { name: `Add a theme to ${planTitle}` }).click(),
    );
  }

  changeTheme(title: string): Promise<ThemeFormPage> {
    return this.goTo(new ThemeFormPage(this.page, `Change ${title}`), () =>
      this.qa('themes')
        .getByRole('link', { name: `Change ${title}`, exact: true })
        .click(),
    );
  }
}

export class PlanFormPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'plan-form';
  constructor(page: Page, heading: Heading = 'Add a plan') {
    super(page);
    this.heading = heading;
  }
}

export class ThemeFormPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'theme-form';
  constructor(page: Page, heading: Heading) {
    super(page);
    this.heading = heading;
  }
}

// --- Reporting periods ---------------------------------------------------------------------------

export class PeriodListPage extends ListPage {
  protected readonly heading = 'Reporting periods';
  protected readonly table = 'periods';
  visit(): Promise<this> {
    return this.open(paths.periods.list);
  }

  addPeriod(): Promise<PeriodFormPage> {
    return this.goTo(new PeriodFormPage(this.page), () =>
      this.page.getByRole('button', { name: 'Add a reporting period' }).click(),
    );
  }

  changePeriod(label: string): Promise<PeriodDuePage> {
    return this.goTo(new PeriodDuePage(this.page, label), () =>
      this.rowOf(label)
        .getByRole('link', { name: `Change ${label}`, exact: true })
        .click(),
    );
  }
}

export class PeriodFormPage extends BasePage {
  protected readonly heading = 'Add a reporting period';
  protected override readonly marker = 'period-form';
}

export class PeriodDuePage extends BasePage {
  protected readonly heading: string;
  constructor(page: Page, label: string) {
    super(page);
    this.heading = label;
  }
}

// --- Status scale, API, errors ---------------------------------------------------------------------

export class StatusScalePage extends BasePage {
  protected readonly heading = 'Status scale';
  protected override readonly marker = 'status-scale-form';
  visit(): Promise<this> {
    return this.open(paths.statusScale.edit);
  }

  /** Each status's label as typed in the form, in order. */
  async labels(): Promise<string[]> {
    const out: string[] = [];
    for (const row of await this.qa('status-row').all())
      out.push(await row.getByLabel('Label', { exact: true }).inputValue());
    return out;
  }

  /**
   * "Remove status n" (the form comes back without it and says nothing is saved yet), then
   * "Save status scale" when unpublished reports use it: the confirmation page (axe-checked each time).
   */
  async removeThenSaveExpectingConfirmation(n: number): Promise<StatusScaleConfirmationPage> {
    await this.goTo(this, () => this.page.getByRole('button', { name: `Remove status ${n}`, exact: true }).click());
    await this.qa('not-saved').waitFor();
    return this.goTo(new StatusScaleConfirmationPage(this.page), () =>
      this.page.getByRole('button', { name: 'Save status scale' }).click(),
    );
  }
}

/** Asked before a change of the scale alters unpublished reports: which, and what published reports keep. */
export class StatusScaleConfirmationPage extends BasePage {
  protected readonly heading = 'Check the change to the status scale';
  protected override readonly marker = 'affected-reports';

  /** The affected reports' rows: priority, period, state, status now, status once saved. */
  async affected(): Promise<string[][]> {
    const out: string[][] = [];
    for (const row of await this.qa('affected-report').all())
      out.push((await row.locator('th, td').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()));
    return out;
  }

  async publishedNotAffected(): Promise<string> {
    return (await this.qa('published-not-affected').innerText()).trim();
  }

  /** "Go back and change the scale": the form with the change, not saved. */
  goBack(): Promise<StatusScalePage> {
    return this.goTo(new StatusScalePage(this.page), () =>
      this.page.getByRole('button', { name: 'Go back and change the scale' }).click(),
    );
  }

  /** "Save status scale": saved, back on the settings page with the "saved" banner. */
  confirm(): Promise<StatusScalePage> {
    return this.goTo(new StatusScalePage(this.page), () =>
      this.page.getByRole('button', { name: 'Save status scale' }).click(),
    );
  }
}

export class ApiDocsPage extends BasePage {
  protected readonly heading = 'Amber API';
  visit(): Promise<this> {
    return this.open(paths.api.docs);
  }

  async operationCount(): Promise<number> {
    return this.page.locator('table tbody tr').count();
  }
}

export class AccessibilityStatementPage extends BasePage {
  protected readonly heading = 'Accessibility statement for Amber';
  protected override readonly marker = 'accessibility-statement';
  visit(): Promise<this> {
    return this.open(paths.accessibility);
  }

  /** Whether the page warns that the contact details have not been set. */
  async notSet(): Promise<boolean> {
    return (await this.qa('statement-not-set').count()) > 0;
  }
}

export class NotFoundPage extends BasePage {
  protected readonly heading = 'Page not found';
  protected override readonly marker = 'error-detail';

  /** Goes to a URL that should not exist; checks the answer is a 404 and the page passes axe. */
  async visitMissing(url: string): Promise<{ status: number; detail: string }> {
    const response = await this.page.goto(url);
    await this.verifyOnPage();
    return { status: response?.status() ?? 0, detail: (await this.qa('error-detail').innerText()).trim() };
  }

  backToPriorities(): Locator {
    return this.page.getByRole('link', { name: 'Go to the list of improvement priorities' });
  }
}
