// The organisation file, format `amber.organisation.v1`: one organisation with everything it
// stores, as JSON. Keys are camelCase; every record keeps its id (uuid) so references and
// milestone identity survive; dates are `YYYY-MM-DD`; timestamps are ISO 8601 with up to six
// decimals (PostgreSQL keeps microseconds); a milestone's timescale is `YYYY-MM` (a month) or
// `YYYY-MM-DD` (a day). Every field is required (null where there is no value), so a file says
// everything explicitly and an import never guesses — except the fields added to the format
// after files were first written, which an export always writes and an import does without, so
// older files still import: a milestone's `progress` (none), the top-level `indicators` (none),
// a report's `graphs` (none), the top-level `risks` (none), a report's `citedRisks` (none), the
// edit counters `version` of the organisation, a partner and a person and a milestone's
// `progressVersion` (1), and the top-level `diagnostic`, `efficiency`, `accounts`, `auditTrail`
// and `indicatorImportHeaders` (none).
//
// `diagnostic` holds the efficiency diagnostic: `shippedTaxonomies` (the taxonomy versions Amber
// ships that the exercises use, by id and name: shared reference data, never copied; an import
// refuses one this Amber does not ship), `taxonomies` (the organisation's own versions, each with
// its functions and processes) and `exercises`, each with its `units`, `posts` (each with its
// activity `allocations`), `nonPay` lines and `volumes`. `efficiency` holds the programme:
// `benchmarks`, `opportunities`, `cases` (each with its `options`, each with its cash-flow
// `lines`), `projects` (each with its `milestones`, linked by id to a priority's report
// milestone), `savings` and gain-share `agreements` (each with its dated `evaluations`). Both are
// described column by column in programme-transfer.schemas.ts, which says how each value is
// written (money in whole pence, FTE in ten-thousandths, shares in basis points, numeric as exact
// decimal strings). `accounts` holds the organisation's members with their roles and the person
// each is; a password hash only in a file exported with --include-password-hashes
// (account-transfer.schemas.ts says what an import does with an account the target already has).
// `auditTrail` holds the organisation's audit events, oldest first (audit-transfer.schemas.ts says
// how an import appends them). `indicatorImportHeaders` holds the names the organisation gave its
// indicator spreadsheets' columns (import-header-transfer.schemas.ts). Never in the file:
// sessions, one-time links, API tokens, the deployment's operator power, and the job queue with
// the files its jobs hold — transfer-coverage.schemas.ts lists every table and column left out,
// with the reason.
//
// Indicators carry their values as whole numbers in the indicator's scaled units, exactly as
// stored: the value times 10^decimalPlaces (95.5% at 1 decimal place is 955; money is in pence,
// so £1,200.50 is 120050). A percentage tolerance (`ruleKind` percent) is in basis points (5% is
// 500); an absolute one is in the indicator's scaled units. A report's `graphs` are indicator
// ids, in the order the report shows them; its `citedRisks` are ids of risks in "risks" on its
// own priority's register, in the order it cites them under "Challenges/Risks".
//
// Risks carry their assessments as levels, exactly as stored: `likelihood` and `impact` from 1
// to 10 (the most any matrix has), a target as both `targetLikelihood` and `targetImpact` or
// neither (null), the priority it threatens by id and the owner by id or null. Scores and
// ratings are computed from the organisation's matrix, so the file has none.
//
// parseOrganisationFile checks a whole file and reports every problem at once, each named by
// its path (`reports[0].actions[1].milestones[0].timescale`): first the shape of each record,
// then the rules between records (unique keys and codes, references that must point at
// something in the same file, period dates that must match the period's key, values for periods
// of the indicator's frequency, a risk's target that is whole or none; in the programme, records
// of the same exercise, codes of the exercise's taxonomy and org units, and the rules its tables
// enforce, e.g. `efficiency.cases[2].options[0].lines[1].optimismBias`).

import { z } from 'zod';
import type { Selectable } from 'kysely';
import { ValidationError, type FieldIssue } from '../../domain/errors.ts';
import { MAX_NESTING, TEXT_LIMITS, firstProblems, tooDeep } from '../../domain/limits.ts';
import { isoDate } from '../../domain/dates.ts';
import { parsePeriodKey, PeriodKeyError, type PeriodKind } from '../../domain/period.ts';
import { parseTimescale } from '../../domain/timescale.ts';
import { DEFAULT_RISK_MATRIX } from '../../domain/indicators/risk.ts';
import { APPROVAL_ROLES, PATTERNS, SHAPES, STATUS_KEY_PATTERN, COLOUR_PATTERN } from '../../domain/status-scale.ts';
import { ORGANISATION_KINDS } from '../organisations/organisation.schemas.ts';
import { PRIORITY_CODE_PATTERN } from '../plans/plan.schemas.ts';
import { SIGN_OFF_ROLES, legacyRevisionSchema, reportSnapshotSchema } from '../reports/report.schemas.ts';
import { INDICATOR_CODE_PATTERN, SHARED_CODE_MAX, SHARED_CODE_PATTERN } from '../indicators/indicator.schemas.ts';
import {
  UNIT_KINDS,
  POLARITIES,
  FREQUENCIES,
  YTD_METHODS,
  FREQUENCY_PERIOD_KIND,
  MAX_DECIMAL_PLACES,
  checkIndicator,
  type UnitKind,
  type Polarity,
  type Frequency,
  type YtdMethod,
} from '../../domain/indicators/indicator.ts';
import type { IndicatorTable } from '../../schema.ts';
import { SHIPPED_CODES, diagnosticSection, efficiencySection, programmeIssues } from './programme-transfer.schemas.ts';
import { accountRecord, accountIssues } from './account-transfer.schemas.ts';
import { auditEventRecord } from './audit-transfer.schemas.ts';
import { importHeaderRecord, importHeaderIssues } from './import-header-transfer.schemas.ts';

export const ORGANISATION_FILE_FORMAT = 'amber.organisation.v1';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2}):(\d{2}))$/;
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_INT = 2_147_483_647;

/** A period key as stored (`2009-10-H1` → `2009-10-h1`); a key that does not parse is left as it is. */
export function normalisePeriodKey(key: string): string {
  try {
    return parsePeriodKey(key).key;
  } catch {
    return key;
  }
}

export function isRealDate(s: string): boolean {
  const m = DATE_PATTERN.exec(s);
  if (!m) return false;
  try {
    isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return true;
  } catch {
    return false;
  }
}

function isRealTimestamp(s: string): boolean {
  const m = TIMESTAMP_PATTERN.exec(s);
  if (!m || !isRealDate(m[1]!)) return false;
  return (
    Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60 && Number(m[5] ?? 0) < 24 && Number(m[6] ?? 0) < 60
  );
}

// Field builders. `what` names the field to a person ("Plan title"); the path says where it is.

