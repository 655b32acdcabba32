// Table types of the efficiency diagnostic's data collection and baseline (issue 5):
// exercises, taxonomy versions, org units, posts, allocations, non-pay lines, volumes.
// Owned by src/modules/diagnostic; migration 2026-11-24-020-*.
// `bigint` columns come back from node-postgres as strings (pence can exceed 2^31).

import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type BigIntColumn = ColumnType<string, number | string, number | string>;

export interface DiagnosticTaxonomyVersionTable {
  id: Generated<string>;
  organisation_id: string | null;
  name: string;
  based_on_id: string | null;
  created_at: Timestamp;
}

export interface DiagnosticTaxonomyFunctionTable {
  taxonomy_version_id: string;
  code: string;
  name: string;
  position: number;
}

export interface DiagnosticTaxonomyProcessTable {
  taxonomy_version_id: string;
  code: string;
  name: string;
  function_code: string;
  type: 'T' | 'P' | 'S';
  volume_driver: string | null;
  position: number;
}

export interface DiagnosticExerciseTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  financial_year: number;
  running_costs: BigIntColumn;
  headcount: number | null;
  taxonomy_version_id: string;
  scope: ColumnType<string[], string[] | undefined, string[]>;
  illustrative: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DiagnosticOrgUnitTable {
  exercise_id: string;
  organisation_id: string;
  code: string;
  name: string;
  parent_code: string | null;
  central_function_code: string | null;
  users: number | null;
  area_m2: number | null;
  row_number: number;
}

export interface DiagnosticPostTable {
  id: Generated<string>;
  exercise_id: string;
  organisation_id: string;
  code: string;
  unit_code: string;
  title: Generated<string>;
  grade: Generated<string>;
  fte: number;
  pay_cost: BigIntColumn;
  manager_code: string | null;
  vacant: Generated<boolean>;
  contract_type: Generated<string>;
  row_number: number;
  version: Generated<number>;
}

export interface DiagnosticAllocationTable {
  post_id: string;
  exercise_id: string;
  organisation_id: string;
  process_code: string;
  pct: number;
  position: number;
}

export interface DiagnosticNonPayTable {
  id: Generated<string>;
  exercise_id: string;
  organisation_id: string;
  category: 'it' | 'accommodation' | 'supplies' | 'outsourcing' | 'recruitment' | 'other';
  description: Generated<string>;
  amount: BigIntColumn;
  process_code: string | null;
  function_code: string | null;
  unit_code: string | null;
  basis: Generated<'fte' | 'users' | 'area'>;
  row_number: number;
}

export interface DiagnosticVolumeTable {
  exercise_id: string;
  organisation_id: string;
  process_code: string;
  volume: BigIntColumn;
  driver: Generated<string>;
  row_number: number;
}

export interface DiagnosticTables {
  diagnostic_taxonomy_version: DiagnosticTaxonomyVersionTable;
  diagnostic_taxonomy_function: DiagnosticTaxonomyFunctionTable;
  diagnostic_taxonomy_process: DiagnosticTaxonomyProcessTable;
  diagnostic_exercise: DiagnosticExerciseTable;
  diagnostic_org_unit: DiagnosticOrgUnitTable;
  diagnostic_post: DiagnosticPostTable;
  diagnostic_allocation: DiagnosticAllocationTable;
  diagnostic_non_pay: DiagnosticNonPayTable;
  diagnostic_volume: DiagnosticVolumeTable;
}
