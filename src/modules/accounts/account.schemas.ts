// Input schemas of sign-in and accounts. Passwords follow NCSC guidance: length over
// composition rules, no forced changes; at least 12 characters, at most 256.

import { z } from 'zod';
import { requiredText, optionalUuid, stringList, checkbox, choice, integer } from '../../platform/validation.ts';
import { ROLES, type Role } from '../../domain/permissions.ts';

const email = (label = 'your e-mail address') =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .max(320, { error: 'The e-mail address must be 320 characters or fewer' })
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
        error: 'Enter an e-mail address in the correct format, like name@example.gov.uk',
      }),
  );

export const MIN_PASSWORD = 12;
const newPassword = z
  .string({ error: 'Enter a password' })
  .min(1, { error: 'Enter a password' })
  .min(MIN_PASSWORD, { error: `The password must be ${MIN_PASSWORD} characters or more` })
  .max(256, { error: 'The password must be 256 characters or fewer' });

export const signInInput = z.object({
  email: email(),
  password: z
    .string({ error: 'Enter your password' })
    .min(1, { error: 'Enter your password' })
    .max(256, { error: 'Enter your password' }),
});

export const forgottenPasswordInput = z.object({ email: email() });

export const newPasswordInput = z
  .object({
    password: newPassword,
    confirm: z.string().optional(),
  })
  .refine((v) => v.confirm === undefined || v.confirm === v.password, {
    path: ['confirm'],
    error: 'The passwords do not match',
  });

export const changePasswordInput = z
  .object({
    current: z.string({ error: 'Enter your current password' }).min(1, { error: 'Enter your current password' }),
    password: newPassword,
    confirm: z.string().optional(),
  })
  .refine((v) => v.confirm === undefined || v.confirm === v.password, {
    path: ['confirm'],
    error: 'The passwords do not match',
  });

export const acceptInvitationInput = z
  .object({
    name: requiredText('your name', 200),
    password: newPassword,
    confirm: z.string().optional(),
  })
  .refine((v) => v.confirm === undefined || v.confirm === v.password, {
    path: ['confirm'],
    error: 'The passwords do not match',
  });

const roles = stringList('roles').transform((list, ctx) => {
  const unknown = list.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `There is no role called ${unknown.join(', ')}` });
  return [...new Set(list)] as Role[];
});

export const inviteInput = z.object({
  email: email('their e-mail address'),
  name: requiredText('their name', 200),
  roles: roles.refine((r) => r.length > 0, { error: 'Select at least one role' }),
  personId: optionalUuid('the person they are'),
});

export const membershipInput = z.object({
  roles,
  personId: optionalUuid('the person they are'),
  disabled: checkbox(),
});

export const API_TOKEN_SCOPES = ['read', 'read-write'] as const;
/** The expiries the account page offers; a script may ask for any whole number of days up to a year. */
export const API_TOKEN_DAYS = [30, 90, 365] as const;
export const DEFAULT_API_TOKEN_DAYS = 90;

export const apiTokenInput = z.object({
  name: requiredText('a name for the token', 100),
  scope: choice('what the token may do', API_TOKEN_SCOPES),
  expiresInDays: z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? DEFAULT_API_TOKEN_DAYS : v),
    integer('the number of days the token lasts', 1, 365),
  ),
});

export type SignInInput = z.output<typeof signInInput>;
export type InviteInput = z.output<typeof inviteInput>;
export type MembershipInput = z.output<typeof membershipInput>;
