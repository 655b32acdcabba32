// The computed status of an indicator's value against its target, on the organisation's own
// status scale, with the sentence that answers "why is this amber?" — and the officer's
// override, which keeps the computed status beside the chosen one.
//
// Three outcomes, then a scale. The rule decides only whether a value is ON target (meets or
// beats it; inside the range for a band), NEAR (worse, but within the tolerance; the boundary
// itself counts as near) or OFF (beyond the tolerance). The outcomes then map onto any ordered
// scale, best first, of any length ≥ 1:
//   on → the first (best) status;  off → the last (worst);
//   near → the middle status, position ⌈(n − 1) / 2⌉: Amber of Red/Amber/Green; on a scale
//   with two middles, the worse of them; on a two-status scale (Met/Not met), the worse status,
//   because a value short of its target has not met it. A computed status never flatters.
// An organisation may instead name the status for any outcome by key (the rest keep their
// default), provided the order holds: on is never worse than near, near never worse than off.
//
// Tolerances: a percentage is of the target's magnitude (5% of a 95% target is 4.75 points; of
// a −10 target, 0.5) — of the near end of the range for a band — and an absolute tolerance is
// in the indicator's own units. Percentages are held as whole basis points and every boundary
// is an exact fraction compared in bigint, so 90.25 is exactly the boundary of 95.0 less 5%.
// A percentage tolerance of a zero target is zero: use an absolute tolerance for those.

import type { Polarity, Scaled, Target, Unit, Issue } from './indicator.ts';
import {
  formatBasisPoints,
  formatDifference,
  formatExact,
  formatValue,
  isRange,
  percentToBasisPoints,
  polarityPhrase,
} from './indicator.ts';
import { ValidationError } from '../errors.ts';

export type StatusRule = { kind: 'percent'; nearWithinPercent: number } | { kind: 'absolute'; nearWithin: Scaled };

export type TargetOutcome = 'on' | 'near' | 'off';
export const OUTCOMES: readonly TargetOutcome[] = ['on', 'near', 'off'];

/** A status key for any outcome the organisation wants to name; the others keep the default. */
export type StatusMapping = Partial<Record<TargetOutcome, string>>;

/** What the rules need of a status (both StatusDefinition and Status have it). */
export interface ScaleEntry {
  key: string;
  label: string;
}

export type NotRatedReason = 'no-polarity' | 'no-actual' | 'no-target' | 'target-mismatch';

export type StatusAssessment<S extends ScaleEntry> =
  | {
      rated: true;
      outcome: TargetOutcome;
      status: S;
      /** "Amber because 93.1% is below the target of 95.0% but within the 5% tolerance (90.25%)". */
      explanation: string;
      rule: StatusRule;
      /** The tolerance boundary that was compared against, as shown in the explanation. */
      boundary: string | undefined;
      mappedBy: 'default' | 'organisation';
    }
  | { rated: false; reason: NotRatedReason; explanation: string; rule: StatusRule };

export interface StatusInput<S extends ScaleEntry> {
  polarity: Polarity;
  unit: Unit;
  actual: Scaled | undefined;
  target: Target | undefined;
  rule: StatusRule;
  scale: readonly S[];
  mapping?: StatusMapping;
}

// ---------------------------------------------------------------------------------------------
// Outcomes onto a scale

export function defaultPosition(outcome: TargetOutcome, length: number): number {
  if (outcome === 'on') return 0;
  if (outcome === 'off') return length - 1;
  return Math.ceil((length - 1) / 2);
}

/** Problems with an organisation's mapping, as field paths (`mapping.near`). */
export function checkStatusMapping(scale: readonly ScaleEntry[], mapping: StatusMapping = {}): Issue[] {
  if (scale.length === 0) return [{ field: 'scale', message: 'A status scale needs at least one status' }];
  const issues: Issue[] = [];
  const positions = OUTCOMES.map((o) => {
    const key = mapping[o];
    if (key === undefined) return defaultPosition(o, scale.length);
    const i = scale.findIndex((s) => s.key === key);
    if (i < 0) issues.push({ field: `mapping.${o}`, message: `"${key}" is not a status on this scale` });
    return i;
  });
  if (issues.length > 0) return issues;
  const [on, near, off] = positions as [number, number, number];
  const label = (i: number) => scale[i]!.label;
  if (on > near)
    issues.push({
      field: 'mapping.near',
      message: `Near target (${label(near)}) cannot be better than on target (${label(on)})`,
    });
  if (near > off)
    issues.push({
      field: 'mapping.off',
      message: `Off target (${label(off)}) cannot be better than near target (${label(near)})`,
    });
  return issues;
}

