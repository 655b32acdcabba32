// Turns a Zod schema failure into Amber's ValidationError, with one message per field and the
// field named by its path (`milestones.1.timescale`), as forms, the API and imports report them.

import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../domain/errors.ts';
import { parseUkDate } from '../domain/dates.ts';
import { parseTimescale, type Timescale } from '../domain/timescale.ts';
import { financialYearLabel, parseFinancialYear, parsePeriodKey, type Period } from '../domain/period.ts';

export function issuesFromZod(error: z.ZodError, prefix = ''): FieldIssue[] {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const issue of error.issues) {
    const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
    if (seen.has(field)) continue;
    seen.add(field);
    issues.push({ field, message: issue.message });
  }
  return issues;
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(issuesFromZod(result.error));
  return result.data;
}

// Field builders with GOV.UK-style messages. `label` is how the field is named to the person.

const cleanText = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n').trim() : v);

export function requiredText(label: string, max = 500) {
  return z.preprocess(
    cleanText,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .max(max, { error: `${capitalise(label)} must be ${max.toLocaleString('en-GB')} characters or fewer` }),
  );
}

export function optionalText(label: string, max = 100_000) {
  return z.preprocess(
    (v) => (v === undefined || v === null ? '' : cleanText(v)),
    z
      .string({ error: `${capitalise(label)} must be text` })
      .max(max, { error: `${capitalise(label)} must be ${max.toLocaleString('en-GB')} characters or fewer` }),
  );
}

/** A list of short texts: an array (API) or a textarea with one item per line (forms). Blank lines are dropped. */
export function textLines(label: string, maxItems = 200, maxLength = 5_000) {
  return z.preprocess(
    (v) => {
      if (v === undefined || v === null) return [];
      const list = typeof v === 'string' ? v.replace(/\r\n?/g, '\n').split('\n') : v;
      return Array.isArray(list)
        ? list.map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '')
        : list;
    },
    z
      .array(
        z.string({ error: `Each of the ${label} must be text` }).max(maxLength, {
          error: `Each of the ${label} must be ${maxLength.toLocaleString('en-GB')} characters or fewer`,
        }),
        { error: `${capitalise(label)} must be a list of text` },
      )
      .max(maxItems, { error: `There can be at most ${maxItems} ${label}` }),
  );
}

export function uuid(label: string) {
  return z.preprocess(cleanText, z.uuid({ error: `Select ${label}` }));
}

export function optionalUuid(label: string) {
  return z.preprocess(
    (v) => (v === '' || v === undefined || v === null ? null : cleanText(v)),
    z.uuid({ error: `Select ${label}` }).nullable(),
  );
}

export function integer(label: string, min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : v),
    z
      .number({ error: `Enter ${label} as a whole number` })
      .int({ error: `Enter ${label} as a whole number` })
      .min(min, { error: `${capitalise(label)} must be ${min} or more` })
      .max(max, { error: `${capitalise(label)} must be ${max} or less` }),
  );
}

export function checkbox() {
  return z.preprocess(
    (v) => v === true || v === 'true' || v === 'on' || v === 'yes' || (Array.isArray(v) && v.length > 0),
    z.boolean(),
  );
}

/** A value from a fixed list; `labels` names the choices in the message. */
export function choice<T extends string>(label: string, values: readonly [T, ...T[]]) {
  return z.preprocess(cleanText, z.enum(values, { error: `Select ${label}` }));
}

/** A form's checkbox group arrives as a string (one ticked), an array, or nothing. */
export function stringList(label: string) {
  return z.preprocess(
    (v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
    z.array(z.string({ error: `${capitalise(label)} must be a list` }), {
      error: `${capitalise(label)} must be a list`,
    }),
  );
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function ukDate(label: string) {
  return z.preprocess(
    cleanText,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx) => {
        const date = parseUkDate(s);
        if (!date) {
          ctx.addIssue({
            code: 'custom',
            message: `${capitalise(label)} must be a real date, like 22 October 2009 or 22/10/2009`,
          });
          return z.NEVER;
        }
        return date;
      }),
  );
}

export function optionalUkDate(label: string) {
  return z.preprocess(
    (v) => (v === undefined || v === null ? '' : cleanText(v)),
    z.string().transform((s, ctx) => {
      if (s === '') return null;
      const date = parseUkDate(s);
      if (!date) {
        ctx.addIssue({
          code: 'custom',
          message: `${capitalise(label)} must be a real date, like 22 October 2009 or 22/10/2009`,
        });
        return z.NEVER;
      }
      return date;
    }),
  );
}

export function timescaleField(label: string) {
  return z.preprocess(
    cleanText,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx): Timescale => {
        const t = parseTimescale(s);
        if (!t) {
          ctx.addIssue({
            code: 'custom',
            message: `${capitalise(label)} must be a month like Nov 2009 or a date like 30 November 2009`,
          });
          return z.NEVER;
        }
        return t;
      }),
  );
}

/** A financial year as a person writes it ("2009/10", "2009", …), as the year it starts. */
export function financialYearField(label = 'the financial year') {
  return z.preprocess(
    (v) => (typeof v === 'number' ? String(v) : cleanText(v)),
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx): number => {
        try {
          const year = parseFinancialYear(s);
          if (year >= 1990 && year <= 2200) return year;
          ctx.addIssue({
            code: 'custom',
            message: `Enter ${label} from ${financialYearLabel(1990)} to ${financialYearLabel(2200)}`,
          });
          return z.NEVER;
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  );
}

export function periodKeyField(label = 'the reporting period') {
  return z.preprocess(
    cleanText,
    z
      .string({ error: `Enter ${label}` })
      .min(1, { error: `Enter ${label}` })
      .transform((s, ctx): Period => {
        try {
          return parsePeriodKey(s);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
  );
}

// Query parameters of the API (declared with `query` on an operation, see platform/http/openapi.ts).
// A query string's values are text, so these read them as the declared type; an empty value is the
// same as none, and a parameter given twice (an array) or given as anything else is refused with a
// message naming it, never read as something else or ignored.

const queryValue = (v: unknown) => (typeof v === 'string' ? (v.trim() === '' ? undefined : v.trim()) : v);

/** A whole number from `min` to `max` (`?page=2`), or none. */
export function queryInteger(name: string, min: number, max: number) {
  const message = `Give ${name} as a whole number from ${min.toLocaleString('en-GB')} to ${max.toLocaleString('en-GB')}`;
  return z
    .preprocess(
      (v) => {
        const value = queryValue(v);
        return typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
      },
      z
        .number({ error: message })
        .int({ error: message })
        .min(min, { error: message })
        .max(max, { error: message })
        .optional(),
    )
    .optional();
}

/** One of a fixed list of words (`?show=closed`), or none. */
export function queryChoice<T extends string>(name: string, values: readonly [T, ...T[]]) {
  const words = values.length > 1 ? `${values.slice(0, -1).join(', ')} or ${values.at(-1)}` : values[0];
  return z.preprocess(queryValue, z.enum(values, { error: `Give ${name} as ${words}` }).optional()).optional();
}

/** A short text (`?priority=VfM-4d`), at most `max` characters, or none; `like` is an example. */
export function queryText(name: string, max: number, like: string) {
  const message = `Give ${name} as text of at most ${max} characters, like ${like}`;
  return z.preprocess(queryValue, z.string({ error: message }).max(max, { error: message }).optional()).optional();
}
