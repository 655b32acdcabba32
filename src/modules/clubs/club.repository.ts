// All SQL about benchmarking clubs (issue 11). Row-level security lets the acting organisation see
// the clubs it hosts or was invited to, its own place in each (the host: every member's place),
// and its own figures only; statistics come from amber_club_statistics(), never from the rows.

import { sql, type Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import type { DB } from '../../schema.ts';
import type { WithheldBecause } from '../../domain/club-withholding.ts';

export interface Club {
  id: string;
  hostId: string;
  hostName: string;
  name: string;
  description: string;
  version: number;
}

export interface Membership {
  id: string;
  clubId: string;
  organisationId: string;
  organisationName: string;
  invitedAt: Date;
  joinedAt: Date | null;
  leftAt: Date | null;
  version: number;
}

export interface Figure {
  id: string;
  metric: string;
  label: string;
  unit: 'percent' | 'number' | 'pounds';
  direction: 'lower-is-better' | 'higher-is-better';
  period: string;
  value: number;
  source: 'baseline' | 'indicator' | 'illustrative';
  embargoUntil: string | null;
}

export interface Statistic {
  metric: string;
  label: string;
  unit: Figure['unit'];
  direction: Figure['direction'];
  period: string;
  n: number;
  /** Null when withheld (see `withheldBecause`). */
  p25: number | null;
  p50: number | null;
  p75: number | null;
  /**
   * Why the quartiles are withheld, or null when shown: fewer than 5 members; members disagreeing
   * on the unit or the better direction; or a quartile that would be one member's own figure.
   */
  withheldBecause: WithheldBecause | null;
}

export type { WithheldBecause };

export type NewFigure = Omit<Figure, 'id'> & { sourceId: string | null };

/** A member's consent to contribute an exercise's baseline to a club, following the exercise. */
export interface Consent {
  id: string;
  clubId: string;
  clubName: string;
  exerciseId: string;
  exerciseName: string;
  embargoUntil: string | null;
  consentedBy: string;
  consentedAt: Date;
  withdrawnAt: Date | null;
  version: number;
}

export function createClubRepository(db: Kysely<DB>) {
  const clubs = () =>
    db
      .selectFrom('benchmark_club as c')
      .innerJoin('organisation as o', 'o.id', 'c.organisation_id')
      .select(['c.id', 'c.organisation_id as hostId', 'o.name as hostName', 'c.name', 'c.description', 'c.version']);
  const members = () =>
    db
      .selectFrom('club_member as m')
      .innerJoin('organisation as o', 'o.id', 'm.organisation_id')
      .select([
        'm.id',
        'm.club_id as clubId',
        'm.organisation_id as organisationId',
        'o.name as organisationName',
        'm.invited_at as invitedAt',
        'm.joined_at as joinedAt',
        'm.left_at as leftAt',
        'm.version',
      ]);
  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    /** Clubs the organisation hosts, and those it was invited to (row-level security decides). */
    async listClubs(): Promise<Club[]> {
      return clubs().orderBy('c.name').execute();
    },
    async findClub(id: string): Promise<Club | undefined> {
      return clubs().where('c.id', '=', id).executeTakeFirst();
    },
    async insertClub(
      organisationId: string,
      v: { name: string; description: string; createdBy: string },
    ): Promise<string> {
      const r = await db
        .insertInto('benchmark_club')
        .values({ organisation_id: organisationId, name: v.name, description: v.description, created_by: v.createdBy })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /** Every member's place (the host), or one's own (a member): row-level security decides. */
    async listMembers(clubId: string): Promise<Membership[]> {
      return members().where('m.club_id', '=', clubId).orderBy('o.name').execute();
    },
    async findMember(clubId: string, organisationId: string): Promise<Membership | undefined> {
      return members()
        .where('m.club_id', '=', clubId)
        .where('m.organisation_id', '=', organisationId)
        .executeTakeFirst();
    },
    async insertMember(clubId: string, organisationId: string, invitedBy: string): Promise<boolean> {
      const r = await db
        .insertInto('club_member')
        .values({ club_id: clubId, organisation_id: organisationId, invited_by: invitedBy })
        .onConflict((oc) => oc.constraint('club_member_once').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async setMembership(
      id: string,
      version: number,
      v: { joinedAt?: Date | null; leftAt?: Date | null },
    ): Promise<boolean> {
      const r = await db
        .updateTable('club_member')
        .set((eb) => ({
          ...(v.joinedAt !== undefined ? { joined_at: v.joinedAt } : {}),
          ...(v.leftAt !== undefined ? { left_at: v.leftAt } : {}),
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    async ownFigures(clubId: string, organisationId: string): Promise<Figure[]> {
      const rows = await db
        .selectFrom('club_figure')
        .select(['id', 'metric', 'label', 'unit', 'direction', 'period', 'value', 'source', 'embargo_until'])
        .where('club_id', '=', clubId)
        .where('organisation_id', '=', organisationId)
        .where('withdrawn_at', 'is', null)
        .orderBy('metric')
        .orderBy('period')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        metric: r.metric,
        label: r.label,
        unit: r.unit,
        direction: r.direction,
        period: r.period,
        value: Number(r.value),
        source: r.source,
        embargoUntil: r.embargo_until,
      }));
    },
    /** Adds the figures, replacing the organisation's live figure of the same metric and period. */
    async putFigures(clubId: string, organisationId: string, figures: NewFigure[], by: string): Promise<void> {
      for (const f of figures) {
        await db
          .updateTable('club_figure')
          .set({ withdrawn_at: new Date() })
          .where('club_id', '=', clubId)
          .where('organisation_id', '=', organisationId)
          .where('metric', '=', f.metric)
          .where('period', '=', f.period)
          .where('withdrawn_at', 'is', null)
          .execute();
      }
      if (figures.length === 0) return;
      await db
        .insertInto('club_figure')
        .values(
          figures.map((f) => ({
            club_id: clubId,
            organisation_id: organisationId,
            metric: f.metric,
            label: f.label,
            unit: f.unit,
            direction: f.direction,
            period: f.period,
            value: String(f.value),
            source: f.source,
            source_id: f.sourceId,
            embargo_until: f.embargoUntil,
            contributed_by: by,
          })),
        )
        .execute();
    },
    async withdrawFigure(id: string, organisationId: string): Promise<{ clubId: string } | undefined> {
      const r = await db
        .updateTable('club_figure')
        .set({ withdrawn_at: new Date() })
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .where('withdrawn_at', 'is', null)
        .returning('club_id')
        .executeTakeFirst();
      return r && { clubId: r.club_id };
    },
    /** The figure of the organisation's, live, with where it came from. */
    async findOwnFigure(
      id: string,
      organisationId: string,
    ): Promise<{ clubId: string; source: Figure['source']; sourceId: string | null } | undefined> {
      const r = await db
        .selectFrom('club_figure')
        .select(['club_id', 'source', 'source_id'])
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .where('withdrawn_at', 'is', null)
        .executeTakeFirst();
      return r && { clubId: r.club_id, source: r.source, sourceId: r.source_id };
    },
    /** Withdraws the live figures an exercise's baseline put in a club (every club when `clubId` is undefined). */
    async withdrawBaselineFigures(organisationId: string, exerciseId: string, clubId?: string): Promise<number> {
      let q = db
        .updateTable('club_figure')
        .set({ withdrawn_at: new Date() })
        .where('organisation_id', '=', organisationId)
        .where('source', '=', 'baseline')
        .where('source_id', '=', exerciseId)
        .where('withdrawn_at', 'is', null);
      if (clubId) q = q.where('club_id', '=', clubId);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /** The organisation's consents (live ones only unless `all`), of one club and/or one exercise. */
    async listConsents(
      organisationId: string,
      where: { clubId?: string; exerciseId?: string; all?: boolean },
    ): Promise<Consent[]> {
      let q = db
        .selectFrom('club_baseline_consent as k')
        .innerJoin('benchmark_club as c', 'c.id', 'k.club_id')
        .innerJoin('diagnostic_exercise as e', 'e.id', 'k.exercise_id')
        .select([
          'k.id',
          'k.club_id as clubId',
          'c.name as clubName',
          'k.exercise_id as exerciseId',
          'e.name as exerciseName',
          'k.embargo_until as embargoUntil',
          'k.consented_by as consentedBy',
          'k.consented_at as consentedAt',
          'k.withdrawn_at as withdrawnAt',
          'k.version',
        ])
        .where('k.organisation_id', '=', organisationId);
      if (where.clubId) q = q.where('k.club_id', '=', where.clubId);
      if (where.exerciseId) q = q.where('k.exercise_id', '=', where.exerciseId);
      if (!where.all) q = q.where('k.withdrawn_at', 'is', null);
      return q.orderBy('c.name').orderBy('e.name').orderBy('k.consented_at').execute();
    },
    /**
     * The live consents of an exercise whose clubs the organisation is in now (joined, not left):
     * the clubs its baseline follows it into.
     */
    async followingConsents(
      organisationId: string,
      exerciseId: string,
    ): Promise<{ clubId: string; embargoUntil: string | null }[]> {
      return db
        .selectFrom('club_baseline_consent as k')
        .innerJoin('club_member as m', (j) =>
          j.onRef('m.club_id', '=', 'k.club_id').onRef('m.organisation_id', '=', 'k.organisation_id'),
        )
        .select(['k.club_id as clubId', 'k.embargo_until as embargoUntil'])
        .where('k.organisation_id', '=', organisationId)
        .where('k.exercise_id', '=', exerciseId)
        .where('k.withdrawn_at', 'is', null)
        .where('m.joined_at', 'is not', null)
        .where('m.left_at', 'is', null)
        .execute();
    },
    async insertConsent(
      organisationId: string,
      v: { clubId: string; exerciseId: string; embargoUntil: string | null; by: string },
    ): Promise<string> {
      const r = await db
        .insertInto('club_baseline_consent')
        .values({
          organisation_id: organisationId,
          club_id: v.clubId,
          exercise_id: v.exerciseId,
          embargo_until: v.embargoUntil,
          consented_by: v.by,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /** Withdraws a live consent read at `version` (every version when undefined); false when it moved on. */
    async withdrawConsent(organisationId: string, id: string, version: number | undefined): Promise<boolean> {
      let q = db
        .updateTable('club_baseline_consent')
        .set((eb) => ({ withdrawn_at: new Date(), version: eb('version', '+', 1) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('withdrawn_at', 'is', null);
      if (version !== undefined) q = q.where('version', '=', version);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** The club's statistics, computed by the database for its host and members only. */
    async statistics(clubId: string): Promise<Statistic[]> {
      const { rows } = await sql<{
        metric: string;
        label: string;
        unit: Figure['unit'];
        direction: Figure['direction'];
        period: string;
        n: number;
        p25: string | null;
        p50: string | null;
        p75: string | null;
        withheld: WithheldBecause | null;
      }>`select * from amber_club_statistics(${clubId})`.execute(db);
      const num = (v: string | null) => (v === null ? null : Number(v));
      return rows.map(({ withheld, ...r }) => ({
        ...r,
        n: Number(r.n),
        p25: num(r.p25),
        p50: num(r.p50),
        p75: num(r.p75),
        withheldBecause: withheld,
      }));
    },
  };
}

export type ClubRepository = ReturnType<typeof createClubRepository>;
