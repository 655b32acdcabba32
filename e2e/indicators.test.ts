// An officer defines a performance indicator, records its values, asks "why is this amber?",
// overrides a status with a reason, shows the indicator as a graph in the VfM-4d report, and
// follows up last period's milestones from the next report. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSession, type Session } from './support/browser.ts';
import { Screen } from './pages/screen.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

describe('indicators and graphs in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  before(async () => {
    session = await startSession();
  });
  after(async () => {
    await session?.close();
  });

  it('defines an indicator, records values, overrides a status, and draws it in the report', async () => {
    const { page, testApp } = session;
    const actor = systemActor((await testApp.services.organisations.getHome()).id, 'e2e');
    for (const q of ['2009-10-q1', '2009-10-q2']) await testApp.services.periods.ensure(actor, q);

    const list = await new Screen(page, 'Performance indicators', 'IndicatorList').visit(paths.indicators.list);
    const form = await list.follow(
      page.getByRole('button', { name: 'Add a performance indicator' }),
      new Screen(page, 'Add a performance indicator', 'IndicatorForm'),
    );
    await page.locator('#code').fill('VFM 1');
    await page.locator('#title').fill('Efficiency savings delivered against plan – ŵ');
    await page.locator('#unitKind').selectOption('percentage');
    await page.locator('#decimalPlaces').fill('1');
    await page.getByLabel('Higher is better', { exact: true }).check();
    await page.getByLabel('Quarterly', { exact: true }).check();
    await page.getByRole('checkbox', { name: /VfM-4d/ }).check();
    const indicator = await form.submit(
      'Save indicator',
      new Screen(page, 'VFM 1 Efficiency savings delivered against plan – ŵ', 'IndicatorPage'),
    );

    for (const [period, actual] of [
      ['2009-10-q1', '96'],
      ['2009-10-q2', '93.1'],
    ] as const) {
      await page.locator('#period').selectOption(period);
      await page.locator('#actual').fill(actual);
      await page.locator('#target').fill('95');
      await indicator.submit('Save value', new Screen(page, /^VFM 1 /, 'IndicatorPage'));
    }
    const why = await page.locator('[data-period="2009-10-q2"] [data-qa="why"]').innerText();
    assert.match(why, /^Amber because 93\.1% is below the target of 95\.0% but within the 5% tolerance \(90\.25%\)/);

    // An override without a reason is refused (and the error page passes axe), then given one.
    await page.locator('#status-period').selectOption('2009-10-q2');
    await page.locator('#status').selectOption('green');
    await indicator.submit('Save status', new Screen(page, /^VFM 1 /, 'IndicatorPageWithErrors'));
    assert.match(await page.locator('.govuk-error-summary').innerText(), /Give the reason for choosing Green/);
    await page.locator('#status-period').selectOption('2009-10-q2');
    await page.locator('#status').selectOption('green');
    await page.locator('#reason').fill('The Q2 figure excludes a one-off cost');
    await indicator.submit('Save status', new Screen(page, /^VFM 1 /, 'IndicatorPage'));
    assert.match(
      await page.locator('[data-period="2009-10-q2"]').innerText(),
      /Green\s+\(chosen by an officer; computed: Amber\)/,
    );

    // The VfM-4d report shows it as a graph with its data table.
    const report = await new Screen(page, /^Improvement Priority – VfM-4d /, 'Report').visit(
      paths.reports.show('VfM-4d', '2009-10-h1'),
    );
    const choose = await report.follow(
      page.locator('[data-qa="choose-graphs"]'),
      new Screen(page, 'Choose the graphs for this report', 'GraphsForm'),
    );
    await page.getByRole('checkbox', { name: /VFM 1/ }).check();
    await choose.submit('Save graphs', new Screen(page, /^Improvement Priority – VfM-4d /, 'ReportWithGraph'));
    const chart = page.locator('#main-content svg[role="img"]').first();
    assert.ok(await chart.isVisible(), 'the chart is drawn');
    assert.match(await page.locator('#main-content').innerText(), /Data for VFM 1/);
    assert.doesNotMatch(await page.locator('#main-content').innerText(), /There are no graphs for this priority/);
  });

  it('follows up the H1 milestones from the H2 report', async () => {
    const { page, testApp } = session;
    const actor = systemActor((await testApp.services.organisations.getHome()).id, 'e2e');
    await testApp.services.reports.create(actor, 'VfM-4d', { period: '2009-10-h2' });
    const h2 = await new Screen(page, /^Improvement Priority – VfM-4d /, 'H2Report').visit(
      paths.reports.show('VfM-4d', '2009-10-h2'),
    );
    assert.match(
      await page.locator('[data-qa="last-time"]').innerText(),
      /Progress against the key actions set in the 2009\/10 H1 report/,
    );
    const progress = await h2.follow(
      page.getByRole('link', { name: /Record progress on “Original collaboration contract terminated”/ }),
      new Screen(page, 'Record progress on a milestone', 'ProgressForm'),
    );
    await page.getByLabel('Slipped', { exact: true }).check();
    await progress.submit(
      'Save progress',
      new Screen(page, 'Record progress on a milestone', 'ProgressFormWithErrors'),
    );
    assert.match(
      await page.locator('.govuk-error-summary').innerText(),
      /Enter the revised timescale[\s\S]*Explain why the milestone slipped/,
    );
    await page.getByLabel('Slipped', { exact: true }).check();
    await page.locator('#revised').fill('Jan 2010');
    await page.locator('#reason').fill('PwC asked for a longer notice period');
    await progress.submit('Save progress', new Screen(page, /^Improvement Priority – VfM-4d /, 'H2Report'));
    assert.match(
      await page.locator('[data-qa="last-time"]').innerText(),
      /Slipped\s+Original collaboration contract terminated – Slipped from Nov 2009 to Jan 2010: PwC asked for a longer notice period/,
    );
  });

  it('shows the dashboard, whose numbers lead to the priorities behind them', async () => {
    const { page } = session;
    const dashboard = await new Screen(page, 'Dashboard for 2009/10 H1', 'Dashboard').visit(
      `${paths.dashboard}?period=2009-10-h1`,
    );
    await dashboard.follow(
      page.getByRole('link', { name: '2 Amber in all themes' }),
      new Screen(page, 'Improvement priorities', 'FilteredPriorityList'),
    );
    const codes = await page
      .locator('[data-qa="priority-row"]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-code')));
    assert.deepEqual(codes.sort(), ['OC-1c', 'VfM-4d']);
  });

  it('shows each of the dashboard’s lists whole on a page of its own, with the way back', async () => {
    const { page, testApp } = session;
    const lists = [
      ['status-changes', 'Status changes since the previous report, 2009/10 H1'],
      ['overdue-milestones', 'Overdue milestones'],
      ['indicators-off-target', 'Indicators off target in 2009/10 H1'],
    ] as const;
    for (const [name, heading] of lists)
      await new Screen(page, heading, `DashboardList ${name}`).visit(`${paths.dashboardLists[name]}?period=2009-10-h1`);

    // More overdue milestones than the dashboard shows: it lists the first 20 and leads to them all.
    const actor = systemActor((await testApp.services.organisations.getHome()).id, 'e2e');
    await testApp.services.reports.addAction(actor, 'OC-1c', '2009-10-h1', {
      description: 'Move enquiries to the contact centre, service by service',
      contributors: [],
      milestones: Array.from({ length: 15 }, (_, i) => ({
        description: `Service ${i + 1} moved`,
        timescale: 'Jan 2010',
      })),
    });
    const dashboard = await new Screen(page, 'Dashboard for 2009/10 H1', 'Dashboard').visit(
      `${paths.dashboard}?period=2009-10-h1`,
    );
    assert.equal(await page.locator('[data-qa="overdue"] li').count(), 20);
    const all = await dashboard.follow(
      page.getByRole('link', { name: 'See all 22 overdue milestones' }),
      new Screen(page, 'Overdue milestones', 'DashboardList overdue-milestones'),
    );
    assert.equal(await page.locator('[data-qa="overdue-milestones"] li').count(), 22);
    await all.follow(
      page.getByRole('link', { name: 'Back to the dashboard for 2009/10 H1' }),
      new Screen(page, 'Dashboard for 2009/10 H1', 'Dashboard'),
    );
  });

  it('shows the board pack, its files’ job, indicator import and open data pages, each passing axe', async () => {
    const { page } = session;
    const pack = await new Screen(page, /^Board pack/, 'BoardPack').visit(paths.boardPack.show);
    // The files made in the background: the job's page (no worker runs here, so it waits) says
    // its state in words once, in its status region.
    await pack.submit('Generate PDF and Word files', new Screen(page, 'Board pack files', 'JobPage', 'job-status'));
    assert.equal(await page.locator('[data-qa="job-status"]').getAttribute('data-status'), 'queued');
    assert.equal(await page.getByRole('status').innerText(), 'Waiting to start 0% done.');
    await new Screen(page, /Import/i, 'IndicatorImport').visit(paths.indicators.import);
    await new Screen(page, 'Open data', 'OpenData').visit(paths.openData.index);
  });

  it('imports a council’s own spreadsheet: names an unknown column once, previews and creates a missing indicator', async () => {
    const { page } = session;
    const file = {
      name: 'streets-2009-10.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Measure No.,Description,Good is?,Q1 2009/10\r\nE2E 1,Street lights working,Higher,97%\r\n'),
    };
    const importPage = await new Screen(page, 'Import indicator values', 'IndicatorImport').visit(
      paths.indicators.import,
    );
    await page.locator('#year').fill('2009');
    await page.locator('#file').setInputFiles(file);
    const naming = await importPage.submit(
      'Import values',
      new Screen(page, 'Import indicator values', 'IndicatorImportNameColumns', 'name-columns-form'),
    );
    await page.locator('#mappings-0-column').selectOption('code');
    const named = await naming.submit(
      'Save column names',
      new Screen(page, 'Import indicator values', 'IndicatorImport'),
    );
    await page.locator('#year').fill('2009');
    await page.locator('#file').setInputFiles(file);
    const preview = await named.submit(
      'Import values',
      new Screen(page, 'Import indicator values', 'IndicatorImportPreview', 'proposed-indicators'),
    );
    await page.locator('#create-file').setInputFiles(file);
    await preview.submit(
      'Create 1 indicator and import the values',
      new Screen(page, 'Import indicator values', 'IndicatorImportDone', 'import-notices'),
    );
    assert.match(
      (await page.locator('[data-qa="import-notices"]').innerText()).replace(/\s+/g, ' '),
      /E2E 1 was created from row 2: Street lights working/,
    );
    const columns = await new Screen(page, 'Names of your files’ columns', 'ImportColumns', 'column-names').visit(
      paths.indicators.importColumns,
    );
    assert.equal(await page.locator('[data-qa="header"]').first().innerText(), 'Measure No.');
    await columns.submit('Save column names', new Screen(page, 'Names of your files’ columns', 'ImportColumns'));
  });
});
