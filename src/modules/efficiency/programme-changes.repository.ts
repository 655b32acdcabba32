// The SQL of changing and removing what the implementation plan, the savings ledger and gain-share
// hold (issue 12): every write carries the version it was read at (0 rows = someone changed it
// first), and the rules that keep history true are in the WHERE clauses too — a verified saving
// and an agreement with stored evaluations are never deleted, whatever the caller checked before.
// Merged into the efficiency repository (createEfficiencyRepository), so the service sees one.

import { type Kysely, sql } from 'kysely';
import type { DB } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';
import type { GainShareReading, Tranche } from '../../domain/diagnostic/gain-share.ts';
import type { Money } from '../../domain/diagnostic/money.ts';
import { parsePeriodKey, periodLabel } from '../../domain/period.ts';

const labelOf = (key: string) => {
  try {
    return periodLabel(parsePeriodKey(key));
  } catch {
    return key;
  }
};

export interface ProjectValues {
  caseId: string;
  name: string;
  ownerId: string | null;
  startsOn: IsoDate;
  endsOn: IsoDate;
  dependsOn: string[];
}

export interface PlanMilestoneValues {
  projectId: string;
  description: string;
  dueOn: IsoDate;
  ownerId: string | null;
  priorityId: string | null;
  actionNumber: number | null;
  reportMilestoneId: string | null;
}

export interface AgreementChange {
  name: string;
  reading: GainShareReading;
  funder: string;
  council: string;
  totalCost: Money;
  funderContribution: Money;
  councilContribution: Money;
  tranches: Tranche[];
}

/** Where the milestone a plan milestone wrote on a key action is now (it may have moved or gone). */
export interface ReportMilestonePlace {
  priorityCode: string;
  periodKey: string;
  periodLabel: string;
  actionNumber: number;
  description: string;
}

export function programmeChangeQueries(db: Kysely<DB>) {
  const bump = sql<number>`version + 1`;
  return {
    async updateProject(organisationId: string, id: string, version: number, v: ProjectValues): Promise<boolean> {
      const r = await db
        .updateTable('implementation_project')
        .set({
          case_id: v.caseId,
          name: v.name,
          owner_id: v.ownerId,
          starts_on: v.startsOn,
          ends_on: v.endsOn,
          depends_on: v.dependsOn,
          version: bump,
        })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Deletes a project (its milestones go with it, by the foreign key) if still at `version`. */
    async deleteProject(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('implementation_project')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** Takes a project out of the "depends on" lists of the others; returns the ids changed. */
    async dropDependency(organisationId: string, exerciseId: string, id: string): Promise<string[]> {
      const rows = await db
        .updateTable('implementation_project')
        .set({ depends_on: sql<string[]>`array_remove(depends_on, ${id}::uuid)`, version: bump })
        .where('organisation_id', '=', organisationId)
        .where('exercise_id', '=', exerciseId)
        .where(sql<boolean>`${id}::uuid = any(depends_on)`)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },
    async updatePlanMilestone(
      organisationId: string,
      id: string,
      version: number,
      v: PlanMilestoneValues,
    ): Promise<boolean> {
      const r = await db
        .updateTable('implementation_milestone')
        .set({
          project_id: v.projectId,
          description: v.description,
          due_on: v.dueOn,
          owner_id: v.ownerId,
          priority_id: v.priorityId,
          action_number: v.actionNumber,
          report_milestone_id: v.reportMilestoneId,
          version: bump,
        })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deletePlanMilestone(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('implementation_milestone')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** The report, key action and wording of a milestone the plan wrote, as it stands now. */
    async findReportMilestone(organisationId: string, milestoneId: string): Promise<ReportMilestonePlace | undefined> {
      const r = await db
        .selectFrom('milestone')
        .innerJoin('action', 'action.id', 'milestone.action_id')
        .innerJoin('progress_report', 'progress_report.id', 'action.report_id')
        .innerJoin('reporting_period', 'reporting_period.id', 'progress_report.period_id')
        .innerJoin('priority', 'priority.id', 'progress_report.priority_id')
        .select([
          'priority.code as priority_code',
          'reporting_period.key as period_key',
          'milestone.description',
          (eb) =>
            eb
              .selectFrom('action as earlier')
              .select((e) => e.fn.countAll<string>().as('n'))
              .whereRef('earlier.report_id', '=', 'action.report_id')
              .whereRef('earlier.position', '<=', 'action.position')
              .as('action_number'),
        ])
        .where('milestone.organisation_id', '=', organisationId)
        .where('milestone.id', '=', milestoneId)
        .executeTakeFirst();
      if (!r) return undefined;
      return {
        priorityCode: r.priority_code,
        periodKey: r.period_key,
        periodLabel: labelOf(r.period_key),
        actionNumber: Number(r.action_number),
        description: r.description,
      };
    },
    /** Deletes a saving that nobody has verified, if still at `version`. */
    async deleteUnverifiedSaving(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('savings_entry')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where('verified_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    async updateAgreement(organisationId: string, id: string, version: number, v: AgreementChange): Promise<boolean> {
      const r = await db
        .updateTable('gain_share_agreement')
        .set({
          name: v.name,
          reading: v.reading,
          funder: v.funder,
          council: v.council,
          total_cost: v.totalCost,
          funder_contribution: v.funderContribution,
          council_contribution: v.councilContribution,
          tranches: JSON.stringify(v.tranches),
          version: bump,
        })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async countEvaluations(organisationId: string, agreementId: string): Promise<number> {
      const r = await db
        .selectFrom('gain_share_evaluation')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organisation_id', '=', organisationId)
        .where('agreement_id', '=', agreementId)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
    /** Deletes an agreement that has no stored evaluation, if still at `version`. */
    async deleteUnevaluatedAgreement(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .deleteFrom('gain_share_agreement')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('gain_share_evaluation')
                .select('gain_share_evaluation.id')
                .whereRef('gain_share_evaluation.agreement_id', '=', 'gain_share_agreement.id'),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
  };
}

export type ProgrammeChangeQueries = ReturnType<typeof programmeChangeQueries>;
