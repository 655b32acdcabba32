// Page objects of the efficiency programme (benchmarks to gain-share). Each knows its h1 and a
// data-qa marker; arriving runs axe. Forms are filled by label, as a person would.

import type { Page } from 'playwright-core';
import { BasePage } from './base-page.ts';
import { Screen } from './screen.ts';

export class EfficiencyPage extends Screen {
  /** Clicks a button (found any way) and verifies the page it leads to. */
  press<P extends BasePage>(button: ReturnType<Page['locator']>, next: P): Promise<P> {
    return this.goTo(next, () => button.click());
  }
  /** Follows the link in the programme's steps navigation. */
  step<P extends BasePage>(name: string, next: P): Promise<P> {
    return this.follow(this.qa('steps').getByRole('link', { name, exact: true }), next);
  }
  async fill(fields: Record<string, string>): Promise<void> {
    for (const [label, value] of Object.entries(fields)) await this.page.getByLabel(label, { exact: true }).fill(value);
  }
  async choose(select: string, option: string | RegExp): Promise<void> {
    const box = this.page.getByLabel(select, { exact: true });
    if (typeof option === 'string') await box.selectOption({ label: option });
    else {
      const options = await box.locator('option').allInnerTexts();
      const match = options.find((o) => option.test(o));
      if (!match) throw new Error(`${this.label}: no option matching ${option} in ${select}`);
      await box.selectOption({ label: match });
    }
  }
  async check(group: string, label: string): Promise<void> {
    await this.page.getByRole('group', { name: group, exact: true }).getByLabel(label, { exact: true }).check();
  }
}

const screens = {
  overview: (p: Page) => new EfficiencyPage(p, 'Efficiency programme', 'ProgrammeOverview', 'programme-summary'),
  benchmarks: (p: Page) => new EfficiencyPage(p, 'Benchmarks', 'Benchmarks', 'compute-form'),
  benchmarkForm: (p: Page) => new EfficiencyPage(p, 'Add a benchmark', 'BenchmarkForm', 'benchmark-form'),
  opportunities: (p: Page) => new EfficiencyPage(p, 'Savings opportunities', 'Opportunities', 'add-opportunity'),
  opportunityForm: (p: Page) => new EfficiencyPage(p, 'Add an opportunity', 'OpportunityForm', 'opportunity-form'),
  cases: (p: Page) => new EfficiencyPage(p, 'Business cases', 'BusinessCases', 'add-case'),
  caseForm: (p: Page) => new EfficiencyPage(p, 'Write a business case', 'BusinessCaseForm', 'case-form'),
  case: (p: Page, title: string) => new EfficiencyPage(p, title, 'BusinessCase', 'case-status'),
  plan: (p: Page) => new EfficiencyPage(p, 'Implementation plan', 'ImplementationPlan', 'add-project'),
  projectForm: (p: Page) => new EfficiencyPage(p, 'Add a project', 'ProjectForm', 'project-form'),
  milestoneForm: (p: Page) => new EfficiencyPage(p, 'Add a milestone', 'MilestoneForm', 'milestone-form'),
  savings: (p: Page) => new EfficiencyPage(p, 'Savings ledger', 'SavingsLedger'),
  savingForm: (p: Page) => new EfficiencyPage(p, 'Record a saving', 'SavingForm', 'saving-form'),
  gainShare: (p: Page) => new EfficiencyPage(p, 'Gain-share', 'GainShare', 'agreement-form'),
};
export const efficiencyScreens = screens;
