// The diagnostic at a large council's scale (issue 12), counted rather than timed (timings are in
// bench/diagnostic-csv.ts):
//
//   - a sheet uploaded as CSV is read a row at a time (platform/csv.ts streamCsv): the rows it
//     gives are those the whole-file reader gives, in every encoding and line end, across the
//     slices it decodes; it stops at the first row past a limit without reading the rest; a cell,
//     a row or a file past a limit is refused naming the sheet, row and column, changing nothing;
//   - opening and saving one post of an exercise of 3,000 posts reads that post, its unit and the
//     posts above it (for a loop of managers), never the exercise: the rows every read statement
//     of the request returns are counted, by running them again in a transaction of their own.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { errorSummary } from './helpers/html.ts';
import { copyData, multipart } from './fixtures/diagnostic/sample.ts';
import { paths } from '../src/paths.ts';
import { DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';
import { formatFte } from '../src/domain/diagnostic/baseline.ts';
import { ValidationError } from '../src/domain/errors.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { observeStatements, type ObservedStatement } from '../src/platform/db/database.ts';
import { streamCsv } from '../src/platform/csv.ts';
import { cellText, readCsvSheet as readWholeCsv } from '../src/platform/spreadsheet.ts';
import {
  CSV_CELL_CHARS,
  SHEETS,
  readCsvSheet,
  sheetCsv,
  writeWorkbook,
} from '../src/modules/diagnostic/diagnostic-transfer.ts';
import type { ExerciseData, PostRecord } from '../src/modules/diagnostic/diagnostic.repository.ts';

const LIMITS = { expandedBytes: 10 * 2 ** 20, rows: 100_000, columns: 500 };

/** What the whole-file reader (platform/spreadsheet.ts, as the diagnostic read CSV before) gives. */
const whole = (data: Buffer) =>
  readWholeCsv(data, LIMITS).rows.map((r) => ({ number: r.number, cells: r.cells.map(cellText) }));

describe('a diagnostic sheet as CSV, read a row at a time', () => {
  const text = [
    'Post ID,Org unit code,Job title,Grade,FTE,Annual pay cost (£)',
    'P001,FIN,"Head of Finance, Resources",SM1,1,"£86,000"',
    '',
    'P002 , FIN ,"Café manager ""acting""",SO2,0.5,£24000',
    '   ,  ,  ',
    'P003,ADS,"Two',
    'lines",SO1,1,"=1+2"',
    "P004,ADS,'=SUM(A1),SO1,1,£28000",
  ];
  for (const [name, bytes] of [
    ['UTF-8, CRLF', Buffer.from(text.join('\r\n'), 'utf8')],
    [
      'UTF-8 with a byte order mark, LF',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.join('\n'))]),
    ],
    ['Windows-1252, CR', Buffer.from(text.join('\r'), 'latin1')],
    [
      'UTF-16 LE with a byte order mark',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.join('\r\n'), 'utf16le')]),
    ],
  ] as const) {
    it(`gives the rows the whole-file reader gives: ${name}`, async () => {
      const streamed = await readCsvSheet('Posts', bytes, LIMITS);
      assert.deepEqual(streamed.rows, whole(bytes));
      assert.equal(streamed.rows.length, 5, 'the blank rows dropped, the rows keep their numbers');
      assert.deepEqual(streamed.rows[2]!.cells.slice(0, 3), ['P002', 'FIN', 'Café manager "acting"']);
      assert.deepEqual(
        streamed.rows.map((r) => r.number),
        [1, 2, 4, 6, 7],
      );
    });
  }

  it('decodes across its slices: a file of several, with a two-byte letter and a quoted line break on every row', async () => {
    const rows = Array.from({ length: 6_000 }, (_, i) => `P${i},FIN,"Café ${i}\nline two",SO1,1,£${i}`);
    const bytes = Buffer.from(['Post ID,Org unit code,Job title,Grade,FTE,Pay', ...rows].join('\r\n'), 'utf8');
    assert.ok(bytes.length > 4 * 64 * 1024);
    const latin = Buffer.from(['Post ID,Org unit code,Job title,Grade,FTE,Pay', ...rows].join('\r\n'), 'latin1');
    for (const b of [bytes, latin]) {
      const streamed = await readCsvSheet('Posts', b, LIMITS);
      assert.equal(streamed.rows.length, 6_001);
      assert.deepEqual(streamed.rows, whole(b));
    }
  });

  it('reads no further than the rows taken: a broken last row is never reached', async () => {
    const body = Array.from({ length: 50_000 }, (_, i) => `P${i},FIN,Officer,SO1,1,£20000`).join('\r\n');
    const bytes = Buffer.from(`Post ID,Unit,Title,Grade,FTE,Pay\r\n${body}\r\nP9,"never closed`, 'utf8');
    const taken = [];
    for await (const rows of streamCsv(bytes)) {
      taken.push(...rows);
      break;
    }
    assert.ok(taken.length < 10_000, `${taken.length} rows read from the first slice`);
    assert.deepEqual(taken[2], { number: 3, cells: ['P1', 'FIN', 'Officer', 'SO1', '1', '£20000'] });
    // Read to the end, the same file is refused at its last row.
    await assert.rejects(
      readCsvSheet('Posts', bytes, LIMITS),
      (e: unknown) =>
        e instanceof ValidationError &&
        /^Posts sheet, row 50002: A quoted cell is never closed/.test(e.issues[0]!.message),
    );
  });

  it('refuses a cell, a row or a file past its limit, and what is not text, naming the sheet, row and column', async () => {
    const refused = async (bytes: Buffer, pattern: RegExp, limits = LIMITS) =>
      assert.rejects(readCsvSheet('Allocations', bytes, limits), (e: unknown) => {
        assert.ok(e instanceof ValidationError);
        assert.equal(e.issues.length, 1);
        assert.match(e.issues[0]!.message, pattern);
        return true;
      });
    await refused(
      Buffer.from(`Post ID,Process code,% of time\r\nP001,${'x'.repeat(CSV_CELL_CHARS + 1)},10\r\n`),
      /^Allocations sheet: Row 2, column B holds 1,001 characters; a cell holds at most 1,000/,
    );
    await refused(
      Buffer.from(`Post ID,Process code,% of time\r\nP001,"${'x'.repeat(20_000)}`),
      /^Allocations sheet: Row 2 is longer than Amber reads/,
      { ...LIMITS, columns: 10 },
    );
    await refused(
      Buffer.from(`a,b\r\n${'1,2\r\n'.repeat(11)}`),
      /^Allocations sheet: The file has more than 10 rows, which is more than Amber reads in one file/,
      { ...LIMITS, rows: 10 },
    );
    await refused(Buffer.from(`a,b\r\n1,2,3,4\r\n`), /^Allocations sheet: Row 2 has 4 columns; Amber reads at most 3/, {
      ...LIMITS,
      columns: 3,
    });
    await refused(Buffer.from('Post ID,Process\r\nP001,FIN\0AP\r\n'), /holds data that is not text/);
    await refused(
      Buffer.from('Post ID,Process\r\nP001,FIN "AP"\r\n'),
      /^Allocations sheet, row 2: A cell that is not in quotes/,
    );
  });
});

