// Input schemas for a progress report's sections, its key actions and its sign-offs.

import { TEXT_LIMITS } from '../../domain/limits.ts';
import { z } from 'zod';
import {
  requiredText,
  optionalText,
  textLines,
  stringList,
  choice,
  ukDate,
  optionalUkDate,
  uuid,
  timescaleField,
  periodKeyField,
  capitalise,
  queryChoice,
  queryInteger,
} from '../../platform/validation.ts';
import { parseTimescale } from '../../domain/timescale.ts';
import type { MilestoneProgress } from '../../domain/milestone-progress.ts';

const version = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z.number().int().min(1).optional(),
);

export const newReportInput = z.object({ period: periodKeyField() });

export const sectionsInput = z.object({
  summary: optionalText('the overall summary', TEXT_LIMITS.summary),
  /** The status's key on the organisation's scale, e.g. `amber`; empty for "not assessed yet". */
  status: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v.trim() : v),
    z.string({ error: 'Select a status' }),
  ),
  statusReason: optionalText('the reason for the status', TEXT_LIMITS.statusReason),
  achievements: textLines('achievements'),
  challenges: textLines('challenges and risks'),
  /** Ids of risks on the priority's register cited under "Challenges/Risks"; none when absent. */
  risks: stringList('risks from the register')
    .pipe(z.array(z.string()).max(100, { error: 'A report can cite at most 100 risks' }))
    .transform((ids) => [...new Set(ids.map((id) => id.trim().toLowerCase()).filter(Boolean))]),
  version,
});
export type SectionsInput = z.output<typeof sectionsInput>;

const CONTRIBUTOR_PATTERN = /^(person|partner):([0-9a-f-]{36})$/i;

const milestoneRow = z.object({
  id: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z.uuid({ error: 'Milestone id is not valid' }).optional(),
  ),
  description: z.preprocess((v) => (typeof v === 'string' ? v.trim() : (v ?? '')), z.string()),
  timescale: z.preprocess((v) => (typeof v === 'string' ? v.trim() : (v ?? '')), z.string()),
});

/**
 * A key action. `milestones` is the new full list in order (a form may send blank rows: they are
 * ignored); each milestone needs both a description and a timescale.
 */
export const actionInput = z.object({
  description: requiredText('the action (desired achievements)', 20_000),
  // Checked as a whole list, so the error names the checkboxes rather than the n-th value.
  contributors: stringList('contributory officers and partners')
    .pipe(
      z
        .array(z.string())
        .max(50, { error: 'An action can have at most 50 contributors' })
        .refine((list) => list.every((s) => CONTRIBUTOR_PATTERN.test(s)), {
          message: 'Select contributory officers and partners from the list',
        }),
    )
    .transform((list) => {
      const seen = new Set<string>();
      return list
        .map((s) => {
          const m = CONTRIBUTOR_PATTERN.exec(s)!;
          return { kind: m[1]!.toLowerCase() as 'person' | 'partner', id: m[2]!.toLowerCase() };
        })
        .filter((c) => (seen.has(c.id) ? false : (seen.add(c.id), true)));
    }),
  milestones: z
    .preprocess(
      (v) => (v === undefined || v === null ? [] : v),
      z
        .array(milestoneRow, { error: 'Milestones must be a list' })
        .max(50, { error: 'An action can have at most 50 milestones' }),
    )
    .transform((rows, ctx) => {
      const out: {
        id?: string | undefined;
        description: string;
        timescale: ReturnType<typeof timescaleField>['_zod']['output'];
      }[] = [];
      rows.forEach((row, i) => {
        if (row.description === '' && row.timescale === '' && !row.id) return; // a blank row from the form
        const n = i + 1;
        if (row.description === '')
          ctx.addIssue({ code: 'custom', path: [i, 'description'], message: `Enter what milestone ${n} is` });
        if (row.description.length > 5_000)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'description'],
            message: `Milestone ${n} must be 5,000 characters or fewer`,
          });
        const t = timescaleField(`the timescale of milestone ${n}`).safeParse(row.timescale);
        if (!t.success) ctx.addIssue({ code: 'custom', path: [i, 'timescale'], message: t.error.issues[0]!.message });
        else out.push({ id: row.id, description: row.description, timescale: t.data });
      });
      return out;
    }),
  version,
});
export type ActionInput = z.output<typeof actionInput>;

