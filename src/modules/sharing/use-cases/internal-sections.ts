// Which sections of a shared priority's reports the partner sees (issue 11, item 3), as the
// report's own editors choose them: the performance officer who writes the report, or its
// accountable officer, knows when a paragraph is not for partners. The right is the report's
// (`report.edit`: administrators and performance officers, an accountable officer on their own
// priorities), not the agreement's (`sharing.manage`), and it is checked on the priority the address
// names before anything of the share is read. The choice is the share's `internal_sections`, which
// the partner's reading filters on (shared-with-us.ts): a change holds from the partner's next request.

import type { Actor } from '../../../domain/actor.ts';
import { ConflictError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { ShareNotFoundError } from '../sharing.errors.ts';
import type { Share } from '../sharing.repository.ts';
import {
  SHAREABLE_SECTIONS,
  sectionsInWords,
  sectionsShown,
  shareSectionsInput,
  type SectionShown,
} from '../sharing.schemas.ts';
import { parseWith } from '../../../platform/validation.ts';
import { isUuid, type AgreementWithState, type SharingContext } from './context.ts';

/** What the partner of one share sees of the priority's reports, as the owner's editor reads it. */
export interface ShareSections {
  share: Share;
  agreement: AgreementWithState;
  sections: SectionShown[];
  /** The periods whose reports are shared (the page goes back to one of them). */
  periods: { key: string; label: string }[];
  /** Whether the share still shares anything (not revoked, agreement not ended or revoked): only then may it change. */
  live: boolean;
  /** Who last chose the sections kept internal, and when (the share's making, if nobody has since). */
  lastChange: { actor: string; at: Date } | undefined;
}

export function internalSectionUseCases(ctx: SharingContext) {
  const { repo, plans, periods, withState } = ctx;

  /**
   * The priority at `code` (404 if not the organisation's), that the actor may edit its reports
   * (403: an accountable officer of another priority), then its share at `shareId` (404 if not the
   * organisation's own, or of another priority).
   */
  async function ownShareOf(actor: Actor, shareId: string, code: string) {
    const priority = await plans.getPriority(actor, code);
    authorize(actor, 'report.edit', {
      accountablePersonIds: [priority.accountableOfficer?.id, priority.accountableDirector?.id],
    });
    const share = isUuid(shareId) ? await repo.findShare(actor.organisationId, shareId) : undefined;
    if (!share || share.priorityId !== priority.id) throw new ShareNotFoundError();
    const agreement = withState((await repo.findAgreement(actor.organisationId, share.agreementId))!);
    const live = !share.revokedAt && (agreement.state === 'active' || agreement.state === 'not-started');
    return { share, agreement, live };
  }

  async function shareSections(actor: Actor, shareId: string, code: string): Promise<ShareSections> {
    const { share, agreement, live } = await ownShareOf(actor, shareId, code);
    const [all, lastChange] = await Promise.all([
      periods.list(actor),
      repo.lastSectionsChange(actor.organisationId, share.id),
    ]);
    return {
      share,
      agreement,
      sections: sectionsShown(share.internalSections),
      periods: all.filter((p) => share.periodIds.includes(p.id)).map((p) => ({ key: p.key, label: p.label })),
      live,
      lastChange,
    };
  }

  return {
    shareSections,

    /**
     * Keeps the sections ticked internal and shares the others again, for this partner: a stale
     * `version` is refused (409) saying what the partner sees now, and nothing changes; a share that
     * shares nothing any more cannot change (409). Audited in the owner's trail with who did it,
     * before and after. Choosing what is already chosen writes nothing.
     */
    async setInternalSections(actor: Actor, shareId: string, code: string, input: unknown): Promise<ShareSections> {
      const { share, agreement, live } = await ownShareOf(actor, shareId, code);
      const v = parseWith(shareSectionsInput, input);
      if (!live)
        throw new ConflictError(
          'SHARE_ENDED',
          `Nothing of ${share.priorityCode} is shared with ${agreement.partnerName} any more, so there is nothing to keep internal.`,
        );
      const stale = () =>
        new ConflictError(
          'SHARE_CHANGED',
          `Someone changed what ${agreement.partnerName} sees of ${share.priorityCode} after you opened it. Nothing has been changed: they now see ${sectionsInWords(
            sectionsShown(share.internalSections),
            true,
            'no section',
          ).toLowerCase()}. Look again, then save your choice.`,
        );
      if (v.version !== share.version) throw stale();
      // In the order of the report, whatever the order ticked or sent.
      const internalSections = SHAREABLE_SECTIONS.filter((k) => v.internalSections.includes(k));
      const unchanged =
        internalSections.length === share.internalSections.length &&
        internalSections.every((k) => share.internalSections.includes(k));
      if (!unchanged) {
        if (!(await repo.setInternalSections(share.id, v.version, internalSections))) throw stale();
        await repo.audit({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'priority_share',
          entityId: share.id,
          action: 'update',
          before: { internalSections: share.internalSections },
          after: { priority: share.priorityCode, partner: agreement.partnerName, internalSections },
        });
      }
      return shareSections(actor, share.id, code);
    },
  };
}
