// An officer starts a diagnostic exercise, uploads a workbook that is refused (a post's time adds
// up to 93%: nothing imported, the sheet, row and column named), uploads the corrected sample,
// checks data quality, sees the baseline, drills from Finance to accounts payable to the org
// units doing it, downloads a table, checks a post's running total in the form and has a taxonomy
// extension refused with the line named. Then, on the uploaded posts, a spans-and-layers saving is
// worked out for a target span the officer chooses, shown with its working and accepted (issue 12).
// axe-core runs on every page.
// Last, a council's workbook over the background threshold: the upload returns at once to a
// progress page, checked by "Check progress" until the job has checked the whole file; a file with
// one fault is refused there (sheet, row and column named, nothing changed), and the corrected file
// is then imported. The app's threshold is set low (AMBER_DIAGNOSTIC_BACKGROUND_KB=128, the default
// 1 MB) so that a workbook of 700 posts takes that path: what a large council's file costs is
// test/diagnostic-large.test.ts's and bench/diagnostic-scale.ts's. One browser and one app serve
// all three journeys.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { DOWNLOAD_TIMEOUT, startSession, type Session } from './support/browser.ts';
import { signInAs } from './support/sign-in.ts';
import { textOf } from './pages/base-page.ts';
import { DiagnosticScreen, diagnosticPages } from './pages/diagnostic-pages.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { systemActor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { writeWorkbook } from '../src/modules/diagnostic/diagnostic-transfer.ts';
import { generateCouncil } from '../bench/diagnostic-generate.ts';
import { efficiencyScreens } from './pages/efficiency-pages.ts';
import { broken, sampleWorkbook } from '../test/fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';

const NAME = 'Large council 2009/10';
/** The app's AMBER_DIAGNOSTIC_BACKGROUND_KB here: a file above it is checked and written by a job. */
const BACKGROUND_KB = 128;

