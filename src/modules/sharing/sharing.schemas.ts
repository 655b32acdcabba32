// Input of data-sharing agreements and shares (issue 11).

import { z } from 'zod';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import {
  choice,
  optionalText,
  optionalUuid,
  requiredText,
  stringList,
  periodKeyField,
  ukDate,
  uuid,
} from '../../platform/validation.ts';
import { addressName } from '../organisations/organisation.schemas.ts';

/** Sections of a report an officer may keep internal when sharing a priority. */
export const SHAREABLE_SECTIONS = ['summary', 'achievements', 'challenges', 'actions', 'signOffs'] as const;
export type ShareableSection = (typeof SHAREABLE_SECTIONS)[number];
export const SECTION_LABELS: Record<ShareableSection, string> = {
  summary: 'Summary of progress and the status reason',
  achievements: 'Key achievements',
  challenges: 'Challenges and risks',
  actions: 'Key actions and milestones',
  signOffs: 'Sign-offs',
};

/** One section of the shared reports and whether the partner sees it. */
export interface SectionShown {
  key: ShareableSection;
  label: string;
  shared: boolean;
}

/** Every section, in the report's order, with whether a share keeping `internal` from the partner shows it. */
export const sectionsShown = (internal: readonly string[]): SectionShown[] =>
  SHAREABLE_SECTIONS.map((key) => ({ key, label: SECTION_LABELS[key], shared: !internal.includes(key) }));

/** The sections shown (or kept internal) in words, "Key achievements; Sign-offs", or `none`. */
export const sectionsInWords = (sections: readonly SectionShown[], shared: boolean, none: string) =>
  sections
    .filter((s) => s.shared === shared)
    .map((s) => s.label)
    .join('; ') || none;

/** A share's `version` as read, so that a change made since is refused (409) rather than overwritten. */
const shareVersion = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z
    .number({ error: 'Send the version of the share you read, so that a change made since is not overwritten' })
    .int()
    .min(1),
);

export const agreementInput = z
  .object({
    /** The partner's address name in Amber (`/o/NAME/`): organisations do not see a list of each other. */
    partner: addressName('the organisation you are sharing with'),
    partnerRecordId: optionalUuid('how your key actions name them'),
    title: requiredText('a title for the agreement', TEXT_LIMITS.title),
    purpose: requiredText('the purpose of the sharing', TEXT_LIMITS.description),
    dataShared: requiredText('what is shared', TEXT_LIMITS.description),
    legalBasis: requiredText('the legal basis for sharing', TEXT_LIMITS.description),
    startsOn: ukDate('the date the agreement starts'),
    endsOn: ukDate('the date the agreement ends'),
    signatories: requiredText('who signed it', TEXT_LIMITS.description),
  })
  .superRefine((v, ctx) => {
    if (v.endsOn < v.startsOn)
      ctx.addIssue({
        code: 'custom',
        path: ['endsOn'],
        message: 'The agreement must end on or after the day it starts',
      });
  });
export type AgreementInput = z.output<typeof agreementInput>;

export const revokeInput = z.object({
  reason: requiredText('why it is revoked', TEXT_LIMITS.reason),
  version: z.preprocess((v) => (v === undefined || v === '' ? undefined : Number(v)), z.number().int().min(1)),
});

export const shareInput = z.object({
  priorityId: uuid('the priority to share'),
  level: choice('what the partner may do', ['read', 'update'] as const),
  periodIds: stringList('the reporting periods').pipe(
    z
      .array(z.uuid({ error: 'Choose reporting periods from the list' }))
      .min(1, { error: 'Choose at least one reporting period' }),
  ),
  indicatorIds: stringList('the indicators').pipe(z.array(z.uuid({ error: 'Choose indicators from the list' }))),
  /** Shared indicators whose values the partner enters (an update share only). */
  suppliedIndicatorIds: stringList('the indicators they supply').pipe(
    z.array(z.uuid({ error: 'Choose the indicators they supply from the list' })),
  ),
  /** The partner co-owns the priority: a report is published only once it has signed it off. */
  joint: z.preprocess((v) => v === 'yes' || v === true || v === 'on', z.boolean()),
  jointOfficer: optionalText('their accountable officer', TEXT_LIMITS.name),
  internalSections: stringList('the sections kept internal').pipe(
    z.array(z.enum(SHAREABLE_SECTIONS, { error: 'Choose sections from the list' })),
  ),
});
export type ShareInput = z.output<typeof shareInput>;

export const shareActionsInput = z.object({
  actionIds: stringList('the key actions').pipe(z.array(z.uuid({ error: 'Choose key actions from the list' }))),
  version: shareVersion,
});

/**
 * The sections of a share's reports kept from the partner, as the report's editors choose them
 * (issue 11, item 3): the whole list (none ticked, or `[]`: the partner sees every section) and the
 * share's `version` as read, so a change made meanwhile is refused (409) rather than overwritten.
 * A key that is not a section is refused naming the field, with the keys there are.
 */
export const shareSectionsInput = z.object({
  internalSections: stringList('the sections kept internal').pipe(
    z.array(z.string()).superRefine((keys, ctx) => {
      const unknown = keys.filter((k) => !(SHAREABLE_SECTIONS as readonly string[]).includes(k));
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `Choose sections from the list (${SHAREABLE_SECTIONS.join(', ')}): ${unknown
            .slice(0, 3)
            .map((k) => `“${k.slice(0, 40)}”`)
            .join(', ')} ${unknown.length === 1 ? 'is not one of them' : 'are not among them'}`,
        });
    }),
  ),
  version: shareVersion,
});
export type ShareSectionsInput = z.output<typeof shareSectionsInput>;

/**
 * A joint owner's sign-off: the report's `version` as the person read it (so that what is signed
 * is what was read; a report changed since is refused, 409), and an optional comment.
 */
export const jointSignOffInput = z.object({
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z
      .number({ error: 'Send the version of the report you read, so that what you sign off is what you read' })
      .int()
      .min(1),
  ),
  comment: optionalText('a comment', TEXT_LIMITS.comment),
});

/**
 * A joint owner's sign-off given on paper before Amber, entered by the owner's system (the demo's
 * history): who signed for the partner, and when.
 */
export const historicalJointSignOffInput = z.object({
  signedBy: requiredText('who signed it off', TEXT_LIMITS.name),
  signedOn: ukDate('the date it was signed off'),
  comment: optionalText('a comment', TEXT_LIMITS.comment),
});

/** The period a partner enters a supplied indicator's value for; the value itself is the indicators module's to read. */
export const suppliedValuePeriodInput = z.object({ period: periodKeyField() });

/** A comment on a shared report, or on one of its shared key actions. */
export const commentInput = z.object({
  body: requiredText('your comment', TEXT_LIMITS.comment),
  actionId: optionalUuid('the key action it is about'),
});
