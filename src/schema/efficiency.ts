// Table types of the efficiency programme after the baseline (issue 5): benchmark sets,
// opportunities, business cases, implementation plans, the savings ledger and gain-share.
// Owned by src/modules/efficiency; migration 2026-11-24-030-*.
// `numeric` columns are read as strings, `bigint` as numbers, `date` as YYYY-MM-DD strings.

import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DateColumn = ColumnType<string, string, string>;
type Numeric = ColumnType<string, string | number, string | number>;
type Json<T> = ColumnType<T, string, string>;

export interface BenchmarkSetTable {
  id: Generated<string>;
  organisation_id: string;
  exercise_id: string;
  indicator: string;
  unit: Generated<string>;
  direction: 'lower-is-better' | 'higher-is-better';
  function_code: string | null;
  source: string;
  year: string;
  peer_group: string;
  n: number;
  p25: Numeric;
  p50: Numeric;
  p75: Numeric;
  own_value: ColumnType<string | null, string | number | null, string | number | null>;
  illustrative: Generated<boolean>;
  computed: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface OpportunityTable {
  id: Generated<string>;
  organisation_id: string;
  exercise_id: string;
  title: string;
  lever: 'benchmark-gap' | 'consolidation' | 'spans-and-layers' | 'automation' | 'standardisation' | 'sourcing';
  cost_pool: string;
  pool_cost: number;
  low: number;
  central: number;
  high: number;
  confidence: 'low' | 'medium' | 'high';
  benchmark_set_id: string | null;
  priority_id: string | null;
  description: Generated<string>;
  /** The lever's own assumptions (migration 2026-12-05-040). */
  inputs: ColumnType<Record<string, string | number>, string | undefined, string>;
  computed_low: number | null;
  computed_central: number | null;
  computed_high: number | null;
  working: Generated<string>;
  override_reason: Generated<string>;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface BusinessCaseTable {
  id: Generated<string>;
  organisation_id: string;
  exercise_id: string;
  opportunity_id: string | null;
  title: string;
  status: Generated<'draft' | 'approved'>;
  strategic: Generated<string>;
  economic: Generated<string>;
  commercial: Generated<string>;
  financial: Generated<string>;
  management: Generated<string>;
  base_year: number;
  /** Migration 2026-12-05-010: the Green Book schedule the case is discounted on. */
  discount_schedule: Generated<'standard' | 'health'>;
  approved_by: string | null;
  approved_at: NullableTimestamp;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface BusinessCaseOptionTable {
  id: Generated<string>;
  organisation_id: string;
  case_id: string;
  position: number;
  name: string;
  description: Generated<string>;
  business_as_usual: Generated<boolean>;
  preferred: Generated<boolean>;
  mitigation: ColumnType<Record<string, number>, string | undefined, string>;
  benefit_reduction: Generated<number>;
}

export interface BusinessCaseLineTable {
  id: Generated<string>;
  organisation_id: string;
  option_id: string;
  position: number;
  kind: 'cost' | 'benefit';
  category: string;
  label: string;
  optimism_bias: string | null;
  amounts: Json<number[]>;
  /** Migration 2026-12-05-010: an uplift stated in basis points, with its reason, instead of a category. */
  stated_uplift: ColumnType<number | null, number | null | undefined, number | null>;
  optimism_bias_reason: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ImplementationProjectTable {
  id: Generated<string>;
  organisation_id: string;
  exercise_id: string;
  case_id: string;
  name: string;
  owner_id: string | null;
  starts_on: DateColumn;
  ends_on: DateColumn;
  depends_on: ColumnType<string[], string[] | undefined, string[]>;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface ImplementationMilestoneTable {
  id: Generated<string>;
  organisation_id: string;
  project_id: string;
  description: string;
  due_on: DateColumn;
  owner_id: string | null;
  priority_id: string | null;
  action_number: number | null;
  report_milestone_id: string | null;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface SavingsEntryTable {
  id: Generated<string>;
  organisation_id: string;
  exercise_id: string;
  opportunity_id: string;
  financial_year: number;
  stage: 'identified' | 'approved' | 'realised';
  amount: number;
  cashable: boolean;
  recurring: boolean;
  additional: Generated<boolean>;
  note: Generated<string>;
  verified_by: string | null;
  verified_by_user_id: string | null;
  verified_at: NullableTimestamp;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface GainShareAgreementTable {
  id: Generated<string>;
  organisation_id: string;
  exercise_id: string;
  name: string;
  reading: 'A' | 'B' | 'custom';
  funder: string;
  council: string;
  total_cost: number;
  funder_contribution: number;
  council_contribution: number;
  tranches: Json<{ threshold: number; repayment: number; inclusive: boolean }[]>;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface GainShareEvaluationTable {
  id: Generated<string>;
  organisation_id: string;
  agreement_id: string;
  evaluated_on: DateColumn;
  evaluated_at: Timestamp;
  evaluated_by: string;
  reading: string;
  qualifying_savings: number;
  due: number;
  council_cost: number;
  funder_cost: number;
  explanation: string;
  snapshot: Json<unknown>;
}

export interface EfficiencyTables {
  benchmark_set: BenchmarkSetTable;
  opportunity: OpportunityTable;
  business_case: BusinessCaseTable;
  business_case_option: BusinessCaseOptionTable;
  business_case_line: BusinessCaseLineTable;
  implementation_project: ImplementationProjectTable;
  implementation_milestone: ImplementationMilestoneTable;
  savings_entry: SavingsEntryTable;
  gain_share_agreement: GainShareAgreementTable;
  gain_share_evaluation: GainShareEvaluationTable;
}
