// Who may do what: the one table. Every route declares one of these permissions where it is
// defined (a route without one cannot be registered) and the request is refused before its
// handler runs when the actor holds it in no scope; services `authorize()` with the same names
// and the context of the thing itself. docs/permissions.md is generated from the table and the
// routes, and a test walks every route for every role against it.
//
// `public: true` grants a permission to the public actor too (requests before sign-in): only
// signing in, open data and the accessibility statement are.
//
// Each permission maps a role to a scope:
//   'all'        anything of that kind in the organisation;
//   'own'        only on priorities where the user is the accountable officer or director
//                (context.accountablePersonIds);
//   'named'      only on actions the user is named on as a contributor (context.namedPersonIds);
//   'published'  only what is published (context.published).
// A role missing from a permission is denied.

import type { Actor } from './actor.ts';
import { ForbiddenError, UnauthenticatedError } from './errors.ts';

export const ROLES = [
  'administrator',
  'performance_officer',
  'accountable_officer',
  'accountable_director',
  'contributor',
  'viewer',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  performance_officer: 'Performance officer',
  accountable_officer: 'Accountable officer',
  accountable_director: 'Accountable director',
  contributor: 'Contributor',
  viewer: 'Viewer',
};

export type Scope = 'all' | 'own' | 'named' | 'published';

const ALL_ROLES = (scope: Scope, overrides: Partial<Record<Role, Scope>> = {}): Partial<Record<Role, Scope>> => ({
  administrator: scope,
  performance_officer: scope,
  accountable_officer: scope,
  accountable_director: scope,
  contributor: scope,
  viewer: scope,
  ...overrides,
});
const EDITORS = { administrator: 'all', performance_officer: 'all' } as const;

export const PERMISSIONS = {
  // Before sign-in, and one's own account
  'account.sign-in': {
    description: 'Sign in, ask for a password reset link, set a password from a link, accept an invitation',
    public: true,
    roles: ALL_ROLES('all'),
  },
  'opendata.read': {
    description: 'Read the open data (priority statuses and indicator values) and the API description',
    public: true,
    roles: ALL_ROLES('all'),
  },
  'accessibility.read': {
    description: 'Read the accessibility statement',
    public: true,
    roles: ALL_ROLES('all'),
  },
  // Sharing with partner organisations (issue 11)
  'sharing.manage': {
    description:
      'Record data-sharing agreements with other organisations, share priorities under them, and revoke either',
    roles: { administrator: 'all' },
  },
  'shared.read': {
    description: 'Read what other organisations share with one’s organisation under an active agreement',
    roles: ALL_ROLES('all'),
  },
  'shared.update': {
    description:
      'Record progress on the milestones of shared key actions that name one’s organisation (where the share allows updates)',
    roles: { ...EDITORS, accountable_officer: 'all', accountable_director: 'all', contributor: 'all' },
  },
  'shared.comment': {
    description:
      'Read and write the comments two organisations exchange on a shared report: the sharing organisation’s people and the partner’s',
    roles: { ...EDITORS, accountable_officer: 'all', accountable_director: 'all', contributor: 'all' },
  },
  // Benchmarking clubs (issue 11)
  'clubs.read': {
    description: 'See the benchmarking clubs one’s organisation hosts or belongs to, and their statistics',
    roles: ALL_ROLES('all'),
  },
  'clubs.host': {
    description: 'Run a benchmarking club: create it and invite members',
    roles: { administrator: 'all' },
  },
  'clubs.contribute': {
    description: 'Join or leave a benchmarking club, and contribute or withdraw the organisation’s figures',
    roles: { ...EDITORS },
  },
  'shared.sign-off': {
    description: 'Sign off, for one’s organisation, a report of a priority it owns jointly with another organisation',
    roles: { accountable_officer: 'all', accountable_director: 'all' },
  },
  'deployment.operate': {
    description:
      'Run the deployment: list and create organisations, invite their first administrators, and keep the accessibility statement’s contact details',
    // Not a role in any organisation: an account marked as an operator (`amber user create --operator`).
    operator: true,
    roles: {},
  },
  'account.own': {
    description: 'Use one’s own account: home, my work, change one’s password, personal API tokens, sign out',
    roles: ALL_ROLES('all'),
  },
  // Improvement priorities and their reports
  'report.read': {
    description: 'Read priorities and their progress reports (drafts included)',
    roles: ALL_ROLES('all', { viewer: 'published' }),
  },
  'priority.edit': {
    description: 'Create and edit plans, themes and priorities',
    roles: { ...EDITORS, accountable_officer: 'own' },
  },
  'report.edit': {
    description: 'Write a progress report (summary, status, achievements, challenges, actions, milestones)',
    roles: { ...EDITORS, accountable_officer: 'own' },
  },
  'report.update-actions': {
    description: 'Update the actions and milestones one is named on',
    roles: { ...EDITORS, accountable_officer: 'own', contributor: 'named' },
  },
  'report.submit': { description: 'Submit a report for sign-off', roles: { ...EDITORS, accountable_officer: 'own' } },
  'report.approve-officer': {
    description: 'First sign-off (as accountable officer), or return to draft',
    roles: { accountable_officer: 'own' },
    refusal: {
      code: 'SIGN_OFF_NEEDS_A_PERSON',
      message:
        'Only the priority’s accountable officer and director sign off or return its report, each for themselves: nobody signs for someone else, an administrator included.',
    },
  },
  'report.approve-director': {
    description: 'Second sign-off (as accountable director, publishes), or return to draft',
    roles: { accountable_director: 'own' },
    refusal: {
      code: 'SIGN_OFF_NEEDS_A_PERSON',
      message:
        'Only the priority’s accountable officer and director sign off or return its report, each for themselves: nobody signs for someone else, an administrator included.',
    },
  },
  'risk.read': { description: 'Read the risk registers of priorities', roles: ALL_ROLES('all') },
  'risk.edit': {
    description: 'Keep the risk register of a priority',
    roles: { ...EDITORS, accountable_officer: 'own' },
  },
  'indicator.read': {
    description: 'Read indicators, their values, statuses and graphs',
    roles: ALL_ROLES('all'),
  },
  'indicator.edit': { description: 'Define indicators and enter or import their values', roles: { ...EDITORS } },
  'dashboard.read': {
    description: 'Read the dashboard (drafts’ statuses only for those who may read drafts)',
    roles: ALL_ROLES('all'),
  },
  'boardpack.compile': {
    description: 'Compile board packs (of published reports only, for those who may not read drafts)',
    roles: ALL_ROLES('all'),
  },
  'boardpack.drafts': {
    description: 'Compile board packs that include reports in draft and in sign-off',
    // Whoever may read drafts ('report.read' at scope all).
    roles: { ...EDITORS, accountable_officer: 'all', accountable_director: 'all', contributor: 'all' },
  },
  'history.read': {
    description: 'Read the history (audit trail) of a report or priority',
    roles: { ...EDITORS, accountable_officer: 'all', accountable_director: 'all' },
  },
  'audit.export': { description: 'Export the audit trail as CSV', roles: { ...EDITORS } },
  // Reference data and administration
  'reference.read': {
    description: 'See people, partner organisations, reporting periods and the organisation’s settings',
    roles: ALL_ROLES('all'),
  },
  'reference.edit': { description: 'Edit people, partner organisations and reporting periods', roles: { ...EDITORS } },
  'settings.edit': {
    description: "Change the organisation's settings (status scale, indicator defaults)",
    roles: { administrator: 'all' },
  },
  'users.manage': { description: 'Invite users, give and take away roles', roles: { administrator: 'all' } },
  // The efficiency programme (issue 5)
  'diagnostic.read': {
    description: 'See diagnostic exercises, baselines, benchmarks, opportunities, cases, plans and savings',
    roles: { ...EDITORS, accountable_officer: 'all', accountable_director: 'all', contributor: 'all' },
  },
  'diagnostic.edit': {
    description: 'Collect diagnostic data, run baselines, enter benchmarks, opportunities, cases and plans',
    roles: { ...EDITORS },
  },
  'savings.verify': {
    description: 'Verify realised savings and evaluate gain-share agreements',
    roles: { ...EDITORS, accountable_director: 'all' },
  },
} as const satisfies Record<
  string,
  {
    description: string;
    public?: true;
    /** Held by operators of the deployment only, whatever their roles. */
    operator?: true;
    roles: Partial<Record<Role, Scope>>;
    /** What a refusal says, where the generic sentence would mislead. */
    refusal?: { code: string; message: string };
  }
