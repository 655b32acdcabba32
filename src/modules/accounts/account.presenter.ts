// Accounts as pages show them: UK dates and times in words, roles by name.

import { ROLE_LABELS, type Role } from '../../domain/permissions.ts';

const LONDON = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

/** "14:05 on 24 November 2026" (UK time). */
export function formatUkDateTime(d: Date): string {
  const parts = Object.fromEntries(LONDON.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute} on ${parts.day} ${parts.month} ${parts.year}`;
}

export const roleNames = (roles: readonly Role[]): string => roles.map((r) => ROLE_LABELS[r]).join(', ') || 'No roles';

export const STATE_LABELS = { invited: 'Invited', active: 'Active', disabled: 'Disabled' } as const;
