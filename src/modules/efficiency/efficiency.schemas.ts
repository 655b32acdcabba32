// Input schemas of the efficiency programme: strings from forms (or JSON) become Money, basis
// points, dates and yearly amounts here, each refusal naming its field. Rules across fields and
// records (quartiles in order, a saving within its pool, references to the organisation's own
// records) are the service's.

import { z } from 'zod';
import {
  requiredText,
  optionalText,
  optionalUuid,
  uuid,
  integer,
  checkbox,
  choice,
  stringList,
  ukDate,
  optionalUkDate,
  capitalise,
} from '../../platform/validation.ts';
import { type Money, parseMoney } from '../../domain/diagnostic/money.ts';
import { parsePercent } from '../../domain/diagnostic/decimal.ts';
import { LEVERS, STAGES, parseYearlyAmounts } from '../../domain/diagnostic/programme.ts';
import { OPTIMISM_BIAS, type OptimismBiasCategory } from '../../domain/diagnostic/appraisal.ts';
import { discountScheduleInput } from './cases.schemas.ts';

const trimmed = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : v);

export const version = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z.number().int().min(1).optional(),
);

/** A decimal number as typed ("1.5", "1,234.5", "-2"); `optional` turns blank into null. */
function decimal(label: string) {
  return z.preprocess(
    trimmed,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx) => {
        const clean = s.replace(/,(?=\d{3}(\D|$))/g, '');
        if (!/^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(clean)) {
          ctx.addIssue({ code: 'custom', message: `${capitalise(label)} must be a number, like 1.5` });
          return z.NEVER;
        }
        return Number(clean);
      }),
  );
}
function optionalDecimal(label: string) {
  return z.preprocess(
    (v) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? null : v),
    decimal(label).nullable(),
  );
}

/** Money as typed: "£1,409,310", "£9.0m", "150K". */
function money(label: string) {
  return z.preprocess(
    trimmed,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx): Money => {
        const m = parseMoney(s);
        if (m === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `${capitalise(label)} must be an amount of money, like £1,200,000 or £1.2m`,
          });
          return z.NEVER;
        }
        if (m < 0) {
          ctx.addIssue({ code: 'custom', message: `${capitalise(label)} cannot be negative` });
          return z.NEVER;
        }
        return m;
      }),
  );
}
function optionalMoney(label: string) {
  return z.preprocess(
    (v) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? null : v),
    money(label).nullable(),
  );
}

/** A percentage as typed ("60", "60%", "33.33") in basis points, 0–100%. */
function percent(label: string, fallback: number) {
  return z.preprocess(
    (v) =>
      v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? String(fallback / 100) : trimmed(v),
    z.string().transform((s, ctx) => {
      const bp = parsePercent(s);
      if (bp === undefined || bp < 0 || bp > 10_000) {
        ctx.addIssue({ code: 'custom', message: `${capitalise(label)} must be a percentage from 0 to 100, like 60` });
        return z.NEVER;
      }
      return bp;
    }),
  );
}

/** A financial year as its start year: "2010", "2010/11" or "2010-11". */
function financialYear(label: string) {
  return z.preprocess(
    trimmed,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx) => {
        const m = /^(\d{4})(?:[/-](\d{2}|\d{4}))?$/.exec(s);
        const start = m ? Number(m[1]) : NaN;
        const end = m?.[2] ? Number(m[2].length === 2 ? `${String(start + 1).slice(0, 2)}${m[2]}` : m[2]) : start + 1;
        if (!m || start < 1990 || start > 2100 || end !== start + 1) {
          ctx.addIssue({ code: 'custom', message: `${capitalise(label)} must be a financial year, like 2010/11` });
          return z.NEVER;
        }
        return start;
      }),
  );
}

export const benchmarkInput = z.object({
  indicator: requiredText('the indicator', 300),
  unit: optionalText('the unit', 60),
  direction: choice('whether lower or higher is better', ['lower-is-better', 'higher-is-better']),
  functionCode: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null),
    z.string().max(20).nullable(),
  ),
  source: requiredText('the source', 500),
  year: requiredText('the year of the figures', 20),
  peerGroup: requiredText('the peer group', 300),
  n: z.preprocess(
    trimmed,
    z
      .string({ error: 'Enter how many organisations the figures come from' })
      .min(1, { error: 'Enter how many organisations the figures come from' })
      .transform((s, ctx) => {
        const n = /^\d+$/.test(s) ? Number(s) : NaN;
        if (!Number.isSafeInteger(n)) {
          ctx.addIssue({ code: 'custom', message: 'Enter the number of organisations as a whole number' });
          return z.NEVER;
        }
        if (n < 5) {
          ctx.addIssue({
            code: 'custom',
            message: 'A peer statistic needs at least 5 organisations: figures from fewer are never shown',
          });
          return z.NEVER;
        }
        return n;
      }),
  ),
  p25: decimal('the 25th percentile'),
  p50: decimal('the median'),
  p75: decimal('the 75th percentile'),
  ownValue: optionalDecimal('your value'),
  illustrative: checkbox(),
  version,
});
export type BenchmarkInput = z.output<typeof benchmarkInput>;

export const computedBenchmarkInput = z.object({
  functionCode: requiredText('the function', 20),
});

/**
 * Where a computed benchmark comes from: a benchmarking club (issue 11; ADR 0018). Optional here so
 * that the service can say why one is needed (the organisation may be in no club yet).
 */
