// Data-sharing agreements and shared priorities (issue 11): the use cases of the organisation that
// shares (record an agreement, share a priority under it, revoke either) and of the partner (see
// what is shared with it, read a shared report, record progress on milestones of actions naming it).
//
// PostgreSQL decides what a partner can see and change (migration 2026-12-04-110-sharing): the
// partner's unit of work acts for the partner, so reading the owner's report through the reports
// service with the owner's id returns only the shared rows, and a milestone of an action that does
// not name the partner cannot be written whatever this code does. The checks here give people
// clear answers (404, 403 with a sentence) before the database would refuse.

import { systemActor, type Actor } from '../../domain/actor.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { authorize, can } from '../../domain/permissions.ts';
import { agreementState, periodsWithin, ukToday, type AgreementState } from '../../domain/sharing.ts';
import { FREQUENCY_PERIOD_KIND, type Unit } from '../../domain/indicators/indicator.ts';
import { parseWith } from '../../platform/validation.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import type { PeriodService } from '../periods/period.service.ts';
import type { PlanService } from '../plans/plan.service.ts';
import { unitOf, type Indicator, type IndicatorPoint, type IndicatorService } from '../indicators/indicator.service.ts';
import type { ReportService } from '../reports/report.service.ts';
import type { ReportBundle } from '../reports/report.service.ts';
import type { Agreement, Share, SharedComment, SharingRepository } from './sharing.repository.ts';
import {
  agreementInput,
  commentInput,
  jointSignOffInput,
  historicalJointSignOffInput,
  revokeInput,
  shareActionsInput,
  shareInput,
  suppliedValuePeriodInput,
  type ShareableSection,
} from './sharing.schemas.ts';

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

export interface SharingServiceDeps {
  repo: SharingRepository;
  organisations: OrganisationService;
  plans: PlanService;
  periods: PeriodService;
  indicators: IndicatorService;
  reports: ReportService;
  /** Today in the UK (tests move it). */
  today?: () => string;
}

export interface AgreementWithState extends Agreement {
  state: AgreementState;
}

export interface ShareDetail extends Share {
  periods: { id: string; key: string; label: string }[];
  indicators: { id: string; code: string; title: string; supplied: boolean }[];
  /** Values the partner entered in the supplied indicators, newest first (from the audit trail). */
  supplied: SuppliedEntry[];
}

/** A value a partner entered in one of the owner's indicators: who, from which organisation, when. */
export interface SuppliedEntry {
  indicatorCode: string;
  periodKey: string;
  actual: number | null;
  /** The indicator's unit, to write the actual in. */
  unit: Unit;
  by: string;
  organisation: string;
  at: Date;
}

/** The comments on a shared report, and the key actions a comment may be about (those shared). */
export interface Conversation {
  comments: (SharedComment & { action: { number: number; description: string } | undefined })[];
  actions: { id: string; number: number; description: string }[];
  /** Whether the acting person may comment now (the share is live and they may comment). */
  canComment: boolean;
}

/** A shared indicator the partner supplies, with the periods within the shared period it may enter. */
export interface SuppliedIndicator {
  indicator: Indicator;
  /** The indicator's unit, to write its values in. */
  unit: Unit;
  periods: { key: string; label: string; point: IndicatorPoint | undefined }[];
}

