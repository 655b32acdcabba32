import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Money, formatInUnits, formatMoney, pence, pounds } from './money.ts';
import {
  type LedgerEntry,
  type PooledOpportunity,
  appraiseOption,
  combineByPool,
  consolidationRange,
  dispersedTransactionalPay,
  findDependencyLoop,
  dependencyClashes,
  ledgerTotals,
  parseYearlyAmounts,
  qualifyingSavings,
  rangeIssues,
  savingFromBenchmark,
  stageChangeIssue,
} from './programme.ts';
import type { BenchmarkSet } from './quartiles.ts';

const RUNS = { numRuns: 200 };
const k = (thousands: number) => pounds(thousands * 1_000);
const opp = (
  id: string,
  costPool: string,
  poolCost: Money,
  low: Money,
  central: Money,
  high: Money,
): PooledOpportunity => ({ id, costPool, poolCost, low, central, high });

describe('opportunities combined per cost pool', () => {
  it('takes levers of 8%, 5% and 3.5% of a £9.0m pool to £1,409,310, not the naive £1,485,000', () => {
    const nine = pounds(9_000_000);
    const { pools, total } = combineByPool([
      opp('a', 'FIN', nine, pounds(720_000), pounds(720_000), pounds(720_000)),
      opp('b', 'FIN', nine, pounds(450_000), pounds(450_000), pounds(450_000)),
      opp('c', 'FIN', nine, pounds(315_000), pounds(315_000), pounds(315_000)),
    ]);
    assert.equal(pools.length, 1);
    assert.equal(formatMoney(pools[0]!.central), '£1,409,310');
    assert.equal(formatMoney(pools[0]!.naive.central), '£1,485,000');
    assert.equal(total.central, pools[0]!.central);
  });

  it('adds separate pools without combining them', () => {
    const { pools, total } = combineByPool([
      opp('a', 'FIN', pounds(100), pounds(10), pounds(20), pounds(30)),
      opp('b', 'HR', pounds(100), pounds(10), pounds(20), pounds(30)),
    ]);
    assert.deepEqual(
      pools.map((p) => p.costPool),
      ['FIN', 'HR'],
    );
    assert.deepEqual([total.low, total.central, total.high], [pounds(20), pounds(40), pounds(60)]);
  });

  it('names what is wrong with a range', () => {
    assert.deepEqual(
      rangeIssues({ low: pounds(5), central: pounds(4), high: pounds(200) }, pounds(100)).map((i) => i.field),
      ['central', 'high'],
    );
    assert.deepEqual(rangeIssues({ low: pounds(1), central: pounds(2), high: pounds(3) }, pounds(3)), []);
  });

  const arbitraryPool = fc.integer({ min: 0, max: 1_000_000_000 }).chain((pool) =>
    fc
      .array(
        fc
          .tuple(
            fc.integer({ min: 0, max: pool }),
            fc.integer({ min: 0, max: pool }),
            fc.integer({ min: 0, max: pool }),
          )
          .map(([a, b, c]) => [a, b, c].sort((x, y) => x - y) as [number, number, number]),
        { minLength: 1, maxLength: 6 },
      )
      .map((ranges) => ranges.map(([l, c, h], i) => opp(String(i), 'P', pence(pool), pence(l), pence(c), pence(h)))),
  );

  it('never exceeds the pool, never exceeds the naive sum, keeps low ≤ central ≤ high, and is at least the largest lever (property)', () => {
    fc.assert(
      fc.property(arbitraryPool, (opps) => {
        const {
          pools: [p],
        } = combineByPool(opps);
        assert.ok(p);
        for (const key of ['low', 'central', 'high'] as const) {
          assert.ok(p[key] <= p.poolCost, `${key} within the pool`);
          assert.ok(p[key] <= p.naive[key], `${key} not more than the naive sum`);
          assert.ok(p[key] >= Math.max(...opps.map((o) => o[key])), `${key} at least the largest lever`);
        }
        assert.ok(p.low <= p.central && p.central <= p.high, 'ordered');
      }),
      RUNS,
    );
  });
});

