// BoardPack → BoardPackView (the view model the PDF and DOCX render), and the form's choices.
// Direction of travel compares the status's position on the organisation's scale with the
// previous report's (earlier on the scale is better), as the dashboard does.

import { formatDate } from '../../domain/dates.ts';
import type { Status } from '../../domain/status-scale.ts';
import { presentStatus } from '../../render/report-view.ts';
import type { BoardPackView, DirectionView } from '../../render/board-pack.ts';
import { presentReport } from '../reports/report.presenter.ts';
import type { ReportBundle } from '../reports/report.service.ts';
import type { BoardPack } from './boardpack.service.ts';

const ARROWS = { better: '↑', worse: '↓', same: '→' } as const;

export function directionOfTravel(bundle: ReportBundle | undefined, statuses: Status[]): DirectionView {
  if (!bundle) return { key: 'none', label: 'Not known', arrow: '', detail: 'No report for this period' };
  if (!bundle.previous) return { key: 'new', label: 'New', arrow: '', detail: 'No earlier report' };
  const position = (id: string | null) => (id ? statuses.findIndex((s) => s.id === id) : -1);
  const from = position(bundle.previous.report.statusId);
  const to = position(bundle.report.statusId);
  const was =
    from >= 0
      ? `${statuses[from]!.label} in ${bundle.previous.period.label}`
      : `No status in ${bundle.previous.period.label}`;
  if (from < 0 || to < 0) return { key: 'none', label: 'Not known', arrow: '', detail: was };
  const key = to < from ? 'better' : to > from ? 'worse' : 'same';
  return {
    key,
    label: key === 'better' ? 'Better' : key === 'worse' ? 'Worse' : 'Same',
    arrow: ARROWS[key],
    detail: was,
  };
}

export function presentBoardPack(pack: BoardPack): BoardPackView {
  const reports = pack.items.flatMap(({ bundle }) => (bundle ? [presentReport(bundle, pack.today)] : []));
  return {
    organisationName: pack.organisation.name,
    periodLabel: pack.period.label,
    periodSpan: pack.period.span,
    periodKey: pack.period.key,
    ...(pack.theme ? { themeTitle: pack.theme.title } : {}),
    generatedOn: formatDate(pack.today),
    summary: pack.items.map(({ priority, bundle }) => {
      const status = bundle?.report.statusId ? pack.statuses.find((s) => s.id === bundle.report.statusId) : undefined;
      return {
        code: priority.code,
        title: priority.title,
        officer: priority.officerName ?? 'Not assigned',
        status: status ? presentStatus(status) : null,
        hasReport: bundle !== undefined,
        direction: directionOfTravel(bundle, pack.statuses),
      };
    }),
    reports,
  };
}

/** "board-pack-2009-10-h1.pdf", with the theme's title when the pack is for one theme. */
export function boardPackFilename(view: BoardPackView, format: 'pdf' | 'docx'): string {
  const theme = view.themeTitle
    ? `-${view.themeTitle
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')}`
    : '';
  return `board-pack-${view.periodKey}${theme}.${format}`;
}
