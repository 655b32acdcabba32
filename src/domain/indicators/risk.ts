// Risk scoring on a likelihood × impact matrix (5 × 5 by default, any size from 1 × 1 to
// 10 × 10): a score, the rating band it falls in, and heat-map counts for a risk register.
//
// Bands are the organisation's own and are checked: in ascending order, not overlapping,
// inside 1..(likelihoods × impacts), and covering every score a risk can actually have. A
// score is a product, so some numbers never occur (on 5 × 5: 7, 11, 13, 14, 17–19, 21–24);
// "contiguous" means no achievable score falls between two bands, which is why the usual
// 1–4, 5–9, 10–16, 20–25 is valid. A band that no risk could ever fall in is refused too.

import type { Issue } from './indicator.ts';

export interface RiskBand {
  key: string;
  label: string;
  /** Lowest score in the band. */
  from: number;
  /** Highest score in the band. */
  to: number;
}

export interface RiskMatrix {
  likelihoodLevels: number;
  impactLevels: number;
  /** Lowest first. */
  bands: readonly RiskBand[];
}

export const MAX_LEVELS = 10;

export const DEFAULT_RISK_MATRIX: RiskMatrix = {
  likelihoodLevels: 5,
  impactLevels: 5,
  bands: [
    { key: 'low', label: 'Low', from: 1, to: 4 },
    { key: 'medium', label: 'Medium', from: 5, to: 9 },
    { key: 'high', label: 'High', from: 10, to: 16 },
    { key: 'very-high', label: 'Very high', from: 20, to: 25 },
  ],
};

export interface RiskAssessment {
  likelihood: number;
  impact: number;
}

/** Every score a risk can have on the matrix, ascending. */
export function achievableScores(m: Pick<RiskMatrix, 'likelihoodLevels' | 'impactLevels'>): number[] {
  const scores = new Set<number>();
  for (let l = 1; l <= m.likelihoodLevels; l++) for (let i = 1; i <= m.impactLevels; i++) scores.add(l * i);
  return [...scores].sort((a, b) => a - b);
}

function span(from: number, to: number): string {
  return from === to ? `${from}` : `${from} to ${to}`;
}

/** Problems with a matrix, as field paths (`bands.2.from`); none means it can be used. */
export function checkRiskMatrix(m: RiskMatrix): Issue[] {
  const issues: Issue[] = [];
  for (const field of ['likelihoodLevels', 'impactLevels'] as const) {
    const n = m[field];
    if (!Number.isInteger(n) || n < 1 || n > MAX_LEVELS)
      issues.push({
        field,
        message: `${field === 'likelihoodLevels' ? 'Likelihood' : 'Impact'} needs a whole number of levels from 1 to ${MAX_LEVELS}`,
      });
  }
  if (issues.length > 0) return issues;
  if (m.bands.length === 0) return [{ field: 'bands', message: 'A risk matrix needs at least one rating band' }];

  const max = m.likelihoodLevels * m.impactLevels;
  const scores = achievableScores(m);
  const keys = new Map<string, number>();
  const labels = new Map<string, number>();
  let previous: RiskBand | undefined;
  m.bands.forEach((b, i) => {
    const k = keys.get(b.key);
    if (k !== undefined)
      issues.push({ field: `bands.${i}.key`, message: `Band ${i + 1} has the same key as band ${k + 1} ("${b.key}")` });
    keys.set(b.key, i);
    const lower = b.label.trim().toLowerCase();
    const l = labels.get(lower);
    if (lower === '') issues.push({ field: `bands.${i}.label`, message: `Band ${i + 1} needs a label` });
    else if (l !== undefined)
      issues.push({
        field: `bands.${i}.label`,
        message: `Band ${i + 1} has the same label as band ${l + 1} ("${b.label}")`,
      });
    labels.set(lower, i);

    if (!Number.isInteger(b.from) || !Number.isInteger(b.to) || b.from < 1 || b.to > max) {
      issues.push({
        field: `bands.${i}.from`,
        message: `${b.label || `Band ${i + 1}`} must run between whole scores from 1 to ${max}`,
      });
      return;
    }
    if (b.from > b.to) {
      issues.push({
        field: `bands.${i}.to`,
        message: `${b.label} runs from ${b.from} down to ${b.to}: give the lowest score first`,
      });
      return;
    }
    if (!scores.some((s) => s >= b.from && s <= b.to)) {
      issues.push({
        field: `bands.${i}.from`,
        message: `No risk can score ${span(b.from, b.to)} on a ${m.likelihoodLevels} × ${m.impactLevels} matrix, so ${b.label} would always be empty`,
      });
    }
    if (previous) {
      if (b.from <= previous.to) {
        issues.push({
          field: `bands.${i}.from`,
          message: `${b.label} starts at ${b.from}, inside ${previous.label} (${span(previous.from, previous.to)}): bands go lowest first and may not overlap`,
        });
      } else {
        const gap = scores.filter((s) => s > previous!.to && s < b.from);
        if (gap.length > 0)
          issues.push({
            field: `bands.${i}.from`,
            message: `No band covers ${gap.length === 1 ? 'the score' : 'the scores'} ${gap.join(', ')}, between ${previous.label} and ${b.label}`,
          });
      }
    } else {
      const below = scores.filter((s) => s < b.from);
      if (below.length > 0)
        issues.push({
          field: `bands.${i}.from`,
          message: `No band covers ${below.length === 1 ? 'the score' : 'the scores'} ${below.join(', ')}: the lowest band must start at 1`,
        });
    }
    previous = b;
  });
  const last = m.bands[m.bands.length - 1]!;
  if (Number.isInteger(last.to) && last.to < max) {
    const above = scores.filter((s) => s > last.to);
    if (above.length > 0)
      issues.push({
        field: `bands.${m.bands.length - 1}.to`,
        message: `No band covers ${above.length === 1 ? 'the score' : 'the scores'} ${above.join(', ')}: the highest band must end at ${max}`,
      });
  }
  return issues;
}

