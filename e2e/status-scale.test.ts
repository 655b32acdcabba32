// A status scale any council can use (issue 13), in the browser as a new user would: the
// accountable officer starts VfM-4d's 2009/10 H2 report as Amber; an administrator adopts a
// six-status scale — "Not started" and "Completed" outside the rating order, a hatched
// "Red – stalled", Completed needing the accountable director's approval, Amber renamed — and is
// shown the confirmation listing the draft before anything is saved; the officer then rates the
// report "Red – stalled", submits and signs it off, the director publishes it, and the published
// report shows the status with its hatching. The change is used from 2009/10 H2 on (ADR 0014):
// the confirmation shows it status by status, lists only the H2 draft, and an H1 draft keeps
// "Amber". The administrator then changes the scale again, and the published report is unchanged.
// axe-core runs on every page visited. The first sign-in goes through the sign-in page; each
// change of person after it is a session cookie (useSessionAs: the journey is not about signing in).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { signInAs, useSessionAs } from './support/sign-in.ts';
import { textOf } from './pages/base-page.ts';
import { Screen } from './pages/screen.ts';
import { PriorityPage } from './pages/priority-pages.ts';
import { ReportPage } from './pages/report-pages.ts';
import { paths } from '../src/paths.ts';

const CODE = 'VfM-4d';
const TITLE = 'Explore opportunities for collaboration with private and public sector bodies';
const PERIOD = { key: '2009-10-h2', label: '2009/10 H2' };

interface Row {
  label: string;
  key: string;
  colour: string;
  shape: string;
  rated?: boolean;
  pattern?: 'none' | 'hatched' | 'dotted';
  approval?: string;
}

/** The council's scale, in the order it is shown. */
const SIX: Row[] = [
  { label: 'Green', key: 'green', colour: '#00703c', shape: 'circle' },
  { label: 'Amber – some risk', key: 'amber', colour: '#f47738', shape: 'triangle' },
  { label: 'Red', key: 'red', colour: '#d4351c', shape: 'diamond' },
  { label: 'Red – stalled', key: 'red-stalled', colour: '#d4351c', shape: 'cross', pattern: 'hatched' },
  { label: 'Not started', key: 'not-started', colour: '#b1b4b6', shape: 'square', rated: false },
  {
    label: 'Completed',
    key: 'completed',
    colour: '#1d70b8',
    shape: 'star',
    rated: false,
    approval: 'Approval by an accountable director',
  },
];

