import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { renderCashFlowChart, describeCashFlowChart } from './business-case-chart.ts';
import { parseXml, allElements } from './charts/xml.test-helper.ts';
import { renderBusinessCasePdf } from './business-case-pdf.ts';
import { renderBusinessCaseDocx } from './business-case-docx.ts';
import { pdfText, docxText, normaliseWhitespace } from './text-extract.test-helper.ts';
import { CASH_FLOW_CHART_INPUT, buildBusinessCaseView } from '../../test/builders/business-case-view.ts';

const input = CASH_FLOW_CHART_INPUT;

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
      'Option 2: cash flows: net cash flow by year over 3 years (bars) and the cumulative net flow (line). The cumulative flow ends at £400k, staying positive from Year 2.',
    );
  });
  // Issue 12: a flow at zero in year 0 has not paid back, and one that falls back never has.
  const courses = [
    [[0, -1, -0.4, 0.2], 'staying positive from Year 3.'],
    [[-0.1, 0.1, -0.2, -0.1], 'never paying back.'],
    [[0, 0], 'with no cash flows.'],
    [[0.5, 1], 'never below zero.'],
  ] as const;
  for (const [cumulative, words] of courses) {
    it(`says a cumulative flow of ${cumulative.join(', ')} ends ${words}`, () => {
      const years = cumulative.map((_, i) => `Year ${i}`);
      assert.ok(
        describeCashFlowChart({ ...input, years, net: [...cumulative], cumulative: [...cumulative] }).endsWith(words),
      );
    });
  }
});

const view = buildBusinessCaseView();

describe('the business case documents', () => {
  it('never breaks a table heading inside a word in the PDF, however many columns the table has', async () => {
    const headings = [
      'Year',
      'Programme',
      'Implementation',
      'Redundancy',
      'Accommodation',
      'Technology',
      'Contingency',
      'Optimism bias',
      'Total costs',
      'Cumulative',
    ];
    const wide = buildBusinessCaseView();
    const option = wide.options[0]!;
    const cashFlows = {
      caption: 'Cash flows by year',
      headings,
      numeric: true,
      rows: [{ header: '0 (2010/11)', cells: headings.slice(1).map(() => '1,234,567.0') }],
    };
    const text = normaliseWhitespace(
      await pdfText(await renderBusinessCasePdf({ ...wide, options: [{ ...option, cashFlows }] }), { mode: 'layout' }),
    );
    for (const word of headings.flatMap((h) => h.split(' '))) assert.ok(text.includes(word), `"${word}" is broken`);
  });

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
