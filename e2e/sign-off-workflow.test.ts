// The two-level sign-off in the browser (issue 3), as the demo's people (the first through the
// sign-in page; each change of person after it by a session cookie, as the sign-in would set):
// Lee Hemsworth (VfM-4d's accountable officer) writes the 2009/10 H2 report and submits it;
// James Rogers (its accountable director) returns it with a comment (a return without one is
// refused); the officer fixes it and resubmits; both sign off and it is published and frozen;
// a later change makes revision 2, which readers do not see until it is published; the revisions,
// what changed, and the history show all of it; the e-mails of each step arrive at a real SMTP
// server. axe-core runs on every page visited.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { signInAs, useSessionAs } from './support/sign-in.ts';
import { PriorityPage } from './pages/priority-pages.ts';
import { ReportPage, HistoryPage } from './pages/report-pages.ts';
import { paths } from '../src/paths.ts';

const CODE = 'VfM-4d';
const TITLE = 'Explore opportunities for collaboration with private and public sector bodies';
const PERIOD = { key: '2009-10-h2', label: '2009/10 H2' };

describe('the sign-off workflow in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession({ as: false, mail: true });
  });
  after(async () => {
    await session?.close();
  });

  const step = (name: string, fn: () => Promise<void>) => void it(name, fn);
  const report = () => new ReportPage(session.page, CODE, TITLE).visit(PERIOD.key);

  step('the accountable officer writes the H2 report and submits it', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'accountable_officer');
    const priority = await new PriorityPage(page, CODE, TITLE).visit();
    const start = await (await priority.startReport()).choosePeriod(PERIOD.label);
    const form = await start.start();
    await form.fill({
      summary: 'DECATS diagnostic under way.',
      status: 'Amber',
      statusReason: 'Baseline data late from two directorates.',
      achievements: ['Contract with Local Partnerships signed'],
    });
    let r = await form.save();
    assert.equal(await r.state(), 'draft');
    r = await r.submit();
    assert.equal(await r.flash(), 'Success The report has been submitted for sign-off.');
    assert.equal(await r.state(), 'submitted');
    assert.equal(await r.canEdit(), false, 'frozen while it waits for sign-off');
  });

  step('the accountable director returns it, and is refused without a comment', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_director');
    const r = await report();
    const signOff = await r.signOffPage();
    assert.match(await signOff.next(), /Waiting for the accountable officer \(Lee Hemsworth\)/);
    await signOff.decide('Return it to draft');
    const errors = await signOff.saveExpectingErrors();
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#comment'],
    );
    await signOff.decide('Return it to draft', 'Say when the two directorates will send their data.');
    const back = await signOff.save();
    assert.equal(await back.state(), 'draft');
    assert.match(
      (await back.decisions())[0]!,
      /^Returned to draft by James Rogers \(Accountable Director\), revision 1, .* at \d\d:\d\d UTC: “Say when the two directorates will send their data\.”$/,
    );
  });

  step('the officer fixes it and resubmits, then signs it off as himself', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_officer');
    let r = await report();
    const form = await r.edit();
    await form.fill({
      statusReason: 'Baseline data late from two directorates; both have promised it by 15 January 2010.',
    });
    r = await form.save();
    r = await r.submit();
    const signOff = await r.signOffPage();
    await signOff.decide('Approve');
    r = await signOff.save();
    assert.equal(await r.state(), 'officer_approved');
    assert.match(await r.signOff('accountable_officer'), /Approved by.*Lee Hemsworth/);
    assert.doesNotMatch(await r.signOff('accountable_officer'), /Historical record/);
  });

  step('the director signs it off, which publishes and freezes it', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_director');
    let r = await report();
    const signOff = await r.signOffPage();
    await signOff.decide('Approve', 'Agreed.');
    r = await signOff.save();
    assert.equal(await r.flash(), 'Success You have signed off the report: it is published.');
    assert.equal(await r.state(), 'published');
    assert.equal(await r.canSignOff(), false);
    assert.match(await r.signOff('accountable_director'), /Approved by.*James Rogers/);
  });

  step('a later change by the officer opens revision 2; a viewer still reads revision 1', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_officer');
    let r = await report();
    const form = await r.edit();
    await form.fill({ summary: 'DECATS diagnostic under way. Baseline complete in January.' });
    r = await form.save();
    assert.equal(await r.state(), 'draft');
    assert.equal(await r.revision(), 2);

    const revisions = await r.revisions();
    const rows = await revisions.rows();
    assert.match(rows[0]!, /^Revision 2 Draft Not yet/);
    assert.match(rows[1]!, /^Revision 1 Published .* by lee\.hemsworth@|^Revision 1 Published .* by james\.rogers@/);
    const changes = await revisions.whatChanged(1, 2);
    assert.deepEqual(await changes.fields(), ['summary']);
    assert.match(await changes.text(), /After: DECATS diagnostic under way\. Baseline complete in January\./);

    await useSessionAs(page, session, 'viewer');
    const seen = await report();
    const text = await seen.qa('report').innerText();
    assert.ok(text.includes('DECATS diagnostic under way.'), 'the viewer reads the published summary');
    assert.ok(!text.includes('Baseline complete in January'), 'not the unpublished revision');
    assert.equal(await seen.canEdit(), false);
  });

  step('the history shows every step, newest first, with who and what changed', async () => {
    const { page } = session;
    await useSessionAs(page, session, 'accountable_officer');
    const r = await report();
    const history = await r.history();
    const entries = await history.entries();
    const order = [
      'sections (opens revision 2)',
      ': approved',
      ': approved',
      'submitted for sign-off',
      'sections',
      'returned to draft',
      'submitted for sign-off',
    ];
    let at = 0;
    for (const what of order) {
      const found = entries.findIndex((e, i) => i >= at && e.includes(what));
      assert.ok(found >= 0, `“${what}” after entry ${at} in:\n${entries.join('\n')}`);
      at = found + 1;
    }
    assert.match(entries[0]!, /By lee\.hemsworth@demo\.amber\.example on/);
    assert.ok(
      entries.some((e) =>
        /returned to draft.*By james\.rogers@demo\.amber\.example.*State Submitted for sign-off Draft/.test(e),
      ),
      'the return names the director and the state before and after',
    );
    await history.back(new ReportPage(page, CODE, TITLE));
    await new HistoryPage(page, `History of ${CODE}`).open(paths.history.priority(CODE));
  });

  step('the e-mails of each step arrive at the SMTP server, addressed to the person who must act', async () => {
    const smtp = session.smtp!;
    const lee = 'lee.hemsworth@demo.amber.example';
    const james = 'james.rogers@demo.amber.example';
    const arrived = await smtp.waitFor(5, 30_000);
    const seen = arrived.map((m) => `${m.to.join(',')} | ${m.subject}`);
    const signOff = `Sign off the progress report: ${CODE} ${PERIOD.label}`;
    for (const expected of [
      `${lee} | ${signOff}`,
      `${lee} | Progress report returned to you: ${CODE} ${PERIOD.label}`,
      `${james} | ${signOff}`,
      `${lee} | Progress report published: ${CODE} ${PERIOD.label}`,
    ]) {
      assert.ok(seen.includes(expected), `expected “${expected}” among:\n${seen.join('\n')}`);
    }
    const returned = arrived.find((m) => m.subject.startsWith('Progress report returned'))!;
    assert.match(returned.text, /Say when the two directorates will send their data\./);
    assert.ok(
      returned.links.some((l) => l.includes(`/priorities/${CODE}/reports/${PERIOD.key}`)),
      returned.links.join(' '),
    );
  });
});
