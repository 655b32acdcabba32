// Progress reports: one per priority per period. The service is the module's face: it puts
// together the use cases, each in a file of its own under use-cases/ so a reader finds it by name:
//
//   read-report.ts        the report as a reader may see it (live, or the published revision)
//   revisions.ts          published revisions, what changed between them, the history's words
//   write-report.ts       starting a report, its sections, its graphs
//   key-actions.ts        key actions and their milestones (the implementation plan's included)
//   milestone-progress.ts what became of a milestone set last time
//   workflow.ts           submit, sign off as officer then director (publishes), return, paper sign-offs
//
// Every change goes through the report's one write path (report.aggregate.ts); the workflow's
// rules are domain/report-workflow.ts; a published revision is a snapshot (report.snapshot.ts).

import { createReportContext, type ReportServiceDeps } from './use-cases/context.ts';
import { readReportUseCases } from './use-cases/read-report.ts';
import { revisionUseCases } from './use-cases/revisions.ts';
import { writeReportUseCases } from './use-cases/write-report.ts';
import { keyActionUseCases } from './use-cases/key-actions.ts';
import { milestoneProgressUseCases } from './use-cases/milestone-progress.ts';
import { workflowUseCases } from './use-cases/workflow.ts';

export type { ReportServiceDeps } from './use-cases/context.ts';
export type { ReportWorkflowEvent, ReportEvents } from './report.events.ts';
export type {
  Report,
  ReportRow,
  PreviousReport,
  ReportSummary,
  Action,
  Milestone,
  SignOff,
  Contributor,
  SignOffRole,
  ReportState,
  RevisionSummary,
} from './report.repository.ts';
export type { ReportBundle, ReadableReport, ReportAbilities, WorkflowResult, ChangedBy } from './report.types.ts';
export type { FieldChange } from './report.diff.ts';
export {
  ReportNotFoundError,
  ActionNotFoundError,
  RevisionNotFoundError,
  ReportChangedError,
  ReportInSignOffError,
  WorkflowStepError,
  MilestoneProgressChangedError,
} from './report.errors.ts';
export { STATE_LABELS } from './report.schemas.ts';

export function createReportService(deps: ReportServiceDeps) {
  const ctx = createReportContext(deps);
  const read = readReportUseCases(ctx);
  return {
    ...read,
    ...revisionUseCases(ctx, read.readable),
    ...writeReportUseCases(ctx, read.getBundle),
    ...keyActionUseCases(ctx),
    ...milestoneProgressUseCases(ctx),
    ...workflowUseCases(ctx),
  };
}

export type ReportService = ReturnType<typeof createReportService>;
