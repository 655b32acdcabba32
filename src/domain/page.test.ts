import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pageWindow } from './page.ts';

describe('pageWindow', () => {
  const cases: [
    string,
    number,
    number | undefined,
    { page: number; pages: number; offset: number; first: number; last: number },
  ][] = [
    [
      'the first page of 1,000 when none is asked for',
      1000,
      undefined,
      { page: 1, pages: 20, offset: 0, first: 1, last: 50 },
    ],
    ['rows 51 to 100 on the second page', 1000, 2, { page: 2, pages: 20, offset: 50, first: 51, last: 100 }],
    ['a short last page', 120, 3, { page: 3, pages: 3, offset: 100, first: 101, last: 120 }],
    ['the last page for a page past the last', 120, 99, { page: 3, pages: 3, offset: 100, first: 101, last: 120 }],
    ['the first page for page 0', 120, 0, { page: 1, pages: 3, offset: 0, first: 1, last: 50 }],
    ['the first page for a fraction', 120, 1.5, { page: 1, pages: 3, offset: 0, first: 1, last: 50 }],
    ['one empty page for an empty list', 0, 4, { page: 1, pages: 1, offset: 0, first: 0, last: 0 }],
    ['one page when the list fills it exactly', 50, 2, { page: 1, pages: 1, offset: 0, first: 1, last: 50 }],
  ];
  for (const [what, total, requested, expected] of cases) {
    it(`gives ${what}`, () => {
      const w = pageWindow(total, requested, 50);
      assert.deepEqual({ page: w.page, pages: w.pages, offset: w.offset, first: w.first, last: w.last }, expected);
      assert.equal(w.limit, 50);
      assert.equal(w.total, total);
    });
  }

  it('refuses a page size that is not a whole number from 1', () => {
    assert.throws(() => pageWindow(10, 1, 0), RangeError);
    assert.throws(() => pageWindow(10, 1, 2.5), RangeError);
  });
});
