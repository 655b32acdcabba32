// Pages and API of the risk register: the organisation's register with its filters and heat
// map, a priority's risks, and the form that adds or changes a risk.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { errorView, type ErrorView } from '../../platform/views/views.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { riskInput, riskQueryFor, RISKS_PER_PAGE, type RiskQuery } from './risk.schemas.ts';
import {
  presentRisk,
  presentHeatMap,
  levelItems,
  riskFormValues,
  filterQuery,
  likelihoodName,
  impactName,
  ratingTagClass,
} from './risk.presenter.ts';
import type { RiskRegister } from './risk.service.ts';
import type { PageWindow } from '../../domain/page.ts';
import { pageAsked, pagedTitle, pageHref, paginationView } from '../../platform/views/pagination.ts';

type Query = Record<string, string | undefined>;
type IdReq = FastifyRequest<{ Params: { id: string } }>;
type PriorityReq = FastifyRequest<{ Params: { code: string }; Querystring: Query }>;
/** An API request whose query arrived checked by the operation's declaration (`query`). */
type RiskApiReq = FastifyRequest<{ Querystring: RiskQuery }>;
type PriorityRiskApiReq = FastifyRequest<{ Params: { code: string }; Querystring: RiskQuery }>;

/** Up to this many priorities with risks, the register's priority filter is a drop-down; beyond, a box for a code. */
export const PRIORITY_CHOICES_MOST = 30;

const FLASH: Record<string, string> = { added: 'The risk has been added.', changed: 'The risk has been saved.' };

