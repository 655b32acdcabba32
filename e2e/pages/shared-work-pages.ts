// Page objects of a partner's work on a shared priority beyond milestones (issue 11, part 3): the
// value of an indicator it supplies, and the comments both organisations exchange on a report.

import type { Page } from 'playwright-core';
import { BasePage, textOf, type Heading } from './base-page.ts';
import { SharedReportPage } from './sharing-pages.ts';

/** The comments section of a shared report (the partner's page or the owner's conversation page). */
export class Comments {
  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  /** Each comment as "author, organisation | about | body". */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const c of await this.page.locator('[data-qa="comment"]').all())
      out.push(
        `${await textOf(c.locator('[data-qa="comment-author"]'))}, ${await textOf(c.locator('[data-qa="comment-organisation"]'))} | ${await textOf(c.locator('[data-qa="comment-body"]'))}`,
      );
    return out;
  }

  async write(body: string, about?: string): Promise<void> {
    const form = this.page.locator('[data-qa="comment-form"]');
    if (about !== undefined) await form.locator('#actionId').selectOption({ label: about });
    await form.locator('#body').fill(body);
  }

  async canComment(): Promise<boolean> {
    return (await this.page.locator('[data-qa="comment-form"]').count()) > 0;
  }
}

/** The indicators the partner supplies, as the shared report lists them: "code title | period | actual". */
export async function suppliedRows(report: SharedReportPage): Promise<string[]> {
  if ((await report.qa('supplied').count()) === 0) return [];
  const rows = await report.qa('supplied').locator('tbody tr').all();
  const out: string[] = [];
  for (const r of rows) {
    const cells = (await r.locator('td').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
    out.push(cells.slice(0, 3).join(' | '));
  }
  return out;
}

export function openSupplied(report: SharedReportPage, code: string, periodLabel: string): Promise<SuppliedValuePage> {
  return report.follow(
    report.qa('supplied').getByRole('link', { name: `Enter the value of ${code} for ${periodLabel}`, exact: true }),
    new SuppliedValuePage(report.page, code, report.code),
  );
}

export function commentOnReport(report: SharedReportPage): Promise<SharedReportPage> {
  return report.follow(report.qa('add-comment'), new SharedReportPage(report.page, report.code));
}

export class SuppliedValuePage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'value-form';

  readonly priorityCode: string;
  constructor(page: Page, indicatorCode: string, priorityCode: string) {
    super(page);
    this.priorityCode = priorityCode;
    this.heading = `Enter a value of ${indicatorCode}`;
  }

  /** The summary list: indicator, period and target, as "Key value" lines. */
  async facts(): Promise<string[]> {
    return (await this.qa('supplied-indicator').locator('.govuk-summary-list__row').allInnerTexts()).map((s) =>
      s.replace(/\s+/g, ' ').trim(),
    );
  }

  async actual(): Promise<string> {
    return this.page.locator('#actual').inputValue();
  }

  async fill(actual: string, comment?: string): Promise<this> {
    const form = this.qa('value-form');
    await form.locator('#actual').fill(actual);
    if (comment !== undefined) await form.locator('#comment').fill(comment);
    return this;
  }

  save(): Promise<SharedReportPage> {
    return this.goTo(new SharedReportPage(this.page, this.priorityCode), () => this.qa('save').click());
  }

  async saveExpectingErrors() {
    await this.goTo(this, () => this.qa('save').click());
    return this.errors();
  }
}

/** The sharing organisation's page of the comments on a report it shares. */
export class ShareConversationPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'comments';

  constructor(page: Page, partnerName: string) {
    super(page);
    this.heading = new RegExp(`^Comments with ${partnerName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} on `);
  }

  get comments(): Comments {
    return new Comments(this.page);
  }

  send(): Promise<ShareConversationPage> {
    return this.goTo(this, () => this.qa('add-comment').click());
  }
}