/** A value as a message shows it: strings quoted and cut short, so a pasted essay does not flood the list. */
const quoted = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
const shown = (input: unknown) =>
  input === null
    ? 'null'
    : Array.isArray(input)
      ? 'a list'
      : typeof input === 'string'
        ? quoted(input)
        : typeof input === 'object'
          ? 'an object'
          : String(input);
const wrongType = (what: string, expected: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `${what} is missing` : `${what} must be ${expected}, not ${shown(iss.input)}`;

// Every text has a length limit, the same as the form that edits it (domain/limits.ts): a file
// is not a side door for text a form would refuse.
const tooLong = (what: string, max: number) => ({
  error: `${what} must be ${max.toLocaleString('en-GB')} characters or fewer`,
});
const text = (what: string, max: number = TEXT_LIMITS.short) =>
  z.string({ error: wrongType(what, 'text') }).max(max, tooLong(what, max));
const filledText = (what: string, max: number = TEXT_LIMITS.short) =>
  text(what, max).refine((s) => s.trim() !== '', { error: `${what} is empty` });
const nullableText = (what: string, max: number = TEXT_LIMITS.short) =>
  z
    .string({ error: wrongType(what, 'text or null') })
    .max(max, tooLong(what, max))
    .nullable();

/** A string that passes `ok`; `problem` says what is wrong with the value and how to write it. */
function checkedText(what: string, ok: (s: string) => boolean, problem: (s: string) => string) {
  return text(what).superRefine((s, ctx) => {
    if (!ok(s)) ctx.addIssue({ code: 'custom', message: problem(s) });
  });
}

const id = (what: string) =>
  checkedText(
    what,
    (s) => UUID_PATTERN.test(s),
    (s) => `${what} ${quoted(s)} is not an id: ids are lowercase uuids, like 0f8fad5b-d9cb-469f-a165-70867728950e`,
  );
const nullableId = (what: string) => id(what).nullable();
const date = (what: string) =>
  checkedText(
    what,
    isRealDate,
    (s) => `${what} ${quoted(s)} is not a real date: write dates as YYYY-MM-DD, like 2009-10-22`,
  );
const timestamp = (what: string) =>
  checkedText(
    what,
    isRealTimestamp,
    (s) =>
      `${what} ${quoted(s)} is not a time Amber can read: write it as an export does, like 2009-10-22T09:30:00.000000Z`,
  );
const whole = (what: string, min: number, max: number) =>
  z
    .number({ error: wrongType(what, 'a whole number') })
    .int({ error: `${what} must be a whole number` })
    .min(min, { error: `${what} must be ${min} or more` })
    .max(max, { error: `${what} must be ${max} or less` });
const position = (what: string) => whole(what, 0, MAX_INT);
const version = (what: string) => whole(what, 1, MAX_INT);
const flag = (what: string) => z.boolean({ error: wrongType(what, 'true or false') });
const oneOf = <T extends string>(what: string, values: readonly [T, ...T[]]) =>
  z.enum(values, {
    error: (iss) =>
      iss.input === undefined
        ? `${what} is missing`
        : `${what} must be one of ${values.join(', ')}, not ${shown(iss.input)}`,
  });
const list = <T extends z.ZodType>(what: string, item: T) =>
  z.array(item, {
    error: (iss) =>
      iss.input === undefined
        ? `The list of ${what} is missing: use [] for none`
        : `The ${what} must be given as a list, not ${shown(iss.input)}`,
  });
const record = <S extends z.ZodRawShape>(what: string, shape: S) =>
  z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : wrongType(what, 'an object')(iss)),
  });

// The records.

const organisationShape = (what: string) => ({
  id: id(`${what} id`),
  name: filledText(`${what} name`),
  shortName: nullableText(`${what} short name`),
  kind: oneOf(`${what} kind`, ORGANISATION_KINDS),
  createdAt: timestamp(`${what} created time`),
});

const statusRecord = record('Status', {
  id: id('Status id'),
  key: checkedText(
    'Status key',
    (s) => STATUS_KEY_PATTERN.test(s),
    (s) => `Status key ${quoted(s)} must be lowercase letters, numbers and hyphens, like behind-target`,
  ),
  label: filledText('Status label', TEXT_LIMITS.name),
  colour: checkedText(
    'Status colour',
    (s) => COLOUR_PATTERN.test(s),
    (s) => `Status colour ${quoted(s)} must be a hex colour like #f47738`,
  ),
  shape: oneOf('Status shape', SHAPES),
  description: text('Status description', TEXT_LIMITS.reason),
  commentRequired: flag('Whether the status needs a comment'),
  // Issue 13's rules: files written before them have none (rated, no pattern, no approval).
  rated: flag('Whether the status is in the rating order').optional(),
  pattern: oneOf('Status pattern', PATTERNS).optional(),
  approvalRole: oneOf('Role that approves the status', APPROVAL_ROLES).nullable().optional(),
  position: position('Status position'),
  /**
   * The start of the periods the status's version of the scale is used from (ADR 0014): the
   * statuses with the same date are one version; null or absent (files written before versions)
   * is the first version.
   */
  inUseFrom: date('Status in use from').nullable().optional(),
});

const personRecord = record('Person', {
  id: id('Person id'),
  name: filledText('Person name', TEXT_LIMITS.name),
  jobTitle: text('Job title', TEXT_LIMITS.name),
  employerId: id('Employer id'),
  email: nullableText('Email address').superRefine((s, ctx) => {
    if (s !== null && !EMAIL_PATTERN.test(s))
      ctx.addIssue({
        code: 'custom',
        message: `Email address ${quoted(s)} is not in the correct format, like name@example.gov.uk`,
      });
  }),
  createdAt: timestamp('Person created time'),
  /** Optional: files written before it travelled have none (then 1). */
  version: version('Person version').optional(),
});

const periodKey = text('Period key').superRefine((s, ctx) => {
  try {
    const canonical = parsePeriodKey(s).key;
    if (canonical !== s)
      ctx.addIssue({ code: 'custom', message: `Period key ${quoted(s)} must be written as ${canonical}` });
  } catch (error) {
    if (!(error instanceof PeriodKeyError)) throw error;
    ctx.addIssue({ code: 'custom', message: `Period key ${error.message}` });
  }
});

const periodRecord = record('Reporting period', {
  id: id('Period id'),
  key: periodKey,
  startsOn: date('Period start date'),
  endsOn: date('Period end date'),
  dueOn: date('Date reports are due').nullable(),
});

const priorityRecord = record('Priority', {
  id: id('Priority id'),
  code: checkedText(
    'Priority code',
    (s) => PRIORITY_CODE_PATTERN.test(s),
    (s) =>
      `Priority code ${quoted(s)} must be up to 20 letters, numbers, spaces, dots, hyphens or underscores, like VfM-4d`,
  ),
  title: filledText('Priority title', TEXT_LIMITS.title),
  rationale: text('Why this is a priority', TEXT_LIMITS.rationale),
  accountableOfficerId: nullableId('Accountable officer'),
  accountableDirectorId: nullableId('Accountable director'),
  groupsInternal: text('Council groups', TEXT_LIMITS.reason),
  groupsExternal: text('Partnership groups', TEXT_LIMITS.reason),
  version: version('Priority version'),
  createdAt: timestamp('Priority created time'),
  updatedAt: timestamp('Priority updated time'),
});

