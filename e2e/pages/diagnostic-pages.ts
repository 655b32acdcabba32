// Page objects of the efficiency diagnostic (issue 5): each knows its h1 and a data-qa marker;
// arriving on one runs the accessibility check (BasePage.verifyOnPage).

import type { Page } from 'playwright-core';
import type { Heading } from './base-page.ts';
import { Screen } from './screen.ts';

/** The diagnostic's pages need nothing beyond a Screen. */
export class DiagnosticScreen extends Screen {}

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
