// Pages and API for performance indicators.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm, selectItems } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { renderIndicatorChartSvg, describeChart } from '../../render/charts/svg.ts';
import { chartTable } from '../../render/charts/chart-view.ts';
import { POLARITIES, FREQUENCIES, UNIT_KINDS, YTD_METHODS, formatDecimal } from '../../domain/indicators/indicator.ts';
import {
  indicatorInput,
  valueInput,
  overrideInput,
  UNIT_LABELS,
  POLARITY_LABELS,
  FREQUENCY_LABELS,
  YTD_LABELS,
  indicatorListQuery,
  type IndicatorListQuery,
} from './indicator.schemas.ts';
import { pageAsked, pagedTitle, pageHref, paginationView } from '../../platform/views/pagination.ts';
import { chartViewOf, presentIndicator, presentPoints, valuePeriodItems } from './indicator.presenter.ts';
import { unitOf, type Indicator } from './indicator.service.ts';

type Params = { code: string };
type Req = FastifyRequest<{ Params: Params; Querystring: { period?: string; saved?: string } }>;

export function registerIndicatorRoutes(app: FastifyInstance, services: Services): void {
  const { indicators, plans, people, organisations, periods } = services;

  async function formPage(
    request: FastifyRequest,
    title: string,
    action: string,
    values: Record<string, any>,
    errors?: ErrorView,
    editing = false,
  ) {
    const [priorities, persons] = await Promise.all([plans.listPriorities(request.actor), people.list(request.actor)]);
    const chosen = new Set<string>(
      Array.isArray(values.priorityIds) ? values.priorityIds : values.priorityIds ? [values.priorityIds] : [],
    );
    const radios = <T extends string>(list: readonly T[], labels: Record<T, string>, selected: unknown) =>
      list.map((v) => ({ value: v, text: labels[v], checked: selected === v }));
    return {
      template: 'indicators/views/indicator-form.njk',
      pageTitle: title,
      section: 'indicators',
      backLink: { href: paths.indicators.list },
      action,
      values,
      errors,
      editing,
      unitItems: UNIT_KINDS.map((u) => ({
        value: u,
        text: UNIT_LABELS[u],
        selected: (values.unitKind ?? 'number') === u,
      })),
      polarityItems: radios(POLARITIES, POLARITY_LABELS, values.polarity ?? 'higher'),
      frequencyItems: radios(FREQUENCIES, FREQUENCY_LABELS, values.frequency ?? 'quarterly'),
      ytdItems: YTD_METHODS.map((m) => ({
        value: m,
        text: YTD_LABELS[m],
        selected: (values.ytdMethod ?? 'none') === m,
      })),
      ruleItems: [
        {
          value: 'default',
          text: 'The organisation’s default',
          hint: { text: 'A percentage of the target set in indicator settings' },
          checked: (values.ruleKind ?? 'default') === 'default',
        },
        { value: 'percent', text: 'A percentage of the target', checked: values.ruleKind === 'percent' },
        { value: 'absolute', text: 'An amount in the indicator’s unit', checked: values.ruleKind === 'absolute' },
      ],
      chartItems: [
        { value: 'line', text: 'Line', checked: (values.chartKind ?? 'line') === 'line' },
        { value: 'bar', text: 'Bars', checked: values.chartKind === 'bar' },
      ],
      ownerItems: selectItems(
        persons,
        (p) => p.id,
        (p) => p.name,
        values.ownerId as string,
        'No owner yet',
      ),
      priorityItems: priorities.map((p) => ({ value: p.id, text: `${p.code} ${p.title}`, checked: chosen.has(p.id) })),
    };
  }
  const valuesOf = (i: Indicator) => ({
    code: i.code,
    title: i.title,
    description: i.description,
    unitKind: i.unitKind,
    decimalPlaces: i.decimalPlaces,
    polarity: i.polarity,
    frequency: i.frequency,
    ytdMethod: i.ytdMethod,
    chartKind: i.chartKind,
    ownerId: i.ownerId,
    dataSource: i.dataSource,
    sharedCode: i.sharedCode ?? '',
    ruleKind: i.ruleKind ?? 'default',
    tolerance:
      i.ruleValue === null
        ? ''
        : i.ruleKind === 'percent'
          ? String(i.ruleValue / 100)
          : String(i.ruleValue / 10 ** (i.unitKind === 'money' ? 2 : i.decimalPlaces)),
    baseline:
      i.baseline === null
        ? ''
        : formatDecimal(BigInt(i.baseline), unitOf(i).decimalPlaces, unitOf(i).decimalPlaces).replace(/,/g, ''),
    priorityIds: i.priorityIds,
    version: i.version,
  });

  app.get(
    paths.indicators.list,
    { config: { permission: 'indicator.read' } },
    async (request: FastifyRequest<{ Querystring: { page?: string } }>, reply) => {
      const list = await indicators.page(request.actor, pageAsked(request.query.page));
      return reply.view('indicators/views/indicator-list.njk', {
        pageTitle: pagedTitle('Performance indicators', list.window),
        section: 'indicators',
        indicators: list.items.map((i) => presentIndicator(i)),
        pagination: paginationView(
          list.window,
          (n) => pageHref(paths.indicators.list, {}, n),
          ['indicator', 'indicators'],
          'Pages of performance indicators',
        ),
      });
    },
  );
  app.get(paths.indicators.new, { config: { permission: 'indicator.edit' } }, async (request, reply) => {
    const { template, ...ctx } = await formPage(request, 'Add a performance indicator', paths.indicators.list, {});
    return reply.view(template, ctx);
  });
  app.post(paths.indicators.list, { config: { permission: 'indicator.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => indicators.create(request.actor, body),
      (i) => paths.indicators.show(i.code),
      async (errors) => formPage(request, 'Add a performance indicator', paths.indicators.list, body, errors),
    );
  });
  app.get(routes.indicatorEdit, { config: { permission: 'indicator.edit' } }, async (request: Req, reply) => {
    const i = await indicators.get(request.actor, request.params.code);
    const { template, ...ctx } = await formPage(
      request,
      `Change ${i.code}`,
      paths.indicators.edit(i.code),
      valuesOf(i),
      undefined,
      true,
    );
    return reply.view(template, ctx);
  });
  app.post(routes.indicatorEdit, { config: { permission: 'indicator.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    const { code } = request.params;
    return submitForm(
      reply,
      () => indicators.update(request.actor, code, body),
      (i) => paths.indicators.show(i.code),
      async (errors) => formPage(request, `Change ${code}`, paths.indicators.edit(code), body, errors, true),
    );
  });

  async function indicatorPage(
    request: Req,
    forms: { value?: Record<string, any>; status?: Record<string, any> } = {},
    errors?: ErrorView,
  ) {
    const { indicator, points, rule } = await indicators.points(request.actor, request.params.code);
    // The statuses offered for an override: those of the scale in force for the period chosen.
    const statusPeriod = points.find(
      (p) => p.value.periodKey === (forms.status?.period ?? request.query.period ?? ''),
    )?.period;
    const [scale, priorities, reportingPeriods] = await Promise.all([
      organisations.statusScale(request.actor, statusPeriod),
      plans.listPriorities(request.actor),
      periods.list(request.actor),
    ]);
    const chart = chartViewOf(indicator, points.slice(-8));
    const rows = presentPoints(indicator, points);
    const periodKey = (forms.value?.period ?? forms.status?.period ?? request.query.period ?? '') as string;
    const existing = rows.find((r) => r.periodKey === periodKey);
    return {
      template: 'indicators/views/indicator.njk',
      pageTitle: `${indicator.code} ${indicator.title}`,
      section: 'indicators',
      backLink: { href: paths.indicators.list, text: 'All indicators' },
      indicator: presentIndicator(indicator, rule),
      rows,
      errors,
      errorsFor: forms.status ? 'status' : 'value',
      priorities: priorities.filter((p) => indicator.priorityIds.includes(p.id)),
      graph:
        points.length > 0
          ? {
              svg: renderIndicatorChartSvg(chart, { showTitle: false }),
              description: describeChart(chart),
              table: chartTable(chart),
            }
          : null,
      valueForm: forms.value ?? { period: periodKey, ...(existing?.input ?? {}), comment: existing?.comment ?? '' },
      valuePeriodItems: valuePeriodItems(indicator, reportingPeriods, (forms.value?.period ?? periodKey) as string),
      statusForm: forms.status ?? { period: periodKey },
      statusItems: [
        { value: '', text: 'Use the computed status' },
        ...scale.map((s) => ({ value: s.key, text: s.label, selected: forms.status?.status === s.key })),
      ],
      periodItems: [
        { value: '', text: 'Choose a period' },
        ...rows.map((r) => ({
          value: r.periodKey,
          text: r.label,
          selected: (forms.status?.period ?? periodKey) === r.periodKey,
        })),
      ],
      flash:
        request.query.saved === 'value'
          ? 'The value has been saved.'
          : request.query.saved === 'status'
            ? 'The status has been saved.'
            : undefined,
    };
  }
  app.get(routes.indicator, { config: { permission: 'indicator.read' } }, async (request: Req, reply) => {
    const { template, ...ctx } = await indicatorPage(request);
    return reply.view(template, ctx);
  });
  app.post(routes.indicatorValues, { config: { permission: 'indicator.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => indicators.setValue(request.actor, request.params.code, body),
      () => `${paths.indicators.show(request.params.code)}?saved=value`,
      async (errors) => indicatorPage(request, { value: body }, errors),
    );
  });
  app.post(routes.indicatorStatus, { config: { permission: 'indicator.edit' } }, async (request: Req, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => indicators.overrideStatus(request.actor, request.params.code, body),
      () => `${paths.indicators.show(request.params.code)}?saved=status`,
      async (errors) => indicatorPage(request, { status: body }, errors),
    );
  });

  // --- API -------------------------------------------------------------------------------
  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.indicators,
      permission: 'indicator.read',
      summary:
        'List performance indicators: every one (a list), or with `page` or `pageSize` one page of them with `page`, `pages`, `pageSize` and `total`',
      tag: 'Indicators',
      query: indicatorListQuery,
      success: { status: 200, description: 'Indicators' },
    },
    // The query arrives parsed by its declaration (`query` above).
    async (request: FastifyRequest<{ Querystring: IndicatorListQuery }>) => {
      const { page, pageSize } = request.query;
      // Without either parameter, the list it always was: clients written before pages keep working.
      if (page === undefined && pageSize === undefined) return indicators.list(request.actor);
      const list = await indicators.page(request.actor, page, pageSize);
      return {
        indicators: list.items,
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
      url: paths.api.indicators,
      permission: 'indicator.edit',
      summary: 'Add a performance indicator',
      tag: 'Indicators',
      body: indicatorInput,
      success: { status: 201, description: 'The indicator' },
    },
    async (request, reply) => reply.status(201).send(await indicators.create(request.actor, request.body)),
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.indicator,
      permission: 'indicator.read',
      summary: 'An indicator with every period: values, status, why, direction of travel',
      tag: 'Indicators',
      success: { status: 200, description: 'The indicator and its periods' },
    },
    async (request: FastifyRequest<{ Params: Params }>) => {
      const { indicator, points } = await indicators.points(request.actor, request.params.code);
      return { indicator, periods: presentPoints(indicator, points) };
    },
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.indicator,
      permission: 'indicator.edit',
      summary: 'Change an indicator (send `version`)',
      tag: 'Indicators',
      body: indicatorInput,
      success: { status: 200, description: 'The indicator' },
    },
    async (request: FastifyRequest<{ Params: Params }>) =>
      indicators.update(request.actor, request.params.code, request.body),
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.indicatorValues,
      permission: 'indicator.edit',
      summary: 'Record one period’s actual, target and comment, as typed ("93.1", "£1,200", "12 days")',
      tag: 'Indicators',
      body: valueInput,
      success: { status: 200, description: 'Every period' },
    },
    async (request: FastifyRequest<{ Params: Params }>) => {
      const points = await indicators.setValue(request.actor, request.params.code, request.body);
      return presentPoints(await indicators.get(request.actor, request.params.code), points);
    },
  );
  apiOperation(
    app,
    {
      method: 'PUT',
      url: routes.api.indicatorStatus,
      permission: 'indicator.edit',
      summary: 'Override one period’s status with a reason (empty status: back to computed)',
      tag: 'Indicators',
      body: overrideInput,
      success: { status: 200, description: 'Every period' },
    },
    async (request: FastifyRequest<{ Params: Params }>) => {
      const points = await indicators.overrideStatus(request.actor, request.params.code, request.body);
      return presentPoints(await indicators.get(request.actor, request.params.code), points);
    },
  );
}
