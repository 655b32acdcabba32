// The implementation plan as a Gantt chart in SVG: one row per project (a bar from its start
// to its end) with its milestones as diamonds on the row, months along the top. Dependencies are
// drawn as arrows from the end of the project depended on to the start of the dependent one.
// The page always shows the same plan as a table beside it; this picture adds nothing the table
// lacks. Plain attributes, no styles or scripts.
//
// Drawn for CSS pixels one to one (the SVG carries its width and height, and the page lets it
// scroll sideways rather than shrink it), so every text is at least the page's body size (19px):
// names wrap in a column of their own instead of being cut, and month labels are thinned to
// every 2, 3 or 6 months, or to years, until no two can touch.

import { escapeXml, FONT_FAMILY } from './charts/svg.ts';

const INK = '#0b0c0c';
const GREY = '#505a5f';
const GRID = '#dcdedf';
const BAR = '#1d70b8';

/** The page's body text size in CSS px (GOV.UK Frontend's `govuk-body` on a desktop screen). */
export const GANTT_FONT_SIZE = 19;
const LINE = 24;
/** A generous width of one character at the font size, so an estimated label is never narrower than drawn. */
const CHAR = GANTT_FONT_SIZE * 0.62;
const GAP = 12;

export interface GanttProject {
  id: string;
  name: string;
  /** YYYY-MM-DD */
  start: string;
  end: string;
  dependsOn: string[];
  milestones: { label: string; due: string }[];
}

const n = (v: number): string => String(Math.round(v * 10) / 10 || 0);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const dayNumber = (iso: string) =>
  Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / 86_400_000;

/** The estimated drawn width of a text at the chart's font size (an overestimate on purpose). */
export const textWidth = (text: string): number => [...text].length * CHAR;

/**
 * Splits a name into lines that fit `width`, at spaces; a word longer than a line is split
 * across lines with every character kept. Nothing is ever dropped or replaced by an ellipsis.
 */