export function registerRiskRoutes(app: FastifyInstance, services: Services): void {
  const { risks, plans, people } = services;
  const scale = risks.scale();

  /**
   * The register's priority filter: a drop-down of the priorities that have risks while they are
   * few enough to scan (with the one filtered by, if it has none), else a box for a priority's code
   * (an organisation with 1,000 priorities with risks would otherwise get a drop-down of 1,000),
   * which works without JavaScript as the drop-down does.
   */
  async function priorityFilter(request: FastifyRequest, register: RiskRegister) {
    const chosen = register.priority;
    const withRisks = await risks.prioritiesWithRisks(request.actor);
    if (withRisks.length > PRIORITY_CHOICES_MOST)
      return {
        priorityItems: undefined,
        priorityValue: chosen?.code ?? '',
        priorityHint: `Enter the code of one of the ${withRisks.length.toLocaleString('en-GB')} priorities with risks, like ${withRisks[0]!.code}, or leave it empty for all`,
      };
    const choices = chosen && !withRisks.some((p) => p.code === chosen.code) ? [chosen, ...withRisks] : withRisks;
    return {
      priorityItems: selectItems(
        choices,
        (p) => p.code,
        (p) => `${p.code} ${p.title}`,
        chosen?.code,
        withRisks.length > 0 ? 'All priorities' : 'All priorities (none has risks yet)',
      ),
    };
  }

  /** The register page, for the organisation (`base` is /risks) or for one priority. */
  async function registerPage(
    request: FastifyRequest,
    register: RiskRegister,
    base: string,
    forPriority: boolean,
    errors?: ErrorView,
  ) {
    const { filter, priority } = register;
    const query = request.query as Query;
    const cell =
      filter.likelihood || filter.impact
        ? [
            filter.likelihood && `likelihood ${likelihoodName(scale, filter.likelihood)}`,
            filter.impact && `impact ${impactName(scale, filter.impact)}`,
          ]
            .filter(Boolean)
            .join(' and ')
        : undefined;
    const rating = scale.matrix.bands.find((b) => b.key === filter.rating);
    return {
      pageTitle: priority && forPriority ? `Risks for ${priority.code}` : 'Risk register',
      section: 'risks',
      backLink:
        forPriority && priority ? { href: paths.priorities.show(priority.code), text: priority.code } : undefined,
      priority: forPriority ? priority : undefined,
      base,
      filter,
      risks: register.risks.map((r) => presentRisk(scale, r)),
      heatMap: presentHeatMap(scale, register.heatMap, filter, !forPriority),
      filtered: Boolean(cell || rating || (!forPriority && priority)),
      cellText: cell,
      ratingText: rating?.label,
      ratingTagClass: rating ? ratingTagClass(scale, rating.key) : undefined,
      clearHref: `${base}${filterQuery({ show: filter.show }) ? `?${filterQuery({ show: filter.show })}` : ''}`,
      ...(forPriority ? {} : await priorityFilter(request, register)),
      errors,
      ratingItems: [
        { value: '', text: 'All ratings', selected: !filter.rating },
        ...scale.matrix.bands.map((b) => ({ value: b.key, text: b.label, selected: filter.rating === b.key })),
      ],
      showItems: [
        { value: 'open', text: 'Open risks', selected: filter.show === 'open' },
        { value: 'closed', text: 'Closed risks', selected: filter.show === 'closed' },
        { value: 'all', text: 'Open and closed risks', selected: filter.show === 'all' },
      ],
      newHref: priority ? `${paths.risks.new}?${new URLSearchParams({ priority: priority.code })}` : paths.risks.new,
      flash: query.saved ? FLASH[query.saved] : undefined,
    };
  }

  async function formPage(
    request: FastifyRequest,
    title: string,
    action: string,
    values: Record<string, any>,
    errors?: ErrorView,
    editing = false,
  ) {
    const [priorities, persons] = await Promise.all([plans.listPriorities(request.actor), people.list(request.actor)]);
    const noTarget = (chosen: unknown) => ({
      value: '',
      text: 'No target yet',
      checked: chosen === undefined || chosen === null || chosen === '',
    });
    return {
      template: 'risks/views/risk-form.njk',
      pageTitle: title,
      section: 'risks',
      backLink: { href: values.priority ? paths.risks.forPriority(String(values.priority)) : paths.risks.list },
      action,
      values,
      errors,
      editing,
      priorityItems: selectItems(
        priorities,
        (p) => p.code,
        (p) => `${p.code} ${p.title}`,
        values.priority as string,
        'Choose a priority',
      ),
      likelihoodItems: levelItems(scale.likelihoodNames, values.likelihood),
      impactItems: levelItems(scale.impactNames, values.impact),
      targetLikelihoodItems: [
        ...levelItems(scale.likelihoodNames, values.targetLikelihood),
        { divider: 'or' },
        noTarget(values.targetLikelihood),
      ],
      targetImpactItems: [
        ...levelItems(scale.impactNames, values.targetImpact),
        { divider: 'or' },
        noTarget(values.targetImpact),
      ],
      ownerItems: selectItems(
        persons,
        (p) => p.id,
        (p) => p.name,
        values.ownerId as string,
        'No owner yet',
      ),
      closedItems: [
        { value: 'yes', text: 'This risk is closed', checked: values.closed === true || values.closed === 'yes' },
      ],
    };
  }

  /** The register's pagination: its links keep the filters (not the priority a priority's page is already of). */
  const registerPagination = (register: RiskRegister & { window: PageWindow }, base: string, forPriority: boolean) => {
    const { filter } = register;
    const query = {
      priority: forPriority ? undefined : filter.priority,
      rating: filter.rating,
      likelihood: filter.likelihood,
      impact: filter.impact,
      show: filter.show === 'open' ? undefined : filter.show,
    };
    return paginationView(register.window, (n) => pageHref(base, query, n), ['risk', 'risks'], 'Pages of risks');
  };

  app.get(paths.risks.list, { config: { permission: 'risk.read' } }, async (request, reply) => {
    const query = request.query as Query;
    let register: Awaited<ReturnType<typeof risks.registerPage>>;
    let errors: ErrorView | undefined;
    try {
      register = await risks.registerPage(request.actor, query, pageAsked(query.page));
    } catch (error) {
      // A code typed into the priority box that is no priority: said beside the box, over the whole register.
      const typed = query.priority?.trim();
      if (!(error instanceof NotFoundError) || !typed) throw error;
      errors = errorView([
        {
          field: 'priority',
          message: `There is no priority with the code “${typed.slice(0, 40)}”: enter the code of a priority with risks, or leave it empty for all`,
        },
      ]);
      register = await risks.registerPage(request.actor, { ...query, priority: undefined }, pageAsked(query.page));
    }
    const view = await registerPage(request, register, paths.risks.list, false, errors);
    return reply.view('risks/views/risk-register.njk', {
      ...view,
      // The h1 names the register; the window's title says which page too.
      heading: view.pageTitle,
      pageTitle: pagedTitle(view.pageTitle, register.window),
      pagination: registerPagination(register, paths.risks.list, false),
    });
  });
  app.get(routes.priorityRisks, { config: { permission: 'risk.read' } }, async (request: PriorityReq, reply) => {
    const register = await risks.registerPage(
      request.actor,
      { ...request.query, priority: request.params.code },
      pageAsked(request.query.page),
    );
    const base = paths.risks.forPriority(register.priority!.code);
    const view = await registerPage(request, register, base, true);
    return reply.view('risks/views/risk-register.njk', {
      ...view,
      // The h1 names the register; the window's title says which page too.
      heading: view.pageTitle,
      pageTitle: pagedTitle(view.pageTitle, register.window),
      pagination: registerPagination(register, base, true),
    });
  });

  app.get(
    paths.risks.new,
    { config: { permission: 'risk.edit' } },
    async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
      const priority = request.query.priority
        ? await plans.findPriority(request.actor, request.query.priority)
        : undefined;
      const { template, ...ctx } = await formPage(request, 'Add a risk', paths.risks.list, {
        priority: priority?.code ?? '',
      });
      return reply.view(template, ctx);
    },
  );
  app.post(paths.risks.list, { config: { permission: 'risk.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => risks.create(request.actor, body),
      (r) => `${paths.risks.forPriority(r.priorityCode)}?saved=added`,
      async (errors) => formPage(request, 'Add a risk', paths.risks.list, body, errors),
    );
  });
  app.get(routes.riskEdit, { config: { permission: 'risk.edit' } }, async (request: IdReq, reply) => {
    const risk = await risks.getToEdit(request.actor, request.params.id);
    const { template, ...ctx } = await formPage(
      request,
      'Change a risk',
      paths.risks.edit(risk.id),
      riskFormValues(risk),
      undefined,
      true,
    );
    return reply.view(template, ctx);
  });
  app.post(routes.riskEdit, { config: { permission: 'risk.edit' } }, async (request: IdReq, reply) => {
    const body = formBody(request);
    const { id } = request.params;
    return submitForm(
      reply,
      () => risks.update(request.actor, id, body),
      (r) => `${paths.risks.forPriority(r.priorityCode)}?saved=changed`,
      async (errors) => formPage(request, 'Change a risk', paths.risks.edit(id), body, errors, true),
    );
  });

  // --- API -------------------------------------------------------------------------------
  // The filters are declared on each operation, on this deployment's matrix: checked before the
  // handler runs (a level or band the matrix lacks is a 422 naming it) and listed in the document.
  const riskQuery = riskQueryFor(scale);
  const riskListQuery = riskQueryFor(scale, { pages: true });
  const priorityRiskQuery = riskQueryFor(scale, { priority: false, pages: true });
  /**
   * The register as the API answers it: every matching risk (a list), as it always was, or with
   * `page` or `pageSize` one page of them with where it is in the list; filtered, counted and
   * ordered in SQL as the register's page is, so its pages one after another are the list.
   */
  async function riskList(actor: FastifyRequest['actor'], query: RiskQuery) {
    const { page, pageSize, ...filters } = query;
    if (page === undefined && pageSize === undefined) return (await risks.register(actor, filters)).risks;
    const register = await risks.registerPage(actor, filters, page, pageSize ?? RISKS_PER_PAGE);
    const { window } = register;
    return {
      risks: register.risks,
      page: window.page,
      pages: window.pages,
      pageSize: window.pageSize,
      total: window.total,
    };
  }
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.risks,
      permission: 'risk.read',
      summary:
        'The risk register, highest score first, filtered by priority, rating, likelihood, impact and state: every matching risk (a list), or with `page` or `pageSize` one page of them with `page`, `pages`, `pageSize` and `total`',
      tag: 'Risks',
      query: riskListQuery,
      success: { status: 200, description: 'Risks' },
    },
    // The query arrives parsed by its declaration (`query` above).
    async (request: RiskApiReq) => riskList(request.actor, request.query),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.riskHeatMap,
      permission: 'risk.read',
      summary:
        'The heat map of the register: risks per likelihood and impact, and per rating (same query as the register)',
      tag: 'Risks',
      query: riskQuery,
      success: { status: 200, description: 'The matrix and the counts' },
    },
    async (request: RiskApiReq) => {
      const { heatMap } = await risks.register(request.actor, request.query);
      return { matrix: scale.matrix, likelihoodNames: scale.likelihoodNames, impactNames: scale.impactNames, heatMap };
    },
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.risks,
      permission: 'risk.edit',
      summary:
        'Add a risk to a priority (likelihood and impact on the matrix; reviewOn as typed, like "31 March 2010")',
      tag: 'Risks',
      body: riskInput,
      success: { status: 201, description: 'The risk with its score and rating' },
    },
    async (request, reply) => reply.status(201).send(await risks.create(request.actor, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.risk,
      permission: 'risk.read',
      summary: 'A risk with its score, rating and target',
      tag: 'Risks',
      success: { status: 200, description: 'The risk' },
    },
    async (request: IdReq) => risks.get(request.actor, request.params.id),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.risk,
      permission: 'risk.edit',
      summary: 'Change a risk (send `version`)',
      tag: 'Risks',
      body: riskInput,
      success: { status: 200, description: 'The risk' },
    },
    async (request: IdReq) => risks.update(request.actor, request.params.id, request.body),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.priorityRisks,
      permission: 'risk.read',
      summary:
        'A priority’s risks, highest score first, filtered by rating, likelihood, impact and state: every matching risk (a list), or with `page` or `pageSize` one page of them, as the register answers',
      tag: 'Risks',
      query: priorityRiskQuery,
      success: { status: 200, description: 'Risks' },
    },
    async (request: PriorityRiskApiReq) => riskList(request.actor, { ...request.query, priority: request.params.code }),
  );
}
