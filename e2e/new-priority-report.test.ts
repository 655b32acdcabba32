// A new user's first report, click by click in a real browser: from the priorities list they add
// a person and a partner organisation, create a priority, write its 2009/10 H1 report with two
// key actions and both sign-offs, read it back in the seed document's order and download it as
// PDF and Word. Every page on the way (and each form after a validation error) passes axe.

import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { startSession, type Session } from './support/browser.ts';
import { sequentialSteps } from './support/steps.ts';
import { PriorityListPage, PriorityPage } from './pages/priority-pages.ts';
import { OrganisationListPage, PeopleListPage } from './pages/admin-pages.ts';
import type { ReportPage } from './pages/report-pages.ts';

const PARTNER = { name: 'Partneriaeth Cydweithio Cymru', shortName: 'PCC', kind: 'Other public body' };
const PERSON = { name: 'Gwenllian Ŵyn', jobTitle: 'Head of Shared Services', employer: 'Leeds City Council' };
const DIRECTOR = 'James Rogers';
const PRIORITY = {
  theme: 'Value for Money (Council Business Plan 2008–11)',
  code: 'VfM-9z',
  title: 'Share back-office services with neighbouring councils',
  rationale: [
    'Sharing back-office services – payroll, procurement and ICT – with partners such as Dŵr Cymru and Tŷ Hywel could save £1.2 million a year.',
    'Phase 1 – a joint diagnostic – costs £40,000, shared equally.',
  ].join('\n\n'),
  officer: `${PERSON.name}, ${PERSON.jobTitle}`,
  director: `${DIRECTOR}, Director of Resources`,
  groupsInternal: 'Resources directorate and Chief Officers Resources and Strategy (CORS)',
  groupsExternal: PARTNER.name,
};
const REPORT = {
  summary: [
    'The partners agreed the scope of the shared-service diagnostic in July.',
    'Procurement of the diagnostic partner slipped by a month – hence amber – but the timetable is recoverable.',
  ].join('\n\n'),
  statusReason: 'The diagnostic started a month late; the business case is still due in December.',
  achievements: [
    'Scope of the shared-service diagnostic agreed by both councils',
    'Funding of £40,000 agreed – split equally between the partners',
    'Project board set up with Partneriaeth Cydweithio Cymru',
  ],
  challenges: [
    'Data from three payroll systems may not be comparable',
    'Staff side concerns about the move to shared services',
    'Loss of focus during the budget round',
  ],
};
const PERIOD = { key: '2009-10-h1', label: '2009/10 H1', span: '1st April – 30th September 2009' };

