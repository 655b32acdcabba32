// "My work" in the browser (issue 3): VfM-4d's accountable officer signs in, sees the 2009/10 H2
// report he has not started (its period is due in ten days) and starts it from there; the
// contributor named on VfM-4d's actions sees his overdue milestones and opens one to record
// progress. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { signInAs } from './support/sign-in.ts';
import { Screen } from './pages/screen.ts';
import { textOf } from './pages/base-page.ts';
import { paths } from '../src/paths.ts';
import { todayIso, formatDate } from '../src/domain/dates.ts';
import { addDays } from '../src/modules/reminders/reminder.service.ts';
import { systemActor } from '../src/domain/actor.ts';

describe('my work in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  const due = addDays(todayIso(), 10);
  before(async () => {
    session = await startSession();
    const home = await session.testApp.services.organisations.getHome();
    await session.testApp.services.periods.setDueDate(systemActor(home.id, 'test'), '2009-10-h2', {
      dueOn: due,
    });
  });
  after(async () => {
    await session?.close();
  });

  it('takes the accountable officer from his list to the report he has to start', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'accountable_officer');
    const priorities = await new Screen(page, /.+/, 'AfterSignIn').visit(paths.priorities.list);
    const myWork = await priorities.follow(
      page.getByRole('link', { name: 'My work', exact: true }),
      new Screen(page, 'My work', 'MyWorkOfficer'),
    );
    const row = myWork.qa('to-write-VfM-4d');
    assert.equal(await row.count(), 1);
    const text = await textOf(row);
    assert.match(text, /2009\/10 H2/);
    assert.match(text, /Not started/);
    assert.ok(text.includes(`Due ${formatDate(due)}`), text);
    await myWork.follow(
      row.getByRole('link', { name: /Start the report/ }),
      new Screen(page, 'Start a progress report for VfM-4d', 'NewReport'),
    );
  });

  it('takes a contributor from his overdue milestones to the page to record progress', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'contributor');
    const myWork = await new Screen(page, 'My work', 'MyWorkContributor').visit(paths.myWork);
    const rows = myWork.qa('milestone');
    assert.ok((await rows.count()) > 0, 'the contributor has milestones due');
    const first = await textOf(rows.first());
    assert.match(first, /VfM-4d/);
    assert.match(first, /Overdue/);
    await myWork.follow(
      rows.first().getByRole('link', { name: /Record progress/ }),
      new Screen(page, 'Record progress on a milestone', 'MilestoneProgress'),
    );
  });
});
