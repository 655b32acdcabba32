// Pages of sign-in and accounts: sign in and out, forgotten password, invitations, the person's
// own account (password, API tokens), and the administrator's users and security log.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../composition.ts';
import { organisationPrefix, paths, routes } from '../../paths.ts';
import { formBody, selectItems } from '../../platform/http/forms.ts';
import { appendCookie, clientOf, cookieNames, readCookies, serialiseCookie } from '../../platform/http/auth.ts';
import { errorView } from '../../platform/views/views.ts';
import { ValidationError } from '../../domain/errors.ts';
import { ROLES, ROLE_LABELS, type Role } from '../../domain/permissions.ts';
import { SignInFailedError, SignInLimitedError, type NewSession } from './account.service.ts';
import { API_TOKEN_DAYS, DEFAULT_API_TOKEN_DAYS, MIN_PASSWORD } from './account.schemas.ts';
import { formatUkDateTime, roleNames, STATE_LABELS } from './account.presenter.ts';

type TokenReq = FastifyRequest<{ Params: { token: string } }>;
type IdReq = FastifyRequest<{ Params: { id: string } }>;

/** Where to go after signing in: only a path on this site (never `//elsewhere`). */
export function safeNext(value: unknown): string | undefined {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && !value.startsWith(paths.signIn)
    ? value
    : undefined;
}

export interface AccountRouteOptions {
  /** Secure cookies with the __Host- prefix (production, behind HTTPS). */
  secure: boolean;
  /** The demo accounts to list on the sign-in page (the demo only). */
  demoUsers?: () => Promise<{ role: string; email: string; password: string }[]>;
  /** The single sign-on button's provider name, when single sign-on is configured. */
  ssoName?: string;
  /** Told of every failed sign-in (the app counts them in its metrics); the security log has the details. */
  onSignInFailure?: (failure: { method: 'password'; reason: 'refused' | 'limited' }) => void;
}