const themeRecord = record('Theme', {
  id: id('Theme id'),
  title: filledText('Theme title', TEXT_LIMITS.title),
  position: position('Theme position'),
  version: version('Theme version'),
  priorities: list('priorities', priorityRecord),
});

const planRecord = record('Plan', {
  id: id('Plan id'),
  title: filledText('Plan title', TEXT_LIMITS.title),
  description: text('Plan description', TEXT_LIMITS.description),
  firstYear: whole('First financial year', 1990, 2200),
  lastYear: whole('Last financial year', 1990, 2200),
  version: version('Plan version'),
  createdAt: timestamp('Plan created time'),
  themes: list('themes', themeRecord),
});

const contributorRecord = record('Contributor', {
  id: id('Contributor id'),
  position: position('Contributor position'),
  personId: nullableId('Contributing person'),
  partnerId: nullableId('Contributing partner'),
});

const timescaleText = (what: string) =>
  checkedText(
    what,
    (s) => parseTimescale(s) !== undefined,
    (s) => `${what} ${quoted(s)} is not a month like Nov 2009 or a date`,
  );

/** What became of a milestone (recorded in the next period). Optional: files written before it existed have none. */
const milestoneProgress = z
  .discriminatedUnion(
    'kind',
    [
      record('Milestone progress', {
        kind: z.literal('met'),
        on: date('Date the milestone was met'),
        note: text('Milestone progress note', TEXT_LIMITS.reason),
      }),
      record('Milestone progress', {
        kind: z.literal('slipped'),
        revised: timescaleText('Revised milestone timescale'),
        reason: filledText('Reason the milestone slipped', TEXT_LIMITS.reason),
      }),
      record('Milestone progress', {
        kind: z.literal('missed'),
        reason: filledText('Reason the milestone was missed', TEXT_LIMITS.reason),
      }),
      record('Milestone progress', {
        kind: z.literal('suspended'),
        reason: filledText('Reason the milestone was suspended', TEXT_LIMITS.reason),
      }),
    ],
    {
      error: (iss) =>
        iss.input === null
          ? undefined
          : 'Milestone progress must be null or an object whose kind is met, slipped, missed or suspended',
    },
  )
  .nullable()
  .optional();

const milestoneRecord = record('Milestone', {
  id: id('Milestone id'),
  position: position('Milestone position'),
  description: filledText('Milestone description'),
  timescale: timescaleText('Milestone timescale'),
  progress: milestoneProgress,
  /** The edit counter of the progress. Optional: files written before it travelled have none (then 1). */
  progressVersion: version('Milestone progress version').optional(),
});

const actionRecord = record('Action', {
  id: id('Action id'),
  position: position('Action position'),
  description: filledText('Action description', TEXT_LIMITS.description),
  contributors: list('contributors', contributorRecord),
  milestones: list('milestones', milestoneRecord),
});

const signOffRecord = record('Sign-off', {
  id: id('Sign-off id'),
  role: oneOf('Sign-off role', SIGN_OFF_ROLES),
  personId: id('Person who signed off'),
  decision: oneOf('Sign-off decision', ['approved', 'returned'] as const),
  signedOn: date('Sign-off date'),
  comment: text('Sign-off comment', TEXT_LIMITS.comment),
  historical: flag('Whether the sign-off was recorded from a paper record'),
  recordedAt: timestamp('Sign-off recorded time'),
  /** The workflow (issue 3). Optional: older files have none (then revision 1, a paper record). */
  revision: version('Revision signed').optional(),
  userId: nullableId('Account that signed').optional(),
  signedAt: timestamp('Sign-off time').nullable().optional(),
});

/**
 * A published revision of a report, frozen: `content` is a snapshot of `format` 2 (what Amber
 * writes now), or of format 1 (the view model revisions were kept as before). Files written before
 * revisions had a format carry the view model as `view`. Either way it is checked as closely as a
 * form: a revision Amber itself would not write is refused, naming the path of each problem.
 */
const revisionRecord = z
  .strictObject(
    {
      number: version('Revision number'),
      format: z.union([z.literal(1), z.literal(2)], { error: 'The revision format must be 1 or 2' }).optional(),
      content: z.unknown().optional(),
      view: z.unknown().optional(),
      publishedAt: timestamp('Revision published time'),
      publishedBy: filledText('Who published the revision'),
      publishedByUserId: nullableId('Account that published the revision'),
      publishedByPersonId: nullableId('Person who published the revision'),
      historical: flag('Whether the revision was published from paper sign-offs'),
    },
    { error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : wrongType('Revision', 'an object')(iss)) },
  )
  .superRefine((r, ctx) => {
    const given = r.content !== undefined ? 'content' : r.view !== undefined ? 'view' : undefined;
    if (!given || (r.content !== undefined && r.view !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [given ?? 'content'],
        message: 'A revision holds its report once: as `content` (with its `format`), or as `view` in older files',
      });
      return;
    }
    const format = given === 'view' ? 1 : (r.format ?? 1);
    const checked = (format === 2 ? reportSnapshotSchema : legacyRevisionSchema).safeParse(r[given]);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        ctx.addIssue({ code: 'custom', path: [given, ...issue.path], message: `Revision ${issue.message}` });
      }
    }
  })
  .transform(({ view, content, format, ...r }) => ({
    ...r,
    format: view !== undefined ? 1 : (format ?? 1),
    content: (content ?? view) as Record<string, unknown>,
  }));

/** Where a report is in the sign-off workflow (issue 3). Optional: older files have none (then a draft). */
const workflowRecord = record('Workflow', {
  state: oneOf('Report state', ['draft', 'submitted', 'officer_approved', 'published'] as const),
  revision: version('Current revision'),
  publishedRevision: version('Published revision').nullable(),
  revisions: list('revisions', revisionRecord),
});

// Indicators. The kinds come from the domain's lists; the two the domain does not list are
// checked against the column types.

const nonEmpty = <T extends string>(values: readonly T[]) => values as readonly [T, ...T[]];
const RULE_KINDS = ['percent', 'absolute'] as const satisfies readonly Selectable<IndicatorTable>['rule_kind'][];
const CHART_KINDS = ['line', 'bar'] as const satisfies readonly Selectable<IndicatorTable>['chart_kind'][];

/** How a value is written, for the messages that name a value. */
const SCALED_UNITS =
  'in the indicator’s scaled units (the value times 10 to the power of its decimal places: 95.5% at 1 decimal place is 955, and money is in pence, so £1,200.50 is 120050)';

