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
import { registerErrorHandling, toProblem } from './platform/http/errors.ts';
import { AppError } from './domain/errors.ts';
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
import { registerHistoryRoutes } from './modules/history/history.routes.ts';
import { registerMyWorkRoutes } from './modules/my-work/my-work.routes.ts';
import { registerDiagnosticRoutes } from './modules/diagnostic/diagnostic.routes.ts';
import { registerEfficiencyRoutes } from './modules/efficiency/efficiency.routes.ts';
import { registerApiDocs } from './platform/http/openapi.ts';
import { registerAccountRoutes } from './modules/accounts/account.routes.ts';
import { registerSsoRoutes } from './modules/accounts/account.sso.routes.ts';
import type { Identity } from './modules/accounts/account.service.ts';
import {
  appendCookie,
  bearerToken,
  clientOf,
  cookieNames,
  isApiUrl,
  isSafeMethod,
  mayWrite,
  preSessionCsrf,
  presentedCsrfToken,
  readCookies,
  sameSecret,
  serialiseCookie,
} from './platform/http/auth.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, with whether it is public. */
    routeTable: RegisteredRoute[];
  }
  interface FastifyRequest {
    actor: Actor;
    /** The signed-in user (session or API token); undefined on public pages before sign-in. */
    identity: Identity | undefined;
    /** The CSRF token forms on this page must carry. */
    csrfToken: string | undefined;
    organisationName: string | undefined;
  }
  interface FastifyContextConfig {
    /** Reachable without signing in. */
    public?: boolean;
  }
}

export interface AppDeps {
  config: Pick<Config, 'env' | 'logLevel'> & Partial<Pick<Config, 'watchTemplates' | 'oidc'>>;
  db: Kysely<DB>;
  services: Services;
}

