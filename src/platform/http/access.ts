// Who may reach a route, and the one unit of work each request runs in.
//
// Every route declares its permission where it is defined (`config: { permission }`, one of
// domain/permissions.ts, or a list of which any will do); a route that declares none cannot be
// registered, except infrastructure (`config: { infrastructure: true }`: assets, the health
// check), which has no actor and touches no data of anyone's. For every other request, in order:
//
//   1. who is asking: a personal API token (accepted on /api only; a read token may only read),
//      a session cookie, or nobody (the public actor of the deployment's home organisation);
//      and for which organisation: the one the URL names (`/o/SLUG/…`, which the app strips
//      before routing), else the session's. A person who is not a member of the organisation a
//      URL names gets 404, as if it did not exist. From then on the unit of work acts for that
//      organisation (`actFor`): PostgreSQL's row-level security shows it only its own rows;
//   2. a state-changing request must carry the session's CSRF token (or, before sign-in, the
//      double-submit cookie's); requests with a token carry no cookie and need none;
//   3. the actor must hold the route's permission in some scope: the public is sent to sign in,
//      a signed-in person without it gets 403 — before the handler reads anything;
//   4. the handler runs, with all of the above, in one unit of work (one transaction, which a
//      GET by the public opens read only); nothing is sent until it has committed, so a
//      redirect saying "saved" never goes out for a change that was rolled back. A handler that
//      answers with an error status itself (a form shown again with its problems, 422; a
//      conflict, 409) has its unit rolled back: a refused request changes nothing, even if the
//      use case wrote something before it refused.
//
// Services then check the thing itself (`authorize(actor, permission, context)`).

import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Actor, Identity, PublicActor } from '../../domain/actor.ts';
import {
  authorize,
  isOperatorPermission,
  isPublicPermission,
  mayEver,
  type Permission,
} from '../../domain/permissions.ts';
import { AppError } from '../../domain/errors.ts';
import { toProblem } from './errors.ts';
import type { UnitOfWork, UnitOfWorkOptions } from '../db/unit-of-work.ts';
import { inOrganisation } from '../../paths.ts';
import { PageCache, freshNonces, keptResponse, withNonces, type KeptPage } from './page-cache.ts';
import './upload.ts';
import {
  appendCookie,
  bearerToken,
  cookieNames,
  isSafeMethod,
  preSessionCsrf,
  presentedCsrfToken,
  readCookies,
  sameSecret,
  serialiseCookie,
} from './auth.ts';

/** Thrown inside the unit of work to roll it back while still sending the handler's answer. */
class RefusedAnswer extends Error {
  readonly value: unknown;
  constructor(value: unknown) {
    super('the handler answered a refusal; its unit of work is rolled back');
    this.value = value;
  }
}

