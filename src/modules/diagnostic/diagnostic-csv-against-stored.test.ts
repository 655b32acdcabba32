// A sheet uploaded as CSV is checked against the exercise's other sheets as stored (issue 12):
// those are made from the stored data a row at a time as the check reads them (storedSheetsOf),
// no longer all held as text first (rawSheetsOf). A council must see the same refusal either way:
// each case below breaks one sheet in a way only the other sheets can show (a post gone that its
// allocations name, a unit gone that posts and non-pay name, allocations not adding up, a manager
// loop) and expects the words, rows and columns the check gave before the change — the same list
// this file gives run against the previous commit's diagnostic-transfer.ts — and the same answer
// from the stored sheets made lazily as from the same sheets held whole.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TAXONOMY } from '../../domain/diagnostic/taxonomy.ts';
import { DEMO_DATA } from './diagnostic-demo.ts';
import {
  CSV_SHEETS,
  SHEETS,
  describeProblem,
  parseWorkbook,
  rawSheetsOf,
  readCsvSheet,
  sheetCsv,
  storedSheetsOf,
} from './diagnostic-transfer.ts';
import type { ExerciseData } from './diagnostic.repository.ts';

type Changed = (d: ExerciseData) => ExerciseData;
const copy = (d: ExerciseData): ExerciseData => structuredClone(d);

/** The CSV sheet `key` of `changed` (the demo altered), checked against the demo as stored: lazily and held whole. */
async function check(key: string, changed: Changed) {
  const name = CSV_SHEETS[key]!;
  const csv = await readCsvSheet(name, sheetCsv(DEFAULT_TAXONOMY, changed(copy(DEMO_DATA)), name));
  const lazy = parseWorkbook([...storedSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA, name), csv], DEFAULT_TAXONOMY);
  const whole = parseWorkbook(
    [...rawSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA).filter((s) => s.name !== name), csv],
    DEFAULT_TAXONOMY,
  );
  assert.deepEqual(lazy, whole, 'the stored sheets made a row at a time give what they give held whole');
  return lazy.problems.map(describeProblem);
}

const post = (d: ExerciseData, code: string) => d.posts.find((p) => p.code === code)!;

describe('a CSV sheet checked against the stored sheets', () => {
  it('names the allocations of a post the Posts sheet no longer has, and a manager loop', async () => {
    const problems = await check('posts', (d) => {
      d.posts = d.posts.filter((p) => p.code !== 'P008');
      post(d, 'P001').managerCode = 'P006'; // P006 reports to P002, which reports to P001
      return d;
    });
    assert.deepEqual(problems, EXPECTED.posts);
  });

  it('names the posts and non-pay lines of a unit the Org units sheet no longer has', async () => {
    const problems = await check('units', (d) => {
      d.units = d.units.filter((u) => u.code !== 'CS-BS' && u.code !== 'ENV');
      return d;
    });
    assert.deepEqual(problems, EXPECTED.units);
  });

  it('lists every row of a post whose allocations do not add up, and a post the Posts sheet lacks', async () => {
    const problems = await check('allocations', (d) => {
      post(d, 'P002').allocations[0]!.pct = 2_000; // 20 + 30 + 30 = 80%
      post(d, 'P003').allocations = [];
      d.posts.push({ ...post(d, 'P004'), code: 'P999', allocations: [{ processCode: 'FIN-AP', pct: 10_000 }] });
      return d;
    });
    assert.deepEqual(problems, EXPECTED.allocations);
  });

  it('names a non-pay line’s process outside the taxonomy and accepts volumes as stored', async () => {
    assert.deepEqual(
      await check('non-pay', (d) => {
        d.nonPay[0]!.processCode = 'FIN-XX';
        d.nonPay[1]!.unitCode = 'NOWHERE';
        return d;
      }),
      EXPECTED.nonPay,
    );
    assert.deepEqual(await check('volumes', (d) => d), []);
  });

  it('gives the stored data back unchanged when the CSV sheet is the stored one', async () => {
    for (const key of Object.keys(CSV_SHEETS)) assert.deepEqual(await check(key, (d) => d), [], key);
    const { data } = parseWorkbook(storedSheetsOf(DEFAULT_TAXONOMY, DEMO_DATA), DEFAULT_TAXONOMY);
    assert.equal(data.posts.length, DEMO_DATA.posts.length);
    assert.deepEqual(
      data.posts.map((p) => p.allocations),
      DEMO_DATA.posts.map((p) => p.allocations),
    );
    assert.equal(SHEETS.allocations, CSV_SHEETS.allocations);
  });
});

/** What the check said before the change (the previous commit's code, the same cases). */
const EXPECTED: Record<'posts' | 'units' | 'allocations' | 'nonPay', string[]> = {
  posts: [
    'Posts sheet, row 2, column G (Manager post ID): Posts P001, P006, P002 manage each other in a loop (P001 → P006 → P002 → P001, each reporting to the next)',
    'Allocations sheet, row 18, column A (Post ID): "P008" is not a post on the Posts sheet',
  ],
  units: [
    'Posts sheet, row 23, column B (Org unit code): "CS-BS" is not a unit on the Org units sheet',
    'Posts sheet, row 24, column B (Org unit code): "CS-BS" is not a unit on the Org units sheet',
    'Posts sheet, row 25, column B (Org unit code): "CS-BS" is not a unit on the Org units sheet',
    'Posts sheet, row 30, column B (Org unit code): "ENV" is not a unit on the Org units sheet',
    'Posts sheet, row 31, column B (Org unit code): "ENV" is not a unit on the Org units sheet',
  ],
  allocations: [
    'Allocations sheet: Post P003 (Posts sheet row 4) has no allocations: say how its time is spent (use Z99 for front-line work)',
    'Allocations sheet, row 5, column C (% of time): Post P002: Allocations add up to 80%; they must add up to 100% (±0.5%) (rows 5, 6, 7)',
    'Allocations sheet, row 60, column A (Post ID): "P999" is not a post on the Posts sheet',
  ],
  nonPay: [
    'Non-pay sheet, row 2, column D (Process code): "FIN-XX" is not a process in the taxonomy',
    'Non-pay sheet, row 3, column F (Org unit code): "NOWHERE" is not an org unit of this exercise',
  ],
};
