// The sharing module's errors, each with a stable code (the error catalogue is domain/errors.ts).

import { formatDate, type IsoDate } from '../../domain/dates.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { ReportState } from '../../domain/report-workflow.ts';

export class AgreementNotFoundError extends NotFoundError {
  constructor() {
    super('AGREEMENT_NOT_FOUND', 'There is no such data-sharing agreement.');
  }
}
export class ShareNotFoundError extends NotFoundError {
  constructor() {
    super('SHARE_NOT_FOUND', 'Nothing is shared with your organisation at this address, or its agreement has ended.');
  }
}

/** Where the report is now, in the words a joint owner's officer reads. */
const NOW: Record<ReportState, (revision: number) => string> = {
  draft: (r) => `it was returned to draft and revision ${r} is being written`,
  submitted: (r) => `revision ${r} is submitted for sign-off`,
  officer_approved: (r) => `its accountable officer has approved revision ${r}`,
  published: (r) => `revision ${r} has been published`,
};

/**
 * A joint owner signing off a report that changed after its officer read it: what is signed must
 * be what was read. Says what the report is now and when it last changed, as far as the partner
 * may see it (the owner's trail of who changed what is the owner's).
 */
export class JointSignOffStaleError extends ConflictError {
  constructor(
    ownerName: string,
    read: number,
    now: { version: number; state: ReportState; revision: number; updatedAt: Date },
  ) {
    const at = now.updatedAt.toISOString();
    super(
      'STALE_VERSION',
      `${ownerName} changed this report after you read it (you read version ${read}; it is now version ${now.version}, last changed ${formatDate(at.slice(0, 10) as IsoDate)} at ${at.slice(11, 16)} UTC): ${NOW[now.state](now.revision)}. Nothing has been signed off: read the report again, then sign it off.`,
    );
  }
}
