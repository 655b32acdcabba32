// Page objects for the list of improvement priorities, one priority, and the priority form.

import type { Locator } from 'playwright-core';
import { paths } from '../../src/paths.ts';
import { BasePage, textOf, type Heading } from './base-page.ts';
import { NewReportPage, ReportPage } from './report-pages.ts';

export class PriorityListPage extends BasePage {
  protected readonly heading = 'Improvement priorities';

  visit(): Promise<this> {
    return this.open(paths.priorities.list);
  }

  row(code: string): Locator {
    return this.page.locator(`[data-qa="priority-row"][data-code="${code}"]`);
  }

  /** The status tag in a priority's row: its visible text and its data-status key. */
  async statusOf(code: string): Promise<{ text: string; key: string | null }> {
    const tag = this.row(code).locator('[data-qa="status"]');
    return { text: await textOf(tag), key: await tag.getAttribute('data-status') };
  }

  async codes(): Promise<string[]> {
    return this.page
      .locator('[data-qa="priority-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code') ?? ''));
  }

  addPriority(): Promise<PriorityFormPage> {
    return this.goTo(new PriorityFormPage(this.page), () =>
      this.page.getByRole('button', { name: 'Add an improvement priority' }).click(),
    );
  }

  openPriority(code: string, title: string): Promise<PriorityPage> {
    return this.goTo(new PriorityPage(this.page, code, title), () =>
      this.row(code).getByRole('link', { name: code, exact: true }).click(),
    );
  }

  openLatestReport(code: string, title: string): Promise<ReportPage> {
    return this.goTo(new ReportPage(this.page, code, title), () =>
      this.row(code)
        .getByRole('link', { name: /report/ })
        .click(),
    );
  }
}

export interface PriorityDetails {
  theme: string;
  code: string;
  title: string;
  rationale: string;
  officer?: string;
  director?: string;
  groupsInternal?: string;
  groupsExternal?: string;
}

export class PriorityFormPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'priority-form';

  constructor(page: BasePage['page'], heading: Heading = 'Add an improvement priority') {
    super(page);
    this.heading = heading;
  }

  visitNew(): Promise<this> {
    return this.open(paths.priorities.new);
  }

  /** Fills the form; select options are chosen by their visible text. */
  async fill(p: Partial<PriorityDetails>): Promise<this> {
    if (p.theme !== undefined) await this.page.getByLabel('Theme').selectOption({ label: p.theme });
    if (p.code !== undefined) await this.page.getByLabel('Code').fill(p.code);
    if (p.title !== undefined) await this.page.getByLabel('Title', { exact: true }).fill(p.title);
    if (p.rationale !== undefined) await this.page.getByLabel('Why is this a priority').fill(p.rationale);
    if (p.officer !== undefined) await this.page.getByLabel('Accountable officer').selectOption({ label: p.officer });
    if (p.director !== undefined)
      await this.page.getByLabel('Accountable director').selectOption({ label: p.director });
    if (p.groupsInternal !== undefined) await this.page.getByLabel('Council groups involved').fill(p.groupsInternal);
    if (p.groupsExternal !== undefined)
      await this.page.getByLabel('Partnership groups involved').fill(p.groupsExternal);
    return this;
  }

  private saveButton(): Locator {
    return this.page.getByRole('button', { name: 'Save priority' });
  }

  save(code: string, title: string): Promise<PriorityPage> {
    return this.goTo(new PriorityPage(this.page, code, title), () => this.saveButton().click());
  }

  /** Saves expecting the form back with errors (axe-checked); returns the error links. */
  async saveExpectingErrors() {
    await this.goTo(this, () => this.saveButton().click());
    return this.verifyRefused();
  }
}

export class PriorityPage extends BasePage {
  protected readonly heading: string;

  readonly code: string;
  readonly title: string;
  constructor(page: BasePage['page'], code: string, title: string) {
    super(page);
    this.code = code;
    this.title = title;
    this.heading = `${code} ${title}`;
  }

  visit(): Promise<this> {
    return this.open(paths.priorities.show(this.code));
  }

  /** The value shown against a key in the summary list, e.g. "Accountable officer". */
  async summaryValue(key: string): Promise<string> {
    const row = this.page
      .locator('.govuk-summary-list__row')
      .filter({ has: this.page.locator('dt', { hasText: key }) });
    return textOf(row.locator('dd').first());
  }

  /** The paragraphs under "Why is this a priority". */
  async rationale(): Promise<string[]> {
    return this.page.locator('h2:has-text("Why is this a priority") ~ p.amber-pre-line').allInnerTexts();
  }

  startReport(): Promise<NewReportPage> {
    return this.goTo(new NewReportPage(this.page, this.code, this.title), () =>
      this.page.getByRole('button', { name: 'Start a progress report' }).click(),
    );
  }

  change(): Promise<PriorityFormPage> {
    return this.goTo(new PriorityFormPage(this.page, `Change ${this.code}`), () =>
      this.page.getByRole('button', { name: 'Change this priority' }).click(),
    );
  }

  openReport(periodLabel: string): Promise<ReportPage> {
    return this.goTo(new ReportPage(this.page, this.code, this.title), () =>
      this.qa('reports').getByRole('link', { name: periodLabel }).click(),
    );
  }

  /** The status tag of the report for a period, from the reports table. */
  statusTag(periodLabel: string): Locator {
    return this.qa('reports').getByRole('row').filter({ hasText: periodLabel }).locator('[data-qa="status"]');
  }
}
