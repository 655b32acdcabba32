// Performance indicators: definitions linked to priorities, values per reporting period, the
// computed status with the sentence that explains it, an officer's override (the computed
// status is kept beside it), direction of travel, and the series a report draws as a graph.

import type { Actor } from '../../domain/actor.ts';
import { authorize, mayEver } from '../../domain/permissions.ts';
import {
  NotFoundError,
  ValidationError,
  ConflictError,
  StaleVersionError,
  type FieldIssue,
} from '../../domain/errors.ts';
import { parsePeriodKey, periodLabel, type Period } from '../../domain/period.ts';
import type { Status, StatusScales } from '../../domain/status-scale.ts';
import {
  checkIndicator,
  parseValue,
  percentToBasisPoints,
  FREQUENCY_PERIOD_KIND,
  type Unit,
  type Target,
  type Scaled,
} from '../../domain/indicators/indicator.ts';
import {
  computeStatus,
  overrideStatus,
  type StatusAssessment,
  type StatusRule,
} from '../../domain/indicators/status-rule.ts';
import {
  directionsOfTravel,
  previousPeriod,
  samePeriodLastYear,
  type DirectionOfTravel,
} from '../../domain/indicators/direction.ts';
import { parseWith } from '../../platform/validation.ts';
import { loopTurns } from '../../platform/turns.ts';
import type { PlanService } from '../plans/plan.service.ts';
import type { PeriodService } from '../periods/period.service.ts';
import type { OrganisationService, IndicatorDefaults } from '../organisations/organisation.service.ts';
import type {
  IndicatorRepository,
  IndicatorQueries,
  Indicator,
  IndicatorValue,
  RatedIndicator,
  IndicatorValues,
  RatedValue,
  ValueOverride,
} from './indicator.repository.ts';
import { indicatorInput, valueInput, overrideInput, graphsInput, INDICATORS_PER_PAGE } from './indicator.schemas.ts';
import { pageWindow, type PageWindow } from '../../domain/page.ts';

export type { Indicator, IndicatorValue, RatedIndicator } from './indicator.repository.ts';

export class IndicatorNotFoundError extends NotFoundError {
  constructor(code: string) {
    super('INDICATOR_NOT_FOUND', `There is no indicator ${code}`);
  }
}

export const unitOf = (i: Pick<Indicator, 'unitKind' | 'decimalPlaces'>): Unit => ({
  kind: i.unitKind,
  decimalPlaces: i.unitKind === 'money' ? 2 : i.decimalPlaces,
});
/** The rule an indicator's status is computed by, and whether it is the organisation's default. */
export interface EffectiveRule {
  kind: 'percent' | 'absolute';
  value: number;
  fromDefault: boolean;
}
export const effectiveRuleOf = (
  i: Pick<Indicator, 'ruleKind' | 'ruleValue'>,
  defaults: IndicatorDefaults,
): EffectiveRule =>
  i.ruleKind === null || i.ruleValue === null
    ? { kind: defaults.ruleKind, value: defaults.ruleValue, fromDefault: true }
    : { kind: i.ruleKind, value: i.ruleValue, fromDefault: false };
/** The indicator's own rule, or the organisation's default when it has none. */
export const ruleOf = (i: Pick<Indicator, 'ruleKind' | 'ruleValue'>, defaults: IndicatorDefaults): StatusRule => {
  const r = effectiveRuleOf(i, defaults);
  return r.kind === 'percent'
    ? { kind: 'percent', nearWithinPercent: r.value / 100 }
    : { kind: 'absolute', nearWithin: r.value };
};

/** An indicator's latest value in a period, rated (`latestIn`): no directions of travel yet. */
export interface LatestRating {
  indicator: RatedIndicator;
  periodKey: string;
  /** An officer chose the status shown. */
  overridden: boolean;
  computed: StatusAssessment<Status>;
  shown: Status | undefined;
}
/** Every latest value rated, and the whole points of those chosen. */
export interface LatestRatings {
  /** The indicators rated (every one asked for, with a value in the period or not), in code order. */
  indicators: RatedIndicator[];
  ratings: LatestRating[];
  points(chosen: readonly LatestRating[]): Promise<{ indicator: RatedIndicator; point: IndicatorPoint }[]>;
}

