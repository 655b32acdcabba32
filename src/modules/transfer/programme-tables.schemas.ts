// The diagnostic and efficiency tables of the organisation file, described once as data: for each
// table, the list it is in the file, each carried column with its field name, kind and the words
// a message uses, each column left out with the reason, and the tables nested in it. Read by the
// shape check and the rules (programme-transfer.schemas.ts, whose header describes the format),
// by the reader and writer (programme-transfer.ts) and by the guard test. A new column is one line
// here; the guard test fails, naming it, until it is.

import { z } from 'zod';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { LEVERS, STAGES } from '../../domain/diagnostic/programme.ts';
import { OPTIMISM_BIAS } from '../../domain/diagnostic/appraisal.ts';
import type { Taxonomy } from '../../domain/diagnostic/baseline.ts';
import { DEFAULT_TAXONOMY, DEFAULT_TAXONOMY_ID, DEFAULT_TAXONOMY_NAME } from '../../domain/diagnostic/taxonomy.ts';

/** The taxonomy versions Amber ships (shared reference data, the same fixed ids everywhere). */
export const SHIPPED_TAXONOMIES: ReadonlyMap<string, { name: string; taxonomy: Taxonomy }> = new Map([
  [DEFAULT_TAXONOMY_ID, { name: DEFAULT_TAXONOMY_NAME, taxonomy: DEFAULT_TAXONOMY }],
]);

export type FieldKind =
  'id' | 'text' | 'int' | 'pence' | 'numeric' | 'flag' | 'date' | 'timestamp' | 'choice' | 'texts' | 'ids' | 'json';

/** What an id or a code refers to, checked on import. */
export type Target =
  | 'taxonomy'
  | 'exercise'
  | 'benchmark'
  | 'opportunity'
  | 'case'
  | 'project'
  | 'person'
  | 'priority'
  | 'reportMilestone';

export interface ColumnSpec {
  column: string;
  field: string;
  kind: FieldKind;
  /** Named in messages: "Pay cost". */
  what: string;
  nullable?: boolean;
  /** Text: the longest; whole numbers: the range. */
  max?: number;
  min?: number;
  /** Text that may not be blank. */
  filled?: boolean;
  values?: readonly string[];
  /** json: the shape of the value. */
  json?: z.ZodType;
  refers?: Target;
  /** Added to the format after files were first written: absent on import means the column default. */
  added?: boolean;
}

export interface TableSpec {
  table: string;
  /** The list's name in the file. */
  list: string;
  noun: string;
  /** Whether the table has organisation_id (the taxonomy's functions and processes belong to their version). */
  owned: boolean;
  /** The column that ties a nested record to its parent (implied by where it sits in the file). */
  parentColumn?: string;
  /** Columns copied from the parent record's columns: { child column: parent column }. */
  inherited?: Record<string, string>;
  /** The fields that identify a record among its siblings, for sorting and uniqueness (the id, or codes). */
  key: string[];
  /** Sorted by these fields first (then by `key`). */
  order: string[];
  columns: ColumnSpec[];
  /** Columns of the table that are not in the file, each with the reason. */
  leftOut: Record<string, string>;
  /**
   * Fields that files from an older Amber carry for a column this Amber no longer has: still
   * checked as before (so such a file imports), then dropped, each with the reason.
   */
  retired?: (Omit<ColumnSpec, 'column'> & { why: string })[];
  children?: TableSpec[];
  /** Where the id in `target` is registered for reference checks. */
  target?: Target;
}

const ORG = 'the organisation the file is imported as';
const PARENT = (what: string) => `given by the ${what} the record sits in`;

const c = (
  column: string,
  field: string,
  kind: FieldKind,
  what: string,
  more: Partial<ColumnSpec> = {},
): ColumnSpec => ({
  column,
  field,
  kind,
  what,
  ...more,
});
const MAX_INT = 2_147_483_647;
const common = {
  version: (what: string) => c('version', 'version', 'int', `${what} version`, { min: 1, max: MAX_INT }),
  createdAt: (what: string) => c('created_at', 'createdAt', 'timestamp', `${what} created time`),
};

