// The dashboard for a reporting period: priorities by status per theme, status changes since
// each priority's previous report, overdue milestones and indicators off target. Every number
// comes with what is needed to link to the list behind it.
//
// Each of the three lists shows its first few on the dashboard, with how many there are, and
// whole, a page at a time, on a page of its own (`list`): a council with 1,000 priorities gets a
// dashboard the size of a small one's (issue 14: "the dashboard's statements and CPU flat from 10
// to 1,000 priorities"), not a 1.5 MB page listing every change and milestone.

import type { Actor } from '../../domain/actor.ts';
import { authorize, can, scopeOf, type Permission } from '../../domain/permissions.ts';
import { todayIso, type IsoDate } from '../../domain/dates.ts';
import { periodLabel, parsePeriodKey } from '../../domain/period.ts';
import { statusTravel, type Status, type Travel } from '../../domain/status-scale.ts';
import type { FrozenStatus } from '../../domain/report-snapshot.ts';
import type { Timescale } from '../../domain/timescale.ts';
import type { PeriodService, ReportingPeriod } from '../periods/period.service.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import type {
  IndicatorService,
  RatedIndicator,
  IndicatorPoint,
  LatestRating,
  LatestRatings,
} from '../indicators/indicator.service.ts';
import { pageWindow, type PageWindow } from '../../domain/page.ts';
import {
  EVERY_INDICATOR,
  type DashboardGenerations,
  type DashboardRepository,
  type Listed,
  type ListWindow,
  type StatusChange,
  type OverdueMilestone,
} from './dashboard.repository.ts';

/** How many of each list the dashboard itself shows; the rest are on the list's own pages. */
export const DASHBOARD_SHOWS = 20;
/** Rows on a page of a list of its own, as on the other paginated lists. */
export const DASHBOARD_LIST_PAGE_SIZE = 50;

/** The dashboard's three lists, each with a page of its own (`/dashboard/<name>`). */
export const DASHBOARD_LISTS = ['status-changes', 'overdue-milestones', 'indicators-off-target'] as const;
export type DashboardListName = (typeof DASHBOARD_LISTS)[number];

type Change = StatusChange & { fromPeriodLabel: string; better: boolean | null; travel: Travel | null };
type Overdue = OverdueMilestone & { timescale: Timescale; revised: Timescale | null };
type OffTarget = { indicator: RatedIndicator; point: IndicatorPoint };

/** What both parts of a dashboard are worked out with. */
interface Frame {
  all: ReportingPeriod[];
  period: ReportingPeriod;
  statuses: Status[];
}
/** The part of a dashboard its reports make (kept under the reports' generation, ADR 0024). */
type ReportsPart = Pick<Dashboard, 'formerStatuses' | 'themes' | 'totals' | 'changes' | 'overdue'> & {
  listed: { changes: number; overdue: number };
};
/**
 * The part its indicators make (kept under the indicators' generation), with what it takes to
 * bring it up to date from the indicators changed since (ADR 0029).
 */
interface IndicatorsPart {
  offTarget: OffTarget[];
  listed: number;
  /** Every indicator of the organisation, by id, with its code, in code order (the database's). */
  codes: ReadonlyMap<string, string>;
  /** Those off target in the period, by id, each as it was rated. */
  off: ReadonlyMap<string, LatestRating>;
}

/**
 * Past this many indicators changed since a dashboard was kept (an import), its indicators' part
 * is worked out whole: reading them by id would cost as much. Migration 2026-12-12-700 notes a
 * statement of more than as many as every indicator.
 */
const INDICATORS_PATCHED_AT_MOST = 500;

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
  /** The first `DASHBOARD_SHOWS` of each list; `listed` says how many each has in all. */
  changes: Change[];
  overdue: Overdue[];
  offTarget: OffTarget[];
  listed: { changes: number; overdue: number; offTarget: number };
  today: IsoDate;
}