describe('a six-status scale in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession({ as: false });
  });
  after(async () => {
    await session?.close();
  });

  const step = (name: string, fn: () => Promise<void>) => void it(name, fn);
  const scalePage = (name: string) => new Screen(session.page, 'Status scale', name, 'status-scale-form');

  step('the accountable officer starts the H2 report as Amber', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'accountable_officer');
    const priority = await new PriorityPage(page, CODE, TITLE).visit();
    const start = await (await priority.startReport()).choosePeriod(PERIOD.label);
    const form = await start.start();
    await form.fill({ summary: 'Partners being approached.', status: 'Amber', statusReason: 'Two partners late.' });
    const r = await form.save();
    assert.equal((await r.status()).key, 'amber');
  });

  step('an administrator adopts six statuses, two outside the rating order and one hatched, and confirms', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'administrator');
    let form = await scalePage('StatusScale').visit(paths.statusScale.edit);
    assert.equal(await form.qa('status-row').count(), 3, 'Red, Amber, Green to start with');
    for (const [i, r] of SIX.entries()) {
      // A blank row is added for each new status (a blank row is dropped when the form is sent).
      if (i >= 3) form = await form.submit('Add another status', scalePage(`StatusScaleAdded${i - 2}`));
      await page.locator(`#statuses-${i}-label`).fill(r.label);
      await page.locator(`#statuses-${i}-key`).fill(r.key);
      await page.locator(`#statuses-${i}-colour`).fill(r.colour);
      await page.locator(`#statuses-${i}-shape`).selectOption(r.shape);
      await page.locator(`#statuses-${i}-pattern`).selectOption(r.pattern ?? 'none');
      if (r.approval) await page.locator(`#statuses-${i}-approvalRole`).selectOption({ label: r.approval });
      await page.locator(r.rated === false ? `#statuses-${i}-rated-2` : `#statuses-${i}-rated`).check();
    }
    assert.equal(await form.qa('status-row').count(), 6);
    // Used from the officer's period on: the drafts of 2009/10 H1 keep the scale as it is.
    await page.locator('#inUseFrom').selectOption({ label: PERIOD.label });
    const confirmation = await form.submit(
      'Save status scale',
      new Screen(page, 'Check the change to the status scale', 'ScaleConfirmation', 'affected-reports'),
    );
    assert.match(await textOf(confirmation.qa('confirm-period')), /used from 2009\/10 H2 on/);
    const diff = await textOf(confirmation.qa('scale-diff'));
    for (const line of [/Amber is renamed Amber – some risk/, /Red – stalled is added/, /Completed is added/])
      assert.match(diff, line);
    assert.match(await textOf(confirmation.qa('scale-changes')), /Amber is renamed Amber – some risk\./);
    const listed = await confirmation.qa('affected-report').allInnerTexts();
    assert.ok(
      listed.some((row) => new RegExp(`^${CODE}\\b.*${PERIOD.label}.*Draft`, 's').test(row)),
      `the officer's draft is listed: ${listed.join(' | ')}`,
    );
    assert.ok(!listed.some((row) => /2009\/10 H1/.test(row)), `no H1 report is listed: ${listed.join(' | ')}`);
    const saved = await confirmation.submit('Save status scale', scalePage('StatusScaleSaved'));
    assert.match((await saved.flash()) ?? '', /The status scale has been saved/);
    assert.match(
      await textOf(saved.qa('scale-versions')),
      /2009\/10 H2 onwards\s+In use now[\s\S]*Periods before 2009\/10 H2/,
    );
    // The form shows what was saved: a hatched status, and the rules of each row.
    assert.equal(await page.locator('#statuses-3-pattern').inputValue(), 'hatched');
    assert.equal(await page.locator('#statuses-5-approvalRole').inputValue(), 'accountable_director');
    assert.equal(await page.locator('#statuses-4-rated-2').isChecked(), true, 'Not started is outside the order');
    assert.equal(await page.locator('[data-qa="status-row"] [data-qa="status"][data-pattern="hatched"]').count(), 1);
  });

  step('the officer rates the report "Red – stalled", submits it and signs it off', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_officer');
    let r = await new ReportPage(page, CODE, TITLE).visit(PERIOD.key);
    assert.equal((await r.status()).text, 'Amber – some risk', 'the draft kept its status, renamed');
    const form = await r.edit();
    await form.fill({ status: 'Red – stalled', statusReason: 'Both partners have withdrawn for now.' });
    r = await form.save();
    assert.deepEqual(await r.status(), { text: 'Red – stalled', key: 'red-stalled' });
    r = await r.submit();
    const signOff = await r.signOffPage();
    await signOff.decide('Approve');
    r = await signOff.save();
    assert.equal(await r.state(), 'officer_approved');
  });

  step('the director publishes it, and the published report shows the status hatched', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_director');
    let r = await new ReportPage(page, CODE, TITLE).visit(PERIOD.key);
    const signOff = await r.signOffPage();
    await signOff.decide('Approve', 'Agreed.');
    r = await signOff.save();
    assert.equal(await r.state(), 'published');
    const tag = r.qa('report-status').locator('[data-qa="status"]');
    assert.equal(await tag.getAttribute('data-pattern'), 'hatched');
    // The hatching is drawn: the shape is painted a second time with the page's pattern.
    const fills = await tag.locator('svg [fill^="url(#amber-pattern-hatched-"]').count();
    assert.ok(fills > 0, 'the hatching overlays the shape');
    assert.equal(await page.locator('#amber-pattern-hatched-light, #amber-pattern-hatched-dark').count(), 2);
  });

  step('an H1 draft keeps its status as it was: the change is used from H2 on', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'administrator');
    const r = await new ReportPage(page, 'OC-1c', 'Resolve more customer enquiries at first contact').visit(
      '2009-10-h1',
    );
    assert.equal((await r.status()).text, 'Amber');
  });

  step(
    'the administrator renames a status again, sees the difference, and the published report is unchanged',
    async () => {
      const { page } = session;
      await useSessionAs(page, session, 'administrator');
      const form = await scalePage('StatusScaleAgain').visit(paths.statusScale.edit);
      await page.locator('#statuses-3-label').fill('Red – on hold');
      await page.locator('#inUseFrom').selectOption({ label: PERIOD.label });
      const confirmation = await form.submit(
        'Save status scale',
        new Screen(page, 'Check the change to the status scale', 'ScaleConfirmationAgain', 'scale-diff'),
      );
      assert.match(await textOf(confirmation.qa('scale-diff')), /Red – stalled is renamed Red – on hold/);
      assert.match(
        await textOf(confirmation.qa('no-affected-reports')),
        /No unpublished report of 2009\/10 H2 or later/,
      );
      await confirmation.submit('Save status scale', scalePage('StatusScaleSavedAgain'));
      const r = await new ReportPage(page, CODE, TITLE).visit(PERIOD.key);
      assert.equal(await r.state(), 'published');
      assert.deepEqual(await r.status(), { text: 'Red – stalled', key: 'red-stalled' }, 'as it was signed off');
      assert.equal(await r.qa('report-status').locator('[data-qa="status"]').getAttribute('data-pattern'), 'hatched');
    },
  );
});