export function registerAccountRoutes(app: FastifyInstance, services: Services, options: AccountRouteOptions): void {
  const { accounts, people } = services;
  const names = cookieNames(options.secure);
  const knownBrowserCookie = options.secure ? '__Host-amber_known_browser' : 'amber_known_browser';

  const setSession = (reply: FastifyReply, session: NewSession) =>
    appendCookie(
      reply,
      serialiseCookie(names.session, session.token, { secure: options.secure, expires: session.expiresAt }),
    );
  const clearSession = (reply: FastifyReply) =>
    appendCookie(reply, serialiseCookie(names.session, '', { secure: options.secure, maxAgeSeconds: 0 }));

  async function signInPage(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const next = safeNext((request.query as Record<string, unknown>).next);
    return {
      pageTitle: 'Sign in',
      next,
      values: {},
      ssoName: options.ssoName,
      demoUsers: options.demoUsers ? await options.demoUsers() : undefined,
      notice:
        (request.query as Record<string, string>).notice === 'reset'
          ? 'Your password has been changed. Sign in with the new one.'
          : (request.query as Record<string, string>).notice === 'signed-out'
            ? 'You have signed out.'
            : (request.query as Record<string, string>).notice === 'expired'
              ? 'Your session has ended. Sign in again to carry on.'
              : undefined,
      ...extra,
    };
  }

  app.get(paths.signIn, { config: { permission: 'account.sign-in' } }, async (request, reply) => {
    if (request.identity)
      return reply.redirect(safeNext((request.query as Record<string, unknown>).next) ?? paths.home, 303);
    return reply.view('accounts/views/sign-in.njk', await signInPage(request));
  });

  app.post(
    paths.signIn,
    { config: { permission: 'account.sign-in', ownUnitsOfWork: true } },
    async (request, reply) => {
      const body = formBody(request);
      try {
        const session = await accounts.signIn(request.actor, body, {
          ...clientOf(request),
          knownBrowsers: readCookies(request)[knownBrowserCookie],
        });
        // A new session id at every sign-in: any id planted before sign-in is worthless.
        const old = readCookies(request)[names.session];
        if (old) await accounts.signOut(old, clientOf(request));
        setSession(reply, session);
        // This browser is now known to the account: others' failed attempts cannot stop it (the
        // account service's SIGN-IN LIMITS). Kept for as long as it stays known.
        appendCookie(
          reply,
          serialiseCookie(knownBrowserCookie, session.knownBrowsers, {
            secure: options.secure,
            maxAgeSeconds: accounts.settings.knownBrowserDays * 86_400,
          }),
        );
        return reply.redirect(safeNext((request.query as Record<string, unknown>).next) ?? paths.home, 303);
      } catch (error) {
        const values = { email: typeof body.email === 'string' ? body.email : '' };
        if (error instanceof ValidationError)
          return reply
            .status(422)
            .view('accounts/views/sign-in.njk', await signInPage(request, { values, errors: errorView(error.issues) }));
        if (error instanceof SignInFailedError || error instanceof SignInLimitedError)
          options.onSignInFailure?.({
            method: 'password',
            reason: error instanceof SignInLimitedError ? 'limited' : 'refused',
          });
        if (error instanceof SignInFailedError)
          return reply
            .status(401)
            .view(
              'accounts/views/sign-in.njk',
              await signInPage(request, { values, errors: errorView([{ field: 'email', message: error.message }]) }),
            );
        if (error instanceof SignInLimitedError) {
          reply.header('retry-after', String(Math.max(1, Math.ceil((error.retryAt.getTime() - Date.now()) / 1000))));
          return reply
            .status(429)
            .view('accounts/views/sign-in.njk', await signInPage(request, { values, limited: error.message }));
        }
        throw error;
      }
    },
  );

  app.post(paths.signOut, { config: { permission: 'account.own' } }, async (request, reply) => {
    const token = readCookies(request)[names.session];
    if (token) await accounts.signOut(token, clientOf(request));
    clearSession(reply);
    return reply.redirect(`${paths.signIn}?notice=signed-out`, 303);
  });

  // Forgotten password
  app.get(paths.password.forgotten, { config: { permission: 'account.sign-in' } }, async (_request, reply) =>
    reply.view('accounts/views/forgotten-password.njk', { pageTitle: 'Reset your password', values: {} }),
  );
  app.post(paths.password.forgotten, { config: { permission: 'account.sign-in' } }, async (request, reply) => {
    const body = formBody(request);
    try {
      await accounts.requestPasswordReset(request.actor, body, clientOf(request));
      return reply.view('accounts/views/forgotten-password.njk', {
        pageTitle: 'Check your e-mail',
        sent: String(body.email).trim(),
        minutes: accounts.settings.resetLinkMinutes,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply.status(422).view('accounts/views/forgotten-password.njk', {
        pageTitle: 'Reset your password',
        values: body,
        errors: errorView(error.issues),
      });
    }
  });

  const resetPage = (token: string, email: string, extra: Record<string, unknown> = {}) => ({
    pageTitle: 'Choose a new password',
    email,
    action: paths.password.reset(token),
    minPassword: MIN_PASSWORD,
    buttonText: 'Change password',
    values: {},
    ...extra,
  });
  app.get(routes.passwordReset, { config: { permission: 'account.sign-in' } }, async (request: TokenReq, reply) => {
    const user = await accounts.checkPasswordReset(request.actor, request.params.token);
    return reply.view('accounts/views/set-password.njk', resetPage(request.params.token, user.email));
  });
  app.post(routes.passwordReset, { config: { permission: 'account.sign-in' } }, async (request: TokenReq, reply) => {
    const { token } = request.params;
    try {
      await accounts.resetPassword(request.actor, token, formBody(request), clientOf(request));
      return reply.redirect(`${paths.signIn}?notice=reset`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const user = await accounts.checkPasswordReset(request.actor, token);
      return reply
        .status(422)
        .view('accounts/views/set-password.njk', resetPage(token, user.email, { errors: errorView(error.issues) }));
    }
  });

  // Invitations
  const invitationPage = (
    token: string,
    email: string,
    values: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) => ({
    pageTitle: 'Set up your Amber account',
    email,
    askName: true,
    action: paths.invitations.show(token),
    minPassword: MIN_PASSWORD,
    buttonText: 'Save and sign in',
    values,
    ...extra,
  });
  app.get(routes.invitation, { config: { permission: 'account.sign-in' } }, async (request: TokenReq, reply) => {
    const user = await accounts.checkInvitation(request.actor, request.params.token);
    return reply.view(
      'accounts/views/set-password.njk',
      invitationPage(request.params.token, user.email, { name: user.name }),
    );
  });
  app.post(routes.invitation, { config: { permission: 'account.sign-in' } }, async (request: TokenReq, reply) => {
    const { token } = request.params;
    const body = formBody(request);
    try {
      setSession(reply, await accounts.acceptInvitation(request.actor, token, body, clientOf(request)));
      return reply.redirect(paths.home, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const user = await accounts.checkInvitation(request.actor, token);
      return reply
        .status(422)
        .view(
          'accounts/views/set-password.njk',
          invitationPage(token, user.email, { name: body.name }, { errors: errorView(error.issues) }),
        );
    }
  });

  // The person's own account
  const DAY = 86_400_000;
  async function accountPage(
    request: FastifyRequest,
    extra: { values?: Record<string, unknown> } & Record<string, unknown> = {},
  ) {
    const identity = request.identity!;
    const tokens = await accounts.listApiTokens(request.actor);
    const personId = identity.actor.personId;
    const person = personId ? (await people.list(request.actor)).find((p) => p.id === personId) : undefined;
    const values = extra.values ?? {};
    const days = String(values.expiresInDays ?? DEFAULT_API_TOKEN_DAYS);
    const now = Date.now();
    return {
      pageTitle: 'Your account',
      section: 'account',
      user: identity.user,
      roles: roleNames(identity.actor.roles),
      personName: person?.name,
      minPassword: MIN_PASSWORD,
      tokens: tokens.map((t) => ({
        name: t.name,
        start: `amber_${t.prefix}_…`,
        access: t.scope === 'read' ? 'Read only' : 'Read and write',
        created: formatUkDateTime(t.createdAt),
        expires: formatUkDateTime(t.expiresAt),
        lastUsed: t.lastUsedAt ? formatUkDateTime(t.lastUsedAt) : 'Never',
        revoked: t.revokedAt
          ? `${formatUkDateTime(t.revokedAt)}${t.revokedReason ? ` (${t.revokedReason})` : ''}`
          : undefined,
        expired: !t.revokedAt && t.expiresAt.getTime() <= now,
        revokeHref: paths.account.revokeToken(t.id),
      })),
      scopeItems: [
        {
          value: 'read',
          text: 'Read only',
          hint: { text: 'It can fetch anything you can see, but cannot change anything' },
          checked: values.scope === 'read',
        },
        {
          value: 'read-write',
          text: 'Read and write',
          hint: { text: 'It can also make the changes your roles allow' },
          checked: values.scope === 'read-write',
        },
      ],
      expiryItems: API_TOKEN_DAYS.map((d) => ({
        value: String(d),
        text: `${d === 365 ? '1 year' : `${d} days`} (until ${formatUkDateTime(new Date(now + d * DAY))})`,
        selected: String(d) === days,
      })),
      ...extra,
      values,
    };
  }
  // The organisations a person belongs to (issue 11): switching opens the chosen one at its own
  // address and makes it the one unprefixed addresses (old bookmarks) open in.
  async function switchPage(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const memberships = await accounts.listOwnMemberships(request.actor);
    return {
      pageTitle: 'Switch organisation',
      items: memberships.map((m) => ({
        value: m.organisationSlug,
        text: m.organisationName,
        hint: { text: roleNames(m.roles) },
        checked: m.organisationId === request.actor.organisationId,
        attributes: { 'data-qa': `organisation-${m.organisationSlug}` },
      })),
      ...extra,
    };
  }
  app.get(paths.switchOrganisation, { config: { permission: 'account.own' } }, async (request, reply) =>
    reply.view('accounts/views/switch-organisation.njk', await switchPage(request)),
  );
  app.post(paths.switchOrganisation, { config: { permission: 'account.own' } }, async (request, reply) => {
    const chosen = formBody(request).organisation;
    const memberships = await accounts.listOwnMemberships(request.actor);
    const to = memberships.find((m) => typeof chosen === 'string' && m.organisationSlug === chosen);
    if (!to) {
      const message = 'Choose one of the organisations you belong to';
      return reply.status(422).view(
        'accounts/views/switch-organisation.njk',
        await switchPage(request, {
          errors: { list: [{ text: message, href: '#organisation' }], byField: { organisation: { text: message } } },
        }),
      );
    }
    const token = readCookies(request)[names.session];
    if (token) await accounts.rememberOrganisation(token, to.organisationId);
    return reply.redirect(`${organisationPrefix(to.organisationSlug)}/`, 303);
  });

  app.get(paths.account.show, { config: { permission: 'account.own' } }, async (request, reply) => {
    const q = request.query as Record<string, string>;
    return reply.view(
      'accounts/views/account.njk',
      await accountPage(request, {
        flash:
          q.saved === 'password'
            ? 'Your password has been changed. You have been signed out everywhere else, and any API tokens of yours have been revoked.'
            : q.saved === 'revoked'
              ? 'The token has been revoked.'
              : undefined,
      }),
    );
  });
  app.post(paths.account.password, { config: { permission: 'account.own' } }, async (request, reply) => {
    try {
      // Every other session ends and every API token is revoked; this one goes on with a new id.
      const session = await accounts.changePassword(
        request.actor,
        formBody(request),
        clientOf(request),
        readCookies(request)[names.session],
      );
      if (session) setSession(reply, session);
      return reply.redirect(`${paths.account.show}?saved=password`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply
        .status(422)
        .view('accounts/views/account.njk', await accountPage(request, { errors: errorView(error.issues) }));
    }
  });
  app.post(paths.account.tokens, { config: { permission: 'account.own' } }, async (request, reply) => {
    const body = formBody(request);
    try {
      const { token } = await accounts.createApiToken(request.actor, body);
      // Shown once, on this response only; never in a URL.
      return reply.view('accounts/views/account.njk', await accountPage(request, { newToken: token }));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply
        .status(422)
        .view(
          'accounts/views/account.njk',
          await accountPage(request, { values: body, errors: errorView(error.issues) }),
        );
    }
  });
  app.post(routes.revokeToken, { config: { permission: 'account.own' } }, async (request: IdReq, reply) => {
    await accounts.revokeApiToken(request.actor, request.params.id);
    return reply.redirect(`${paths.account.show}?saved=revoked`, 303);
  });

  // Administration: users
  const roleItems = (selected: readonly string[]) =>
    ROLES.map((r) => ({ value: r, text: ROLE_LABELS[r], checked: selected.includes(r) }));
  const personItems = async (request: FastifyRequest, selected: string | null | undefined) =>
    selectItems(
      await people.list(request.actor),
      (p) => p.id,
      (p) => `${p.name}${p.jobTitle ? `, ${p.jobTitle}` : ''}`,
      selected,
      'Not one of the people in Amber',
    );

  app.get(paths.users.list, { config: { permission: 'users.manage' } }, async (request, reply) => {
    const users = await accounts.listUsers(request.actor);
    const q = request.query as Record<string, string>;
    return reply.view('accounts/views/users.njk', {
      pageTitle: 'Users',
      section: 'users',
      flash:
        q.saved === 'invited'
          ? 'The invitation has been sent.'
          : q.saved === 'changed'
            ? 'The user has been saved.'
            : q.saved === 'resent'
              ? 'The invitation has been sent again.'
              : undefined,
      users: users.map((u) => ({
        href: paths.users.show(u.id),
        name: u.name,
        email: u.email,
        roles: roleNames(u.membership.roles),
        personName: u.membership.personName ?? '',
        state: STATE_LABELS[u.state],
        stateClass:
          u.state === 'active' ? 'govuk-tag--green' : u.state === 'invited' ? 'govuk-tag--blue' : 'govuk-tag--grey',
        lastSignedIn: u.lastSignedInAt ? formatUkDateTime(u.lastSignedInAt) : 'Never',
      })),
    });
  });

  // Without a mail server (no SMTP_URL) an invitation's e-mail only reaches the log: the
  // administrator who made it is told so and given the link to pass on, in this one response. It
  // never goes into a redirect's address or a message others could see, and is not cached.
  const mailDelivers = () => services.mailer.delivers !== false;
  function linkToPassOn(
    reply: FastifyReply,
    invited: { user: { name: string; email: string }; link: string; expiresAt: Date | null; resent: boolean },
  ) {
    reply.header('cache-control', 'no-store');
    const who = invited.user.name || invited.user.email;
    return reply.view('accounts/views/invitation-link.njk', {
      pageTitle: invited.expiresAt
        ? `No e-mail was sent: give ${who} their invitation link`
        : `No e-mail was sent: tell ${who} they can sign in`,
      section: 'users',
      backLink: { href: paths.users.list, text: 'Users' },
      who,
      email: invited.user.email,
      link: invited.link,
      expiresAt: invited.expiresAt && formatUkDateTime(invited.expiresAt),
      resent: invited.resent,
    });
  }

  async function inviteForm(
    request: FastifyRequest,
    values: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) {
    const roles = Array.isArray(values.roles)
      ? (values.roles as string[])
      : typeof values.roles === 'string'
        ? [values.roles]
        : [];
    return {
      pageTitle: 'Invite a user',
      section: 'users',
      inviting: true,
      action: paths.users.invite,
      buttonText: 'Send invitation',
      backLink: { href: paths.users.list, text: 'Users' },
      values,
      roleItems: roleItems(roles),
      personItems: await personItems(request, values.personId as string),
      noMail: !mailDelivers(),
      ...extra,
    };
  }
  app.get(paths.users.invite, { config: { permission: 'users.manage' } }, async (request, reply) => {
    await accounts.listUsers(request.actor); // the permission check, before showing the form
    return reply.view('accounts/views/user-form.njk', await inviteForm(request, {}));
  });
  app.post(paths.users.invite, { config: { permission: 'users.manage' } }, async (request, reply) => {
    const body = formBody(request);
    try {
      const invited = await accounts.invite(request.actor, body, request.identity?.user.name || request.actor.label);
      if (!mailDelivers()) return linkToPassOn(reply, { ...invited, resent: false });
      return reply.redirect(`${paths.users.list}?saved=invited`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply
        .status(422)
        .view('accounts/views/user-form.njk', await inviteForm(request, body, { errors: errorView(error.issues) }));
    }
  });

  async function userForm(request: IdReq, override?: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const user = await accounts.getUser(request.actor, request.params.id);
    const values = override ?? {
      roles: user.membership.roles,
      personId: user.membership.personId,
      disabled: user.state === 'disabled',
    };
    const roles = Array.isArray(values.roles)
      ? (values.roles as Role[])
      : typeof values.roles === 'string'
        ? [values.roles as Role]
        : [];
    return {
      pageTitle: user.name || user.email,
      section: 'users',
      inviting: false,
      action: paths.users.show(user.id),
      buttonText: 'Save',
      backLink: { href: paths.users.list, text: 'Users' },
      values: {
        ...values,
        name: user.name,
        email: user.email,
        state: STATE_LABELS[user.state].toLowerCase(),
        disabled: values.disabled === true || values.disabled === 'yes',
      },
      roleItems: roleItems(roles),
      personItems: await personItems(request, values.personId as string),
      resendHref: user.state === 'invited' ? paths.users.resendInvitation(user.id) : undefined,
      noMail: !mailDelivers(),
      ...extra,
    };
  }
  app.get(routes.user, { config: { permission: 'users.manage' } }, async (request: IdReq, reply) =>
    reply.view('accounts/views/user-form.njk', await userForm(request)),
  );
  app.post(routes.user, { config: { permission: 'users.manage' } }, async (request: IdReq, reply) => {
    const body = formBody(request);
    try {
      await accounts.updateMembership(request.actor, request.params.id, body);
      return reply.redirect(`${paths.users.list}?saved=changed`, 303);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return reply
        .status(422)
        .view('accounts/views/user-form.njk', await userForm(request, body, { errors: errorView(error.issues) }));
    }
  });
  app.post(routes.userInvitation, { config: { permission: 'users.manage' } }, async (request: IdReq, reply) => {
    const resent = await accounts.resendInvitation(
      request.actor,
      request.params.id,
      request.identity?.user.name || request.actor.label,
    );
    if (!mailDelivers()) return linkToPassOn(reply, { ...resent, resent: true });
    return reply.redirect(`${paths.users.list}?saved=resent`, 303);
  });

  app.get(paths.users.securityLog, { config: { permission: 'users.manage' } }, async (request, reply) => {
    const events = await accounts.securityLog(request.actor);
    return reply.view('accounts/views/security-log.njk', {
      pageTitle: 'Security log',
      section: 'users',
      backLink: { href: paths.users.list, text: 'Users' },
      events: events.map((e) => ({
        when: formatUkDateTime(e.occurredAt),
        kind: e.kind.replace(/-/g, ' '),
        email: e.email,
        ip: e.ip,
        detail: e.detail,
      })),
    });
  });
}