/** One page of one of the dashboard's lists. */
export type DashboardList = { period: ReportingPeriod; window: PageWindow; today: IsoDate } & (
  | { name: 'status-changes'; changes: Change[] }
  | { name: 'overdue-milestones'; overdue: Overdue[] }
  | { name: 'indicators-off-target'; offTarget: OffTarget[] }
);

/**
 * The page of a list nearest to the one asked for (past the last gives the last), read with its
 * total in one statement, or two when the page asked for is past the end.
 */
async function readPage<T>(
  read: (window: ListWindow) => Promise<Listed<T>>,
  requested: number | undefined,
): Promise<{ items: T[]; window: PageWindow }> {
  const asked = pageWindow(Number.MAX_SAFE_INTEGER, requested, DASHBOARD_LIST_PAGE_SIZE);
  let listed = await read({ limit: asked.limit, offset: asked.offset });
  if (listed.items.length === 0 && asked.offset > 0) listed = await read({ limit: asked.limit, offset: 0 });
  const window = pageWindow(listed.total, asked.page, DASHBOARD_LIST_PAGE_SIZE);
  if (window.offset !== asked.offset && window.offset !== 0)
    listed = await read({ limit: window.limit, offset: window.offset });
  return { items: listed.items, window };
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
  /**
   * How many dashboards to keep worked out (ADR 0023), the least recently used going first;
   * default `DASHBOARDS_KEPT`. 0: none, every dashboard worked out on every request.
   */
  keep?: number;
}

/** Dashboards kept by default: one per organisation, period, kind of reader and day each. */
export const DASHBOARDS_KEPT = 500;

/** Freezes a dashboard kept for later requests, so that no caller can change what the next one is given. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * The permissions whose decisions working a dashboard out consults: the dashboard itself, drafts'
 * statuses or only published ones (`report.read`), the periods and the scale (`reference.read`),
 * the indicators. test/dashboard-kept.test.ts walks every role and pair of roles against a
 * service that keeps nothing, so a check added to the working-out without its permission here
 * fails there.
 */
const DECIDED_BY: readonly Permission[] = ['dashboard.read', 'report.read', 'reference.read', 'indicator.read'];

/**
 * What a dashboard worked out for one person may be served to another only if they are alike in:
 * the scopes their roles give them in each of `DECIDED_BY` (and who they are, when a scope depends
 * on it). A performance officer and an accountable director see the same dashboard; a viewer, who
 * sees only what was published, another.
 */
function readerOf(actor: Actor): string {
  if (actor.kind !== 'user') return actor.kind;
  const scopes = DECIDED_BY.map((p) => [...new Set(scopeOf(actor.roles, p))].sort().join('+'));
  const personal = scopes.some((s) => s.includes('own') || s.includes('named'));
  return `${actor.operator ? 'operator ' : ''}${scopes.join(',')}${personal ? ` ${actor.personId ?? ''}` : ''}`;
}

/**
 * Whether a rating is off target: an officer's choice of the scale's worst status, or a computed
 * status the rule puts off target.
 */
function isOffTarget(statuses: readonly Status[]): (r: LatestRating) => boolean {
  const worst = statuses.at(-1);
  return (r) => (r.overridden ? r.shown?.key === worst?.key : r.computed.rated && r.computed.outcome === 'off');
}

/** The first `DASHBOARD_SHOWS` of those off target, in code order, as points, and how many there are. */
async function firstOff(
  latest: Pick<LatestRatings, 'points'>,
  codes: ReadonlyMap<string, string>,
  off: ReadonlyMap<string, LatestRating>,
): Promise<{ offTarget: OffTarget[]; listed: number }> {
  const shown: LatestRating[] = [];
  for (const id of codes.keys()) {
    if (shown.length === DASHBOARD_SHOWS) break;
    const rating = off.get(id);
    if (rating) shown.push(rating);
  }
  return { offTarget: shown.length === 0 ? [] : await latest.points(shown), listed: off.size };
}