const mitigation = z.record(
  z.enum(Object.keys(OPTIMISM_BIAS) as [string, ...string[]], {
    error: `Mitigation is given per optimism bias category: ${Object.keys(OPTIMISM_BIAS).join(', ')}`,
  }),
  z.number().int().min(0).max(10_000, { error: 'Mitigation is in basis points, from 0 to 10000' }),
  { error: 'Mitigation must be an object of basis points by optimism bias category, like {"outsourcing": 5000}' },
);
const yearlyPence = z.array(
  z
    .number({ error: 'Each yearly amount must be a whole number of pence' })
    .refine(Number.isSafeInteger, { error: 'Each yearly amount must be a whole number of pence' }),
  { error: 'Amounts must be a list of whole numbers of pence, year 0 first' },
);
const tranches = z.array(
  z.strictObject(
    {
      threshold: z.number().refine(Number.isSafeInteger, { error: 'A threshold is a whole number of pence' }),
      repayment: z.number().refine(Number.isSafeInteger, { error: 'A repayment is a whole number of pence' }),
      inclusive: z.boolean({ error: 'Whether a tranche is inclusive is true or false' }),
    },
    { error: 'A tranche is an object {threshold, repayment, inclusive}' },
  ),
  { error: 'Tranches must be a list of {threshold, repayment, inclusive}' },
);

const jsonObject = (what: string) =>
  z.record(z.string(), z.unknown(), { error: `${what} must be an object, as an export writes it` });

