// What other organisations share with the acting one, as the partner reads it: the list of shared
// priorities, and a shared report with only what was shared (what it may update, supply, comment on
// and, for a joint owner, sign off).

import { systemActor, type Actor } from '../../../domain/actor.ts';
import { authorize, can } from '../../../domain/permissions.ts';
import type { ReportBundle } from '../../reports/report.service.ts';
import type { ShareableSection } from '../sharing.schemas.ts';
import type { Conversation, SharedWithUs, SharingContext, SuppliedIndicator } from './context.ts';

export function sharedWithUsUseCases(ctx: SharingContext) {
  const { repo, organisations, periods, reports, sharedShare, sharedPeriod, ownerReader, suppliedIn, conversation } =
    ctx;
  const useCases = {
    /** What other organisations share with the acting one now, under active agreements. */
    async listSharedWithUs(actor: Actor): Promise<SharedWithUs[]> {
      authorize(actor, 'shared.read');
      const shared = await repo.sharedWithMe();
      const out: SharedWithUs[] = [];
      for (const s of shared) {
        const own = await periods.list(systemActor(s.ownerId, 'sharing'));
        out.push({
          shareId: s.shareId,
          ownerName: s.ownerName,
          priorityCode: s.priorityCode,
          priorityTitle: s.priorityTitle,
          level: s.level,
          agreementTitle: s.agreementTitle,
          endsOn: s.endsOn,
          periods: own.filter((p) => s.periodIds.includes(p.id)).map((p) => ({ key: p.key, label: p.label })),
        });
      }
      return out;
    },

    /**
     * A shared report as the partner may read it: only what was shared (the sections kept internal
     * are empty, graphs only of shared indicators, no risks), and the milestones it may update.
     */
    async readShared(
      actor: Actor,
      shareId: string,
      periodKey: string,
    ): Promise<{
      bundle: ReportBundle;
      share: SharedWithUs;
      internalSections: ShareableSection[];
      updatable: { milestoneId: string; action: string; description: string; version: number }[];
      /** The shared indicators whose values the partner enters (an update share, for those who may update). */
      supplied: SuppliedIndicator[];
      /** The comments both organisations made on it (for those who may comment). */
      conversation: Conversation | undefined;
      /** A joint owner's part: its officer, whether it signed, and the report's `version` its sign-off must send. */
      joint:
        | { officer: string; signed: boolean; canSign: boolean; state: string; revision: number; version: number }
        | undefined;
    }> {
      const share = await sharedShare(actor, shareId);
      const period = await sharedPeriod(actor, share, periodKey);
      const own = await organisations.getOwn(actor);
      const reader = ownerReader(share.ownerId, actor, own.name);
      const bundle = await reports.getBundle(reader, share.priorityCode, period.key);
      const internal = share.internalSections as ShareableSection[];
      const hidden = new Set(internal);
      const filtered: ReportBundle = {
        ...bundle,
        report: {
          ...bundle.report,
          summary: hidden.has('summary') ? '' : bundle.report.summary,
          statusReason: hidden.has('summary') ? '' : bundle.report.statusReason,
          achievements: hidden.has('achievements') ? [] : bundle.report.achievements,
          challenges: hidden.has('challenges') ? [] : bundle.report.challenges,
          actions: hidden.has('actions') ? [] : bundle.report.actions,
          signOffs: hidden.has('signOffs') ? [] : bundle.report.signOffs,
          riskIds: [],
        },
        previous: null,
        // The partners' sign-offs go with the owner's: kept internal together.
        joint: hidden.has('signOffs') ? [] : bundle.joint,
        graphs: bundle.graphs.filter((g) => share.indicatorIds.includes(g.indicator.id)),
        citedRisks: [],
      };
      const named = await repo.partnerActionIds();
      const updatable =
        share.level === 'update' && !hidden.has('actions') && can(actor, 'shared.update')
          ? filtered.report.actions
              .filter((a) => named.has(a.id))
              .flatMap((a) =>
                a.milestones.map((m) => ({
                  milestoneId: m.id,
                  action: a.description,
                  description: m.description,
                  version: m.progressVersion,
                })),
              )
          : [];
      const listed = (await useCases.listSharedWithUs(actor)).find((s) => s.shareId === share.shareId)!;
      // A joint owner signs off a revision in sign-off once (the database shows it its own sign-offs).
      const joint = share.joint
        ? {
            officer: share.jointOfficer,
            signed: (await repo.ownJointSignOffs(bundle.report.id, bundle.report.revision)).length > 0,
            canSign:
              can(actor, 'shared.sign-off') &&
              (bundle.report.state === 'submitted' || bundle.report.state === 'officer_approved'),
            state: bundle.report.state,
            revision: bundle.report.revision,
            version: bundle.report.version,
          }
        : undefined;
      const supplied = can(actor, 'shared.update') ? await suppliedIn(reader, share, period) : [];
      const talk = can(actor, 'shared.comment')
        ? await conversation(share.shareId, filtered.report, internal, true)
        : undefined;
      return {
        bundle: filtered,
        share: listed,
        internalSections: internal,
        updatable,
        supplied,
        conversation: talk,
        joint,
      };
    },
  };
  return useCases;
}
