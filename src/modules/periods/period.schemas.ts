// Input schemas for reporting periods. A period is created from its kind, financial year and
// number (forms) or from its identifier such as 2009-10-h1 (API, CLI).

import { z } from 'zod';
import { integer, choice, financialYearField, optionalUkDate, periodKeyField } from '../../platform/validation.ts';
import { makePeriod, type Period } from '../../domain/period.ts';

export const periodByParts = z
  .object({
    kind: choice('the kind of period', ['year', 'half', 'quarter', 'month'] as const),
    startYear: financialYearField(),
    number: z.preprocess((v) => (v === '' || v === undefined ? 1 : v), integer('which part of the year', 1, 12)),
    dueOn: optionalUkDate('the date reports are due'),
  })
  .transform((v, ctx): { period: Period; dueOn: string | null } => {
    try {
      return { period: makePeriod(v.kind, v.startYear, v.number), dueOn: v.dueOn };
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        path: ['number'],
        message: `Choose a part of the year that exists: ${(error as Error).message}`,
      });
      return z.NEVER;
    }
  });

export const periodByKey = z
  .object({
    key: periodKeyField(),
    dueOn: optionalUkDate('the date reports are due'),
  })
  .transform((v) => ({ period: v.key, dueOn: v.dueOn }));

/** By identifier when one is given (API, CLI, imports), otherwise by its parts (the form). */
export function periodInputSchema(input: unknown) {
  return input && typeof input === 'object' && 'key' in input && (input as { key: unknown }).key !== ''
    ? periodByKey
    : periodByParts;
}

export const periodDueInput = z.object({ dueOn: optionalUkDate('the date reports are due') });
