// What every page object shares: it knows its h1 (and, where the page has one, a data-qa
// marker), checks it is on that page, and runs the accessibility check each time it arrives.
// Page objects never assert on data a test chose; they read it and the test asserts.

import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { checkAccessibility, navigates } from '../support/browser.ts';

export type Heading = string | RegExp;

export interface ErrorLink {
  text: string;
  href: string;
}

export abstract class BasePage {
  /** The h1 this page should show. */
  protected abstract readonly heading: Heading;
  /** A data-qa marker the page must contain, when it has one. */
  protected readonly marker: string | undefined = undefined;
  /** A name for messages: the class name unless a subclass says better. */
  get label(): string {
    return this.constructor.name;
  }

  readonly page: Page;
  constructor(page: Page) {
    this.page = page;
  }

  /** The element with `data-qa="name"` (all of them, when there are several). */
  qa(name: string): Locator {
    return this.page.locator(`[data-qa="${name}"]`);
  }

  h1(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  /** Checks the h1 (and marker), then runs axe on the page. Returns the page object for chaining. */
  async verifyOnPage(): Promise<this> {
    const h1 = this.h1();
    assert.equal(await h1.count(), 1, `${this.label}: expected exactly one h1 at ${this.page.url()}`);
    const text = (await h1.innerText()).replace(/\s+/g, ' ').trim();
    if (typeof this.heading === 'string')
      assert.equal(text, this.heading, `${this.label}: wrong h1 at ${this.page.url()}`);
    else assert.match(text, this.heading, `${this.label}: wrong h1 at ${this.page.url()}`);
    assert.match(
      await this.page.title(),
      /^\S.* – Amber$/,
      `${this.label}: the page title should say what the page is, then “– Amber”`,
    );
    if (this.marker)
      assert.ok(
        (await this.qa(this.marker).count()) > 0,
        `${this.label}: no [data-qa="${this.marker}"] at ${this.page.url()}`,
      );
    await checkAccessibility(this.page, this.label);
    return this;
  }

  /** Goes to `url` (relative to the app) and verifies this page arrived. */
  async open(url: string): Promise<this> {
    const response = await this.page.goto(url);
    assert.ok(response, `no response for ${url}`);
    assert.ok(response.status() < 400, `${this.label}: ${url} answered ${response.status()}`);
    return this.verifyOnPage();
  }

  /** Runs an action that navigates, then verifies `next` (which runs axe there). */
  protected async goTo<P extends BasePage>(next: P, action: () => Promise<unknown>): Promise<P> {
    await navigates(this.page, action);
    return next.verifyOnPage();
  }

  /** Follows a link or button-styled link; `next` verifies where it leads. */
  follow<P extends BasePage>(link: Locator, next: P): Promise<P> {
    return this.goTo(next, () => link.click());
  }

  /** Follows the GOV.UK back link at the top of the page. */
  back<P extends BasePage>(next: P): Promise<P> {
    return this.goTo(next, () => this.page.locator('.govuk-back-link').click());
  }

  /** Follows a link in the footer, e.g. "API". */
  footer<P extends BasePage>(linkText: string, next: P): Promise<P> {
    return this.goTo(next, () =>
      this.page.getByRole('contentinfo').getByRole('link', { name: linkText, exact: true }).click(),
    );
  }

  /** Follows a link in the service navigation. */
  async navigateTo<P extends BasePage>(linkText: string, next: P): Promise<P> {
    const nav = this.page.getByRole('navigation', { name: /menu|navigation/i }).first();
    return this.goTo(next, () => nav.getByRole('link', { name: linkText, exact: true }).click());
  }

  /** How far the page scrolls sideways (0 when it reflows to the window's width). */
  async sidewaysScroll(): Promise<number> {
    return this.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  }

  /** The success banner's text, if there is one. */
  async flash(): Promise<string | undefined> {
    const banner = this.page.locator('.govuk-notification-banner--success');
    return (await banner.count()) ? (await banner.innerText()).replace(/\s+/g, ' ').trim() : undefined;
  }

  // --- Validation errors ---------------------------------------------------------------------

  errorSummary(): Locator {
    return this.page.locator('.govuk-error-summary');
  }

  /** The error summary's links, in order (empty when there is no summary). */
  async errors(): Promise<ErrorLink[]> {
    const links = this.errorSummary().locator('.govuk-error-summary__list a');
    const out: ErrorLink[] = [];
    for (const link of await links.all())
      out.push({ text: (await link.innerText()).trim(), href: (await link.getAttribute('href')) ?? '' });
    return out;
  }

  /**
   * After a refused submission: the page is still this form, with the GOV.UK error summary, an
   * "Error:" page title, every summary link pointing at a field that exists and shows the
   * message inline; and the page (errors and all) passes axe.
   */
  async verifyRefused(): Promise<ErrorLink[]> {
    await this.verifyOnPage();
    assert.equal(await this.errorSummary().count(), 1, `${this.label}: expected the error summary`);
    assert.match(await this.page.title(), /^Error: /, `${this.label}: the title should start with "Error:"`);
    const list = await this.errors();
    assert.ok(list.length > 0, `${this.label}: the error summary lists nothing`);
    for (const e of list) {
      assert.match(e.href, /^#[\w-]+$/, `${this.label}: error link ${e.href} is not a fragment`);
      const target = this.page.locator(e.href);
      assert.equal(
        await target.count(),
        1,
        `${this.label}: error "${e.text}" links to ${e.href}, which is not on the page`,
      );
    }
    // A message about a field is repeated beside it; one about the whole page (a stale save) is not.
    const inline = await this.page.locator('.govuk-error-message').allInnerTexts();
    for (const e of list) {
      if (e.href === '#main-content') continue;
      assert.ok(
        inline.some((m) => m.includes(e.text)),
        `${this.label}: "${e.text}" is not shown beside its field`,
      );
    }
    return list;
  }

  /** Clicks an error summary link; returns the id of the element that then has focus. */
  async followErrorLink(text: string | RegExp): Promise<string> {
    await this.errorSummary().getByRole('link', { name: text }).click();
    return this.page.evaluate(() => document.activeElement?.id ?? '');
  }
}

/** Normalised visible text of a locator. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}
