// Kysely's view of the tables, mirroring migrations/. Repositories import these types;
// rows never leave a repository (services and above speak domain types).

import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateColumn = ColumnType<string, string, string>;

import type { AccountTables } from './schema/accounts.ts';
import type { SignInTables } from './schema/sign-in.ts';
import type { DiagnosticTables } from './schema/diagnostic.ts';
import type { EfficiencyTables } from './schema/efficiency.ts';
import type { SharingTables } from './schema/sharing.ts';
import type { ClubTables } from './schema/clubs.ts';
import type { AccessibilityTables } from './schema/accessibility.ts';
import type { IndicatorImportTables } from './schema/indicator-import.ts';
import type { ReportRenderingTables } from './schema/report-rendering.ts';

export interface OrganisationTable {
  id: Generated<string>;
  name: string;
  short_name: string | null;
  kind: 'council' | 'public_body' | 'private' | 'voluntary' | 'other';
  managed_by_id: string | null;
  /** The name its URLs carry (`/o/leeds/…`); only an organisation that runs Amber itself has one (issue 11). */
  slug: string | null;
  /** The tolerance of indicators without a rule of their own (a percentage, in basis points). */
  default_rule_kind: Generated<'percent'>;
  default_rule_value: Generated<number>;
  created_at: Timestamp;
  /** Bumped by every change of a partner's details (issue 9). */
  version: Generated<number>;
}

export interface StatusTable {
  id: Generated<string>;
  organisation_id: string;
  key: string;
  label: string;
  colour: string;
  shape: string;
  description: Generated<string>;
  comment_required: Generated<boolean>;
  position: number;
  /** In the rating order (migration 2026-12-06-200); false: neither better nor worse than others. */
  rated: Generated<boolean>;
  pattern: Generated<'none' | 'hatched' | 'dotted'>;
  approval_role: ColumnType<string | null, string | null | undefined, string | null>;
  /**
   * The start of the periods the status's version is used from (migration 2026-12-07-140, ADR
   * 0014): a version is the statuses with the same date; null is the first version.
   */
  in_use_from: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface PersonTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  job_title: Generated<string>;
  employer_id: string;
  email: string | null;
  created_at: Timestamp;
  version: Generated<number>;
}

export interface PlanTable {
  id: Generated<string>;
  organisation_id: string;
  title: string;
  description: Generated<string>;
  first_year: number;
  last_year: number;
  version: Generated<number>;
  created_at: Timestamp;
}

export interface ThemeTable {
  id: Generated<string>;
  organisation_id: string;
  plan_id: string;
  title: string;
  position: number;
  version: Generated<number>;
}

