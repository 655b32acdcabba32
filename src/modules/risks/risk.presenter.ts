// Risks → view models: register rows (score and rating always in words), the heat map as a
// table (likelihood rows, highest first, × impact columns, each cell a count with its rating),
// and the form's radios with the matrix's level names. Colour only ever repeats the words.

import { formatDate } from '../../domain/dates.ts';
import type { HeatMap } from '../../domain/indicators/risk.ts';
import type { RiskScale, RiskFilter } from './risk.schemas.ts';
import type { Risk, ScoredAssessment } from './risk.service.ts';

const TAG_COLOURS = ['govuk-tag--green', 'govuk-tag--yellow', 'govuk-tag--orange', 'govuk-tag--red'] as const;

/** A GOV.UK tag colour for a band, by its place among the bands (lowest green, highest red). */
export function ratingTagClass(scale: RiskScale, key: string): string {
  const bands = scale.matrix.bands;
  const i = bands.findIndex((b) => b.key === key);
  if (i < 0) return 'govuk-tag--grey';
  const at = bands.length === 1 ? 0 : Math.round((i * (TAG_COLOURS.length - 1)) / (bands.length - 1));
  return TAG_COLOURS[at]!;
}

/** "3 Possible" (or just "3" when the level has no name). */
export const likelihoodName = (scale: RiskScale, n: number) => `${n} ${scale.likelihoodNames[n - 1] ?? ''}`.trim();
export const impactName = (scale: RiskScale, n: number) => `${n} ${scale.impactNames[n - 1] ?? ''}`.trim();

function presentAssessment(scale: RiskScale, a: ScoredAssessment) {
  return {
    score: a.score,
    rating: a.rating.label,
    ratingKey: a.rating.key,
    tagClass: ratingTagClass(scale, a.rating.key),
    /** "Likelihood 4 Likely × impact 4 Major" */
    detail: `Likelihood ${likelihoodName(scale, a.likelihood)} × impact ${impactName(scale, a.impact)}`,
  };
}

export function presentRisk(scale: RiskScale, r: Risk) {
  return {
    id: r.id,
    priorityCode: r.priorityCode,
    priorityTitle: r.priorityTitle,
    description: r.description,
    cause: r.cause,
    effect: r.effect,
    current: presentAssessment(scale, r.current),
    target: r.target ? presentAssessment(scale, r.target) : null,
    ownerName: r.ownerName,
    controls: r.controls,
    reviewOn: r.reviewOn ? formatDate(r.reviewOn) : '',
    reviewOverdue: r.reviewOverdue,
    closed: r.closed,
  };
}

/** The query string of a filter, leaving out what is not set. */
export function filterQuery(f: Partial<RiskFilter>): string {
  const q = new URLSearchParams();
  if (f.priority) q.set('priority', f.priority);
  if (f.rating) q.set('rating', f.rating);
  if (f.likelihood) q.set('likelihood', String(f.likelihood));
  if (f.impact) q.set('impact', String(f.impact));
  if (f.show && f.show !== 'open') q.set('show', f.show);
  return q.toString();
}

/**
 * The heat map as a table: a row per likelihood (highest first), a column per impact (lowest
 * first). Each cell has its count, its rating in words, and the query of the list it stands
 * for (within the same priority and open/closed choice as the map).
 */
export function presentHeatMap(
  scale: RiskScale,
  map: HeatMap,
  filter: Pick<RiskFilter, 'priority' | 'show'>,
  withPriority = true,
) {
  const cells = new Map(map.rows.flat().map((c) => [`${c.likelihood}×${c.impact}`, c]));
  const label = (key: string) => scale.matrix.bands.find((b) => b.key === key)?.label ?? key;
  const columns = Array.from({ length: scale.matrix.impactLevels }, (_, i) => impactName(scale, i + 1));
  const rows = Array.from({ length: scale.matrix.likelihoodLevels }, (_, i) => scale.matrix.likelihoodLevels - i).map(
    (likelihood) => ({
      header: likelihoodName(scale, likelihood),
      cells: Array.from({ length: scale.matrix.impactLevels }, (_, j) => j + 1).map((impact) => {
        const c = cells.get(`${likelihood}×${impact}`)!;
        return {
          likelihood,
          impact,
          count: c.count,
          score: c.score,
          rating: label(c.bandKey),
          tagClass: ratingTagClass(scale, c.bandKey),
          /** Said after the count by a screen reader: what the link opens. */
          hiddenText: ` ${c.count === 1 ? 'risk' : 'risks'} with likelihood ${likelihoodName(scale, likelihood)} and impact ${impactName(scale, impact)}`,
          query: filterQuery({
            ...(withPriority ? { priority: filter.priority } : {}),
            show: filter.show,
            likelihood,
            impact,
          }),
        };
      }),
    }),
  );
  return {
    columns,
    rows,
    total: map.total,
    byBand: map.byBand.map((b) => ({
      ...b,
      tagClass: ratingTagClass(scale, b.key),
      query: filterQuery({ ...(withPriority ? { priority: filter.priority } : {}), show: filter.show, rating: b.key }),
    })),
  };
}

/** Radios for a level: "1 Rare" … "5 Almost certain", the chosen one checked. */
export function levelItems(names: readonly string[], chosen: unknown) {
  return names.map((name, i) => ({
    value: String(i + 1),
    text: `${i + 1} ${name}`,
    checked: chosen !== undefined && chosen !== null && String(chosen) === String(i + 1),
  }));
}

/** What the edit form starts from: the risk as a person would type it. */
export function riskFormValues(r: Risk) {
  return {
    priority: r.priorityCode,
    description: r.description,
    cause: r.cause,
    effect: r.effect,
    likelihood: r.current.likelihood,
    impact: r.current.impact,
    targetLikelihood: r.target?.likelihood ?? '',
    targetImpact: r.target?.impact ?? '',
    ownerId: r.ownerId ?? '',
    controls: r.controls,
    reviewOn: r.reviewOn ? formatDate(r.reviewOn) : '',
    closed: r.closed,
    version: r.version,
  };
}
