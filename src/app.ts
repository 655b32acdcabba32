// buildApp(deps): a ready Fastify instance that does not listen (tests use inject()).
// Platform plugins first, then the modules, in one visible order.

import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import type { Services } from './composition.ts';
import type { DB } from './schema.ts';
import { paths, splitOrganisationUrl } from './paths.ts';
import { viewsPlugin, GOVUK_FRONTEND_DIST } from './platform/views/views.ts';
import { registerErrorHandling } from './platform/http/errors.ts';
import { answerKeptPages, registerAccess, ORGANISATION_SLUG, type KeptPages } from './platform/http/access.ts';
import { parseFormBody, parseJsonBody } from './platform/http/form-body.ts';
import { registerHealthRoutes } from './platform/http/health.ts';
import { registerMetrics, registerMetricsRoute, type PoolStats } from './platform/http/metrics.ts';
import { registerRequestIdHeader, requestIdOptions } from './platform/http/request-id.ts';
import type { Units } from './platform/db/unit-of-work.ts';
import { readAccessGeneration } from './platform/db/access-generation.ts';
import { PageCache, type PageCacheOptions } from './platform/http/page-cache.ts';
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
import { registerDiagnosticApi } from './modules/diagnostic/diagnostic.api.ts';
import { registerEfficiencyApi } from './modules/efficiency/efficiency.api.ts';
import { registerSharingRoutes } from './modules/sharing/sharing.routes.ts';
import { registerClubRoutes } from './modules/clubs/club.routes.ts';
import { registerSharingApi } from './modules/sharing/sharing.api.ts';
import { registerClubApi } from './modules/clubs/club.api.ts';
import { registerApiDocs } from './platform/http/openapi.ts';
import { registerAccountRoutes } from './modules/accounts/account.routes.ts';
import { registerSsoRoutes } from './modules/accounts/account.sso.routes.ts';
import { registerAccessibilityRoutes } from './modules/accessibility/accessibility.routes.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export type { RegisteredRoute } from './platform/http/access.ts';

export interface AppDeps {
  config: Pick<Config, 'env' | 'logLevel'> &
    Partial<Pick<Config, 'watchTemplates' | 'oidc' | 'limits' | 'trustProxy' | 'metricsToken'>>;
  /** The pool-level database, for the health checks and the job queue's metrics. */
  db: Kysely<DB>;
  /** The database's connection pool (a `pg.Pool`), for its metrics; without it they are not shown. */
  pool?: PoolStats;
  /** Where log lines go (tests read them); standard output when not given. */
  logStream?: { write(line: string): void };
  /** Every request's unit of work. */
  units: Pick<Units<DB>, 'run' | 'current' | 'actingFor'>;
  services: Services;
  /**
   * Published report pages kept in memory for a session, checked with one statement (ADR 0017):
   * on unless `false`; its size and clock can be given.
   */
  pageCache?: PageCacheOptions | false;
}

