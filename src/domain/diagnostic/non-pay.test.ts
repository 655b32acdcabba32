import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Amounts, type OrgUnit, type Taxonomy, fteUnits } from './baseline.ts';
import { type Money, pence, pounds } from './money.ts';
import {
  type NonPayLine,
  type UnitDrivers,
  NON_PAY_BASES,
  NON_PAY_CATEGORIES,
  NOT_IN_A_UNIT,
  allocateNonPay,
  split,
  addSplit,
  validateNonPay,
} from './non-pay.ts';
import { largestRemainder } from './decimal.ts';

const taxonomy: Taxonomy = {
  functions: [
    { code: 'FIN', name: 'Finance' },
    { code: 'HR', name: 'HR' },
  ],
  processes: [
    { code: 'FIN-AP', name: 'Accounts payable', functionCode: 'FIN', type: 'T' },
    { code: 'FIN-PB', name: 'Planning and budgeting', functionCode: 'FIN', type: 'S' },
    { code: 'HR-REC', name: 'Recruitment', functionCode: 'HR', type: 'T' },
    { code: 'AUD', name: 'Audit', functionCode: 'FIN', type: 'P' },
  ],
};
const orgUnits: (OrgUnit & UnitDrivers)[] = [
  { id: 'res', name: 'Resources', areaM2: 0, users: 0 },
  { id: 'fin', name: 'Finance', parentId: 'res', areaM2: 300, users: 30 },
  { id: 'cs', name: 'Children’s', areaM2: 100, users: 10 },
];
const a = (fte: number, pay = 0): Amounts => ({ fte: fteUnits(fte), payCost: pence(pay) });
/** fin: AP 2.0, PB 1.0; cs: AP 1.0, HR-REC 0.5, Z99 0.5. */
const byProcessAndUnit = {
  'FIN-AP': { fin: a(20_000), cs: a(10_000) },
  'FIN-PB': { fin: a(10_000) },
  'HR-REC': { cs: a(5_000) },
  Z99: { cs: a(5_000) },
};
const line = (over: Partial<NonPayLine>): NonPayLine => ({
  category: 'other',
  amount: pounds(900),
  basis: 'fte',
  ...over,
});
const run = (lines: NonPayLine[]) => {
  const r = allocateNonPay({ taxonomy, orgUnits, byProcessAndUnit, lines });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  return r.allocation;
};

