// Who is acting, and for which organisation. Every service call takes one; services check what
// it may do with `authorize()` from ./permissions.ts (never only in routes).
//
// Two kinds of actor:
// - a signed-in user (`userId` set): the web app and the API build one from the session or a
//   personal token, with the user's roles in `organisationId` and the person record they are;
// - the system (`userId` absent): the CLI, the demo loader, background jobs and service-level
//   tests. It is trusted: it acts for an operator at the machine, not for someone on the web.
//   The web app never builds one for a request (see platform/http/auth.ts).

import type { Role } from './permissions.ts';

export interface Actor {
  organisationId: string;
  /** What the audit trail records as "who": the user's e-mail, or "cli", "demo", "job". */
  label: string;
  /** The signed-in user's account; absent for the system. */
  userId?: string;
  /** The person record the user is in this organisation (accountable officer, contributor...). */
  personId?: string;
  /** The user's roles in this organisation; ignored for the system. */
  roles?: readonly Role[];
}

export function systemActor(organisationId: string, label: string): Actor {
  return { organisationId, label };
}

export const isSystem = (actor: Actor): boolean => actor.userId === undefined;
