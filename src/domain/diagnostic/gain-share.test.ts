import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Money, formatMoneyShort, pence, pounds } from './money.ts';
import {
  type GainShareAgreement,
  GAIN_SHARE_PRESETS,
  SEED_DEAL_READING_A,
  SEED_DEAL_READING_B,
  agreementIssues,
  evaluateGainShare,
  formatMoneyExact,
  validateAgreement,
} from './gain-share.ts';

const RUNS = { numRuns: 200 };
const m = (millions: number) => pounds(Math.round(millions * 1_000_000));

describe('the seed’s gain-share deal (DIAGNOSTIC.md §7)', () => {
  const cases = [
    { reading: 'B', savings: 0.8, due: '£0', council: '£50K', funder: '£100K', reached: [] },
    { reading: 'B', savings: 1.0, due: '£50K', council: '£100K', funder: '£50K', reached: ['£1.0m'] },
    { reading: 'B', savings: 5.5, due: '£50K', council: '£100K', funder: '£50K', reached: ['£1.0m'] },
    { reading: 'B', savings: 6.0, due: '£100K', council: '£150K', funder: '£0', reached: ['£1.0m', '£6.0m'] },
    { reading: 'B', savings: 9.0, due: '£100K', council: '£150K', funder: '£0', reached: ['£1.0m', '£6.0m'] },
    { reading: 'A', savings: 0.8, due: '£0', council: '£50K', funder: '£100K', reached: [] },
    { reading: 'A', savings: 1.0, due: '£50K', council: '£100K', funder: '£50K', reached: ['£1.0m'] },
    { reading: 'A', savings: 5.5, due: '£100K', council: '£150K', funder: '£0', reached: ['£1.0m', '£5.0m'] },
  ] as const;
  for (const c of cases) {
    it(`under reading ${c.reading}, £${c.savings}m of savings makes ${c.due} due`, () => {
      const e = evaluateGainShare(GAIN_SHARE_PRESETS[c.reading], m(c.savings));
      assert.deepEqual(
        [
          formatMoneyShort(e.due),
          formatMoneyShort(e.councilCost),
          formatMoneyShort(e.funderCost),
          e.reached.map((t) => formatMoneyShort(t.threshold)),
          e.reading,
        ],
        [c.due, c.council, c.funder, c.reached, c.reading],
      );
    });
  }

  it('makes reading B the default-looking deal and records the reading', () => {
    assert.equal(SEED_DEAL_READING_B.reading, 'B');
    assert.equal(SEED_DEAL_READING_A.reading, 'A');
    assert.deepEqual(validateAgreement(SEED_DEAL_READING_A), []);
    assert.deepEqual(validateAgreement(SEED_DEAL_READING_B), []);
  });

  const explanations = [
    [
      0.8,
      'Qualifying savings of £800K have not reached the first tranche (£1.0m), so the council repays nothing: the council bears £50K and Local Partnerships £100K of the £150K cost. The next tranche, £50K, is due when savings reach £1.0m (£200K more).',
    ],
    [
      5.5,
      'Qualifying savings of £5.5m reach 1 of 2 tranches (£1.0m), so the council repays £50K of Local Partnerships’ £100K: the council bears £100K and Local Partnerships £50K of the £150K cost. The next tranche, a further £50K, is due when savings reach £6.0m (£500K more).',
    ],
    [
      6.0,
      'Qualifying savings of £6.0m reach both tranches (£1.0m and £6.0m), so the council repays all £100K of Local Partnerships’ £100K: the council bears the whole £150K cost.',
    ],
  ] as const;
  for (const [savings, sentence] of explanations) {
    it(`explains £${savings}m under reading B in a sentence`, () =>
      assert.equal(evaluateGainShare(SEED_DEAL_READING_B, m(savings)).explanation, sentence));
  }
});

