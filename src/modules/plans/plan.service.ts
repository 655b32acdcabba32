// Plans, their themes and improvement priorities: the structure an organisation reports against.

import type { Actor } from '../../domain/actor.ts';
import { authorize, mayEver } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError } from '../../domain/errors.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PlanRepository, PlanQueries, Plan, Theme, Priority, PriorityListItem } from './plan.repository.ts';
import { planInput, themeInput, priorityInput } from './plan.schemas.ts';

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
export class StaleVersionError extends ConflictError {
  constructor(what: string) {
    super(
      'STALE_VERSION',
      `Someone else changed this ${what} while you were editing it. Your changes have not been saved: reload the page to see their changes, then make yours again.`,
    );
  }
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export function createPlanService(repo: PlanRepository) {
  // Reads take the queries to use: inside a transaction they must go through it (PGlite has one
  // connection, so a read on the pool would wait for the transaction that waits for it).
  async function getPlan(actor: Actor, id: string, q: PlanQueries = repo): Promise<Plan> {
    const plan = isUuid(id) ? await q.findPlan(actor.organisationId, id) : undefined;
    if (!plan) throw new PlanNotFoundError();
    return plan;
  }
  async function getTheme(actor: Actor, id: string, q: PlanQueries = repo): Promise<Theme> {
    const theme = isUuid(id) ? await q.findTheme(actor.organisationId, id) : undefined;
    if (!theme) throw new ThemeNotFoundError();
    return theme;
  }
  async function getPriority(actor: Actor, code: string): Promise<Priority> {
    const p = await repo.findPriorityByCode(actor.organisationId, code);
    if (!p) throw new PriorityNotFoundError(code);
    return p;
  }
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
    listPlans: (actor: Actor) => repo.listPlans(actor.organisationId),
    getPlan,
    async createPlan(actor: Actor, input: unknown): Promise<Plan> {
      authorize(actor, 'priority.edit');
      const v = parseWith(planInput, input);
      return repo.transaction(async (r) => {
        const id = await r.insertPlan(actor.organisationId, v);
        const after = (await r.findPlan(actor.organisationId, id))!;
        await audit(r, actor, 'plan', id, 'create', undefined, after);
        return after;
      });
    },
    async updatePlan(actor: Actor, id: string, input: unknown): Promise<Plan> {
      authorize(actor, 'priority.edit');
      const v = parseWith(planInput, input);
      return repo.transaction(async (r) => {
        const before = await getPlan(actor, id, r);
        if (!(await r.updatePlan(actor.organisationId, id, v.version ?? before.version, v)))
          throw new StaleVersionError('plan');
        const after = (await r.findPlan(actor.organisationId, id))!;
        await audit(r, actor, 'plan', id, 'update', before, after);
        return after;
      });
    },

    listThemes: (actor: Actor, planId?: string) => repo.listThemes(actor.organisationId, planId),
    getTheme,
    async createTheme(actor: Actor, planId: string, input: unknown): Promise<Theme> {
      authorize(actor, 'priority.edit');
      const v = parseWith(themeInput, input);
      await getPlan(actor, planId);
      return repo.transaction(async (r) => {
        const id = await r.insertTheme(actor.organisationId, planId, v.title);
        const after = (await r.findTheme(actor.organisationId, id))!;
        await audit(r, actor, 'theme', id, 'create', undefined, after);
        return after;
      });
    },
    async updateTheme(actor: Actor, id: string, input: unknown): Promise<Theme> {
      authorize(actor, 'priority.edit');
      const v = parseWith(themeInput, input);
      return repo.transaction(async (r) => {
        const before = await getTheme(actor, id, r);
        if (!(await r.updateTheme(actor.organisationId, id, v.version ?? before.version, v.title)))
          throw new StaleVersionError('theme');
        const after = (await r.findTheme(actor.organisationId, id))!;
        await audit(r, actor, 'theme', id, 'update', before, after);
        return after;
      });
    },
    async deleteTheme(actor: Actor, id: string): Promise<void> {
      authorize(actor, 'priority.edit');
      await repo.transaction(async (r) => {
        const before = await getTheme(actor, id, r);
        const n = await r.countPrioritiesInTheme(id);
        if (n > 0)
          throw new ConflictError(
            'THEME_IN_USE',
            `${before.title} cannot be removed: it has ${n} priorit${n === 1 ? 'y' : 'ies'}. Move them to another theme first`,
          );
        await r.deleteTheme(actor.organisationId, id);
        await audit(r, actor, 'theme', id, 'delete', before);
      });
    },

    listPriorities: (
      actor: Actor,
      filter: { themeId?: string | undefined; periodId?: string | undefined } = {},
    ): Promise<PriorityListItem[]> =>
      repo.listPriorities(actor.organisationId, {
        themeId: filter.themeId && isUuid(filter.themeId) ? filter.themeId : undefined,
        periodId: filter.periodId && isUuid(filter.periodId) ? filter.periodId : undefined,
      }),
    findPriority: (actor: Actor, code: string) => repo.findPriorityByCode(actor.organisationId, code),
    getPriority,
    async createPriority(actor: Actor, input: unknown): Promise<Priority> {
      authorize(actor, 'priority.edit');
      const v = parseWith(priorityInput, input);
      return repo.transaction(async (r) => {
        await checkPriorityRefs(actor, r, v);
        if (await r.findPriorityByCode(actor.organisationId, v.code))
          throw ValidationError.single('code', `There is already a priority with the code ${v.code}`);
        const id = await r.insertPriority(actor.organisationId, v);
        const after = (await r.findPriorityById(actor.organisationId, id))!;
        await audit(r, actor, 'priority', id, 'create', undefined, after);
        return after;
      });
    },
    async updatePriority(actor: Actor, code: string, input: unknown): Promise<Priority> {
      if (!mayEver(actor, 'priority.edit')) authorize(actor, 'priority.edit');
      const v = parseWith(priorityInput, input);
      return repo.transaction(async (r) => {
        const before = await r.findPriorityByCode(actor.organisationId, code);
        if (!before) throw new PriorityNotFoundError(code);
        // An accountable officer may edit their own priority, not give it to someone else.
        authorize(actor, 'priority.edit', {
          accountablePersonIds: [before.accountableOfficer?.id, before.accountableDirector?.id],
        });
        if (
          !mayEver(actor, 'reference.edit') &&
          ((v.accountableOfficerId ?? null) !== (before.accountableOfficer?.id ?? null) ||
            (v.accountableDirectorId ?? null) !== (before.accountableDirector?.id ?? null))
        )
          authorize(actor, 'reference.edit');
        await checkPriorityRefs(actor, r, v);
        const clash = await r.findPriorityByCode(actor.organisationId, v.code);
        if (clash && clash.id !== before.id)
          throw ValidationError.single('code', `There is already a priority with the code ${v.code}`);
        if (!(await r.updatePriority(actor.organisationId, before.id, v.version ?? before.version, v)))
          throw new StaleVersionError('priority');
        const after = (await r.findPriorityById(actor.organisationId, before.id))!;
        await audit(r, actor, 'priority', before.id, 'update', before, after);
        return after;
      });
    },
  };
}

export type PlanService = ReturnType<typeof createPlanService>;
