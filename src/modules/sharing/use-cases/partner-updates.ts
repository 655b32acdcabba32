// What an update share lets the partner write in the owner's report: progress on milestones of key
// actions naming it, and the values of the indicators it supplies; each through the owning module's
// own write path, version checks and audit, naming the person and their organisation.

import type { Actor } from '../../../domain/actor.ts';
import { ForbiddenError, ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { parseWith } from '../../../platform/validation.ts';
import type { IndicatorPoint } from '../../indicators/indicator.service.ts';
import { ShareNotFoundError } from '../sharing.errors.ts';
import { suppliedValuePeriodInput } from '../sharing.schemas.ts';
import type { SharedWithUs, SharingContext, SuppliedIndicator } from './context.ts';

export function partnerUpdateUseCases(
  ctx: SharingContext,
  listSharedWithUs: (actor: Actor) => Promise<SharedWithUs[]>,
) {
  const { repo, organisations, indicators, reports, sharedShare, sharedPeriod, ownerReader, suppliedIn } = ctx;
  const useCases = {
    /**
     * The partner records what became of a milestone of an action that names it, under an update
     * share. The audit trail records the person and their organisation ("jo@lp.example (Local
     * Partnerships)"); the owner's version checks apply as to its own people.
     */
    async recordSharedProgress(
      actor: Actor,
      shareId: string,
      periodKey: string,
      milestoneId: string,
      input: unknown,
    ): Promise<void> {
      authorize(actor, 'shared.update');
      const share = await sharedShare(actor, shareId);
      const period = await sharedPeriod(actor, share, periodKey);
      if (share.level !== 'update')
        throw new ForbiddenError('SHARE_READ_ONLY', 'This priority is shared with your organisation to read only.');
      const own = await organisations.getOwn(actor);
      const reader = ownerReader(share.ownerId, actor, own.name);
      const bundle = await reports.getBundle(reader, share.priorityCode, period.key);
      const action = bundle.report.actions.find((a) => a.milestones.some((m) => m.id === milestoneId));
      if (!action || share.internalSections.includes('actions')) throw new ShareNotFoundError();
      if (!(await repo.partnerActionIds()).has(action.id))
        throw new ForbiddenError(
          'NOT_NAMED',
          `Your organisation is not named on this key action, so only ${share.ownerName} can record its progress.`,
        );
      await reports.recordMilestoneProgress(reader, share.priorityCode, period.key, milestoneId, input);
    },

    /**
     * A shared indicator the partner supplies, for its form: the periods within the shared period
     * it may enter, each with the value recorded now. 404 unless the share lets the acting
     * organisation supply it (read only, not supplied, not shared, or the agreement over).
     */
    async suppliedIndicator(
      actor: Actor,
      shareId: string,
      periodKey: string,
      indicatorId: string,
    ): Promise<{ share: SharedWithUs; period: { key: string; label: string }; supplied: SuppliedIndicator }> {
      authorize(actor, 'shared.update');
      const share = await sharedShare(actor, shareId);
      const period = await sharedPeriod(actor, share, periodKey);
      if (share.level !== 'update')
        throw new ForbiddenError('SHARE_READ_ONLY', 'This priority is shared with your organisation to read only.');
      if (!share.indicatorIds.includes(indicatorId)) throw new ShareNotFoundError();
      if (!share.suppliedIndicatorIds.includes(indicatorId))
        throw new ForbiddenError(
          'NOT_SUPPLIED',
          `${share.ownerName} shares this indicator for reading: only ${share.ownerName} records its values.`,
        );
      const own = await organisations.getOwn(actor);
      const found = (await suppliedIn(ownerReader(share.ownerId, actor, own.name), share, period)).find(
        (s) => s.indicator.id === indicatorId,
      );
      if (!found) throw new ShareNotFoundError();
      const listed = (await listSharedWithUs(actor)).find((s) => s.shareId === share.shareId)!;
      return { share: listed, period: { key: period.key, label: period.label }, supplied: found };
    },

    /**
     * The partner enters the actual (and a comment) of an indicator it supplies, for a period within
     * the shared period, through the indicators module's own rules (the period's kind, the unit, the
     * version read). The owner's target stays; the audit event in the owner's trail names the person
     * and their organisation ("jo@lp.example (Local Partnerships)").
     */
    async enterSuppliedValue(
      actor: Actor,
      shareId: string,
      periodKey: string,
      indicatorId: string,
      input: unknown,
    ): Promise<IndicatorPoint[]> {
      const { supplied } = await useCases.suppliedIndicator(actor, shareId, periodKey, indicatorId);
      const { period } = parseWith(suppliedValuePeriodInput, input);
      if (!supplied.periods.some((p) => p.key === period.key))
        throw ValidationError.single(
          'period',
          `Choose one of the periods listed: ${supplied.periods.map((p) => p.label).join(', ') || 'none is recorded yet'}`,
        );
      const share = await sharedShare(actor, shareId);
      const own = await organisations.getOwn(actor);
      return indicators.supplyValue(ownerReader(share.ownerId, actor, own.name), supplied.indicator.code, input, {
        organisationId: actor.organisationId,
        name: own.name,
      });
    },
  };
  return useCases;
}
