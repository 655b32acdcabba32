// A small outline business case view: two of the five cases, one option with every table and
// its cash-flow chart. Used by the renderers' tests.

import { describeCashFlowChart, renderCashFlowChart } from '../../src/render/business-case-chart.ts';
import type { BusinessCaseView } from '../../src/render/business-case-view.ts';

export const CASH_FLOW_CHART_INPUT = {
  id: 'c1',
  title: 'Option 2: cash flows',
  years: ['Year 0', 'Year 1', 'Year 2'],
  net: [-1000, 500, 900],
  cumulative: [-1000, -500, 400],
};

export function buildBusinessCaseView(overrides: Partial<BusinessCaseView> = {}): BusinessCaseView {
  return {
    organisationName: 'Leeds City Council',
    exerciseName: 'Diagnostic 2009/10',
    title: 'Finance transactions',
    status: 'Draft',
    approved: false,
    basis: 'Cash flows in £ thousands.',
    opportunity: undefined,
    updated: '2010-01-01',
    sections: [
      { key: 'strategic', heading: 'Strategic case', paragraphs: ['Why change.'] },
      { key: 'economic', heading: 'Economic case', paragraphs: [] },
    ],
    options: [
      {
        name: 'Consolidate',
        description: [],
        tags: ['Preferred option'],
        summary: 'NPSV £1,535.0k.',
        cashFlows: {
          caption: 'Cash flows by year',
          headings: ['Year', 'Programme', 'Total costs'],
          numeric: true,
          rows: [{ header: '0 (2010/11)', cells: ['600.0', '600.0'] }],
        },
        discounting: {
          caption: 'Discounting',
          headings: ['Year', 'Net', 'Discount factor'],
          numeric: true,
          rows: [{ header: '1', cells: ['-400.0', '0.9662'] }],
        },
        appraisal: {
          caption: 'Green Book appraisal',
          headings: ['Measure', 'Value'],
          numeric: true,
          rows: [{ header: 'Net present social value (NPSV)', cells: ['£1,535.0k'], strong: true }],
        },
        sensitivities: {
          caption: 'Standard sensitivities',
          headings: ['Case', 'NPSV'],
          numeric: true,
          rows: [{ header: 'Costs 20% higher', cells: ['1,337.7'] }],
        },
        chart: {
          svg: renderCashFlowChart(CASH_FLOW_CHART_INPUT),
          description: describeCashFlowChart(CASH_FLOW_CHART_INPUT),
          table: {
            caption: 'The chart’s data',
            headings: ['Year', 'Net flow'],
            numeric: true,
            rows: [{ header: 'Year 0', cells: ['-1,000.0'] }],
          },
        },
      },
    ],
    ...overrides,
  };
}