describe('consolidation of dispersed transactional work (the DIAGNOSTIC.md §3 example)', () => {
  // Accounts payable: P1 in Children's 60% of £38,000, P2 in Adults 40% of £24,000, P3 in central Finance £28,000.
  const input = {
    processes: [
      { code: 'FIN-AP', functionCode: 'FIN', type: 'T' },
      { code: 'FIN-PB', functionCode: 'FIN', type: 'P' },
      { code: 'HR-REC', functionCode: 'HR', type: 'T' },
    ],
    byProcessAndUnit: {
      'FIN-AP': {
        childrens: { payCost: pounds(22_800) },
        adults: { payCost: pounds(9_600) },
        finance: { payCost: pounds(28_000) },
      },
      'FIN-PB': { childrens: { payCost: pounds(7_600) } },
      'HR-REC': { adults: { payCost: pounds(7_200) } },
    },
    fragmentation: {
      'FIN-AP': { centralUnitId: 'finance' },
      'FIN-PB': { centralUnitId: 'finance' },
      'HR-REC': { centralUnitId: 'hr' },
    },
    orgUnits: [
      { id: 'childrens' },
      { id: 'adults' },
      { id: 'resources' },
      { id: 'finance', parentId: 'resources' },
      { id: 'ap-team', parentId: 'finance' },
    ],
  };
  it('counts the transactional pay outside central Finance: £32,400 of accounts payable, not budgeting (a professional process)', () => {
    assert.equal(dispersedTransactionalPay(input, 'FIN'), pounds(32_400));
    assert.equal(
      dispersedTransactionalPay(input, 'FIN-PB'),
      pounds(7_600),
      'a process chosen by itself counts whatever its type',
    );
    assert.equal(dispersedTransactionalPay(input, 'HR'), pounds(7_200));
  });
  it('treats a team inside the central function as central', () => {
    const withTeam = {
      ...input,
      byProcessAndUnit: {
        ...input.byProcessAndUnit,
        'FIN-AP': { ...input.byProcessAndUnit['FIN-AP'], 'ap-team': { payCost: pounds(5_000) } },
      },
    };
    assert.equal(dispersedTransactionalPay(withTeam, 'FIN'), pounds(32_400));
  });
  it('takes 10%, 20% and 30% productivity gains, scaled by achievability', () => {
    assert.deepEqual(consolidationRange(pounds(32_400), 10_000), {
      low: pounds(3_240),
      central: pounds(6_480),
      high: pounds(9_720),
    });
    assert.deepEqual(consolidationRange(pounds(32_400), 5_000), {
      low: pounds(1_620),
      central: pounds(3_240),
      high: pounds(4_860),
    });
  });
});

describe('a saving from a benchmark gap', () => {
  const set: BenchmarkSet = {
    source: 'Example',
    year: '2008/09',
    peerGroup: 'Metropolitan districts',
    n: 12,
    p25: 1.2,
    p50: 1.5,
    p75: 1.9,
  };

  it('prices cost as a share of running costs to the median (low) and the best quartile (high)', () => {
    // 1.8% of £500m against a median of 1.5% and a best quartile of 1.2%: £1.5m and £3.0m, at 100%.
    const r = savingFromBenchmark({
      value: 1.8,
      set,
      direction: 'lower-is-better',
      unit: '%',
      denominator: pounds(500_000_000),
      achievability: 10_000,
    });
    assert.ok(r.ok);
    assert.deepEqual(
      [r.range.low, r.range.central, r.range.high],
      [pounds(1_500_000), pounds(2_250_000), pounds(3_000_000)],
    );
  });

  it('applies the achievability factor', () => {
    const r = savingFromBenchmark({
      value: 1.8,
      set,
      direction: 'lower-is-better',
      unit: '%',
      denominator: pounds(500_000_000),
      achievability: 5_000,
    });
    assert.ok(r.ok);
    assert.deepEqual([r.range.low, r.range.high], [pounds(750_000), pounds(1_500_000)]);
  });

  it('prices a unit cost in pounds times a volume', () => {
    const unit: BenchmarkSet = { ...set, p25: 2, p50: 3, p75: 4 };
    const r = savingFromBenchmark({
      value: 5.5,
      set: unit,
      direction: 'lower-is-better',
      unit: '£ per invoice',
      denominator: 100_000,
      achievability: 10_000,
    });
    assert.ok(r.ok);
    assert.deepEqual([r.range.low, r.range.high], [pounds(250_000), pounds(350_000)]);
  });

  it('finds no saving for an organisation already better than the best quartile', () => {
    const r = savingFromBenchmark({
      value: 1.0,
      set,
      direction: 'lower-is-better',
      unit: '%',
      denominator: pounds(500_000_000),
      achievability: 10_000,
    });
    assert.ok(r.ok);
    assert.deepEqual([r.range.low, r.range.central, r.range.high], [0, 0, 0]);
  });

  it('refuses a set of fewer than five organisations, and a higher-is-better measure', () => {
    assert.equal(
      savingFromBenchmark({
        value: 2,
        set: { ...set, n: 4 },
        direction: 'lower-is-better',
        unit: '%',
        denominator: 1,
        achievability: 0,
      }).ok,
      false,
    );
    assert.equal(
      savingFromBenchmark({ value: 2, set, direction: 'higher-is-better', unit: '%', denominator: 1, achievability: 0 })
        .ok,
      false,
    );
  });
});

