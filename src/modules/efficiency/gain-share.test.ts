// Gain-share agreements of any shape through the web app, on PGlite and PostgreSQL (issue 12): a
// form of tranche rows (presets A and B as starting points, blank rows ignored, "add another row"
// without JavaScript), refusals naming the row and field, changed tranches used by the next
// evaluation while stored ones stay as they were, deletion refused while evaluations exist, and
// the sentence exact at £4,999,999.99.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from '../../../test/helpers/database.ts';
import { buildTestApp, form, type TestApp } from '../../../test/helpers/app.ts';
import { htmlText, errorSummary } from '../../../test/helpers/html.ts';
import { fingerprint } from '../../../test/helpers/fingerprint.ts';
import { paths } from '../../paths.ts';
import { systemActor, type Actor } from '../../domain/actor.ts';
import { pounds } from '../../domain/diagnostic/money.ts';
import { topUpQualifying } from '../../../test/builders/qualifying-savings.ts';

const P = paths.efficiency;

/** The agreement form's fields: contributions and rows of [threshold, repayment, inclusive]. */
function terms(name: string, rows: [string, string, boolean][], change: Record<string, string> = {}) {
  const fields: Record<string, string> = {
    name,
    funder: 'Local Partnerships',
    council: 'the council',
    totalCost: '£150,000',
    funderContribution: '£100,000',
    councilContribution: '£50,000',
    ...change,
  };
  rows.forEach(([threshold, repayment, inclusive], i) => {
    fields[`tranches[${i}][threshold]`] = threshold;
    fields[`tranches[${i}][repayment]`] = repayment;
    if (inclusive) fields[`tranches[${i}][inclusive]`] = 'yes';
  });
  return fields;
}

