// Shares of a priority under an agreement, as the owner makes them: what may be shared, sharing a
// priority (to read, to update, or as a joint owner), the key actions a partner may update, revoking.

import type { Actor } from '../../../domain/actor.ts';
import { ConflictError, ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { parseWith } from '../../../platform/validation.ts';
import { ShareNotFoundError } from '../sharing.errors.ts';
import type { Share } from '../sharing.repository.ts';
import { revokeInput, shareActionsInput, shareInput } from '../sharing.schemas.ts';
import type { AgreementUseCases } from './agreements.ts';
import { isUuid, type SharingContext } from './context.ts';

export function shareUseCases(ctx: SharingContext, getAgreement: AgreementUseCases['getAgreement']) {
  const { repo, plans, periods, indicators, reports, withState, ownAgreement } = ctx;

  /** The key actions of the shared reports, for choosing which the partner may update. */
  async function shareActionOptions(actor: Actor, shareId: string) {
    authorize(actor, 'sharing.manage');
    const share = isUuid(shareId) ? await repo.findShare(actor.organisationId, shareId) : undefined;
    if (!share || share.revokedAt) throw new ShareNotFoundError();
    const { agreement } = await getAgreement(actor, share.agreementId);
    const shared = (await periods.list(actor)).filter((p) => share.periodIds.includes(p.id));
    const reportsOf: { periodLabel: string; actions: { id: string; number: number; description: string }[] }[] = [];
    for (const p of shared) {
      const bundle = await reports.findBundle(actor, share.priorityCode, p.key);
      if (bundle)
        reportsOf.push({
          periodLabel: p.label,
          actions: bundle.report.actions.map((a, i) => ({ id: a.id, number: i + 1, description: a.description })),
        });
    }
    return { share, agreement, reports: reportsOf };
  }

  return {
    /** What may be shared under an agreement: the organisation's priorities, periods and indicators. */
    async shareOptions(actor: Actor, agreementId: string) {
      authorize(actor, 'sharing.manage');
      const agreement = withState(await ownAgreement(actor, agreementId));
      const [priorities, allPeriods, allIndicators] = await Promise.all([
        plans.listPriorities(actor),
        periods.list(actor),
        indicators.list(actor),
      ]);
      return { agreement, priorities, periods: allPeriods, indicators: allIndicators };
    },

    async createShare(actor: Actor, agreementId: string, input: unknown): Promise<string> {
      authorize(actor, 'sharing.manage');
      const agreement = withState(await ownAgreement(actor, agreementId));
      if (agreement.state === 'revoked' || agreement.state === 'ended')
        throw ValidationError.single(
          'priorityId',
          `The agreement has ${agreement.state === 'revoked' ? 'been revoked' : 'ended'}: nothing more can be shared under it`,
        );
      const v = parseWith(shareInput, input);
      const [priorities, allPeriods, allIndicators] = await Promise.all([
        plans.listPriorities(actor),
        periods.list(actor),
        indicators.list(actor),
      ]);
      const priority = priorities.find((p) => p.id === v.priorityId);
      if (!priority) throw ValidationError.single('priorityId', 'Choose one of your priorities from the list');
      if (v.joint && v.level !== 'update')
        throw ValidationError.single('level', 'A joint owner updates the priority: choose “Read, and record progress”');
      if (v.joint && !v.jointOfficer)
        throw ValidationError.single(
          'jointOfficer',
          'Enter the name of their accountable officer, who signs off for them',
        );
      if (!v.periodIds.every((id) => allPeriods.some((p) => p.id === id)))
        throw ValidationError.single('periodIds', 'Choose reporting periods from the list');
      if (!v.indicatorIds.every((id) => allIndicators.some((i) => i.id === id)))
        throw ValidationError.single('indicatorIds', 'Choose indicators from the list');
      if (v.suppliedIndicatorIds.length > 0 && v.level !== 'update')
        throw ValidationError.single(
          'suppliedIndicatorIds',
          'A partner that only reads cannot enter values: choose “Read, and record progress”, or no indicators they supply',
        );
      if (!v.suppliedIndicatorIds.every((id) => v.indicatorIds.includes(id)))
        throw ValidationError.single(
          'suppliedIndicatorIds',
          'The indicators they supply must be among the indicators shared with them',
        );
      const id = await repo.insertShare({
        organisationId: actor.organisationId,
        agreementId: agreement.id,
        priorityId: priority.id,
        level: v.level,
        periodIds: [...new Set(v.periodIds)],
        indicatorIds: [...new Set(v.indicatorIds)],
        suppliedIndicatorIds: [...new Set(v.suppliedIndicatorIds)],
        internalSections: [...new Set(v.internalSections)],
        joint: v.joint,
        jointOfficer: v.jointOfficer ?? '',
        createdBy: actor.label,
      });
      if (!id)
        throw ValidationError.single(
          'priorityId',
          `${priority.code} is already shared under this agreement: revoke that share first to change it`,
        );
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'priority_share',
        entityId: id,
        action: 'create',
        after: { agreementId: agreement.id, priority: priority.code, ...v },
      });
      return id;
    },

    shareActionOptions,

    /** Chooses the key actions an update share lets the partner update, besides those naming it. */
    async chooseShareActions(actor: Actor, shareId: string, input: unknown): Promise<Share> {
      const { share, reports: shared } = await shareActionOptions(actor, shareId);
      const v = parseWith(shareActionsInput, input);
      if (share.level !== 'update')
        throw ValidationError.single(
          'actionIds',
          'This priority is shared to read only: share it again to let them update',
        );
      const known = new Set(shared.flatMap((r) => r.actions.map((a) => a.id)));
      if (!v.actionIds.every((id) => known.has(id)))
        throw ValidationError.single('actionIds', 'Choose key actions of the shared reports from the list');
      const actionIds = [...new Set(v.actionIds)];
      if (!(await repo.setShareActions(share.id, v.version, actionIds)))
        throw new ConflictError('SHARE_CHANGED', 'Someone changed this share since you opened it. Reload the page.');
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'priority_share',
        entityId: share.id,
        action: 'update',
        before: { actionIds: share.actionIds },
        after: { actionIds },
      });
      return share;
    },

    async revokeShare(actor: Actor, shareId: string, input: unknown): Promise<Share> {
      authorize(actor, 'sharing.manage');
      const share = isUuid(shareId) ? await repo.findShare(actor.organisationId, shareId) : undefined;
      if (!share) throw new ShareNotFoundError();
      const { version } = parseWith(revokeInput.pick({ version: true }), input);
      if (share.revokedAt) throw new ConflictError('SHARE_REVOKED', 'This share has already been revoked.');
      if (!(await repo.revokeShare(share.id, version, actor.label, new Date())))
        throw new ConflictError('SHARE_CHANGED', 'Someone changed this share since you opened it. Reload the page.');
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'priority_share',
        entityId: share.id,
        action: 'update',
        before: { revokedAt: null },
        after: { revoked: true },
      });
      return share;
    },
  };
}