/** A URL as logged: the secrets a URL may carry (link tokens, query parameters) are replaced. */
export const withoutSecrets = (url: string): string =>
  url
    // A password reset's or an invitation's link is itself the secret.
    .replace(/^(\/(?:password\/reset|invitations)\/)[^/?#]+/, '$1[redacted]')
    .replace(/([?&](?:_csrf|token|access_token|code|state)=)[^&#]*/gi, '$1[redacted]');

export async function buildApp({
  config,
  db,
  units,
  services,
  pool,
  logStream,
  pageCache: pageCacheOptions,
}: AppDeps): Promise<FastifyInstance> {
  const production = config.env === 'production';
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            ...(logStream ? { stream: logStream } : {}),
            // Secrets never reach the log: cookies, bearer tokens, CSRF tokens sent in a header,
            // and any token an old link or form still puts in the address.
            redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'],
            serializers: {
              req: (req: {
                method: string;
                url: string;
                hostname?: string;
                remoteAddress?: string;
                headers?: unknown;
              }) => ({
                method: req.method,
                url: withoutSecrets(req.url),
                hostname: req.hostname,
                remoteAddress: req.remoteAddress,
              }),
            },
          },
    bodyLimit: 5 * 1024 * 1024,
    // A request id on every log line and response: an incoming x-request-id if it looks safe (platform/http/request-id.ts).
    ...requestIdOptions,
    // Behind a load balancer the client's address (for sign-in limits and the security log) is
    // the one the trusted proxies forwarded (TRUST_PROXY); otherwise the connection's.
    // A number of hops is given as the function proxy-addr would make of it (Fastify's types take no number).
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(config.trustProxy)
        : (config.trustProxy ?? false),
    routerOptions: { ignoreTrailingSlash: true },
    // An organisation's pages are `/o/SLUG/…` (issue 11): routed without the prefix, the
    // organisation remembered for the access layer (which checks the person belongs to it).
    rewriteUrl(req) {
      const url = req.url ?? '/';
      const named = splitOrganisationUrl(url);
      if (!named) return url;
      (req as unknown as Record<symbol, string>)[ORGANISATION_SLUG] = named.slug;
      return named.rest;
    },
    // A JSON body with __proto__ or constructor.prototype keys is refused (400), never merged.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });

  // Platform
  // First, so that every response (errors, 404s, refusals) carries its id and is counted.
  registerRequestIdHeader(app);
  const metrics = registerMetrics(app, {
    db,
    pool,
    // Read at scrape time, by when the page cache below exists; each count under its result's label.
    kept: {
      report_page: () =>
        pageCache && {
          served: pageCache.counts.hits,
          changed: pageCache.counts.stale,
          expired: pageCache.counts.expired,
          absent: pageCache.counts.misses,
        },
      dashboard: () => {
        const { served, partly, changed, absent, notKept } = services.dashboard.keptCounts;
        return { served, partly, changed, absent, not_kept: notKept };
      },
    },
  });
  // Pages kept in memory for a session (platform/http/page-cache.ts, ADR 0017): a repeat read is
  // answered here, after one statement, with the headers the normal path sent the page with (and
  // fresh nonces); before helmet, which would build them again, and before every later hook: a hook
  // that must run for every response, a hit included, goes above this line.
  const pageCache = pageCacheOptions === false ? undefined : new PageCache(pageCacheOptions);
  app.decorate('pageCache', pageCache);
  const keptPages: KeptPages | undefined = pageCache && {
    cache: pageCache,
    generation: (organisationId) => readAccessGeneration(db, organisationId),
  };
  if (keptPages) answerKeptPages(app, { production, pageCache: keptPages });
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
  await app.register(formbody, { parser: parseFormBody });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  // Who may reach each route, and one unit of work per request (platform/http/access.ts). Every
  // route registered from here on must declare its permission.
  registerAccess(app, {
    ...(keptPages ? { pageCache: keptPages } : {}),
    units,
    production,
    resolveSession: (token) => services.accounts.resolveSession(token),
    resolveToken: (token, use) => services.accounts.resolveApiToken(token, use),
    publicActor: (slug) => services.organisations.publicActor(slug),
    identityIn: (identity, organisationId) => services.accounts.identityIn(identity, organisationId),
    securityNote: (note) => services.accounts.recordSecurityEvent(note),
  });
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
      organisationSlug: reply.request.organisationSlug,
      csrfToken: reply.request.csrfToken,
      currentUser: reply.request.identity && {
        name: reply.request.identity.user.name || reply.request.identity.user.email,
        isAdministrator: reply.request.identity.actor.roles.includes('administrator'),
        /** Belongs to more than one organisation: the header offers to switch. */
        canSwitch: reply.request.identity.memberships > 1,
        isOperator: reply.request.identity.operator,
      },
    }),
  });
  registerErrorHandling(app, production);

  registerHealthRoutes(app, { db });
  registerMetricsRoute(app, metrics, { token: config.metricsToken });

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

  app.get(paths.home, { config: { permission: 'account.own' } }, async (_request, reply) =>
    reply.redirect(paths.priorities.list, 302),
  );

  // Modules
  const secure = production;
  // The demo's accounts are listed on the sign-in page, except in production.
  registerAccountRoutes(app, services, {
    secure,
    onSignInFailure: metrics.signInFailed,
    ...(config.oidc ? { ssoName: config.oidc.name } : {}),
    ...(production ? {} : { demoUsers: () => services.demo.accounts() }),
  });
  // Single sign-on (OIDC_*): its start and callback pages, only when it is configured.
  if (config.oidc)
    registerSsoRoutes(app, services, { secure, oidc: config.oidc, onSignInFailure: metrics.signInFailed });
  registerPlanRoutes(app, services);
  registerReportRoutes(app, services);
  registerPeopleRoutes(app, services);
  registerOrganisationRoutes(app, services);
  registerPeriodRoutes(app, services);
  registerIndicatorTransferRoutes(app, services, config.limits);
  registerIndicatorRoutes(app, services);
  registerDashboardRoutes(app, services);
  registerBoardPackRoutes(app, services);
  registerOpenDataRoutes(app, services);
  registerRiskRoutes(app, services);
  registerJobRoutes(app, services);
  registerHistoryRoutes(app, services);
  registerMyWorkRoutes(app, services);
  registerDiagnosticRoutes(app, services, config.limits);
  registerEfficiencyRoutes(app, services);
  registerDiagnosticApi(app, services, config.limits);
  registerEfficiencyApi(app, services);
  registerSharingRoutes(app, services);
  registerClubRoutes(app, services);
  registerSharingApi(app, services);
  registerClubApi(app, services);
  registerAccessibilityRoutes(app, services);
  registerApiDocs(app);

  return app;
}
