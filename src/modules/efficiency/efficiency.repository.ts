// All SQL of the efficiency programme after the baseline: benchmark sets, opportunities,
// business cases with their options and cash-flow lines, the implementation plan, the savings
// ledger and gain-share agreements with their evaluations. It also writes the one row outside
// its own tables that the plan owns by design: the milestone it puts on a priority's key action
// (bumping that report's version, so an officer editing the report is told, not overwritten).

import { type Kysely, sql } from 'kysely';
import { insertAuditEvent } from '../../platform/db/audit.ts';
import type { DB } from '../../schema.ts';
import type { IsoDate } from '../../domain/dates.ts';
import { type Money, pence } from '../../domain/diagnostic/money.ts';
import type { Direction } from '../../domain/diagnostic/quartiles.ts';
import type { Lever, Confidence, SavingsStage, SavingRange } from '../../domain/diagnostic/programme.ts';
import type { DiscountScheduleKey, OptimismBiasCategory } from '../../domain/diagnostic/appraisal.ts';
import type { GainShareAgreement, Tranche } from '../../domain/diagnostic/gain-share.ts';
import { programmeChangeQueries } from './programme-changes.repository.ts';
import { opportunityChangeQueries } from './opportunity-changes.repository.ts';

export interface BenchmarkRecord {
  id: string;
  exerciseId: string;
  indicator: string;
  unit: string;
  direction: Direction;
  functionCode: string | null;
  source: string;
  year: string;
  peerGroup: string;
  n: number;
  p25: number;
  p50: number;
  p75: number;
  ownValue: number | null;
  illustrative: boolean;
  computed: boolean;
  version: number;
}
export type BenchmarkValues = Omit<BenchmarkRecord, 'id' | 'exerciseId' | 'version'>;

export interface OpportunityRecord {
  id: string;
  exerciseId: string;
  title: string;
  lever: Lever;
  costPool: string;
  poolCost: Money;
  low: Money;
  central: Money;
  high: Money;
  confidence: Confidence;
  benchmarkSetId: string | null;
  priorityId: string | null;
  priorityCode: string | null;
  description: string;
  /** The lever's assumptions as the officer gave them (target span, realisation, ...). */
  inputs: Record<string, string | number>;
  /** What Amber worked out from the data when it was saved, with the sentences that derive it. */
  computed: SavingRange | null;
  working: string;
  /** Why the officer's figures differ from the computed ones ('' when they do not). */
  overrideReason: string;
  version: number;
}
export type OpportunityValues = Omit<OpportunityRecord, 'id' | 'exerciseId' | 'version' | 'priorityCode'>;

export interface CaseLineRecord {
  id: string;
  position: number;
  kind: 'cost' | 'benefit';
  category: string;
  label: string;
  optimismBias: OptimismBiasCategory | null;
  /** An uplift stated in basis points instead of a category (migration 2026-12-05-010), with its reason. */
  statedUplift: number | null;
  optimismBiasReason: string | null;
  amounts: Money[];
}
export interface CaseOptionRecord {
  id: string;
  position: number;
  name: string;
  description: string;
  businessAsUsual: boolean;
  preferred: boolean;
  mitigation: Partial<Record<OptimismBiasCategory, number>>;
  benefitReduction: number;
  lines: CaseLineRecord[];
}
export interface CaseSections {
  strategic: string;
  economic: string;
  commercial: string;
  financial: string;
  management: string;
}
export interface BusinessCaseRecord {
  id: string;
  exerciseId: string;
  opportunityId: string | null;
  title: string;
  status: 'draft' | 'approved';
  sections: CaseSections;
  baseYear: number;
  /** The Green Book schedule the case is discounted on. */
  discountSchedule: DiscountScheduleKey;
  approvedBy: string | null;
  approvedAt: Date | null;
  version: number;
  options: CaseOptionRecord[];
}
/** What a line is made of, as stored. */
export interface CaseLineValues {
  kind: 'cost' | 'benefit';
  category: string;
  label: string;
  optimismBias: string | null;
  statedUplift: number | null;
  optimismBiasReason: string | null;
  amounts: Money[];
}
/** What an option is made of, as stored (its lines apart). */
export interface CaseOptionValues {
  name: string;
  description: string;
  businessAsUsual: boolean;
  preferred: boolean;
  mitigation: Record<string, number>;
  benefitReduction: number;
}

