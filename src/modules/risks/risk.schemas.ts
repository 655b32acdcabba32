// Input schemas of the risk register, and the matrix risks are assessed on: its size and rating
// bands (checked by domain/indicators/risk.ts) with the names of its levels, as the form shows them.

import { z } from 'zod';
import {
  requiredText,
  optionalText,
  optionalUuid,
  optionalUkDate,
  checkbox,
  queryChoice,
  queryInteger,
  queryText,
} from '../../platform/validation.ts';
import { DEFAULT_RISK_MATRIX, type RiskMatrix } from '../../domain/indicators/risk.ts';

/** A risk matrix with a name for each level, lowest first ("1 Rare" … "5 Almost certain"). */
export interface RiskScale {
  matrix: RiskMatrix;
  likelihoodNames: readonly string[];
  impactNames: readonly string[];
}

export const DEFAULT_RISK_SCALE: RiskScale = {
  matrix: DEFAULT_RISK_MATRIX,
  likelihoodNames: ['Rare', 'Unlikely', 'Possible', 'Likely', 'Almost certain'],
  impactNames: ['Insignificant', 'Minor', 'Moderate', 'Major', 'Catastrophic'],
};

const version = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : Number(v)),
  z.number().int().min(1).optional(),
);

const levelText = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim())) : v);

/** A level chosen from radios: a whole number from 1 to the matrix's top level. */
function level(label: string, levels: number) {
  const message = `Select ${label}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(1, { error: message })
    .max(levels, { error: message });
}

/**
 * The input of a risk on the given scale. Rules across fields (a whole target, a target no worse
 * than the current score, references to the organisation's own records) are the service's.
 */
export function riskInputFor(scale: RiskScale) {
  const { likelihoodLevels, impactLevels } = scale.matrix;
  return z.object({
    /** The improvement priority's code, like VfM-4d. */
    priority: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() : v),
      z
        .string({ error: 'Select the priority the risk threatens' })
        .min(1, { error: 'Select the priority the risk threatens' }),
    ),
    description: requiredText('a description of the risk', 2_000),
    cause: optionalText('the cause', 5_000),
    effect: optionalText('the effect', 5_000),
    likelihood: z.preprocess(levelText, level('how likely the risk is', likelihoodLevels)),
    impact: z.preprocess(levelText, level('the impact if it happens', impactLevels)),
    targetLikelihood: z
      .preprocess(
        (v) => (v === null ? undefined : levelText(v)),
        level('the target likelihood', likelihoodLevels).optional(),
      )
      .transform((v) => v ?? null),
    targetImpact: z
      .preprocess((v) => (v === null ? undefined : levelText(v)), level('the target impact', impactLevels).optional())
      .transform((v) => v ?? null),
    ownerId: optionalUuid('the owner'),
    controls: optionalText('the controls and mitigation', 20_000),
    /** As typed: "31 March 2010", "31/3/2010" or "2010-03-31"; blank for none. */
    reviewOn: optionalUkDate('the review date'),
    closed: checkbox(),
    version,
  });
}

/** On the default 5 × 5 matrix: what the API documents. */
export const riskInput = riskInputFor(DEFAULT_RISK_SCALE);
export type RiskInput = z.output<typeof riskInput>;

// A number as the API's checked query gives it, or a query string's text.
const optionalWhole = z.preprocess(
  (v) =>
    typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,2}$/.test(v.trim()) ? Number(v.trim()) : undefined,
  z.number().int().optional(),
);
const optionalWord = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
  z.string().optional(),
);

/**
 * The register's filters, from the page's query string: anything unreadable is ignored, not an
 * error (the page's own links and form make them). The API checks its query first (riskQueryFor).
 */
export const riskFilter = z.object({
  priority: optionalWord,
  rating: optionalWord,
  likelihood: optionalWhole,
  impact: optionalWhole,
  show: z.preprocess((v) => (v === 'closed' || v === 'all' ? v : 'open'), z.enum(['open', 'closed', 'all'])),
});
export type RiskFilter = z.output<typeof riskFilter>;

/** The register's page on the web: 50 risks, enough to scan, few enough to render fast at any size. */
export const RISKS_PER_PAGE = 50;
/** The most risks one page of the API's register may ask for. */
export const RISKS_PAGE_MOST = 500;

/** Which page of the register the API answers (its list and a priority's risks; never the heat map). */
const riskPages = {
  page: queryInteger('page', 1, 100_000).describe(
    'Which page of risks, from 1, highest score first; with `page` or `pageSize` the answer is `{ risks, page, pages, pageSize, total }` (without either, the list of every matching risk). Past the last page the last is answered',
  ),
  pageSize: queryInteger('pageSize', 1, RISKS_PAGE_MOST).describe(
    `How many risks a page holds: ${RISKS_PER_PAGE} unless given, at most ${RISKS_PAGE_MOST}`,
  ),
};

/**
 * The API's query on the register (its list, heat map and a priority's risks) on the given scale:
 * the same filters as the page's, but a value the scale does not have is refused naming the
 * parameter (422) rather than ignored, so a script never mistakes an unfiltered list for a
 * filtered one. `priority` is false where the priority is in the path; `pages` adds `page` and
 * `pageSize` to a list.
 */
export function riskQueryFor(scale: RiskScale, { priority = true, pages = false } = {}) {
  const { matrix, likelihoodNames, impactNames } = scale;
  const levels = (names: readonly string[]) => names.map((n, i) => `${i + 1} ${n}`).join(', ');
  const bands = matrix.bands.map((b) => b.key) as [string, ...string[]];
  return z.object({
    ...(priority
      ? {
          priority: queryText('priority', 20, 'VfM-4d').describe(
            'Only the risks of this improvement priority, by its code (like VfM-4d); an unknown code is 404',
          ),
        }
      : {}),
    rating: queryChoice('rating', bands).describe(
      `Only the risks whose current rating is this band: ${matrix.bands.map((b) => `${b.key} (${b.label}, scores ${b.from}–${b.to})`).join(', ')}`,
    ),
    likelihood: queryInteger('likelihood', 1, matrix.likelihoodLevels).describe(
      `Only the risks whose current likelihood is this level: ${levels(likelihoodNames)}`,
    ),
    impact: queryInteger('impact', 1, matrix.impactLevels).describe(
      `Only the risks whose current impact is this level: ${levels(impactNames)}`,
    ),
    show: queryChoice('show', ['open', 'closed', 'all']).describe(
      'Which risks: open (the default), closed, or all (open and closed)',
    ),
    ...(pages ? riskPages : {}),
  });
}
export type RiskQuery = z.output<ReturnType<typeof riskQueryFor>> & { page?: number; pageSize?: number };
