// Charts of the diagnostic baseline (issue 5): horizontal bars, one per row (a function, a
// process or a unit), split into two segments — pay and non-pay — told apart by a pattern of
// fill *and* a legend with the words, so colour is never the only signal. Hand-written SVG like
// render/charts/svg.ts: presentation attributes only (no <style>, no style=, no script), a
// <title> and <desc> for assistive technology, and the page always shows the same numbers in a
// table beside it. Takes plain numbers (pence) and labels; knows nothing of SQL or modules.

export interface BarRow {
  label: string;
  /** Pence. */
  pay: number;
  /** Pence. */
  nonPay: number;
  /** The total as the page writes it, e.g. "£1.4m". */
  valueText: string;
}

export interface BarChartView {
  id: string;
  title: string;
  description: string;
  rows: readonly BarRow[];
}

const PAY = '#1d70b8';
const INK = '#0b0c0c';
const GRID = '#d9d9d9';
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x: number) => (Math.round(x * 10) / 10).toString();
const safeId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');

/** Truncates a label to about `max` characters (the table beside the chart has it whole). */
function shorten(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, max - 1).trimEnd()}…`;
}

export function renderBarChart(view: BarChartView, options: { width?: number } = {}): string {
  const width = options.width ?? 720;
  const rowHeight = 26;
  const top = 44;
  // Wide enough for 32 characters at 13 units (~7.2 a character in the system fonts): a function's
  // name longer than that is shortened, never cut by the chart's edge (e2e/print.test.ts).
  const labelWidth = 270;
  const valueWidth = 80;
  const plotLeft = labelWidth + 8;
  const plotRight = width - valueWidth;
  const height = top + Math.max(1, view.rows.length) * rowHeight + 16;
  const max = Math.max(1, ...view.rows.map((r) => r.pay + r.nonPay));
  const scale = (v: number) => ((plotRight - plotLeft) * v) / max;
  const id = safeId(view.id);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="${FONT}" data-qa="diagnostic-chart">`,
  );
  out.push(`<title id="${id}-title">${esc(view.title)}</title><desc id="${id}-desc">${esc(view.description)}</desc>`);
  out.push('<defs>');
  out.push(
    `<pattern id="${id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><path d="M0 0 V6" stroke="${INK}" stroke-width="1.5"/></pattern>`,
  );
  out.push('</defs>');
  // Legend: words and swatches.
  out.push(`<rect x="${plotLeft}" y="10" width="16" height="14" fill="${PAY}" stroke="${INK}" stroke-width="1"/>`);
  out.push(`<text x="${plotLeft + 22}" y="22" font-size="13" fill="${INK}">Pay</text>`);
  out.push(
    `<rect x="${plotLeft + 70}" y="10" width="16" height="14" fill="url(#${id}-hatch)" stroke="${INK}" stroke-width="1"/>`,
  );
  out.push(`<text x="${plotLeft + 92}" y="22" font-size="13" fill="${INK}">Non-pay (hatched)</text>`);
  for (let k = 0; k <= 4; k++) {
    const x = plotLeft + ((plotRight - plotLeft) * k) / 4;
    out.push(`<path d="M${n(x)} ${top - 4} V${height - 12}" fill="none" stroke="${GRID}" stroke-width="1"/>`);
  }
  view.rows.forEach((r, i) => {
    const y = top + i * rowHeight;
    const payW = scale(r.pay);
    const nonW = scale(r.nonPay);
    out.push(
      `<text x="${labelWidth}" y="${n(y + 17)}" font-size="13" text-anchor="end" fill="${INK}">${esc(shorten(r.label, 32))}</text>`,
    );
    if (payW > 0)
      out.push(`<rect x="${n(plotLeft)}" y="${n(y + 4)}" width="${n(payW)}" height="${rowHeight - 8}" fill="${PAY}"/>`);
    if (nonW > 0)
      out.push(
        `<rect x="${n(plotLeft + payW)}" y="${n(y + 4)}" width="${n(nonW)}" height="${rowHeight - 8}" fill="url(#${id}-hatch)" stroke="${INK}" stroke-width="0.75"/>`,
      );
    out.push(
      `<text x="${n(plotLeft + payW + nonW + 6)}" y="${n(y + 17)}" font-size="12" fill="${INK}">${esc(r.valueText)}</text>`,
    );
  });
  out.push(`<path d="M${n(plotLeft)} ${top - 4} V${height - 12}" fill="none" stroke="${INK}" stroke-width="1"/>`);
  out.push('</svg>');
  return out.join('');
}