/** A value as stored: a safe integer in the indicator's scaled units. */
const scaledValue = (what: string) =>
  z.number({ error: wrongType(what, `a whole number ${SCALED_UNITS}, or null`) }).superRefine((n, ctx) => {
    if (!Number.isInteger(n))
      ctx.addIssue({ code: 'custom', message: `${what} must be a whole number ${SCALED_UNITS}, not ${n}` });
    else if (!Number.isSafeInteger(n))
      ctx.addIssue({
        code: 'custom',
        message: `${what} ${n} is too large to store: values ${SCALED_UNITS} must be between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}`,
      });
  });

const TOLERANCE_UNITS =
  'basis points for a percentage tolerance (5% is 500), or the indicator’s scaled units for an absolute one';
const tolerance = z
  .number({ error: wrongType('Tolerance', `a whole number of ${TOLERANCE_UNITS}`) })
  .superRefine((n, ctx) => {
    if (!Number.isSafeInteger(n) || n < 0)
      ctx.addIssue({
        code: 'custom',
        message: `Tolerance must be a whole number of zero or more, in ${TOLERANCE_UNITS}, not ${n}`,
      });
  });

/** An officer's status in place of the computed one; null when the computed status stands. */
const statusOverride = z
  .strictObject(
    {
      statusKey: filledText('Override status key'),
      reason: filledText('Reason for the override', TEXT_LIMITS.reason),
      computedKey: nullableText('Status computed when it was overridden'),
      explanation: text('Override explanation', TEXT_LIMITS.reason),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys' ? undefined : wrongType('Status override', 'null or an object')(iss),
    },
  )
  .nullable();

const indicatorValueRecord = record('Indicator value', {
  id: id('Value id'),
  period: filledText('Value period key'),
  actual: scaledValue('Actual').nullable(),
  target: scaledValue('Target').nullable(),
  targetHigh: scaledValue('Top of the target range').nullable(),
  comment: text('Value comment', TEXT_LIMITS.comment),
  override: statusOverride,
  version: version('Value version'),
  updatedAt: timestamp('Value updated time'),
});

const indicatorRecord = record('Indicator', {
  id: id('Indicator id'),
  code: checkedText(
    'Indicator code',
    (s) => INDICATOR_CODE_PATTERN.test(s),
    (s) =>
      `Indicator code ${quoted(s)} must be up to 30 letters, numbers, spaces, dots, slashes, hyphens or underscores, like NI 179`,
  ),
  title: filledText('Indicator title', TEXT_LIMITS.title),
  description: text('Indicator description', TEXT_LIMITS.description),
  unitKind: oneOf('Indicator unit', nonEmpty<UnitKind>(UNIT_KINDS)),
  decimalPlaces: whole('Decimal places', 0, MAX_DECIMAL_PLACES),
  polarity: oneOf('Indicator polarity', nonEmpty<Polarity>(POLARITIES)),
  frequency: oneOf('Indicator frequency', nonEmpty<Frequency>(FREQUENCIES)),
  ytdMethod: oneOf('Year-to-date method', nonEmpty<YtdMethod>(YTD_METHODS)),
  /** Both null when the indicator uses the organisation's default tolerance. */
  ruleKind: oneOf('Tolerance kind', RULE_KINDS).nullable(),
  ruleValue: tolerance.nullable(),
  chartKind: oneOf('Graph kind', CHART_KINDS),
  ownerId: nullableId('Indicator owner'),
  dataSource: text('Data source'),
  /** Optional: files written before it existed have none. */
  sharedCode: checkedText(
    'Shared identifier',
    (s) => s.length <= SHARED_CODE_MAX && SHARED_CODE_PATTERN.test(s),
    (s) =>
      `Shared identifier ${quoted(s)} must be up to ${SHARED_CODE_MAX} letters, numbers, dots, hyphens or colons, like LGI-1234`,
  )
    .nullable()
    .optional(),
  /** Optional: files written before it existed have none. */
  baseline: scaledValue('Baseline').nullable().optional(),
  version: version('Indicator version'),
  createdAt: timestamp('Indicator created time'),
  updatedAt: timestamp('Indicator updated time'),
  priorityIds: list('priorities the indicator measures', id('Priority the indicator measures')),
  values: list('values', indicatorValueRecord),
});

/** The risk table's range of a level: any matrix has from 1 to 10 levels of each. */
const RISK_LEVELS = { min: 1, max: 10 } as const;
// The matrix is not yet stored per organisation: every deployment scores on the default one,
// so a level beyond it would import and then break the register.
const riskLevel = (what: string) =>
  whole(
    what,
    RISK_LEVELS.min,
    what.endsWith('likelihood') ? DEFAULT_RISK_MATRIX.likelihoodLevels : DEFAULT_RISK_MATRIX.impactLevels,
  );

const riskRecord = record('Risk', {
  id: id('Risk id'),
  priorityId: id('Priority the risk threatens'),
  description: filledText('Risk description', TEXT_LIMITS.reason),
  cause: text('Risk cause', TEXT_LIMITS.reason),
  effect: text('Risk effect', TEXT_LIMITS.reason),
  likelihood: riskLevel('Risk likelihood'),
  impact: riskLevel('Risk impact'),
  targetLikelihood: riskLevel('Target likelihood').nullable(),
  targetImpact: riskLevel('Target impact').nullable(),
  ownerId: nullableId('Risk owner'),
  controls: text('Risk controls', TEXT_LIMITS.description),
  reviewOn: date('Risk review date').nullable(),
  closed: flag('Whether the risk is closed'),
  version: version('Risk version'),
  createdAt: timestamp('Risk created time'),
  updatedAt: timestamp('Risk updated time'),
});

const reportRecord = record('Report', {
  id: id('Report id'),
  priority: filledText('Report priority code'),
  period: filledText('Report period key'),
  summary: text('Report summary', TEXT_LIMITS.summary),
  status: nullableText('Report status key'),
  statusReason: text('Reason for the status', TEXT_LIMITS.statusReason),
  achievements: list('achievements', text('Each achievement', TEXT_LIMITS.reason)).max(200, {
    error: 'A report can list at most 200 achievements',
  }),
  challenges: list('challenges', text('Each challenge', TEXT_LIMITS.reason)).max(200, {
    error: 'A report can list at most 200 challenges',
  }),
  version: version('Report version'),
  createdAt: timestamp('Report created time'),
  updatedAt: timestamp('Report updated time'),
  actions: list('actions', actionRecord),
  signOffs: list('sign-offs', signOffRecord),
  /** Indicator ids in the order the report shows them. Optional: files written before graphs existed have none. */
  graphs: list('graphs', id('Graph indicator id')).optional(),
  /** Ids of risks (in "risks", of the report's priority) cited under "Challenges/Risks", in order. Optional: older files have none. */
  citedRisks: list('cited risks', id('Cited risk id')).optional(),
  workflow: workflowRecord.optional(),
});