export async function buildApp({ config, db, services }: AppDeps): Promise<FastifyInstance> {
  const production = config.env === 'production';
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] },
    bodyLimit: 5 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });

  // Every route as registered, for the permissions walk (test/permissions.test.ts) and the docs.
  const routeTable: RegisteredRoute[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of ([] as string[]).concat(route.method)) {
      if (method === 'HEAD') continue;
      routeTable.push({
        method,
        url: route.url,
        public: (route.config as { public?: boolean } | undefined)?.public === true,
      });
    }
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
    locals: (reply) => ({
      organisationName: reply.request.organisationName,
      csrfToken: reply.request.csrfToken,
      currentUser: reply.request.identity && {
        name: reply.request.identity.user.name || reply.request.identity.user.email,
        isAdministrator: reply.request.identity.roles.includes('administrator'),
      },
    }),
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

  // Who is acting (issue 3): a signed-in user, from the session cookie or a personal API token.
  // Pages and API operations need one, except those whose route says `config: { public: true }`
  // (sign-in, password reset, invitations, open data, the API description). Services check
  // what the actor may do (domain/permissions.ts); this hook only establishes who it is, and
  // refuses state-changing requests that lack the session's CSRF token. A personal token works
  // on the API only (so no token can make tokens or invite anyone through the forms), and a
  // read token only reads (issue 9).
  const secure = production;
  const cookies = cookieNames(secure);
  app.decorateRequest('actor', null as unknown as Actor);
  app.decorateRequest('identity', undefined);
  app.decorateRequest('csrfToken', undefined);
  app.decorateRequest('organisationName', undefined);
  app.addHook('preHandler', async (request, reply) => {
    if (request.url.startsWith(`${paths.assets}/`) || request.url === paths.health) return;
    const isPublic = request.routeOptions.config?.public === true || request.is404;
    const wantsJson = request.url.startsWith('/api');
    const client = clientOf(request);

    const bearer = bearerToken(request);
    let identity: Identity | undefined;
    if (bearer) {
      const what = `${request.method} ${request.url.split('?')[0]}`;
      try {
        if (!isApiUrl(request.url)) {
          await services.accounts.recordSecurityEvent({
            ip: client.ip,
            kind: 'api-token-refused',
            detail: `${what}: a token on a page or form`,
          });
          throw new AppError(
            'TOKEN_NOT_ACCEPTED_HERE',
            'Personal API tokens work only on the API (addresses starting /api/). Pages and forms need you to sign in with a browser.',
            401,
          );
        }
        identity = await services.accounts.resolveApiToken(bearer, {
          ip: client.ip,
          request: what,
          writes: mayWrite(request.method),
        });
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (error.status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
        return reply.status(error.status).type('application/problem+json').send(toProblem(error));
      }
    } else {
      const sessionToken = readCookies(request)[cookies.session];
      if (sessionToken) {
        identity = await services.accounts.resolveSession(sessionToken);
        // An ended session's cookie is cleared, so the browser stops sending it.
        if (!identity) appendCookie(reply, serialiseCookie(cookies.session, '', { secure, maxAgeSeconds: 0 }));
      }
    }

    if (!isSafeMethod(request.method)) {
      const presented = presentedCsrfToken(request);
      const expected =
        identity?.via === 'session' ? identity.csrfToken : identity ? undefined : readCookies(request)[cookies.csrf];
      if (identity?.via !== 'token' && !sameSecret(presented, expected)) {
        await services.accounts.recordSecurityEvent({
          organisationId: identity?.actor.organisationId ?? null,
          userId: identity?.user.id ?? null,
          email: identity?.user.email ?? '',
          ip: client.ip,
          kind: 'csrf-refused',
          detail: `${request.method} ${request.url.split('?')[0]}: ${presented ? 'the token did not match' : 'no token'}`,
        });
        const detail =
          'The form could not be sent: it had expired, or it did not come from an Amber page. Go back, reload the page and try again. Nothing has been changed.';
        if (wantsJson)
          return reply
            .status(403)
            .type('application/problem+json')
            .send({
              type: 'about:blank',
              title: 'You do not have permission',
              status: 403,
              code: 'CSRF_TOKEN_INVALID',
              detail: `${detail} Scripts should use a personal API token (Authorization: Bearer) or send the X-CSRF-Token header.`,
            });
        return reply
          .status(403)
          .view('error.njk', {
            pageTitle: 'The form could not be sent',
            problem: { title: 'The form could not be sent', detail },
          });
      }
    }

    if (identity) {
      request.identity = identity;
      request.actor = identity.actor;
      request.organisationName = identity.organisationName;
      request.csrfToken = identity.csrfToken;
      return;
    }
    const home = await services.organisations.findHome();
    if (!home) {
      const detail =
        'Amber has no organisation yet. Load the demo with `npx amber demo`, or import one with `npx amber import FILE.json`, then create an administrator with `npx amber user create --admin EMAIL`.';
      if (wantsJson)
        return reply
          .status(503)
          .type('application/problem+json')
          .send({ type: 'about:blank', title: 'Not set up', status: 503, code: 'NO_ORGANISATION', detail });
      return reply
        .status(503)
        .view('error.njk', {
          pageTitle: 'Amber is not set up yet',
          problem: { title: 'Amber is not set up yet', detail },
        });
    }
    if (!isPublic) {
      if (wantsJson) {
        return reply
          .status(401)
          .type('application/problem+json')
          .header('www-authenticate', 'Bearer')
          .send({
            type: 'about:blank',
            title: 'Sign in to continue',
            status: 401,
            code: 'SIGN_IN_REQUIRED',
            detail: 'Send a personal API token (Authorization: Bearer amber_…) or sign in.',
          });
      }
      if (request.method !== 'GET')
        return reply
          .status(401)
          .view('error.njk', {
            pageTitle: 'Sign in to continue',
            problem: {
              title: 'Sign in to continue',
              detail:
                'Your session has ended, so nothing was saved. Sign in again, then go back and make the change again.',
            },
          });
      return reply.redirect(
        `${paths.signIn}?${new URLSearchParams({ next: request.url, ...(readCookies(request)[cookies.session] ? { notice: 'expired' } : {}) })}`,
        302,
      );
    }
    // Public pages act for the deployment's home organisation and may only read (open data),
    // or show a form before sign-in (its CSRF token is a double-submit cookie).
    request.actor = { organisationId: home.id, label: 'public' };
    request.organisationName = home.name;
    request.csrfToken = preSessionCsrf(request, reply, cookies, secure);
  });

  // Refusals that matter to security are logged with who and where.
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 403 || !request.identity) return;
    await services.accounts
      .recordSecurityEvent({
        organisationId: request.identity.actor.organisationId,
        userId: request.identity.user.id,
        email: request.identity.user.email,
        ip: request.ip,
        kind: 'forbidden',
        detail: `${request.method} ${request.url.split('?')[0]}`,
      })
      .catch(() => undefined);
  });

  app.get(paths.home, async (_request, reply) => reply.redirect(paths.priorities.list, 302));

  // Modules
  // The demo's accounts are listed on the sign-in page, except in production.
  registerAccountRoutes(app, services, {
    secure,
    ...(config.oidc ? { ssoName: config.oidc.name } : {}),
    ...(production ? {} : { demoUsers: () => services.demo.accounts() }),
  });
  // Single sign-on (OIDC_*): its start and callback pages, only when it is configured.
  if (config.oidc) registerSsoRoutes(app, services, { secure, oidc: config.oidc });
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
  registerHistoryRoutes(app, services);
  registerMyWorkRoutes(app, services);
  registerDiagnosticRoutes(app, services);
  registerEfficiencyRoutes(app, services);
  registerApiDocs(app);

  return app;
}
