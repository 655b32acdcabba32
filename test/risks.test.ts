// The risk register through the web app and the API: the form refuses bad input naming every
// field and saves nothing, a saved risk shows its score and rating in words, the heat map counts
// it in its cell and links to the list the cell stands for, and stale saves are refused.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from './helpers/database.ts';
import { buildTestApp, form, type TestApp } from './helpers/app.ts';
import { htmlText, errorSummary, hasDataQa, decodeEntities } from './helpers/html.ts';
import { paths } from '../src/paths.ts';
import { systemActor, type Actor } from '../src/domain/actor.ts';

/** The heat map's cells as `likelihood×impact count rating [href]`, non-empty ones only. */
function heatCells(html: string): string[] {
  const table = /<table[^>]*data-qa="heat-map"[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
  return [...table.matchAll(/<td[^>]*data-likelihood="(\d+)" data-impact="(\d+)" data-count="(\d+)">([\s\S]*?)<\/td>/g)]
    .filter((m) => m[3] !== '0')
    .map(
      (m) =>
        `${m[1]}×${m[2]} ${m[3]} ${/data-qa="rating">([^<]*)</.exec(m[4]!)?.[1]} ${decodeEntities(/href="([^"]*)"/.exec(m[4]!)?.[1] ?? 'no link')}`,
    );
}
const rows = (html: string) =>
  [...html.matchAll(/<tr[^>]*data-qa="risk-row"[\s\S]*?<\/tr>/g)].map((m) => htmlText(m[0]));

for (const engine of ENGINES) {
  describe(`the risk register in the web app [${engine}]`, () => {
    let t: TestApp;
    let actor: Actor;
    before(async () => {
      t = await buildTestApp(engine);
      actor = systemActor((await t.services.organisations.getHome()).id, 't');
    });
    after(async () => t?.close());
    const get = (url: string) => t.app.inject({ url });
    const post = (url: string, fields: Parameters<typeof form>[0]) =>
      t.app.inject({ method: 'POST', url, ...form(fields) });

    it('refuses a bad form naming every field in the error summary, keeps the input, and saves nothing', async () => {
      const page = await get(`${paths.risks.new}?priority=VfM-4d`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<option value="VfM-4d" selected>/);
      assert.match(htmlText(page.body), /1 Rare 2 Unlikely 3 Possible 4 Likely 5 Almost certain/);
      assert.match(htmlText(page.body), /1 Insignificant 2 Minor 3 Moderate 4 Major 5 Catastrophic/);

      const bad = await post(paths.risks.list, {
        priority: '',
        description: '',
        cause: 'Kept cause',
        targetImpact: '2',
        reviewOn: '31 February 2010',
        ownerId: 'x',
      });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(
        errorSummary(bad.body).map((e) => e.split(' ')[0]),
        ['#priority', '#description', '#likelihood', '#impact', '#ownerId', '#reviewOn'],
      );
      assert.match(bad.body, />Kept cause<\/textarea>/, 'the input is kept');
      assert.match(bad.body, /<title>Error: Add a risk/);

      const target = await post(paths.risks.list, {
        priority: 'VfM-4d',
        description: 'Target too high',
        likelihood: '2',
        impact: '2',
        targetLikelihood: '5',
        targetImpact: '5',
      });
      assert.equal(target.statusCode, 422);
      assert.deepEqual(errorSummary(target.body), [
        '#targetLikelihood The target score (25) must not be higher than the current score (4): the target is where the controls should bring the risk',
      ]);
      assert.match(target.body, /id="targetLikelihood-5" name="targetLikelihood" type="radio" value="5" checked/);
      assert.equal((await t.services.risks.register(actor, { show: 'all' })).risks.length, 0);
    });

    it('adds a risk, shows it with its score and rating in words, counts it in the heat map and links the cell to the filtered list', async () => {
      const [owner] = await t.services.people.list(actor);
      const saved = await post(paths.risks.list, {
        priority: 'VfM-4d',
        description: 'The shared service partner withdraws',
        cause: 'Budget pressure',
        effect: 'Savings are late',
        likelihood: '4',
        impact: '4',
        targetLikelihood: '2',
        targetImpact: '3',
        ownerId: owner!.id,
        controls: 'Monthly partnership board',
        reviewOn: '31 March 2010',
      });
      assert.equal(saved.statusCode, 303, saved.body.slice(0, 400));
      assert.equal(saved.headers.location, `${paths.risks.forPriority('VfM-4d')}?saved=added`);
      await post(paths.risks.list, {
        priority: 'VfM-4d',
        description: 'Procurement challenge',
        likelihood: '2',
        impact: '3',
      });

      const mine = await get(saved.headers.location as string);
      assert.equal(mine.statusCode, 200);
      assert.match(htmlText(mine.body), /The risk has been added\./);
      assert.deepEqual(
        rows(mine.body).map((r) => r.replace(/ Cause:.*?(?= 16| 6)/, '')),
        [
          `The shared service partner withdraws 16 High Likelihood 4 Likely × impact 4 Major 6 Medium Likelihood 2 Unlikely × impact 3 Moderate ${owner!.name} Monthly partnership board 31 March 2010 Review overdue`,
          'Procurement challenge 6 Medium Likelihood 2 Unlikely × impact 3 Moderate No target yet No owner yet Not set',
        ],
      );

      const register = await get(paths.risks.list);
      assert.equal(register.statusCode, 200);
      assert.match(htmlText(register.body), /2 risks, highest score first/);
      assert.deepEqual(heatCells(register.body), [
        '4×4 1 High /risks?likelihood=4&impact=4',
        '2×3 1 Medium /risks?likelihood=2&impact=3',
      ]);
      assert.match(htmlText(register.body), /1 risk with likelihood 4 Likely and impact 4 Major High/);
      assert.match(htmlText(register.body), /Low: no risks Medium: 1 risk High: 1 risk Very high: no risks/);

      const cell = await get('/risks?likelihood=4&impact=4');
      assert.deepEqual(
        rows(cell.body).map((r) => r.split(' VfM-4d')[0]),
        ['The shared service partner withdraws Cause: Budget pressure Effect: Savings are late'],
      );
      assert.match(htmlText(cell.body), /Showing the risks with likelihood 4 Likely and impact 4 Major\./);
      assert.match(htmlText(cell.body), /1 risk matching the filter/);

      const medium = await get('/risks?rating=medium');
      assert.deepEqual(
        rows(medium.body).map((r) => r.split(' VfM-4d')[0]),
        ['Procurement challenge'],
      );

      // The priority's own page keeps its cells on the priority's list.
      assert.deepEqual(heatCells(mine.body), [
        `4×4 1 High ${paths.risks.forPriority('VfM-4d')}?likelihood=4&impact=4`,
        `2×3 1 Medium ${paths.risks.forPriority('VfM-4d')}?likelihood=2&impact=3`,
      ]);
      assert.ok(
        hasDataQa((await get(paths.priorities.show('VfM-4d'))).body, 'priority-risks'),
        'the priority page links to its risks',
      );
      assert.match((await get(paths.priorities.list)).body, /href="\/risks"[^>]*>\s*Risks/);
    });

    it('changes a risk from its form and refuses a save made from a stale version with 409', async () => {
      const risk = await t.services.risks.create(actor, {
        priority: 'VfM-4d',
        description: 'Staff leave',
        likelihood: '3',
        impact: '3',
        reviewOn: '1 April 2010',
      });
      const edit = await get(paths.risks.edit(risk.id));
      assert.equal(edit.statusCode, 200);
      assert.match(edit.body, /name="version" value="1"/);
      assert.match(edit.body, /id="likelihood-3" name="likelihood" type="radio" value="3" checked/);
      assert.match(edit.body, /value="1 April 2010"/);

      const fields = {
        priority: 'VfM-4d',
        description: 'Key staff leave',
        likelihood: '3',
        impact: '4',
        reviewOn: '1 April 2010',
        version: '1',
      };
      const ok = await post(paths.risks.edit(risk.id), fields);
      assert.equal(ok.statusCode, 303);
      const stale = await post(paths.risks.edit(risk.id), { ...fields, description: 'Overwrites' });
      assert.equal(stale.statusCode, 409);
      assert.match(errorSummary(stale.body)[0]!, /^#main-content Someone else changed this risk/);
      const now = await t.services.risks.get(actor, risk.id);
      assert.deepEqual([now.description, now.current.score, now.version], ['Key staff leave', 12, 2]);

      const closed = await post(paths.risks.edit(risk.id), { ...fields, closed: 'yes', version: '2' });
      assert.equal(closed.statusCode, 303);
      assert.doesNotMatch(htmlText((await get(paths.risks.list)).body), /Key staff leave/);
      assert.match(htmlText((await get('/risks?show=closed')).body), /Key staff leave Closed/);

      assert.equal((await get(paths.risks.edit('not-a-risk'))).statusCode, 404);
      assert.equal((await get(paths.risks.forPriority('NOPE-1'))).statusCode, 404);
    });

    it('offers the same through the JSON API, described in the OpenAPI document', async () => {
      const bad = await t.app.inject({
        method: 'POST',
        url: paths.api.risks,
        payload: { priority: 'VfM-4d', description: 'API risk', likelihood: 9, impact: 2 },
      });
      assert.equal(bad.statusCode, 422);
      assert.deepEqual(
        bad.json().errors.map((e: { field: string }) => e.field),
        ['likelihood'],
      );
      const created = await t.app.inject({
        method: 'POST',
        url: paths.api.risks,
        payload: { priority: 'VfM-4d', description: 'API risk', likelihood: 5, impact: 5, reviewOn: '30 June 2010' },
      });
      assert.equal(created.statusCode, 201);
      const risk = created.json();
      assert.deepEqual([risk.current.score, risk.current.rating.label, risk.reviewOn], [25, 'Very high', '2010-06-30']);

      const list = (await t.app.inject({ url: `${paths.api.risks}?rating=very-high` })).json();
      assert.deepEqual(
        list.map((r: { description: string }) => r.description),
        ['API risk'],
      );
      assert.ok(
        (await t.app.inject({ url: paths.api.priorityRisks('VfM-4d') }))
          .json()
          .some((r: { id: string }) => r.id === risk.id),
      );
      const map = (await t.app.inject({ url: paths.api.riskHeatMap })).json();
      assert.equal(map.heatMap.rows[0].find((c: { likelihood: number }) => c.likelihood === 5).count, 1);
      assert.deepEqual(map.likelihoodNames, ['Rare', 'Unlikely', 'Possible', 'Likely', 'Almost certain']);

      const put = (version: number) =>
        t.app.inject({
          method: 'PUT',
          url: paths.api.risk(risk.id),
          // A PUT replaces the whole risk: every field is sent.
          payload: {
            priority: 'VfM-4d',
            description: 'API risk',
            cause: '',
            effect: '',
            likelihood: 4,
            impact: 5,
            targetLikelihood: null,
            targetImpact: null,
            ownerId: '',
            controls: '',
            reviewOn: '',
            closed: false,
            version,
          },
        });
      assert.equal((await put(1)).statusCode, 200);
      const stale = await put(1);
      assert.equal(stale.statusCode, 409);
      assert.equal(stale.json().code, 'STALE_VERSION');
      assert.equal((await t.app.inject({ url: paths.api.risk(risk.id) })).json().current.score, 20);

      const doc = (await t.app.inject({ url: paths.api.openapi })).json();
      assert.ok(doc.paths['/api/risks'].post.requestBody, 'the POST documents its body');
      assert.ok(doc.paths['/api/risks/{id}'].put);
      assert.ok(doc.paths['/api/risks/heat-map'].get);
    });
  });
}