describe('the efficiency diagnostic in the browser', { timeout: 720_000 }, () => {
  let session: Session;
  let dir: string;
  let exerciseId: string;
  let largeExerciseId: string;
  let worker: { stop(): Promise<unknown> } | undefined;
  before(async () => {
    session = await startSession({ limits: { diagnosticBackgroundBytes: BACKGROUND_KB * 1024 } });
    dir = mkdtempSync(join(tmpdir(), 'amber-diagnostic-e2e-'));
    writeFileSync(join(dir, 'sample.xlsx'), await sampleWorkbook());
    writeFileSync(join(dir, 'broken-93.xlsx'), await broken.sumsTo93());
  });
  after(async () => {
    await worker?.stop();
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
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: DOWNLOAD_TIMEOUT }),
      ap.qa('export-process-FIN-AP').click({ timeout: DOWNLOAD_TIMEOUT }),
    ]);
    const file = join(dir, 'table.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file) as unknown as ExcelJS.Buffer);
    assert.equal(wb.worksheets[0]!.getCell('A1').value, 'Org unit');

    // A post's running total, worked out on the server.
    exerciseId = page.url().split('/')[4]!;
    const posts = await pages.posts().visit(paths.diagnostic.posts(exerciseId));
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

  it('works out a spans-and-layers saving from the uploaded posts, shows its working and accepts it', async () => {
    const { page } = session;
    const S = efficiencyScreens;
    assert.ok(exerciseId, 'the exercise of the first journey');
    const opportunities = await S.opportunities(page).visit(paths.efficiency.opportunities(exerciseId));
    const form = await opportunities.follow(
      page.getByRole('button', { name: 'Add an opportunity' }),
      S.opportunityForm(page),
    );
    await form.fill({
      Title: 'Wider spans of control',
      'Target span of control (spans and layers)': '10',
      'Realisation rate, % (spans and layers)': '50',
    });
    await form.check('Lever', 'Spans and layers');
    await form.choose('Cost pool', 'All manager posts (spans and layers)');
    await form.check('Confidence', 'Medium');
    const worked = await form.submit('Work out the savings', S.opportunityForm(page));
    assert.match(await textOf(worked.qa('working')), /\d+ managers for \d+ staff, average span \d+\.\d\d;/);
    const central = await textOf(worked.qa('working-central'));
    const m =
      /^Central (£[\d,]+(?:\.\d\d)?) at a target of 10, \d+ managers are needed: \d+ × £[\d,.]+ × 50% = (£[\d,]+(?:\.\d\d)?)$/.exec(
        central,
      );
    assert.ok(m, central);
    assert.equal(m[1], m[2]);
    const saved = await worked.submit('Save opportunity', S.opportunities(page));
    assert.equal(await textOf(saved.qa('central').first()), m[1]);
    assert.equal(await textOf(saved.qa('how-worked-out').first()), 'Worked out from the data');
  });

  const progressPage = (heading: string | RegExp) =>
    new DiagnosticScreen(session.page, heading, 'UploadProgress', 'upload-status');

  /** Checks progress until the job has finished; returns the final state. */
  async function waitForTheJob(): Promise<string> {
    const { page } = session;
    for (let i = 0; i < 150; i++) {
      const status = await progressPage(/./).qa('upload-status').getAttribute('data-status');
      if (status === 'done' || status === 'failed') return status;
      await page.waitForTimeout(1000);
      await progressPage('Importing the data').follow(page.locator('[data-qa="refresh"]'), progressPage(/./));
    }
    throw new Error('the upload job did not finish in time');
  }

  it('refuses a big file with one fault on its progress page, changing nothing, then imports the corrected one', async () => {
    const { page } = session;
    // On PGlite a page waits while the job's one write transaction holds the database; with the
    // suite's shards sharing two cores that can pass the 10 s a step gets. This is the file's last
    // journey, so the longer wait ends with it.
    page.setDefaultTimeout(60_000);
    worker = session.testApp.services.jobs.queue.startWorker({
      handlers: buildJobHandlers(session.testApp.services),
      pollMs: 200,
    });
    // About 165 KB: over the threshold.
    const data = generateCouncil({ posts: 700, nonPayLines: 50 });
    writeFileSync(join(dir, 'council.xlsx'), await writeWorkbook(DEFAULT_TAXONOMY, data));
    const post = data.posts.find((p) => p.allocations.some((a) => a.pct >= 700))!;
    post.allocations.find((a) => a.pct >= 700)!.pct -= 700; // its time adds up to 93%
    writeFileSync(join(dir, 'council-93.xlsx'), await writeWorkbook(DEFAULT_TAXONOMY, data));
    const home = await session.testApp.services.organisations.findHome();
    largeExerciseId = await session.testApp.services.diagnostics.createExercise(systemActor(home!.id, 'e2e'), {
      name: NAME,
      financialYear: '2009',
      runningCosts: '£90m',
      headcount: '700',
      taxonomyVersionId: DEFAULT_TAXONOMY_ID,
    });
    assert.ok(statSync(join(dir, 'council.xlsx')).size > BACKGROUND_KB * 1024, 'the workbook is over the threshold');
    const pages = diagnosticPages(page);
    const exercise = await pages.exercise(NAME).visit(paths.diagnostic.show(largeExerciseId));

    await page.locator('#file').setInputFiles(join(dir, 'council-93.xlsx'));
    const waiting = await exercise.submit('Upload', progressPage('Importing the data'));
    assert.match(await textOf(waiting.qa('upload-status')), /(Waiting to start|In progress): \d+% done/);
    assert.equal(await waitForTheJob(), 'failed');
    const refused = await progressPage('The file was not imported').verifyOnPage();
    const errors = await refused.verifyRefused();
    assert.equal(errors.length, 1);
    assert.match(
      errors[0]!.text,
      /^Allocations sheet, row \d+, column C \(% of time\): Post \S+: Allocations add up to 93%/,
    );
    assert.match(await textOf(refused.qa('upload-status')), /Nothing was changed/);

    assert.equal(
      await refused.followErrorLink(/Allocations add up to 93%/),
      'file',
      'the error leads to the upload field',
    );
    await page.locator('#file').setInputFiles(join(dir, 'council.xlsx'));
    await refused.submit('Upload', progressPage('Importing the data'));
    assert.equal(await waitForTheJob(), 'done');
    const done = await progressPage('The data was imported').verifyOnPage();
    assert.match(
      await textOf(done.qa('upload-status')),
      /Finished: 100% done\. The data was imported from council\.xlsx: 700 posts/,
    );
    const after = await done.follow(done.qa('back-to-exercise'), pages.exercise(NAME));
    assert.match(await textOf(after.qa('counts')), /\b700 posts/);
    assert.equal(await page.locator('[data-qa="upload-form"]').count(), 1);
  });
});
