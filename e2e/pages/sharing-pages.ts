// Page objects of partnerships (issue 11): signing in and out as anyone (not only the demo's
// people), the owner's data-sharing agreements and the shares under them, and the partner's
// "Shared with us", shared report and shared milestone pages. Arriving on each runs axe.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { BasePage, textOf, type Heading } from './base-page.ts';
import { PriorityListPage } from './priority-pages.ts';
import { paths } from '../../src/paths.ts';

const SIGN_IN = 'Sign in to Amber';

/** The sign-in page, reached by a visit or by signing out. */
export class SignInPage extends BasePage {
  protected readonly heading = SIGN_IN;
  protected override readonly marker = 'sign-in-form';

  visit(): Promise<this> {
    return this.open(paths.signIn);
  }

  /** Signs in with an address and password; lands on the priorities list (the home page). */
  async signIn(email: string, password: string): Promise<PriorityListPage> {
    await this.page.getByLabel('E-mail address').fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    return this.goTo(new PriorityListPage(this.page), () => this.qa('sign-in').click());
  }
}

/** Signs out with the header's button (from any page); lands on the sign-in page. */
export function signOut(from: BasePage): Promise<SignInPage> {
  return from.follow(from.qa('sign-out'), new SignInPage(from.page));
}

/**
 * The success banner after a change: there must be exactly one (a page that rendered its own as
 * well as the layout's would show the news twice). Its text, or undefined when there is none.
 */
export async function onlyFlash(on: BasePage): Promise<string | undefined> {
  const banners = on.page.locator('.govuk-notification-banner--success');
  const n = await banners.count();
  assert.ok(
    n <= 1,
    `${on.label}: ${n} success banners at ${on.page.url()}, saying:\n${(await banners.allInnerTexts()).join('\n')}`,
  );
  return n ? textOf(banners) : undefined;
}

/** The header: which organisation the pages are of, and who is signed in. */
export async function currentOrganisation(page: Page): Promise<string> {
  return textOf(page.locator('[data-qa="current-organisation"]'));
}

// --- The organisation that shares ----------------------------------------------------------

export class AgreementsPage extends BasePage {
  protected readonly heading = 'Data-sharing agreements';

  visit(): Promise<this> {
    return this.open(paths.sharing.list);
  }

  recordAgreement(): Promise<AgreementFormPage> {
    return this.follow(this.qa('new-agreement'), new AgreementFormPage(this.page));
  }
}

export interface AgreementDetails {
  partner?: string;
  /** The label of Leeds's own partner record, e.g. "Local Partnerships". */
  partnerRecord?: string;
  title?: string;
  purpose?: string;
  dataShared?: string;
  legalBasis?: string;
  startsOn?: string;
  endsOn?: string;
  signatories?: string;
}

export class AgreementFormPage extends BasePage {
  protected readonly heading = 'Record a data-sharing agreement';
  protected override readonly marker = 'agreement-form';

  async fill(a: AgreementDetails): Promise<this> {
    const form = this.qa('agreement-form');
    for (const field of [
      'partner',
      'title',
      'purpose',
      'dataShared',
      'legalBasis',
      'startsOn',
      'endsOn',
      'signatories',
    ] as const)
      if (a[field] !== undefined) await form.locator(`[name="${field}"]`).fill(a[field]);
    if (a.partnerRecord !== undefined) await form.locator('#partnerRecordId').selectOption({ label: a.partnerRecord });
    return this;
  }

  save(title: string): Promise<AgreementPage> {
    return this.goTo(new AgreementPage(this.page, title), () => this.qa('save').click());
  }

  async saveExpectingErrors() {
    await this.goTo(this, () => this.qa('save').click());
    const summaries = await this.errorSummary().count();
    assert.ok(
      summaries <= 1,
      `${this.label}: ${summaries} error summaries at ${this.page.url()}: a page shows one, above its h1`,
    );
    return this.verifyRefused();
  }
}

