// Which calculator of src/domain/diagnostic/levers.ts an opportunity's lever uses, and the figures
// it takes from the exercise's baseline (issue 12): the efficiency service's bridge between the
// diagnostic's data and a saving. The baseline is typed structurally (see DiagnosticsPort), so a
// missing part of it is a refusal naming what is missing, never a crash.

import type { BasisPoints } from '../../domain/diagnostic/decimal.ts';
import { type Money, pence } from '../../domain/diagnostic/money.ts';
import type { Fte } from '../../domain/diagnostic/baseline.ts';
import type { BenchmarkSet } from '../../domain/diagnostic/quartiles.ts';
import { type Lever, dispersedTransactionalPay } from '../../domain/diagnostic/programme.ts';
import {
  type LeverResult,
  automationLever,
  consolidationLever,
  percentageGapLever,
  spansAndLayersLever,
  staffingRatioLever,
  unitCostGapLever,
} from '../../domain/diagnostic/levers.ts';
import type { BenchmarkRecord } from './efficiency.repository.ts';

/** The pool of the spans-and-layers lever: every post that manages another, wherever it sits. */
export const MANAGERS_POOL = 'MANAGERS';

/** The parts of an exercise's baseline the levers read (ExerciseBaseline in the diagnostic module). */
export interface LeverBaseline {
  spans?: { managers: number; workers: number; reports: number };
  managerPay?: number;
  unitCosts?: Record<string, { volume: number; driver: string; unitCost: number } | undefined>;
  shareOfRunningCosts?: Record<string, number | undefined>;
  byFunction?: Record<string, { fte: number; payCost: number } | undefined>;
  byProcessAndUnit?: Record<string, Record<string, { payCost: number }>>;
  processFragmentation?: Record<string, { centralUnitId?: string | undefined }>;
  orgUnits?: { id: string; parentId?: string | undefined }[];
}

export interface LeverExercise {
  runningCosts: Money;
  headcount: number | null;
  taxonomy: {
    functions: readonly { code: string; name: string }[];
    processes: readonly { code: string; name: string; functionCode: string; type?: string }[];
  };
}

export interface LeverAssumptions {
  lever: Lever;
  costPool: string;
  achievability: BasisPoints;
  targetSpan: number;
  realisation: BasisPoints;
  shiftedShare: BasisPoints;
  targetUnitCost: Money | null;
}

const refuse = (field: string, reason: string): LeverResult => ({ ok: false, field, reason });

const toSet = (b: BenchmarkRecord): BenchmarkSet => ({
  source: b.source,
  year: b.year,
  peerGroup: b.peerGroup,
  n: b.n,
  illustrative: b.illustrative,
  p25: b.p25,
  p50: b.p50,
  p75: b.p75,
});

/** The assumptions a lever rests on, to store beside its figures (only those it uses). */
export function leverInputs(a: LeverAssumptions): Record<string, string | number> {
  switch (a.lever) {
    case 'spans-and-layers':
      return { targetSpan: a.targetSpan, realisation: a.realisation };
    case 'automation':
      return {
        shiftedShare: a.shiftedShare,
        ...(a.targetUnitCost !== null ? { targetUnitCost: a.targetUnitCost } : {}),
      };
    case 'benchmark-gap':
    case 'consolidation':
      return { achievability: a.achievability };
    default:
      return {};
  }
}

/**
 * The lever worked out from the data, a refusal naming the field and what is missing, or
 * undefined when the lever has no formula (standardisation, sourcing) or a benchmark gap has no
 * benchmark chosen: the officer then enters the figures.
 */
