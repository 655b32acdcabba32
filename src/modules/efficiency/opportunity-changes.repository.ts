// The SQL of removing savings opportunities, benchmark sets and business cases (issue 12). A delete carries the
// version it was read at (0 rows = someone changed it first) and, in its WHERE clause too, the rule
// that keeps the programme whole: nothing is deleted while a business case or a ledger entry rests
// on an opportunity, an opportunity on a benchmark or a project on a case, whatever the caller checked before.
// Merged into the efficiency repository (createEfficiencyRepository), so the service sees one.

import type { Kysely } from 'kysely';
import type { DB } from '../../schema.ts';

export interface OpportunityUses {
  cases: string[];
  savings: number;
}

export function opportunityChangeQueries(db: Kysely<DB>) {
  return {
    async opportunityUses(organisationId: string, id: string): Promise<OpportunityUses> {
      const [cases, savings] = await Promise.all([
        db
          .selectFrom('business_case')
          .select('title')
          .where('organisation_id', '=', organisationId)
          .where('opportunity_id', '=', id)
          .orderBy('created_at')
          .execute(),
        db
          .selectFrom('savings_entry')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('organisation_id', '=', organisationId)
          .where('opportunity_id', '=', id)
          .executeTakeFirstOrThrow(),
      ]);
      return { cases: cases.map((c) => c.title), savings: Number(savings.n) };
    },
    async benchmarkUses(organisationId: string, id: string): Promise<string[]> {
      const rows = await db
        .selectFrom('opportunity')
        .select('title')
        .where('organisation_id', '=', organisationId)
        .where('benchmark_set_id', '=', id)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => r.title);
    },
    async deleteUnusedOpportunity(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('opportunity')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where((eb) =>
          eb.and([
            eb.not(
              eb.exists(eb.selectFrom('business_case').select('id').whereRef('opportunity_id', '=', 'opportunity.id')),
            ),
            eb.not(
              eb.exists(eb.selectFrom('savings_entry').select('id').whereRef('opportunity_id', '=', 'opportunity.id')),
            ),
          ]),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** The projects of the implementation plan built on a business case, by name. */
    async caseUses(organisationId: string, id: string): Promise<string[]> {
      const rows = await db
        .selectFrom('implementation_project')
        .select('name')
        .where('organisation_id', '=', organisationId)
        .where('case_id', '=', id)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => r.name);
    },
    /** Deletes a case (its options and lines go by cascade) unless a project stands on it. */
    async deleteUnusedCase(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('business_case')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom('implementation_project').select('id').whereRef('case_id', '=', 'business_case.id'),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async deleteUnusedBenchmark(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('benchmark_set')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where((eb) =>
          eb.not(
            eb.exists(eb.selectFrom('opportunity').select('id').whereRef('benchmark_set_id', '=', 'benchmark_set.id')),
          ),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}