for (const engine of ENGINES) {
  describe(`gain-share agreements of any shape [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let ex: string;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      ex = (await t.services.diagnostics.listExercises(actor))[0]!.id;
      // The tranches below are tried at £250,000 qualifying: the demo's few thousand and this test's rest.
      await topUpQualifying(t.services, actor, ex, pounds(250_000));
    });
    after(async () => t?.close());
    const get = (url: string) => t.app.inject({ url });
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });
    const agreements = async () => (await t.services.efficiency.gainShare(actor, ex)).agreements;
    const named = async (name: string) => (await agreements()).find((g) => g.agreement.name === name)!;

    it('offers presets A and B as a starting point, in rows with blank ones to fill in', async () => {
      const b = await get(P.newAgreement(ex));
      assert.equal(b.statusCode, 200);
      assert.match(b.body, /name="tranches\[1\]\[threshold\]" type="text" value="£6,000,000"/);
      assert.match(
        b.body,
        /name="tranches\[3\]\[threshold\]" type="text" value=""/,
        'two blank rows under the two typed',
      );
      const a = await get(P.newAgreement(ex, 'A'));
      assert.match(a.body, /name="tranches\[1\]\[threshold\]" type="text" value="£5,000,000"/);
      assert.match(
        htmlText((await get(P.gainShare(ex))).body),
        /Describe an agreement with its own contributions and tranches/,
      );
    });

    it('adds another row by submitting, saving nothing', async () => {
      const before = await fingerprint(t.db);
      const r = await post(P.agreements(ex), {
        ...terms('Rows', [
          ['£1m', '£50K', true],
          ['', '', true],
          ['', '', true],
        ]),
        rows: '3',
        intent: 'add-row',
      });
      assert.equal(r.statusCode, 200);
      assert.equal((r.body.match(/data-qa="tranche-row"/g) ?? []).length, 4);
      assert.match(r.body, /name="tranches\[0\]\[threshold\]" type="text" value="£1m"/, 'what was typed is kept');
      assert.deepEqual(await fingerprint(t.db), before);
    });

    it('saves an agreement of three tranches as custom, and the presets’ terms as their reading', async () => {
      const r = await post(
        P.agreements(ex),
        terms('Three steps', [
          ['£250,000', '£10,000', true],
          ['£2m', '£40K', false],
          ['', '', true],
          ['£3,000,000', '£50,000', true],
        ]),
      );
      assert.equal(r.statusCode, 303, htmlText(r.body).slice(0, 500));
      assert.equal(r.headers.location, `${P.gainShare(ex)}?saved=agreement`);
      const g = await named('Three steps');
      assert.equal(g.agreement.reading, 'custom');
      assert.deepEqual(g.agreement.tranches, [
        { threshold: pounds(250_000), repayment: pounds(10_000), inclusive: true },
        { threshold: pounds(2_000_000), repayment: pounds(40_000), inclusive: false },
        { threshold: pounds(3_000_000), repayment: pounds(50_000), inclusive: true },
      ]);
      assert.match(g.now.explanation, /^Qualifying savings of £250K reach 1 of 3 tranches \(£250K\)/);
      const preset = await post(
        P.agreements(ex),
        terms('Typed as reading A', [
          ['£1m', '£50K', true],
          ['£5m', '£50K', true],
        ]),
      );
      assert.equal(preset.statusCode, 303);
      assert.equal((await named('Typed as reading A')).agreement.reading, 'A');
    });

    it('refuses tranches out of order, of nothing, or beyond the funder’s contribution, naming each row, and saves nothing', async () => {
      const before = await fingerprint(t.db);
      const cases: [string, Record<string, string>, string[]][] = [
        [
          'descending thresholds and a repayment of nothing',
          terms('Bad', [
            ['£5m', '£50K', true],
            ['£1m', '£0', true],
          ]),
          ['#tranches-1-threshold', '#tranches-1-repayment'],
        ],
        ['money that is not money', terms('Bad', [['a lot', '£50K', true]]), ['#tranches-0-threshold']],
        [
          'repayments beyond the contribution',
          terms('Bad', [
            ['£1m', '£60K', true],
            ['£2m', '£50K', true],
          ]),
          ['#tranches'],
        ],
        [
          'contributions that do not add up',
          terms('Bad', [['£1m', '£50K', true]], { councilContribution: '£40,000' }),
          ['#councilContribution'],
        ],
        ['no name', terms('', [['£1m', '£50K', true]]), ['#name']],
      ];
      for (const [label, fields, named] of cases) {
        const r = await post(P.agreements(ex), fields);
        assert.equal(r.statusCode, 422, label);
        assert.deepEqual(
          errorSummary(r.body).map((e) => e.split(' ')[0]),
          named,
          `${label}: ${errorSummary(r.body).join(' | ')}`,
        );
        for (const href of named)
          assert.match(r.body, new RegExp(`id="${href.slice(1)}-error"|id="${href.slice(1)}"`), `${label}: ${href}`);
      }
      const order = await post(
        P.agreements(ex),
        terms('Bad', [
          ['£5m', '£50K', true],
          ['£1m', '£50K', true],
        ]),
      );
      assert.deepEqual(errorSummary(order.body), [
        '#tranches-1-threshold Tranche 2’s threshold (£1.0m) must be more than tranche 1’s (£5.0m): list the tranches from the lowest threshold up',
      ]);
      const over = await post(
        P.agreements(ex),
        terms('Bad', [
          ['£1m', '£60K', true],
          ['£2m', '£50K', true],
        ]),
      );
      assert.deepEqual(errorSummary(over.body), [
        '#tranches The tranches repay £110K, more than Local Partnerships’ contribution of £100K',
      ]);
      assert.deepEqual(await fingerprint(t.db), before);
    });

    it('uses changed tranches for the next evaluation and keeps every stored evaluation as it was', async () => {
      const demo = (await agreements())[0]!;
      assert.ok(demo.evaluations.length >= 1, 'the demo agreement has been evaluated');
      const stored = demo.evaluations.map((e) => [e.id, e.due, e.explanation]);
      const edit = await get(P.editAgreement(ex, demo.agreement.id));
      assert.equal(edit.statusCode, 200);
      assert.match(
        htmlText(edit.body),
        /has been evaluated 1 time\. Those stored evaluations keep the terms they used/,
      );
      const r = await post(P.editAgreement(ex, demo.agreement.id), {
        ...terms(demo.agreement.name, [
          ['£200,000', '£20,000', true],
          ['£6m', '£50K', true],
        ]),
        version: String(demo.agreement.version),
      });
      assert.equal(r.statusCode, 303, htmlText(r.body).slice(0, 500));
      assert.equal(r.headers.location, `${P.gainShare(ex)}?saved=agreement-changed`);
      const stale = await post(P.editAgreement(ex, demo.agreement.id), {
        ...terms('Lost', [['£1m', '£50K', true]]),
        version: String(demo.agreement.version),
      });
      assert.equal(stale.statusCode, 409);
      assert.match(htmlText(stale.body), /Someone else changed this agreement while you were editing it/);
      assert.equal((await post(P.evaluate(ex, demo.agreement.id), { evaluatedOn: '1 April 2011' })).statusCode, 303);
      const after = (await agreements())[0]!;
      assert.equal(after.agreement.reading, 'custom');
      assert.equal(after.evaluations[0]!.due, pounds(20_000), 'the new evaluation uses the new tranches');
      assert.match(after.evaluations[0]!.explanation, /reach 1 of 2 tranches \(£200K\)/);
      assert.deepEqual(
        after.evaluations.slice(1).map((e) => [e.id, e.due, e.explanation]),
        stored,
        'the stored evaluations are as they were',
      );
      const audits = await sql<{
        n: string;
      }>`select count(*) as n from audit_event where entity = 'gain_share_agreement' and action = 'update' and entity_id = ${demo.agreement.id}`.execute(
        t.db,
      );
      assert.equal(Number(audits.rows[0]!.n), 1);
    });

    it('refuses to delete an agreement that has evaluations, saying why, and deletes one that has none', async () => {
      const demo = (await agreements())[0]!;
      const page = await get(P.deleteAgreement(ex, demo.agreement.id));
      assert.equal(page.statusCode, 200);
      assert.match(
        htmlText(page.body),
        /cannot be deleted This agreement has 2 stored evaluations: dated records of what was due, which are kept/,
      );
      assert.doesNotMatch(page.body, /data-qa="confirm-delete"/);
      const before = await fingerprint(t.db);
      const refused = await post(P.deleteAgreement(ex, demo.agreement.id), { version: String(demo.agreement.version) });
      assert.equal(refused.statusCode, 422);
      assert.deepEqual(await fingerprint(t.db), before);

      const three = await named('Three steps');
      assert.match(
        htmlText((await get(P.deleteAgreement(ex, three.agreement.id))).body),
        /Are you sure you want to delete the agreement Three steps\?/,
      );
      assert.equal((await post(P.deleteAgreement(ex, three.agreement.id), { version: '99' })).statusCode, 409);
      const r = await post(P.deleteAgreement(ex, three.agreement.id), { version: String(three.agreement.version) });
      assert.equal(r.statusCode, 303);
      assert.ok(!(await agreements()).some((g) => g.agreement.id === three.agreement.id));
    });

    it('says exactly what is due at £4,999,999.99 under reading A, never that it reaches £5m', async () => {
      const a = await named('Typed as reading A');
      const { opportunities } = await t.services.efficiency.opportunities(actor, ex);
      // £250,000 qualifying (see before); £4,749,999.99 more makes £4,999,999.99.
      const s = await t.services.efficiency.createSaving(actor, ex, {
        opportunityId: opportunities[0]!.id,
        financialYear: '2011/12',
        stage: 'realised',
        amount: '£4,749,999.99',
        cashable: 'yes',
        recurring: 'yes',
        additional: 'yes',
      });
      await t.services.efficiency.verifySaving(actor, ex, s.id, { version: String(s.version) });
      const page = htmlText((await get(P.gainShare(ex))).body);
      const section = page.slice(page.indexOf('Typed as reading A'));
      assert.match(
        section,
        /Qualifying savings of £4,999,999\.99 reach 1 of 2 tranches \(£1\.0m\), so the council repays £50K of Local Partnerships’ £100K: the council bears £100K and Local Partnerships £50K of the £150K cost\. The next tranche, a further £50K, is due when savings reach £5\.0m \(£0\.01 more\)\./,
      );
      assert.doesNotMatch(page, /£5\.0m reach/);
      assert.equal((await post(P.evaluate(ex, a.agreement.id), { evaluatedOn: '2 April 2012' })).statusCode, 303);
      assert.equal((await named('Typed as reading A')).evaluations[0]!.due, pounds(50_000));
    });

    it('lets only those who may edit change or delete an agreement', async () => {
      const demo = (await agreements())[0]!;
      const contributor = await t.signIn(['contributor']);
      for (const url of [
        P.newAgreement(ex),
        P.editAgreement(ex, demo.agreement.id),
        P.deleteAgreement(ex, demo.agreement.id),
      ])
        assert.equal((await t.app.inject({ url, headers: contributor.headers })).statusCode, 403, url);
      const write = await t.app.inject({
        method: 'POST',
        url: P.editAgreement(ex, demo.agreement.id),
        headers: { ...contributor.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(terms('Taken over', [['£1m', '£50K', true]])).toString(),
      });
      assert.equal(write.statusCode, 403);
      assert.notEqual((await agreements())[0]!.agreement.name, 'Taken over');
    });
  });
}
