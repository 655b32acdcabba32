// The implementation plan as a Gantt chart in SVG: one row per project (a bar from its start
// to its end) with its milestones as diamonds on the row, months along the top. Dependencies are
// drawn as arrows from the end of the project depended on to the start of the dependent one.
// The page always shows the same plan as a table beside it; this picture adds nothing the table
// lacks. Plain attributes, no styles or scripts.

import { escapeXml, FONT_FAMILY } from './charts/svg.ts';

const INK = '#0b0c0c';
const GREY = '#505a5f';
const GRID = '#dcdedf';
const BAR = '#1d70b8';

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

/** The chart's geometry: the span shown (whole months) and each project's bar, for tests and drawing. */
export function ganttLayout(projects: readonly GanttProject[], width = 900) {
  const labelWidth = 220;
  const dates = projects.flatMap((p) => [p.start, p.end, ...p.milestones.map((m) => m.due)]);
  const first = dates.length ? dates.reduce((a, b) => (a < b ? a : b)) : '2000-01-01';
  const last = dates.length ? dates.reduce((a, b) => (a > b ? a : b)) : '2000-01-31';
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const months: { label: string; start: number }[] = [];
  const endDay = dayNumber(last);
  for (;;) {
    const start = Date.UTC(y, m - 1, 1) / 86_400_000;
    if (start > endDay) break;
    months.push({ label: `${MONTHS[m - 1]} ${String(y).slice(2)}`, start });
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  const spanStart = months[0]!.start;
  const spanEnd = Date.UTC(y, m - 1, 1) / 86_400_000;
  const plot = width - labelWidth - 12;
  const xOf = (iso: string) => labelWidth + ((dayNumber(iso) - spanStart) / (spanEnd - spanStart)) * plot;
  const xOfDay = (d: number) => labelWidth + ((d - spanStart) / (spanEnd - spanStart)) * plot;
  const bars = projects.map((p, i) => ({
    id: p.id,
    x: xOf(p.start),
    width: Math.max(2, xOf(p.end) - xOf(p.start) + plot / (spanEnd - spanStart)),
    row: i,
  }));
  return { labelWidth, months: months.map((mo) => ({ label: mo.label, x: xOfDay(mo.start) })), bars, xOf };
}

export function describeGantt(projects: readonly GanttProject[]): string {
  if (projects.length === 0) return 'The plan has no projects yet.';
  const starts = projects.map((p) => p.start).sort();
  const ends = projects.map((p) => p.end).sort();
  const milestones = projects.reduce((s, p) => s + p.milestones.length, 0);
  return `Gantt chart of ${projects.length} project${projects.length === 1 ? '' : 's'} from ${starts[0]} to ${ends.at(-1)}, with ${milestones} milestone${milestones === 1 ? '' : 's'}. The table below lists the same projects, dates, dependencies and milestones.`;
}

export function renderGanttSvg(projects: readonly GanttProject[], width = 900): string {
  const rowH = 34;
  const top = 36;
  const height = top + Math.max(1, projects.length) * rowH + 10;
  const out: string[] = [];
  if (projects.length > 0) {
    const { labelWidth, months, bars, xOf } = ganttLayout(projects, width);
    const every = Math.ceil(months.length / 18);
    months.forEach((mo, i) => {
      out.push(`<path d="M${n(mo.x)} ${top - 6} V${n(height - 6)}" stroke="${GRID}" stroke-width="1" fill="none"/>`);
      if (i % every === 0)
        out.push(
          `<text x="${n(mo.x + 3)}" y="${top - 12}" font-size="11" fill="${GREY}">${escapeXml(mo.label)}</text>`,
        );
    });
    const rowOf = new Map(projects.map((p, i) => [p.id, i] as const));
    projects.forEach((p, i) => {
      const cy = top + i * rowH + rowH / 2;
      const bar = bars[i]!;
      const name = p.name.length > 30 ? `${p.name.slice(0, 29)}…` : p.name;
      out.push(`<text x="8" y="${n(cy + 4)}" font-size="12" fill="${INK}">${escapeXml(name)}</text>`);
      out.push(`<rect x="${n(bar.x)}" y="${n(cy - 8)}" width="${n(bar.width)}" height="16" fill="${BAR}"/>`);
      for (const m of p.milestones) {
        const x = xOf(m.due);
        out.push(
          `<path d="M${n(x)} ${n(cy - 9)} L${n(x + 8)} ${n(cy)} L${n(x)} ${n(cy + 9)} L${n(x - 8)} ${n(cy)} Z" fill="#ffffff" stroke="${INK}" stroke-width="2"><title>${escapeXml(`${m.label} (${m.due})`)}</title></path>`,
        );
      }
      for (const d of p.dependsOn) {
        const j = rowOf.get(d);
        if (j === undefined) continue;
        const from = bars[j]!;
        const fy = top + j * rowH + rowH / 2;
        const fx = from.x + from.width;
        out.push(
          `<path d="M${n(fx)} ${n(fy)} H${n(Math.max(fx, bar.x) - 4)} V${n(cy - 9)}" stroke="${INK}" stroke-width="1" fill="none"/>`,
        );
        out.push(
          `<path d="M${n(Math.max(fx, bar.x) - 8)} ${n(cy - 15)} L${n(Math.max(fx, bar.x) - 4)} ${n(cy - 9)} L${n(Math.max(fx, bar.x))} ${n(cy - 15)}" stroke="${INK}" stroke-width="1" fill="none"/>`,
        );
      }
    });
    out.push(`<path d="M${labelWidth} ${top - 6} V${n(height - 6)}" stroke="${GREY}" stroke-width="1" fill="none"/>`);
  } else {
    out.push(`<text x="8" y="${top + 14}" font-size="12" fill="${GREY}">No projects yet</text>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="gantt-title" aria-describedby="gantt-desc" class="amber-chart" font-family="${escapeXml(FONT_FAMILY)}">` +
    `<title id="gantt-title">Implementation plan</title><desc id="gantt-desc">${escapeXml(describeGantt(projects))}</desc>` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${out.join('')}</svg>`
  );
}