/** The workflow's states in words (status is never shown by colour alone). */
export { STATE_LABELS } from '../../domain/report-workflow.ts';

export const SIGN_OFF_ROLES = ['accountable_officer', 'accountable_director'] as const;
export const SIGN_OFF_ROLE_LABELS = {
  accountable_officer: 'Accountable Officer',
  accountable_director: 'Accountable Director',
} as const;

export const signOffInput = z
  .object({
    role: choice('whose sign-off this is', SIGN_OFF_ROLES),
    personId: uuid('who signed it off'),
    decision: z.preprocess(
      (v) => (v === undefined || v === '' ? 'approved' : v),
      choice('the decision', ['approved', 'returned'] as const),
    ),
    signedOn: ukDate('the date it was signed off'),
    comment: optionalText('comment', 10_000),
    version,
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'returned' && v.comment === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['comment'],
        message: `${capitalise('enter a comment')} saying why the report is returned`,
      });
    }
  });
export type SignOffInput = z.output<typeof signOffInput>;

/** Submitting a report for sign-off, or approving it: the version the person saw. */
export const workflowInput = z.object({ version, comment: optionalText('comment', 10_000) });

/** Returning a report to draft: the comment is required (the officer must know what to fix). */
export const returnInput = z.object({
  version,
  comment: optionalText('comment', 10_000).refine((c) => c !== '', {
    message: 'Enter a comment saying what needs to change',
  }),
});

/** The sign-off page: approve, or return with a comment. */
export const decisionInput = z
  .object({
    decision: choice('approve it or return it', ['approve', 'return'] as const),
    comment: optionalText('comment', 10_000),
    version,
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'return' && v.comment === '')
      ctx.addIssue({ code: 'custom', path: ['comment'], message: 'Enter a comment saying what needs to change' });
  });

export const moveInput = z.object({
  direction: choice('which way to move it', ['up', 'down'] as const),
  version,
});

export const versionOnly = z.object({ version });

/** What became of a milestone set in this report, recorded when the next report is written. */
export const progressInput = z
  .object({
    progress: choice('what happened to the milestone', ['met', 'slipped', 'missed', 'suspended', 'none'] as const),
    metOn: optionalUkDate('the date it was met'),
    revised: optionalText('the revised timescale', 40),
    reason: optionalText('the reason', 5_000),
  })
  .transform((v, ctx): MilestoneProgress | null => {
    switch (v.progress) {
      case 'none':
        return null;
      case 'met':
        if (!v.metOn) {
          ctx.addIssue({
            code: 'custom',
            path: ['metOn'],
            message: 'Enter the date the milestone was met, like 30 November 2009',
          });
          return z.NEVER;
        }
        return { kind: 'met', on: v.metOn, note: v.reason };
      case 'slipped': {
        const revised = parseTimescale(v.revised);
        if (!revised)
          ctx.addIssue({
            code: 'custom',
            path: ['revised'],
            message: v.revised
              ? 'The revised timescale must be a month like Jan 2010 or a date like 31 January 2010'
              : 'Enter the revised timescale',
          });
        if (!v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Explain why the milestone slipped' });
        return revised && v.reason ? { kind: 'slipped', revised, reason: v.reason } : z.NEVER;
      }
      case 'missed':
      case 'suspended':
        if (!v.reason) {
          ctx.addIssue({ code: 'custom', path: ['reason'], message: `Explain why the milestone was ${v.progress}` });
          return z.NEVER;
        }
        return { kind: v.progress, reason: v.reason };
    }
  });

// --- Published revisions, as stored and as an import file carries them ---------------------
// Checked on import (and when a revision is read back from an older format), with the same limits
// as the forms, so a revision that is not what Amber itself would write is refused naming the path.

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a date like 2009-10-22' });
const isoTimestamp = z.iso.datetime({ offset: true, error: 'must be a date and time like 2009-10-22T14:05:00Z' });
const text = (max: number) =>
  z.string().max(max, { error: `must be ${max.toLocaleString('en-GB')} characters or fewer` });
const shape = z.enum(['circle', 'triangle', 'square', 'diamond', 'cross', 'pause', 'star']);
const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, { error: 'must be a colour like #00703c' });
const person = z.object({ name: text(500), jobTitle: text(500) }).strict();
const timescale = z.object({ precision: z.enum(['month', 'day']), date: isoDate }).strict();
const progress = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('met'), on: isoDate, note: text(5_000) }).strict(),
  z.object({ kind: z.literal('slipped'), revised: timescale, reason: text(5_000) }).strict(),
  z.object({ kind: z.literal('missed'), reason: text(5_000) }).strict(),
  z.object({ kind: z.literal('suspended'), reason: text(5_000) }).strict(),
]);
const progressState = z.enum(['met', 'slipped', 'missed', 'suspended', 'overdue', 'due']);
/** A status's pattern and rules as signed (issue 13): absent in revisions published before them. */
const pattern = z.enum(['none', 'hatched', 'dotted']);
const frozenStatus = z
  .object({
    key: text(100),
    label: text(200),
    colour,
    shape,
    description: text(1_000),
    rated: z.boolean().optional(),
    pattern: pattern.optional(),
    approvalRole: z
      .enum(['accountable_director', 'accountable_officer', 'performance_officer', 'administrator'])
      .nullable()
      .optional(),
  })
  .strict();
