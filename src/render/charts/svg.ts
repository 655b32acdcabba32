// One performance indicator as a self-contained, accessible SVG chart (issue 4): actuals as a
// line with markers or as bars, the target as a dashed step line, each point's status drawn in
// its shape with a dark outline (colour is never the only signal), a label on the latest value,
// nice y ticks with the unit, period labels that wrap, rotate or thin out when there are many.
//
// Why hand-written SVG rather than echarts' server-side renderer:
// - Output constraints: the chart goes inline into a page whose CSP forbids inline styles, and
//   into svg-to-pdfkit, which understands presentation attributes but little CSS. Here every
//   paint is a fill/stroke attribute; there is no <style>, no style=, no script, no event handler,
//   and text positions never rely on CSS or font metrics a PDF library lacks.
// - The chart is small and fixed in kind (two series, seven marker shapes): ~600 lines here
//   against a large dependency whose SVG we would have to check and post-process against them.
// - Speed and determinism: pure string building takes ~0.1 ms a chart (echarts ~6.5 ms and a
//   `dispose()` to remember), and the same view gives the same bytes on every machine, which the
//   bounded LRU cache and the tests rely on.
// Text widths are estimated from character classes (there is no font to measure with); the
// estimates err wide so that labels rotate or thin out before they could overlap.

import {
  chartLabel,
  finiteOrNull,
  periodSpan,
  type ChartPoint,
  type ChartPointStatus,
  type IndicatorChartView,
} from './chart-view.ts';
import { clampDecimals, decimalsOf, formatCompact, formatValue, tickFormatter, unitAxisLabel } from './format.ts';
import { textColourOn } from '../../domain/status-scale.ts';

export interface ChartSvgOptions {
  /** viewBox width; the SVG itself has no width/height and scales to its container. Default 640. */
  width?: number;
  /** viewBox height. Default 400. */
  height?: number;
  /** Draw the code and title above the chart (default true); off when the page has a heading for it. */
  showTitle?: boolean;
  /** Prefix of the ids of <title> and <desc>; default derived from the code and the content. */
  id?: string;
}

export const FONT_FAMILY = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

const INK = '#0b0c0c';
const GREY = '#505a5f';
const GRID = '#dcdedf';
const ACTUAL = '#1d70b8';
const TARGET = '#0b0c0c';
const WHITE = '#ffffff';
const FALLBACK_STATUS_COLOUR = '#b1b4b6';

const SIZE = { title: 15, text: 12, label: 12 };
const PAD = 8;

// ---- escaping -----------------------------------------------------------------------------------

// Characters XML 1.0 forbids outright (C0 controls but tab/newline/return, lone surrogates,
// U+FFFE/U+FFFF): escaping cannot save them, so they are dropped.
const XML_ILLEGAL =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe in element content and in double- or single-quoted attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(XML_ILLEGAL, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const COLOUR = /^#[0-9a-fA-F]{6}$/;
const safeColour = (colour: string): string => (COLOUR.test(colour) ? colour.toLowerCase() : FALLBACK_STATUS_COLOUR);

/** Coordinates to one decimal: short output, and the same bytes for the same input. */
const n = (v: number): string => String(Math.round(v * 10) / 10 || 0);

// ---- text measurement (estimated) ---------------------------------------------------------------

function charWidth(ch: string): number {
  if (" .,:;'|!ilj()[]/".includes(ch)) return 0.32;
  if (ch >= '0' && ch <= '9') return 0.64;
  if ('mwMW@%'.includes(ch)) return 0.92;
  if (ch >= 'A' && ch <= 'Z') return 0.7;
  return 0.58;
}

export function textWidth(text: string, size: number, bold = false): number {
  let em = 0;
  for (const ch of text) em += charWidth(ch);
  // Calibrated against DejaVu Sans (wide; what a bare Linux Chromium uses), with 3% to spare.
  return em * size * (bold ? 1.14 : 1.03);
}

/** Greedy word wrap to at most `maxLines`, the last line ending in "…" when text is left over. */
function wrap(text: string, size: number, maxWidth: number, maxLines: number, bold = false): string[] {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const lines: string[] = [];
  let current = '';
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    if (textWidth(candidate, size, bold) <= maxWidth || !current) {
      current = candidate;
      continue;
    }
    lines.push(current);
    current = word;
  }
  if (current) lines.push(current);
  const fitted = lines.map((l) => truncate(l, size, maxWidth, bold));
  if (fitted.length <= maxLines) return fitted;
  const kept = fitted.slice(0, maxLines);
  kept[maxLines - 1] = truncate(`${kept[maxLines - 1]}…`, size, maxWidth, bold, true);
  return kept;
}

