// Why a benchmarking club withholds a statistic (issue 11, ADR 0016), in words. The database
// decides (amber_club_statistics returns the reason); this is the one place that says it, so a
// member's standing and a benchmark the efficiency programme refuses to compute from the club give
// the same reason rather than one guessed from the count.

import { MIN_PEERS } from './diagnostic/quartiles.ts';

/** amber_club_statistics' `withheld` column: null when the statistic is shown. */
export type WithheldBecause = 'too-few' | 'not-comparable' | 'members-figures';

/**
 * The reason as the end of a sentence (lower case, no full stop), for `n` counted members. No
 * reason (a statistic nobody contributed to, or one without a stated reason) reads as too few.
 */
export function withheldReason(because: WithheldBecause | null | undefined, n: number): string {
  if (because === 'not-comparable')
    return 'the members who contributed it disagree on its unit or on which way is better, so it cannot be compared';
  if (because === 'members-figures')
    return `with ${n} members a quartile would be one member’s own figure, so none is shown until it is not (usually one more member)`;
  return `${n} member${n === 1 ? '' : 's'} contributed, and nothing is shown from fewer than ${MIN_PEERS}`;
}
