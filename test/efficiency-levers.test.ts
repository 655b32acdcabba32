// Savings worked out from the diagnostic's data through the web app (issue 12), on PGlite and
// PostgreSQL: the opportunity form shows each lever's figures with the sentences that derive
// them, saving with the figures blank accepts them, saving other figures needs a reason and keeps
// both, and pool costs that contradict the taxonomy's hierarchy are refused naming both
// opportunities. The expected figures come from the domain calculators fed with the baseline's
// own numbers, so the page is checked against the method, not against itself.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText, errorSummary } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { formatMoney, pence } from '../src/domain/diagnostic/money.ts';
import { spansAndLayersLever, unitCostGapLever } from '../src/domain/diagnostic/levers.ts';

const P = paths.efficiency;

for (const engine of ENGINES) {
  describe(`savings worked out from the data [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let exerciseId: string;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      exerciseId = (await t.services.diagnostics.listExercises(actor))[0]!.id;
    });
    after(async () => t?.close());
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from opportunity`.execute(t.db)).rows[0]!.n);
    const opportunity = async (title: string) =>
      (await t.services.efficiency.opportunities(actor, exerciseId)).opportunities.find((o) => o.title === title);
    const spans = {
      title: 'Wider spans of control',
      lever: 'spans-and-layers',
      costPool: 'MANAGERS',
      targetSpan: '10',
      realisation: '50',
      confidence: 'medium',
    };

    it('shows the spans-and-layers working for a target span the officer chooses, saving nothing', async () => {
      const before = await count();
      const res = await post(P.opportunities(exerciseId), { ...spans, action: 'work-out' });
      assert.equal(res.statusCode, 200);
      const b = (await t.services.diagnostics.getBaseline(actor, exerciseId)) as unknown as {
        spans: { managers: number; workers: number; reports: number };
        managerPay: number;
      };
      const expected = spansAndLayersLever({
        managers: b.spans.managers,
        workers: b.spans.workers,
        reports: b.spans.reports,
        managerPay: pence(b.managerPay),
        targetSpan: 10,
        realisation: 5_000,
      });
      assert.ok(expected.ok);
      const text = htmlText(res.body);
      assert.match(text, new RegExp(`${b.spans.managers} managers for ${b.spans.workers} staff, average span`));
      assert.ok(text.includes(expected.working.lines.central), `the page shows “${expected.working.lines.central}”`);
      assert.match(res.body, /data-qa="working-central"/);
      assert.equal(await count(), before, 'working it out saved nothing');
    });

    it('says which field stops the working when "Work it out" is pressed with a benchmark not of this exercise', async () => {
      const before = await count();
      const res = await post(P.opportunities(exerciseId), {
        ...spans,
        benchmarkSetId: '00000000-0000-4000-8000-000000000001',
        action: 'work-out',
      });
      assert.equal(res.statusCode, 200);
      const text = htmlText(res.body);
      assert.match(text, /There is a problem/);
      assert.match(text, /Select a benchmark of this exercise from the list/);
      assert.match(res.body, /href="#benchmarkSetId"/);
      assert.doesNotMatch(res.body, /data-qa="working-central"/);
      assert.equal(await count(), before, 'nothing saved');
    });

    it('lets the baseline page compare with any target span, and leads to the working at that span', async () => {
      const b = (await t.services.diagnostics.getBaseline(actor, exerciseId)) as unknown as {
        spans: { managers: number; workers: number };
      };
      const needed = Math.ceil((b.spans.workers - 1) / 9);
      const page = await t.app.inject({ url: `${paths.diagnostic.baseline(exerciseId)}?targetSpan=10` });
      assert.equal(page.statusCode, 200);
      const text = htmlText(page.body);
      assert.match(text, new RegExp(`Managers needed for a span of 10 \\(M\\*\\) ${needed} `));
      assert.ok(page.body.includes(`${P.newOpportunity(exerciseId)}?lever=spans-and-layers&amp;targetSpan=10`));
      const wrong = await t.app.inject({ url: `${paths.diagnostic.baseline(exerciseId)}?targetSpan=1` });
      assert.match(htmlText(wrong.body), /Enter a target span as a whole number from 2 to 50/);
      assert.match(htmlText(wrong.body), /Managers needed for a span of 6 /);
      const form = await t.app.inject({ url: `${P.newOpportunity(exerciseId)}?lever=spans-and-layers&targetSpan=10` });
      assert.match(form.body, /data-qa="working-central"/);
      assert.match(htmlText(form.body), /at a target of 10, /);
    });

    it('accepts the worked-out figures when the savings are left blank, and keeps the working', async () => {
      const res = await post(P.opportunities(exerciseId), spans);
      assert.equal(res.statusCode, 303, htmlText(res.body).slice(0, 400));
      const o = (await opportunity(spans.title))!;
      assert.ok(o.computed, 'the computed figures are kept');
      assert.deepEqual([o.low, o.central, o.high], [o.computed.low, o.computed.central, o.computed.high]);
      assert.ok(o.central > 0, 'the demo has more managers than a span of 10 needs');
      assert.match(o.working, /managers for .* staff, average span .* Central: at a target of 10, /);
      assert.deepEqual(o.inputs, { targetSpan: 10, realisation: 5_000 });
      assert.equal(o.overrideReason, '');
      const list = htmlText((await t.app.inject({ url: P.opportunities(exerciseId) })).body);
      assert.match(list, /Wider spans of control .* Worked out from the data/);
    });

    it('asks why when the officer’s figures differ from the working, then keeps both', async () => {
      const o = (await opportunity(spans.title))!;
      const mine = { low: '£1,000', central: '£2,000', high: '£3,000' };
      const before = await t.services.efficiency.getOpportunity(actor, exerciseId, o.id);
      const refused = await post(P.editOpportunity(exerciseId, o.id), {
        ...spans,
        ...mine,
        version: String(o.version),
      });
      assert.equal(refused.statusCode, 422);
      const errors = errorSummary(refused.body);
      assert.equal(errors.length, 1);
      assert.ok(errors[0]!.startsWith('#overrideReason '), errors[0]);
      assert.match(
        errors[0]!,
        new RegExp(
          `Say why you are changing the worked-out savings \\(${formatMoney(o.computed!.low).replace(/[$()*+.?[\\\]^{|}]/g, '\\$&')}`,
        ),
      );
      assert.deepEqual(await t.services.efficiency.getOpportunity(actor, exerciseId, o.id), before, 'nothing changed');

      const reason = 'Two manager posts are already being deleted in the restructure';
      const saved = await post(P.editOpportunity(exerciseId, o.id), {
        ...spans,
        ...mine,
        overrideReason: reason,
        version: String(o.version),
      });
      assert.equal(saved.statusCode, 303);
      const after = (await opportunity(spans.title))!;
      assert.deepEqual([after.low, after.central, after.high], [pence(100_000), pence(200_000), pence(300_000)]);
      assert.deepEqual(after.computed, o.computed, 'the worked-out figures are kept beside the officer’s');
      assert.equal(after.overrideReason, reason);
      const list = htmlText((await t.app.inject({ url: P.opportunities(exerciseId) })).body);
      assert.ok(list.includes(`Changed from the worked-out ${formatMoney(o.computed!.low)}`));
      assert.ok(list.includes(reason));
    });

    it('prices a unit-cost benchmark with the Volumes sheet’s volume of the process', async () => {
      const bench = await post(P.benchmarks(exerciseId), {
        indicator: 'Cost per invoice paid',
        unit: '£ per invoice',
        direction: 'lower-is-better',
        functionCode: 'FIN',
        source: 'Test benchmarking club',
        year: '2009/10',
        peerGroup: 'Shire counties',
        n: '9',
        p25: '0.50',
        p50: '0.80',
        p75: '1.10',
      });
      assert.equal(bench.statusCode, 303, htmlText(bench.body).slice(0, 400));
      const set = (await t.services.efficiency.benchmarks(actor, exerciseId)).sets.find(
        (s) => s.set.indicator === 'Cost per invoice paid',
      )!.set;
      const fields = {
        title: 'Accounts payable at the median cost per invoice',
        lever: 'benchmark-gap',
        costPool: 'FIN-AP',
        benchmarkSetId: set.id,
        achievability: '100',
        confidence: 'high',
      };
      const res = await post(P.opportunities(exerciseId), fields);
      assert.equal(res.statusCode, 303, htmlText(res.body).slice(0, 600));
      const b = (await t.services.diagnostics.getBaseline(actor, exerciseId)) as unknown as {
        unitCosts: Record<string, { volume: number; driver: string; unitCost: number }>;
      };
      const ap = b.unitCosts['FIN-AP']!;
      assert.equal(ap.volume, 96_000);
      const expected = unitCostGapLever({
        what: 'x',
        value: ap.unitCost / 100,
        volume: ap.volume,
        driver: ap.driver,
        set: { ...set },
        direction: 'lower-is-better',
        achievability: 10_000,
      });
      assert.ok(expected.ok);
      const o = (await opportunity(fields.title))!;
      assert.deepEqual(
        [o.low, o.central, o.high],
        [expected.working.low, expected.working.central, expected.working.high],
      );
      assert.match(o.working, /a unit for 96,000 invoices paid\./);
    });

    it('refuses a process pool dearer than its function, naming both opportunities, and changes nothing', async () => {
      const finance = await post(P.opportunities(exerciseId), {
        title: 'Finance restructure',
        lever: 'standardisation',
        costPool: 'FIN',
        poolCost: '£1,000,000',
        low: '£600,000',
        central: '£800,000',
        high: '£900,000',
        confidence: 'low',
      });
      assert.equal(finance.statusCode, 303, htmlText(finance.body).slice(0, 600));
      const before = await count();
      const res = await post(P.opportunities(exerciseId), {
        title: 'Accounts payable to the centre',
        lever: 'sourcing',
        costPool: 'FIN-AP',
        poolCost: '£1,500,000',
        low: '£300,000',
        central: '£400,000',
        high: '£500,000',
        confidence: 'low',
      });
      assert.equal(res.statusCode, 422);
      const text = errorSummary(res.body).join(' ');
      assert.match(text, /FIN-AP costs £1,500,000 here, more than its function FIN/);
      assert.match(text, /in “Finance restructure”/);
      assert.equal(await count(), before);
    });

    it('combines a process inside its function without going above the function', async () => {
      const res = await post(P.opportunities(exerciseId), {
        title: 'Accounts payable to the centre',
        lever: 'sourcing',
        costPool: 'FIN-AP',
        poolCost: '£500,000',
        low: '£300,000',
        central: '£400,000',
        high: '£450,000',
        confidence: 'low',
      });
      assert.equal(res.statusCode, 303, htmlText(res.body).slice(0, 600));
      const { pools } = await t.services.efficiency.opportunities(actor, exerciseId);
      const fin = pools.find((p) => p.costPool === 'FIN')!;
      assert.equal(fin.level, 'function');
      assert.ok(
        fin.children.some((c) => c.costPool === 'FIN-AP'),
        'accounts payable is shown inside Finance',
      );
      assert.ok(fin.central <= fin.poolCost, `${formatMoney(fin.central)} is within ${formatMoney(fin.poolCost)}`);
      assert.ok(fin.central < fin.naive.central, 'the overlap is taken out');
      const page = htmlText((await t.app.inject({ url: P.opportunities(exerciseId) })).body);
      assert.match(page, /FIN ⊃ FIN-AP \(process\)/);
    });

    it('warns, naming both, where spans and layers and a Finance lever save the same managers’ pay, and counts it once', async () => {
      const b = (await t.services.diagnostics.getBaseline(actor, exerciseId)) as unknown as {
        managerPay: number;
        managerPayWithin: Record<string, number>;
        exercise: { taxonomy: { functions: { code: string }[] } };
      };
      const functions = b.exercise.taxonomy.functions.map((f) => f.code);
      const inFunctions = functions.reduce((n, f) => n + (b.managerPayWithin[f] ?? 0), 0);
      assert.ok(b.managerPayWithin.FIN! > 0, 'the demo’s managers spend time on Finance');
      assert.ok(inFunctions <= b.managerPay, 'managers’ pay in the functions is part of their pay');
      const { opportunities, pools, total, overlaps } = await t.services.efficiency.opportunities(actor, exerciseId);
      const spansOpp = opportunities.find((o) => o.title === spans.title)!;
      const w = overlaps.find((x) => x.pool === 'MANAGERS' && x.otherPool === 'FIN');
      assert.ok(w, 'a warning on MANAGERS and FIN');
      assert.ok(w.opportunityIds.includes(spansOpp.id));
      const finance = opportunities.filter((o) => o.costPool === 'FIN' || o.costPool.startsWith('FIN-'));
      assert.deepEqual(new Set(w.otherOpportunityIds), new Set(finance.map((o) => o.id)));
      for (const o of [spansOpp, ...finance]) assert.ok(w.message.includes(`“${o.title}”`), o.title);
      // What is taken out: the managers’ pay in Finance × the MANAGERS pool’s share saved × Finance’s.
      const m = pools.find((p) => p.costPool === 'MANAGERS')!;
      const fin = pools.find((p) => p.costPool === 'FIN')!;
      const shared = Math.min(b.managerPayWithin.FIN!, fin.poolCost, m.poolCost);
      assert.equal(w.shared, shared);
      const expected = Math.round((shared * m.central * fin.central) / (m.poolCost * fin.poolCost));
      assert.ok(Math.abs(w.deducted.central - expected) <= 1, `${w.deducted.central} against ${expected}`);
      const added = pools.reduce((n, p) => n + p.central, 0);
      assert.equal(total.central, added - overlaps.reduce((n, x) => n + x.deducted.central, 0));
      const page = htmlText((await t.app.inject({ url: P.opportunities(exerciseId) })).body);
      assert.match(page, new RegExp(`Warning “${spans.title}” \\(MANAGERS\\) and .*both save managers’ pay in FIN`));
      const overview = htmlText((await t.app.inject({ url: P.overview(exerciseId) })).body);
      assert.match(overview, /Warning “Wider spans of control” \(MANAGERS\)/);
      assert.match(overview, new RegExp(`central ${formatMoney(total.central).replace('£', '£')}`));
    });

    it('deletes an opportunity after asking, refusing a stale version and changing nothing then', async () => {
      const o = (await opportunity(spans.title))!;
      const confirm = await t.app.inject({ url: P.deleteOpportunity(exerciseId, o.id) });
      assert.equal(confirm.statusCode, 200);
      assert.match(htmlText(confirm.body), /Are you sure you want to delete the opportunity Wider spans of control\?/);
      const before = await count();
      const stale = await post(P.deleteOpportunity(exerciseId, o.id), { version: String(o.version - 1) });
      assert.equal(stale.statusCode, 409);
      assert.equal(await count(), before);
      const done = await post(P.deleteOpportunity(exerciseId, o.id), { version: String(o.version) });
      assert.equal(done.statusCode, 303);
      assert.equal(await count(), before - 1);
      assert.equal(await opportunity(spans.title), undefined);
      const audit = await sql<{
        n: string;
      }>`select count(*) as n from audit_event where entity = 'opportunity' and entity_id = ${o.id} and action = 'delete'`.execute(
        t.db,
      );
      assert.equal(Number(audit.rows[0]!.n), 1);
    });

    it('refuses to delete an opportunity a business case is for, or a benchmark an opportunity was worked out from', async () => {
      const { cases } = await t.services.efficiency.cases(actor, exerciseId);
      const withCase = (await t.services.efficiency.opportunities(actor, exerciseId)).opportunities.find(
        (o) => o.id === cases[0]!.opportunityId,
      )!;
      const page = htmlText((await t.app.inject({ url: P.deleteOpportunity(exerciseId, withCase.id) })).body);
      assert.match(page, /cannot be deleted/);
      assert.ok(page.includes(`the business case “${cases[0]!.title}”`), page.slice(0, 600));
      const before = await count();
      const refused = await post(P.deleteOpportunity(exerciseId, withCase.id), { version: String(withCase.version) });
      assert.equal(refused.statusCode, 422);
      assert.equal(await count(), before);

      const set = (await t.services.efficiency.benchmarks(actor, exerciseId)).sets.find(
        (s) => s.set.indicator === 'Cost per invoice paid',
      )!.set;
      const b = await post(P.deleteBenchmark(exerciseId, set.id), { version: String(set.version) });
      assert.equal(b.statusCode, 422);
      assert.match(
        errorSummary(b.body).join(' '),
        /“Accounts payable at the median cost per invoice” was worked out from this benchmark/,
      );
      assert.ok(await t.services.efficiency.getBenchmark(actor, exerciseId, set.id));
    });

    it('names the field when a lever cannot be worked out, and asks for the figures', async () => {
      const res = await post(P.opportunities(exerciseId), {
        title: 'Shift calls online',
        lever: 'automation',
        costPool: 'FIN',
        shiftedShare: '40',
        targetUnitCost: '£1.20',
        confidence: 'low',
      });
      assert.equal(res.statusCode, 422);
      const errors = errorSummary(res.body);
      assert.ok(errors[0]!.startsWith('#costPool '), errors[0]);
      assert.match(
        errors[0]!,
        /worked out for one process: choose a process as the cost pool; or enter the three savings/,
      );
    });
  });
}
