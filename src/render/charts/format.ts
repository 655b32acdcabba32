// Number formatting shared by the chart SVG, its data table and its description: thousands
// separators, the unit as prefix (£) or suffix (%, " days"), compact "£1.2m" labels for large
// values and axis tick labels that share one scale. Written by hand (not Intl) so that output is
// byte-for-byte the same on every machine and ICU build: charts are cached and compared as strings.

/** Units written before the number with no space: "£1,200". */
const PREFIX_UNITS = new Set(['£', '€', '$']);

export interface UnitAffixes {
  prefix: string;
  suffix: string;
}

export function unitAffixes(unit: string): UnitAffixes {
  const u = unit.trim();
  if (u === '') return { prefix: '', suffix: '' };
  if (PREFIX_UNITS.has(u)) return { prefix: u, suffix: '' };
  if (u === '%') return { prefix: '', suffix: '%' };
  return { prefix: '', suffix: ` ${u}` };
}

/** "Per cent (%)", "Pounds (£)", "Days", "Number": the y-axis title when the view gives none. */
export function unitAxisLabel(unit: string): string {
  const u = unit.trim();
  if (u === '') return 'Number';
  if (u === '%') return 'Per cent (%)';
  if (u === '£') return 'Pounds (£)';
  if (u === '€') return 'Euros (€)';
  if (u === '$') return 'Dollars ($)';
  return u.charAt(0).toUpperCase() + u.slice(1);
}

/** " (%)" for table column headers, so that cells can hold bare numbers; "" without a unit. */
export function unitHeaderSuffix(unit: string): string {
  const u = unit.trim();
  return u === '' ? '' : ` (${u})`;
}

export function clampDecimals(decimals: number): number {
  return Number.isFinite(decimals) ? Math.min(6, Math.max(0, Math.round(decimals))) : 0;
}

function groupThousands(integerDigits: string): string {
  return integerDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "-1,234.5" for (-1234.49, 1): separators, fixed decimals, a hyphen-minus, never "-0". */
export function formatNumber(value: number, decimals: number): string {
  const d = clampDecimals(decimals);
  const fixed = Math.abs(value).toFixed(d);
  const [int = '0', frac] = fixed.split('.');
  const body = frac === undefined ? groupThousands(int) : `${groupThousands(int)}.${frac}`;
  const isZero = /^[0.]*$/.test(fixed);
  return value < 0 && !isZero ? `-${body}` : body;
}

function withUnit(sign: string, body: string, unit: string): string {
  const { prefix, suffix } = unitAffixes(unit);
  // "1 days" reads wrongly; units are plural nouns in practice ("days", "weeks", "visits").
  const s = body === '1' && suffix.endsWith('s') && suffix.startsWith(' ') ? suffix.slice(0, -1) : suffix;
  return `${sign}${prefix}${body}${s}`;
}

/** A value with its unit in full: "£1,234,567", "93.2%", "12 days". */
export function formatValue(value: number, unit: string, decimals: number): string {
  const text = formatNumber(value, decimals);
  return text.startsWith('-') ? withUnit('-', text.slice(1), unit) : withUnit('', text, unit);
}

const COMPACT_STEPS: { at: number; divisor: number; suffix: string }[] = [
  { at: 1e9, divisor: 1e9, suffix: 'bn' },
  { at: 1e6, divisor: 1e6, suffix: 'm' },
  { at: 1e4, divisor: 1e3, suffix: 'k' },
];

/** A value short enough for a label beside a point: "£1.2m", "45.3k", "93.2%"; small values in full. */
export function formatCompact(value: number, unit: string, decimals: number): string {
  const abs = Math.abs(value);
  const step = COMPACT_STEPS.find((s) => abs >= s.at);
  if (!step) return formatValue(value, unit, decimals);
  const scaled = abs / step.divisor;
  const body = `${formatNumber(scaled, scaled >= 100 ? 0 : 1).replace(/\.0$/, '')}${step.suffix}`;
  return withUnit(value < 0 ? '-' : '', body, unit);
}

/** The fewest decimals (up to 6) that write `step` exactly: 0.25 → 2, 2.5 → 1, 50 → 0. */
export function decimalsOf(step: number): number {
  for (let d = 0; d < 6; d++) {
    const scaled = step * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-7 * Math.max(1, scaled)) return d;
  }
  return 6;
}

/**
 * A formatter for the tick labels of one axis: every tick on the same scale ("£0.5m", "£1.0m",
 * "£1.5m" rather than "£500k", "£1m") with as many decimals as the step needs.
 */
export function tickFormatter(ticks: number[], step: number, chartUnit: string): (value: number) => string {
  // "£" and "%" stay on each tick; a word unit ("days") is said once, in the axis title.
  const unit = unitAffixes(chartUnit).suffix.startsWith(' ') ? '' : chartUnit;
  const maxAbs = Math.max(0, ...ticks.map((t) => Math.abs(t)));
  const scale = COMPACT_STEPS.find((s) => maxAbs >= s.at);
  if (!scale) {
    const d = decimalsOf(step);
    return (v) => formatValue(v, unit, d);
  }
  const d = decimalsOf(step / scale.divisor);
  return (v) => {
    const body = `${formatNumber(Math.abs(v) / scale.divisor, d)}`;
    const shown = Math.abs(v) < 1e-12 ? '0' : `${body}${scale.suffix}`;
    return withUnit(v < 0 && shown !== '0' ? '-' : '', shown, unit);
  };
}
