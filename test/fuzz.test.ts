// The fuzzing harness (issue 10): property-based tests that send generated hostile input through
// every door of the running app — form bodies and JSON bodies to every route that writes,
// spreadsheets (wrong encodings, bombs, merged cells, formulas, too many rows) and organisation
// files (deep, huge, wrong types) — and assert that each is answered with a message (never a
// 500 or a stack trace), that the server keeps answering, that its memory stays under a bound,
// and, for the import doors, that the database is unchanged.
//
// The runs are bounded so the harness takes well under two minutes in `npm test`; set
// AMBER_FUZZ_RUNS (e.g. 2000) for a longer soak.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { zipSync, strToU8 } from 'fflate';
import { zipBomb } from '../src/platform/spreadsheet-fixtures.test-helper.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { paths } from '../src/paths.ts';
import { ValidationError } from '../src/domain/errors.ts';

const RUNS = Number(process.env.AMBER_FUZZ_RUNS) || 0;
const runs = (quick: number) => ({ numRuns: RUNS || quick, seed: RUNS ? undefined : 20261204 });
const MB = 1024 * 1024;
/** How much more memory the process may hold after a property than before it. */
const MEMORY_BOUND = 300 * MB;

const STACK = /\n\s+at [\w.<>$]+ \(|node_modules\/|\.ts:\d+:\d+/;

/** Text that tends to break things: control characters, NUL, quotes, markup, long runs, unpaired surrogates. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', '"\'<>&', '=cmd|calc', '__proto__', 'constructor', '../../etc/passwd', '٣', '🙂'),
  fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
);
const fieldName = fc.oneof(
  fc.constantFrom('title', 'summary', 'version', 'status', 'year', 'code', '_csrf', 'a[b][c][d][e][f][g]', 'x[]'),
  fc.constantFrom('__proto__[x]', 'constructor[prototype][x]', 'a[__proto__]', 'items[99999]'),
  fc.string({ minLength: 1, maxLength: 12 }),
);

describe('fuzzing every door', () => {
  let t: TestApp;
  let writeRoutes: { method: string; url: string }[];
  let rss0: number;
  before(async () => {
    t = await buildTestApp('pglite');
    const sample: Record<string, string> = {
      code: 'VfM-4d',
      period: '2009-10-h1',
      planId: '00000000-0000-4000-8000-000000000000',
    };
    writeRoutes = t.app.routeTable
      .filter((r) => !r.infrastructure && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
      // Signing out and deleting everything would only stop the walk; they are fuzzed elsewhere by the permission walks.
      .filter((r) => !/sign-out|\/delete$/.test(r.url))
      .map((r) => ({
        method: r.method,
        url: r.url.replace(/:(\w+)/g, (_, name: string) => sample[name] ?? '00000000-0000-4000-8000-000000000000'),
      }));
    // The hostile workbooks are made first, so the memory they take here is not counted as the server's.
    for (const kind of ['merged', 'formula', 'rows', 'bomb']) await workbook(kind);
    rss0 = process.memoryUsage().rss;
  });
  after(async () => t?.close());

  const alive = async () => {
    const health = await t.app.inject({ url: '/health' });
    assert.equal(health.statusCode, 200, 'the server still answers');
    assert.ok(
      process.memoryUsage().rss - rss0 < MEMORY_BOUND,
      `memory grew by ${(process.memoryUsage().rss - rss0) / MB} MB`,
    );
  };

  it('answers any form body on any route that writes with a page or a message, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.tuple(fieldName, nasty), { maxLength: 12 }),
        async (pick, pairs) => {
          const route = writeRoutes[pick % writeRoutes.length]!;
          const body = new URLSearchParams([['_csrf', t.session!.csrfToken], ...pairs]).toString();
          const res = await t.app.inject({
            method: route.method as 'POST',
            url: route.url,
            payload: body,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          });
          assert.ok(
            res.statusCode < 500,
            `${route.method} ${route.url} → ${res.statusCode}: ${res.body.slice(0, 300)}`,
          );
          assert.doesNotMatch(res.body, STACK, `${route.method} ${route.url} shows a stack trace`);
        },
      ),
      runs(120),
    );
    await alive();
  });

  it('answers any JSON body to the API, however deep, wide or wrongly typed, with a problem, never a 500', async () => {
    const api = () => writeRoutes.filter((r) => r.url.startsWith('/api/'));
    assert.ok(api().length > 0);
    const deep = fc.integer({ min: 50, max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`);
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
      deep,
      fc.constantFrom('{"__proto__":{"admin":true}}', '{"version":1e400}', '{"version":"1"}', '', '{', 'null', '[]'),
      fc.dictionary(fieldName, nasty, { maxKeys: 8 }).map((v) => JSON.stringify(v)),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 10_000 }), body, async (pick, payload) => {
        const route = api()[pick % api().length]!;
        const res = await t.app.inject({
          method: route.method as 'POST',
          url: route.url,
          payload,
          headers: { 'content-type': 'application/json', ...t.session!.headers },
        });
        assert.ok(res.statusCode < 500, `${route.method} ${route.url} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
        assert.doesNotMatch(res.body, STACK);
      }),
      runs(120),
    );
    await alive();
  });

  it('refuses hostile spreadsheets at every upload door with a message, and changes nothing', async () => {
    const before = await fingerprint(t.db);
    const cell = fc.oneof(nasty, fc.double(), fc.constantFrom('PI No', 'Q1', 'Outturn', 'HOS 1', '55%', '£1,000'));
    const bytes = fc.oneof(
      // CSV in assorted encodings, with random cells.
      fc
        .tuple(
          fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 20 }),
          fc.constantFrom('utf8', 'utf16le', 'latin1'),
        )
        .map(([rows, enc]) =>
          Buffer.from(
            ['PI No,Q1', ...rows.map((r) => r.map((c) => `"${String(c).replace(/"/g, '""')}"`).join(','))].join('\r\n'),
            enc as BufferEncoding,
          ),
        ),
      // Random bytes, some starting like a zip.
      fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
      fc
        .uint8Array({ maxLength: 2000 })
        .map((b) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from(b)])),
      // Workbooks: merged cells in the data, formulas with no saved result, too many rows or parts that unpack too far.
      fc.constantFrom('merged', 'formula', 'rows', 'bomb').map((kind) => ({ kind })),
    );
    await fc.assert(
      fc.asyncProperty(bytes, fc.constantFrom('values', 'definitions'), async (file, door) => {
        const data = Buffer.isBuffer(file) ? file : await workbook(file.kind);
        const boundary = '----fuzz';
        const payload = Buffer.concat([
          Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="year"\r\n\r\n2009\r\n`),
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.${Buffer.isBuffer(file) ? 'csv' : 'xlsx'}"\r\n\r\n`,
          ),
          data,
          Buffer.from(`\r\n--${boundary}--\r\n`),
        ]);
        const res = await t.app.inject({
          method: 'POST',
          url: door === 'values' ? paths.indicators.import : paths.indicators.definitionsImport,
          payload,
          headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...t.session!.headers },
        });
        // Random cells may happen to be a valid import of nothing; what matters is that nothing breaks.
        assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body.slice(0, 300)}`);
        assert.doesNotMatch(res.body, STACK);
        if (!Buffer.isBuffer(file)) assert.equal(res.statusCode, 422, `${file.kind} is refused`);
      }),
      runs(60),
    );
    assert.deepEqual(await fingerprint(t.db), before);
    await alive();
  });

  it('refuses hostile organisation files with every problem named by path, and changes nothing', async () => {
    const before = await fingerprint(t.db);
    const valid = await t.services.transfer.exportOrganisation((await t.services.organisations.getHome()).id);
    const mutate = fc.oneof(
      fc.constant((f: Record<string, unknown>) => ({
        ...f,
        reports: JSON.parse(`${'['.repeat(5000)}${']'.repeat(5000)}`),
      })),
      fc.integer({ min: 200_001, max: 400_000 }).map((n) => (f: Record<string, unknown>) => {
        const copy = structuredClone(f) as { reports: { summary: string }[] };
        copy.reports[0]!.summary = 'x'.repeat(n);
        return copy;
      }),
      // Never a list where a list belongs, so never a valid file by chance.
      fc
        .tuple(
          fc.constantFrom('plans', 'priorities', 'reports', 'people', 'indicators'),
          fc.jsonValue({ maxDepth: 3 }).filter((v) => !Array.isArray(v)),
        )
        .map(([key, value]) => (f: Record<string, unknown>) => ({ ...f, [key]: value })),
    );
    await fc.assert(
      fc.asyncProperty(mutate, async (change) => {
        const file = change(valid);
        await assert.rejects(
          t.services.transfer.importOrganisation(file, { replace: true, actorLabel: 'fuzz' }),
          (e: unknown) => {
            assert.ok(e instanceof ValidationError, String(e));
            assert.ok(e.issues.length > 0 && e.issues.length <= 101, `${e.issues.length} problems listed`);
            return true;
          },
        );
      }),
      runs(15),
    );
    assert.deepEqual(await fingerprint(t.db), before);
    await alive();
  });
});

const workbooks = new Map<string, Promise<Buffer>>();
/** Each kind of hostile workbook is made once (a 100,000-row one takes seconds to write). */
function workbook(kind: string): Promise<Buffer> {
  if (!workbooks.has(kind)) workbooks.set(kind, makeWorkbook(kind));
  return workbooks.get(kind)!;
}

async function makeWorkbook(kind: string): Promise<Buffer> {
  // 200 MB of spaces as a streamed zip (~200 kB).
  if (kind === 'bomb') return zipBomb(200);
  if (kind === 'rows') {
    // A sheet of 100,010 rows: refused as they stream past, before anything is parsed.
    const rows = Array.from({ length: 100_010 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c></row>`);
    return Buffer.from(
      zipSync({
        'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData>${rows.join('')}</sheetData></worksheet>`),
      }),
    );
  }
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Values');
  sheet.addRow(['PI No', 'Q1', 'Q2']);
  if (kind === 'merged') {
    sheet.addRow(['HOS 1', 55, 78.4]);
    sheet.mergeCells('B2:C2');
  } else {
    sheet.addRow(['HOS 1', { formula: '40+15' } as ExcelJS.CellFormulaValue]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