export function wrapName(name: string, width: number): string[] {
  const perLine = Math.max(4, Math.floor(width / CHAR));
  const lines: string[] = [];
  let line = '';
  for (const word of name.split(/\s+/).filter(Boolean)) {
    let w = word;
    while ([...w].length > perLine) {
      if (line) {
        lines.push(line);
        line = '';
      }
      const chars = [...w];
      lines.push(chars.slice(0, perLine).join(''));
      w = chars.slice(perLine).join('');
    }
    if (!line) line = w;
    else if ([...`${line} ${w}`].length <= perLine) line = `${line} ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** Months between labels: the first of these that leaves room for every label. */
const STEPS = [1, 2, 3, 6, 12, 24, 60, 120] as const;

/** The chart's geometry: the span shown (whole months), month labels, rows and bars, for tests and drawing. */
export function ganttLayout(projects: readonly GanttProject[], width = 900) {
  const labelWidth = Math.round(Math.min(300, Math.max(180, width * 0.3)));
  const dates = projects.flatMap((p) => [p.start, p.end, ...p.milestones.map((m) => m.due)]);
  const first = dates.length ? dates.reduce((a, b) => (a < b ? a : b)) : '2000-01-01';
  const last = dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : '2000-01-31';
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const months: { year: number; month: number; start: number }[] = [];
  const endDay = dayNumber(last);
  for (;;) {
    const start = Date.UTC(y, m - 1, 1) / 86_400_000;
    if (start > endDay) break;
    months.push({ year: y, month: m, start });
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  const spanStart = months[0]!.start;
  const spanEnd = Date.UTC(y, m - 1, 1) / 86_400_000;
  const plotLeft = labelWidth + GAP;
  const plot = width - plotLeft - GAP;
  const xOfDay = (d: number) => plotLeft + ((d - spanStart) / (spanEnd - spanStart)) * plot;
  const xOf = (iso: string) => xOfDay(dayNumber(iso));
  const monthLabel = (mo: { year: number; month: number }, step: number) =>
    step >= 12 ? String(mo.year) : `${MONTHS[mo.month - 1]} ${String(mo.year).slice(2)}`;
  // Labels sit on months that divide evenly (quarters start in January, April, July, October).
  const labelsFor = (step: number) =>
    months
      .filter((mo) => (mo.year * 12 + mo.month - 1) % step === 0)
      .map((mo) => {
        const text = monthLabel(mo, step);
        return { label: text, x: xOfDay(mo.start) + 4, width: textWidth(text) };
      })
      .filter((l) => l.x + l.width <= width);
  const fits = (labels: { x: number; width: number }[]) =>
    labels.every((l, i) => i === 0 || labels[i - 1]!.x + labels[i - 1]!.width + GAP <= l.x);
  const step: number = STEPS.find((s) => fits(labelsFor(s))) ?? 120;
  const labels = labelsFor(step);
  const top = LINE + GAP + 6;
  let rowTop = top;
  const rows = projects.map((p) => {
    const lines = wrapName(p.name, labelWidth - 8);
    const height = Math.max(40, lines.length * LINE + 16);
    const row = { top: rowTop, height, lines };
    rowTop += height;
    return row;
  });
  const bars = projects.map((p, i) => ({
    id: p.id,
    x: xOf(p.start),
    width: Math.max(2, xOf(p.end) - xOf(p.start) + plot / (spanEnd - spanStart)),
    row: i,
  }));
  return {
    labelWidth,
    plotLeft,
    top,
    height: rowTop + 10,
    step,
    months: months.map((mo) => ({ label: monthLabel(mo, 1), x: xOfDay(mo.start) })),
    labels,
    rows,
    bars,
    xOf,
  };
}

export function describeGantt(projects: readonly GanttProject[]): string {
  if (projects.length === 0) return 'The plan has no projects yet.';
  const starts = projects.map((p) => p.start).sort();
  const ends = projects.map((p) => p.end).sort();
  const milestones = projects.reduce((s, p) => s + p.milestones.length, 0);
  return `Gantt chart of ${projects.length} project${projects.length === 1 ? '' : 's'} from ${starts[0]} to ${ends.at(-1)}, with ${milestones} milestone${milestones === 1 ? '' : 's'}. The table below lists the same projects, dates, dependencies and milestones.`;
}

export function renderGanttSvg(projects: readonly GanttProject[], width = 900): string {
  const out: string[] = [];
  let height = 80;
  const text = (x: number, y: number, s: string, fill = INK) =>
    `<text x="${n(x)}" y="${n(y)}" font-size="${GANTT_FONT_SIZE}" fill="${fill}">${escapeXml(s)}</text>`;
  if (projects.length > 0) {
    const layout = ganttLayout(projects, width);
    const { plotLeft, months, labels, rows, bars, xOf, top } = layout;
    height = layout.height;
    const labelled = new Set(labels.map((l) => Math.round(l.x - 4)));
    for (const mo of months) {
      const major = labelled.has(Math.round(mo.x));
      // Past quarters, a line a month is noise: only the labelled months keep theirs.
      if (!major && layout.step >= 6) continue;
      out.push(
        `<path d="M${n(mo.x)} ${major ? top - LINE - 4 : top - 6} V${n(height - 6)}" stroke="${GRID}" stroke-width="1" fill="none"/>`,
      );
    }
    for (const l of labels) out.push(text(l.x, top - 12, l.label, GREY));
    const rowOf = new Map(projects.map((p, i) => [p.id, i] as const));
    const middle = (i: number) => rows[i]!.top + rows[i]!.height / 2;
    projects.forEach((p, i) => {
      const row = rows[i]!;
      const cy = middle(i);
      const bar = bars[i]!;
      if (i > 0) out.push(`<path d="M0 ${n(row.top)} H${width}" stroke="${GRID}" stroke-width="1" fill="none"/>`);
      const firstLine = cy - ((row.lines.length - 1) * LINE) / 2 + 6;
      out.push(
        `<text x="8" y="${n(firstLine)}" font-size="${GANTT_FONT_SIZE}" fill="${INK}">${row.lines
          .map((line, k) => `<tspan x="8" y="${n(firstLine + k * LINE)}">${escapeXml(line)}</tspan>`)
          .join('')}</text>`,
      );
      out.push(`<rect x="${n(bar.x)}" y="${n(cy - 9)}" width="${n(bar.width)}" height="18" fill="${BAR}"/>`);
      for (const m of p.milestones) {
        const x = xOf(m.due);
        out.push(
          `<path d="M${n(x)} ${n(cy - 10)} L${n(x + 9)} ${n(cy)} L${n(x)} ${n(cy + 10)} L${n(x - 9)} ${n(cy)} Z" fill="#ffffff" stroke="${INK}" stroke-width="2"><title>${escapeXml(`${m.label} (${m.due})`)}</title></path>`,
        );
      }
      for (const d of p.dependsOn) {
        const j = rowOf.get(d);
        if (j === undefined) continue;
        const from = bars[j]!;
        const fy = middle(j);
        const fx = from.x + from.width;
        const tx = Math.max(fx, bar.x) - 4;
        const ty = fy < cy ? cy - 10 : cy + 10;
        const tip = fy < cy ? -6 : 6;
        out.push(`<path d="M${n(fx)} ${n(fy)} H${n(tx)} V${n(ty)}" stroke="${INK}" stroke-width="1" fill="none"/>`);
        out.push(
          `<path d="M${n(tx - 4)} ${n(ty + tip)} L${n(tx)} ${n(ty)} L${n(tx + 4)} ${n(ty + tip)}" stroke="${INK}" stroke-width="1" fill="none"/>`,
        );
      }
    });
    out.push(`<path d="M${plotLeft - GAP / 2} 0 V${n(height - 6)}" stroke="${GREY}" stroke-width="1" fill="none"/>`);
  } else {
    out.push(text(8, 40, 'No projects yet', GREY));
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${n(height)}" viewBox="0 0 ${width} ${n(height)}" role="img" aria-labelledby="gantt-title" aria-describedby="gantt-desc" class="amber-gantt" font-family="${escapeXml(FONT_FAMILY)}">` +
    `<title id="gantt-title">Implementation plan</title><desc id="gantt-desc">${escapeXml(describeGantt(projects))}</desc>` +
    `<rect width="${width}" height="${n(height)}" fill="#ffffff"/>${out.join('')}</svg>`
  );
}