export const computedBenchmarkSource = z.object({
  clubId: z.preprocess(
    (v) => (v === '' || v === undefined ? undefined : v),
    z.uuid({ error: 'Choose a club from the list' }).optional(),
  ),
});

export const opportunityInput = z.object({
  title: requiredText('a title', 300),
  lever: choice('the lever', LEVERS),
  costPool: requiredText('the cost pool', 20),
  poolCost: optionalMoney('the cost of the pool'),
  low: optionalMoney('the low saving'),
  central: optionalMoney('the central saving'),
  high: optionalMoney('the high saving'),
  achievability: percent('the achievability factor', 10_000),
  confidence: choice('how confident you are', ['low', 'medium', 'high']),
  benchmarkSetId: optionalUuid('the benchmark'),
  priority: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null),
    z.string().max(40).nullable(),
  ),
  description: optionalText('the description', 20_000),
  // The levers' own assumptions (issue 12): used when the savings are worked out from the data.
  targetSpan: z.preprocess(
    (v) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? '7' : trimmed(v)),
    integer('the target span', 2, 50),
  ),
  realisation: percent('the realisation rate', 5_000),
  shiftedShare: percent('the share of the volume shifted', 0),
  targetUnitCost: optionalMoney('the target unit cost'),
  overrideReason: optionalText('the reason for changing the worked-out savings', 5_000),
  /** "work-out" shows the working without saving; anything else saves. */
  action: z.preprocess((v) => (v === 'work-out' ? 'work-out' : 'save'), z.enum(['work-out', 'save'])),
  version,
});
export type OpportunityInput = z.output<typeof opportunityInput>;
/** What working a lever out needs: the lever, its pool and benchmark, and its assumptions (no title yet). */
export const leverAssumptionsInput = opportunityInput.pick({
  lever: true,
  costPool: true,
  benchmarkSetId: true,
  achievability: true,
  targetSpan: true,
  realisation: true,
  shiftedShare: true,
  targetUnitCost: true,
});

export const caseInput = z.object({
  title: requiredText('a title', 300),
  opportunityId: optionalUuid('the opportunity'),
  baseYear: integer('the base year', 1990, 2100),
  // Issue 12: the Green Book's standard or health schedule (cases.schemas.ts).
  discountSchedule: discountScheduleInput,
  strategic: optionalText('the strategic case', 50_000),
  economic: optionalText('the economic case', 50_000),
  commercial: optionalText('the commercial case', 50_000),
  financial: optionalText('the financial case', 50_000),
  management: optionalText('the management case', 50_000),
  version,
});

const OB_KEYS = Object.keys(OPTIMISM_BIAS) as [OptimismBiasCategory, ...OptimismBiasCategory[]];

export const optionInput = z.object({
  name: requiredText('the name of the option', 200),
  description: optionalText('the description', 20_000),
  businessAsUsual: checkbox(),
  preferred: checkbox(),
  benefitReduction: percent('the reduction of benefits for optimism bias', 0),
  mitigation: z.preprocess(
    (v) => (v && typeof v === 'object' ? v : {}),
    z.object(
      Object.fromEntries(
        OB_KEYS.map((k) => [k, percent(`the mitigation of ${OPTIMISM_BIAS[k].label.toLowerCase()}`, 0)]),
      ) as Record<OptimismBiasCategory, ReturnType<typeof percent>>,
    ),
  ),
  version,
});

export const lineInput = z.object({
  optionId: uuid('the option'),
  kind: choice('whether it is a cost or a benefit', ['cost', 'benefit']),
  category: requiredText('the category', 100),
  label: requiredText('a description of the line', 200),
  optimismBias: z.preprocess(
    (v) => (v === '' || v === undefined || v === null || v === 'none' ? null : v),
    z.enum(OB_KEYS, { error: 'Select an optimism bias category from the list' }).nullable(),
  ),
  amounts: z.preprocess(
    (v) => (typeof v === 'string' ? v : v === undefined ? '' : v),
    z.string({ error: 'Enter the amounts by year' }).transform((s, ctx) => {
      const r = parseYearlyAmounts(s);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return r.amounts;
    }),
  ),
  version,
});

export const versionInput = z.object({ version });

export const projectInput = z.object({
  caseId: uuid('the approved business case'),
  name: requiredText('the name of the project', 200),
  ownerId: optionalUuid('the owner'),
  startsOn: ukDate('the start date'),
  endsOn: ukDate('the end date'),
  dependsOn: stringList('the projects it depends on'),
});

export const milestoneInput = z.object({
  projectId: uuid('the project'),
  description: requiredText('a description of the milestone', 1_000),
  dueOn: ukDate('the date it is due'),
  ownerId: optionalUuid('the owner'),
  priority: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null),
    z.string().max(40).nullable(),
  ),
  actionNumber: z.preprocess(
    (v) => (v === undefined || v === null || (typeof v === 'string' && v.trim() === '') ? null : v),
    integer('the key action number', 1, 999).nullable(),
  ),
});

export const savingInput = z.object({
  opportunityId: uuid('the opportunity'),
  financialYear: financialYear('the financial year'),
  stage: choice('the stage', STAGES),
  amount: money('the amount'),
  cashable: checkbox(),
  recurring: checkbox(),
  additional: checkbox(),
  note: optionalText('the note', 5_000),
  version,
});

export const agreementInput = z.object({
  reading: choice('the reading of the deal', ['A', 'B']),
  name: optionalText('the name', 300),
});

export const evaluateInput = z.object({
  evaluatedOn: optionalUkDate('the date of the evaluation'),
});
