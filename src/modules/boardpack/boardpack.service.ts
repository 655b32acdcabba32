// The board pack for a reporting period (and optionally one theme): every priority of the
// period in the priority list's order, with its report where it has one. It only reads, through
// the other modules' services. Whoever may read drafts gets the live reports; everyone else (a
// viewer, or a pack compiled for one) gets each report's last published revision, and "not yet
// published" for a report that has none.

import type { Actor } from '../../domain/actor.ts';
import { authorize, can } from '../../domain/permissions.ts';
import type { FrozenStatus, ReportSnapshot } from '../../domain/report-snapshot.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import type { Status } from '../../domain/status-scale.ts';
import type { PlanService, PriorityListItem, Theme } from '../plans/plan.service.ts';
import type { PeriodService, ReportingPeriod } from '../periods/period.service.ts';
import type { OrganisationService, Organisation } from '../organisations/organisation.service.ts';
import type { ReportService, ReportBundle } from '../reports/report.service.ts';
import type { JobService, JobState } from '../jobs/job.service.ts';

/** What a board pack files job is asked for (kept in the job's input). */
export interface BoardPackFilesParams {
  periodKey: string;
  themeId: string | undefined;
  /** The pack holds published revisions only (it was asked for by someone who may not read drafts). */
  publishedOnly?: boolean;
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
  items: BoardPackItem[];
  /** Only published revisions are in the pack. */
  publishedOnly: boolean;
  today: IsoDate;
}

export interface BoardPackItem {
  priority: PriorityListItem;
  /** The live report (for those who may read drafts) or its last published revision. */
  report: ReportBundle | ReportSnapshot | undefined;
  /** The status shown for the period, as the report above has it. */
  status: Pick<Status, 'key' | 'label' | 'colour' | 'shape' | 'description'> | undefined;
  /** The previous report's period and status (as published, when it is), for the direction of travel. */
  previous: { periodLabel: string; statusKey: string | undefined; statusLabel?: string | undefined } | undefined;
  /** There is a report for the period, but no revision of it is published yet. */
  notYetPublished: boolean;
}

export interface BoardPackDeps {
  plans: PlanService;
  periods: PeriodService;
  organisations: OrganisationService;
  reports: ReportService;
  jobs: JobService;
}

