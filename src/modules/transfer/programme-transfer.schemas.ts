// The organisation file's two later sections: `diagnostic` (the efficiency diagnostic's own
// taxonomy versions and its exercises with their org units, posts and their activity allocations,
// non-pay lines and volumes) and `efficiency` (the programme: benchmark sets, opportunities,
// business cases with their options and cash-flow lines, implementation projects with their
// milestones, the savings ledger, gain-share agreements with their dated evaluations).
//
// Both are described once, as data, in programme-tables.schemas.ts: for each table, the list in
// the file, each carried column with its field name, kind and the words a message uses, and each
// column deliberately left out with the reason. The shapes here, the reader and writer
// (programme-transfer.ts) and the guard test (programme-transfer.test.ts, which fails naming any
// column of these tables that is neither carried nor left out with a reason) all read that
// description, so a new column is one line there. This file makes the shapes and checks the rules
// between records.
//
// Values as stored: money in whole pence, FTE in ten-thousandths (0.8 is 8000), shares in basis
// points (40% is 4000), `numeric` columns as exact decimal strings ("1.20"), jsonb as JSON,
// timestamps in UTC with microseconds, dates `YYYY-MM-DD`. Every record keeps its id (org units,
// allocations, volumes and taxonomy entries are identified by their codes within their parent).
// A column added after files were first written is optional (`added`): absent means the column's
// default. A field for a column this Amber no longer has (`retired`) is still checked, then dropped.
//
// The shipped taxonomy is shared reference data, the same in every deployment: the file names the
// versions its exercises use in `diagnostic.shippedTaxonomies` (id and name) and never copies
// them; an import refuses a shipped version this Amber does not ship. An organisation's own
// versions travel whole.

import { z } from 'zod';
import type { FieldIssue } from '../../domain/errors.ts';
import { TEXT_LIMITS } from '../../domain/limits.ts';
import { isoDate } from '../../domain/dates.ts';
import { SINK_CODES } from '../../domain/diagnostic/baseline.ts';
import {
  DIAGNOSTIC_TABLES,
  EFFICIENCY_TABLES,
  SHIPPED_TAXONOMIES,
  type ColumnSpec,
  type TableSpec,
  type Target,
} from './programme-tables.schemas.ts';

export {
  DIAGNOSTIC_TABLES,
  EFFICIENCY_TABLES,
  SHIPPED_TAXONOMIES,
  allTables,
  type ColumnSpec,
  type TableSpec,
} from './programme-tables.schemas.ts';

/** The shipped versions' codes, as the reference checks need them. */
export const SHIPPED_CODES: ProgrammeContext['shipped'] = new Map(
  [...SHIPPED_TAXONOMIES].map(([id, { taxonomy }]) => [
    id,
    {
      functions: new Set(taxonomy.functions.map((f) => f.code)),
      processes: new Set(taxonomy.processes.map((p) => p.code)),
    },
  ]),
);

// ---------------------------------------------------------------------------------------------
// Shapes, made from the description. Messages in the words of transfer.schemas.ts.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})$/;
const DECIMAL_PATTERN = /^-?\d{1,30}(\.\d{1,30})?$/;

