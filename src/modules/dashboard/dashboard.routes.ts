// The dashboard page: every number links to the list behind it; each of its three lists shows its
// first few there and has pages of its own with the rest.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { pageAsked, pagedTitle, paginationView } from '../../platform/views/pagination.ts';
import { dashboardListHref, presentDashboard, presentDashboardList } from './dashboard.presenter.ts';
import { DASHBOARD_LISTS } from './dashboard.service.ts';

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

  for (const name of DASHBOARD_LISTS) {
    app.get(
      paths.dashboardLists[name],
      { config: { permission: 'dashboard.read' } },
      async (request: FastifyRequest<{ Querystring: { period?: string; page?: string } }>, reply) => {
        const list = await services.dashboard.list(
          request.actor,
          name,
          request.query.period || undefined,
          pageAsked(request.query.page),
        );
        // No periods yet: the dashboard says so and how to add one.
        if (!list) return reply.redirect(paths.dashboard, 303);
        const view = presentDashboardList(list);
        return reply.view('dashboard/views/dashboard-list.njk', {
          ...view,
          pageTitle: pagedTitle(view.heading, list.window),
          section: 'dashboard',
          pagination: paginationView(
            list.window,
            (n) => dashboardListHref(name, list.period.key, n),
            view.noun,
            `Pages of ${view.noun[1]}`,
          ),
        });
      },
    );
  }
}