export interface PlanMilestoneRecord {
  id: string;
  projectId: string;
  description: string;
  dueOn: IsoDate;
  ownerId: string | null;
  ownerName: string | null;
  priorityId: string | null;
  priorityCode: string | null;
  actionNumber: number | null;
  reportMilestoneId: string | null;
  version: number;
}
export interface ProjectRecord {
  id: string;
  exerciseId: string;
  caseId: string;
  caseTitle: string;
  name: string;
  ownerId: string | null;
  ownerName: string | null;
  startsOn: IsoDate;
  endsOn: IsoDate;
  dependsOn: string[];
  version: number;
  milestones: PlanMilestoneRecord[];
}

export interface SavingsRecord {
  id: string;
  exerciseId: string;
  opportunityId: string;
  opportunityTitle: string;
  financialYear: number;
  stage: SavingsStage;
  amount: Money;
  cashable: boolean;
  recurring: boolean;
  additional: boolean;
  note: string;
  verifiedBy: string | null;
  verifiedAt: Date | null;
  version: number;
}
export type SavingsValues = Pick<
  SavingsRecord,
  'opportunityId' | 'financialYear' | 'stage' | 'amount' | 'cashable' | 'recurring' | 'additional' | 'note'
>;

/** An agreement as stored: the domain's agreement (tranches as a mutable list), with its place and version. */
export interface AgreementRecord extends Omit<GainShareAgreement, 'tranches'> {
  id: string;
  exerciseId: string;
  tranches: Tranche[];
  version: number;
}
export type AgreementValues = Omit<AgreementRecord, 'id' | 'exerciseId' | 'version'>;

export interface EvaluationRecord {
  id: string;
  agreementId: string;
  evaluatedOn: IsoDate;
  evaluatedAt: Date;
  evaluatedBy: string;
  reading: string;
  qualifyingSavings: Money;
  due: Money;
  councilCost: Money;
  funderCost: Money;
  explanation: string;
  snapshot: unknown;
}
export type EvaluationValues = Omit<EvaluationRecord, 'id' | 'evaluatedAt'>;

const num = (s: string | number | null): number | null => (s === null ? null : Number(s));