export const DIAGNOSTIC_TABLES: TableSpec[] = [
  {
    table: 'diagnostic_taxonomy_version',
    list: 'taxonomies',
    noun: 'taxonomy version',
    owned: true,
    key: ['id'],
    order: ['createdAt', 'name'],
    target: 'taxonomy',
    columns: [
      c('id', 'id', 'id', 'Taxonomy version id'),
      c('name', 'name', 'text', 'Taxonomy version name', { filled: true, max: TEXT_LIMITS.short }),
      c('based_on_id', 'basedOnId', 'id', 'Taxonomy version it extends', { nullable: true, refers: 'taxonomy' }),
      common.createdAt('Taxonomy version'),
    ],
    leftOut: { organisation_id: ORG },
    children: [
      {
        table: 'diagnostic_taxonomy_function',
        list: 'functions',
        noun: 'function',
        owned: false,
        parentColumn: 'taxonomy_version_id',
        key: ['code'],
        order: ['position'],
        columns: [
          c('code', 'code', 'text', 'Function code', { filled: true, max: TEXT_LIMITS.code }),
          c('name', 'name', 'text', 'Function name', { filled: true, max: TEXT_LIMITS.short }),
          c('position', 'position', 'int', 'Function position', { min: 0, max: MAX_INT }),
        ],
        leftOut: { taxonomy_version_id: PARENT('taxonomy version') },
      },
      {
        table: 'diagnostic_taxonomy_process',
        list: 'processes',
        noun: 'process',
        owned: false,
        parentColumn: 'taxonomy_version_id',
        key: ['code'],
        order: ['position'],
        columns: [
          c('code', 'code', 'text', 'Process code', { filled: true, max: TEXT_LIMITS.code }),
          c('name', 'name', 'text', 'Process name', { filled: true, max: TEXT_LIMITS.short }),
          c('function_code', 'functionCode', 'text', 'Function of the process', {
            filled: true,
            max: TEXT_LIMITS.code,
          }),
          c('type', 'type', 'choice', 'Process type', { values: ['T', 'P', 'S'] }),
          c('volume_driver', 'volumeDriver', 'text', 'Volume driver', { nullable: true, max: TEXT_LIMITS.short }),
          c('position', 'position', 'int', 'Process position', { min: 0, max: MAX_INT }),
        ],
        leftOut: { taxonomy_version_id: PARENT('taxonomy version') },
      },
    ],
  },
  {
    table: 'diagnostic_exercise',
    list: 'exercises',
    noun: 'exercise',
    owned: true,
    key: ['id'],
    order: ['financialYear', 'name'],
    target: 'exercise',
    columns: [
      c('id', 'id', 'id', 'Exercise id'),
      c('name', 'name', 'text', 'Exercise name', { filled: true, max: TEXT_LIMITS.short }),
      c('financial_year', 'financialYear', 'int', 'Financial year', { min: 1990, max: 2100 }),
      c('running_costs', 'runningCosts', 'pence', 'Running costs'),
      c('headcount', 'headcount', 'int', 'Headcount', { nullable: true, min: 0, max: MAX_INT }),
      c('taxonomy_version_id', 'taxonomyVersionId', 'id', 'Taxonomy version', { refers: 'taxonomy' }),
      c('scope', 'scope', 'texts', 'Functions in scope'),
      c('illustrative', 'illustrative', 'flag', 'Whether the exercise is illustrative'),
      common.version('Exercise'),
      common.createdAt('Exercise'),
      c('updated_at', 'updatedAt', 'timestamp', 'Exercise updated time'),
    ],
    leftOut: {
      organisation_id: ORG,
      share_with_peers:
        'retired (ADR 0018): false for every exercise since migration 2026-12-11-100-*, read by nothing, kept for one release for an instance of the previous Amber during a rolling upgrade',
    },
    retired: [
      {
        field: 'shareWithPeers',
        kind: 'flag',
        what: 'Whether the exercise is shared with peers',
        why: 'sharing an exercise with every organisation is retired (ADR 0018, migration 2026-12-11-100-*): an import records in the audit trail that an exercise the file says shared no longer does',
      },
    ],
    children: [
      {
        table: 'diagnostic_org_unit',
        list: 'units',
        noun: 'org unit',
        owned: true,
        parentColumn: 'exercise_id',
        key: ['code'],
        order: ['row'],
        columns: [
          c('code', 'code', 'text', 'Org unit code', { filled: true, max: TEXT_LIMITS.code }),
          c('name', 'name', 'text', 'Org unit name', { filled: true, max: TEXT_LIMITS.short }),
          c('parent_code', 'parentCode', 'text', 'Parent org unit', { nullable: true, max: TEXT_LIMITS.code }),
          c('central_function_code', 'centralFunctionCode', 'text', 'Central function', {
            nullable: true,
            max: TEXT_LIMITS.code,
          }),
          c('users', 'users', 'int', 'Users', { nullable: true, min: 0, max: MAX_INT }),
          c('area_m2', 'areaM2', 'int', 'Area in m²', { nullable: true, min: 0, max: MAX_INT }),
          c('row_number', 'row', 'int', 'Org unit row', { min: 0, max: MAX_INT }),
        ],
        leftOut: { exercise_id: PARENT('exercise'), organisation_id: ORG },
      },
      {
        table: 'diagnostic_post',
        list: 'posts',
        noun: 'post',
        owned: true,
        parentColumn: 'exercise_id',
        key: ['id'],
        order: ['row', 'code'],
        columns: [
          c('id', 'id', 'id', 'Post id'),
          c('code', 'code', 'text', 'Post code', { filled: true, max: TEXT_LIMITS.code }),
          c('unit_code', 'unitCode', 'text', 'Org unit of the post', { filled: true, max: TEXT_LIMITS.code }),
          c('title', 'title', 'text', 'Job title', { max: TEXT_LIMITS.short }),
          c('grade', 'grade', 'text', 'Grade', { max: TEXT_LIMITS.short }),
          c('fte', 'fte', 'int', 'FTE (ten-thousandths)', { min: 0, max: MAX_INT }),
          c('pay_cost', 'payCost', 'pence', 'Pay cost'),
          c('manager_code', 'managerCode', 'text', 'Manager post', { nullable: true, max: TEXT_LIMITS.code }),
          c('vacant', 'vacant', 'flag', 'Whether the post is vacant'),
          c('contract_type', 'contractType', 'text', 'Contract type', { max: TEXT_LIMITS.short }),
          c('row_number', 'row', 'int', 'Post row', { min: 0, max: MAX_INT }),
          common.version('Post'),
        ],
        leftOut: { exercise_id: PARENT('exercise'), organisation_id: ORG },
        children: [
          {
            table: 'diagnostic_allocation',
            list: 'allocations',
            noun: 'allocation',
            owned: true,
            parentColumn: 'post_id',
            inherited: { exercise_id: 'exercise_id' },
            key: ['processCode'],
            order: ['position'],
            columns: [
              c('process_code', 'processCode', 'text', 'Process of the allocation', {
                filled: true,
                max: TEXT_LIMITS.code,
              }),
              c('pct', 'pct', 'int', 'Share of time (basis points)', { min: 0, max: 10_000 }),
              c('position', 'position', 'int', 'Allocation position', { min: 0, max: MAX_INT }),
            ],
            leftOut: {
              post_id: PARENT('post'),
              exercise_id: "the post's exercise",
              organisation_id: ORG,
            },
          },
        ],
      },
      {
        table: 'diagnostic_non_pay',
        list: 'nonPay',
        noun: 'non-pay line',
        owned: true,
        parentColumn: 'exercise_id',
        key: ['id'],
        order: ['row'],
        columns: [
          c('id', 'id', 'id', 'Non-pay line id'),
          c('category', 'category', 'choice', 'Non-pay category', {
            values: ['it', 'accommodation', 'supplies', 'outsourcing', 'recruitment', 'other'],
          }),
          c('description', 'description', 'text', 'Non-pay description', { max: TEXT_LIMITS.short }),
          c('amount', 'amount', 'pence', 'Non-pay amount'),
          c('process_code', 'processCode', 'text', 'Process of the non-pay line', {
            nullable: true,
            max: TEXT_LIMITS.code,
          }),
          c('function_code', 'functionCode', 'text', 'Function of the non-pay line', {
            nullable: true,
            max: TEXT_LIMITS.code,
          }),
          c('unit_code', 'unitCode', 'text', 'Org unit of the non-pay line', { nullable: true, max: TEXT_LIMITS.code }),
          c('basis', 'basis', 'choice', 'Allocation basis', { values: ['fte', 'users', 'area'] }),
          c('row_number', 'row', 'int', 'Non-pay row', { min: 0, max: MAX_INT }),
        ],
        leftOut: { exercise_id: PARENT('exercise'), organisation_id: ORG },
      },
      {
        table: 'diagnostic_volume',
        list: 'volumes',
        noun: 'volume',
        owned: true,
        parentColumn: 'exercise_id',
        key: ['processCode'],
        order: ['row'],
        columns: [
          c('process_code', 'processCode', 'text', 'Process of the volume', { filled: true, max: TEXT_LIMITS.code }),
          c('volume', 'volume', 'pence', 'Volume'),
          c('driver', 'driver', 'text', 'Volume driver', { max: TEXT_LIMITS.short }),
          c('row_number', 'row', 'int', 'Volume row', { min: 0, max: MAX_INT }),
        ],
        leftOut: { exercise_id: PARENT('exercise'), organisation_id: ORG },
      },
    ],
  },
];

