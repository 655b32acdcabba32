// An officer starts a diagnostic exercise, uploads a workbook that is refused (a post's time adds
// up to 93%: nothing imported, the sheet, row and column named), uploads the corrected sample,
// checks data quality, sees the baseline, drills from Finance to accounts payable to the org
// units doing it, downloads a table, checks a post's running total in the form and has a taxonomy
// extension refused with the line named. axe-core runs on every page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { startSession, type Session } from './support/browser.ts';
import { signInAs } from './support/sign-in.ts';
import { textOf } from './pages/base-page.ts';
import { diagnosticPages } from './pages/diagnostic-pages.ts';
import { broken, sampleWorkbook } from '../test/fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';

describe('the efficiency diagnostic in the browser', { timeout: 360_000 }, () => {
  let session: Session;
  let dir: string;
  before(async () => {
    session = await startSession();
    dir = mkdtempSync(join(tmpdir(), 'amber-diagnostic-e2e-'));
    writeFileSync(join(dir, 'sample.xlsx'), await sampleWorkbook());
    writeFileSync(join(dir, 'broken-93.xlsx'), await broken.sumsTo93());
  });
  after(async () => {
    await session?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates an exercise, uploads the templates, sees the baseline and drills down', async () => {
    const { page, baseUrl } = session;
    await signInAs(page, baseUrl, 'performance_officer');
    const pages = diagnosticPages(page);

    const list = await pages.list().visit(paths.diagnostic.list);
    assert.match(await textOf(list.qa('exercises')), /Illustrative/, 'the demo’s exercise is labelled illustrative');
    const form = await list.follow(list.qa('new-exercise'), pages.newExercise());
    await page.locator('#name').fill('Back office 2009/10');
    await page.locator('#financialYear').fill('2009');
    await page.locator('#runningCosts').fill('£412m');
    await page.locator('#headcount').fill('420');
    const exercise = await form.submit('Save exercise', pages.exercise('Back office 2009/10'));
    assert.match(await textOf(exercise.qa('counts')), /0 posts/);

    // A workbook with one fault: refused, named, nothing imported.
    await page.locator('#file').setInputFiles(join(dir, 'broken-93.xlsx'));
    const refused = await exercise.submit('Upload', pages.exercise('Back office 2009/10'));
    const errors = await refused.verifyRefused();
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]!.text,
      /^Allocations sheet, row \d+, column C \(% of time\): Post P012: Allocations add up to 93%/,
    );
    assert.match(await textOf(refused.qa('nothing-imported')), /Nothing was imported/);
    assert.match(await textOf(refused.qa('counts')), /0 posts/);

    await page.locator('#file').setInputFiles(join(dir, 'sample.xlsx'));
    const imported = await refused.submit('Upload', pages.exercise('Back office 2009/10'));
    assert.equal(await imported.flash(), 'Success The data was imported: 30 posts.');
    assert.match(await textOf(imported.qa('counts')), /30 posts/);

    const quality = await imported.follow(imported.qa('quality'), pages.quality());
    assert.match(await textOf(quality.qa('quality-verdict')), /The baseline can be run/);
    const baseline = await quality.follow(quality.qa('baseline'), pages.baseline());
    assert.match(await textOf(baseline.qa('headline')), /30 posts \(29\.20 FTE\)/);
    assert.equal(await page.locator('svg[role="img"]').count(), 1);

    // The drill-down: function → process → org units.
    const finance = await baseline.follow(
      baseline.qa('table-functions').getByRole('link', { name: 'Finance', exact: true }),
      pages.drill('Finance', 'FunctionPage'),
    );
    assert.match(await textOf(finance.qa('drill-facts')), /Central function: Central Finance/);
    const ap = await finance.follow(
      finance.qa('table-processes-FIN').getByRole('link', { name: 'FIN-AP Accounts payable' }),
      pages.drill('FIN-AP Accounts payable', 'ProcessPage'),
    );
    assert.match(await textOf(ap.qa('drill-facts')), /^3\.72 FTE/);
    const units = await textOf(ap.qa('table-process-FIN-AP'));
    assert.match(units, /Children’s business support/);
    assert.match(units, /Outside the centre/);

    // Every table downloads as Excel.
    const [download] = await Promise.all([page.waitForEvent('download'), ap.qa('export-process-FIN-AP').click()]);
    const file = join(dir, 'table.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ExcelJS.Buffer);
    assert.equal(wb.worksheets[0]!.getCell('A1').value, 'Org unit');

    // A post's running total, worked out on the server.
    const posts = await pages.posts().visit(paths.diagnostic.posts(page.url().split('/')[4]!));
    const post = await posts.follow(page.getByRole('link', { name: /^P012/ }), pages.post('P012'));
    assert.match(await textOf(post.qa('allocation-total')), /^100% Adds up to 100%/);
    await page.locator('#allocations-1-pct').fill('23');
    const totalled = await post.submit('Update the total', pages.post('P012'));
    assert.match(await textOf(totalled.qa('allocation-total')), /^93% Must add up to 100%/);

    // Extending the taxonomy: a refused line, named.
    const taxonomy = await pages.taxonomy().visit(paths.diagnostic.taxonomyNew);
    await page.locator('#name').fill('With fleet');
    await page.locator('#processes').fill('FLT-MNT, Vehicle maintenance, FLT');
    const refusedTaxonomy = await taxonomy.submit('Save the new version', pages.taxonomy());
    const taxonomyErrors = await refusedTaxonomy.verifyRefused();
    assert.match(taxonomyErrors[0]!.text, /^New processes, line 1:/);
  });
});