/** A priority shared with the acting organisation, as its "Shared with us" page lists it. */
export interface SharedWithUs {
  shareId: string;
  ownerName: string;
  priorityCode: string;
  priorityTitle: string;
  level: 'read' | 'update';
  agreementTitle: string;
  endsOn: string;
  periods: { key: string; label: string }[];
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export function createSharingService({
  repo,
  organisations,
  plans,
  periods,
  indicators,
  reports,
  today = ukToday,
}: SharingServiceDeps) {
  const withState = (a: Agreement): AgreementWithState => ({ ...a, state: agreementState(a, today()) });

  async function ownAgreement(actor: Actor, id: string): Promise<Agreement> {
    const a = isUuid(id) ? await repo.findAgreement(actor.organisationId, id) : undefined;
    if (!a) throw new AgreementNotFoundError();
    return a;
  }

  async function detail(actor: Actor, s: Share): Promise<ShareDetail> {
    const [allPeriods, allIndicators] = await Promise.all([periods.list(actor), indicators.list(actor)]);
    return {
      ...s,
      periods: allPeriods
        .filter((p) => s.periodIds.includes(p.id))
        .map((p) => ({ id: p.id, key: p.key, label: p.label })),
      indicators: allIndicators
        .filter((i) => s.indicatorIds.includes(i.id))
        .map((i) => ({ id: i.id, code: i.code, title: i.title, supplied: s.suppliedIndicatorIds.includes(i.id) })),
      supplied: (await repo.suppliedEntries(actor.organisationId, s.id, s.suppliedIndicatorIds)).flatMap((e) => {
        const indicator = allIndicators.find((i) => i.code === e.indicatorCode);
        return indicator ? [{ ...e, unit: unitOf(indicator) }] : [];
      }),
    };
  }

  /** The share with the acting (partner) organisation at this id, active now; else 404. */
  async function sharedShare(actor: Actor, shareId: string) {
    authorize(actor, 'shared.read');
    const share = isUuid(shareId) ? (await repo.sharedWithMe()).find((s) => s.shareId === shareId) : undefined;
    if (!share) throw new ShareNotFoundError();
    return share;
  }

  /** The owner's view of its own report, as the partner may see it: only shared rows, under the partner's row-level security. */
  function ownerReader(ownerId: string, actor: Actor, organisationName: string): Actor {
    return systemActor(ownerId, `${actor.label} (${organisationName})`);
  }

  async function sharedPeriod(actor: Actor, share: { periodIds: string[]; ownerId: string }, periodKey: string) {
    // The partner reads the owner's periods: row-level security shows only the shared ones.
    const all = await periods.list(systemActor(share.ownerId, 'sharing'));
    const period = all.find((p) => p.key === periodKey && share.periodIds.includes(p.id));
    if (!period) throw new ShareNotFoundError();
    return period;
  }

  /** The indicators the partner supplies in a shared period, with the periods it may enter (read as the owner's reader). */
  async function suppliedIn(
    reader: Actor,
    share: { level: 'read' | 'update'; suppliedIndicatorIds: string[] },
    period: { startsOn: string; endsOn: string },
  ): Promise<SuppliedIndicator[]> {
    if (share.level !== 'update' || share.suppliedIndicatorIds.length === 0) return [];
    const [shown, ownPeriods] = await Promise.all([indicators.list(reader), periods.list(reader)]);
    const out: SuppliedIndicator[] = [];
    for (const indicator of shown.filter((i) => share.suppliedIndicatorIds.includes(i.id))) {
      const { points } = await indicators.points(reader, indicator.code);
      out.push({
        indicator,
        unit: unitOf(indicator),
        periods: periodsWithin(period, FREQUENCY_PERIOD_KIND[indicator.frequency], ownPeriods).map((p) => ({
          key: p.key,
          label: p.label,
          point: points.find((x) => x.value.periodId === p.id),
        })),
      });
    }
    return out;
  }

  /** The comments of a shared report with the actions they are about; `actions` empty when kept internal. */
  async function conversation(
    shareId: string,
    report: { id: string; actions: { id: string; description: string }[] },
    internalSections: string[],
    canComment: boolean,
  ): Promise<Conversation> {
    const actions = internalSections.includes('actions')
      ? []
      : report.actions.map((a, i) => ({ id: a.id, number: i + 1, description: a.description }));
    const comments = (await repo.listComments(shareId, report.id)).map((c) => ({
      ...c,
      action: actions.find((a) => a.id === c.actionId),
    }));
    return { comments, actions, canComment };
  }

  /** Parses a comment and checks the key action it is about is one the partner is shown. */
  function parseComment(input: unknown, actions: { id: string }[]) {
    const v = parseWith(commentInput, input);
    if (v.actionId && !actions.some((a) => a.id === v.actionId))
      throw ValidationError.single('actionId', 'Choose a key action of this report from the list, or none');
    return v;
  }

  /** The owner's own share at this id and one of its periods, with its report; 404 otherwise. */
  async function ownSharedReport(actor: Actor, shareId: string, periodKey: string) {
    const share = isUuid(shareId) ? await repo.findShare(actor.organisationId, shareId) : undefined;
    if (!share) throw new ShareNotFoundError();
    const period = (await periods.list(actor)).find((p) => p.key === periodKey && share.periodIds.includes(p.id));
    if (!period) throw new ShareNotFoundError();
    const bundle = await reports.findBundle(actor, share.priorityCode, period.key);
    if (!bundle) throw new ShareNotFoundError();
    const agreement = withState((await repo.findAgreement(actor.organisationId, share.agreementId))!);
    return { share, period, bundle, agreement, live: !share.revokedAt && agreement.state === 'active' };
  }

  return {
    // --- The organisation that shares --------------------------------------------------------
    async listAgreements(actor: Actor): Promise<AgreementWithState[]> {
      authorize(actor, 'sharing.manage');
      return (await repo.listAgreements(actor.organisationId)).map(withState);
    },

    async getAgreement(actor: Actor, id: string): Promise<{ agreement: AgreementWithState; shares: ShareDetail[] }> {
      authorize(actor, 'sharing.manage');
      const agreement = withState(await ownAgreement(actor, id));
      const shares = await Promise.all(
        (await repo.listShares(actor.organisationId, agreement.id)).map((s) => detail(actor, s)),
      );
      return { agreement, shares };
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
    ): Promise<{ shareId: string; partnerName: string; comments: number; live: boolean }[]> {
      if (!can(actor, 'shared.comment')) return [];
      const rows = await repo.sharesOfReport(actor.organisationId, report.priorityId, report.periodId, report.reportId);
      return rows.map((r) => ({
        shareId: r.shareId,
        partnerName: r.partnerName,
        comments: r.comments,
        live: !r.shareRevokedAt && agreementState(r.agreement, today()) === 'active',
      }));
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

    /** The key actions of the shared reports, for choosing which the partner may update. */
    async shareActionOptions(actor: Actor, shareId: string) {
      authorize(actor, 'sharing.manage');
      const share = isUuid(shareId) ? await repo.findShare(actor.organisationId, shareId) : undefined;
      if (!share || share.revokedAt) throw new ShareNotFoundError();
      const { agreement } = await this.getAgreement(actor, share.agreementId);
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
    },

    /** Chooses the key actions an update share lets the partner update, besides those naming it. */
    async chooseShareActions(actor: Actor, shareId: string, input: unknown): Promise<Share> {
      const { share, reports: shared } = await this.shareActionOptions(actor, shareId);
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

    // --- The partner ------------------------------------------------------------------------
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
      joint: { officer: string; signed: boolean; canSign: boolean; state: string; revision: number } | undefined;
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
      const listed = (await this.listSharedWithUs(actor)).find((s) => s.shareId === share.shareId)!;
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
      const { comment } = parseWith(jointSignOffInput, input);
      const own = await organisations.getOwn(actor);
      const reader = ownerReader(share.ownerId, actor, own.name);
      const bundle = await reports.getBundle(reader, share.priorityCode, period.key);
      const { state, revision } = bundle.report;
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
      const listed = (await this.listSharedWithUs(actor)).find((s) => s.shareId === share.shareId)!;
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
      const { supplied } = await this.suppliedIndicator(actor, shareId, periodKey, indicatorId);
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
}

export type SharingService = ReturnType<typeof createSharingService>;
