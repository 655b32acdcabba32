// Business cases at the edges (issue 12), through the web app on PGlite and PostgreSQL: payback
// said in words where it is not a number, the health discount rate chosen per case and shown
// with its schedule, optimism bias stated per line with its reason (on the page and in the Word
// and PDF documents), money with its minus sign first, amounts beyond what Amber holds refused
// naming the field, and options and lines changed and deleted with version checks, a page that
// asks first, an audit event, and the same permission as adding them.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mammoth from 'mammoth';
import { sql } from 'kysely';
import { ENGINES } from '../../../test/helpers/database.ts';
import { buildTestApp, form, type TestApp } from '../../../test/helpers/app.ts';
import { htmlText, errorSummary } from '../../../test/helpers/html.ts';
import { paths } from '../../paths.ts';
import { systemActor, type Actor } from '../../domain/actor.ts';

const P = paths.efficiency;
const MINUS = '\u2212';

function pdfText(bytes: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'amber-case-pdf-'));
  try {
    writeFileSync(join(dir, 'case.pdf'), bytes);
    return execFileSync('pdftotext', ['-layout', join(dir, 'case.pdf'), '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      ' ',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const engine of ENGINES) {
  describe(`business cases at the edges, editable [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let exerciseId: string;
    let caseId: string;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      exerciseId = (await t.services.diagnostics.listExercises(actor))[0]!.id;
    });
    after(async () => t?.close());

    const get = (url: string) => t.app.inject({ url });
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });
    const count = async (table: string) =>
      Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(t.db)).rows[0]!.n);
    const tables = ['business_case', 'business_case_option', 'business_case_line', 'audit_event'];
    const snapshot = async () => Object.fromEntries(await Promise.all(tables.map(async (x) => [x, await count(x)])));
    const theCase = async () => (await t.services.efficiency.getCase(actor, exerciseId, caseId)).case;
    const optionNamed = async (name: string) => (await theCase()).options.find((o) => o.name === name)!;
    const page = async () => htmlText((await get(P.case(exerciseId, caseId))).body);
    const addOption = async (name: string) => {
      const r = await post(P.caseOptions(exerciseId, caseId), { name, version: (await theCase()).version });
      assert.equal(r.statusCode, 303, r.body.slice(0, 500));
      return optionNamed(name);
    };
    const addLine = async (optionName: string, fields: Record<string, string>) => {
      const o = await optionNamed(optionName);
      return post(P.caseLines(exerciseId, caseId), {
        optionId: o.id,
        kind: 'cost',
        category: 'Other costs',
        label: 'A line',
        version: (await theCase()).version,
        ...fields,
      });
    };

    it('writes a case on the Green Book health rate and shows the schedule it uses', async () => {
      const r = await post(P.cases(exerciseId), {
        title: 'Edges of appraisal',
        baseYear: '2010',
        discountSchedule: 'health',
      });
      assert.equal(r.statusCode, 303, r.body.slice(0, 500));
      caseId = /\/cases\/([0-9a-f-]{36})/.exec(r.headers.location as string)![1]!;
      assert.equal((await theCase()).discountSchedule, 'health');
      assert.match(
        await page(),
        /Discount rate: Green Book health rate \(1\.5%, declining after year 30\): 1\.5% for years 0–30, 1\.286% for years 31–75, 1\.071% for years 76–125, 0\.857% for years 126–200, 0\.643% for years 201–300, 0\.429% after year 300\./,
      );
      // A change that does not name the rate (an API body) keeps the one the case has.
      const kept = await post(P.editCase(exerciseId, caseId), {
        title: 'Edges of appraisal',
        baseYear: '2010',
        version: (await theCase()).version,
      });
      assert.equal(kept.statusCode, 303, kept.body.slice(0, 300));
      assert.equal((await theCase()).discountSchedule, 'health');
      const edit = htmlText((await get(P.editCase(exerciseId, caseId))).body);
      assert.match(edit, /Discount rate .*Green Book standard rate .*Green Book health rate/);
      const bad = await post(P.cases(exerciseId), { title: 'Bad rate', baseYear: '2010', discountSchedule: 'zero' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(errorSummary(bad.body), ['#discountSchedule Select the discount rate']);
    });

    it('says payback in words where it is not a number, in the appraisal and the sensitivities', async () => {
      await addOption('Empty');
      await addOption('Late start');
      await addOption('Falls back');
      for (const [kind, amounts] of [
        ['cost', '0 £1,000'],
        ['benefit', '0 0 £600 £600'],
      ])
        assert.equal((await addLine('Late start', { kind: kind!, amounts: amounts! })).statusCode, 303);
      for (const [kind, amounts] of [
        ['cost', '£100 0 £200 0'],
        ['benefit', '0 £150 0 £50'],
      ])
        assert.equal((await addLine('Falls back', { kind: kind!, amounts: amounts! })).statusCode, 303);
      const text = await page();
      const option = (name: string) => text.slice(text.indexOf(`${name} `, text.indexOf('Options appraised')));
      assert.match(option('Empty'), /^Empty NPSV £0\.0k .*payback — \(no cash flows\)/);
      assert.match(option('Late start'), /Payback 2\.67 years Discounted payback 2\.7\d years/);
      assert.match(
        option('Late start'),
        /Case PVC PVB NPSV BCR Payback Discounted payback Base case [^A-Z]* 2\.67 years/,
      );
      assert.match(option('Falls back'), /Payback Never pays back Discounted payback Never pays back/);
      assert.doesNotMatch(option('Falls back').slice(0, option('Falls back').indexOf('The chart')), /0\.67 years/);
      // A negative NPSV has its minus sign before the pound sign, as every amount does.
      assert.match(option('Falls back'), new RegExp(`Net present social value \\(NPSV\\) ${MINUS}£0\\.1k`));
      assert.doesNotMatch(text, /£-|-£/);
    });

    it('states optimism bias on a line with no category, with its reason, on the page and in Word and PDF', async () => {
      const option = await addOption('Stated bias');
      const before = await snapshot();
      const missing = await addLine('Stated bias', { amounts: '£100,000', optimismBias: 'stated', statedUplift: '10' });
      assert.equal(missing.statusCode, 422);
      assert.deepEqual(errorSummary(missing.body), [
        '#line-optimismBiasReason Give the reason for the stated optimism bias, for example “supplier quotes are firm”',
      ]);
      const both = await addLine('Stated bias', {
        amounts: '£100,000',
        optimismBias: 'outsourcing',
        statedUplift: '10',
        optimismBiasReason: 'x',
      });
      assert.equal(both.statusCode, 422);
      assert.deepEqual(errorSummary(both.body), [
        '#line-statedUplift Choose a Green Book category or state a percentage, not both',
      ]);
      assert.deepEqual(await snapshot(), before, 'a refused line changes nothing');

      const ok = await addLine('Stated bias', {
        label: 'Other costs',
        amounts: '£100,000 £50,000',
        statedUplift: '10',
        optimismBiasReason: 'supplier quotes are firm',
      });
      assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
      const stored = (await optionNamed('Stated bias')).lines[0]!;
      assert.deepEqual(
        [stored.optimismBias, stored.statedUplift, stored.optimismBiasReason],
        [null, 1_000, 'supplier quotes are firm'],
      );
      assert.equal(option.id, (await optionNamed('Stated bias')).id);
      const said = /Other costs \(Other costs\) Stated: 10%, reason: supplier quotes are firm \+10%/;
      const saidInPdf = /Stated: 10%, reason: supplier quotes (\+10% )?are firm/;
      assert.match(await page(), said);
      assert.match(await page(), /0 \(2010\/11\) 100\.0 10\.0 110\.0/, 'the uplift is in the cash flows');
      const docx = await get(P.caseDownload(exerciseId, caseId, 'docx'));
      const words = (await mammoth.extractRawText({ buffer: docx.rawPayload })).value.replace(/\s+/g, ' ');
      assert.match(words, /Stated: 10%, reason: supplier quotes are firm/);
      assert.match(words, /Discount rate: Green Book health rate/);
      assert.match(words, /Never pays back/);
      const pdf = pdfText((await get(P.caseDownload(exerciseId, caseId, 'pdf'))).rawPayload);
      assert.match(pdf, saidInPdf);
      assert.match(pdf, /Discount rate: Green Book health rate/);
    });

    it('refuses amounts beyond what Amber holds naming the field, never a 500, and changes nothing', async () => {
      await addOption('Huge');
      await addOption('Listed');
      assert.equal((await addLine('Huge', { amounts: '£60,000,000,000,000' })).statusCode, 303);
      const before = await snapshot();
      const cases: [string, Record<string, string | string[]> | object, RegExp][] = [
        [
          'a second £60tn line',
          { amounts: '£60,000,000,000,000' },
          /^#line-amounts Line 2 of “Huge”: Year 0: the option’s costs in year 0/,
        ],
        [
          'an amount beyond £90tn',
          { amounts: '0 £100,000,000,000,000' },
          /^#line-amounts Year 1: “£100,000,000,000,000” is more than Amber can hold/,
        ],
        [
          'sixty-two years',
          { amounts: Array(62).fill('1').join(' ') },
          /^#line-amounts Enter at most 61 years \(0 to 60\)/,
        ],
      ];
      for (const [label, fields, message] of cases) {
        const r = await addLine('Huge', fields as Record<string, string>);
        assert.equal(r.statusCode, 422, `${label}: ${r.body.slice(0, 300)}`);
        const summary = errorSummary(r.body);
        assert.equal(summary.length, 1, `${label}: ${summary.join(' | ')}`);
        assert.match(summary[0]!, message, label);
        assert.match(r.body, /id="line-amounts-error"/, `${label}: the message is at the amounts field`);
      }
      // A list of amounts (JSON, or amounts[3] fields) names the item: amounts[3] of line 2.
      const huge = await optionNamed('Listed');
      const json = await t.app.inject({
        method: 'POST',
        url: P.caseLines(exerciseId, caseId),
        headers: { 'content-type': 'application/json' },
        payload: {
          optionId: huge.id,
          kind: 'cost',
          category: 'Other',
          label: 'Listed',
          amounts: ['0', '0', '0', '£60,000,000,000,000'],
          version: (await theCase()).version,
        },
      });
      const json2 = await t.app.inject({
        method: 'POST',
        url: P.caseLines(exerciseId, caseId),
        headers: { 'content-type': 'application/json' },
        payload: {
          optionId: huge.id,
          kind: 'cost',
          category: 'Other',
          label: 'Listed',
          amounts: [0, 0, 0, 60_000_000_000_000],
          version: (await theCase()).version + (json.statusCode === 303 ? 0 : 0),
        },
      });
      assert.equal(json.statusCode, 303, errorSummary(json.body).join(' | '));
      assert.equal(json2.statusCode, 422, json2.body.slice(0, 300));
      assert.deepEqual(errorSummary(json2.body), [
        '#line-amounts-3 Line 2 of “Listed”: Year 3: the option’s costs in year 3, with optimism bias and the costs +20% sensitivity, would add up to more than Amber can hold (about £90 trillion): check the amounts',
      ]);
      const listed = (await optionNamed('Listed')).lines[0]!;
      const bad = await post(P.editCaseLine(exerciseId, caseId, listed.id), {
        optionId: huge.id,
        kind: 'cost',
        category: 'Other',
        label: 'Listed',
        amounts: ['0', '0', '0', '£100,000,000,000,000'],
        version: (await theCase()).version,
      });
      assert.equal(bad.statusCode, 422);
      assert.match(
        errorSummary(bad.body)[0]!,
        /^#amounts-3 Year 3: “£100,000,000,000,000” is more than Amber can hold/,
      );
      assert.deepEqual(await snapshot(), {
        ...before,
        business_case_line: before.business_case_line! + 1,
        audit_event: before.audit_event! + 1,
      });
      assert.equal((await get(P.case(exerciseId, caseId))).statusCode, 200, 'the case still shows');
    });

    it('changes an option and a line, with an audit event each, and refuses a stale version keeping the input', async () => {
      const o = await optionNamed('Late start');
      assert.equal((await get(P.editCaseOption(exerciseId, caseId, o.id))).statusCode, 200);
      const version = (await theCase()).version;
      const r = await post(P.editCaseOption(exerciseId, caseId, o.id), {
        name: 'Late start, renamed',
        preferred: 'yes',
        version,
      });
      assert.equal(r.statusCode, 303, r.body.slice(0, 500));
      const renamed = await optionNamed('Late start, renamed');
      assert.equal(renamed.preferred, true);
      assert.equal(renamed.lines.length, 2, 'its lines stay');
      const events = await sql<{ action: string; before: unknown }>`
        select action, before from audit_event where entity = 'business_case_option' and entity_id = ${o.id}`.execute(
        t.db,
      );
      assert.deepEqual(
        events.rows.map((e) => e.action),
        ['update'],
      );

      // The same form again, from the version before: refused, nothing lost, the input kept.
      const stale = await post(P.editCaseOption(exerciseId, caseId, o.id), { name: 'Stale name', version });
      assert.equal(stale.statusCode, 409);
      assert.match(htmlText(stale.body), /Someone else changed this business case while you were editing it/);
      assert.match(stale.body, /value="Stale name"/);
      assert.equal((await optionNamed('Late start, renamed')).id, o.id);

      const line = renamed.lines[0]!;
      const edit = htmlText((await get(P.editCaseLine(exerciseId, caseId, line.id))).body);
      assert.match(edit, /Change line 1 of “Late start, renamed”/);
      const changed = await post(P.editCaseLine(exerciseId, caseId, line.id), {
        optionId: o.id,
        kind: 'cost',
        category: 'Programme',
        label: 'Programme team',
        optimismBias: 'stated',
        statedUplift: '12.5',
        optimismBiasReason: 'an estimate',
        amounts: '0 £1,000',
        version: (await theCase()).version,
      });
      assert.equal(changed.statusCode, 303, changed.body.slice(0, 500));
      const after = (await optionNamed('Late start, renamed')).lines[0]!;
      assert.deepEqual([after.id, after.label, after.statedUplift], [line.id, 'Programme team', 1_250]);
      const lineStale = await post(P.editCaseLine(exerciseId, caseId, line.id), {
        optionId: o.id,
        kind: 'cost',
        category: 'Programme',
        label: 'Kept in the form',
        amounts: '0 £1,000',
        version,
      });
      assert.equal(lineStale.statusCode, 409);
      assert.match(lineStale.body, /value="Kept in the form"/);
      const lineEvents = await sql<{ action: string }>`
        select action from audit_event where entity = 'business_case_line' and entity_id = ${line.id} order by occurred_at`.execute(
        t.db,
      );
      assert.deepEqual(
        lineEvents.rows.map((e) => e.action),
        ['create', 'update'],
      );
    });

    it('asks before deleting a line or an option, then deletes it with an audit event', async () => {
      const o = await optionNamed('Falls back');
      const line = o.lines[1]!;
      const ask = await get(P.deleteCaseLine(exerciseId, caseId, line.id));
      assert.equal(ask.statusCode, 200);
      assert.match(
        htmlText(ask.body),
        /Are you sure you want to delete line 2 of “Falls back”\? Benefit: A line \(Other costs\), £0, £150, £0, £50 from year 0\./,
      );
      const before = await snapshot();
      const stale = await post(P.deleteCaseLine(exerciseId, caseId, line.id), { version: 1 });
      assert.equal(stale.statusCode, 409);
      assert.deepEqual(await snapshot(), before, 'a stale delete deletes nothing');
      const r = await post(P.deleteCaseLine(exerciseId, caseId, line.id), { version: (await theCase()).version });
      assert.equal(r.statusCode, 303);
      assert.deepEqual(
        (await optionNamed('Falls back')).lines.map((l) => l.id),
        [o.lines[0]!.id],
      );
      const ev = await sql<{ action: string; before: { label: string } }>`
        select action, before from audit_event where entity = 'business_case_line' and entity_id = ${line.id} and action = 'delete'`.execute(
        t.db,
      );
      assert.equal(ev.rows.length, 1);

      const askOption = htmlText((await get(P.deleteCaseOption(exerciseId, caseId, o.id))).body);
      assert.match(
        askOption,
        /Are you sure you want to delete the option “Falls back”\? Its 1 cost and benefit line will be deleted with it\./,
      );
      const gone = await post(P.deleteCaseOption(exerciseId, caseId, o.id), { version: (await theCase()).version });
      assert.equal(gone.statusCode, 303);
      assert.equal(
        (await theCase()).options.find((x) => x.id === o.id),
        undefined,
      );
      assert.equal(
        Number(
          (
            await sql<{ n: string }>`select count(*) as n from business_case_line where option_id = ${o.id}`.execute(
              t.db,
            )
          ).rows[0]!.n,
        ),
        0,
      );
      assert.equal((await get(P.deleteCaseOption(exerciseId, caseId, o.id))).statusCode, 404);
    });

    it('lets only those who may add options change or delete them, and never on an approved case', async () => {
      const viewer = await t.signIn(['viewer']);
      const o = await optionNamed('Empty');
      const before = await snapshot();
      for (const url of [P.editCaseOption(exerciseId, caseId, o.id), P.deleteCaseOption(exerciseId, caseId, o.id)]) {
        assert.equal((await t.app.inject({ url, headers: viewer.headers })).statusCode, 403, url);
        const r = await t.app.inject({
          method: 'POST',
          url,
          headers: { ...viewer.headers, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `name=x&version=${(await theCase()).version}`,
        });
        assert.equal(r.statusCode, 403, url);
      }
      assert.deepEqual(await snapshot(), before);

      const approved = (await t.services.efficiency.cases(actor, exerciseId)).cases.find(
        (c) => c.status === 'approved',
      )!;
      const option = approved.options[0]!;
      const refused = await post(P.deleteCaseOption(exerciseId, approved.id, option.id), { version: approved.version });
      assert.equal(refused.statusCode, 422);
      assert.match(
        htmlText(refused.body),
        /This business case is approved: its options and cash flows can no longer change/,
      );
      assert.deepEqual(await snapshot(), before);
      assert.doesNotMatch((await get(P.case(exerciseId, approved.id))).body, /data-qa="delete-option"/);
    });
  });
}
