// Page objects of benchmarking clubs (issue 11): the list of clubs one's organisation hosts or was
// invited to, starting a club, and a club's page as its host (statistics, members, inviting) or as
// a member (joining, contributing, where it stands, leaving). Arriving on each runs axe.

import { readFile } from 'node:fs/promises';
import type { Locator, Page } from 'playwright-core';
import { DOWNLOAD_TIMEOUT } from '../support/browser.ts';
import { BasePage, textOf, type ErrorLink } from './base-page.ts';
import { paths } from '../../src/paths.ts';

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const cells = async (row: Locator) => (await row.locator('th, td').allInnerTexts()).map(squash);

export interface ClubRow {
  name: string;
  hostedBy: string;
  role: string;
  /** Whether the club's name links to its page (not once one's organisation has left). */
  linked: boolean;
}

export class ClubsPage extends BasePage {
  protected readonly heading = 'Benchmarking clubs';

  visit(): Promise<this> {
    return this.open(paths.clubs.list);
  }

  async rows(): Promise<ClubRow[]> {
    if ((await this.qa('clubs').count()) === 0) return [];
    const out: ClubRow[] = [];
    for (const row of await this.qa('clubs').locator('tbody tr').all()) {
      const [name, hostedBy, role] = await cells(row);
      out.push({ name: name!, hostedBy: hostedBy!, role: role!, linked: (await row.locator('a').count()) > 0 });
    }
    return out;
  }

  async row(name: string): Promise<ClubRow | undefined> {
    return (await this.rows()).find((r) => r.name === name);
  }

  startClub(): Promise<ClubFormPage> {
    return this.follow(this.qa('new-club'), new ClubFormPage(this.page));
  }

  openClub(name: string): Promise<ClubPage> {
    return this.follow(this.qa('clubs').getByRole('link', { name, exact: true }), new ClubPage(this.page, name));
  }
}

export class ClubFormPage extends BasePage {
  protected readonly heading = 'Start a benchmarking club';
  protected override readonly marker = 'club-form';

  async fill(c: { name?: string; description?: string }): Promise<this> {
    const form = this.qa('club-form');
    if (c.name !== undefined) await form.getByLabel('Name', { exact: true }).fill(c.name);
    if (c.description !== undefined) await form.getByLabel('What it compares (optional)').fill(c.description);
    return this;
  }

  save(name: string): Promise<ClubPage> {
    return this.goTo(new ClubPage(this.page, name), () => this.qa('save').click());
  }

  async saveExpectingErrors(): Promise<ErrorLink[]> {
    await this.goTo(this, () => this.qa('save').click());
    return this.verifyRefused();
  }
}

/** A member's line of "Where your organisation stands". */
export interface Standing {
  figure: string;
  year: string;
  yours: string;
  /** The quartile band's text, or undefined when withheld. */
  band: string | undefined;
  median: string | undefined;
  gapToMedian: string | undefined;
  best: string | undefined;
  gapToBest: string | undefined;
  /** Why there is no band, or undefined. */
  withheld: string | undefined;
}

/** The host's line of the club's statistics. */
export interface StatisticRow {
  figure: string;
  year: string;
  members: string;
  p25: string | undefined;
  median: string | undefined;
  p75: string | undefined;
  withheld: string | undefined;
}

/** A club's page: the host's view (statistics, members, invite) or a member's. Its h1 is the club's name. */
export class ClubPage extends BasePage {
  protected readonly heading: string;

  readonly name: string;
  constructor(page: Page, name: string) {
    super(page);
    this.name = name;
    this.heading = name;
  }

  /** The club's page of this id (from its address), verified. */
  visitById(id: string): Promise<this> {
    return this.open(paths.clubs.show(id));
  }

