// The view model of one performance indicator chart, and the data table that follows every chart
// in the page, the PDF and the DOCX (issue 4). Presenters build `IndicatorChartView`; renderers
// draw the chart with svg.ts and the table from `chartTable(view)`, so that the numbers a reader
// sees in the table are formatted exactly as the chart and its description format them.

import type { StatusView } from '../report-view.ts';
import { formatNumber, unitHeaderSuffix } from './format.ts';

/** A point's status as the chart draws it: shape and label as well as colour. A `StatusView` fits. */
export type ChartPointStatus = Pick<StatusView, 'label' | 'colour' | 'shape' | 'symbol'> &
  Partial<Pick<StatusView, 'pattern'>>;

export interface ChartPoint {
  /** "2024/25 Q1", "Apr 2024" */
  periodLabel: string;
  /** null when nothing was recorded: the line breaks there. Non-finite numbers count as null. */
  actual: number | null;
  target: number | null;
  status: ChartPointStatus | null;
}

export interface IndicatorChartView {
  code: string;
  title: string;
  /** "%", "£", "days", "visits" or "" for a plain count. */
  unit: string;
  /** Decimals in the data table and labels (0–6). */
  decimals: number;
  /** "Higher is better", "Lower is better", or "" for a volumetric indicator. */
  polarity: string;
  kind: 'line' | 'bar';
  /** Oldest first. */
  points: ChartPoint[];
  /** The y-axis title; by default derived from the unit ("Per cent (%)", "Days"). */
  axisLabel?: string;
}

export type ChartTableColumnKey = 'period' | 'actual' | 'target' | 'status';

export interface ChartTableColumn {
  key: ChartTableColumnKey;
  /** "Actual (%)": the unit is in the header so cells hold bare numbers that paste into a spreadsheet. */
  header: string;
  /** Right-align: a column of numbers. */
  numeric: boolean;
}

export interface ChartTableRow {
  /** One formatted cell per column, in column order. */
  cells: string[];
  /** For renderers that shade the status cell; the cell text already carries symbol and label. */
  status: ChartPointStatus | null;
}

export interface ChartTable {
  caption: string;
  /**
   * Period and Actual always; Target only when some period has a target and Status only when
   * some period has a status, so a volumetric indicator's table is not a column of "No target".
   */
  columns: ChartTableColumn[];
  /** One per period, oldest first, as in the chart. */
  rows: ChartTableRow[];
}

export const NO_ACTUAL = 'No data';
export const NO_TARGET = 'No target';
export const NO_STATUS = 'Not set';

/** A number the chart can plot, or null. */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function chartLabel(view: IndicatorChartView): string {
  return [view.code.trim(), view.title.trim()].filter((s) => s !== '').join(' ');
}

/** "2023/24 Q1 to 2024/25 Q4", one label for one period, "" for none. */
export function periodSpan(view: IndicatorChartView): string {
  const first = view.points[0]?.periodLabel ?? '';
  const last = view.points[view.points.length - 1]?.periodLabel ?? '';
  return view.points.length > 1 ? `${first} to ${last}` : first;
}

export function chartTable(view: IndicatorChartView): ChartTable {
  const suffix = unitHeaderSuffix(view.unit);
  const hasTarget = view.points.some((p) => finiteOrNull(p.target) !== null);
  const hasStatus = view.points.some((p) => p.status !== null);
  const columns: ChartTableColumn[] = [
    { key: 'period', header: 'Period', numeric: false },
    { key: 'actual', header: `Actual${suffix}`, numeric: true },
  ];
  if (hasTarget) columns.push({ key: 'target', header: `Target${suffix}`, numeric: true });
  if (hasStatus) columns.push({ key: 'status', header: 'Status', numeric: false });

  const cell = (p: ChartPoint, key: ChartTableColumnKey): string => {
    switch (key) {
      case 'period':
        return p.periodLabel;
      case 'actual': {
        const v = finiteOrNull(p.actual);
        return v === null ? NO_ACTUAL : formatNumber(v, view.decimals);
      }
      case 'target': {
        const v = finiteOrNull(p.target);
        return v === null ? NO_TARGET : formatNumber(v, view.decimals);
      }
      case 'status':
        return p.status ? `${p.status.symbol} ${p.status.label}`.trim() : NO_STATUS;
    }
  };

  const span = periodSpan(view);
  const label = chartLabel(view);
  return {
    caption: span ? `Data for ${label}, ${span}` : `Data for ${label}: no periods recorded yet`,
    columns,
    rows: view.points.map((p) => ({ cells: columns.map((c) => cell(p, c.key)), status: p.status })),
  };
}
