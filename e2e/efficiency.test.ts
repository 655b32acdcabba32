// The efficiency programme in the browser (issue 5, after the baseline): on a new exercise a
// performance officer adds a benchmark (after a refused first try), an opportunity linked to
// VfM-4d, and a business case with three options, approves it and downloads it as Word (read back
// with mammoth); plans it with a milestone linked to VfM-4d's first key action and finds that
// milestone in the priority's report; then records and verifies a realised saving and sees the
// gain-share evaluation go from nothing due to £50K. axe-core runs on every page.

// Then, on the demo's own programme (issue 12): a draft business case's option renamed, a line
// given a stated optimism bias and deleted after the page that asks; the Gantt chart's text
// measured as drawn, a dependency warning, confirmation pages for deletes (a verified saving and
// an evaluated agreement refused with the reason), and an agreement of three tranches typed in rows.
// The journeys share one browser and one app (each session costs the suite a browser and a demo).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import mammoth from 'mammoth';
import { DOWNLOAD_TIMEOUT, startSession, type Session } from './support/browser.ts';
import { signInAs } from './support/sign-in.ts';
import { textOf } from './pages/base-page.ts';
import { Screen } from './pages/screen.ts';
import { EfficiencyPage, efficiencyScreens as S } from './pages/efficiency-pages.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

const P = paths.efficiency;
const TITLE = 'Shared payroll (browser)';