export function createBoardPackService({ plans, periods, organisations, reports, jobs }: BoardPackDeps) {
  async function liveItem(
    actor: Actor,
    priority: PriorityListItem,
    period: ReportingPeriod,
    statuses: Status[],
  ): Promise<BoardPackItem> {
    // A published report is its published revision (readable() gives it), with the status it was
    // signed off with; a draft or a report in sign-off is live, its status (and the previous
    // report's) found by id among every version's statuses (`statuses`: each report's status is a
    // row of its own period's version, ADR 0014).
    const readable = await reports.readable(actor, priority.code, period.key);
    const bundle = readable.bundle ?? (await reports.getBundle(actor, priority.code, period.key));
    const published = bundle.report.state === 'published';
    const statusOf = (id: string | null) => (id ? statuses.find((s) => s.id === id) : undefined);
    let previous: BoardPackItem['previous'];
    if (bundle.previous) {
      const before = bundle.previous;
      const summary =
        before.report.state === 'published'
          ? (await reports.listForPriority(actor, priority.code)).find((r) => r.periodKey === before.period.key)
          : undefined;
      const status = summary ? (summary.publishedStatus ?? undefined) : statusOf(before.report.statusId);
      previous = { periodLabel: before.period.label, statusKey: status?.key, statusLabel: status?.label };
    }
    return {
      priority,
      report: published ? readable.snapshot : bundle,
      status: published ? (readable.snapshot.report.status ?? undefined) : statusOf(bundle.report.statusId),
      previous,
      notYetPublished: false,
    };
  }

  /** The last published revision, and the previous published report's status as it was published. */
  async function publishedItem(
    actor: Actor,
    priority: PriorityListItem,
    period: ReportingPeriod,
  ): Promise<BoardPackItem> {
    const { snapshot } = await reports.readable(actor, priority.code, period.key, { publishedOnly: true });
    const list = (await reports.listForPriority(actor, priority.code)).filter((r) => r.publishedRevision !== null);
    const at = list.findIndex((r) => r.periodKey === period.key);
    const earlier = at >= 0 ? list[at + 1] : undefined;
    const frozen: FrozenStatus | null = snapshot.report.status;
    return {
      priority,
      report: snapshot,
      status: frozen ?? undefined,
      previous: earlier && {
        periodLabel: (await periods.getByKey(actor, earlier.periodKey)).label,
        statusKey: earlier.publishedStatus?.key,
        statusLabel: earlier.publishedStatus?.label,
      },
      notYetPublished: false,
    };
  }

  return {
    /** Queues the PDF and Word files of a pack (checked first, so a bad choice is refused now, not later). */
    async requestFiles(actor: Actor, periodKey: string, themeId?: string): Promise<JobState> {
      authorize(actor, 'boardpack.compile');
      const period = await periods.getByKey(actor, periodKey);
      if (themeId && !(await plans.listThemes(actor)).some((t) => t.id === themeId))
        throw new ThemeNotFoundError(themeId);
      // The job runs as the system: what it may put in the files is decided now, for the asker,
      // and the files can then be fetched only by those who could have asked for the same.
      const publishedOnly = !can(actor, 'boardpack.drafts');
      return jobs.enqueue<BoardPackFilesParams>(
        actor,
        'board-pack',
        { periodKey: period.key, themeId: themeId || undefined, publishedOnly },
        publishedOnly ? 'boardpack.compile' : 'boardpack.drafts',
      );
    },

    /** The choices of the board pack form: periods (latest first) and themes. */
    async choices(actor: Actor): Promise<{ periods: ReportingPeriod[]; themes: Theme[] }> {
      authorize(actor, 'boardpack.compile');
      return { periods: await periods.list(actor), themes: await plans.listThemes(actor) };
    },

    /** The period a pack is offered for first: the latest ended half-year, else the latest period. */
    async defaultPeriod(actor: Actor, today: IsoDate = todayIso()): Promise<ReportingPeriod | undefined> {
      authorize(actor, 'boardpack.compile');
      const all = await periods.list(actor);
      return all.find((p) => p.kind === 'half' && p.endsOn <= today) ?? all[0];
    },

    async build(
      actor: Actor,
      periodKey: string,
      themeId?: string,
      today: IsoDate = todayIso(),
      options: { publishedOnly?: boolean } = {},
    ): Promise<BoardPack> {
      authorize(actor, 'boardpack.compile');
      const publishedOnly = options.publishedOnly === true || !can(actor, 'boardpack.drafts');
      const period = await periods.getByKey(actor, periodKey);
      let theme: Theme | undefined;
      if (themeId) {
        theme = (await plans.listThemes(actor)).find((t) => t.id === themeId);
        if (!theme) throw new ThemeNotFoundError(themeId);
      }
      const scales = await organisations.statusScales(actor);
      const statuses = scales.at(period);
      const priorities = await plans.listPriorities(actor, { themeId: theme?.id, periodId: period.id, publishedOnly });
      const items: BoardPackItem[] = [];
      for (const priority of priorities) {
        if (priority.latest?.periodKey !== period.key) {
          // No report for the period; or, in a published-only pack, one that is not yet published.
          items.push({
            priority,
            report: undefined,
            status: undefined,
            previous: undefined,
            notYetPublished: priority.unpublished,
          });
          continue;
        }
        items.push(
          publishedOnly
            ? await publishedItem(actor, priority, period)
            : await liveItem(actor, priority, period, scales.all),
        );
      }
      return {
        organisation: await organisations.getOwn(actor),
        period,
        theme,
        statuses,
        items,
        publishedOnly,
        today,
      };
    },
  };
}

export type BoardPackService = ReturnType<typeof createBoardPackService>;
