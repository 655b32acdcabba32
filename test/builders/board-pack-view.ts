// A board pack view over report views: the seed's period, a summary row per report (its code,
// title, officer and status) with the direction of travel the caller gives. Used by the
// renderers' tests and the board pack benchmarks.

import type { BoardPackRow, BoardPackView, DirectionView } from '../../src/render/board-pack.ts';
import type { ReportView } from '../../src/render/report-view.ts';

export const DIRECTIONS: readonly DirectionView[] = [
  { key: 'better', label: 'Better', arrow: '↑', detail: 'Amber in 2008/09 H2' },
  { key: 'worse', label: 'Worse', arrow: '↓', detail: 'Green in 2008/09 H2' },
  { key: 'same', label: 'Same', arrow: '→', detail: 'Amber in 2008/09 H2' },
  { key: 'new', label: 'New', arrow: '', detail: 'No earlier report' },
];

/** The summary row of a report: its priority, officer and status, with `direction`. */
export function summaryRowOf(report: ReportView, direction: DirectionView): BoardPackRow {
  return {
    code: report.priority.code,
    title: report.priority.title,
    officer: report.accountableOfficer?.name ?? 'Not assigned',
    status: report.status,
    hasReport: true,
    direction: { ...direction },
  };
}

/** A pack of `reports` for 2009/10 H1; each row's direction of travel from `direction` (by default, in turn from DIRECTIONS). */
export function buildBoardPackView(
  reports: ReportView[],
  overrides: Partial<BoardPackView> = {},
  direction: (i: number) => DirectionView = (i) => DIRECTIONS[i % DIRECTIONS.length]!,
): BoardPackView {
  return {
    organisationName: reports[0]?.organisationName ?? 'Test Council',
    periodLabel: '2009/10 H1',
    periodSpan: '1st April – 30th September 2009',
    periodKey: '2009-10-h1',
    generatedOn: '24 November 2026',
    summary: reports.map((r, i) => summaryRowOf(r, direction(i))),
    reports,
    ...overrides,
  };
}
