// The history pages (per report, per priority), the CSV exports for auditors (per priority, and
// the whole organisation with a date range) and the history in the API. Read only: no route
// changes or removes an audit event.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths, routes } from '../../paths.ts';
import { apiOperation } from '../../platform/http/openapi.ts';
import { errorView } from '../../platform/views/views.ts';
import { ValidationError } from '../../domain/errors.ts';
import { formatDate } from '../../domain/dates.ts';
import { writeCsv, writeCsvParts } from '../../platform/csv.ts';
import { presentEntries, csvRows, csvParts, CSV_HEADER } from './history.presenter.ts';

type Params = { code: string; period: string };
type RangeQuery = { from?: string; to?: string };

export function registerHistoryRoutes(app: FastifyInstance, services: Services): void {
  const { history } = services;

  app.get(
    routes.reportHistory,
    { config: { permission: 'history.read' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { priority, periodKey, entries } = await history.forReport(
        request.actor,
        request.params.code,
        request.params.period,
      );
      return reply.view('history/views/history.njk', {
        pageTitle: `History of the ${periodKey} report for ${priority.code}`,
        section: 'priorities',
        backLink: { href: paths.reports.show(priority.code, periodKey), text: 'Back to the report' },
        caption: `${priority.code} ${priority.title}`,
        entries: presentEntries(entries),
      });
    },
  );

  app.get(
    routes.priorityHistory,
    { config: { permission: 'history.read' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { priority, entries } = await history.forPriority(request.actor, request.params.code);
      return reply.view('history/views/history.njk', {
        pageTitle: `History of ${priority.code}`,
        section: 'priorities',
        backLink: { href: paths.priorities.show(priority.code), text: `Back to ${priority.code}` },
        caption: priority.title,
        entries: presentEntries(entries),
        csv: paths.history.priorityCsv(priority.code),
      });
    },
  );

  app.get(
    routes.priorityHistoryCsv,
    { config: { permission: 'audit.export' } },
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const { priority, entries } = await history.exportPriority(request.actor, request.params.code);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${`history-${priority.code}.csv`.replace(/[^\w.-]+/g, '_')}"`,
        )
        .send(writeCsv(CSV_HEADER, csvRows(entries)));
    },
  );

  app.get(
    paths.history.audit,
    { config: { permission: 'audit.export' } },
    async (request: FastifyRequest<{ Querystring: RangeQuery }>, reply) => {
      const query = { from: request.query.from ?? '', to: request.query.to ?? '' };
      try {
        const { range, entries } = await history.latest(request.actor, query);
        return reply.view('history/views/audit.njk', {
          pageTitle: 'Audit trail',
          values: query,
          entries: presentEntries(entries),
          rangeText:
            range.from || range.to
              ? `${range.from ? `from ${formatDate(range.from)}` : ''}${range.from && range.to ? ' ' : ''}${range.to ? `to ${formatDate(range.to)}` : ''}`
              : 'all dates',
          csv: paths.history.auditCsv(range.from ?? undefined, range.to ?? undefined),
        });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return reply.status(422).view('history/views/audit.njk', {
          pageTitle: 'Audit trail',
          values: query,
          errors: errorView(error.issues),
          entries: [],
        });
      }
    },
  );

  // The whole trail can be 100,000 events: written as its pages are read, each page in a unit of
  // work of its own (see history.exportOrganisation), so the request holds none while it downloads.
  app.get(
    paths.history.auditCsv(),
    { config: { permission: 'audit.export', ownUnitsOfWork: true } },
    async (request: FastifyRequest<{ Querystring: RangeQuery }>, reply) => {
      const { range, pages } = await history.exportOrganisation(request.actor, request.query);
      const name = `audit-trail${range.from ? `-from-${range.from}` : ''}${range.to ? `-to-${range.to}` : ''}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(writeCsvParts(CSV_HEADER, csvParts(pages)));
    },
  );

  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.reportHistory,
      permission: 'history.read',
      summary: 'The history of a report, newest first: who, when, what, each field before and after',
      tag: 'History',
      success: { status: 200, description: 'History entries' },
    },
    async (request: FastifyRequest<{ Params: Params }>) =>
      (await history.forReport(request.actor, request.params.code, request.params.period)).entries,
  );
  apiOperation(
    app,
    {
      method: 'GET',
      url: routes.api.priorityHistory,
      permission: 'history.read',
      summary: 'The history of a priority, its reports and risks, newest first',
      tag: 'History',
      success: { status: 200, description: 'History entries' },
    },
    async (request: FastifyRequest<{ Params: Params }>) =>
      (await history.forPriority(request.actor, request.params.code)).entries,
  );
}