function efficiencyQueries(db: Kysely<DB>) {
  async function optionsOf(caseIds: string[]): Promise<Map<string, CaseOptionRecord[]>> {
    const out = new Map<string, CaseOptionRecord[]>();
    if (caseIds.length === 0) return out;
    const options = await db
      .selectFrom('business_case_option')
      .selectAll()
      .where('case_id', 'in', caseIds)
      .orderBy('position')
      .execute();
    const lines =
      options.length === 0
        ? []
        : await db
            .selectFrom('business_case_line')
            .selectAll()
            .where(
              'option_id',
              'in',
              options.map((o) => o.id),
            )
            .orderBy('position')
            .execute();
    for (const o of options) {
      const list = out.get(o.case_id) ?? [];
      list.push({
        id: o.id,
        position: o.position,
        name: o.name,
        description: o.description,
        businessAsUsual: o.business_as_usual,
        preferred: o.preferred,
        mitigation: o.mitigation as Partial<Record<OptimismBiasCategory, number>>,
        benefitReduction: o.benefit_reduction,
        lines: lines
          .filter((l) => l.option_id === o.id)
          .map((l) => ({
            id: l.id,
            position: l.position,
            kind: l.kind,
            category: l.category,
            label: l.label,
            optimismBias: l.optimism_bias as OptimismBiasCategory | null,
            statedUplift: l.stated_uplift,
            optimismBiasReason: l.optimism_bias_reason,
            amounts: (l.amounts as number[]).map(pence),
          })),
      });
      out.set(o.case_id, list);
    }
    return out;
  }

  async function milestonesOf(projectIds: string[]): Promise<PlanMilestoneRecord[]> {
    if (projectIds.length === 0) return [];
    const rows = await db
      .selectFrom('implementation_milestone as m')
      .leftJoin('person', 'person.id', 'm.owner_id')
      .leftJoin('priority', 'priority.id', 'm.priority_id')
      .selectAll('m')
      .select(['person.name as owner_name', 'priority.code as priority_code'])
      .where('m.project_id', 'in', projectIds)
      .orderBy('m.due_on')
      .orderBy('m.created_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      description: r.description,
      dueOn: r.due_on as IsoDate,
      ownerId: r.owner_id,
      ownerName: r.owner_name,
      priorityId: r.priority_id,
      priorityCode: r.priority_code,
      actionNumber: r.action_number,
      reportMilestoneId: r.report_milestone_id,
      version: r.version,
    }));
  }

  const benchmarkColumns = (v: BenchmarkValues) => ({
    indicator: v.indicator,
    unit: v.unit,
    direction: v.direction,
    function_code: v.functionCode,
    source: v.source,
    year: v.year,
    peer_group: v.peerGroup,
    n: v.n,
    p25: String(v.p25),
    p50: String(v.p50),
    p75: String(v.p75),
    own_value: v.ownValue === null ? null : String(v.ownValue),
    illustrative: v.illustrative,
    computed: v.computed,
  });
  const opportunityColumns = (v: OpportunityValues) => ({
    title: v.title,
    lever: v.lever,
    cost_pool: v.costPool,
    pool_cost: v.poolCost,
    low: v.low,
    central: v.central,
    high: v.high,
    confidence: v.confidence,
    benchmark_set_id: v.benchmarkSetId,
    priority_id: v.priorityId,
    description: v.description,
    inputs: JSON.stringify(v.inputs),
    computed_low: v.computed?.low ?? null,
    computed_central: v.computed?.central ?? null,
    computed_high: v.computed?.high ?? null,
    working: v.working,
    override_reason: v.overrideReason,
  });
  const savingsColumns = (v: SavingsValues) => ({
    opportunity_id: v.opportunityId,
    financial_year: v.financialYear,
    stage: v.stage,
    amount: v.amount,
    cashable: v.cashable,
    recurring: v.recurring,
    additional: v.additional,
    note: v.note,
  });
  const bumped = (eb: any) => eb('version', '+', 1);

  return {
    audit: (entry: Parameters<typeof insertAuditEvent>[1]) => insertAuditEvent(db, entry),

    // --- benchmarks ------------------------------------------------------------------------
    async listBenchmarks(organisationId: string, exerciseId: string): Promise<BenchmarkRecord[]> {
      const rows = await db
        .selectFrom('benchmark_set')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('exercise_id', '=', exerciseId)
        .orderBy('indicator')
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        exerciseId: r.exercise_id,
        indicator: r.indicator,
        unit: r.unit,
        direction: r.direction,
        functionCode: r.function_code,
        source: r.source,
        year: r.year,
        peerGroup: r.peer_group,
        n: r.n,
        p25: Number(r.p25),
        p50: Number(r.p50),
        p75: Number(r.p75),
        ownValue: num(r.own_value),
        illustrative: r.illustrative,
        computed: r.computed,
        version: r.version,
      }));
    },
    async insertBenchmark(organisationId: string, exerciseId: string, v: BenchmarkValues): Promise<string> {
      return (
        await db
          .insertInto('benchmark_set')
          .values({ organisation_id: organisationId, exercise_id: exerciseId, ...benchmarkColumns(v) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async updateBenchmark(organisationId: string, id: string, version: number, v: BenchmarkValues): Promise<boolean> {
      const r = await db
        .updateTable('benchmark_set')
        .set((eb) => ({ ...benchmarkColumns(v), version: bumped(eb) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    // --- opportunities -----------------------------------------------------------------------
    async listOpportunities(organisationId: string, exerciseId: string): Promise<OpportunityRecord[]> {
      const rows = await db
        .selectFrom('opportunity')
        .leftJoin('priority', 'priority.id', 'opportunity.priority_id')
        .selectAll('opportunity')
        .select('priority.code as priority_code')
        .where('opportunity.organisation_id', '=', organisationId)
        .where('opportunity.exercise_id', '=', exerciseId)
        .orderBy('opportunity.cost_pool')
        .orderBy('opportunity.created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        exerciseId: r.exercise_id,
        title: r.title,
        lever: r.lever,
        costPool: r.cost_pool,
        poolCost: pence(r.pool_cost),
        low: pence(r.low),
        central: pence(r.central),
        high: pence(r.high),
        confidence: r.confidence,
        benchmarkSetId: r.benchmark_set_id,
        priorityId: r.priority_id,
        priorityCode: r.priority_code,
        description: r.description,
        inputs: r.inputs ?? {},
        computed:
          r.computed_low === null || r.computed_central === null || r.computed_high === null
            ? null
            : {
                low: pence(Number(r.computed_low)),
                central: pence(Number(r.computed_central)),
                high: pence(Number(r.computed_high)),
              },
        working: r.working,
        overrideReason: r.override_reason,
        version: r.version,
      }));
    },
    async insertOpportunity(organisationId: string, exerciseId: string, v: OpportunityValues): Promise<string> {
      return (
        await db
          .insertInto('opportunity')
          .values({ organisation_id: organisationId, exercise_id: exerciseId, ...opportunityColumns(v) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async updateOpportunity(
      organisationId: string,
      id: string,
      version: number,
      v: OpportunityValues,
    ): Promise<boolean> {
      const r = await db
        .updateTable('opportunity')
        .set((eb) => ({ ...opportunityColumns(v), version: bumped(eb) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    // --- business cases ------------------------------------------------------------------------
    async listCases(organisationId: string, exerciseId: string): Promise<BusinessCaseRecord[]> {
      const rows = await db
        .selectFrom('business_case')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('exercise_id', '=', exerciseId)
        .orderBy('created_at')
        .execute();
      const options = await optionsOf(rows.map((r) => r.id));
      return rows.map((r) => ({
        id: r.id,
        exerciseId: r.exercise_id,
        opportunityId: r.opportunity_id,
        title: r.title,
        status: r.status,
        sections: {
          strategic: r.strategic,
          economic: r.economic,
          commercial: r.commercial,
          financial: r.financial,
          management: r.management,
        },
        baseYear: r.base_year,
        discountSchedule: r.discount_schedule,
        approvedBy: r.approved_by,
        approvedAt: r.approved_at,
        version: r.version,
        options: options.get(r.id) ?? [],
      }));
    },
    async insertCase(
      organisationId: string,
      exerciseId: string,
      v: {
        title: string;
        opportunityId: string | null;
        baseYear: number;
        discountSchedule?: DiscountScheduleKey | undefined;
        sections: CaseSections;
      },
    ): Promise<string> {
      return (
        await db
          .insertInto('business_case')
          .values({
            organisation_id: organisationId,
            exercise_id: exerciseId,
            title: v.title,
            opportunity_id: v.opportunityId,
            base_year: v.baseYear,
            ...(v.discountSchedule ? { discount_schedule: v.discountSchedule } : {}),
            ...v.sections,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async updateCase(
      organisationId: string,
      id: string,
      version: number,
      v: {
        title: string;
        opportunityId: string | null;
        baseYear: number;
        discountSchedule?: DiscountScheduleKey | undefined;
        sections: CaseSections;
      },
    ): Promise<boolean> {
      const r = await db
        .updateTable('business_case')
        .set((eb) => ({
          title: v.title,
          opportunity_id: v.opportunityId,
          base_year: v.baseYear,
          ...(v.discountSchedule ? { discount_schedule: v.discountSchedule } : {}),
          ...v.sections,
          version: bumped(eb),
        }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Bumps a case's version (a change to its options or lines); false when stale. */
    async touchCase(organisationId: string, id: string, version: number): Promise<boolean> {
      const r = await db
        .updateTable('business_case')
        .set((eb) => ({ version: bumped(eb) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async approveCase(organisationId: string, id: string, version: number, by: string): Promise<boolean> {
      const r = await db
        .updateTable('business_case')
        .set((eb) => ({ status: 'approved' as const, approved_by: by, approved_at: new Date(), version: bumped(eb) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async insertOption(
      organisationId: string,
      caseId: string,
      v: {
        name: string;
        description: string;
        businessAsUsual: boolean;
        preferred: boolean;
        mitigation: Record<string, number>;
        benefitReduction: number;
      },
    ): Promise<string> {
      const position = Number(
        (
          await db
            .selectFrom('business_case_option')
            .select(sql<string>`coalesce(max(position) + 1, 0)`.as('n'))
            .where('case_id', '=', caseId)
            .executeTakeFirstOrThrow()
        ).n,
      );
      if (v.preferred)
        await db.updateTable('business_case_option').set({ preferred: false }).where('case_id', '=', caseId).execute();
      return (
        await db
          .insertInto('business_case_option')
          .values({
            organisation_id: organisationId,
            case_id: caseId,
            position,
            name: v.name,
            description: v.description,
            business_as_usual: v.businessAsUsual,
            preferred: v.preferred,
            mitigation: JSON.stringify(v.mitigation),
            benefit_reduction: v.benefitReduction,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async insertLine(organisationId: string, optionId: string, v: CaseLineValues): Promise<string> {
      // After the last line: a count would reuse a position once a line has been deleted.
      const position = Number(
        (
          await db
            .selectFrom('business_case_line')
            .select(sql<string>`coalesce(max(position) + 1, 0)`.as('n'))
            .where('option_id', '=', optionId)
            .executeTakeFirstOrThrow()
        ).n,
      );
      return (
        await db
          .insertInto('business_case_line')
          .values({
            organisation_id: organisationId,
            option_id: optionId,
            position,
            kind: v.kind,
            category: v.category,
            label: v.label,
            optimism_bias: v.optimismBias,
            stated_uplift: v.statedUplift,
            optimism_bias_reason: v.optimismBiasReason,
            amounts: JSON.stringify(v.amounts),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    /** Changes a line of an option of the case (the case's version is checked by touchCase). */
    async updateLine(organisationId: string, lineId: string, v: CaseLineValues): Promise<boolean> {
      const r = await db
        .updateTable('business_case_line')
        .set({
          kind: v.kind,
          category: v.category,
          label: v.label,
          optimism_bias: v.optimismBias,
          stated_uplift: v.statedUplift,
          optimism_bias_reason: v.optimismBiasReason,
          amounts: JSON.stringify(v.amounts),
        })
        .where('organisation_id', '=', organisationId)
        .where('id', '=', lineId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async deleteLine(organisationId: string, lineId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('business_case_line')
        .where('organisation_id', '=', organisationId)
        .where('id', '=', lineId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },
    /** Changes an option; a preferred option makes the case's others not preferred. */
    async updateOption(
      organisationId: string,
      caseId: string,
      optionId: string,
      v: CaseOptionValues,
    ): Promise<boolean> {
      if (v.preferred)
        await db
          .updateTable('business_case_option')
          .set({ preferred: false })
          .where('organisation_id', '=', organisationId)
          .where('case_id', '=', caseId)
          .where('id', '<>', optionId)
          .execute();
      const r = await db
        .updateTable('business_case_option')
        .set({
          name: v.name,
          description: v.description,
          business_as_usual: v.businessAsUsual,
          preferred: v.preferred,
          mitigation: JSON.stringify(v.mitigation),
          benefit_reduction: v.benefitReduction,
        })
        .where('organisation_id', '=', organisationId)
        .where('case_id', '=', caseId)
        .where('id', '=', optionId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Deletes an option and (by the foreign key's cascade) its lines. */
    async deleteOption(organisationId: string, caseId: string, optionId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('business_case_option')
        .where('organisation_id', '=', organisationId)
        .where('case_id', '=', caseId)
        .where('id', '=', optionId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    // --- implementation plan ---------------------------------------------------------------------
    async listProjects(organisationId: string, exerciseId: string): Promise<ProjectRecord[]> {
      const rows = await db
        .selectFrom('implementation_project as p')
        .innerJoin('business_case', 'business_case.id', 'p.case_id')
        .leftJoin('person', 'person.id', 'p.owner_id')
        .selectAll('p')
        .select(['business_case.title as case_title', 'person.name as owner_name'])
        .where('p.organisation_id', '=', organisationId)
        .where('p.exercise_id', '=', exerciseId)
        .orderBy('p.starts_on')
        .orderBy('p.created_at')
        .execute();
      const milestones = await milestonesOf(rows.map((r) => r.id));
      return rows.map((r) => ({
        id: r.id,
        exerciseId: r.exercise_id,
        caseId: r.case_id,
        caseTitle: r.case_title,
        name: r.name,
        ownerId: r.owner_id,
        ownerName: r.owner_name,
        startsOn: r.starts_on as IsoDate,
        endsOn: r.ends_on as IsoDate,
        dependsOn: r.depends_on ?? [],
        version: r.version,
        milestones: milestones.filter((m) => m.projectId === r.id),
      }));
    },
    async insertProject(
      organisationId: string,
      exerciseId: string,
      v: {
        caseId: string;
        name: string;
        ownerId: string | null;
        startsOn: IsoDate;
        endsOn: IsoDate;
        dependsOn: string[];
      },
    ): Promise<string> {
      return (
        await db
          .insertInto('implementation_project')
          .values({
            organisation_id: organisationId,
            exercise_id: exerciseId,
            case_id: v.caseId,
            name: v.name,
            owner_id: v.ownerId,
            starts_on: v.startsOn,
            ends_on: v.endsOn,
            depends_on: v.dependsOn,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async insertPlanMilestone(
      organisationId: string,
      v: {
        projectId: string;
        description: string;
        dueOn: IsoDate;
        ownerId: string | null;
        priorityId: string | null;
        actionNumber: number | null;
        reportMilestoneId: string | null;
      },
    ): Promise<string> {
      return (
        await db
          .insertInto('implementation_milestone')
          .values({
            organisation_id: organisationId,
            project_id: v.projectId,
            description: v.description,
            due_on: v.dueOn,
            owner_id: v.ownerId,
            priority_id: v.priorityId,
            action_number: v.actionNumber,
            report_milestone_id: v.reportMilestoneId,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
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
    /**
     * Adds a milestone (due on a day) at the end of a key action's milestones and bumps the
     * report's version; a published report opens its next revision as a draft, as any change to
     * it does (the published revision stays what readers see until that one is published).
     */

    // --- savings ledger ---------------------------------------------------------------------------
    async listSavings(organisationId: string, exerciseId: string): Promise<SavingsRecord[]> {
      const rows = await db
        .selectFrom('savings_entry')
        .innerJoin('opportunity', 'opportunity.id', 'savings_entry.opportunity_id')
        .selectAll('savings_entry')
        .select('opportunity.title as opportunity_title')
        .where('savings_entry.organisation_id', '=', organisationId)
        .where('savings_entry.exercise_id', '=', exerciseId)
        .orderBy('savings_entry.financial_year')
        .orderBy('savings_entry.created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        exerciseId: r.exercise_id,
        opportunityId: r.opportunity_id,
        opportunityTitle: r.opportunity_title,
        financialYear: r.financial_year,
        stage: r.stage,
        amount: pence(r.amount),
        cashable: r.cashable,
        recurring: r.recurring,
        additional: r.additional,
        note: r.note,
        verifiedBy: r.verified_by,
        verifiedAt: r.verified_at,
        version: r.version,
      }));
    },
    async insertSaving(organisationId: string, exerciseId: string, v: SavingsValues): Promise<string> {
      return (
        await db
          .insertInto('savings_entry')
          .values({ organisation_id: organisationId, exercise_id: exerciseId, ...savingsColumns(v) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async updateSaving(organisationId: string, id: string, version: number, v: SavingsValues): Promise<boolean> {
      const r = await db
        .updateTable('savings_entry')
        .set((eb) => ({ ...savingsColumns(v), version: bumped(eb) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async verifySaving(
      organisationId: string,
      id: string,
      version: number,
      by: string,
      userId: string | null,
    ): Promise<boolean> {
      const r = await db
        .updateTable('savings_entry')
        .set((eb) => ({ verified_by: by, verified_by_user_id: userId, verified_at: new Date(), version: bumped(eb) }))
        .where('organisation_id', '=', organisationId)
        .where('id', '=', id)
        .where('version', '=', version)
        .where('stage', '=', 'realised')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    // --- gain-share -------------------------------------------------------------------------------
    async listAgreements(organisationId: string, exerciseId: string): Promise<AgreementRecord[]> {
      const rows = await db
        .selectFrom('gain_share_agreement')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('exercise_id', '=', exerciseId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        exerciseId: r.exercise_id,
        name: r.name,
        reading: r.reading,
        funder: r.funder,
        council: r.council,
        totalCost: pence(r.total_cost),
        funderContribution: pence(r.funder_contribution),
        councilContribution: pence(r.council_contribution),
        tranches: (r.tranches as { threshold: number; repayment: number; inclusive: boolean }[]).map((t) => ({
          threshold: pence(t.threshold),
          repayment: pence(t.repayment),
          inclusive: t.inclusive,
        })),
        version: r.version,
      }));
    },
    async insertAgreement(organisationId: string, exerciseId: string, v: AgreementValues): Promise<string> {
      return (
        await db
          .insertInto('gain_share_agreement')
          .values({
            organisation_id: organisationId,
            exercise_id: exerciseId,
            name: v.name,
            reading: v.reading,
            funder: v.funder,
            council: v.council,
            total_cost: v.totalCost,
            funder_contribution: v.funderContribution,
            council_contribution: v.councilContribution,
            tranches: JSON.stringify(v.tranches),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async listEvaluations(organisationId: string, agreementIds: string[]): Promise<EvaluationRecord[]> {
      if (agreementIds.length === 0) return [];
      const rows = await db
        .selectFrom('gain_share_evaluation')
        .selectAll()
        .where('organisation_id', '=', organisationId)
        .where('agreement_id', 'in', agreementIds)
        .orderBy('evaluated_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        agreementId: r.agreement_id,
        evaluatedOn: r.evaluated_on as IsoDate,
        evaluatedAt: r.evaluated_at,
        evaluatedBy: r.evaluated_by,
        reading: r.reading,
        qualifyingSavings: pence(r.qualifying_savings),
        due: pence(r.due),
        councilCost: pence(r.council_cost),
        funderCost: pence(r.funder_cost),
        explanation: r.explanation,
        snapshot: r.snapshot,
      }));
    },
    async insertEvaluation(organisationId: string, v: EvaluationValues): Promise<string> {
      return (
        await db
          .insertInto('gain_share_evaluation')
          .values({
            organisation_id: organisationId,
            agreement_id: v.agreementId,
            evaluated_on: v.evaluatedOn,
            evaluated_by: v.evaluatedBy,
            reading: v.reading,
            qualifying_savings: v.qualifyingSavings,
            due: v.due,
            council_cost: v.councilCost,
            funder_cost: v.funderCost,
            explanation: v.explanation,
            snapshot: JSON.stringify(v.snapshot),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
  };
}

export type EfficiencyQueries = ReturnType<typeof efficiencyQueries>;
// Changing and removing plan, ledger and gain-share records (issue 12) lives in its own file.
export const createEfficiencyRepository = (db: Kysely<DB>) => ({
  ...efficiencyQueries(db),
  ...programmeChangeQueries(db),
  ...opportunityChangeQueries(db),
});
export type EfficiencyRepository = ReturnType<typeof createEfficiencyRepository>;
