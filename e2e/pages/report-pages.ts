// Page objects for a progress report: starting one, the report as read, its sections form, the
// key action form (with its milestone rows), the sign-off page (approve, or return with a
// comment), the revisions, what changed between two, and the history.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { DOWNLOAD_TIMEOUT } from '../support/browser.ts';
import { paths } from '../../src/paths.ts';
import { BasePage, textOf, type Heading } from './base-page.ts';
import { PriorityPage } from './priority-pages.ts';

export class NewReportPage extends BasePage {
  protected readonly heading: string;
  protected override readonly marker = 'report-new-form';

  readonly code: string;
  readonly title: string;
  constructor(page: Page, code: string, title: string) {
    super(page);
    this.code = code;
    this.title = title;
    this.heading = `Start a progress report for ${code}`;
  }

  /** Chooses a period by the start of its label, e.g. "2009/10 H1". */
  async choosePeriod(label: string): Promise<this> {
    await this.page
      .getByRole('radio', { name: new RegExp(`^${label.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) })
      .check();
    return this;
  }

  start(): Promise<ReportFormPage> {
    return this.goTo(new ReportFormPage(this.page, this.code, this.title), () =>
      this.page.getByRole('button', { name: 'Start report' }).click(),
    );
  }
}

export interface Sections {
  summary?: string;
  /** A status label, e.g. "Amber", or "Not assessed yet". */
  status?: string;
  statusReason?: string;
  achievements?: string[];
  challenges?: string[];
}

export class ReportFormPage extends BasePage {
  protected readonly heading = /^.+ progress report$/;
  protected override readonly marker = 'report-form';

  readonly code: string;
  readonly title: string;
  constructor(page: Page, code: string, title: string) {
    super(page);
    this.code = code;
    this.title = title;
  }

  visit(period: string): Promise<this> {
    return this.open(paths.reports.edit(this.code, period));
  }

  async fill(s: Sections): Promise<this> {
    if (s.summary !== undefined) await this.page.getByLabel('Overall summary').fill(s.summary);
    if (s.status !== undefined) await this.page.getByRole('radio', { name: s.status, exact: true }).check();
    if (s.statusReason !== undefined) await this.page.getByLabel('Reason for the status').fill(s.statusReason);
    if (s.achievements !== undefined)
      await this.page.getByLabel('Achievements since the last report').fill(s.achievements.join('\n'));
    if (s.challenges !== undefined) await this.page.getByLabel('Challenges/Risks').fill(s.challenges.join('\n'));
    return this;
  }

  private saveButton(): Locator {
    return this.page.getByRole('button', { name: 'Save report' });
  }

  save(): Promise<ReportPage> {
    return this.goTo(new ReportPage(this.page, this.code, this.title), () => this.saveButton().click());
  }

  async saveExpectingErrors() {
    await this.goTo(this, () => this.saveButton().click());
    return this.verifyRefused();
  }
}

export interface ActionRow {
  number: string;
  description: string;
  contributors: string[];
  milestones: { description: string; timescale: string }[];
}

export class ReportPage extends BasePage {
  protected readonly heading: string;
  protected override readonly marker = 'report';

  readonly code: string;
  readonly title: string;
  constructor(page: Page, code: string, title: string) {
    super(page);
    this.code = code;
    this.title = title;
    this.heading = `Improvement Priority – ${code} ${title}`;
  }

  visit(period: string): Promise<this> {
    return this.open(paths.reports.show(this.code, period));
  }

  /** Headings h1–h3 of the report, in document order. */
  async headings(): Promise<string[]> {
    return this.qa('report')
      .locator('h1, h2, h3')
      .evaluateAll((hs) => hs.map((h) => (h as HTMLElement).innerText.replace(/\s+/g, ' ').trim()));
  }

  /** The status tag: its visible text and its key. */
  async status(): Promise<{ text: string; key: string | null }> {
    const tag = this.qa('report-status').locator('[data-qa="status"]');
    return { text: await textOf(tag), key: await tag.getAttribute('data-status') };
  }

  async list(qa: 'achievements' | 'challenges'): Promise<string[]> {
    return this.qa(qa).locator('li').allInnerTexts();
  }

  /** The key actions table read back: one entry per action, milestones in order. */
  async actions(): Promise<ActionRow[]> {
    if ((await this.qa('actions').count()) === 0) return [];
    return this.qa('actions')
      .locator('tbody tr')
      .evaluateAll((rows) => {
        const out: {
          number: string;
          description: string;
          contributors: string[];
          milestones: { description: string; timescale: string }[];
        }[] = [];
        for (const row of rows) {
          const cells = [...row.querySelectorAll('td')] as HTMLElement[];
          if (row.getAttribute('data-qa') === 'action') {
            out.push({
              number: cells[0]!.innerText.trim(),
              description: cells[1]!.innerText.trim(),
              contributors: cells[2]!.innerText
                .split('\n')
                .map((s) => s.trim())
                .filter(Boolean),
              milestones: [],
            });
          }
          const m = row.querySelector('[data-qa="milestone"]') as HTMLElement | null;
          const t = row.querySelector('[data-qa="timescale"]') as HTMLElement | null;
          if (m && t && t.innerText.trim() !== '')
            out.at(-1)!.milestones.push({ description: m.innerText.trim(), timescale: t.innerText.trim() });
        }
        return out;
      });
  }

  /**
   * The sign-off row for a role ("accountable_officer" or "accountable_director"), as one line of
   * text: the test checks what it says (role, decision, name, date), not how the cells are laid out.
   */
  async signOff(role: 'accountable_officer' | 'accountable_director'): Promise<string> {
    return textOf(this.qa(`sign-off-${role}`));
  }

  edit(): Promise<ReportFormPage> {
    return this.goTo(new ReportFormPage(this.page, this.code, this.title), () => this.qa('edit-report').click());
  }

  addAction(): Promise<ActionFormPage> {
    return this.goTo(new ActionFormPage(this.page, this.code, this.title, 'Add a key action'), () =>
      this.qa('add-action').click(),
    );
  }

  changeAction(n: number): Promise<ActionFormPage> {
    return this.goTo(new ActionFormPage(this.page, this.code, this.title, `Change key action ${n}`), () =>
      this.qa('actions')
        .getByRole('link', { name: `Change key action ${n}`, exact: true })
        .click(),
    );
  }

  /** Where the report is in the workflow: "draft", "submitted", "officer_approved" or "published". */
  async state(): Promise<string | null> {
    return this.qa('report-state').getAttribute('data-state');
  }

  /** The revision shown (the number only). */
  async revision(): Promise<number> {
    return Number(/^\d+/.exec(await textOf(this.qa('report-revision')))![0]);
  }

  /** "Submit for sign-off": back on the report. */
  submit(): Promise<ReportPage> {
    return this.goTo(new ReportPage(this.page, this.code, this.title), () => this.qa('submit-report').click());
  }

  canSubmit(): Promise<boolean> {
    return this.qa('submit-report')
      .count()
      .then((n) => n > 0);
  }
  canSignOff(): Promise<boolean> {
    return this.qa('sign-off-report')
      .count()
      .then((n) => n > 0);
  }
  canEdit(): Promise<boolean> {
    return this.qa('edit-report')
      .count()
      .then((n) => n > 0);
  }

  /** "Sign off or return": the sign-off page. */
  signOffPage(): Promise<SignOffPage> {
    return this.goTo(new SignOffPage(this.page, this.code, this.title), () => this.qa('sign-off-report').click());
  }

  /** Every sign-off decision on the report, newest first, one line each. */
  async decisions(): Promise<string[]> {
    if ((await this.qa('decision').count()) === 0) return [];
    return (await this.qa('decision').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
  }

  revisions(): Promise<RevisionsPage> {
    return this.goTo(new RevisionsPage(this.page), () => this.qa('revisions-link').click());
  }

  history(): Promise<HistoryPage> {
    return this.goTo(new HistoryPage(this.page, /^History of the .+ report for .+$/), () =>
      this.qa('history-link').click(),
    );
  }

  backToPriority(): Promise<PriorityPage> {
    return this.goTo(new PriorityPage(this.page, this.code, this.title), () =>
      this.page.getByRole('link', { name: `Back to ${this.code}` }).click(),
    );
  }

  /** Downloads through the page's link; returns the saved file's path and suggested name. */
  async download(format: 'pdf' | 'docx' | 'html'): Promise<{ path: string; filename: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download', { timeout: DOWNLOAD_TIMEOUT }),
      this.qa(`download-${format}`).click({ timeout: DOWNLOAD_TIMEOUT }),
    ]);
    const failure = await download.failure();
    assert.equal(failure, null, `the ${format} download failed: ${failure}`);
    const dir = mkdtempSync(join(tmpdir(), 'amber-e2e-'));
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    return { path, filename: download.suggestedFilename() };
  }
}

export class ActionFormPage extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker = 'action-form';

  readonly code: string;
  readonly title: string;
  constructor(
    page: Page,
    code: string,
    title: string,
    heading: Heading = /^(Add a key action|Change key action \d+)$/,
  ) {
    super(page);
    this.code = code;
    this.title = title;
    this.heading = heading;
  }

  visitNew(period: string): Promise<this> {
    return this.open(paths.reports.actions.new(this.code, period));
  }

  async describe(text: string): Promise<this> {
    await this.page.getByLabel('Action (desired achievements)').fill(text);
    return this;
  }

  /** Ticks a contributory officer or partner organisation by its name. */
  async choose(...names: string[]): Promise<this> {
    for (const name of names) await this.page.getByRole('checkbox', { name, exact: true }).check();
    return this;
  }

  async chosen(): Promise<string[]> {
    const boxes = this.page.getByRole('checkbox', { checked: true });
    const out: string[] = [];
    for (const box of await boxes.all())
      out.push((await box.evaluate((b) => (b as HTMLInputElement).labels?.[0]?.innerText ?? '')).trim());
    return out;
  }

  milestoneRows(): Locator {
    return this.qa('milestone-row');
  }

  /** Fills milestone row n (1-based). */
  async milestone(n: number, description: string, timescale: string): Promise<this> {
    const row = this.milestoneRows().nth(n - 1);
    await row.getByLabel('Milestone', { exact: true }).fill(description);
    await row.getByLabel('Timescale', { exact: true }).fill(timescale);
    return this;
  }

  /** The milestone rows as they are in the form, blank ones included. */
  async milestones(): Promise<{ description: string; timescale: string }[]> {
    const out: { description: string; timescale: string }[] = [];
    for (const row of await this.milestoneRows().all()) {
      out.push({
        description: await row.getByLabel('Milestone', { exact: true }).inputValue(),
        timescale: await row.getByLabel('Timescale', { exact: true }).inputValue(),
      });
    }
    return out;
  }

  private next(): ActionFormPage {
    return new ActionFormPage(this.page, this.code, this.title, /^(Add a key action|Change key action \d+)$/);
  }

  /** "Add another milestone": the form comes back with the rows as typed and one blank row; nothing is saved. */
  addAnotherMilestone(): Promise<ActionFormPage> {
    return this.goTo(this.next(), () => this.page.getByRole('button', { name: 'Add another milestone' }).click());
  }

  moveUp(n: number): Promise<ActionFormPage> {
    return this.goTo(this.next(), () =>
      this.page.getByRole('button', { name: `Move up milestone ${n}`, exact: true }).click(),
    );
  }

  moveDown(n: number): Promise<ActionFormPage> {
    return this.goTo(this.next(), () =>
      this.page.getByRole('button', { name: `Move down milestone ${n}`, exact: true }).click(),
    );
  }

  remove(n: number): Promise<ActionFormPage> {
    return this.goTo(this.next(), () =>
      this.page.getByRole('button', { name: `Remove milestone ${n}`, exact: true }).click(),
    );
  }

  /** "Remove this key action": the confirmation page. */
  removeAction(): Promise<ActionDeletePage> {
    return this.goTo(new ActionDeletePage(this.page, this.code, this.title), () =>
      this.page.getByRole('link', { name: 'Remove this key action' }).click(),
    );
  }

  private saveButton(): Locator {
    return this.page.getByRole('button', { name: 'Save key action' });
  }

  save(): Promise<ReportPage> {
    return this.goTo(new ReportPage(this.page, this.code, this.title), () => this.saveButton().click());
  }

  async saveExpectingErrors() {
    await this.goTo(this, () => this.saveButton().click());
    return this.verifyRefused();
  }
}

/** The sign-off page: approve as the accountable officer or director, or return with a comment. */
export class SignOffPage extends BasePage {
  protected readonly heading = 'Sign off the report';
  protected override readonly marker = 'sign-off-form';

  readonly code: string;
  readonly title: string;
  constructor(page: Page, code: string, title: string) {
    super(page);
    this.code = code;
    this.title = title;
  }

  /** "Waiting for the accountable officer (Lee Hemsworth) to sign it off." and the like. */
  async next(): Promise<string> {
    return textOf(this.qa('workflow-next'));
  }

  async decide(decision: 'Approve' | 'Return it to draft', comment?: string): Promise<this> {
    await this.page.getByRole('radio', { name: decision, exact: true }).check();
    if (comment !== undefined) await this.page.getByLabel('Comment').fill(comment);
    return this;
  }

  private saveButton(): Locator {
    return this.page.getByRole('button', { name: 'Record my decision' });
  }

  save(): Promise<ReportPage> {
    return this.goTo(new ReportPage(this.page, this.code, this.title), () => this.saveButton().click());
  }

  async saveExpectingErrors() {
    await this.goTo(this, () => this.saveButton().click());
    return this.verifyRefused();
  }
}

/** The revisions of a report, newest first, with links to each and to what changed. */
export class RevisionsPage extends BasePage {
  protected readonly heading = 'Revisions';
  protected override readonly marker = 'revisions';

  /** One line per revision: "Revision 2 Published 24 November 2026 by ...". */
  async rows(): Promise<string[]> {
    return (await this.qa('revision').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  }

  revision(n: number): Promise<RevisionPage> {
    return this.goTo(new RevisionPage(this.page), () =>
      this.qa('revisions')
        .getByRole('link', { name: `Revision ${n}`, exact: true })
        .click(),
    );
  }

  whatChanged(from: number, to: number): Promise<ChangesPage> {
    return this.goTo(new ChangesPage(this.page, `What changed from revision ${from} to revision ${to}`), () =>
      this.qa('revisions')
        .getByRole('link', { name: `What changed from revision ${from} to revision ${to}` })
        .click(),
    );
  }
}

/** One revision of a report as it was published (or the draft). */
export class RevisionPage extends BasePage {
  protected readonly heading = /^Improvement Priority – /;
  protected override readonly marker = 'revision-banner';

  async banner(): Promise<string> {
    return textOf(this.qa('revision-banner'));
  }
}

/** What changed between two revisions, or since the last period: field by field. */
export class ChangesPage extends BasePage {
  protected readonly heading: string;
  constructor(page: Page, heading: string) {
    super(page);
    this.heading = heading;
  }

  /** The fields that changed, by their data-field key (summary, status, statusReason...). */
  async fields(): Promise<string[]> {
    return this.qa('change').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field') ?? ''));
  }
  async text(): Promise<string> {
    return textOf(this.qa('changes'));
  }
}

/** A history page (report or priority): newest first, who, when, and each field before → after. */
export class HistoryPage extends BasePage {
  protected override readonly marker = undefined;
  protected readonly heading: Heading;
  constructor(page: Page, heading: Heading) {
    super(page);
    this.heading = heading;
  }

  /** Each entry as one line of text, newest first. */
  async entries(): Promise<string[]> {
    return (await this.qa('history-entry').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
  }
}

export class ActionDeletePage extends BasePage {
  protected readonly heading = /^Are you sure you want to remove key action \d+\?$/;

  readonly code: string;
  readonly title: string;
  constructor(page: Page, code: string, title: string) {
    super(page);
    this.code = code;
    this.title = title;
  }

  /** "No, keep it": back to the action's form. */
  keep(): Promise<ActionFormPage> {
    return this.goTo(new ActionFormPage(this.page, this.code, this.title), () =>
      this.page.getByRole('link', { name: 'No, keep it' }).click(),
    );
  }
}