describe('gain-share agreements as data', () => {
  const base: GainShareAgreement = { ...SEED_DEAL_READING_B, name: 'Test', reading: 'custom' };

  it('reaches an exclusive tranche only above its threshold', () => {
    const agreement = { ...base, tranches: [{ threshold: m(1), repayment: pounds(50_000), inclusive: false }] };
    assert.equal(evaluateGainShare(agreement, m(1)).due, 0);
    assert.equal(evaluateGainShare(agreement, pence(m(1) + 1)).due, pounds(50_000));
    assert.match(
      evaluateGainShare(agreement, m(1)).explanation,
      /first tranche \(more than £1\.0m\).*due when savings exceed £1\.0m \(at least £0\.01 more\)/,
    );
  });

  it('evaluates tranches whatever order they are listed in', () => {
    const agreement = { ...base, tranches: [...base.tranches].reverse() };
    assert.deepEqual(
      evaluateGainShare(agreement, m(6)).reached.map((t) => t.threshold),
      [m(1), m(6)],
    );
    assert.equal(evaluateGainShare(agreement, m(2)).next?.threshold, m(6));
  });

  it('owes nothing under an agreement with no tranches', () => {
    const e = evaluateGainShare({ ...base, tranches: [] }, m(10));
    assert.equal(e.due, 0);
    assert.match(e.explanation, /no repayment tranches/);
  });

  const invalid: [string, Partial<GainShareAgreement>, string][] = [
    ['contributions that do not add up to the total', { councilContribution: pounds(40_000) }, 'councilContribution'],
    [
      'repayments beyond the funder’s contribution',
      { tranches: [{ threshold: m(1), repayment: pounds(150_000), inclusive: true }] },
      'tranches',
    ],
    [
      'a negative threshold',
      { tranches: [{ threshold: pounds(-1), repayment: pounds(1), inclusive: true }] },
      'tranches.0.threshold',
    ],
    [
      'a negative repayment',
      { tranches: [{ threshold: pounds(1), repayment: pounds(-1), inclusive: true }] },
      'tranches.0.repayment',
    ],
    [
      'a negative contribution',
      { funderContribution: pounds(-100_000), councilContribution: pounds(250_000) },
      'funderContribution',
    ],
  ];
  for (const [label, change, field] of invalid) {
    it(`refuses ${label}`, () => {
      const agreement = { ...base, ...change };
      assert.deepEqual(
        validateAgreement(agreement).map((i) => i.field),
        [field],
      );
      assert.throws(() => evaluateGainShare(agreement, m(1)), RangeError);
    });
  }
});

describe('gain-share invariants (properties)', () => {
  const agreement = fc
    .record({
      funder: fc.integer({ min: 0, max: 100_000_000 }),
      council: fc.integer({ min: 0, max: 100_000_000 }),
      tranches: fc.array(
        fc.record({
          threshold: fc.integer({ min: 0, max: 1_000_000_000 }),
          share: fc.integer({ min: 0, max: 10_000 }),
          inclusive: fc.boolean(),
        }),
        { maxLength: 6 },
      ),
    })
    .map(({ funder, council, tranches }): GainShareAgreement => {
      // Scale the repayments so together they never exceed the funder's contribution.
      const shares = tranches.reduce((a, t) => a + t.share, 0);
      return {
        name: 'Generated',
        reading: 'custom',
        funder: 'Funder',
        council: 'the council',
        totalCost: pence(funder + council),
        funderContribution: pence(funder),
        councilContribution: pence(council),
        tranches: tranches.map((t) => ({
          threshold: pence(t.threshold),
          inclusive: t.inclusive,
          repayment: pence(shares === 0 ? 0 : Math.floor((funder * t.share) / Math.max(shares, 10_000))),
        })),
      };
    });
  const savings = fc.integer({ min: 0, max: 1_200_000_000 }).map(pence);

  it('keeps 0 ≤ due ≤ the funder’s contribution, and council + funder = total', () => {
    fc.assert(
      fc.property(agreement, savings, (a, s) => {
        assert.deepEqual(validateAgreement(a), []);
        const e = evaluateGainShare(a, s);
        assert.ok(e.due >= 0 && e.due <= a.funderContribution);
        assert.equal(e.councilCost + e.funderCost, a.totalCost);
        assert.equal(
          e.due,
          e.reached.reduce((x, t) => x + t.repayment, 0),
        );
      }),
      RUNS,
    );
  });

  it('never lets due fall as savings rise', () => {
    fc.assert(
      fc.property(agreement, savings, savings, (a, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        assert.ok(evaluateGainShare(a, lo).due <= evaluateGainShare(a, hi).due);
      }),
      RUNS,
    );
  });

  it('holds for both presets across the whole range of savings', () => {
    fc.assert(
      fc.property(fc.constantFrom(SEED_DEAL_READING_A, SEED_DEAL_READING_B), savings, savings, (a, x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        const [el, eh] = [evaluateGainShare(a, lo), evaluateGainShare(a, hi)];
        assert.ok(el.due <= eh.due && eh.due <= pounds(100_000));
        assert.equal((eh.councilCost + eh.funderCost) as Money, pounds(150_000));
      }),
      RUNS,
    );
  });
});