  /** The club's id, from the page's address. */
  id(): string {
    const match = /\/clubs\/([0-9a-f-]{36})(?:[/?#]|$)/.exec(this.page.url());
    if (!match) throw new Error(`not a club's address: ${this.page.url()}`);
    return match[1]!;
  }

  async hostedBy(): Promise<string> {
    return textOf(this.page.locator('.govuk-caption-l'));
  }

  // --- The host ----------------------------------------------------------------------------

  private async fillInvite(member: string): Promise<void> {
    await this.qa('invite-form').getByLabel('Invite an organisation by its Amber address name').fill(member);
  }

  async invite(member: string): Promise<ClubPage> {
    await this.fillInvite(member);
    return this.goTo(new ClubPage(this.page, this.name), () => this.qa('invite').click());
  }

  async inviteExpectingErrors(member: string): Promise<ErrorLink[]> {
    await this.fillInvite(member);
    await this.goTo(this, () => this.qa('invite').click());
    return this.verifyRefused();
  }

  /** The members list, as "Name: state" lines. */
  async members(): Promise<string[]> {
    if ((await this.qa('members').count()) === 0) return [];
    return (await this.qa('members').locator('li').allInnerTexts()).map(squash);
  }

  async statistics(): Promise<StatisticRow[]> {
    const out: StatisticRow[] = [];
    for (const row of await this.qa('statistic').all()) {
      const c = await cells(row);
      const withheld = (await row.locator('[data-qa="withheld"]').count())
        ? await textOf(row.locator('[data-qa="withheld"]'))
        : undefined;
      out.push({
        figure: c[0]!,
        year: c[1]!,
        members: c[2]!,
        p25: withheld ? undefined : c[3],
        median: withheld ? undefined : c[4],
        p75: withheld ? undefined : c[5],
        withheld,
      });
    }
    return out;
  }

  /** The statistics table's text (empty when there is none). */
  async statisticsText(): Promise<string> {
    return (await this.qa('statistics').count()) ? textOf(this.qa('statistics')) : '';
  }

  /** Downloads the statistics CSV from the page's link; returns its text. */
  async downloadStatistics(): Promise<{ filename: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download', { timeout: DOWNLOAD_TIMEOUT }),
      this.page
        .getByRole('link', { name: /Download the (club’s )?statistics \(CSV\)/ })
        .click({ timeout: DOWNLOAD_TIMEOUT }),
    ]);
    const file = await download.path();
    return { filename: download.suggestedFilename(), text: await readFile(file, 'utf8') };
  }

  // --- A member ----------------------------------------------------------------------------

  async canJoin(): Promise<boolean> {
    return (await this.qa('join').count()) > 0;
  }

  join(): Promise<ClubPage> {
    return this.goTo(new ClubPage(this.page, this.name), () => this.qa('join').click());
  }

  /** Contributes an indicator's value: the indicator by its code, the club's identifier, the period's key. */
  async contributeIndicator(c: {
    indicator: string;
    sharedCode: string;
    period: string;
    embargoUntil?: string;
  }): Promise<ClubPage> {
    const form = this.qa('indicator-form');
    await form.locator('select[name="indicator"]').selectOption(c.indicator);
    await form.getByLabel('The identifier the club compares it by').fill(c.sharedCode);
    await form.getByLabel('Reporting period').fill(c.period);
    if (c.embargoUntil !== undefined) await form.getByLabel('Not to be used before (optional)').fill(c.embargoUntil);
    return this.goTo(new ClubPage(this.page, this.name), () => this.qa('contribute-indicator').click());
  }

  /** Contributes one of the organisation's diagnostic baselines (by exercise name), following the exercise. */
  async contributeBaseline(exercise: string): Promise<ClubPage> {
    const form = this.qa('baseline-form');
    await form.locator('select[name="exerciseId"]').selectOption({ label: exercise });
    return this.goTo(new ClubPage(this.page, this.name), () => this.qa('contribute-baseline').click());
  }

  async standings(): Promise<Standing[]> {
    const out: Standing[] = [];
    for (const row of await this.qa('standing').all()) {
      const c = await cells(row);
      const withheld = (await row.locator('[data-qa="withheld"]').count())
        ? await textOf(row.locator('[data-qa="withheld"]'))
        : undefined;
      out.push({
        figure: c[0]!,
        year: c[1]!,
        yours: c[2]!,
        band: withheld ? undefined : await textOf(row.locator('[data-qa="band"]')),
        median: withheld ? undefined : c[4],
        gapToMedian: withheld ? undefined : c[5],
        best: withheld ? undefined : c[6],
        gapToBest: withheld ? undefined : c[7],
        withheld,
      });
    }
    return out;
  }

  /** Leaves the club: back on the list of clubs. */
  leave(): Promise<ClubsPage> {
    return this.goTo(new ClubsPage(this.page), () => this.qa('leave').click());
  }
}
