// Pages and API for plans, themes and improvement priorities.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';
import { formatDate, fromDbDate } from '../../domain/dates.ts';
import { planInput, themeInput, priorityInput, priorityListQuery, type PriorityListQuery } from './plan.schemas.ts';
import type { PriorityListItem } from './plan.service.ts';
import { pageAsked, pagedTitle, pageHref, paginationView } from '../../platform/views/pagination.ts';
import { presentPriorityList } from './plan.presenter.ts';
import { presentStatus } from '../../render/report-view.ts';
import { can } from '../../domain/permissions.ts';

/** Who is accountable for a priority: the people whose own-scope permissions apply to it. */
const accountableFor = (p: {
  accountableOfficer: { id: string } | null;
  accountableDirector: { id: string } | null;
}) => ({
  accountablePersonIds: [p.accountableOfficer?.id, p.accountableDirector?.id],
});

type Params = { code: string; id: string; planId: string };

export function registerPlanRoutes(app: FastifyInstance, services: Services): void {
  const { plans, people, reports, organisations, periods } = services;

  // --- Priorities -------------------------------------------------------------------------
  app.get(
    paths.priorities.list,
    { config: { permission: 'report.read' } },
    async (
      request: FastifyRequest<{ Querystring: { theme?: string; status?: string; period?: string; page?: string } }>,
      reply,
    ) => {
      const { actor } = request;
      const filter = {
        theme: request.query.theme || undefined,
        status: request.query.status || undefined,
        period: request.query.period || undefined,
      };
      // An unknown period is a 404, not an empty list that looks like "no reports".
      const period = filter.period ? await periods.getByKey(actor, filter.period) : undefined;
      const [list, statuses, themes, periodList] = await Promise.all([
        plans.pagePriorities(
          actor,
          { themeId: filter.theme, periodId: period?.id, status: filter.status },
          pageAsked(request.query.page),
        ),
        organisations.statusScale(actor, period),
        plans.listThemes(actor),
        periods.list(actor),
      ]);
      const query = { ...filter, period: period?.key };
      const view = presentPriorityList(list.items, statuses, themes, query, periodList, list.planTitles);
      return reply.view('plans/views/priority-list.njk', {
        pageTitle: pagedTitle('Improvement priorities', list.window),
        section: 'priorities',
        periodLabel: period?.label,
        ...view,
        pagination: paginationView(
          list.window,
          (n) => pageHref(paths.priorities.list, query, n),
          ['priority', 'priorities'],
          'Pages of improvement priorities',
        ),
      });
    },
  );

  async function priorityForm(request: FastifyRequest, values: Record<string, any>) {
    const [themes, persons, planList] = await Promise.all([
      plans.listThemes(request.actor),
      people.list(request.actor),
      plans.listPlans(request.actor),
    ]);
    const planTitle = new Map(planList.map((p) => [p.id, p.title]));
    return {
      values,
      themeItems: selectItems(
        themes,
        (t) => t.id,
        (t) => `${t.title} (${planTitle.get(t.planId) ?? ''})`,
        values.themeId as string,
        'Select a theme',
      ),
      officerItems: selectItems(
        persons,
        (p) => p.id,
        (p) => `${p.name}${p.jobTitle ? `, ${p.jobTitle}` : ''}`,
        values.accountableOfficerId as string,
        'Not chosen yet',
      ),
      directorItems: selectItems(
        persons,
        (p) => p.id,
        (p) => `${p.name}${p.jobTitle ? `, ${p.jobTitle}` : ''}`,
        values.accountableDirectorId as string,
        'Not chosen yet',
      ),
      noThemes: themes.length === 0,
    };
  }

  app.get(paths.priorities.new, { config: { permission: 'priority.edit' } }, async (request, reply) => {
    plans.mayChangeStructure(request.actor);
    return reply.view('plans/views/priority-form.njk', {
      pageTitle: 'Add an improvement priority',
      section: 'priorities',
      backLink: { href: paths.priorities.list },
      action: paths.priorities.list,
      ...(await priorityForm(request, {})),
    });
  });

  app.post(paths.priorities.list, { config: { permission: 'priority.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => plans.createPriority(request.actor, body),
      (p) => paths.priorities.show(p.code),
      async (errors) => ({
        template: 'plans/views/priority-form.njk',
        pageTitle: 'Add an improvement priority',
        section: 'priorities',
        backLink: { href: paths.priorities.list },
        action: paths.priorities.list,
        errors,
        ...(await priorityForm(request, body)),
      }),
    );
  });

  app.get(
    routes.priority,
    { config: { permission: 'report.read' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const priority = await plans.getPriority(request.actor, request.params.code);
      const [list, statuses] = await Promise.all([
        reports.listForPriority(request.actor, priority.code),
        // Its reports are of many periods: each status is found by id in whichever version has it.
        organisations.statusScales(request.actor).then((scales) => scales.all),
      ]);
      const byId = new Map(statuses.map((s) => [s.id, s]));
      return reply.view('plans/views/priority.njk', {
        pageTitle: `${priority.code} ${priority.title}`,
        section: 'priorities',
        backLink: { href: paths.priorities.list, text: 'All priorities' },
        priority,
        // Only the buttons this person can use (issue 13): the services refuse the rest.
        may: {
          editPriority: can(request.actor, 'priority.edit', accountableFor(priority)),
          startReport: can(request.actor, 'report.edit', accountableFor(priority)),
        },
        reports: list.map((r) => {
          // A published report shows the status it was published with; a draft its status now.
          const status = r.state === 'published' ? r.publishedStatus : r.statusId ? byId.get(r.statusId) : undefined;
          return {
            ...r,
            periodLabel: periodLabel(parsePeriodKey(r.periodKey)),
            status: status ? presentStatus(status) : null,
            lastChanged: formatDate(fromDbDate(r.updatedAt)),
          };
        }),
      });
    },
  );

  app.get(
    routes.priorityEdit,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const priority = await plans.priorityToEdit(request.actor, request.params.code);
      const values = {
        themeId: priority.themeId,
        code: priority.code,
        title: priority.title,
        rationale: priority.rationale,
        accountableOfficerId: priority.accountableOfficer?.id,
        accountableDirectorId: priority.accountableDirector?.id,
        groupsInternal: priority.groupsInternal,
        groupsExternal: priority.groupsExternal,
        version: priority.version,
      };
      return reply.view('plans/views/priority-form.njk', {
        pageTitle: `Change ${priority.code}`,
        section: 'priorities',
        backLink: { href: paths.priorities.show(priority.code) },
        action: paths.priorities.show(priority.code),
        editing: true,
        ...(await priorityForm(request, values)),
      });
    },
  );

  app.post(
    routes.priority,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { code } = request.params;
      return submitForm(
        reply,
        () => plans.updatePriority(request.actor, code, body),
        (p) => paths.priorities.show(p.code),
        async (errors) => ({
          template: 'plans/views/priority-form.njk',
          pageTitle: `Change ${code}`,
          section: 'priorities',
          editing: true,
          backLink: { href: paths.priorities.show(code) },
          action: paths.priorities.show(code),
          errors,
          ...(await priorityForm(request, body)),
        }),
      );
    },
  );

  // --- Plans and themes --------------------------------------------------------------------
  app.get(paths.plans.list, { config: { permission: 'report.read' } }, async (request, reply) => {
    const [planList, themes] = await Promise.all([plans.listPlans(request.actor), plans.listThemes(request.actor)]);
    return reply.view('plans/views/plan-list.njk', {
      pageTitle: 'Plans and themes',
      section: 'plans',
      plans: planList.map((p) => ({
        ...p,
        years: `${p.firstYear}/${String((p.firstYear + 1) % 100).padStart(2, '0')} to ${p.lastYear}/${String((p.lastYear + 1) % 100).padStart(2, '0')}`,
        themes: themes.filter((t) => t.planId === p.id),
      })),
    });
  });
  const planPage = (
    title: string,
    action: string,
    values: Record<string, any>,
    extra: Record<string, unknown> = {},
  ) => ({
    template: 'plans/views/plan-form.njk',
    pageTitle: title,
    section: 'plans',
    backLink: { href: paths.plans.list },
    action,
    values,
    ...extra,
  });
  app.get(paths.plans.new, { config: { permission: 'priority.edit' } }, async (request, reply) => {
    plans.mayChangeStructure(request.actor);
    const { template, ...ctx } = planPage('Add a plan', paths.plans.list, {});
    return reply.view(template, ctx);
  });
  app.post(paths.plans.list, { config: { permission: 'priority.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => plans.createPlan(request.actor, body),
      () => paths.plans.list,
      async (errors) => planPage('Add a plan', paths.plans.list, body, { errors }),
    );
  });
  app.get(
    routes.planEdit,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      plans.mayChangeStructure(request.actor);
      const plan = await plans.getPlan(request.actor, request.params.id);
      const { template, ...ctx } = planPage(`Change ${plan.title}`, paths.plans.edit(plan.id), plan);
      return reply.view(template, ctx);
    },
  );
  app.post(
    routes.planEdit,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { id } = request.params;
      return submitForm(
        reply,
        () => plans.updatePlan(request.actor, id, body),
        () => paths.plans.list,
        async (errors) => planPage('Change the plan', paths.plans.edit(id), body, { errors }),
      );
    },
  );

  const themePage = (
    title: string,
    action: string,
    values: Record<string, any>,
    extra: Record<string, unknown> = {},
  ) => ({
    template: 'plans/views/theme-form.njk',
    pageTitle: title,
    section: 'plans',
    backLink: { href: paths.plans.list },
    action,
    values,
    ...extra,
  });
  app.get(
    routes.themeNew,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      plans.mayChangeStructure(request.actor);
      const plan = await plans.getPlan(request.actor, request.params.planId);
      const { template, ...ctx } = themePage(`Add a theme to ${plan.title}`, paths.plans.createTheme(plan.id), {});
      return reply.view(template, ctx);
    },
  );
  app.post(
    routes.themeCreate,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { planId } = request.params;
      return submitForm(
        reply,
        () => plans.createTheme(request.actor, planId, body),
        () => paths.plans.list,
        async (errors) => themePage('Add a theme', paths.plans.createTheme(planId), body, { errors }),
      );
    },
  );
  app.get(
    routes.themeEdit,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      plans.mayChangeStructure(request.actor);
      const theme = await plans.getTheme(request.actor, request.params.id);
      const { template, ...ctx } = themePage(`Change ${theme.title}`, paths.plans.editTheme(theme.id), theme, {
        deletable: true,
        deleteAction: paths.plans.deleteTheme(theme.id),
      });
      return reply.view(template, ctx);
    },
  );
  app.post(
    routes.themeEdit,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { id } = request.params;
      return submitForm(
        reply,
        () => plans.updateTheme(request.actor, id, body),
        () => paths.plans.list,
        async (errors) => themePage('Change the theme', paths.plans.editTheme(id), body, { errors }),
      );
    },
  );
  app.post(
    routes.themeDelete,
    { config: { permission: 'priority.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      // Asked first, as the edit form asks: one who may change no theme is refused the same for any id.
      plans.mayChangeStructure(request.actor);
      const { id } = request.params;
      const theme = await plans.getTheme(request.actor, id);
      return submitForm(
        reply,
        () => plans.deleteTheme(request.actor, id, formBody(request).version),
        () => paths.plans.list,
        async (errors) =>
          themePage(`Change ${theme.title}`, paths.plans.editTheme(id), theme, {
            errors,
            deletable: true,
            deleteAction: paths.plans.deleteTheme(id),
          }),
      );
    },
  );

  // --- API ---------------------------------------------------------------------------------
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.priorities,
      permission: 'report.read',
      summary:
        'List improvement priorities with their latest status: every one (a list), or with `page` or `pageSize` one page of them with `page`, `pages`, `pageSize` and `total`',
      tag: 'Priorities',
      query: priorityListQuery,
      success: { status: 200, description: 'The priorities' },
    },
    // The query arrives parsed by its declaration (`query` above).
    async (request: FastifyRequest<{ Querystring: PriorityListQuery }>) => {
      // The status's key, as the report shows it (a published report's as it was published).
      const present = (items: PriorityListItem[]) =>
        items.map((p) => ({ ...p, latest: p.latest && { ...p.latest, status: p.latest.status?.key ?? null } }));
      const { page, pageSize } = request.query;
      // Without either parameter, the list it always was: clients written before pages keep working.
      if (page === undefined && pageSize === undefined) return present(await plans.listPriorities(request.actor));
      const list = await plans.pagePriorities(request.actor, {}, page, pageSize);
      return {
        priorities: present(list.items),
        page: list.window.page,
        pages: list.window.pages,
        pageSize: list.window.pageSize,
        total: list.window.total,
      };
    },
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.priorities,
      permission: 'priority.edit',
      summary: 'Add an improvement priority',
      tag: 'Priorities',
      body: priorityInput,
      success: { status: 201, description: 'The priority' },
    },
    async (request, reply) => reply.status(201).send(await plans.createPriority(request.actor, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.priority,
      permission: 'report.read',
      summary: 'One improvement priority',
      tag: 'Priorities',
      success: { status: 200, description: 'The priority' },
    },
    async (request) => plans.getPriority(request.actor, (request.params as Params).code),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.priority,
      permission: 'priority.edit',
      summary: 'Change an improvement priority (send `version` to refuse a stale save)',
      tag: 'Priorities',
      body: priorityInput,
      success: { status: 200, description: 'The priority' },
    },
    async (request) => plans.updatePriority(request.actor, (request.params as Params).code, request.body),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.plans,
      permission: 'report.read',
      summary: 'List plans with their themes',
      tag: 'Plans',
      success: { status: 200, description: 'The plans' },
    },
    async (request) => {
      const [planList, themes] = await Promise.all([plans.listPlans(request.actor), plans.listThemes(request.actor)]);
      return planList.map((p) => ({ ...p, themes: themes.filter((t) => t.planId === p.id) }));
    },
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.plans,
      permission: 'priority.edit',
      summary: 'Add a plan',
      tag: 'Plans',
      body: planInput,
      success: { status: 201, description: 'The plan' },
    },
    async (request, reply) => reply.status(201).send(await plans.createPlan(request.actor, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.plan,
      permission: 'priority.edit',
      summary: 'Change a plan',
      tag: 'Plans',
      body: planInput,
      success: { status: 200, description: 'The plan' },
    },
    async (request) => plans.updatePlan(request.actor, (request.params as Params).id, request.body),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: routes.api.themes,
      permission: 'priority.edit',
      summary: 'Add a theme to a plan',
      tag: 'Plans',
      body: themeInput,
      success: { status: 201, description: 'The theme' },
    },
    async (request, reply) =>
      reply.status(201).send(await plans.createTheme(request.actor, (request.params as Params).planId, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.theme,
      permission: 'priority.edit',
      summary: 'Rename a theme',
      tag: 'Plans',
      body: themeInput,
      success: { status: 200, description: 'The theme' },
    },
    async (request) => plans.updateTheme(request.actor, (request.params as Params).id, request.body),
  );
  apiOperation(
    app,
    {
      method: 'DELETE',
      url: routes.api.theme,
      permission: 'priority.edit',
      summary: 'Remove a theme that has no priorities',
      tag: 'Plans',
      success: { status: 204, description: 'Removed' },
    },
    async (request, reply) => {
      await plans.deleteTheme(
        request.actor,
        (request.params as Params).id,
        (request.body as { version?: unknown } | undefined)?.version,
      );
      return reply.status(204).send();
    },
  );
}
