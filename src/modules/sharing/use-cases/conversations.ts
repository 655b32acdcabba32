// The conversation about a shared report: the owner's people and the partner's people comment on
// it (or on one of its shared key actions); each comment names its author and their organisation.

import type { Actor } from '../../../domain/actor.ts';
import { ConflictError } from '../../../domain/errors.ts';
import { authorize, can } from '../../../domain/permissions.ts';
import { agreementState } from '../../../domain/sharing.ts';
import type { SharingContext } from './context.ts';
import { sectionsShown } from '../sharing.schemas.ts';

/** Whether the actor may choose which sections a partner sees: the report's editors, while the share is live. */
const mayChooseSections = (actor: Actor, live: boolean, accountablePersonIds: (string | null | undefined)[]) =>
  live && can(actor, 'report.edit', { accountablePersonIds });

export function conversationUseCases(ctx: SharingContext) {
  const {
    repo,
    organisations,
    reports,
    today,
    sharedShare,
    sharedPeriod,
    ownerReader,
    conversation,
    parseComment,
    ownSharedReport,
  } = ctx;
  return {
    /**
     * The conversation with the partner about a shared report, as the owner's people see it: every
     * comment, each with its author and organisation. They may add to it while the share is live.
     */
    async ownerConversation(actor: Actor, shareId: string, periodKey: string) {
      authorize(actor, 'shared.comment');
      const { share, period, bundle, agreement, live } = await ownSharedReport(actor, shareId, periodKey);
      return {
        share,
        agreement,
        period: { key: period.key, label: period.label },
        conversation: await conversation(share.id, bundle.report, share.internalSections, live),
        /** Which sections of the report the partner sees (issue 11, item 3). */
        sections: sectionsShown(share.internalSections),
        /** Whether the acting person may change that: the report's editors, while the share is live. */
        canChooseSections: mayChooseSections(actor, live, [
          bundle.priority.accountableOfficer?.id,
          bundle.priority.accountableDirector?.id,
        ]),
      };
    },

    /**
     * The conversations with partners about one of the organisation's reports (each share of its
     * priority covering the period, live or ended) and how many comments each holds: the report
     * page links to them. Empty for those who take no part in the conversations.
     */
    async conversationsOf(
      actor: Actor,
      report: { priorityId: string; periodId: string; reportId: string },
    ): Promise<
      { shareId: string; partnerName: string; comments: number; live: boolean; canChooseSections: boolean }[]
    > {
      if (!can(actor, 'shared.comment')) return [];
      const rows = await repo.sharesOfReport(actor.organisationId, report.priorityId, report.periodId, report.reportId);
      return rows.map((r) => {
        const live = !r.shareRevokedAt && agreementState(r.agreement, today()) === 'active';
        return {
          shareId: r.shareId,
          partnerName: r.partnerName,
          comments: r.comments,
          live,
          canChooseSections: mayChooseSections(actor, live, r.accountablePersonIds),
        };
      });
    },

    /** The owner's person comments on a report it shares, while the share is live; audited in its trail. */
    async commentAsOwner(
      actor: Actor,
      authorName: string,
      shareId: string,
      periodKey: string,
      input: unknown,
    ): Promise<void> {
      authorize(actor, 'shared.comment');
      const { share, bundle, agreement, live } = await ownSharedReport(actor, shareId, periodKey);
      if (!live)
        throw new ConflictError(
          'SHARE_ENDED',
          `Nothing is shared with ${agreement.partnerName} under this agreement any more: the conversation is closed.`,
        );
      const { actions } = await conversation(share.id, bundle.report, share.internalSections, live);
      const v = parseComment(input, actions);
      const own = await organisations.getOwn(actor);
      const id = await repo.insertComment({
        organisationId: actor.organisationId,
        shareId: share.id,
        reportId: bundle.report.id,
        actionId: v.actionId,
        authorOrganisationId: actor.organisationId,
        authorOrganisationName: own.name,
        authorName,
        body: v.body,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'shared_comment',
        entityId: id,
        action: 'create',
        after: { shareId: share.id, reportId: bundle.report.id, actionId: v.actionId, body: v.body },
      });
    },

    /**
     * The partner's person comments on a report shared with it (at either level), or on one of its
     * shared key actions. Stored with the owner's report, naming the person and their organisation,
     * and audited in the owner's trail ("jo@lp.example (Local Partnerships)").
     */
    async commentOnShared(
      actor: Actor,
      authorName: string,
      shareId: string,
      periodKey: string,
      input: unknown,
    ): Promise<void> {
      authorize(actor, 'shared.comment');
      const share = await sharedShare(actor, shareId);
      const period = await sharedPeriod(actor, share, periodKey);
      const own = await organisations.getOwn(actor);
      const reader = ownerReader(share.ownerId, actor, own.name);
      const bundle = await reports.getBundle(reader, share.priorityCode, period.key);
      const { actions } = await conversation(share.shareId, bundle.report, share.internalSections, true);
      const v = parseComment(input, actions);
      const id = await repo.insertComment({
        organisationId: share.ownerId,
        shareId: share.shareId,
        reportId: bundle.report.id,
        actionId: v.actionId,
        authorOrganisationId: actor.organisationId,
        authorOrganisationName: own.name,
        authorName,
        body: v.body,
      });
      await repo.audit({
        organisationId: share.ownerId,
        actor: reader.label,
        entity: 'shared_comment',
        entityId: id,
        action: 'create',
        after: { shareId: share.shareId, reportId: bundle.report.id, actionId: v.actionId, body: v.body },
      });
    },
  };
}
