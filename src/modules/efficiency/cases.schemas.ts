// Input schemas of a business case's options and cash-flow lines (issue 12): a line's amounts by
// year (a form's text, or a list from JSON or `amounts[3]` fields, each problem naming its year),
// its optimism bias as a Green Book category or a stated percentage with its reason, and the
// discount schedule a case uses. Rules across records (the option is the case's, the totals stay
// within what Amber holds) are the use case's (cases.ts).

import { z } from 'zod';
import { requiredText, optionalText, uuid, choice } from '../../platform/validation.ts';
import { parsePercent } from '../../domain/diagnostic/decimal.ts';
import {
  DISCOUNT_SCHEDULE_KEYS,
  MAX_STATED_UPLIFT,
  OPTIMISM_BIAS,
  type OptimismBiasCategory,
} from '../../domain/diagnostic/appraisal.ts';
import { readAmounts } from '../../domain/diagnostic/case-option.ts';

/** The version of the case the form was built from (no import from efficiency.schemas.ts, which imports this file). */
const version = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z.number().int().min(1).optional(),
);

const OB_KEYS = Object.keys(OPTIMISM_BIAS) as [OptimismBiasCategory, ...OptimismBiasCategory[]];
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * The schedule a case is discounted on. Left out (an API body that does not say), it is
 * undefined: a new case takes the standard rate, a changed one keeps the rate it has.
 */
export const discountScheduleInput = z.preprocess(
  (v) => (blank(v) ? undefined : v),
  choice('the discount rate', DISCOUNT_SCHEDULE_KEYS).optional(),
);

/** A line's amounts by year; a problem with one year names it (`amounts[3]` for a list). */
export const amountsInput = z.unknown().transform((value, ctx) => {
  const r = readAmounts(value);
  if (r.ok) return r.amounts;
  for (const issue of r.issues)
    ctx.addIssue({
      code: 'custom',
      message: issue.message,
      // A list names the item; the form's one text box is the field itself.
      path: Array.isArray(value) && issue.index !== undefined ? [issue.index] : [],
    });
  return z.NEVER;
});

export const caseLineInput = z
  .object({
    optionId: uuid('the option'),
    kind: choice('whether it is a cost or a benefit', ['cost', 'benefit']),
    category: requiredText('the category', 100),
    label: requiredText('a description of the line', 200),
    /** A Green Book category, 'stated' for a percentage given below, or none. */
    optimismBias: z.preprocess(
      (v) => (blank(v) || v === 'none' ? null : v),
      z.enum([...OB_KEYS, 'stated'], { error: 'Select an optimism bias category from the list' }).nullable(),
    ),
    statedUplift: z.preprocess(
      (v) => (blank(v) ? null : typeof v === 'number' ? String(v) : v),
      z
        .string({ error: 'Enter the stated optimism bias as a percentage, like 10' })
        .transform((s, ctx) => {
          const bp = parsePercent(s);
          if (bp === undefined || bp < 0 || bp > MAX_STATED_UPLIFT) {
            ctx.addIssue({
              code: 'custom',
              message: 'The stated optimism bias must be a percentage from 0 to 1,000, like 10',
            });
            return z.NEVER;
          }
          return bp;
        })
        .nullable(),
    ),
    optimismBiasReason: optionalText('the reason for the stated optimism bias', 1_000),
    amounts: amountsInput,
    version,
  })
  .transform((v, ctx) => {
    const stated = v.optimismBias === 'stated' || (v.optimismBias === null && v.statedUplift !== null);
    if (v.kind === 'benefit' && (v.optimismBias !== null || v.statedUplift !== null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['optimismBias'],
        message:
          'Optimism bias uplifts costs: leave it blank for a benefit (reduce the option’s benefits for optimism bias instead)',
      });
      return z.NEVER;
    }
    if (v.optimismBias !== null && v.optimismBias !== 'stated' && v.statedUplift !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['statedUplift'],
        message: 'Choose a Green Book category or state a percentage, not both',
      });
      return z.NEVER;
    }
    if (stated && v.statedUplift === null) {
      ctx.addIssue({ code: 'custom', path: ['statedUplift'], message: 'Enter the stated optimism bias, like 10' });
      return z.NEVER;
    }
    if (stated && v.optimismBiasReason === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['optimismBiasReason'],
        message: 'Give the reason for the stated optimism bias, for example “supplier quotes are firm”',
      });
      return z.NEVER;
    }
    return {
      optionId: v.optionId,
      kind: v.kind,
      category: v.category,
      label: v.label,
      optimismBias: stated ? null : (v.optimismBias as OptimismBiasCategory | null),
      statedUplift: stated ? v.statedUplift : null,
      optimismBiasReason: stated ? v.optimismBiasReason : null,
      amounts: v.amounts,
      version: v.version,
    };
  });
export type CaseLineInput = z.output<typeof caseLineInput>;
