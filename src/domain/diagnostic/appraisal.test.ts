import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Money, formatInUnits, pence, pounds } from './money.ts';
import {
  type CostLine,
  GREEN_BOOK_SCHEDULE,
  HEALTH_SCHEDULE,
  ZERO_RATE_SCHEDULE,
  describeSchedule,
  formatRate,
  lineUplift,
  appraise,
  discountFactor,
  discountFactorsExact,
  flowsWithOptimismBias,
  optimismBiasUplift,
  rateForYear,
  sensitivities,
} from './appraisal.ts';
import { fractionToNumber } from './decimal.ts';

const RUNS = { numRuns: 200 };
const k = (thousands: number) => pounds(thousands * 1_000);
const inK = (m: Money) => formatInUnits(m, 'thousands', 1);

/** DIAGNOSTIC.md §5, £k: years 0–10. */
const costLines: CostLine[] = [
  { label: 'IT', amounts: [k(1_200)], optimismBias: 'equipment-development' },
  { label: 'Programme', amounts: [k(600), k(400)] },
  { label: 'Redundancy', amounts: [k(1_000)] },
  { label: 'Double running', amounts: [k(0), k(300)] },
  { label: 'Licences', amounts: [k(0), ...Array<Money>(10).fill(k(150))], optimismBias: 'outsourcing' },
];
const workedExample = {
  costs: [k(2_800), k(850), ...Array<Money>(9).fill(k(150))],
  benefits: [k(0), k(960), k(1_920), ...Array<Money>(8).fill(k(2_400))],
};

describe('the Green Book worked example (DIAGNOSTIC.md §5)', () => {
  const a = appraise(workedExample);
  const expected = [
    ['PVC', inK(a.pvc), '4,723.8'],
    ['PVB', inK(a.pvb), '18,120.5'],
    ['NPSV', inK(a.npsv), '13,396.6'],
    ['BCR', a.bcr?.toFixed(2), '3.84'],
    ['payback', (a.payback as number).toFixed(2), '2.41'],
    ['discounted payback', (a.discountedPayback as number).toFixed(2), '2.51'],
  ] as const;
  for (const [name, actual, text] of expected) {
    it(`gives ${name} ${text}`, () => assert.equal(actual, text));
  }

  it('holds the present values exactly, to the penny', () => {
    assert.deepEqual([a.pvc, a.pvb, a.npsv], [pence(472_381_930), pence(1_812_046_329), pence(1_339_664_399)]);
    assert.equal(a.years, 11);
  });

  it('pays back 920/2,250 of the way through year 3', () => {
    assert.equal(a.payback, 2 + 920 / 2_250);
  });

  it('gives the switching values NPSV/PVB and NPSV/PVC', () => {
    assert.equal(a.switchingBenefits?.toFixed(3), '0.739');
    assert.equal(a.switchingCosts?.toFixed(3), '2.836');
  });

  it('builds the same yearly totals from the cost lines before optimism bias', () => {
    const flows = flowsWithOptimismBias(costLines, [], {
      mitigation: { 'equipment-development': 10_000, outsourcing: 10_000 },
    });
    assert.deepEqual(flows.costs, workedExample.costs);
  });

  const sens = sensitivities(workedExample);
  const sensCases = [
    ['benefits 20% lower', sens.benefitsDown20, '4,723.8', '14,496.4', '9,772.6'],
    ['costs 20% higher', sens.costsUp20, '5,668.6', '18,120.5', '12,451.9'],
    ['benefits a year late', sens.delayedOneYear, '4,723.8', '15,863.8', '11,140.0'],
  ] as const;
  for (const [label, s, pvc, pvb, npsv] of sensCases) {
    it(`stays worthwhile with ${label}: PVC ${pvc}, PVB ${pvb}, NPSV ${npsv}`, () => {
      assert.deepEqual([inK(s.pvc), inK(s.pvb), inK(s.npsv)], [pvc, pvb, npsv]);
      assert.equal(s.years, 11);
    });
  }
  it('keeps the base case among the sensitivities', () => assert.deepEqual(sens.base, a));
});