function assertUsable(m: RiskMatrix): void {
  const issues = checkRiskMatrix(m);
  if (issues.length > 0) throw new RangeError(`the risk matrix cannot be used: ${issues[0]!.message}`);
}

function assertOnMatrix(m: RiskMatrix, r: RiskAssessment, what = 'the risk'): void {
  if (!Number.isInteger(r.likelihood) || r.likelihood < 1 || r.likelihood > m.likelihoodLevels) {
    throw new RangeError(`${what}: likelihood must be 1 to ${m.likelihoodLevels}, not ${r.likelihood}`);
  }
  if (!Number.isInteger(r.impact) || r.impact < 1 || r.impact > m.impactLevels) {
    throw new RangeError(`${what}: impact must be 1 to ${m.impactLevels}, not ${r.impact}`);
  }
}

/** The band a score falls in (the matrix must be valid). */
export function bandForScore(m: RiskMatrix, score: number): RiskBand {
  const band = m.bands.find((b) => score >= b.from && score <= b.to);
  if (!band) throw new RangeError(`no band covers the score ${score}`);
  return band;
}

export interface RiskScore {
  score: number;
  band: RiskBand;
}

/** likelihood × impact and its rating band. Throws RangeError off the matrix or for an unusable matrix. */
export function scoreRisk(m: RiskMatrix, r: RiskAssessment): RiskScore {
  assertUsable(m);
  assertOnMatrix(m, r);
  const score = r.likelihood * r.impact;
  return { score, band: bandForScore(m, score) };
}

export interface HeatMapCell {
  likelihood: number;
  impact: number;
  score: number;
  bandKey: string;
  count: number;
}

export interface HeatMap {
  /** Rows as the map is drawn: highest impact at the top; within a row, likelihood 1 first. */
  rows: HeatMapCell[][];
  /** Risks per band, in the matrix's band order (lowest first), including empty bands. */
  byBand: { key: string; label: string; count: number }[];
  total: number;
}

/** Counts risks in each cell of the matrix and in each band. */
export function heatMap(m: RiskMatrix, risks: readonly RiskAssessment[]): HeatMap {
  assertUsable(m);
  const counts = new Map<string, number>();
  risks.forEach((r, i) => {
    assertOnMatrix(m, r, `risk ${i + 1}`);
    const k = `${r.likelihood}×${r.impact}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  });
  const rows: HeatMapCell[][] = [];
  for (let impact = m.impactLevels; impact >= 1; impact--) {
    const row: HeatMapCell[] = [];
    for (let likelihood = 1; likelihood <= m.likelihoodLevels; likelihood++) {
      const score = likelihood * impact;
      row.push({
        likelihood,
        impact,
        score,
        bandKey: bandForScore(m, score).key,
        count: counts.get(`${likelihood}×${impact}`) ?? 0,
      });
    }
    rows.push(row);
  }
  const byBand = m.bands.map((b) => ({ key: b.key, label: b.label, count: 0 }));
  for (const cell of rows.flat()) byBand.find((b) => b.key === cell.bandKey)!.count += cell.count;
  return { rows, byBand, total: risks.length };
}
