// Open data for the council's transparency pages: every priority's status per reported period
// and every indicator value, with stable identifiers (priority code + period key; indicator
// code + period key). Built from the other modules' services; it only reads.

import { systemActor, type Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import { formatValue } from '../../domain/indicators/indicator.ts';
import type { PlanService } from '../plans/plan.service.ts';
import type { ReportService } from '../reports/report.service.ts';
import type { IndicatorService } from '../indicators/indicator.service.ts';
import { unitOf } from '../indicators/indicator.service.ts';

export interface PriorityStatusRecord {
  priority: string;
  title: string;
  plan: string;
  theme: string;
  accountableOfficer: string | null;
  period: string;
  periodLabel: string;
  status: string | null;
  statusLabel: string | null;
}
export interface IndicatorValueRecord {
  indicator: string;
  title: string;
  unit: string;
  goodIs: string;
  period: string;
  periodLabel: string;
  actual: string | null;
  target: string | null;
  status: string | null;
  statusLabel: string | null;
  directionSincePrevious: string;
}

export function createOpenDataService(deps: {
  plans: PlanService;
  reports: ReportService;
  indicators: IndicatorService;
}) {
  const { plans, reports, indicators } = deps;
  /**
   * Open data is read by anyone, the public included (`opendata.read`); what it publishes it reads
   * as the system, and it publishes only what was published (each report's latest published
   * revision, with the status it was published with) and indicator values.
   */
  function reader(actor: Actor) {
    authorize(actor, 'opendata.read');
    return systemActor(actor.organisationId, 'open data');
  }
  return {
    async priorityStatuses(actor: Actor): Promise<PriorityStatusRecord[]> {
      const system = reader(actor);
      const out: PriorityStatusRecord[] = [];
      // Two statements however many priorities: the priorities, and every report of them.
      const byPriority = await reports.listByPriority(system);
      for (const p of await plans.listPriorities(system)) {
        // Only what has been published, as it was published: a draft, or the next revision being
        // written after publication, is not open data until its director signs it off.
        for (const r of [...(byPriority.get(p.id) ?? [])].reverse()) {
          if (r.publishedRevision === null) continue;
          // The status the latest revision was published with, whatever the scale says now.
          const shown = r.publishedStatus;
          out.push({
            priority: p.code,
            title: p.title,
            plan: p.planTitle,
            theme: p.themeTitle,
            accountableOfficer: p.officerName,
            period: r.periodKey,
            periodLabel: periodLabel(parsePeriodKey(r.periodKey)),
            status: shown?.key ?? null,
            statusLabel: shown?.label ?? null,
          });
        }
      }
      return out;
    },
    async indicatorValues(actor: Actor): Promise<IndicatorValueRecord[]> {
      const system = reader(actor);
      const out: IndicatorValueRecord[] = [];
      for (const { indicator: i, points } of await indicators.allPoints(system)) {
        const unit = unitOf(i);
        for (const p of points) {
          out.push({
            indicator: i.code,
            title: i.title,
            unit: i.unitKind,
            goodIs: i.polarity,
            period: p.period.key,
            periodLabel: p.label,
            actual: p.value.actual === null ? null : formatValue(p.value.actual, unit),
            target: p.value.target === null ? null : formatValue(p.value.target, unit),
            status: p.shown?.key ?? null,
            statusLabel: p.shown?.label ?? null,
            directionSincePrevious: p.sincePrevious.text,
          });
        }
      }
      return out;
    },
  };
}

export type OpenDataService = ReturnType<typeof createOpenDataService>;
