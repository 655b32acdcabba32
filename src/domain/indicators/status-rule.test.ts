import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RAG_SCALE, TARGET_SCALE } from '../status-scale.ts';
import type { Polarity, Scaled, Target, Unit } from './indicator.ts';
import { ValidationError } from '../errors.ts';
import {
  type ScaleEntry,
  type StatusRule,
  checkStatusMapping,
  checkStatusRule,
  computeStatus,
  defaultPosition,
  overrideStatus,
  positionOf,
  resolveStatusMapping,
  shownStatus,
} from './status-rule.ts';

const number: Unit = { kind: 'number', decimalPlaces: 0 };
const percent1: Unit = { kind: 'percentage', decimalPlaces: 1 };
const percent2: Unit = { kind: 'percentage', decimalPlaces: 2 };
const days: Unit = { kind: 'days', decimalPlaces: 0 };
const money: Unit = { kind: 'money', decimalPlaces: 2 };

const pct = (p: number): StatusRule => ({ kind: 'percent', nearWithinPercent: p });
const abs = (n: Scaled): StatusRule => ({ kind: 'absolute', nearWithin: n });

interface Case {
  name: string;
  polarity: Polarity;
  unit: Unit;
  actual: Scaled;
  target: Target;
  rule: StatusRule;
  status: 'green' | 'amber' | 'red';
  explanation?: string;
}

