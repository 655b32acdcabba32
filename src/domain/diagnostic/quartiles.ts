// Benchmark quartiles and where an organisation sits against its peers (DIAGNOSTIC.md §4).
//
// Indicator values (unit costs in pence per invoice, costs as a share of ORC, employees per HR
// FTE) are rates, not amounts of money, so they are plain numbers; the savings computed from
// them are rounded to whole pence once, in savings.ts. Percentiles follow Excel's
// PERCENTILE.INC (linear interpolation between order statistics, Hyndman & Fan type 7). For
// quartiles the interpolation weight (n − 1)k − ⌊(n − 1)k⌋ is 0, ¼, ½ or ¾, all exact in
// binary, so the quartiles of whole numbers (pence, counts) are exact.
//
// UK usage: the "upper quartile" is the *best* quarter of performers. For a cost, where lower
// is better, it is the 25th percentile; for a ratio where higher is better, the 75th. No peer
// statistic is ever produced from fewer than five organisations: a refusal with its reason is
// returned instead, so the screen can say why the figure is missing.

export type Direction = 'lower-is-better' | 'higher-is-better';

export const MIN_PEERS = 5;

/**
 * Excel PERCENTILE.INC: the k-th percentile (0 ≤ k ≤ 1) of the values by linear interpolation
 * between the two order statistics around rank (n − 1)k. Throws for no values or k out of range.
 */
export function percentileInc(values: readonly number[], k: number): number {
  if (values.length === 0) throw new RangeError('PERCENTILE.INC of no values');
  if (!(k >= 0 && k <= 1)) throw new RangeError(`percentile must be between 0 and 1, not ${k}`);
  if (values.some((v) => !Number.isFinite(v)))
    throw new RangeError('percentile of a value that is not a finite number');
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * k;
  const lo = Math.floor(h);
  const lower = sorted[lo]!;
  const upper = sorted[Math.min(lo + 1, sorted.length - 1)]!;
  const weight = h - lo;
  if (weight === 0 || lower === upper) return lower;
  return lower + weight * (upper - lower);
}

export interface BenchmarkProvenance {
  source: string;
  year: string;
  peerGroup: string;
  /** True for example figures that must be labelled as such wherever they appear. */
  illustrative?: boolean;
}

export interface BenchmarkSet extends BenchmarkProvenance {
  /** Number of organisations the statistics come from. */
  n: number;
  p25: number;
  p50: number;
  p75: number;
}

export interface PeerValue {
  organisation: string;
  value: number;
}

export type Refusal = { ok: false; reason: string };

const tooFew = (n: number): Refusal => ({
  ok: false,
  reason: `Only ${n} organisation${n === 1 ? '' : 's'} reported this indicator; a peer statistic needs at least ${MIN_PEERS}, so none is shown`,
});

/** Quartiles of the peers' values, one value per organisation, or why there are none. */
export function benchmarkFromPeers(
  peers: readonly PeerValue[],
  provenance: BenchmarkProvenance,
): { ok: true; set: BenchmarkSet } | Refusal {
  const seen = new Set<string>();
  for (const p of peers) {
    if (seen.has(p.organisation))
      return { ok: false, reason: `${p.organisation} appears more than once; each organisation gives one value` };
    if (!Number.isFinite(p.value)) return { ok: false, reason: `${p.organisation}'s value is not a number` };
    seen.add(p.organisation);
  }
  if (peers.length < MIN_PEERS) return tooFew(peers.length);
  const values = peers.map((p) => p.value);
  return {
    ok: true,
    set: {
      ...provenance,
      n: peers.length,
      p25: percentileInc(values, 0.25),
      p50: percentileInc(values, 0.5),
      p75: percentileInc(values, 0.75),
    },
  };
}

/** The "upper quartile" in UK usage: the best-performing quartile boundary. */
export function bestQuartile(set: BenchmarkSet, direction: Direction): number {
  return direction === 'lower-is-better' ? set.p25 : set.p75;
}

export type QuartileBand = 'upper' | 'upper-middle' | 'lower-middle' | 'lower';

export const QUARTILE_LABELS: Record<QuartileBand, string> = {
  upper: 'Upper quartile (best 25%)',
  'upper-middle': 'Upper-middle quartile',
  'lower-middle': 'Lower-middle quartile',
  lower: 'Lower quartile (worst 25%)',
};

export interface Comparison {
  ok: true;
  band: QuartileBand;
  label: string;
  median: number;
  best: number;
  /** How far the value is worse than the median (0 when at or better than it). */
  gapToMedian: number;
  /** How far the value is worse than the best quartile (0 when at or better than it). */
  gapToBest: number;
}

/**
 * Where a value sits against a benchmark set. A value exactly on a boundary is put in the
 * better band (a council at the median is not "below median").
 */
export function compareWithBenchmark(value: number, set: BenchmarkSet, direction: Direction): Comparison | Refusal {
  if (!(set.n >= MIN_PEERS)) return tooFew(set.n);
  if (!Number.isFinite(value)) return { ok: false, reason: 'The value to compare is not a number' };
  // Turn "higher is better" into "lower is better" by negating, so one set of rules serves both.
  const s = direction === 'lower-is-better' ? 1 : -1;
  const [best, mid, worst] =
    direction === 'lower-is-better' ? [set.p25, set.p50, set.p75] : [set.p75, set.p50, set.p25];
  const v = s * value;
  const band: QuartileBand =
    v <= s * best ? 'upper' : v <= s * mid ? 'upper-middle' : v <= s * worst ? 'lower-middle' : 'lower';
  return {
    ok: true,
    band,
    label: QUARTILE_LABELS[band],
    median: set.p50,
    best,
    gapToMedian: Math.max(0, s * (value - mid)),
    gapToBest: Math.max(0, s * (value - best)),
  };
}
