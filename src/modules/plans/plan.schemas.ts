// Input schemas for plans, themes and improvement priorities.

import { TEXT_LIMITS } from '../../domain/limits.ts';
import { z } from 'zod';
import { requiredText, optionalText, integer, uuid, optionalUuid } from '../../platform/validation.ts';

export const PRIORITY_CODE_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,18}[A-Za-z0-9])?$/;

const version = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z.number().int().min(1).optional(),
);

export const planInput = z
  .object({
    title: requiredText('the plan’s title', 200),
    description: optionalText('description', 20_000),
    firstYear: integer('the first financial year', 1990, 2200),
    lastYear: integer('the last financial year', 1990, 2200),
    version,
  })
  .refine((p) => p.lastYear >= p.firstYear, {
    path: ['lastYear'],
    message: 'The last financial year must be the same as or after the first',
  });

export const themeInput = z.object({
  title: requiredText('the theme’s title', 200),
  version,
});

export const priorityInput = z.object({
  themeId: uuid('the theme'),
  code: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: 'Enter a code, like VfM-4d' })
      .min(1, { error: 'Enter a code, like VfM-4d' })
      .max(20, { error: 'Code must be 20 characters or fewer' })
      .regex(PRIORITY_CODE_PATTERN, {
        message: 'Code must be letters, numbers, spaces, dots, hyphens or underscores, like VfM-4d',
      }),
  ),
  title: requiredText('the priority’s title', 300),
  rationale: optionalText('why this is a priority', TEXT_LIMITS.rationale),
  accountableOfficerId: optionalUuid('the accountable officer'),
  accountableDirectorId: optionalUuid('the accountable director'),
  groupsInternal: optionalText('council groups', 5_000),
  groupsExternal: optionalText('partnership groups', 5_000),
  version,
});
export type PriorityInput = z.output<typeof priorityInput>;
