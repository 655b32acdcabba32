import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Money, pounds, pence } from './money.ts';
import { HEALTH_SCHEDULE } from './appraisal.ts';
import { MAX_APPRAISAL_YEAR, type OptionLine, appraiseCaseOption, capacityIssue, readAmounts } from './case-option.ts';

const k = (thousands: number) => pounds(thousands * 1_000);
const TN = (trillions: number) => pounds(trillions * 1_000_000_000_000);

describe('reading a line’s amounts by year', () => {
  const good: [string, unknown, number[]][] = [
    ['text with spaces and semicolons', '£1,200,000 £400,000; 0', [120_000_000, 40_000_000, 0]],
    ['a list of texts', ['£1.2m', '0', '150K'], [120_000_000, 0, 15_000_000]],
    ['a list of numbers of pounds', [1200, 0.5], [120_000, 50]],
    ['sixty-one years, 0 to 60', Array(MAX_APPRAISAL_YEAR + 1).fill('1'), Array(61).fill(100)],
  ];
  for (const [label, input, amounts] of good) {
    it(`reads ${label}`, () => assert.deepEqual(readAmounts(input), { ok: true, amounts }));
  }
  const bad: [string, unknown, (number | undefined)[], RegExp][] = [
    ['nothing', '', [undefined], /at least one amount, for year 0/],
    ['sixty-two years', Array(62).fill('1').join(' '), [undefined], /at most 61 years \(0 to 60\)/],
    [
      'an amount beyond £90 trillion',
      ['1', '2', '3', '£100,000,000,000,000'],
      [3],
      /Year 3: .* more than Amber can hold/,
    ],
    ['a negative amount', ['1', '-£5'], [1], /Year 1: amounts cannot be negative/],
    ['a word', 'one 2 three', [0, 2], /Year 0: “one” is not an amount of money/],
    ['an object', { a: 1 }, [undefined], /Enter the amounts by year/],
    ['a number that is not whole pence', [1.234], [0], /Year 0: “1.234” is not an amount/],
  ];
  for (const [label, input, indexes, message] of bad) {
    it(`refuses ${label}, naming the year`, () => {
      const r = readAmounts(input);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.deepEqual(
        r.issues.map((i) => i.index),
        indexes,
      );
      assert.match(r.issues[0]!.message, message);
    });
  }
});

describe('what Amber can hold', () => {
  const line = (kind: 'cost' | 'benefit', amounts: Money[], extra: Partial<OptionLine> = {}): OptionLine => ({
    kind,
    category: 'C',
    label: 'L',
    amounts,
    ...extra,
  });
  const cases: [string, OptionLine[], number | undefined | 'none'][] = [
    ['two cost lines of £60tn in year 0', [line('cost', [TN(60)]), line('cost', [TN(60)])], 0],
    [
      'two benefit lines of £60tn in year 3',
      [line('benefit', [0, 0, 0, TN(60)] as Money[]), line('benefit', [0, 0, 0, TN(60)] as Money[])],
      3,
    ],
    ['£40tn with a 200% uplift', [line('cost', [TN(40)], { optimismBias: 'equipment-development' })], 0],
    ['£80tn, which the costs +20% sensitivity takes past the limit', [line('cost', [TN(80)])], 0],
    [
      '£2tn a year for sixty years, whose total passes the limit',
      [line('cost', Array<Money>(61).fill(TN(2)))],
      undefined,
    ],
    ['£1tn a year for sixty years', [line('cost', Array<Money>(61).fill(TN(1)))], 'none'],
    ['the worked example', [line('cost', [k(2_800), k(850)]), line('benefit', [k(0), k(960)])], 'none'],
  ];
  for (const [label, lines, year] of cases) {
    it(`${year === 'none' ? 'accepts' : 'refuses'} ${label}`, () => {
      const issue = capacityIssue(lines);
      if (year === 'none') {
        assert.equal(issue, undefined);
        appraiseCaseOption(lines);
        return;
      }
      assert.ok(issue, 'an issue');
      assert.equal(issue.year, year);
      assert.match(issue.message, /more than Amber can hold/);
      if (year !== undefined) assert.match(issue.message, new RegExp(`^Year ${year}:`));
    });
  }
});

describe('an option appraised on the case’s schedule', () => {
  const lines: OptionLine[] = [
    { kind: 'cost', category: 'Other costs', label: 'Other', amounts: [k(100)], statedUplift: 1_000 },
    { kind: 'cost', category: 'IT', label: 'System', amounts: [k(100)], optimismBias: 'outsourcing' },
    { kind: 'benefit', category: 'Savings', label: 'Savings', amounts: [k(0), k(100), k(100)] },
  ];
  it('applies a stated uplift and a category’s, line by line', () => {
    const a = appraiseCaseOption(lines, { mitigation: { outsourcing: 5_000 } });
    assert.deepEqual(a.lineUplifts, [1_000, 2_050, 0]);
    assert.equal(a.costs[0], k(100 + 10 + 100 + 20.5));
    assert.deepEqual(a.totals, { costs: k(230.5), benefits: k(200), uplift: k(30.5), net: pence(-3_050_000) });
  });
  it('discounts on the health schedule when the case chooses it', () => {
    const standard = appraiseCaseOption(lines);
    const health = appraiseCaseOption(lines, {}, HEALTH_SCHEDULE);
    assert.ok(health.appraisal.pvb > standard.appraisal.pvb);
    assert.equal(health.appraisal.pvb, Math.round(10_000_000 / 1.015 + 10_000_000 / 1.015 ** 2));
  });
});
