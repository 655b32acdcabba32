// How much Amber accepts, in one place, for every door: the forms, the JSON API, `amber import`,
// spreadsheet rows and background jobs' inputs all check text against the same lengths, so that
// nothing can enter by a side door that a form would refuse (a 150 MB summary imported from a
// file once made its report page 157 MB and its PDF crash the server).
//
// The sizes of files and what they may expand to are settings (config.ts, the README's settings
// table); these are not, because they are part of what a record is.

/** The longest text of each kind of field, in characters. */
export const TEXT_LIMITS = {
  /** A code or key (a priority's code, a period key, a status key). */
  code: 50,
  /** A person's or an organisation's name, a label. */
  name: 200,
  /** A title (plan, priority, indicator, theme). */
  title: 300,
  /** A short line: an e-mail address, a job title, a data source, anything without a limit of its own. */
  short: 1_000,
  /** A reason given for a decision (a slipped milestone, an override). */
  reason: 5_000,
  /** A note or a comment (a value's comment, a sign-off's comment, a milestone's progress note). */
  comment: 10_000,
  /** A description (an action, an indicator, a plan, a risk's controls). */
  description: 20_000,
  /** The reason for a report's status. */
  statusReason: 50_000,
  /** Why a priority is a priority. */
  rationale: 100_000,
  /** A report's overall summary: the longest text Amber holds. */
  summary: 200_000,
} as const;

/** A size as a person reads it, in the messages and hints of every door: "5 MB", "150.2 MB". */
export const megabytes = (bytes: number): string =>
  `${(bytes / (1024 * 1024)).toLocaleString('en-GB', { maximumFractionDigits: 1 })} MB`;

/** How deep a JSON document (an API body, an organisation file) may nest. Amber's own go 8 deep. */
export const MAX_NESTING = 64;

/** How many problems a refused file lists; the rest are counted ("and 2,340 more"). */
export const PROBLEMS_LISTED = 100;

/**
 * The first `PROBLEMS_LISTED` of a list of problems, and a last line counting the rest, so that a
 * file with 300,000 bad rows gives a page a person can read (and a server can send).
 */
export function firstProblems<T>(problems: readonly T[], more: (count: number) => T): T[] {
  if (problems.length <= PROBLEMS_LISTED) return [...problems];
  const rest = problems.length - PROBLEMS_LISTED;
  return [...problems.slice(0, PROBLEMS_LISTED), more(rest)];
}

/**
 * The path of the first place where `value` nests deeper than `max` ('reports[0].actions[2]…'),
 * or undefined. Walks with its own stack, so a document nested 200,000 deep is measured, not a
 * stack overflow.
 */
export function tooDeep(value: unknown, max = MAX_NESTING): string | undefined {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= max) return item.path || '(the document)';
    if (Array.isArray(item.value)) {
      item.value.forEach((v, i) => stack.push({ value: v, depth: item.depth + 1, path: `${item.path}[${i}]` }));
    } else {
      for (const [k, v] of Object.entries(item.value))
        stack.push({ value: v, depth: item.depth + 1, path: item.path ? `${item.path}.${k}` : k });
    }
  }
  return undefined;
}