export interface PriorityTable {
  id: Generated<string>;
  organisation_id: string;
  theme_id: string;
  code: string;
  title: string;
  rationale: Generated<string>;
  accountable_officer_id: string | null;
  accountable_director_id: string | null;
  groups_internal: Generated<string>;
  groups_external: Generated<string>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReportingPeriodTable {
  id: Generated<string>;
  organisation_id: string;
  key: string;
  starts_on: DateColumn;
  ends_on: DateColumn;
  due_on: DateColumn | null;
}

export interface ProgressReportTable {
  id: Generated<string>;
  organisation_id: string;
  priority_id: string;
  period_id: string;
  summary: Generated<string>;
  status_id: string | null;
  status_reason: Generated<string>;
  achievements: ColumnType<string[], string[] | undefined, string[]>;
  challenges: ColumnType<string[], string[] | undefined, string[]>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** The workflow (migration 011): draft → submitted → officer_approved → published. */
  state: Generated<'draft' | 'submitted' | 'officer_approved' | 'published'>;
  /** The revision being written or signed off now. */
  revision: Generated<number>;
  /** The latest published revision; null until the first publication. */
  published_revision: number | null;
}

export interface ActionTable {
  id: Generated<string>;
  organisation_id: string;
  report_id: string;
  position: number;
  description: string;
}

export interface ActionContributorTable {
  id: Generated<string>;
  organisation_id: string;
  action_id: string;
  position: number;
  person_id: string | null;
  partner_id: string | null;
}

export interface MilestoneTable {
  id: Generated<string>;
  organisation_id: string;
  action_id: string;
  position: number;
  description: string;
  due_on: DateColumn;
  due_precision: 'month' | 'day';
  progress: 'met' | 'slipped' | 'missed' | 'suspended' | null;
  met_on: DateColumn | null;
  revised_due_on: DateColumn | null;
  revised_precision: 'month' | 'day' | null;
  progress_reason: Generated<string>;
  progress_version: Generated<number>;
}

export interface SignOffTable {
  id: Generated<string>;
  organisation_id: string;
  report_id: string;
  role: 'accountable_officer' | 'accountable_director';
  person_id: string;
  decision: 'approved' | 'returned';
  signed_on: DateColumn;
  comment: Generated<string>;
  historical: Generated<boolean>;
  recorded_at: Timestamp;
  /** The signed-in user who signed (migration 011); null for historical records. */
  user_id: string | null;
  revision: Generated<number>;
  signed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface AuditEventTable {
  id: Generated<number>;
  organisation_id: string;
  occurred_at: Timestamp;
  actor: string;
  entity: string;
  entity_id: string;
  action: string;
  before: unknown;
  after: unknown;
}

export interface IndicatorTable {
  id: Generated<string>;
  organisation_id: string;
  code: string;
  title: string;
  description: Generated<string>;
  unit_kind: string;
  decimal_places: number;
  polarity: 'higher' | 'lower' | 'band' | 'none';
  frequency: 'monthly' | 'quarterly' | 'half-yearly' | 'annual';
  ytd_method: 'sum' | 'average' | 'latest' | 'none';
  /** Null (both) when the indicator uses the organisation's default. */
  rule_kind: 'percent' | 'absolute' | null;
  rule_value: number | null;
  chart_kind: Generated<'line' | 'bar'>;
  owner_id: string | null;
  data_source: Generated<string>;
  /** The identifier other organisations use for the same measure (an LG Inform metric id); null: none. */
  shared_code: ColumnType<string | null, string | null | undefined, string | null>;
  /** The previous year's outturn, scaled like the values. */
  baseline: number | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface IndicatorPriorityTable {
  organisation_id: string;
  indicator_id: string;
  priority_id: string;
}

export interface IndicatorValueTable {
  id: Generated<string>;
  organisation_id: string;
  indicator_id: string;
  period_id: string;
  actual: number | null;
  target: number | null;
  target_high: number | null;
  comment: Generated<string>;
  override_status_key: string | null;
  override_reason: Generated<string>;
  override_computed_key: string | null;
  override_explanation: Generated<string>;
  version: Generated<number>;
  updated_at: Timestamp;
}

export interface ReportGraphTable {
  organisation_id: string;
  report_id: string;
  indicator_id: string;
  position: number;
}

export interface RiskTable {
  id: Generated<string>;
  organisation_id: string;
  priority_id: string;
  description: string;
  cause: Generated<string>;
  effect: Generated<string>;
  likelihood: number;
  impact: number;
  target_likelihood: number | null;
  target_impact: number | null;
  owner_id: string | null;
  controls: Generated<string>;
  review_on: DateColumn | null;
  closed: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface JobTable {
  id: Generated<string>;
  organisation_id: string;
  kind: string;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  progress: Generated<number>;
  message: Generated<string>;
  input: ColumnType<unknown, string, string>;
  error: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
  locked_by: string | null;
  attempts: Generated<number>;
  /** Numbers jobs as they are queued: breaks a tie of `created_at` (PGlite's clock counts in milliseconds). */
  seq: Generated<number>;
  /** The permission needed to see the job and its files: what made it. */
  permission: string | null;
}

/** The deployment's one row: its home organisation. */
export interface DeploymentTable {
  id: Generated<boolean>;
  home_organisation_id: string | null;
}

export interface StoredFileTable {
  id: Generated<string>;
  organisation_id: string;
  job_id: string | null;
  name: string;
  content_type: string;
  bytes: Buffer;
  size: number;
  created_at: Generated<Date>;
}

export interface ReportRiskTable {
  organisation_id: string;
  report_id: string;
  risk_id: string;
  position: number;
}

export interface DB
  extends
    SignInTables,
    AccountTables,
    DiagnosticTables,
    EfficiencyTables,
    SharingTables,
    ClubTables,
    AccessibilityTables,
    IndicatorImportTables,
    ReportRenderingTables {
  organisation: OrganisationTable;
  status: StatusTable;
  person: PersonTable;
  plan: PlanTable;
  theme: ThemeTable;
  priority: PriorityTable;
  reporting_period: ReportingPeriodTable;
  progress_report: ProgressReportTable;
  action: ActionTable;
  action_contributor: ActionContributorTable;
  milestone: MilestoneTable;
  sign_off: SignOffTable;
  audit_event: AuditEventTable;
  indicator: IndicatorTable;
  indicator_priority: IndicatorPriorityTable;
  indicator_value: IndicatorValueTable;
  report_graph: ReportGraphTable;
  risk: RiskTable;
  report_risk: ReportRiskTable;
  job: JobTable;
  stored_file: StoredFileTable;
  deployment: DeploymentTable;
}
