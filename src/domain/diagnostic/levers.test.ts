import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pounds, pence } from './money.ts';
import { fteUnits } from './baseline.ts';
import {
  type LeverResult,
  automationLever,
  consolidationLever,
  describeWorking,
  percentageGapLever,
  spansAndLayersLever,
  staffingRatioLever,
  unitCostGapLever,
} from './levers.ts';

const set = (p25: number, p50: number, p75: number) => ({
  source: 'Test club',
  year: '2009/10',
  peerGroup: 'Shire districts',
  n: 12,
  illustrative: false,
  p25,
  p50,
  p75,
});

function worked(r: LeverResult) {
  if (!r.ok) assert.fail(`expected figures, got: ${r.field}: ${r.reason}`);
  return r.working;
}

describe('the spans-and-layers lever', () => {
  const example = {
    managers: 36,
    workers: 144,
    reports: 179,
    managerPay: pounds(36 * 52_000),
    targetSpan: 7,
    realisation: 5_000,
  };

  it('works out the issue’s example: 36 managers for 144 staff, target 7, 12 × £52,000 × 50% = £312,000', () => {
    const w = worked(spansAndLayersLever(example));
    assert.equal(w.central, pounds(312_000));
    assert.match(w.basis, /^36 managers for 144 staff, average span 4\.97; the average manager post costs £52,000\./);
    assert.equal(w.lines.central, 'at a target of 7, 24 managers are needed: 12 × £52,000 × 50% = £312,000');
  });

  it('takes one below and one above the chosen span as the low and high cases', () => {
    const w = worked(spansAndLayersLever(example));
    // t = 6: ceil(143/5) = 29 → 7 excess; t = 8: ceil(143/7) = 21 → 15 excess.
    assert.equal(w.low, pounds(7 * 26_000));
    assert.equal(w.high, pounds(15 * 26_000));
    assert.ok(w.low <= w.central && w.central <= w.high);
  });

  it('says so when the organisation already has no more managers than the target needs', () => {
    const w = worked(spansAndLayersLever({ ...example, managers: 10, reports: 153 }));
    assert.equal(w.central, 0);
    assert.match(w.lines.central, /no fewer than now: £0$/);
  });

  it('refuses a target span or realisation out of range, naming the field', () => {
    for (const [targetSpan, realisation, field] of [
      [1, 5_000, 'targetSpan'],
      [51, 5_000, 'targetSpan'],
      [7, 10_001, 'realisation'],
      [7, -1, 'realisation'],
    ] as const) {
      const r = spansAndLayersLever({ ...example, targetSpan, realisation });
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.field, field);
    }
    const none = spansAndLayersLever({ ...example, managers: 0 });
    assert.equal(none.ok, false);
  });

  it('never saves more than the managers cost, and never less as the target span widens', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 2, max: 49 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (managers, workers, targetSpan, realisation, each) => {
          const w = worked(
            spansAndLayersLever({
              managers,
              workers,
              reports: managers + workers - 1,
              managerPay: pounds(each * managers),
              targetSpan,
              realisation,
            }),
          );
          assert.ok(w.low <= w.central && w.central <= w.high);
          assert.ok(w.high <= pounds(each * managers));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('benchmark gaps priced from the data', () => {
  it('prices a percentage of running costs: 2.4% against a median of 2.0% and best quartile 1.6% of £100m', () => {
    const w = worked(
      percentageGapLever({
        what: 'Finance',
        value: 2.4,
        set: set(1.6, 2.0, 2.9),
        direction: 'lower-is-better',
        runningCosts: pounds(100_000_000),
        achievability: 10_000,
      }),
    );
    assert.deepEqual([w.low, w.central, w.high], [pounds(400_000), pounds(600_000), pounds(800_000)]);
    assert.equal(w.lines.low, 'to the median (2.00%): 0.40% × £100,000,000 × 100% achievable = £400,000');
    assert.match(w.basis, /^Finance is 2\.40% of running costs of £100,000,000\.$/);
  });

  it('prices a unit cost with the Volumes sheet’s volume: £4.20 an invoice for 120,000 invoices', () => {
    const w = worked(
      unitCostGapLever({
        what: 'Accounts payable',
        value: 4.2,
        volume: 120_000,
        driver: 'Invoices paid',
        set: set(2.5, 3.1, 4.0),
        direction: 'lower-is-better',
        achievability: 10_000,
      }),
    );
    assert.deepEqual([w.low, w.high], [pounds(132_000), pounds(204_000)]);
    assert.equal(w.central, pounds(168_000));
    assert.equal(w.lines.high, 'to the best quartile (£2.50): £1.70 × 120,000 × 100% achievable = £204,000');
    assert.match(w.basis, /£4\.20 a unit for 120,000 invoices paid/);
  });

  it('scales by the achievability factor and never goes below zero when the organisation is already better', () => {
    const half = worked(
      unitCostGapLever({
        what: 'AP',
        value: 4.2,
        volume: 120_000,
        driver: '',
        set: set(2.5, 3.1, 4.0),
        direction: 'lower-is-better',
        achievability: 5_000,
      }),
    );
    assert.equal(half.low, pounds(66_000));
    const better = worked(
      unitCostGapLever({
        what: 'AP',
        value: 2.0,
        volume: 120_000,
        driver: '',
        set: set(2.5, 3.1, 4.0),
        direction: 'lower-is-better',
        achievability: 10_000,
      }),
    );
    assert.deepEqual([better.low, better.central, better.high], [0, 0, 0]);
  });

  it('refuses a unit cost without a volume, naming the cost pool', () => {
    const r = unitCostGapLever({
      what: 'Accounts payable',
      value: 4.2,
      volume: 0,
      driver: 'Invoices paid',
      set: set(2.5, 3.1, 4.0),
      direction: 'lower-is-better',
      achievability: 10_000,
    });
    assert.deepEqual(r, {
      ok: false,
      field: 'costPool',
      reason: 'The Volumes sheet gives no Invoices paid for Accounts payable',
    });
  });

  it('prices a ratio lever: 12.4 HR FTE for 1,500 employees against 150 and 200 employees per FTE', () => {
    const w = worked(
      staffingRatioLever({
        what: 'HR',
        kind: 'employees-per-fte',
        fte: fteUnits(124_000),
        payCost: pounds(434_000),
        headcount: 1_500,
        set: set(100, 150, 200),
        direction: 'higher-is-better',
        achievability: 10_000,
      }),
    );
    // 10.0 FTE needed at 150, 7.5 at 200; £35,000 per FTE.
    assert.deepEqual([w.low, w.high], [pounds(84_000), pounds(171_500)]);
    assert.equal(
      w.lines.low,
      'to the median (150.00 employees per FTE, 10.00 FTE needed): 2.40 FTE × £35,000 × 100% achievable = £84,000',
    );
  });

  it('prices the same ratio stated as FTE per 1,000 employees (lower is better)', () => {
    const w = worked(
      staffingRatioLever({
        what: 'HR',
        kind: 'fte-per-thousand',
        fte: fteUnits(124_000),
        payCost: pounds(434_000),
        headcount: 1_500,
        set: set(5, 6.6666, 8),
        direction: 'lower-is-better',
        achievability: 10_000,
      }),
    );
    assert.equal(w.high, pounds(171_500));
    assert.match(w.basis, /8\.27 FTE per 1,000 employees/);
  });
});

describe('consolidation and automation', () => {
  it('takes 10%, 20% and 30% productivity gains on the dispersed transactional pay', () => {
    const w = worked(consolidationLever({ what: 'FIN09', dispersedPay: pounds(100_000), achievability: 10_000 }));
    assert.deepEqual([w.low, w.central, w.high], [pounds(10_000), pounds(20_000), pounds(30_000)]);
    assert.equal(w.lines.central, 'a 20% productivity gain: £100,000 × 20% × 100% achievable = £20,000');
    const none = consolidationLever({ what: 'FIN09', dispersedPay: pence(0), achievability: 10_000 });
    assert.equal(none.ok, false);
  });

  it('prices a channel shift as volume × share × unit-cost difference', () => {
    const w = worked(
      automationLever({
        what: 'Customer contact by phone',
        volume: 120_000,
        driver: 'Calls',
        unitCost: pence(420),
        targetUnitCost: pence(120),
        share: 4_000,
      }),
    );
    assert.deepEqual([w.low, w.central, w.high], [pounds(72_000), pounds(144_000), pounds(216_000)]);
    assert.equal(w.lines.central, '40% of 120,000 shifted × £3 saved a unit = £144,000');
    const dearer = automationLever({
      what: 'x',
      volume: 1,
      driver: '',
      unitCost: pence(100),
      targetUnitCost: pence(100),
      share: 1_000,
    });
    assert.equal(!dearer.ok && dearer.field, 'targetUnitCost');
  });

  it('writes the working as plain sentences', () => {
    const w = worked(consolidationLever({ what: 'FIN09', dispersedPay: pounds(100_000), achievability: 10_000 }));
    assert.match(
      describeWorking(w),
      /^Transactional work on FIN09 .* Low: a 10% productivity gain: .* High: .*£30,000\.$/,
    );
  });
});