describe('amounts by year as typed', () => {
  it('reads amounts separated by spaces, semicolons and new lines, with commas grouping thousands', () => {
    const r = parseYearlyAmounts('£1,200,000 £400k;\n0');
    assert.ok(r.ok);
    assert.deepEqual(r.amounts, [pounds(1_200_000), pounds(400_000), pounds(0)]);
  });
  it('names the year it cannot read', () => {
    assert.deepEqual(parseYearlyAmounts('£1 lots'), {
      ok: false,
      message: 'Year 1: “lots” is not an amount of money like £1,200,000 or £1.2m',
    });
    assert.equal(parseYearlyAmounts('  ').ok, false);
    assert.equal(parseYearlyAmounts('-£5').ok, false);
  });
  it('reads back what formatMoney writes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { minLength: 1, maxLength: 20 }), (xs) => {
        const r = parseYearlyAmounts(xs.map((x) => formatMoney(pence(x))).join(' '));
        assert.ok(r.ok);
        assert.deepEqual(r.amounts, xs);
      }),
      RUNS,
    );
  });
});

describe('an option appraised from its lines (the DIAGNOSTIC.md §5 example)', () => {
  const lines = [
    { kind: 'cost' as const, category: 'IT', label: 'IT', amounts: [k(1_200)] },
    { kind: 'cost' as const, category: 'Programme', label: 'Programme', amounts: [k(600), k(400)] },
    { kind: 'cost' as const, category: 'Redundancy', label: 'Redundancy', amounts: [k(1_000)] },
    { kind: 'cost' as const, category: 'Double running', label: 'Double running', amounts: [k(0), k(300)] },
    {
      kind: 'cost' as const,
      category: 'Licences',
      label: 'Licences',
      amounts: [k(0), ...Array<Money>(10).fill(k(150))],
    },
    {
      kind: 'benefit' as const,
      category: 'Cashable savings',
      label: 'Savings',
      amounts: [k(0), k(960), k(1_920), ...Array<Money>(8).fill(k(2_400))],
    },
  ];

  it('gives PVC 4,723.8, PVB 18,120.5, NPSV 13,396.6, BCR 3.84, payback 2.41 years', () => {
    const o = appraiseOption(lines);
    const inK = (m: Money) => formatInUnits(m, 'thousands', 1);
    assert.deepEqual(
      [inK(o.appraisal.pvc), inK(o.appraisal.pvb), inK(o.appraisal.npsv)],
      ['4,723.8', '18,120.5', '13,396.6'],
    );
    assert.equal(o.appraisal.bcr?.toFixed(2), '3.84');
    assert.equal((o.appraisal.payback as number).toFixed(2), '2.41');
    assert.equal(o.years, 11);
    assert.equal(o.byCategory.length, 6);
    assert.equal(
      o.cumulative.at(-1),
      o.net.reduce((a, b) => a + b, 0),
    );
  });

  it('uplifts a cost line by its optimism bias (equipment and development +200%)', () => {
    const o = appraiseOption([{ ...lines[0]!, optimismBias: 'equipment-development' }, lines[5]!]);
    assert.equal(o.costs[0], k(3_600));
    assert.equal(o.uplift[0], k(2_400));
  });

  it('keeps the category totals equal to the unbiased yearly totals (property)', () => {
    const amounts = fc.array(fc.integer({ min: 0, max: 1_000_000_000 }).map(pence), { minLength: 1, maxLength: 12 });
    const line = fc.record({
      kind: fc.constantFrom('cost' as const, 'benefit' as const),
      category: fc.constantFrom('A', 'B', 'C'),
      label: fc.constant('x'),
      amounts,
    });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (ls) => {
        const o = appraiseOption(ls);
        for (let t = 0; t < o.years; t++) {
          const sum = (kind: 'cost' | 'benefit') =>
            o.byCategory.filter((c) => c.kind === kind).reduce((s, c) => s + (c.amounts[t] ?? 0), 0);
          assert.equal(sum('cost'), o.costs[t]);
          assert.equal(sum('benefit'), o.benefits[t]);
        }
      }),
      RUNS,
    );
  });
});

