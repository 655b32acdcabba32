// Benchmarking clubs (issue 11): a host runs a club, members opt in and contribute figures, and
// everyone in it sees statistics only. The database computes the statistics
// (amber_club_statistics: host and members only, nothing from fewer than 5 members, embargoes and
// withdrawals respected); this service checks who may do what and says where a member stands.
// A member's diagnostic baseline goes in by consent per exercise and club and follows the
// exercise (followBaseline, called from the diagnostics' own transaction; ADR 0018).

import type { Actor } from '../../domain/actor.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { authorize, can } from '../../domain/permissions.ts';
import { financialYearLabel } from '../../domain/period.ts';
import { ukToday } from '../../domain/sharing.ts';
import { compareWithBenchmark, type Comparison } from '../../domain/diagnostic/quartiles.ts';
import { withheldReason } from '../../domain/club-withholding.ts';
import { parseWith } from '../../platform/validation.ts';
import type { OrganisationService } from '../organisations/organisation.service.ts';
import type { DiagnosticService, ExerciseBaseline } from '../diagnostic/diagnostic.service.ts';
import type { IndicatorService } from '../indicators/indicator.service.ts';
import type { Club, ClubRepository, Consent, Figure, Membership, NewFigure, Statistic } from './club.repository.ts';
import {
  baselineContribution,
  baselineWithdrawal,
  clubInput,
  indicatorContribution,
  inviteInput,
} from './club.schemas.ts';

export type { Club, Consent, Figure, Membership, Statistic } from './club.repository.ts';

export class ClubNotFoundError extends NotFoundError {
  constructor() {
    super('CLUB_NOT_FOUND', 'There is no such benchmarking club, or your organisation is not in it.');
  }
}

export interface ClubServiceDeps {
  repo: ClubRepository;
  organisations: OrganisationService;
  diagnostics: DiagnosticService;
  indicators: IndicatorService;
}

/** One line of a member's view: its own figure against the club's statistics, or why there are none. */
export interface Standing {
  metric: string;
  label: string;
  unit: Figure['unit'];
  direction: Figure['direction'];
  period: string;
  own: Figure | undefined;
  statistic: Statistic | undefined;
  comparison: Comparison | undefined;
  /** Why there is no comparison: too few members, embargoed, or nothing contributed. */
  withheld: string | undefined;
}

export interface ClubView {
  club: Club;
  isHost: boolean;
  /** Own place (a member), or undefined (the host). */
  membership: Membership | undefined;
  /** Every member's place (the host only; members see a count). */
  members: Membership[];
  joined: number;
  statistics: Statistic[];
  standings: Standing[];
}

/**
 * A baseline's figures for a club: each function's cost as a share of its running costs (lower is
 * better), for the exercise's financial year. The same computation whether a member consents or
 * the exercise changes afterwards.
 */