describe('a new user writes a priority’s first progress report', { timeout: 360_000 }, () => {
  let session: Session;
  let report: ReportPage;
  const step = sequentialSteps();

  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  step('adds a partner organisation and a person, starting from the priorities list', async () => {
    const list = await new PriorityListPage(session.page).visit();

    const organisations = await list.navigateTo('Partner organisations', new OrganisationListPage(session.page));
    const orgForm = await organisations.addOrganisation();
    const afterOrg = await (await orgForm.fill(PARTNER)).save();
    assert.deepEqual(await afterOrg.cellsOf(PARTNER.name), [PARTNER.name, PARTNER.kind, `Change ${PARTNER.name}`]);

    const people = await afterOrg.navigateTo('People', new PeopleListPage(session.page));
    const personForm = await people.addPerson();
    const afterPerson = await (await personForm.fill(PERSON)).save();
    assert.deepEqual((await afterPerson.cellsOf(PERSON.name)).slice(0, 3), [
      PERSON.name,
      PERSON.jobTitle,
      PERSON.employer,
    ]);
  });

  step('creates the priority with Welsh letters, a pound sign and en dashes kept exactly', async () => {
    const list = await new PeopleListPage(session.page).navigateTo('Priorities', new PriorityListPage(session.page));
    const form = await list.addPriority();
    await form.fill(PRIORITY);
    const priority = await form.save(PRIORITY.code, PRIORITY.title);

    assert.equal(await priority.summaryValue('Accountable officer'), PERSON.name);
    assert.equal(await priority.summaryValue('Accountable director'), DIRECTOR);
    assert.deepEqual(await priority.rationale(), PRIORITY.rationale.split('\n\n'));
  });

  step('starts the 2009/10 H1 report and writes its sections, fixing a missing reason for Amber', async () => {
    const priority = new PriorityPage(session.page, PRIORITY.code, PRIORITY.title);
    const start = await priority.startReport();
    await start.choosePeriod(PERIOD.label);
    const form = await start.start();
    assert.equal(await form.flash(), 'Success The report has been started. Write its sections below.');

    // Amber needs a reason: saving without one is refused and keeps what was typed.
    await form.fill({
      summary: REPORT.summary,
      status: 'Amber',
      achievements: REPORT.achievements,
      challenges: REPORT.challenges,
    });
    const errors = await form.saveExpectingErrors();
    assert.deepEqual(errors, [{ text: 'Explain why the status is Amber', href: '#statusReason' }]);
    assert.equal(await session.page.getByLabel('Overall summary').inputValue(), REPORT.summary);
    assert.equal(await form.followErrorLink('Explain why the status is Amber'), 'statusReason');

    await form.fill({ statusReason: REPORT.statusReason });
    report = await form.save();
    assert.equal(await report.flash(), 'Success The report has been saved.');
    assert.deepEqual(await report.status(), { text: 'Amber', key: 'amber' });
    assert.deepEqual(await report.list('achievements'), REPORT.achievements);
    assert.deepEqual(await report.list('challenges'), REPORT.challenges);
  });

  step('adds two key actions with three milestones, adding, removing and reordering milestone rows', async () => {
    // Key action 1: two milestones typed in the wrong order, then a spare row added and removed.
    let action = await report.addAction();
    assert.equal(await action.milestoneRows().count(), 2, 'a new action offers two blank milestone rows');
    await action.describe('Agree a business case for shared payroll and procurement with clearly defined savings');
    await action.choose(PERSON.name, PARTNER.name);
    await action.milestone(1, 'Shared-service board set up', 'Jan 2010');
    await action.milestone(2, 'Business case agreed by both councils', '30 November 2009');

    action = await action.addAnotherMilestone();
    assert.deepEqual(await action.milestones(), [
      { description: 'Shared-service board set up', timescale: 'Jan 2010' },
      { description: 'Business case agreed by both councils', timescale: '30 November 2009' },
      { description: '', timescale: '' },
    ]);
    assert.deepEqual((await action.chosen()).sort(), [PARTNER.name, PERSON.name].sort());

    action = await action.remove(3);
    assert.equal(await action.milestoneRows().count(), 2, 'the blank row is removed');

    action = await action.moveUp(2);
    assert.deepEqual(
      (await action.milestones()).map((m) => m.description),
      ['Business case agreed by both councils', 'Shared-service board set up'],
    );
    report = await action.save();
    assert.equal(await report.flash(), 'Success The key action has been saved.');

    // Key action 2: one milestone; the second blank row is left empty and ignored.
    action = await report.addAction();
    await action.describe('Launch the shared payroll service – phase 1');
    await action.choose('Arfan Hanif', PARTNER.name);
    await action.milestone(1, 'Shared payroll live for both councils', 'Mar 2010');
    report = await action.save();

    assert.deepEqual(await report.actions(), [
      {
        number: '1.',
        description: 'Agree a business case for shared payroll and procurement with clearly defined savings',
        contributors: [PERSON.name, PARTNER.name],
        milestones: [
          { description: 'Business case agreed by both councils', timescale: '30 November 2009' },
          { description: 'Shared-service board set up', timescale: 'Jan 2010' },
        ],
      },
      {
        number: '2.',
        description: 'Launch the shared payroll service – phase 1',
        contributors: ['Arfan Hanif', PARTNER.name],
        milestones: [{ description: 'Shared payroll live for both councils', timescale: 'Mar 2010' }],
      },
    ]);
  });

  step(
    'submits the report for sign-off: it waits for the accountable officer, and nobody can type a sign-off in for them',
    async () => {
      assert.equal(await report.state(), 'draft');
      report = await report.submit();
      assert.equal(await report.flash(), 'Success The report has been submitted for sign-off.');
      assert.equal(await report.state(), 'submitted');
      // The performance officer is not the accountable officer: no sign-off for them to make.
      assert.equal(await report.canSignOff(), false);
      assert.equal(await report.canEdit(), false, 'nothing changes while it waits for sign-off');
      for (const role of ['accountable_officer', 'accountable_director'] as const) {
        assert.match(await report.signOff(role), /Not yet signed off\./);
      }
    },
  );

  step('shows the report with every section in the seed document’s order', async () => {
    report = await report.visit(PERIOD.key);
    assert.deepEqual(await report.headings(), [
      `Improvement Priority – ${PRIORITY.code} ${PRIORITY.title}`,
      'Sign-off workflow',
      'Why is this a priority',
      'Graphs',
      `Overall progress to date and outcomes achieved ${PERIOD.span}`,
      'Overall Summary',
      'Status',
      'Achievements since the last report',
      'Challenges/Risks',
      'Council / Partnership Groups',
      'Sign-off',
      'Key actions for the next 6 months',
    ]);
    assert.equal((await report.qa('accountable-officer').innerText()).trim(), `Accountable Officer – ${PERSON.name}`);
    assert.equal((await report.qa('no-graphs').innerText()).trim(), 'There are no graphs for this priority.');
    const text = await report.qa('report').innerText();
    for (const p of [...PRIORITY.rationale.split('\n\n'), ...REPORT.summary.split('\n\n'), REPORT.statusReason]) {
      assert.ok(text.includes(p), `the report shows “${p}”`);
    }

    // The list shows the new priority's latest status as words, not colour alone.
    const list = await new PriorityListPage(session.page).visit();
    assert.deepEqual(await list.statusOf(PRIORITY.code), { text: 'Amber', key: 'amber' });
  });

  step('downloads the report as a PDF and a Word document through the page’s links', async () => {
    const list = new PriorityListPage(session.page);
    report = await list.openLatestReport(PRIORITY.code, PRIORITY.title);

    const pdf = await report.download('pdf');
    assert.equal(pdf.filename, `${PRIORITY.code}-${PERIOD.key}.pdf`);
    assert.ok(statSync(pdf.path).size > 1000, 'the PDF is not empty');
    assert.equal(readFileSync(pdf.path).subarray(0, 5).toString('latin1'), '%PDF-');
    const pdfText = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf.path, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      ' ',
    );
    // The director is named in the sign-off once he signs it off (e2e/sign-off-workflow.test.ts); not yet here.
    for (const expected of [PRIORITY.title, PERSON.name]) {
      assert.ok(pdfText.includes(expected), `the PDF's text contains “${expected}”`);
    }

    const docx = await report.download('docx');
    assert.equal(docx.filename, `${PRIORITY.code}-${PERIOD.key}.docx`);
    assert.ok(statSync(docx.path).size > 1000, 'the Word document is not empty');
    assert.equal(readFileSync(docx.path).subarray(0, 2).toString('latin1'), 'PK');
  });
});
