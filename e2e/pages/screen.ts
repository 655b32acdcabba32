// A page known only by its h1 (and, optionally, a data-qa marker): for journeys through pages
// that need no page object of their own. Arriving (visit, follow, submit) checks the h1 and the
// marker and runs axe, like every page object.

import type { Page } from 'playwright-core';
import { BasePage, type Heading } from './base-page.ts';

export class Screen extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker: string | undefined;
  private readonly name: string;
  constructor(page: Page, heading: Heading, name: string, marker?: string) {
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
  /** Clicks the button named `button` (which submits the page's form) and verifies the page it leads to. */
  submit<P extends BasePage>(button: string, next: P): Promise<P> {
    return this.goTo(next, () => this.page.getByRole('button', { name: button, exact: true }).click());
  }
}
