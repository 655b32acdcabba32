import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type Money,
  allocateMoney,
  basisPointsOf,
  formatInUnits,
  formatMoney,
  formatMoneyShort,
  formatMoneyInThousands,
  multiplyMoney,
  parseMoney,
  pence,
  pounds,
  sumMoney,
} from './money.ts';

const RUNS = { numRuns: 200 };

describe('money as officers type it', () => {
  const good = [
    ['£1,409,310.50', 140_931_050],
    ['1409310', 140_931_000],
    ['£9.0m', 900_000_000],
    ['£150K', 15_000_000],
    ['150k', 15_000_000],
    ['£1.2bn', 120_000_000_000],
    ['£0.50', 50],
    ['.5', 50],
    [' £ 1,000 ', 100_000],
    ['-£250', -25_000],
    ['£-250', -25_000],
    ['(£250)', -25_000],
    ['−£1.5m', -150_000_000],
    ['£1.2345678m', 123_456_780],
    ['0', 0],
    ['£1,234,567.8', 123_456_780],
  ] as const;
  for (const [input, expected] of good) {
    it(`reads "${input}" as ${expected} pence`, () => assert.equal(parseMoney(input), expected));
  }
  const bad = [
    '',
    '£',
    'twelve pounds',
    '1,40',
    '1,4000',
    '£1.234',
    '£1.234567891m',
    '£1.5.0',
    '--5',
    '(-£5)',
    '£5p',
    '£1e6',
    '£9,007,199,254,740,992',
  ];
  for (const input of bad) {
    it(`refuses "${input}" rather than guess`, () => assert.equal(parseMoney(input), undefined));
  }
});

