import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderCashFlowChart, describeCashFlowChart } from './business-case-chart.ts';
import { parseXml, allElements } from './charts/xml.test-helper.ts';
import { renderBusinessCasePdf } from './business-case-pdf.ts';
import { renderBusinessCaseDocx } from './business-case-docx.ts';
import { pdfText, docxText, normaliseWhitespace } from './text-extract.test-helper.ts';
import type { BusinessCaseView } from './business-case-view.ts';

const input = {
  id: 'c1',
  title: 'Option 2: cash flows',
  years: ['Year 0', 'Year 1', 'Year 2'],
  net: [-1000, 500, 900],
  cumulative: [-1000, -500, 400],
};

describe('the cash-flow chart of an option', () => {
  it('draws a bar per year (a net cost dashed, not only coloured) and the cumulative line', () => {
    const root = parseXml(renderCashFlowChart(input));
    const bars = allElements(root).filter((e) => e.name === 'rect' && e.attributes['stroke-width'] === '1.5');
    assert.equal(bars.length, 3);
    assert.equal(bars.filter((b) => b.attributes['stroke-dasharray']).length, 1, 'the net cost year is hatched');
  });
  it('says in words where the cumulative flow ends and when it turns positive', () => {
    assert.equal(
      describeCashFlowChart(input),
      'Option 2: cash flows: net cash flow by year over 3 years (bars) and the cumulative net flow (line). The cumulative flow ends at £400k, turning positive in Year 2.',
    );
  });
});

const view: BusinessCaseView = {
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
        svg: renderCashFlowChart(input),
        description: describeCashFlowChart(input),
        table: {
          caption: 'The chart’s data',
          headings: ['Year', 'Net flow'],
          numeric: true,
          rows: [{ header: 'Year 0', cells: ['-1,000.0'] }],
        },
      },
    },
  ],
};

describe('the business case documents', () => {
  it('prints the five cases, the tables and the chart’s data in the PDF', async () => {
    const text = normaliseWhitespace(await pdfText(await renderBusinessCasePdf(view)));
    for (const s of [
      'Finance transactions',
      'Strategic case',
      'Why change.',
      'Economic case',
      'Not written yet.',
      'Consolidate (Preferred option)',
      'Net present social value (NPSV) £1,535.0k',
      'Costs 20% higher 1,337.7',
      '1 -400.0 0.9662',
      'The chart’s data',
      'Page 1 of',
    ]) {
      assert.ok(text.includes(s), `the PDF has “${s}”`);
    }
  });
  it('writes the same into the Word document', async () => {
    const text = normaliseWhitespace(await docxText(await renderBusinessCaseDocx(view)));
    for (const s of [
      'Finance transactions',
      'Strategic case',
      'Why change.',
      'Consolidate (Preferred option)',
      'Net present social value (NPSV)',
      '£1,535.0k',
      'Costs 20% higher',
    ]) {
      assert.ok(text.includes(s), `the Word document has “${s}”`);
    }
  });
});
