import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type RiskBand,
  type RiskMatrix,
  DEFAULT_RISK_MATRIX,
  achievableScores,
  checkRiskMatrix,
  heatMap,
  scoreRisk,
} from './risk.ts';

const band = (key: string, from: number, to: number): RiskBand => ({
  key,
  label: key[0]!.toUpperCase() + key.slice(1),
  from,
  to,
});
const matrix = (bands: RiskBand[], likelihoodLevels = 5, impactLevels = 5): RiskMatrix => ({
  likelihoodLevels,
  impactLevels,
  bands,
});

describe('risk scores', () => {
  const scores = [
    [1, 1, 1, 'low'],
    [2, 2, 4, 'low'],
    [1, 5, 5, 'medium'],
    [3, 3, 9, 'medium'],
    [2, 5, 10, 'high'],
    [4, 4, 16, 'high'],
    [4, 5, 20, 'very-high'],
    [5, 5, 25, 'very-high'],
  ] as const;
  for (const [likelihood, impact, score, key] of scores) {
    it(`scores likelihood ${likelihood} × impact ${impact} as ${score}, ${key}`, () => {
      const r = scoreRisk(DEFAULT_RISK_MATRIX, { likelihood, impact });
      assert.equal(r.score, score);
      assert.equal(r.band.key, key);
    });
  }

  const offMatrix = [
    [0, 3],
    [6, 3],
    [3, 0],
    [3, 6],
    [2.5, 3],
  ] as const;
  for (const [likelihood, impact] of offMatrix) {
    it(`refuses likelihood ${likelihood} and impact ${impact} on a 5 × 5 matrix`, () => {
      assert.throws(() => scoreRisk(DEFAULT_RISK_MATRIX, { likelihood, impact }), RangeError);
    });
  }

  it('lists the scores a 5 × 5 matrix can produce, leaving out 7, 11, 13, 14, 17–19 and 21–24', () => {
    assert.deepEqual(achievableScores(DEFAULT_RISK_MATRIX), [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]);
  });

  it('scores on a 4 × 3 matrix with the organisation’s own bands', () => {
    const m = matrix([band('tolerable', 1, 4), band('significant', 5, 12)], 4, 3);
    assert.deepEqual(checkRiskMatrix(m), []);
    assert.equal(scoreRisk(m, { likelihood: 4, impact: 3 }).band.key, 'significant');
    assert.throws(() => scoreRisk(m, { likelihood: 1, impact: 4 }), /impact must be 1 to 3/);
  });
});