/** The status each outcome maps to; throws RangeError when the mapping does not fit the scale. */
export function resolveStatusMapping<S extends ScaleEntry>(
  scale: readonly S[],
  mapping: StatusMapping = {},
): Record<TargetOutcome, S> {
  const issues = checkStatusMapping(scale, mapping);
  if (issues.length > 0) throw new RangeError(issues.map((i) => i.message).join('; '));
  const pick = (o: TargetOutcome): S => {
    const key = mapping[o];
    return key === undefined ? scale[defaultPosition(o, scale.length)]! : scale.find((s) => s.key === key)!;
  };
  return { on: pick('on'), near: pick('near'), off: pick('off') };
}

// ---------------------------------------------------------------------------------------------
// The rule

/** Problems with a rule's settings, as field paths. */
export function checkStatusRule(rule: StatusRule): Issue[] {
  if (rule.kind === 'percent') {
    try {
      percentToBasisPoints(rule.nearWithinPercent, 'The tolerance');
    } catch (e) {
      return [{ field: 'rule.nearWithinPercent', message: (e as Error).message }];
    }
    return rule.nearWithinPercent > 100
      ? [{ field: 'rule.nearWithinPercent', message: 'The tolerance cannot be more than 100%' }]
      : [];
  }
  if (!Number.isSafeInteger(rule.nearWithin) || rule.nearWithin < 0) {
    return [
      {
        field: 'rule.nearWithin',
        message: 'The tolerance must be a whole number of the indicator’s smallest unit, zero or more',
      },
    ];
  }
  return [];
}

/** An exact value n/d of the unit's smallest step. */
interface Exact {
  n: bigint;
  d: bigint;
}

function tolerance(rule: StatusRule, reference: Scaled): Exact {
  if (rule.kind === 'absolute') return { n: BigInt(rule.nearWithin), d: 1n };
  const bp = percentToBasisPoints(rule.nearWithinPercent, 'The tolerance');
  return { n: BigInt(Math.abs(reference)) * BigInt(bp), d: 10_000n };
}

const shift = (x: Scaled, t: Exact, direction: 1 | -1): Exact => ({
  n: BigInt(x) * t.d + BigInt(direction) * t.n,
  d: t.d,
});
/** Compares a whole value with an exact one: −1, 0, 1. */
function compare(a: Scaled, e: Exact): number {
  const l = BigInt(a) * e.d;
  return l < e.n ? -1 : l > e.n ? 1 : 0;
}

function tolerancePhrase(rule: StatusRule, unit: Unit): string {
  return rule.kind === 'percent'
    ? `the ${formatBasisPoints(percentToBasisPoints(rule.nearWithinPercent))} tolerance`
    : `the tolerance of ${formatDifference(rule.nearWithin, unit)}`;
}

function noToleranceNote(rule: StatusRule, reference: Scaled): string {
  if (rule.kind === 'percent' && rule.nearWithinPercent > 0 && reference === 0)
    return ', and a percentage tolerance of a zero target is zero';
  return ', with no tolerance';
}

interface Judgement {
  outcome: TargetOutcome;
  /** The clause after the value: "is below the target of 95.0%". */
  position: string;
  boundary: Exact | undefined;
  reference: Scaled;
  better: boolean;
}

function judge(
  polarity: 'higher' | 'lower' | 'band',
  actual: Scaled,
  target: Target,
  rule: StatusRule,
  unit: Unit,
): Judgement {
  const v = (x: Scaled) => formatValue(x, unit);
  if (isRange(target)) {
    const range = `the target range of ${v(target.low)} to ${v(target.high)}`;
    if (actual >= target.low && actual <= target.high)
      return {
        outcome: 'on',
        position: `is inside ${range}`,
        boundary: undefined,
        reference: target.low,
        better: false,
      };
    const below = actual < target.low;
    const reference = below ? target.low : target.high;
    const boundary = shift(reference, tolerance(rule, reference), below ? -1 : 1);
    const within = below ? compare(actual, boundary) >= 0 : compare(actual, boundary) <= 0;
    return {
      outcome: within ? 'near' : 'off',
      position: `is ${below ? 'below' : 'above'} ${range}`,
      boundary,
      reference,
      better: false,
    };
  }
  const sense = polarity === 'higher' ? 1 : -1;
  const t = `the target of ${v(target)}`;
  if (actual === target)
    return { outcome: 'on', position: `meets ${t}`, boundary: undefined, reference: target, better: false };
  const worseWord = sense === 1 ? 'below' : 'above';
  const betterWord = sense === 1 ? 'above' : 'below';
  if ((actual - target) * sense > 0)
    return { outcome: 'on', position: `is ${betterWord} ${t}`, boundary: undefined, reference: target, better: true };
  const boundary = shift(target, tolerance(rule, target), sense === 1 ? -1 : 1);
  const within = compare(actual, boundary) * sense >= 0;
  return {
    outcome: within ? 'near' : 'off',
    position: `is ${worseWord} ${t}`,
    boundary,
    reference: target,
    better: false,
  };
}