export function workOutLever(
  exercise: LeverExercise,
  baseline: LeverBaseline | undefined,
  a: LeverAssumptions,
  benchmark: BenchmarkRecord | undefined,
): LeverResult | undefined {
  const pool = a.costPool.toUpperCase();
  const process = exercise.taxonomy.processes.find((p) => p.code === pool);
  const fn = exercise.taxonomy.functions.find((f) => f.code === pool);
  const poolName = process ? `${process.code} ${process.name}` : fn ? `${fn.code} ${fn.name}` : pool;
  const noBaseline = (field: string) =>
    refuse(field, 'The exercise has no baseline yet: upload its data, or enter the savings by hand');
  switch (a.lever) {
    case 'spans-and-layers': {
      if (pool !== MANAGERS_POOL)
        return refuse(
          'costPool',
          'Spans and layers saves on manager posts: choose “All manager posts” as the cost pool',
        );
      if (!baseline?.spans || baseline.managerPay === undefined) return noBaseline('lever');
      return spansAndLayersLever({
        managers: baseline.spans.managers,
        workers: baseline.spans.workers,
        reports: baseline.spans.reports,
        managerPay: pence(baseline.managerPay),
        targetSpan: a.targetSpan,
        realisation: a.realisation,
      });
    }
    case 'consolidation': {
      if (!baseline?.byProcessAndUnit || !baseline.processFragmentation) return noBaseline('lever');
      const dispersed = dispersedTransactionalPay(
        {
          processes: exercise.taxonomy.processes.map((p) => ({
            code: p.code,
            functionCode: p.functionCode,
            type: p.type ?? 'T',
          })),
          byProcessAndUnit: baseline.byProcessAndUnit,
          fragmentation: baseline.processFragmentation,
          orgUnits: baseline.orgUnits ?? [],
        },
        pool,
      );
      return consolidationLever({ what: poolName, dispersedPay: dispersed, achievability: a.achievability });
    }
    case 'automation': {
      if (!process)
        return refuse(
          'costPool',
          'Automation and channel shift is worked out for one process: choose a process as the cost pool',
        );
      if (!baseline?.unitCosts) return noBaseline('lever');
      const unit = baseline.unitCosts[process.code];
      if (!unit) return refuse('costPool', `The Volumes sheet gives no volume for ${poolName}, so it has no unit cost`);
      if (a.targetUnitCost === null)
        return refuse('targetUnitCost', 'Enter the target unit cost: what a unit costs once it is shifted');
      if (a.shiftedShare <= 0) return refuse('shiftedShare', 'Enter the share of the volume that would be shifted');
      return automationLever({
        what: poolName,
        volume: unit.volume,
        driver: unit.driver,
        unitCost: pence(unit.unitCost),
        targetUnitCost: a.targetUnitCost,
        share: a.shiftedShare,
      });
    }
    case 'benchmark-gap': {
      if (!benchmark) return undefined;
      const set = toSet(benchmark);
      const unit = benchmark.unit.trim();
      const functionCode = benchmark.functionCode ?? fn?.code ?? process?.functionCode;
      const functionName = exercise.taxonomy.functions.find((f) => f.code === functionCode)?.name ?? functionCode;
      if (unit === '%') {
        const own =
          benchmark.ownValue ??
          (functionCode !== undefined && baseline?.shareOfRunningCosts?.[functionCode] !== undefined
            ? baseline.shareOfRunningCosts[functionCode] * 100
            : undefined);
        if (own === undefined)
          return refuse(
            'benchmarkSetId',
            'The benchmark has no value for this organisation and the baseline gives none: add your value to the benchmark, or enter the savings',
          );
        return percentageGapLever({
          what: functionName ?? benchmark.indicator,
          value: own,
          set,
          direction: benchmark.direction,
          runningCosts: exercise.runningCosts,
          achievability: a.achievability,
        });
      }
      const perThousand = /per\s*1,?000/i.test(unit);
      const perFte = /per\s+(function\s+)?fte/i.test(unit) || /employees?\s+per/i.test(unit);
      if (perThousand || perFte) {
        if (functionCode === undefined)
          return refuse(
            'benchmarkSetId',
            'Give the benchmark a function: a staffing ratio is about one function’s staff',
          );
        const amounts = baseline?.byFunction?.[functionCode];
        if (!amounts) return noBaseline('benchmarkSetId');
        return staffingRatioLever({
          what: functionName ?? functionCode,
          kind: perThousand ? 'fte-per-thousand' : 'employees-per-fte',
          fte: amounts.fte as Fte,
          payCost: pence(amounts.payCost),
          headcount: exercise.headcount ?? 0,
          set,
          direction: benchmark.direction,
          achievability: a.achievability,
        });
      }
      // A unit cost in pounds per unit of the pool process's volume driver.
      if (!process)
        return refuse(
          'costPool',
          `“${benchmark.indicator}” is a unit cost (${unit || 'per unit'}): choose the process it measures as the cost pool, so its volume can be used`,
        );
      const volume = baseline?.unitCosts?.[process.code];
      if (!baseline) return noBaseline('costPool');
      if (!volume) return refuse('costPool', `The Volumes sheet gives no volume for ${poolName}`);
      return unitCostGapLever({
        what: poolName,
        value: benchmark.ownValue ?? volume.unitCost / 100,
        volume: volume.volume,
        driver: volume.driver,
        set,
        direction: benchmark.direction,
        achievability: a.achievability,
      });
    }
    default:
      return undefined;
  }
}