const cases: Case[] = [
  // higher is better, percentage tolerance
  {
    name: 'above the target',
    polarity: 'higher',
    unit: percent1,
    actual: 960,
    target: 950,
    rule: pct(5),
    status: 'green',
    explanation: 'Green because 96.0% is above the target of 95.0%, and higher is better',
  },
  {
    name: 'exactly on the target',
    polarity: 'higher',
    unit: percent1,
    actual: 950,
    target: 950,
    rule: pct(5),
    status: 'green',
    explanation: 'Green because 95.0% meets the target of 95.0%',
  },
  {
    name: 'below the target, within 5%',
    polarity: 'higher',
    unit: percent1,
    actual: 931,
    target: 950,
    rule: pct(5),
    status: 'amber',
    explanation: 'Amber because 93.1% is below the target of 95.0% but within the 5% tolerance (90.25%)',
  },
  {
    name: 'exactly on the 5% boundary',
    polarity: 'higher',
    unit: percent2,
    actual: 9_025,
    target: 9_500,
    rule: pct(5),
    status: 'amber',
    explanation: 'Amber because 90.25% is below the target of 95.00% but within the 5% tolerance (90.25%)',
  },
  {
    name: 'one step past the 5% boundary',
    polarity: 'higher',
    unit: percent2,
    actual: 9_024,
    target: 9_500,
    rule: pct(5),
    status: 'red',
  },
  {
    name: 'beyond 5%',
    polarity: 'higher',
    unit: percent1,
    actual: 902,
    target: 950,
    rule: pct(5),
    status: 'red',
    explanation: 'Red because 90.2% is below the target of 95.0% and outside the 5% tolerance (90.25%)',
  },
  {
    name: 'a hair below the target with no tolerance',
    polarity: 'higher',
    unit: percent1,
    actual: 949,
    target: 950,
    rule: pct(0),
    status: 'red',
    explanation: 'Red because 94.9% is below the target of 95.0%, with no tolerance',
  },
  {
    name: 'a 2.5% tolerance of money',
    polarity: 'higher',
    unit: money,
    actual: 97_500,
    target: 100_000,
    rule: pct(2.5),
    status: 'amber',
    explanation: 'Amber because £975 is below the target of £1,000 but within the 2.5% tolerance (£975)',
  },
  // higher is better, absolute tolerance
  {
    name: 'exactly on an absolute boundary',
    polarity: 'higher',
    unit: percent1,
    actual: 930,
    target: 950,
    rule: abs(20),
    status: 'amber',
    explanation:
      'Amber because 93.0% is below the target of 95.0% but within the tolerance of 2.0 percentage points (93.0%)',
  },
  {
    name: 'past an absolute boundary',
    polarity: 'higher',
    unit: percent1,
    actual: 929,
    target: 950,
    rule: abs(20),
    status: 'red',
  },
  // lower is better
  {
    name: 'below a lower-is-better target',
    polarity: 'lower',
    unit: days,
    actual: 12,
    target: 15,
    rule: pct(10),
    status: 'green',
    explanation: 'Green because 12 days is below the target of 15 days, and lower is better',
  },
  {
    name: 'exactly on a lower-is-better target',
    polarity: 'lower',
    unit: days,
    actual: 15,
    target: 15,
    rule: pct(10),
    status: 'green',
  },
  {
    name: 'above a lower-is-better target, within 10%',
    polarity: 'lower',
    unit: days,
    actual: 16,
    target: 15,
    rule: pct(10),
    status: 'amber',
    explanation: 'Amber because 16 days is above the target of 15 days but within the 10% tolerance (16.5 days)',
  },
  {
    name: 'beyond 10% above a lower-is-better target',
    polarity: 'lower',
    unit: days,
    actual: 17,
    target: 15,
    rule: pct(10),
    status: 'red',
  },
  {
    name: 'exactly on an absolute boundary above a lower-is-better target',
    polarity: 'lower',
    unit: days,
    actual: 17,
    target: 15,
    rule: abs(2),
    status: 'amber',
  },
  {
    name: 'past an absolute boundary above a lower-is-better target',
    polarity: 'lower',
    unit: days,
    actual: 18,
    target: 15,
    rule: abs(2),
    status: 'red',
    explanation: 'Red because 18 days is above the target of 15 days and outside the tolerance of 2 days (17 days)',
  },
  // zero targets
  { name: 'on a zero target', polarity: 'higher', unit: number, actual: 0, target: 0, rule: pct(5), status: 'green' },
  {
    name: 'below a zero target with a percentage tolerance',
    polarity: 'higher',
    unit: number,
    actual: -1,
    target: 0,
    rule: pct(5),
    status: 'red',
    explanation: 'Red because -1 is below the target of 0, and a percentage tolerance of a zero target is zero',
  },
  {
    name: 'above a zero lower-is-better target with a percentage tolerance',
    polarity: 'lower',
    unit: number,
    actual: 1,
    target: 0,
    rule: pct(50),
    status: 'red',
  },
  {
    name: 'on the absolute boundary of a zero target',
    polarity: 'lower',
    unit: number,
    actual: 2,
    target: 0,
    rule: abs(2),
    status: 'amber',
  },
  // negative values
  {
    name: 'a negative actual above a negative lower-is-better target, within 10%',
    polarity: 'lower',
    unit: number,
    actual: -9,
    target: -10,
    rule: pct(10),
    status: 'amber',
    explanation: 'Amber because -9 is above the target of -10 but within the 10% tolerance (-9)',
  },
  {
    name: 'a negative actual past 10% of a negative lower-is-better target',
    polarity: 'lower',
    unit: number,
    actual: -8,
    target: -10,
    rule: pct(10),
    status: 'red',
  },
  {
    name: 'a more negative actual under a negative lower-is-better target',
    polarity: 'lower',
    unit: number,
    actual: -12,
    target: -10,
    rule: pct(10),
    status: 'green',
  },
  {
    name: 'a negative actual on the 10% boundary of a negative higher-is-better target',
    polarity: 'higher',
    unit: number,
    actual: -11,
    target: -10,
    rule: pct(10),
    status: 'amber',
  },
  {
    name: 'a negative actual past the boundary of a negative higher-is-better target',
    polarity: 'higher',
    unit: number,
    actual: -12,
    target: -10,
    rule: pct(10),
    status: 'red',
  },
  {
    name: 'a negative actual against a positive target',
    polarity: 'higher',
    unit: money,
    actual: -5_000,
    target: 10_000,
    rule: pct(50),
    status: 'red',
  },
  // bands
  {
    name: 'inside a band',
    polarity: 'band',
    unit: number,
    actual: 50,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'green',
    explanation: 'Green because 50 is inside the target range of 40 to 60',
  },
  {
    name: 'on the low end of a band',
    polarity: 'band',
    unit: number,
    actual: 40,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'green',
  },
  {
    name: 'on the high end of a band',
    polarity: 'band',
    unit: number,
    actual: 60,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'green',
  },
  {
    name: 'above a band, on the 5% boundary',
    polarity: 'band',
    unit: number,
    actual: 63,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'amber',
    explanation: 'Amber because 63 is above the target range of 40 to 60 but within the 5% tolerance (63)',
  },
  {
    name: 'above a band, past 5%',
    polarity: 'band',
    unit: number,
    actual: 64,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'red',
  },
  {
    name: 'below a band, on the 5% boundary',
    polarity: 'band',
    unit: number,
    actual: 38,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'amber',
  },
  {
    name: 'below a band, past 5%',
    polarity: 'band',
    unit: number,
    actual: 37,
    target: { low: 40, high: 60 },
    rule: pct(5),
    status: 'red',
    explanation: 'Red because 37 is below the target range of 40 to 60 and outside the 5% tolerance (38)',
  },
  {
    name: 'above a band, on an absolute boundary',
    polarity: 'band',
    unit: number,
    actual: 65,
    target: { low: 40, high: 60 },
    rule: abs(5),
    status: 'amber',
  },
  {
    name: 'below a band, past an absolute boundary',
    polarity: 'band',
    unit: number,
    actual: 34,
    target: { low: 40, high: 60 },
    rule: abs(5),
    status: 'red',
  },
  {
    name: 'on a band of one value',
    polarity: 'band',
    unit: number,
    actual: 7,
    target: { low: 7, high: 7 },
    rule: abs(0),
    status: 'green',
  },
  {
    name: 'inside a band around zero',
    polarity: 'band',
    unit: number,
    actual: -2,
    target: { low: -5, high: 5 },
    rule: pct(10),
    status: 'green',
  },
];

