// A page known only by its h1: for journeys through pages that need no page object of their
// own. Arriving (visit, follow, submit) checks the h1 and runs axe, like every page object.

import { BasePage, type Heading } from './base-page.ts';

export class Screen extends BasePage {
  protected readonly heading: Heading;
  constructor(page: BasePage['page'], heading: Heading, private readonly name: string) {
    super(page);
    this.heading = heading;
  }
  override get label(): string { return this.name; }
  visit(url: string): Promise<this> { return this.open(url); }
  /** Clicks the button named `button` and verifies the page it leads to. */
  async submit(button: string, next: Screen): Promise<Screen> {
    return this.goTo(next, () => this.page.getByRole('button', { name: button, exact: true }).click());
  }
}
