// Which permission (domain/permissions.ts) each page and API operation needs: the rules the
// permissions walk (test/permissions.test.ts) holds every route to, for every role, and from
// which docs/permissions.md is generated (`node --import tsx bin/permissions-doc.ts`). A route
// that no rule matches fails the walk, so a new page cannot slip in unlisted.
//
// The services enforce the permissions; this table says what they must enforce. First match wins.

import type { Permission } from './domain/permissions.ts';

/** 'public': no sign-in; 'signed-in': any signed-in user, whatever their roles. */
export type RouteAccess = Permission | 'public' | 'signed-in';

export interface RouteRule {
  /** GET, or WRITE for POST, PUT and DELETE; DELETE for a rule about DELETE only. */
  method: 'GET' | 'WRITE' | 'DELETE';
  /** Matches the route's pattern, e.g. /priorities/:code/reports/:period/edit. */
  pattern: RegExp;
  /** One permission, or several of which any will do (the two sign-offs share a page). */
  access: RouteAccess | readonly Permission[];
  /** For the docs: what the routes are. */
  what: string;
}

const R = (method: RouteRule['method'], pattern: RegExp, access: RouteRule['access'], what: string): RouteRule => ({
  method,
  pattern,
  access,
  what,
});

export const ROUTE_RULES: readonly RouteRule[] = [
  // Infrastructure and sign-in
  R('GET', /^\/(assets\/\*|health)$/, 'public', 'Assets and the health check'),
  R(
    'GET',
    /^\/(sign-in|sign-in\/sso(\/callback)?|password\/forgotten|password\/reset\/:token|invitations\/:token)$/,
    'public',
    'Sign-in, single sign-on, password reset and invitation pages',
  ),
  R(
    'WRITE',
    /^\/(sign-in|password\/forgotten|password\/reset\/:token|invitations\/:token)$/,
    'public',
    'Signing in, asking for a reset link, setting a password',
  ),
  R('GET', /^\/(open-data.*|api|api\/openapi\.json)$/, 'public', 'Open data and the API description'),
  R('WRITE', /^\/sign-out$/, 'signed-in', 'Signing out'),
  R('GET', /^\/(|account|my-work)$/, 'signed-in', 'Home, your account, my work'),
  R(
    'WRITE',
    /^\/account\/(password|tokens|tokens\/:id\/revoke)$/,
    'signed-in',
    'Changing your password, your API tokens',
  ),
  R('GET', /^\/users(\/.*)?$/, 'users.manage', 'Users, invitations and the security log'),
  R('WRITE', /^\/users(\/.*)?$/, 'users.manage', 'Inviting users, changing roles, closing accounts'),

  // History and audit (before the report and priority pages they sit under)
  R(
    'GET',
    /^(\/api)?\/priorities\/:code(\/reports\/:period)?\/history$/,
    'history.read',
    'History of a priority or a report',
  ),
  R('GET', /^\/priorities\/:code\/history\.csv$/, 'audit.export', "A priority's audit trail as CSV"),
  R('GET', /^\/audit-trail(\.csv)?$/, 'audit.export', "The organisation's audit trail, and as CSV"),

  // Reports and their workflow
  R(
    'WRITE',
    /^(\/api)?\/priorities\/:code\/reports\/:period\/submit$/,
    'report.submit',
    'Submitting a report for sign-off',
  ),
  R(
    'WRITE',
    /^(\/api)?\/priorities\/:code\/reports\/:period\/(sign-off|approve|return)$/,
    ['report.approve-officer', 'report.approve-director'],
    'Signing off or returning a report (accountable officer first, then director)',
  ),
  R('DELETE', /^\/api\/priorities\/:code\/reports\/:period\/actions\/:n$/, 'report.edit', 'Removing a key action'),
  R(
    'WRITE',
    /^(\/api)?\/priorities\/:code\/reports\/:period\/actions\/:n$/,
    'report.update-actions',
    'Updating a key action and its milestones',
  ),
  R(
    'WRITE',
    /^(\/api)?\/priorities\/:code\/reports\/:period\/milestones\/:id\/progress$/,
    'report.update-actions',
    'Recording what became of a milestone',
  ),
  R(
    'GET',
    /^\/priorities\/:code\/reports\/:period\/sign-off$/,
    ['report.approve-officer', 'report.approve-director'],
    'The sign-off page',
  ),
  R(
    'GET',
    /^\/priorities\/:code\/reports\/:period\/(actions\/:n\/edit|milestones\/:id\/progress)$/,
    'report.update-actions',
    'Forms for an action and a milestone',
  ),
  R(
    'GET',
    /^\/priorities\/:code\/reports\/(new|:period\/(edit|actions\/new|actions\/:n\/delete|graphs))$/,
    'report.edit',
    'Forms to write a report',
  ),
  R(
    'WRITE',
    /^(\/api)?\/priorities\/:code\/reports(\/:period(\/.*)?)?$/,
    'report.edit',
    'Writing a report: sections, actions, graphs',
  ),
  R(
    'GET',
    /^(\/api)?\/priorities\/:code\/reports(\/.*)?$/,
    'report.read',
    'Reading reports, their revisions and changes, and downloads',
  ),

  // Priorities, plans, risks
  R('WRITE', /^(\/api)?\/priorities\/:code$/, 'priority.edit', 'Changing a priority'),
  R(
    'WRITE',
    /^(\/api)?\/(priorities|plans.*|themes.*|api\/plans.*|api\/themes.*)$/,
    'priority.edit',
    'Creating priorities, plans and themes',
  ),
  R('WRITE', /^\/api\/(plans|themes)(\/.*)?$/, 'priority.edit', 'Plans and themes through the API'),
  R(
    'GET',
    /^\/priorities\/:code\/edit$|^\/priorities\/new$|^\/plans\/new$|^\/plans\/:id\/edit$|^\/plans\/:planId\/themes\/new$|^\/themes\/:id\/edit$/,
    'signed-in',
    'Forms for priorities, plans and themes',
  ),
  R('GET', /^(\/api)?\/(priorities|plans)(\/.*)?$/, 'report.read', 'Priorities and plans'),
  R('WRITE', /^(\/api)?\/risks(\/.*)?$/, 'risk.edit', 'Keeping the risk register'),
  R('GET', /^(\/api)?\/(risks(\/.*)?|priorities\/:code\/risks)$/, 'signed-in', 'The risk register and its forms'),

  // Reference data and settings
  R(
    'WRITE',
    /^(\/api)?\/(people|organisations|reporting-periods)(\/.*)?$/,
    'reference.edit',
    'People, partner organisations, reporting periods',
  ),
  R('WRITE', /^(\/api)?\/(settings\/.*|status-scale)$/, 'settings.edit', 'The status scale and indicator settings'),
  R(
    'GET',
    /^(\/api)?\/(people|organisations|reporting-periods|settings\/.*|status-scale)(\/.*)?$/,
    'signed-in',
    'Reference data and settings pages',
  ),

  // Indicators, dashboard, board pack, jobs
  R('WRITE', /^(\/api)?\/indicators(\/.*)?$/, 'indicator.edit', 'Defining indicators, entering and importing values'),
  R('GET', /^(\/api)?\/indicators(\/.*)?$/, 'signed-in', 'Indicators, their graphs, exports and templates'),
  R('GET', /^\/dashboard$/, 'signed-in', 'The dashboard'),
  R('GET', /^\/board-pack\.(pdf|docx)$/, 'boardpack.compile', 'Downloading a board pack'),
  R('WRITE', /^\/board-pack\/files$/, 'boardpack.compile', 'Queuing a board pack'),
  R('GET', /^\/board-pack$/, 'boardpack.compile', 'The board pack page'),
  R('GET', /^\/(jobs|files)\/:id$/, 'signed-in', "A background job's progress, a stored file (the organisation's own)"),

  // The efficiency programme
  R('WRITE', /^\/diagnostic\/:id\/savings\/:itemId\/verify$/, 'savings.verify', 'Verifying a realised saving'),
  R(
    'WRITE',
    /^\/diagnostic\/:id\/gain-share\/:itemId\/evaluations$/,
    'savings.verify',
    'Evaluating a gain-share agreement',
  ),
  R(
    'WRITE',
    /^\/diagnostic(\/.*)?$/,
    'diagnostic.edit',
    'Diagnostic exercises, data, benchmarks, opportunities, cases, plans, savings',
  ),
  R('GET', /^\/diagnostic(\/.*)?$/, 'diagnostic.read', 'The efficiency diagnostic and programme pages'),
];

export function ruleFor(method: string, url: string): RouteRule | undefined {
  const kinds = method === 'GET' ? ['GET'] : method === 'DELETE' ? ['DELETE', 'WRITE'] : ['WRITE'];
  return ROUTE_RULES.find((r) => kinds.includes(r.method) && r.pattern.test(url));
}
