// Indicators → view models: the chart view every output draws, and the rows of the indicator page.

import { formatValue, isRange, FREQUENCY_PERIOD_KIND, type Scaled } from '../../domain/indicators/indicator.ts';
import { comparePeriods, periodLabel, type Period } from '../../domain/period.ts';
import { yearToDate } from '../../domain/indicators/ytd.ts';
import type { IndicatorChartView } from '../../render/charts/chart-view.ts';
import { presentStatus } from '../../render/report-view.ts';
import type { Indicator, IndicatorPoint, EffectiveRule } from './indicator.service.ts';
import { unitOf } from './indicator.service.ts';
import { POLARITY_LABELS, UNIT_LABELS, FREQUENCY_LABELS, YTD_LABELS } from './indicator.schemas.ts';

const CHART_UNITS: Record<Indicator['unitKind'], string> = {
  number: '',
  percentage: '%',
  money: '£',
  days: 'days',
  hours: 'hours',
  ratio: '',
  'per-1000': 'per 1,000',
};

/** A scaled value as a plain number for plotting (the chart formats it with the indicator's places). */
const plot = (v: Scaled | null | undefined, i: Indicator) =>
  v === null || v === undefined ? null : v / 10 ** unitOf(i).decimalPlaces;

export function chartViewOf(indicator: Indicator, points: IndicatorPoint[]): IndicatorChartView {
  return {
    code: indicator.code,
    title: indicator.title,
    unit: CHART_UNITS[indicator.unitKind],
    decimals: unitOf(indicator).decimalPlaces,
    polarity: indicator.polarity === 'none' ? '' : POLARITY_LABELS[indicator.polarity],
    kind: indicator.chartKind,
    points: points.map((p) => ({
      periodLabel: p.label,
      actual: plot(p.value.actual, indicator),
      // A band is drawn by its lower end; the table and the page show the whole range.
      target: plot(p.target === undefined ? null : isRange(p.target) ? p.target.low : p.target, indicator),
      status: p.shown ? presentStatus(p.shown) : null,
    })),
  };
}

/** `rule` is the rule in force (known where the organisation's default was read); without it a default rule is named, not quoted. */
export function presentIndicator(indicator: Indicator, rule?: EffectiveRule) {
  const unit = unitOf(indicator);
  const r =
    rule ??
    (indicator.ruleKind !== null && indicator.ruleValue !== null
      ? { kind: indicator.ruleKind, value: indicator.ruleValue, fromDefault: false }
      : undefined);
  const within = !r
    ? 'The organisation’s default tolerance'
    : `Within ${r.kind === 'percent' ? `${r.value / 100}%` : formatValue(r.value, unit)} of the target counts as near${r.fromDefault ? ' (the organisation’s default)' : ''}`;
  return {
    ...indicator,
    unitLabel: UNIT_LABELS[indicator.unitKind],
    polarityLabel: POLARITY_LABELS[indicator.polarity],
    frequencyLabel: FREQUENCY_LABELS[indicator.frequency],
    ytdLabel: YTD_LABELS[indicator.ytdMethod],
    baselineLabel: indicator.baseline === null ? 'None recorded' : formatValue(indicator.baseline, unit),
    toleranceLabel: indicator.polarity === 'none' ? 'None (no target)' : within,
  };
}

export function presentPoints(indicator: Indicator, points: IndicatorPoint[]) {
  const unit = unitOf(indicator);
  const show = (v: Scaled | null) => (v === null ? '' : formatValue(v, unit));
  const series = points.map((x) => ({ period: x.period, value: x.value.actual ?? undefined }));
  const ytdOf = (p: IndicatorPoint) => {
    if (indicator.ytdMethod === 'none') return null;
    const ytd = yearToDate(indicator.ytdMethod, p.period, series);
    return { value: ytd.value === undefined ? '' : formatValue(ytd.value, unit), notes: ytd.notes.join('. ') };
  };
  return [...points].reverse().map((p) => ({
    ytd: ytdOf(p),
    periodKey: p.period.key,
    /** The value's version: an API write for this period names it (0 for a period with no value yet). */
    version: p.value.version,
    label: p.label,
    actual: show(p.value.actual),
    target:
      p.target === undefined
        ? ''
        : isRange(p.target)
          ? `${formatValue(p.target.low, unit)} to ${formatValue(p.target.high, unit)}`
          : formatValue(p.target, unit),
    status: p.shown ? presentStatus(p.shown) : null,
    overridden: p.value.override !== null,
    computedLabel: p.computed.rated ? p.computed.status.label : 'None',
    why: p.why,
    sincePrevious: p.sincePrevious,
    sinceLastYear: p.sinceLastYear,
    comment: p.value.comment,
    // Raw text for the edit form: what the person would type.
    input: {
      actual: p.value.actual === null ? '' : String(p.value.actual / 10 ** unit.decimalPlaces),
      target: p.value.target === null ? '' : String(p.value.target / 10 ** unit.decimalPlaces),
      targetHigh: p.value.targetHigh === null ? '' : String(p.value.targetHigh / 10 ** unit.decimalPlaces),
    },
  }));
}

/**
 * The periods a value can be recorded for, as the "Period" choice of the value form: the
 * organisation's reporting periods of the indicator's kind (its quarters, for a quarterly one),
 * newest first, by their labels; `chosen` (an identifier) selected.
 */
export function valuePeriodItems(
  indicator: Pick<Indicator, 'frequency'>,
  periods: readonly Period[],
  chosen: string,
): { value: string; text: string; selected?: boolean }[] {
  const kind = FREQUENCY_PERIOD_KIND[indicator.frequency];
  return [
    { value: '', text: 'Choose a period' },
    ...periods
      .filter((p) => p.kind === kind)
      .sort((a, b) => -comparePeriods(a, b))
      .map((p) => ({ value: p.key, text: periodLabel(p), selected: p.key === chosen })),
  ];
}
