// The efficiency diagnostic's data collection and baseline (issue 5, part 1), through the
// routes and the service, on PGlite and on PostgreSQL: good and broken workbooks (each fault
// named by sheet, row and column, the database unchanged), the baseline's figures, the drill-
// down, XLSX downloads, the post form's running total and stale saves.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { broken, multipart, sampleWorkbook, copyData } from './fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';
import { DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { SHEETS, sheetCsv } from '../src/modules/diagnostic/diagnostic-transfer.ts';
import { formatFte } from '../src/domain/diagnostic/baseline.ts';
import { formatMoney } from '../src/domain/diagnostic/money.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { ValidationError } from '../src/domain/errors.ts';

const FULL = {
  units: 8,
  posts: 30,
  allocations: copyData().posts.reduce((n, p) => n + p.allocations.length, 0),
  nonPay: 7,
  volumes: 5,
};

const exerciseForm = (overrides: Record<string, string | string[]> = {}) =>
  form({
    name: 'Back-office diagnostic 2009/10',
    financialYear: '2009',
    runningCosts: '£412m',
    headcount: '420',
    taxonomyVersionId: DEFAULT_TAXONOMY_ID,
    ...overrides,
  });

for (const engine of ENGINES) {
  describe(`the efficiency diagnostic baseline [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let id: string;
    const counts = () => t.services.diagnostics.countData(actor, id);
    const upload = async (data: Buffer, fields: Record<string, string> = {}, name = 'data.xlsx', type?: string) => {
      const body = multipart(fields, { name, data, ...(type ? { type } : {}) });
      return t.app.inject({ method: 'POST', url: paths.diagnostic.upload(id), ...body });
    };

    before(async () => {
      t = await buildTestApp(engine);
      const home = await t.services.organisations.findHome();
      actor = systemActor(home!.id, 'test');
    });
    after(async () => {
      await t.close();
    });

    it('starts an exercise from the form, refusing bad running costs with the field named', async () => {
      const bad = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.list,
        ...exerciseForm({ runningCosts: 'lots' }),
      });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /Enter the organisational running costs as an amount in pounds/);
      assert.match(bad.body, /href="#runningCosts"/);
      const res = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.list,
        ...exerciseForm({ scope: ['FIN', 'HR', 'ICT', 'BSA'] }),
      });
      assert.equal(res.statusCode, 303, res.body);
      id = res.headers.location!.split('/').pop()!;
      const e = await t.services.diagnostics.getExercise(actor, id);
      assert.equal(e.runningCosts, 412_000_000_00);
      assert.equal(e.financialYear, 2009);
      assert.deepEqual(e.scope, ['FIN', 'HR', 'ICT', 'BSA']);
      assert.ok(e.taxonomy.processes.some((p) => p.code === 'FIN-AP' && p.functionCode === 'FIN'));
    });

    it('hands out a template pre-filled with the taxonomy', async () => {
      const res = await t.app.inject({ url: paths.diagnostic.template(id) });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /spreadsheetml/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
      assert.deepEqual(
        wb.worksheets.map((s) => s.name),
        ['Org units', 'Posts', 'Allocations', 'Non-pay', 'Volumes', 'Taxonomy'],
      );
      const volumes = wb.getWorksheet('Volumes')!;
      assert.equal(volumes.getCell('A2').value, 'FIN-PB');
      assert.equal(volumes.rowCount, 49, 'a row per process of the default taxonomy, under the header');
    });

    it('imports the sample workbook, all of it', async () => {
      const res = await upload(await sampleWorkbook());
      assert.equal(res.statusCode, 303, res.body.slice(0, 2000));
      assert.deepEqual(await counts(), FULL);
    });

    const faults: [string, () => Promise<Buffer>, RegExp][] = [
      [
        'a process code that does not exist',
        broken.wrongCode,
        /Allocations sheet, row \d+, column B \(Process code\): &quot;FIN-XX&quot; is not a process in the taxonomy/,
      ],
      [
        'allocations that add up to 93%',
        broken.sumsTo93,
        /Allocations sheet, row \d+, column C \(% of time\): Post P012: Allocations add up to 93%/,
      ],
      [
        'managers in a loop',
        broken.managerCycle,
        /Posts sheet, row 2, column G \(Manager post ID\): Posts P001, P002 manage each other in a loop/,
      ],
      ['a negative FTE', broken.negativeFte, /Posts sheet, row 9, column E \(FTE\): FTE must be zero or more/],
      ['a missing sheet', broken.missingSheet, /Volumes sheet: The workbook has no &quot;Volumes&quot; sheet/],
      ['a missing column', broken.missingColumn, /Posts sheet, row 1: The &quot;FTE&quot; column is missing/],
      [
        'an org unit that does not exist',
        broken.unknownUnit,
        /Posts sheet, row 31, column B \(Org unit code\): &quot;NOWHERE&quot; is not a unit/,
      ],
    ];
    for (const [what, make, message] of faults) {
      it(`refuses a workbook with ${what}, naming sheet, row and column, and changes nothing`, async () => {
        const before = await t.services.diagnostics.getBaseline(actor, id);
        const res = await upload(await make());
        assert.equal(res.statusCode, 422);
        assert.match(res.body, message);
        assert.match(res.body, /Nothing was imported/);
        assert.deepEqual(await counts(), FULL);
        const after = await t.services.diagnostics.getBaseline(actor, id);
        assert.deepEqual(after.byProcess, before.byProcess);
      });
    }

    it('replaces one sheet from a CSV file, checked against the rest', async () => {
      const bad = await upload(
        Buffer.from('Process code,Process,Volume driver,Volume\r\nFIN-AP,Accounts payable,invoices,-5\r\n'),
        { sheet: 'volumes' },
        'volumes.csv',
        'text/csv',
      );
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /Volumes sheet, row 2, column D \(Volume\)/);
      const good = await upload(
        Buffer.from(
          'Process code,Process,Volume driver,Volume\r\nFIN-AP,Accounts payable,invoices paid,"96,000"\r\nFIN-PAY,Payroll,payslips,50400\r\n',
        ),
        { sheet: 'volumes' },
        'volumes.csv',
        'text/csv',
      );
      assert.equal(good.statusCode, 303, good.body.slice(0, 1500));
      assert.equal((await counts()).volumes, 2);
      assert.equal((await counts()).posts, 30);
      await upload(await sampleWorkbook());
    });

    it('reads a sheet saved as CSV in Windows-1252 or UTF-16 with its £ and accents intact', async () => {
      const data = copyData();
      data.posts[0]!.title = 'Café – £ manager';
      const csv = sheetCsv(DEFAULT_TAXONOMY, data, SHEETS.posts).replace(/^\uFEFF/, '');
      const cp1252 = Buffer.from(
        [...csv].map((c) => {
          const byte = c.charCodeAt(0) < 0x80 ? c.charCodeAt(0) : { '£': 0xa3, '–': 0x96, '’': 0x92, é: 0xe9 }[c];
          assert.ok(byte !== undefined, `${c} is not in this test's Windows-1252 table`);
          return byte;
        }),
      );
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]);
      for (const [name, bytes] of [
        ['Windows-1252', cp1252],
        ['UTF-16', utf16],
      ] as const) {
        await upload(await sampleWorkbook());
        assert.notEqual((await t.services.diagnostics.listPosts(actor, id)).posts[0]!.title, data.posts[0]!.title);
        const res = await upload(bytes, { sheet: 'posts' }, 'posts.csv', 'text/csv');
        assert.equal(res.statusCode, 303, `${name}: ${res.body.slice(0, 1500)}`);
        const { posts } = await t.services.diagnostics.listPosts(actor, id);
        assert.equal(posts.find((p) => p.code === data.posts[0]!.code)!.title, 'Café – £ manager', name);
        assert.equal(posts.length, data.posts.length);
      }
      await upload(await sampleWorkbook());
    });

    it('refuses a CSV sheet with a quote never closed, naming the sheet and row', async () => {
      const res = await upload(
        Buffer.from('Process code,Process,Volume driver,Volume\r\nFIN-AP,Accounts payable,"invoices,5\r\n'),
        { sheet: 'volumes' },
        'volumes.csv',
        'text/csv',
      );
      assert.equal(res.statusCode, 422);
      assert.match(res.body, /Volumes sheet, row 2: A quoted cell is never closed/);
      assert.deepEqual(await counts(), FULL);
    });

    it('refuses an upload made from a stale page with 409', async () => {
      const e = await t.services.diagnostics.getExercise(actor, id);
      const res = await upload(await sampleWorkbook(), { version: String(e.version - 1) });
      assert.equal(res.statusCode, 409);
      assert.match(res.body, /Someone else changed this exercise/);
    });

    it('computes the baseline from the stored data: DIAGNOSTIC.md §3 sums, non-pay conserved', async () => {
      const b = await t.services.diagnostics.getBaseline(actor, id);
      // Accounts payable: P006 0.7, P007 1.0, P008 0.8, P023 0.6, P027 0.32, P030 0.3.
      assert.equal(formatFte(b.byProcess['FIN-AP']!.fte), '3.72');
      assert.equal(formatMoney(b.byProcess['FIN-AP']!.payCost), '£115,500');
      const data = copyData();
      const payTotal = data.posts.reduce((n, p) => n + p.payCost, 0);
      assert.equal(b.total.payCost, payTotal);
      assert.equal(b.backOffice.payCost + b.managingOwnTeam.payCost + b.frontLine.payCost, payTotal);
      assert.equal(
        b.nonPay.total,
        data.nonPay.reduce((n, l) => n + l.amount, 0),
      );
      assert.equal(
        Object.values(b.nonPay.byProcess).reduce((n, v) => n + v, 0),
        b.nonPay.total,
      );
      // The payroll system licence is all on payroll; the audit contract on audit, done by nobody in-house.
      assert.ok(b.nonPay.byProcess['FIN-PAY']! >= 95_000_00);
      assert.equal(b.nonPay.byProcessAndUnit['AUD-AUD']![''], 120_000_00);
      assert.equal(b.totalCost.byFunction.FIN, b.byFunction.FIN!.payCost + b.nonPay.byFunction.FIN!);
      assert.equal(b.unitCosts['FIN-AP']!.volume, 96_000);
      assert.equal(b.spans.posts, 30);
      assert.equal(b.spans.layers, 4);
      // AP work outside central Finance: P023 0.6 + P027 0.32 + P030 0.3 of 3.72.
      assert.equal(formatFte(b.processFragmentation['FIN-AP']!.outsideFte), '1.22');
      assert.ok(Math.abs(b.shareOfRunningCosts.FIN! - b.totalCost.byFunction.FIN! / 412_000_000_00) < 1e-12);
    });

    it('shows the baseline, the drill-down to processes and units, and every table as XLSX', async () => {
      const page = await t.app.inject({ url: paths.diagnostic.baseline(id) });
      assert.equal(page.statusCode, 200);
      assert.match(
        page.body,
        /<caption class="govuk-table__caption govuk-table__caption--m">Cost and FTE by function<\/caption>/,
      );
      assert.match(page.body, /<svg [^>]*role="img"/);
      assert.doesNotMatch(page.body, /style=|<style/);
      assert.match(page.body, new RegExp(paths.diagnostic.baselineFunction(id, 'FIN')));
      const fn = await t.app.inject({ url: paths.diagnostic.baselineFunction(id, 'FIN') });
      assert.equal(fn.statusCode, 200);
      assert.match(fn.body, /Central function: Central Finance/);
      assert.match(fn.body, new RegExp(paths.diagnostic.baselineProcess(id, 'FIN-AP')));
      const proc = await t.app.inject({ url: paths.diagnostic.baselineProcess(id, 'FIN-AP') });
      assert.equal(proc.statusCode, 200);
      assert.match(proc.body, /Children’s business support/);
      assert.match(proc.body, /Unit cost £\d+\.\d\d per invoices paid \(96,000 a year\)/);
      for (const table of [
        'functions',
        'matrix',
        'processes',
        'summary',
        'non-pay',
        'spans',
        'function-FIN',
        'function-units-FIN',
        'process-FIN-AP',
      ]) {
        const x = await t.app.inject({ url: paths.diagnostic.export(id, table) });
        assert.equal(x.statusCode, 200, table);
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(x.rawPayload as unknown as ExcelJS.Buffer);
        assert.ok(wb.worksheets[0]!.rowCount >= 2, table);
      }
      assert.equal((await t.app.inject({ url: paths.diagnostic.export(id, 'nothing') })).statusCode, 404);
    });

    it('lists what is missing or suspicious on the data-quality page', async () => {
      const res = await t.app.inject({ url: paths.diagnostic.quality(id) });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /The baseline can be run/);
      assert.match(res.body, /No volume for \d+ processes with a volume driver/);
      assert.match(res.body, /Warning/);
    });

    it('corrects a post in the form: a running total worked out on the server, 93% refused, 100% saved', async () => {
      const { posts } = await t.services.diagnostics.listPosts(actor, id);
      const p012 = posts.find((p) => p.code === 'P012')!;
      const url = paths.diagnostic.post(id, p012.id!);
      const fields = (pcts: [string, string][], intent: string, version = p012.version!) =>
        form({
          version: String(version),
          unitCode: 'HRS',
          title: 'HR adviser',
          grade: 'PO2',
          fte: '1',
          payCost: '£40,000',
          managerCode: 'P011',
          contractType: 'Permanent',
          intent,
          ...Object.fromEntries(
            pcts.flatMap(([process, pct], i) => [
              [`allocations[${i}][process]`, process],
              [`allocations[${i}][pct]`, pct],
            ]),
          ),
        });
      const total = await t.app.inject({
        method: 'POST',
        url,
        ...fields(
          [
            ['HR-CAS', '70'],
            ['HR-REW', '23'],
          ],
          'total',
        ),
      });
      assert.equal(total.statusCode, 200);
      assert.match(total.body, /data-qa="allocation-total">93%/);
      assert.match(total.body, /Must add up to 100%/);
      const refused = await t.app.inject({
        method: 'POST',
        url,
        ...fields(
          [
            ['HR-CAS', '70'],
            ['HR-REW', '23'],
          ],
          'save',
        ),
      });
      assert.equal(refused.statusCode, 422);
      assert.match(refused.body, /Allocations add up to 93%/);
      const saved = await t.app.inject({
        method: 'POST',
        url,
        ...fields(
          [
            ['HR-CAS', '60'],
            ['HR-REW', '40'],
          ],
          'save',
        ),
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 1500));
      const stale = await t.app.inject({
        method: 'POST',
        url,
        ...fields(
          [
            ['HR-CAS', '50'],
            ['HR-REW', '50'],
          ],
          'save',
        ),
      });
      assert.equal(stale.statusCode, 409);
      const b = await t.services.diagnostics.getBaseline(actor, id);
      assert.equal(formatFte(b.byProcess['HR-REW']!.fte), '0.40');
    });

    it('refuses to compute a baseline without posts, saying so', async () => {
      const empty = await t.services.diagnostics.createExercise(actor, {
        name: 'Empty',
        financialYear: '2010',
        runningCosts: '£1m',
        headcount: '',
        taxonomyVersionId: DEFAULT_TAXONOMY_ID,
      });
      await assert.rejects(
        t.services.diagnostics.getBaseline(actor, empty),
        (e: unknown) => e instanceof ValidationError && /no posts/.test(e.issues[0]!.message),
      );
      const page = await t.app.inject({ url: paths.diagnostic.baseline(empty) });
      assert.equal(page.statusCode, 303);
      assert.equal(page.headers.location, paths.diagnostic.quality(empty));
    });

    it('extends the shipped taxonomy as a new version of the organisation’s own, leaving the shipped one unchanged', async () => {
      const newId = await t.services.diagnostics.extendTaxonomy(actor, {
        basedOnId: DEFAULT_TAXONOMY_ID,
        name: 'Ours, with fleet',
        functions: [{ code: 'FLT', name: 'Fleet management' }],
        processes: [
          { code: 'FLT-MNT', name: 'Vehicle maintenance', functionCode: 'FLT', type: 'T', volumeDriver: 'vehicles' },
        ],
      });
      const mine = await t.services.diagnostics.getTaxonomy(actor, newId);
      const shipped = await t.services.diagnostics.getTaxonomy(actor, DEFAULT_TAXONOMY_ID);
      assert.equal(mine.processes.length, shipped.processes.length + 1);
      assert.ok(!shipped.functions.some((f) => f.code === 'FLT'));
      assert.ok(
        (await t.services.diagnostics.listTaxonomyVersions(actor)).some(
          (v) => v.id === newId && v.organisationId === actor.organisationId,
        ),
      );
      await assert.rejects(
        t.services.diagnostics.extendTaxonomy(actor, {
          basedOnId: DEFAULT_TAXONOMY_ID,
          name: 'Clash',
          processes: [{ code: 'FIN-AP', name: 'Again', functionCode: 'FIN', type: 'T' }],
        }),
        (e: unknown) => e instanceof ValidationError && /FIN-AP appears twice/.test(e.issues[0]!.message),
      );
      // Another organisation cannot use it.
      const other = await t.services.organisations.createPartner(actor, {
        name: `Other ${engine}`,
        kind: 'council',
      } as never);
      await assert.rejects(t.services.diagnostics.getTaxonomy(systemActor(other.id, 'x'), newId), /no such taxonomy/);
    });

    it('extends a taxonomy from the web form, naming a bad line', async () => {
      const page = await t.app.inject({ url: paths.diagnostic.taxonomyNew });
      assert.equal(page.statusCode, 200);
      const bad = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.taxonomies,
        ...form({
          basedOnId: DEFAULT_TAXONOMY_ID,
          name: 'With grants',
          processes: 'GR-ADM, Grant administration, FIN, T\nGR-BAD, Broken, FIN, X',
        }),
      });
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /New processes, line 2: write code, name, function code, type/);
      const good = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.taxonomies,
        ...form({
          basedOnId: DEFAULT_TAXONOMY_ID,
          name: 'With grants',
          processes: 'GR-ADM, Grant administration, FIN, T, grants',
        }),
      });
      assert.equal(good.statusCode, 303, good.body.slice(0, 1000));
      const next = await t.app.inject({ url: good.headers.location! });
      assert.match(next.body, /The new taxonomy version has been saved/);
      assert.match(next.body, /<option value="[^"]+" selected>With grants<\/option>/);
      const versions = await t.services.diagnostics.listTaxonomyVersions(actor);
      const mine = versions.find((v) => v.name === 'With grants')!;
      assert.ok(
        (await t.services.diagnostics.getTaxonomy(actor, mine.id)).processes.some(
          (p) => p.code === 'GR-ADM' && p.volumeDriver === 'grants',
        ),
      );
    });

    it('lets a viewer see nothing of it and a contributor read but not change it', async () => {
      const viewer = await t.signIn(['viewer']);
      assert.equal((await t.app.inject({ url: paths.diagnostic.list, headers: viewer.headers })).statusCode, 403);
      const contributor = await t.signIn(['contributor']);
      assert.equal(
        (await t.app.inject({ url: paths.diagnostic.baseline(id), headers: contributor.headers })).statusCode,
        200,
      );
      const body = multipart({}, { name: 'x.xlsx', data: await sampleWorkbook() });
      const refused = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.upload(id),
        payload: body.payload,
        headers: { ...body.headers, ...contributor.headers },
      });
      assert.equal(refused.statusCode, 403);
    });

    it('loads the illustrative exercise with the demo, labelled as such', async () => {
      const list = await t.services.diagnostics.listExercises(actor);
      const demo = list.find((e) => e.illustrative)!;
      assert.ok(demo, 'the demo has an illustrative exercise');
      assert.equal(demo.counts.posts, 30);
      const page = await t.app.inject({ url: paths.diagnostic.baseline(demo.id) });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Illustrative data\./);
    });
  });
}
