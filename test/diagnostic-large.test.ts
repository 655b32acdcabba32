// A large council's diagnostic (issue 12), on PGlite and on PostgreSQL, with the background
// threshold lowered so the sample workbook counts as big: an upload over it goes through a job
// (checked whole, then written in one transaction), a bad one changes nothing and its page names
// every problem; the posts pages read one page; the baseline is cached per version of the
// exercise, and a change to a post gives a new baseline at once.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { errorSummary, htmlText } from './helpers/html.ts';
import { broken, copyData, multipart, sampleWorkbook } from './fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { DEFAULT_INPUT_LIMITS } from '../src/config.ts';
import { DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { SHEETS, sheetCsv } from '../src/modules/diagnostic/diagnostic-transfer.ts';
import { formatFte } from '../src/domain/diagnostic/baseline.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';

const FULL = {
  units: 8,
  posts: 30,
  allocations: copyData().posts.reduce((n, p) => n + p.allocations.length, 0),
  nonPay: 7,
  volumes: 5,
};

for (const engine of ENGINES) {
  describe(`a large council's diagnostic [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let id: string;
    const counts = () => t.services.diagnostics.countData(actor, id);
    const upload = (data: Buffer, fields: Record<string, string> = {}, name = 'big.xlsx') =>
      t.app.inject({ method: 'POST', url: paths.diagnostic.upload(id), ...multipart(fields, { name, data }) });
    const storedFiles = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from stored_file`.execute(t.db)).rows[0]!.n);
    const runJobs = async () => {
      const seen: string[] = [];
      const handlers = buildJobHandlers(t.services);
      await t.services.jobs.queue.runOne({
        'diagnostic-upload': (ctx) =>
          handlers['diagnostic-upload']!({
            ...ctx,
            progress: async (pct, message) => {
              seen.push(`${pct}% ${message}`);
              await ctx.progress(pct, message);
            },
          }),
      });
      return seen;
    };

    before(async () => {
      // Anything over 512 bytes goes to the background (the sample workbook is about 20 KB, its
      // Allocations sheet as CSV about 1 KB).
      t = await buildTestApp(engine, {
        services: { limits: { ...DEFAULT_INPUT_LIMITS, diagnosticBackgroundBytes: 512 } },
      });
      actor = systemActor((await t.services.organisations.findHome())!.id, 'test');
      id = await t.services.diagnostics.createExercise(actor, {
        name: 'Large council 2009/10',
        financialYear: '2009',
        runningCosts: '£412m',
        headcount: '420',
        taxonomyVersionId: DEFAULT_TAXONOMY_ID,
      });
    });
    after(async () => t?.close());

    it('queues an upload over the threshold, then checks and writes it in the background in one transaction', async () => {
      const res = await upload(await sampleWorkbook());
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const pageUrl = res.headers.location as string;
      assert.match(pageUrl, new RegExp(`^/diagnostic/${id}/uploads/[0-9a-f-]{36}$`));
      assert.deepEqual(await counts(), { units: 0, posts: 0, allocations: 0, nonPay: 0, volumes: 0 });
      assert.equal(await storedFiles(), 1, 'the file waits in the database for the job');

      const waiting = await t.app.inject({ url: pageUrl });
      assert.equal(waiting.statusCode, 200);
      assert.match(htmlText(waiting.body), /Waiting to start: 0% done/);
      assert.match(waiting.body, new RegExp(`href="${pageUrl}"[^>]*data-qa="refresh"`), 'a link to check progress');
      assert.doesNotMatch(waiting.body, /http-equiv="refresh"/, 'no timed refresh (WCAG 2.2.1)');

      const progress = await runJobs();
      assert.equal(progress.length, 2);
      assert.match(progress[0]!, /^5% Reading and checking big\.xlsx/);
      assert.match(progress[1]!, /^50% Checked: no problems\. Writing 30 posts and \d+ allocations/);
      assert.deepEqual(await counts(), FULL);
      assert.equal(await storedFiles(), 0, 'the waiting file is gone once written');

      // Every row it wrote, the exercise's new version and the audit event: one transaction.
      const { rows } = await sql<{ tx: string }>`
        select xmin::text as tx from diagnostic_post where exercise_id = ${id}
        union select xmin::text from diagnostic_allocation where exercise_id = ${id}
        union select xmin::text from diagnostic_org_unit where exercise_id = ${id}
        union select xmin::text from diagnostic_non_pay where exercise_id = ${id}
        union select xmin::text from diagnostic_volume where exercise_id = ${id}
        union select xmin::text from diagnostic_exercise where id = ${id}
        union select xmin::text from audit_event where entity_id = ${id} and action = 'import'`.execute(t.db);
      assert.equal(rows.length, 1, `written in ${rows.length} transactions`);

      const done = await t.app.inject({ url: pageUrl });
      assert.doesNotMatch(done.body, /data-qa="refresh"/);
      assert.match(htmlText(done.body), /Finished: 100% done\. The data was imported from big\.xlsx: 30 posts/);
    });

    it('reports every problem of a bad file run as a job, and changes nothing', async () => {
      const before = await t.services.diagnostics.getExercise(actor, id);
      const res = await upload(await broken.sumsTo93());
      assert.equal(res.statusCode, 303);
      const pageUrl = res.headers.location as string;
      await runJobs();
      assert.deepEqual(await counts(), FULL);
      assert.equal((await t.services.diagnostics.getExercise(actor, id)).version, before.version);
      assert.equal(await storedFiles(), 0, 'the refused file is not kept');
      const page = await t.app.inject({ url: pageUrl });
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /data-qa="refresh"/);
      assert.match(page.body, /<title>Error: The file was not imported/);
      const summary = errorSummary(page.body).join('\n');
      assert.match(summary, /Allocations sheet, row \d+, column C \(% of time\): Post P012: Allocations add up to 93%/);
      assert.match(htmlText(page.body), /Nothing was changed: correct the file and upload it again/);
    });

    it('still checks a small file in the request, and a CSV over the threshold in the background against the rest', async () => {
      const small = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.upload(id),
        ...multipart(
          { sheet: 'volumes' },
          { name: 'v.csv', data: Buffer.from('Process code,Volume\r\nFIN-AP,12000\r\n') },
        ),
      });
      assert.equal(small.statusCode, 303, errorSummary(small.body).join('\n'));
      assert.match(small.headers.location as string, /\?imported=30$/);
      assert.equal((await counts()).volumes, 1);
      const noSheet = await upload(Buffer.from('x'.repeat(2048)), {}, 'big.csv');
      assert.equal(noSheet.statusCode, 422, 'a CSV without its sheet is refused before anything is queued');
      assert.match(errorSummary(noSheet.body).join('\n'), /Select which sheet the CSV file holds/);

      // The Allocations sheet alone (a few KB), P001 now all accounts payable: checked by the job
      // with the other sheets as stored (the one volume above included).
      const data = copyData();
      data.posts.find((p) => p.code === 'P001')!.allocations = [{ processCode: 'FIN-AP', pct: 10_000 }];
      const csv = Buffer.from(sheetCsv(DEFAULT_TAXONOMY, data, SHEETS.allocations));
      assert.ok(csv.length > 512);
      const stale = await upload(csv, { sheet: 'allocations', version: '1' }, 'allocations.csv');
      assert.equal(stale.statusCode, 409, 'a stale page is refused before anything is queued');
      const version = (await t.services.diagnostics.getExercise(actor, id)).version;
      const big = await upload(csv, { sheet: 'allocations', version: String(version) }, 'allocations.csv');
      assert.equal(big.statusCode, 303, errorSummary(big.body).join('\n'));
      assert.match(big.headers.location as string, /\/uploads\//);
      await runJobs();
      const after = await counts();
      assert.equal(after.volumes, 1, 'the other sheets as they were');
      assert.equal(
        after.allocations,
        FULL.allocations - copyData().posts.find((p) => p.code === 'P001')!.allocations.length + 1,
      );
      const p001 = (await t.services.diagnostics.listPosts(actor, id, 1, 1000)).posts.find((p) => p.code === 'P001')!;
      assert.deepEqual(p001.allocations, [{ processCode: 'FIN-AP', pct: 10_000 }]);
    });

    it('reads one page of posts at a time, with their allocations', async () => {
      const all = (await t.services.diagnostics.listPosts(actor, id, 1, 1000)).posts;
      assert.equal(all.length, 30);
      const page = await t.services.diagnostics.listPosts(actor, id, 2, 10);
      assert.deepEqual({ total: page.total, page: page.page, pages: page.pages }, { total: 30, page: 2, pages: 3 });
      assert.deepEqual(
        page.posts.map((p) => [p.code, p.allocations]),
        all.slice(10, 20).map((p) => [p.code, p.allocations]),
      );
      assert.equal(
        (await t.services.diagnostics.listPosts(actor, id, 99, 10)).page,
        3,
        'a page past the end is the last',
      );
      const one = await t.services.diagnostics.getPost(actor, id, all[4]!.id!);
      assert.deepEqual(one.post, all[4]);
      const html = await t.app.inject({ url: paths.diagnostic.posts(id) });
      assert.equal(html.statusCode, 200);
      assert.match(htmlText(html.body), /30 posts/);
    });

    it('caches the baseline per version, and gives a new baseline once a post changes', async () => {
      const first = await t.services.diagnostics.getBaseline(actor, id);
      assert.equal(await t.services.diagnostics.getBaseline(actor, id), first, 'the same version: the same baseline');

      // Edit a post: pay £10,000 more, all of it on accounts payable.
      const post = (await t.services.diagnostics.listPosts(actor, id, 1, 1000)).posts.find((p) => p.code === 'P001')!;
      const body: Record<string, string> = {
        version: String(post.version),
        unitCode: post.unitCode,
        title: post.title,
        grade: post.grade,
        fte: formatFte(post.fte as never, 4),
        payCost: String((post.payCost + 10_000_00) / 100),
        managerCode: post.managerCode ?? '',
        contractType: post.contractType,
        ...(post.vacant ? { vacant: 'yes' } : {}),
      };
      post.allocations.forEach((a, i) => {
        body[`allocations[${i}][process]`] = a.processCode;
        body[`allocations[${i}][pct]`] = String(a.pct / 100);
      });
      const res = await t.app.inject({ method: 'POST', url: paths.diagnostic.post(id, post.id!), ...form(body) });
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const after = await t.services.diagnostics.getBaseline(actor, id);
      assert.notEqual(after, first);
      const paid = (b: typeof first) => Object.values(b.byProcess).reduce((n, p) => n + p.payCost, 0);
      assert.equal(paid(after) - paid(first), 10_000_00);
    });
  });
}