/** One period of an indicator with everything a reader needs: status, why, direction. */
export interface IndicatorPoint {
  value: IndicatorValue;
  period: Period;
  label: string;
  target: Target | undefined;
  computed: StatusAssessment<Status>;
  /** The officer's choice when there is one, else the computed status. */
  shown: Status | undefined;
  /** "Amber because 93.1% is below ..." or the officer's reason. */
  why: string;
  sincePrevious: DirectionOfTravel;
  sinceLastYear: DirectionOfTravel;
}

/** A status `keepStatuses` kept as an override: which one it was given, the indicator, its point as it was before, the status. */
export interface KeptStatus {
  /** Its place in the list given. */
  given: number;
  indicator: Indicator;
  point: IndicatorPoint;
  status: Status;
}

export interface IndicatorDefinition {
  values: IndicatorValues;
  priorityIds: string[];
}

/**
 * Reads a definition as the form sends it, without the database: the one parser of definitions,
 * shared by the form and the definitions import. The tolerance is read in the indicator's own
 * unit or as a percentage; the baseline in its unit. `definition` is there whenever the fields
 * themselves could be read; it is only usable when `issues` is empty.
 */
export function readDefinition(input: unknown): { definition: IndicatorDefinition | undefined; issues: FieldIssue[] } {
  let v;
  try {
    v = parseWith(indicatorInput, input);
  } catch (e) {
    if (e instanceof ValidationError) return { definition: undefined, issues: [...e.issues] };
    throw e;
  }
  const unit: Unit = { kind: v.unitKind, decimalPlaces: v.unitKind === 'money' ? 2 : v.decimalPlaces };
  const issues: FieldIssue[] = checkIndicator({
    polarity: v.polarity,
    frequency: v.frequency,
    unit,
    ytd: v.ytdMethod,
  }).map((i) => ({
    field:
      i.field === 'ytd'
        ? 'ytdMethod'
        : i.field === 'decimalPlaces' || i.field === 'unit.decimalPlaces'
          ? 'decimalPlaces'
          : i.field,
    message: i.message,
  }));
  let ruleValue: number | null = null;
  if (v.ruleKind === 'default') {
    // The organisation's default applies: nothing of the indicator's own to read.
  } else if (v.ruleKind === 'percent') {
    const n = Number(v.tolerance.trim().replace(/%$/, ''));
    try {
      ruleValue = percentToBasisPoints(n, 'The tolerance');
    } catch (e) {
      issues.push({ field: 'tolerance', message: `${(e as Error).message.replace(/, not .*$/, '')}, like 5` });
    }
  } else {
    const tolerance = parseValue(v.tolerance, unit);
    if (!tolerance.ok) issues.push({ field: 'tolerance', message: `The tolerance: ${tolerance.reason}` });
    else if (tolerance.value === undefined || tolerance.value < 0)
      issues.push({ field: 'tolerance', message: 'Enter the tolerance as an amount of zero or more' });
    else ruleValue = tolerance.value;
  }
  const baseline = parseValue(v.baseline, unit);
  if (!baseline.ok) issues.push({ field: 'baseline', message: `The baseline: ${baseline.reason}` });
  return {
    issues,
    definition: {
      values: {
        code: v.code,
        title: v.title,
        description: v.description,
        unitKind: v.unitKind,
        decimalPlaces: unit.decimalPlaces,
        polarity: v.polarity,
        frequency: v.frequency,
        ytdMethod: v.ytdMethod,
        ruleKind: v.ruleKind === 'default' ? null : v.ruleKind,
        ruleValue,
        chartKind: v.chartKind,
        ownerId: v.ownerId,
        dataSource: v.dataSource,
        sharedCode: v.sharedCode,
        baseline: baseline.ok ? (baseline.value ?? null) : null,
      },
      priorityIds: [...new Set(v.priorityIds)],
    },
  };
}