describe('discounting', () => {
  const rates = [
    [1, 350],
    [30, 350],
    [31, 300],
    [75, 300],
    [76, 250],
    [125, 250],
    [126, 200],
    [200, 200],
    [201, 150],
    [300, 150],
    [301, 100],
    [1_000, 100],
  ] as const;
  for (const [year, bp] of rates) {
    it(`discounts year ${year} at ${bp / 100}%`, () => assert.equal(rateForYear(year, GREEN_BOOK_SCHEDULE), bp));
  }

  const factors = [
    [0, '1.0000'],
    [1, '0.9662'],
    [10, '0.7089'],
    [30, '0.3563'],
    [31, '0.3459'],
    [75, '0.0942'],
    [76, '0.0919'],
  ] as const;
  for (const [year, df] of factors) {
    it(`gives a discount factor of ${df} for year ${year}`, () => assert.equal(discountFactor(year).toFixed(4), df));
  }

  it('leaves year 0 undiscounted, unlike a spreadsheet’s NPV()', () => {
    const a = appraise({ costs: [k(100)], benefits: [k(100)] });
    assert.deepEqual([a.pvc, a.pvb, a.npsv], [k(100), k(100), pounds(0)]);
  });

  it('refuses year 0 as a rate year and negative years', () => {
    assert.throws(() => rateForYear(0), RangeError);
    assert.throws(() => discountFactor(-1), RangeError);
  });

  it('makes each factor the previous one over 1 + that year’s rate, all the way to year 400 (property)', () => {
    const df = discountFactorsExact(400);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), (t) => {
        const ratio = fractionToNumber({ n: df[t - 1]!.n * df[t]!.d, d: df[t - 1]!.d * df[t]!.n });
        assert.ok(Math.abs(ratio - (1 + rateForYear(t) / 10_000)) < 1e-12);
      }),
      RUNS,
    );
  });
});

describe('appraisal edge cases', () => {
  const cases = [
    { label: 'no cash flows', flows: { costs: [], benefits: [] }, pvc: 0, bcr: undefined, payback: undefined },
    {
      label: 'benefits and no costs',
      flows: { costs: [], benefits: [k(0), k(10)] },
      pvc: 0,
      bcr: undefined,
      payback: 0,
    },
    {
      label: 'costs that never pay back',
      flows: { costs: [k(100), k(10)], benefits: [k(0), k(5)] },
      pvc: 10_966_184,
      bcr: 0.04,
      payback: 'never',
    },
    // Issue 12: a year 0 with no flows is not a payback (it showed 0.00 years).
    {
      label: 'a first year with no flows',
      flows: { costs: [k(0), k(1)], benefits: [k(0), k(0), k(0.6), k(0.6)] },
      pvc: 96_618,
      bcr: 1.14,
      payback: 2 + 400 / 600,
    },
    // Issue 12: a cumulative flow that turns positive and falls back never paid back (it showed 0.67).
    {
      label: 'flows that cross zero and fall back',
      flows: { costs: [k(0.1), k(0), k(0.2), k(0)], benefits: [k(0), k(0.15), k(0), k(0.05)] },
      pvc: 28_670,
      bcr: 0.66,
      payback: 'never',
    },
    {
      label: 'a payback exactly at a year end',
      flows: { costs: [k(100)], benefits: [k(0), k(100)] },
      pvc: 10_000_000,
      bcr: 0.97,
      payback: 1,
    },
  ];
  for (const c of cases) {
    it(`appraises ${c.label}`, () => {
      const a = appraise(c.flows);
      assert.equal(a.pvc, c.pvc);
      assert.equal(a.bcr === undefined ? undefined : Number(a.bcr.toFixed(2)), c.bcr);
      assert.equal(a.payback, c.payback);
    });
  }
});