const isMultipart = (request: FastifyRequest) =>
  (request.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');

export interface RouteAccess {
  /** The permission the route needs (any of them, for a list). */
  permission?: Permission | readonly Permission[];
  /** Assets and the health check: no actor, no unit of work. */
  infrastructure?: boolean;
  /**
   * The handler's use case opens its own units of work (signing in checks the password between
   * two, so no transaction waits for argon2, and a failed attempt stays recorded): who is asking
   * is resolved in a unit of its own, and the handler runs in none.
   */
  ownUnitsOfWork?: boolean;
  /**
   * The handler reads through services, then draws a document from what it read (a PDF, a Word
   * file): who is asking is resolved in a unit of work of its own, and the handler runs in none,
   * acting for the organisation, as a job does; so each service call reads in a unit of its own,
   * ended before the drawing starts, and no transaction (on PGlite, the only connection) waits
   * while a board pack is drawn. Every route that answers with a document must say so: the
   * permissions walk checks it.
   */
  rendersDocument?: boolean;
  /**
   * `false` for the operator's pages only (creating organisations is not acting for one): the unit
   * of work stays the owner's, outside row-level security. A route may say so only when every
   * permission it accepts is an operator's.
   */
  actsForOrganisation?: false;
  /**
   * A signed-in person's GET of this route may be answered from a page kept in memory for their
   * session (page-cache.ts, ADR 0017) when the handler said it may be kept (`request.keepPage()`).
   */
  pageCache?: true;
}

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- merged into Fastify's route config
  interface FastifyContextConfig extends RouteAccess {}
  interface FastifyRequest {
    /** Who is acting: a signed-in user, or the public before sign-in. Set on every routed request. */
    actor: Actor;
    /** The signed-in user (session or API token); undefined before sign-in. */
    identity: Identity | undefined;
    /** The CSRF token forms on this page must carry. */
    csrfToken: string | undefined;
    organisationName: string | undefined;
    /** The name the acting organisation's URLs carry. */
    organisationSlug: string | undefined;
    /** The URL named the organisation (`/o/SLUG/…`): links built for this request carry it too. */
    organisationInUrl: boolean;
    /**
     * On a route with `pageCache`: the page this handler sends (200, after its unit of work commits)
     * may be kept for this session and URL until the organisation's access generation moves or
     * `validUntil` (ms) passes — say so only for a page that depends on nothing but what the access
     * generation covers (ADR 0017). Does nothing elsewhere.
     */
    keepPage(options?: { validUntil?: number }): void;
  }
  interface FastifyInstance {
    /** Every route registered, with what it needs. */
    routeTable: RegisteredRoute[];
    /** Pages kept in memory for sessions (ADR 0017); undefined when the app was built without. */
    pageCache: PageCache | undefined;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  /** The permissions of which the actor must hold one; empty for infrastructure. */
  permissions: readonly Permission[];
  infrastructure: boolean;
  /**
   * The handler draws a document after its reads, in no unit of work (`RouteAccess.rendersDocument`),
   * or opens its units itself (`ownUnitsOfWork`: the indicators' downloads read in one and write after).
   */
  drawsOutsideUnits: boolean;
}

/** A refusal worth the security log. */
export interface SecurityNote {
  organisationId: string | null;
  userId: string | null;
  email: string;
  ip: string;
  kind: string;
  detail: string;
}

export interface AccessOptions {
  units: {
    run<T>(fn: () => Promise<T>, options?: UnitOfWorkOptions): Promise<T>;
    current(): Pick<UnitOfWork, 'restrictToReading' | 'actFor'> | undefined;
    actingFor<T>(organisationId: string, fn: () => T): T;
  };
  production: boolean;
  /** The identity of a session cookie's secret; undefined when it is unknown or has ended. */
  resolveSession(token: string): Promise<Identity | undefined>;
  /** The identity of a personal API token; throws the refusal (an AppError) when it is not valid for this use. */
  resolveToken(token: string, use: { ip: string; request: string; writes: boolean }): Promise<Identity>;
  /**
   * The public actor of the organisation a URL names (by its slug), else of the home organisation,
   * with its name and slug; undefined while Amber has no organisation, or no organisation has the slug.
   */
  publicActor(
    slug?: string,
  ): Promise<{ actor: PublicActor; organisationName: string; organisationSlug: string } | undefined>;
  /** The same person acting for another organisation they belong to; undefined when they are not a member. */
  identityIn(identity: Identity, organisationId: string): Promise<Identity | undefined>;
  securityNote(note: SecurityNote): Promise<void>;
  /** Pages kept in memory (ADR 0017), and the one statement that reads an organisation's access generation. */
  pageCache?: KeptPages;
}

/** Pages kept in memory (ADR 0017), and the one statement that reads an organisation's access generation. */
export interface KeptPages {
  cache: PageCache;
  generation(organisationId: string): Promise<string>;
}

/** Where `answerKeptPages` leaves the key a page the normal path sends may be kept under. */
const KEPT_PAGE_KEY = Symbol('amber.keptPageKey');
const keptPageKeyOf = (request: FastifyRequest): string | undefined =>
  (request as unknown as Record<symbol, string | undefined>)[KEPT_PAGE_KEY];

const problem = (reply: FastifyReply, status: number, code: string, title: string, detail: string) =>
  reply.status(status).type('application/problem+json').send({ type: 'about:blank', title, status, code, detail });

const permissionsOf = (access: RouteAccess): readonly Permission[] =>
  access.permission === undefined
    ? []
    : typeof access.permission === 'string'
      ? [access.permission]
      : access.permission;

export class RouteWithoutPermissionError extends Error {
  constructor(method: string, url: string) {
    super(
      `${method} ${url} declares no permission: add \`config: { permission: '…' }\` (see src/domain/permissions.ts)`,
    );
  }
}

/** Where the app's URL rewriting leaves the organisation a URL named (`/o/SLUG/…`). */
export const ORGANISATION_SLUG = Symbol.for('amber.organisationSlug');

const organisationSlugOf = (request: FastifyRequest): string | undefined =>
  (request.raw as unknown as Record<symbol, string | undefined>)[ORGANISATION_SLUG];

export function registerAccess(app: FastifyInstance, options: AccessOptions): void {
  const cookies = cookieNames(options.production);
  const secure = options.production;
  const routeTable: RegisteredRoute[] = [];
  app.decorate('routeTable', routeTable);
  app.decorateRequest('actor', undefined as unknown as { getter: () => Actor });
  app.decorateRequest('identity', undefined);
  app.decorateRequest('csrfToken', undefined);
  app.decorateRequest('organisationName', undefined);
  app.decorateRequest('organisationSlug', undefined);
  app.decorateRequest('organisationInUrl', false);
  app.decorateRequest('checkFormCsrf', undefined);
  app.decorateRequest('formCsrfChecked', false);
  app.decorateRequest('keepPage', () => undefined);

  /** Sets who is asking on the request; false when the request has been answered (refused). */
  async function establish(request: FastifyRequest, reply: FastifyReply, access: RouteAccess): Promise<boolean> {
    const wantsJson = request.url.startsWith('/api');
    const ip = request.ip;
    const where = `${request.method} ${request.url.split('?')[0]}`;

    let identity: Identity | undefined;
    const bearer = bearerToken(request);
    if (bearer) {
      if (!wantsJson) {
        // So that no token can make tokens, change a password or invite anyone through the forms.
        await options.securityNote({
          organisationId: null,
          userId: null,
          email: '',
          ip,
          kind: 'api-token-refused',
          detail: `${where}: a token on a page or form`,
        });
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        problem(
          reply,
          401,
          'TOKEN_NOT_ACCEPTED_HERE',
          'Sign in to continue',
          'Personal API tokens work only on the API (addresses starting /api/). Pages and forms need you to sign in with a browser.',
        );
        return false;
      }
      try {
        identity = await options.resolveToken(bearer, { ip, request: where, writes: !isSafeMethod(request.method) });
      } catch (error) {
        // Refused (not valid, expired, revoked, read only): answered, and the refusal stays in the security log.
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (error.status === 401) reply.header('www-authenticate', 'Bearer error="invalid_token"');
        reply.status(error.status).type('application/problem+json').send(toProblem(error));
        return false;
      }
    } else {
      const sessionToken = readCookies(request)[cookies.session];
      if (sessionToken) {
        identity = await options.resolveSession(sessionToken);
        // An ended session's cookie is cleared, so the browser stops sending it.
        if (!identity) appendCookie(reply, serialiseCookie(cookies.session, '', { secure, maxAgeSeconds: 0 }));
      }
    }

    if (!isSafeMethod(request.method) && identity?.via !== 'token') {
      const presented = presentedCsrfToken(request);
      const expected = identity ? identity.csrfToken : readCookies(request)[cookies.csrf];
      const refusedNote = (given: string | undefined) =>
        options.securityNote({
          organisationId: identity?.actor.organisationId ?? null,
          userId: identity?.user.id ?? null,
          email: identity?.user.email ?? '',
          ip,
          kind: 'csrf-refused',
          detail: `${where}: ${given ? 'the token did not match' : 'no token'}`,
        });
      const detail =
        'The form could not be sent: it had expired, or it did not come from an Amber page. Go back, reload the page and try again. Nothing has been changed.';
      if (presented === undefined && isMultipart(request)) {
        // An upload form carries its token as its first field, read with the body (platform/http/upload.ts)
        // before any file; if the handler never reads it, the guard refuses the request and rolls back.
        request.checkFormCsrf = async (given) => {
          if (sameSecret(given, expected)) return;
          await refusedNote(given);
          throw new AppError('CSRF_TOKEN_INVALID', detail, 403);
        };
      } else if (!sameSecret(presented, expected)) {
        await refusedNote(presented);
        if (wantsJson) {
          problem(
            reply,
            403,
            'CSRF_TOKEN_INVALID',
            'You do not have permission',
            `${detail} Scripts should use a personal API token (Authorization: Bearer) or send the X-CSRF-Token header.`,
          );
        } else {
          reply.status(403).view('error.njk', {
            pageTitle: 'The form could not be sent',
            problem: { title: 'The form could not be sent', detail },
          });
        }
        return false;
      }
    }

    // The organisation the URL names: one the person belongs to, or (before sign-in) any that runs Amber.
    const slug = organisationSlugOf(request);
    request.organisationInUrl = slug !== undefined;
    const notFound = () => {
      // The header still shows who is signed in, in their own organisation.
      if (identity) {
        request.identity = identity;
        request.actor = identity.actor;
        request.organisationName = identity.organisationName;
        request.organisationSlug = identity.organisationSlug;
        request.csrfToken = identity.csrfToken;
      }
      const detail = `There is nothing at ${request.originalUrl.split('?')[0]}`;
      if (wantsJson) problem(reply, 404, 'NOT_FOUND', 'Page not found', detail);
      else
        reply
          .status(404)
          .view('error.njk', { pageTitle: 'Page not found', problem: { title: 'Page not found', detail } });
      return false;
    };
    if (identity && slug !== undefined && slug !== identity.organisationSlug) {
      const anonymousThere = await options.publicActor(slug);
      const there = anonymousThere && (await options.identityIn(identity, anonymousThere.actor.organisationId));
      // A personal API token belongs to one organisation: it never reaches another through a URL.
      if (!there || identity.via === 'token') return notFound();
      // What the session's statement read concerns the session's organisation, not this one.
      const { decidedUnder: _other, ...inThere } = there;
      identity = inThere;
    }

    if (identity) {
      request.identity = identity;
      request.actor = identity.actor;
      request.organisationName = identity.organisationName;
      request.organisationSlug = identity.organisationSlug;
      request.csrfToken = identity.csrfToken;
    } else {
      const anonymous = await options.publicActor(slug);
      if (!anonymous && slug !== undefined) return notFound();
      if (!anonymous) {
        const detail =
          'Amber has no organisation yet. Load the demo with `npx amber demo`, or import one with `npx amber import FILE.json`, then create an administrator with `npx amber user create --admin EMAIL`.';
        if (wantsJson) problem(reply, 503, 'NO_ORGANISATION', 'Not set up', detail);
        else
          reply.status(503).view('error.njk', {
            pageTitle: 'Amber is not set up yet',
            problem: { title: 'Amber is not set up yet', detail },
          });
        return false;
      }
      request.actor = anonymous.actor;
      request.organisationName = anonymous.organisationName;
      request.organisationSlug = anonymous.organisationSlug;
      // Forms shown before sign-in carry a double-submit token.
      request.csrfToken = preSessionCsrf(request, reply, cookies, secure);
    }

    // A cookie that turned out to be no session: the public's safe requests still write nothing.
    if (request.actor.kind === 'public' && isSafeMethod(request.method))
      await options.units.current()?.restrictToReading();
    const needed = permissionsOf(access);
    // From here on, PostgreSQL shows this request only its organisation's rows.
    if (access.actsForOrganisation !== false) await options.units.current()?.actFor(request.actor.organisationId);
    if (needed.some((p) => mayEver(request.actor, p))) return true;
    if (request.actor.kind === 'public') {
      askToSignIn(request, reply);
      return false;
    }
    // Throws the refusal that names what the person may not do.
    authorize(request.actor, needed[0]!);
    return true;
  }

  /**
   * Holds what a handler sends until its unit of work has ended: a redirect saying "saved" never
   * leaves for a change that was then rolled back, and the next request (on any connection) sees
   * what this one committed. While held, the reply is not awaitable (a handler returning it would
   * otherwise wait for a response that waits for it).
   */
  function hold(reply: FastifyReply): { release(): void; discard(): void; payload(): unknown } {
    const held: unknown[][] = [];
    const send = reply.send.bind(reply) as (...args: unknown[]) => unknown;
    Object.defineProperty(reply, 'send', {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        held.push(args);
        return reply;
      },
    });
    Object.defineProperty(reply, 'then', { configurable: true, writable: true, value: undefined });
    const restore = () => {
      delete (reply as unknown as Record<string, unknown>).send;
      delete (reply as unknown as Record<string, unknown>).then;
    };
    return {
      release() {
        restore();
        for (const args of held) send(...args);
      },
      discard: restore,
      payload: () => (held.length === 1 ? held[0]![0] : undefined),
    };
  }

  /**
   * A request that changes something, on a route the public may not use, from someone who shows
   * no credentials at all, is refused before a byte of its body is read: nobody can make the
   * server read 5 MB forms or 50 MB uploads without an account. (Signed-in people who may not use
   * the route are refused by `establish`, before the handler reads an upload.)
   */
  async function refuseStrangers(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    if (isSafeMethod(request.method)) return payload;
    if (bearerToken(request) !== undefined || readCookies(request)[cookies.session] !== undefined) return payload;
    reply.header('connection', 'close');
    return askToSignIn(request, reply);
  }

  /**
   * The answer to someone not signed in on a route that needs it: 401 for the API and for forms
   * (saying whether their session ended), a redirect to sign in for a page.
   */
  function askToSignIn(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const ended = readCookies(request)[cookies.session] !== undefined;
    if (request.url.startsWith('/api')) {
      reply.header('www-authenticate', 'Bearer');
      return problem(
        reply,
        401,
        'SIGN_IN_REQUIRED',
        'Sign in to continue',
        'Send a personal API token (Authorization: Bearer amber_…) or sign in.',
      );
    }
    if (request.method !== 'GET')
      return reply.status(401).view('error.njk', {
        pageTitle: 'Sign in to continue',
        problem: {
          title: 'Sign in to continue',
          detail: ended
            ? 'Your session has ended, so nothing was saved. Sign in again, then go back and make the change again.'
            : 'You need to sign in to do this, so nothing was saved. Sign in, then go back and make the change again.',
        },
      });
    // The address as the person typed it, so that signing in comes back to the same organisation.
    const query = new URLSearchParams({ next: request.originalUrl, ...(ended ? { notice: 'expired' } : {}) });
    return reply.redirect(`/sign-in?${query}`, 302);
  }

  /**
   * Wraps a handler: who is asking, the permission, then the handler, all in one unit of work; an
   * upload's in two (who is asking, then the handler's after its file has arrived); a document's,
   * or a use case's that opens its own, with the handler in none.
   */
  function guarded(handler: RouteHandlerMethod, access: RouteAccess): RouteHandlerMethod {
    return async function handle(this: FastifyInstance, request, reply) {
      const presentsCredentials =
        bearerToken(request) !== undefined || readCookies(request)[cookies.session] !== undefined;
      // The public's GETs can write nothing: the database refuses it.
      const unit: UnitOfWorkOptions = { readOnly: isSafeMethod(request.method) && !presentsCredentials };
      // A page the normal path sends that may be kept for this session and URL (ADR 0017): a kept
      // one was answered before the handler (`answerKeptPages`), which left the key to keep it under.
      const keeping = access.pageCache && options.pageCache ? keptPageKeyOf(request) : undefined;
      let sentPayload: unknown;
      const run = <T>(fn: () => Promise<T>): Promise<T> => {
        const held = hold(reply);
        return options.units.run(fn, unit).then(
          (value) => {
            sentPayload = held.payload();
            held.release();
            return value;
          },
          (error: unknown) => {
            // The handler answered a refusal itself (a form shown again with its errors): the
            // answer goes out, and whatever it wrote before refusing is rolled back.
            if (error instanceof RefusedAnswer) {
              held.release();
              return error.value as T;
            }
            held.discard();
            throw error;
          },
        );
      };
      const answered = Symbol('answered');
      // An upload whose form token was never read is refused, and what the handler did rolled back.
      const checkedForm = async (value: unknown): Promise<unknown> => {
        if (request.checkFormCsrf && !request.formCsrfChecked) await request.checkFormCsrf(undefined);
        // A refusal the handler answered itself (a 422 form, a 409 conflict page) changes nothing.
        if (reply.statusCode >= 400) throw new RefusedAnswer(value);
        return value;
      };
      // When the URL named the organisation, the links the handler builds do too (`/o/SLUG/…`), so
      // the address bar always says which organisation a page belongs to once a person is in one.
      const handled = () =>
        inOrganisation(request.organisationInUrl ? request.organisationSlug : undefined, () =>
          handler.call(this, request, reply),
        );
      let result: unknown;
      let keep: { validUntil?: number } | undefined;
      if (keeping) request.keepPage = (o = {}) => void (keep = o);
      // A multipart body (an upload) is streamed by the handler: who is asking is resolved in a
      // unit of work of its own first, and the handler's unit begins at its first statement, so
      // that no transaction (on PGlite, the only connection) waits while the file arrives. Decided
      // by the body, not by each route: every upload door gets it (a route's own flag for it was
      // never set, and a slow upload held PGlite for every other request until it ended). A
      // document's handler runs in no unit at all (`rendersDocument`): its reads end before it draws.
      if (isMultipart(request) || access.ownUnitsOfWork || access.rendersDocument) {
        if (!(await run(() => establish(request, reply, access)))) return reply;
        result = access.ownUnitsOfWork
          ? await handled()
          : access.rendersDocument
            ? await options.units.actingFor(request.actor.organisationId, handled)
            : await run(async () => {
                if (access.actsForOrganisation !== false)
                  await options.units.current()?.actFor(request.actor.organisationId);
                return checkedForm(await handled());
              });
      } else {
        result = await run(async () =>
          (await establish(request, reply, access)) ? await checkedForm(await handled()) : answered,
        );
      }
      if (keeping && keep && result !== answered) keepPage(keeping, request, reply, sentPayload, keep);
      return result === answered ? reply : result;
    };
  }

  /**
   * Keeps the page the normal path sent, with the headers it was sent with (sent by now: no hook
   * waits on a response), cut at its CSP nonces, if it may be kept.
   */
  function keepPage(
    key: string,
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
    keep: { validUntil?: number },
  ): void {
    const identity = request.identity;
    const nonces = (reply as unknown as { cspNonce?: { script: string; style: string } }).cspNonce;
    if (reply.statusCode !== 200 || typeof payload !== 'string' || !identity?.decidedUnder || !nonces) return;
    const response = keptResponse(payload, reply.getHeaders(), nonces);
    if (!response) return;
    const { generation, validUntil } = identity.decidedUnder;
    options.pageCache!.cache.keep(key, {
      ...response,
      identity,
      generation,
      validUntil: Math.min(validUntil, keep.validUntil ?? Infinity),
    });
  }

  app.addHook('onRoute', (route) => {
    const access: RouteAccess = (route.config as RouteAccess | undefined) ?? {};
    const methods = ([] as string[]).concat(route.method).filter((m) => m !== 'HEAD');
    // Plugins' own routes: the static assets (served from public/ and GOV.UK Frontend's dist).
    const isAsset = route.url.startsWith('/assets/');
    if (!access.infrastructure && !isAsset && permissionsOf(access).length === 0) {
      throw new RouteWithoutPermissionError(methods.join(','), route.url);
    }
    if (access.actsForOrganisation === false && !permissionsOf(access).every(isOperatorPermission))
      throw new Error(
        `${methods.join(',')} ${route.url}: only a route for operators may run outside an organisation (actsForOrganisation: false)`,
      );
    // The public's reads run read-only (the database refuses any write); a service called outside
    // a unit of work opens one that is not, so a route the public may use cannot draw outside one.
    if (access.rendersDocument && permissionsOf(access).some(isPublicPermission))
      throw new Error(
        `${methods.join(',')} ${route.url}: a route the public may use cannot draw outside a unit of work`,
      );
    for (const method of methods) {
      routeTable.push({
        method,
        url: route.url,
        permissions: permissionsOf(access),
        infrastructure: access.infrastructure === true || isAsset,
        drawsOutsideUnits: access.rendersDocument === true || access.ownUnitsOfWork === true,
      });
    }
    if (access.infrastructure || isAsset) return;
    route.handler = guarded(route.handler, access);
    if (!permissionsOf(access).some(isPublicPermission)) {
      const hooks = route.preParsing === undefined ? [] : ([] as unknown[]).concat(route.preParsing);
      route.preParsing = [...(hooks as (typeof refuseStrangers)[]), refuseStrangers];
    }
  });

  /** The not-found page: who is asking (for the header), as the public may see it. */
  app.decorate('accessGuard', (handler: RouteHandlerMethod, access: RouteAccess) => guarded(handler, access));
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Wraps a handler that is not a route (the not-found page) like a route with this access. */
    accessGuard(handler: RouteHandlerMethod, access: RouteAccess): RouteHandlerMethod;
  }
}

