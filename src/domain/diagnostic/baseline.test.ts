import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatShare } from './decimal.ts';
import { formatMoney, pence, pounds } from './money.ts';
import {
  type Baseline,
  type BaselineInput,
  type Fte,
  type OrgUnit,
  type Post,
  type Taxonomy,
  buildBaseline,
  findManagerCycles,
  formatFte,
  fteUnits,
  parseFte,
  spansAndLayers,
  validatePosts,
} from './baseline.ts';

const RUNS = { numRuns: 200 };

const taxonomy: Taxonomy = {
  functions: [
    { code: 'FIN', name: 'Finance', centralUnitId: 'finance' },
    { code: 'HR', name: 'HR', centralUnitId: 'hr' },
  ],
  processes: [
    { code: 'FIN-PB', name: 'Planning and budgeting', functionCode: 'FIN', type: 'P' },
    { code: 'FIN-AP', name: 'Accounts payable', functionCode: 'FIN', type: 'T' },
    { code: 'HR-REC', name: 'Recruitment', functionCode: 'HR', type: 'T' },
  ],
};

const orgUnits: OrgUnit[] = [
  { id: 'childrens', name: 'Children’s Services' },
  { id: 'adults', name: 'Adult Services' },
  { id: 'resources', name: 'Resources' },
  { id: 'finance', name: 'Central Finance', parentId: 'resources' },
  { id: 'finance-ap', name: 'Payments team', parentId: 'finance' },
  { id: 'hr', name: 'Central HR', parentId: 'resources' },
];

const fte = (text: string) => parseFte(text)!;
const post = (overrides: Partial<Post> & Pick<Post, 'id'>): Post => ({
  unitId: 'finance',
  fte: fte('1'),
  payCost: pounds(30_000),
  allocations: [{ process: 'FIN-AP', pct: 10_000 }],
  ...overrides,
});

/** DIAGNOSTIC.md §3: three posts. */
const workedExample: Post[] = [
  post({
    id: 'P1',
    title: 'Finance officer',
    unitId: 'childrens',
    fte: fte('1.0'),
    payCost: pounds(38_000),
    allocations: [
      { process: 'FIN-AP', pct: 6_000 },
      { process: 'FIN-PB', pct: 2_000 },
      { process: 'Z99', pct: 2_000 },
    ],
  }),
  post({
    id: 'P2',
    title: 'Business support',
    unitId: 'adults',
    fte: fte('0.8'),
    payCost: pounds(24_000),
    allocations: [
      { process: 'FIN-AP', pct: 4_000 },
      { process: 'HR-REC', pct: 3_000 },
      { process: 'Z99', pct: 3_000 },
    ],
  }),
  post({
    id: 'P3',
    title: 'AP clerk',
    unitId: 'finance',
    fte: fte('1.0'),
    payCost: pounds(28_000),
    allocations: [{ process: 'FIN-AP', pct: 10_000 }],
  }),
];

function baselineOf(input: BaselineInput): Baseline {
  const result = buildBaseline(input);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
  return result.baseline;
}

