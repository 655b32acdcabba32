// Data-sharing agreements, as the organisation that shares records them: list, read, record one
// with another organisation that runs Amber, revoke it (everything shared under it ends at once).

import type { Actor } from '../../../domain/actor.ts';
import { ConflictError, ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { parseWith } from '../../../platform/validation.ts';
import { agreementInput, revokeInput } from '../sharing.schemas.ts';
import type { AgreementHistoryEvent, AgreementWithState, ShareDetail, SharingContext } from './context.ts';

export function agreementUseCases(ctx: SharingContext) {
  const { repo, organisations, withState, ownAgreement, details } = ctx;
  return {
    async listAgreements(actor: Actor): Promise<AgreementWithState[]> {
      authorize(actor, 'sharing.manage');
      return (await repo.listAgreements(actor.organisationId)).map(withState);
    },

    async getAgreement(actor: Actor, id: string): Promise<{ agreement: AgreementWithState; shares: ShareDetail[] }> {
      authorize(actor, 'sharing.manage');
      const agreement = withState(await ownAgreement(actor, id));
      const shares = await details(actor, await repo.listShares(actor.organisationId, agreement.id));
      return { agreement, shares };
    },

    /**
     * What the agreement's page lists as its history, oldest first: the audit events of the
     * agreement (recorded, revoked, ended) and of the shares made under it.
     */
    async agreementHistory(actor: Actor, id: string): Promise<AgreementHistoryEvent[]> {
      authorize(actor, 'sharing.manage');
      const agreement = await ownAgreement(actor, id);
      return repo.agreementHistory(actor.organisationId, agreement.id);
    },

    /** The partner records that may name the partner on key actions. */
    async agreementOptions(actor: Actor) {
      authorize(actor, 'sharing.manage');
      return { partnerRecords: await organisations.listPartners(actor) };
    },

    async createAgreement(actor: Actor, input: unknown): Promise<string> {
      authorize(actor, 'sharing.manage');
      const v = parseWith(agreementInput, input);
      const partnerId = (await organisations.findByAddressName(actor, v.partner))?.id;
      if (!partnerId)
        throw ValidationError.single(
          'partner',
          `No organisation uses Amber at the address name “${v.partner}”: check it with them`,
        );
      if (partnerId === actor.organisationId)
        throw ValidationError.single('partner', 'That is your own organisation: an agreement is with another');
      if (v.partnerRecordId && !(await repo.partnerRecordBelongs(actor.organisationId, v.partnerRecordId)))
        throw ValidationError.single('partnerRecordId', 'Choose one of your partner organisations from the list');
      const id = await repo.insertAgreement({
        organisationId: actor.organisationId,
        partnerId,
        partnerRecordId: v.partnerRecordId ?? null,
        title: v.title,
        purpose: v.purpose,
        dataShared: v.dataShared,
        legalBasis: v.legalBasis,
        startsOn: v.startsOn,
        endsOn: v.endsOn,
        signatories: v.signatories,
        createdBy: actor.label,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'sharing_agreement',
        entityId: id,
        action: 'create',
        after: v,
      });
      return id;
    },

    /** Ends the agreement now: everything shared under it stops being visible to the partner at once. */
    async revokeAgreement(actor: Actor, id: string, input: unknown): Promise<void> {
      authorize(actor, 'sharing.manage');
      const agreement = await ownAgreement(actor, id);
      const { reason, version } = parseWith(revokeInput, input);
      if (agreement.revokedAt) throw new ConflictError('AGREEMENT_REVOKED', 'This agreement has already been revoked.');
      if (!(await repo.revokeAgreement(agreement.id, version, actor.label, reason, new Date())))
        throw new ConflictError(
          'AGREEMENT_CHANGED',
          'Someone changed this agreement since you opened it. Reload the page to see it as it is now.',
        );
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'sharing_agreement',
        entityId: agreement.id,
        action: 'update',
        before: { revokedAt: null },
        after: { revoked: true, reason },
      });
    },
  };
}

export type AgreementUseCases = ReturnType<typeof agreementUseCases>;
