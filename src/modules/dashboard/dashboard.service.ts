// The dashboard for a reporting period: priorities by status per theme, status changes since
// each priority's previous report, overdue milestones and indicators off target. Every number
// comes with what is needed to link to the list behind it.

import type { Actor } from '../../domain/actor.ts';
import { authorize, can } from '../../domain/permissions.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import { periodLabel, parsePeriodKey } from '../../domain/period.ts';
import { statusTravel, type Status, type Travel } from '../../domain/status-scale.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';
import type { Timescale } from '../../domain/timescale.ts';
import type { PeriodService, ReportingPeriod } from '../periods/period.service.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import type { IndicatorService, Indicator, IndicatorPoint } from '../indicators/indicator.service.ts';
import type { DashboardRepository, StatusChange, OverdueMilestone } from './dashboard.repository.ts';

export interface Dashboard {
  period: ReportingPeriod;
  periods: ReportingPeriod[];
  statuses: Status[];
  /** Statuses that published reports of the period show but the scale no longer has (by key). */
  formerStatuses: FrozenStatus[];
  /** Per theme: count per status key, plus "none" (report without a status) and "no-report". */
  themes: { themeId: string; themeTitle: string; counts: Record<string, number>; total: number }[];
  totals: Record<string, number>;
  /**
   * `travel` compares the two statuses on the scale as it is now: better or worse only between
   * rated statuses, `not-comparable` to or from one outside the rating order (or no longer on the
   * scale); null when either report has no status. `better` is the same, as true/false/null.
   */
  changes: (StatusChange & { fromPeriodLabel: string; better: boolean | null; travel: Travel | null })[];
  overdue: (OverdueMilestone & { timescale: Timescale; revised: Timescale | null })[];
  offTarget: { indicator: Indicator; point: IndicatorPoint }[];
  today: IsoDate;
}

/** A period key as the periods service normalises it, or undefined when it is not one. */
function normalisedKey(key: string): string | undefined {
  try {
    return parsePeriodKey(key).key;
  } catch {
    return undefined;
  }
}

export interface DashboardDeps {
  repo: DashboardRepository;
  periods: PeriodService;
  organisations: OrganisationService;
  indicators: IndicatorService;
}

export function createDashboardService({ repo, periods, organisations, indicators }: DashboardDeps) {
  return {
    /** The period asked for, or the latest period that has a report (then the latest period). */
    async forPeriod(actor: Actor, periodKey?: string, today: IsoDate = todayIso()): Promise<Dashboard | undefined> {
      authorize(actor, 'dashboard.read');
      // Readers who may not see drafts see what was published, and nothing of a draft.
      const publishedOnly = !can(actor, 'report.read', { published: false });
      const all = await periods.list(actor);
      if (all.length === 0) return undefined;
      // The period asked for is one of those just read (a key that is none of them is looked up,
      // so that it is refused as before).
      const asked = periodKey ? normalisedKey(periodKey) : undefined;
      const period = periodKey
        ? (all.find((p) => p.key === asked) ?? (await periods.getByKey(actor, periodKey)))
        : (all.find((p) => p.kind === 'half' && p.endsOn <= today) ?? all[0]!);
      const statuses = await organisations.statusScale(actor, period);
      const onScale = new Set(statuses.map((s) => s.key));
      // Statuses published reports show that the scale no longer has: each keeps its own column.
      const former = new Map<string, FrozenStatus>();
      const keyOf = (status: FrozenStatus | null, hasReport: boolean) => {
        if (!hasReport) return 'no-report';
        if (!status) return 'none';
        if (!onScale.has(status.key) && !former.has(status.key)) former.set(status.key, status);
        return status.key;
      };

      const themes = new Map<string, Dashboard['themes'][number]>();
      const totals: Record<string, number> = {};
      for (const row of await repo.statusCounts(actor.organisationId, period.id, publishedOnly)) {
        const theme = themes.get(row.themeId) ?? {
          themeId: row.themeId,
          themeTitle: row.themeTitle,
          counts: {},
          total: 0,
        };
        const key = keyOf(row.status, row.hasReport);
        theme.counts[key] = (theme.counts[key] ?? 0) + row.count;
        theme.total += row.count;
        totals[key] = (totals[key] ?? 0) + row.count;
        themes.set(row.themeId, theme);
      }

      // Better or worse by the statuses' places in the rating order as the scale is now (by key):
      // a status outside the order (not started, completed) is neither.
      const changes = (await repo.statusChanges(actor.organisationId, period.id, period.startsOn, publishedOnly)).map(
        (c) => {
          const travel = c.from && c.to ? statusTravel(statuses, c.from.key, c.to.key) : null;
          return {
            ...c,
            fromPeriodLabel: periodLabel(parsePeriodKey(c.fromPeriodKey)),
            travel,
            better: travel === 'improved' ? true : travel === 'worsened' ? false : null,
          };
        },
      );

      const overdue = (await repo.overdueMilestones(actor.organisationId, today, publishedOnly)).map((m) => ({
        ...m,
        timescale: { precision: m.duePrecision, date: m.dueOn as IsoDate } as Timescale,
        revised:
          m.revisedDueOn && m.revisedPrecision
            ? ({ precision: m.revisedPrecision, date: m.revisedDueOn as IsoDate } as Timescale)
            : null,
      }));

      // An indicator is off target in the period when its latest value inside the period is. All
      // the indicators' points come in a fixed number of statements, whatever their number.
      const offTarget: Dashboard['offTarget'] = [];
      const worst = statuses.at(-1);
      for (const { indicator, point } of await indicators.latestPointsIn(actor, period)) {
        const off = point.value.override
          ? point.shown?.key === worst?.key
          : point.computed.rated && point.computed.outcome === 'off';
        if (off) offTarget.push({ indicator, point });
      }
      return {
        period,
        periods: all,
        statuses,
        formerStatuses: [...former.values()],
        themes: [...themes.values()],
        totals,
        changes,
        overdue,
        offTarget,
        today,
      };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