export const organisationFile = record('The file', {
  format: z.literal(ORGANISATION_FILE_FORMAT, {
    error: `This is not an Amber organisation file: "format" must be "${ORGANISATION_FILE_FORMAT}"`,
  }),
  exportedAt: timestamp('Export time'),
  organisation: record('Organisation', {
    ...organisationShape('Organisation'),
    /** The edit counter of its details. Optional: files written before it travelled have none (then 1). */
    version: version('Organisation version').optional(),
    /** Optional: files written before it existed have none (then 5%). Only a percentage, in basis points. */
    indicatorDefaults: record('Indicator defaults', {
      ruleKind: oneOf('Default tolerance kind', ['percent'] as const),
      ruleValue: tolerance,
    }).optional(),
  }),
  partners: list(
    'partners',
    record('Partner', {
      ...organisationShape('Partner'),
      /** Optional: files written before it travelled have none (then 1). */
      version: version('Partner version').optional(),
    }),
  ),
  statuses: list('statuses', statusRecord),
  people: list('people', personRecord),
  periods: list('reporting periods', periodRecord),
  plans: list('plans', planRecord),
  /** Optional: files written before indicators existed have none. */
  indicators: list('indicators', indicatorRecord).optional(),
  /** Optional: files written before the risk register existed have none. */
  risks: list('risks', riskRecord).optional(),
  reports: list('reports', reportRecord),
  /** Optional: files written before the diagnostic travelled have none (programme-transfer.schemas.ts). */
  diagnostic: diagnosticSection.optional(),
  /** Optional: files written before the efficiency programme travelled have none. */
  efficiency: efficiencySection.optional(),
  /** Optional: files written before accounts travelled have none (account-transfer.schemas.ts). */
  accounts: list('accounts', accountRecord).optional(),
  /** Optional: files written before the audit trail travelled have none (audit-transfer.schemas.ts). */
  auditTrail: list('audit events', auditEventRecord).optional(),
  /** Optional: files written before they travelled have none (import-header-transfer.schemas.ts). */
  indicatorImportHeaders: list('indicator import headers', importHeaderRecord).optional(),
});

export type OrganisationFile = z.output<typeof organisationFile>;
export type OrganisationFileReport = OrganisationFile['reports'][number];
export type OrganisationFileIndicator = NonNullable<OrganisationFile['indicators']>[number];
export type OrganisationFileRisk = NonNullable<OrganisationFile['risks']>[number];

/** `['reports', 0, 'actions', 1, 'timescale']` → `reports[0].actions[1].timescale`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(file)';
}

function shapeIssues(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        issues.push({
          field: fieldPath([...issue.path, key]),
          message: `Amber's organisation file has no field "${key}" here: check its spelling, or remove it`,
        });
      }
    } else {
      issues.push({ field: fieldPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

// The rules between records. They read the raw input, so that they run (and report) even where
// some records have the wrong shape; a value of the wrong type is left to the shape's message.

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (v: unknown): Raw[] => (Array.isArray(v) ? v.map((x) => (isRecord(x) ? x : {})) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** PostgreSQL text cannot hold U+0000, so a string with one could never be written. */
function nulIssues(value: unknown, path: PropertyKey[] = []): FieldIssue[] {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? [
          {
            field: fieldPath(path),
            message: 'This text contains a NUL character (\\u0000), which cannot be stored: remove it',
          },
        ]
      : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => nulIssues(v, [...path, i]));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => nulIssues(v, [...path, k]));
  return [];
}

