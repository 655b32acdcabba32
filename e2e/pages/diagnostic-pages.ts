// Page objects of the efficiency diagnostic (issue 5): each knows its h1 and a data-qa marker;
// arriving on one runs the accessibility check (BasePage.verifyOnPage).

import type { Page } from 'playwright-core';
import { BasePage, type Heading } from './base-page.ts';

export class DiagnosticScreen extends BasePage {
  protected readonly heading: Heading;
  protected override readonly marker: string | undefined;
  constructor(page: Page, heading: Heading, private readonly name: string, marker?: string) {
    super(page);
    this.heading = heading;
    this.marker = marker;
  }
  override get label(): string { return this.name; }
  visit(url: string): Promise<this> { return this.open(url); }
  /** Clicks a button that submits the page's form; `next` verifies where it leads. */
  submit<P extends BasePage>(button: string, next: P): Promise<P> {
    return this.goTo(next, () => this.page.getByRole('button', { name: button, exact: true }).click());
  }
}

export const diagnosticPages = (page: Page) => ({
  list: () => new DiagnosticScreen(page, 'Efficiency diagnostic', 'ExerciseList'),
  newExercise: () => new DiagnosticScreen(page, 'Start a diagnostic exercise', 'NewExercise', 'exercise-form'),
  exercise: (name: string) => new DiagnosticScreen(page, name, 'Exercise', 'upload-form'),
  quality: () => new DiagnosticScreen(page, 'Data quality', 'DataQuality', 'quality-verdict'),
  baseline: () => new DiagnosticScreen(page, 'Baseline', 'Baseline', 'table-functions'),
  drill: (heading: Heading, name: string) => new DiagnosticScreen(page, heading, name, 'drill-facts'),
  posts: () => new DiagnosticScreen(page, 'Posts', 'Posts', 'posts'),
  post: (code: string) => new DiagnosticScreen(page, `Post ${code}`, 'PostForm', 'post-form'),
  taxonomy: () => new DiagnosticScreen(page, 'Extend a process taxonomy', 'TaxonomyForm', 'taxonomy-form'),
});