const quoted = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 57)}...` : s);
const shown = (input: unknown) =>
  input === null
    ? 'null'
    : Array.isArray(input)
      ? 'a list'
      : typeof input === 'string'
        ? quoted(input)
        : typeof input === 'object'
          ? 'an object'
          : typeof input === 'number' || typeof input === 'boolean'
            ? String(input)
            : typeof input;
const wrongType = (what: string, expected: string) => (iss: { input?: unknown }) =>
  iss.input === undefined ? `${what} is missing` : `${what} must be ${expected}, not ${shown(iss.input)}`;

function realDate(s: string): boolean {
  const m = DATE_PATTERN.exec(s);
  if (!m) return false;
  try {
    isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
    return true;
  } catch {
    return false;
  }
}
function realTimestamp(s: string): boolean {
  const m = TIMESTAMP_PATTERN.exec(s);
  return !!m && realDate(m[1]!) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
}

function checked(what: string, ok: (s: string) => boolean, problem: (s: string) => string) {
  return z.string({ error: wrongType(what, 'text') }).superRefine((s, ctx) => {
    if (!ok(s)) ctx.addIssue({ code: 'custom', message: problem(s) });
  });
}

function fieldSchema(col: ColumnSpec): z.ZodType {
  const { what } = col;
  let s: z.ZodType;
  switch (col.kind) {
    case 'id':
      s = checked(
        what,
        (v) => UUID_PATTERN.test(v),
        (v) => `${what} ${quoted(v)} is not an id: ids are lowercase uuids, like 0f8fad5b-d9cb-469f-a165-70867728950e`,
      );
      break;
    case 'text': {
      const max = col.max ?? TEXT_LIMITS.short;
      let t: z.ZodType<string> = z
        .string({ error: wrongType(what, col.nullable ? 'text or null' : 'text') })
        .max(max, { error: `${what} must be ${max.toLocaleString('en-GB')} characters or fewer` });
      if (col.filled) t = t.refine((v) => v.trim() !== '', { error: `${what} is empty` });
      s = t;
      break;
    }
    case 'int':
    case 'pence': {
      const unit = col.kind === 'pence' ? ' of pence' : '';
      const min = col.min ?? 0;
      const max = col.max ?? Number.MAX_SAFE_INTEGER;
      s = z.number({ error: wrongType(what, `a whole number${unit}`) }).superRefine((n, ctx) => {
        if (!Number.isInteger(n))
          ctx.addIssue({ code: 'custom', message: `${what} must be a whole number${unit}, not ${n}` });
        else if (n < min) ctx.addIssue({ code: 'custom', message: `${what} must be ${min} or more` });
        else if (n > max) ctx.addIssue({ code: 'custom', message: `${what} must be ${max} or less` });
      });
      break;
    }
    case 'numeric':
      s = checked(
        what,
        (v) => DECIMAL_PATTERN.test(v),
        (v) => `${what} ${quoted(v)} must be a decimal number written as text, like "1.20"`,
      );
      break;
    case 'flag':
      s = z.boolean({ error: wrongType(what, 'true or false') });
      break;
    case 'date':
      s = checked(what, realDate, (v) => `${what} ${quoted(v)} is not a real date: write dates as YYYY-MM-DD`);
      break;
    case 'timestamp':
      s = checked(
        what,
        realTimestamp,
        (v) =>
          `${what} ${quoted(v)} is not a time Amber can read: write it as an export does, like 2009-10-22T09:30:00.000000Z`,
      );
      break;
    case 'choice': {
      const values = col.values as readonly [string, ...string[]];
      s = z.enum(values, {
        error: (iss) =>
          iss.input === undefined
            ? `${what} is missing`
            : `${what} must be one of ${values.join(', ')}, not ${shown(iss.input)}`,
      });
      break;
    }
    case 'texts':
      s = z.array(z.string({ error: `Each of the ${what.toLowerCase()} must be text` }).max(TEXT_LIMITS.short), {
        error: wrongType(what, 'a list of text'),
      });
      break;
    case 'ids':
      s = z.array(fieldSchema({ ...col, kind: 'id', what: `Each of the ${what.toLowerCase()}` }), {
        error: wrongType(what, 'a list of ids'),
      });
      break;
    case 'json':
      s = col.json ?? z.unknown();
      break;
  }
  if (col.nullable) s = s.nullable();
  if (col.added) s = s.optional();
  return s;
}

function recordSchema(spec: TableSpec): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const col of spec.columns) shape[col.field] = fieldSchema(col);
  for (const col of spec.retired ?? []) shape[col.field] = fieldSchema({ ...col, column: '', added: true });
  for (const child of spec.children ?? []) shape[child.list] = listSchema(child);
  const noun = spec.noun.charAt(0).toUpperCase() + spec.noun.slice(1);
  return z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : wrongType(noun, 'an object')(iss)),
  });
}

function listSchema(spec: TableSpec): z.ZodType {
  return z.array(recordSchema(spec), {
    error: (iss) =>
      iss.input === undefined
        ? `The list of ${spec.list} is missing: use [] for none`
        : `The ${spec.list} must be given as a list, not ${shown(iss.input)}`,
  });
}

const section = (what: string, shape: Record<string, z.ZodType>) =>
  z.strictObject(shape, {
    error: (iss) => (iss.code === 'unrecognized_keys' ? undefined : wrongType(what, 'an object')(iss)),
  });

/** A shipped taxonomy version an exercise uses: named, never copied. */
export type ShippedTaxonomyRef = {
  id: string;
  name: string;
};

/** A record of either section as the file holds it: fields by name, children as lists. */
export type ProgrammeRecord = Record<string, unknown>;
export type DiagnosticFileSection = {
  shippedTaxonomies: ShippedTaxonomyRef[];
  taxonomies: ProgrammeRecord[];
  exercises: ProgrammeRecord[];
};
export type EfficiencyFileSection = {
  benchmarks: ProgrammeRecord[];
  opportunities: ProgrammeRecord[];
  cases: ProgrammeRecord[];
  projects: ProgrammeRecord[];
  savings: ProgrammeRecord[];
  agreements: ProgrammeRecord[];
};

export const diagnosticSection = section('The diagnostic section', {
  shippedTaxonomies: z.array(
    z.strictObject(
      {
        id: fieldSchema({ column: 'id', field: 'id', kind: 'id', what: 'Shipped taxonomy id' }),
        name: fieldSchema({ column: 'name', field: 'name', kind: 'text', what: 'Shipped taxonomy name', filled: true }),
      },
      { error: 'A shipped taxonomy is named by {id, name}' },
    ),
    { error: 'The shipped taxonomies must be given as a list: use [] for none' },
  ),
  ...Object.fromEntries(DIAGNOSTIC_TABLES.map((t) => [t.list, listSchema(t)])),
}) as unknown as z.ZodType<DiagnosticFileSection>;

export const efficiencySection = section(
  'The efficiency section',
  Object.fromEntries(EFFICIENCY_TABLES.map((t) => [t.list, listSchema(t)])),
) as unknown as z.ZodType<EfficiencyFileSection>;

// ---------------------------------------------------------------------------------------------
// The rules between records: unique ids and codes, and every reference pointing at something in
// the file (or, for a taxonomy, at a version this Amber ships). They read the raw input, so they
// run even where some records have the wrong shape.

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (v: unknown): Raw[] => (Array.isArray(v) ? v.map((x) => (isRecord(x) ? x : {})) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What the rest of the file offers the programme's references. */
export interface ProgrammeContext {
  people: Set<string>;
  priorities: Set<string>;
  reportMilestones: Set<string>;
  /** Whether each list above could be read (a broken list is the shape's message, not a reference's). */
  complete: { person: boolean; priority: boolean; reportMilestone: boolean };
  /** The taxonomy versions this Amber ships, by id, with their function and process codes. */
  shipped: ReadonlyMap<string, { functions: ReadonlySet<string>; processes: ReadonlySet<string> }>;
}

const TARGET_WORDS: Record<Target, { noun: string; where: string }> = {
  taxonomy: { noun: 'taxonomy version', where: '"diagnostic.taxonomies" or one Amber ships' },
  exercise: { noun: 'exercise', where: '"diagnostic.exercises"' },
  benchmark: { noun: 'benchmark set', where: '"efficiency.benchmarks"' },
  opportunity: { noun: 'opportunity', where: '"efficiency.opportunities"' },
  case: { noun: 'business case', where: '"efficiency.cases"' },
  project: { noun: 'project', where: '"efficiency.projects"' },
  person: { noun: 'person', where: '"people"' },
  priority: { noun: 'priority', where: "the plans' priorities" },
  reportMilestone: { noun: 'report milestone', where: "the reports' milestones" },
};

interface Walked {
  spec: TableSpec;
  record: Raw;
  at: string;
  parent: Walked | undefined;
}

function walk(specs: readonly TableSpec[], section: Raw, at: string, parent?: Walked): Walked[] {
  return specs.flatMap((spec) =>
    items(section[spec.list]).flatMap((record, i) => {
      const here: Walked = { spec, record, at: `${at}.${spec.list}[${i}]`, parent };
      return [here, ...walk(spec.children ?? [], record, here.at, here)];
    }),
  );
}

export function programmeIssues(file: Raw, context: ProgrammeContext): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const add = (field: string, message: string) => issues.push({ field, message });
  const diagnostic = isRecord(file.diagnostic) ? file.diagnostic : undefined;
  const efficiency = isRecord(file.efficiency) ? file.efficiency : undefined;
  if (!diagnostic && !efficiency) return issues;
  const records = [
    ...(diagnostic ? walk(DIAGNOSTIC_TABLES, diagnostic, 'diagnostic') : []),
    ...(efficiency ? walk(EFFICIENCY_TABLES, efficiency, 'efficiency') : []),
  ];

  // Unique keys: ids across a table; codes among their siblings.
  const seen = new Map<string, string>();
  for (const w of records) {
    const scope = w.spec.key[0] === 'id' ? w.spec.table : `${w.spec.table}:${w.parent?.at ?? ''}`;
    for (const field of w.spec.key) {
      const v = str(w.record[field]);
      if (v === undefined) continue;
      const k = `${scope}:${field}:${field === 'id' ? v : v.toLowerCase()}`;
      const first = seen.get(k);
      if (first !== undefined)
        add(
          `${w.at}.${field}`,
          field === 'id'
            ? `The id ${v} is used twice, also by ${first}: give each ${w.spec.noun} its own id`
            : `${w.spec.noun.charAt(0).toUpperCase() + w.spec.noun.slice(1)} ${quoted(v)} is also used by ${first}: codes must differ, ignoring capitals`,
        );
      else seen.set(k, w.at);
    }
  }

  // Targets in the file, with the exercise each belongs to.
  const targets = new Map<Target, Map<string, Walked>>();
  for (const w of records) {
    if (!w.spec.target) continue;
    const id = str(w.record.id);
    if (id === undefined) continue;
    let m = targets.get(w.spec.target);
    if (!m) targets.set(w.spec.target, (m = new Map<string, Walked>()));
    if (!m.has(id)) m.set(id, w);
  }
  const listed = (t: Target): boolean => {
    const [sec, list] =
      t === 'taxonomy'
        ? [diagnostic, 'taxonomies']
        : t === 'exercise'
          ? [diagnostic, 'exercises']
          : [
              efficiency,
              { benchmark: 'benchmarks', opportunity: 'opportunities', case: 'cases', project: 'projects' }[
                t as 'case'
              ],
            ];
    // A section the file leaves out holds nothing to refer to; one of the wrong shape is the shape's message.
    const given = t === 'taxonomy' || t === 'exercise' ? file.diagnostic : file.efficiency;
    if (given === undefined) return true;
    return !!sec && Array.isArray(sec[list]);
  };
  const exists = (t: Target, id: string): boolean | undefined => {
    switch (t) {
      case 'person':
        return context.complete.person ? context.people.has(id) : undefined;
      case 'priority':
        return context.complete.priority ? context.priorities.has(id) : undefined;
      case 'reportMilestone':
        return context.complete.reportMilestone ? context.reportMilestones.has(id) : undefined;
      case 'taxonomy':
        return targets.get(t)?.has(id) || context.shipped.has(id) || (listed(t) ? false : undefined);
      default:
        return targets.get(t)?.has(id) || (listed(t) ? false : undefined);
    }
  };
  const exerciseOf = (w: Walked | undefined): string | undefined => {
    for (let x = w; x; x = x.parent) {
      if (x.spec.table === 'diagnostic_exercise') return str(x.record.id);
      const e = str(x.record.exerciseId);
      if (e !== undefined) return e;
    }
    return undefined;
  };

  for (const w of records) {
    for (const col of w.spec.columns) {
      if (!col.refers) continue;
      const values: [string, string][] =
        col.kind === 'ids'
          ? (Array.isArray(w.record[col.field]) ? (w.record[col.field] as unknown[]) : []).flatMap((v, k) =>
              typeof v === 'string' ? [[v, `${w.at}.${col.field}[${k}]`] as [string, string]] : [],
            )
          : typeof w.record[col.field] === 'string'
            ? [[w.record[col.field] as string, `${w.at}.${col.field}`]]
            : [];
      for (const [id, at] of values) {
        const words = TARGET_WORDS[col.refers];
        const found = exists(col.refers, id);
        if (found === false) {
          add(
            at,
            `${col.what} ${id} is not one of the ${words.noun === 'person' ? 'people' : `${words.noun}s`} in this file: use the id of one in ${words.where}`,
          );
          continue;
        }
        // A programme record refers only to records of its own exercise.
        const target = targets.get(col.refers)?.get(id);
        if (target && ['benchmark', 'opportunity', 'case', 'project'].includes(col.refers)) {
          const mine = exerciseOf(w);
          const theirs = exerciseOf(target);
          if (mine !== undefined && theirs !== undefined && mine !== theirs)
            add(
              at,
              `${col.what} ${id} belongs to another exercise (${theirs}): refer only to records of exercise ${mine}`,
            );
        }
        if (col.refers === 'project' && id === str(w.record.id)) add(at, 'A project cannot depend on itself');
      }
    }
  }

  // Codes inside an exercise: org units, managers, processes and functions of its taxonomy.
  const ownTaxonomies = new Map<string, { functions: Set<string>; processes: Set<string> }>();
  for (const t of items(diagnostic?.taxonomies)) {
    const id = str(t.id);
    if (id === undefined) continue;
    ownTaxonomies.set(id, {
      functions: new Set(items(t.functions).flatMap((f) => (typeof f.code === 'string' ? [f.code] : []))),
      processes: new Set(items(t.processes).flatMap((p) => (typeof p.code === 'string' ? [p.code] : []))),
    });
    items(t.processes).forEach((p, k) => {
      const fn = str(p.functionCode);
      if (fn !== undefined && !ownTaxonomies.get(id)!.functions.has(fn))
        add(
          `diagnostic.taxonomies[${items(diagnostic?.taxonomies).indexOf(t)}].processes[${k}].functionCode`,
          `There is no function ${quoted(fn)} in this taxonomy version: use the code of one of its "functions"`,
        );
    });
  }
  const codesOf = (taxonomyId: string | undefined) =>
    taxonomyId === undefined ? undefined : (ownTaxonomies.get(taxonomyId) ?? context.shipped.get(taxonomyId));
  const exerciseCodes = new Map<string, { functions: ReadonlySet<string>; processes: ReadonlySet<string> }>();
  items(diagnostic?.exercises).forEach((e, i) => {
    const at = `diagnostic.exercises[${i}]`;
    const codes = codesOf(str(e.taxonomyVersionId));
    const id = str(e.id);
    if (codes && id !== undefined) exerciseCodes.set(id, codes);
    const units = new Set(items(e.units).flatMap((u) => (typeof u.code === 'string' ? [u.code] : [])));
    const posts = new Set(items(e.posts).flatMap((p) => (typeof p.code === 'string' ? [p.code] : [])));
    const unit = (v: unknown, field: string, what: string) => {
      const s = str(v);
      if (s !== undefined && Array.isArray(e.units) && !units.has(s))
        add(field, `${what} ${quoted(s)} is not one of this exercise's org units: use the code of one of its "units"`);
    };
    const fn = (v: unknown, field: string, what: string) => {
      const s = str(v);
      if (s !== undefined && codes && !codes.functions.has(s))
        add(field, `${what} ${quoted(s)} is not a function of the exercise's taxonomy version`);
    };
    const process = (v: unknown, field: string, what: string, sinks = false) => {
      const s = str(v);
      if (s !== undefined && codes && !codes.processes.has(s) && !(sinks && SINK_CODES.includes(s)))
        add(
          field,
          `${what} ${quoted(s)} is not a process of the exercise's taxonomy version${sinks ? ` (nor ${SINK_CODES.join(' or ')})` : ''}`,
        );
    };
    strings(e.scope).forEach(([s, k]) => fn(s, `${at}.scope[${k}]`, 'Function in scope'));
    items(e.units).forEach((u, k) => {
      unit(u.parentCode, `${at}.units[${k}].parentCode`, 'Parent org unit');
      fn(u.centralFunctionCode, `${at}.units[${k}].centralFunctionCode`, 'Central function');
    });
    items(e.posts).forEach((p, k) => {
      unit(p.unitCode, `${at}.posts[${k}].unitCode`, 'Org unit of the post');
      const m = str(p.managerCode);
      if (m !== undefined && Array.isArray(e.posts) && !posts.has(m))
        add(`${at}.posts[${k}].managerCode`, `Manager post ${quoted(m)} is not one of this exercise's posts`);
      items(p.allocations).forEach((a, j) =>
        process(a.processCode, `${at}.posts[${k}].allocations[${j}].processCode`, 'Process of the allocation', true),
      );
    });
    items(e.nonPay).forEach((n, k) => {
      process(n.processCode, `${at}.nonPay[${k}].processCode`, 'Process of the non-pay line');
      fn(n.functionCode, `${at}.nonPay[${k}].functionCode`, 'Function of the non-pay line');
      unit(n.unitCode, `${at}.nonPay[${k}].unitCode`, 'Org unit of the non-pay line');
    });
    items(e.volumes).forEach((v, k) =>
      process(v.processCode, `${at}.volumes[${k}].processCode`, 'Process of the volume'),
    );
  });
  items(efficiency?.benchmarks).forEach((b, i) => {
    const codes = exerciseCodes.get(str(b.exerciseId) ?? '');
    const f = str(b.functionCode);
    if (codes && f !== undefined && !codes.functions.has(f))
      add(
        `efficiency.benchmarks[${i}].functionCode`,
        `Benchmark function ${quoted(f)} is not a function of the exercise's taxonomy version`,
      );
  });
  // The rules the tables enforce, checked here so a file is refused naming the field, before any write.
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const dec = (v: unknown) => (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  for (const w of records) {
    const r = w.record;
    switch (w.spec.table) {
      case 'benchmark_set': {
        const [p25, p50, p75] = [dec(r.p25), dec(r.p50), dec(r.p75)];
        if (p25 !== undefined && p50 !== undefined && p75 !== undefined && !(p25 <= p50 && p50 <= p75))
          add(`${w.at}.p50`, 'The percentiles must be in order: p25 ≤ p50 ≤ p75');
        break;
      }
      case 'opportunity': {
        const [low, central, high, pool] = [num(r.low), num(r.central), num(r.high), num(r.poolCost)];
        if (low !== undefined && central !== undefined && high !== undefined && pool !== undefined)
          if (!(0 <= low && low <= central && central <= high && high <= pool))
            add(
              `${w.at}.central`,
              'The savings must be in order and within the pool: 0 ≤ low ≤ central ≤ high ≤ poolCost',
            );
        const computed = [r.computedLow, r.computedCentral, r.computedHigh].filter((v) => v !== undefined);
        if (computed.length > 0 && new Set(computed.map((v) => v === null)).size > 1)
          add(`${w.at}.computedLow`, 'The computed savings are all given or all null');
        break;
      }
      case 'business_case_line': {
        const uplift = r.statedUplift ?? null;
        const reason = r.optimismBiasReason ?? null;
        if ((uplift === null) !== (reason === null))
          add(
            `${w.at}.${uplift === null ? 'statedUplift' : 'optimismBiasReason'}`,
            'A stated uplift always has its reason: give both statedUplift and optimismBiasReason, or null for both',
          );
        if (uplift !== null && r.optimismBias !== null && r.optimismBias !== undefined)
          add(`${w.at}.optimismBias`, 'A line has an optimism bias category or a stated uplift, never both');
        if (uplift !== null && r.kind === 'benefit')
          add(`${w.at}.statedUplift`, 'Only a cost line has a stated optimism bias uplift');
        break;
      }
      case 'implementation_project':
        if (typeof r.startsOn === 'string' && typeof r.endsOn === 'string' && r.endsOn < r.startsOn)
          add(`${w.at}.endsOn`, `The project ends (${r.endsOn}) before it starts (${r.startsOn})`);
        break;
      case 'savings_entry':
        if (r.verifiedAt !== null && r.verifiedAt !== undefined && r.stage !== 'realised')
          add(`${w.at}.verifiedAt`, 'Only a realised saving is verified: give null, or the stage realised');
        break;
    }
  }

  // A shipped version is never the organisation's own.
  items(diagnostic?.taxonomies).forEach((t, i) => {
    const id = str(t.id);
    if (id !== undefined && context.shipped.has(id))
      add(
        `diagnostic.taxonomies[${i}].id`,
        `${id} is a taxonomy version Amber ships, not the organisation's own: name it in "shippedTaxonomies" instead`,
      );
  });
  // A shipped version named in the file must be one this Amber ships.
  items(diagnostic?.shippedTaxonomies).forEach((t, i) => {
    const id = str(t.id);
    if (id !== undefined && !context.shipped.has(id))
      add(
        `diagnostic.shippedTaxonomies[${i}].id`,
        `This Amber does not ship the taxonomy version ${id}: import the file into an Amber that does, or export it with the version as the organisation's own`,
      );
  });
  return issues;
}

function strings(v: unknown): [string, number][] {
  return Array.isArray(v) ? v.flatMap((x, i): [string, number][] => (typeof x === 'string' ? [[x, i]] : [])) : [];
}