/** An exercise of `n` posts in the sample's units: a manager tree (post i reports to post i/5), two allocations each. */
function council(n: number): ExerciseData {
  const data = copyData();
  const units = data.units.map((u) => u.code);
  const posts: PostRecord[] = Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return {
      code: `S${i}`,
      unitCode: units[i % units.length]!,
      title: `Officer ${i}`,
      grade: 'SO1',
      fte: 10_000,
      payCost: 30_000_00,
      managerCode: i === 1 ? null : `S${Math.max(1, Math.floor(i / 5))}`,
      vacant: false,
      contractType: 'Permanent',
      allocations: [
        { processCode: 'FIN-AP', pct: 6_000 },
        { processCode: 'Z99', pct: 4_000 },
      ],
      row: i + 1,
    };
  });
  return { ...data, posts };
}

const POSTS = 3_000;

for (const engine of ENGINES) {
  describe(`one post of a large exercise [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let id: string;
    const counts = () => t.services.diagnostics.countData(actor, id);

    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.findHome())!.id, 'test');
      id = await t.services.diagnostics.createExercise(actor, {
        name: 'Large council 2009/10',
        financialYear: '2009',
        runningCosts: '£412m',
        headcount: '3000',
        taxonomyVersionId: DEFAULT_TAXONOMY_ID,
      });
      const file = await writeWorkbook(DEFAULT_TAXONOMY, council(POSTS));
      const done = await t.services.diagnostics.upload(actor, id, { file: { filename: 'large.xlsx', data: file } });
      assert.ok(!('jobId' in done), 'checked and written in the request');
      assert.equal((await counts()).posts, POSTS);
    });
    after(async () => t?.close());

    const find = async (code: string) => {
      const { rows } = await sql<{ id: string }>`
        select id from diagnostic_post where exercise_id = ${id} and code = ${code}`.execute(t.db);
      return (await t.services.diagnostics.getPost(actor, id, rows[0]!.id)).post;
    };
    const fields = (post: PostRecord, change: Partial<Record<string, string>> = {}) => {
      const body: Record<string, string> = {
        version: String(post.version),
        unitCode: post.unitCode,
        title: post.title,
        grade: post.grade,
        fte: formatFte(post.fte as never, 4),
        payCost: String(post.payCost / 100),
        managerCode: post.managerCode ?? '',
        contractType: post.contractType,
        ...(post.vacant ? { vacant: 'yes' } : {}),
      };
      post.allocations.forEach((a, i) => {
        body[`allocations[${i}][process]`] = a.processCode;
        body[`allocations[${i}][pct]`] = String(a.pct / 100);
      });
      return { ...body, ...change } as Record<string, string>;
    };

    /**
     * The statements `run` sends, and the rows its reads return: each read statement is run again
     * (after it, in one transaction, in the order sent, with its parameters, the organisation's
     * settings included, so row-level security sees what the request saw).
     */
    async function measure(run: () => Promise<void>): Promise<{ statements: ObservedStatement[]; rows: number }> {
      const statements: ObservedStatement[] = [];
      const stop = observeStatements(t.db, (s) => statements.push(s));
      try {
        await run();
      } finally {
        stop();
      }
      let rows = 0;
      await t.db.transaction().execute(async (trx) => {
        for (const s of statements) {
          if (!/^\s*(select|with)\b/i.test(s.sql) || /^\s*select\s+set_config\b/i.test(s.sql)) {
            // A setting (the organisation, the role) is applied as the request applied it; a write is not.
            if (/^\s*(set|select\s+set_config)\b/i.test(s.sql))
              await trx.executeQuery(CompiledQuery.raw(s.sql, [...s.parameters]));
            continue;
          }
          rows += (await trx.executeQuery(CompiledQuery.raw(s.sql, [...s.parameters]))).rows.length;
        }
      });
      return { statements, rows };
    }
    const reads = (statements: readonly ObservedStatement[], table: string) =>
      statements.filter((s) => new RegExp(`\\bfrom "?${table}"?`, 'i').test(s.sql));

    it(`opens and saves one post of ${POSTS.toLocaleString('en-GB')} reading only it, its unit and its managers`, async () => {
      // S2999 reports to S599, S119, S23, S4 and S1 in turn.
      const post = await find('S2999');
      const url = paths.diagnostic.post(id, post.id!);
      const opened = await measure(async () => {
        const res = await t.app.inject({ url });
        assert.equal(res.statusCode, 200);
      });
      assert.ok(opened.rows < 20, `the edit page read ${opened.rows} rows`);

      const saved = await measure(async () => {
        const res = await t.app.inject({
          method: 'POST',
          url,
          ...form(fields(post, { title: 'Accounts payable lead', payCost: '31000' })),
        });
        assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      });
      // The post, its allocations, its unit, its five managers and their allocations, the
      // exercise, the session: a few dozen rows, never the 3,000 posts and 6,000 allocations.
      assert.ok(saved.rows < 60, `the save read ${saved.rows} rows:\n${saved.statements.map((s) => s.sql).join('\n')}`);
      assert.deepEqual(reads(saved.statements, 'diagnostic_non_pay'), [], 'no non-pay lines read');
      assert.deepEqual(reads(saved.statements, 'diagnostic_volume'), [], 'no volumes read');
      const after = await find('S2999');
      assert.equal(after.title, 'Accounts payable lead');
      assert.equal(after.payCost, 31_000_00);
      assert.equal((await counts()).posts, POSTS);
    });

    it('still refuses what the whole exercise would refuse, changing nothing', async () => {
      const top = await find('S1');
      const before = await t.services.diagnostics.getExercise(actor, id);
      const refused = async (change: Record<string, string>, field: string, pattern: RegExp) => {
        await assert.rejects(
          t.services.diagnostics.updatePost(actor, id, top.id!, {
            ...fields(top),
            ...change,
            allocations: top.allocations.map((a) => ({ process: a.processCode, pct: String(a.pct / 100) })),
          }),
          (e: unknown) => {
            assert.ok(e instanceof ValidationError, String(e));
            assert.ok(
              e.issues.some((i) => i.field === field && pattern.test(i.message)),
              JSON.stringify(e.issues),
            );
            return true;
          },
        );
      };
      // S1 at the top, under S2999 five levels below it: a loop.
      await refused(
        { managerCode: 'S2999' },
        'managerCode',
        /S1, S2999, S599, S119, S23, S4|manage each other in a loop/,
      );
      await refused({ managerCode: 'S1' }, 'managerCode', /its own manager/);
      await refused({ managerCode: 'NOBODY' }, 'managerCode', /Manager post "NOBODY" is not on the Posts sheet/);
      await refused({ unitCode: 'NOWHERE' }, 'unitCode', /NOWHERE/);
      assert.equal((await t.services.diagnostics.getExercise(actor, id)).version, before.version, 'nothing changed');
      assert.equal((await find('S1')).managerCode, null);
      // A manager elsewhere in the tree, not above it: saved.
      const leaf = await find('S2998');
      await t.services.diagnostics.updatePost(actor, id, leaf.id!, {
        ...fields(leaf, { managerCode: 'S7' }),
        allocations: leaf.allocations.map((a) => ({ process: a.processCode, pct: String(a.pct / 100) })),
      });
      assert.equal((await find('S2998')).managerCode, 'S7');
    });

    it('refuses a bad sheet as CSV naming its sheet, row and column, and changes nothing', async () => {
      const before = await counts();
      const version = (await t.services.diagnostics.getExercise(actor, id)).version;
      const data = council(POSTS);
      data.posts[1_499]!.title = 'x'.repeat(CSV_CELL_CHARS + 5);
      const csv = Buffer.from(sheetCsv(DEFAULT_TAXONOMY, data, SHEETS.posts));
      const res = await t.app.inject({
        method: 'POST',
        url: paths.diagnostic.upload(id),
        ...multipart({ sheet: 'posts' }, { name: 'posts.csv', data: csv, type: 'text/csv' }),
      });
      assert.equal(res.statusCode, 422);
      assert.match(
        errorSummary(res.body).join('\n'),
        /Posts sheet: Row 1501, column C holds 1,005 characters; a cell holds at most 1,000/,
      );
      assert.deepEqual(await counts(), before);
      assert.equal((await t.services.diagnostics.getExercise(actor, id)).version, version);

      // The same sheet put right is read and written.
      data.posts[1_499]!.title = 'Officer 1500 (acting)';
      const ok = await t.services.diagnostics.upload(actor, id, {
        file: { filename: 'posts.csv', data: Buffer.from(sheetCsv(DEFAULT_TAXONOMY, data, SHEETS.posts)) },
        sheet: 'posts',
      });
      assert.ok(!('jobId' in ok));
      assert.equal((await find('S1500')).title, 'Officer 1500 (acting)');
      assert.equal((await counts()).posts, POSTS);
    });
  });
}
