// All SQL of the risk register: risks to improvement priorities, with the priority's code and
// the owner's name joined in. Scores and ratings are not stored; the service computes them.

import { sql, type Kysely, type Selectable } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import type { DB, RiskTable } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';
import type { RiskAssessment } from '../../domain/indicators/risk.ts';

/** A risk as stored: its assessments, not yet scored. */
export interface RiskRecord {
  id: string;
  priorityId: string;
  priorityCode: string;
  priorityTitle: string;
  description: string;
  cause: string;
  effect: string;
  current: RiskAssessment;
  target: RiskAssessment | null;
  ownerId: string | null;
  ownerName: string | null;
  controls: string;
  reviewOn: IsoDate | null;
  closed: boolean;
  version: number;
  updatedAt: Date;
}

export interface RiskValues {
  priorityId: string;
  description: string;
  cause: string;
  effect: string;
  current: RiskAssessment;
  target: RiskAssessment | null;
  ownerId: string | null;
  controls: string;
  reviewOn: IsoDate | null;
  closed: boolean;
}

export interface RiskRowFilter {
  priorityId?: string | undefined;
  /** Open risks only (`false`), closed only (`true`), or both (undefined). */
  closed?: boolean | undefined;
}

/** The register's page filters: the row filter and the current assessment's cell and score. */
export interface RiskPageFilter extends RiskRowFilter {
  likelihood?: number | undefined;
  impact?: number | undefined;
  /** The scores of the rating band asked for (score = likelihood × impact). */
  score?: { from: number; to: number } | undefined;
}

type Row = Selectable<RiskTable> & { priority_code: string; priority_title: string; owner_name: string | null };

function toRecord(r: Row): RiskRecord {
  return {
    id: r.id,
    priorityId: r.priority_id,
    priorityCode: r.priority_code,
    priorityTitle: r.priority_title,
    description: r.description,
    cause: r.cause,
    effect: r.effect,
    current: { likelihood: r.likelihood, impact: r.impact },
    target:
      r.target_likelihood !== null && r.target_impact !== null
        ? { likelihood: r.target_likelihood, impact: r.target_impact }
        : null,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    controls: r.controls,
    reviewOn: (r.review_on as IsoDate | null) ?? null,
    closed: r.closed,
    version: r.version,
    updatedAt: r.updated_at,
  };
}

