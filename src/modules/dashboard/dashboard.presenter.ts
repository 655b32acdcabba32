// Dashboard → view model: table cells with their counts and the links behind them.

import { formatTimescale } from '../../domain/timescale.ts';
import { presentStatus } from '../../render/report-view.ts';
import { paths } from '../../paths.ts';
import type { Dashboard } from './dashboard.service.ts';

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
    changes: d.changes.map((c) => {
      const { from, to } = c;
      return {
        code: c.code,
        title: c.title,
        fromPeriodLabel: c.fromPeriodLabel,
        from: from ? presentStatus(from) : null,
        to: to ? presentStatus(to) : null,
        direction:
          c.travel === 'improved'
            ? 'Better'
            : c.travel === 'worsened'
              ? 'Worse'
              : c.travel === 'not-comparable'
                ? 'Not comparable'
                : 'Changed',
        href: paths.reports.show(c.code, p),
      };
    }),
    overdue: d.overdue.map((m) => ({
      code: m.code,
      description: m.description,
      action: m.actionDescription,
      due: m.revised
        ? `${formatTimescale(m.revised)} (revised from ${formatTimescale(m.timescale)})`
        : formatTimescale(m.timescale),
      href: `${paths.reports.milestoneProgress(m.code, m.periodKey, m.id)}`,
      reportHref: paths.reports.show(m.code, m.periodKey),
    })),
    offTarget: d.offTarget.map(({ indicator, point }) => ({
      code: indicator.code,
      title: indicator.title,
      periodLabel: point.label,
      why: point.why,
      status: point.shown ? presentStatus(point.shown) : null,
      href: paths.indicators.show(indicator.code),
    })),
  };
}
