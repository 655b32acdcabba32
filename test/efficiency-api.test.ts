// The efficiency diagnostic and its programme through the JSON API (issue 12), on PGlite and
// PostgreSQL: every read answers for the demo exercise with money in whole pence and the computed
// figures (baseline, appraisal, ledger totals, gain-share due now); writes take the forms' input,
// refuse bad input naming each field and change nothing, refuse a stale version; an opportunity
// accepts the lever's worked-out figures when its own are left out and asks why when they differ;
// the OpenAPI document lists every operation; another organisation's exercise is not found, and
// people who may only read, or not even that, are refused.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, type TestApp, type TestSession } from './helpers/app.ts';
import { fingerprint } from './helpers/fingerprint.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';
import { DEFAULT_TAXONOMY_ID } from '../src/domain/diagnostic/taxonomy.ts';

const A = paths.api;
type Json = Record<string, any>;

/** Keys that hold money wherever they appear in the answers checked: each must be whole pence. */
const MONEY = new Set([
  'runningCosts',
  'payCost',
  'poolCost',
  'low',
  'central',
  'high',
  'amount',
  'pvc',
  'pvb',
  'npsv',
  'due',
  'councilCost',
  'funderCost',
  'qualifyingSavings',
  'qualifying',
  'totalCost',
  'funderContribution',
  'councilContribution',
  'threshold',
  'repayment',
  'backOffice',
]);
/** Every money value found under `value` (numbers only: `cashable` is a flag on an entry, a total in the ledger). */
function moneyIn(value: unknown, key = '', out: number[] = []): number[] {
  if (Array.isArray(value)) value.forEach((v) => moneyIn(v, key, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) moneyIn(v, MONEY.has(k) ? k : MONEY.has(key) ? key : '', out);
  else if (typeof value === 'number' && MONEY.has(key)) out.push(value);
  return out;
}

for (const engine of ENGINES)
  describe(`the efficiency diagnostic through the JSON API [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    let ex: string;
    let reader: TestSession;
    let viewer: TestSession;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
      ex = (await t.services.diagnostics.listExercises(actor))[0]!.id;
      reader = await t.signIn(['contributor']);
      viewer = await t.signIn(['viewer']);
    });
    after(async () => t?.close());

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: Json, session?: TestSession) =>
      t.app.inject({
        method,
        url,
        ...(payload !== undefined ? { payload } : {}),
        ...(session ? { headers: session.headers } : {}),
      });
    const get = (url: string) => call('GET', url);
    const fields = (r: { json(): Json }) => (r.json().errors as { field: string }[]).map((e) => e.field);

    it('answers every read for the demo exercise, with the computed figures and money in whole pence', async () => {
      const { sets } = await t.services.efficiency.benchmarks(actor, ex);
      const { opportunities } = await t.services.efficiency.opportunities(actor, ex);
      const { cases } = await t.services.efficiency.cases(actor, ex);
      const { projects } = await t.services.efficiency.plan(actor, ex);
      const { entries } = await t.services.efficiency.savings(actor, ex);
      const { agreements } = await t.services.efficiency.gainShare(actor, ex);
      const { posts } = await t.services.diagnostics.listPosts(actor, ex);
      const answers: Record<string, Json> = {};
      for (const url of [
        A.exercises,
        A.taxonomies,
        A.benchmarkClubs,
        A.exercise(ex),
        A.exerciseBaseline(ex),
        A.exerciseQuality(ex),
        A.exercisePosts(ex),
        A.exercisePost(ex, posts[0]!.id!),
        A.programme(ex),
        A.benchmarks(ex),
        A.benchmark(ex, sets[0]!.set.id),
        A.opportunities(ex),
        A.opportunity(ex, opportunities[0]!.id),
        A.cases(ex),
        A.case(ex, cases[0]!.id),
        A.caseOption(ex, cases[0]!.id, cases[0]!.options[1]!.id),
        A.caseLine(ex, cases[0]!.id, cases[0]!.options[1]!.lines[0]!.id),
        A.implementationPlan(ex),
        A.project(ex, projects[0]!.id),
        A.milestone(ex, projects[0]!.milestones[0]!.id),
        A.savings(ex),
        A.saving(ex, entries[0]!.id),
        A.gainShare(ex),
        A.agreement(ex, agreements[0]!.agreement.id),
      ]) {
        const r = await get(url);
        assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 300)}`);
        answers[url] = r.json();
        for (const m of moneyIn(answers[url])) assert.ok(Number.isSafeInteger(m), `${url}: ${m} is not whole pence`);
      }
      assert.ok((answers[A.exercises] as Json[]).some((e) => e.id === ex));
      assert.ok((answers[A.taxonomies] as Json[]).some((v) => v.id === answers[A.exercise(ex)]!.taxonomyVersionId));
      const baseline = answers[A.exerciseBaseline(ex)]!;
      assert.ok(baseline.totalCost.backOffice > 0, 'the baseline has a back-office cost');
      assert.equal(baseline.byProcess['FIN-AP'].payCost, 11_550_000, 'accounts payable: £115,500.00 of pay');

      const consolidation = answers[A.opportunity(ex, opportunities[0]!.id)]!;
      assert.deepEqual(consolidation.computed, {
        low: consolidation.low,
        central: consolidation.central,
        high: consolidation.high,
      });
      assert.match(consolidation.working, /Transactional work on FIN Finance/);
      assert.equal(consolidation.overrideReason, '');
      assert.ok(answers[A.opportunities(ex)]!.total.central > 0, 'the combined total');

      const preferred = (answers[A.case(ex, cases[0]!.id)]!.appraisals as Json[]).find((a) => a.option.preferred)!;
      // DIAGNOSTIC.md §5's worked example (mitigated optimism bias: NPSV £13,396.6k for £2.4m a
      // year of savings), written at the scale of the opportunity's central figure (issue 13): the
      // same ratio, and the NPSV in proportion (within the rounding of each line to whole pounds).
      const scale = consolidation.central / 240_000_000;
      const npsv = preferred.appraisal.appraisal.npsv;
      assert.ok(Math.abs(npsv - 1_339_660_000 * scale) <= 1_339_660_000 * scale * 0.005, `NPSV ${npsv} pence`);
      assert.equal(preferred.appraisal.appraisal.bcr.toFixed(2), '3.84');

      const verified = (answers[A.savings(ex)]!.entries as Json[]).filter((e) => e.verifiedAt !== null);
      assert.equal(verified.length, 1, 'one realised and verified saving');
      const qualifying = verified[0]!.amount;
      assert.equal(answers[A.savings(ex)]!.totals.qualifying, qualifying);
      const agreement = answers[A.agreement(ex, agreements[0]!.agreement.id)]!;
      assert.deepEqual(
        [agreement.reading, agreement.now.qualifyingSavings, agreement.now.due, agreement.evaluations.length],
        ['B', qualifying, 0, 1],
      );
      assert.equal(answers[A.programme(ex)]!.savings.qualifying, qualifying);
    });

    it('works out a lever, accepts its figures when they are left out, asks why when they differ, and refuses stale and bad changes', async () => {
      const before = await fingerprint(t.db);
      const bad = await call('POST', A.opportunities(ex), { title: '', lever: 'magic', costPool: '', confidence: 'x' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(fields(bad), ['title', 'lever', 'costPool', 'confidence']);
      const assumptions = {
        title: 'Wider spans of control (API)',
        lever: 'spans-and-layers',
        costPool: 'MANAGERS',
        confidence: 'medium',
        targetSpan: '8',
        realisation: '50',
      };
      const differs = await call('POST', A.opportunities(ex), {
        ...assumptions,
        low: '£1,000',
        central: '£2,000',
        high: '£3,000',
      });
      assert.equal(differs.statusCode, 422);
      assert.deepEqual(fields(differs), ['overrideReason']);
      assert.match(differs.json().errors[0].message, /Say why you are changing the worked-out savings/);
      const worked = await call('POST', A.workOutOpportunity(ex), assumptions);
      assert.equal(worked.statusCode, 200);
      const { computed, working } = worked.json();
      assert.ok(Number.isSafeInteger(computed.central) && computed.central > 0);
      assert.match(working, /managers/);
      const noBaselineFor = await call('POST', A.workOutOpportunity(ex), { ...assumptions, costPool: 'FIN' });
      assert.equal(noBaselineFor.statusCode, 422);
      assert.deepEqual(fields(noBaselineFor), ['costPool']);
      // A benchmark that is not this exercise's is refused by name, as when saving: not worked out as none.
      const unknownBenchmark = await call('POST', A.workOutOpportunity(ex), {
        ...assumptions,
        benchmarkSetId: '00000000-0000-4000-8000-000000000001',
      });
      assert.equal(unknownBenchmark.statusCode, 422, unknownBenchmark.body);
      assert.deepEqual(fields(unknownBenchmark), ['benchmarkSetId']);
      assert.deepEqual(await fingerprint(t.db), before, 'refusals and the working changed nothing');

      const created = await call('POST', A.opportunities(ex), assumptions);
      assert.equal(created.statusCode, 201, created.body);
      const o = created.json();
      assert.deepEqual([o.low, o.central, o.high], [computed.low, computed.central, computed.high]);
      assert.deepEqual(o.computed, computed);
      assert.equal(o.working, working);
      assert.equal(o.overrideReason, '');

      // A PUT replaces the whole opportunity: every field, the figures null to accept the working.
      const whole = {
        ...assumptions,
        poolCost: null,
        low: null,
        central: null,
        high: null,
        achievability: '100',
        benchmarkSetId: null,
        priority: null,
        description: '',
        shiftedShare: '0',
        targetUnitCost: null,
        overrideReason: '',
      };
      const put = (body: Json) => call('PUT', A.opportunity(ex, o.id), body);
      const missing = await put({ ...whole, version: o.version, low: undefined });
      assert.equal(missing.statusCode, 422);
      assert.deepEqual(fields(missing), ['low']);
      const changed = await put({ ...whole, realisation: '40', version: o.version });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.ok(changed.json().central < o.central, 'a lower realisation saves less');
      assert.equal(changed.json().version, o.version + 1);
      const stale = await put({ ...whole, version: o.version });
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().code, 'STALE_VERSION');
      const v = changed.json().version;
      const noReason = await put({
        ...whole,
        realisation: '40',
        low: '£1,000',
        central: '£2,000',
        high: '£3,000',
        version: v,
      });
      assert.equal(noReason.statusCode, 422);
      assert.deepEqual(fields(noReason), ['overrideReason']);
      const overridden = await put({
        ...whole,
        realisation: '40',
        low: '£1,000',
        central: '£2,000',
        high: '£3,000',
        overrideReason: 'Two manager posts are already being deleted',
        version: v,
      });
      assert.equal(overridden.statusCode, 200, overridden.body);
      assert.deepEqual(
        [overridden.json().low, overridden.json().central, overridden.json().high, overridden.json().overrideReason],
        [100_000, 200_000, 300_000, 'Two manager posts are already being deleted'],
      );
      assert.equal(overridden.json().computed.central, changed.json().central, 'the working is kept beside them');

      assert.equal((await call('DELETE', A.opportunity(ex, o.id), { version: v })).statusCode, 409);
      const gone = await call('DELETE', A.opportunity(ex, o.id), { version: overridden.json().version });
      assert.equal(gone.statusCode, 200, gone.body);
      assert.equal((await get(A.opportunity(ex, o.id))).statusCode, 404);
    });

    it('enters, changes and deletes a benchmark, refusing bad and stale input', async () => {
      const before = await fingerprint(t.db);
      const bench = {
        indicator: 'Cost of payroll per payslip (API)',
        unit: '£',
        direction: 'lower-is-better',
        functionCode: 'FIN',
        source: 'Test source',
        year: '2008/09',
        peerGroup: 'Test peers',
        n: '12',
        p25: '3',
        p50: '4',
        p75: '5',
        ownValue: '4.5',
        illustrative: true,
      };
      const bad = await call('POST', A.benchmarks(ex), { ...bench, n: '3', p50: '2', source: '' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(fields(bad), ['source', 'n']);
      const order = await call('POST', A.benchmarks(ex), { ...bench, p50: '2' });
      assert.deepEqual(fields(order), ['p50']);
      assert.deepEqual(await fingerprint(t.db), before);

      const created = await call('POST', A.benchmarks(ex), bench);
      assert.equal(created.statusCode, 201, created.body);
      const b = created.json();
      assert.deepEqual([b.n, b.p50, b.ownValue, b.computed], [12, 4, 4.5, false]);
      const listed = (await get(A.benchmarks(ex))).json().benchmarks.find((x: Json) => x.id === b.id);
      assert.ok(listed.comparison, 'compared with the exercise’s own value');
      const changed = await call('PUT', A.benchmark(ex, b.id), { ...bench, p75: '6', version: b.version });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().p75, 6);
      assert.equal((await call('PUT', A.benchmark(ex, b.id), { ...bench, version: b.version })).statusCode, 409);
      assert.equal((await call('DELETE', A.benchmark(ex, b.id), { version: changed.json().version })).statusCode, 200);
      assert.equal((await get(A.benchmark(ex, b.id))).statusCode, 404);
    });

    it('builds a business case option by option and appraises it, refusing bad and stale input', async () => {
      const before = await fingerprint(t.db);
      const bad = await call('POST', A.cases(ex), { title: '', baseYear: 'soon' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(fields(bad), ['title', 'baseYear']);
      assert.deepEqual(await fingerprint(t.db), before);

      const body = { title: 'Payroll shared service (API)', opportunityId: null, baseYear: '2010' };
      const created = await call('POST', A.cases(ex), body);
      assert.equal(created.statusCode, 201, created.body);
      const c = created.json();
      assert.deepEqual([c.status, c.options.length, c.opportunity], ['draft', 0, null]);
      const unversioned = await call('POST', A.caseOptions(ex, c.id), { name: 'Business as usual' });
      assert.deepEqual(fields(unversioned), ['version']);
      const withOption = await call('POST', A.caseOptions(ex, c.id), {
        name: 'Shared service',
        preferred: true,
        version: c.version,
      });
      assert.equal(withOption.statusCode, 201, withOption.body);
      const option = withOption.json().options[0];
      const line = {
        optionId: option.id,
        kind: 'benefit',
        category: 'Cashable savings',
        label: 'Staff savings',
        amounts: ['0', '£100,000', 'lots'],
        version: withOption.json().version,
      };
      const badLine = await call('POST', A.caseLines(ex, c.id), line);
      assert.equal(badLine.statusCode, 422);
      assert.deepEqual(fields(badLine), ['amounts.2']);
      const withLine = await call('POST', A.caseLines(ex, c.id), { ...line, amounts: ['0', '£100,000', '£100,000'] });
      assert.equal(withLine.statusCode, 201, withLine.body);
      const appraised = withLine.json().appraisals[0].appraisal;
      assert.deepEqual(appraised.benefits, [0, 10_000_000, 10_000_000], 'yearly benefits in pence');
      assert.ok(appraised.appraisal.pvb > 0 && appraised.appraisal.pvb < 20_000_000, 'discounted');

      const stale = await call('PUT', A.case(ex, c.id), {
        ...body,
        discountSchedule: 'standard',
        strategic: '',
        economic: '',
        commercial: '',
        financial: '',
        management: '',
        version: c.version,
      });
      assert.equal(stale.statusCode, 409);
      const lineId = withLine.json().options[0].lines[0].id;
      const v = withLine.json().version;
      assert.equal((await call('DELETE', A.caseLine(ex, c.id, lineId), { version: v })).statusCode, 200);
      const noOption = await call('DELETE', A.caseOption(ex, c.id, option.id), { version: v + 1 });
      assert.equal(noOption.statusCode, 200, noOption.body);
      assert.deepEqual(noOption.json().options, []);
    });

    it('records, changes, verifies and deletes savings, and the ledger and gain-share follow', async () => {
      const { opportunities } = await t.services.efficiency.opportunities(actor, ex);
      const before = await fingerprint(t.db);
      const saving = {
        opportunityId: opportunities[0]!.id,
        financialYear: '2011/12',
        stage: 'identified',
        amount: '£1,000',
        cashable: true,
        recurring: false,
        additional: true,
        note: 'API',
      };
      const bad = await call('POST', A.savings(ex), { ...saving, stage: 'hoped', amount: 'lots' });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(fields(bad), ['stage', 'amount']);
      assert.deepEqual(await fingerprint(t.db), before);

      const totalsBefore = (await get(A.savings(ex))).json().totals;
      const created = await call('POST', A.savings(ex), saving);
      assert.equal(created.statusCode, 201, created.body);
      const s = created.json();
      assert.equal(s.amount, 100_000, '£1,000 is 100,000 pence');
      const totals = (await get(A.savings(ex))).json().totals;
      assert.equal(totals.byStage.identified, totalsBefore.byStage.identified + 100_000);

      const realised = await call('PUT', A.saving(ex, s.id), { ...saving, stage: 'realised', version: s.version });
      assert.equal(realised.statusCode, 200, realised.body);
      assert.equal((await call('PUT', A.saving(ex, s.id), { ...saving, version: s.version })).statusCode, 409);
      const verified = await call('POST', A.verifySaving(ex, s.id), { version: realised.json().version });
      assert.equal(verified.statusCode, 200, verified.body);
      assert.ok(verified.json().verifiedBy);
      const { agreements } = (await get(A.gainShare(ex))).json();
      assert.equal(
        agreements[0].now.qualifyingSavings,
        totalsBefore.qualifying + 100_000,
        'the verified saving qualifies',
      );
      const refused = await call('DELETE', A.saving(ex, s.id), { version: verified.json().version });
      assert.equal(refused.statusCode, 422, 'a verified saving stays in the ledger');
    });

    it('plans a project and keeps a gain-share agreement, with what is due now, refusing bad and stale input', async () => {
      const { cases } = await t.services.efficiency.cases(actor, ex);
      const before = await fingerprint(t.db);
      const badProject = await call('POST', A.projects(ex), {
        caseId: cases[0]!.id,
        name: '',
        startsOn: '31 February 2011',
        endsOn: '1 April 2011',
      });
      assert.equal(badProject.statusCode, 422);
      assert.deepEqual(fields(badProject), ['name', 'startsOn']);
      const badTerms = await call('POST', A.gainShare(ex), {
        name: 'API deal',
        funder: 'A funder',
        council: 'the council',
        totalCost: '£150K',
        funderContribution: '£100K',
        councilContribution: '£50K',
        tranches: [{ threshold: 'a million', repayment: '£50K', inclusive: true }],
      });
      assert.equal(badTerms.statusCode, 422);
      assert.deepEqual(fields(badTerms), ['tranches.0.threshold']);
      assert.deepEqual(await fingerprint(t.db), before);

      const project = {
        caseId: cases[0]!.id,
        name: 'API project',
        ownerId: null,
        startsOn: '1 April 2011',
        endsOn: '31 March 2012',
        dependsOn: [],
      };
      const p = await call('POST', A.projects(ex), project);
      assert.equal(p.statusCode, 201, p.body);
      assert.equal(p.json().startsOn, '2011-04-01');
      const renamed = await call('PUT', A.project(ex, p.json().id), {
        ...project,
        name: 'API project, renamed',
        version: p.json().version,
      });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const staleProject = await call('PUT', A.project(ex, p.json().id), { ...project, version: p.json().version });
      assert.equal(staleProject.statusCode, 409);
      const plan = (await get(A.implementationPlan(ex))).json();
      assert.ok(plan.projects.some((x: Json) => x.name === 'API project, renamed'));
      assert.equal(
        (await call('DELETE', A.project(ex, p.json().id), { version: renamed.json().version })).statusCode,
        200,
      );

      const a = await call('POST', A.gainSharePreset(ex), { reading: 'A' });
      assert.equal(a.statusCode, 201, a.body);
      const agreement = (await get(A.agreement(ex, a.json().id))).json();
      assert.deepEqual(
        [agreement.reading, agreement.totalCost, agreement.now.due, agreement.evaluations],
        ['A', 15_000_000, 0, []],
      );
      const terms = {
        name: 'API deal',
        funder: 'A funder',
        council: 'the council',
        totalCost: '£150K',
        funderContribution: '£100K',
        councilContribution: '£50K',
        tranches: [{ threshold: '£1K', repayment: '£50K', inclusive: true }],
      };
      const changed = await call('PUT', A.agreement(ex, a.json().id), { ...terms, version: a.json().version });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().now.due, 5_000_000, 'the demo’s qualifying savings reach the £1,000 tranche');
      const stale = await call('PUT', A.agreement(ex, a.json().id), { ...terms, version: a.json().version });
      assert.equal(stale.statusCode, 409);
      assert.equal(
        (await call('DELETE', A.agreement(ex, a.json().id), { version: changed.json().version })).statusCode,
        200,
      );
    });

    it('lists every operation of the diagnostic and the programme in the OpenAPI document', async () => {
      const doc = (await get(A.openapi)).json();
      assert.match(doc.info.description, /whole number of pence/);
      const ours = [...(t.app as unknown as { routeTable: { method: string; url: string }[] }).routeTable].filter((r) =>
        r.url.startsWith('/api/diagnostic/'),
      );
      assert.ok(ours.length >= 50, `${ours.length} operations`);
      const missing = ours.filter((r) => !doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()]);
      assert.deepEqual(missing, []);
      const opportunity = doc.paths['/api/diagnostic/exercises/{id}/opportunities/{itemId}'];
      assert.ok(opportunity.put.requestBody.content['application/json'].schema.required.includes('overrideReason'));
      assert.ok(opportunity.delete.requestBody.content['application/json'].schema.required.includes('version'));
      assert.ok(doc.paths['/api/diagnostic/exercises/{id}/opportunities/work-out'].post);
    });

    it('answers a script with a personal API token: a read token reads, a read-write token writes', async () => {
      const officer = await t.signIn(['performance_officer']);
      const tokenFor = async (scope: 'read' | 'read-write') =>
        (
          await t.services.accounts.createApiToken(
            {
              kind: 'user',
              organisationId: actor.organisationId,
              label: officer.email,
              userId: officer.userId,
              roles: ['performance_officer'],
            },
            { name: `api test ${scope}`, scope, expiresInDays: '30' },
          )
        ).token;
      const as = async (scope: 'read' | 'read-write', method: 'GET' | 'POST', url: string, payload?: Json) =>
        t.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${await tokenFor(scope)}` },
          ...(payload ? { payload } : {}),
        });
      assert.equal((await as('read', 'GET', A.savings(ex))).statusCode, 200);
      const assumptions = {
        title: 'Token',
        lever: 'spans-and-layers',
        costPool: 'MANAGERS',
        confidence: 'low',
      };
      const readOnly = await as('read', 'POST', A.workOutOpportunity(ex), assumptions);
      assert.equal(readOnly.statusCode, 403);
      assert.equal(readOnly.json().code, 'TOKEN_READ_ONLY');
      const worked = await as('read-write', 'POST', A.workOutOpportunity(ex), assumptions);
      assert.equal(worked.statusCode, 200, worked.body);
      assert.ok(worked.json().computed.central > 0);
    });

    it('refuses people who may only read, or not even that, and answers 404 for another organisation’s exercise', async () => {
      assert.equal((await call('GET', A.benchmarks(ex), undefined, reader)).statusCode, 200);
      const count = (await t.services.efficiency.benchmarks(actor, ex)).sets.length;
      const write = await call('POST', A.benchmarks(ex), { indicator: 'x' }, reader);
      assert.equal(write.statusCode, 403);
      assert.equal((await call('GET', A.benchmarks(ex), undefined, viewer)).statusCode, 403);
      assert.equal((await t.services.efficiency.benchmarks(actor, ex)).sets.length, count);

      const other = await t.services.organisations.createHome('api-test', {
        name: 'Elsewhere Council',
        kind: 'council',
      });
      const elsewhere = systemActor(other.id, 't');
      const theirs = await t.services.diagnostics.createExercise(elsewhere, {
        name: 'Their exercise',
        financialYear: '2009',
        runningCosts: '£100m',
        taxonomyVersionId: DEFAULT_TAXONOMY_ID,
        scope: ['FIN'],
      });
      const before = await fingerprint(t.db);
      for (const url of [A.exercise(theirs), A.exerciseBaseline(theirs), A.benchmarks(theirs), A.gainShare(theirs)])
        assert.equal((await get(url)).statusCode, 404, url);
      const post = await call('POST', A.opportunities(theirs), { title: 'Not ours', lever: 'sourcing' });
      assert.equal(post.statusCode, 404);
      const put = await call('PUT', A.exercise(theirs), {
        name: 'Taken over',
        financialYear: '2009',
        runningCosts: '£1',
        headcount: '',
        taxonomyVersionId: DEFAULT_TAXONOMY_ID,
        scope: ['FIN'],
        version: 1,
      });
      assert.equal(put.statusCode, 404);
      assert.deepEqual(await fingerprint(t.db), before, 'nothing of theirs changed');
      assert.ok(!(await get(A.exercises)).json().some((e: Json) => e.id === theirs));
    });
  });