function riskQueries(db: Kysely<DB>) {
  const base = (organisationId: string) =>
    db
      .selectFrom('risk')
      .innerJoin('priority', 'priority.id', 'risk.priority_id')
      .leftJoin('person as owner', 'owner.id', 'risk.owner_id')
      .selectAll('risk')
      .select(['priority.code as priority_code', 'priority.title as priority_title', 'owner.name as owner_name'])
      .where('risk.organisation_id', '=', organisationId);
  const columns = (v: RiskValues) => ({
    priority_id: v.priorityId,
    description: v.description,
    cause: v.cause,
    effect: v.effect,
    likelihood: v.current.likelihood,
    impact: v.current.impact,
    target_likelihood: v.target?.likelihood ?? null,
    target_impact: v.target?.impact ?? null,
    owner_id: v.ownerId,
    controls: v.controls,
    review_on: v.reviewOn,
    closed: v.closed,
  });

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    async list(organisationId: string, filter: RiskRowFilter = {}): Promise<RiskRecord[]> {
      let q = base(organisationId);
      if (filter.priorityId) q = q.where('risk.priority_id', '=', filter.priorityId);
      if (filter.closed !== undefined) q = q.where('risk.closed', '=', filter.closed);
      const rows = await q.orderBy('priority.code').orderBy('risk.created_at').orderBy('risk.id').execute();
      return rows.map(toRecord);
    },
    /**
     * How many risks of the priority and state filters each likelihood and impact has: the heat
     * map and, summed over the cells a filter keeps, the register's count (one statement).
     */
    async countByCell(
      organisationId: string,
      filter: RiskRowFilter = {},
    ): Promise<{ likelihood: number; impact: number; count: number }[]> {
      const rows = await db
        .selectFrom('risk')
        .select((eb) => ['risk.likelihood', 'risk.impact', eb.fn.countAll<string | number>().as('n')])
        .where('risk.organisation_id', '=', organisationId)
        .$if(Boolean(filter.priorityId), (q) => q.where('risk.priority_id', '=', filter.priorityId!))
        .$if(filter.closed !== undefined, (q) => q.where('risk.closed', '=', filter.closed!))
        .groupBy(['risk.likelihood', 'risk.impact'])
        .execute();
      return rows.map((r) => ({ likelihood: r.likelihood, impact: r.impact, count: Number(r.n) }));
    },
    /**
     * One page of the register, highest score first (then impact, the priority's code, the
     * description): filtered and ordered in SQL over every risk, `offset` skipped, `limit` read
     * (every one after `offset` without a limit: the whole register, in the same order).
     */
    async listPage(organisationId: string, filter: RiskPageFilter, offset = 0, limit?: number): Promise<RiskRecord[]> {
      const score = sql<number>`risk.likelihood * risk.impact`;
      const rows = await base(organisationId)
        .$if(Boolean(filter.priorityId), (q) => q.where('risk.priority_id', '=', filter.priorityId!))
        .$if(filter.closed !== undefined, (q) => q.where('risk.closed', '=', filter.closed!))
        .$if(filter.likelihood !== undefined, (q) => q.where('risk.likelihood', '=', filter.likelihood!))
        .$if(filter.impact !== undefined, (q) => q.where('risk.impact', '=', filter.impact!))
        .$if(filter.score !== undefined, (q) =>
          q.where(score, '>=', filter.score!.from).where(score, '<=', filter.score!.to),
        )
        .orderBy(score, 'desc')
        .orderBy('risk.impact', 'desc')
        .orderBy('priority.code')
        .orderBy('risk.description')
        .orderBy('risk.id')
        .$if(limit !== undefined, (q) => q.limit(limit!))
        .$if(offset > 0 || limit !== undefined, (q) => q.offset(offset))
        .execute();
      return rows.map(toRecord);
    },
    /** The priorities that have a risk (open or closed), by code: what the register can be filtered by. */
    async prioritiesWithRisks(organisationId: string): Promise<{ code: string; title: string }[]> {
      return db
        .selectFrom('priority')
        .select(['priority.code', 'priority.title'])
        .where('priority.organisation_id', '=', organisationId)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('risk')
              .select(sql`1`.as('one'))
              .where('risk.organisation_id', '=', organisationId)
              .whereRef('risk.priority_id', '=', 'priority.id'),
          ),
        )
        .orderBy('priority.code')
        .execute();
    },
    async listByIds(organisationId: string, ids: readonly string[]): Promise<RiskRecord[]> {
      if (ids.length === 0) return [];
      return (
        await base(organisationId)
          .where('risk.id', 'in', [...ids])
          .execute()
      ).map(toRecord);
    },
    async find(organisationId: string, id: string): Promise<RiskRecord | undefined> {
      const r = await base(organisationId).where('risk.id', '=', id).executeTakeFirst();
      return r && toRecord(r);
    },
    async insert(organisationId: string, v: RiskValues): Promise<string> {
      const r = await db
        .insertInto('risk')
        .values({ organisation_id: organisationId, ...columns(v) })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    /** False when the risk has moved on from `version` (or is not the organisation's). */
    async update(organisationId: string, id: string, version: number, v: RiskValues): Promise<boolean> {
      const r = await db
        .updateTable('risk')
        .set((eb) => ({ ...columns(v), version: eb('version', '+', 1), updated_at: new Date() }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async personBelongs(organisationId: string, id: string): Promise<boolean> {
      return (
        (await db
          .selectFrom('person')
          .select('id')
          .where('organisation_id', '=', organisationId)
          .where('id', '=', id)
          .executeTakeFirst()) !== undefined
      );
    },
  };
}

export type RiskQueries = ReturnType<typeof riskQueries>;
export const createRiskRepository = (db: Kysely<DB>) => riskQueries(db);
export type RiskRepository = ReturnType<typeof createRiskRepository>;