describe('the efficiency programme in the browser', { timeout: 900_000 }, () => {
  let session: Session;
  let exerciseId: string;
  /** The demo's exercise, with its illustrative programme. */
  let ex: string;
  before(async () => {
    session = await startSession();
    const { services } = session.testApp;
    const actor = systemActor((await services.organisations.getHome()).id, 'test');
    ex = (await services.diagnostics.listExercises(actor))[0]!.id;
    const [taxonomy] = await services.diagnostics.listTaxonomyVersions(actor);
    exerciseId = await services.diagnostics.createExercise(actor, {
      name: 'Journey diagnostic 2009/10',
      financialYear: '2009',
      runningCosts: '£412,000,000',
      headcount: '4200',
      taxonomyVersionId: taxonomy!.id,
      scope: [],
    });
  });
  after(async () => {
    await session?.close();
  });

  it('goes from a benchmark to a gain-share evaluation that changes with a verified saving', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'performance_officer');

    // Benchmarks: a refused try (too few organisations, no median), then a good one.
    const overview = await S.overview(page).visit(paths.efficiency.overview(exerciseId));
    const benchmarks = await overview.step('Benchmarks', S.benchmarks(page));
    const benchmarkForm = await benchmarks.follow(
      page.getByRole('button', { name: 'Add a benchmark' }),
      S.benchmarkForm(page),
    );
    await benchmarkForm.fill({
      Indicator: 'Finance cost as a percentage of running costs',
      'Unit (optional)': '%',
      Source: 'Audit agencies VfM indicators',
      'Year of the figures': '2008/09',
      'Peer group': 'Metropolitan districts',
      'Number of organisations': '4',
      '25th percentile': '0.9',
      '75th percentile': '1.6',
      'Your value (optional)': '1.5',
    });
    const refused = await benchmarkForm.submit('Save benchmark', S.benchmarkForm(page));
    const errors = await refused.verifyRefused();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#n', '#p50'],
    );
    assert.match(errors[0]!.text, /at least 5 organisations/);
    await refused.fill({ 'Number of organisations': '12', Median: '1.2' });
    await refused.choose('Function (optional)', /^FIN /);
    const withBenchmark = await refused.submit('Save benchmark', S.benchmarks(page));
    assert.equal(await withBenchmark.flash(), 'Success The benchmark has been saved.');
    const row = withBenchmark.qa('benchmark-row').first();
    assert.equal(await textOf(row.locator('[data-qa="band"]')), 'Lower-middle quartile');
    assert.equal(await textOf(row.locator('[data-qa="gap-median"]')), '0.3%');
    assert.equal(await textOf(row.locator('[data-qa="gap-best"]')), '0.6%');

    // An opportunity worked out from the benchmark gap, linked to VfM-4d.
    const opportunities = await withBenchmark.step('Opportunities', S.opportunities(page));
    const oppForm = await opportunities.follow(
      page.getByRole('button', { name: 'Add an opportunity' }),
      S.opportunityForm(page),
    );
    await oppForm.fill({
      Title: 'Bring finance transactions together',
      'Cost of the pool (optional)': '£5m',
      'Achievability factor, % (for a benchmark gap)': '50',
    });
    await oppForm.check('Lever', 'Benchmark gap');
    await oppForm.choose('Cost pool', /^FIN .*\(function\)$/);
    await oppForm.choose('Benchmark (optional)', /^Finance cost as a percentage/);
    await oppForm.check('Confidence', 'Medium');
    await oppForm.choose('Improvement priority it serves (optional)', /^VfM-4d /);
    const withOpportunity = await oppForm.submit('Save opportunity', S.opportunities(page));
    assert.equal(await textOf(withOpportunity.qa('central').first()), '£927,000');
    assert.equal(await textOf(withOpportunity.qa('total-central')), '£927,000');

    // A business case with business as usual and two options, approved, downloaded as Word.
    const cases = await withOpportunity.step('Business cases', S.cases(page));
    const caseForm = await cases.follow(page.getByRole('button', { name: 'Write a business case' }), S.caseForm(page));
    await caseForm.fill({
      Title: 'Finance transactions',
      'Base year': '2010',
      'Strategic case (optional)': 'Finance work is spread across every directorate.',
    });
    await caseForm.choose('Opportunity (optional)', /^Bring finance transactions together/);
    let businessCase = await caseForm.submit('Save business case', S.case(page, 'Finance transactions'));
    const addOption = async (name: string, kind?: 'Kind of option' | 'Preferred') => {
      await page.locator('#option-name').fill(name);
      if (kind === 'Kind of option') await page.locator('#option-businessAsUsual').check();
      if (kind === 'Preferred') await page.locator('#option-preferred').check();
      businessCase = await businessCase.submit('Add option', S.case(page, 'Finance transactions'));
    };
    await addOption('Business as usual', 'Kind of option');
    await addOption('Consolidate in-house', 'Preferred');
    await addOption('Shared service');
    const addLine = async (option: string, kind: 'Cost' | 'Benefit', category: string, amounts: string) => {
      await businessCase.choose('Option', option);
      await businessCase.check('Cost or benefit', kind);
      await page.locator('#line-category').fill(category);
      await page.locator('#line-label').fill(category);
      await page.locator('#line-amounts').fill(amounts);
      businessCase = await businessCase.submit('Add line', S.case(page, 'Finance transactions'));
    };
    await addLine('Consolidate in-house', 'Cost', 'Programme', '£600,000 £400,000');
    await addLine('Consolidate in-house', 'Benefit', 'Cashable savings', '0 £900,000 £900,000 £900,000');
    assert.match(await textOf(businessCase.qa('option-summary').nth(1)), /^NPSV £1,535\.0k/);
    businessCase = await businessCase.submit('Approve business case', S.case(page, 'Finance transactions'));
    assert.equal(await businessCase.flash(), 'Success The business case has been approved.');
    assert.match(await textOf(businessCase.qa('case-status')), /^Status: Approved by /);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: DOWNLOAD_TIMEOUT }),
      businessCase.qa('download-docx').click({ timeout: DOWNLOAD_TIMEOUT }),
    ]);
    const text = (await mammoth.extractRawText({ buffer: await readFile((await download.path())!) })).value;
    for (const s of [
      'Finance transactions',
      'Strategic case',
      'Finance work is spread across every directorate.',
      'Consolidate in-house (Preferred option)',
      'Net present social value (NPSV)',
      '£1,535.0k',
      'Benefits 20% lower',
    ]) {
      assert.ok(text.includes(s), `the Word document has “${s}”`);
    }

    // The plan: a project from the approved case, a milestone written on VfM-4d's key action 1.
    const plan = await businessCase.step('Implementation plan', S.plan(page));
    const projectForm = await plan.follow(page.getByRole('button', { name: 'Add a project' }), S.projectForm(page));
    await projectForm.choose('Approved business case', 'Finance transactions');
    await projectForm.fill({
      Project: 'Central accounts payable',
      'Start date': '1 April 2009',
      'End date': '31 March 2010',
    });
    const withProject = await projectForm.submit('Save project', S.plan(page));
    const milestoneForm = await withProject.follow(
      page.getByRole('button', { name: 'Add a milestone' }),
      S.milestoneForm(page),
    );
    await milestoneForm.choose('Project', 'Central accounts payable');
    await milestoneForm.fill({
      Milestone: 'Accounts payable staff moved to the central team',
      Due: '30 September 2009',
      'Key action number': '1',
    });
    await milestoneForm.choose('Improvement priority', /^VfM-4d /);
    const linked = await milestoneForm.submit('Save milestone', S.plan(page));
    assert.equal(
      await linked.flash(),
      'Success The milestone has been added, and written on the key action of the priority’s report.',
    );
    assert.match(await textOf(linked.qa('milestone-link')), /^Key action: VfM-4d, key action 1$/);
    assert.equal(await linked.qa('gantt').locator('svg[role="img"]').count(), 1);
    const report = await new Screen(page, /^Improvement Priority – VfM-4d /, 'VfM4dReport').visit(
      paths.reports.show('VfM-4d', '2009-10-h1'),
    );
    assert.equal(
      await report.qa('milestone').filter({ hasText: 'Accounts payable staff moved to the central team' }).count(),
      1,
    );

    // Gain-share: reading B, evaluated before and after a verified realised saving.
    const gainShare = await S.gainShare(page).visit(paths.efficiency.gainShare(exerciseId));
    const withAgreement = await gainShare.submit('Add agreement', S.gainShare(page));
    const evaluated = await withAgreement.submit('Evaluate and store', S.gainShare(page));
    assert.equal(await textOf(evaluated.qa('evaluation-due').first()), '£0');
    const savings = await evaluated.step('Savings ledger', S.savings(page));
    const savingForm = await savings.follow(page.getByRole('button', { name: 'Record a saving' }), S.savingForm(page));
    await savingForm.choose('Opportunity', 'Bring finance transactions together');
    await savingForm.fill({ 'Financial year': '2009/10', Amount: '£1,200,000' });
    await savingForm.check('Stage', 'Realised');
    const recorded = await savingForm.submit('Save saving', S.savings(page));
    const verified = await recorded.press(recorded.qa('verify').first(), S.savings(page));
    assert.match(await textOf(verified.qa('verification').first()), /^Verified by .+ on /);
    const after = await verified.step('Gain-share', S.gainShare(page));
    assert.equal(await textOf(after.qa('qualifying')), '£1,200,000');
    const reevaluated = await after.submit('Evaluate and store', S.gainShare(page));
    assert.deepEqual(await reevaluated.qa('evaluation-due').allInnerTexts(), ['£50,000', '£0']);
  });

  it('renames an option, states optimism bias on a line, and deletes after asking', async () => {
    const { page } = session;
    const { services } = session.testApp;
    const actor = systemActor((await services.organisations.getHome()).id, 'test');
    const c = await services.efficiency.createCase(actor, ex, {
      title: TITLE,
      baseYear: '2010',
      discountSchedule: 'health',
    });
    const caseId = c.id;
    await services.efficiency.addOption(actor, ex, caseId, { name: 'Business as usual', businessAsUsual: 'yes' });
    const after = await services.efficiency.addOption(actor, ex, caseId, { name: 'Share payroll' });
    const option = after.options.find((o) => o.name === 'Share payroll')!;
    for (const [kind, label, amounts] of [
      ['cost', 'Set-up', '£100,000 £50,000'],
      ['benefit', 'Savings', '0 £80,000 £80,000'],
    ] as const)
      await services.efficiency.addLine(actor, ex, caseId, {
        optionId: option.id,
        kind,
        category: kind === 'cost' ? 'Other costs' : 'Cashable savings',
        label,
        amounts,
      });
    const screen = (heading: string | RegExp, marker: string) =>
      new EfficiencyPage(page, heading, 'CaseChange', marker);
    let casePage = await S.case(page, TITLE).visit(P.case(ex, caseId));
    assert.match(
      await casePage.qa('discount-schedule').innerText(),
      /Green Book health rate .* 1\.286% for years 31–75/,
    );

    // Rename the option.
    const optionForm = await casePage.follow(
      casePage.page.getByRole('link', { name: 'Change the option Share payroll' }),
      screen('Change the option “Share payroll”', 'option-edit-form'),
    );
    await optionForm.fill({ 'Name of the option': 'Share payroll with a neighbour' });
    casePage = await optionForm.submit('Save the option', S.case(page, TITLE));
    assert.equal(await casePage.flash(), 'Success The option has been changed.');

    // State optimism bias on the cost line: refused without a reason, then saved with one.
    const lineForm = await casePage.follow(
      casePage.page.getByRole('link', { name: 'Change line 1 of Share payroll with a neighbour' }),
      screen('Change line 1 of “Share payroll with a neighbour”', 'line-edit-form'),
    );
    await lineForm.choose('Optimism bias (costs only)', 'A percentage I state, with the reason (below)');
    await lineForm.fill({ 'Stated optimism bias (only if you state one)': '10' });
    const refused = await lineForm.submit(
      'Save the line',
      screen('Change line 1 of “Share payroll with a neighbour”', 'line-edit-form'),
    );
    assert.match(
      await refused.page.locator('.govuk-error-summary').innerText(),
      /Give the reason for the stated optimism bias/,
    );
    await refused.fill({ 'Reason for the stated optimism bias': 'supplier quotes are firm' });
    casePage = await refused.submit('Save the line', S.case(page, TITLE));
    assert.match(
      await casePage.qa('optimism-bias').first().innerText(),
      /Set-up \(Other costs\)\s+Stated: 10%, reason: supplier quotes are firm\s+\+10%/,
    );

    // Delete the benefit line, after the page that asks.
    const askLine = await casePage.follow(
      casePage.page.getByRole('link', { name: 'Delete line 2 of Share payroll with a neighbour' }),
      screen('Are you sure you want to delete line 2 of “Share payroll with a neighbour”?', 'delete-form'),
    );
    casePage = await askLine.submit('Yes, delete it', S.case(page, TITLE));
    assert.equal(await casePage.flash(), 'Success The line has been deleted.');
    assert.match(await casePage.page.locator('main').innerText(), /Payback\s+Never pays back/);

    // Keep the option when asked, then delete it.
    const askOption = await casePage.follow(
      casePage.page.getByRole('link', { name: 'Delete the option Share payroll with a neighbour' }),
      screen('Are you sure you want to delete the option “Share payroll with a neighbour”?', 'delete-form'),
    );
    casePage = await askOption.follow(askOption.qa('keep'), S.case(page, TITLE));
    const again = await casePage.follow(
      casePage.page.getByRole('link', { name: 'Delete the option Share payroll with a neighbour' }),
      screen('Are you sure you want to delete the option “Share payroll with a neighbour”?', 'delete-form'),
    );
    casePage = await again.submit('Yes, delete it', S.case(page, TITLE));
    assert.equal(await casePage.qa('option').count(), 1);

    // The case's own form offers the discount rates, the health rate chosen.
    const caseForm = await casePage.follow(casePage.qa('edit-case'), screen('Change the business case', 'case-form'));
    assert.equal(
      await caseForm.page.getByLabel('Green Book health rate (1.5%, declining after year 30)').isChecked(),
      true,
    );
  });

  it('draws the Gantt chart readably, warns about dates, and confirms every removal', async () => {
    const { page } = session;
    const plan = await S.plan(page).visit(P.plan(ex));

    // Readable at the default width: every text of the chart at least the body text's size.
    const sizes = await page.evaluate(() => {
      const svg = document.querySelector('[data-qa="gantt"] svg')!;
      const scale = svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
      const body = parseFloat(getComputedStyle(document.querySelector('.govuk-table__cell')!).fontSize);
      const texts = [...svg.querySelectorAll('text')].map((t) => parseFloat(t.getAttribute('font-size')!) * scale);
      const months = [...svg.querySelectorAll(':scope > text')]
        .filter((t) => t.getAttribute('fill') === '#505a5f')
        .map((t) => t.getBoundingClientRect())
        .map((r) => ({ left: r.left, right: r.right }));
      const plotLeft = Math.min(
        ...[...svg.querySelectorAll('rect[fill="#1d70b8"]')].map((r) => r.getBoundingClientRect().left),
      );
      const names = [...svg.querySelectorAll('tspan')].map((t) => t.getBoundingClientRect().right);
      return { body, smallest: Math.min(...texts), months, plotLeft, names };
    });
    assert.ok(sizes.smallest >= sizes.body, `chart text ${sizes.smallest}px, body ${sizes.body}px`);
    assert.ok(sizes.months.length >= 2);
    for (let i = 1; i < sizes.months.length; i += 1)
      assert.ok(sizes.months[i - 1]!.right < sizes.months[i]!.left, `month labels ${i} and ${i + 1} overlap`);
    for (const right of sizes.names) assert.ok(right < sizes.plotLeft, 'names stay in their column');

    // A project moved to start before the one it depends on ends: warned on the form and the plan.
    const form = await plan.follow(
      page.getByRole('link', { name: 'Change the project Move suppliers to e-invoicing', exact: true }),
      new EfficiencyPage(page, 'Change the project Move suppliers to e-invoicing', 'ProjectForm', 'project-form'),
    );
    await form.fill({ 'Start date': '1 October 2010' });
    const warned = await form.submit('Save project', S.plan(page));
    assert.equal(await warned.flash(), 'Success The project has been saved.');
    assert.match(
      await textOf(warned.qa('plan-warning').first()),
      /Move suppliers to e-invoicing starts on 1 October 2010, before New finance system, which it depends on, ends on 31 December 2010\.$/,
    );
    const again = await warned.follow(
      warned
        .qa('project-row')
        .filter({ hasText: 'Move suppliers to e-invoicing' })
        .getByRole('link', { name: /^Change/ }),
      new EfficiencyPage(page, 'Change the project Move suppliers to e-invoicing', 'ProjectForm', 'project-warning'),
    );

    // A milestone: its change form, then its deletion confirmed.
    assert.equal(await again.qa('project-warning').count(), 1);
    const planAgain = await S.plan(page).visit(P.plan(ex));
    const milestoneForm = await planAgain.follow(
      planAgain.qa('edit-milestone').first(),
      new EfficiencyPage(page, 'Change a milestone', 'MilestoneForm', 'milestone-form'),
    );
    await milestoneForm.fill({ Milestone: 'Central accounts payable team in place (renamed)' });
    const renamed = await milestoneForm.submit('Save milestone', S.plan(page));
    assert.equal(await renamed.flash(), 'Success The milestone has been saved.');
    const confirm = await renamed.follow(
      renamed.qa('delete-milestone').first(),
      new Screen(page, 'Are you sure you want to delete this milestone?', 'MilestoneDelete', 'delete-form'),
    );
    const afterDelete = await confirm.submit('Yes, delete it', S.plan(page));
    assert.equal(await afterDelete.flash(), 'Success The milestone has been deleted.');

    // A project's deletion says what goes with it.
    const projectDelete = await afterDelete.follow(
      page.getByRole('link', { name: 'Delete the project New finance system', exact: true }),
      new Screen(page, 'Are you sure you want to delete the project New finance system?', 'ProjectDelete', 'what-goes'),
    );
    assert.match(
      await textOf(projectDelete.qa('what-goes')),
      /Move suppliers to e-invoicing depends on it, and will no longer\./,
    );
    const noProject = await projectDelete.submit('Yes, delete it', S.plan(page));
    assert.equal(await noProject.qa('plan-warning').count(), 0, 'the warning went with it');

    // Savings: a verified one is refused with the reason; an unverified one is deleted.
    const { services } = session.testApp;
    const actor = systemActor((await services.organisations.getHome()).id, 't');
    const verified = (await services.efficiency.savings(actor, ex)).entries.find((e) => e.verifiedAt !== null)!;
    // A verified saving has no delete link; its address answers with the reason.
    const refused = await new Screen(page, 'This saving cannot be deleted', 'SavingDeleteRefused', 'refusal').visit(
      P.deleteSaving(ex, verified.id),
    );
    assert.match(await textOf(refused.qa('refusal')), /record a correction as a new entry instead\.$/);
    const ledger = await S.savings(page).visit(P.savings(ex));
    const savingDelete = await ledger.follow(
      ledger.qa('delete-saving').first(),
      new Screen(page, 'Are you sure you want to delete this saving?', 'SavingDelete', 'delete-form'),
    );
    const deleted = await savingDelete.submit('Yes, delete it', S.savings(page));
    assert.equal(await deleted.flash(), 'Success The saving has been deleted.');
  });

  it('describes an agreement in rows of tranches, adds a row without JavaScript, and refuses an evaluated agreement’s deletion', async () => {
    const { page } = session;
    const gainShare = await S.gainShare(page).visit(P.gainShare(ex));
    const agreementForm = () =>
      new EfficiencyPage(page, 'Add a gain-share agreement', 'AgreementForm', 'agreement-form');
    const form = await gainShare.follow(gainShare.qa('new-agreement'), agreementForm());
    assert.equal(await form.qa('tranche-row').count(), 4, 'reading B’s two tranches and two blank rows');
    const more = await form.submit('Add another row', agreementForm());
    assert.equal(await more.qa('tranche-row').count(), 5);
    await more.fill({ 'Name of the agreement': 'Three steps' });
    await page.locator('#tranches-0-threshold').fill('£5m');
    await page.locator('#tranches-1-threshold').fill('£1m');
    await page.locator('#tranches-1-repayment').fill('£40,000');
    await page.locator('#tranches-2-threshold').fill('£6m');
    await page.locator('#tranches-2-repayment').fill('£10,000');
    const refused = await more.submit('Save agreement', agreementForm());
    const errors = await refused.verifyRefused();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#tranches-1-threshold'],
    );
    await page.locator('#tranches-0-threshold').fill('£500,000');
    const saved = await refused.submit('Save agreement', S.gainShare(page));
    assert.equal(await saved.flash(), 'Success The agreement has been added.');
    assert.match(await textOf(saved.qa('agreement').last()), /Three steps/);

    // The demo's agreement has an evaluation: its deletion is refused with the reason.
    const refusal = await saved.follow(
      saved.qa('delete-agreement').first(),
      new Screen(page, /cannot be deleted$/, 'AgreementDeleteRefused', 'refusal'),
    );
    assert.match(
      await textOf(refusal.qa('refusal')),
      /stored evaluation: dated records of what was due, which are kept/,
    );
    const editForm = await refusal.follow(
      page.getByRole('link', { name: 'Change its terms' }),
      new EfficiencyPage(page, /^Change the agreement /, 'AgreementEdit', 'evaluations-kept'),
    );
    const back = await editForm.submit('Save agreement', S.gainShare(page));
    assert.match((await back.flash()) ?? '', /The agreement has been saved\./);
    const threeDelete = await back.follow(
      back.qa('delete-agreement').last(),
      new Screen(page, 'Are you sure you want to delete the agreement Three steps?', 'AgreementDelete', 'delete-form'),
    );
    const gone = await threeDelete.submit('Yes, delete it', S.gainShare(page));
    assert.equal(await gone.flash(), 'Success The agreement has been deleted.');
  });
});
