// The organisation file's `indicatorImportHeaders` (issue 12): the names the organisation gave the
// columns of its indicator spreadsheets, remembered so an officer maps a header once (migration
// 2026-12-06-100). Each is the header as Amber compares it (`header`: lower case, no spaces, as
// normaliseHeader makes it), as the file wrote it (`shown`), Amber's column it means (`column`,
// e.g. `code`, `period:quarter:1`, or `ignore`, carried as stored: the imports skip one they do
// not know), who last set it and when (microseconds kept).
// Optional: files written before the mappings travelled have none, and an import then leaves the
// organisation with none (its officers map the headers again on their first import).

import { z } from 'zod';
import type { FieldIssue } from '../../domain/errors.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';

const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;
/**
 * A header as the indicator imports compare it: what their normaliseHeader leaves unchanged (lower
 * case, no spaces or underscores, not ending in "?", ":" or "."). Said here, not imported: a
 * schema reaches no other module's insides.
 */
const isCompared = (h: string) => h === h.toLowerCase() && !/[\s_]/.test(h) && !/[?:.]$/.test(h);
/** The database's own limit on a header (its check constraint). */
const MAX_HEADER = 200;

export const importHeaderRecord = z.strictObject(
  {
    header: z
      .string({ error: 'A remembered header must be text' })
      .min(1, { error: 'A remembered header cannot be empty' })
      .max(MAX_HEADER, { error: `A remembered header must be ${MAX_HEADER} characters or fewer` })
      .refine(isCompared, {
        error: 'A remembered header must be as Amber compares it: lower case, without spaces',
      }),
    shown: z
      .string({ error: 'The header as the spreadsheet wrote it must be text' })
      .max(TEXT_LIMITS.short, { error: `The header as written must be ${TEXT_LIMITS.short} characters or fewer` }),
    // Any text, as stored: a column this Amber does not know is skipped by the imports, never lost here.
    column: z
      .string({ error: 'The column a header means must be text' })
      .min(1, { error: 'The column a header means cannot be empty: use "ignore" for none' })
      .max(TEXT_LIMITS.code * 2, {
        error: `The column a header means must be ${TEXT_LIMITS.code * 2} characters or fewer`,
      }),
    updatedBy: z
      .string({ error: 'Who set the header’s column must be text' })
      .max(TEXT_LIMITS.short, { error: `Who set it must be ${TEXT_LIMITS.short} characters or fewer` }),
    updatedAt: z
      .string({ error: 'When the header’s column was set must be a time' })
      .regex(TIMESTAMP_PATTERN, { error: 'When the header’s column was set is not a time Amber can read' }),
  },
  {
    error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : 'A remembered header must be an object'),
  },
);
export type ImportHeaderRecord = z.output<typeof importHeaderRecord>;

/** A header remembered twice: the organisation keeps one column per header. */
export function importHeaderIssues(input: unknown): FieldIssue[] {
  if (!Array.isArray(input)) return [];
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  input.forEach((r: unknown, i) => {
    const header = r && typeof r === 'object' ? (r as { header?: unknown }).header : undefined;
    if (typeof header !== 'string') return;
    if (seen.has(header))
      issues.push({
        field: `indicatorImportHeaders[${i}].header`,
        message: `The header "${header}" is remembered twice: an organisation maps each header to one column`,
      });
    seen.add(header);
  });
  return issues;
}
