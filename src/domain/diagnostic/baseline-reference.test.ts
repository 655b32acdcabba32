// Issue 12 made the baseline several times faster (numbers in place of names, integer splits,
// scopes worked out once): these properties check that, on any exercise, it gives exactly what the
// plain version gave — every figure to the penny and to the ten-thousandth of an FTE, every record
// with its keys in the same order, the same problems in the same words.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type OrgUnit,
  type Post,
  type Taxonomy,
  FRONT_LINE,
  MANAGING_OWN_TEAM,
  buildBaseline,
  fteUnits,
  spansAndLayers,
} from './baseline.ts';
import { pence } from './money.ts';
import { type NonPayLine, type UnitDrivers, NON_PAY_CATEGORIES, allocateNonPay } from './non-pay.ts';
import {
  referenceAllocateNonPay,
  referenceBuildBaseline,
  referenceSpansAndLayers,
} from './baseline-reference.test-helper.ts';

const taxonomy: Taxonomy = {
  functions: [
    { code: 'FIN', name: 'Finance', centralUnitId: 'u1' },
    { code: 'HR', name: 'HR' },
    { code: 'ICT', name: 'ICT', centralUnitId: 'u4' },
  ],
  processes: [
    { code: 'FIN-AP', name: 'Accounts payable', functionCode: 'FIN', type: 'T' },
    { code: 'FIN-PB', name: 'Planning and budgeting', functionCode: 'FIN', type: 'S' },
    { code: 'HR-REC', name: 'Recruitment', functionCode: 'HR', type: 'T' },
    { code: 'HR-PAY', name: 'Payroll', functionCode: 'HR', type: 'T' },
    { code: 'ICT-SD', name: 'Service desk', functionCode: 'ICT', type: 'T' },
  ],
};
const CODES = [...taxonomy.processes.map((p) => p.code), MANAGING_OWN_TEAM, FRONT_LINE];

/** An exercise: a unit tree, posts with allocations (now and then a faulty one), managers, non-pay lines. */
const exercise = fc
  .record({
    units: fc.array(
      fc.record({ parent: fc.nat(), users: fc.option(fc.nat({ max: 50 })), area: fc.option(fc.nat({ max: 900 })) }),
      {
        minLength: 1,
        maxLength: 10,
      },
    ),
    posts: fc.array(
      fc.record({
        unit: fc.nat(),
        fte: fc.constantFrom(0, 1, 5_000, 8_108, 10_000),
        pay: fc.integer({ min: 0, max: 50_000_000 }),
        manager: fc.option(fc.nat()),
        codes: fc.uniqueArray(fc.constantFrom(...CODES), { minLength: 1, maxLength: 5 }),
        weights: fc.array(fc.nat({ max: 100 }), { minLength: 5, maxLength: 5 }),
        slack: fc.integer({ min: -60, max: 60 }),
        id: fc.option(fc.nat({ max: 3 }), { freq: 20 }),
      }),
      { minLength: 1, maxLength: 30 },
    ),
    lines: fc.array(
      fc.record({
        kind: fc.constantFrom('process', 'process-in-unit', 'function', 'unit', 'function-in-unit', 'all'),
        code: fc.nat(),
        unit: fc.nat(),
        amount: fc.integer({ min: 0, max: 10_000_000 }),
        basis: fc.constantFrom('fte', 'users', 'area'),
        category: fc.constantFrom(...NON_PAY_CATEGORIES),
      }),
      { maxLength: 12 },
    ),
  })
  .map(({ units: u, posts: p, lines: l }) => {
    const orgUnits: (OrgUnit & UnitDrivers)[] = u.map((x, i) => ({
      id: `u${i}`,
      name: `Unit ${i}`,
      ...(i > 0 && x.parent % 3 !== 0 ? { parentId: `u${x.parent % i}` } : {}),
      ...(x.users !== null ? { users: x.users } : {}),
      ...(x.area !== null ? { areaM2: x.area } : {}),
    }));
    const posts: Post[] = p.map((x, i) => {
      // Percentages adding up to 100% give or take the slack (so some are refused), zeros allowed.
      const w = x.codes.map((_, k) => x.weights[k]!);
      const sum = w.reduce((a, b) => a + b, 0) || 1;
      const pcts = w.map((v) => Math.floor((v * 10_000) / sum));
      pcts[0]! += 10_000 - pcts.reduce((a, b) => a + b, 0) + x.slack;
      return {
        id: x.id !== null && i > 0 ? `p${x.id}` : `p${i}`,
        unitId: `u${x.unit % orgUnits.length}`,
        fte: fteUnits(x.fte),
        payCost: pence(x.pay),
        ...(x.manager !== null ? { managerId: `p${x.manager % (p.length + 1)}` } : {}),
        allocations: x.codes.map((process, k) => ({ process, pct: Math.max(0, pcts[k]!) })),
      };
    });
    const lines: NonPayLine[] = l.map((x) => {
      const process = taxonomy.processes[x.code % taxonomy.processes.length]!.code;
      const fn = taxonomy.functions[x.code % taxonomy.functions.length]!.code;
      const unit = `u${x.unit % orgUnits.length}`;
      const where =
        x.kind === 'process'
          ? { processCode: process }
          : x.kind === 'process-in-unit'
            ? { processCode: process, unitCode: unit }
            : x.kind === 'function'
              ? { functionCode: fn }
              : x.kind === 'unit'
                ? { unitCode: unit }
                : x.kind === 'function-in-unit'
                  ? { functionCode: fn, unitCode: unit }
                  : {};
      return { category: x.category, amount: pence(x.amount), basis: x.basis, ...where };
    });
    return { orgUnits, posts, lines };
  });

describe('the faster baseline against the plain one (issue 12)', () => {
  it('gives the same pay baseline, or the same problems, on any exercise (property)', () => {
    fc.assert(
      fc.property(exercise, ({ orgUnits, posts }) => {
        for (const units of [orgUnits, undefined]) {
          const input = { taxonomy, posts, ...(units ? { orgUnits: units } : {}) };
          assert.equal(JSON.stringify(buildBaseline(input)), JSON.stringify(referenceBuildBaseline(input)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same spans and layers, loops and repeated posts included (property)', () => {
    fc.assert(
      fc.property(exercise, fc.integer({ min: 2, max: 12 }), ({ posts }, span) => {
        assert.deepEqual(spansAndLayers(posts, span), referenceSpansAndLayers(posts, span));
        assert.deepEqual(spansAndLayers(posts), referenceSpansAndLayers(posts));
      }),
      { numRuns: 400 },
    );
  });

  it('charges every non-pay line to the same cells to the penny, or refuses it the same way (property)', () => {
    fc.assert(
      fc.property(exercise, ({ orgUnits, posts, lines }) => {
        const pay = referenceBuildBaseline({ taxonomy, orgUnits, posts });
        fc.pre(pay.ok);
        const input = { taxonomy, orgUnits, byProcessAndUnit: pay.baseline.byProcessAndUnit, lines };
        assert.equal(JSON.stringify(allocateNonPay(input)), JSON.stringify(referenceAllocateNonPay(input)));
      }),
      { numRuns: 400 },
    );
  });
});
