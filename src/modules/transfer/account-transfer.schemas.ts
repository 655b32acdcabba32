// The organisation file's `accounts` (issue 14): the sign-in accounts that are members of the
// organisation, each with its membership (roles, the person it is, since when). Never sessions,
// one-time links or API tokens; a password hash only when the export is asked for it
// (`--include-password-hashes`, the same decision `amber backup --include-secrets` leaves to the
// operator): without it the field is absent and the account arrives without a password, to be
// given one by a reset link. Deployment-wide powers (`operator`) never travel.
//
// An account that already exists in the target database with the same id and the same e-mail
// address is the same account: it is kept as the target has it (name, password, state) and gets
// the membership. One that clashes — the same e-mail address under another id, or the same id
// with another address — is named, and nothing is imported.

import { z } from 'zod';
import type { FieldIssue } from '../../domain/errors.ts';
import { ROLES } from '../../domain/permissions.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const id = (what: string) =>
  z
    .string({ error: `${what} must be an id` })
    .regex(UUID_PATTERN, { error: `${what} is not an id: ids are lowercase uuids` });
const time = (what: string) =>
  z
    .string({ error: `${what} must be a time` })
    .regex(TIMESTAMP_PATTERN, { error: `${what} is not a time Amber can read: write it as an export does` });

export const accountRecord = z.strictObject(
  {
    id: id('Account id'),
    email: z
      .string({ error: 'Account e-mail address must be text' })
      .max(TEXT_LIMITS.short)
      .regex(EMAIL_PATTERN, { error: 'Account e-mail address is not in the correct format' }),
    name: z.string({ error: 'Account name must be text' }).max(TEXT_LIMITS.name),
    state: z.enum(['invited', 'active', 'disabled'], { error: 'Account state must be invited, active or disabled' }),
    version: z.number().int().min(1, { error: 'Account version must be a whole number, 1 or more' }),
    createdAt: time('Account created time'),
    lastSignedInAt: time('Last sign-in time').nullable(),
    /** Only in files exported with password hashes; absent otherwise (then the account has no password). */
    passwordHash: z.string({ error: 'Password hash must be text or null' }).max(1_000).nullable().optional(),
    personId: id('Person the account is').nullable(),
    roles: z.array(z.enum(ROLES, { error: `Each role must be one of ${ROLES.join(', ')}` }), {
      error: 'Roles must be a list',
    }),
    memberSince: time('Membership created time'),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'An account must be an object') },
);
export type AccountFileRecord = z.output<typeof accountRecord>;

/** Unique ids and e-mail addresses (ignoring capitals), and the person each account is. */
export function accountIssues(accounts: unknown, people: Set<string> | undefined): FieldIssue[] {
  if (!Array.isArray(accounts)) return [];
  const issues: FieldIssue[] = [];
  const ids = new Map<string, string>();
  const emails = new Map<string, string>();
  accounts.forEach((a: unknown, i) => {
    if (typeof a !== 'object' || a === null) return;
    const r = a as Record<string, unknown>;
    const at = `accounts[${i}]`;
    if (typeof r.id === 'string') {
      const first = ids.get(r.id);
      if (first) issues.push({ field: `${at}.id`, message: `The id ${r.id} is used twice, also by ${first}` });
      else ids.set(r.id, at);
    }
    if (typeof r.email === 'string') {
      const k = r.email.toLowerCase();
      const first = emails.get(k);
      if (first)
        issues.push({
          field: `${at}.email`,
          message: `The e-mail address ${r.email} is also used by ${first}: one account per address`,
        });
      else emails.set(k, at);
    }
    if (typeof r.personId === 'string' && people && !people.has(r.personId))
      issues.push({
        field: `${at}.personId`,
        message: `Person ${r.personId} is not one of the people in this file: use the id of someone in "people", or null`,
      });
  });
  return issues;
}