function truncate(text: string, size: number, maxWidth: number, bold = false, force = false): string {
  if (!force && textWidth(text, size, bold) <= maxWidth) return text;
  let chars = [...text.replace(/…$/, '')];
  while (chars.length > 1 && textWidth(`${chars.join('').trimEnd()}…`, size, bold) > maxWidth)
    chars = chars.slice(0, -1);
  return `${chars.join('').trimEnd()}…`;
}

// ---- scales -------------------------------------------------------------------------------------

export interface Ticks {
  ticks: number[];
  step: number;
}

/** Round ticks (steps of 1, 2, 2.5 or 5 × 10ⁿ) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count: number, minStep = 0): Ticks {
  if (!(hi > lo)) {
    const v = Number.isFinite(lo) ? lo : 0;
    if (v === 0) return niceTicks(0, 1, count, minStep);
    return v > 0 ? niceTicks(0, v, count, minStep) : niceTicks(v, 0, count, minStep);
  }
  const raw = (hi - lo) / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  const step = Math.max(nice * magnitude, minStep);
  const start = Math.floor(lo / step + 1e-9);
  const end = Math.ceil(hi / step - 1e-9);
  const d = decimalsOf(step);
  const ticks: number[] = [];
  for (let i = start; i <= end; i++) ticks.push(Number((i * step).toFixed(d)) || 0);
  return { ticks, step };
}

/**
 * The y domain: bars always start at zero; a line includes zero when the data come within half
 * their size of it (so 20–80 starts at 0, but 88–97 is shown close up rather than as a flat line).
 */
