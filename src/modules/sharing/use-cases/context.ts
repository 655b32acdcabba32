// What every use case of data sharing shares: the services it reads through, the types its
// answers are made of, and the questions several use cases ask (is this the organisation's own
// agreement or share; is this shared with the acting partner now; how does the partner read the
// owner's report; what may it comment on or supply).

import { systemActor, type Actor } from '../../../domain/actor.ts';
import { ValidationError } from '../../../domain/errors.ts';
import { authorize } from '../../../domain/permissions.ts';
import { agreementState, periodsWithin, ukToday, type AgreementState } from '../../../domain/sharing.ts';
import { FREQUENCY_PERIOD_KIND, type Unit } from '../../../domain/indicators/indicator.ts';
import { parseWith } from '../../../platform/validation.ts';
import type { OrganisationService } from '../../organisations/organisation.service.ts';
import type { PeriodService } from '../../periods/period.service.ts';
import type { PlanService } from '../../plans/plan.service.ts';
import {
  unitOf,
  type Indicator,
  type IndicatorPoint,
  type IndicatorService,
} from '../../indicators/indicator.service.ts';
import type { ReportService } from '../../reports/report.service.ts';
import { AgreementNotFoundError, ShareNotFoundError } from '../sharing.errors.ts';
import type { Agreement, Share, SharedComment, SharingRepository } from '../sharing.repository.ts';
import { commentInput } from '../sharing.schemas.ts';

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

/** One event of an agreement's history, from the audit trail: the agreement's own or one of its shares'. */
export interface AgreementHistoryEvent {
  entity: string;
  entityId: string;
  action: string;
  actor: string;
  at: Date;
  before: unknown;
  after: unknown;
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

export const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export function createSharingContext(deps: SharingServiceDeps) {
  const { repo, organisations, plans, periods, indicators, reports, today = ukToday } = deps;
  const withState = (a: Agreement): AgreementWithState => ({ ...a, state: agreementState(a, today()) });

  async function ownAgreement(actor: Actor, id: string): Promise<Agreement> {
    const a = isUuid(id) ? await repo.findAgreement(actor.organisationId, id) : undefined;
    if (!a) throw new AgreementNotFoundError();
    return a;
  }

  /**
   * The agreement's shares as its page lists them: the organisation's periods read once for all of
   * them, and the indicators they share or supply, those alone (once a share, a large council's every
   * indicator was read again for each; then all of them once, to pick out the few).
   */
  async function details(actor: Actor, shares: readonly Share[]): Promise<ShareDetail[]> {
    if (shares.length === 0) return [];
    const ids = [...new Set(shares.flatMap((s) => [...s.indicatorIds, ...s.suppliedIndicatorIds]))];
    const [allPeriods, allIndicators] = await Promise.all([
      periods.list(actor),
      ids.length === 0 ? [] : indicators.list(actor, { ids }),
    ]);
    return Promise.all(shares.map((s) => detail(actor, s, allPeriods, allIndicators)));
  }

  async function detail(
    actor: Actor,
    s: Share,
    allPeriods: Awaited<ReturnType<typeof periods.list>>,
    allIndicators: Awaited<ReturnType<typeof indicators.list>>,
  ): Promise<ShareDetail> {
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
    repo,
    organisations,
    plans,
    periods,
    indicators,
    reports,
    today,
    withState,
    ownAgreement,
    details,
    sharedShare,
    ownerReader,
    sharedPeriod,
    suppliedIn,
    conversation,
    parseComment,
    ownSharedReport,
  };
}

export type SharingContext = ReturnType<typeof createSharingContext>;