>;

export type Permission = keyof typeof PERMISSIONS;

export interface PermissionContext {
  /** The accountable officer and director of the priority concerned. */
  accountablePersonIds?: readonly (string | null | undefined)[];
  /** The people named on the action concerned. */
  namedPersonIds?: readonly (string | null | undefined)[];
  /** Whether the thing read is published. */
  published?: boolean;
}

export function scopeOf(roles: readonly Role[], permission: Permission): Scope[] {
  const table = PERMISSIONS[permission].roles as Partial<Record<Role, Scope>>;
  return roles.map((r) => table[r]).filter((s): s is Scope => s !== undefined);
}

/** Whether only an operator of the deployment holds the permission. */
export const isOperatorPermission = (permission: Permission): boolean =>
  (PERMISSIONS[permission] as { operator?: true }).operator === true;

/** Whether the public (a request before sign-in) holds the permission. */
export const isPublicPermission = (permission: Permission): boolean =>
  (PERMISSIONS[permission] as { public?: true }).public === true;

/**
 * Whether the actor may, given what is known of the thing (context). The system may do anything;
 * the public only what is granted to it; a user what their roles allow in that scope.
 */
export function can(actor: Actor, permission: Permission, context: PermissionContext = {}): boolean {
  switch (actor.kind) {
    case 'system':
      return true;
    case 'public':
      return isPublicPermission(permission);
    case 'user':
      if (isOperatorPermission(permission)) return actor.operator === true;
      return scopeOf(actor.roles, permission).some((scope) => {
        switch (scope) {
          case 'all':
            return true;
          case 'own':
            return actor.personId !== undefined && (context.accountablePersonIds ?? []).includes(actor.personId);
          case 'named':
            return actor.personId !== undefined && (context.namedPersonIds ?? []).includes(actor.personId);
          case 'published':
            return context.published === true;
        }
      });
  }
}

/** Whether the actor holds the permission in any scope: what a route checks before loading anything. */
export function mayEver(actor: Actor, permission: Permission): boolean {
  switch (actor.kind) {
    case 'system':
      return true;
    case 'public':
      return isPublicPermission(permission);
    case 'user':
      if (isOperatorPermission(permission)) return actor.operator === true;
      return scopeOf(actor.roles, permission).length > 0;
  }
}

export function authorize(actor: Actor, permission: Permission, context: PermissionContext = {}): void {
  if (!can(actor, permission, context)) {
    if (actor.kind === 'public') throw new UnauthenticatedError();
    const definition = PERMISSIONS[permission];
    if ('refusal' in definition) throw new ForbiddenError(definition.refusal.code, definition.refusal.message);
    throw new ForbiddenError(
      'FORBIDDEN',
      `You do not have permission to ${PERMISSIONS[permission].description.charAt(0).toLowerCase()}${PERMISSIONS[permission].description.slice(1)}${context.published === false ? ' (it is not published yet)' : ''}.`,
    );
  }
}
