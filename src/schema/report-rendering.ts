// Table types of the stored renderings of published report revisions (issue 14). Owned by
// src/modules/reports (report.repository.ts); migration 2026-12-08-100-report-renderings.

import type { ColumnType, Generated } from 'kysely';

export interface ReportRenderingTable {
  id: Generated<string>;
  organisation_id: string;
  /** The published revision (report_revision.id) this is the body of; one row each. */
  revision_id: string;
  /** The digest of the code and templates that rendered it: another renderer's row is not served. */
  renderer: string;
  /** `StoredReportBody` (src/modules/reports/report.types.ts). */
  body: ColumnType<unknown, string, string>;
  rendered_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ReportRenderingTables {
  report_rendering: ReportRenderingTable;
}
