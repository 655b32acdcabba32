// Table types of the indicator imports' remembered column names. Owned by
// src/modules/indicators (indicator-transfer.repository.ts); migration
// 2026-12-06-100-indicator-import-headers.

import type { ColumnType, Generated } from 'kysely';

export interface IndicatorImportHeaderTable {
  id: Generated<string>;
  organisation_id: string;
  /** The header as Amber compares it: lower case, no spaces (`normaliseHeader`). */
  header: string;
  /** The header as the file wrote it. */
  shown: string;
  /** Amber's column (`code`, `period:quarter:1`, `target:quarter:1`…) or `ignore`. */
  column_key: string;
  updated_by: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface IndicatorImportTables {
  indicator_import_header: IndicatorImportHeaderTable;
}
