// Benchmarking club pages' view models (issue 11): figures in words, the band as text (never by
// colour alone), and "withheld", with the reason, wherever the club withholds a figure's statistics.

import type { ClubView, Standing } from './club.service.ts';
import type { Figure, Statistic } from './club.service.ts';

const formatValue = (value: number | null | undefined, unit: Figure['unit']): string => {
  if (value === null || value === undefined) return '';
  const n = value.toLocaleString('en-GB', { maximumFractionDigits: unit === 'percent' ? 2 : 4 });
  return unit === 'percent' ? `${n}%` : unit === 'pounds' ? `£${n}` : n;
};

const better = (d: Figure['direction']) => (d === 'lower-is-better' ? 'Lower is better' : 'Higher is better');

/** Why the club's statistics of a figure are withheld, as the host's table and the CSV say it. */
const WITHHELD: Record<NonNullable<Statistic['withheldBecause']>, string> = {
  'too-few': 'Withheld: fewer than 5 members',
  'not-comparable': 'Withheld: members disagree on its unit or direction',
  'members-figures': 'Withheld: a quartile would be one member’s own figure',
};

export function presentStanding(s: Standing) {
  return {
    label: s.label,
    period: s.period,
    direction: better(s.direction),
    own: s.own ? formatValue(s.own.value, s.unit) : 'Not contributed',
    ownId: s.own?.id,
    median: s.comparison ? formatValue(s.comparison.median, s.unit) : '',
    best: s.comparison ? formatValue(s.comparison.best, s.unit) : '',
    band: s.comparison?.label ?? '',
    gapToMedian: s.comparison ? formatValue(s.comparison.gapToMedian, s.unit) : '',
    gapToBest: s.comparison ? formatValue(s.comparison.gapToBest, s.unit) : '',
    withheld: s.withheld,
  };
}

export function presentStatistic(s: Statistic) {
  const withheld = s.p50 === null;
  return {
    label: s.label,
    period: s.period,
    direction: better(s.direction),
    n: s.n,
    withheld,
    withheldReason: WITHHELD[s.withheldBecause ?? 'too-few'],
    p25: withheld ? '' : formatValue(s.p25, s.unit),
    p50: withheld ? '' : formatValue(s.p50, s.unit),
    p75: withheld ? '' : formatValue(s.p75, s.unit),
  };
}

export function presentClub(v: ClubView) {
  return {
    ...v,
    standings: v.standings.map(presentStanding),
    statistics: v.statistics.map(presentStatistic),
    members: v.members.map((m) => ({
      ...m,
      state: m.leftAt ? 'Left' : m.joinedAt ? 'Member' : 'Invited, not joined yet',
    })),
  };
}

/** The statistics as CSV rows: withheld figures stay empty, with the reason. */
export function statisticsRows(statistics: Statistic[]): (string | number)[][] {
  return statistics.map((s) => [
    s.metric,
    s.label,
    s.period,
    s.direction,
    s.n,
    s.p25 ?? '',
    s.p50 ?? '',
    s.p75 ?? '',
    s.p50 === null ? WITHHELD[s.withheldBecause ?? 'too-few'].toLowerCase() : '',
  ]);
}
