// The efficiency programme in the browser (issue 5, after the baseline): on a new exercise a
// performance officer adds a benchmark (after a refused first try), an opportunity linked to
// VfM-4d, and a business case with three options, approves it and downloads it as Word (read back
// with mammoth); plans it with a milestone linked to VfM-4d's first key action and finds that
// milestone in the priority's report; then records and verifies a realised saving and sees the
// gain-share evaluation go from nothing due to £50K. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import mammoth from 'mammoth';
import { startSession, type Session } from './support/browser.ts';
import { signInAs } from './support/sign-in.ts';
import { textOf } from './pages/base-page.ts';
import { Screen } from './pages/screen.ts';
import { efficiencyScreens as S } from './pages/efficiency-pages.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

describe('the efficiency programme in the browser', { timeout: 480_000 }, () => {
  let session: Session;
  let exerciseId: string;
  before(async () => {
    session = await startSession();
    const { services } = session.testApp;
    const actor = systemActor((await services.organisations.getHome()).id, 'test');
    const [taxonomy] = await services.diagnostics.listTaxonomyVersions(actor);
    exerciseId = await services.diagnostics.createExercise(actor, {
      name: 'Journey diagnostic 2009/10',
      financialYear: '2009',
      runningCosts: '£412,000,000',
      headcount: '4200',
      taxonomyVersionId: taxonomy!.id,
      scope: [],
      shareWithPeers: '',
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
    const [download] = await Promise.all([page.waitForEvent('download'), businessCase.qa('download-docx').click()]);
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
});
