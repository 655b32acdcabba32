// All SQL of the history pages: reading the audit trail. There is no update or delete here, nor
// anywhere in Amber: audit_event is append-only, and a trigger (migration 011) refuses UPDATE,
// DELETE and TRUNCATE from any client.

import { sql, type Kysely } from 'kysely';
import type { DB } from '../../schema.ts';

export interface AuditEvent {
  id: number;
  occurredAt: Date;
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  before: unknown;
  after: unknown;
}

type Row = {
  id: number | string;
  occurred_at: Date;
  actor: string;
  entity: string;
  entity_id: string;
  action: string;
  before: unknown;
  after: unknown;
};
const toEvent = (r: Row): AuditEvent => ({
  id: Number(r.id),
  occurredAt: r.occurred_at,
  actor: r.actor,
  entity: r.entity,
  entityId: r.entity_id,
  action: r.action,
  before: r.before,
  after: r.after,
});

export function createHistoryRepository(db: Kysely<DB>) {
  const base = (organisationId: string) =>
    db
      .selectFrom('audit_event')
      .select(['id', 'occurred_at', 'actor', 'entity', 'entity_id', 'action', 'before', 'after'])
      .where('organisation_id', '=', organisationId);

  return {
    /** The events of one report: the report itself and its milestones (progress recorded on them), newest first. */
    async listForReport(organisationId: string, reportId: string): Promise<AuditEvent[]> {
      const rows = await base(organisationId)
        .where((eb) =>
          eb.or([
            eb('entity_id', '=', reportId),
            eb(
              'entity_id',
              'in',
              eb
                .selectFrom('milestone')
                .innerJoin('action', 'action.id', 'milestone.action_id')
                .select('milestone.id')
                .where('action.report_id', '=', reportId),
            ),
          ]),
        )
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toEvent);
    },

    /** The events of a priority: the priority, its reports (and their milestones) and its risks, newest first. */
    async listForPriority(organisationId: string, priorityId: string): Promise<AuditEvent[]> {
      const rows = await base(organisationId)
        .where((eb) =>
          eb.or([
            eb('entity_id', '=', priorityId),
            eb(
              'entity_id',
              'in',
              eb
                .selectFrom('progress_report')
                .select('progress_report.id')
                .where('progress_report.priority_id', '=', priorityId),
            ),
            eb(
              'entity_id',
              'in',
              eb
                .selectFrom('milestone')
                .innerJoin('action', 'action.id', 'milestone.action_id')
                .innerJoin('progress_report', 'progress_report.id', 'action.report_id')
                .select('milestone.id')
                .where('progress_report.priority_id', '=', priorityId),
            ),
            eb('entity_id', 'in', eb.selectFrom('risk').select('risk.id').where('risk.priority_id', '=', priorityId)),
          ]),
        )
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .execute();
      return rows.map(toEvent);
    },

    /**
     * The organisation's events between two days inclusive (UTC), newest first: the first `limit`
     * of them, or the first `limit` after the event `after` (a page after the one that ended with
     * it). The audit trail is append-only, so a page begun where the last ended neither repeats
     * nor skips an event that was there when the last was read.
     */
    async listForOrganisation(
      organisationId: string,
      range: { from: string | null; to: string | null },
      limit?: number,
      after?: number,
    ): Promise<AuditEvent[]> {
      let q = base(organisationId);
      // Days are UTC days, as the CSV's timestamps are.
      if (range.from) q = q.where('occurred_at', '>=', sql<Date>`(${range.from}::date)::timestamp at time zone 'UTC'`);
      if (range.to) q = q.where('occurred_at', '<', sql<Date>`(${range.to}::date + 1)::timestamp at time zone 'UTC'`);
      // The event's own time as stored (microseconds, which a JavaScript date would round away).
      if (after !== undefined)
        q = q.where(
          sql<boolean>`(occurred_at, id) < (select a.occurred_at, a.id from audit_event a where a.id = ${after})`,
        );
      q = q.orderBy('occurred_at', 'desc').orderBy('id', 'desc');
      if (limit !== undefined) q = q.limit(limit);
      return (await q.execute()).map(toEvent);
    },
  };
}

export type HistoryRepository = ReturnType<typeof createHistoryRepository>;
