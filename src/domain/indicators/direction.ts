// Direction of travel: is this period's value better or worse than an earlier one — the
// previous period, or the same period last year — for this indicator's polarity?
//
// The arrow shows which way the VALUE moved (↑ up, ↓ down, → no change beyond the tolerance)
// and the words say whether that is an improvement, so for lower-is-better indicators a fall
// reads "↓ Improved" — never a rising arrow beside a falling number, and never colour alone.
// A change no bigger than the no-change tolerance (absolute, or a percentage of the earlier
// value) is `unchanged`. For a band, nearer the range is better and any two values inside it
// are unchanged. A volumetric indicator (polarity `none`) moves up or down but is neither
// better nor worse: `not comparable`, with the movement still given.

import type { Polarity, Scaled, TargetRange, Unit } from './indicator.ts';
import { formatBasisPoints, formatDifference, formatValue, percentToBasisPoints, polarityPhrase } from './indicator.ts';
import { type Period, makePeriod } from '../period.ts';

export type Direction = 'improved' | 'worsened' | 'unchanged' | 'not comparable';
export type Movement = 'up' | 'down' | 'level';

export type NoChangeTolerance = { kind: 'absolute'; within: Scaled } | { kind: 'percent'; withinPercent: number };

export interface DirectionInput {
  polarity: Polarity;
  unit: Unit;
  current: Scaled | undefined;
  earlier: Scaled | undefined;
  /** For a band indicator, the range that "nearer" is judged by (the current period's). */
  range?: TargetRange;
  /** Changes this small count as no change; exact comparison when absent. */
  noChange?: NoChangeTolerance;
}

export interface DirectionOfTravel {
  direction: Direction;
  movement: Movement | undefined;
  /** ↑ ↓ → for a movement; empty when there is nothing to compare. */
  arrow: '↑' | '↓' | '→' | '';
  /** The arrow in words, for screen readers and for print: "up", "down", "no change". */
  arrowLabel: string;
  /** "Improved", "Worsened", "Unchanged", "Not comparable"; "Up"/"Down" for volumetric. */
  text: string;
  /** "Improved: 12 days, down from 15 days; lower is better". */
  sentence: string;
}

const ARROWS: Record<Movement, { arrow: '↑' | '↓' | '→'; label: string }> = {
  up: { arrow: '↑', label: 'up' },
  down: { arrow: '↓', label: 'down' },
  level: { arrow: '→', label: 'no change' },
};

const TEXT: Record<Direction, string> = {
  improved: 'Improved',
  worsened: 'Worsened',
  unchanged: 'Unchanged',
  'not comparable': 'Not comparable',
};

/** Whether |current − earlier| is within the tolerance, exactly (percentages in basis points). */
function withinNoChange(current: Scaled, earlier: Scaled, tolerance: NoChangeTolerance | undefined): boolean {
  const change = BigInt(Math.abs(current - earlier));
  if (!tolerance) return change === 0n;
  if (tolerance.kind === 'absolute') {
    if (!Number.isSafeInteger(tolerance.within) || tolerance.within < 0)
      throw new RangeError('the no-change tolerance must be a whole number of the smallest unit, zero or more');
    return change <= BigInt(tolerance.within);
  }
  const bp = percentToBasisPoints(tolerance.withinPercent, 'the no-change tolerance');
  return change * 10_000n <= BigInt(Math.abs(earlier)) * BigInt(bp);
}

function toleranceText(tolerance: NoChangeTolerance, unit: Unit): string {
  return tolerance.kind === 'absolute'
    ? formatDifference(tolerance.within, unit)
    : `${formatBasisPoints(percentToBasisPoints(tolerance.withinPercent))} of the earlier value`;
}

const distance = (v: Scaled, r: TargetRange): number => (v < r.low ? r.low - v : v > r.high ? v - r.high : 0);

/** The direction of travel from an earlier value to the current one. */
export function directionOfTravel(input: DirectionInput): DirectionOfTravel {
  const { polarity, unit, current, earlier } = input;
  const notComparable = (why: string): DirectionOfTravel => ({
    direction: 'not comparable',
    movement: undefined,
    arrow: '',
    arrowLabel: 'not comparable',
    text: TEXT['not comparable'],
    sentence: `Not comparable: ${why}`,
  });
  if (current === undefined) return notComparable('there is no value for this period');
  if (earlier === undefined) return notComparable('there is no earlier value to compare with');
  if (polarity === 'band' && (!input.range || input.range.low > input.range.high))
    return notComparable('there is no target range to judge by');

  const v = (x: Scaled) => formatValue(x, unit);
  const level = withinNoChange(current, earlier, input.noChange);
  const movement: Movement = level ? 'level' : current > earlier ? 'up' : 'down';
  const moved =
    current === earlier ? `no change from ${v(earlier)}` : `${current > earlier ? 'up' : 'down'} from ${v(earlier)}`;
  const result = (direction: Direction, because: string, text = TEXT[direction]): DirectionOfTravel => ({
    direction,
    movement,
    arrow: ARROWS[movement].arrow,
    arrowLabel: ARROWS[movement].label,
    text,
    sentence: `${text}: ${v(current)}, ${moved}${because}`,
  });

  if (level) {
    return result(
      'unchanged',
      current === earlier || !input.noChange
        ? ''
        : ` but within the no-change tolerance of ${toleranceText(input.noChange, unit)}`,
    );
  }
  switch (polarity) {
    case 'none':
      return result('not comparable', `; ${polarityPhrase(polarity)}`, movement === 'up' ? 'Up' : 'Down');
    case 'higher':
    case 'lower': {
      const better = current > earlier === (polarity === 'higher');
      return result(better ? 'improved' : 'worsened', `; ${polarityPhrase(polarity)}`);
    }
    case 'band': {
      const r = input.range!;
      const range = `the target range of ${v(r.low)} to ${v(r.high)}`;
      const before = distance(earlier, r);
      const now = distance(current, r);
      if (now < before) return result('improved', now === 0 ? `; now inside ${range}` : `; closer to ${range}`);
      if (now > before) return result('worsened', before === 0 ? `; now outside ${range}` : `; further from ${range}`);
      return result('unchanged', now === 0 ? `; both inside ${range}` : `; as far from ${range} as before`);
    }
  }
}

/** The period before this one, of the same kind (Q1 follows the previous year's Q4). */
export function previousPeriod(p: Period): Period {
  const count = { year: 1, half: 2, quarter: 4, month: 12 }[p.kind];
  return p.number > 1 ? makePeriod(p.kind, p.startYear, p.number - 1) : makePeriod(p.kind, p.startYear - 1, count);
}

/** The same period of the previous financial year: 2009-10-q2 → 2008-09-q2. */
export function samePeriodLastYear(p: Period): Period {
  return makePeriod(p.kind, p.startYear - 1, p.number);
}

export interface TravelInput extends Omit<DirectionInput, 'earlier'> {
  previous: Scaled | undefined;
  lastYear: Scaled | undefined;
}

/** Both comparisons councils report: against the previous period and the same period last year. */
export function directionsOfTravel(input: TravelInput): {
  sincePrevious: DirectionOfTravel;
  sinceLastYear: DirectionOfTravel;
} {
  const { previous, lastYear, ...rest } = input;
  return {
    sincePrevious: directionOfTravel({ ...rest, earlier: previous }),
    sinceLastYear: directionOfTravel({ ...rest, earlier: lastYear }),
  };
}
