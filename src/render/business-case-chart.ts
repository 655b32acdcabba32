// A business-case option's cash flows as an SVG chart: the net flow of each year as a bar (below
// the axis when costs exceed benefits, hatched so the sign never rests on colour) and the
// cumulative net flow as a line with square markers. Plain SVG attributes, no styles or scripts,
// so the page's CSP, svg-to-pdfkit and resvg all draw it the same. Figures are in £ thousands.

import { escapeXml, niceTicks, FONT_FAMILY } from './charts/svg.ts';

const INK = '#0b0c0c';
const GREY = '#505a5f';
const GRID = '#dcdedf';
const BAR = '#1d70b8';
const LINE = '#0b0c0c';

const n = (v: number): string => String(Math.round(v * 10) / 10 || 0);
const text = (x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end' = 'start', size = 12, fill = INK) =>
  `<text x="${n(x)}" y="${n(y)}" font-size="${size}" fill="${fill}"${anchor === 'start' ? '' : ` text-anchor="${anchor}"`}>${escapeXml(s)}</text>`;

export interface CashFlowChartInput {
  id: string;
  title: string;
  /** Year labels: "Year 0", "Year 1"… */
  years: string[];
  /** In £ thousands (already rounded for display is fine: the table carries the exact figures). */
  net: number[];
  cumulative: number[];
}

export function describeCashFlowChart(input: CashFlowChartInput): string {
  const last = input.cumulative.at(-1) ?? 0;
  // As payback reads it (issue 12): the year from which the cumulative flow stays non-negative.
  let lastNegative = -1;
  input.cumulative.forEach((c, i) => {
    if (c < 0) lastNegative = i;
  });
  const fmt = (v: number) =>
    `£${Math.abs(v).toLocaleString('en-GB', { maximumFractionDigits: 1 })}k${v < 0 ? ' net cost' : ''}`;
  const course = input.cumulative.every((c) => c === 0)
    ? ', with no cash flows.'
    : lastNegative === input.cumulative.length - 1
      ? ', never paying back.'
      : lastNegative < 0
        ? ', never below zero.'
        : `, staying positive from ${input.years[lastNegative + 1]}.`;
  return (
    `${input.title}: net cash flow by year over ${input.years.length} years (bars) and the cumulative net flow (line). ` +
    `The cumulative flow ends at ${fmt(last)}${course}`
  );
}

/** The chart's SVG; `width` × `height` is its viewBox (it scales to its container). */
export function renderCashFlowChart(input: CashFlowChartInput, width = 640, height = 320): string {
  const left = 64;
  const right = 16;
  const top = 40;
  const bottom = 44;
  const values = [...input.net, ...input.cumulative, 0];
  const { ticks } = niceTicks(Math.min(...values), Math.max(...values), 6);
  const lo = ticks[0]!;
  const hi = ticks.at(-1)!;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const yOf = (v: number) => top + plotH - ((v - lo) / (hi - lo || 1)) * plotH;
  const count = Math.max(1, input.years.length);
  const band = plotW / count;
  const xOf = (i: number) => left + band * (i + 0.5);
  const out: string[] = [];
  out.push(text(8, 18, input.title, 'start', 14));
  // Legend: a bar swatch and a line swatch, each named.
  out.push(
    `<rect x="${n(width - 300)}" y="8" width="14" height="12" fill="${BAR}"/>`,
    text(width - 280, 18, 'Net flow in the year', 'start', 11),
  );
  out.push(
    `<path d="M${n(width - 150)} 14 H${n(width - 130)}" stroke="${LINE}" stroke-width="2" fill="none"/><rect x="${n(width - 143)}" y="11" width="6" height="6" fill="${LINE}"/>`,
    text(width - 124, 18, 'Cumulative', 'start', 11),
  );
  for (const t of ticks) {
    out.push(
      `<path d="M${n(left)} ${n(yOf(t))} H${n(width - right)}" stroke="${t === 0 ? GREY : GRID}" stroke-width="${t === 0 ? 1.5 : 1}" fill="none"/>`,
    );
    // A negative tick has the minus sign money is written with (U+2212), as the tables do.
    out.push(text(left - 6, yOf(t) + 4, t.toLocaleString('en-GB').replace(/^-/, '\u2212'), 'end', 11, GREY));
  }
  out.push(text(8, top - 6, '£ thousands', 'start', 11, GREY));
  const every = Math.ceil(count / 12);
  input.net.forEach((v, i) => {
    const y0 = yOf(0);
    const y1 = yOf(v);
    const w = Math.max(2, band * 0.6);
    const negative = v < 0;
    out.push(
      `<rect x="${n(xOf(i) - w / 2)}" y="${n(Math.min(y0, y1))}" width="${n(w)}" height="${n(Math.max(0.5, Math.abs(y1 - y0)))}" fill="${negative ? '#ffffff' : BAR}" stroke="${BAR}" stroke-width="1.5"${negative ? ' stroke-dasharray="4 2"' : ''}/>`,
    );
    if (i % every === 0) out.push(text(xOf(i), height - bottom + 16, input.years[i] ?? '', 'middle', 11, GREY));
  });
  const path = input.cumulative.map((v, i) => `${i === 0 ? 'M' : 'L'}${n(xOf(i))} ${n(yOf(v))}`).join(' ');
  if (path) out.push(`<path d="${path}" stroke="${LINE}" stroke-width="2" fill="none"/>`);
  input.cumulative.forEach((v, i) =>
    out.push(`<rect x="${n(xOf(i) - 3)}" y="${n(yOf(v) - 3)}" width="6" height="6" fill="${LINE}"/>`),
  );
  const id = escapeXml(input.id);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" class="amber-chart" font-family="${escapeXml(FONT_FAMILY)}">` +
    `<title id="${id}-title">${escapeXml(input.title)}</title><desc id="${id}-desc">${escapeXml(describeCashFlowChart(input))}</desc>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${out.join('')}</svg>`
  );
}
