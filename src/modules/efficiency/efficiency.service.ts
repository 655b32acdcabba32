// The efficiency programme after the baseline (issue 5, steps 4–8), for one diagnostic exercise:
// benchmark sets with provenance (entered, or computed from a benchmarking club's statistics,
// never from fewer than five; ADR 0018), savings opportunities by lever combined per cost pool, outline business cases
// appraised by the Green Book, the implementation plan (with milestones written onto a
// priority's key action), the savings ledger, and gain-share agreements evaluated into dated
// snapshots. The exercise and its baseline come from the diagnostics service, a club's statistics
// from the clubs service (other modules), in the same unit of work as everything else the use case does.

import { systemActor, type Actor } from '../../domain/actor.ts';
import { authorize } from '../../domain/permissions.ts';
import { NotFoundError, ValidationError, ConflictError, type FieldIssue } from '../../domain/errors.ts';
import { todayIso, formatDate, type IsoDate } from '../../domain/dates.ts';
import { type Money, ZERO, formatMoney, pence } from '../../domain/diagnostic/money.ts';
import { compareWithBenchmark, type BenchmarkSet, type Comparison } from '../../domain/diagnostic/quartiles.ts';
import { withheldReason, type WithheldBecause } from '../../domain/club-withholding.ts';
import {
  type LedgerTotals,
  type SavingRange,
  findDependencyLoop,
  ledgerTotals,
  qualifies,
  rangeIssues,
  stageChangeIssue,
} from '../../domain/diagnostic/programme.ts';
import type { CaseOptionAppraisal } from '../../domain/diagnostic/case-option.ts';
import { appraiseStoredOption, caseUseCases } from './cases.ts';
import {
  GAIN_SHARE_PRESETS,
  evaluateGainShare,
  validateAgreement,
  type GainShareAgreement,
  type GainShareEvaluation,
} from '../../domain/diagnostic/gain-share.ts';
import { parseWith } from '../../platform/validation.ts';
import type { PlanService } from '../plans/plan.service.ts';
import {
  ActionNotFoundError,
  ReportInSignOffError,
  ReportNotFoundError,
  type ReportService,
} from '../reports/report.service.ts';
import type {
  EfficiencyRepository,
  EfficiencyQueries,
  BenchmarkRecord,
  BenchmarkValues,
  OpportunityRecord,
  OpportunityValues,
  BusinessCaseRecord,
  CaseOptionRecord,
  ProjectRecord,
  SavingsRecord,
  SavingsValues,
  AgreementRecord,
  EvaluationRecord,
} from './efficiency.repository.ts';
import {
  benchmarkInput,
  computedBenchmarkInput,
  computedBenchmarkSource,
  opportunityInput,
  leverAssumptionsInput,
  caseInput,
  optionInput,
  versionInput,
  projectInput,
  milestoneInput,
  savingInput,
  agreementInput,
  evaluateInput,
} from './efficiency.schemas.ts';
import { programmeChangeUseCases } from './programme-changes.ts';
import { opportunityChangeUseCases } from './opportunity-changes.ts';
export { MANAGERS_POOL } from './lever-working.ts';
import {
  type LeverAssumptions,
  type LeverBaseline,
  MANAGERS_POOL,
  leverInputs,
  workOutLever,
} from './lever-working.ts';
import { describeWorking } from '../../domain/diagnostic/levers.ts';
import {
  type OverlapWarning,
  type PoolOverlap,
  type PoolRow,
  combinePools,
  poolConflicts,
} from '../../domain/diagnostic/pools.ts';

/** An opportunity's benchmark that is not one of its exercise's, refused whether saved or worked out. */
const NOT_THIS_EXERCISES_BENCHMARK: FieldIssue = {
  field: 'benchmarkSetId',
  message: 'Select a benchmark of this exercise from the list',
};
/** A process's function in the exercise's taxonomy (undefined for a function or another pool). */
const functionOf = (ex: ExerciseSummary) => {
  const map = new Map(ex.taxonomy.processes.map((p) => [p.code, p.functionCode] as const));
  return (code: string) => map.get(code);
};
const isFunctionOf = (ex: ExerciseSummary) => {
  const set = new Set(ex.taxonomy.functions.map((f) => f.code));
  return (code: string) => set.has(code);
};
/**
 * The pools outside the taxonomy that share money with it: every manager's pay (spans and
 * layers) is also in the pay of the functions and processes the managers work on — how much, from
 * the baseline when there is one (issue 12).
 */
const overlapsOf = (baseline: unknown): PoolOverlap[] => {
  const within = (baseline as { managerPayWithin?: Record<string, number> } | undefined)?.managerPayWithin;
  return [
    {
      pool: MANAGERS_POOL,
      what: 'managers’ pay',
      within: within ? Object.fromEntries(Object.entries(within).map(([k, v]) => [k, pence(v)])) : undefined,
    },
  ];
};

export type {
  BenchmarkRecord,
  OpportunityRecord,
  BusinessCaseRecord,
  CaseOptionRecord,
  CaseLineRecord,
  ProjectRecord,
  SavingsRecord,
  AgreementRecord,
  EvaluationRecord,
} from './efficiency.repository.ts';

/** What this module needs of an exercise (the diagnostics service gives more). */
export interface ExerciseSummary {
  id: string;
  name: string;
  financialYear: number;
  runningCosts: Money;
  headcount: number | null;
  taxonomy: {
    functions: readonly { code: string; name: string }[];
    processes: readonly { code: string; name: string; functionCode: string; type?: string }[];
  };
}

/**
 * The diagnostics service as this module uses it: the exercise (throws when it is not the
 * actor's) and its baseline. Typed structurally so either side
 * can grow without breaking the other.
 */
export interface DiagnosticsPort {
  getExercise(actor: Actor, id: string): Promise<ExerciseSummary>;
  getBaseline?(actor: Actor, id: string): Promise<unknown>;
}

export class EfficiencyNotFoundError extends NotFoundError {
  constructor(what: string) {
    super('EFFICIENCY_NOT_FOUND', `There is no such ${what} in this exercise`);
  }
}

const stale = (what: string) =>
  new ConflictError(
    'STALE_VERSION',
    `Someone else changed this ${what} while you were editing it. Your changes have not been saved: reload the page to see their changes, then make yours again.`,
  );
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export interface BenchmarkComparison {
  set: BenchmarkRecord;
  comparison: Comparison | { ok: false; reason: string } | undefined;
}

export interface CaseWithAppraisal extends BusinessCaseRecord {
  appraisals: { option: CaseOptionRecord; appraisal: CaseOptionAppraisal }[];
  /** Why the case cannot be approved yet, if it cannot. */
  approvalIssue: string | undefined;
}

export interface GainShareView {
  agreement: AgreementRecord;
  /** What an evaluation now would show. */
  now: GainShareEvaluation;
  evaluations: EvaluationRecord[];
}

/** Numbers from the baseline whatever their exact shape: tolerant by design (see DiagnosticsPort). */
function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return asNumber(o.totalCost ?? o.cost ?? o.payCost);
  }
  return undefined;
}