describe('the evaluation’s sentence is exact (issue 12)', () => {
  const at = (p: number) => pence(p);
  it('shows an amount in short form only when that is the amount exactly', () => {
    const table: [number, string][] = [
      [500_000_000, '£5.0m'],
      [550_000_000, '£5.5m'],
      [5_000_000, '£50K'],
      [499_999_999, '£4,999,999.99'],
      [105_000_000, '£1,050,000'],
      [95_050, '£950.50'],
      [0, '£0'],
    ];
    for (const [p, text] of table) assert.equal(formatMoneyExact(at(p)), text, `${p} pence`);
  });

  it('never says £4,999,999.99 reaches £5m under reading A, and names the exact penny still needed', () => {
    const e = evaluateGainShare(SEED_DEAL_READING_A, at(499_999_999));
    assert.equal(e.due, pounds(50_000));
    assert.equal(e.reached.length, 1);
    assert.equal(
      e.explanation,
      'Qualifying savings of £4,999,999.99 reach 1 of 2 tranches (£1.0m), so the council repays £50K of Local Partnerships’ £100K: the council bears £100K and Local Partnerships £50K of the £150K cost. The next tranche, a further £50K, is due when savings reach £5.0m (£0.01 more).',
    );
    assert.doesNotMatch(e.explanation, /£5\.0m reach/);
    const reached = evaluateGainShare(SEED_DEAL_READING_A, at(500_000_000));
    assert.equal(reached.due, pounds(100_000));
    assert.match(reached.explanation, /^Qualifying savings of £5\.0m reach both tranches \(£1\.0m and £5\.0m\)/);
  });

  it('counts a penny short of the first threshold as no tranche reached', () => {
    const e = evaluateGainShare(SEED_DEAL_READING_B, at(99_999_999));
    assert.equal(e.due, 0);
    assert.match(e.explanation, /^Qualifying savings of £999,999\.99 have not reached the first tranche \(£1\.0m\)/);
    assert.match(e.explanation, /reach £1\.0m \(£0\.01 more\)\.$/);
  });

  it('counts tranches of an agreement of any shape, exclusive ones only above their threshold', () => {
    const three: GainShareAgreement = {
      ...SEED_DEAL_READING_B,
      name: 'Three steps',
      reading: 'custom',
      tranches: [
        { threshold: pounds(250_000), repayment: pounds(10_000), inclusive: true },
        { threshold: pounds(2_000_000), repayment: pounds(40_000), inclusive: false },
        { threshold: pounds(3_000_000), repayment: pounds(50_000), inclusive: true },
      ],
    };
    assert.deepEqual(agreementIssues(three), []);
    const atTwo = evaluateGainShare(three, pounds(2_000_000));
    assert.equal(atTwo.due, pounds(10_000));
    assert.match(atTwo.explanation, /reach 1 of 3 tranches \(£250K\).*exceed £2\.0m \(at least £0\.01 more\)/);
    const justOver = evaluateGainShare(three, pence(pounds(2_000_000) + 1));
    assert.equal(justOver.due, pounds(50_000));
    assert.match(justOver.explanation, /reach 2 of 3 tranches \(£250K and more than £2\.0m\)/);
    assert.match(evaluateGainShare(three, pounds(3_000_000)).explanation, /reach all 3 tranches/);
  });

  const cases: [string, GainShareAgreement['tranches'], Partial<GainShareAgreement>, string[]][] = [
    [
      'thresholds out of order, naming the row',
      [
        { threshold: pounds(5_000_000), repayment: pounds(50_000), inclusive: true },
        { threshold: pounds(1_000_000), repayment: pounds(50_000), inclusive: true },
      ],
      {},
      ['tranches.1.threshold'],
    ],
    [
      'two tranches at one threshold',
      [
        { threshold: pounds(1_000_000), repayment: pounds(50_000), inclusive: true },
        { threshold: pounds(1_000_000), repayment: pounds(50_000), inclusive: true },
      ],
      {},
      ['tranches.1.threshold'],
    ],
    [
      'a repayment of nothing and a threshold of nothing',
      [{ threshold: pounds(0), repayment: pounds(0), inclusive: true }],
      {},
      ['tranches.0.threshold', 'tranches.0.repayment'],
    ],
    [
      'repayments beyond the funder’s contribution',
      [
        { threshold: pounds(1_000_000), repayment: pounds(60_000), inclusive: true },
        { threshold: pounds(2_000_000), repayment: pounds(50_000), inclusive: true },
      ],
      {},
      ['tranches'],
    ],
    [
      'contributions that do not add up',
      [{ threshold: pounds(1_000_000), repayment: pounds(50_000), inclusive: true }],
      { councilContribution: pounds(40_000) },
      ['councilContribution'],
    ],
  ];
  for (const [label, tranches, change, fields] of cases) {
    it(`refuses to save ${label}`, () => {
      const issues = agreementIssues({ ...SEED_DEAL_READING_B, ...change, reading: 'custom', tranches });
      assert.deepEqual(
        issues.map((i) => i.field),
        fields,
        issues.map((i) => i.message).join(' | '),
      );
    });
  }
  it('says which rows are out of order and by how much, to the penny', () => {
    const [issue] = agreementIssues({
      ...SEED_DEAL_READING_B,
      tranches: [
        { threshold: pence(500_000_001), repayment: pounds(50_000), inclusive: true },
        { threshold: pounds(5_000_000), repayment: pounds(50_000), inclusive: true },
      ],
    });
    assert.equal(
      issue?.message,
      'Tranche 2’s threshold (£5.0m) must be more than tranche 1’s (£5,000,000.01): list the tranches from the lowest threshold up',
    );
  });
  it('accepts both presets as they are', () => {
    assert.deepEqual(agreementIssues(SEED_DEAL_READING_A), []);
    assert.deepEqual(agreementIssues(SEED_DEAL_READING_B), []);
  });
});
