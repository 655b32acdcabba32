// Input schemas for plans, themes and improvement priorities.

import { TEXT_LIMITS } from '../../domain/limits.ts';
import { z } from 'zod';
import { requiredText, optionalText, integer, uuid, optionalUuid, queryInteger } from '../../platform/validation.ts';

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

/** The priority list's page: 50 rows, enough to scan, few enough to render fast at any size. */
export const PRIORITIES_PER_PAGE = 50;
/** The most rows one page of the API's list may ask for. */
export const PRIORITIES_PAGE_MOST = 500;

// The API's query parameters (declared on its operation, checked before the handler runs).

/**
 * Which page of the priority list. Without either parameter the answer is every priority, as it
 * always was (a list); with one, a page of them with where it is in the list.
 */
export const priorityListQuery = z.object({
  page: queryInteger('page', 1, 100_000).describe(
    `Which page of priorities, from 1; with \`page\` or \`pageSize\` the answer is \`{ priorities, page, pages, pageSize, total }\` (without either, the list of every priority). Past the last page the last is answered`,
  ),
  pageSize: queryInteger('pageSize', 1, PRIORITIES_PAGE_MOST).describe(
    `How many priorities a page holds: ${PRIORITIES_PER_PAGE} unless given, at most ${PRIORITIES_PAGE_MOST}`,
  ),
});
export type PriorityListQuery = z.output<typeof priorityListQuery>;
