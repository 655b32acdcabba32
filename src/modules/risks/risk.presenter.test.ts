import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heatMap } from '../../domain/indicators/risk.ts';
import { DEFAULT_RISK_SCALE, type RiskScale } from './risk.schemas.ts';
import { presentHeatMap, ratingTagClass, levelItems, filterQuery } from './risk.presenter.ts';

describe('risk presenter', () => {
  it('draws the heat map with likelihood rows, highest first, and impact columns, lowest first', () => {
    const map = heatMap(DEFAULT_RISK_SCALE.matrix, [
      { likelihood: 4, impact: 2 },
      { likelihood: 4, impact: 2 },
      { likelihood: 1, impact: 5 },
    ]);
    const view = presentHeatMap(DEFAULT_RISK_SCALE, map, { priority: 'VfM-4d', show: 'open' });
    assert.deepEqual(view.columns, ['1 Insignificant', '2 Minor', '3 Moderate', '4 Major', '5 Catastrophic']);
    assert.deepEqual(
      view.rows.map((r) => r.header),
      ['5 Almost certain', '4 Likely', '3 Possible', '2 Unlikely', '1 Rare'],
    );
    const likely = view.rows[1]!.cells;
    assert.deepEqual(
      likely.map((c) => `${c.count} ${c.rating}`),
      ['0 Low', '2 Medium', '0 High', '0 High', '0 Very high'],
    );
    assert.equal(likely[1]!.query, 'priority=VfM-4d&likelihood=4&impact=2');
    assert.equal(likely[1]!.hiddenText, ' risks with likelihood 4 Likely and impact 2 Minor');
    assert.equal(view.rows[4]!.cells[4]!.hiddenText, ' risk with likelihood 1 Rare and impact 5 Catastrophic');
    assert.deepEqual(
      view.byBand.map((b) => `${b.label} ${b.count} ${b.query}`),
      [
        'Low 0 priority=VfM-4d&rating=low',
        'Medium 3 priority=VfM-4d&rating=medium',
        'High 0 priority=VfM-4d&rating=high',
        'Very high 0 priority=VfM-4d&rating=very-high',
      ],
    );
    assert.equal(
      presentHeatMap(DEFAULT_RISK_SCALE, map, { priority: 'VfM-4d', show: 'all' }, false).rows[0]!.cells[0]!.query,
      'likelihood=5&impact=1&show=all',
    );
  });

  it('colours ratings from green to red by their place among the bands, grey when unknown', () => {
    const table: [RiskScale, string, string][] = [
      [DEFAULT_RISK_SCALE, 'low', 'govuk-tag--green'],
      [DEFAULT_RISK_SCALE, 'medium', 'govuk-tag--yellow'],
      [DEFAULT_RISK_SCALE, 'high', 'govuk-tag--orange'],
      [DEFAULT_RISK_SCALE, 'very-high', 'govuk-tag--red'],
      [DEFAULT_RISK_SCALE, 'other', 'govuk-tag--grey'],
    ];
    const two: RiskScale = {
      ...DEFAULT_RISK_SCALE,
      matrix: {
        ...DEFAULT_RISK_SCALE.matrix,
        bands: [
          { key: 'ok', label: 'OK', from: 1, to: 9 },
          { key: 'bad', label: 'Bad', from: 10, to: 25 },
        ],
      },
    };
    table.push([two, 'ok', 'govuk-tag--green'], [two, 'bad', 'govuk-tag--red']);
    for (const [scale, key, expected] of table) assert.equal(ratingTagClass(scale, key), expected, key);
  });

  it('names the levels in the radios and checks the chosen one', () => {
    assert.deepEqual(
      levelItems(DEFAULT_RISK_SCALE.likelihoodNames, '3').map((i) => `${i.value} ${i.text}${i.checked ? ' *' : ''}`),
      ['1 1 Rare', '2 2 Unlikely', '3 3 Possible *', '4 4 Likely', '5 5 Almost certain'],
    );
    assert.equal(
      levelItems(DEFAULT_RISK_SCALE.impactNames, undefined).some((i) => i.checked),
      false,
    );
  });

  it('writes only the filters that are set into the query', () => {
    assert.equal(filterQuery({ show: 'open' }), '');
    assert.equal(
      filterQuery({ priority: 'A 1', rating: 'high', show: 'closed' }),
      'priority=A+1&rating=high&show=closed',
    );
  });
});
