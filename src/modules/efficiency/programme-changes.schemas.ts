// Input of the changes to the plan, ledger and gain-share (issue 12): the version every change and
// removal is checked against, and a gain-share agreement described by any tranches — rows of
// threshold, repayment and "reached when savings equal the threshold" — typed as councils type
// money. Blank rows are dropped first (`compactTrancheRows`), so a message about row 2 is about
// the second row the person filled in, and the form is shown again with the rows compacted the
// same way. Rules across rows (ascending thresholds, repayments within the funder's contribution)
// are the domain's (`agreementIssues`).

import { z } from 'zod';
import { capitalise, checkbox, integer, optionalText, requiredText } from '../../platform/validation.ts';
import { type Money, parseMoney } from '../../domain/diagnostic/money.ts';
import { milestoneInput, projectInput } from './efficiency.schemas.ts';

/** The version a change was read at: required, so no change is ever saved over one unseen. */
export const requiredVersion = z.preprocess(
  (v) => (v === undefined || v === '' ? undefined : typeof v === 'string' ? Number(v) : v),
  z.number({ error: 'This form is missing the version it was read at: reload the page and try again' }).int().min(1),
);

export const deleteInput = z.object({ version: requiredVersion });
/**
 * Deleting a business case: an approved one goes only with the reason, which the audit trail
 * keeps with the case as it was (opportunity-changes.ts says why).
 */
export const caseDeleteInput = deleteInput.extend({
  reason: optionalText('the reason for deleting the approved business case', 1_000),
});
export const projectUpdateInput = projectInput.extend({ version: requiredVersion });
export const milestoneUpdateInput = milestoneInput.extend({ version: requiredVersion });

/** Money as typed ("£1,000,000", "£1m", "50K"), never negative. */
function money(label: string) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : v),
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx): Money => {
        const m = parseMoney(s);
        if (m === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `${capitalise(label)} must be an amount of money, like £1,000,000 or £1m`,
          });
          return z.NEVER;
        }
        if (m < 0) {
          ctx.addIssue({ code: 'custom', message: `${capitalise(label)} cannot be negative` });
          return z.NEVER;
        }
        return m;
      }),
  );
}

export interface TrancheRow {
  threshold: string;
  repayment: string;
  inclusive: boolean;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/**
 * The rows of a form (a list, or an object keyed by row number as `qs` gives past 20 rows) with
 * the blank ones left out, in the order typed. A row's checkbox arrives as "yes" when ticked.
 */
export function compactTrancheRows(raw: unknown): TrancheRow[] {
  const list = Array.isArray(raw)
    ? raw
    : raw && typeof raw === 'object'
      ? Object.entries(raw as Record<string, unknown>)
          .sort(([a], [b]) => Number(a) - Number(b))
          .map(([, v]) => v)
      : [];
  return list
    .map((r) => (r && typeof r === 'object' ? (r as Record<string, unknown>) : {}))
    .map((r) => ({
      threshold: text(r.threshold),
      repayment: text(r.repayment),
      inclusive: r.inclusive === true || r.inclusive === 'yes' || r.inclusive === 'on' || r.inclusive === 'true',
    }))
    .filter((r) => r.threshold !== '' || r.repayment !== '');
}

export const MAX_TRANCHES = 20;

const trancheRow = (i: number) =>
  z.object({
    threshold: money(`tranche ${i + 1}’s threshold`),
    repayment: money(`tranche ${i + 1}’s repayment`),
    inclusive: checkbox(),
  });

export const agreementFormInput = z.object({
  name: requiredText('the name of the agreement', 300),
  funder: requiredText('the funder', 200),
  council: requiredText('who the council is, as the sentence names it (for example, the council)', 200),
  totalCost: money('the total cost'),
  funderContribution: money('the funder’s contribution'),
  councilContribution: money('the council’s contribution'),
  tranches: z.preprocess(
    compactTrancheRows,
    z
      .array(z.unknown())
      .max(MAX_TRANCHES, { error: `An agreement can have at most ${MAX_TRANCHES} tranches` })
      .transform((rows, ctx) => {
        const out: { threshold: Money; repayment: Money; inclusive: boolean }[] = [];
        rows.forEach((row, i) => {
          const r = trancheRow(i).safeParse(row);
          if (r.success) out.push(r.data);
          else
            for (const issue of r.error.issues)
              ctx.addIssue({ code: 'custom', message: issue.message, path: [i, ...issue.path] });
        });
        return out;
      }),
  ),
  /** The form's hidden count of rows to show; only "add another row" changes it. */
  rows: z.preprocess(
    (v) => (v === undefined || v === '' ? undefined : v),
    integer('the rows', 1, MAX_TRANCHES).optional(),
  ),
});
