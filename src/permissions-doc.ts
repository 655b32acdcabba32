// docs/permissions.md, generated from the permission table and the route rules, so the page
// people read is the table the code and the permissions walk use.

import { PERMISSIONS, ROLES, ROLE_LABELS, type Role, type Scope } from './domain/permissions.ts';
import { ruleFor } from './route-permissions.ts';

const SCOPE_TEXT: Record<Scope, string> = {
  all: 'Yes',
  own: 'Own priorities',
  named: 'Actions named on',
  published: 'Published only',
};

export function permissionsDoc(routes: readonly { method: string; url: string }[]): string {
  const lines: string[] = [];
  lines.push('# Who may do what', '');
  lines.push(
    'Generated from `src/domain/permissions.ts` and `src/route-permissions.ts` by `node --import tsx bin/permissions-doc.ts`;',
  );
  lines.push(
    '`test/permissions.test.ts` walks every route below for every role and fails if the code and this table disagree.',
  );
  lines.push(
    'Services check these permissions (not only the routes). "Own priorities": the priorities where the user is the',
  );
  lines.push(
    'accountable officer or director (the person their account is linked to). "Actions named on": the key actions that',
  );
  lines.push("name the user's person as a contributor. The CLI acts as the system and may do everything.", '');
  lines.push(`| Permission | ${ROLES.map((r) => ROLE_LABELS[r]).join(' | ')} |`);
  lines.push(`|---|${ROLES.map(() => '---').join('|')}|`);
  for (const [name, p] of Object.entries(PERMISSIONS)) {
    const roles = p.roles as Partial<Record<Role, Scope>>;
    lines.push(
      `| **${p.description}** (\`${name}\`) | ${ROLES.map((r) => (roles[r] ? SCOPE_TEXT[roles[r]!] : '—')).join(' | ')} |`,
    );
  }
  lines.push(
    '',
    'Any signed-in user may read the reference pages (people, organisations, periods, indicators, risks, the dashboard) and',
  );
  lines.push('use their own account page; public pages need no sign-in.', '');
  lines.push('## Pages and API operations', '');
  lines.push('| Method | Route | Needs |', '|---|---|---|');
  for (const r of [...routes]
    .filter((x) => x.url !== '/assets/*')
    .sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))) {
    const rule = ruleFor(r.method, r.url);
    const access = !rule
      ? '**no rule**'
      : typeof rule.access === 'string'
        ? `\`${rule.access}\``
        : rule.access.map((a) => `\`${a}\``).join(' or ');
    lines.push(`| ${r.method} | \`${r.url}\` | ${access} |`);
  }
  lines.push('');
  return lines.join('\n');
}
