// Plans, their themes and improvement priorities: the structure an organisation reports against.

import type { Actor } from '../../domain/actor.ts';
import type { Units } from '../../platform/db/unit-of-work.ts';
import { authorize, can, mayEver } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError, StaleVersionError } from '../../domain/errors.ts';
import { parseWith } from '../../platform/validation.ts';
import { pageWindow, type PageWindow } from '../../domain/page.ts';
import type {
  PlanRepository,
  PlanQueries,
  Plan,
  Theme,
  Priority,
  PriorityListItem,
  PriorityListFilter,
} from './plan.repository.ts';
import { planInput, themeInput, priorityInput, PRIORITIES_PER_PAGE } from './plan.schemas.ts';

export type { Plan, Theme, Priority, PriorityListItem, PersonRef } from './plan.repository.ts';

export class PlanNotFoundError extends NotFoundError {
  constructor() {
    super('PLAN_NOT_FOUND', 'There is no such plan');
  }
}
export class ThemeNotFoundError extends NotFoundError {
  constructor() {
    super('THEME_NOT_FOUND', 'There is no such theme');
  }
}
export class PriorityNotFoundError extends NotFoundError {
  constructor(code: string) {
    super('PRIORITY_NOT_FOUND', `There is no improvement priority ${code}`);
  }
}
export { StaleVersionError } from '../../domain/errors.ts';

