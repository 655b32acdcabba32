// Pages and API for reporting periods.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { formBody, submitForm } from '../../platform/http/forms.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import type { ErrorView } from '../../platform/views/views.ts';
import { formatDate, todayIso, type IsoDate } from '../../domain/dates.ts';
import { financialYearOf, financialYearLabel } from '../../domain/period.ts';
import { periodByKey } from './period.schemas.ts';

type Params = { key: string };

const KIND_ITEMS = [
  { value: 'half', text: 'Half-year' },
  { value: 'quarter', text: 'Quarter' },
  { value: 'month', text: 'Month' },
  { value: 'year', text: 'Whole financial year' },
];
const PART_ITEMS = [
  { value: '1', text: 'First (H1, Q1, or April for months)' },
  { value: '2', text: 'Second (H2, Q2, or May)' },
  { value: '3', text: 'Third (Q3, or June)' },
  { value: '4', text: 'Fourth (Q4, or July)' },
  ...['August', 'September', 'October', 'November', 'December', 'January', 'February', 'March'].map((m, i) => ({
    value: String(i + 5),
    text: `Month ${i + 5} (${m})`,
  })),
];

export function registerPeriodRoutes(app: FastifyInstance, services: Services): void {
  const { periods } = services;

  const formPage = (values: Record<string, any>, errors?: ErrorView) => {
    const thisYear = financialYearOf(todayIso());
    return {
      template: 'periods/views/period-form.njk',
      pageTitle: 'Add a reporting period',
      section: 'periods',
      backLink: { href: paths.periods.list },
      values,
      errors,
      kindItems: KIND_ITEMS.map((k) => ({ ...k, checked: (values.kind ?? 'half') === k.value })),
      partItems: PART_ITEMS.map((p) => ({ ...p, selected: String(values.number ?? '1') === p.value })),
      yearHint: `As the pages write it, like ${financialYearLabel(thisYear)} (or the year it starts: ${thisYear})`,
    };
  };

  app.get(paths.periods.list, { config: { permission: 'reference.read' } }, async (request, reply) =>
    reply.view('periods/views/period-list.njk', {
      pageTitle: 'Reporting periods',
      section: 'periods',
      periods: (await periods.list(request.actor)).map((p) => ({
        ...p,
        due: p.dueOn ? formatDate(p.dueOn as IsoDate) : '',
      })),
    }),
  );
  app.get(paths.periods.new, { config: { permission: 'reference.edit' } }, async (_request, reply) => {
    const { template, ...ctx } = formPage({});
    return reply.view(template, ctx);
  });
  app.post(paths.periods.list, { config: { permission: 'reference.edit' } }, async (request, reply) => {
    const body = formBody(request);
    return submitForm(
      reply,
      () => periods.create(request.actor, body),
      () => paths.periods.list,
      async (errors) => formPage(body, errors),
    );
  });
  const duePage = async (request: FastifyRequest, key: string, values: Record<string, any>, errors?: ErrorView) => {
    const period = await periods.getByKey(request.actor, key);
    return {
      template: 'periods/views/period-due.njk',
      pageTitle: `${period.label}: when reports are due`,
      section: 'periods',
      backLink: { href: paths.periods.list },
      period,
      values,
      errors,
      action: paths.periods.edit(period.key),
      deleteAction: paths.periods.delete(period.key),
    };
  };
  app.get(
    routes.periodEdit,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const period = await periods.getByKey(request.actor, request.params.key);
      const { template, ...ctx } = await duePage(request, period.key, {
        dueOn: period.dueOn ? formatDate(period.dueOn as IsoDate) : '',
      });
      return reply.view(template, ctx);
    },
  );
  app.post(
    routes.periodEdit,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const body = formBody(request);
      const { key } = request.params;
      return submitForm(
        reply,
        () => periods.setDueDate(request.actor, key, body),
        () => paths.periods.list,
        async (errors) => duePage(request, key, body, errors),
      );
    },
  );
  app.post(
    routes.periodDelete,
    { config: { permission: 'reference.edit' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { key } = request.params;
      return submitForm(
        reply,
        () => periods.delete(request.actor, key),
        () => paths.periods.list,
        async (errors) => duePage(request, key, {}, errors),
      );
    },
  );

  apiOperation(
    app,
    {
      method: 'GET',
      url: paths.api.periods,
      permission: 'reference.read',
      summary: 'List reporting periods, newest first',
      tag: 'Reporting periods',
      success: { status: 200, description: 'Periods' },
    },
    async (request) => periods.list(request.actor),
  );
  apiOperation(
    app,
    {
      method: 'POST',
      url: paths.api.periods,
      permission: 'reference.edit',
      summary: 'Add a reporting period by its identifier, e.g. {"key": "2009-10-h1"}',
      tag: 'Reporting periods',
      body: periodByKey,
      success: { status: 201, description: 'The period' },
    },
    async (request, reply) => reply.status(201).send(await periods.create(request.actor, request.body)),
  );
}
