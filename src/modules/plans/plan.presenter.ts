// View models for the priority list and page.

import type { Status } from '../../domain/status-scale.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import type { PriorityListItem, Theme } from './plan.service.ts';
import { presentStatus } from '../../render/report-view.ts';

export interface PriorityFilter {
  theme?: string | undefined;
  status?: string | undefined;
  period?: string | undefined;
}

export const NO_REPORT = 'no-report';

/**
 * The priority list's page: `items` are the page's rows, already filtered (status too) by the
 * query over every priority; `planTitles` every plan the whole list spans.
 */
export function presentPriorityList(
  items: PriorityListItem[],
  statuses: Status[],
  themes: Theme[],
  filter: PriorityFilter,
  periods: { key: string; label: string }[] = [],
  planTitles: string[] = [...new Set(items.map((p) => p.planTitle))],
) {
  const rows = items.map((p) => {
    // As the report shows it: a published report with the status it was published with.
    const status = p.latest?.status ?? undefined;
    return {
      ...p,
      status: status ? presentStatus(status) : null,
      // "none": a report with no status yet; "no-report": no report (for the period, when filtered).
      statusKey: status?.key ?? (p.latest ? 'none' : NO_REPORT),
      latestPeriodKey: p.latest?.periodKey ?? null,
      latestPeriodLabel: p.latest ? periodLabel(parsePeriodKey(p.latest.periodKey)) : null,
    };
  });
  return {
    rows,
    themeItems: [
      { value: '', text: 'All themes' },
      ...themes.map((t) => ({ value: t.id, text: t.title, selected: t.id === filter.theme })),
    ],
    statusItems: [
      { value: '', text: 'Any status' },
      ...statuses.map((s) => ({ value: s.key, text: s.label, selected: s.key === filter.status })),
      { value: 'none', text: 'Not assessed', selected: filter.status === 'none' },
      { value: NO_REPORT, text: 'No report', selected: filter.status === NO_REPORT },
    ],
    periodItems: [
      { value: '', text: 'Latest report' },
      ...periods.map((p) => ({ value: p.key, text: p.label, selected: p.key === filter.period })),
    ],
    filtered: Boolean(filter.theme || filter.status || filter.period),
    planTitles,
  };
}
