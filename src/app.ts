// buildApp(deps): a ready Fastify instance that does not listen (tests use inject()).
// Platform plugins first, then the modules, in one visible order.

import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseQuery } from 'node:querystring';
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Services } from './composition.ts';
import type { DB } from './schema.ts';
import type { Actor } from './domain/actor.ts';
import { paths } from './paths.ts';
import { viewsPlugin, GOVUK_FRONTEND_DIST } from './platform/views/views.ts';
import { registerErrorHandling } from './platform/http/errors.ts';
import { registerPlanRoutes } from './modules/plans/plan.routes.ts';
import { registerReportRoutes } from './modules/reports/report.routes.ts';
import { registerPeopleRoutes } from './modules/people/person.routes.ts';
import { registerOrganisationRoutes } from './modules/organisations/organisation.routes.ts';
import { registerPeriodRoutes } from './modules/periods/period.routes.ts';
import { registerIndicatorRoutes } from './modules/indicators/indicator.routes.ts';
import { registerIndicatorTransferRoutes } from './modules/indicators/indicator-transfer.routes.ts';
import { registerDashboardRoutes } from './modules/dashboard/dashboard.routes.ts';
import { registerBoardPackRoutes } from './modules/boardpack/boardpack.routes.ts';
import { registerOpenDataRoutes } from './modules/opendata/opendata.routes.ts';
import { registerRiskRoutes } from './modules/risks/risk.routes.ts';
import { registerJobRoutes } from './modules/jobs/job.routes.ts';
import { registerApiDocs } from './platform/http/openapi.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    organisationName: string | undefined;
  }
}

export interface AppDeps {
  config: Pick<Config, 'env' | 'logLevel'> & Partial<Pick<Config, 'watchTemplates'>>;
  db: Kysely<DB>;
  services: Services;
}

export async function buildApp({ config, db, services }: AppDeps): Promise<FastifyInstance> {
  const production = config.env === 'production';
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: 5 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Platform
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: production ? [] : null,
      },
    },
    strictTransportSecurity: production,
  });
  await app.register(formbody, { parser: (body) => parseQuery(body) });
  await app.register(fastifyStatic, {
    root: [join(root, 'public/build'), join(root, 'public'), join(GOVUK_FRONTEND_DIST, 'govuk')],
    prefix: `${paths.assets}/`,
    allowedPath: (path) => /^\/[\w.-]+\.(css|js|svg|map)$/.test(path),
    maxAge: production ? '1d' : 0,
  });
  await app.register(viewsPlugin, {
    globals: { paths },
    watch: config.watchTemplates ?? false,
    locals: (reply) => ({ organisationName: reply.request.organisationName }),
  });
  registerErrorHandling(app, production);

  app.get(paths.health, async (_request, reply) => {
    try {
      await sql`select 1`.execute(db);
      return reply.send({ status: 'ok' });
    } catch {
      return reply.status(503).send({ status: 'unavailable', detail: 'The database does not answer' });
    }
  });

  // Who is acting. Until sign-in exists (see docs/adr/0004), everything acts for the
  // deployment's home organisation.
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('organisationName', undefined);
  app.addHook('preHandler', async (request, reply) => {
    if (request.url.startsWith(`${paths.assets}/`) || request.url === paths.health) return;
    const home = await services.organisations.findHome();
    if (!home) {
      const detail = 'Amber has no organisation yet. Load the demo with `npx amber demo`, or import one with `npx amber import FILE.json`.';
      if (request.url.startsWith('/api')) return reply.status(503).type('application/problem+json').send({ type: 'about:blank', title: 'Not set up', status: 503, code: 'NO_ORGANISATION', detail });
      return reply.status(503).view('error.njk', { pageTitle: 'Amber is not set up yet', problem: { title: 'Amber is not set up yet', detail } });
    }
    request.actor = { organisationId: home.id, label: 'web (anonymous)' };
    request.organisationName = home.name;
  });

  app.get(paths.home, async (_request, reply) => reply.redirect(paths.priorities.list, 302));

  // Modules
  registerPlanRoutes(app, services);
  registerReportRoutes(app, services);
  registerPeopleRoutes(app, services);
  registerOrganisationRoutes(app, services);
  registerPeriodRoutes(app, services);
  registerIndicatorTransferRoutes(app, services);
  registerIndicatorRoutes(app, services);
  registerDashboardRoutes(app, services);
  registerBoardPackRoutes(app, services);
  registerOpenDataRoutes(app, services);
  registerRiskRoutes(app, services);
  registerJobRoutes(app, services);
  registerApiDocs(app);

  return app;
}
