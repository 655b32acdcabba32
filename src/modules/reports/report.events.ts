// What the report workflow tells the rest of Amber (e-mail reminders, "my work"): called by the
// reports service after the transaction that made the step has committed, so a listener never
// hears of a step that was rolled back. A listener's failure is logged by the caller's wiring,
// never undoes the step.

export interface ReportWorkflowEvent {
  organisationId: string;
  reportId: string;
  priorityCode: string;
  periodKey: string;
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
