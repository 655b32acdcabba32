// All SQL about an organisation's reporting periods.

import type { Kysely } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import { reusableQuery } from '../../platform/db/reusable-query.ts';
import type { DB } from '../../schema.ts';

export interface PeriodRow {
  id: string;
  key: string;
  dueOn: string | null;
}

function periodQueries(db: Kysely<DB>) {
  // Built and compiled once (`reusable-query.ts`): the priority list and every report page read them.
  const listQuery = reusableQuery((p: { organisationId: string }) =>
    db
      .selectFrom('reporting_period')
      .select(['id', 'key', 'due_on'])
      .where('organisation_id', '=', p.organisationId)
      .orderBy('starts_on', 'desc')
      .orderBy('ends_on'),
  );
  const byKeyQuery = reusableQuery((p: { organisationId: string; key: string }) =>
    db
      .selectFrom('reporting_period')
      .select(['id', 'key', 'due_on'])
      .where('organisation_id', '=', p.organisationId)
      .where('key', '=', p.key),
  );
  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),
    async list(organisationId: string): Promise<PeriodRow[]> {
      const rows = (await db.executeQuery(listQuery({ organisationId }))).rows;
      return rows.map((r) => ({ id: r.id, key: r.key, dueOn: r.due_on }));
    },
    async findByKey(organisationId: string, key: string): Promise<PeriodRow | undefined> {
      const [r] = (await db.executeQuery(byKeyQuery({ organisationId, key }))).rows;
      return r && { id: r.id, key: r.key, dueOn: r.due_on };
    },
    async insert(
      organisationId: string,
      v: { key: string; startsOn: string; endsOn: string; dueOn: string | null },
    ): Promise<string> {
      const r = await db
        .insertInto('reporting_period')
        .values({
          organisation_id: organisationId,
          key: v.key,
          starts_on: v.startsOn,
          ends_on: v.endsOn,
          due_on: v.dueOn,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },
    async updateDue(organisationId: string, id: string, dueOn: string | null): Promise<void> {
      await db
        .updateTable('reporting_period')
        .set({ due_on: dueOn })
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .execute();
    },
    async countReports(id: string): Promise<number> {
      const r = await db
        .selectFrom('progress_report')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('period_id', '=', id)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async delete(organisationId: string, id: string): Promise<void> {
      await db
        .deleteFrom('reporting_period')
        .where('id', '=', id)
        .where('organisation_id', '=', organisationId)
        .execute();
    },
  };
}

export type PeriodQueries = ReturnType<typeof periodQueries>;
export const createPeriodRepository = (db: Kysely<DB>) => periodQueries(db);
export type PeriodRepository = ReturnType<typeof createPeriodRepository>;