describe('money as reports write it', () => {
  // Issue 12: a negative NPSV read "£-596.6k" where another page wrote "-£250"; now every amount
  // of the efficiency programme and the diagnostic is written by formatMoney, minus (U+2212) first.
  const oneWay: [string, string, string][] = [
    ['a negative NPSV in thousands', formatMoneyInThousands(pence(-59_660_000)), '\u2212£596.6k'],
    ['a negative amount in pounds', formatMoney(pence(-25_000)), '\u2212£250'],
    ['a negative amount with pence', formatMoney(pence(-25_050)), '\u2212£250.50'],
    ['a negative headline', formatMoneyShort(pounds(-5_500_000)), '\u2212£5.5m'],
    ['a negative figure in a £k column', formatInUnits(pence(-269_000_000), 'thousands', 1), '\u22122,690.0'],
    ['zero', formatMoney(pence(0)), '£0'],
    ['zero in thousands', formatMoneyInThousands(pence(0)), '£0.0k'],
    ['a negative that rounds to zero in thousands', formatMoneyInThousands(pence(-4_000)), '£0.0k'],
    ['a negative that rounds to zero in a headline', formatMoneyShort(pence(-40)), '£0'],
    ['the largest amount Amber holds', formatMoney(pence(Number.MAX_SAFE_INTEGER)), '£90,071,992,547,409.91'],
    ['the most negative amount', formatMoney(pence(-Number.MAX_SAFE_INTEGER)), '\u2212£90,071,992,547,409.91'],
    ['£60tn in thousands', formatMoneyInThousands(pounds(60_000_000_000_000)), '£60,000,000,000.0k'],
    ['£60tn as a headline', formatMoneyShort(pounds(-60_000_000_000_000)), '\u2212£60,000.0bn'],
    ['millions', formatMoney(pounds(-9_000_000), { unit: 'millions' }), '\u2212£9.0m'],
  ];
  for (const [what, actual, expected] of oneWay) {
    it(`writes ${what} as ${expected}`, () => assert.equal(actual, expected));
  }
  it('never writes a hyphen or a sign after the pound sign', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const m = pence(n);
        for (const text of [
          formatMoney(m),
          formatMoneyInThousands(m),
          formatMoneyShort(m),
          formatInUnits(m, 'thousands', 1),
        ]) {
          assert.doesNotMatch(text, /-|£\u2212/, text);
          assert.equal(text.startsWith('\u2212'), n < 0 && /[1-9]/.test(text), text);
        }
      }),
      RUNS,
    );
  });
  it('refuses to write what is not a whole number of pence', () => {
    assert.throws(() => formatMoney(1.5 as Money), RangeError);
    assert.throws(() => formatMoney((2 ** 53) as Money), RangeError);
  });

  const cases: [Money, Parameters<typeof formatMoney>[1], string][] = [
    [pence(140_931_000), undefined, '£1,409,310'],
    [pence(140_931_050), undefined, '£1,409,310.50'],
    [pence(140_931_050), { pence: 'never' }, '£1,409,311'],
    [pence(140_931_049), { pence: 'never' }, '£1,409,310'],
    [pence(140_931_000), { pence: 'always' }, '£1,409,310.00'],
    [pence(-25_050), undefined, '\u2212£250.50'],
    [pence(5), undefined, '£0.05'],
    [pence(0), undefined, '£0'],
  ];
  for (const [amount, options, text] of cases) {
    it(`writes ${amount} pence${options ? ` (pence: ${options.pence})` : ''} as ${text}`, () =>
      assert.equal(formatMoney(amount, options), text));
  }

  const short = [
    [pounds(9_000_000), '£9.0m'],
    [pounds(1_409_310), '£1.4m'],
    [pounds(150_000), '£150K'],
    [pounds(50_000), '£50K'],
    [pounds(999_999), '£1.0m'],
    [pounds(950_000), '£950K'],
    [pounds(999_499), '£999K'],
    [pounds(1_200_000_000), '£1.2bn'],
    [pounds(950), '£950'],
    [pence(99_950), '£1K'],
    [pounds(-5_500_000), '\u2212£5.5m'],
    [pounds(0), '£0'],
  ] as const;
  for (const [amount, text] of short) {
    it(`shortens ${amount} pence to ${text}`, () => assert.equal(formatMoneyShort(amount), text));
  }

  it('writes amounts in £k and £m columns, rounded half away from zero', () => {
    assert.equal(formatInUnits(pence(472_381_930), 'thousands', 1), '4,723.8');
    assert.equal(formatInUnits(pence(1_812_046_329), 'thousands', 1), '18,120.5');
    assert.equal(formatInUnits(pence(900_000_000), 'millions', 1), '9.0');
    assert.equal(formatInUnits(pence(-5_000), 'thousands', 1), '\u22120.1');
  });
});

describe('money arithmetic', () => {
  it('refuses anything that is not a whole number of pence within ±2^53', () => {
    for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53]) assert.throws(() => pence(bad), RangeError);
    assert.throws(() => pounds(2 ** 52), RangeError);
    assert.throws(() => sumMoney([pence(Number.MAX_SAFE_INTEGER), pence(1)]), RangeError);
  });

  const products = [
    [5, 1, 2, 3],
    [-5, 1, 2, -3],
    [7, 1, 3, 2],
    [900_000_000, 800, 10_000, 72_000_000],
    [1, 0, 7, 0],
    [10, 3, -4, -8],
  ] as const;
  for (const [amount, n, d, expected] of products) {
    it(`multiplies ${amount}p by ${n}/${d} to ${expected}p, rounding once, halves away from zero`, () => {
      assert.equal(multiplyMoney(pence(amount), n, d), expected);
    });
  }

  it('takes basis points of an amount', () => {
    assert.equal(basisPointsOf(pounds(9_000_000), 350), pounds(315_000));
  });
});