/** The cost of a function or process in the exercise's baseline, when the baseline can say. */
function poolCostFromBaseline(baseline: unknown, pool: string): Money | undefined {
  if (!baseline || typeof baseline !== 'object') return undefined;
  const b = baseline as Record<string, unknown>;
  const total = (b.totalCost ?? {}) as Record<string, unknown>;
  for (const table of [total.byFunction, total.byProcess, b.byFunction, b.byProcess]) {
    if (table && typeof table === 'object') {
      const v = asNumber((table as Record<string, unknown>)[pool]);
      if (v !== undefined && Number.isSafeInteger(v) && v >= 0) return pence(v);
    }
  }
  return undefined;
}

/** What the plan needs of the reports module: a milestone put on a key action, through the report's write path. */
export type ReportsPort = Pick<ReportService, 'addMilestoneFromPlan'>;

/** The benchmarking clubs a computed benchmark may be drawn from (issue 11). */
export interface ClubsPort {
  listClubs(actor: Actor): Promise<
    {
      id: string;
      name: string;
      hostName: string;
      isHost: boolean;
      membership?: { joinedAt: Date | null; leftAt: Date | null } | undefined;
    }[]
  >;
  getClub(
    actor: Actor,
    id: string,
  ): Promise<{
    club: { name: string; hostName: string };
    statistics: {
      metric: string;
      period: string;
      n: number;
      p25: number | null;
      p50: number | null;
      p75: number | null;
      /** The database's reason when the quartiles are withheld (ADR 0016). */
      withheldBecause: WithheldBecause | null;
    }[];
  }>;
}

export interface EfficiencyServiceDeps {
  repo: EfficiencyRepository;
  diagnostics: DiagnosticsPort;
  clubs?: ClubsPort;
  plans: PlanService;
  reports: ReportsPort;
  today?: () => IsoDate;
}

