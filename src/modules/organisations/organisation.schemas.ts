// Input schemas for organisations and status scales: form strings and API JSON become typed values here.

import { SLUG_MAX, SLUG_PATTERN } from '../../domain/organisation-slug.ts';
import { z } from 'zod';
import { requiredText, optionalText, checkbox, choice } from '../../platform/validation.ts';
import { SHAPES, PATTERNS, APPROVAL_ROLES, STATUS_KEY_PATTERN, COLOUR_PATTERN } from '../../domain/status-scale.ts';

export const ORGANISATION_KINDS = ['council', 'public_body', 'private', 'voluntary', 'other'] as const;
export const ORGANISATION_KIND_LABELS: Record<(typeof ORGANISATION_KINDS)[number], string> = {
  council: 'Council',
  public_body: 'Other public body',
  private: 'Private company',
  voluntary: 'Voluntary or community organisation',
  other: 'Other',
};

export const organisationInput = z.object({
  name: requiredText('the organisation’s name', 200),
  shortName: optionalText('short name', 60).transform((s) => s || null),
  kind: choice('what kind of organisation it is', ORGANISATION_KINDS),
  /** The version the form or API client read; absent from older forms (then no check is possible). */
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number().int().min(1).optional(),
  ),
});
export type OrganisationInput = z.output<typeof organisationInput>;

/** An organisation that runs Amber itself (an operator creates it): a partner's fields and its web address name. */
export const hostedOrganisationInput = organisationInput.extend({
  /** The name its web addresses carry (`/o/SLUG/…`); made from the short name or name when not given. Ignored for partners. */
  slug: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z
      .string()
      .max(SLUG_MAX, `The web address name must be ${SLUG_MAX} characters or fewer`)
      .regex(
        SLUG_PATTERN,
        'The web address name must be lowercase letters and numbers, with single hyphens between words, like leeds-city-council',
      )
      .optional(),
  ),
});

export const statusInput = z.object({
  id: z.preprocess((v) => (v === '' ? undefined : v), z.uuid().optional()),
  label: requiredText('a label', 40),
  key: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z
      .string()
      .optional()
      .refine((k) => k === undefined || k === '' || STATUS_KEY_PATTERN.test(k), {
        message: 'Key must be lowercase letters, numbers and hyphens, like behind-target',
      }),
  ),
  colour: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: 'Enter a colour' })
      .regex(COLOUR_PATTERN, { message: 'Colour must be a hex colour like #f47738' }),
  ),
  shape: choice('a shape', SHAPES),
  description: optionalText('description', 300),
  commentRequired: checkbox(),
  /**
   * In the rating order (`yes`, the default: statuses saved before issue 13 and API clients that
   * do not send it) or outside it (`no`: neither better nor worse, like not started or completed).
   */
  rated: z.preprocess(
    (v) => (v === undefined || v === null || v === '' || v === 'yes' ? true : v === 'no' ? false : v),
    z.boolean({ error: 'Select whether the status is in the rating order' }),
  ),
  pattern: z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? 'none' : v),
    z.enum(PATTERNS, { error: 'Select a pattern: none, hatched or dotted' }),
  ),
  /** The role whose holder must give the sign-off that publishes a report with this status; none by default. */
  approvalRole: z.preprocess(
    (v) => (v === undefined || v === null || v === '' || v === 'none' ? null : v),
    z.enum(APPROVAL_ROLES, { error: 'Select who must approve the status, or no approval' }).nullable(),
  ),
});

export const statusScaleInput = z.object({
  statuses: z
    .array(statusInput, { error: 'Add at least one status' })
    .min(1, { error: 'Add at least one status' })
    .max(12, { error: 'A status scale can have at most 12 statuses' }),
  /**
   * Saves a change that alters what unpublished reports show (a status they use removed, re-keyed
   * or renamed): the confirmation page's button, or `true` from the API once it has been told
   * which reports (409 STATUS_SCALE_CHANGE_UNCONFIRMED).
   */
  confirm: checkbox().optional(),
  /**
   * The reporting period the change is used from (its key, like 2009-10-h2, or as pages show it):
   * reports of periods starting before it keep the scale as it was (ADR 0014). When left out, the
   * earliest period with an unpublished report, else the current period.
   */
  inUseFrom: z.preprocess(
    (v) => (v === null || v === '' ? undefined : v),
    z.string({ error: 'Choose the period the change is used from' }).max(40).optional(),
  ),
  /**
   * The unpublished reports listed when the officer confirmed (the confirmation page sends them):
   * a report that started using a changed status since then is shown for confirmation again.
   */
  confirmedReports: z.preprocess(
    (v) => (v === undefined || v === null ? undefined : Array.isArray(v) ? v : [v]),
    z
      .array(z.uuid({ error: 'The reports confirmed must be report ids' }))
      .max(10_000)
      .optional(),
  ),
});
export type StatusScaleInput = z.output<typeof statusScaleInput>;

/** `GET /api/status-scale?period=2009-10-h2`: the version of the scale in force for that period. */
export const statusScaleQuery = z.object({
  period: z
    .string({ error: 'Give the period as its key, like 2009-10-h2' })
    .max(40, { error: 'Give the period as its key, like 2009-10-h2 (at most 40 characters)' })
    .optional()
    .describe('A reporting period’s key (like 2009-10-h2): the version of the scale in force for that period'),
});
export type StatusScaleQuery = z.output<typeof statusScaleQuery>;

/** The organisation's default tolerance, as typed: a percentage like 5 or 2.5 (read in the service). */
export const indicatorDefaultsInput = z.object({
  tolerance: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'Enter the tolerance as a percentage, like 5' }),
  ),
});

/**
 * An organisation that runs Amber, named by its address name as its people give it (`/o/NAME/`);
 * a whole address pasted in is cut down to the name. Organisations do not see a list of each other.
 */
export const addressName = (what: string) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .trim()
            .toLowerCase()
            .replace(/^.*\/o\//, '')
            .replace(/\/.*$/, '')
        : v,
    z
      .string({ error: `Enter the address name of ${what}` })
      .min(1, { error: `Enter the address name of ${what}` })
      .max(SLUG_MAX, { error: `Enter the address name of ${what}, like wakefield-council` })
      .regex(SLUG_PATTERN, { error: `Enter the address name of ${what} as they gave it, like wakefield-council` }),
  );
