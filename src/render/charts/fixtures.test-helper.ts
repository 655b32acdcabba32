// Chart views for tests and for the visual check in tmp/: buildChartView(overrides).

import type { ChartPointStatus, IndicatorChartView } from './chart-view.ts';

export const GREEN: ChartPointStatus = { label: 'Green', colour: '#00703c', shape: 'circle', symbol: '●' };
export const AMBER: ChartPointStatus = { label: 'Amber', colour: '#f47738', shape: 'triangle', symbol: '▲' };
export const RED: ChartPointStatus = { label: 'Red', colour: '#d4351c', shape: 'diamond', symbol: '◆' };

export const QUARTERS = [
  '2023/24 Q1',
  '2023/24 Q2',
  '2023/24 Q3',
  '2023/24 Q4',
  '2024/25 Q1',
  '2024/25 Q2',
  '2024/25 Q3',
  '2024/25 Q4',
];

/** A percentage indicator against a target of 95 over eight quarters, with green, amber and red points. */
export function buildChartView(overrides: Partial<IndicatorChartView> = {}): IndicatorChartView {
  const actuals = [91.2, 93.5, 95.4, 96.1, 89.7, 94.0, 95.8, 93.2];
  const statuses = [AMBER, AMBER, GREEN, GREEN, RED, AMBER, GREEN, AMBER];
  return {
    code: 'CS-01',
    title: 'Calls to the contact centre answered within 20 seconds',
    unit: '%',
    decimals: 1,
    polarity: 'Higher is better',
    kind: 'line',
    points: QUARTERS.map((periodLabel, i) => ({ periodLabel, actual: actuals[i]!, target: 95, status: statuses[i]! })),
    ...overrides,
  };
}