function baselineFigures(baseline: ExerciseBaseline, embargoUntil: string | null): NewFigure[] {
  const period = financialYearLabel(baseline.exercise.financialYear);
  return baseline.exercise.taxonomy.functions
    .filter((f) => baseline.shareOfRunningCosts[f.code] !== undefined)
    .map((f) => ({
      metric: `function:${f.code}:share-of-running-costs`,
      label: `${f.name}: cost as a share of running costs`,
      unit: 'percent',
      direction: 'lower-is-better',
      period,
      value: Math.round(baseline.shareOfRunningCosts[f.code]! * 1_000_000) / 10_000,
      source: 'baseline',
      sourceId: baseline.exercise.id,
      embargoUntil,
    }));
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
/** Why a member sees no standing for a figure the club withholds (the database's reason, ADR 0016). */
const withheldText = (s: Statistic | undefined) => `Withheld: ${withheldReason(s?.withheldBecause, s?.n ?? 0)}`;

export function createClubService({ repo, organisations, diagnostics, indicators }: ClubServiceDeps) {
  async function visibleClub(actor: Actor, id: string): Promise<Club> {
    authorize(actor, 'clubs.read');
    const club = isUuid(id) ? await repo.findClub(id) : undefined;
    if (!club) throw new ClubNotFoundError();
    return club;
  }
  async function ownMembership(actor: Actor, club: Club): Promise<Membership> {
    const m = await repo.findMember(club.id, actor.organisationId);
    if (!m || m.leftAt) throw new ClubNotFoundError();
    return m;
  }
  /** A club the organisation has joined, to contribute to: another's club is not found, whatever was sent. */
  async function joinedClub(actor: Actor, clubId: string): Promise<Club> {
    authorize(actor, 'clubs.contribute');
    const club = await visibleClub(actor, clubId);
    const m = await ownMembership(actor, club);
    if (!m.joinedAt) throw ValidationError.single('club', `Join ${club.name} before contributing figures to it`);
    return club;
  }
  async function contribute(actor: Actor, clubId: string, figures: NewFigure[], what: string): Promise<void> {
    const club = await joinedClub(actor, clubId);
    await repo.putFigures(club.id, actor.organisationId, figures, actor.label);
    await repo.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity: 'club_figure',
      entityId: club.id,
      action: 'create',
      after: {
        club: club.name,
        what,
        figures: figures.map((f) => ({ metric: f.metric, period: f.period, value: f.value })),
      },
    });
  }

  return {
    /** Clubs the organisation hosts or was invited to. */
    async listClubs(actor: Actor): Promise<(Club & { isHost: boolean; membership: Membership | undefined })[]> {
      authorize(actor, 'clubs.read');
      const clubs = await repo.listClubs();
      return Promise.all(
        clubs.map(async (c) => ({
          ...c,
          isHost: c.hostId === actor.organisationId,
          membership: c.hostId === actor.organisationId ? undefined : await repo.findMember(c.id, actor.organisationId),
        })),
      );
    },

    async createClub(actor: Actor, input: unknown): Promise<string> {
      authorize(actor, 'clubs.host');
      const v = parseWith(clubInput, input);
      const id = await repo.insertClub(actor.organisationId, {
        name: v.name,
        description: v.description ?? '',
        createdBy: actor.label,
      });
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'benchmark_club',
        entityId: id,
        action: 'create',
        after: v,
      });
      return id;
    },

    /** The host invites an organisation that runs Amber, by its address name; it joins when it chooses. */
    async invite(actor: Actor, clubId: string, input: unknown): Promise<void> {
      authorize(actor, 'clubs.host');
      const club = await visibleClub(actor, clubId);
      if (club.hostId !== actor.organisationId) throw new ClubNotFoundError();
      const { member } = parseWith(inviteInput, input);
      const org = await organisations.findByAddressName(actor, member);
      if (!org)
        throw ValidationError.single(
          'member',
          `No organisation uses Amber at the address name “${member}”: check it with them`,
        );
      if (org.id === actor.organisationId)
        throw ValidationError.single(
          'member',
          'The host sees the club’s statistics already: invite other organisations',
        );
      if (!(await repo.insertMember(club.id, org.id, actor.label)))
        throw ValidationError.single('member', `${org.name} has already been invited`);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'benchmark_club',
        entityId: club.id,
        action: 'update',
        after: { invited: org.name },
      });
    },

    /** A member opts in (joins) or out (leaves): its figures count only while it is in. */
    async setMembership(actor: Actor, clubId: string, join: boolean, input: unknown): Promise<void> {
      authorize(actor, 'clubs.contribute');
      const club = await visibleClub(actor, clubId);
      const m = await repo.findMember(club.id, actor.organisationId);
      if (!m) throw new ClubNotFoundError();
      const version = Number((input as { version?: unknown } | undefined)?.version ?? m.version);
      const ok = join
        ? await repo.setMembership(m.id, version, { joinedAt: new Date(), leftAt: null })
        : await repo.setMembership(m.id, version, { leftAt: new Date() });
      if (!ok)
        throw new ConflictError(
          'MEMBERSHIP_CHANGED',
          'Someone changed your organisation’s place in this club since you opened the page. Reload it.',
        );
      // Leaving ends every consent to this club: the baselines' figures go, and joining again does
      // not bring them back without a new consent.
      const ended = join ? [] : await repo.listConsents(actor.organisationId, { clubId: club.id });
      for (const consent of ended) {
        await repo.withdrawConsent(actor.organisationId, consent.id, undefined);
        await repo.withdrawBaselineFigures(actor.organisationId, consent.exerciseId, club.id);
      }
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'club_member',
        entityId: m.id,
        action: 'update',
        after: {
          club: club.name,
          [join ? 'joined' : 'left']: true,
          ...(ended.length ? { baselinesWithdrawn: ended.map((c) => c.exerciseName) } : {}),
        },
      });
    },

    async getClub(actor: Actor, clubId: string): Promise<ClubView> {
      const club = await visibleClub(actor, clubId);
      const isHost = club.hostId === actor.organisationId;
      const membership = isHost ? undefined : await repo.findMember(club.id, actor.organisationId);
      if (!isHost && (!membership || membership.leftAt)) throw new ClubNotFoundError();
      const members = isHost ? await repo.listMembers(club.id) : [];
      const statistics = isHost || membership?.joinedAt ? await repo.statistics(club.id) : [];
      const own = membership?.joinedAt ? await repo.ownFigures(club.id, actor.organisationId) : [];
      const today = ukToday();
      const keys = new Map<string, { metric: string; period: string }>();
      for (const s of statistics) keys.set(`${s.metric}|${s.period}`, s);
      for (const f of own) keys.set(`${f.metric}|${f.period}`, f);
      const standings: Standing[] = [...keys.values()].map(({ metric, period }) => {
        const statistic = statistics.find((s) => s.metric === metric && s.period === period);
        const mine = own.find((f) => f.metric === metric && f.period === period);
        const head = (mine ?? statistic)!;
        let comparison: Comparison | undefined;
        let withheld: string | undefined;
        if (!statistic || statistic.p50 === null || statistic.p25 === null || statistic.p75 === null)
          withheld = withheldText(statistic);
        else if (mine?.embargoUntil && mine.embargoUntil > today)
          withheld = `Your figure is embargoed until ${mine.embargoUntil}`;
        else if (!mine) withheld = 'Your organisation has not contributed this figure';
        else {
          const c = compareWithBenchmark(
            mine.value,
            {
              n: statistic.n,
              p25: statistic.p25,
              p50: statistic.p50,
              p75: statistic.p75,
              source: club.name,
              year: period,
              peerGroup: club.name,
            },
            mine.direction,
          );
          if (c.ok) comparison = c;
          else withheld = c.reason;
        }
        return {
          metric,
          label: head.label,
          unit: head.unit,
          direction: head.direction,
          period,
          own: mine,
          statistic,
          comparison,
          withheld,
        };
      });
      standings.sort((a, b) => a.label.localeCompare(b.label) || a.period.localeCompare(b.period));
      return {
        club,
        isHost,
        membership,
        members,
        joined: isHost ? members.filter((m) => m.joinedAt && !m.leftAt).length : 0,
        statistics,
        standings,
      };
    },

    /** What a member can contribute: its diagnostic exercises and indicators. */
    async contributionOptions(actor: Actor) {
      authorize(actor, 'clubs.contribute');
      const [exercises, list] = await Promise.all([
        can(actor, 'diagnostic.read') ? diagnostics.listExercises(actor) : Promise.resolve([]),
        indicators.list(actor),
      ]);
      return { exercises, indicators: list };
    },

    /**
     * A member consents to contribute a diagnostic exercise's baseline to the club (ADR 0018): its
     * figures (baselineFigures) go in at once and follow the exercise from then on, replaced in the
     * owner's transaction at each change of it (followBaseline), until the consent is withdrawn,
     * the member leaves or the exercise is deleted. Consenting again replaces the consent (a new
     * embargo date, say). Returns how many figures went in.
     */
    async contributeBaseline(actor: Actor, clubId: string, input: unknown): Promise<number> {
      const club = await joinedClub(actor, clubId);
      const v = parseWith(baselineContribution, input);
      const exercise = await diagnostics.getExercise(actor, v.exerciseId);
      const figures = baselineFigures(await diagnostics.getBaseline(actor, exercise.id), v.embargoUntil);
      if (figures.length === 0)
        throw ValidationError.single('exerciseId', 'The exercise has no running costs to compare with');
      const [before] = await repo.listConsents(actor.organisationId, { clubId: club.id, exerciseId: exercise.id });
      if (before) await repo.withdrawConsent(actor.organisationId, before.id, undefined);
      const consentId = await repo.insertConsent(actor.organisationId, {
        clubId: club.id,
        exerciseId: exercise.id,
        embargoUntil: v.embargoUntil,
        by: actor.label,
      });
      await repo.withdrawBaselineFigures(actor.organisationId, exercise.id, club.id);
      await contribute(actor, club.id, figures, `baseline of ${exercise.name}, following the exercise`);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'club_baseline_consent',
        entityId: consentId,
        action: 'create',
        ...(before ? { before: { embargoUntil: before.embargoUntil, consentedBy: before.consentedBy } } : {}),
        after: { club: club.name, exercise: exercise.name, embargoUntil: v.embargoUntil },
      });
      return figures.length;
    },

    /** The member withdraws its consent to contribute an exercise's baseline: its figures leave the club at once. */
    async withdrawBaseline(actor: Actor, clubId: string, input: unknown): Promise<void> {
      const club = await joinedClub(actor, clubId);
      const v = parseWith(baselineWithdrawal, input);
      const [consent] = await repo.listConsents(actor.organisationId, { clubId: club.id, exerciseId: v.exerciseId });
      if (!consent)
        throw ValidationError.single(
          'exerciseId',
          `Your organisation does not contribute that baseline to ${club.name}`,
        );
      if (!(await repo.withdrawConsent(actor.organisationId, consent.id, v.version)))
        throw new ConflictError(
          'CONSENT_CHANGED',
          'Someone changed this contribution since you opened the page. Reload it.',
        );
      await repo.withdrawBaselineFigures(actor.organisationId, v.exerciseId, club.id);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'club_baseline_consent',
        entityId: consent.id,
        action: 'delete',
        before: { club: club.name, exercise: consent.exerciseName, embargoUntil: consent.embargoUntil },
      });
    },

    /** The organisation's live consents: of one club, or of one exercise (each with its club). */
    async consents(actor: Actor, where: { clubId?: string; exerciseId?: string }): Promise<Consent[]> {
      authorize(actor, 'clubs.read');
      if ((where.clubId && !isUuid(where.clubId)) || (where.exerciseId && !isUuid(where.exerciseId))) return [];
      return repo.listConsents(actor.organisationId, where);
    },

    /**
     * ClubBaselines.follow (bound late to the diagnostics service, which this service reads): in
     * the owner's transaction, after a change of the exercise, its figures in each club that has
     * its live consent (and the owner as a member) are replaced by the changed baseline's, or
     * removed when its data gives none.
     */
    async followBaseline(
      organisationId: string,
      exerciseId: string,
      baseline: () => Promise<ExerciseBaseline | undefined>,
    ): Promise<void> {
      const following = await repo.followingConsents(organisationId, exerciseId);
      if (following.length === 0) return;
      const now = await baseline();
      for (const consent of following) {
        await repo.withdrawBaselineFigures(organisationId, exerciseId, consent.clubId);
        if (now)
          await repo.putFigures(
            consent.clubId,
            organisationId,
            baselineFigures(now, consent.embargoUntil),
            'Amber, following the exercise',
          );
      }
    },

    /** ClubBaselines.deleted: an exercise about to be deleted takes its figures out of every club. */
    async baselineDeleted(organisationId: string, exerciseId: string): Promise<void> {
      await repo.withdrawBaselineFigures(organisationId, exerciseId);
    },

    /** A member contributes an indicator's value for a period, under the identifier the club compares by. */
    async contributeIndicator(actor: Actor, clubId: string, input: unknown): Promise<void> {
      await joinedClub(actor, clubId);
      const v = parseWith(indicatorContribution, input);
      const { indicator, points } = await indicators.points(actor, v.indicator);
      // The identifier recorded on the indicator is the one it is compared by; one typed here
      // serves an indicator without one, and may not contradict it.
      const sharedCode = v.sharedCode ?? indicator.sharedCode;
      if (sharedCode === null)
        throw ValidationError.single(
          'sharedCode',
          `Enter the identifier the club compares ${indicator.code} by, such as its LG Inform metric id, or record it on the indicator as its shared identifier`,
        );
      if (indicator.sharedCode !== null && sharedCode !== indicator.sharedCode)
        throw ValidationError.single(
          'sharedCode',
          `${indicator.code}’s shared identifier is ${indicator.sharedCode}: leave the identifier blank to use it, or change it on the indicator`,
        );
      const point = points.find((p) => p.period.key === v.period);
      if (!point || point.value.actual === null)
        throw ValidationError.single('period', `${indicator.code} has no value for that period`);
      if (indicator.polarity !== 'higher' && indicator.polarity !== 'lower')
        throw ValidationError.single(
          'indicator',
          `${indicator.code} has no better direction (higher or lower), so it cannot be ranked`,
        );
      await contribute(
        actor,
        clubId,
        [
          {
            metric: `indicator:${sharedCode}`,
            label: `${indicator.title} (${sharedCode})`,
            unit: 'number',
            direction: indicator.polarity === 'lower' ? 'lower-is-better' : 'higher-is-better',
            period: point.label,
            value: point.value.actual / 10 ** indicator.decimalPlaces,
            source: 'indicator',
            sourceId: indicator.id,
            embargoUntil: v.embargoUntil,
          },
        ],
        `indicator ${indicator.code}`,
      );
    },

    /** Example figures of the demo's illustrative councils (an operator at the machine only). */
    async contributeIllustrative(
      actor: Actor,
      clubId: string,
      figures: Omit<NewFigure, 'source' | 'sourceId'>[],
    ): Promise<void> {
      if (actor.kind !== 'system') throw new ClubNotFoundError();
      await contribute(
        actor,
        clubId,
        figures.map((f) => ({ ...f, source: 'illustrative', sourceId: null })),
        'illustrative figures',
      );
    },

    async withdraw(actor: Actor, figureId: string): Promise<string> {
      authorize(actor, 'clubs.contribute');
      // A figure that follows an exercise would come back at its next change: its consent is withdrawn instead.
      const figure = isUuid(figureId) ? await repo.findOwnFigure(figureId, actor.organisationId) : undefined;
      if (figure?.source === 'baseline' && figure.sourceId) {
        const [consent] = await repo.listConsents(actor.organisationId, {
          clubId: figure.clubId,
          exerciseId: figure.sourceId,
        });
        if (consent)
          throw ValidationError.single(
            'figureId',
            `This figure follows the baseline of ${consent.exerciseName}: stop contributing that baseline to withdraw its figures`,
          );
      }
      const r = isUuid(figureId) ? await repo.withdrawFigure(figureId, actor.organisationId) : undefined;
      if (!r)
        throw new NotFoundError(
          'FIGURE_NOT_FOUND',
          'There is no such figure of your organisation, or it has been withdrawn',
        );
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'club_figure',
        entityId: figureId,
        action: 'delete',
      });
      return r.clubId;
    },
  };
}

export type ClubService = ReturnType<typeof createClubService>;