export interface IndicatorServiceDeps {
  repo: IndicatorRepository;
  plans: PlanService;
  periods: PeriodService;
  organisations: OrganisationService;
}

export function createIndicatorService({ repo, plans, periods, organisations }: IndicatorServiceDeps) {
  async function get(actor: Actor, code: string, q: IndicatorQueries = repo): Promise<Indicator> {
    authorize(actor, 'indicator.read');
    const i = await q.findByCode(actor.organisationId, code);
    if (!i) throw new IndicatorNotFoundError(code);
    return i;
  }

  /**
   * The indicators given with their points (each as `points` gives them), in a fixed number of
   * statements however many: their values, the scales and the defaults, read once; worked out with
   * the event loop given a turn now and then (12,500 indicators take ~0.3 s). `known` scales are
   * the caller's, already read.
   */
  async function withPoints(
    actor: Actor,
    list: readonly Indicator[],
    known?: StatusScales,
  ): Promise<{ indicator: Indicator; points: IndicatorPoint[] }[]> {
    if (list.length === 0) return [];
    const values = await repo.valuesOf(list.map((i) => i.id));
    const scales = known ?? (await organisations.statusScales(actor));
    const defaults = await organisations.indicatorDefaults(actor);
    const turn = loopTurns();
    const out: { indicator: Indicator; points: IndicatorPoint[] }[] = [];
    for (const indicator of list) {
      await turn();
      out.push({ indicator, points: pointsOf(indicator, values.get(indicator.id) ?? [], scales, defaults) });
    }
    return out;
  }

  /** Parses the definition (see `readDefinition`) and checks the owner and priorities belong to the organisation. */
  async function parseDefinition(actor: Actor, q: IndicatorQueries, input: unknown): Promise<IndicatorDefinition> {
    const { definition, issues } = readDefinition(input);
    if (!definition) throw new ValidationError(issues);
    const { ownerId } = definition.values;
    if (ownerId && !(await q.personBelongs(actor.organisationId, ownerId)))
      issues.push({ field: 'ownerId', message: 'Select the owner from the list' });
    if (!(await q.prioritiesBelong(actor.organisationId, definition.priorityIds)))
      issues.push({ field: 'priorityIds', message: 'Select the priorities from the list' });
    if (issues.length > 0) throw new ValidationError(issues);
    return definition;
  }

  function targetOf(
    i: Pick<Indicator, 'polarity'>,
    v: Pick<IndicatorValue, 'target' | 'targetHigh'>,
  ): Target | undefined {
    if (v.target === null) return undefined;
    return i.polarity === 'band' ? { low: v.target, high: v.targetHigh ?? v.target } : v.target;
  }

  /** Every recorded period of the indicator, oldest first, with status, reasons and direction. */
  function pointsOf(
    i: Indicator,
    values: IndicatorValue[],
    scales: StatusScales,
    defaults: IndicatorDefaults,
  ): IndicatorPoint[] {
    return values.map(pointsAmong(i, values, scales, defaults));
  }

  /**
   * A value's status on the scale in force for its period (ADR 0014): computed by the indicator's
   * rule, and shown (the override's, when the scale has it; else the computed one, when rated).
   * What a point is made of, less its directions of travel.
   */
  function ratingOf(i: RatedIndicator, scales: StatusScales, defaults: IndicatorDefaults) {
    const unit = unitOf(i);
    const rule = ruleOf(i, defaults);
    return (value: RatedValue) => {
      const period = parsePeriodKey(value.periodKey);
      const scale = scales.at(period);
      const target = targetOf(i, value);
      const computed = computeStatus({
        polarity: i.polarity,
        unit,
        actual: value.actual ?? undefined,
        target,
        rule,
        scale,
      });
      const chosen = value.overrideKey ? scale.find((s) => s.key === value.overrideKey) : undefined;
      const shown = chosen ?? (computed.rated ? computed.status : undefined);
      return { period, unit, target, computed, shown };
    };
  }

  /**
   * The point of any one of `values` (the indicator's recorded periods, which its direction of
   * travel compares), its status on the scale in force for its period (ADR 0014).
   */
  function pointsAmong(
    i: RatedIndicator,
    values: IndicatorValue[],
    scales: StatusScales,
    defaults: IndicatorDefaults,
  ): (value: IndicatorValue) => IndicatorPoint {
    const rate = ratingOf(i, scales, defaults);
    const byKey = new Map(values.map((v) => [v.periodKey, v]));
    return (value) => {
      const { period, unit, target, computed, shown } = rate({
        ...value,
        overrideKey: value.override?.statusKey ?? null,
      });
      const travel = directionsOfTravel({
        polarity: i.polarity,
        unit,
        current: value.actual ?? undefined,
        previous: byKey.get(previousPeriod(period).key)?.actual ?? undefined,
        lastYear: byKey.get(samePeriodLastYear(period).key)?.actual ?? undefined,
        ...(i.polarity === 'band' && target && typeof target === 'object' ? { range: target } : {}),
      });
      return {
        value,
        period,
        label: periodLabel(period),
        target,
        computed,
        shown,
        why: value.override ? value.override.explanation : computed.explanation,
        sincePrevious: travel.sincePrevious,
        sinceLastYear: travel.sinceLastYear,
      };
    };
  }

  async function checkPeriod(actor: Actor, i: Indicator, period: Period) {
    if (period.kind !== FREQUENCY_PERIOD_KIND[i.frequency]) {
      throw ValidationError.single(
        'period',
        `${i.code} is reported ${i.frequency}: choose a period of that kind, not ${periodLabel(period)}`,
      );
    }
    const found = await periods.findByKey(actor, period.key);
    if (!found)
      throw ValidationError.single(
        'period',
        `There is no reporting period ${periodLabel(period)}: add it under Reporting periods first`,
      );
    return found;
  }

  /**
   * Writes one period's value (what `next` makes of the value there now), refused when it is no
   * longer the version the writer read, with one audit event (`extra` added to what it records
   * after); the indicator's values as they are now.
   */
  async function writeValue(
    actor: Actor,
    i: Indicator,
    periodId: string,
    version: number | undefined,
    next: (before: IndicatorValue | undefined) => Parameters<IndicatorRepository['upsertValue']>[3],
    extra: Record<string, unknown> = {},
  ): Promise<IndicatorValue[]> {
    const before = (await repo.values(i.id)).find((x) => x.periodId === periodId);
    const written = await repo.upsertValue(actor.organisationId, i.id, periodId, next(before), version);
    if (!written) throw new StaleVersionError('value');
    const values = await repo.values(i.id);
    await repo.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity: 'indicator_value',
      entityId: i.id,
      action: 'update',
      before,
      after: { ...values.find((x) => x.periodId === periodId), ...extra },
    });
    return values;
  }

  const audit = (
    q: IndicatorQueries,
    actor: Actor,
    entityId: string,
    action: 'create' | 'update',
    before: unknown,
    after: unknown,
  ) =>
    q.audit({
      organisationId: actor.organisationId,
      actor: actor.label,
      entity: 'indicator',
      entityId,
      action,
      before,
      after,
    });

  return {
    get,
    findByCode: async (actor: Actor, code: string) => {
      authorize(actor, 'indicator.read');
      return repo.findByCode(actor.organisationId, code);
    },
    /** The organisation's indicators in code order: those of a priority, or (`ids`) those of these ids only. */
    async list(actor: Actor, filter: { priorityCode?: string; ids?: readonly string[] } = {}): Promise<Indicator[]> {
      authorize(actor, 'indicator.read');
      const priorityId = filter.priorityCode ? (await plans.getPriority(actor, filter.priorityCode)).id : undefined;
      return repo.list(actor.organisationId, {
        ...(priorityId ? { priorityId } : {}),
        ...(filter.ids ? { ids: filter.ids } : {}),
      });
    },

    /**
     * One page of the indicator list in code order (issue 14, "lists paginated"): counted and read
     * in SQL, so the page costs the same statements at any size; a page past the last is the last.
     */
    async page(
      actor: Actor,
      page: number | undefined,
      pageSize = INDICATORS_PER_PAGE,
    ): Promise<{ items: Indicator[]; window: PageWindow }> {
      authorize(actor, 'indicator.read');
      const window = pageWindow(await repo.count(actor.organisationId), page, pageSize);
      const items = window.total === 0 ? [] : await repo.listPage(actor.organisationId, window.offset, window.limit);
      return { items, window };
    },

    async create(actor: Actor, input: unknown): Promise<Indicator> {
      authorize(actor, 'indicator.edit');
      const { values, priorityIds } = await parseDefinition(actor, repo, input);
      if (await repo.findByCode(actor.organisationId, values.code))
        throw ValidationError.single('code', `There is already an indicator with the code ${values.code}`);
      const id = await repo.insert(actor.organisationId, values, priorityIds);
      const after = (await repo.findByCode(actor.organisationId, values.code))!;
      await audit(repo, actor, id, 'create', undefined, after);
      return after;
    },

    async update(actor: Actor, code: string, input: unknown): Promise<Indicator> {
      authorize(actor, 'indicator.edit');
      const version = parseWith(indicatorInput.pick({ version: true }), input).version;
      const before = await get(actor, code, repo);
      const { values, priorityIds } = await parseDefinition(actor, repo, input);
      const clash = await repo.findByCode(actor.organisationId, values.code);
      if (clash && clash.id !== before.id)
        throw ValidationError.single('code', `There is already an indicator with the code ${values.code}`);
      if ((await repo.values(before.id)).length > 0) {
        if (values.unitKind !== before.unitKind || values.decimalPlaces !== before.decimalPlaces) {
          throw ValidationError.single(
            'unitKind',
            'The unit and decimal places cannot change once values are recorded: the stored values would change meaning',
          );
        }
        if (values.frequency !== before.frequency) {
          throw ValidationError.single(
            'frequency',
            'How often it is reported cannot change once values are recorded: they belong to periods of the old kind',
          );
        }
      }
      if (!(await repo.update(actor.organisationId, before.id, version ?? before.version, values, priorityIds))) {
        throw new ConflictError(
          'STALE_VERSION',
          'Someone else changed this indicator while you were editing it. Your changes have not been saved: reload the page and make them again.',
        );
      }
      const after = (await repo.findByCode(actor.organisationId, values.code))!;
      await audit(repo, actor, before.id, 'update', before, after);
      return after;
    },

    /** Records the actual, target and comment of one period (blank means no value). */
    async setValue(actor: Actor, code: string, input: unknown): Promise<IndicatorPoint[]> {
      authorize(actor, 'indicator.edit');
      const i = await get(actor, code);
      const v = parseWith(valueInput, input);
      const period = await checkPeriod(actor, i, v.period);
      const scales = await organisations.statusScales(actor);
      const defaults = await organisations.indicatorDefaults(actor);
      const unit = unitOf(i);
      const issues: FieldIssue[] = [];
      const read = (field: 'actual' | 'target' | 'targetHigh', text: string, name: string): Scaled | null => {
        const parsed = parseValue(text, unit);
        if (!parsed.ok) {
          issues.push({ field, message: `The ${name}: ${parsed.reason}` });
          return null;
        }
        return parsed.value ?? null;
      };
      const actual = read('actual', v.actual, 'actual');
      const target =
        i.polarity === 'none'
          ? null
          : read('target', v.target, i.polarity === 'band' ? 'bottom of the target range' : 'target');
      const targetHigh = i.polarity === 'band' ? read('targetHigh', v.targetHigh, 'top of the target range') : null;
      if (i.polarity === 'none' && v.target.trim() !== '')
        issues.push({
          field: 'target',
          message: `${i.code} has no target (it is for information): leave the target blank`,
        });
      if (i.polarity === 'band' && (target === null) !== (targetHigh === null))
        issues.push({ field: 'targetHigh', message: 'Give both ends of the target range, or neither' });
      if (i.polarity === 'band' && target !== null && targetHigh !== null && target > targetHigh)
        issues.push({ field: 'targetHigh', message: 'The top of the target range must not be below its bottom' });
      if (issues.length > 0) throw new ValidationError(issues);
      const values = await writeValue(actor, i, period.id, v.version, () => ({
        actual,
        target,
        targetHigh,
        comment: v.comment,
      }));
      return pointsOf(i, values, scales, defaults);
    },

    /**
     * A partner's value of an indicator it supplies to the indicator's owner (issue 11): the actual
     * and comment of one period, the owner's target kept. The same rules as `setValue` (the period's
     * kind and existence, the unit, the version read, one audit event); `actor` acts for the owner
     * (the sharing module's reader, labelled with the person and their organisation), and the
     * audit event also names the `supplier` organisation, so the owner can list what it entered.
     */
    async supplyValue(
      actor: Actor,
      code: string,
      input: unknown,
      supplier: { organisationId: string; name: string },
    ): Promise<IndicatorPoint[]> {
      authorize(actor, 'indicator.edit');
      const i = await get(actor, code);
      const v = parseWith(valueInput.pick({ period: true, actual: true, comment: true, version: true }), input);
      const period = await checkPeriod(actor, i, v.period);
      const parsed = parseValue(v.actual, unitOf(i));
      if (!parsed.ok) throw ValidationError.single('actual', `The actual: ${parsed.reason}`);
      if (parsed.value === undefined)
        throw ValidationError.single('actual', `Enter the actual of ${i.code} for ${periodLabel(v.period)}`);
      const actual = parsed.value;
      const values = await writeValue(
        actor,
        i,
        period.id,
        v.version,
        (before) => ({
          actual,
          target: before?.target ?? null,
          targetHigh: before?.targetHigh ?? null,
          comment: v.comment,
        }),
        { supplier },
      );
      return pointsOf(i, values, await organisations.statusScales(actor), await organisations.indicatorDefaults(actor));
    },

    /** An officer's status for one period, with a reason; an empty status goes back to the computed one. */
    async overrideStatus(actor: Actor, code: string, input: unknown): Promise<IndicatorPoint[]> {
      authorize(actor, 'indicator.edit');
      const i = await get(actor, code);
      const v = parseWith(overrideInput, input);
      const scales = await organisations.statusScales(actor);
      // The status is one of the scale in force for the value's period.
      const scale = scales.at(v.period);
      const defaults = await organisations.indicatorDefaults(actor);
      const values = await repo.values(i.id);
      const value = values.find((x) => x.periodKey === v.period.key);
      if (!value)
        throw ValidationError.single(
          'period',
          `${i.code} has no value for ${periodLabel(v.period)} yet: record it first`,
        );
      const computed = computeStatus({
        polarity: i.polarity,
        unit: unitOf(i),
        actual: value.actual ?? undefined,
        target: targetOf(i, value),
        rule: ruleOf(i, defaults),
        scale,
      });
      const version = v.version ?? value.version;
      const written =
        v.status === ''
          ? await repo.setOverride(value.id, null, version)
          : await (() => {
              const o = overrideStatus(computed, v.status, v.reason, scale);
              return repo.setOverride(
                value.id,
                {
                  statusKey: o.chosen.key,
                  reason: o.reason,
                  computedKey: computed.rated ? computed.status.key : null,
                  explanation: o.explanation,
                },
                version,
              );
            })();
      if (!written) throw new StaleVersionError('value');
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'indicator_value',
        entityId: value.id,
        action: 'update',
        before: value.override,
        after: v.status === '' ? null : { status: v.status, reason: v.reason },
      });
      return pointsOf(i, await repo.values(i.id), scales, defaults);
    },

    /** The indicator's points, and the rule they were computed by (its own or the organisation's default). */
    async points(
      actor: Actor,
      code: string,
    ): Promise<{ indicator: Indicator; points: IndicatorPoint[]; rule: EffectiveRule }> {
      const indicator = await get(actor, code);
      const defaults = await organisations.indicatorDefaults(actor);
      return {
        indicator,
        rule: effectiveRuleOf(indicator, defaults),
        points: pointsOf(indicator, await repo.values(indicator.id), await organisations.statusScales(actor), defaults),
      };
    },

    /**
     * Keeps statuses given for recorded values (an import's file) as overrides with their reasons,
     * where each differs from the status Amber shows for the period (computed, or an earlier
     * override), so that the computed status stays beside it: in a fixed number of statements
     * however many (one `overrideStatus` per status was eight). A status Amber already shows, or
     * for a period with no value, is left. Each is audited as an override chosen in the form is.
     * Returns what was kept, in the order given: the indicator, its point as it was, the status.
     * Throws StaleVersionError, writing nothing it could stop, if a value changed since it was read.
     */
    async keepStatuses(
      actor: Actor,
      wanted: readonly { indicatorId: string; periodKey: string; statusKey: string; reason: string }[],
    ): Promise<KeptStatus[]> {
      authorize(actor, 'indicator.edit');
      if (wanted.length === 0) return [];
      const found = await repo.listByIds(actor.organisationId, [...new Set(wanted.map((w) => w.indicatorId))]);
      const scales = await organisations.statusScales(actor);
      const shown = new Map((await withPoints(actor, [...found.values()], scales)).map((e) => [e.indicator.id, e]));
      const kept: KeptStatus[] = [];
      const writes: { valueId: string; version: number; override: ValueOverride }[] = [];
      const events: Parameters<IndicatorRepository['auditMany']>[0][number][] = [];
      wanted.forEach((w, given) => {
        const e = shown.get(w.indicatorId);
        const point = e?.points.find((p) => p.period.key === w.periodKey);
        if (!e || !point || point.shown?.key === w.statusKey) return;
        const o = overrideStatus(point.computed, w.statusKey, w.reason, scales.at(point.period));
        const override = {
          statusKey: o.chosen.key,
          reason: o.reason,
          computedKey: point.computed.rated ? point.computed.status.key : null,
          explanation: o.explanation,
        };
        writes.push({ valueId: point.value.id, version: point.value.version, override });
        events.push({
          organisationId: actor.organisationId,
          actor: actor.label,
          entity: 'indicator_value',
          entityId: point.value.id,
          action: 'update',
          before: point.value.override,
          after: { status: override.statusKey, reason: override.reason },
        });
        kept.push({ given, indicator: e.indicator, point, status: o.chosen });
      });
      if ((await repo.setOverrides(actor.organisationId, writes)).length > 0) throw new StaleVersionError('value');
      await repo.auditMany(events);
      return kept;
    },

    /**
     * Every indicator of the organisation with its points (each as `points` gives them), in a
     * fixed number of statements however many indicators there are: for what lists every value
     * (open data).
     */
    async allPoints(actor: Actor): Promise<{ indicator: Indicator; points: IndicatorPoint[] }[]> {
      authorize(actor, 'indicator.read');
      return withPoints(actor, await repo.list(actor.organisationId));
    },

    /**
     * Every indicator's latest value inside the period, rated (the dashboard's indicators off
     * target), in two steps: `ratings`, one narrow row per indicator with a value there, rated as
     * its own page rates it, in a fixed number of statements whatever their number; then `points`
     * of those the caller chooses (a page of a list), with their directions of travel, from their
     * values around the period in one more statement. The same scales, defaults and period for both.
     * With `only`, those indicators alone (the dashboard's changed since it was kept, ADR 0029).
     */
    async latestIn(
      actor: Actor,
      period: Pick<Period, 'startsOn' | 'endsOn'>,
      only?: readonly string[],
    ): Promise<LatestRatings> {
      authorize(actor, 'indicator.read');
      const all = await repo.listForRating(actor.organisationId, only);
      // None at all: nothing to rate or show. (None of a few asked for: their points are still
      // wanted of others, so the scales and defaults are read all the same.)
      if (all.length === 0 && !only) return { indicators: [], ratings: [], points: () => Promise.resolve([]) };
      const latest = await repo.latestValuesIn(actor.organisationId, period, only);
      const scales = await organisations.statusScales(actor);
      const defaults = await organisations.indicatorDefaults(actor);
      const ratings: LatestRating[] = [];
      for (const indicator of all) {
        const value = latest.get(indicator.id);
        if (!value) continue;
        const { computed, shown } = ratingOf(indicator, scales, defaults)(value);
        ratings.push({
          indicator,
          periodKey: value.periodKey,
          overridden: value.overrideKey !== null,
          computed,
          shown,
        });
      }
      return {
        indicators: all,
        ratings,
        async points(chosen) {
          const values = await repo.valuesAround(
            actor.organisationId,
            period,
            chosen.map((r) => r.indicator.id),
          );
          return chosen.flatMap(({ indicator, periodKey }) => {
            const own = values.get(indicator.id) ?? [];
            // The value rated; gone only if it was deleted since (a later view shows the change).
            const value = own.find((v) => v.periodKey === periodKey);
            return value ? [{ indicator, point: pointsAmong(indicator, own, scales, defaults)(value) }] : [];
          });
        },
      };
    },

    /** The indicators a report shows as graphs, each with its points up to the report's period (the last 8). */
    async graphsForReport(
      actor: Actor,
      reportId: string,
      upTo: Period,
    ): Promise<{ indicator: Indicator; points: IndicatorPoint[] }[]> {
      authorize(actor, 'report.read', { published: true });
      // Only the report's own indicators, and all their values in one statement.
      const chosen = await repo.listReportGraphs(actor.organisationId, reportId);
      if (chosen.length === 0) return [];
      const values = await repo.valuesOf(chosen.map((i) => i.id));
      const scales = await organisations.statusScales(actor);
      const defaults = await organisations.indicatorDefaults(actor);
      return chosen.map((indicator) => ({
        indicator,
        points: pointsOf(indicator, values.get(indicator.id) ?? [], scales, defaults)
          .filter((p) => p.period.endsOn <= upTo.endsOn)
          .slice(-8),
      }));
    },
    reportGraphIds: (reportId: string) => repo.reportGraphIds(reportId),

    /** Chooses which of the priority's indicators the report shows as graphs, in the order given. */
    async chooseGraphs(actor: Actor, reportId: string, priorityId: string, input: unknown): Promise<void> {
      // The reports module checks this person may edit this report; here, that they may edit reports at all.
      if (!mayEver(actor, 'report.edit')) authorize(actor, 'report.edit');
      const { indicators } = parseWith(graphsInput, input);
      const linked = new Set((await repo.list(actor.organisationId, { priorityId })).map((i) => i.id));
      if (indicators.some((id) => !linked.has(id)))
        throw ValidationError.single('indicators', 'Select graphs from the indicators linked to this priority');
      const before = await repo.reportGraphIds(reportId);
      await repo.setReportGraphs(actor.organisationId, reportId, [...new Set(indicators)]);
      await repo.audit({
        organisationId: actor.organisationId,
        actor: actor.label,
        entity: 'progress_report',
        entityId: reportId,
        action: 'update',
        before: { graphs: before },
        after: { graphs: indicators },
      });
    },
  };
}

export type IndicatorService = ReturnType<typeof createIndicatorService>;
