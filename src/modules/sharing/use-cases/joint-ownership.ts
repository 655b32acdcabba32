// Joint priorities: the partners that own a priority with its owner, and the sign-off each joint
// owner gives a revision before the owner's director can publish it (in Amber, or given on paper
// before Amber and entered by the owner's system).

import type { Actor } from '../../../domain/actor.ts';
import { ConflictError, ForbiddenError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { parseWith } from '../../../platform/validation.ts';
import { JointSignOffStaleError, ShareNotFoundError } from '../sharing.errors.ts';
import { historicalJointSignOffInput, jointSignOffInput } from '../sharing.schemas.ts';
import type { SharingContext } from './context.ts';

export function jointOwnershipUseCases(ctx: SharingContext) {
  const { repo, organisations, reports, sharedShare, sharedPeriod, ownerReader, ownSharedReport } = ctx;
  return {
    /**
     * The priority's joint owners and the sign-off each gave this revision of the report (the
     * owner's report page; the owner's director cannot publish while any is missing).
     */
    async jointOwners(actor: Actor, priorityId: string, reportId: string, revision: number) {
      authorize(actor, 'report.read', { published: true });
      return repo.jointOwners(actor.organisationId, priorityId, reportId, revision);
    },
    /** The joint owners who have not signed off this revision yet (names), for the workflow's last step. */
    async jointOwnersPending(actor: Actor, priorityId: string, reportId: string, revision: number): Promise<string[]> {
      authorize(actor, 'report.read', { published: true });
      const owners = await repo.jointOwners(actor.organisationId, priorityId, reportId, revision);
      return owners.filter((o) => o.decision !== 'approved').map((o) => o.partnerName);
    },

    /**
     * A joint owner's accountable officer signs off the revision being signed off (submitted, or
     * approved by the owner's officer): the owner's director can publish it only once every joint
     * owner has. Recorded in the owner's report trail with the person and their organisation.
     */
    async signOffJointly(
      actor: Actor,
      shareId: string,
      periodKey: string,
      input: unknown,
      /** The signer's name as every output prints it (their e-mail address when not given). */
      signer: string = actor.label,
    ): Promise<void> {
      authorize(actor, 'shared.sign-off');
      const share = await sharedShare(actor, shareId);
      if (!share.joint)
        throw new ForbiddenError('NOT_JOINT', 'Your organisation reads this priority; it is not one of its owners.');
      const period = await sharedPeriod(actor, share, periodKey);
      const { comment, version } = parseWith(jointSignOffInput, input);
      const own = await organisations.getOwn(actor);
      const reader = ownerReader(share.ownerId, actor, own.name);
      const bundle = await reports.getBundle(reader, share.priorityCode, period.key);
      const { state, revision } = bundle.report;
      if (version !== bundle.report.version) throw new JointSignOffStaleError(share.ownerName, version, bundle.report);
      if (state !== 'submitted' && state !== 'officer_approved')
        throw new ConflictError(
          'NOT_IN_SIGN_OFF',
          state === 'published'
            ? 'This revision is already published: there is nothing to sign off.'
            : 'The report is being written: it can be signed off once it has been submitted.',
        );
      const signed = await repo.insertJointSignOff({
        organisationId: share.ownerId,
        shareId: share.shareId,
        reportId: bundle.report.id,
        revision,
        partnerId: actor.organisationId,
        comment: comment ?? '',
        signedBy: `${signer} (${own.name})`,
      });
      if (!signed)
        throw new ConflictError('ALREADY_SIGNED', `${own.name} has already signed off revision ${revision}.`);
      await repo.audit({
        organisationId: share.ownerId,
        actor: `${actor.label} (${own.name})`,
        entity: 'report',
        entityId: bundle.report.id,
        action: 'update',
        after: { jointSignOff: own.name, revision, comment: comment ?? '' },
      });
    },

    /**
     * Enters a joint owner's sign-off given on paper before Amber (the demo's history), as the
     * owner's system: only the system may, as for the owner's own historical sign-offs; a partner's
     * officer signs in Amber with `signOffJointly`. The report must be in sign-off.
     */
    async recordHistoricalJointSignOff(actor: Actor, shareId: string, periodKey: string, input: unknown) {
      if (actor.kind !== 'system')
        throw new ForbiddenError(
          'SIGN_OFF_NEEDS_A_PERSON',
          'A sign-off cannot be entered on someone’s behalf: the person signs it off themselves.',
        );
      const { share, bundle, agreement, live } = await ownSharedReport(actor, shareId, periodKey);
      if (!share.joint || !live) throw new ShareNotFoundError();
      const v = parseWith(historicalJointSignOffInput, input);
      const { state, revision } = bundle.report;
      if (state !== 'submitted' && state !== 'officer_approved')
        throw new ConflictError('NOT_IN_SIGN_OFF', 'The report is not in sign-off: there is nothing to sign off.');
      const signed = await repo.insertJointSignOff({
        organisationId: actor.organisationId,
        shareId: share.id,
        reportId: bundle.report.id,
        revision,
        partnerId: agreement.partnerId,
        comment: v.comment ?? '',
        signedBy: `${v.signedBy} (${agreement.partnerName})`,
        // Midday in the UK that day, winter or summer: the day printed is the day it was given.
        signedAt: new Date(`${v.signedOn}T12:00:00Z`),
      });
      if (!signed)
        throw new ConflictError(
          'ALREADY_SIGNED',
          `${agreement.partnerName} has already signed off revision ${revision}.`,
        );
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'report',
        entityId: bundle.report.id,
        action: 'update',
        after: { jointSignOff: agreement.partnerName, revision, historical: true, signedBy: v.signedBy },
      });
    },
  };
}