describe('appraisal invariants (properties)', () => {
  const flow = fc.array(fc.integer({ min: 0, max: 5_000_000_000 }).map(pence), { maxLength: 40 });
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

  it('NPSV at a zero discount rate equals the undiscounted net sum, to the penny', () => {
    fc.assert(
      fc.property(flow, flow, (costs, benefits) => {
        const a = appraise({ costs, benefits }, ZERO_RATE_SCHEDULE);
        assert.equal(a.npsv, sum(benefits) - sum(costs));
        assert.equal(a.pvc, sum(costs));
        assert.equal(a.pvb, sum(benefits));
        assert.equal(a.payback, a.discountedPayback);
      }),
      RUNS,
    );
  });

  it('NPSV is PVB − PVC, discounting never adds value, and costs up 20% or benefits down 20% never help', () => {
    fc.assert(
      fc.property(flow, flow, (costs, benefits) => {
        const s = sensitivities({ costs, benefits });
        assert.equal(s.base.npsv, s.base.pvb - s.base.pvc);
        assert.ok(s.base.pvc <= sum(costs) && s.base.pvb <= sum(benefits));
        assert.ok(
          s.costsUp20.npsv <= s.base.npsv &&
            s.benefitsDown20.npsv <= s.base.npsv &&
            s.delayedOneYear.npsv <= s.base.npsv,
        );
        // BCR comes from the exact values, so it agrees with the rounded ones to within their half-pennies.
        if (s.base.bcr !== undefined)
          assert.ok(Math.abs(s.base.bcr * s.base.pvc - s.base.pvb) <= 0.5 * (1 + s.base.bcr) + 1e-6);
      }),
      RUNS,
    );
  });

  it('a payback year is the one after which the cumulative net flow stays non-negative (property)', () => {
    fc.assert(
      fc.property(flow, flow, (costs, benefits) => {
        const p = appraise({ costs, benefits }).payback;
        const years = Math.max(costs.length, benefits.length);
        const cumulative = (t: number) => sum(benefits.slice(0, t + 1)) - sum(costs.slice(0, t + 1));
        if (p === undefined) {
          for (let t = 0; t < years; t += 1) assert.equal(cumulative(t), 0, 'no payback only with no flows');
          return;
        }
        if (p === 'never') {
          assert.ok(cumulative(years - 1) < 0, 'never pays back only when it ends negative');
          return;
        }
        // From the payback year to the end, the cumulative flow stays non-negative; the year before is negative.
        const year = Math.ceil(p);
        for (let t = year; t < years; t += 1) assert.ok(cumulative(t) >= 0);
        if (year > 0) assert.ok(cumulative(year - 1) < 0);
      }),
      RUNS,
    );
  });
});

describe('optimism bias', () => {
  it('uplifts equipment and development capex by 200%, and outsourcing opex by 41%, with no mitigation', () => {
    const flows = flowsWithOptimismBias(costLines, []);
    assert.deepEqual([flows.uplift[0], flows.uplift[1], flows.uplift[10]], [k(2_400), k(61.5), k(61.5)]);
    assert.equal(flows.costs[0], k(5_200));
  });

  const mitigations = [
    [0, 20_000],
    [2_500, 15_000],
    [5_000, 10_000],
    [9_500, 1_000],
    [10_000, 0],
  ] as const;
  for (const [mitigation, uplift] of mitigations) {
    it(`lowers the 200% uplift to ${uplift / 100}% when ${mitigation / 100}% of it is mitigated`, () => {
      const u = optimismBiasUplift('equipment-development', mitigation);
      assert.equal(fractionToNumber(u), uplift);
      const flows = flowsWithOptimismBias([costLines[0]!], [], { mitigation: { 'equipment-development': mitigation } });
      assert.equal(flows.costs[0], k(1_200 + (1_200 * uplift) / 10_000));
    });
  }

  it('reduces benefits by the recorded share and leaves uncategorised costs alone', () => {
    const flows = flowsWithOptimismBias([costLines[2]!], [{ label: 'Savings', amounts: [k(0), k(2_400)] }], {
      benefitReduction: 1_000,
    });
    assert.deepEqual(flows.benefits, [k(0), k(2_160)]);
    assert.deepEqual(flows.costs, [k(1_000)]);
  });

  it('refuses mitigation or a benefit reduction outside 0–100%', () => {
    assert.throws(() => optimismBiasUplift('outsourcing', 10_001), RangeError);
    assert.throws(() => flowsWithOptimismBias([], [], { benefitReduction: -1 }), RangeError);
  });
});