describe('dependencies in a plan', () => {
  it('finds a loop and says which projects are in it', () => {
    assert.deepEqual(
      findDependencyLoop([
        { id: 'a', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['c'] },
        { id: 'c', dependsOn: ['a'] },
      ]),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(findDependencyLoop([{ id: 'a', dependsOn: ['a'] }]), ['a']);
  });
  it('finds none in a chain or a diamond', () => {
    assert.equal(
      findDependencyLoop([
        { id: 'a', dependsOn: [] },
        { id: 'b', dependsOn: ['a'] },
        { id: 'c', dependsOn: ['a'] },
        { id: 'd', dependsOn: ['b', 'c'] },
      ]),
      undefined,
    );
  });
});

describe('the savings ledger', () => {
  const entry = (over: Partial<LedgerEntry>): LedgerEntry => ({
    financialYear: 2010,
    stage: 'realised',
    amount: pounds(100),
    cashable: true,
    recurring: true,
    additional: true,
    verified: true,
    ...over,
  });

  it('counts for gain-share only what is realised, verified and additional', () => {
    const entries = [
      entry({}),
      entry({ verified: false }),
      entry({ stage: 'approved', verified: false }),
      entry({ additional: false }),
      entry({ amount: pounds(50) }),
    ];
    assert.equal(qualifyingSavings(entries), pounds(150));
    const t = ledgerTotals(entries);
    assert.deepEqual(t.byStage, { identified: 0, approved: pounds(100), realised: pounds(350) });
    assert.equal(t.qualifying, pounds(150));
  });

  it('never lets qualifying savings exceed the realised total (property)', () => {
    const e = fc.record({
      financialYear: fc.constant(2010),
      stage: fc.constantFrom('identified' as const, 'approved' as const, 'realised' as const),
      amount: fc.integer({ min: 0, max: 1e12 }).map(pence),
      cashable: fc.boolean(),
      recurring: fc.boolean(),
      additional: fc.boolean(),
      verified: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(e, { maxLength: 20 }), (entries) => {
        const t = ledgerTotals(entries);
        assert.ok(t.qualifying <= t.byStage.realised);
        assert.equal(
          t.byStage.identified + t.byStage.approved + t.byStage.realised,
          entries.reduce((s, x) => s + x.amount, 0),
        );
      }),
      RUNS,
    );
  });

  it('keeps a verified saving realised', () => {
    assert.match(stageChangeIssue('approved', true) ?? '', /stays realised/);
    assert.equal(stageChangeIssue('approved', false), undefined);
  });
});

describe('projects that start before what they depend on ends (issue 13)', () => {
  const p = (id: string, startsOn: string, endsOn: string, dependsOn: string[] = []) => ({
    id,
    name: `Project ${id}`,
    startsOn,
    endsOn,
    dependsOn,
  });
  it('names each clash with both projects and their dates', () => {
    const clashes = dependencyClashes([
      p('Y', '2010-01-01', '2010-06-30'),
      p('X', '2010-04-01', '2010-12-31', ['Y']),
      p('Z', '2010-06-30', '2010-12-31', ['Y']),
      p('W', '2010-07-01', '2010-12-31', ['Y', 'X', 'gone']),
    ]);
    assert.deepEqual(
      clashes.map((c) => `${c.project.name} ${c.project.startsOn} < ${c.dependsOn.name} ${c.dependsOn.endsOn}`),
      ['Project X 2010-04-01 < Project Y 2010-06-30', 'Project W 2010-07-01 < Project X 2010-12-31'],
    );
  });
  it('finds none in a plan whose projects follow one another', () => {
    assert.deepEqual(
      dependencyClashes([p('A', '2010-01-01', '2010-03-31'), p('B', '2010-04-01', '2010-06-30', ['A'])]),
      [],
    );
  });
});
