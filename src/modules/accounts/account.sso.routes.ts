// The two pages of single sign-on (registered only when OIDC_* is configured): the start, which
// sends the browser to the provider, and the callback it comes back to. Both are public; the
// callback is a GET, so it needs no CSRF token: the state in the attempt cookie does that job.
// Both talk to the provider over the network, so neither holds a transaction: each account call
// is a unit of work of its own.
// A refusal changes nothing, shows the sign-in page with the reason and goes in the security log.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { paths } from '../../paths.ts';
import { appendCookie, clientOf, cookieNames, readCookies, serialiseCookie } from '../../platform/http/auth.ts';
import { SignInFailedError } from './account.service.ts';
import { safeNext } from './account.routes.ts';
import {
  createSsoClient,
  decodeAttempt,
  encodeAttempt,
  SsoRefusedError,
  SsoUnavailableError,
  type SsoSettings,
} from './account.sso.ts';

export interface SsoRouteOptions {
  /** Secure cookies with the __Host- prefix (production, behind HTTPS). */
  secure: boolean;
  oidc: SsoSettings;
  /** Told of every sign-on refused for want of an account (the app counts them in its metrics). */
  onSignInFailure?: (failure: { method: 'sso'; reason: 'refused' }) => void;
}

/** How long a sign-on may take at the provider (signing in, consenting) before it must start again. */
const ATTEMPT_SECONDS = 10 * 60;

export function registerSsoRoutes(app: FastifyInstance, services: Services, options: SsoRouteOptions): void {
  const { accounts } = services;
  const sso = createSsoClient(options.oidc);
  const names = cookieNames(options.secure);
  const attemptCookie = options.secure ? '__Host-amber_sso' : 'amber_sso';
  const clearAttempt = (reply: FastifyReply) =>
    appendCookie(reply, serialiseCookie(attemptCookie, '', { secure: options.secure, maxAgeSeconds: 0 }));

  const unavailable = (reply: FastifyReply, error: SsoUnavailableError) =>
    reply.status(503).view('error.njk', {
      pageTitle: `Sign in with ${sso.name} is not available`,
      problem: { title: `Sign in with ${sso.name} is not available`, detail: error.message },
    });

  async function refused(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    message: string,
    kind: string,
    detail: string,
    email = '',
  ) {
    // Public pages act for the deployment's home organisation: its administrators see these in their security log.
    await accounts.recordSecurityEvent({
      organisationId: request.actor?.organisationId ?? null,
      email,
      ip: clientOf(request).ip,
      kind,
      detail: `single sign-on: ${detail}`,
    });
    return reply.status(status).view('accounts/views/sign-in.njk', {
      pageTitle: 'Sign in',
      values: {},
      ssoName: sso.name,
      errors: { list: [{ text: message, href: '#sso' }], byField: {} },
    });
  }

  app.get(
    paths.sso.start,
    { config: { permission: 'account.sign-in', ownUnitsOfWork: true } },
    async (request, reply) => {
      const next = safeNext((request.query as Record<string, unknown>).next);
      if (request.identity) return reply.redirect(next ?? paths.home, 303);
      try {
        const { url, attempt } = await sso.start(next);
        appendCookie(
          reply,
          serialiseCookie(attemptCookie, encodeAttempt(attempt), {
            secure: options.secure,
            maxAgeSeconds: ATTEMPT_SECONDS,
          }),
        );
        return reply.redirect(url, 303);
      } catch (error) {
        if (!(error instanceof SsoUnavailableError)) throw error;
        request.log.warn({ err: error.cause }, 'single sign-on: the provider cannot be reached');
        return unavailable(reply, error);
      }
    },
  );

  app.get(
    paths.sso.callback,
    { config: { permission: 'account.sign-in', ownUnitsOfWork: true } },
    async (request, reply) => {
      const cookies = readCookies(request);
      const attempt = decodeAttempt(cookies[attemptCookie]);
      // The attempt is used once, whatever happens next.
      clearAttempt(reply);
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      let email: string;
      try {
        ({ email } = await sso.finish(query, attempt));
      } catch (error) {
        if (error instanceof SsoUnavailableError) {
          request.log.warn({ err: error.cause }, 'single sign-on: the provider cannot be reached');
          return unavailable(reply, error);
        }
        if (error instanceof SsoRefusedError)
          return refused(request, reply, error.status, error.message, 'sso-refused', error.detail, error.email);
        throw error;
      }
      try {
        // signInWithEmail writes its own security event, for a refusal as for a success.
        const session = await accounts.signInWithEmail(email, clientOf(request));
        // A new session id at every sign-in: any id planted before sign-in is worthless.
        const old = cookies[names.session];
        if (old) await accounts.signOut(old, clientOf(request));
        appendCookie(
          reply,
          serialiseCookie(names.session, session.token, { secure: options.secure, expires: session.expiresAt }),
        );
        return reply.redirect(safeNext(attempt?.next) ?? paths.home, 303);
      } catch (error) {
        if (!(error instanceof SignInFailedError)) throw error;
        options.onSignInFailure?.({ method: 'sso', reason: 'refused' });
        return reply.status(error.status).view('accounts/views/sign-in.njk', {
          pageTitle: 'Sign in',
          values: {},
          ssoName: sso.name,
          errors: { list: [{ text: error.message, href: '#sso' }], byField: {} },
        });
      }
    },
  );
}