// Issue 12: the health rate as a case's choice, long appraisals on the declining schedule, and
// optimism bias stated per line with a reason.
describe('the Green Book schedules for long appraisals', () => {
  const factors = [
    ['standard', GREEN_BOOK_SCHEDULE, 1, '0.9662'],
    ['standard', GREEN_BOOK_SCHEDULE, 31, '0.3459'],
    ['standard', GREEN_BOOK_SCHEDULE, 126, '0.0269'],
    ['health', HEALTH_SCHEDULE, 1, '0.9852'],
    ['health', HEALTH_SCHEDULE, 30, '0.6398'],
    ['health', HEALTH_SCHEDULE, 31, '0.6316'],
    ['health', HEALTH_SCHEDULE, 75, '0.3600'],
    ['health', HEALTH_SCHEDULE, 76, '0.3562'],
    ['health', HEALTH_SCHEDULE, 126, '0.2095'],
  ] as const;
  for (const [name, schedule, year, df] of factors) {
    it(`gives a ${name} discount factor of ${df} for year ${year}`, () =>
      assert.equal(discountFactor(year, schedule).toFixed(4), df));
  }

  const rates = [
    [HEALTH_SCHEDULE, 30, 150],
    [HEALTH_SCHEDULE, 31, 128.6],
    [HEALTH_SCHEDULE, 125, 107.1],
    [HEALTH_SCHEDULE, 200, 85.7],
    [HEALTH_SCHEDULE, 300, 64.3],
    [HEALTH_SCHEDULE, 301, 42.9],
  ] as const;
  for (const [schedule, year, bp] of rates) {
    it(`discounts year ${year} at the health rate of ${formatRate(bp)}`, () =>
      assert.equal(rateForYear(year, schedule), bp));
  }

  it('describes each schedule in words with its rates', () => {
    assert.equal(
      describeSchedule(GREEN_BOOK_SCHEDULE),
      '3.5% for years 0–30, 3.0% for years 31–75, 2.5% for years 76–125, 2.0% for years 126–200, 1.5% for years 201–300, 1.0% after year 300',
    );
    assert.equal(
      describeSchedule(HEALTH_SCHEDULE),
      '1.5% for years 0–30, 1.286% for years 31–75, 1.071% for years 76–125, 0.857% for years 126–200, 0.643% for years 201–300, 0.429% after year 300',
    );
  });

  // £100 a year for years 1–60 after £1,000 in year 0: annuities at 3.5% then 3.0% (standard),
  // 1.5% then 1.286% (health), worked independently: £1,839.20 + £698.32 and £2,401.58 + £1,584.08.
  const long = { costs: [pounds(1_000)], benefits: [pounds(0), ...Array<Money>(60).fill(pounds(100))] };
  const appraisals = [
    ['standard', GREEN_BOOK_SCHEDULE, 253_753, 10, '12.53'],
    ['health', HEALTH_SCHEDULE, 398_566, 10, '10.92'],
  ] as const;
  for (const [name, schedule, pvb, payback, discounted] of appraisals) {
    it(`appraises sixty years on the ${name} schedule: PVB ${pvb} pence, discounted payback ${discounted} years`, () => {
      const a = appraise(long, schedule);
      assert.equal(a.pvb, pvb);
      assert.equal(a.payback, payback);
      assert.equal((a.discountedPayback as number).toFixed(2), discounted);
    });
  }

  it('refuses a rate finer than a tenth of a basis point', () => {
    assert.throws(() => discountFactor(1, [{ throughYear: undefined, rate: 1.25 }]), RangeError);
    assert.throws(() => discountFactor(1, [{ throughYear: undefined, rate: -10_000 }]), RangeError);
  });
});

