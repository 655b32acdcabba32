// Input schema for a person.

import { z } from 'zod';
import { requiredText, optionalText, uuid } from '../../platform/validation.ts';

export const personInput = z.object({
  name: requiredText('the person’s name', 120),
  jobTitle: optionalText('job title', 200),
  employerId: uuid('the organisation they work for'),
  email: optionalText('email address', 254)
    .refine((s) => s === '' || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s), {
      message: 'Enter an email address in the correct format, like name@example.gov.uk',
    })
    .transform((s) => s || null),
  /** The version the form or API client read; absent from older forms (then no check is possible). */
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number().int().min(1).optional(),
  ),
});
export type PersonInput = z.output<typeof personInput>;
