// What a person sees when input is wrong or hostile, in a real browser: GOV.UK error summaries
// whose links move focus to the field, nothing saved; markup shown as text; the 404 page; and
// the key action form working with JavaScript switched off. Every page is axe-checked,
// including each form with its errors.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialog } from 'playwright-core';
import { startSession, type Session } from './support/browser.ts';
import { PriorityFormPage, PriorityListPage, PriorityPage } from './pages/priority-pages.ts';
import { ReportFormPage, ReportPage } from './pages/report-pages.ts';
import { NotFoundPage, StatusScalePage } from './pages/admin-pages.ts';

const DEMO = {
  code: 'VfM-4d',
  title: 'Explore opportunities for collaboration with private and public sector bodies',
  period: '2009-10-h1',
};
const THEME = 'Value for Money (Council Business Plan 2008–11)';

describe('bad input', { timeout: 300_000 }, () => {
  let session: Session;
  const dialogs: string[] = [];

  before(async () => {
    session = await startSession();
    session.page.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  });
  after(async () => {
    await session?.close();
  });

  it('refuses an empty priority form with an error summary whose links move focus to the fields, creating nothing', async () => {
    const before = await (await new PriorityListPage(session.page).visit()).codes();
    const form = await new PriorityFormPage(session.page).visitNew();

    const errors = await form.saveExpectingErrors();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#themeId', '#code', '#title'],
    );
    assert.equal(
      await session.page.evaluate(() => document.activeElement?.classList.contains('govuk-error-summary')),
      true,
      'the error summary has focus when the page loads, so a screen reader announces it',
    );
    for (const e of errors) {
      assert.equal(await form.followErrorLink(e.text), e.href.slice(1), `“${e.text}” moves focus to its field`);
    }

    const after = await new PriorityListPage(session.page).visit();
    assert.deepEqual(await after.codes(), before, 'no priority was created');
  });

  it('keeps what was typed when only some fields are wrong', async () => {
    const form = await new PriorityFormPage(session.page).visitNew();
    await form.fill({ theme: THEME, code: 'not a code!', title: 'A title worth keeping – £5', rationale: 'Dŵr a thŷ' });
    const errors = await form.saveExpectingErrors();
    assert.deepEqual(errors, [
      { text: 'Code must be letters, numbers, spaces, dots, hyphens or underscores, like VfM-4d', href: '#code' },
    ]);
    assert.equal(await session.page.getByLabel('Title', { exact: true }).inputValue(), 'A title worth keeping – £5');
    assert.equal(await session.page.getByLabel('Why is this a priority').inputValue(), 'Dŵr a thŷ');
    assert.equal(await session.page.getByLabel('Code').inputValue(), 'not a code!');
  });

  it('refuses a milestone with a bad timescale, naming the milestone and the field, and saves nothing', async () => {
    const report = await new ReportPage(session.page, DEMO.code, DEMO.title).visit(DEMO.period);
    const actionsBefore = await report.actions();

    const form = await report.addAction();
    await form.describe('An action that must not be saved');
    await form.choose('Arfan Hanif');
    await form.milestone(1, 'A good milestone', 'Nov 2009');
    await form.milestone(2, 'A milestone with a French month', 'Novembre 2009');
    const errors = await form.saveExpectingErrors();
    assert.deepEqual(errors, [
      {
        text: 'The timescale of milestone 2 must be a month like Nov 2009 or a date like 30 November 2009',
        href: '#milestones-1-timescale',
      },
    ]);
    assert.equal(await form.followErrorLink(/milestone 2/), 'milestones-1-timescale');
    assert.deepEqual(
      await form.milestones(),
      [
        { description: 'A good milestone', timescale: 'Nov 2009' },
        { description: 'A milestone with a French month', timescale: 'Novembre 2009' },
      ],
      'the rows keep what was typed',
    );

    // "Add another milestone" saves nothing: the rows come back as typed, with a blank one.
    const more = await form.addAnotherMilestone();
    assert.deepEqual(await more.milestones(), [
      { description: 'A good milestone', timescale: 'Nov 2009' },
      { description: 'A milestone with a French month', timescale: 'Novembre 2009' },
      { description: '', timescale: '' },
    ]);

    const after = await new ReportPage(session.page, DEMO.code, DEMO.title).visit(DEMO.period);
    assert.deepEqual(await after.actions(), actionsBefore, 'no key action was added');
  });

  // A return to draft without its comment is refused in e2e/sign-off-workflow.test.ts (it needs
  // the accountable officer signed in); sign-offs are no longer typed in on someone's behalf.

  it('asks before removing a status a draft uses, listing it, and saves nothing until confirmed', async () => {
    const scale = await new StatusScalePage(session.page).visit();
    const confirmation = await scale.removeThenSaveExpectingConfirmation(2);
    const affected = await confirmation.affected();
    assert.ok(
      affected.some(
        ([code, , state, now, after]) =>
          code?.startsWith('OC-1c') && state === 'Draft' && now === 'Amber' && after === 'Not assessed',
      ),
      `the demo’s Amber draft is listed: ${JSON.stringify(affected)}`,
    );
    assert.ok(!affected.some(([code]) => code?.startsWith(DEMO.code)), 'the published report is not listed');
    assert.match(await confirmation.publishedNotAffected(), /Published reports are not affected/);
    const back = await confirmation.goBack();
    assert.deepEqual(await back.labels(), ['Green', 'Red'], 'the change is shown again, not saved');
    const again = await new StatusScalePage(session.page).visit();
    assert.deepEqual(await again.labels(), ['Green', 'Amber', 'Red'], 'the scale is unchanged');
  });

  it('refuses a stale save of the report rather than overwriting someone else’s change', async () => {
    const other = await session.context.newPage();
    const mine = await new ReportFormPage(session.page, DEMO.code, DEMO.title).visit(DEMO.period);
    const theirs = await new ReportFormPage(other, DEMO.code, DEMO.title).visit(DEMO.period);
    await theirs.fill({ summary: 'Their summary, saved first.' });
    await theirs.save();
    await other.close();

    await mine.fill({ summary: 'My summary, written on an old copy.' });
    const errors = await mine.saveExpectingErrors();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.text, /Someone else changed this report/);
    assert.equal(
      await session.page.getByLabel('Overall summary').inputValue(),
      'My summary, written on an old copy.',
      'my text is kept to copy',
    );
    const report = await new ReportPage(session.page, DEMO.code, DEMO.title).visit(DEMO.period);
    assert.ok(
      (await report.qa('report').innerText()).includes('Their summary, saved first.'),
      'their change was not overwritten',
    );
  });

  it('shows a hostile title as text and runs none of it', async () => {
    const hostile = '<script>alert(1)</script>';
    const form = await new PriorityFormPage(session.page).visitNew();
    await form.fill({
      theme: THEME,
      code: 'XSS-1',
      title: hostile,
      rationale: `<img src=x onerror="alert(2)"> and ${hostile}`,
    });
    const priority = await form.save('XSS-1', hostile);
    assert.deepEqual(await priority.rationale(), [`<img src=x onerror="alert(2)"> and ${hostile}`]);
    assert.equal(await session.page.locator('main script, main img').count(), 0, 'no element was made from the input');

    const list = await new PriorityListPage(session.page).visit();
    assert.equal((await list.row('XSS-1').locator('td').nth(1).innerText()).trim(), hostile);

    const reportForm = await (await new PriorityPage(session.page, 'XSS-1', hostile).visit()).startReport();
    await reportForm.choosePeriod('2009/10 H1');
    await reportForm.start();
    const report = await new ReportPage(session.page, 'XSS-1', hostile).visit(DEMO.period);
    assert.equal(await report.h1().innerText(), `Improvement Priority – XSS-1 ${hostile}`);
    assert.deepEqual(dialogs, [], 'no dialog opened');
  });

  it('shows the 404 page, which passes axe, for an unknown priority and an unknown report', async () => {
    const notFound = new NotFoundPage(session.page);
    const priority = await notFound.visitMissing('/priorities/NO-SUCH-1');
    assert.deepEqual(priority, { status: 404, detail: 'There is no improvement priority NO-SUCH-1' });
    assert.equal(await notFound.backToPriorities().count(), 1, 'the 404 page links back to the list');

    const report = await notFound.visitMissing(`/priorities/${DEMO.code}/reports/2031-32-h1`);
    assert.deepEqual(report, { status: 404, detail: 'There is no reporting period 2031-32-h1' });
  });

  it('adds a key action with "Add another milestone" with JavaScript switched off', async () => {
    const page = await session.newPage({ javaScriptEnabled: false });
    page.on('dialog', (dialog: Dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    let report = await new ReportPage(page, DEMO.code, DEMO.title).visit(DEMO.period);
    assert.equal(
      await page.evaluate(() => document.body.classList.contains('govuk-frontend-supported')),
      false,
      'JavaScript really is off',
    );
    const before = (await report.actions()).length;

    let form = await report.addAction();
    await form.describe('Publish the DECATS findings to staff');
    await form.choose('John McPherson', 'Local Partnerships');
    await form.milestone(1, 'Findings summarised for the staff newsletter', 'Dec 2009');
    form = await form.addAnotherMilestone();
    assert.deepEqual(await form.milestones(), [
      { description: 'Findings summarised for the staff newsletter', timescale: 'Dec 2009' },
      { description: '', timescale: '' },
    ]);
    await form.milestone(2, 'Briefings held in every directorate', '31 January 2010');
    form = await form.addAnotherMilestone();
    assert.equal(await form.milestoneRows().count(), 3);
    form = await form.remove(3);
    form = await form.moveUp(2);
    report = await form.save();

    const actions = await report.actions();
    assert.equal(actions.length, before + 1);
    assert.deepEqual(actions.at(-1), {
      number: `${before + 1}.`,
      description: 'Publish the DECATS findings to staff',
      contributors: ['John McPherson', 'Local Partnerships'],
      milestones: [
        { description: 'Briefings held in every directorate', timescale: '31 January 2010' },
        { description: 'Findings summarised for the staff newsletter', timescale: 'Dec 2009' },
      ],
    });
    await page.close();
  });
});
