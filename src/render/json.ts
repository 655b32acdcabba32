// The progress report as JSON for other systems: the ReportView itself, tagged with a format
// name that changes only when a field is removed or changes meaning.

import type { ReportView } from './report-view.ts';

export const REPORT_JSON_FORMAT = 'amber.report.v1';

export function renderReportJson(view: ReportView): string {
  return `${JSON.stringify({ format: REPORT_JSON_FORMAT, ...view }, null, 2)}\n`;
}