const frozenAction = z
  .object({
    description: text(20_000),
    contributors: z.array(text(500)).max(50),
    milestones: z
      .array(
        z
          .object({
            id: text(36),
            description: text(5_000),
            timescale,
            progress: progress.nullable(),
            printed: z
              .object({ state: progressState, text: text(10_000) })
              .strict()
              .optional(),
          })
          .strict(),
      )
      .max(50),
  })
  .strict();
const chartStatus = z
  .object({ label: text(200), colour, shape, symbol: text(4), pattern: pattern.optional() })
  .strict();
const chart = z
  .object({
    code: text(100),
    title: text(1_000),
    unit: text(50),
    decimals: z.number().int().min(0).max(6),
    polarity: text(100),
    kind: z.enum(['line', 'bar']),
    points: z
      .array(
        z
          .object({
            periodLabel: text(100),
            actual: z.number().nullable(),
            target: z.number().nullable(),
            status: chartStatus.nullable(),
          })
          .strict(),
      )
      .max(1_000),
    axisLabel: text(200).optional(),
  })
  .strict();
const citedRisk = z
  .object({
    description: text(5_000),
    ratingLabel: text(100),
    score: z.number().int().min(0).max(25),
    owner: text(500).nullable(),
  })
  .strict();
const textList = z.array(text(5_000)).max(200);

/** A published revision as Amber stores it (format 2, domain/report-snapshot.ts). */
export const reportSnapshotSchema = z
  .object({
    schemaVersion: z.literal(2),
    asOf: isoDate,
    organisation: z.object({ name: text(500) }).strict(),
    priority: z
      .object({
        code: text(50),
        title: text(1_000),
        rationale: text(100_000),
        accountableOfficer: person.nullable(),
        accountableDirector: person.nullable(),
        groupsInternal: text(10_000),
        groupsExternal: text(10_000),
      })
      .strict(),
    period: z.object({ key: text(20) }).strict(),
    report: z
      .object({
        summary: text(TEXT_LIMITS.summary),
        status: frozenStatus.nullable(),
        statusReason: text(TEXT_LIMITS.statusReason),
        achievements: textList,
        challenges: textList,
        actions: z.array(frozenAction).max(500),
        signOffs: z
          .array(
            z
              .object({
                role: z.enum(SIGN_OFF_ROLES),
                decision: z.enum(['approved', 'returned']),
                personName: text(500),
                personJobTitle: text(500),
                signedOn: isoDate,
                comment: text(10_000),
                historical: z.boolean(),
                revision: z.number().int().min(1),
                recordedAt: isoTimestamp.nullable(),
                signedAt: isoTimestamp.nullable(),
              })
              .strict(),
          )
          .max(1_000),
        jointSignOffs: z
          .array(
            z
              .object({
                organisation: text(500),
                officer: text(500),
                decision: z.enum(['approved', 'returned']).nullable(),
                signedBy: text(1_000).nullable(),
                signedAt: isoTimestamp.nullable(),
                comment: text(10_000),
              })
              .strict(),
          )
          .max(100)
          .optional(),
        revision: z.number().int().min(1),
        version: z.number().int().min(1),
        updatedAt: isoTimestamp,
      })
      .strict(),
    previous: z
      .object({ periodKey: text(20), actions: z.array(frozenAction).max(500) })
      .strict()
      .nullable(),
    graphs: z.array(chart).max(50),
    citedRisks: z.array(citedRisk).max(100),
  })
  .strict();

