// Generates the data of a large council for the diagnostic benchmark (issue 5): 15,000 posts in
// ~600 org units, 8 activity allocations each (120,000 rows), 2,000 lines of non-pay cost and a
// volume for every process with a driver. Deterministic (seeded), valid by construction: a
// manager tree without loops, every post's percentages adding up to exactly 100.
//
//   node bench/diagnostic-generate.ts [--posts 15000] [--out $TMPDIR/amber-diagnostic-bench]
// writes large-council.xlsx and one CSV per sheet there.

import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DEFAULT_TAXONOMY } from '../src/domain/diagnostic/taxonomy.ts';
import { NON_PAY_CATEGORIES, type NonPayCategory } from '../src/domain/diagnostic/non-pay.ts';
import type { ExerciseData, PostRecord, UnitRecord } from '../src/modules/diagnostic/diagnostic.repository.ts';
import { SHEETS, sheetCsv, writeWorkbook } from '../src/modules/diagnostic/diagnostic-transfer.ts';
import { isMain } from './support.ts';

/** mulberry32: a small seeded PRNG, so every run generates the same council. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCouncil(
  options: { posts?: number; allocationsPerPost?: number; nonPayLines?: number; seed?: number } = {},
): ExerciseData {
  const nPosts = options.posts ?? 15_000;
  const perPost = options.allocationsPerPost ?? 8;
  const nNonPay = options.nonPayLines ?? 2_000;
  const rand = prng(options.seed ?? 2009);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const processes = DEFAULT_TAXONOMY.processes;
  const byFunction = new Map<string, string[]>();
  for (const p of processes)
    (byFunction.get(p.functionCode) ?? byFunction.set(p.functionCode, []).get(p.functionCode)!).push(p.code);

  // Org units: Resources with a central unit per function (and teams), and five service directorates.
  const units: UnitRecord[] = [];
  const add = (code: string, name: string, parentCode: string | null, central: string | null = null) =>
    units.push({
      code,
      name,
      parentCode,
      centralFunctionCode: central,
      users: int(5, 200),
      areaM2: int(50, 2_000),
      row: units.length + 2,
    });
  add('RES', 'Resources', null);
  for (const f of DEFAULT_TAXONOMY.functions) {
    add(`RES-${f.code}`, `Central ${f.name}`, 'RES', f.code);
    for (let t = 1; t <= 4; t++) add(`RES-${f.code}-T${t}`, `${f.name} team ${t}`, `RES-${f.code}`);
  }
  const directorates = ['CS', 'AS', 'ENV', 'HOU', 'REG'];
  for (const d of directorates) {
    add(d, `Directorate ${d}`, null);
    for (let s = 1; s <= 20; s++) {
      add(`${d}-S${s}`, `${d} service ${s}`, d);
      for (let t = 1; t <= 4; t++) add(`${d}-S${s}-T${t}`, `${d} service ${s} team ${t}`, `${d}-S${s}`);
    }
  }
  const leafUnits = units.filter((u) => !units.some((c) => c.parentCode === u.code));

  // Posts: each unit's first post heads it and reports to its parent unit's head.
  const posts: PostRecord[] = [];
  const headOf = new Map<string, string>();
  const newPost = (unit: UnitRecord, managerCode: string | null): PostRecord => {
    const code = `P${String(posts.length + 1).padStart(5, '0')}`;
    const fte = rand() < 0.8 ? 10_000 : pick([5_000, 6_000, 8_000, 8_108]);
    const central = unit.code.startsWith('RES-') ? unit.code.split('-')[1]! : undefined;
    const own = central ? byFunction.get(central)! : undefined;
    // Eight distinct codes: central staff mostly their function's processes, others a mix with front-line work.
    const codes = new Set<string>();
    if (managerCode === null || rand() < 0.1) codes.add('X01');
    if (!central) codes.add('Z99');
    while (codes.size < perPost) codes.add(own && rand() < 0.7 ? pick(own) : pick(processes).code);
    // Weights in basis points adding up to exactly 10,000.
    const weights = [...codes].map(() => int(1, 100));
    const sum = weights.reduce((a, b) => a + b, 0);
    const bps = weights.map((w) => Math.floor((w * 10_000) / sum));
    bps[0]! += 10_000 - bps.reduce((a, b) => a + b, 0);
    const post: PostRecord = {
      code,
      unitCode: unit.code,
      title: central ? `${central} officer` : 'Officer',
      grade: `G${int(3, 12)}`,
      fte,
      payCost: Math.round((int(18_000, 75_000) * fte) / 10_000) * 100,
      managerCode,
      vacant: rand() < 0.04,
      contractType: rand() < 0.9 ? 'Permanent' : 'Temporary',
      row: posts.length + 2,
      allocations: [...codes].map((processCode, i) => ({ processCode, pct: bps[i]! })),
    };
    posts.push(post);
    return post;
  };
  for (const u of units) {
    const head = newPost(u, u.parentCode ? headOf.get(u.parentCode)! : null);
    headOf.set(u.code, head.code);
  }
  const teamLeads = new Map<string, string[]>();
  while (posts.length < nPosts) {
    const u = pick(leafUnits);
    const leads = teamLeads.get(u.code) ?? [];
    const manager = leads.length > 0 && rand() < 0.8 ? pick(leads) : headOf.get(u.code)!;
    const p = newPost(u, manager);
    if (leads.length < 3 && rand() < 0.1) {
      leads.push(p.code);
      teamLeads.set(u.code, leads);
    }
  }

  const nonPay: ExerciseData['nonPay'] = [];
  for (let i = 0; i < nNonPay; i++) {
    const r = rand();
    const category: NonPayCategory = pick(NON_PAY_CATEGORIES);
    const amount = int(500, 250_000) * 100;
    const row = i + 2;
    if (r < 0.6)
      nonPay.push({
        category,
        description: `Line ${i + 1}`,
        amount,
        processCode: pick(processes).code,
        functionCode: null,
        unitCode: null,
        basis: 'fte',
        row,
      });
    else if (r < 0.8)
      nonPay.push({
        category,
        description: `Line ${i + 1}`,
        amount,
        processCode: null,
        functionCode: pick(DEFAULT_TAXONOMY.functions).code,
        unitCode: null,
        basis: pick(['fte', 'users', 'area'] as const),
        row,
      });
    else if (r < 0.95)
      nonPay.push({
        category,
        description: `Line ${i + 1}`,
        amount,
        processCode: null,
        functionCode: null,
        unitCode: pick(units).code,
        basis: pick(['fte', 'users', 'area'] as const),
        row,
      });
    else
      nonPay.push({
        category,
        description: `Line ${i + 1}`,
        amount,
        processCode: null,
        functionCode: null,
        unitCode: null,
        basis: 'fte',
        row,
      });
  }
  const volumes = processes
    .filter((p) => p.volumeDriver)
    .map((p, i) => ({ processCode: p.code, volume: int(100, 500_000), driver: p.volumeDriver!, row: i + 2 }));
  return { units, posts, nonPay, volumes };
}

export const CSV_FILES: Record<string, string> = {
  units: SHEETS.units,
  posts: SHEETS.posts,
  allocations: SHEETS.allocations,
  'non-pay': SHEETS.nonPay,
  volumes: SHEETS.volumes,
};

export async function writeCouncilFiles(
  dir: string,
  data: ExerciseData,
): Promise<{ xlsx: string; csv: Record<string, string> }> {
  mkdirSync(dir, { recursive: true });
  const xlsx = join(dir, 'large-council.xlsx');
  writeFileSync(xlsx, await writeWorkbook(DEFAULT_TAXONOMY, data));
  const csv: Record<string, string> = {};
  for (const [key, sheet] of Object.entries(CSV_FILES)) {
    csv[key] = join(dir, `large-council-${key}.csv`);
    writeFileSync(csv[key]!, sheetCsv(DEFAULT_TAXONOMY, data, sheet));
  }
  return { xlsx, csv };
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      posts: { type: 'string', default: '15000' },
      out: { type: 'string', default: join(tmpdir(), 'amber-diagnostic-bench') },
    },
  });
  const data = generateCouncil({ posts: Number(values.posts) });
  const files = await writeCouncilFiles(values.out!, data);
  console.log(
    `${data.units.length} units, ${data.posts.length} posts, ${data.posts.reduce((n, p) => n + p.allocations.length, 0)} allocations, ${data.nonPay.length} non-pay lines → ${files.xlsx}`,
  );
}