function referenceIssues(file: Raw): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });

  /** Remembers values by which record first used them; reports a second use. */
  function registry(clash: (value: string, first: string) => string, normalise = (s: string) => s) {
    const seen = new Map<string, string>();
    return (value: unknown, record: string, field: string): void => {
      const s = str(value);
      if (s === undefined) return;
      const first = seen.get(normalise(s));
      if (first !== undefined) add(`${record}.${field}`, clash(s, first));
      else seen.set(normalise(s), record);
    };
  }
  const ids = (noun: string) =>
    registry((v, first) => `The id ${v} is used twice, also by ${first}: give each ${noun} its own id`);

  const organisationIds = ids('organisation');
  const organisation = isRecord(file.organisation) ? file.organisation : {};
  organisationIds(organisation.id, 'organisation', 'id');
  const partnerNames = registry(
    (v, first) => `Partner name ${quoted(v)} is also used by ${first}: each partner needs its own name`,
    (s) => s.trim().toLowerCase(),
  );
  const partners = items(file.partners);
  partners.forEach((p, i) => {
    organisationIds(p.id, `partners[${i}]`, 'id');
    partnerNames(p.name, `partners[${i}]`, 'name');
  });
  const partnerIds = new Set(partners.map((p) => str(p.id)));
  const employerIds = new Set([str(organisation.id), ...partnerIds]);
  const employersComplete = typeof organisation.id === 'string' && Array.isArray(file.partners);

  const statusIds = ids('status');
  // Keys and labels are unique within a version of the scale (the statuses with the same `inUseFrom`).
  const versionChecks = new Map<string, { keys: ReturnType<typeof registry>; labels: ReturnType<typeof registry> }>();
  const statuses = items(file.statuses);
  const versionOf = (s: Record<string, unknown>) => str(s.inUseFrom) ?? '';
  statuses.forEach((s, i) => {
    statusIds(s.id, `statuses[${i}]`, 'id');
    let checks = versionChecks.get(versionOf(s));
    if (!checks) {
      checks = {
        keys: registry((v, first) => `Status key ${quoted(v)} is also used by ${first}: each status needs its own key`),
        labels: registry(
          (v, first) => `Status label ${quoted(v)} is also used by ${first}: each status needs its own label`,
          (x) => x.trim().toLowerCase(),
        ),
      };
      versionChecks.set(versionOf(s), checks);
    }
    checks.keys(s.key, `statuses[${i}]`, 'key');
    checks.labels(s.label, `statuses[${i}]`, 'label');
  });
  const knownStatusKeys = new Set(statuses.map((s) => str(s.key)));
  /** The keys of the version of the scale in force for a period (by its start), as the file has them. */
  const statusKeysFor = (period: string): Set<string | undefined> => {
    let startsOn: string;
    try {
      startsOn = parsePeriodKey(period).startsOn;
    } catch {
      return knownStatusKeys;
    }
    const from =
      [...versionChecks.keys()]
        .filter((d) => d === '' || d <= startsOn)
        .sort()
        .at(-1) ?? '';
    return new Set(statuses.filter((s) => versionOf(s) === from).map((s) => str(s.key)));
  };

  const personIds = ids('person');
  const people = items(file.people);
  people.forEach((p, i) => {
    personIds(p.id, `people[${i}]`, 'id');
    const employer = str(p.employerId);
    if (employer !== undefined && employersComplete && !employerIds.has(employer)) {
      add(
        `people[${i}].employerId`,
        `Employer ${employer} is neither the organisation nor one of its partners in this file: use the id of the organisation or of a partner`,
      );
    }
  });
  const knownPeople = new Set(people.map((p) => str(p.id)));
  const checkPerson = (value: unknown, field: string, who: string) => {
    const person = str(value);
    if (person !== undefined && Array.isArray(file.people) && !knownPeople.has(person))
      add(
        field,
        `${who} ${person} is not one of the people in this file: add them to "people" or use the id of someone there`,
      );
  };

  const periodIds = ids('reporting period');
  const periodKeys = registry(
    (v, first) => `Period ${quoted(v)} is also listed as ${first}: list each reporting period once`,
    normalisePeriodKey,
  );
  const periods = items(file.periods);
  periods.forEach((p, i) => {
    periodIds(p.id, `periods[${i}]`, 'id');
    periodKeys(p.key, `periods[${i}]`, 'key');
    const key = str(p.key);
    if (key === undefined) return;
    let expected;
    try {
      expected = parsePeriodKey(key);
    } catch {
      return;
    }
    const startsOn = str(p.startsOn);
    const endsOn = str(p.endsOn);
    if (startsOn !== undefined && isRealDate(startsOn) && startsOn !== expected.startsOn) {
      add(`periods[${i}].startsOn`, `Period ${key} starts on ${expected.startsOn}, not ${startsOn}`);
    }
    if (endsOn !== undefined && isRealDate(endsOn) && endsOn !== expected.endsOn) {
      add(`periods[${i}].endsOn`, `Period ${key} ends on ${expected.endsOn}, not ${endsOn}`);
    }
  });
  const knownPeriods = new Set(
    periods
      .map((p) => str(p.key))
      .filter((k) => k !== undefined)
      .map(normalisePeriodKey),
  );

  const planIds = ids('plan');
  const themeIds = ids('theme');
  const priorityIds = ids('priority');
  const priorityCodes = registry(
    (v, first) => `Priority code ${quoted(v)} is also used by ${first}: codes must differ, ignoring capitals`,
    (s) => s.toLowerCase(),
  );
  items(file.plans).forEach((plan, i) => {
    const at = `plans[${i}]`;
    planIds(plan.id, at, 'id');
    if (typeof plan.firstYear === 'number' && typeof plan.lastYear === 'number' && plan.lastYear < plan.firstYear) {
      add(
        `${at}.lastYear`,
        `The plan's last financial year (${plan.lastYear}) is before its first (${plan.firstYear})`,
      );
    }
    items(plan.themes).forEach((theme, j) => {
      themeIds(theme.id, `${at}.themes[${j}]`, 'id');
      items(theme.priorities).forEach((priority, k) => {
        const pat = `${at}.themes[${j}].priorities[${k}]`;
        priorityIds(priority.id, pat, 'id');
        priorityCodes(priority.code, pat, 'code');
        checkPerson(priority.accountableOfficerId, `${pat}.accountableOfficerId`, 'Accountable officer');
        checkPerson(priority.accountableDirectorId, `${pat}.accountableDirectorId`, 'Accountable director');
      });
    });
  });
  // A list of the wrong shape is reported once, by the shape; references into it are not checked.
  const periodsComplete = Array.isArray(file.periods);
  const prioritiesComplete =
    Array.isArray(file.plans) &&
    items(file.plans).every(
      (p) => Array.isArray(p.themes) && items(p.themes).every((th) => Array.isArray(th.priorities)),
    );
  const allPriorities = items(file.plans)
    .flatMap((p) => items(p.themes))
    .flatMap((t) => items(t.priorities));
  const knownCodes = new Set(allPriorities.map((p) => str(p.code)?.toLowerCase()));
  const knownPriorityIds = new Set(allPriorities.map((p) => str(p.id)));
  /** A report's priority by its code, as the import resolves it (the first priority with that code). */
  const priorityIdByCode = new Map<string, string>();
  for (const p of allPriorities) {
    const code = str(p.code)?.toLowerCase();
    const pid = str(p.id);
    if (code !== undefined && pid !== undefined && !priorityIdByCode.has(code)) priorityIdByCode.set(code, pid);
  }

  const indicatorLinks = indicatorIssues(file, add, {
    knownPeople,
    knownPeriods,
    knownPriorityIds,
    knownStatusKeys,
    periodsComplete,
    prioritiesComplete,
    ids,
  });
  const indicatorsComplete = file.indicators === undefined || Array.isArray(file.indicators);

  // Risks: each threatens one of the plans' priorities, is owned by one of the people or nobody,
  // and has a whole target or none.
  const riskIds = ids('risk');
  /** Each risk's priority by id, for the reports' cited risks (undefined when it is not a string). */
  const riskPriorities = new Map<string, string | undefined>();
  const risksComplete = file.risks === undefined || Array.isArray(file.risks);
  items(file.risks).forEach((risk, i) => {
    const rid = str(risk.id);
    if (rid !== undefined && !riskPriorities.has(rid)) riskPriorities.set(rid, str(risk.priorityId));
    const at = `risks[${i}]`;
    riskIds(risk.id, at, 'id');
    const priorityId = str(risk.priorityId);
    if (priorityId !== undefined && prioritiesComplete && !knownPriorityIds.has(priorityId)) {
      add(
        `${at}.priorityId`,
        `Priority ${priorityId} is not one of the plans' priorities in this file: use the id of a priority there`,
      );
    }
    checkPerson(risk.ownerId, `${at}.ownerId`, 'Risk owner');
    // A wrong type or a missing field is the shape's message; here only the pairing.
    const settled = (v: unknown) => v === null || typeof v === 'number';
    if (
      settled(risk.targetLikelihood) &&
      settled(risk.targetImpact) &&
      (risk.targetLikelihood === null) !== (risk.targetImpact === null)
    ) {
      const missing = risk.targetLikelihood === null ? 'targetLikelihood' : 'targetImpact';
      add(
        `${at}.${missing}`,
        'A target is a whole assessment or none: give both targetLikelihood and targetImpact, or null for both',
      );
    }
  });

  const reportIds = ids('report');
  const reportSlots = registry(
    (v, first) => `${v} has a second report here (the first is ${first}): a priority has one report per period`,
    (s) => s.toLowerCase(),
  );
  const actionIds = ids('action');
  const contributorIds = ids('contributor');
  const milestoneIds = ids('milestone');
  const signOffIds = ids('sign-off');
  items(file.reports).forEach((report, i) => {
    const at = `reports[${i}]`;
    reportIds(report.id, at, 'id');
    const code = str(report.priority);
    const period = str(report.period);
    if (code !== undefined && prioritiesComplete && !knownCodes.has(code.toLowerCase())) {
      add(
        `${at}.priority`,
        `There is no priority with the code ${quoted(code)} in this file: use the code of one of the plans' priorities`,
      );
    }
    if (period !== undefined && periodsComplete && !knownPeriods.has(normalisePeriodKey(period))) {
      add(
        `${at}.period`,
        `There is no reporting period ${quoted(period)} in this file: add it to "periods" or use one listed there`,
      );
    }
    if (code !== undefined && period !== undefined)
      reportSlots(`${code} for ${normalisePeriodKey(period)}`, at, 'period');
    const status = str(report.status);
    if (status !== undefined && Array.isArray(file.statuses) && !knownStatusKeys.has(status)) {
      add(
        `${at}.status`,
        `There is no status with the key ${quoted(status)} in this file: use the key of one of "statuses", or null`,
      );
    } else if (
      status !== undefined &&
      period !== undefined &&
      Array.isArray(file.statuses) &&
      !statusKeysFor(period).has(status)
    ) {
      add(
        `${at}.status`,
        `The status ${quoted(status)} is not on the version of the scale used for ${quoted(period)} (the "statuses" whose inUseFrom is the latest on or before the period's start): use one of its keys, or null`,
      );
    }
    items(report.actions).forEach((action, j) => {
      const aat = `${at}.actions[${j}]`;
      actionIds(action.id, aat, 'id');
      items(action.contributors).forEach((c, k) => {
        const cat = `${aat}.contributors[${k}]`;
        contributorIds(c.id, cat, 'id');
        // A wrong type or a missing field is the shape's message; here only the pairing and the references.
        const settled = (v: unknown) => v === null || typeof v === 'string';
        if (!settled(c.personId) || !settled(c.partnerId)) return;
        if ((c.personId === null) === (c.partnerId === null)) {
          add(
            cat,
            'A contributor is either a person or a partner: give exactly one of personId and partnerId, and null for the other',
          );
          return;
        }
        checkPerson(c.personId, `${cat}.personId`, 'Contributor');
        const partner = str(c.partnerId);
        if (partner !== undefined && Array.isArray(file.partners) && !partnerIds.has(partner)) {
          add(
            `${cat}.partnerId`,
            `Contributor ${partner} is not one of the partners in this file: add it to "partners" or use the id of one there`,
          );
        }
      });
      items(action.milestones).forEach((m, k) => milestoneIds(m.id, `${aat}.milestones[${k}]`, 'id'));
    });
    items(report.signOffs).forEach((s, j) => {
      signOffIds(s.id, `${at}.signOffs[${j}]`, 'id');
      checkPerson(s.personId, `${at}.signOffs[${j}].personId`, 'Signatory');
    });
    const graphs = new Map<string, string>();
    strings(report.graphs).forEach(([indicatorId, k]) => {
      const gat = `${at}.graphs[${k}]`;
      const first = graphs.get(indicatorId);
      if (first !== undefined) {
        add(gat, `Indicator ${indicatorId} is already shown as ${first}: show each graph once`);
        return;
      }
      graphs.set(indicatorId, gat);
      const indicator = indicatorLinks.get(indicatorId);
      if (indicator === undefined) {
        if (indicatorsComplete)
          add(gat, `There is no indicator with the id ${indicatorId} in this file: use the id of one of "indicators"`);
        return;
      }
      const priorityId = code === undefined ? undefined : priorityIdByCode.get(code.toLowerCase());
      if (priorityId !== undefined && indicator.priorityIds !== undefined && !indicator.priorityIds.has(priorityId)) {
        add(
          gat,
          `Indicator ${indicator.code ?? indicatorId} does not measure ${code}, so this report cannot show it as a graph: add ${priorityId} to the indicator's priorityIds, or remove the graph`,
        );
      }
    });
    const cited = new Map<string, string>();
    strings(report.citedRisks).forEach(([riskId, k]) => {
      const rat = `${at}.citedRisks[${k}]`;
      const first = cited.get(riskId);
      if (first !== undefined) {
        add(rat, `Risk ${riskId} is already cited as ${first}: cite each risk once`);
        return;
      }
      cited.set(riskId, rat);
      if (!riskPriorities.has(riskId)) {
        if (risksComplete)
          add(rat, `There is no risk with the id ${riskId} in this file: use the id of one of "risks"`);
        return;
      }
      const priorityId = code === undefined ? undefined : priorityIdByCode.get(code.toLowerCase());
      const riskPriority = riskPriorities.get(riskId);
      if (priorityId !== undefined && riskPriority !== undefined && riskPriority !== priorityId) {
        add(
          rat,
          `Risk ${riskId} is on the register of another priority (${riskPriority}), so this ${code} report cannot cite it: cite risks of ${priorityId} only`,
        );
      }
    });
  });
  return issues;
}

