// Input schemas of the efficiency diagnostic: an exercise's settings and a post edited in the
// web form. Strings become Money (pence), Fte (ten-thousandths) and basis points here.

import { z } from 'zod';
import {
  requiredText,
  optionalText,
  integer,
  checkbox,
  stringList,
  uuid,
  queryChoice,
  queryInteger,
} from '../../platform/validation.ts';
import { parseMoney, type Money } from '../../domain/diagnostic/money.ts';
import { parseFte, type Fte } from '../../domain/diagnostic/baseline.ts';
import { parsePercent } from '../../domain/diagnostic/decimal.ts';

const clean = (v: unknown) => (typeof v === 'string' ? v.trim() : v);

/** Pounds as typed ("£412m", "412,000,000", "412000000.50") → pence, never negative. */
export function moneyField(label: string) {
  return z.preprocess(
    clean,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((text, ctx): Money => {
        const m = parseMoney(text);
        if (m === undefined || m < 0) {
          ctx.addIssue({
            code: 'custom',
            message: `Enter ${label} as an amount in pounds, like £412,000,000 or £412m`,
          });
          return z.NEVER;
        }
        return m;
      }),
  );
}

const optionalInteger = (label: string, max: number) =>
  z
    .preprocess(
      (v) =>
        typeof v === 'string' && v.trim() === ''
          ? undefined
          : typeof v === 'string'
            ? Number(v.trim().replace(/,/g, ''))
            : v,
      z
        .number({ error: `Enter ${label} as a whole number` })
        .int({ error: `Enter ${label} as a whole number` })
        .min(0, { error: `${label.charAt(0).toUpperCase()}${label.slice(1)} must be 0 or more` })
        .max(max, {
          error: `${label.charAt(0).toUpperCase()}${label.slice(1)} must be ${max.toLocaleString('en-GB')} or less`,
        })
        .optional(),
    )
    .transform((v) => v ?? null);

export const exerciseInput = z.object({
  name: requiredText('a name for the exercise', 200),
  financialYear: integer('the financial year it starts in', 1990, 2100),
  runningCosts: moneyField('the organisational running costs'),
  headcount: optionalInteger('the headcount', 10_000_000),
  taxonomyVersionId: uuid('the process taxonomy'),
  scope: stringList('the functions in scope'),
  /** Retired (ADR 0018): refused when ticked, with the reason, so an older client learns why. */
  shareWithPeers: checkbox(),
});
export type ExerciseInput = z.output<typeof exerciseInput>;
/**
 * An exercise's settings as the API documents them: the retired `shareWithPeers` deprecated, so a
 * PUT (every other field required) does not ask for it and a client that still sends it is told
 * by the service why it is refused when true (ADR 0018).
 */
export const exerciseBody = exerciseInput.extend({
  shareWithPeers: checkbox().optional().meta({
    deprecated: true,
    description:
      'Retired (ADR 0018): sharing an exercise with every organisation has ended; true is refused, false is ignored',
  }),
});

export const exerciseVersion = z.object({ version: integer('the version', 1, 2_000_000_000) });

/** FTE as typed, ten-thousandths of an FTE. */
const fteField = z.preprocess(
  clean,
  z
    .string()
    .min(1, { error: 'Enter the FTE' })
    .transform((t, ctx): Fte => {
      const f = parseFte(t);
      if (f === undefined) {
        ctx.addIssue({ code: 'custom', message: 'Enter the FTE as a number like 0.8, to at most four decimal places' });
        return z.NEVER;
      }
      return f;
    }),
);

/** One row of the allocations table of the post form; blank rows are dropped by the service. */
export const allocationRowInput = z.object({
  process: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : ''), z.string()),
  pct: z.preprocess((v) => (typeof v === 'string' ? v.trim().replace(/%$/, '') : ''), z.string()),
});

export const postInput = z.object({
  version: integer('the version', 1, 2_000_000_000),
  unitCode: requiredText('the org unit code', 100),
  title: optionalText('the job title', 200),
  grade: optionalText('the grade', 50),
  fte: fteField,
  payCost: moneyField('the annual pay cost'),
  managerCode: optionalText('the manager post ID', 100).transform((v) => v || null),
  vacant: checkbox(),
  contractType: optionalText('the contract type', 50),
  allocations: z.preprocess((v) => (v === undefined ? [] : v), z.array(allocationRowInput)).default([]),
});
export type PostInput = z.output<typeof postInput>;

/** "40", "40%", "12.5" → basis points; undefined when not a percentage to two places. */
export const percentToBasisPoints = (text: string) => parsePercent(text);

/** A code of a function or process as the taxonomy form takes it: capitals, digits and hyphens. */
const taxonomyCode = (label: string) =>
  z.preprocess(
    clean,
    z.string({ error: `Enter ${label}` }).regex(/^[A-Z][A-Z0-9-]{0,19}$/, {
      error: `Enter ${label} in capitals, at most 20 letters, digits and hyphens, like FLT-MNT`,
    }),
  );

/**
 * Extending a taxonomy version through the API (the page takes the same as lines of text): the
 * base version, a name, and the functions and processes to add, each named by its place on error.
 */
export const taxonomyExtensionInput = z.object({
  basedOnId: uuid('the taxonomy to extend'),
  name: requiredText('a name for the new taxonomy version', 200),
  functions: z
    .array(z.object({ code: taxonomyCode('the function’s code'), name: requiredText('the function’s name', 200) }))
    .default([]),
  processes: z
    .array(
      z.object({
        code: taxonomyCode('the process’s code'),
        name: requiredText('the process’s name', 200),
        functionCode: taxonomyCode('the code of the process’s function'),
        type: z.enum(['T', 'P', 'S'], {
          error: 'Choose the process’s type: T (transactional), P (professional) or S (strategic)',
        }),
        volumeDriver: optionalText('the volume driver', 100).optional(),
      }),
    )
    .default([]),
});

// The API's query parameters (declared on its operations, checked before the handler runs).

/** Which page of an exercise's posts (100 a page); one past the last is answered with the last. */
export const postsPageQuery = z.object({
  page: queryInteger('page', 1, 100_000).describe(
    'Which page of posts, 100 a page, from 1 (the default); past the last page the last is answered (see `page` and `pages` in the answer)',
  ),
});
export type PostsPageQuery = z.output<typeof postsPageQuery>;

/** The file a baseline table is downloaded as. */
export const baselineTableQuery = z.object({
  format: queryChoice('format', ['xlsx', 'csv']).describe('The file: xlsx (the default) or csv'),
});
export type BaselineTableQuery = z.output<typeof baselineTableQuery>;