describe('computed status', () => {
  for (const c of cases) {
    it(`gives ${c.status} for ${c.name}`, () => {
      const r = computeStatus({
        polarity: c.polarity,
        unit: c.unit,
        actual: c.actual,
        target: c.target,
        rule: c.rule,
        scale: RAG_SCALE,
      });
      assert.ok(r.rated);
      assert.equal(r.status.key, c.status);
      assert.deepEqual(r.rule, c.rule);
      if (c.explanation) assert.equal(r.explanation, c.explanation);
    });
  }

  const unrated = [
    {
      name: 'a volumetric indicator',
      polarity: 'none',
      actual: 5,
      target: 3,
      reason: 'no-polarity',
      explanation: 'No status: this indicator has no target; it is volumetric (for information)',
    },
    {
      name: 'a missing actual',
      polarity: 'higher',
      actual: undefined,
      target: 3,
      reason: 'no-actual',
      explanation: 'No status: there is no actual value for this period',
    },
    {
      name: 'a missing target',
      polarity: 'lower',
      actual: 5,
      target: undefined,
      reason: 'no-target',
      explanation: 'No status: there is no target for this period',
    },
    {
      name: 'a single target for a band',
      polarity: 'band',
      actual: 5,
      target: 3,
      reason: 'target-mismatch',
      explanation: 'No status: the target is a single value, but this indicator is best within a target range',
    },
    {
      name: 'a range for a higher-is-better indicator',
      polarity: 'higher',
      actual: 5,
      target: { low: 1, high: 3 },
      reason: 'target-mismatch',
      explanation: 'No status: the target is a range, but for this indicator higher is better',
    },
    {
      name: 'a range given high end first',
      polarity: 'band',
      actual: 5,
      target: { low: 9, high: 3 },
      reason: 'target-mismatch',
      explanation: 'No status: the target range runs from 9 down to 3',
    },
  ] as const;
  for (const c of unrated) {
    it(`gives no status, and says why, for ${c.name}`, () => {
      const r = computeStatus({
        polarity: c.polarity,
        unit: number,
        actual: c.actual,
        target: c.target,
        rule: pct(5),
        scale: RAG_SCALE,
      });
      assert.deepEqual(r, { rated: false, reason: c.reason, explanation: c.explanation, rule: pct(5) });
    });
  }

  it('uses the organisation’s own labels in the explanation', () => {
    const r = computeStatus({
      polarity: 'higher',
      unit: percent1,
      actual: 931,
      target: 950,
      rule: pct(5),
      scale: TARGET_SCALE,
    });
    assert.equal(
      r.explanation,
      'Behind target because 93.1% is below the target of 95.0% but within the 5% tolerance (90.25%)',
    );
  });

  it('refuses a tolerance it cannot hold exactly, or a negative one', () => {
    assert.deepEqual(
      checkStatusRule(pct(2.555)).map((i) => i.field),
      ['rule.nearWithinPercent'],
    );
    assert.deepEqual(
      checkStatusRule(pct(150)).map((i) => i.field),
      ['rule.nearWithinPercent'],
    );
    assert.deepEqual(
      checkStatusRule(abs(-1)).map((i) => i.field),
      ['rule.nearWithin'],
    );
    assert.deepEqual(
      checkStatusRule(abs(0.5)).map((i) => i.field),
      ['rule.nearWithin'],
    );
    assert.throws(
      () => computeStatus({ polarity: 'higher', unit: number, actual: 1, target: 2, rule: pct(-5), scale: RAG_SCALE }),
      RangeError,
    );
  });
});

