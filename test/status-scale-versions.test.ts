// Status scales versioned by period (issue 13, ADR 0014), for indicators: a change of the scale
// used from 2009/10 Q2 on gives Q2's value the changed statuses, while the values of earlier
// periods keep the statuses (labels, keys, officers' overrides) of the scale they were judged on.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnEachEngine, withDemo } from './helpers/database.ts';
import { ValidationError } from '../src/domain/errors.ts';

const CODE = 'OC-1c-i';

describeOnEachEngine('indicator statuses on the scale of their period', (t) => {
  it('judges each value on the version of the scale in force for its period', async () => {
    const { services } = t();
    const system = await withDemo(t());
    const shown = async () =>
      Object.fromEntries(
        (await services.indicators.points(system, CODE)).points.map((p) => [
          p.value.periodKey,
          [p.shown?.key, p.shown?.label],
        ]),
      );
    // Officers' overrides, by key, before and after the change's first period.
    for (const period of ['2008-09-q4', '2009-10-q2'])
      await services.indicators.overrideStatus(system, CODE, { period, status: 'green', reason: 'Agreed at board' });
    const before = await shown();
    assert.deepEqual(
      [before['2008-09-q4'], before['2009-10-q1'], before['2009-10-q2']],
      [
        ['green', 'Green'],
        ['amber', 'Amber'],
        ['green', 'Green'],
      ],
    );

    const scale = await services.organisations.statusScale(system);
    await services.organisations.updateStatusScale(system, {
      statuses: scale.map((s) =>
        s.key === 'amber' ? { ...s, label: 'Near target' } : s.key === 'green' ? { ...s, key: 'on-track' } : s,
      ),
      inUseFrom: '2009/10 Q2',
      confirm: true,
    });

    const after = await shown();
    assert.deepEqual(after['2008-09-q4'], ['green', 'Green'], 'an earlier override keeps its key');
    assert.deepEqual(after['2009-10-q1'], ['amber', 'Amber'], 'an earlier value keeps its label');
    assert.deepEqual(after['2009-10-q2'], ['on-track', 'Green'], 'the override follows the changed key from Q2 on');
    const q2 = (await services.indicators.points(system, CODE)).points.find((p) => p.value.periodKey === '2009-10-q2')!;
    assert.equal(q2.computed.rated && q2.computed.status.label, 'Near target', 'Q2 is judged on the new version');

    // An override is a status of its period's scale.
    await services.indicators.overrideStatus(system, CODE, { period: '2009-10-q1', status: 'green', reason: 'Board' });
    assert.deepEqual((await shown())['2009-10-q1'], ['green', 'Green']);
    await assert.rejects(
      services.indicators.overrideStatus(system, CODE, { period: '2009-10-q2', status: 'green', reason: 'Board' }),
      (e: unknown) => e instanceof ValidationError && e.issues[0]!.field === 'status',
    );
  });
});
