// The progress report's workflow as a pure state machine: its states, the steps between them,
// who may take each step and what each requires. Services ask `decide()` before they change a
// report, pages ask `nextSteps()` what to offer, so the rules live here and only here.
//
//   draft ──submit──> submitted ──approve (accountable officer)──> officer_approved
//     ^                   │                                            │
//     └──return (either approver, with a comment)─────────────────────┤
//                                                                       └─approve (accountable director)──> published
//   published ──edit──> draft (the next revision; readers keep seeing the published one)
//
// While a report waits for sign-off (submitted, officer_approved) nothing in it changes: an
// approver returns it first. Sign-off and return are by a signed-in person, for themselves.
//
// A status may need approval by a named role (domain/status-scale.ts, issue 13): the second
// person whose approval it needs is the one whose sign-off publishes the report. So a report with
// such a status is published only when the accountable director signing it also holds that role;
// otherwise the director's sign-off is refused, saying which role it needs, and the report waits
// (an approver can return it, to choose another status). The first sign-off is not affected.

import { approvalRoleLabel, type ApprovalRole } from './status-scale.ts';

export const REPORT_STATES = ['draft', 'submitted', 'officer_approved', 'published'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

export const REPORT_STEPS = ['edit', 'submit', 'approve', 'return'] as const;
export type ReportStep = (typeof REPORT_STEPS)[number];

export type SignOffRole = 'accountable_officer' | 'accountable_director';

/** What the person acting may do on this report, from the permission table and the priority. */
export interface WorkflowActor {
  /** A signed-in person (sign-offs are never made by the system or on someone's behalf). */
  person: boolean;
  /** May change the report (its sections, or the key actions they are named on). */
  edit: boolean;
  submit: boolean;
  /** Is this priority's accountable officer (and holds the officer's sign-off permission). */
  officer: boolean;
  /** Is this priority's accountable director (and holds the director's sign-off permission). */
  director: boolean;
  /** The roles the person holds in the organisation (a status may need approval by one of them). */
  roles?: readonly string[];
}

/** What the rules need to know of the report. */
export interface WorkflowReport {
  state: ReportState;
  /** A status is chosen on the organisation's scale. */
  statusChosen: boolean;
  /** The chosen status needs a reason and none is given. */
  reasonMissing: boolean;
  /** The label of the chosen status, for messages. */
  statusLabel?: string | undefined;
  /** The role whose holder must give the sign-off that publishes a report with the chosen status. */
  approvalRole?: ApprovalRole | null | undefined;
}

export type Refusal =
  /** The person may not take this step on this report. */
  | { allowed: false; reason: 'forbidden'; message: string }
  /** The step does not exist from this state. */
  | { allowed: false; reason: 'not-now'; message: string }
  /** The report waits for sign-off: nothing in it changes. */
  | { allowed: false; reason: 'in-sign-off'; message: string }
  /** The chosen status needs approval by a role the person signing does not hold. */
  | { allowed: false; reason: 'needs-approval'; message: string }
  /** Something the step needs is missing: the field to fill in. */
  | { allowed: false; reason: 'incomplete'; field: 'status' | 'statusReason' | 'comment'; message: string };

export type Decision =
  | {
      allowed: true;
      to: ReportState;
      /** An edit of a published report opens its next revision. */
      opensRevision: boolean;
      /** The sign-off this step records (approve, return). */
      signOff?: SignOffRole;
    }
  | Refusal;

export const STATE_LABELS: Record<ReportState, string> = {
  draft: 'Draft',
  submitted: 'Submitted for sign-off',
  officer_approved: 'Approved by the accountable officer',
  published: 'Published',
};

const inSignOff = (state: ReportState) => state === 'submitted' || state === 'officer_approved';

function waiting(state: ReportState): string {
  return `The report cannot be changed while it is ${state === 'submitted' ? 'waiting for the accountable officer’s sign-off' : 'waiting for the accountable director’s sign-off'}. An approver can return it to draft.`;
}

/** Whether `who` may take `step` on `report` now, and where it leads. `comment` is what a return says. */
export function decide(step: ReportStep, report: WorkflowReport, who: WorkflowActor, comment = ''): Decision {
  const { state } = report;
  switch (step) {
    case 'edit':
      if (!who.edit)
        return { allowed: false, reason: 'forbidden', message: 'You do not have permission to change this report.' };
      if (inSignOff(state)) return { allowed: false, reason: 'in-sign-off', message: waiting(state) };
      return { allowed: true, to: 'draft', opensRevision: state === 'published' };

    case 'submit':
      if (!who.submit)
        return {
          allowed: false,
          reason: 'forbidden',
          message: 'You do not have permission to submit this report for sign-off.',
        };
      if (state !== 'draft')
        return {
          allowed: false,
          reason: 'not-now',
          message:
            state === 'published'
              ? 'The report is published: change it to open a new revision, then submit that.'
              : 'The report has already been submitted for sign-off.',
        };
      if (!report.statusChosen)
        return {
          allowed: false,
          reason: 'incomplete',
          field: 'status',
          message: 'Choose a status before submitting the report for sign-off',
        };
      if (report.reasonMissing)
        return {
          allowed: false,
          reason: 'incomplete',
          field: 'statusReason',
          message: `Explain why the status is ${report.statusLabel ?? 'what it is'} before submitting the report for sign-off`,
        };
      return { allowed: true, to: 'submitted', opensRevision: false };

    case 'approve': {
      if (!who.person)
        return {
          allowed: false,
          reason: 'forbidden',
          message:
            'Only a signed-in person can sign off or return a report, for themselves: nobody signs for someone else.',
        };
      if (state === 'submitted') {
        if (!who.officer)
          return {
            allowed: false,
            reason: 'forbidden',
            message: 'Only the priority’s accountable officer can give the first sign-off.',
          };
        return { allowed: true, to: 'officer_approved', opensRevision: false, signOff: 'accountable_officer' };
      }
      if (state === 'officer_approved') {
        if (!who.director)
          return {
            allowed: false,
            reason: 'forbidden',
            message: 'Only the priority’s accountable director can give the second sign-off, which publishes it.',
          };
        const needs = report.approvalRole;
        if (needs && !(who.roles ?? []).includes(needs)) {
          const role = approvalRoleLabel(needs).toLowerCase();
          return {
            allowed: false,
            reason: 'needs-approval',
            message: `The status ${report.statusLabel ?? 'chosen'} needs approval by ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}: the sign-off that publishes this report must be given by someone holding that role. Ask an administrator to give you the role, or return the report so another status can be chosen.`,
          };
        }
        return { allowed: true, to: 'published', opensRevision: false, signOff: 'accountable_director' };
      }
      if (!who.officer && !who.director)
        return {
          allowed: false,
          reason: 'forbidden',
          message: 'Only the priority’s accountable officer and director sign its reports off.',
        };
      return {
        allowed: false,
        reason: 'not-now',
        message:
          state === 'draft'
            ? 'The report is a draft: it must be submitted before it is signed off.'
            : 'The report is already published.',
      };
    }

    case 'return': {
      if (!who.person)
        return {
          allowed: false,
          reason: 'forbidden',
          message:
            'Only a signed-in person can sign off or return a report, for themselves: nobody signs for someone else.',
        };
      if (!who.officer && !who.director)
        return {
          allowed: false,
          reason: 'forbidden',
          message: 'Only the priority’s accountable officer or director can return its report.',
        };
      if (!inSignOff(state))
        return {
          allowed: false,
          reason: 'not-now',
          message: 'Only a report waiting for sign-off can be returned to draft.',
        };
      if (comment.trim() === '')
        return {
          allowed: false,
          reason: 'incomplete',
          field: 'comment',
          message: 'Enter a comment saying what needs to change',
        };
      // The approver whose turn it is, when the person is both.
      const signOff: SignOffRole =
        state === 'officer_approved'
          ? who.director
            ? 'accountable_director'
            : 'accountable_officer'
          : who.officer
            ? 'accountable_officer'
            : 'accountable_director';
      return { allowed: true, to: 'draft', opensRevision: false, signOff };
    }
  }
}

/** The steps `who` can take now (what a page offers); a step needing a comment is offered if the rest allows it. */
export function nextSteps(report: WorkflowReport, who: WorkflowActor): ReportStep[] {
  return REPORT_STEPS.filter((step) => {
    const d = decide(step, report, who, step === 'return' ? 'a comment' : '');
    return d.allowed || (d.reason === 'incomplete' && step === 'submit');
  });
}

/**
 * A sign-off typed in from paper (the demo's 2009 sign-offs; an import at the machine): the
 * system records what a person decided then. Returns the state it leads to.
 */
export function decideHistorical(
  state: ReportState,
  signOff: { role: SignOffRole; decision: 'approved' | 'returned' },
): Decision {
  if (state === 'published') return { allowed: false, reason: 'not-now', message: 'The report is already published.' };
  if (signOff.decision === 'returned')
    return { allowed: true, to: 'draft', opensRevision: false, signOff: signOff.role };
  // On paper as on screen, the director signs off after the officer: a director's approval of a
  // report the officer has not approved (or approved before a return) is refused.
  if (signOff.role === 'accountable_director' && state !== 'officer_approved')
    return {
      allowed: false,
      reason: 'not-now',
      message: 'The accountable director signs off after the accountable officer: record the officer’s approval first.',
    };
  return {
    allowed: true,
    to: signOff.role === 'accountable_officer' ? 'officer_approved' : 'published',
    opensRevision: false,
    signOff: signOff.role,
  };
}
