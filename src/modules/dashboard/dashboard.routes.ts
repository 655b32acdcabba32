// The dashboard page: every number links to the list behind it.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { presentDashboard } from './dashboard.presenter.ts';

export function registerDashboardRoutes(app: FastifyInstance, services: Services): void {
  app.get(
    paths.dashboard,
    { config: { permission: 'dashboard.read' } },
    async (request: FastifyRequest<{ Querystring: { period?: string } }>, reply) => {
      const dashboard = await services.dashboard.forPeriod(request.actor, request.query.period || undefined);
      return reply.view('dashboard/views/dashboard.njk', {
        pageTitle: dashboard ? `Dashboard for ${dashboard.period.label}` : 'Dashboard',
        section: 'dashboard',
        ...(dashboard ? presentDashboard(dashboard) : { empty: true }),
      });
    },
  );
}