export function createDashboardService({
  repo,
  periods,
  organisations,
  indicators,
  keep = DASHBOARDS_KEPT,
}: DashboardDeps) {
  /**
   * Dashboards worked out, each part under the organisation's dashboard generation for that part,
   * read before anything it shows (migrations 2026-12-12-300 and -500): every committed change to
   * what a part reads moves its number on, so a part is served only while nothing it shows can have
   * changed; a dashboard whose one part has changed is worked out again in that part only. Keyed by
   * the organisation, the period as asked for, the kind of reader (`readerOf`) and the day (overdue
   * milestones, and the period chosen when none is asked for, depend on it).
   */
  const kept = new Map<
    string,
    { generations: DashboardGenerations; reports: ReportsPart; indicators: IndicatorsPart; dashboard: Dashboard }
  >();
  /**
   * What became of each view (for /metrics): served as kept; one part worked out again because
   * what it reads changed since, the other served as kept; both worked out because what both read
   * changed, or because none was kept for it (a first view, or one let go); worked out and not kept
   * (keeping off, or the view's own unit had changed what it reads and not committed).
   */
  const keptCounts = { served: 0, partly: 0, changed: 0, absent: 0, notKept: 0 };
  /** Views whose indicators' part was brought up to date from the indicators changed since it was kept (ADR 0029). */
  const patchedCounts = { indicators: 0 };
  /** The period asked for, or the latest half year that has ended (then the latest period). */
  async function choosePeriod(actor: Actor, periodKey: string | undefined, today: IsoDate) {
    const all = await periods.list(actor);
    if (all.length === 0) return undefined;
    // The period asked for is one of those just read (a key that is none of them is looked up,
    // so that it is refused as before).
    const asked = periodKey ? normalisedKey(periodKey) : undefined;
    const period = periodKey
      ? (all.find((p) => p.key === asked) ?? (await periods.getByKey(actor, periodKey)))
      : (all.find((p) => p.kind === 'half' && p.endsOn <= today) ?? all[0]!);
    return { all, period };
  }

  // Readers who may not see drafts see what was published, and nothing of a draft.
  const publishedOnlyFor = (actor: Actor) => !can(actor, 'report.read', { published: false });

  async function changesIn(actor: Actor, period: ReportingPeriod, statuses: Status[], window: ListWindow) {
    const listed = await repo.statusChanges(
      actor.organisationId,
      period.id,
      period.startsOn,
      publishedOnlyFor(actor),
      window,
    );
    // Better or worse by the statuses' places in the rating order as the scale is now (by key):
    // a status outside the order (not started, completed) is neither.
    const items: Change[] = listed.items.map((c) => {
      const travel = c.from && c.to ? statusTravel(statuses, c.from.key, c.to.key) : null;
      return {
        ...c,
        fromPeriodLabel: periodLabel(parsePeriodKey(c.fromPeriodKey)),
        travel,
        better: travel === 'improved' ? true : travel === 'worsened' ? false : null,
      };
    });
    return { items, total: listed.total };
  }

  async function overdueAt(actor: Actor, today: IsoDate, window: ListWindow) {
    const listed = await repo.overdueMilestones(actor.organisationId, today, publishedOnlyFor(actor), window);
    const items: Overdue[] = listed.items.map((m) => ({
      ...m,
      timescale: { precision: m.duePrecision, date: m.dueOn as IsoDate } as Timescale,
      revised:
        m.revisedDueOn && m.revisedPrecision
          ? ({ precision: m.revisedPrecision, date: m.revisedDueOn as IsoDate } as Timescale)
          : null,
    }));
    return { items, total: listed.total };
  }

  /**
   * The indicators off target in the period (one whose latest value inside the period is), in the
   * indicators' order: how many, and the points of those in a window of them (with their
   * directions of travel). Every indicator is rated in a fixed number of statements whatever their
   * number, as its own page rates it; only those shown are read whole, in one statement more.
   */
  async function offTargetIn(actor: Actor, period: ReportingPeriod, statuses: Status[]) {
    const latest = await indicators.latestIn(actor, period);
    const off = latest.ratings.filter(isOffTarget(statuses));
    return {
      total: off.length,
      async pointsOf(window: ListWindow): Promise<OffTarget[]> {
        const shown = off.slice(window.offset, window.offset + window.limit);
        return shown.length === 0 ? [] : latest.points(shown);
      },
    };
  }

  /** What both parts are worked out with: the periods, the one shown, the status scale for it. */
  async function frameOf(actor: Actor, periodKey: string | undefined, today: IsoDate): Promise<Frame | undefined> {
    const chosen = await choosePeriod(actor, periodKey, today);
    if (!chosen) return undefined;
    return { ...chosen, statuses: await organisations.statusScale(actor, chosen.period) };
  }

  /** What the dashboard shows of reports: counts by status per theme, status changes, overdue milestones. */
  async function reportsPart(actor: Actor, publishedOnly: boolean, frame: Frame, today: IsoDate): Promise<ReportsPart> {
    const { period, statuses } = frame;
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

    const first = { limit: DASHBOARD_SHOWS, offset: 0 };
    const changes = await changesIn(actor, period, statuses, first);
    const overdue = await overdueAt(actor, today, first);
    return {
      formerStatuses: [...former.values()],
      themes: [...themes.values()],
      totals,
      changes: changes.items,
      overdue: overdue.items,
      listed: { changes: changes.total, overdue: overdue.total },
    };
  }

  /** What the dashboard shows of indicators: the first of those off target, and how many. */
  async function indicatorsPart(actor: Actor, { period, statuses }: Frame): Promise<IndicatorsPart> {
    const latest = await indicators.latestIn(actor, period);
    const codes = new Map(latest.indicators.map((i) => [i.id, i.code]));
    const off = new Map(latest.ratings.filter(isOffTarget(statuses)).map((r) => [r.indicator.id, r]));
    return { ...(await firstOff(latest, codes, off)), codes, off };
  }

  /**
   * The kept indicators' part brought up to date from the indicators changed since its number
   * (`since`) up to now's (`upto`): only those read and rated again, in a fixed number of
   * statements whatever the organisation's size (ADR 0029). Undefined when it must be worked out
   * whole: a change to what every rating reads (the scale, the defaults, the periods), notes let go
   * or none found, many indicators changed, or an indicator added or its code changed (its place in
   * the order is the database's to say).
   */
  async function indicatorsPatched(
    actor: Actor,
    { period, statuses }: Frame,
    kept: IndicatorsPart,
    since: string,
    upto: string,
  ): Promise<IndicatorsPart | undefined> {
    const { complete, indicatorIds: changed } = await repo.indicatorChanges(actor.organisationId, since, upto);
    // No note at all for a number that moved (one set by hand, say): nothing to go on.
    if (!complete || changed.length === 0 || changed.length > INDICATORS_PATCHED_AT_MOST) return undefined;
    if (changed.includes(EVERY_INDICATOR)) return undefined;
    const latest = await indicators.latestIn(actor, period, changed);
    const now = new Map(latest.indicators.map((i) => [i.id, i.code]));
    if (latest.indicators.some((i) => i.code !== kept.codes.get(i.id))) return undefined;
    // Deleted since: out of the order too.
    const gone = new Set(changed.filter((id) => !now.has(id) && kept.codes.has(id)));
    const codes = gone.size === 0 ? kept.codes : new Map([...kept.codes].filter(([id]) => !gone.has(id)));
    const rated = new Map(latest.ratings.map((r) => [r.indicator.id, r]));
    const offTarget = isOffTarget(statuses);
    const off = new Map(kept.off);
    for (const id of changed) {
      const rating = rated.get(id);
      if (rating && offTarget(rating)) off.set(id, rating);
      else off.delete(id);
    }
    patchedCounts.indicators++;
    return { ...(await firstOff(latest, codes, off)), codes, off };
  }

  function assemble(frame: Frame, reports: ReportsPart, indicators: IndicatorsPart, today: IsoDate): Dashboard {
    const { listed, ...shown } = reports;
    return {
      period: frame.period,
      periods: frame.all,
      statuses: frame.statuses,
      ...shown,
      offTarget: indicators.offTarget,
      listed: { ...listed, offTarget: indicators.listed },
      today,
    };
  }

  /**
   * A page of one of the dashboard's lists for the period (chosen as `forPeriod` chooses it),
   * `DASHBOARD_LIST_PAGE_SIZE` a page; a page past the last is the last.
   */
  async function list(
    actor: Actor,
    name: DashboardListName,
    periodKey?: string,
    page?: number,
    today: IsoDate = todayIso(),
  ): Promise<DashboardList | undefined> {
    authorize(actor, 'dashboard.read');
    const chosen = await choosePeriod(actor, periodKey, today);
    if (!chosen) return undefined;
    const { period } = chosen;
    if (name === 'overdue-milestones') {
      const { items, window } = await readPage((w) => overdueAt(actor, today, w), page);
      return { name, period, window, today, overdue: items };
    }
    const statuses = await organisations.statusScale(actor, period);
    if (name === 'status-changes') {
      const { items, window } = await readPage((w) => changesIn(actor, period, statuses, w), page);
      return { name, period, window, today, changes: items };
    }
    const offTarget = await offTargetIn(actor, period, statuses);
    const window = pageWindow(offTarget.total, page, DASHBOARD_LIST_PAGE_SIZE);
    return { name, period, window, today, offTarget: await offTarget.pointsOf(window) };
  }

  return {
    /** The period asked for, or the latest period that has a report (then the latest period). */
    async forPeriod(actor: Actor, periodKey?: string, today: IsoDate = todayIso()): Promise<Dashboard | undefined> {
      authorize(actor, 'dashboard.read');
      const publishedOnly = publishedOnlyFor(actor);
      // First, before anything the dashboard shows: what is read after it is at least as new.
      const generations = keep > 0 ? await repo.generations(actor.organisationId) : null;
      const key = `${actor.organisationId} ${periodKey ?? ''} ${readerOf(actor)} ${today}`;
      const entry = generations === null ? undefined : kept.get(key);
      if (entry) kept.delete(key);
      const sameReports = entry !== undefined && entry.generations.reports === generations?.reports;
      const sameIndicators = entry !== undefined && entry.generations.indicators === generations?.indicators;
      if (entry && sameReports && sameIndicators) {
        kept.set(key, entry);
        keptCounts.served++;
        return entry.dashboard;
      }
      keptCounts[
        generations === null ? 'notKept' : !entry ? 'absent' : sameReports || sameIndicators ? 'partly' : 'changed'
      ]++;
      // A part whose number has not moved is served as kept. What the frame reads moves both
      // numbers, so the frame read now is the one that part was worked out with.
      const frame = await frameOf(actor, periodKey, today);
      if (!frame) return undefined;
      const ofReports = sameReports ? entry.reports : await reportsPart(actor, publishedOnly, frame, today);
      const ofIndicators = sameIndicators
        ? entry.indicators
        : ((entry &&
            generations &&
            (await indicatorsPatched(
              actor,
              frame,
              entry.indicators,
              entry.generations.indicators,
              generations.indicators,
            ))) ??
          (await indicatorsPart(actor, frame)));
      const dashboard = assemble(frame, ofReports, ofIndicators, today);
      if (generations !== null) {
        kept.set(key, { generations, reports: ofReports, indicators: ofIndicators, dashboard: deepFreeze(dashboard) });
        if (kept.size > keep) kept.delete(kept.keys().next().value!);
      }
      return dashboard;
    },

    list,
    /** Counts of what became of each view since the service was made (read, never changed, by /metrics). */
    keptCounts: keptCounts as Readonly<typeof keptCounts>,
    /** Views whose indicators' part was brought up to date from what changed since it was kept (ADR 0029). */
    patchedCounts: patchedCounts as Readonly<typeof patchedCounts>,
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