function valueDomain(values: number[], kind: IndicatorChartView['kind']): [number, number] {
  if (values.length === 0) return [0, 1];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const includeZero = kind === 'bar' || lo === hi || (lo > 0 && lo <= hi * 0.5) || (hi < 0 && hi >= lo * 0.5);
  if (includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  return [lo, hi];
}

// ---- marker shapes ------------------------------------------------------------------------------

type Shape = ChartPointStatus['shape'];

function polygon(points: [number, number][]): string {
  return `${points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${n(x)} ${n(y)}`).join(' ')} Z`;
}

/** The path data of a shape centred on (cx, cy), sized so each looks as big as a circle of radius r. */
function shapePath(shape: Exclude<Shape, 'circle'>, cx: number, cy: number, r: number): string {
  switch (shape) {
    case 'triangle':
      return polygon([
        [cx, cy - r * 1.25],
        [cx + r * 1.2, cy + r * 0.85],
        [cx - r * 1.2, cy + r * 0.85],
      ]);
    case 'square':
      return polygon([
        [cx - r * 0.9, cy - r * 0.9],
        [cx + r * 0.9, cy - r * 0.9],
        [cx + r * 0.9, cy + r * 0.9],
        [cx - r * 0.9, cy + r * 0.9],
      ]);
    case 'diamond':
      return polygon([
        [cx, cy - r * 1.3],
        [cx + r * 1.1, cy],
        [cx, cy + r * 1.3],
        [cx - r * 1.1, cy],
      ]);
    case 'cross': {
      // A plus sign of two arms, turned 45°: one outline, so it takes a fill and a dark stroke.
      const a = r * 0.38;
      const l = r * 1.3;
      const plus: [number, number][] = [
        [a, l],
        [a, a],
        [l, a],
        [l, -a],
        [a, -a],
        [a, -l],
        [-a, -l],
        [-a, -a],
        [-l, -a],
        [-l, a],
        [-a, a],
        [-a, l],
      ];
      const c = Math.SQRT1_2;
      return polygon(plus.map(([x, y]) => [cx + (x - y) * c, cy + (x + y) * c]));
    }
    case 'pause': {
      const w = r * 0.7;
      const h = r * 1.2;
      const bar = (x: number) =>
        polygon([
          [x, cy - h],
          [x + w, cy - h],
          [x + w, cy + h],
          [x, cy + h],
        ]);
      return `${bar(cx - r * 0.95)} ${bar(cx + r * 0.25)}`;
    }
    case 'star': {
      const points: [number, number][] = [];
      for (let i = 0; i < 10; i++) {
        const radius = i % 2 === 0 ? r * 1.45 : r * 0.62;
        const angle = -Math.PI / 2 + (i * Math.PI) / 5;
        points.push([cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)]);
      }
      return polygon(points);
    }
  }
}

/** The id of a chart's pattern (`patternDefs`) in the ink that reads on `colour`. */
const patternRef = (id: string, pattern: 'hatched' | 'dotted', colour: string) =>
  `${id}-${pattern}-${textColourOn(safeColour(colour)) === '#ffffff' ? 'light' : 'dark'}`;

/** The hatching and dots a chart's markers are overlaid with, once per chart (ids prefixed by its id). */
function patternDefs(id: string): string {
  const defs = (['dark', 'light'] as const).map((tone) => {
    const ink = tone === 'dark' ? INK : WHITE;
    return (
      `<pattern id="${id}-hatched-${tone}" width="3.5" height="3.5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect x="0" y="0" width="1.3" height="3.5" fill="${ink}"/></pattern>` +
      `<pattern id="${id}-dotted-${tone}" width="4" height="4" patternUnits="userSpaceOnUse"><circle cx="2" cy="2" r="1" fill="${ink}"/></pattern>`
    );
  });
  return `<defs>${defs.join('')}</defs>`;
}

/**
 * A point's marker: the status shape in the status colour with a dark outline, or a plain ring;
 * a status with a pattern has it drawn over the colour (so print in black and white tells it apart).
 */
function marker(status: ChartPointStatus | null, cx: number, cy: number, r: number, id = ''): string {
  const plain = plainMarker(status, cx, cy, r);
  const pattern = status?.pattern;
  if (!status || !pattern || pattern === 'none' || !id) return plain;
  const fill = `fill="url(#${patternRef(id, pattern, status.colour)})"`;
  const overlay = plainMarker(status, cx, cy, r)
    .replace(/fill="[^"]*"/, fill)
    .replace(/data-shape="[^"]*"/, `data-pattern="${pattern}"`);
  return plain + overlay;
}

function plainMarker(status: ChartPointStatus | null, cx: number, cy: number, r: number): string {
  if (!status) {
    return `<circle data-shape="circle" cx="${n(cx)}" cy="${n(cy)}" r="${n(r * 0.8)}" fill="${WHITE}" stroke="${ACTUAL}" stroke-width="2"/>`;
  }
  const paint = `fill="${safeColour(status.colour)}" stroke="${INK}" stroke-width="1.25" stroke-linejoin="round"`;
  const shape = status.shape;
  if (shape === 'circle') return `<circle data-shape="circle" cx="${n(cx)}" cy="${n(cy)}" r="${n(r)}" ${paint}/>`;
  const known: Shape[] = ['triangle', 'square', 'diamond', 'cross', 'pause', 'star'];
  if (!known.includes(shape)) return `<circle data-shape="circle" cx="${n(cx)}" cy="${n(cy)}" r="${n(r)}" ${paint}/>`;
  return `<path data-shape="${shape}" d="${shapePath(shape as Exclude<Shape, 'circle'>, cx, cy, r)}" ${paint}/>`;
}

