// Issue 4's journey, as an officer would: import a year of indicator values from a spreadsheet,
// see the indicator's graph in the priority's report, override a status with a reason, build
// the board pack for the period and download it. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { DOWNLOAD_TIMEOUT, startSession, type Session } from './support/browser.ts';
import { Screen } from './pages/screen.ts';
import { paths } from '../src/paths.ts';
import { systemActor } from '../src/domain/actor.ts';

describe('an officer’s quarter: import, graph, override, board pack', { timeout: 360_000 }, () => {
  let session: Session;
  let dir: string;
  before(async () => {
    session = await startSession();
    dir = mkdtempSync(join(tmpdir(), 'amber-e2e-'));
  });
  after(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports values, sees the graph, overrides a status and downloads the board pack', async () => {
    const { page, testApp } = session;
    const actor = systemActor((await testApp.services.organisations.getHome()).id, 'e2e');
    for (const q of ['2009-10-q1', '2009-10-q2']) await testApp.services.periods.ensure(actor, q);
    const vfm = await testApp.services.plans.getPriority(actor, 'VfM-4d');
    await testApp.services.indicators.create(actor, {
      code: 'VFM 2',
      title: 'Cashable savings identified',
      unitKind: 'percentage',
      decimalPlaces: '1',
      polarity: 'higher',
      frequency: 'quarterly',
      priorityIds: [vfm.id],
    });

    // A spreadsheet in the layout councils use, with a £-free percentage and a commentary.
    const csv = join(dir, 'values.csv');
    writeFileSync(
      csv,
      'PI No,Description,Target,Good is?,Q1,Q2,Q3,Q4,YTD,Status,Owner,Commentary\r\nVFM 2,Cashable savings identified,95,Higher,96.0%,93.1,,,,,,"Q2 provisional, pending audit"\r\n',
    );
    const importPage = await new Screen(page, 'Import indicator values', 'Import').visit(paths.indicators.import);
    await page.locator('#year').fill('2009');
    await page.locator('#file').setInputFiles(csv);
    await importPage.submit('Import values', new Screen(page, 'Import indicator values', 'ImportDone'));
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /2 values were imported for 2009\/10/);

    const indicator = await new Screen(page, /^VFM 2 /, 'Indicator').visit(paths.indicators.show('VFM 2'));
    assert.match(
      await page.locator('[data-period="2009-10-q2"] [data-qa="why"]').innerText(),
      /^Amber because 93\.1% is below the target of 95\.0%/,
    );
    await page.locator('#status-period').selectOption('2009-10-q2');
    await page.locator('#status').selectOption('green');
    await page.locator('#reason').fill('The Q2 figure is provisional and excludes a one-off cost');
    await indicator.submit('Save status', new Screen(page, /^VFM 2 /, 'IndicatorOverridden'));

    const graphs = await new Screen(page, 'Choose the graphs for this report', 'Graphs').visit(
      paths.reports.graphs('VfM-4d', '2009-10-h1'),
    );
    await page.getByRole('checkbox', { name: /VFM 2/ }).check();
    await graphs.submit('Save graphs', new Screen(page, /^Improvement Priority – VfM-4d /, 'Report'));
    assert.ok(await page.locator('#main-content svg[role="img"]').first().isVisible());

    await new Screen(page, /^Board pack/, 'BoardPack').visit(`${paths.boardPack.show}?period=2009-10-h1`);
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: DOWNLOAD_TIMEOUT }),
      page.locator('[data-qa="download-pdf"]').click({ timeout: DOWNLOAD_TIMEOUT }),
    ]);
    const file = join(dir, 'pack.pdf');
    await download.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 4).toString(), '%PDF');
    const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
    for (const expected of ['Board pack', 'VfM-4d', 'OC-1c', 'Cashable savings identified', 'Lee Hemsworth'])
      assert.ok(text.includes(expected), `the pack mentions ${expected}`);
  });
});
