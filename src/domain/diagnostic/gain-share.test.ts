import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Money, formatMoneyShort, pence, pounds } from './money.ts';
import {
  type GainShareAgreement,
  GAIN_SHARE_PRESETS,
  SEED_DEAL_READING_A,
  SEED_DEAL_READING_B,
  evaluateGainShare,
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
      'Qualifying savings of £800K have not reached the first tranche (£1.0m), so the council repays nothing: the council bears £50K and Local Partnerships £100K of the £150K cost. The next tranche, £50K, is due when savings reach £1.0m.',
    ],
    [
      5.5,
      'Qualifying savings of £5.5m reach 1 of 2 tranches (£1.0m), so the council repays £50K of Local Partnerships’ £100K: the council bears £100K and Local Partnerships £50K of the £150K cost. The next tranche, a further £50K, is due when savings reach £6.0m.',
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
      /first tranche \(more than £1\.0m\).*due when savings exceed £1\.0m/,
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