describe('rating bands', () => {
  const valid = [
    { name: 'the default 1–4, 5–9, 10–16, 20–25', m: DEFAULT_RISK_MATRIX },
    {
      name: 'bands that also cover scores no risk can have (10–19)',
      m: matrix([band('low', 1, 4), band('medium', 5, 9), band('high', 10, 19), band('extreme', 20, 25)]),
    },
    { name: 'one band for everything', m: matrix([band('all', 1, 25)]) },
    { name: 'a 1 × 1 matrix', m: matrix([band('only', 1, 1)], 1, 1) },
  ];
  for (const v of valid) {
    it(`accepts ${v.name}`, () => assert.deepEqual(checkRiskMatrix(v.m), []));
  }

  const invalid = [
    {
      name: 'a gap with a score in it',
      m: matrix([band('low', 1, 4), band('medium', 5, 9), band('high', 13, 25)]),
      field: 'bands.2.from',
      message: /No band covers the scores 10, 12, between Medium and High/,
    },
    {
      name: 'an overlap',
      m: matrix([band('low', 1, 5), band('medium', 5, 9), band('high', 10, 25)]),
      field: 'bands.1.from',
      message: /Medium starts at 5, inside Low \(1 to 5\)/,
    },
    {
      name: 'bands out of order',
      m: matrix([band('high', 10, 25), band('low', 1, 9)]),
      field: 'bands.0.from',
      message: /lowest band must start at 1/,
    },
    {
      name: 'a first band that starts above 1',
      m: matrix([band('low', 2, 9), band('high', 10, 25)]),
      field: 'bands.0.from',
      message: /No band covers the score 1/,
    },
    {
      name: 'a last band that stops short',
      m: matrix([band('low', 1, 9), band('high', 10, 20)]),
      field: 'bands.1.to',
      message: /No band covers the score 25: the highest band must end at 25/,
    },
    {
      name: 'a band past the highest score',
      m: matrix([band('low', 1, 9), band('high', 10, 30)]),
      field: 'bands.1.from',
      message: /between whole scores from 1 to 25/,
    },
    {
      name: 'a band running backwards',
      m: matrix([band('low', 1, 9), band('high', 25, 10)]),
      field: 'bands.1.to',
      message: /give the lowest score first/,
    },
    {
      name: 'a band no risk can fall in',
      m: matrix([band('low', 1, 16), band('odd', 17, 19), band('high', 20, 25)]),
      field: 'bands.1.from',
      message: /No risk can score 17 to 19 on a 5 × 5 matrix/,
    },
    {
      name: 'two bands with one key',
      m: matrix([band('low', 1, 9), { ...band('low', 10, 25), label: 'High' }]),
      field: 'bands.1.key',
      message: /same key/,
    },
    {
      name: 'two bands with one label',
      m: matrix([band('low', 1, 9), { ...band('high', 10, 25), label: 'low' }]),
      field: 'bands.1.label',
      message: /same label/,
    },
    { name: 'no bands', m: matrix([]), field: 'bands', message: /at least one/ },
    {
      name: 'eleven levels of likelihood',
      m: matrix([band('all', 1, 55)], 11, 5),
      field: 'likelihoodLevels',
      message: /1 to 10/,
    },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name}, naming ${c.field}`, () => {
      const issues = checkRiskMatrix(c.m);
      assert.equal(issues[0]?.field, c.field, JSON.stringify(issues));
      assert.match(issues[0]!.message, c.message);
      assert.throws(() => scoreRisk(c.m, { likelihood: 1, impact: 1 }), /the risk matrix cannot be used/);
    });
  }
});

describe('heat map', () => {
  const risks = [
    { likelihood: 5, impact: 5 },
    { likelihood: 5, impact: 5 },
    { likelihood: 1, impact: 1 },
    { likelihood: 3, impact: 4 },
    { likelihood: 2, impact: 2 },
  ];

  it('counts risks in each cell, highest impact in the top row', () => {
    const map = heatMap(DEFAULT_RISK_MATRIX, risks);
    assert.deepEqual(
      map.rows.map((row) => row.map((c) => c.count)),
      [
        [0, 0, 0, 0, 2],
        [0, 0, 1, 0, 0],
        [0, 0, 0, 0, 0],
        [0, 1, 0, 0, 0],
        [1, 0, 0, 0, 0],
      ],
    );
    assert.deepEqual(
      map.rows[0]!.map((c) => [c.likelihood, c.impact, c.score]),
      [
        [1, 5, 5],
        [2, 5, 10],
        [3, 5, 15],
        [4, 5, 20],
        [5, 5, 25],
      ],
    );
    assert.deepEqual(
      map.rows.map((row) => row.map((c) => c.bandKey[0])),
      [
        ['m', 'h', 'h', 'v', 'v'],
        ['l', 'm', 'h', 'h', 'v'],
        ['l', 'm', 'm', 'h', 'h'],
        ['l', 'l', 'm', 'm', 'h'],
        ['l', 'l', 'l', 'l', 'm'],
      ],
    );
  });

  it('counts risks in each band, empty bands included', () => {
    const map = heatMap(DEFAULT_RISK_MATRIX, risks);
    assert.deepEqual(
      map.byBand.map((b) => [b.key, b.count]),
      [
        ['low', 2],
        ['medium', 0],
        ['high', 1],
        ['very-high', 2],
      ],
    );
    assert.equal(map.total, 5);
  });

  it('names the risk that is off the matrix', () => {
    assert.throws(
      () =>
        heatMap(DEFAULT_RISK_MATRIX, [
          { likelihood: 1, impact: 1 },
          { likelihood: 6, impact: 1 },
        ]),
      /risk 2: likelihood must be 1 to 5, not 6/,
    );
  });

  it('puts every risk in exactly one cell and one band (property)', () => {
    const sizes = fc.tuple(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 10 }));
    fc.assert(
      fc.property(
        sizes.chain(([l, i]) =>
          fc.tuple(
            fc.constant([l, i] as const),
            fc.array(
              fc.record({ likelihood: fc.integer({ min: 1, max: l }), impact: fc.integer({ min: 1, max: i }) }),
              { maxLength: 50 },
            ),
            fc.integer({ min: 1, max: l * i }),
          ),
        ),
        ([[l, i], rs, split]) => {
          // Two bands split at any achievable score.
          const scores = achievableScores({ likelihoodLevels: l, impactLevels: i });
          const cut = scores.find((s) => s >= split)!;
          const bands = cut === 1 ? [band('all', 1, l * i)] : [band('lower', 1, cut - 1), band('upper', cut, l * i)];
          const m = matrix(bands, l, i);
          assert.deepEqual(checkRiskMatrix(m), []);
          const map = heatMap(m, rs);
          assert.equal(
            map.rows.flat().reduce((a, c) => a + c.count, 0),
            rs.length,
          );
          assert.equal(
            map.byBand.reduce((a, b) => a + b.count, 0),
            rs.length,
          );
          for (const r of rs) assert.ok(scoreRisk(m, r).score === r.likelihood * r.impact);
        },
      ),
      { numRuns: 200 },
    );
  });
});
