// Dashboard → view model: table cells with their counts and the links behind them.

import { formatTimescale } from '../../domain/timescale.ts';
import { presentStatus } from '../../render/report-view.ts';
import { paths } from '../../paths.ts';
import type { Dashboard, DashboardList, DashboardListName } from './dashboard.service.ts';

type Change = Dashboard['changes'][number];
type Overdue = Dashboard['overdue'][number];
type OffTarget = Dashboard['offTarget'][number];

const presentChange = (c: Change, periodKey: string) => ({
  code: c.code,
  title: c.title,
  fromPeriodLabel: c.fromPeriodLabel,
  from: c.from ? presentStatus(c.from) : null,
  to: c.to ? presentStatus(c.to) : null,
  direction:
    c.travel === 'improved'
      ? 'Better'
      : c.travel === 'worsened'
        ? 'Worse'
        : c.travel === 'not-comparable'
          ? 'Not comparable'
          : 'Changed',
  href: paths.reports.show(c.code, periodKey),
});

const presentOverdue = (m: Overdue) => ({
  code: m.code,
  description: m.description,
  action: m.actionDescription,
  due: m.revised
    ? `${formatTimescale(m.revised)} (revised from ${formatTimescale(m.timescale)})`
    : formatTimescale(m.timescale),
  href: `${paths.reports.milestoneProgress(m.code, m.periodKey, m.id)}`,
  reportHref: paths.reports.show(m.code, m.periodKey),
});

const presentOffTarget = ({ indicator, point }: OffTarget) => ({
  code: indicator.code,
  title: indicator.title,
  periodLabel: point.label,
  why: point.why,
  status: point.shown ? presentStatus(point.shown) : null,
  href: paths.indicators.show(indicator.code),
});

/** What each list is called, as a heading and as its rows ([one, many]). */
const LISTS: Record<DashboardListName, { heading: (period: string) => string; noun: readonly [string, string] }> = {
  'status-changes': {
    heading: (period) => `Status changes since the previous report, ${period}`,
    noun: ['status change', 'status changes'],
  },
  'overdue-milestones': {
    heading: () => 'Overdue milestones',
    noun: ['overdue milestone', 'overdue milestones'],
  },
  'indicators-off-target': {
    heading: (period) => `Indicators off target in ${period}`,
    noun: ['indicator off target', 'indicators off target'],
  },
};

/** A page of one of the lists (the first without `page`, as pagination.ts's links have it). */
export const dashboardListHref = (name: DashboardListName, period: string, page = 1) =>
  `${paths.dashboardLists[name]}?${new URLSearchParams({ period, ...(page > 1 ? { page: String(page) } : {}) }).toString()}`;

const count = (n: number) => n.toLocaleString('en-GB');

/** "See all 1,000 status changes", when the dashboard shows only the first of them. */
function seeAll(name: DashboardListName, period: string, shown: number, total: number) {
  if (total <= shown) return undefined;
  return { href: dashboardListHref(name, period), text: `See all ${count(total)} ${LISTS[name].noun[1]}` };
}

const listLink = (period: string, filter: { theme?: string; status?: string }) => {
  const q = new URLSearchParams({
    period,
    ...(filter.theme ? { theme: filter.theme } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  });
  return `${paths.priorities.list}?${q.toString()}`;
};

export function presentDashboard(d: Dashboard) {
  // Rated statuses first, best to worst; statuses outside the rating order (not started,
  // completed...) are counted apart after them, said so in their heading.
  const columns = [
    ...d.statuses.filter((s) => s.rated).map((s) => ({ key: s.key, label: s.label, status: presentStatus(s) })),
    ...d.statuses
      .filter((s) => !s.rated)
      .map((s) => ({ key: s.key, label: `${s.label} (not rated)`, status: presentStatus(s) })),
    // A status published reports keep that the scale no longer has.
    ...d.formerStatuses.map((s) => ({
      key: s.key,
      label: `${s.label} (no longer on the scale)`,
      status: presentStatus(s),
    })),
    { key: 'none', label: 'Not assessed', status: null },
    { key: 'no-report', label: 'No report', status: null },
  ];
  const p = d.period.key;
  return {
    period: d.period,
    periodItems: d.periods.map((x) => ({ value: x.key, text: x.label, selected: x.key === p })),
    columns,
    rows: d.themes.map((t) => ({
      title: t.themeTitle,
      cells: columns.map((c) => ({
        count: t.counts[c.key] ?? 0,
        href: listLink(p, { theme: t.themeId, status: c.key }),
        label: `${c.label} in ${t.themeTitle}`,
      })),
      total: { count: t.total, href: listLink(p, { theme: t.themeId }) },
    })),
    totals: columns.map((c) => ({
      count: d.totals[c.key] ?? 0,
      href: listLink(p, { status: c.key }),
      label: `${c.label} in all themes`,
    })),
    grandTotal: { count: Object.values(d.totals).reduce((a, b) => a + b, 0), href: listLink(p, {}) },
    changes: d.changes.map((c) => presentChange(c, p)),
    overdue: d.overdue.map(presentOverdue),
    offTarget: d.offTarget.map(presentOffTarget),
    listed: {
      changes: count(d.listed.changes),
      overdue: count(d.listed.overdue),
      offTarget: count(d.listed.offTarget),
    },
    seeAll: {
      changes: seeAll('status-changes', p, d.changes.length, d.listed.changes),
      overdue: seeAll('overdue-milestones', p, d.overdue.length, d.listed.overdue),
      offTarget: seeAll('indicators-off-target', p, d.offTarget.length, d.listed.offTarget),
    },
  };
}

/**
 * A page of one of the dashboard's lists: its heading, rows and the way back; the route adds the
 * pagination, as the other paginated lists' routes do.
 */
export function presentDashboardList(l: DashboardList) {
  const { heading, noun } = LISTS[l.name];
  const p = l.period.key;
  return {
    name: l.name,
    period: l.period,
    heading: heading(l.period.label),
    noun,
    backLink: {
      href: `${paths.dashboard}?${new URLSearchParams({ period: p }).toString()}`,
      text: `Back to the dashboard for ${l.period.label}`,
    },
    changes: l.name === 'status-changes' ? l.changes.map((c) => presentChange(c, p)) : [],
    overdue: l.name === 'overdue-milestones' ? l.overdue.map(presentOverdue) : [],
    offTarget: l.name === 'indicators-off-target' ? l.offTarget.map(presentOffTarget) : [],
  };
}