const exerciseRef = c('exercise_id', 'exerciseId', 'id', 'Exercise', { refers: 'exercise' });

export const EFFICIENCY_TABLES: TableSpec[] = [
  {
    table: 'benchmark_set',
    list: 'benchmarks',
    noun: 'benchmark set',
    owned: true,
    key: ['id'],
    order: ['exerciseId', 'createdAt'],
    target: 'benchmark',
    columns: [
      c('id', 'id', 'id', 'Benchmark set id'),
      exerciseRef,
      c('indicator', 'indicator', 'text', 'Benchmark indicator', { filled: true, max: TEXT_LIMITS.short }),
      c('unit', 'unit', 'text', 'Benchmark unit', { max: TEXT_LIMITS.short }),
      c('direction', 'direction', 'choice', 'Benchmark direction', { values: ['lower-is-better', 'higher-is-better'] }),
      c('function_code', 'functionCode', 'text', 'Benchmark function', { nullable: true, max: TEXT_LIMITS.code }),
      c('source', 'source', 'text', 'Benchmark source', { filled: true, max: TEXT_LIMITS.short }),
      c('year', 'year', 'text', 'Benchmark year', { filled: true, max: TEXT_LIMITS.code }),
      c('peer_group', 'peerGroup', 'text', 'Peer group', { filled: true, max: TEXT_LIMITS.short }),
      c('n', 'n', 'int', 'Number of organisations', { min: 5, max: MAX_INT }),
      c('p25', 'p25', 'numeric', '25th percentile'),
      c('p50', 'p50', 'numeric', 'Median'),
      c('p75', 'p75', 'numeric', '75th percentile'),
      c('own_value', 'ownValue', 'numeric', 'Own value', { nullable: true }),
      c('illustrative', 'illustrative', 'flag', 'Whether the benchmark is illustrative'),
      c('computed', 'computed', 'flag', 'Whether the benchmark was computed'),
      common.version('Benchmark set'),
      common.createdAt('Benchmark set'),
    ],
    leftOut: { organisation_id: ORG },
  },
  {
    table: 'opportunity',
    list: 'opportunities',
    noun: 'opportunity',
    owned: true,
    key: ['id'],
    order: ['exerciseId', 'createdAt'],
    target: 'opportunity',
    columns: [
      c('id', 'id', 'id', 'Opportunity id'),
      exerciseRef,
      c('title', 'title', 'text', 'Opportunity title', { filled: true, max: TEXT_LIMITS.title }),
      c('lever', 'lever', 'choice', 'Lever', { values: LEVERS }),
      c('cost_pool', 'costPool', 'text', 'Cost pool', { filled: true, max: TEXT_LIMITS.code }),
      c('pool_cost', 'poolCost', 'pence', 'Cost of the pool'),
      c('low', 'low', 'pence', 'Low saving'),
      c('central', 'central', 'pence', 'Central saving'),
      c('high', 'high', 'pence', 'High saving'),
      c('confidence', 'confidence', 'choice', 'Confidence', { values: ['low', 'medium', 'high'] }),
      c('benchmark_set_id', 'benchmarkSetId', 'id', 'Benchmark of the opportunity', {
        nullable: true,
        refers: 'benchmark',
      }),
      c('priority_id', 'priorityId', 'id', 'Priority the opportunity supports', { nullable: true, refers: 'priority' }),
      c('description', 'description', 'text', 'Opportunity description', { max: TEXT_LIMITS.description }),
      // Issue 12: the lever's working, kept beside what the officer chose (migration 2026-12-05-040).
      c('inputs', 'inputs', 'json', "Lever's assumptions", { json: jsonObject('Lever’s assumptions'), added: true }),
      c('computed_low', 'computedLow', 'pence', 'Computed low saving', { nullable: true, added: true }),
      c('computed_central', 'computedCentral', 'pence', 'Computed central saving', { nullable: true, added: true }),
      c('computed_high', 'computedHigh', 'pence', 'Computed high saving', { nullable: true, added: true }),
      c('working', 'working', 'text', 'Working of the computed saving', {
        max: TEXT_LIMITS.description,
        added: true,
      }),
      c('override_reason', 'overrideReason', 'text', 'Reason the saving differs from the computed one', {
        max: TEXT_LIMITS.reason,
        added: true,
      }),
      common.version('Opportunity'),
      common.createdAt('Opportunity'),
    ],
    leftOut: { organisation_id: ORG },
  },
  {
    table: 'business_case',
    list: 'cases',
    noun: 'business case',
    owned: true,
    key: ['id'],
    order: ['exerciseId', 'createdAt'],
    target: 'case',
    columns: [
      c('id', 'id', 'id', 'Business case id'),
      exerciseRef,
      c('opportunity_id', 'opportunityId', 'id', 'Opportunity of the case', { nullable: true, refers: 'opportunity' }),
      c('title', 'title', 'text', 'Business case title', { filled: true, max: TEXT_LIMITS.title }),
      c('status', 'status', 'choice', 'Business case status', { values: ['draft', 'approved'] }),
      c('strategic', 'strategic', 'text', 'Strategic case', { max: TEXT_LIMITS.statusReason }),
      c('economic', 'economic', 'text', 'Economic case', { max: TEXT_LIMITS.statusReason }),
      c('commercial', 'commercial', 'text', 'Commercial case', { max: TEXT_LIMITS.statusReason }),
      c('financial', 'financial', 'text', 'Financial case', { max: TEXT_LIMITS.statusReason }),
      c('management', 'management', 'text', 'Management case', { max: TEXT_LIMITS.statusReason }),
      c('base_year', 'baseYear', 'int', 'Base year', { min: 1990, max: 2100 }),
      c('approved_by', 'approvedBy', 'text', 'Who approved the case', { nullable: true, max: TEXT_LIMITS.short }),
      c('approved_at', 'approvedAt', 'timestamp', 'Approval time', { nullable: true }),
      // Issue 12 (migration 2026-12-05-010).
      c('discount_schedule', 'discountSchedule', 'choice', 'Discount schedule', {
        values: ['standard', 'health'],
        added: true,
      }),
      common.version('Business case'),
      common.createdAt('Business case'),
    ],
    leftOut: { organisation_id: ORG },
    children: [
      {
        table: 'business_case_option',
        list: 'options',
        noun: 'option',
        owned: true,
        parentColumn: 'case_id',
        key: ['id'],
        order: ['position'],
        columns: [
          c('id', 'id', 'id', 'Option id'),
          c('position', 'position', 'int', 'Option position', { min: 0, max: MAX_INT }),
          c('name', 'name', 'text', 'Option name', { filled: true, max: TEXT_LIMITS.name }),
          c('description', 'description', 'text', 'Option description', { max: TEXT_LIMITS.description }),
          c('business_as_usual', 'businessAsUsual', 'flag', 'Whether the option is business as usual'),
          c('preferred', 'preferred', 'flag', 'Whether the option is preferred'),
          c('mitigation', 'mitigation', 'json', 'Mitigation', { json: mitigation }),
          c('benefit_reduction', 'benefitReduction', 'int', 'Benefit reduction (basis points)', {
            min: 0,
            max: 10_000,
          }),
        ],
        leftOut: { case_id: PARENT('business case'), organisation_id: ORG },
        children: [
          {
            table: 'business_case_line',
            list: 'lines',
            noun: 'line',
            owned: true,
            parentColumn: 'option_id',
            key: ['id'],
            order: ['position'],
            columns: [
              c('id', 'id', 'id', 'Line id'),
              c('position', 'position', 'int', 'Line position', { min: 0, max: MAX_INT }),
              c('kind', 'kind', 'choice', 'Line kind', { values: ['cost', 'benefit'] }),
              c('category', 'category', 'text', 'Line category', { filled: true, max: TEXT_LIMITS.name }),
              c('label', 'label', 'text', 'Line label', { filled: true, max: TEXT_LIMITS.name }),
              c('optimism_bias', 'optimismBias', 'choice', 'Optimism bias category', {
                nullable: true,
                values: Object.keys(OPTIMISM_BIAS),
              }),
              c('amounts', 'amounts', 'json', 'Yearly amounts', { json: yearlyPence }),
              // Issue 12 (migration 2026-12-05-010): an uplift stated in basis points with its reason, instead of a category.
              c('stated_uplift', 'statedUplift', 'int', 'Stated optimism bias uplift (basis points)', {
                nullable: true,
                min: 0,
                max: 100_000,
                added: true,
              }),
              c('optimism_bias_reason', 'optimismBiasReason', 'text', 'Reason for the stated uplift', {
                nullable: true,
                filled: true,
                max: 1_000,
                added: true,
              }),
            ],
            leftOut: { option_id: PARENT('option'), organisation_id: ORG },
          },
        ],
      },
    ],
  },
  {
    table: 'implementation_project',
    list: 'projects',
    noun: 'project',
    owned: true,
    key: ['id'],
    order: ['exerciseId', 'startsOn', 'name'],
    target: 'project',
    columns: [
      c('id', 'id', 'id', 'Project id'),
      exerciseRef,
      c('case_id', 'caseId', 'id', 'Business case of the project', { refers: 'case' }),
      c('name', 'name', 'text', 'Project name', { filled: true, max: TEXT_LIMITS.name }),
      c('owner_id', 'ownerId', 'id', 'Project owner', { nullable: true, refers: 'person' }),
      c('starts_on', 'startsOn', 'date', 'Project start date'),
      c('ends_on', 'endsOn', 'date', 'Project end date'),
      c('depends_on', 'dependsOn', 'ids', 'Projects it depends on', { refers: 'project' }),
      common.version('Project'),
      common.createdAt('Project'),
    ],
    leftOut: { organisation_id: ORG },
    children: [
      {
        table: 'implementation_milestone',
        list: 'milestones',
        noun: 'project milestone',
        owned: true,
        parentColumn: 'project_id',
        key: ['id'],
        order: ['dueOn', 'createdAt'],
        columns: [
          c('id', 'id', 'id', 'Project milestone id'),
          c('description', 'description', 'text', 'Project milestone description', {
            filled: true,
            max: TEXT_LIMITS.short,
          }),
          c('due_on', 'dueOn', 'date', 'Project milestone due date'),
          c('owner_id', 'ownerId', 'id', 'Project milestone owner', { nullable: true, refers: 'person' }),
          c('priority_id', 'priorityId', 'id', 'Priority of the linked key action', {
            nullable: true,
            refers: 'priority',
          }),
          c('action_number', 'actionNumber', 'int', 'Key action number', { nullable: true, min: 1, max: MAX_INT }),
          c('report_milestone_id', 'reportMilestoneId', 'id', 'Report milestone it is written on', {
            nullable: true,
            refers: 'reportMilestone',
          }),
          common.version('Project milestone'),
          common.createdAt('Project milestone'),
        ],
        leftOut: { project_id: PARENT('project'), organisation_id: ORG },
      },
    ],
  },
  {
    table: 'savings_entry',
    list: 'savings',
    noun: 'savings entry',
    owned: true,
    key: ['id'],
    order: ['exerciseId', 'financialYear', 'createdAt'],
    columns: [
      c('id', 'id', 'id', 'Savings entry id'),
      exerciseRef,
      c('opportunity_id', 'opportunityId', 'id', 'Opportunity of the saving', { refers: 'opportunity' }),
      c('financial_year', 'financialYear', 'int', 'Financial year of the saving', { min: 1990, max: 2200 }),
      c('stage', 'stage', 'choice', 'Savings stage', { values: STAGES }),
      c('amount', 'amount', 'pence', 'Saving'),
      c('cashable', 'cashable', 'flag', 'Whether the saving is cashable'),
      c('recurring', 'recurring', 'flag', 'Whether the saving recurs'),
      c('additional', 'additional', 'flag', 'Whether the saving is additional'),
      c('note', 'note', 'text', 'Savings note', { max: TEXT_LIMITS.reason }),
      c('verified_by', 'verifiedBy', 'text', 'Who verified the saving', { nullable: true, max: TEXT_LIMITS.short }),
      // An account id, as a sign-off's userId: accounts are not in the file, so it is kept as written.
      c('verified_by_user_id', 'verifiedByUserId', 'id', 'Account that verified the saving', { nullable: true }),
      c('verified_at', 'verifiedAt', 'timestamp', 'Verification time', { nullable: true }),
      common.version('Savings entry'),
      common.createdAt('Savings entry'),
    ],
    leftOut: { organisation_id: ORG },
  },
  {
    table: 'gain_share_agreement',
    list: 'agreements',
    noun: 'gain-share agreement',
    owned: true,
    key: ['id'],
    order: ['exerciseId', 'createdAt'],
    columns: [
      c('id', 'id', 'id', 'Agreement id'),
      exerciseRef,
      c('name', 'name', 'text', 'Agreement name', { filled: true, max: TEXT_LIMITS.title }),
      c('reading', 'reading', 'choice', 'Reading of the deal', { values: ['A', 'B', 'custom'] }),
      c('funder', 'funder', 'text', 'Funder', { filled: true, max: TEXT_LIMITS.short }),
      c('council', 'council', 'text', 'Council', { filled: true, max: TEXT_LIMITS.short }),
      c('total_cost', 'totalCost', 'pence', 'Total cost'),
      c('funder_contribution', 'funderContribution', 'pence', 'Funder contribution'),
      c('council_contribution', 'councilContribution', 'pence', 'Council contribution'),
      c('tranches', 'tranches', 'json', 'Tranches', { json: tranches }),
      common.version('Agreement'),
      common.createdAt('Agreement'),
    ],
    leftOut: { organisation_id: ORG },
    children: [
      {
        table: 'gain_share_evaluation',
        list: 'evaluations',
        noun: 'evaluation',
        owned: true,
        parentColumn: 'agreement_id',
        key: ['id'],
        order: ['evaluatedAt'],
        columns: [
          c('id', 'id', 'id', 'Evaluation id'),
          c('evaluated_on', 'evaluatedOn', 'date', 'Evaluation date'),
          c('evaluated_at', 'evaluatedAt', 'timestamp', 'Evaluation time'),
          c('evaluated_by', 'evaluatedBy', 'text', 'Who evaluated', { filled: true, max: TEXT_LIMITS.short }),
          c('reading', 'reading', 'text', 'Reading evaluated', { filled: true, max: TEXT_LIMITS.code }),
          c('qualifying_savings', 'qualifyingSavings', 'pence', 'Qualifying savings'),
          c('due', 'due', 'pence', 'Repayment due'),
          c('council_cost', 'councilCost', 'pence', 'Council cost', { min: Number.MIN_SAFE_INTEGER }),
          c('funder_cost', 'funderCost', 'pence', 'Funder cost', { min: Number.MIN_SAFE_INTEGER }),
          c('explanation', 'explanation', 'text', 'Evaluation explanation', { max: TEXT_LIMITS.description }),
          // As it stood when evaluated: kept exactly, so the evaluation can be re-checked.
          c('snapshot', 'snapshot', 'json', 'Evaluation snapshot', { json: z.unknown() }),
        ],
        leftOut: { agreement_id: PARENT('agreement'), organisation_id: ORG },
      },
    ],
  },
];

/** Every table the two sections cover, parents before children. */
export function allTables(specs: readonly TableSpec[] = [...DIAGNOSTIC_TABLES, ...EFFICIENCY_TABLES]): TableSpec[] {
  return specs.flatMap((s) => [s, ...allTables(s.children ?? [])]);
}
