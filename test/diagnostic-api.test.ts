// What the diagnostic's pages can do, through the JSON API too (issue 12), on PGlite and
// PostgreSQL: the workbook uploaded as a job to poll (the page's reader, limits and messages),
// then the baseline; a bad workbook refused naming sheet, row and column, nothing changed; every
// download the pages offer; a taxonomy version read and extended; a business case and an exercise
// deleted with the pages' rules (refused while the programme stands on them), each recorded in
// the audit trail; and none of it reachable for another organisation or without the permission.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp, type TestSession } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { htmlText } from './helpers/html.ts';
import { broken, multipart, sampleWorkbook } from './fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { DEFAULT_INPUT_LIMITS } from '../src/config.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';

const A = paths.api;
type Json = Record<string, any>;
/** The upload limit of this app, small enough to exceed in a test (the sample workbook is about 20 KB). */
const MAX_UPLOAD = 256 * 1024;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const exerciseBody = (name: string) => ({
  name,
  financialYear: '2009',
  runningCosts: '£412m',
  headcount: '420',
  taxonomyVersionId: DEFAULT_TAXONOMY_ID,
});

for (const engine of ENGINES)
  describe(`the diagnostic's pages' abilities through the JSON API [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let demo: string;
    let fresh: string;
    let reader: TestSession;
    before(async () => {
      const limits = { ...DEFAULT_INPUT_LIMITS, diagnosticUploadBytes: MAX_UPLOAD };
      t = await buildTestApp(engine, { config: { limits }, services: { limits } });
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      demo = (await t.services.diagnostics.listExercises(actor))[0]!.id;
      fresh = await t.services.diagnostics.createExercise(actor, exerciseBody('Uploaded through the API'));
      reader = await t.signIn(['contributor']);
    });
    after(async () => t?.close());

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Json, session?: TestSession) =>
      t.app.inject({
        method,
        url,
        ...(payload !== undefined ? { payload } : {}),
        ...(session ? { headers: session.headers } : {}),
      });
    const get = (url: string, session?: TestSession) => call('GET', url, undefined, session);
    const upload = (id: string, data: Buffer, fields: Record<string, string> = {}, name = 'council.xlsx') =>
      t.app.inject({ method: 'POST', url: A.exerciseUploads(id), ...multipart(fields, { name, data }) });
    const fields = (r: { json(): Json }) => (r.json().errors as { field: string }[]).map((e) => e.field);
    /** Runs the queued jobs (the upload's among them) as the worker would. */
    const runJobs = async () => {
      const handlers = buildJobHandlers(t.services);
      for (let i = 0; i < 10 && (await t.services.jobs.queue.runOne(handlers)); i++);
    };
    const counts = (id: string) => t.services.diagnostics.countData(actor, id);
    /** Every table but the job queue, whose row records the job's own outcome. */
    const withoutJobs = async () => {
      const { job: _job, ...rest } = await fingerprint(t.db);
      return rest;
    };
    const audited = async (entity: string, id: string) =>
      (
        await sql<{ action: string }>`select action from audit_event where entity = ${entity} and entity_id = ${id}
          order by id`.execute(t.db)
      ).rows.map((r) => r.action);

    it('uploads the workbook as a job to poll, then answers the baseline computed from it', async () => {
      const queued = await upload(fresh, await sampleWorkbook());
      assert.equal(queued.statusCode, 202, queued.body);
      const job = queued.json();
      assert.equal(job.status, 'queued');
      assert.equal(job.href, A.exerciseUpload(fresh, job.jobId));
      assert.deepEqual(await counts(fresh), { units: 0, posts: 0, allocations: 0, nonPay: 0, volumes: 0 });
      const waiting = (await get(job.href)).json();
      assert.deepEqual([waiting.status, waiting.filename, waiting.problems], ['queued', 'council.xlsx', []]);

      await runJobs();
      const done = await get(job.href);
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json().status, 'done');
      assert.equal(done.json().progress, 100);
      assert.match(done.json().message, /The data was imported from council\.xlsx: 30 posts/);
      assert.equal((await counts(fresh)).posts, 30);

      const baseline = await get(A.exerciseBaseline(fresh));
      assert.equal(baseline.statusCode, 200, baseline.body);
      // The sample workbook is the demo's data: the same baseline as the demo exercise's.
      const demoBaseline = (await get(A.exerciseBaseline(demo))).json();
      assert.equal(baseline.json().byProcess['FIN-AP'].payCost, 11_550_000, 'accounts payable: £115,500.00 of pay');
      assert.deepEqual(baseline.json().byFunction, demoBaseline.byFunction);
    });

    it('refuses a bad workbook naming sheet, row and column, and changes nothing', async () => {
      const before = await withoutJobs();
      const exercise = await t.services.diagnostics.getExercise(actor, fresh);
      // Refused at once, as the page refuses them: no file, a CSV without its sheet, too big, stale.
      const none = await call('POST', A.exerciseUploads(fresh), {});
      assert.equal(none.statusCode, 422);
      assert.deepEqual(fields(none), ['file']);
      assert.match(none.json().errors[0].message, /Select/);
      const csv = await upload(fresh, Buffer.from('Process code,Volume\r\nFIN-AP,1\r\n'), {}, 'volumes.csv');
      assert.equal(csv.statusCode, 422);
      assert.deepEqual(fields(csv), ['sheet']);
      assert.match(csv.json().errors[0].message, /Select which sheet the CSV file holds/);
      const big = await upload(fresh, Buffer.alloc(MAX_UPLOAD + 1, 1));
      assert.equal(big.statusCode, 422);
      assert.deepEqual(fields(big), ['file']);
      assert.match(big.json().errors[0].message, /The selected file must be smaller than/);
      const stale = await upload(fresh, await sampleWorkbook(), { version: String(exercise.version - 1) });
      assert.equal(stale.statusCode, 409);
      assert.deepEqual(await fingerprint(t.db).then(({ job: _j, ...r }) => r), before);

      // Checked whole by the job: every problem named, nothing written, the file not kept.
      const queued = await upload(fresh, await broken.sumsTo93(), { version: String(exercise.version) });
      assert.equal(queued.statusCode, 202, queued.body);
      await runJobs();
      const failed = (await get(queued.json().href)).json();
      assert.equal(failed.status, 'failed');
      assert.match(failed.summary, /The file was not imported/);
      assert.ok(
        failed.problems.some((p: string) =>
          /Allocations sheet, row \d+, column C \(% of time\): Post P012: Allocations add up to 93%/.test(p),
        ),
        failed.problems.join('\n'),
      );
      const missing = await upload(fresh, await broken.missingColumn());
      await runJobs();
      const column = (await get(missing.json().href)).json();
      assert.equal(column.status, 'failed');
      assert.match(column.problems.join('\n'), /Posts sheet.*column/);
      assert.deepEqual(await withoutJobs(), before, 'the exercise’s data as it was; no file left waiting');
      assert.equal((await t.services.diagnostics.getExercise(actor, fresh)).version, exercise.version);
    });

    it('offers every download of the pages, as the pages send them, and documents them', async () => {
      const { cases } = await t.services.efficiency.cases(actor, demo);
      const zip = (b: Buffer) => b.subarray(0, 2).toString() === 'PK';
      for (const [url, type, check] of [
        [A.exerciseTemplate(demo), XLSX, zip],
        [A.exerciseData(demo), XLSX, zip],
        [A.baselineTable(demo, 'functions'), XLSX, zip],
        [A.baselineTable(demo, 'process-FIN-AP'), XLSX, zip],
        [
          A.caseDocument(demo, cases[0]!.id, 'pdf'),
          'application/pdf',
          (b: Buffer) => b.subarray(0, 5).toString() === '%PDF-',
        ],
        [
          A.caseDocument(demo, cases[0]!.id, 'docx'),
          'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          zip,
        ],
      ] as const) {
        const r = await get(url);
        assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 200)}`);
        assert.equal(String(r.headers['content-type']).split(';')[0], type, url);
        assert.match(String(r.headers['content-disposition']), /^attachment; filename="[\w.-]+"$/, url);
        assert.ok(check(r.rawPayload), `${url} is the file it says`);
      }
      // The same bytes as the page's download of the table (an XLSX has its time in it: the CSV is compared).
      const csv = await get(`${A.baselineTable(demo, 'functions')}?format=csv`);
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.match(csv.body, /Finance/);
      assert.equal((await get(A.baselineTable(demo, 'no-such-table'))).statusCode, 404);

      const doc = (await get(A.openapi)).json();
      const op = (path: string, method: string) => doc.paths[path]?.[method];
      assert.ok(op('/api/diagnostic/exercises/{id}/data.xlsx', 'get').responses['200'].content[XLSX]);
      assert.ok(
        op('/api/diagnostic/exercises/{id}/cases/{itemId}/business-case.pdf', 'get').responses['200'].content[
          'application/pdf'
        ],
      );
      assert.ok(
        op('/api/diagnostic/exercises/{id}/baseline/tables/{table}', 'get').responses['200'].content['text/csv'],
      );
      const uploadDoc = op('/api/diagnostic/exercises/{id}/uploads', 'post');
      assert.deepEqual(Object.keys(uploadDoc.requestBody.content), ['multipart/form-data']);
      assert.deepEqual(Object.keys(uploadDoc.requestBody.content['multipart/form-data'].schema.properties), [
        'file',
        'sheet',
        'version',
      ]);
      assert.ok(uploadDoc.responses['202'] && uploadDoc.responses['422']);
      assert.ok(op('/api/diagnostic/exercises/{id}/uploads/{jobId}', 'get'));
      assert.ok(op('/api/diagnostic/taxonomies/{taxonomyId}', 'get') && op('/api/diagnostic/taxonomies', 'post'));
      assert.ok(
        op('/api/diagnostic/exercises/{id}', 'delete').requestBody.content['application/json'].schema.required.includes(
          'version',
        ),
      );
      assert.ok(op('/api/diagnostic/exercises/{id}/cases/{itemId}', 'delete'));
    });

    it('reads a taxonomy version’s functions and processes, and extends it as the page does', async () => {
      const shipped = await get(A.taxonomy(DEFAULT_TAXONOMY_ID));
      assert.equal(shipped.statusCode, 200, shipped.body);
      assert.ok(shipped.json().functions.some((f: Json) => f.code === 'FIN'));
      assert.deepEqual(
        shipped.json().processes.find((p: Json) => p.code === 'FIN-AP'),
        { code: 'FIN-AP', name: 'Accounts payable', functionCode: 'FIN', type: 'T', volumeDriver: 'invoices paid' },
      );

      const before = await fingerprint(t.db);
      const bad = await call('POST', A.taxonomies, {
        basedOnId: DEFAULT_TAXONOMY_ID,
        name: '',
        functions: [{ code: 'fleet', name: 'Fleet' }],
        processes: [{ code: 'FLT-MNT', name: 'Vehicle maintenance', functionCode: 'FLT', type: 'X' }],
      });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(fields(bad), ['name', 'functions.0.code', 'processes.0.type']);
      const orphan = await call('POST', A.taxonomies, {
        basedOnId: DEFAULT_TAXONOMY_ID,
        name: 'Orphan process',
        processes: [{ code: 'FLT-MNT', name: 'Vehicle maintenance', functionCode: 'FLT', type: 'T' }],
      });
      assert.equal(orphan.statusCode, 422);
      assert.deepEqual(fields(orphan), ['processes']);
      assert.deepEqual(await fingerprint(t.db), before, 'nothing changed');

      const made = await call('POST', A.taxonomies, {
        basedOnId: DEFAULT_TAXONOMY_ID,
        name: 'With fleet',
        functions: [{ code: 'FLT', name: 'Fleet management' }],
        processes: [
          { code: 'FLT-MNT', name: 'Vehicle maintenance', functionCode: 'FLT', type: 'T', volumeDriver: 'vehicles' },
        ],
      });
      assert.equal(made.statusCode, 201, made.body);
      const v = made.json();
      assert.equal(v.name, 'With fleet');
      assert.equal(v.processes.length, shipped.json().processes.length + 1);
      assert.deepEqual((await get(A.taxonomy(v.id))).json(), v);
      assert.ok((await get(A.taxonomies)).json().some((x: Json) => x.id === v.id));
      assert.deepEqual(await audited('diagnostic_taxonomy_version', v.id), ['create']);
    });

    it('deletes a business case and an exercise with the pages’ rules, asking first on the pages, and audits each', async () => {
      // The demo's case has a project built on it, and the demo's exercise a ledger: both refused.
      const { cases } = await t.services.efficiency.cases(actor, demo);
      const planned = cases[0]!;
      const before = await fingerprint(t.db);
      const refusedCase = await call('DELETE', A.case(demo, planned.id), { version: planned.version });
      assert.equal(refusedCase.statusCode, 422);
      assert.deepEqual(fields(refusedCase), ['case']);
      assert.match(refusedCase.json().errors[0].message, /project.* built on this business case: delete/);
      const refusedExercise = await call('DELETE', A.exercise(demo), {
        version: (await t.services.diagnostics.getExercise(actor, demo)).version,
      });
      assert.equal(refusedExercise.statusCode, 422);
      assert.deepEqual(fields(refusedExercise), ['exercise']);
      assert.match(refusedExercise.json().errors[0].message, /project.*saving.* rest on this exercise/);
      const refusalPage = await get(paths.diagnostic.delete(demo));
      assert.equal(refusalPage.statusCode, 200);
      assert.match(htmlText(refusalPage.body), /cannot be deleted/);
      assert.doesNotMatch(refusalPage.body, /data-qa="confirm-delete"/);
      assert.deepEqual(await fingerprint(t.db), before, 'refusals changed nothing');

      // A draft case on the uploaded exercise: the page says what goes, the API deletes it.
      const opportunity = await t.services.efficiency.createOpportunity(actor, fresh, {
        title: 'Fewer managers',
        lever: 'spans-and-layers',
        costPool: 'MANAGERS',
        confidence: 'medium',
        targetSpan: '8',
        realisation: '50',
      });
      const draft = await t.services.efficiency.createCase(actor, fresh, {
        title: 'Delayering',
        opportunityId: opportunity.id,
        baseYear: '2010',
      });
      await t.services.efficiency.addOption(actor, fresh, draft.id, {
        name: 'Business as usual',
        version: draft.version,
      });
      const page = await get(paths.efficiency.deleteCase(fresh, draft.id));
      assert.equal(page.statusCode, 200);
      assert.match(htmlText(page.body), /Are you sure you want to delete the business case Delayering\?.*1 option/);
      const withOption = (await get(A.case(fresh, draft.id))).json();
      assert.equal((await call('DELETE', A.case(fresh, draft.id), { version: draft.version })).statusCode, 409);
      const gone = await call('DELETE', A.case(fresh, draft.id), { version: withOption.version });
      assert.equal(gone.statusCode, 200, gone.body);
      assert.equal(gone.json().title, 'Delayering');
      assert.equal((await get(A.case(fresh, draft.id))).statusCode, 404);
      assert.deepEqual(
        await audited('business_case', draft.id),
        ['create', 'update', 'delete'],
        'made, an option added, deleted',
      );

      // The exercise: its page lists everything that goes; a stale version is refused; then it goes, all of it.
      const confirm = await get(paths.diagnostic.delete(fresh));
      assert.equal(confirm.statusCode, 200);
      const text = htmlText(confirm.body);
      assert.match(text, /Are you sure you want to delete the exercise Uploaded through the API\?/);
      assert.match(text, /30 posts with \d+ activity allocations/);
      assert.match(text, /1 savings opportunity/);
      assert.match(text, /0 business cases/);
      const exercise = await t.services.diagnostics.getExercise(actor, fresh);
      assert.equal((await call('DELETE', A.exercise(fresh), { version: exercise.version - 1 })).statusCode, 409);
      const deleted = await call('DELETE', A.exercise(fresh), { version: exercise.version });
      assert.equal(deleted.statusCode, 200, deleted.body);
      assert.equal(deleted.json().deleted.posts, 30);
      assert.equal(deleted.json().deleted.opportunities, 1);
      assert.equal((await get(A.exercise(fresh))).statusCode, 404);
      for (const table of ['diagnostic_post', 'diagnostic_allocation', 'opportunity'] as const) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}
          where exercise_id = ${fresh}`.execute(t.db);
        assert.equal(rows[0]!.n, 0, `${table} of the exercise`);
      }
      assert.deepEqual((await audited('diagnostic_exercise', fresh)).at(-1), 'delete');

      // Through the page: the form, then the list saying so.
      const another = await t.services.diagnostics.createExercise(actor, exerciseBody('Deleted from its page'));
      const posted = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.delete(another),
        ...form({ version: '1' }),
      });
      assert.equal(posted.statusCode, 303, posted.body);
      assert.equal(posted.headers.location, `${paths.diagnostic.list}?deleted=1`);
      assert.match(htmlText((await get(String(posted.headers.location))).body), /The exercise has been deleted/);
      assert.deepEqual(await audited('diagnostic_exercise', another), ['create', 'delete']);
    });

    it('lets nobody else reach any of it: another organisation’s ids are not found, a reader may not write', async () => {
      const other = await t.services.organisations.createHome('diagnostic-api', { name: 'Elsewhere', kind: 'council' });
      const elsewhere = systemActor(other.id, 't');
      const theirs = await t.services.diagnostics.createExercise(elsewhere, exerciseBody('Theirs'));
      await t.services.diagnostics.upload(elsewhere, theirs, {
        file: { filename: 'x.xlsx', data: await sampleWorkbook() },
      });
      const theirCase = await t.services.efficiency.createCase(elsewhere, theirs, {
        title: 'Theirs',
        baseYear: '2010',
      });
      const theirTaxonomy = await t.services.diagnostics.extendTaxonomy(elsewhere, {
        basedOnId: DEFAULT_TAXONOMY_ID,
        name: 'Their taxonomy',
        functions: [{ code: 'THR', name: 'Theirs' }],
      });
      const theirJob = (
        (await t.services.diagnostics.upload(
          elsewhere,
          theirs,
          { file: { filename: 'y.xlsx', data: await sampleWorkbook() } },
          { background: true },
        )) as { jobId: string }
      ).jobId;

      const before = await fingerprint(t.db);
      for (const url of [
        A.taxonomy(theirTaxonomy),
        A.exerciseUpload(theirs, theirJob),
        A.exerciseTemplate(theirs),
        A.exerciseData(theirs),
        A.baselineTable(theirs, 'functions'),
        A.caseDocument(theirs, theirCase.id, 'pdf'),
        A.caseDocument(theirs, theirCase.id, 'docx'),
        paths.diagnostic.delete(theirs),
        paths.efficiency.deleteCase(theirs, theirCase.id),
      ]) {
        const r = await get(url);
        assert.equal(r.statusCode, 404, `${url}: ${r.statusCode}`);
        assert.doesNotMatch(r.body, /Theirs|Their taxonomy|Elsewhere/, url);
      }
      // Their job, polled under our own exercise, is not found either.
      assert.equal((await get(A.exerciseUpload(demo, theirJob))).statusCode, 404);
      assert.equal((await upload(theirs, await sampleWorkbook())).statusCode, 404);
      assert.equal((await call('DELETE', A.exercise(theirs), { version: 1 })).statusCode, 404);
      assert.equal(
        (await call('DELETE', A.case(theirs, theirCase.id), { version: theirCase.version })).statusCode,
        404,
      );
      assert.equal(
        (await t.app.inject({ method: 'POST', url: paths.diagnostic.delete(theirs), ...form({ version: '1' }) }))
          .statusCode,
        404,
      );
      assert.deepEqual(await fingerprint(t.db), before, 'nothing of theirs changed');

      // A reader reads, and may neither upload, download the template, nor delete (each refusal is
      // logged as a security event, and nothing else is written).
      const { security_event: _s, ...beforeReader } = await fingerprint(t.db);
      assert.equal((await get(A.exerciseData(demo), reader)).statusCode, 200);
      assert.equal((await get(A.taxonomy(DEFAULT_TAXONOMY_ID), reader)).statusCode, 200);
      const body = multipart({}, { name: 'x.xlsx', data: await sampleWorkbook() });
      const refused = await t.app.inject({
        method: 'POST',
        url: A.exerciseUploads(demo),
        payload: body.payload,
        headers: { ...body.headers, ...reader.headers },
      });
      assert.equal(refused.statusCode, 403);
      assert.equal((await get(A.exerciseTemplate(demo), reader)).statusCode, 403);
      assert.equal((await call('DELETE', A.exercise(demo), { version: 1 }, reader)).statusCode, 403);
      assert.equal(
        (await call('POST', A.taxonomies, { basedOnId: DEFAULT_TAXONOMY_ID, name: 'x' }, reader)).statusCode,
        403,
      );
      const { security_event: _s2, ...afterReader } = await fingerprint(t.db);
      assert.deepEqual(afterReader, beforeReader, 'refusals changed nothing');
    });
  });