// ---- text elements ------------------------------------------------------------------------------

interface TextAttrs {
  size?: number;
  bold?: boolean;
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  rotate?: number;
}

function text(
  x: number,
  y: number,
  content: string,
  { size = SIZE.text, bold = false, fill = INK, anchor = 'start', rotate }: TextAttrs = {},
): string {
  const attrs = [`x="${n(x)}"`, `y="${n(y)}"`, `font-size="${size}"`, `fill="${fill}"`];
  if (bold) attrs.push('font-weight="bold"');
  if (anchor !== 'start') attrs.push(`text-anchor="${anchor}"`);
  if (rotate) attrs.push(`transform="rotate(${rotate} ${n(x)} ${n(y)})"`);
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

// ---- description --------------------------------------------------------------------------------

/** The sentence(s) a screen reader hears: latest value against target, the trend, the span. */
export function describeChart(view: IndicatorChartView): string {
  const points = view.points;
  const fmt = (v: number) => formatValue(v, view.unit, view.decimals);
  const parts: string[] = [];
  if (points.length === 0) return 'No values have been recorded yet.';
  const withActual = points.map((p, i) => ({ p, i, v: finiteOrNull(p.actual) })).filter((x) => x.v !== null);
  const latest = withActual[withActual.length - 1];
  if (!latest || latest.v === null) {
    parts.push('No actual values have been recorded yet.');
  } else {
    let sentence = `Latest value ${fmt(latest.v)} in ${latest.p.periodLabel}`;
    if (latest.p.status) sentence += ` (status: ${latest.p.status.label})`;
    const target = finiteOrNull(latest.p.target);
    if (target !== null) {
      const cmp = latest.v > target ? 'above' : latest.v < target ? 'below' : 'equal to';
      sentence += `, ${cmp} the target of ${fmt(target)}`;
    }
    parts.push(`${sentence}.`);
    const previous = withActual[withActual.length - 2];
    if (previous && previous.v !== null) {
      const change = latest.v > previous.v ? 'Up from' : latest.v < previous.v ? 'Down from' : 'The same as';
      parts.push(`${change} ${fmt(previous.v)} in ${previous.p.periodLabel}.`);
    }
  }
  const missing = points.length - withActual.length;
  const span = periodSpan(view);
  parts.push(
    points.length === 1
      ? `One period, ${span}.`
      : `${points.length} periods, ${span}${missing > 0 ? `, ${missing} with no value recorded` : ''}.`,
  );
  if (!points.some((p) => finiteOrNull(p.target) !== null)) parts.push('No target is set.');
  const polarity = view.polarity.trim().replace(/\.$/, '');
  if (polarity) parts.push(`${polarity}.`);
  return parts.join(' ');
}

// ---- layout and drawing -------------------------------------------------------------------------

interface LegendItem {
  kind: 'actual-line' | 'actual-bar' | 'target' | 'status';
  label: string;
  status?: ChartPointStatus;
}

const LEGEND_SWATCH = 24;
const LEGEND_GAP = 6;
const LEGEND_SPACING = 18;
const LEGEND_ROW = 20;

function legendItems(view: IndicatorChartView, points: NormalisedPoint[]): LegendItem[] {
  const items: LegendItem[] = [{ kind: view.kind === 'bar' ? 'actual-bar' : 'actual-line', label: 'Actual' }];
  if (points.some((p) => p.target !== null)) items.push({ kind: 'target', label: 'Target' });
  const seen = new Set<string>();
  for (const p of points) {
    if (!p.status || p.actual === null) continue;
    const key = `${p.status.shape}|${p.status.label}|${p.status.colour}`;
    if (seen.has(key)) continue;
    seen.add(key);
    items.push({ kind: 'status', label: p.status.label, status: p.status });
  }
  return items;
}

function legendSwatch(item: LegendItem, x: number, cy: number, id: string): string {
  switch (item.kind) {
    case 'actual-line':
      return `<path d="M${n(x)} ${n(cy)} H${n(x + LEGEND_SWATCH)}" fill="none" stroke="${ACTUAL}" stroke-width="2.5"/>`;
    case 'actual-bar':
      return `<rect x="${n(x + 4)}" y="${n(cy - 7)}" width="16" height="14" fill="${ACTUAL}"/>`;
    case 'target':
      return `<path d="M${n(x)} ${n(cy)} H${n(x + LEGEND_SWATCH)}" fill="none" stroke="${TARGET}" stroke-width="2" stroke-dasharray="6 3"/>`;
    case 'status':
      return item.status ? marker(item.status, x + LEGEND_SWATCH / 2, cy, 5, id) : '';
  }
}

interface NormalisedPoint {
  label: string;
  actual: number | null;
  target: number | null;
  status: ChartPointStatus | null;
}

type LabelMode = 'flat' | 'two-line' | 'rotated';

function splitTwo(label: string): [string, string] | null {
  const at = label.lastIndexOf(' ');
  return at > 0 ? [label.slice(0, at), label.slice(at + 1)] : null;
}

function draw(view: IndicatorChartView, options: ChartSvgOptions, id: string): string {
  const W = Math.round(Math.min(2400, Math.max(280, options.width ?? 640)));
  const H = Math.round(Math.min(2400, Math.max(200, options.height ?? 400)));
  const showTitle = options.showTitle ?? true;
  const decimals = clampDecimals(view.decimals);
  const points: NormalisedPoint[] = view.points.map((p) => ({
    label: p.periodLabel,
    actual: finiteOrNull(p.actual),
    target: finiteOrNull(p.target),
    status: p.status,
  }));
  const out: string[] = [];

  // Header: title, polarity, legend, y-axis title; each takes its own band from the top down.
  let y = PAD;
  if (showTitle) {
    for (const line of wrap(chartLabel(view), SIZE.title, W - 2 * PAD, 2, true)) {
      out.push(text(PAD, y + SIZE.title, line, { size: SIZE.title, bold: true }));
      y += SIZE.title + 5;
    }
  }
  const polarity = view.polarity.trim();
  if (polarity) {
    out.push(text(PAD, y + SIZE.text, truncate(polarity, SIZE.text, W - 2 * PAD), { fill: GREY }));
    y += SIZE.text + 6;
  }
  y += 2;
  let legendX = PAD;
  let legendY = y + LEGEND_ROW / 2;
  for (const item of legendItems(view, points)) {
    const label = truncate(item.label, SIZE.text, W / 3);
    const width = LEGEND_SWATCH + LEGEND_GAP + textWidth(label, SIZE.text);
    if (legendX > PAD && legendX + width > W - PAD) {
      legendX = PAD;
      legendY += LEGEND_ROW;
    }
    out.push(legendSwatch(item, legendX, legendY, id));
    out.push(text(legendX + LEGEND_SWATCH + LEGEND_GAP, legendY + SIZE.text * 0.36, label));
    legendX += width + LEGEND_SPACING;
  }
  y = legendY + LEGEND_ROW / 2 + 6;
  const axisTitle = view.axisLabel?.trim() || unitAxisLabel(view.unit);
  out.push(text(PAD, y + SIZE.text, truncate(axisTitle, SIZE.text, W - 2 * PAD), { fill: GREY }));
  y += SIZE.text + 16;
  const plotTop = y;

  // Y scale, from an estimate of the plot height (the x labels' room is not known yet).
  const values = points.flatMap((p) => [p.actual, p.target]).filter((v): v is number => v !== null);
  const [lo, hi] = valueDomain(values, view.kind);
  const estimatedHeight = Math.max(60, H - plotTop - 50);
  const { ticks, step } = niceTicks(
    lo,
    hi,
    Math.max(3, Math.min(8, Math.floor(estimatedHeight / 45) + 1)),
    10 ** -decimals,
  );
  const tickLabel = tickFormatter(ticks, step, view.unit);
  const tickTexts = ticks.map(tickLabel);
  let plotLeft = PAD + Math.max(...tickTexts.map((t) => textWidth(t, SIZE.text))) + 10;

  // The latest value is labelled to the right of its point, where the series never runs: room
  // for it is kept at the right of the plot.
  let last = -1;
  points.forEach((p, i) => {
    if (p.actual !== null) last = i;
  });
  const latest = points[last];
  const latestText = latest?.actual != null ? formatCompact(latest.actual, view.unit, decimals) : '';
  const latestWidth = latestText ? textWidth(latestText, SIZE.label, true) + 8 : 0;
  const plotRight = W - PAD - (latestText ? latestWidth + 2 : 8);

  // X labels: flat when they fit their band, else on two lines, else turned 45° and thinned.
  const count = Math.max(1, points.length);
  let band = (plotRight - plotLeft) / count;
  const labelWidths = points.map((p) => textWidth(p.label, SIZE.text));
  const maxLabel = Math.max(0, ...labelWidths);
  const gap = 14;
  let mode: LabelMode = 'flat';
  let every = 1;
  const maxRotated = 150;
  if (maxLabel > band - gap) {
    const halves = points.map((p) => splitTwo(p.label));
    const twoFits = halves.every(
      (h) => h !== null && Math.max(textWidth(h[0], SIZE.text), textWidth(h[1], SIZE.text)) <= band - gap,
    );
    if (twoFits) {
      mode = 'two-line';
    } else {
      mode = 'rotated';
      // The first label hangs left of its point; keep it inside the picture.
      const first = Math.min(labelWidths[0] ?? 0, maxRotated) * Math.SQRT1_2;
      plotLeft = Math.max(plotLeft, PAD + first - band / 2 + 4);
      band = (plotRight - plotLeft) / count;
      every = Math.max(1, Math.ceil((SIZE.text * 1.6) / band));
    }
  }
  const labelsHeight =
    mode === 'flat'
      ? SIZE.text + 8
      : mode === 'two-line'
        ? 2 * SIZE.text + 12
        : (Math.min(maxLabel, maxRotated) + SIZE.text) * Math.SQRT1_2 + 10;
  const plotBottom = Math.max(plotTop + 60, H - PAD - labelsHeight);
  const d0 = ticks[0] ?? 0;
  const d1 = ticks[ticks.length - 1] ?? 1;
  const yOf = (v: number) => plotBottom - ((v - d0) / (d1 - d0 || 1)) * (plotBottom - plotTop);
  const xOf = (i: number) => plotLeft + band * (i + 0.5);

  // Grid and y tick labels.
  ticks.forEach((t, i) => {
    const ty = yOf(t);
    out.push(`<path d="M${n(plotLeft)} ${n(ty)} H${n(plotRight)}" fill="none" stroke="${GRID}" stroke-width="1"/>`);
    out.push(text(plotLeft - 8, ty + SIZE.text * 0.36, tickTexts[i] ?? '', { anchor: 'end', fill: INK }));
  });
  // The x axis along the bottom, and a zero line when zero is inside the range.
  out.push(
    `<path d="M${n(plotLeft)} ${n(plotBottom)} H${n(plotRight)}" fill="none" stroke="${GREY}" stroke-width="1"/>`,
  );
  if (d0 < 0 && d1 > 0)
    out.push(
      `<path d="M${n(plotLeft)} ${n(yOf(0))} H${n(plotRight)}" fill="none" stroke="${GREY}" stroke-width="1.5"/>`,
    );

  if (points.every((p) => p.actual === null)) {
    out.push(
      text((plotLeft + plotRight) / 2, (plotTop + plotBottom) / 2, 'No values recorded yet', {
        anchor: 'middle',
        fill: GREY,
      }),
    );
  }

  const r = Math.max(3.5, Math.min(6, band * 0.3));

  // Bars from zero (never from the bottom of the axis, which may be negative).
  if (view.kind === 'bar') {
    const barWidth = Math.min(48, band * 0.6);
    const bars = points.flatMap((p, i) => {
      if (p.actual === null) return [];
      const top = Math.min(yOf(p.actual), yOf(0));
      const height = Math.max(Math.abs(yOf(p.actual) - yOf(0)), 0.5);
      return [
        `<rect x="${n(xOf(i) - barWidth / 2)}" y="${n(top)}" width="${n(barWidth)}" height="${n(height)}" fill="${ACTUAL}"/>`,
      ];
    });
    out.push(`<g data-series="actual">${bars.join('')}</g>`);
    // A missing bar would read as zero: say so where there is room, else the table does.
    if (textWidth('No data', 10) <= band - 4) {
      points.forEach((p, i) => {
        if (p.actual === null && points.length > 0)
          out.push(text(xOf(i), yOf(0) - 5, 'No data', { size: 10, fill: GREY, anchor: 'middle' }));
      });
    }
  }

  // Target: a dashed step across each period's band, joined where consecutive periods have one.
  if (points.some((p) => p.target !== null)) {
    const segments: string[] = [];
    let previous: number | null = null;
    points.forEach((p, i) => {
      if (p.target === null) {
        previous = null;
        return;
      }
      const ty = yOf(p.target);
      const x0 = plotLeft + band * i;
      if (previous === null) segments.push(`M${n(x0)} ${n(ty)}`);
      else if (previous !== p.target) segments.push(`V${n(ty)}`);
      segments.push(`H${n(x0 + band)}`);
      previous = p.target;
    });
    out.push(
      `<path data-series="target" d="${segments.join(' ')}" fill="none" stroke="${TARGET}" stroke-width="2" stroke-dasharray="6 3"/>`,
    );
  }

  // Actual line, broken wherever a period has no value.
  if (view.kind === 'line') {
    const segments: string[] = [];
    let drawing = false;
    points.forEach((p, i) => {
      if (p.actual === null) {
        drawing = false;
        return;
      }
      segments.push(`${drawing ? 'L' : 'M'}${n(xOf(i))} ${n(yOf(p.actual))}`);
      drawing = true;
    });
    if (segments.length > 0) {
      out.push(
        `<path data-series="actual" d="${segments.join(' ')}" fill="none" stroke="${ACTUAL}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>`,
      );
    }
  }

  const markers = points.flatMap((p, i) => (p.actual === null ? [] : [marker(p.status, xOf(i), yOf(p.actual), r, id)]));
  out.push(`<g data-series="markers">${markers.join('')}</g>`);

  // The latest value's label, right of its marker (or of its bar) and clear of the target line.
  if (latest && latest.actual !== null) {
    const height = SIZE.label + 6;
    const my = yOf(latest.actual);
    const reach = view.kind === 'bar' ? Math.min(48, band * 0.6) / 2 : r * 1.3;
    const left = Math.min(xOf(last) + reach + 4, W - PAD - latestWidth);
    let top = my - height / 2;
    const targetY = latest.target === null ? null : yOf(latest.target);
    if (targetY !== null && targetY > top - 2 && targetY < top + height + 2) {
      const above = targetY - height - 3;
      const below = targetY + 3;
      top =
        my <= targetY ? (above >= plotTop - height / 2 ? above : below) : below + height <= plotBottom ? below : above;
    }
    top = Math.min(Math.max(top, PAD), H - PAD - height);
    out.push(
      `<g data-label="latest"><rect x="${n(left)}" y="${n(top)}" width="${n(latestWidth)}" height="${n(height)}" rx="3" fill="${WHITE}" stroke="${GREY}" stroke-width="0.75"/>` +
        `${text(left + latestWidth / 2, top + height / 2 + SIZE.label * 0.36, latestText, { size: SIZE.label, bold: true, anchor: 'middle' })}</g>`,
    );
  }

  // Period labels.
  const xLabels: string[] = [];
  points.forEach((p, i) => {
    const x = xOf(i);
    if (mode === 'flat') {
      xLabels.push(text(x, plotBottom + SIZE.text + 4, p.label, { anchor: 'middle' }));
    } else if (mode === 'two-line') {
      const [a, b] = splitTwo(p.label) ?? [p.label, ''];
      xLabels.push(text(x, plotBottom + SIZE.text + 4, a, { anchor: 'middle' }));
      xLabels.push(text(x, plotBottom + 2 * SIZE.text + 8, b, { anchor: 'middle' }));
    } else if ((points.length - 1 - i) % every === 0) {
      // Thinned from the latest backwards, so the latest period is always labelled.
      xLabels.push(
        text(x + 4, plotBottom + SIZE.text + 2, truncate(p.label, SIZE.text, maxRotated), {
          anchor: 'end',
          rotate: -45,
        }),
      );
      xLabels.push(
        `<path d="M${n(x)} ${n(plotBottom)} V${n(plotBottom + 4)}" fill="none" stroke="${GREY}" stroke-width="1"/>`,
      );
    }
  });
  out.push(`<g data-axis="x">${xLabels.join('')}</g>`);

  const title = escapeXml(chartLabel(view) || 'Performance indicator');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" class="amber-chart" font-family="${escapeXml(FONT_FAMILY)}">` +
    `<title id="${id}-title">${title}</title>` +
    `<desc id="${id}-desc">${escapeXml(describeChart(view))}</desc>` +
    (points.some((p) => p.status?.pattern && p.status.pattern !== 'none') ? patternDefs(id) : '') +
    `<rect width="${W}" height="${H}" fill="${WHITE}"/>` +
    out.join('') +
    '</svg>'
  );
}

