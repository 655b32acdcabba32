// Input of the history pages: the date range of the organisation's audit trail export.

import { z } from 'zod';
import { optionalUkDate } from '../../platform/validation.ts';

export const auditRangeInput = z
  .object({
    from: optionalUkDate('the first day'),
    to: optionalUkDate('the last day'),
  })
  .superRefine((v, ctx) => {
    if (v.from && v.to && v.from > v.to)
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: 'The last day must be the same as or after the first day',
      });
  });
export type AuditRange = z.output<typeof auditRangeInput>;
