import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMoney, pounds } from './money.ts';
import { type PoolOpportunity, combinePools, poolConflicts } from './pools.ts';

const FUNCTION_OF: Record<string, string> = { FIN01: 'FIN', FIN09: 'FIN', FIN10: 'FIN', HR02: 'HR' };
const functionOf = (code: string) => FUNCTION_OF[code];
const isFunction = (code: string) => code === 'FIN' || code === 'HR';

let next = 0;
const opp = (costPool: string, poolCost: number, central: number, title = `${costPool} lever`): PoolOpportunity => ({
  id: `id-${++next}`,
  title,
  costPool,
  poolCost: pounds(poolCost),
  low: pounds(central),
  central: pounds(central),
  high: pounds(central),
});

describe('cost pools as a hierarchy', () => {
  it('combines £800k on Finance (£1m) and £400k on its accounts payable without going above Finance', () => {
    const finance = opp('FIN', 1_000_000, 800_000, 'Finance restructure');
    const ap = opp('FIN09', 500_000, 400_000, 'Accounts payable to the centre');
    const { pools, total } = combinePools([finance, ap], functionOf, isFunction);
    assert.equal(pools.length, 1);
    const fin = pools[0]!;
    assert.equal(fin.level, 'function');
    assert.equal(fin.children.length, 1);
    assert.equal(fin.children[0]!.costPool, 'FIN09');
    // AP saves £400k; Finance-wide saves 80% of the £600k left: £880k, not the naive £1.2m.
    assert.equal(formatMoney(fin.central), '£880,000');
    assert.equal(formatMoney(fin.naive.central), '£1,200,000');
    assert.equal(total.central, fin.central);
  });

  it('adds processes of one function, which do not overlap, when nothing is on the function itself', () => {
    const { pools } = combinePools(
      [opp('FIN09', 500_000, 100_000), opp('FIN10', 300_000, 50_000)],
      functionOf,
      isFunction,
    );
    assert.equal(formatMoney(pools[0]!.central), '£150,000');
    assert.equal(formatMoney(pools[0]!.poolCost), '£800,000');
  });

  it('keeps the §4 rule within one pool: 8%, 5% and 3.5% of £9.0m save £1,409,310', () => {
    const { total } = combinePools(
      [opp('FIN09', 9_000_000, 720_000), opp('FIN09', 9_000_000, 450_000), opp('FIN09', 9_000_000, 315_000)],
      functionOf,
      isFunction,
    );
    assert.equal(formatMoney(total.central), '£1,409,310');
  });

  it('leaves pools outside the taxonomy on their own', () => {
    const { pools } = combinePools(
      [opp('MANAGERS', 2_000_000, 300_000), opp('HR', 900_000, 90_000)],
      functionOf,
      isFunction,
    );
    assert.deepEqual(
      pools.map((p) => [p.costPool, p.level]),
      [
        ['MANAGERS', 'other'],
        ['HR', 'function'],
      ],
    );
  });

  it('never goes above the function pool however the levers fall', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('FIN', 'FIN01', 'FIN09'), fc.integer({ min: 0, max: 100 })), {
          maxLength: 8,
        }),
        (levers) => {
          const list = levers.map(([pool, pct]) => {
            const cost = pool === 'FIN' ? 1_000_000 : 400_000;
            return opp(pool, cost, (cost * pct) / 100);
          });
          for (const p of combinePools(list, functionOf, isFunction).pools) {
            assert.ok(p.central <= p.poolCost, `${formatMoney(p.central)} above ${formatMoney(p.poolCost)}`);
            assert.ok(p.central <= p.naive.central);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('pool costs that contradict the hierarchy', () => {
  const finance = opp('FIN', 1_000_000, 800_000, 'Finance restructure');

  it('refuses a process dearer than its function, naming both opportunities', () => {
    const ap = opp('FIN09', 1_500_000, 400_000, 'Accounts payable to the centre');
    const [c] = poolConflicts(ap, [finance], functionOf);
    assert.equal(c?.field, 'poolCost');
    assert.equal(c?.otherId, finance.id);
    assert.match(
      c.message,
      /FIN09 costs £1,500,000 here, more than its function FIN \(£1,000,000\) in “Finance restructure”/,
    );
  });

  it('refuses a function cheaper than a process of it, from the function’s side too', () => {
    const ap = opp('FIN09', 1_500_000, 400_000, 'Accounts payable to the centre');
    const [c] = poolConflicts(finance, [ap], functionOf);
    assert.match(c!.message, /less than its process FIN09 \(£1,500,000\) in “Accounts payable to the centre”/);
  });

  it('refuses processes that together cost more than their function', () => {
    const a = opp('FIN09', 600_000, 10_000, 'AP');
    const b = opp('FIN10', 600_000, 10_000, 'AR');
    const conflicts = poolConflicts(b, [finance, a], functionOf);
    assert.equal(conflicts.length, 1);
    assert.match(conflicts[0]!.message, /would cost £1,200,000 with this one and “AP”, more than FIN itself/);
  });

  it('accepts pools that fit, and a pool in another function', () => {
    assert.deepEqual(poolConflicts(opp('FIN09', 500_000, 1), [finance], functionOf), []);
    assert.deepEqual(poolConflicts(opp('HR02', 5_000_000, 1), [finance], functionOf), []);
  });
});

describe('managers’ pay, in the MANAGERS pool and in the functions’ pools (issue 12)', () => {
  const managers = (within: Record<string, number> | undefined) => [
    {
      pool: 'MANAGERS',
      what: 'managers’ pay',
      within: within && Object.fromEntries(Object.entries(within).map(([k, v]) => [k, pounds(v)])),
    },
  ];

  it('takes out what spans and layers and a Finance-wide lever both save of the managers’ pay in Finance, naming both', () => {
    const spans = opp('MANAGERS', 2_000_000, 300_000, 'Spans and layers');
    const finance = opp('FIN', 1_000_000, 200_000, 'Finance restructure');
    const { pools, total, overlaps } = combinePools(
      [spans, finance],
      functionOf,
      isFunction,
      managers({ FIN: 400_000 }),
    );
    assert.deepEqual(
      pools.map((p) => formatMoney(p.central)),
      ['£300,000', '£200,000'],
    );
    // £400k of Finance's pay is managers’: 15% of it and 20% of it overlap by 15% × 20% × £400k = £12,000.
    assert.equal(formatMoney(total.central), '£488,000');
    assert.equal(overlaps.length, 1);
    const [w] = overlaps;
    assert.deepEqual([w!.opportunityIds, w!.otherOpportunityIds], [[spans.id], [finance.id]]);
    assert.equal(formatMoney(w!.deducted.central), '£12,000');
    assert.match(
      w!.message,
      /“Spans and layers” \(MANAGERS\) and “Finance restructure” \(FIN\) both save managers’ pay in FIN \(£400,000\)/,
    );
  });

  it('counts levers on the same money once: when Finance is all managers’ pay, as one pool', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (a, b) => {
        const cost = 1_000_000;
        const spans = opp('MANAGERS', cost, (cost * a) / 100);
        const finance = opp('FIN', cost, (cost * b) / 100);
        const apart = combinePools([spans, finance], functionOf, isFunction, managers({ FIN: cost })).total;
        const together = combinePools([spans, { ...finance, costPool: 'MANAGERS' }], functionOf, isFunction).total;
        assert.equal(apart.central, together.central);
      }),
      { numRuns: 200 },
    );
  });

  it('works on the processes’ share when the levers are on processes of a function', () => {
    const spans = opp('MANAGERS', 1_000_000, 100_000, 'Spans and layers');
    const ap = opp('FIN09', 500_000, 250_000, 'Accounts payable to the centre');
    const { total, overlaps } = combinePools(
      [spans, ap],
      functionOf,
      isFunction,
      managers({ FIN: 300_000, FIN09: 40_000, FIN10: 260_000 }),
    );
    // Only the £40k of managers’ pay on accounts payable is shared: 10% × 50% × £40k = £2,000.
    assert.equal(formatMoney(total.central), '£348,000');
    assert.match(overlaps[0]!.message, /\(FIN09\) both save managers’ pay in FIN09 \(£40,000\)/);
  });

  it('warns without changing the total when the baseline does not say how much is shared, and not at all when nothing is', () => {
    const spans = opp('MANAGERS', 2_000_000, 300_000, 'Spans and layers');
    const hr = opp('HR', 900_000, 90_000, 'HR self-service');
    const unknown = combinePools([spans, hr], functionOf, isFunction, managers(undefined));
    assert.equal(formatMoney(unknown.total.central), '£390,000');
    assert.match(
      unknown.overlaps[0]!.message,
      /“Spans and layers” \(MANAGERS\) and “HR self-service” \(HR\) may both save managers’ pay in HR: .* may count it twice/,
    );
    const none = combinePools([spans, hr], functionOf, isFunction, managers({ FIN: 100_000 }));
    assert.deepEqual(none.overlaps, []);
    assert.equal(formatMoney(none.total.central), '£390,000');
    // No spans-and-layers opportunity: nothing overlaps.
    assert.deepEqual(combinePools([hr], functionOf, isFunction, managers(undefined)).overlaps, []);
  });

  it('never counts less than the largest pool nor more than the pools added up (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.constantFrom('MANAGERS', 'FIN', 'FIN09', 'FIN10', 'HR', 'HR02'),
            fc.integer({ min: 0, max: 100 }),
          ),
          { maxLength: 8 },
        ),
        fc.record({
          FIN: fc.integer({ min: 0, max: 2_000_000 }),
          FIN09: fc.integer({ min: 0, max: 400_000 }),
          HR: fc.integer({ min: 0, max: 2_000_000 }),
          HR02: fc.integer({ min: 0, max: 400_000 }),
        }),
        (levers, within) => {
          const list = levers.map(([pool, pct]) => {
            const cost = pool === 'MANAGERS' ? 1_500_000 : pool === 'FIN' || pool === 'HR' ? 1_000_000 : 400_000;
            return opp(pool, cost, (cost * pct) / 100);
          });
          const plain = combinePools(list, functionOf, isFunction);
          const r = combinePools(list, functionOf, isFunction, managers(within));
          for (const k of ['low', 'central', 'high'] as const) {
            assert.ok(r.total[k] <= plain.total[k]);
            for (const p of r.pools) assert.ok(r.total[k] >= p[k], `${formatMoney(r.total[k])} below a pool`);
            const taken = r.overlaps.reduce((n, w) => n + w.deducted[k], 0);
            assert.equal(r.total[k], plain.total[k] - taken);
          }
          for (const w of r.overlaps) {
            assert.ok(w.opportunityIds.length > 0 && w.otherOpportunityIds.length > 0);
            for (const id of [...w.opportunityIds, ...w.otherOpportunityIds])
              assert.ok(w.message.includes(list.find((o) => o.id === id)!.title));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