/** A page of the priority list: its rows, where it is in the list, and every plan the list spans. */
export interface PriorityPage {
  items: PriorityListItem[];
  window: PageWindow;
  planTitles: string[];
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export interface PlanServiceDeps {
  repo: PlanRepository;
  units: Pick<Units<unknown>, 'current'>;
}

export function createPlanService({ repo, units }: PlanServiceDeps) {
  async function getPlan(actor: Actor, id: string): Promise<Plan> {
    authorize(actor, 'report.read', { published: true });
    const plan = isUuid(id) ? await repo.findPlan(actor.organisationId, id) : undefined;
    if (!plan) throw new PlanNotFoundError();
    return plan;
  }
  async function getTheme(actor: Actor, id: string): Promise<Theme> {
    authorize(actor, 'report.read', { published: true });
    const theme = isUuid(id) ? await repo.findTheme(actor.organisationId, id) : undefined;
    if (!theme) throw new ThemeNotFoundError();
    return theme;
  }
  /** A priority is read once per use case, however many services ask for it. */
  const priorityKey = (organisationId: string) => `priority:${organisationId}:`;
  async function findPriority(actor: Actor, code: string): Promise<Priority | undefined> {
    authorize(actor, 'report.read', { published: true });
    const load = () => repo.findPriorityByCode(actor.organisationId, code);
    return units.current()?.memo(`${priorityKey(actor.organisationId)}${code.toLowerCase()}`, load) ?? load();
  }
  async function getPriority(actor: Actor, code: string): Promise<Priority> {
    const p = await findPriority(actor, code);
    if (!p) throw new PriorityNotFoundError(code);
    return p;
  }
  /** After a change to a priority (or to a person it names), what was remembered is stale. */
  const forgetPriorities = (actor: Actor) => units.current()?.forget(priorityKey(actor.organisationId));
  async function checkPriorityRefs(
    actor: Actor,
    r: PlanQueries,
    v: { themeId: string; accountableOfficerId: string | null; accountableDirectorId: string | null },
  ) {
    const issues = [];
    if (!(await r.findTheme(actor.organisationId, v.themeId)))
      issues.push({ field: 'themeId', message: 'Select the theme from the list' });
    if (v.accountableOfficerId && !(await r.personBelongs(actor.organisationId, v.accountableOfficerId))) {
      issues.push({ field: 'accountableOfficerId', message: 'Select the accountable officer from the list' });
    }
    if (v.accountableDirectorId && !(await r.personBelongs(actor.organisationId, v.accountableDirectorId))) {
      issues.push({ field: 'accountableDirectorId', message: 'Select the accountable director from the list' });
    }
    if (issues.length > 0) throw new ValidationError(issues);
  }
  const audit = (
    r: PlanQueries,
    actor: Actor,
    entity: string,
    entityId: string,
    action: 'create' | 'update' | 'delete',
    before?: unknown,
    after?: unknown,
  ) => r.audit({ organisationId: actor.organisationId, actor: actor.label, entity, entityId, action, before, after });

  return {
    /**
     * Checks the actor may change the plans' structure (plans, themes, new priorities): it takes
     * the permission for every priority, not only one's own. The forms ask before they are shown.
     */
    mayChangeStructure(actor: Actor): void {
      authorize(actor, 'priority.edit');
    },
    /** The priority, when the actor may change it (the edit form). */
    async priorityToEdit(actor: Actor, code: string): Promise<Priority> {
      const priority = await getPriority(actor, code);
      authorize(actor, 'priority.edit', {
        accountablePersonIds: [priority.accountableOfficer?.id, priority.accountableDirector?.id],
      });
      return priority;
    },
    listPlans: async (actor: Actor) => {
      authorize(actor, 'report.read', { published: true });
      return repo.listPlans(actor.organisationId);
    },
    getPlan,
    async createPlan(actor: Actor, input: unknown): Promise<Plan> {
      authorize(actor, 'priority.edit');
      const v = parseWith(planInput, input);
      const id = await repo.insertPlan(actor.organisationId, v);
      const after = (await repo.findPlan(actor.organisationId, id))!;
      await audit(repo, actor, 'plan', id, 'create', undefined, after);
      return after;
    },
    async updatePlan(actor: Actor, id: string, input: unknown): Promise<Plan> {
      authorize(actor, 'priority.edit');
      const before = await getPlan(actor, id);
      const v = parseWith(planInput, input);
      if (!(await repo.updatePlan(actor.organisationId, id, v.version ?? before.version, v)))
        throw new StaleVersionError('plan');
      const after = (await repo.findPlan(actor.organisationId, id))!;
      await audit(repo, actor, 'plan', id, 'update', before, after);
      return after;
    },

    listThemes: async (actor: Actor, planId?: string) => {
      authorize(actor, 'report.read', { published: true });
      return repo.listThemes(actor.organisationId, planId);
    },
    getTheme,
    async createTheme(actor: Actor, planId: string, input: unknown): Promise<Theme> {
      authorize(actor, 'priority.edit');
      await getPlan(actor, planId);
      const v = parseWith(themeInput, input);
      const id = await repo.insertTheme(actor.organisationId, planId, v.title);
      const after = (await repo.findTheme(actor.organisationId, id))!;
      await audit(repo, actor, 'theme', id, 'create', undefined, after);
      return after;
    },
    async updateTheme(actor: Actor, id: string, input: unknown): Promise<Theme> {
      authorize(actor, 'priority.edit');
      const before = await getTheme(actor, id);
      const v = parseWith(themeInput, input);
      if (!(await repo.updateTheme(actor.organisationId, id, v.version ?? before.version, v.title)))
        throw new StaleVersionError('theme');
      const after = (await repo.findTheme(actor.organisationId, id))!;
      await audit(repo, actor, 'theme', id, 'update', before, after);
      return after;
    },
    /** Removes a theme with no priorities; `version`, when given, must be the one read. */
    async deleteTheme(actor: Actor, id: string, version?: unknown): Promise<void> {
      authorize(actor, 'priority.edit');
      const before = await getTheme(actor, id);
      const n = await repo.countPrioritiesInTheme(id);
      if (n > 0)
        throw new ConflictError(
          'THEME_IN_USE',
          `${before.title} cannot be removed: it has ${n} priorit${n === 1 ? 'y' : 'ies'}. Move them to another theme first`,
        );
      const read = version === undefined || version === '' ? before.version : Number(version);
      if (!(await repo.deleteTheme(actor.organisationId, id, read))) throw new StaleVersionError('theme');
      await audit(repo, actor, 'theme', id, 'delete', before);
    },

    /**
     * The priority list. A reader who may not see drafts (a viewer) sees each priority's latest
     * published report and the status it was published with; a draft is "not yet published".
     */
    listPriorities: async (
      actor: Actor,
      filter: { themeId?: string | undefined; periodId?: string | undefined; publishedOnly?: boolean } = {},
    ): Promise<PriorityListItem[]> => {
      authorize(actor, 'report.read', { published: true });
      return repo.listPriorities(actor.organisationId, {
        themeId: filter.themeId && isUuid(filter.themeId) ? filter.themeId : undefined,
        periodId: filter.periodId && isUuid(filter.periodId) ? filter.periodId : undefined,
        publishedOnly: filter.publishedOnly === true || !can(actor, 'report.read', { published: false }),
      });
    },
    /**
     * One page of the priority list (issue 14, "lists paginated"): filtered and counted in SQL over
     * every priority, so the page, its count and its filters agree whatever the organisation's
     * size; a page past the last is the last. Two statements, however many priorities.
     */
    async pagePriorities(
      actor: Actor,
      filter: { themeId?: string | undefined; periodId?: string | undefined; status?: string | undefined },
      page: number | undefined,
      pageSize = PRIORITIES_PER_PAGE,
    ): Promise<PriorityPage> {
      authorize(actor, 'report.read', { published: true });
      const f: PriorityListFilter = {
        themeId: filter.themeId && isUuid(filter.themeId) ? filter.themeId : undefined,
        periodId: filter.periodId && isUuid(filter.periodId) ? filter.periodId : undefined,
        status: filter.status || undefined,
        publishedOnly: !can(actor, 'report.read', { published: false }),
      };
      const { total, planTitles } = await repo.countPriorities(actor.organisationId, f);
      const window = pageWindow(total, page, pageSize);
      const items =
        total === 0 ? [] : await repo.listPrioritiesPage(actor.organisationId, f, window.offset, window.limit);
      return { items, window, planTitles };
    },
    findPriority,
    getPriority,
    async createPriority(actor: Actor, input: unknown): Promise<Priority> {
      authorize(actor, 'priority.edit');
      const v = parseWith(priorityInput, input);
      await checkPriorityRefs(actor, repo, v);
      if (await repo.findPriorityByCode(actor.organisationId, v.code))
        throw ValidationError.single('code', `There is already a priority with the code ${v.code}`);
      const id = await repo.insertPriority(actor.organisationId, v);
      const after = (await repo.findPriorityById(actor.organisationId, id))!;
      await audit(repo, actor, 'priority', id, 'create', undefined, after);
      return after;
    },
    async updatePriority(actor: Actor, code: string, input: unknown): Promise<Priority> {
      if (!mayEver(actor, 'priority.edit')) authorize(actor, 'priority.edit');
      const before = await repo.findPriorityByCode(actor.organisationId, code);
      if (!before) throw new PriorityNotFoundError(code);
      // Refused before the input is read: an accountable officer edits their own priority only.
      authorize(actor, 'priority.edit', {
        accountablePersonIds: [before.accountableOfficer?.id, before.accountableDirector?.id],
      });
      const v = parseWith(priorityInput, input);
      if (
        !mayEver(actor, 'reference.edit') &&
        ((v.accountableOfficerId ?? null) !== (before.accountableOfficer?.id ?? null) ||
          (v.accountableDirectorId ?? null) !== (before.accountableDirector?.id ?? null))
      )
        authorize(actor, 'reference.edit');
      await checkPriorityRefs(actor, repo, v);
      const clash = await repo.findPriorityByCode(actor.organisationId, v.code);
      if (clash && clash.id !== before.id)
        throw ValidationError.single('code', `There is already a priority with the code ${v.code}`);
      forgetPriorities(actor);
      if (!(await repo.updatePriority(actor.organisationId, before.id, v.version ?? before.version, v)))
        throw new StaleVersionError('priority');
      const after = (await repo.findPriorityById(actor.organisationId, before.id))!;
      await audit(repo, actor, 'priority', before.id, 'update', before, after);
      return after;
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