describe('the baseline worked example (DIAGNOSTIC.md §3)', () => {
  const b = baselineOf({ taxonomy, orgUnits, posts: workedExample });

  const expected = [
    ['FIN-AP', '1.92', '£60,400'],
    ['HR-REC', '0.24', '£7,200'],
    ['FIN-PB', '0.20', '£7,600'],
    ['Z99', '0.44', '£14,800'],
    ['X01', '0.00', '£0'],
  ] as const;
  for (const [code, fteText, cost] of expected) {
    it(`puts ${fteText} FTE and ${cost} on ${code}`, () => {
      assert.equal(formatFte(b.byProcess[code]!.fte), fteText);
      assert.equal(formatMoney(b.byProcess[code]!.payCost), cost);
    });
  }

  it('finds all the recruitment work outside central HR, in one unit', () => {
    const r = b.processFragmentation['HR-REC']!;
    assert.equal(r.outsideFte, r.fte);
    assert.equal(r.outsideShare, 1);
    assert.deepEqual(r.unitIds, ['adults']);
  });

  it('finds accounts payable 47.9% fragmented, (0.60 + 0.32)/1.92, across three units', () => {
    const ap = b.processFragmentation['FIN-AP']!;
    assert.equal(formatFte(ap.outsideFte), '0.92');
    assert.equal(formatShare(ap.outsideFte, ap.fte, 1), '47.9%');
    assert.deepEqual(ap.unitIds, ['childrens', 'adults', 'finance']);
  });

  it('totals functions and the function × directorate matrix', () => {
    assert.equal(formatMoney(b.byFunction['FIN']!.payCost), '£68,000');
    assert.equal(formatFte(b.byFunction['FIN']!.fte), '2.12');
    assert.deepEqual(b.matrix['FIN'], {
      childrens: { fte: 8_000, payCost: pounds(30_400) },
      adults: { fte: 3_200, payCost: pounds(9_600) },
      resources: { fte: 10_000, payCost: pounds(28_000) },
    });
    assert.equal(
      formatShare(b.functionFragmentation['FIN']!.outsideFte, b.functionFragmentation['FIN']!.fte, 1),
      '52.8%',
    );
  });

  it('keeps every post’s whole FTE and cost: back office + own team + front line = total', () => {
    assert.equal(formatFte(b.total.fte), '2.80');
    assert.equal(formatMoney(b.total.payCost), '£90,000');
    assert.equal(b.backOffice.fte + b.managingOwnTeam.fte + b.frontLine.fte, b.total.fte);
    assert.equal(b.backOffice.payCost + b.managingOwnTeam.payCost + b.frontLine.payCost, b.total.payCost);
  });

  it('counts a sub-unit of the central function as central', () => {
    const moved = workedExample.map((p) => (p.id === 'P3' ? { ...p, unitId: 'finance-ap' } : p));
    assert.equal(
      formatShare(
        baselineOf({ taxonomy, orgUnits, posts: moved }).processFragmentation['FIN-AP']!.outsideFte,
        19_200,
        1,
      ),
      '47.9%',
    );
  });
});