/** The strings of a list with their places; anything else is left to the shape's message. */
function strings(v: unknown): [string, number][] {
  return Array.isArray(v) ? v.flatMap((x, i): [string, number][] => (typeof x === 'string' ? [[x, i]] : [])) : [];
}

interface Known {
  knownPeople: Set<string | undefined>;
  knownPeriods: Set<string>;
  knownPriorityIds: Set<string | undefined>;
  knownStatusKeys: Set<string | undefined>;
  periodsComplete: boolean;
  prioritiesComplete: boolean;
  ids: (noun: string) => (value: unknown, record: string, field: string) => void;
}

const KIND_NAMES: Record<PeriodKind, string> = { year: 'year', half: 'half year', quarter: 'quarter', month: 'month' };

/**
 * The rules of the indicators: codes unique ignoring capitals, the unit's rules, owners,
 * priorities, periods (in the file, of the indicator's frequency, one value each) and override
 * statuses that exist. Returns each indicator's code and linked priorities by id, for the
 * reports' graphs (priorityIds undefined when the list is not a list).
 */
function indicatorIssues(
  file: Raw,
  add: (field: string, message: string) => void,
  known: Known,
): Map<string, { code: string | undefined; priorityIds: Set<string> | undefined }> {
  const links = new Map<string, { code: string | undefined; priorityIds: Set<string> | undefined }>();
  const register = (clash: (value: string, first: string) => string, normalise = (s: string) => s) => {
    const seen = new Map<string, string>();
    return (value: string, at: string): void => {
      const first = seen.get(normalise(value));
      if (first !== undefined) add(at, clash(value, first));
      else seen.set(normalise(value), at.replace(/\.[^.[\]]+$/, ''));
    };
  };
  const indicatorIds = known.ids('indicator');
  const valueIds = known.ids('indicator value');
  const codes = register(
    (v, first) => `Indicator code ${quoted(v)} is also used by ${first}: codes must differ, ignoring capitals`,
    (s) => s.toLowerCase(),
  );
  const all = items(file.indicators);
  all.forEach((indicator, i) => {
    const at = `indicators[${i}]`;
    indicatorIds(indicator.id, at, 'id');
    const code = str(indicator.code);
    if (code !== undefined) codes(code, `${at}.code`);
    const id = str(indicator.id);
    if (id !== undefined && !links.has(id)) {
      links.set(id, {
        code,
        priorityIds: Array.isArray(indicator.priorityIds)
          ? new Set(strings(indicator.priorityIds).map(([p]) => p))
          : undefined,
      });
    }
    if ((indicator.ruleKind === null) !== (indicator.ruleValue === null)) {
      add(
        `${at}.ruleValue`,
        'Tolerance kind and tolerance must both be null (the organisation’s default) or both be given',
      );
    }
    const owner = str(indicator.ownerId);
    if (owner !== undefined && Array.isArray(file.people) && !known.knownPeople.has(owner)) {
      add(
        `${at}.ownerId`,
        `Indicator owner ${owner} is not one of the people in this file: add them to "people" or use the id of someone there`,
      );
    }

    // The unit's rules (money in pence; no adding up of percentages), once each field is one of its kinds.
    const unitKind = indicator.unitKind as UnitKind;
    const frequency = indicator.frequency as Frequency;
    const ytd = indicator.ytdMethod as YtdMethod;
    const polarity = indicator.polarity as Polarity;
    const dp = indicator.decimalPlaces;
    if (
      UNIT_KINDS.includes(unitKind) &&
      FREQUENCIES.includes(frequency) &&
      YTD_METHODS.includes(ytd) &&
      POLARITIES.includes(polarity) &&
      typeof dp === 'number' &&
      Number.isInteger(dp) &&
      dp >= 0 &&
      dp <= MAX_DECIMAL_PLACES
    ) {
      for (const issue of checkIndicator({ polarity, frequency, unit: { kind: unitKind, decimalPlaces: dp }, ytd })) {
        const field =
          issue.field === 'ytd'
            ? 'ytdMethod'
            : issue.field === 'unit.decimalPlaces'
              ? 'decimalPlaces'
              : issue.field === 'unit.kind'
                ? 'unitKind'
                : issue.field;
        add(`${at}.${field}`, issue.message);
      }
    }

    const linked = register((v, first) => `Priority ${v} is already listed as ${first}: list each priority once`);
    strings(indicator.priorityIds).forEach(([priorityId, k]) => {
      const pat = `${at}.priorityIds[${k}]`;
      linked(priorityId, pat);
      if (known.prioritiesComplete && !known.knownPriorityIds.has(priorityId)) {
        add(
          pat,
          `Priority ${priorityId} is not one of the plans' priorities in this file: use the id of a priority there`,
        );
      }
    });

    const kind = FREQUENCIES.includes(frequency) ? FREQUENCY_PERIOD_KIND[frequency] : undefined;
    const name = code === undefined ? 'This indicator' : `Indicator ${code}`;
    const periods = register(
      (v, first) =>
        `${name} has a second value for ${v} (the first is ${first}): an indicator has one value per period`,
      normalisePeriodKey,
    );
    items(indicator.values).forEach((value, j) => {
      const vat = `${at}.values[${j}]`;
      valueIds(value.id, vat, 'id');
      const period = str(value.period);
      if (period !== undefined) {
        if (known.periodsComplete && !known.knownPeriods.has(normalisePeriodKey(period))) {
          add(
            `${vat}.period`,
            `There is no reporting period ${quoted(period)} in this file: add it to "periods" or use one listed there`,
          );
        } else if (kind !== undefined) {
          let found: PeriodKind | undefined;
          try {
            found = parsePeriodKey(period).kind;
          } catch {
            /* the period's own key is reported in "periods" */
          }
          if (found !== undefined && found !== kind) {
            add(
              `${vat}.period`,
              `${name} is reported ${frequency}, so each of its values is for a ${KIND_NAMES[kind]}: ${quoted(period)} is a ${KIND_NAMES[found]}`,
            );
          }
        }
        periods(period, `${vat}.period`);
      }
      const statusKey = isRecord(value.override) ? str(value.override.statusKey) : undefined;
      if (
        statusKey !== undefined &&
        statusKey.trim() !== '' &&
        Array.isArray(file.statuses) &&
        !known.knownStatusKeys.has(statusKey)
      ) {
        add(
          `${vat}.override.statusKey`,
          `There is no status with the key ${quoted(statusKey)} in this file: an override uses the key of one of "statuses"`,
        );
      }
    });
  });
  return links;
}

