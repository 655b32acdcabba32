// All SQL of the accessibility statement: the deployment's one row of contact details and dates.

import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../../schema.ts';
import type { AccessibilityStatementTable } from '../../schema/accessibility.ts';
import type { IsoDate } from '../../domain/dates.ts';

/** What whoever hosts Amber has said about the statement. */
export interface StatementSettings {
  organisationName: string;
  email: string;
  /** Empty when there is no telephone line. */
  phone: string;
  /** Working days in which a request for another format or a reported problem is answered. */
  responseDays: number;
  preparedOn: IsoDate;
  reviewedOn: IsoDate | null;
  /** Parts of the service known not to be accessible, one sentence each. */
  knownProblems: string[];
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export type StatementValues = Omit<StatementSettings, 'version' | 'updatedAt'>;

function toSettings(row: Selectable<AccessibilityStatementTable>): StatementSettings {
  return {
    organisationName: row.organisation_name,
    email: row.email,
    phone: row.phone,
    responseDays: row.response_days,
    preparedOn: row.prepared_on as IsoDate,
    reviewedOn: (row.reviewed_on ?? null) as IsoDate | null,
    knownProblems: Array.isArray(row.known_problems) ? row.known_problems.map(String) : [],
    version: row.version,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

const columns = (v: StatementValues) => ({
  organisation_name: v.organisationName,
  email: v.email,
  phone: v.phone,
  response_days: v.responseDays,
  prepared_on: v.preparedOn,
  reviewed_on: v.reviewedOn,
  known_problems: JSON.stringify(v.knownProblems),
  updated_by: v.updatedBy,
});

export function createAccessibilityRepository(db: Kysely<DB>) {
  return {
    async find(): Promise<StatementSettings | undefined> {
      const row = await db.selectFrom('accessibility_statement').selectAll().executeTakeFirst();
      return row && toSettings(row);
    },
    /** The first settings; undefined when someone saved theirs meanwhile. */
    async insert(values: StatementValues): Promise<StatementSettings | undefined> {
      const row = await db
        .insertInto('accessibility_statement')
        .values({ id: true, ...columns(values) })
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      return row && toSettings(row);
    },
    /** Replaces the settings read at `version`; undefined when they have changed since. */
    async update(version: number, values: StatementValues): Promise<StatementSettings | undefined> {
      const row = await db
        .updateTable('accessibility_statement')
        .set((eb) => ({ ...columns(values), version: eb('version', '+', 1), updated_at: sql<Date>`now()` }))
        .where('version', '=', version)
        .returningAll()
        .executeTakeFirst();
      return row && toSettings(row);
    },
  };
}

export type AccessibilityRepository = ReturnType<typeof createAccessibilityRepository>;
