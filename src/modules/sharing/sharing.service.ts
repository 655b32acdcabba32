// Data-sharing agreements and shared priorities (issue 11): the use cases of the organisation that
// shares (record an agreement, share a priority under it, revoke either) and of the partner (see
// what is shared with it, read a shared report, record progress on milestones of actions naming it).
// The service is the module's face: it puts together the use cases, each in a file of its own
// under use-cases/ so a reader finds it by name:
//
//   agreements.ts       data-sharing agreements: record, read (with their history), revoke
//   agreement-ends.ts   an agreement reaching its end date, written into the history once (scheduled)
//   shares.ts           sharing a priority under an agreement, the key actions a partner may update, revoking
//   internal-sections.ts  the sections of a shared priority's reports kept from the partner, as the report's editors choose
//   conversations.ts    comments on a shared report, from either side
//   shared-with-us.ts   what is shared with the acting organisation, and a shared report as it may read it
//   partner-updates.ts  a partner's milestone progress and supplied indicator values
//   joint-ownership.ts  a joint priority's owners and their sign-offs
//
// PostgreSQL decides what a partner can see and change (migration 2026-12-04-110-sharing): the
// partner's unit of work acts for the partner, so reading the owner's report through the reports
// service with the owner's id returns only the shared rows, and a milestone of an action that does
// not name the partner cannot be written whatever this code does. The checks here give people
// clear answers (404, 403 with a sentence) before the database would refuse.

import { createSharingContext, type SharingServiceDeps } from './use-cases/context.ts';
import { agreementUseCases } from './use-cases/agreements.ts';
import { agreementEndUseCases } from './use-cases/agreement-ends.ts';
import { shareUseCases } from './use-cases/shares.ts';
import { internalSectionUseCases } from './use-cases/internal-sections.ts';
import { conversationUseCases } from './use-cases/conversations.ts';
import { sharedWithUsUseCases } from './use-cases/shared-with-us.ts';
import { partnerUpdateUseCases } from './use-cases/partner-updates.ts';
import { jointOwnershipUseCases } from './use-cases/joint-ownership.ts';

export type {
  SharingServiceDeps,
  AgreementWithState,
  AgreementHistoryEvent,
  ShareDetail,
  SuppliedEntry,
  Conversation,
  SuppliedIndicator,
  SharedWithUs,
} from './use-cases/context.ts';
export type { ShareSections } from './use-cases/internal-sections.ts';
export { AgreementNotFoundError, ShareNotFoundError } from './sharing.errors.ts';

export function createSharingService(deps: SharingServiceDeps) {
  const ctx = createSharingContext(deps);
  const agreements = agreementUseCases(ctx);
  const sharedWithUs = sharedWithUsUseCases(ctx);
  return {
    // --- The organisation that shares --------------------------------------------------------
    ...agreements,
    ...agreementEndUseCases(ctx),
    ...shareUseCases(ctx, (actor, id) => agreements.getAgreement(actor, id)),
    ...internalSectionUseCases(ctx),
    ...conversationUseCases(ctx),
    ...jointOwnershipUseCases(ctx),
    // --- The partner ------------------------------------------------------------------------
    ...sharedWithUs,
    ...partnerUpdateUseCases(ctx, (actor) => sharedWithUs.listSharedWithUs(actor)),
  };
}

export type SharingService = ReturnType<typeof createSharingService>;