const legacyAction = z.object({
  description: text(20_000),
  contributors: z.array(text(500)).max(50),
  milestones: z
    .array(
      z.object({
        id: text(36).optional(),
        description: text(5_000),
        timescaleIso: isoDate,
        precision: z.enum(['month', 'day']),
        progress: z.object({ state: progressState, text: text(10_000) }).optional(),
      }),
    )
    .max(50),
});

/**
 * A revision published before snapshots were versioned (format 1): the report's view model
 * (render/report-view.ts) as it stood. Only what a snapshot is read from is checked closely;
 * what is derived again on reading (the SVG, the chart's table) only has to be there.
 */
/** A text kept as paragraphs: no longer in all than the field it came from may be. */
const paragraphs = (max: number) =>
  z
    .array(text(max))
    .max(10_000)
    .refine((list) => list.reduce((n, p) => n + p.length, 0) <= max, {
      error: `must be ${max.toLocaleString('en-GB')} characters or fewer in all`,
    });

export const legacyRevisionSchema = z.object({
  organisationName: text(500),
  priority: z.object({ code: text(50), title: text(1_000), rationale: paragraphs(TEXT_LIMITS.rationale) }),
  accountableOfficer: person.nullable(),
  accountableDirector: person.nullable(),
  period: z.object({ key: text(20) }),
  graphs: z.array(z.object({ chart })).max(50),
  summary: paragraphs(TEXT_LIMITS.summary),
  status: frozenStatus
    .extend({ textColour: text(20).optional(), symbol: text(4).optional(), unrated: z.boolean().optional() })
    .nullable(),
  statusReason: paragraphs(TEXT_LIMITS.statusReason),
  achievements: textList,
  challenges: textList,
  citedRisks: z.array(citedRisk).max(100).optional(),
  groups: z.object({ internal: text(10_000), external: text(10_000) }),
  signOffs: z
    .array(
      z.object({
        role: z.enum(SIGN_OFF_ROLES),
        decisionLabel: text(50),
        name: text(500),
        jobTitle: text(500),
        dateIso: isoDate,
        comment: text(10_000),
        historical: z.boolean(),
        enteredOn: text(50).optional(),
        time: text(20).optional(),
      }),
    )
    .max(2),
  lastTime: z
    .object({ periodKey: text(20), actions: z.array(legacyAction).max(500) })
    .nullable()
    .optional(),
  actions: z.array(legacyAction).max(500),
  updatedAt: isoTimestamp,
  version: z.number().int().min(1),
});
export type LegacyRevision = z.output<typeof legacyRevisionSchema>;

/**
 * What to compare (the page's and the API's query): two revisions by number, either of which may be
 * left out (the service chooses: the newest revision the reader may see, and the published one
 * before it), or, on the API, the previous period's report instead.
 */
const revisionEnds = {
  from: queryInteger('from', 1, 1_000_000).describe(
    'The revision to compare from, by number; by default the newest published revision before `to`',
  ),
  to: queryInteger('to', 1, 1_000_000).describe(
    'The revision to compare to, by number; by default the newest revision you may read (the draft being written, if you may read drafts)',
  ),
};
export const revisionCompareQuery = z.object(revisionEnds);

export const reportChangesQuery = z
  .object({
    ...revisionEnds,
    since: queryChoice('since', ['last-period']).describe(
      'last-period: what changed since the priority’s report for the previous period, instead of between two revisions',
    ),
  })
  .refine((q) => q.since === undefined || (q.from === undefined && q.to === undefined), {
    path: ['since'],
    error: 'Give either since=last-period or the revisions to compare (from and to), not both',
  });
export type ReportChangesQuery = z.output<typeof reportChangesQuery>;
