// Input schemas for indicators. Values are parsed against the indicator's unit in the service
// (a value means nothing without its unit); here they stay the text the person typed.

import { z } from 'zod';
import {
  requiredText,
  optionalText,
  integer,
  choice,
  optionalUuid,
  stringList,
  periodKeyField,
  queryInteger,
} from '../../platform/validation.ts';
import {
  POLARITIES,
  FREQUENCIES,
  UNIT_KINDS,
  YTD_METHODS,
  type Polarity,
  type Frequency,
  type UnitKind,
  type YtdMethod,
} from '../../domain/indicators/indicator.ts';

const version = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z.number().int().min(1).optional(),
);

export const INDICATOR_CODE_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9 ._/-]{0,28}[A-Za-z0-9])?$/;

export const UNIT_LABELS: Record<UnitKind, string> = {
  number: 'Number',
  percentage: 'Percentage (%)',
  money: 'Money (£)',
  days: 'Days',
  hours: 'Hours',
  ratio: 'Ratio',
  'per-1000': 'Rate per 1,000',
};
export const POLARITY_LABELS: Record<Polarity, string> = {
  higher: 'Higher is better',
  lower: 'Lower is better',
  band: 'Best within a target range',
  none: 'No target (for information)',
};
export const FREQUENCY_LABELS: Record<Frequency, string> = {
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  'half-yearly': 'Half-yearly',
  annual: 'Annual',
};
export const YTD_LABELS: Record<YtdMethod, string> = {
  sum: 'Add up the periods',
  average: 'Average of the periods',
  latest: 'The latest period',
  none: 'No year-to-date figure',
};

/** A shared identifier (an LG Inform metric id): letters and numbers, then dots, hyphens or colons. */
export const SHARED_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const SHARED_CODE_MAX = 30;

/**
 * The identifier other organisations use for the same measure, checked one way wherever it is
 * typed (the indicator's form and file, a club contribution); blank is `null`.
 */
export const sharedCodeField = () =>
  z.preprocess(
    (v) => {
      const t = typeof v === 'string' ? v.trim() : v;
      return t === '' || t === undefined ? null : t;
    },
    z
      .string({ error: 'The shared identifier must be text, like LGI-1234' })
      .max(SHARED_CODE_MAX, { error: `The shared identifier must be ${SHARED_CODE_MAX} characters or fewer` })
      .regex(SHARED_CODE_PATTERN, {
        error: 'The shared identifier must be letters, numbers, dots, hyphens or colons, like LGI-1234',
      })
      .nullable(),
  );

export const indicatorInput = z.object({
  code: z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: 'Enter a code, like NI 179' })
      .min(1, { error: 'Enter a code, like NI 179' })
      .max(30, { error: 'Code must be 30 characters or fewer' })
      .regex(INDICATOR_CODE_PATTERN, {
        message: 'Code must be letters, numbers, spaces, dots, slashes, hyphens or underscores, like NI 179',
      }),
  ),
  title: requiredText('the indicator’s title', 300),
  description: optionalText('how it is measured', 20_000),
  unitKind: choice('the unit', UNIT_KINDS as unknown as [UnitKind, ...UnitKind[]]),
  decimalPlaces: z.preprocess((v) => (v === undefined || v === '' ? 0 : v), integer('the decimal places', 0, 6)),
  polarity: choice('which way is better', POLARITIES as unknown as [Polarity, ...Polarity[]]),
  frequency: choice('how often it is reported', FREQUENCIES as unknown as [Frequency, ...Frequency[]]),
  ytdMethod: z.preprocess(
    (v) => (v === undefined || v === '' ? 'none' : v),
    choice('how the year to date is worked out', YTD_METHODS as unknown as [YtdMethod, ...YtdMethod[]]),
  ),
  /** `default` uses the organisation's default tolerance (then `tolerance` is ignored). */
  ruleKind: z.preprocess(
    (v) => (v === undefined || v === '' ? 'percent' : v),
    choice('the kind of tolerance', ['default', 'percent', 'absolute'] as const),
  ),
  /** As typed: "5" (per cent) or an amount in the indicator's unit. */
  tolerance: z.preprocess(
    (v) => (v === undefined || v === null ? '5' : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'Enter the tolerance' }),
  ),
  chartKind: z.preprocess(
    (v) => (v === undefined || v === '' ? 'line' : v),
    choice('the kind of graph', ['line', 'bar'] as const),
  ),
  ownerId: optionalUuid('the owner'),
  dataSource: optionalText('the data source', 1_000),
  /** The identifier benchmarking clubs compare it by; blank for none. */
  sharedCode: sharedCodeField(),
  /** As typed, in the indicator's unit; blank for none. */
  baseline: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'The baseline must be a number' }),
  ),
  priorityIds: stringList('the priorities it measures'),
  version,
});
export type IndicatorInput = z.output<typeof indicatorInput>;

export const valueInput = z.object({
  period: periodKeyField(),
  actual: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'The actual must be a number' }),
  ),
  target: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'The target must be a number' }),
  ),
  targetHigh: z.preprocess(
    (v) => (v === undefined || v === null ? '' : typeof v === 'number' ? String(v) : v),
    z.string({ error: 'The top of the target range must be a number' }),
  ),
  comment: optionalText('comment', 5_000),
  /** The version of the period's value as read (0: none recorded yet); absent from forms (then no check). */
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number().int().min(0).optional(),
  ),
});

export const overrideInput = z.object({
  period: periodKeyField(),
  /** A status key, or empty to go back to the computed status. */
  status: z.preprocess((v) => (typeof v === 'string' ? v.trim() : (v ?? '')), z.string()),
  reason: optionalText('the reason', 2_000),
  /** The version of the period's value as read (0: none recorded yet); absent from forms (then no check). */
  version: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : Number(v)),
    z.number().int().min(0).optional(),
  ),
});

export const graphsInput = z.object({
  indicators: stringList('the graphs to show'),
});

/** The indicator list's page: 50 rows, enough to scan, few enough to render fast at any size. */
export const INDICATORS_PER_PAGE = 50;
/** The most rows one page of the API's list may ask for. */
export const INDICATORS_PAGE_MOST = 500;

// The API's query parameters (declared on its operation, checked before the handler runs).

/**
 * Which page of the indicator list. Without either parameter the answer is every indicator, as it
 * always was (a list); with one, a page of them with where it is in the list.
 */
export const indicatorListQuery = z.object({
  page: queryInteger('page', 1, 100_000).describe(
    'Which page of indicators, from 1; with `page` or `pageSize` the answer is `{ indicators, page, pages, pageSize, total }` (without either, the list of every indicator). Past the last page the last is answered',
  ),
  pageSize: queryInteger('pageSize', 1, INDICATORS_PAGE_MOST).describe(
    `How many indicators a page holds: ${INDICATORS_PER_PAGE} unless given, at most ${INDICATORS_PAGE_MOST}`,
  ),
});
export type IndicatorListQuery = z.output<typeof indicatorListQuery>;