describe('splitting an amount by the largest-remainder method', () => {
  const cases = [
    { total: 10_000, weights: [1, 1, 1], parts: [3_334, 3_333, 3_333] },
    { total: 3_800_000, weights: [6_000, 2_000, 2_000], parts: [2_280_000, 760_000, 760_000] },
    { total: 100, weights: [3_330, 3_330, 3_330], parts: [34, 33, 33] },
    { total: 2, weights: [1, 1, 1], parts: [1, 1, 0] },
    { total: 5, weights: [0, 1, 0], parts: [0, 5, 0] },
    { total: -10_000, weights: [1, 1, 1], parts: [-3_334, -3_333, -3_333] },
    { total: 0, weights: [0, 0], parts: [0, 0] },
    { total: 0, weights: [], parts: [] },
    { total: 7, weights: [1, 3], parts: [2, 5] },
  ];
  for (const c of cases) {
    it(`splits ${c.total} by [${c.weights.join(', ')}] into [${c.parts.join(', ')}]`, () => {
      assert.deepEqual(allocateMoney(pence(c.total), c.weights), c.parts);
    });
  }

  it('refuses to split a non-zero amount when nothing carries weight, or by a negative weight', () => {
    assert.throws(() => allocateMoney(pence(1), []), RangeError);
    assert.throws(() => allocateMoney(pence(1), [0, 0]), RangeError);
    assert.throws(() => allocateMoney(pence(1), [1, -1]), RangeError);
    assert.throws(() => allocateMoney(pence(1), [0.5]), RangeError);
  });

  const amount = fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 });
  const weights = fc
    .array(fc.integer({ min: 0, max: 20_000 }), { minLength: 1, maxLength: 12 })
    .filter((ws) => ws.some((w) => w > 0));

  it('conserves the amount: the parts always sum exactly to the whole (property)', () => {
    fc.assert(
      fc.property(amount, weights, (total, ws) => {
        assert.equal(
          allocateMoney(pence(total), ws).reduce((a, b) => a + b, 0),
          total,
        );
      }),
      RUNS,
    );
  });

  it('gives each part within a penny of its exact share, and nothing to a zero weight (property)', () => {
    fc.assert(
      fc.property(amount, weights, (total, ws) => {
        const sum = BigInt(ws.reduce((a, b) => a + b, 0));
        allocateMoney(pence(total), ws).forEach((part, i) => {
          const error = BigInt(part) * sum - BigInt(total) * BigInt(ws[i]!);
          assert.ok((error < 0n ? -error : error) < sum, `part ${i} is more than a penny from its share`);
          if (ws[i] === 0) assert.equal(part, 0);
        });
      }),
      RUNS,
    );
  });

  it('is symmetric: splitting −x gives the negatives of splitting x (property)', () => {
    fc.assert(
      fc.property(amount, weights, (total, ws) => {
        assert.deepEqual(
          allocateMoney(pence(-total), ws),
          allocateMoney(pence(total), ws).map((p) => -p || 0),
        );
      }),
      RUNS,
    );
  });
});

describe('money round trips', () => {
  const amount = fc.integer({ min: -9_000_000_000_000_000, max: 9_000_000_000_000_000 }).map(pence);
  it('reads back every amount it writes, pence shown or not (property)', () => {
    fc.assert(
      fc.property(amount, (m) => {
        assert.equal(parseMoney(formatMoney(m)), m);
        assert.equal(parseMoney(formatMoney(m, { pence: 'always' })), m);
      }),
      RUNS,
    );
  });
  it('never moves an amount by more than half a unit when shortening it (property)', () => {
    fc.assert(
      fc.property(amount, (m) => {
        const back = parseMoney(formatMoneyShort(m));
        assert.ok(back !== undefined, formatMoneyShort(m));
        const unit = /bn$/.test(formatMoneyShort(m))
          ? 10_000_000_000
          : /m$/.test(formatMoneyShort(m))
            ? 10_000_000
            : /K$/.test(formatMoneyShort(m))
              ? 100_000
              : 100;
        assert.ok(Math.abs(back - m) <= unit / 2, `${m} → ${formatMoneyShort(m)}`);
      }),
      RUNS,
    );
  });
});
