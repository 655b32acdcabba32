import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCompact, formatNumber, formatValue, tickFormatter, unitAxisLabel } from './format.ts';

describe('chart number formatting', () => {
  const full: [number, string, number, string][] = [
    [93.25, '%', 1, '93.3%'],
    [1234567, '£', 0, '£1,234,567'],
    [-1234.5, '£', 2, '-£1,234.50'],
    [12, 'days', 0, '12 days'],
    [1, 'days', 0, '1 day'],
    [1000, '', 0, '1,000'],
    [-0.04, '%', 1, '0.0%'],
  ];
  for (const [value, unit, decimals, expected] of full) {
    it(`writes ${value} in ${unit || 'no unit'} to ${decimals} decimals as ${expected}`, () => {
      assert.equal(formatValue(value, unit, decimals), expected);
    });
  }

  const compact: [number, string, string][] = [
    [1_234_567, '£', '£1.2m'],
    [250_000, '£', '£250k'],
    [12_345, '', '12.3k'],
    [9_876, '', '9,876'],
    [-3_400_000_000, '£', '-£3.4bn'],
    [2_000_000, '£', '£2m'],
  ];
  for (const [value, unit, expected] of compact) {
    it(`writes ${value} compactly as ${expected}`, () => {
      assert.equal(formatCompact(value, unit, 0), expected);
    });
  }

  it('puts every tick of an axis on one scale with the decimals its step needs', () => {
    const ticks = [0, 500_000, 1_000_000, 1_500_000];
    assert.deepEqual(ticks.map(tickFormatter(ticks, 500_000, '£')), ['£0', '£0.5m', '£1.0m', '£1.5m']);
    const small = [0, 2.5, 5, 7.5];
    assert.deepEqual(small.map(tickFormatter(small, 2.5, '%')), ['0.0%', '2.5%', '5.0%', '7.5%']);
    const k = [-50_000, 0, 50_000];
    assert.deepEqual(k.map(tickFormatter(k, 50_000, '')), ['-50k', '0', '50k']);
  });

  it('never writes minus zero', () => {
    assert.equal(formatNumber(-0, 0), '0');
    assert.equal(formatNumber(-0.001, 2), '0.00');
  });

  it('names the y axis after the unit', () => {
    assert.deepEqual(['%', '£', 'days', ''].map(unitAxisLabel), ['Per cent (%)', 'Pounds (£)', 'Days', 'Number']);
  });
});