describe('payback, table by table (issue 12)', () => {
  const cases = [
    ['no cash flows at all', [], [], undefined, undefined],
    ['an option of zeros', [k(0), k(0)], [k(0)], undefined, undefined],
    ['costs 0, 1,000; benefits 0, 0, 600, 600', [k(0), k(1)], [k(0), k(0), k(0.6), k(0.6)], '2.67', '2.75'],
    [
      'flows −100, +150, −200, +50 that never pay back',
      [k(0.1), k(0), k(0.2), k(0)],
      [k(0), k(0.15), k(0), k(0.05)],
      'never',
      'never',
    ],
    ['the worked example', workedExample.costs, workedExample.benefits, '2.41', '2.51'],
    ['benefits from year 0 and no costs', [], [k(1)], '0.00', '0.00'],
    ['costs only', [k(1), k(1)], [], 'never', 'never'],
  ] as const;
  const shown = (p: number | 'never' | undefined) => (typeof p === 'number' ? p.toFixed(2) : p);
  for (const [label, costs, benefits, payback, discounted] of cases) {
    it(`pays back ${String(payback)} (discounted ${String(discounted)}) for ${label}`, () => {
      const a = appraise({ costs, benefits });
      assert.equal(shown(a.payback), payback);
      assert.equal(shown(a.discountedPayback), discounted);
    });
  }

  it('gives each sensitivity its own payback: never when benefits 20% lower cannot recover the costs', () => {
    const s = sensitivities({ costs: [k(100)], benefits: [k(0), k(55), k(55)] });
    assert.equal(shown(s.base.payback), '1.82');
    assert.equal(s.benefitsDown20.payback, 'never');
    assert.equal(s.costsUp20.payback, 'never');
    assert.equal(s.delayedOneYear.payback, 'never');
  });
});

describe('optimism bias stated per line', () => {
  const lines = [
    [
      'a stated 10% on a line with no category',
      { label: 'Other costs', amounts: [k(100)], statedUplift: 1_000 },
      k(10),
    ],
    ['a stated 0%', { label: 'Firm quote', amounts: [k(100)], statedUplift: 0 }, k(0)],
    [
      'a stated 12.5% in place of a category',
      { label: 'IT', amounts: [k(100)], optimismBias: 'equipment-development', statedUplift: 1_250 },
      k(12.5),
    ],
    [
      'a category with no mitigation',
      { label: 'IT', amounts: [k(100)], optimismBias: 'equipment-development' },
      k(200),
    ],
    ['no category and nothing stated', { label: 'Redundancy', amounts: [k(100)] }, k(0)],
  ] as const;
  for (const [label, line, uplift] of lines) {
    it(`uplifts by ${uplift} pence for ${label}`, () => {
      const flows = flowsWithOptimismBias([line], []);
      assert.equal(flows.uplift[0] ?? 0, uplift);
      assert.equal(flows.costs[0], k(100) + uplift);
    });
  }

  it('leaves a stated uplift alone when the category would be mitigated', () => {
    const u = lineUplift(
      { label: 'IT', amounts: [], optimismBias: 'outsourcing', statedUplift: 1_000 },
      {
        mitigation: { outsourcing: 10_000 },
      },
    );
    assert.equal(fractionToNumber(u), 0.1);
  });

  it('refuses a stated uplift below 0% or above 1,000%', () => {
    assert.throws(() => lineUplift({ label: 'x', amounts: [], statedUplift: -1 }), RangeError);
    assert.throws(() => lineUplift({ label: 'x', amounts: [], statedUplift: 100_001 }), RangeError);
  });
});
