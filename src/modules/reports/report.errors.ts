// The reports module's errors, each with a stable code (the error catalogue is domain/errors.ts).

import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { formatDate, type IsoDate } from '../../domain/dates.ts';
import type { ReportState } from '../../domain/report-workflow.ts';
import { describeChanges, type FieldChange } from './report.diff.ts';
import type { Report } from './report.repository.ts';
import type { ChangedBy } from './report.types.ts';

export class ReportNotFoundError extends NotFoundError {
  constructor(code: string, periodLabel: string) {
    super('REPORT_NOT_FOUND', `There is no ${periodLabel} report for ${code}`);
  }
}
export class ActionNotFoundError extends NotFoundError {
  /** The report looked in, when the caller can say more (its period and how many key actions it has). */
  readonly report: { periodKey: string; actions: number } | undefined;
  constructor(n: number | string, report?: { periodKey: string; actions: number }) {
    super('ACTION_NOT_FOUND', `There is no key action ${n} in this report`);
    this.report = report;
  }
}
export class MilestoneNotFoundError extends NotFoundError {
  constructor() {
    super('MILESTONE_NOT_FOUND', 'There is no such milestone in this report');
  }
}
export class RevisionNotFoundError extends NotFoundError {
  constructor(n: number | string) {
    super('REVISION_NOT_FOUND', `There is no revision ${n} of this report`);
  }
}

/** A save based on an older version: who saved since, and what they changed. Never merged. */
export class ReportChangedError extends ConflictError {
  readonly current: Report;
  readonly changedBy: ChangedBy[];
  readonly changes: FieldChange[];
  constructor(current: Report, changedBy: ChangedBy[], changes: FieldChange[]) {
    const who = [...new Set(changedBy.map((c) => c.label))];
    const last = changedBy.at(-1);
    super(
      'STALE_VERSION',
      `Someone else changed this report while you were editing it${who.length ? `: ${who.join(' and ')} changed ${describeChanges(changes)}${last ? ` (last saved ${formatDate(last.at.toISOString().slice(0, 10) as IsoDate)} at ${last.at.toISOString().slice(11, 16)} UTC)` : ''}` : ''}. Your changes have not been saved: check what they changed, then make your changes again.`,
    );
    this.current = current;
    this.changedBy = changedBy;
    this.changes = changes;
  }
}
export class ReportInSignOffError extends ConflictError {
  constructor(message: string) {
    super('REPORT_IN_SIGN_OFF', message);
  }
}
export class WorkflowStepError extends ConflictError {
  constructor(message: string) {
    super('WORKFLOW_STEP_NOT_ALLOWED', message);
  }
}
/** What became of a milestone was recorded by someone else since the form was shown. */
export class MilestoneProgressChangedError extends ConflictError {
  constructor() {
    super(
      'STALE_VERSION',
      'Someone else recorded what became of this milestone while you were editing it. Your change has not been saved: check what they recorded, then make your change again.',
    );
  }
}

export type { ReportState };
