// BoardPack → BoardPackView (the view model the PDF and DOCX render), and the form's choices.
// Direction of travel compares the status's place in the organisation's rating order with the
// previous report's (earlier is better), as the dashboard does; a status outside the rating order
// (not started, completed...) is neither better nor worse: "Not comparable".

import { formatDate } from '../../domain/dates.ts';
import { statusTravel, type Status } from '../../domain/status-scale.ts';
import { presentStatus } from '../../render/report-view.ts';
import type { BoardPackView, DirectionView } from '../../render/board-pack.ts';
import { presentReport, standingOf } from '../reports/report.presenter.ts';
import type { BoardPack, BoardPackItem } from './boardpack.service.ts';

const ARROWS = { better: '↑', worse: '↓', same: '→' } as const;

export function directionOfTravel(item: BoardPackItem, statuses: Status[]): DirectionView {
  if (!item.report)
    return {
      key: 'none',
      label: 'Not known',
      arrow: '',
      detail: item.notYetPublished ? 'Not yet published' : 'No report for this period',
    };
  if (!item.previous) return { key: 'new', label: 'New', arrow: '', detail: 'No earlier report' };
  const position = (key: string | undefined) => (key ? statuses.findIndex((s) => s.key === key) : -1);
  const from = position(item.previous.statusKey);
  const to = position(item.status?.key);
  // The previous status as it was published (its label then), else as the scale names it now.
  const label = item.previous.statusLabel ?? (from >= 0 ? statuses[from]!.label : undefined);
  const was = label ? `${label} in ${item.previous.periodLabel}` : `No status in ${item.previous.periodLabel}`;
  if (from < 0 || to < 0) return { key: 'none', label: 'Not known', arrow: '', detail: was };
  const travel = statusTravel(statuses, statuses[from]!.key, statuses[to]!.key);
  if (travel === 'not-comparable') return { key: 'not-comparable', label: 'Not comparable', arrow: '', detail: was };
  const key = travel === 'improved' ? 'better' : travel === 'worsened' ? 'worse' : 'same';
  return {
    key,
    label: key === 'better' ? 'Better' : key === 'worse' ? 'Worse' : 'Same',
    arrow: ARROWS[key],
    detail: was,
  };
}

export function presentBoardPack(pack: BoardPack): BoardPackView {
  // Each report says what it is: a draft or one in sign-off is marked on every page of it.
  const standings = pack.items.map(({ report }) => report && standingOf(report));
  const reports = pack.items.flatMap(({ report }, i) =>
    report ? [{ ...presentReport(report, pack.today), standing: standings[i]! }] : [],
  );
  return {
    organisationName: pack.organisation.name,
    periodLabel: pack.period.label,
    periodSpan: pack.period.span,
    periodKey: pack.period.key,
    ...(pack.theme ? { themeTitle: pack.theme.title } : {}),
    generatedOn: formatDate(pack.today),
    publishedOnly: pack.publishedOnly,
    summary: pack.items.map((item, i) => {
      const standing = standings[i];
      return {
        code: item.priority.code,
        title: item.priority.title,
        officer: item.priority.officerName ?? 'Not assigned',
        status: item.status ? presentStatus(item.status) : null,
        hasReport: item.report !== undefined,
        notYetPublished: item.notYetPublished,
        // A draft's status is said to be a draft's, beside it.
        ...(standing?.unpublished ? { unpublished: standing.label } : {}),
        direction: directionOfTravel(item, pack.statuses),
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
