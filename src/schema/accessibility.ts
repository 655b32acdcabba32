// Table types of the accessibility statement (the deployment's one row). Owned by
// src/modules/accessibility; migration 2026-12-04-140-accessibility-statement.

import type { ColumnType, Generated } from 'kysely';

export interface AccessibilityStatementTable {
  id: Generated<boolean>;
  organisation_name: string;
  email: string;
  phone: Generated<string>;
  response_days: number;
  prepared_on: ColumnType<string, string, string>;
  reviewed_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** A JSON array of sentences. */
  known_problems: ColumnType<string[], string, string>;
  version: Generated<number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_by: string;
}

export interface AccessibilityTables {
  accessibility_statement: AccessibilityStatementTable;
}