/**
 * The status a value earns against its target, with the sentence that explains it and the rule
 * used. No status (rated: false, with the reason) for a volumetric indicator, a missing actual
 * or target, or a target that does not fit the polarity.
 */
export function computeStatus<S extends ScaleEntry>(input: StatusInput<S>): StatusAssessment<S> {
  const { polarity, unit, actual, target, rule } = input;
  const ruleIssues = checkStatusRule(rule);
  if (ruleIssues.length > 0) throw new RangeError(ruleIssues[0]!.message);
  const statuses = resolveStatusMapping(input.scale, input.mapping);
  const none = (reason: NotRatedReason, why: string): StatusAssessment<S> => ({
    rated: false,
    reason,
    explanation: `No status: ${why}`,
    rule,
  });

  if (polarity === 'none')
    return none('no-polarity', 'this indicator has no target; it is volumetric (for information)');
  if (actual === undefined) return none('no-actual', 'there is no actual value for this period');
  if (target === undefined) return none('no-target', 'there is no target for this period');
  if (polarity === 'band' && !isRange(target))
    return none('target-mismatch', `the target is a single value, but this indicator is best within a target range`);
  if (polarity !== 'band' && isRange(target))
    return none('target-mismatch', `the target is a range, but for this indicator ${polarityPhrase(polarity)}`);
  if (isRange(target) && target.low > target.high) {
    return none(
      'target-mismatch',
      `the target range runs from ${formatValue(target.low, unit)} down to ${formatValue(target.high, unit)}`,
    );
  }

  const j = judge(polarity, actual, target, rule, unit);
  const status = statuses[j.outcome];
  const boundary = j.boundary ? formatExact(j.boundary.n, j.boundary.d, unit) : undefined;
  const zeroWidth = j.boundary !== undefined && j.boundary.n === BigInt(j.reference) * j.boundary.d;
  const head = `${status.label} because ${formatValue(actual, unit)} ${j.position}`;
  let explanation: string;
  if (j.outcome === 'on') explanation = j.better ? `${head}, and ${polarityPhrase(polarity)}` : head;
  else if (zeroWidth) explanation = `${head}${noToleranceNote(rule, j.reference)}`;
  else
    explanation = `${head} ${j.outcome === 'near' ? 'but within' : 'and outside'} ${tolerancePhrase(rule, unit)} (${boundary})`;
  return {
    rated: true,
    outcome: j.outcome,
    status,
    explanation,
    rule,
    boundary,
    mappedBy: input.mapping && Object.values(input.mapping).some((k) => k !== undefined) ? 'organisation' : 'default',
  };
}

/** The ordered list position of a status (0 is best), for comparing two assessments. */
export function positionOf(scale: readonly ScaleEntry[], status: ScaleEntry): number {
  return scale.findIndex((s) => s.key === status.key);
}

// ---------------------------------------------------------------------------------------------
// Overrides

export const MAX_OVERRIDE_REASON = 2_000;

export interface StatusOverride<S extends ScaleEntry> {
  computed: StatusAssessment<S>;
  chosen: S;
  reason: string;
  /** False when the officer confirmed the computed status. */
  differs: boolean;
  /** "Amber, chosen instead of the computed Green: the March figures are provisional". */
  explanation: string;
}

/**
 * Records an officer's chosen status. The reason is required (ValidationError on field
 * `reason`), and the computed assessment is kept beside the choice, never replaced.
 */
export function overrideStatus<S extends ScaleEntry>(
  computed: StatusAssessment<S>,
  chosenKey: string,
  reason: string,
  scale: readonly S[],
): StatusOverride<S> {
  const chosen = scale.find((s) => s.key === chosenKey);
  if (!chosen) throw ValidationError.single('status', `"${chosenKey}" is not a status on this organisation’s scale`);
  const why = reason.trim().replace(/\s+/g, ' ');
  if (why === '') throw ValidationError.single('reason', `Give the reason for choosing ${chosen.label}`);
  if (why.length > MAX_OVERRIDE_REASON)
    throw ValidationError.single(
      'reason',
      `The reason must be ${MAX_OVERRIDE_REASON.toLocaleString('en-GB')} characters or fewer`,
    );
  const differs = !computed.rated || computed.status.key !== chosen.key;
  const explanation = !computed.rated
    ? `${chosen.label}, chosen by the officer (no status could be computed: ${computed.explanation.replace(/^No status: /, '')}): ${why}`
    : differs
      ? `${chosen.label}, chosen by the officer instead of the computed ${computed.status.label}: ${why}`
      : `${chosen.label}, as computed and confirmed by the officer: ${why}`;
  return { computed, chosen, reason: why, differs, explanation };
}

/** The status to show: the officer's choice if there is one, else the computed status. */
export function shownStatus<S extends ScaleEntry>(x: StatusAssessment<S> | StatusOverride<S>): S | undefined {
  if ('chosen' in x) return x.chosen;
  return x.rated ? x.status : undefined;
}