export class AgreementPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'agreement';

  readonly title: string;
  constructor(page: Page, title: string) {
    super(page);
    this.title = title;
    // The h1 ends with the state tag.
    this.heading = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (Active|Not started|Ended|Revoked)$`);
  }

  async state(): Promise<string> {
    return textOf(this.qa('agreement-state'));
  }

  /** The summary list as "Key: value" lines. */
  async terms(): Promise<string[]> {
    return (await this.qa('agreement').locator('.govuk-summary-list__row').allInnerTexts()).map((s) =>
      s.replace(/\s+/g, ' ').trim(),
    );
  }

  /** Each share as one line of text. */
  async shares(): Promise<string[]> {
    return (await this.qa('share').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  }

  sharePriority(): Promise<ShareFormPage> {
    return this.follow(this.qa('share-priority'), new ShareFormPage(this.page));
  }

  async canRevoke(): Promise<boolean> {
    return (await this.qa('revoke-form').count()) > 0;
  }

  async revoke(reason: string): Promise<AgreementPage> {
    await this.qa('revoke-form').getByLabel('Why is it revoked?').fill(reason);
    return this.goTo(new AgreementPage(this.page, this.title), () => this.qa('revoke').click());
  }
}

export interface ShareDetails {
  /** The start of the priority's option label, e.g. "VfM-4d". */
  priority: string;
  level: 'read' | 'update';
  /** Period labels, e.g. "2009/10 H1". */
  periods: string[];
  /** Section labels kept internal, e.g. "Challenges and risks". */
  internal: string[];
}

export class ShareFormPage extends BasePage {
  protected readonly heading = /^Share a priority with .+$/;
  protected override readonly marker = 'share-form';

  async fill(s: ShareDetails): Promise<this> {
    const form = this.qa('share-form');
    const select = form.locator('#priorityId');
    const labels = await select.locator('option').allInnerTexts();
    const label = labels.find((l) => l.trim().startsWith(`${s.priority} `));
    if (!label) throw new Error(`ShareFormPage: no priority ${s.priority} among ${labels.join(' | ')}`);
    await select.selectOption({ label: label.trim() });
    await form.locator(`input[name="level"][value="${s.level}"]`).check();
    const group = (legend: string) => form.getByRole('group', { name: legend });
    for (const p of s.periods)
      await group('Reports of which periods?').getByRole('checkbox', { name: p, exact: true }).check();
    for (const i of s.internal)
      await group('Sections to keep internal').getByRole('checkbox', { name: i, exact: true }).check();
    return this;
  }

  save(title: string): Promise<AgreementPage> {
    return this.goTo(new AgreementPage(this.page, title), () => this.qa('save').click());
  }
}

// --- The partner ---------------------------------------------------------------------------

export interface SharedRow {
  sharedBy: string;
  priority: string;
  mayDo: string;
  reports: string;
}

export class SharedWithUsPage extends BasePage {
  protected readonly heading = 'Shared with us';

  visit(): Promise<this> {
    return this.open(paths.sharedWithUs.list);
  }

  async rows(): Promise<SharedRow[]> {
    const out: SharedRow[] = [];
    for (const row of await this.qa('shared-priority').all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
      out.push({ sharedBy: cells[0]!, priority: cells[1]!, mayDo: cells[2]!, reports: cells[3]! });
    }
    return out;
  }

  async nothingShared(): Promise<string | undefined> {
    return (await this.qa('nothing-shared').count()) ? textOf(this.qa('nothing-shared')) : undefined;
  }

  /** Follows the link to a shared report, by priority code and period label (e.g. "2009/10 H1"). */
  openReport(code: string, periodLabel: string): Promise<SharedReportPage> {
    return this.follow(
      this.qa('shared').getByRole('link', { name: `${periodLabel} report of ${code}`, exact: true }),
      new SharedReportPage(this.page, code),
    );
  }
}

export class SharedReportPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'shared-by';

  readonly code: string;
  constructor(page: Page, code: string) {
    super(page);
    this.code = code;
    this.heading = new RegExp(`^Improvement Priority – ${code} `);
  }

  async sharedBy(): Promise<string> {
    return textOf(this.qa('shared-by'));
  }

  /** The report as read (without the banner, the inset and the list of updatable milestones). */
  async reportText(): Promise<string> {
    return textOf(this.qa('report'));
  }

  /** The milestones the partner may update: their link texts, in order. */
  async updatable(): Promise<string[]> {
    if ((await this.qa('updatable').count()) === 0) return [];
    return (await this.qa('updatable').locator('a').allInnerTexts()).map((s) => s.trim());
  }

  openMilestone(description: string): Promise<SharedMilestonePage> {
    return this.follow(
      this.qa('updatable').getByRole('link', { name: description, exact: true }),
      new SharedMilestonePage(this.page, this.code),
    );
  }
}

export interface SharedProgress {
  progress: 'met' | 'slipped' | 'missed' | 'suspended' | 'none';
  metOn?: string;
  revised?: string;
  reason?: string;
}

export class SharedMilestonePage extends BasePage {
  protected readonly heading = 'Record progress on a shared milestone';
  protected override readonly marker = 'progress-form';

  readonly code: string;
  constructor(page: Page, code: string) {
    super(page);
    this.code = code;
  }

  /** The summary list: key action, milestone, timescale and progress now, as "Key value" lines. */
  async facts(): Promise<string[]> {
    return (await this.page.locator('.govuk-summary-list__row').allInnerTexts()).map((s) =>
      s.replace(/\s+/g, ' ').trim(),
    );
  }

  async fill(p: SharedProgress): Promise<this> {
    const form = this.qa('progress-form');
    await form.locator(`input[name="progress"][value="${p.progress}"]`).check();
    if (p.metOn !== undefined) await form.getByLabel('Date it was met (if met)').fill(p.metOn);
    if (p.revised !== undefined) await form.getByLabel('Revised timescale (if slipped)').fill(p.revised);
    if (p.reason !== undefined) await form.getByLabel('Reason or note').fill(p.reason);
    return this;
  }

  save(): Promise<SharedReportPage> {
    return this.goTo(new SharedReportPage(this.page, this.code), () => this.qa('save').click());
  }
}

/** The error page a missing (or forbidden, or no longer shared) page answers with. */
export class NotFoundPage extends BasePage {
  protected readonly heading = 'Page not found';

  /** Goes to `url` and checks it answers 404 with the "Page not found" page. */
  async visitExpecting404(url: string): Promise<{ status: number; detail: string }> {
    const response = await this.page.goto(url);
    if (!response) throw new Error(`no response for ${url}`);
    await this.verifyOnPage();
    return { status: response.status(), detail: await textOf(this.page.locator('main')) };
  }
}
