// A status's pattern (issue 13) is drawn in every output, so a black-and-white print tells
// statuses of the same grey apart: hatching or dots over the shape on the page's chart markers,
// in the PDF (clipped lines over the badge's shape), in Word (a shaded swatch ending the badge).
// A status without a pattern is drawn exactly as before.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { buildVfm4dReportView } from '../../test/builders/report-view.ts';
import { buildChartView, RED } from './charts/fixtures.test-helper.ts';
import { renderIndicatorChartSvg } from './charts/svg.ts';
import { renderReportDocx } from './docx.ts';
import { renderReportPdf } from './pdf.ts';
import { presentStatus } from './report-view.ts';
import { zipEntry } from './text-extract.test-helper.ts';

const stalled = (pattern: 'none' | 'hatched' | 'dotted') =>
  presentStatus({
    key: 'red-stalled',
    label: 'Red – stalled',
    colour: '#d4351c',
    shape: 'cross',
    description: 'Work has stopped',
    pattern,
  });

/** Every content stream of a PDF, inflated, joined. */
function pdfDrawing(pdf: Buffer): string {
  const out: string[] = [];
  const text = pdf.toString('latin1');
  const re = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endstream', start);
    if (end < 0) break;
    try {
      out.push(inflateSync(pdf.subarray(start, end)).toString('latin1'));
    } catch {
      // not a deflated stream (a font, an image): nothing drawn in it
    }
    re.lastIndex = end;
  }
  return out.join('\n');
}
/** Clipping paths in a PDF's drawing: `W n` (nonzero) and `W* n`. */
const clips = (pdf: Buffer) => (pdfDrawing(pdf).match(/\bW\*? n\b/g) ?? []).length;

describe('a status drawn with its pattern', () => {
  it('hatches the PDF badge’s shape with clipped lines; a plain status has none of them', async () => {
    const plain = await renderReportPdf(buildVfm4dReportView({ status: stalled('none') }));
    const hatched = await renderReportPdf(buildVfm4dReportView({ status: stalled('hatched') }));
    const dotted = await renderReportPdf(buildVfm4dReportView({ status: stalled('dotted') }));
    assert.equal(clips(hatched), clips(plain) + 1, 'one more clipped area: the badge’s shape');
    assert.equal(clips(dotted), clips(plain) + 1);
  });

  it('ends the Word badge with a striped or dotted swatch in the ink that reads on the colour', async () => {
    const xml = async (pattern: 'none' | 'hatched' | 'dotted') =>
      zipEntry(
        await renderReportDocx(buildVfm4dReportView({ status: stalled(pattern) })),
        'word/document.xml',
      ).toString('utf8');
    const shading = (x: string) => /<w:shd w:fill="D4351C" w:color="FFFFFF" w:val="(\w+)"\/>/.exec(x)?.[1];
    assert.equal(shading(await xml('hatched')), 'diagStripe');
    assert.equal(shading(await xml('dotted')), 'pct25');
    assert.equal(shading(await xml('none')), undefined);
  });

  it('overlays a chart’s markers and legend with the pattern, defined once in the chart', () => {
    const view = buildChartView();
    const patterned = {
      ...view,
      points: view.points.map((p) => (p.status ? { ...p, status: { ...RED, pattern: 'hatched' as const } } : p)),
    };
    const svg = renderIndicatorChartSvg(patterned, { id: 'c1' });
    assert.equal((svg.match(/<defs>/g) ?? []).length, 1);
    assert.match(svg, /<pattern id="c1-hatched-light"/);
    const marked = patterned.points.filter((p) => p.status && p.actual !== null).length;
    // Every marker plus the legend's swatch.
    assert.equal((svg.match(/fill="url\(#c1-hatched-light\)"/g) ?? []).length, marked + 1);
    assert.doesNotMatch(renderIndicatorChartSvg(view, { id: 'c1' }), /<pattern|url\(#/);
  });
});