const scaleOf = (n: number): ScaleEntry[] => Array.from({ length: n }, (_, i) => ({ key: `s${i}`, label: `S${i}` }));

describe('outcomes onto any status scale', () => {
  const defaults = [
    { length: 1, positions: [0, 0, 0], scale: 'a one-status scale' },
    { length: 2, positions: [0, 1, 1], scale: 'Met / Not met (near is not met)' },
    { length: 3, positions: [0, 1, 2], scale: 'Red / Amber / Green' },
    { length: 4, positions: [0, 2, 3], scale: 'a four-status scale (the worse of the two middles)' },
    { length: 5, positions: [0, 2, 4], scale: 'a five-status scale' },
    { length: 6, positions: [0, 3, 5], scale: 'a six-status scale' },
  ];
  for (const d of defaults) {
    it(`maps on, near and off target to positions ${d.positions.join(', ')} of ${d.scale}`, () => {
      assert.deepEqual(
        (['on', 'near', 'off'] as const).map((o) => defaultPosition(o, d.length)),
        d.positions,
      );
      const resolved = resolveStatusMapping(scaleOf(d.length));
      assert.deepEqual(
        [resolved.on.key, resolved.near.key, resolved.off.key],
        d.positions.map((p) => `s${p}`),
      );
    });
  }

  it('lets an organisation name the status for an outcome by key, the others keeping their default', () => {
    const scale = scaleOf(4);
    const resolved = resolveStatusMapping(scale, { near: 's1' });
    assert.deepEqual([resolved.on.key, resolved.near.key, resolved.off.key], ['s0', 's1', 's3']);
    const r = computeStatus({
      polarity: 'higher',
      unit: number,
      actual: 9,
      target: 10,
      rule: pct(20),
      scale,
      mapping: { near: 's1' },
    });
    assert.ok(r.rated && r.status.key === 's1' && r.mappedBy === 'organisation');
  });

  const badMappings = [
    { mapping: { near: 'purple' }, fields: ['mapping.near'], why: 'a key that is not on the scale' },
    { mapping: { near: 'red', off: 'amber' }, fields: ['mapping.off'], why: 'off target better than near' },
    { mapping: { on: 'amber', near: 'green' }, fields: ['mapping.near'], why: 'near target better than on' },
  ];
  for (const b of badMappings) {
    it(`refuses a mapping with ${b.why}`, () => {
      assert.deepEqual(
        checkStatusMapping(RAG_SCALE, b.mapping).map((i) => i.field),
        b.fields,
      );
      assert.throws(() => resolveStatusMapping(RAG_SCALE, b.mapping), RangeError);
    });
  }

  it('refuses an empty scale', () => {
    assert.deepEqual(
      checkStatusMapping([]).map((i) => i.field),
      ['scale'],
    );
  });
});

describe('an officer’s override', () => {
  const computed = computeStatus({
    polarity: 'higher',
    unit: percent1,
    actual: 960,
    target: 950,
    rule: pct(5),
    scale: RAG_SCALE,
  });

  it('keeps the computed status beside the chosen one, with the reason', () => {
    const o = overrideStatus(computed, 'amber', '  The March figures are   provisional ', RAG_SCALE);
    assert.equal(o.computed, computed);
    assert.equal(o.chosen.key, 'amber');
    assert.equal(o.reason, 'The March figures are provisional');
    assert.equal(o.differs, true);
    assert.equal(
      o.explanation,
      'Amber, chosen by the officer instead of the computed Green: The March figures are provisional',
    );
    assert.equal(shownStatus(o)?.key, 'amber');
    assert.equal(shownStatus(computed)?.key, 'green');
  });

  it('records a confirmation of the computed status as not differing', () => {
    const o = overrideStatus(computed, 'green', 'Checked against the source data', RAG_SCALE);
    assert.equal(o.differs, false);
    assert.equal(o.explanation, 'Green, as computed and confirmed by the officer: Checked against the source data');
  });

  it('lets an officer choose a status when none could be computed', () => {
    const none = computeStatus({
      polarity: 'higher',
      unit: number,
      actual: undefined,
      target: 10,
      rule: pct(5),
      scale: RAG_SCALE,
    });
    const o = overrideStatus(none, 'red', 'The return was not submitted', RAG_SCALE);
    assert.equal(shownStatus(none), undefined);
    assert.equal(
      o.explanation,
      'Red, chosen by the officer (no status could be computed: there is no actual value for this period): The return was not submitted',
    );
  });

  const refusals = [
    { key: 'amber', reason: '   ', field: 'reason', why: 'a blank reason' },
    { key: 'amber', reason: 'x'.repeat(2_001), field: 'reason', why: 'a reason over 2,000 characters' },
    { key: 'purple', reason: 'Because', field: 'status', why: 'a status not on the scale' },
  ];
  for (const r of refusals) {
    it(`refuses ${r.why}, naming the field`, () => {
      assert.throws(
        () => overrideStatus(computed, r.key, r.reason, RAG_SCALE),
        (e: unknown) => e instanceof ValidationError && e.issues[0]?.field === r.field,
      );
    });
  }
});

