import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine } from '../../../test/helpers/database.ts';
import { insertOrganisation, insertPerson, insertPriority } from '../../../test/builders/index.ts';
import { ValidationError, ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { IsoDate } from '../../domain/dates.ts';
import { createRiskRepository } from './risk.repository.ts';
import { createRiskService } from './risk.service.ts';
import type { RiskScale } from './risk.schemas.ts';

const fieldsOf = (e: unknown) => (e as ValidationError).issues.map((i) => i.field);
const messagesOf = (e: unknown) => (e as ValidationError).issues.map((i) => `${i.field}: ${i.message}`);

describeOnEachEngine('the risk register', (t) => {
  async function setUp() {
    const { services, db } = t();
    const actor = await insertOrganisation(services);
    const priority = await insertPriority(services, actor);
    const owner = await insertPerson(services, actor, { name: 'Jo Bloggs' });
    const base = { priority: priority.code, description: 'The partner withdraws', likelihood: '4', impact: '4' };
    const audits = async (entityId: string) =>
      (
        await db
          .selectFrom('audit_event')
          .select(['action'])
          .where('entity', '=', 'risk')
          .where('entity_id', '=', entityId)
          .orderBy('id')
          .execute()
      ).map((r) => r.action);
    return { services, db, actor, priority, owner, base, audits };
  }

  it('scores likelihood × impact and rates the score with the matrix’s bands, the target too, and audits the change', async () => {
    const { services, actor, priority, owner, base, audits } = await setUp();
    const risk = await services.risks.create(actor, {
      ...base,
      cause: 'Budget pressure',
      effect: 'Savings are late',
      targetLikelihood: '2',
      targetImpact: '3',
      ownerId: owner.id,
      controls: 'Monthly board',
    });
    assert.deepEqual([risk.current.score, risk.current.rating.label], [16, 'High']);
    assert.deepEqual([risk.target?.score, risk.target?.rating.label], [6, 'Medium']);
    assert.deepEqual(
      [risk.priorityCode, risk.ownerName, risk.closed, risk.version],
      [priority.code, 'Jo Bloggs', false, 1],
    );
    for (const [l, i, score, rating] of [
      [1, 4, 4, 'Low'],
      [1, 5, 5, 'Medium'],
      [3, 3, 9, 'Medium'],
      [2, 5, 10, 'High'],
      [5, 4, 20, 'Very high'],
      [5, 5, 25, 'Very high'],
    ] as const) {
      const r = await services.risks.create(actor, { ...base, likelihood: String(l), impact: String(i) });
      assert.deepEqual([r.current.score, r.current.rating.label], [score, rating], `${l} × ${i}`);
    }
    assert.deepEqual(await audits(risk.id), ['create']);
  });

  it('refuses a target score above the current one, or half a target, and saves nothing', async () => {
    const { services, actor, priority, base } = await setUp();
    await assert.rejects(
      services.risks.create(actor, { ...base, likelihood: '2', impact: '2', targetLikelihood: '3', targetImpact: '2' }),
      (e) =>
        e instanceof ValidationError &&
        messagesOf(e)[0] ===
          'targetLikelihood: The target score (6) must not be higher than the current score (4): the target is where the controls should bring the risk',
    );
    await assert.rejects(
      services.risks.create(actor, { ...base, targetImpact: '2' }),
      (e) => e instanceof ValidationError && assert.deepEqual(fieldsOf(e), ['targetLikelihood']) === undefined,
    );
    const same = await services.risks.create(actor, {
      ...base,
      likelihood: '2',
      impact: '3',
      targetLikelihood: '3',
      targetImpact: '2',
    });
    assert.equal(same.target?.score, 6, 'a target equal to the current score is allowed');
    assert.equal((await services.risks.register(actor, { priority: priority.code })).risks.length, 1);
  });

  it('reads the review date as people type it and flags an overdue review of an open risk', async () => {
    const { services, db, actor, base } = await setUp();
    for (const typed of ['31 March 2010', '31/3/2010', '31st Mar 2010', '2010-03-31']) {
      assert.equal((await services.risks.create(actor, { ...base, reviewOn: typed })).reviewOn, '2010-03-31', typed);
    }
    assert.equal((await services.risks.create(actor, { ...base, reviewOn: '' })).reviewOn, null);
    await assert.rejects(
      services.risks.create(actor, { ...base, reviewOn: '31 February 2010' }),
      (e) =>
        e instanceof ValidationError &&
        messagesOf(e)[0] === 'reviewOn: The review date must be a real date, like 22 October 2009 or 22/10/2009',
    );

    const on = (today: string) =>
      createRiskService({ repo: createRiskRepository(db), plans: t().services.plans, today: () => today as IsoDate });
    const risk = await services.risks.create(actor, { ...base, reviewOn: '31 March 2010' });
    assert.equal((await on('2010-03-31').get(actor, risk.id)).reviewOverdue, false, 'due today is not overdue');
    assert.equal((await on('2010-04-01').get(actor, risk.id)).reviewOverdue, true);
    const closed = await services.risks.update(actor, risk.id, {
      ...base,
      reviewOn: '31 March 2010',
      closed: 'yes',
      version: String(risk.version),
    });
    assert.equal((await on('2010-04-01').get(actor, closed.id)).reviewOverdue, false, 'a closed risk is not reviewed');
  });

  it('names every bad field at once, refuses levels off the matrix, and saves nothing', async () => {
    const { services, actor, priority } = await setUp();
    await assert.rejects(
      services.risks.create(actor, {
        priority: '',
        description: '  ',
        likelihood: '6',
        impact: 'high',
        targetLikelihood: '0',
        reviewOn: 'soon',
        ownerId: 'nobody',
      }),
      (e) =>
        e instanceof ValidationError &&
        assert.deepEqual(fieldsOf(e), [
          'priority',
          'description',
          'likelihood',
          'impact',
          'targetLikelihood',
          'ownerId',
          'reviewOn',
        ]) === undefined,
    );
    await assert.rejects(
      services.risks.create(actor, { priority: priority.code, description: 'x' }),
      (e) =>
        e instanceof ValidationError &&
        assert.deepEqual(messagesOf(e), [
          'likelihood: Select how likely the risk is',
          'impact: Select the impact if it happens',
        ]) === undefined,
    );
    assert.equal((await services.risks.register(actor, { show: 'all' })).risks.length, 0);
  });

  it('keeps each organisation’s risks to itself', async () => {
    const { services, actor, base, owner } = await setUp();
    const theirs = await services.risks.create(actor, base);
    const other = await insertOrganisation(services);
    const ownPriority = await insertPriority(services, other);
    await assert.rejects(
      services.risks.get(other, theirs.id),
      (e) => e instanceof NotFoundError && e.code === 'RISK_NOT_FOUND',
    );
    await assert.rejects(services.risks.get(other, 'not-a-uuid'), (e) => e instanceof NotFoundError);
    await assert.rejects(
      services.risks.update(other, theirs.id, { ...base, priority: ownPriority.code, version: '1' }),
      (e) => e instanceof NotFoundError,
    );
    await assert.rejects(
      services.risks.create(other, base),
      (e) => e instanceof ValidationError && assert.deepEqual(fieldsOf(e), ['priority']) === undefined,
    );
    await assert.rejects(
      services.risks.create(other, { ...base, priority: ownPriority.code, ownerId: owner.id }),
      (e) => e instanceof ValidationError && messagesOf(e)[0] === 'ownerId: Select the owner from the list',
    );
    await assert.rejects(
      services.risks.register(other, { priority: base.priority }),
      (e) => e instanceof NotFoundError,
    );
    assert.equal((await services.risks.register(other)).risks.length, 0);
    assert.equal((await services.risks.get(actor, theirs.id)).version, 1, 'untouched');
  });

  it('refuses a save made from a stale version, keeping the other person’s change', async () => {
    const { services, actor, base, audits } = await setUp();
    const risk = await services.risks.create(actor, base);
    const first = await services.risks.update(actor, risk.id, { ...base, likelihood: '3', version: '1' });
    assert.deepEqual([first.version, first.current.score], [2, 12]);
    await assert.rejects(
      services.risks.update(actor, risk.id, { ...base, likelihood: '1', version: '1' }),
      (e) => e instanceof ConflictError && e.status === 409 && e.code === 'STALE_VERSION',
    );
    assert.equal((await services.risks.get(actor, risk.id)).current.score, 12);
    assert.deepEqual(await audits(risk.id), ['create', 'update']);
  });

  it('lists the register highest score first, filters it, leaves closed risks out, and counts the heat map', async () => {
    const { services, actor, priority, base } = await setUp();
    const second = await insertPriority(services, actor);
    const low = await services.risks.create(actor, { ...base, description: 'Low', likelihood: '1', impact: '2' });
    await services.risks.create(actor, { ...base, description: 'Very high', likelihood: '5', impact: '5' });
    await services.risks.create(actor, {
      ...base,
      priority: second.code,
      description: 'High A',
      likelihood: '3',
      impact: '4',
    });
    await services.risks.create(actor, {
      ...base,
      priority: second.code,
      description: 'High B',
      likelihood: '3',
      impact: '4',
    });
    await services.risks.update(actor, low.id, {
      ...base,
      description: 'Low',
      likelihood: '1',
      impact: '2',
      closed: 'on',
      version: '1',
    });

    const all = await services.risks.register(actor);
    assert.deepEqual(
      all.risks.map((r) => r.description),
      ['Very high', 'High A', 'High B'],
    );
    assert.equal(all.heatMap.total, 3);
    const cell = (l: number, i: number) => all.heatMap.rows.flat().find((c) => c.likelihood === l && c.impact === i)!;
    assert.deepEqual([cell(3, 4).count, cell(3, 4).bandKey, cell(5, 5).count, cell(1, 2).count], [2, 'high', 1, 0]);
    assert.deepEqual(
      all.heatMap.byBand.map((b) => `${b.label} ${b.count}`),
      ['Low 0', 'Medium 0', 'High 2', 'Very high 1'],
    );

    assert.deepEqual(
      (await services.risks.register(actor, { rating: 'very-high' })).risks.map((r) => r.description),
      ['Very high'],
    );
    const byCell = await services.risks.register(actor, { likelihood: '3', impact: '4' });
    assert.deepEqual(
      byCell.risks.map((r) => r.description),
      ['High A', 'High B'],
    );
    assert.equal(byCell.heatMap.total, 3, 'the heat map stays whole under a cell filter');
    const mine = await services.risks.register(actor, { priority: priority.code.toLowerCase() });
    assert.deepEqual(
      [mine.priority?.code, mine.risks.map((r) => r.description), mine.heatMap.total],
      [priority.code, ['Very high'], 1],
    );
    assert.deepEqual(
      (await services.risks.register(actor, { show: 'closed' })).risks.map((r) => r.description),
      ['Low'],
    );
    assert.equal(
      (await services.risks.register(actor, { show: 'all', rating: 'nonsense', likelihood: 'x' })).risks.length,
      4,
      'unreadable filters are ignored',
    );
  });

  it('scores on a configured matrix and refuses levels beyond it', async () => {
    const { db, actor, base } = await setUp();
    const scale: RiskScale = {
      matrix: {
        likelihoodLevels: 4,
        impactLevels: 4,
        bands: [
          { key: 'green', label: 'Tolerable', from: 1, to: 4 },
          { key: 'red', label: 'Intolerable', from: 6, to: 16 },
        ],
      },
      likelihoodNames: ['Remote', 'Possible', 'Probable', 'Certain'],
      impactNames: ['Low', 'Medium', 'High', 'Severe'],
    };
    const four = createRiskService({ repo: createRiskRepository(db), plans: t().services.plans, scale });
    const r = await four.create(actor, { ...base, likelihood: '2', impact: '3' });
    assert.deepEqual([r.current.score, r.current.rating.label], [6, 'Intolerable']);
    await assert.rejects(
      four.create(actor, { ...base, likelihood: '5', impact: '4' }),
      (e) => e instanceof ValidationError && fieldsOf(e)[0] === 'likelihood',
    );
    assert.throws(
      () =>
        createRiskService({
          repo: createRiskRepository(db),
          plans: t().services.plans,
          scale: { ...scale, matrix: { ...scale.matrix, bands: [{ key: 'a', label: 'A', from: 2, to: 16 }] } },
        }),
      /cannot be used/,
    );
  });
});