/**
 * Checks a whole organisation file and returns it typed; throws one ValidationError listing
 * every problem by path. A file of another format gets that one message only: the rest would be
 * noise about a file that was never meant for this.
 */
export function parseOrganisationFile(input: unknown): OrganisationFile {
  if (!isRecord(input))
    throw ValidationError.single('(file)', 'The file must hold one JSON object, as Amber exports it');
  if (input.format !== ORGANISATION_FILE_FORMAT) {
    const found = input.format === undefined ? 'it has no "format"' : `its "format" is ${shown(input.format)}`;
    throw ValidationError.single(
      'format',
      `This is not an Amber organisation file: ${found}, and it must be "${ORGANISATION_FILE_FORMAT}"`,
    );
  }
  // Measured before anything walks it recursively: a file nested 200,000 deep is a message, not a stack overflow.
  const deep = tooDeep(input);
  if (deep !== undefined)
    throw ValidationError.single(
      deep,
      `The file nests deeper than ${MAX_NESTING} levels here: an Amber organisation file never does. Nothing has been changed.`,
    );
  const result = organisationFile.safeParse(input);
  const all = [
    ...nulIssues(input),
    ...(result.success ? [] : shapeIssues(result.error)),
    ...referenceIssues(input),
    ...programmeIssues(input, programmeContext(input)),
    ...accountIssues(input.accounts, Array.isArray(input.people) ? programmeContext(input).people : undefined),
    ...importHeaderIssues(input.indicatorImportHeaders),
  ];
  const seen = new Set<string>();
  const unique = all.filter((i) => (seen.has(i.field) ? false : (seen.add(i.field), true)));
  const issues = firstProblems(unique, (rest) => ({
    field: '(file)',
    message: `and ${rest.toLocaleString('en-GB')} more ${rest === 1 ? 'problem' : 'problems'} like those above`,
  }));
  if (issues.length > 0 || !result.success) {
    throw new ValidationError(
      issues,
      `The file cannot be imported: ${unique.length.toLocaleString('en-GB')} ${unique.length === 1 ? 'problem needs' : 'problems need'} correcting. Nothing has been changed.`,
    );
  }
  return result.data;
}

/** What the rest of the file offers the diagnostic's and the programme's references. */
function programmeContext(file: Raw): Parameters<typeof programmeIssues>[1] {
  const ids = (records: Raw[]) => new Set(records.flatMap((r) => (typeof r.id === 'string' ? [r.id] : [])));
  const priorities = items(file.plans)
    .flatMap((p) => items(p.themes))
    .flatMap((t) => items(t.priorities));
  const milestones = items(file.reports)
    .flatMap((r) => items(r.actions))
    .flatMap((a) => items(a.milestones));
  return {
    people: ids(items(file.people)),
    priorities: ids(priorities),
    reportMilestones: ids(milestones),
    complete: {
      person: Array.isArray(file.people),
      priority: Array.isArray(file.plans),
      reportMilestone: Array.isArray(file.reports),
    },
    shipped: SHIPPED_CODES,
  };
}
