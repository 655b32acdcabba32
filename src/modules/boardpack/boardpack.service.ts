// The board pack for a reporting period (and optionally one theme): every priority of the
// period in the priority list's order, with its report's bundle where it has one. It only
// reads, through the other modules' services.

import type { Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import type { Status } from '../../domain/status-scale.ts';
import type { PlanService, PriorityListItem, Theme } from '../plans/plan.service.ts';
import type { PeriodService, ReportingPeriod } from '../periods/period.service.ts';
import type { OrganisationService, Organisation } from '../organisations/organisation.service.ts';
import type { ReportService, ReportBundle } from '../reports/report.service.ts';
import type { Job, JobService } from '../jobs/job.service.ts';

/** What a board pack files job is asked for (kept in the job's input). */
export interface BoardPackFilesParams {
  periodKey: string;
  themeId: string | undefined;
}

export class ThemeNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('THEME_NOT_FOUND', `There is no theme ${id}`);
  }
}

export interface BoardPack {
  organisation: Organisation;
  period: ReportingPeriod;
  theme: Theme | undefined;
  statuses: Status[];
  items: { priority: PriorityListItem; bundle: ReportBundle | undefined }[];
  today: IsoDate;
}

export interface BoardPackDeps {
  plans: PlanService;
  periods: PeriodService;
  organisations: OrganisationService;
  reports: ReportService;
  jobs: JobService;
}

export function createBoardPackService({ plans, periods, organisations, reports, jobs }: BoardPackDeps) {
  return {
    /** Queues the PDF and Word files of a pack (checked first, so a bad choice is refused now, not later). */
    async requestFiles(actor: Actor, periodKey: string, themeId?: string): Promise<Job> {
      authorize(actor, 'boardpack.compile');
      const period = await periods.getByKey(actor, periodKey);
      if (themeId && !(await plans.listThemes(actor)).some((t) => t.id === themeId))
        throw new ThemeNotFoundError(themeId);
      return jobs.enqueue<BoardPackFilesParams>(
        actor,
        'board-pack',
        { periodKey: period.key, themeId: themeId || undefined },
        'boardpack.compile',
      );
    },

    /** The choices of the board pack form: periods (latest first) and themes. */
    async choices(actor: Actor): Promise<{ periods: ReportingPeriod[]; themes: Theme[] }> {
      return { periods: await periods.list(actor), themes: await plans.listThemes(actor) };
    },

    /** The period a pack is offered for first: the latest ended half-year, else the latest period. */
    async defaultPeriod(actor: Actor, today: IsoDate = todayIso()): Promise<ReportingPeriod | undefined> {
      const all = await periods.list(actor);
      return all.find((p) => p.kind === 'half' && p.endsOn <= today) ?? all[0];
    },

    async build(actor: Actor, periodKey: string, themeId?: string, today: IsoDate = todayIso()): Promise<BoardPack> {
      authorize(actor, 'boardpack.compile');
      const period = await periods.getByKey(actor, periodKey);
      let theme: Theme | undefined;
      if (themeId) {
        theme = (await plans.listThemes(actor)).find((t) => t.id === themeId);
        if (!theme) throw new ThemeNotFoundError(themeId);
      }
      const priorities = await plans.listPriorities(actor, { themeId: theme?.id, periodId: period.id });
      const items: BoardPack['items'] = [];
      for (const priority of priorities) {
        const bundle =
          priority.latest?.periodKey === period.key
            ? await reports.getBundle(actor, priority.code, period.key)
            : undefined;
        items.push({ priority, bundle });
      }
      return {
        organisation: await organisations.getOwn(actor),
        period,
        theme,
        statuses: await organisations.statusScale(actor),
        items,
        today,
      };
    },
  };
}

export type BoardPackService = ReturnType<typeof createBoardPackService>;