describe('activity allocations', () => {
  const totals = [
    { label: '99.5% (within tolerance)', pcts: [4_975, 4_975], fte: [5_000, 5_000], cost: [1_500_000, 1_500_000] },
    { label: '100.5% (within tolerance)', pcts: [5_025, 5_025], fte: [5_000, 5_000], cost: [1_500_000, 1_500_000] },
    {
      label: '99.9% in thirds',
      pcts: [3_330, 3_330, 3_330],
      fte: [3_334, 3_333, 3_333],
      cost: [1_000_000, 1_000_000, 1_000_000],
    },
    {
      label: '100% unevenly',
      pcts: [7_000, 2_000, 1_000],
      fte: [7_000, 2_000, 1_000],
      cost: [2_100_000, 600_000, 300_000],
    },
  ];
  for (const t of totals) {
    it(`normalises a return adding up to ${t.label}, keeping the whole post`, () => {
      const codes = ['FIN-AP', 'FIN-PB', 'HR-REC'];
      const b = baselineOf({
        taxonomy,
        posts: [
          post({
            id: 'P',
            payCost: pounds(30_000),
            allocations: t.pcts.map((pct, i) => ({ process: codes[i]!, pct })),
          }),
        ],
      });
      assert.deepEqual(
        t.pcts.map((_, i) => b.byProcess[codes[i]!]!.fte),
        t.fte,
      );
      assert.deepEqual(
        t.pcts.map((_, i) => b.byProcess[codes[i]!]!.payCost),
        t.cost,
      );
    });
  }

  const refused: { label: string; posts: Post[]; problems: { row: number; field: string; message: RegExp }[] }[] = [
    {
      label: 'a total of 100.6%',
      posts: [
        post({
          id: 'P',
          allocations: [
            { process: 'FIN-AP', pct: 5_060 },
            { process: 'Z99', pct: 5_000 },
          ],
        }),
      ],
      problems: [{ row: 1, field: 'allocations', message: /add up to 100\.6%; they must add up to 100% \(±0\.5%\)/ }],
    },
    {
      label: 'a total of 99.4%',
      posts: [post({ id: 'P', allocations: [{ process: 'FIN-AP', pct: 9_940 }] })],
      problems: [{ row: 1, field: 'allocations', message: /99\.4%/ }],
    },
    {
      label: 'an unknown process code',
      posts: [post({ id: 'P', allocations: [{ process: 'FIN-ZZ', pct: 10_000 }] })],
      problems: [{ row: 1, field: 'allocations.0.process', message: /"FIN-ZZ" is not a process/ }],
    },
    {
      label: 'a process listed twice',
      posts: [
        post({
          id: 'P',
          allocations: [
            { process: 'FIN-AP', pct: 5_000 },
            { process: 'FIN-AP', pct: 5_000 },
          ],
        }),
      ],
      problems: [{ row: 1, field: 'allocations.1.process', message: /listed twice/ }],
    },
    {
      label: 'a negative percentage',
      posts: [
        post({
          id: 'P',
          allocations: [
            { process: 'FIN-AP', pct: 11_000 },
            { process: 'Z99', pct: -1_000 },
          ],
        }),
      ],
      problems: [{ row: 1, field: 'allocations.1.pct', message: /zero or more/ }],
    },
    {
      label: 'no allocation at all',
      posts: [post({ id: 'P', allocations: [] })],
      problems: [{ row: 1, field: 'allocations', message: /No activity allocation/ }],
    },
    {
      label: 'an FTE passed as 0.8 rather than read into ten-thousandths',
      posts: [post({ id: 'P', fte: 0.8 as Fte })],
      problems: [{ row: 1, field: 'fte', message: /not held in ten-thousandths/ }],
    },
    {
      label: 'a negative FTE',
      posts: [post({ id: 'P', fte: fteUnits(-1) })],
      problems: [{ row: 1, field: 'fte', message: /zero or more/ }],
    },
    {
      label: 'an FTE of 1.5 in one post',
      posts: [post({ id: 'P', fte: fte('1.5') })],
      problems: [{ row: 1, field: 'fte', message: /1\.50 is more than one post/ }],
    },
    {
      label: 'a negative pay cost',
      posts: [post({ id: 'P', payCost: pence(-1) })],
      problems: [{ row: 1, field: 'payCost', message: /zero or more/ }],
    },
    {
      label: 'a pay cost typed in pence',
      posts: [post({ id: 'P', payCost: pounds(3_000_000) })],
      problems: [{ row: 1, field: 'payCost', message: /£3,000,000 is more than the £500,000/ }],
    },
    {
      label: 'a post id used twice',
      posts: [post({ id: 'P', row: 7 }), post({ id: 'P', row: 8 })],
      problems: [{ row: 8, field: 'id', message: /appears twice \(also on row 7\)/ }],
    },
    {
      label: 'an unknown unit',
      posts: [post({ id: 'P', unitId: 'nowhere' })],
      problems: [{ row: 1, field: 'unitId', message: /"nowhere" is not an org unit/ }],
    },
    {
      label: 'an unknown manager',
      posts: [post({ id: 'P', managerId: 'GHOST' })],
      problems: [{ row: 1, field: 'managerId', message: /"GHOST" is not in the list/ }],
    },
    {
      label: 'two managers who manage each other',
      posts: [post({ id: 'A', managerId: 'B' }), post({ id: 'B', managerId: 'A' }), post({ id: 'C', managerId: 'A' })],
      problems: [{ row: 1, field: 'managerId', message: /Posts A, B manage each other in a loop \(A → B → A/ }],
    },
    {
      label: 'a post that manages itself',
      posts: [post({ id: 'S', managerId: 'S' })],
      problems: [{ row: 1, field: 'managerId', message: /S is recorded as its own manager/ }],
    },
  ];
  for (const r of refused) {
    it(`refuses ${r.label}, naming the row and field`, () => {
      const result = buildBaseline({ taxonomy, orgUnits, posts: r.posts });
      assert.equal(result.ok, false);
      const problems = validatePosts({ taxonomy, orgUnits, posts: r.posts });
      assert.deepEqual(
        problems.map((p) => [p.row, p.field]),
        r.problems.map((p) => [p.row, p.field]),
      );
      problems.forEach((p, i) => assert.match(p.message, r.problems[i]!.message));
    });
  }

  it('lists every problem in row order', () => {
    const problems = validatePosts({
      taxonomy,
      posts: [
        post({ id: 'A', row: 3, fte: fteUnits(-1), allocations: [{ process: 'NOPE', pct: 10_000 }] }),
        post({ id: 'B', row: 2, payCost: pence(-5) }),
      ],
    });
    assert.deepEqual(
      problems.map((p) => `${p.row}:${p.field}`),
      ['2:payCost', '3:fte', '3:allocations.0.process'],
    );
  });

  it('builds an empty baseline from no posts, with no fragmentation to report', () => {
    const b = baselineOf({ taxonomy, orgUnits, posts: [] });
    assert.deepEqual(b.total, { fte: 0, payCost: 0 });
    assert.equal(b.byProcess['FIN-AP']!.fte, 0);
    assert.equal(b.processFragmentation['FIN-AP']!.outsideShare, undefined);
    assert.deepEqual(b.processFragmentation['FIN-AP']!.unitIds, []);
  });

  it('accepts a vacant post of zero FTE and still counts its budgeted cost', () => {
    const b = baselineOf({
      taxonomy,
      posts: [post({ id: 'V', vacant: true, fte: fteUnits(0), payCost: pounds(20_000) })],
    });
    assert.deepEqual(b.byProcess['FIN-AP'], { fte: 0, payCost: pounds(20_000) });
  });

  it('reads FTE to four places and no more', () => {
    assert.deepEqual(['0.8', '1', '0.5405', '0.12345', 'x'].map(parseFte), [
      8_000,
      10_000,
      5_405,
      undefined,
      undefined,
    ]);
  });
});

describe('the baseline conserves FTE and cost (properties)', () => {
  const codes = ['FIN-PB', 'FIN-AP', 'HR-REC', 'X01', 'Z99'];
  const allocation = fc.uniqueArray(fc.constantFrom(...codes), { minLength: 1, maxLength: 5 }).chain((chosen) =>
    fc
      .array(fc.integer({ min: 0, max: 10_000 }), { minLength: chosen.length, maxLength: chosen.length })
      .filter((w) => w.some((x) => x > 0))
      .chain((w) =>
        fc.integer({ min: 9_950, max: 10_050 }).map((target) => {
          // Scale the raw weights to a total within tolerance, putting the rounding on the largest.
          const sum = w.reduce((a, b) => a + b, 0);
          const pcts = w.map((x) => Math.floor((x * target) / sum));
          const biggest = pcts.indexOf(Math.max(...pcts));
          pcts[biggest] = pcts[biggest]! + target - pcts.reduce((a, b) => a + b, 0);
          return chosen.map((process, i) => ({ process, pct: pcts[i]! }));
        }),
      ),
  );
  const posts = fc
    .array(
      fc.record({
        unitId: fc.constantFrom('childrens', 'adults', 'finance', 'finance-ap', 'hr'),
        fte: fc.integer({ min: 0, max: 10_000 }).map(fteUnits),
        payCost: fc.integer({ min: 0, max: 50_000_000 }).map(pence),
        allocations: allocation,
      }),
      { maxLength: 25 },
    )
    .map((ps) => ps.map((p, i): Post => ({ ...p, id: `P${i}` })));

  const sum = (xs: { fte: number; payCost: number }[]) =>
    xs.reduce((a, x) => ({ fte: a.fte + x.fte, payCost: a.payCost + x.payCost }), { fte: 0, payCost: 0 });

  it('the sum over processes equals the total, and so do functions plus the two sinks', () => {
    fc.assert(
      fc.property(posts, (ps) => {
        const b = baselineOf({ taxonomy, orgUnits, posts: ps });
        const total = sum(ps);
        assert.deepEqual(b.total, total);
        assert.deepEqual(sum(Object.values(b.byProcess)), total);
        assert.deepEqual(sum([...Object.values(b.byFunction), b.managingOwnTeam, b.frontLine]), total);
        assert.deepEqual(sum(Object.values(b.byUnit)), total);
      }),
      RUNS,
    );
  });

  it('the matrix and the process × unit cells add back to their totals', () => {
    fc.assert(
      fc.property(posts, (ps) => {
        const b = baselineOf({ taxonomy, orgUnits, posts: ps });
        assert.deepEqual(sum(Object.values(b.matrix).flatMap((row) => Object.values(row))), sum([b.backOffice]));
        for (const code of codes)
          assert.deepEqual(sum(Object.values(b.byProcessAndUnit[code] ?? {})), sum([b.byProcess[code]!]));
        for (const f of Object.values(b.processFragmentation)) assert.ok(f.outsideFte <= f.fte && f.outsideFte >= 0);
      }),
      RUNS,
    );
  });
});

describe('spans and layers', () => {
  //            CEO
  //        D1        D2
  //     T1 T2 T3     T4
  const tree = [
    { id: 'CEO' },
    { id: 'D1', managerId: 'CEO' },
    { id: 'D2', managerId: 'CEO' },
    { id: 'T1', managerId: 'D1' },
    { id: 'T2', managerId: 'D1' },
    { id: 'T3', managerId: 'D1' },
    { id: 'T4', managerId: 'D2' },
  ];

  const cases = [
    {
      label: 'a three-layer tree',
      posts: tree,
      target: 4,
      expected: {
        posts: 7,
        managers: 3,
        workers: 4,
        reports: 6,
        averageSpan: 2,
        layers: 3,
        managersNeeded: 1,
        excessManagers: 2,
        cycles: [],
      },
    },
    {
      label: 'the same tree at a target span of 2',
      posts: tree,
      target: 2,
      expected: {
        posts: 7,
        managers: 3,
        workers: 4,
        reports: 6,
        averageSpan: 2,
        layers: 3,
        managersNeeded: 3,
        excessManagers: 0,
        cycles: [],
      },
    },
    {
      label: 'no posts',
      posts: [],
      target: 8,
      expected: {
        posts: 0,
        managers: 0,
        workers: 0,
        reports: 0,
        averageSpan: undefined,
        layers: 0,
        managersNeeded: 0,
        excessManagers: 0,
        cycles: [],
      },
    },
    {
      label: 'one post',
      posts: [{ id: 'A' }],
      target: undefined,
      expected: {
        posts: 1,
        managers: 0,
        workers: 1,
        reports: 0,
        averageSpan: undefined,
        layers: 1,
        managersNeeded: undefined,
        excessManagers: undefined,
        cycles: [],
      },
    },
    {
      label: 'a cycle of two managers with a report',
      posts: [{ id: 'A', managerId: 'B' }, { id: 'B', managerId: 'A' }, { id: 'C', managerId: 'A' }, { id: 'D' }],
      target: undefined,
      expected: {
        posts: 4,
        managers: 2,
        workers: 2,
        reports: 3,
        averageSpan: 1.5,
        layers: 1,
        managersNeeded: undefined,
        excessManagers: undefined,
        cycles: [['A', 'B']],
      },
    },
  ];
  for (const c of cases) {
    it(`measures ${c.label}`, () => assert.deepEqual(spansAndLayers(c.posts, c.target), c.expected));
  }

  it('reports each loop once, starting from the first post listed', () => {
    const posts = [
      { id: 'X', managerId: 'Z' },
      { id: 'Y', managerId: 'X' },
      { id: 'Z', managerId: 'Y' },
      { id: 'S', managerId: 'S' },
      { id: 'T', managerId: 'Y' },
    ];
    assert.deepEqual(findManagerCycles(posts), [['X', 'Z', 'Y'], ['S']]);
  });

  it('refuses a target span below 2', () => {
    assert.throws(() => spansAndLayers(tree, 1), RangeError);
    assert.throws(() => spansAndLayers(tree, 2.5), RangeError);
  });

  const forest = fc
    .integer({ min: 1, max: 40 })
    .chain((n) =>
      fc
        .array(fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: undefined }), { minLength: n, maxLength: n })
        .map((managers) => managers.map((m, i) => ({ id: `P${i}`, managerId: m === undefined ? undefined : `P${m}` }))),
    );

  it('every reported loop is a real loop, and every post that follows its managers forever is in one (property)', () => {
    fc.assert(
      fc.property(forest, (posts) => {
        const managerOf = new Map(posts.map((p) => [p.id, p.managerId]));
        const cycles = findManagerCycles(posts);
        const inCycle = new Set(cycles.flat());
        assert.equal(inCycle.size, cycles.flat().length, 'no post is in two loops');
        for (const cycle of cycles)
          cycle.forEach((id, i) => assert.equal(managerOf.get(id), cycle[(i + 1) % cycle.length]));
        for (const p of posts) {
          // Walk N steps: a post on a loop comes back to itself.
          let at: string | undefined = p.id;
          let returns = false;
          for (let i = 0; i < posts.length && at !== undefined; i += 1) {
            at = managerOf.get(at);
            if (at === p.id) returns = true;
          }
          assert.equal(returns, inCycle.has(p.id), p.id);
        }
      }),
      RUNS,
    );
  });

  it('a tree without loops has span × managers = reports, layers ≤ posts, and M* ≤ workers (property)', () => {
    const trees = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc
          .array(fc.nat(), { minLength: n, maxLength: n })
          .map((r) => r.map((x, i) => ({ id: `P${i}`, managerId: i === 0 ? undefined : `P${x % i}` }))),
      );
    fc.assert(
      fc.property(trees, fc.integer({ min: 2, max: 15 }), (posts, t) => {
        const s = spansAndLayers(posts, t);
        assert.deepEqual(s.cycles, []);
        assert.equal(s.reports, posts.length - 1);
        if (s.managers > 0) assert.ok(Math.abs(s.averageSpan! * s.managers - s.reports) < 1e-9);
        assert.ok(s.layers >= 1 && s.layers <= posts.length);
        assert.ok(s.managersNeeded! >= 0 && s.managersNeeded! <= Math.max(0, s.workers - 1));
      }),
      RUNS,
    );
  });
});
