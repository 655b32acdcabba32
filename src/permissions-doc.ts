// docs/permissions.md, generated from the permission table and the permissions the routes declare,
// so the page people read is what the code checks and the permissions walk proves.

import { PERMISSIONS, ROLES, ROLE_LABELS, isPublicPermission, type Role, type Scope } from './domain/permissions.ts';
import type { RegisteredRoute } from './platform/http/access.ts';

const SCOPE_TEXT: Record<Scope, string> = {
  all: 'Yes',
  own: 'Own priorities',
  named: 'Actions named on',
  published: 'Published only',
};

export function permissionsDoc(routes: readonly RegisteredRoute[]): string {
  const lines: string[] = [];
  lines.push('# Who may do what', '');
  lines.push(
    'Generated from `src/domain/permissions.ts` and the permission each route declares, by `node bin/permissions-doc.ts`;',
    "`test/permissions.test.ts` walks every route below for every role (and with another organisation's ids) and fails if",
    'the code and this table disagree. A route is refused before it reads anything when the person holds its permission in',
    'no scope; the services then check the thing itself. "Own priorities": the priorities where the user is the accountable',
    'officer or director (the person their account is linked to). "Actions named on": the key actions that name the user\'s',
    'person as a contributor. "Published only": the latest published revision, never a draft. "Public": also before sign-in.',
    'The CLI, background jobs and the demo loader act as the system and may do everything.',
    '',
  );
  lines.push(`| Permission | Public | ${ROLES.map((r) => ROLE_LABELS[r]).join(' | ')} |`);
  lines.push(`|---|---|${ROLES.map(() => '---').join('|')}|`);
  for (const [name, p] of Object.entries(PERMISSIONS)) {
    const roles = p.roles as Partial<Record<Role, Scope>>;
    lines.push(
      `| **${p.description}** (\`${name}\`) | ${isPublicPermission(name as keyof typeof PERMISSIONS) ? 'Yes' : '—'} | ${ROLES.map((r) => (roles[r] ? SCOPE_TEXT[roles[r]!] : '—')).join(' | ')} |`,
    );
  }
  lines.push('', '## Pages and API operations', '');
  lines.push('| Method | Route | Needs |', '|---|---|---|');
  for (const r of [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
    const needs = r.infrastructure ? 'nothing (infrastructure)' : r.permissions.map((p) => `\`${p}\``).join(' or ');
    lines.push(`| ${r.method} | \`${r.url}\` | ${needs} |`);
  }
  lines.push('');
  return lines.join('\n');
}
