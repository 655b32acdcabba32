// Who is acting, and for which organisation. Every service call takes one; services check what
// it may do with `authorize()` from ./permissions.ts (never only in routes).
//
// Three kinds of actor, told apart by `kind` so that a check cannot confuse them:
// - `user`: a person signed in (a session, or a personal API token on /api), with their roles in
//   `organisationId` and the person record they are. Allowed what their roles allow.
// - `public`: a request before sign-in. Allowed only what a permission explicitly grants to the
//   public (`public: true` in ./permissions.ts): signing in, resetting a password, accepting an
//   invitation, open data. It acts for the deployment's home organisation.
// - `system`: the CLI, the demo loader, background jobs, service-level tests. Trusted: it acts for
//   an operator at the machine. The web app never builds one for a request.

import type { Role } from './permissions.ts';

export interface SystemActor {
  readonly kind: 'system';
  readonly organisationId: string;
  /** What the audit trail records as "who": "cli", "demo", "job", "test". */
  readonly label: string;
}

export interface UserActor {
  readonly kind: 'user';
  readonly organisationId: string;
  /** The user's e-mail address, as the audit trail records them. */
  readonly label: string;
  readonly userId: string;
  /** The person record the user is in this organisation (accountable officer, contributor...). */
  readonly personId?: string | undefined;
  /** The user's roles in this organisation. */
  readonly roles: readonly Role[];
  /** Runs the deployment (creates organisations), whatever the organisation (issue 11). */
  readonly operator?: boolean;
}

export interface PublicActor {
  readonly kind: 'public';
  /** The deployment's home organisation, whose public pages these are. */
  readonly organisationId: string;
  readonly label: 'public';
}

export type Actor = SystemActor | UserActor | PublicActor;

export function systemActor(organisationId: string, label: string): SystemActor {
  return { kind: 'system', organisationId, label };
}

export function publicActor(organisationId: string): PublicActor {
  return { kind: 'public', organisationId, label: 'public' };
}

export const isSystem = (actor: Actor): actor is SystemActor => actor.kind === 'system';
export const isUser = (actor: Actor): actor is UserActor => actor.kind === 'user';

/** Who a request is: a signed-in user, from a session cookie or a personal API token. */
export interface Identity {
  actor: UserActor;
  user: { id: string; email: string; name: string };
  organisationName: string;
  /** The name the acting organisation's URLs carry (`/o/SLUG/…`). */
  organisationSlug: string;
  /** How many organisations the person belongs to (more than one: they can switch). */
  memberships: number;
  /** Runs the deployment: may create organisations (issue 11). */
  operator: boolean;
  via: 'session' | 'token';
  /** The session's CSRF token (sessions only). */
  csrfToken?: string;
  /** What a personal API token may do (tokens only): read, or read and write. */
  tokenScope?: 'read' | 'read-write';
  /**
   * Sessions only: what a decision made for this request may be kept in memory under (ADR 0017):
   * the organisation's access generation read with the session, and the moment until which the
   * session and the organisation's agreements stay as they are without a write (the session's
   * expiry, the next once-a-minute "last seen" write, the next agreement to start or end), in ms.
   */
  decidedUnder?: { generation: string; validUntil: number };
}