describe('status properties', () => {
  const RUNS = { numRuns: 300 };
  const value = fc.integer({ min: -1_000_000, max: 1_000_000 });
  const rule = fc.oneof(
    fc.integer({ min: 0, max: 10_000 }).map((bp): StatusRule => pct(bp / 100)),
    fc.integer({ min: 0, max: 100_000 }).map(abs),
  );
  const scale = fc.integer({ min: 1, max: 7 }).map(scaleOf);
  const position = (s: ScaleEntry[], polarity: Polarity, actual: Scaled, target: Target, r: StatusRule) => {
    const a = computeStatus({ polarity, unit: number, actual, target, rule: r, scale: s });
    assert.ok(a.rated);
    return positionOf(s, a.status);
  };

  it('never gives a worse status for an actual moved towards a higher-or-lower target, for any rule', () => {
    fc.assert(
      fc.property(
        scale,
        fc.constantFrom<Polarity>('higher', 'lower'),
        value,
        value,
        value,
        rule,
        (s, polarity, target, a, b, r) => {
          const [worse, better] = (polarity === 'higher') === a <= b ? [a, b] : [b, a];
          assert.ok(position(s, polarity, better, target, r) <= position(s, polarity, worse, target, r));
        },
      ),
      RUNS,
    );
  });

  it('never gives a worse status for an actual moved towards a band', () => {
    fc.assert(
      fc.property(scale, value, value, value, value, rule, (s, x, y, a, b, r) => {
        const range = { low: Math.min(x, y), high: Math.max(x, y) };
        const distance = (v: number) => Math.max(range.low - v, v - range.high, 0);
        // Moving towards the band from the same side.
        const side = (v: number) => Math.sign(v - range.low) + Math.sign(v - range.high);
        fc.pre(side(a) === side(b) || distance(a) === 0 || distance(b) === 0);
        const [worse, better] = distance(a) >= distance(b) ? [a, b] : [b, a];
        assert.ok(position(s, 'band', better, range, r) <= position(s, 'band', worse, range, r));
      }),
      RUNS,
    );
  });

  it('gives the same status to a lower-is-better indicator as to its mirror image under higher-is-better', () => {
    fc.assert(
      fc.property(scale, value, value, rule, (s, actual, target, r) => {
        assert.equal(position(s, 'lower', actual, target, r), position(s, 'higher', -actual, -target, r));
      }),
      RUNS,
    );
  });

  it('puts the boundary of a percentage tolerance exactly where the decimal arithmetic says (no float drift)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 1, max: 9_999 }), (target, bp) => {
        // The least value within bp basis points below the target is ⌈target × (10000 − bp) / 10000⌉: near; one less is off.
        const least = Number((BigInt(target) * BigInt(10_000 - bp) + 9_999n) / 10_000n);
        const at = computeStatus({
          polarity: 'higher',
          unit: number,
          actual: least,
          target,
          rule: pct(bp / 100),
          scale: RAG_SCALE,
        });
        const past = computeStatus({
          polarity: 'higher',
          unit: number,
          actual: least - 1,
          target,
          rule: pct(bp / 100),
          scale: RAG_SCALE,
        });
        assert.ok(at.rated && past.rated);
        assert.equal(at.outcome, least === target ? 'on' : 'near');
        assert.equal(past.outcome, 'off');
      }),
      RUNS,
    );
  });
});