// ---- cache --------------------------------------------------------------------------------------

export const CHART_CACHE_SIZE = 500;
const cache = new Map<string, string>();

/** Every field that changes the picture, in a fixed order: equal views give equal keys. */
function cacheKey(view: IndicatorChartView, options: ChartSvgOptions): string {
  return JSON.stringify([
    options.width ?? null,
    options.height ?? null,
    options.showTitle ?? true,
    options.id ?? null,
    view.code,
    view.title,
    view.unit,
    view.decimals,
    view.polarity,
    view.kind,
    view.axisLabel ?? null,
    view.points.map((p: ChartPoint) => [
      p.periodLabel,
      finiteOrNull(p.actual),
      finiteOrNull(p.target),
      p.status
        ? [
            p.status.label,
            p.status.colour,
            p.status.shape,
            p.status.symbol,
            // Only a pattern adds to the key, so charts without one keep their ids.
            ...(p.status.pattern && p.status.pattern !== 'none' ? [p.status.pattern] : []),
          ]
        : null,
    ]),
  ]);
}

/** FNV-1a, for short ids that differ between charts yet are the same on every run. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

function idFor(view: IndicatorChartView, key: string, options: ChartSvgOptions): string {
  const given = options.id?.replace(/[^A-Za-z0-9_-]/g, '-');
  if (given && /^[A-Za-z]/.test(given)) return given;
  const slug = view.code
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  return `amber-chart-${slug ? `${slug}-` : ''}${hash(key)}`;
}

/** The number of charts held in the cache (for tests and diagnostics). */
export function chartCacheSize(): number {
  return cache.size;
}

export function clearChartCache(): void {
  cache.clear();
}

/**
 * The chart as an SVG string: no width/height (it scales to its container or the PDF box it is
 * drawn into), role="img" with <title> and <desc>, presentation attributes only. Cached: the
 * 500 most recently used charts are kept.
 */
export function renderIndicatorChartSvg(view: IndicatorChartView, options: ChartSvgOptions = {}): string {
  const key = cacheKey(view, options);
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const svg = draw(view, options, idFor(view, key, options));
  cache.set(key, svg);
  if (cache.size > CHART_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  return svg;
}