describe('allocating non-pay costs (DIAGNOSTIC.md §1, §3)', () => {
  it('charges a line for a process to the units doing it, by their FTE on it', () => {
    const x = run([line({ processCode: 'FIN-AP', amount: pounds(900) })]);
    assert.equal(x.byProcess['FIN-AP'], pounds(900));
    assert.deepEqual(x.byProcessAndUnit['FIN-AP'], { fin: pounds(600), cs: pounds(300) });
    assert.equal(x.byFunction.FIN, pounds(900));
  });

  it('keeps a process nobody does in-house (outsourced, at contract cost) as not in a unit', () => {
    const x = run([line({ category: 'outsourcing', processCode: 'AUD', amount: pounds(120_000) })]);
    assert.equal(x.byProcessAndUnit.AUD![NOT_IN_A_UNIT], pounds(120_000));
    assert.equal(x.backOffice, pounds(120_000));
  });

  it('shares a function’s line over its processes by FTE, and a whole-organisation line over everything, front-line included', () => {
    const fn = run([line({ functionCode: 'FIN', amount: pounds(400) })]);
    assert.equal(fn.byProcess['FIN-AP'], pounds(300));
    assert.equal(fn.byProcess['FIN-PB'], pounds(100));
    assert.equal(fn.byProcess['HR-REC'], 0);
    const org = run([line({ amount: pounds(500) })]);
    // 5.0 FTE in all: £100 per FTE.
    assert.equal(org.byProcess.Z99, pounds(50));
    assert.equal(org.outsideBackOffice, pounds(50));
    assert.equal(org.backOffice, pounds(450));
  });

  it('shares a unit’s line over the unit and everything beneath it', () => {
    const x = run([line({ unitCode: 'res', amount: pounds(300) })]);
    assert.deepEqual(x.byProcessAndUnit['FIN-AP'], { fin: pounds(200) });
    assert.equal(x.byProcess['FIN-PB'], pounds(100));
    assert.equal(x.byProcess['HR-REC'], 0);
  });

  it('shares by floor area or users first over units, then by FTE inside each unit', () => {
    const area = run([line({ category: 'accommodation', basis: 'area', amount: pounds(4_000) })]);
    // fin 300 m², cs 100 m²: £3,000 and £1,000; cs's £1,000 over AP 1.0, HR 0.5, Z99 0.5.
    assert.equal(area.byProcessAndUnit['FIN-AP']!.fin, pounds(2_000));
    assert.equal(area.byProcessAndUnit['FIN-AP']!.cs, pounds(500));
    assert.equal(area.byProcess['HR-REC'], pounds(250));
    assert.equal(area.byProcess.Z99, pounds(250));
    const users = run([line({ category: 'it', basis: 'users', functionCode: 'FIN', amount: pounds(400) })]);
    assert.equal(users.byProcessAndUnit['FIN-AP']!.cs, pounds(100));
  });

  it('adds up categories, and splits a penny by the largest remainder so nothing is lost', () => {
    const x = run([
      line({ category: 'it', processCode: 'FIN-AP', amount: pence(1) }),
      line({ category: 'it', functionCode: 'FIN', amount: pence(100) }),
    ]);
    assert.equal(x.byCategory.it, pence(101));
    assert.equal(
      Object.values(x.byProcess).reduce((n, v) => n + v, 0),
      101,
    );
  });

  it('names every line it cannot place, by row and field', () => {
    const problems = validateNonPay({
      taxonomy,
      orgUnits,
      lines: [
        line({ row: 2, processCode: 'NOPE' }),
        line({ row: 3, functionCode: 'XX' }),
        line({ row: 4, unitCode: 'nowhere' }),
        line({ row: 5, amount: pence(-1) }),
        line({ row: 6, processCode: 'HR-REC', functionCode: 'FIN' }),
      ],
    });
    assert.deepEqual(
      problems.map((p) => [p.row, p.field]),
      [
        [2, 'processCode'],
        [3, 'functionCode'],
        [4, 'unitCode'],
        [5, 'amount'],
        [6, 'functionCode'],
      ],
    );
    const r = allocateNonPay({
      taxonomy,
      orgUnits: [...orgUnits, { id: 'empty', name: 'Empty' }],
      byProcessAndUnit,
      lines: [
        line({ row: 9, unitCode: 'empty' }),
        line({ row: 10, basis: 'users', unitCode: 'res', functionCode: 'HR' }),
      ],
    });
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => [p.row, p.field]),
      [
        [9, 'unitCode'],
        [10, 'unitCode'],
      ],
    );
    assert.match(r.problems[0]!.message, /Nobody works in unit empty/);
  });

  it('conserves cost: whatever the lines and the FTE, the pence allocated equal the pence on the lines (property)', () => {
    const codes = [...taxonomy.processes.map((p) => p.code), 'X01', 'Z99'];
    const units = orgUnits.map((u) => u.id);
    const cells = fc.dictionary(
      fc.constantFrom(...codes),
      fc.dictionary(fc.constantFrom(...units), fc.integer({ min: 1, max: 20_000 }), { minKeys: 1 }),
      { minKeys: 1 },
    );
    const lineArb = fc.record({
      category: fc.constantFrom(...NON_PAY_CATEGORIES),
      amount: fc.integer({ min: 0, max: 5_000_000_000 }),
      target: fc.oneof(
        fc.record({ processCode: fc.constantFrom(...taxonomy.processes.map((p) => p.code)) }),
        fc.record({ functionCode: fc.constantFrom('FIN', 'HR') }),
        fc.record({ unitCode: fc.constantFrom(...units) }),
        fc.constant({}),
      ),
      basis: fc.constantFrom(...NON_PAY_BASES),
    });
    fc.assert(
      fc.property(cells, fc.array(lineArb, { maxLength: 12 }), (fteCells, raw) => {
        const bpu: Record<string, Record<string, Amounts>> = {};
        for (const [p, us] of Object.entries(fteCells)) {
          bpu[p] = {};
          for (const [u, f] of Object.entries(us)) bpu[p]![u] = a(f);
        }
        const lines: NonPayLine[] = raw.map((l) => ({
          category: l.category,
          amount: pence(l.amount) as Money,
          basis: l.basis,
          ...l.target,
        }));
        const r = allocateNonPay({ taxonomy, orgUnits, byProcessAndUnit: bpu, lines });
        if (!r.ok) {
          // Refused only for lines whose scope has nobody (or no driver) in it, and then wholly.
          return r.problems.length > 0 && r.problems.every((p) => /Nobody works|has .* recorded/.test(p.message));
        }
        const x = r.allocation;
        const sum = lines.reduce((n, l) => n + l.amount, 0);
        const cellSum = Object.values(x.byProcessAndUnit).reduce(
          (n, us) => n + Object.values(us).reduce((m, v) => m + v, 0),
          0,
        );
        const processSum = Object.values(x.byProcess).reduce((n, v) => n + v, 0);
        const categorySum = Object.values(x.byCategory).reduce((n, v) => n + v, 0);
        const functionSum = Object.values(x.byFunction).reduce((n, v) => n + v, 0);
        return (
          x.total === sum &&
          cellSum === sum &&
          processSum === sum &&
          categorySum === sum &&
          x.backOffice + x.outsideBackOffice === sum &&
          functionSum === x.backOffice &&
          Object.values(x.byProcess).every((v) => Number.isSafeInteger(v) && v >= 0)
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('the fast split', () => {
  it('gives exactly what largestRemainder gives, for any amount and weights (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 1, maxLength: 40 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          fc.pre(sum > 0);
          assert.deepEqual(split(total, weights, sum), largestRemainder(total, weights));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('adds into a target exactly the parts split gives, at the places given (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 36 }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 90 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          fc.pre(sum > 0);
          const target = new Float64Array(weights.length + 3).fill(7);
          const at = weights.map((_, i) => weights.length - 1 - i + 3);
          addSplit(total, weights, sum, target, at);
          const parts = split(total, weights, sum);
          assert.deepEqual([...target], [7, 7, 7, ...parts.map((p) => p + 7).reverse()]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives exactly what largestRemainder gives with small figures and many equal remainders (property)', () => {
    // Small enough for the integer path (and its sorted keys), with ties among the remainders.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 60 }),
        (total, weights) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          fc.pre(sum > 0);
          assert.deepEqual(split(total, weights, sum), largestRemainder(total, weights));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
