// What the report workflow tells the rest of Amber (e-mail notices, "my work"). Listeners are
// called inside the unit of work of the step itself: what they queue (an e-mail is a job) commits
// with the step or not at all, so a crash can neither lose a notice of a step that was saved nor
// send one for a step that was rolled back. A listener that cannot do its work (nobody to tell)
// says so in the log; a database error fails the step, which is then saved by nobody.

import type { PersonRef } from '../plans/plan.service.ts';

export interface ReportWorkflowEvent {
  organisationId: string;
  reportId: string;
  priority: {
    code: string;
    title: string;
    accountableOfficer: PersonRef | null;
    accountableDirector: PersonRef | null;
  };
  period: { key: string; label: string };
  /** Who did it, as the audit trail records them (the user's e-mail). */
  byLabel: string;
  /** The comment given (always present when a report is returned). */
  comment?: string;
}

export interface ReportEvents {
  /** A report was submitted: the accountable officer has something to sign off. */
  reportSubmitted(e: ReportWorkflowEvent): void | Promise<void>;
  /** The accountable officer signed it off: the accountable director has something to sign off. */
  reportOfficerApproved?(e: ReportWorkflowEvent): void | Promise<void>;
  /** An approver returned it to draft with a comment. */
  reportReturned(e: ReportWorkflowEvent): void | Promise<void>;
  /** The accountable director approved it: it is published. */
  reportPublished(e: ReportWorkflowEvent): void | Promise<void>;
}