export function createEfficiencyService({
  repo,
  diagnostics,
  clubs,
  plans,
  reports,
  today = () => todayIso(),
}: EfficiencyServiceDeps) {
  const audit = (
    q: EfficiencyQueries,
    actor: Actor,
    entity: string,
    entityId: string,
    action: 'create' | 'update',
    before: unknown,
    after: unknown,
  ) => q.audit({ organisationId: actor.organisationId, actor: actor.label, entity, entityId, action, before, after });

  async function exercise(actor: Actor, exerciseId: string): Promise<ExerciseSummary> {
    if (!isUuid(exerciseId)) throw new NotFoundError('EXERCISE_NOT_FOUND', 'There is no such diagnostic exercise');
    return diagnostics.getExercise(actor, exerciseId);
  }
  async function baselineOf(actor: Actor, exerciseId: string): Promise<unknown> {
    if (!diagnostics.getBaseline) return undefined;
    try {
      return await diagnostics.getBaseline(actor, exerciseId);
    } catch {
      return undefined;
    }
  }

  const toSet = (b: BenchmarkRecord): BenchmarkSet => ({
    source: b.source,
    year: b.year,
    peerGroup: b.peerGroup,
    illustrative: b.illustrative,
    n: b.n,
    p25: b.p25,
    p50: b.p50,
    p75: b.p75,
  });

  async function findIn<T extends { id: string }>(list: Promise<T[]>, id: string, what: string): Promise<T> {
    const found = isUuid(id) ? (await list).find((x) => x.id === id) : undefined;
    if (!found) throw new EfficiencyNotFoundError(what);
    return found;
  }

  // --- benchmarks ----------------------------------------------------------------------------------
  function benchmarkValues(body: unknown): BenchmarkValues {
    const v = parseWith(benchmarkInput, body);
    const issues: FieldIssue[] = [];
    if (v.p50 < v.p25) issues.push({ field: 'p50', message: 'The median must be at least the 25th percentile' });
    if (v.p75 < v.p50) issues.push({ field: 'p75', message: 'The 75th percentile must be at least the median' });
    if (issues.length) throw new ValidationError(issues);
    return {
      indicator: v.indicator,
      unit: v.unit,
      direction: v.direction,
      functionCode: v.functionCode,
      source: v.source,
      year: v.year,
      peerGroup: v.peerGroup,
      n: v.n,
      p25: v.p25,
      p50: v.p50,
      p75: v.p75,
      ownValue: v.ownValue,
      illustrative: v.illustrative,
      computed: false,
    };
  }

  // --- opportunities -------------------------------------------------------------------------------
  /** The exercise's benchmark the id names; undefined when none is named, null when it names none of this exercise's. */
  async function benchmarkOf(
    actor: Actor,
    ex: ExerciseSummary,
    id: string | null | undefined,
  ): Promise<BenchmarkRecord | null | undefined> {
    if (!id) return undefined;
    return (await repo.listBenchmarks(actor.organisationId, ex.id)).find((b) => b.id === id) ?? null;
  }

  async function opportunityValues(
    actor: Actor,
    ex: ExerciseSummary,
    body: unknown,
    id?: string,
  ): Promise<OpportunityValues> {
    const v = parseWith(opportunityInput, body);
    const issues: FieldIssue[] = [];
    const priority = v.priority ? await plans.findPriority(actor, v.priority) : undefined;
    if (v.priority && !priority)
      issues.push({
        field: 'priority',
        message: `There is no improvement priority ${v.priority}: select one from the list`,
      });
    const benchmark = await benchmarkOf(actor, ex, v.benchmarkSetId);
    if (benchmark === null) issues.push(NOT_THIS_EXERCISES_BENCHMARK);
    const baseline = await baselineOf(actor, ex.id);
    let poolCost = v.poolCost ?? poolCostFromBaseline(baseline, v.costPool);
    const assumptions: LeverAssumptions = {
      lever: v.lever,
      costPool: v.costPool,
      achievability: v.achievability,
      targetSpan: v.targetSpan,
      realisation: v.realisation,
      shiftedShare: v.shiftedShare,
      targetUnitCost: v.targetUnitCost,
    };
    const worked = workOutLever(ex, baseline as LeverBaseline | undefined, assumptions, benchmark ?? undefined);
    if (poolCost === undefined && v.costPool.toUpperCase() === MANAGERS_POOL) {
      const pay = (baseline as LeverBaseline | undefined)?.managerPay;
      if (pay !== undefined) poolCost = pence(pay);
    }
    if (poolCost === undefined)
      issues.push({
        field: 'poolCost',
        message: `Enter the cost of the pool: the baseline gives no cost for ${v.costPool}`,
      });
    const computed: SavingRange | null = worked?.ok
      ? { low: worked.working.low, central: worked.working.central, high: worked.working.high }
      : null;
    let range: SavingRange | undefined;
    let overrideReason = '';
    const entered = [v.low, v.central, v.high].filter((x) => x !== null).length;
    if (entered === 3) {
      range = { low: v.low!, central: v.central!, high: v.high! };
      const differs =
        computed !== null &&
        (computed.low !== range.low || computed.central !== range.central || computed.high !== range.high);
      if (differs && v.overrideReason.trim() === '')
        issues.push({
          field: 'overrideReason',
          message: `Say why you are changing the worked-out savings (${formatMoney(computed.low)}, ${formatMoney(computed.central)}, ${formatMoney(computed.high)}), or leave the three savings blank to accept them`,
        });
      if (differs) overrideReason = v.overrideReason.trim();
    } else if (entered === 0 && computed) {
      range = computed;
    } else if (entered === 0 && worked && !worked.ok) {
      issues.push({ field: worked.field, message: `${worked.reason}; or enter the three savings` });
    } else {
      for (const k of ['low', 'central', 'high'] as const) {
        if (v[k] === null)
          issues.push({
            field: k,
            message: `Enter the ${k} saving${computed ? ', or leave all three blank to accept the worked-out figures' : v.lever === 'benchmark-gap' && !benchmark ? ', or choose a benchmark to work them out from' : ''}`,
          });
      }
    }
    if (range && poolCost !== undefined) {
      for (const i of rangeIssues(range, poolCost)) issues.push(i);
      const others = await repo.listOpportunities(actor.organisationId, ex.id);
      const candidate = { id: id ?? '', title: v.title, costPool: v.costPool.toUpperCase(), poolCost, ...range };
      for (const c of poolConflicts(candidate, others, functionOf(ex)))
        issues.push({ field: c.field, message: c.message });
    }
    if (issues.length) throw new ValidationError(issues);
    poolCost = poolCost!;
    return {
      title: v.title,
      lever: v.lever,
      costPool: v.costPool.toUpperCase(),
      poolCost,
      low: range!.low,
      central: range!.central,
      high: range!.high,
      confidence: v.confidence,
      benchmarkSetId: benchmark?.id ?? null,
      priorityId: priority?.id ?? null,
      description: v.description,
      inputs: leverInputs(assumptions),
      computed,
      working: worked?.ok ? describeWorking(worked.working) : '',
      overrideReason,
    };
  }

  // --- cases --------------------------------------------------------------------------------------
  function withAppraisal(c: BusinessCaseRecord): CaseWithAppraisal {
    const appraisals = c.options.map((option) => ({ option, appraisal: appraiseStoredOption(c, option) }));
    const bau = c.options.some((o) => o.businessAsUsual);
    const others = c.options.filter((o) => !o.businessAsUsual).length;
    const approvalIssue =
      !bau || others < 2
        ? 'A business case needs a business-as-usual option and at least two others before it can be approved'
        : !c.options.some((o) => o.preferred)
          ? 'Choose a preferred option before approving the case'
          : undefined;
    return { ...c, appraisals, approvalIssue };
  }
  async function getCase(
    actor: Actor,
    exerciseId: string,
    caseId: string,
    q: EfficiencyQueries = repo,
  ): Promise<CaseWithAppraisal> {
    const found = isUuid(caseId)
      ? (await q.listCases(actor.organisationId, exerciseId)).find((c) => c.id === caseId)
      : undefined;
    if (!found) throw new EfficiencyNotFoundError('business case');
    return withAppraisal(found);
  }
  /** Runs a change to a case's options or lines: stale versions refused, approved cases frozen. */
  const caseEditing = caseUseCases({
    repo,
    exercise,
    getCase: (actor, exerciseId, caseId) => getCase(actor, exerciseId, caseId, repo),
    notFound: (what) => new EfficiencyNotFoundError(what),
  });

  async function changeCase(
    actor: Actor,
    exerciseId: string,
    caseId: string,
    version: number | undefined,
    what: string,
    fn: (q: EfficiencyQueries, c: CaseWithAppraisal) => Promise<void>,
  ) {
    const before = await getCase(actor, exerciseId, caseId, repo);
    if (before.status === 'approved')
      throw ValidationError.single(
        'version',
        'This business case is approved: its options and cash flows can no longer change',
      );
    if (!(await repo.touchCase(actor.organisationId, caseId, version ?? before.version))) throw stale('business case');
    await fn(repo, before);
    const after = await getCase(actor, exerciseId, caseId, repo);
    await audit(
      repo,
      actor,
      'business_case',
      caseId,
      'update',
      { what, version: before.version },
      { options: after.options },
    );
    return after;
  }

  // --- savings ---------------------------------------------------------------------------------------
  async function savingValues(actor: Actor, exerciseId: string, body: unknown): Promise<SavingsValues> {
    const v = parseWith(savingInput, body);
    const opportunities = await repo.listOpportunities(actor.organisationId, exerciseId);
    if (!opportunities.some((o) => o.id === v.opportunityId))
      throw ValidationError.single('opportunityId', 'Select an opportunity of this exercise from the list');
    return {
      opportunityId: v.opportunityId,
      financialYear: v.financialYear,
      stage: v.stage,
      amount: v.amount,
      cashable: v.cashable,
      recurring: v.recurring,
      additional: v.additional,
      note: v.note,
    };
  }
  const ledgerEntries = (entries: SavingsRecord[]) => entries.map((e) => ({ ...e, verified: e.verifiedAt !== null }));

  const toAgreement = (a: AgreementRecord): GainShareAgreement => ({
    name: a.name,
    reading: a.reading,
    funder: a.funder,
    council: a.council,
    totalCost: a.totalCost,
    funderContribution: a.funderContribution,
    councilContribution: a.councilContribution,
    tranches: a.tranches,
  });

  /** The clubs the organisation hosts or has joined, named with their hosts. */
  async function benchmarkClubsOf(actor: Actor): Promise<{ id: string; name: string }[]> {
    if (!clubs) return [];
    return (await clubs.listClubs(actor))
      .filter((c) => c.isHost || (c.membership?.joinedAt && !c.membership.leftAt))
      .map((c) => ({ id: c.id, name: `${c.name} (hosted by ${c.hostName})` }));
  }

  return {
    exercise: async (actor: Actor, exerciseId: string) => {
      authorize(actor, 'diagnostic.read');
      return exercise(actor, exerciseId);
    },

    // Changing and removing projects, plan milestones, savings and agreements (issue 12).
    ...programmeChangeUseCases({ repo, plans, reports, exercise }),
    ...opportunityChangeUseCases({ repo, exercise }),

    /** The exercise's programme at a glance: what exists at each step, and the totals. */
    async overview(actor: Actor, exerciseId: string) {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const o = actor.organisationId;
      const [benchmarks, opportunities, cases, projects, savings, agreements] = await Promise.all([
        repo.listBenchmarks(o, ex.id),
        repo.listOpportunities(o, ex.id),
        repo.listCases(o, ex.id),
        repo.listProjects(o, ex.id),
        repo.listSavings(o, ex.id),
        repo.listAgreements(o, ex.id),
      ]);
      const pools = combinePools(
        opportunities,
        functionOf(ex),
        isFunctionOf(ex),
        overlapsOf(await baselineOf(actor, ex.id)),
      );
      return {
        exercise: ex,
        benchmarks: benchmarks.length,
        opportunities: opportunities.length,
        combined: pools.total,
        overlaps: pools.overlaps,
        cases: cases.length,
        approvedCases: cases.filter((c) => c.status === 'approved').length,
        projects: projects.length,
        savings: ledgerTotals(ledgerEntries(savings)),
        agreements: agreements.length,
      };
    },

    // --- benchmarks ------------------------------------------------------------------------------
    async benchmarks(
      actor: Actor,
      exerciseId: string,
    ): Promise<{ exercise: ExerciseSummary; sets: BenchmarkComparison[] }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const sets = await repo.listBenchmarks(actor.organisationId, ex.id);
      return {
        exercise: ex,
        sets: sets.map((set) => ({
          set,
          comparison: set.ownValue === null ? undefined : compareWithBenchmark(set.ownValue, toSet(set), set.direction),
        })),
      };
    },
    async getBenchmark(actor: Actor, exerciseId: string, id: string): Promise<BenchmarkRecord> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      return findIn(repo.listBenchmarks(actor.organisationId, ex.id), id, 'benchmark');
    },
    async createBenchmark(actor: Actor, exerciseId: string, body: unknown): Promise<BenchmarkRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const values = benchmarkValues(body);
      const id = await repo.insertBenchmark(actor.organisationId, ex.id, values);
      const after = (await repo.listBenchmarks(actor.organisationId, ex.id)).find((b) => b.id === id)!;
      await audit(repo, actor, 'benchmark_set', id, 'create', undefined, after);
      return after;
    },
    async updateBenchmark(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<BenchmarkRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      await findIn(repo.listBenchmarks(actor.organisationId, ex.id), id, 'benchmark');
      const values = benchmarkValues(body);
      const { version } = parseWith(versionInput, body);
      const before = (await repo.listBenchmarks(actor.organisationId, ex.id)).find((b) => b.id === id)!;
      if (before.computed)
        throw ValidationError.single(
          'version',
          'A benchmark computed from peers cannot be edited: compute it again instead',
        );
      if (
        !(await repo.updateBenchmark(actor.organisationId, id, version ?? before.version, {
          ...values,
          computed: false,
        }))
      )
        throw stale('benchmark');
      const after = (await repo.listBenchmarks(actor.organisationId, ex.id)).find((b) => b.id === id)!;
      await audit(repo, actor, 'benchmark_set', id, 'update', before, after);
      return after;
    },
    /** The clubs the organisation hosts or has joined: where a computed benchmark may come from. */
    async benchmarkClubs(actor: Actor): Promise<{ id: string; name: string }[]> {
      authorize(actor, 'diagnostic.read');
      return benchmarkClubsOf(actor);
    },
    /**
     * A benchmark of a function's cost as a share of running costs for the exercise's year, from the
     * statistics of a benchmarking club the organisation hosts or has joined: peers' benchmarks come
     * from clubs only (ADR 0018), whose members chose to contribute to that club. Refused, naming the
     * field and the club's own reason, when the club withholds the statistic.
     */
    async computeBenchmark(actor: Actor, exerciseId: string, body: unknown): Promise<BenchmarkRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const { functionCode } = parseWith(computedBenchmarkInput, body);
      const fn = ex.taxonomy.functions.find((f) => f.code.toLowerCase() === functionCode.toLowerCase());
      if (!fn)
        throw ValidationError.single('functionCode', 'Select a function of the exercise’s taxonomy from the list');
      const yearLabel = `${ex.financialYear}/${String((ex.financialYear + 1) % 100).padStart(2, '0')}`;
      const { clubId } = parseWith(computedBenchmarkSource, body);
      if (!clubId || !clubs)
        throw ValidationError.single(
          'clubId',
          (await benchmarkClubsOf(actor)).length > 0
            ? 'Choose the benchmarking club to compute it from'
            : 'Your organisation is in no benchmarking club: benchmarks are computed from a club’s members only, so join one (or host one) first',
        );
      // The club's statistics, which the database computes without showing anyone a member's figure
      // and withholds (below five members, or when a quartile would be a member's figure) with its
      // reason. A club the organisation is not in is not found, whatever was sent.
      const view = await clubs.getClub(actor, clubId);
      const stat = view.statistics.find(
        (s) => s.metric === `function:${fn.code}:share-of-running-costs` && s.period === yearLabel,
      );
      if (!stat || stat.p25 === null || stat.p50 === null || stat.p75 === null)
        // The club's own reason: five members or more can still be withheld (ADR 0016).
        throw ValidationError.single(
          'functionCode',
          `${view.club.name} gives no benchmark for ${fn.name} in ${yearLabel}: ${withheldReason(stat?.withheldBecause, stat?.n ?? 0)}`,
        );
      const set = {
        source: `Computed by Amber from ${view.club.name} (hosted by ${view.club.hostName})`,
        year: yearLabel,
        peerGroup: `Members of ${view.club.name}`,
        n: stat.n,
        p25: stat.p25,
        p50: stat.p50,
        p75: stat.p75,
      };
      const baseline = await baselineOf(actor, ex.id);
      const own = poolCostFromBaseline(baseline, fn.code);
      const values: BenchmarkValues = {
        indicator: `${fn.name} cost as a percentage of running costs`,
        unit: '%',
        direction: 'lower-is-better',
        functionCode: fn.code,
        ...set,
        ownValue: own !== undefined && ex.runningCosts > 0 ? (own * 100) / ex.runningCosts : null,
        illustrative: false,
        computed: true,
      };
      const id = await repo.insertBenchmark(actor.organisationId, ex.id, values);
      const after = (await repo.listBenchmarks(actor.organisationId, ex.id)).find((b) => b.id === id)!;
      await audit(repo, actor, 'benchmark_set', id, 'create', undefined, { ...after, peers: stat.n });
      return after;
    },

    // --- opportunities ---------------------------------------------------------------------------
    async opportunities(
      actor: Actor,
      exerciseId: string,
    ): Promise<{
      exercise: ExerciseSummary;
      opportunities: OpportunityRecord[];
      pools: PoolRow[];
      total: SavingRange;
      /** Opportunities whose pools share money (spans and layers with a function's pay), named. */
      overlaps: OverlapWarning[];
    }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const opportunities = await repo.listOpportunities(actor.organisationId, ex.id);
      const overlaps = overlapsOf(await baselineOf(actor, ex.id));
      return {
        exercise: ex,
        opportunities,
        ...combinePools(opportunities, functionOf(ex), isFunctionOf(ex), overlaps),
      };
    },
    /**
     * The savings a lever works out from the exercise's data for the form's assumptions, with its
     * working, without saving anything: a refusal names the field and what is missing; undefined
     * when the lever has no formula (the officer enters the figures).
     */
    async workOutOpportunity(
      actor: Actor,
      exerciseId: string,
      body: unknown,
    ): Promise<ReturnType<typeof workOutLever>> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(leverAssumptionsInput, body);
      // As when the opportunity is saved: a benchmark that is not this exercise's (deleted since,
      // another exercise's or another organisation's) is refused by name, not worked out as none.
      const benchmark = await benchmarkOf(actor, ex, v.benchmarkSetId);
      if (benchmark === null) throw new ValidationError([NOT_THIS_EXERCISES_BENCHMARK]);
      const baseline = (await baselineOf(actor, ex.id)) as LeverBaseline | undefined;
      return workOutLever(
        ex,
        baseline,
        {
          lever: v.lever,
          costPool: v.costPool,
          achievability: v.achievability,
          targetSpan: v.targetSpan,
          realisation: v.realisation,
          shiftedShare: v.shiftedShare,
          targetUnitCost: v.targetUnitCost,
        },
        benchmark ?? undefined,
      );
    },
    async getOpportunity(actor: Actor, exerciseId: string, id: string): Promise<OpportunityRecord> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      return findIn(repo.listOpportunities(actor.organisationId, ex.id), id, 'opportunity');
    },
    async createOpportunity(actor: Actor, exerciseId: string, body: unknown): Promise<OpportunityRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const values = await opportunityValues(actor, ex, body);
      const id = await repo.insertOpportunity(actor.organisationId, ex.id, values);
      const after = (await repo.listOpportunities(actor.organisationId, ex.id)).find((o) => o.id === id)!;
      await audit(repo, actor, 'opportunity', id, 'create', undefined, after);
      return after;
    },
    async updateOpportunity(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<OpportunityRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      await findIn(repo.listOpportunities(actor.organisationId, ex.id), id, 'opportunity');
      const values = await opportunityValues(actor, ex, body, id);
      const { version } = parseWith(versionInput, body);
      const before = (await repo.listOpportunities(actor.organisationId, ex.id)).find((o) => o.id === id)!;
      if (!(await repo.updateOpportunity(actor.organisationId, id, version ?? before.version, values)))
        throw stale('opportunity');
      const after = (await repo.listOpportunities(actor.organisationId, ex.id)).find((o) => o.id === id)!;
      await audit(repo, actor, 'opportunity', id, 'update', before, after);
      return after;
    },

    // --- business cases ---------------------------------------------------------------------------
    async cases(actor: Actor, exerciseId: string): Promise<{ exercise: ExerciseSummary; cases: CaseWithAppraisal[] }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      return { exercise: ex, cases: (await repo.listCases(actor.organisationId, ex.id)).map(withAppraisal) };
    },
    async getCase(
      actor: Actor,
      exerciseId: string,
      caseId: string,
    ): Promise<{ exercise: ExerciseSummary; case: CaseWithAppraisal; opportunity: OpportunityRecord | undefined }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const c = await getCase(actor, ex.id, caseId);
      const opportunity = c.opportunityId
        ? (await repo.listOpportunities(actor.organisationId, ex.id)).find((o) => o.id === c.opportunityId)
        : undefined;
      return { exercise: ex, case: c, opportunity };
    },
    async createCase(actor: Actor, exerciseId: string, body: unknown): Promise<BusinessCaseRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(caseInput, body);
      if (
        v.opportunityId &&
        !(await repo.listOpportunities(actor.organisationId, ex.id)).some((o) => o.id === v.opportunityId)
      ) {
        throw ValidationError.single('opportunityId', 'Select an opportunity of this exercise from the list');
      }
      const id = await repo.insertCase(actor.organisationId, ex.id, {
        title: v.title,
        opportunityId: v.opportunityId,
        baseYear: v.baseYear,
        discountSchedule: v.discountSchedule,
        sections: {
          strategic: v.strategic,
          economic: v.economic,
          commercial: v.commercial,
          financial: v.financial,
          management: v.management,
        },
      });
      const after = await getCase(actor, ex.id, id, repo);
      await audit(repo, actor, 'business_case', id, 'create', undefined, after);
      return after;
    },
    async updateCase(actor: Actor, exerciseId: string, caseId: string, body: unknown): Promise<BusinessCaseRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      await getCase(actor, ex.id, caseId);
      const v = parseWith(caseInput, body);
      if (
        v.opportunityId &&
        !(await repo.listOpportunities(actor.organisationId, ex.id)).some((o) => o.id === v.opportunityId)
      ) {
        throw ValidationError.single('opportunityId', 'Select an opportunity of this exercise from the list');
      }
      const before = await getCase(actor, ex.id, caseId, repo);
      const ok = await repo.updateCase(actor.organisationId, caseId, v.version ?? before.version, {
        title: v.title,
        opportunityId: v.opportunityId,
        baseYear: v.baseYear,
        discountSchedule: v.discountSchedule,
        sections: {
          strategic: v.strategic,
          economic: v.economic,
          commercial: v.commercial,
          financial: v.financial,
          management: v.management,
        },
      });
      if (!ok) throw stale('business case');
      const after = await getCase(actor, ex.id, caseId, repo);
      await audit(
        repo,
        actor,
        'business_case',
        caseId,
        'update',
        { ...before, appraisals: undefined },
        { ...after, appraisals: undefined },
      );
      return after;
    },
    async addOption(actor: Actor, exerciseId: string, caseId: string, body: unknown): Promise<CaseWithAppraisal> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(optionInput, body);
      return changeCase(actor, ex.id, caseId, v.version, 'add option', async (q) => {
        await q.insertOption(actor.organisationId, caseId, {
          name: v.name,
          description: v.description,
          businessAsUsual: v.businessAsUsual,
          preferred: v.preferred,
          mitigation: v.mitigation,
          benefitReduction: v.benefitReduction,
        });
      });
    },
    // Adding, changing and deleting lines and options (issue 12): cases.ts.
    ...caseEditing,
    async addLine(actor: Actor, exerciseId: string, caseId: string, body: unknown): Promise<CaseWithAppraisal> {
      return withAppraisal(await caseEditing.addLine(actor, exerciseId, caseId, body));
    },
    async approveCase(actor: Actor, exerciseId: string, caseId: string, body: unknown): Promise<CaseWithAppraisal> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const { version } = parseWith(versionInput, body);
      const before = await getCase(actor, ex.id, caseId, repo);
      if (before.status === 'approved')
        throw ValidationError.single('version', 'This business case is already approved');
      if (before.approvalIssue) throw ValidationError.single('options', before.approvalIssue);
      if (!(await repo.approveCase(actor.organisationId, caseId, version ?? before.version, actor.label)))
        throw stale('business case');
      const after = await getCase(actor, ex.id, caseId, repo);
      await audit(
        repo,
        actor,
        'business_case',
        caseId,
        'update',
        { status: before.status },
        { status: after.status, approvedBy: after.approvedBy },
      );
      return after;
    },

    // --- implementation plan -------------------------------------------------------------------------
    async plan(
      actor: Actor,
      exerciseId: string,
    ): Promise<{ exercise: ExerciseSummary; projects: ProjectRecord[]; approvedCases: BusinessCaseRecord[] }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const [projects, cases] = await Promise.all([
        repo.listProjects(actor.organisationId, ex.id),
        repo.listCases(actor.organisationId, ex.id),
      ]);
      return { exercise: ex, projects, approvedCases: cases.filter((c) => c.status === 'approved') };
    },
    async createProject(actor: Actor, exerciseId: string, body: unknown): Promise<ProjectRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(projectInput, body);
      const issues: FieldIssue[] = [];
      if (v.endsOn < v.startsOn)
        issues.push({ field: 'endsOn', message: 'The end date must be on or after the start date' });
      const cases = await repo.listCases(actor.organisationId, ex.id);
      const c = cases.find((x) => x.id === v.caseId);
      if (!c) issues.push({ field: 'caseId', message: 'Select a business case of this exercise from the list' });
      else if (c.status !== 'approved')
        issues.push({
          field: 'caseId',
          message: `“${c.title}” is not approved yet: only approved business cases become projects`,
        });
      const projects = await repo.listProjects(actor.organisationId, ex.id);
      const known = new Set(projects.map((p) => p.id));
      if (v.dependsOn.some((d) => !known.has(d)))
        issues.push({ field: 'dependsOn', message: 'Select the projects it depends on from the list' });
      if (issues.length) throw new ValidationError(issues);
      if (v.ownerId && !(await repo.personBelongs(actor.organisationId, v.ownerId)))
        throw ValidationError.single('ownerId', 'Select the owner from the list');
      const id = await repo.insertProject(actor.organisationId, ex.id, {
        caseId: v.caseId,
        name: v.name,
        ownerId: v.ownerId,
        startsOn: v.startsOn,
        endsOn: v.endsOn,
        dependsOn: v.dependsOn,
      });
      const all = await repo.listProjects(actor.organisationId, ex.id);
      const loop = findDependencyLoop(all);
      if (loop)
        throw ValidationError.single(
          'dependsOn',
          `The dependencies would go round in a loop (${loop.map((x) => all.find((p) => p.id === x)?.name).join(' → ')})`,
        );
      const after = all.find((p) => p.id === id)!;
      await audit(repo, actor, 'implementation_project', id, 'create', undefined, after);
      return after;
    },
    /**
     * Adds a milestone to a project. With a priority and key action number it is also written,
     * as a milestone row, on that key action of the priority's progress report for the period the
     * date falls in, so the report (and the next one's follow-up) shows it; the link is kept.
     */
    async createMilestone(actor: Actor, exerciseId: string, body: unknown) {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(milestoneInput, body);
      const projects = await repo.listProjects(actor.organisationId, ex.id);
      const project = projects.find((p) => p.id === v.projectId);
      if (!project) throw ValidationError.single('projectId', 'Select a project of this plan from the list');
      if ((v.priority === null) !== (v.actionNumber === null)) {
        throw ValidationError.single(
          v.priority === null ? 'priority' : 'actionNumber',
          'To link the milestone to a key action, give both the priority and the key action number (or neither)',
        );
      }
      const priority = v.priority ? await plans.findPriority(actor, v.priority) : undefined;
      if (v.priority && !priority)
        throw ValidationError.single(
          'priority',
          `There is no improvement priority ${v.priority}: select one from the list`,
        );
      if (v.ownerId && !(await repo.personBelongs(actor.organisationId, v.ownerId)))
        throw ValidationError.single('ownerId', 'Select the owner from the list');
      let reportMilestoneId: string | null = null;
      let reportPeriodKey: string | undefined;
      if (priority && v.actionNumber !== null) {
        // The key action's milestone is written through the report's own write path: it opens
        // the next revision of a published report and is refused while the report waits for sign-off.
        try {
          const placed = await reports.addMilestoneFromPlan(actor, priority.code, v.actionNumber, {
            description: v.description,
            dueOn: v.dueOn,
          });
          reportMilestoneId = placed.milestoneId;
          reportPeriodKey = placed.periodKey;
        } catch (error) {
          if (error instanceof ReportNotFoundError)
            throw ValidationError.single(
              'priority',
              `${priority.code} has no progress report for a period that includes ${formatDate(v.dueOn)}: create that period’s report first, or link the milestone to a key action later`,
            );
          if (error instanceof ActionNotFoundError) {
            const found = error.report;
            throw ValidationError.single(
              'actionNumber',
              !found
                ? `The report of ${priority.code} has no key action ${v.actionNumber}: choose one of its key actions`
                : found.actions === 0
                  ? `The ${found.periodKey} report of ${priority.code} has no key actions yet: add one first`
                  : `The ${found.periodKey} report of ${priority.code} has key actions 1 to ${found.actions}: choose one of them`,
            );
          }
          if (error instanceof ReportInSignOffError)
            throw ValidationError.single(
              'priority',
              `The report of ${priority.code} for the period of ${formatDate(v.dueOn)} is waiting for sign-off, so nothing in it can change: link the milestone once it is returned or published`,
            );
          throw error;
        }
      }
      const id = await repo.insertPlanMilestone(actor.organisationId, {
        projectId: project.id,
        description: v.description,
        dueOn: v.dueOn,
        ownerId: v.ownerId,
        priorityId: priority?.id ?? null,
        actionNumber: v.actionNumber,
        reportMilestoneId,
      });
      const after = (await repo.listProjects(actor.organisationId, ex.id))
        .flatMap((p) => p.milestones)
        .find((m) => m.id === id)!;
      await audit(repo, actor, 'implementation_milestone', id, 'create', undefined, after);
      return { milestone: after, reportPeriodKey };
    },

    // --- savings ledger --------------------------------------------------------------------------------
    async savings(
      actor: Actor,
      exerciseId: string,
    ): Promise<{
      exercise: ExerciseSummary;
      entries: SavingsRecord[];
      totals: LedgerTotals;
      opportunities: OpportunityRecord[];
    }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const [entries, opportunities] = await Promise.all([
        repo.listSavings(actor.organisationId, ex.id),
        repo.listOpportunities(actor.organisationId, ex.id),
      ]);
      return { exercise: ex, entries, totals: ledgerTotals(ledgerEntries(entries)), opportunities };
    },
    async getSaving(actor: Actor, exerciseId: string, id: string): Promise<SavingsRecord> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      return findIn(repo.listSavings(actor.organisationId, ex.id), id, 'saving');
    },
    async createSaving(actor: Actor, exerciseId: string, body: unknown): Promise<SavingsRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const values = await savingValues(actor, ex.id, body);
      const id = await repo.insertSaving(actor.organisationId, ex.id, values);
      const after = (await repo.listSavings(actor.organisationId, ex.id)).find((s) => s.id === id)!;
      await audit(repo, actor, 'savings_entry', id, 'create', undefined, after);
      return after;
    },
    async updateSaving(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<SavingsRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      await findIn(repo.listSavings(actor.organisationId, ex.id), id, 'saving');
      const values = await savingValues(actor, ex.id, body);
      const { version } = parseWith(versionInput, body);
      const before = (await repo.listSavings(actor.organisationId, ex.id)).find((s) => s.id === id)!;
      if (
        before.verifiedAt !== null &&
        (values.amount !== before.amount ||
          values.additional !== before.additional ||
          values.financialYear !== before.financialYear ||
          values.opportunityId !== before.opportunityId)
      ) {
        throw ValidationError.single(
          'amount',
          'A verified saving cannot change its amount, year, opportunity or whether it is additional: record a correction as a new entry',
        );
      }
      const issue = stageChangeIssue(values.stage, before.verifiedAt !== null);
      if (issue) throw ValidationError.single('stage', issue);
      if (!(await repo.updateSaving(actor.organisationId, id, version ?? before.version, values)))
        throw stale('saving');
      const after = (await repo.listSavings(actor.organisationId, ex.id)).find((s) => s.id === id)!;
      await audit(repo, actor, 'savings_entry', id, 'update', before, after);
      return after;
    },
    /** Records who verified a realised saving, and when: the actor's label (and user id when signed in). */
    async verifySaving(actor: Actor, exerciseId: string, id: string, body: unknown): Promise<SavingsRecord> {
      authorize(actor, 'savings.verify');
      const ex = await exercise(actor, exerciseId);
      const { version } = parseWith(versionInput, body);
      const before = (await repo.listSavings(actor.organisationId, ex.id)).find((s) => s.id === id);
      if (!before) throw new EfficiencyNotFoundError('saving');
      if (before.stage !== 'realised')
        throw ValidationError.single('version', 'Only a realised saving can be verified');
      if (before.verifiedAt !== null)
        throw ValidationError.single('version', `This saving was verified already, by ${before.verifiedBy}`);
      if (
        !(await repo.verifySaving(
          actor.organisationId,
          id,
          version ?? before.version,
          actor.label,
          actor.kind === 'user' ? actor.userId : null,
        ))
      )
        throw stale('saving');
      const after = (await repo.listSavings(actor.organisationId, ex.id)).find((s) => s.id === id)!;
      await audit(
        repo,
        actor,
        'savings_entry',
        id,
        'update',
        { verifiedAt: null },
        { verifiedBy: after.verifiedBy, verifiedAt: after.verifiedAt },
      );
      return after;
    },

    // --- gain-share ------------------------------------------------------------------------------------
    async gainShare(
      actor: Actor,
      exerciseId: string,
    ): Promise<{ exercise: ExerciseSummary; qualifying: Money; agreements: GainShareView[] }> {
      authorize(actor, 'diagnostic.read');
      const ex = await exercise(actor, exerciseId);
      const [agreements, entries] = await Promise.all([
        repo.listAgreements(actor.organisationId, ex.id),
        repo.listSavings(actor.organisationId, ex.id),
      ]);
      const qualifying = ledgerTotals(ledgerEntries(entries)).qualifying;
      const evaluations = await repo.listEvaluations(
        actor.organisationId,
        agreements.map((a) => a.id),
      );
      return {
        exercise: ex,
        qualifying,
        agreements: agreements.map((agreement) => ({
          agreement,
          now: evaluateGainShare(toAgreement(agreement), qualifying),
          evaluations: evaluations.filter((e) => e.agreementId === agreement.id),
        })),
      };
    },
    /** An agreement from one of the seed deal's presets: reading B by default, A on request. */
    async createAgreement(actor: Actor, exerciseId: string, body: unknown): Promise<AgreementRecord> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(agreementInput, body);
      const preset = GAIN_SHARE_PRESETS[v.reading];
      const agreement: GainShareAgreement = { ...preset, name: v.name || preset.name };
      const issues = validateAgreement(agreement);
      if (issues.length) throw new ValidationError(issues);
      const id = await repo.insertAgreement(actor.organisationId, ex.id, {
        ...agreement,
        tranches: [...agreement.tranches],
      });
      const after = (await repo.listAgreements(actor.organisationId, ex.id)).find((a) => a.id === id)!;
      await audit(repo, actor, 'gain_share_agreement', id, 'create', undefined, after);
      return after;
    },
    /** Evaluates an agreement against the qualifying savings now, and stores it as a dated snapshot. */
    async evaluate(actor: Actor, exerciseId: string, agreementId: string, body: unknown): Promise<EvaluationRecord> {
      authorize(actor, 'savings.verify');
      const ex = await exercise(actor, exerciseId);
      const v = parseWith(evaluateInput, body);
      const agreement = (await repo.listAgreements(actor.organisationId, ex.id)).find((a) => a.id === agreementId);
      if (!agreement) throw new EfficiencyNotFoundError('gain-share agreement');
      const entries = await repo.listSavings(actor.organisationId, ex.id);
      const counted = ledgerEntries(entries).filter(qualifies);
      const qualifying = counted.reduce((s, e) => pence(s + e.amount), ZERO);
      const result = evaluateGainShare(toAgreement(agreement), qualifying);
      const evaluatedOn = v.evaluatedOn ?? today();
      const id = await repo.insertEvaluation(actor.organisationId, {
        agreementId,
        evaluatedOn,
        evaluatedBy: actor.label,
        reading: result.reading,
        qualifyingSavings: result.qualifyingSavings,
        due: result.due,
        councilCost: result.councilCost,
        funderCost: result.funderCost,
        explanation: result.explanation,
        snapshot: {
          agreement: toAgreement(agreement),
          counted: counted.map((e) => ({
            id: e.id,
            opportunity: e.opportunityTitle,
            financialYear: e.financialYear,
            amount: e.amount,
            verifiedBy: e.verifiedBy,
            verifiedAt: e.verifiedAt,
          })),
          reached: result.reached,
          next: result.next ?? null,
        },
      });
      const after = (await repo.listEvaluations(actor.organisationId, [agreementId])).find((e) => e.id === id)!;
      await audit(repo, actor, 'gain_share_evaluation', id, 'create', undefined, after);
      return after;
    },

    /**
     * The demo's illustrative programme on the demo exercise (idempotent: nothing is added when
     * the exercise has benchmarks already). Every figure is labelled illustrative, and every figure
     * follows from the consolidation opportunity Amber works out from the demo's data, so they agree
     * as a reader checks them (issue 13): the business case's yearly saving is the opportunity's
     * central figure, the ledger's savings on it add up to less than that (realised below approved),
     * and the approvals and verification are given by illustrative roles, not by "demo".
     * `priorityCode`: the priority the illustrative consolidation supports (the demo's VfM-4d).
     */
    async seedDemo(actor: Actor, exerciseId: string, priorityCode = 'VfM-4d'): Promise<void> {
      authorize(actor, 'diagnostic.edit');
      const ex = await exercise(actor, exerciseId);
      if ((await repo.listBenchmarks(actor.organisationId, ex.id)).length > 0) return;
      const fin = ex.taxonomy.functions.find((f) => f.code === 'FIN') ?? ex.taxonomy.functions[0];
      if (!fin) return;
      const pool = poolCostFromBaseline(await baselineOf(actor, ex.id), fin.code);
      const own = pool !== undefined && ex.runningCosts > 0 ? ((pool / ex.runningCosts) * 100).toFixed(3) : '1.4';
      const ILLUSTRATIVE = 'Illustrative figures for the demo, not real benchmarks.';
      const finance = await this.createBenchmark(actor, ex.id, {
        indicator: `${fin.name} cost as a percentage of running costs`,
        unit: '%',
        direction: 'lower-is-better',
        functionCode: fin.code,
        source: `Illustrative, in the style of the audit agencies' 2007 corporate-services indicators. ${ILLUSTRATIVE}`,
        year: '2008/09',
        peerGroup: 'Metropolitan districts (illustrative)',
        n: '12',
        p25: '0.9',
        p50: '1.2',
        p75: '1.6',
        ownValue: own,
        illustrative: 'yes',
      });
      await this.createBenchmark(actor, ex.id, {
        indicator: 'Cost of paying an invoice',
        unit: '£ per invoice',
        direction: 'lower-is-better',
        functionCode: fin.code,
        source: `Illustrative, in the style of CIPFA benchmarking. ${ILLUSTRATIVE}`,
        year: '2008/09',
        peerGroup: 'English councils (illustrative)',
        n: '24',
        p25: '2.10',
        p50: '3.40',
        p75: '5.20',
        ownValue: '4.75',
        illustrative: 'yes',
      });
      const poolCost = pool ?? pence(900_000_00);
      const share = (bp: number) => pence(Math.floor((poolCost * bp) / 10_000 / 100) * 100);
      const consolidation = await this.createOpportunity(actor, ex.id, {
        title: 'Consolidate dispersed finance transactions into central Finance (illustrative)',
        lever: 'consolidation',
        costPool: fin.code,
        poolCost: String(poolCost / 100),
        // Worked out from the demo's baseline (the dispersed transactional pay), not typed in.
        confidence: 'medium',
        priority: priorityCode,
        description: ILLUSTRATIVE,
      });
      await this.createOpportunity(actor, ex.id, {
        title: 'Automate invoice matching and move suppliers to e-invoicing (illustrative)',
        lever: 'automation',
        costPool: fin.code,
        poolCost: String(poolCost / 100),
        low: String(share(200) / 100),
        central: String(share(350) / 100),
        high: String(share(500) / 100),
        confidence: 'low',
        description: ILLUSTRATIVE,
        benchmarkSetId: finance.id,
      });
      const c = await this.createCase(actor, ex.id, {
        title: 'Finance transactional services (illustrative)',
        opportunityId: consolidation.id,
        baseYear: '2010',
        strategic: `Finance transactions are done in every directorate; bringing them together supports ${priorityCode}. ${ILLUSTRATIVE}`,
        economic:
          'Three options were appraised over ten years against business as usual; the consolidated in-house service offers the best value.',
        commercial: 'The system is bought through an existing framework; no service is outsourced.',
        financial: 'Costs are met from the invest-to-save reserve and repaid from cashable savings within three years.',
        management:
          'A project board chaired by the Director of Resources; the plan and its milestones are tracked in Amber.',
      });
      // The case is written at the scale of the opportunity: a steady yearly saving of its central
      // figure, and costs in the proportions of a finance consolidation (system, team, redundancy).
      const yearly = consolidation.central / 100;
      const k = (thousands: number) => String(Math.round((thousands * 1_000 * yearly) / 2_400_000));
      await this.addOption(actor, ex.id, c.id, {
        name: 'Business as usual',
        businessAsUsual: 'yes',
        description: 'Carry on as now.',
      });
      let after = await this.addOption(actor, ex.id, c.id, {
        name: 'Consolidate in-house',
        preferred: 'yes',
        description: 'One central team on a new system.',
        mitigation: { 'equipment-development': '100', outsourcing: '100' },
      });
      const inHouse = after.options.find((o) => o.name === 'Consolidate in-house')!;
      const lines: [string, string, string, string | null, string][] = [
        ['cost', 'IT', 'Finance system', 'equipment-development', k(1_200)],
        ['cost', 'Programme', 'Programme team', null, `${k(600)} ${k(400)}`],
        ['cost', 'Redundancy', 'Redundancy', null, k(1_000)],
        ['cost', 'Double running', 'Double running', null, `0 ${k(300)}`],
        ['cost', 'Licences', 'Licences', 'outsourcing', `0 ${Array(10).fill(k(150)).join(' ')}`],
        [
          'benefit',
          'Cashable savings',
          'Staff savings',
          null,
          `0 ${k(960)} ${k(1_920)} ${Array(8).fill(k(2_400)).join(' ')}`,
        ],
      ];
      for (const [kind, category, label, ob, amounts] of lines) {
        after = await this.addLine(actor, ex.id, c.id, {
          optionId: inHouse.id,
          kind,
          category,
          label,
          optimismBias: ob ?? '',
          amounts,
        });
      }
      after = await this.addOption(actor, ex.id, c.id, {
        name: 'Shared service with a neighbouring council',
        description: 'Join a partner council’s finance service.',
      });
      const shared = after.options.find((o) => o.name.startsWith('Shared service'))!;
      after = await this.addLine(actor, ex.id, c.id, {
        optionId: shared.id,
        kind: 'cost',
        category: 'Outsourcing',
        label: 'Service charge',
        optimismBias: 'outsourcing',
        amounts: `${k(500)} ${Array(10).fill(k(900)).join(' ')}`,
      });
      after = await this.addLine(actor, ex.id, c.id, {
        optionId: shared.id,
        kind: 'benefit',
        category: 'Cashable savings',
        label: 'Staff savings',
        amounts: `0 ${Array(10).fill(k(1_500)).join(' ')}`,
      });
      const board = systemActor(actor.organisationId, 'Finance programme board (illustrative)');
      const auditor = systemActor(actor.organisationId, 'Internal Audit (illustrative)');
      await this.approveCase(board, ex.id, c.id, { version: String(after.version) });
      const project = await this.createProject(actor, ex.id, {
        caseId: c.id,
        name: 'Consolidate accounts payable',
        startsOn: '1 April 2010',
        endsOn: '31 March 2011',
      });
      const system = await this.createProject(actor, ex.id, {
        caseId: c.id,
        name: 'New finance system',
        startsOn: '1 June 2010',
        endsOn: '31 December 2010',
      });
      await this.createProject(actor, ex.id, {
        caseId: c.id,
        name: 'Move suppliers to e-invoicing',
        startsOn: '1 January 2011',
        endsOn: '30 September 2011',
        dependsOn: [system.id],
      });
      await this.createMilestone(actor, ex.id, {
        projectId: project.id,
        description: 'Central accounts payable team in place',
        dueOn: '30 September 2010',
      });
      await this.createMilestone(actor, ex.id, {
        projectId: system.id,
        description: 'Finance system live',
        dueOn: '1 December 2010',
      });
      // Two savings on the consolidation in its first year, together within its central figure:
      // one realised (and verified), a larger one approved and still to come.
      const hundreds = (fraction: number) => String(Math.floor((yearly * fraction) / 100) * 100);
      await this.createSaving(actor, ex.id, {
        opportunityId: consolidation.id,
        financialYear: '2010/11',
        stage: 'approved',
        amount: hundreds(0.55),
        cashable: 'yes',
        recurring: 'yes',
        additional: 'yes',
        note: ILLUSTRATIVE,
      });
      const realised = await this.createSaving(actor, ex.id, {
        opportunityId: consolidation.id,
        financialYear: '2010/11',
        stage: 'realised',
        amount: hundreds(0.4),
        cashable: 'yes',
        recurring: 'yes',
        additional: 'yes',
        note: ILLUSTRATIVE,
      });
      await this.verifySaving(auditor, ex.id, realised.id, { version: String(realised.version) });
      const agreement = await this.createAgreement(actor, ex.id, { reading: 'B' });
      await this.evaluate(board, ex.id, agreement.id, { evaluatedOn: '31 March 2011' });
    },
  };
}

export type EfficiencyService = ReturnType<typeof createEfficiencyService>;
