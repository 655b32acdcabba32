// A big file of indicator values (more than 1,000 values) is checked in the request, then
// written by a background job in batches with progress, on both engines. A file with a bad row
// still changes nothing and queues nothing.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES, untilWaitingForLock } from './helpers/database.ts';
import { buildTestApp, type TestApp } from './helpers/app.ts';
import { errorSummary, htmlText } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { buildJobHandlers } from '../src/composition.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { observeStatements } from '../src/platform/db/database.ts';
import { insertPerson } from './builders/index.ts';
import { StaleVersionError } from '../src/domain/errors.ts';

const INDICATORS = 270; // × 4 quarters = 1,080 values: two batches (1,000 + 80)

function multipart(fields: Record<string, string>, file: { name: string; data: Buffer }) {
  const boundary = '----amber-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    file.data,
    Buffer.from('\r\n'),
  );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

const csv = (bad = false) =>
  'PI No,Target,Q1,Q2,Q3,Q4,Commentary\r\n' +
  Array.from(
    { length: INDICATORS },
    (_, i) => `BIG ${i + 1},50,${i % 100},${bad && i === 7 ? 'lots' : 51},52.5,53,${i === 0 ? 'First one' : ''}`,
  ).join('\r\n') +
  '\r\n';

for (const engine of ENGINES) {
  describe(`importing a big file of indicator values in the background [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    before(async () => {
      t = await buildTestApp(engine, { demo: false });
      await t.services.organisations.createHome('test', { name: 'Big council', kind: 'council' });
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      for (const q of [1, 2, 3, 4]) await t.services.periods.ensure(actor, `2009-10-q${q}`);
      for (let i = 1; i <= INDICATORS; i++) {
        await t.services.indicators.create(actor, {
          code: `BIG ${i}`,
          title: `Indicator ${i}`,
          unitKind: 'number',
          decimalPlaces: '1',
          polarity: 'higher',
          ruleKind: 'percent',
          tolerance: '5',
          chartKind: 'line',
          frequency: 'quarterly',
        });
      }
    });
    after(async () => t?.close());

    const upload = (data: Buffer) =>
      t.app.inject({
        method: 'POST',
        url: paths.indicators.import,
        ...multipart({ year: '2009' }, { name: 'big.csv', data }),
      });
    /** Runs the queued job; the statements it sent. */
    const runJobWatched = async (): Promise<string[]> => {
      const statements: string[] = [];
      const stop = observeStatements(t.db, (s) => statements.push(s.sql));
      try {
        await t.services.jobs.queue.runOne(buildJobHandlers(t.services));
      } finally {
        stop();
      }
      return statements;
    };
    const countValues = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from indicator_value`.execute(t.db)).rows[0]!.n);
    const countJobs = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from job`.execute(t.db)).rows[0]!.n);

    it('refuses a big file with a bad row, writing and queueing nothing', async () => {
      const res = await upload(Buffer.from(csv(true)));
      assert.equal(res.statusCode, 422);
      assert.match(errorSummary(res.body).join('\n'), /Row 9, column Q2/);
      assert.equal(await countValues(), 0);
      assert.equal(await countJobs(), 0);
    });

    it('checks a big file, then writes it in the background with progress per batch', async () => {
      const res = await upload(Buffer.from(csv()));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const jobUrl = res.headers.location as string;
      assert.match(jobUrl, /^\/jobs\/[0-9a-f-]{36}$/);
      assert.equal(await countValues(), 0, 'nothing is written in the request');
      const waiting = await t.app.inject({ url: jobUrl });
      // While it waits, the page offers Check progress (it no longer refreshes itself: WCAG 2.2.1).
      assert.match(waiting.body, /data-qa="refresh"/);
      assert.doesNotMatch(waiting.body, /http-equiv="refresh"/);
      assert.match(htmlText(waiting.body), /Indicator values import/);

      const seen: number[] = [];
      const handlers = buildJobHandlers(t.services);
      const importHandler = handlers['indicator-import']!;
      await t.services.jobs.queue.runOne({
        'indicator-import': (ctx) =>
          importHandler({
            ...ctx,
            progress: async (pct, message) => {
              seen.push(Math.round(pct));
              await ctx.progress(pct, message);
            },
          }),
      });
      assert.deepEqual(seen, [93, 100]);
      assert.equal(await countValues(), INDICATORS * 4);
      const done = await t.app.inject({ url: jobUrl });
      assert.match(htmlText(done.body), /Finished 100% done\. 1,080 values were imported for 2009\/10 from big\.csv/);
      // Said once: the page's status region, not also a task list's hint.
      assert.equal(htmlText(done.body).split('1,080 values were imported').length, 2);
      const points = (await t.services.indicators.points(actor, 'BIG 1')).points.map((p) => [
        p.period.key,
        p.value.actual,
        p.value.target,
        p.value.comment,
      ]);
      assert.deepEqual(points, [
        ['2009-10-q1', 0, 500, ''],
        ['2009-10-q2', 510, 500, ''],
        ['2009-10-q3', 525, 500, ''],
        ['2009-10-q4', 530, 500, 'First one'],
      ]);
    });

    it('imports again over the same values without duplicating them, keeping comments a file leaves blank', async () => {
      const res = await upload(Buffer.from(csv().replace('First one', '')));
      await t.services.jobs.queue.runOne(buildJobHandlers(t.services));
      assert.equal(res.statusCode, 303);
      assert.equal(await countValues(), INDICATORS * 4);
      const last = (await t.services.indicators.points(actor, 'BIG 1')).points.at(-1)!;
      assert.equal(last.value.comment, 'First one');
    });

    it('keeps a status the big file gives as an override, and its finished page says so', async () => {
      // Q4 of BIG 2 is 53 against a target of 50: Amber computes green; the file says Red.
      const file = csv()
        .replace('\r\n', ',Status\r\n')
        .replace(/^(BIG 2,.*)$/m, '$1,Red')
        .replace(/^(BIG (?!2,).*)$/gm, '$1,');
      const res = await upload(Buffer.from(file));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      await t.services.jobs.queue.runOne(buildJobHandlers(t.services));
      const done = htmlText((await t.app.inject({ url: res.headers.location as string })).body);
      assert.match(
        done,
        /BIG 2 2009\/10 Q4: Red from the file \(row 3\) is kept as an override; Amber computed Green\./,
      );
      const q4 = (await t.services.indicators.points(actor, 'BIG 2')).points.at(-1)!;
      assert.equal(q4.shown?.key, 'red');
      assert.equal(q4.computed.rated && q4.computed.status.key, 'green');
      assert.match(
        q4.value.override?.reason ?? '',
        /the status given in the imported file big\.csv \(row 3, column Status\)/,
      );
    });

    it('names the owner the file gives each indicator that has none, in a few statements, and keeps one chosen meanwhile', async () => {
      const jane = await insertPerson(t.services, actor, { name: 'Jane Cartwright' });
      const pat = await insertPerson(t.services, actor, { name: 'Pat Meanwhile' });
      const file = csv()
        .replace('\r\n', ',Target owner\r\n')
        .replace(/^(BIG .*)$/gm, '$1,jane cartwright');
      const res = await upload(Buffer.from(file));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      // After the file was checked and before the job runs, someone names BIG 5's owner.
      await sql`update indicator set owner_id = ${pat.id} where organisation_id = ${actor.organisationId} and code = 'BIG 5'`.execute(
        t.db,
      );
      const writes: string[] = [];
      const stop = observeStatements(t.db, (s) => {
        if (/^\s*update "?indicator"? /.test(s.sql)) writes.push(s.sql);
      });
      try {
        await t.services.jobs.queue.runOne(buildJobHandlers(t.services));
      } finally {
        stop();
      }
      // 269 indicators named, 250 to a statement: one indicator at a time was 269 updates.
      assert.equal(writes.length, 2, writes.join('\n'));
      const owners = await Promise.all(
        ['BIG 1', 'BIG 5', `BIG ${INDICATORS}`].map(
          async (code) => (await t.services.indicators.get(actor, code)).ownerId,
        ),
      );
      assert.deepEqual(owners, [jane.id, pat.id, jane.id]);
      const done = htmlText((await t.app.inject({ url: res.headers.location as string })).body);
      assert.match(done, /BIG 1 had no owner: Jane Cartwright, named in row 2, is now its owner\./);
      assert.match(done, new RegExp(`BIG ${INDICATORS} had no owner: Jane Cartwright, named in row ${INDICATORS + 1}`));
      assert.doesNotMatch(done, /BIG 5 had no owner/);
      const { rows } = await sql<{ code: string; n: number }>`
        select i.code, count(*)::int as n from audit_event e join indicator i on i.id = e.entity_id::uuid
        where e.entity = 'indicator' and e.action = 'import' and e.after->>'owner' = 'Jane Cartwright'
        group by i.code`.execute(t.db);
      assert.equal(rows.length, INDICATORS - 1);
      assert.ok(rows.every((r) => r.n === 1 && r.code !== 'BIG 5'));
    });

    it('compares every status a big file gives with what Amber shows in a few statements, keeping only those that differ', async () => {
      // Every Q4 is 53 against a target of 50: Amber computes Green for all but BIG 2, which an
      // earlier file overrode to Red.
      const file = csv()
        .replace('\r\n', ',Status\r\n')
        .replace(/^(BIG .*)$/gm, '$1,Green');
      const res = await upload(Buffer.from(file));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const statements = await runJobWatched();
      // One indicator's points at a time, the 270 statuses took six statements each.
      assert.ok(statements.length < 120, `${statements.length} statements`);
      const done = htmlText((await t.app.inject({ url: res.headers.location as string })).body);
      assert.deepEqual(
        [...done.matchAll(/(BIG \d+) 2009\/10 Q4: Green from the file \(row \d+\) is kept as an override/g)].map(
          (m) => m[1],
        ),
        ['BIG 2'],
      );
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from indicator_value where override_reason like '%the imported file big.csv%' and override_status_key = 'green'`.execute(
        t.db,
      );
      assert.equal(rows[0]!.n, 1, 'one override kept');
      const q4 = (await t.services.indicators.points(actor, 'BIG 2')).points.at(-1)!;
      assert.equal(q4.shown?.key, 'green');
    });

    it('keeps every status of a big file that differs from Amber’s as an override in a few statements, each audited', async () => {
      // Amber computes Green for every Q4 (53 against 50), and shows BIG 2's earlier override,
      // Green too; the file says Red for all 270.
      const file = csv()
        .replace('\r\n', ',Status\r\n')
        .replace(/^(BIG .*)$/gm, '$1,Red');
      const res = await upload(Buffer.from(file));
      assert.equal(res.statusCode, 303, errorSummary(res.body).join('\n'));
      const { rows: last } = await sql<{ id: number }>`select coalesce(max(id), 0)::int as id from audit_event`.execute(
        t.db,
      );
      const statements = await runJobWatched();
      // An override at a time was eight statements each: over 2,000 for this file.
      assert.ok(statements.length < 120, `${statements.length} statements`);
      const overrides = statements.filter((q) => /^\s*update indicator_value as v\s+set override_status_key/.test(q));
      assert.equal(overrides.length, 2, '270 overrides, 250 to a statement');
      const done = htmlText((await t.app.inject({ url: res.headers.location as string })).body);
      const said = [
        ...done.matchAll(
          /(BIG \d+) 2009\/10 Q4: Red from the file \(row (\d+)\) is kept as an override; Amber computed Green([^.]*)\./g,
        ),
      ];
      assert.equal(said.length, INDICATORS);
      for (const [, code, row, earlier] of said) {
        assert.equal(Number(row), Number(code!.slice(4)) + 1, `${code}'s row`);
        assert.equal(earlier, code === 'BIG 2' ? ', and it replaces the earlier override (Green)' : '', code);
      }
      for (const code of ['BIG 1', 'BIG 2', `BIG ${INDICATORS}`]) {
        const q4 = (await t.services.indicators.points(actor, code)).points.at(-1)!;
        assert.equal(q4.shown?.key, 'red', code);
        assert.equal(q4.computed.rated && q4.computed.status.key, 'green', code);
        assert.equal(
          q4.value.override?.reason,
          `the status given in the imported file big.csv (row ${Number(code.slice(4)) + 1}, column Status)`,
        );
        assert.equal(
          q4.value.override?.explanation.startsWith('Red, chosen by the officer instead of the computed Green'),
          true,
        );
      }
      // Each audited against its value, with the override it replaced (BIG 2's) or none.
      const { rows } = await sql<{
        code: string;
        before: { statusKey: string } | null;
        after: { status: string; reason: string };
      }>`
        select i.code, e.before, e.after from audit_event e
        join indicator_value v on v.id = e.entity_id::uuid join indicator i on i.id = v.indicator_id
        where e.id > ${last[0]!.id} and e.entity = 'indicator_value' and e.action = 'update'`.execute(t.db);
      assert.equal(rows.length, INDICATORS);
      assert.equal(new Set(rows.map((r) => r.code)).size, INDICATORS);
      for (const r of rows) {
        assert.equal(r.after.status, 'red', r.code);
        assert.equal(r.before?.statusKey, r.code === 'BIG 2' ? 'green' : undefined, r.code);
        assert.match(r.after.reason, new RegExp(`\\(row ${Number(r.code.slice(4)) + 1}, column Status\\)$`), r.code);
      }
    });

    if (engine === 'postgres')
      it('keeps no file status over a value someone changed while the statuses were compared', async () => {
        const bySql = sql`from indicator_value v join indicator i on i.id = v.indicator_id
          join reporting_period p on p.id = v.period_id where i.code = 'BIG 3' and p.key = '2009-10-q4'`;
        const before = (await t.services.indicators.points(actor, 'BIG 3')).points.at(-1)!;
        const i3 = await t.services.indicators.get(actor, 'BIG 3');
        // Someone's change of BIG 3's Q4 holds its row while the statuses are read (the old
        // version) and the override waits to be written; it commits, and the version has moved on.
        let keeping: Promise<unknown> | undefined;
        await t.db.transaction().execute(async (trx) => {
          await sql`update indicator_value set comment = 'Saved meanwhile', version = version + 1
            where id = ${before.value.id}`.execute(trx);
          keeping = t.services.indicators.keepStatuses(actor, [
            { indicatorId: i3.id, periodKey: '2009-10-q4', statusKey: 'amber', reason: 'the file says so' },
          ]);
          keeping.catch(() => undefined);
          await untilWaitingForLock(t.db, 'update indicator_value as v');
        });
        await assert.rejects(keeping!, StaleVersionError);
        const { rows } = await sql<{ comment: string; override_status_key: string | null }>`
          select v.comment, v.override_status_key ${bySql}`.execute(t.db);
        assert.deepEqual(rows, [
          { comment: 'Saved meanwhile', override_status_key: before.value.override?.statusKey ?? null },
        ]);
      });
  });
}