/**
 * Answers a GET of a route with `pageCache` from the page kept for its session and URL (ADR 0017),
 * if the organisation's access generation is still the one it was decided under and its time
 * holds: one statement outside any transaction, then the page as the normal path sent it, with
 * the headers it was sent with and this response's own nonces. Registered before helmet, whose
 * headers a hit carries already (kept with the page), and before every other hook a page would
 * run, so a hit runs none of them. Otherwise the request goes on to the normal path with the key
 * the route's page may be kept under (`registerAccess`, which needs the same `pageCache`).
 */
export function answerKeptPages(app: FastifyInstance, options: { production: boolean; pageCache: KeptPages }): void {
  const cookies = cookieNames(options.production);
  const { cache } = options.pageCache;
  app.decorateRequest(KEPT_PAGE_KEY, undefined);
  const goOn = (request: FastifyRequest, key: string) =>
    void ((request as unknown as Record<symbol, string>)[KEPT_PAGE_KEY] = key);

  /** Sends the page kept under `key` if it may still be used; false when the normal path must answer. */
  async function answer(request: FastifyRequest, reply: FastifyReply, key: string, entry: KeptPage): Promise<boolean> {
    let now: string | undefined;
    try {
      now = await options.pageCache.generation(entry.identity.actor.organisationId);
    } catch (error) {
      // Not known to be current: the normal path answers (and says what is wrong, with its headers).
      request.log.warn({ err: error }, 'the access generation could not be read: the kept page is not used');
    }
    if (now !== entry.generation) {
      if (now !== undefined) cache.counts.stale++;
      cache.drop(key);
      return false;
    }
    cache.counts.hits++;
    const identity = entry.identity;
    request.identity = identity;
    request.actor = identity.actor;
    request.organisationName = identity.organisationName;
    request.organisationSlug = identity.organisationSlug;
    request.csrfToken = identity.csrfToken;
    request.organisationInUrl = organisationSlugOf(request) !== undefined;
    const nonces = freshNonces();
    (reply as unknown as { cspNonce: typeof nonces }).cspNonce = nonces;
    const { body, csp } = withNonces(entry, nonces);
    reply.headers(entry.headers).header('content-security-policy', csp).send(body);
    return true;
  }

  // A callback hook: every other request goes on at once, with no promise made for it.
  app.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.pageCache !== true || request.method !== 'GET') return done();
    if (bearerToken(request) !== undefined) return done();
    const secret = readCookies(request)[cookies.session];
    if (!secret) return done();
    const key = PageCache.key(secret, request.originalUrl);
    const entry = cache.find(key);
    if (!entry) {
      goOn(request, key);
      return done();
    }
    // Answered: the hook chain stops here (no `done`).
    answer(request, reply, key, entry).then((sent) => {
      if (sent) return;
      goOn(request, key);
      done();
    }, done);
  });
}
