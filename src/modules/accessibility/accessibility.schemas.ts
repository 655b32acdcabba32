// Input schema of the accessibility statement's settings: the operator's form becomes typed values here.

import { z } from 'zod';
import { integer, optionalText, optionalUkDate, requiredText, textLines, ukDate } from '../../platform/validation.ts';

export const STATEMENT_LIMITS = {
  organisationName: 200,
  email: 320,
  phone: 40,
  problems: 30,
  problemLength: 1_000,
} as const;

const emailAddress = (label: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .max(STATEMENT_LIMITS.email, {
        error: `The e-mail address must be ${STATEMENT_LIMITS.email} characters or fewer`,
      })
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, {
        error: 'Enter the contact e-mail address in the correct format, like accessibility@example.gov.uk',
      }),
  );

const telephone = optionalText('the telephone number', STATEMENT_LIMITS.phone).refine(
  (s) => s === '' || (/^\+?[0-9 ()-]+$/.test(s) && s.replace(/\D/g, '').length >= 6),
  { error: 'Enter the telephone number using only numbers, spaces, brackets and hyphens, like 0113 222 4444' },
);

export const statementInput = z.object({
  organisationName: requiredText(
    'the name of the organisation responsible for the website',
    STATEMENT_LIMITS.organisationName,
  ),
  email: emailAddress('the contact e-mail address'),
  phone: telephone,
  responseDays: integer('the number of working days in which you reply', 1, 60),
  preparedOn: ukDate('the date the statement was prepared'),
  reviewedOn: optionalUkDate('the date the statement was last reviewed'),
  knownProblems: textLines('known accessibility problems', STATEMENT_LIMITS.problems, STATEMENT_LIMITS.problemLength),
  /** The version the form read; 0 when nothing had been saved. */
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number({ error: 'The form is missing its version: reload the page' }).int().min(0).optional(),
  ),
});
export type StatementInput = z.output<typeof statementInput>;
